//! GSTIN, the GST identification number (SPEC.md section 1).
//!
//! | position | regular GSTIN |
//! |---|---|
//! | 1-2 | state or UT code (section 1.2) |
//! | 3-12 | the holder's PAN |
//! | 13 | entity number for that PAN in that state: `1`-`9`, then `A`-`Z` |
//! | 14 | `Z` by default |
//! | 15 | check character, Luhn mod 36 (section 1.3) |
//!
//! The special registration types keep the state code and check character
//! but change characters 3-14; they are tested in SPEC.md's order (OIDAR,
//! NRTP, UIN, government department, TDS, TCS, regular) and the first that
//! fits decides the type. A valid check character does not prove that a
//! registration exists or is active: only the GST portal knows that.
//!
//! *Decision:* code 99 (Centre Jurisdiction) is accepted only with the OIDAR
//! layout, since SPEC.md lists it as the OIDAR prefix.
//!
//! ```
//! use gstbatch::ident::{Gstin, RegistrationType};
//! let g: Gstin = "27AAPFU0939F1ZV".parse().unwrap();
//! assert_eq!(g.registration_type(), RegistrationType::Regular);
//! assert_eq!(g.state().name, "Maharashtra");
//! assert_eq!(g.pan().unwrap().to_string(), "AAPFU0939F");
//!
//! let err = "27AAPFU0939F1ZX".parse::<Gstin>().unwrap_err();
//! assert_eq!(err.code().as_str(), "checksum");
//! ```

use std::borrow::Cow;
use std::fmt;
use std::str::FromStr;

use super::checksum::check_char;
use super::layout::{self, D, L, Slot, X};
use super::pan::{self, HolderType, Pan};
use super::state::{self, State};
use super::{IdError, Kind, Options, common_checks, normalize};

/// The kind of registration a GSTIN belongs to (SPEC.md section 1.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum RegistrationType {
    /// Non-resident online services (OIDAR), prefix `99`.
    Oidar,
    /// Non-resident taxable person.
    Nrtp,
    /// UN bodies, embassies and other notified persons.
    Uin,
    /// Government department ID.
    Govt,
    /// Tax deductor, TAN- or PAN-based.
    Tds,
    /// Tax collector (e-commerce operator).
    Tcs,
    /// Normal, composition, casual, SEZ and ISD registrations.
    Regular,
}

impl RegistrationType {
    /// Every type, in SPEC.md's test order.
    pub const ALL: [RegistrationType; 7] = [
        RegistrationType::Oidar,
        RegistrationType::Nrtp,
        RegistrationType::Uin,
        RegistrationType::Govt,
        RegistrationType::Tds,
        RegistrationType::Tcs,
        RegistrationType::Regular,
    ];

    /// The stable name written to reports.
    pub fn as_str(self) -> &'static str {
        match self {
            RegistrationType::Oidar => "oidar",
            RegistrationType::Nrtp => "nrtp",
            RegistrationType::Uin => "uin",
            RegistrationType::Govt => "govt",
            RegistrationType::Tds => "tds",
            RegistrationType::Tcs => "tcs",
            RegistrationType::Regular => "regular",
        }
    }
}

impl fmt::Display for RegistrationType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What characters 3-12 hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
enum Base {
    Pan,
    Tan,
    Other,
}

/// One layout of characters 3-15 (the 15th is the check character, which
/// only a government department ID constrains).
struct Layout {
    reg: RegistrationType,
    base: Base,
    name: &'static str,
    slots: [Slot; 13],
}

const O: Slot = Slot::one_of(b"O", "'O'");
const S: Slot = Slot::one_of(b"S", "'S'");
const N: Slot = Slot::one_of(b"N", "'N'");
const R: Slot = Slot::one_of(b"R", "'R'");
const Z: Slot = Slot::one_of(b"Z", "'Z'");
const UO: Slot = Slot::one_of(b"UO", "'U' or 'O'");
const TDS: Slot = Slot::one_of(b"D", "'D'");
const TCS: Slot = Slot::one_of(b"C", "'C'");
/// GSTN's pattern for a regular 14th character: `Z`, `1`-`9`, `A`, `B`, `E`-`J`.
const REG14: Slot = Slot::one_of(b"Z123456789ABEFGHIJ", "'Z' (or 1-9, A, B, E-J)");

const OIDAR: Layout = Layout {
    reg: RegistrationType::Oidar,
    base: Base::Other,
    name: "oidar (99, year, country, 5 digits, OS)",
    slots: [D, D, L, L, L, D, D, D, D, D, O, S, X],
};

