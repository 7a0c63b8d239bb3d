//! Normalising a value the way people mistype it (SPEC.md section 3).
//!
//! Removed anywhere in the value: Unicode whitespace (which includes the
//! no-break space U+00A0), the zero-width space U+200B, U+FEFF, hyphens
//! (`-`, U+2010 hyphen, U+2011 non-breaking hyphen, U+00AD soft hyphen), dots
//! and slashes. ASCII letters are upper-cased. Nothing else changes: a
//! full-width letter or a Devanagari digit stays, and fails later as a
//! `character` error at its own position.

use std::borrow::Cow;

use super::checksum::is_canonical;

/// Normalises `input`, borrowing it when it is already canonical.
///
/// `Cow::Borrowed` means nothing changed, which is what `strict` mode
/// asks about.
///
/// ```
/// use gstbatch::ident::normalize;
/// assert_eq!(normalize(" 27-aapfu.0939f1zv "), "27AAPFU0939F1ZV");
/// assert!(matches!(normalize("27AAPFU0939F1ZV"), std::borrow::Cow::Borrowed(_)));
/// ```
pub fn normalize(input: &str) -> Cow<'_, str> {
    // The common case, an already clean value, costs one scan and no
    // allocation.
    if input.bytes().all(is_canonical) {
        return Cow::Borrowed(input);
    }
    let mut out = String::with_capacity(input.len());
    for ch in input.chars() {
        if is_removed(ch) {
            continue;
        }
        out.push(ch.to_ascii_uppercase());
    }
    if out == input { Cow::Borrowed(input) } else { Cow::Owned(out) }
}

/// Whether normalising drops `ch`.
fn is_removed(ch: char) -> bool {
    ch.is_whitespace()
        || matches!(
            ch,
            '-' | '.' | '/' | '\u{200B}' | '\u{FEFF}' | '\u{2010}' | '\u{2011}' | '\u{AD}'
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spec_3_removes_spaces_hyphens_dots_slashes_and_upper_cases() {
        let table = [
            ("27AAPFU0939F1ZV", "27AAPFU0939F1ZV"),
            ("  27aapfu0939f1zv\t", "27AAPFU0939F1ZV"),
            ("27 AAPFU 0939 F1ZV", "27AAPFU0939F1ZV"),
            ("27-AAPFU-0939-F1Z-V", "27AAPFU0939F1ZV"),
            ("27.AAPFU/0939.F1ZV", "27AAPFU0939F1ZV"),
            ("\u{a0}27AAPFU0939F1ZV\u{200b}", "27AAPFU0939F1ZV"),
            ("\u{feff}27AAPFU0939F1ZV", "27AAPFU0939F1ZV"),
            ("27AAPFU\u{2011}0939F1ZV\u{ad}", "27AAPFU0939F1ZV"),
            ("\r\n", ""),
            ("", ""),
        ];
        for (input, want) in table {
            assert_eq!(normalize(input), want, "{input:?}");
        }
    }

    #[test]
    fn spec_3_changes_nothing_else() {
        // Full-width letters, other digits, underscores and dashes stay.
        for input in ["２７", "१२", "A_B", "A\u{2013}B", "É", "ß", "Ａ"] {
            assert_eq!(normalize(input), input);
        }
        assert_eq!(normalize("aé"), "Aé");
    }

    #[test]
    fn borrows_exactly_when_nothing_changed() {
        assert!(matches!(normalize("ABC123"), Cow::Borrowed(_)));
        assert!(matches!(normalize("१२"), Cow::Borrowed(_)));
        assert!(matches!(normalize("abc"), Cow::Owned(_)));
        assert!(matches!(normalize(" ABC"), Cow::Owned(_)));
    }
}
