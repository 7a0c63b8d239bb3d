//! Character-class layouts, shared by the GSTIN and PAN rules.
//!
//! A layout is a list of slots, one per position. Matching reports the
//! first position that breaks it and how many do, which is how the error
//! message names the nearest layout.

use super::checksum::code_point;

/// What one position accepts: a set of code points (0-9 digits, 10-35
/// letters) as a bit mask, so a check is one shift and no branch; and each
/// accepted code point's rank among them, worked out once, since packing
/// ([`pack`]) runs for every valid identifier of a batch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Slot {
    mask: u64,
    radix: u8,
    ranks: [u8; 36],
    text: &'static str,
}

const DIGITS: u64 = (1 << 10) - 1;
const ALL: u64 = (1 << 36) - 1;

impl Slot {
    /// A slot accepting exactly `set`, described as `text` in messages.
    pub(crate) const fn one_of(set: &[u8], text: &'static str) -> Slot {
        let mut mask = 0u64;
        let mut i = 0;
        while i < set.len() {
            mask |= 1 << code_point(set[i]);
            i += 1;
        }
        Slot::of_mask(mask, text)
    }

    const fn of_mask(mask: u64, text: &'static str) -> Slot {
        let mut ranks = [0u8; 36];
        let mut radix = 0u8;
        let mut cp = 0;
        while cp < 36 {
            if (mask >> cp) & 1 == 1 {
                ranks[cp] = radix;
                radix += 1;
            }
            cp += 1;
        }
        Slot { mask, radix, ranks, text }
    }

    /// Whether the slot accepts `b`; anything but a digit or upper-case
    /// ASCII letter is refused.
    #[inline]
    fn accepts(self, b: u8) -> bool {
        let cp = code_point(b);
        cp < 36 && (self.mask >> cp) & 1 == 1
    }

    /// How many characters the slot accepts.
    #[inline]
    pub(crate) fn radix(&self) -> u64 {
        u64::from(self.radix)
    }

    /// The index of `b` among the characters the slot accepts (`b` must be
    /// one of them; anything else ranks 0).
    #[inline]
    pub(crate) fn rank(&self, b: u8) -> u64 {
        self.ranks.get(code_point(b) as usize).map_or(0, |&r| u64::from(r))
    }

    /// What the slot wants, for a message.
    pub(crate) fn describe(self) -> &'static str {
        self.text
    }
}

/// Shorthands that keep the layout tables readable.
pub(crate) const D: Slot = Slot::of_mask(DIGITS, "a digit");
pub(crate) const L: Slot = Slot::of_mask(ALL & !DIGITS, "a letter");
pub(crate) const X: Slot = Slot::of_mask(ALL, "a letter or digit");

/// Packs bytes that fit `slots` into one number, `start` first, each
/// position a digit in the slot's own radix: distinct values give distinct
/// numbers.
pub(crate) fn pack(start: u64, slots: &[Slot], bytes: &[u8]) -> u64 {
    slots.iter().zip(bytes).fold(start, |acc, (s, &b)| acc * s.radix() + s.rank(b))
}

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
    // No short circuit: a dozen shifts cost less than the branches.
    slots.len() == bytes.len()
        && slots.iter().zip(bytes).fold(true, |ok, (s, &b)| ok & s.accepts(b))
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
        let slots = [L, L, D, Slot::one_of(b"Z", "'Z'")];
        assert!(fits(&slots, b"AB1Z"));
        assert!(!fits(&slots, b"AB1"));
        assert_eq!(fit(&slots, b"AB1Z"), Fit { first_break: None, breaks: 0 });
        assert_eq!(fit(&slots, b"A11Y"), Fit { first_break: Some(1), breaks: 2 });
    }

    #[test]
    fn ranks_count_the_accepted_characters_before() {
        let slots = [D, L, X, Slot::one_of(b"Z123456789ABEFGHIJ", ""), Slot::one_of(b"UO", "")];
        for s in slots {
            let accepted: Vec<u8> = super::super::checksum::ALPHABET
                .iter()
                .copied()
                .filter(|&b| s.accepts(b))
                .collect();
            assert_eq!(s.radix(), accepted.len() as u64);
            for (i, &b) in accepted.iter().enumerate() {
                assert_eq!(s.rank(b), i as u64, "{}", b as char);
            }
        }
        assert_eq!(D.rank(b'a'), 0);
    }

    #[test]
    fn describe_names_what_is_wanted() {
        assert_eq!(D.describe(), "a digit");
        assert_eq!(Slot::one_of(b"UO", "'U' or 'O'").describe(), "'U' or 'O'");
        assert!(Slot::one_of(b"UO", "").accepts(b'O'));
        assert!(!Slot::one_of(b"UO", "").accepts(b'0'));
        assert!(L.accepts(b'Z') && !L.accepts(b'9'));
        assert!(D.accepts(b'0') && !D.accepts(b'A'));
    }
}