/// Every layout but OIDAR's, in SPEC.md's test order.
const STATE_LAYOUTS: [Layout; 7] = [
    Layout {
        reg: RegistrationType::Nrtp,
        base: Base::Other,
        name: "nrtp (state, year, country, 5 digits, NR)",
        slots: [D, D, L, L, L, D, D, D, D, D, N, R, X],
    },
    Layout {
        reg: RegistrationType::Uin,
        base: Base::Other,
        name: "uin (state, year, country, 5 digits, UN or ON)",
        slots: [D, D, L, L, L, D, D, D, D, D, UO, N, X],
    },
    Layout {
        reg: RegistrationType::Govt,
        base: Base::Other,
        name: "govt (state, 4 letters, 5 digits, letter, digit, Z, digit)",
        slots: [L, L, L, L, D, D, D, D, D, L, D, Z, D],
    },
    Layout {
        reg: RegistrationType::Tds,
        base: Base::Tan,
        name: "tds (state, TAN, entity number, D)",
        slots: [L, L, L, L, D, D, D, D, D, L, X, TDS, X],
    },
    Layout {
        reg: RegistrationType::Tds,
        base: Base::Pan,
        name: "tds (state, PAN, entity number, D)",
        slots: [L, L, L, L, L, D, D, D, D, L, X, TDS, X],
    },
    Layout {
        reg: RegistrationType::Tcs,
        base: Base::Pan,
        name: "tcs (state, PAN, entity number, C)",
        slots: [L, L, L, L, L, D, D, D, D, L, X, TCS, X],
    },
    Layout {
        reg: RegistrationType::Regular,
        base: Base::Pan,
        name: "regular (state, PAN, entity number, Z)",
        slots: [L, L, L, L, L, D, D, D, D, L, X, REG14, X],
    },
];

/// A valid GSTIN.
///
/// Invariant: 15 ASCII bytes that pass every rule of SPEC.md section 1 under
/// the options it was parsed with. Obtained only by parsing.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Gstin {
    bytes: [u8; 15],
    reg: RegistrationType,
    base: Base,
    /// Which layout it fits, as [`candidate_index`] numbers them; kept for
    /// [`Gstin::compact`], which runs for every valid row of a batch.
    layout: u8,
}

impl Gstin {
    /// Parses `input`, normalising it first unless `opts.strict` rejects that.
    ///
    /// # Errors
    /// The first failing rule of SPEC.md section 4, as an [`IdError`].
    pub fn parse_with(input: &str, opts: Options) -> Result<Gstin, IdError> {
        let norm = normalize(input);
        let changed = matches!(norm, Cow::Owned(_));
        Gstin::from_normalized(&norm, changed, opts)
    }

    /// Checks an already normalised value; `changed` says whether
    /// normalising changed it.
    pub(crate) fn from_normalized(
        norm: &str,
        changed: bool,
        opts: Options,
    ) -> Result<Gstin, IdError> {
        let b: [u8; 15] = common_checks(norm, changed, opts, Kind::Gstin)?;
        Gstin::from_canonical(b, opts)
    }

    /// Checks fifteen digits and upper-case letters against the rules after
    /// the character check (SPEC.md section 4, from `state_code` on).
    pub(crate) fn from_canonical(b: [u8; 15], opts: Options) -> Result<Gstin, IdError> {
        let Some(state) = state::by_digits([b[0], b[1]]) else {
            let code = b[..2].iter().map(|&c| char::from(c)).collect();
            return Err(IdError::StateCode { code });
        };
        if let state::StateStatus::Retired(note) = state.status
            && !opts.allow_retired
        {
            return Err(IdError::StateRetired { code: state.code, note });
        }
        let body = &b[2..];
        let (index, found) = candidate(state.code, &b);
        if !layout::fits(&found.slots, body) {
            return Err(diagnose_format(&b, state.code == 99));
        }
        if found.base == Base::Pan {
            pan::check_body(&b[2..12], 2)?;
        }
        if found.base != Base::Other && b[12] == b'0' {
            return Err(IdError::EntityNumber);
        }
        let expected = check_char(b.first_chunk::<14>().unwrap_or(&[b'0'; 14]));
        if expected != b[14] {
            return Err(IdError::Checksum { expected: expected as char, found: b[14] as char });
        }
        Ok(Gstin { bytes: b, reg: found.reg, base: found.base, layout: index as u8 })
    }

    /// The canonical text, e.g. `27AAPFU0939F1ZV`.
    pub fn as_str(&self) -> &str {
        // The invariant makes every byte ASCII.
        std::str::from_utf8(&self.bytes).unwrap_or_default()
    }

