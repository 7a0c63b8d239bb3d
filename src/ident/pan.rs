//! PAN, the Permanent Account Number (SPEC.md section 2).
//!
//! | position | meaning |
//! |---|---|
//! | 1-3 | letters |
//! | 4 | holder type: `P` `C` `H` `F` `A` `T` `B` `L` `J` `G` |
//! | 5 | first letter of the surname or name (not checkable) |
//! | 6-9 | serial `0001`-`9999` |
//! | 10 | check letter |
//!
//! The 10th character's algorithm is **not published** (python-stdnum calls
//! it undocumented), so gstbatch checks only that it is a letter and never
//! claims a PAN checksum. `E` and `K` are not in the Income Tax Department's
//! list of holder types, so they are rejected. A TAN (`AAAA99999A`) is named
//! as such in the error message.
//!
//! ```
//! use gstbatch::ident::{Pan, HolderType};
//! let pan: Pan = "aapfu0939f".parse().unwrap();
//! assert_eq!(pan.to_string(), "AAPFU0939F");
//! assert_eq!(pan.holder_type(), HolderType::Firm);
//!
//! let err = "AAPEU0939F".parse::<Pan>().unwrap_err();
//! assert_eq!(err.code().as_str(), "pan_holder_type");
//! ```

use std::borrow::Cow;
use std::fmt;
use std::str::FromStr;

use super::layout::{self, D, L, Slot};
use super::{IdError, Kind, Options, common_checks, normalize};

/// PAN layout: 5 letters, 4 digits, 1 letter.
pub(crate) const PAN_SLOTS: [Slot; 10] = [L, L, L, L, L, D, D, D, D, L];
/// TAN layout: 4 letters, 5 digits, 1 letter.
pub(crate) const TAN_SLOTS: [Slot; 10] = [L, L, L, L, D, D, D, D, D, L];

/// The kind of holder a PAN belongs to, from its 4th character.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum HolderType {
    /// `P`: individual.
    Individual,
    /// `C`: company.
    Company,
    /// `H`: Hindu undivided family.
    Huf,
    /// `F`: firm, including LLP.
    Firm,
    /// `A`: association of persons.
    Aop,
    /// `T`: trust.
    Trust,
    /// `B`: body of individuals.
    Boi,
    /// `L`: local authority.
    LocalAuthority,
    /// `J`: artificial juridical person.
    ArtificialJuridicalPerson,
    /// `G`: government.
    Government,
}

impl HolderType {
    /// The holder type for a PAN's 4th character.
    pub fn from_letter(b: u8) -> Option<HolderType> {
        Some(match b {
            b'P' => HolderType::Individual,
            b'C' => HolderType::Company,
            b'H' => HolderType::Huf,
            b'F' => HolderType::Firm,
            b'A' => HolderType::Aop,
            b'T' => HolderType::Trust,
            b'B' => HolderType::Boi,
            b'L' => HolderType::LocalAuthority,
            b'J' => HolderType::ArtificialJuridicalPerson,
            b'G' => HolderType::Government,
            _ => return None,
        })
    }

    /// The stable snake_case name written to reports.
    pub fn as_str(self) -> &'static str {
        match self {
            HolderType::Individual => "individual",
            HolderType::Company => "company",
            HolderType::Huf => "huf",
            HolderType::Firm => "firm",
            HolderType::Aop => "association_of_persons",
            HolderType::Trust => "trust",
            HolderType::Boi => "body_of_individuals",
            HolderType::LocalAuthority => "local_authority",
            HolderType::ArtificialJuridicalPerson => "artificial_juridical_person",
            HolderType::Government => "government",
        }
    }
}

impl fmt::Display for HolderType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A valid PAN.
///
/// Invariant: ten ASCII bytes in the PAN layout, with a holder type from
/// SPEC.md section 2 and a serial other than `0000`. The only ways to get
/// one are parsing and taking it out of a valid [`Gstin`](super::Gstin).
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Pan([u8; 10]);

impl Pan {
    /// Parses `input`, normalising it first unless `opts.strict` rejects that.
    ///
    /// # Errors
    /// The first failing rule of SPEC.md section 4, as an [`IdError`].
    pub fn parse_with(input: &str, opts: Options) -> Result<Pan, IdError> {
        let norm = normalize(input);
        let changed = matches!(norm, Cow::Owned(_));
        Pan::from_normalized(&norm, changed, opts)
    }

