//! Character-class layouts, shared by the GSTIN and PAN rules.
//!
//! A layout is a list of slots, one per position. Matching reports the
//! first position that breaks it and how many do, which is how the error
//! message names the nearest layout.

/// What one position accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Slot {
    /// `0`-`9`.
    Digit,
    /// `A`-`Z`.
    Letter,
    /// `0`-`9` or `A`-`Z`.
    Alnum,
    /// One of these bytes; the text says which in a message.
    OneOf(&'static [u8], &'static str),
}

impl Slot {
    #[inline]
    fn accepts(self, b: u8) -> bool {
        match self {
            Slot::Digit => b.is_ascii_digit(),
            Slot::Letter => b.is_ascii_uppercase(),
            Slot::Alnum => b.is_ascii_digit() || b.is_ascii_uppercase(),
            Slot::OneOf(set, _) => set.contains(&b),
        }
    }

    /// What the slot wants, for a message.
    pub(crate) fn describe(self) -> &'static str {
        match self {
            Slot::Digit => "a digit",
            Slot::Letter => "a letter",
            Slot::Alnum => "a letter or digit",
            Slot::OneOf(_, text) => text,
        }
    }
}

/// Shorthands that keep the layout tables readable.
pub(crate) const D: Slot = Slot::Digit;
pub(crate) const L: Slot = Slot::Letter;
pub(crate) const X: Slot = Slot::Alnum;

/// How well bytes fit a layout.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Fit {
    /// Index (0-based, into the slots) of the first slot that rejects its byte.
    pub first_break: Option<usize>,
    /// How many slots reject their byte.
    pub breaks: usize,
}

/// Whether every slot accepts its byte; the hot path.
#[inline]
pub(crate) fn fits(slots: &[Slot], bytes: &[u8]) -> bool {
    slots.len() == bytes.len() && slots.iter().zip(bytes).all(|(s, &b)| s.accepts(b))
}

/// Where and how often `bytes` break `slots`; the diagnosis path.
pub(crate) fn fit(slots: &[Slot], bytes: &[u8]) -> Fit {
    let mut first_break = None;
    let mut breaks = 0;
    for (i, (s, &b)) in slots.iter().zip(bytes).enumerate() {
        if !s.accepts(b) {
            breaks += 1;
            first_break.get_or_insert(i);
        }
    }
    Fit { first_break, breaks }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fit_counts_breaks_and_finds_the_first() {
        let slots = [L, L, D, Slot::OneOf(b"Z", "'Z'")];
        assert!(fits(&slots, b"AB1Z"));
        assert!(!fits(&slots, b"AB1"));
        assert_eq!(fit(&slots, b"AB1Z"), Fit { first_break: None, breaks: 0 });
        assert_eq!(fit(&slots, b"A11Y"), Fit { first_break: Some(1), breaks: 2 });
    }

    #[test]
    fn describe_names_what_is_wanted() {
        assert_eq!(D.describe(), "a digit");
        assert_eq!(Slot::OneOf(b"UO", "'U' or 'O'").describe(), "'U' or 'O'");
    }
}
