//! Characters a person cannot see, or cannot tell from a hyphen, inside an
//! identifier: controls, format characters (zero-width joiners, word joiner,
//! bidirectional controls), combining marks, and dashes.
//!
//! *Decision* (README): such a character is reported as a `character` error
//! at its own position even when it also makes the length wrong, because
//! "found 16 characters" is no help for a value that looks 15 long. Messages
//! name it by code point and name (`U+200D ZERO WIDTH JOINER`) and never
//! print it raw: a bidirectional control printed raw reorders the line.

use std::borrow::Cow;

/// Names of the hidden characters people actually paste, for messages.
const NAMES: &[(u32, &str)] = &[
    (0x00AD, "SOFT HYPHEN"),
    (0x034F, "COMBINING GRAPHEME JOINER"),
    (0x061C, "ARABIC LETTER MARK"),
    (0x094D, "DEVANAGARI SIGN VIRAMA"),
    (0x180E, "MONGOLIAN VOWEL SEPARATOR"),
    (0x200B, "ZERO WIDTH SPACE"),
    (0x200C, "ZERO WIDTH NON-JOINER"),
    (0x200D, "ZERO WIDTH JOINER"),
    (0x200E, "LEFT-TO-RIGHT MARK"),
    (0x200F, "RIGHT-TO-LEFT MARK"),
    (0x2012, "FIGURE DASH"),
    (0x2013, "EN DASH"),
    (0x2014, "EM DASH"),
    (0x2015, "HORIZONTAL BAR"),
    (0x202A, "LEFT-TO-RIGHT EMBEDDING"),
    (0x202B, "RIGHT-TO-LEFT EMBEDDING"),
    (0x202C, "POP DIRECTIONAL FORMATTING"),
    (0x202D, "LEFT-TO-RIGHT OVERRIDE"),
    (0x202E, "RIGHT-TO-LEFT OVERRIDE"),
    (0x2060, "WORD JOINER"),
    (0x2061, "FUNCTION APPLICATION"),
    (0x2062, "INVISIBLE TIMES"),
    (0x2063, "INVISIBLE SEPARATOR"),
    (0x2064, "INVISIBLE PLUS"),
    (0x2066, "LEFT-TO-RIGHT ISOLATE"),
    (0x2067, "RIGHT-TO-LEFT ISOLATE"),
    (0x2068, "FIRST STRONG ISOLATE"),
    (0x2069, "POP DIRECTIONAL ISOLATE"),
    (0x2212, "MINUS SIGN"),
    (0xFE63, "SMALL HYPHEN-MINUS"),
    (0xFEFF, "ZERO WIDTH NO-BREAK SPACE"),
    (0xFF0D, "FULLWIDTH HYPHEN-MINUS"),
];

/// Ranges of hidden characters (inclusive): format characters, combining
/// marks (general, and Devanagari's, the script Indian data most often
/// holds), variation selectors and dashes.
const RANGES: &[(u32, u32)] = &[
    (0x0300, 0x036F),
    (0x0483, 0x0489),
    (0x0600, 0x0605),
    (0x061C, 0x061C),
    (0x06DD, 0x06DD),
    (0x070F, 0x070F),
    (0x0900, 0x0903),
    (0x093A, 0x094F),
    (0x0951, 0x0957),
    (0x0962, 0x0963),
    (0x115F, 0x1160),
    (0x180B, 0x180E),
    (0x1AB0, 0x1AFF),
    (0x1DC0, 0x1DFF),
    (0x200B, 0x200F),
    (0x2010, 0x2015),
    (0x2028, 0x202E),
    (0x2060, 0x206F),
    (0x20D0, 0x20FF),
    (0x2212, 0x2212),
    (0x3164, 0x3164),
    (0xFE00, 0xFE0F),
    (0xFE20, 0xFE2F),
    (0xFE58, 0xFE58),
    (0xFE63, 0xFE63),
    (0xFEFF, 0xFEFF),
    (0xFF0D, 0xFF0D),
    (0xFFA0, 0xFFA0),
    (0xFFF9, 0xFFFB),
    (0xE0000, 0xE0FFF),
];

/// Whether `ch` is invisible, or a dash people take for a hyphen.
pub fn is_hidden(ch: char) -> bool {
    let c = ch as u32;
    ch.is_control() || RANGES.iter().any(|&(lo, hi)| (lo..=hi).contains(&c))
}

/// The first hidden character of `s` and its 1-based position.
pub fn first_hidden(s: &str) -> Option<(usize, char)> {
    s.chars().enumerate().find(|(_, c)| is_hidden(*c)).map(|(i, c)| (i + 1, c))
}

/// A character as messages show it: `'X'` for ASCII, the character itself
/// with its code point for other visible ones (`'€' (U+20AC)`), and code
/// point and name, never the raw character, for hidden ones.
pub fn describe(ch: char) -> String {
    let c = ch as u32;
    if ch.is_ascii_graphic() {
        format!("'{ch}'")
    } else if is_hidden(ch) || ch.is_whitespace() {
        match NAMES.iter().find(|(n, _)| *n == c) {
            Some((_, name)) => format!("U+{c:04X} {name}"),
            None => format!("U+{c:04X}"),
        }
    } else {
        format!("'{ch}' (U+{c:04X})")
    }
}

/// `s` with every hidden character written as `<U+XXXX>`, for text meant
/// for a terminal; borrowed when there is none.
pub fn visible(s: &str) -> Cow<'_, str> {
    if !s.chars().any(is_hidden) {
        return Cow::Borrowed(s);
    }
    Cow::Owned(
        s.chars()
            .map(|c| if is_hidden(c) { format!("<U+{:04X}>", c as u32) } else { c.to_string() })
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hidden_characters_are_named_never_printed() {
        for (ch, name) in [
            ('\u{200D}', "U+200D ZERO WIDTH JOINER"),
            ('\u{200C}', "U+200C ZERO WIDTH NON-JOINER"),
            ('\u{2060}', "U+2060 WORD JOINER"),
            ('\u{202E}', "U+202E RIGHT-TO-LEFT OVERRIDE"),
            ('\u{2013}', "U+2013 EN DASH"),
            ('\u{094D}', "U+094D DEVANAGARI SIGN VIRAMA"),
            ('\u{0301}', "U+0301"),
            ('\u{7}', "U+0007"),
        ] {
            assert!(is_hidden(ch), "{name}");
            assert_eq!(describe(ch), name);
        }
        assert_eq!(describe('€'), "'€' (U+20AC)");
        assert_eq!(describe('क'), "'क' (U+0915)");
        assert_eq!(describe('X'), "'X'");
        assert!(!is_hidden('क') && !is_hidden('€') && !is_hidden('A'));
        assert_eq!(visible("27\u{202E}AB"), "27<U+202E>AB");
        assert!(matches!(visible("27AB"), Cow::Borrowed(_)));
        assert_eq!(first_hidden("27A\u{200D}B"), Some((4, '\u{200D}')));
    }
}