    /// Checks an already normalised value; `changed` says whether
    /// normalising changed it.
    pub(crate) fn from_normalized(
        norm: &str,
        changed: bool,
        opts: Options,
    ) -> Result<Pan, IdError> {
        let bytes: [u8; 10] = common_checks(norm, changed, opts, Kind::Pan)?;
        Pan::from_canonical(bytes)
    }

    /// Checks ten digits and upper-case letters against the rules after the
    /// character check (SPEC.md section 4).
    pub(crate) fn from_canonical(bytes: [u8; 10]) -> Result<Pan, IdError> {
        check_shape(&bytes)?;
        check_body(&bytes, 0)?;
        Ok(Pan(bytes))
    }

    /// Builds a PAN from ten bytes already known to pass [`check_body`] and
    /// the PAN layout.
    pub(crate) fn from_checked(bytes: [u8; 10]) -> Pan {
        Pan(bytes)
    }

    /// The canonical text, e.g. `AAPFU0939F`.
    pub fn as_str(&self) -> &str {
        // The invariant makes every byte ASCII.
        std::str::from_utf8(&self.0).unwrap_or_default()
    }

    /// The canonical text as bytes, with no UTF-8 check to pay for.
    pub fn as_bytes(&self) -> &[u8; 10] {
        &self.0
    }

    /// A number that identifies this PAN exactly, for compact duplicate
    /// tracking; its top bit is set, so it never equals a
    /// [`Gstin::compact`](super::Gstin::compact).
    pub fn compact(&self) -> u64 {
        layout::pack(0, &PAN_SLOTS, &self.0) | 1 << 63
    }

    /// The holder type (4th character).
    pub fn holder_type(&self) -> HolderType {
        HolderType::from_letter(self.0[3]).unwrap_or(HolderType::Individual)
    }
}

/// Checks the PAN layout; a TAN-shaped value gets a note saying so.
fn check_shape(bytes: &[u8; 10]) -> Result<(), IdError> {
    if layout::fits(&PAN_SLOTS, bytes) {
        return Ok(());
    }
    let fit = layout::fit(&PAN_SLOTS, bytes);
    let i = fit.first_break.unwrap_or(0);
    let note = layout::fits(&TAN_SLOTS, bytes)
        .then_some("looks like a TAN (4 letters, 5 digits, 1 letter), not a PAN");
    Err(IdError::Format {
        kind: Kind::Pan,
        layout: "PAN (5 letters, 4 digits, 1 letter)",
        pos: i + 1,
        expected: PAN_SLOTS[i].describe(),
        found: bytes[i] as char,
        note,
    })
}

/// Holder type and serial of PAN-shaped bytes; `offset` is how many
/// characters precede them (2 inside a GSTIN), for the positions in messages.
pub(crate) fn check_body(bytes: &[u8], offset: usize) -> Result<(), IdError> {
    if HolderType::from_letter(bytes[3]).is_none() {
        return Err(IdError::PanHolderType { pos: offset + 4, found: bytes[3] as char });
    }
    if &bytes[5..9] == b"0000" {
        return Err(IdError::PanSerial { pos: offset + 6 });
    }
    Ok(())
}

/// The one PAN a single look-alike substitution turns a layout failure into,
/// if exactly one does (SPEC.md section 5).
pub(crate) fn suggest(norm: &str, opts: Options) -> Option<String> {
    let bytes: [u8; 10] = super::checksum::canonical(norm.as_bytes())?;
    if !matches!(check_shape(&bytes), Err(IdError::Format { .. })) {
        return None;
    }
    super::unique_candidate(&bytes, false, |cand| {
        let text = std::str::from_utf8(cand).ok()?;
        Pan::from_normalized(text, false, opts).ok().map(|p| p.to_string())
    })
}

impl FromStr for Pan {
    type Err = IdError;

    /// Parses with the default [`Options`]: normalising, no strict mode.
    fn from_str(s: &str) -> Result<Pan, IdError> {
        Pan::parse_with(s, Options::default())
    }
}

impl TryFrom<&str> for Pan {
    type Error = IdError;

    fn try_from(s: &str) -> Result<Pan, IdError> {
        s.parse()
    }
}

impl fmt::Display for Pan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for Pan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Pan({})", self.as_str())
    }
}

impl serde::Serialize for Pan {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> serde::Deserialize<'de> for Pan {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Pan, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}
