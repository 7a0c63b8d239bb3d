//! The GSTIN check character: Luhn mod 36 over `0-9A-Z` (SPEC.md section 1.3).
//!
//! Each of the first 14 characters maps to its code point (`0`-`9` are 0-9,
//! `A`-`Z` are 10-35). From the left, factors alternate 1, 2, 1, 2, ...; each
//! product `p` adds `p / 36 + p % 36`; the check code point is
//! `(36 - sum % 36) % 36`.
//!
//! Doubling modulo 35 (with 35 kept) is a permutation of 0-35, so every
//! single-character substitution changes the check character. The only
//! adjacent swap it misses is `0`/`Z`, which the GSTIN layout catches.

/// The alphabet, indexed by code point.
pub const ALPHABET: &[u8; 36] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";

/// Code point of every byte: 0-35 for `0-9A-Z`, 255 for anything else.
/// One table load replaces the range tests on every hot path.
const CODE: [u8; 256] = {
    let mut t = [255u8; 256];
    let mut i = 0;
    while i < 36 {
        t[ALPHABET[i] as usize] = i as u8;
        i += 1;
    }
    t
};

/// What each byte adds at an odd (factor 1) position: its code point. A
/// stray byte counts as 35 instead of panicking; callers check characters
/// first.
const PLAIN: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut b = 0;
    while b < 256 {
        t[b] = if CODE[b] < 36 { CODE[b] } else { 35 };
        b += 1;
    }
    t
};

/// What each byte adds at an even (doubled) position: `2v / 36 + 2v % 36`
/// of its code point `v`.
const DOUBLED: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut b = 0;
    while b < 256 {
        let p = 2 * PLAIN[b] as u32;
        t[b] = (p / 36 + p % 36) as u8;
        b += 1;
    }
    t
};

/// The code point of a digit (0-9) or upper-case ASCII letter (10-35);
/// 255 for any other byte.
#[inline]
pub const fn code_point(b: u8) -> u32 {
    CODE[b as usize] as u32
}

/// Whether `b` is in the alphabet (`0-9A-Z`).
#[inline]
pub const fn is_canonical(b: u8) -> bool {
    CODE[b as usize] < 36
}

/// `bytes` as `N` characters of the alphabet, if it is exactly that: the
/// shape every rule after the character check works on.
#[inline]
pub(crate) fn canonical<const N: usize>(bytes: &[u8]) -> Option<[u8; N]> {
    // Scanned as a slice, then copied: scanning the copy measured slower.
    if bytes.len() != N || !bytes.iter().all(|&b| is_canonical(b)) {
        return None;
    }
    bytes.try_into().ok()
}

/// The check character for a 14-character body of `0-9A-Z`.
///
/// ```
/// use gstbatch::ident::checksum::check_char;
/// assert_eq!(check_char(b"27AAPFU0939F1Z"), b'V');
/// ```
#[inline]
pub fn check_char(body: &[u8; 14]) -> u8 {
    let mut sum = 0u32;
    // One table load a character, the factor folded into the table.
    for pair in body.chunks_exact(2) {
        sum += u32::from(PLAIN[pair[0] as usize]) + u32::from(DOUBLED[pair[1] as usize]);
    }
    ALPHABET[((36 - sum % 36) % 36) as usize]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spec_1_3_worked_examples() {
        assert_eq!(check_char(b"27AAPFU0939F1Z"), b'V');
        assert_eq!(check_char(b"06DELI09652G1D"), b'A');
        assert_eq!(check_char(b"9917SGP29001OS"), b'T');
        assert_eq!(check_char(b"0717UNO00157UN"), b'O');
    }

    /// SPEC.md 1.3's sum computed the long way, for comparison.
    fn formula_sum(body: &[u8; 14]) -> u32 {
        body.iter()
            .enumerate()
            .map(|(i, &b)| {
                let p = code_point(b) * if i % 2 == 0 { 1 } else { 2 };
                p / 36 + p % 36
            })
            .sum()
    }

    /// SPEC.md 1.3's check character computed the long way.
    fn by_the_formula(body: &[u8; 14]) -> u8 {
        ALPHABET[((36 - formula_sum(body) % 36) % 36) as usize]
    }

    #[test]
    fn spec_1_3_worked_sum() {
        // 27AAPFU0939F1Z adds to 221 (SPEC.md 1.3); 221 % 36 = 5, 36 - 5 = 31 = V.
        assert_eq!(formula_sum(b"27AAPFU0939F1Z"), 221);
    }

    #[test]
    fn code_points_cover_the_alphabet_in_order() {
        for (i, &b) in ALPHABET.iter().enumerate() {
            assert_eq!(code_point(b), i as u32);
        }
    }

    #[test]
    fn other_bytes_are_not_code_points() {
        for b in 0..=255u8 {
            assert_eq!(is_canonical(b), b.is_ascii_digit() || b.is_ascii_uppercase(), "{b}");
        }
    }

    proptest::proptest! {
        #[test]
        fn prop_the_tables_agree_with_the_formula(body in "[0-9A-Z]{14}") {
            let body: [u8; 14] = body.as_bytes().try_into().unwrap();
            proptest::prop_assert_eq!(check_char(&body), by_the_formula(&body));
        }
    }

    #[test]
    fn every_character_at_every_position_agrees_with_the_formula() {
        for pos in 0..14 {
            for &b in ALPHABET {
                let mut body = *b"27AAPFU0939F1Z";
                body[pos] = b;
                assert_eq!(check_char(&body), by_the_formula(&body), "{pos} {}", b as char);
            }
        }
        // A stray byte gives some character instead of a panic.
        assert!(ALPHABET.contains(&check_char(b"27aapfu0939f1\xff")));
    }

    #[test]
    fn doubling_is_a_permutation_so_every_substitution_is_caught() {
        let mut seen = [false; 36];
        for v in 0..36u32 {
            let p = v * 2;
            seen[(p / 36 + p % 36) as usize] = true;
        }
        assert!(seen.iter().all(|&s| s));
    }
}