    /// The state or UT of registration.
    pub fn state(&self) -> &'static State {
        // The invariant guarantees a known code; Centre Jurisdiction is a
        // harmless stand-in that cannot be reached.
        state::by_digits([self.bytes[0], self.bytes[1]]).unwrap_or(&state::STATES[39])
    }

    /// The two-digit state code, e.g. `"27"`.
    pub fn state_code(&self) -> &str {
        &self.as_str()[..2]
    }

    /// The registration type.
    pub fn registration_type(&self) -> RegistrationType {
        self.reg
    }

    /// Characters 3-12: the PAN, TAN or other base identifier.
    pub fn base_id(&self) -> &str {
        &self.as_str()[2..12]
    }

    /// The holder's PAN, for regular, TCS and PAN-based TDS registrations.
    pub fn pan(&self) -> Option<Pan> {
        if self.base != Base::Pan {
            return None;
        }
        let mut p = [0u8; 10];
        p.copy_from_slice(&self.bytes[2..12]);
        Some(Pan::from_checked(p))
    }

    /// The deductor's TAN, for TAN-based TDS registrations.
    pub fn tan(&self) -> Option<&str> {
        (self.base == Base::Tan).then(|| self.base_id())
    }

    /// The PAN holder type, where the GSTIN holds a PAN.
    pub fn holder_type(&self) -> Option<HolderType> {
        self.pan().map(|p| p.holder_type())
    }

    /// The entity number (13th character), for PAN- and TAN-based layouts.
    pub fn entity_number(&self) -> Option<char> {
        (self.base != Base::Other).then_some(self.bytes[12] as char)
    }

    /// A number that identifies this GSTIN exactly, for compact duplicate
    /// tracking: distinct GSTINs get distinct numbers, all below 2^63.
    ///
    /// The check character is left out (the other fourteen decide it), and
    /// each position is a digit in the radix of what its layout allows there.
    pub fn compact(&self) -> u64 {
        // The invariant makes the first two bytes the state code's digits.
        let [tens, ones] = [self.bytes[0], self.bytes[1]].map(|d| u64::from(d.wrapping_sub(b'0')));
        let i = usize::from(self.layout);
        let layout = STATE_LAYOUTS.get(i).unwrap_or(&OIDAR);
        layout::pack(tens * 10 + ones, &layout.slots[..12], &self.bytes[2..14]) * 8 + i as u64
    }

    /// The check character (15th).
    pub fn check_char(&self) -> char {
        self.bytes[14] as char
    }
}

/// The only layout that can fit: the layouts are pairwise disjoint (a
/// test checks this), told apart by the 14th character and, where that is
/// `Z` or `D`, by whether the 7th is a digit. So trying this one is the
/// same as trying them all in SPEC.md's order, at a fraction of the cost.
#[inline]
fn candidate(state: u8, b: &[u8; 15]) -> (usize, &'static Layout) {
    let i = candidate_index(state, b);
    (i, STATE_LAYOUTS.get(i).unwrap_or(&OIDAR))
}

/// [`candidate`]'s index: 0-6 into `STATE_LAYOUTS`, 7 for OIDAR. The
/// tables are constants, which have no single address, so a layout is
/// named by its index, never by a pointer.
#[inline]
fn candidate_index(state: u8, b: &[u8; 15]) -> usize {
    if state == 99 {
        return STATE_LAYOUTS.len();
    }
    let seventh_digit = b[6].is_ascii_digit();
    match b[13] {
        b'R' => 0,
        b'N' => 1,
        b'Z' if seventh_digit => 2,
        b'D' if seventh_digit => 3,
        b'D' => 4,
        b'C' => 5,
        _ => 6,
    }
}

/// Builds the `format` error: the nearest layout and where it breaks.
fn diagnose_format(b: &[u8; 15], is_99: bool) -> IdError {
    let body = &b[2..];
    // Ties go to the most common registrations, hence the reversed order.
    let candidates: Vec<&Layout> =
        if is_99 { vec![&OIDAR] } else { STATE_LAYOUTS.iter().rev().collect() };
    let (nearest, fit) = candidates
        .iter()
        .map(|l| (*l, layout::fit(&l.slots, body)))
        .min_by_key(|(_, fit)| fit.breaks)
        .unwrap_or((&OIDAR, layout::fit(&OIDAR.slots, body)));
    let i = fit.first_break.unwrap_or(0);
    let note = if &b[12..] == b"TMP" {
        Some("looks like a temporary ID (ending TMP), not a GSTIN")
    } else if is_99 {
        Some("99 (Centre Jurisdiction) is used only by OIDAR registrations")
    } else if layout::fits(&OIDAR.slots, body) {
        Some("an OIDAR GSTIN starts with 99")
    } else {
        None
    };
    IdError::Format {
        kind: Kind::Gstin,
        layout: nearest.name,
        pos: i + 3,
        expected: nearest.slots[i].describe(),
        found: body[i] as char,
        note,
    }
}

