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

/// The code point of an ASCII digit or upper-case letter.
///
/// Callers check the character first; anything else maps to a value that
/// never equals a valid code point's contribution, but is not meaningful.
#[inline]
pub const fn code_point(b: u8) -> u32 {
    if b.is_ascii_digit() { (b - b'0') as u32 } else { (b.wrapping_sub(b'A') as u32) + 10 }
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
    for (i, &b) in body.iter().enumerate() {
        let factor = if i % 2 == 0 { 1 } else { 2 };
        let p = code_point(b) * factor;
        sum += p / 36 + p % 36;
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
    fn doubling_is_a_permutation_so_every_substitution_is_caught() {
        let mut seen = [false; 36];
        for v in 0..36u32 {
            let p = v * 2;
            seen[(p / 36 + p % 36) as usize] = true;
        }
        assert!(seen.iter().all(|&s| s));
    }
}
