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

/// What a code point adds at an even (doubled) position: `2v / 36 + 2v % 36`.
const DOUBLED: [u8; 36] = {
    let mut t = [0u8; 36];
    let mut v = 0;
    while v < 36 {
        let p = 2 * v;
        t[v] = (p / 36 + p % 36) as u8;
        v += 1;
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

/// The check character for a 14-character body of `0-9A-Z`.
///
/// ```
/// use gstbatch::ident::checksum::check_char;
/// assert_eq!(check_char(b"27AAPFU0939F1Z"), b'V');
/// ```
#[inline]
pub fn check_char(body: &[u8; 14]) -> u8 {
    let mut sum = 0u32;
    for pair in body.chunks_exact(2) {
        // Factor 1 adds the code point itself (below 36); factor 2 adds the
        // precomputed quotient plus remainder. `min` keeps a stray byte in
        // bounds instead of panicking; callers check characters first.
        sum += code_point(pair[0]).min(35);
        sum += DOUBLED[code_point(pair[1]).min(35) as usize] as u32;
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

    #[test]
    fn spec_1_3_worked_sum() {
        // 27AAPFU0939F1Z adds to 221 (SPEC.md 1.3); 221 % 36 = 5, 36 - 5 = 31 = V.
        let sum: u32 = b"27AAPFU0939F1Z"
            .iter()
            .enumerate()
            .map(|(i, &b)| {
                let p = code_point(b) * if i % 2 == 0 { 1 } else { 2 };
                p / 36 + p % 36
            })
            .sum();
        assert_eq!(sum, 221);
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