/// The one valid GSTIN a single look-alike substitution or adjacent swap
/// gives, if exactly one does (SPEC.md section 5). Never a recomputed check
/// character: that would hide the real typo.
pub(crate) fn suggest(norm: &str, opts: Options) -> Option<String> {
    let bytes: [u8; 15] = super::checksum::canonical(norm.as_bytes())?;
    let opts = Options { strict: false, ..opts };
    super::unique_candidate(&bytes, true, |cand| {
        // Only about one variant in 36 has a matching check character:
        // test that first and parse only those.
        if cand.first_chunk::<14>().map(check_char) != Some(cand[14]) {
            return None;
        }
        let text = std::str::from_utf8(cand).ok()?;
        Gstin::from_normalized(text, false, opts).ok().map(|g| g.to_string())
    })
}

impl FromStr for Gstin {
    type Err = IdError;

    /// Parses with the default [`Options`]: normalising, retired codes rejected.
    fn from_str(s: &str) -> Result<Gstin, IdError> {
        Gstin::parse_with(s, Options::default())
    }
}

impl TryFrom<&str> for Gstin {
    type Error = IdError;

    fn try_from(s: &str) -> Result<Gstin, IdError> {
        s.parse()
    }
}

impl fmt::Display for Gstin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for Gstin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Gstin({})", self.as_str())
    }
}

impl serde::Serialize for Gstin {
    fn serialize<Ser: serde::Serializer>(&self, s: Ser) -> Result<Ser::Ok, Ser::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> serde::Deserialize<'de> for Gstin {
    fn deserialize<De: serde::Deserializer<'de>>(d: De) -> Result<Gstin, De::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use crate::ident::checksum;

    use super::*;

    /// The ordered search SPEC.md describes, which `candidate` replaces.
    fn ordered(state: u8, body: &[u8]) -> Option<&'static Layout> {
        if state == 99 {
            return layout::fits(&OIDAR.slots, body).then_some(&OIDAR);
        }
        STATE_LAYOUTS.iter().find(|l| layout::fits(&l.slots, body))
    }

    #[test]
    fn spec_1_1_layouts_are_pairwise_disjoint() {
        // Two layouts overlap when every position accepts a common character;
        // one position with disjoint sets keeps them apart.
        let all: Vec<&Layout> = STATE_LAYOUTS.iter().chain([&OIDAR]).collect();
        for (i, a) in all.iter().enumerate() {
            for b in &all[i + 1..] {
                let apart = a.slots.iter().zip(&b.slots).any(|(x, y)| {
                    (0u8..36).all(|cp| {
                        let ch = checksum::ALPHABET[cp as usize];
                        !(layout::fits(&[*x], &[ch]) && layout::fits(&[*y], &[ch]))
                    })
                });
                assert!(apart, "{} and {} overlap", a.name, b.name);
            }
        }
    }

    proptest! {
        #[test]
        fn prop_candidate_equals_ordered_search(s in "[0-9A-Z]{15}", state in prop::sample::select(vec![7u8, 27, 99])) {
            let b: [u8; 15] = s.as_bytes().try_into().unwrap();
            let fast = Some(candidate(state, &b).1).filter(|l| layout::fits(&l.slots, &b[2..]));
            let slow = ordered(state, &b[2..]);
            prop_assert_eq!(fast.map(|l| l.name), slow.map(|l| l.name));
        }

        #[test]
        fn prop_candidate_equals_ordered_search_near_layouts(idx in 0..8usize, seed in "[0-9A-Z]{13}", state in prop::sample::select(vec![7u8, 99])) {
            // Random strings rarely fit a layout; start from one that does.
            let l = STATE_LAYOUTS.iter().chain([&OIDAR]).nth(idx).unwrap();
            let mut b = [b'0'; 15];
            for (i, (slot, &c)) in l.slots.iter().zip(seed.as_bytes()).enumerate() {
                b[i + 2] = if layout::fits(&[*slot], &[c]) {
                    c
                } else {
                    *checksum::ALPHABET.iter().find(|&&ch| layout::fits(&[*slot], &[ch])).unwrap()
                };
            }
            let fast = Some(candidate(state, &b).1).filter(|l| layout::fits(&l.slots, &b[2..]));
            let slow = ordered(state, &b[2..]);
            prop_assert_eq!(fast.map(|l| l.name), slow.map(|l| l.name));
        }
    }
}
