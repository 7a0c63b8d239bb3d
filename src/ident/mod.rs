//! Identifier rules: GSTIN and PAN, pure and allocation-free on the valid path.
//!
//! Every rule comes from SPEC.md. A value is first normalised (section 3),
//! then checked in the fixed order of section 4; the first failure decides
//! its [`ErrorCode`]. Suggestions (section 5) are computed only on request,
//! for invalid values.
//!
//! ```
//! use gstbatch::ident::{check, Kind, Options};
//! let v = check(" 27aapfu0939f1zv ", None, Options::default());
//! assert_eq!(v.kind, Some(Kind::Gstin));
//! assert_eq!(v.normalized, "27AAPFU0939F1ZV");
//! assert!(v.result.is_ok());
//!
//! let v = check("27AAPFU0939F1ZV", None, Options { strict: true, ..Options::default() });
//! assert!(v.result.is_ok());
//! ```

pub mod checksum;
mod error;
mod gstin;
pub mod hidden;
mod layout;
mod normalize;
mod pan;
pub mod state;

use std::borrow::Cow;
use std::fmt;

pub use error::{ErrorCode, IdError};
pub use gstin::{Gstin, RegistrationType};
pub use normalize::normalize;
pub use pan::{HolderType, Pan};

/// Which identifier a value is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Kind {
    /// A 15-character GSTIN.
    Gstin,
    /// A 10-character PAN.
    Pan,
}

impl Kind {
    /// `"gstin"` or `"pan"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Gstin => "gstin",
            Kind::Pan => "pan",
        }
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How strictly values are checked.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Options {
    /// Reject a value that needed normalising (`not_canonical`).
    pub strict: bool,
    /// Accept the retired state codes 25 and 28, for historical records.
    pub allow_retired: bool,
}

/// A valid identifier of either kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Id {
    /// A valid GSTIN.
    Gstin(Gstin),
    /// A valid PAN.
    Pan(Pan),
}

impl Id {
    /// The kind of identifier.
    pub fn kind(&self) -> Kind {
        match self {
            Id::Gstin(_) => Kind::Gstin,
            Id::Pan(_) => Kind::Pan,
        }
    }

    /// The GSTIN's registration type; `None` for a PAN.
    pub fn registration_type(&self) -> Option<RegistrationType> {
        match self {
            Id::Gstin(g) => Some(g.registration_type()),
            Id::Pan(_) => None,
        }
    }

    /// The GSTIN's state; `None` for a PAN.
    pub fn state(&self) -> Option<&'static state::State> {
        match self {
            Id::Gstin(g) => Some(g.state()),
            Id::Pan(_) => None,
        }
    }

    /// The PAN itself, or the PAN inside a GSTIN that holds one.
    pub fn pan(&self) -> Option<Pan> {
        match self {
            Id::Gstin(g) => g.pan(),
            Id::Pan(p) => Some(*p),
        }
    }

    /// The PAN holder type, where there is a PAN.
    pub fn holder_type(&self) -> Option<HolderType> {
        self.pan().map(|p| p.holder_type())
    }
}

/// The outcome of checking one value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verdict<'a> {
    /// The value after normalising; borrowed when nothing changed.
    pub normalized: Cow<'a, str>,
    /// The kind it was checked as; `None` when the kind was left to the
    /// value and its length fits neither.
    pub kind: Option<Kind>,
    /// The identifier, or the first rule it breaks.
    pub result: Result<Id, IdError>,
}

/// A verdict as the fields every report shows: the one mapping from a
/// [`Verdict`] to report columns, shared by `check` and `validate`. It
/// allocates only for an invalid value (its message and suggestion).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fields<'v> {
    /// Whether the value is valid.
    pub valid: bool,
    /// The error code of an invalid value.
    pub code: Option<ErrorCode>,
    /// What is wrong with an invalid value.
    pub message: Option<String>,
    /// The value after normalising (canonical when valid).
    pub normalized: &'v str,
    /// Whether normalising changed it.
    pub changed: bool,
    /// `gstin` or `pan`; `None` when the length fits neither.
    pub kind: Option<Kind>,
    /// A GSTIN's registration type.
    pub registration_type: Option<RegistrationType>,
    /// A GSTIN's state.
    pub state: Option<&'static state::State>,
    /// The PAN, or the PAN inside a GSTIN.
    pub pan: Option<Pan>,
    /// The PAN holder type.
    pub holder_type: Option<HolderType>,
    /// The one correction of SPEC.md section 5.
    pub suggestion: Option<String>,
}

impl Fields<'_> {
    /// `valid` or `invalid`.
    pub fn status(&self) -> &'static str {
        if self.valid { "valid" } else { "invalid" }
    }
}

impl Verdict<'_> {
    /// The verdict's report fields.
    pub fn fields(&self, opts: Options) -> Fields<'_> {
        let id = self.result.as_ref().ok();
        let err = self.result.as_ref().err();
        Fields {
            valid: id.is_some(),
            code: err.map(IdError::code),
            message: err.map(message),
            normalized: &self.normalized,
            changed: self.changed(),
            kind: self.kind,
            registration_type: id.and_then(Id::registration_type),
            state: id.and_then(Id::state),
            pan: id.and_then(Id::pan),
            holder_type: id.and_then(Id::holder_type),
            suggestion: self.suggestion(opts),
        }
    }

    /// Whether normalising changed the value.
    pub fn changed(&self) -> bool {
        matches!(self.normalized, Cow::Owned(_))
    }

    /// For an invalid value, the one correction a single look-alike or
    /// adjacent swap gives (SPEC.md section 5); `None` for valid values.
    pub fn suggestion(&self, opts: Options) -> Option<String> {
        if self.result.is_ok() {
            return None;
        }
        match self.kind? {
            Kind::Gstin => gstin::suggest(&self.normalized, opts),
            Kind::Pan => pan::suggest(&self.normalized, opts),
        }
    }
}

/// An error's message. Written into room for a typical message: `to_string`
/// starts empty and grows the text four times over.
fn message(e: &IdError) -> String {
    use fmt::Write as _;
    let mut text = String::with_capacity(128);
    let _ = write!(text, "{e}");
    text
}

/// Checks one value as `kind`, or, with `None`, as whichever kind its
/// normalised length says (10 characters: PAN; otherwise GSTIN).
pub fn check(input: &str, kind: Option<Kind>, opts: Options) -> Verdict<'_> {
    let normalized = normalize(input);
    let changed = matches!(normalized, Cow::Owned(_));
    let kind = kind.or_else(|| match normalized.chars().count() {
        10 => Some(Kind::Pan),
        15 => Some(Kind::Gstin),
        _ => None,
    });
    let result = match kind {
        Some(Kind::Gstin) => Gstin::from_normalized(&normalized, changed, opts).map(Id::Gstin),
        Some(Kind::Pan) => Pan::from_normalized(&normalized, changed, opts).map(Id::Pan),
        None => Err(undecided(&normalized, changed, opts)),
    };
    Verdict { normalized, kind, result }
}

/// Checks a cell's raw bytes as [`check`] does; bytes that are not UTF-8
/// text fail as `character` at the first bad byte, which the message shows
/// as `0xFF` (not as the U+FFFD a lossy decoding would put in its place).
pub fn check_bytes(input: &[u8], kind: Option<Kind>, opts: Options) -> Verdict<'_> {
    if let Some(v) = check_canonical(input, kind, opts) {
        return v;
    }
    match std::str::from_utf8(input) {
        Ok(text) => check(text, kind, opts),
        Err(e) => {
            let valid = &input[..e.valid_up_to()];
            let pos = String::from_utf8_lossy(valid).chars().count() + 1;
            Verdict {
                normalized: Cow::Owned(String::from_utf8_lossy(input).into_owned()),
                kind,
                result: Err(IdError::Byte { byte: input[e.valid_up_to()], pos }),
            }
        }
    }
}

/// [`check`] of the common case, a value already written canonically at
/// its kind's length: nothing to normalise and every character known good,
/// so the value is scanned once, not by `normalize`, the kind's length
/// count and `common_checks` in turn. `None` for any other value.
fn check_canonical(input: &[u8], kind: Option<Kind>, opts: Options) -> Option<Verdict<'_>> {
    let kind = match (kind, input.len()) {
        (Some(Kind::Gstin) | None, 15) => Kind::Gstin,
        (Some(Kind::Pan) | None, 10) => Kind::Pan,
        _ => return None,
    };
    let result = match kind {
        Kind::Gstin => Gstin::from_canonical(checksum::canonical(input)?, opts).map(Id::Gstin),
        Kind::Pan => Pan::from_canonical(checksum::canonical(input)?).map(Id::Pan),
    };
    let text = std::str::from_utf8(input).ok()?;
    Some(Verdict { normalized: Cow::Borrowed(text), kind: Some(kind), result })
}

/// Checks 1-2 of SPEC.md section 4, which do not depend on the kind:
/// `empty` and `not_canonical`.
fn leading_checks(norm: &str, changed: bool, opts: Options) -> Result<(), IdError> {
    if norm.is_empty() {
        return Err(IdError::Empty);
    }
    if opts.strict && changed {
        return Err(IdError::NotCanonical { normalized: norm.to_string() });
    }
    Ok(())
}

/// The error for a value whose kind was left to its length, which fits
/// neither kind.
fn undecided(norm: &str, changed: bool, opts: Options) -> IdError {
    match leading_checks(norm, changed, opts) {
        Err(e) => e,
        // As for a known kind: a hidden character is named, not counted.
        Ok(()) => match hidden::first_hidden(norm) {
            Some((pos, ch)) => IdError::Character { ch, pos },
            None => {
                let found = norm.chars().count();
                IdError::Length { kind: None, found, note: length_note(norm, found, None) }
            }
        },
    }
}

/// Checks 1-4 of SPEC.md section 4, shared by both kinds: `empty`,
/// `not_canonical`, `length` and `character`. On success the value is
/// exactly `N` ASCII digits and upper-case letters.
fn common_checks<const N: usize>(
    norm: &str,
    changed: bool,
    opts: Options,
    kind: Kind,
) -> Result<[u8; N], IdError> {
    leading_checks(norm, changed, opts)?;
    // Fast path: the right number of clean ASCII bytes.
    if let Some(bytes) = checksum::canonical(norm.as_bytes()) {
        return Ok(bytes);
    }
    let found = norm.chars().count();
    // An invisible character makes the count wrong in a way nobody can
    // see: name it instead (see `hidden`).
    if found != N
        && let Some((pos, ch)) = hidden::first_hidden(norm)
    {
        return Err(IdError::Character { ch, pos });
    }
    if found != N {
        let note = length_note(norm, found, Some(kind));
        return Err(IdError::Length { kind: Some(kind), found, note });
    }
    let (pos, ch) = norm
        .chars()
        .enumerate()
        .find(|(_, c)| !(c.is_ascii_digit() || c.is_ascii_uppercase()))
        .map_or((1, '\0'), |(i, c)| (i + 1, c));
    Err(IdError::Character { ch, pos })
}

/// What a value of the wrong length looks like instead, where that is clear.
fn length_note(norm: &str, found: usize, kind: Option<Kind>) -> Option<&'static str> {
    match (norm, found, kind) {
        ("URP", _, _) => {
            Some("URP is the placeholder for an unregistered person, not a GSTIN or PAN")
        }
        (_, 10, Some(Kind::Gstin)) => Some("looks like a PAN, not a GSTIN"),
        (_, 15, Some(Kind::Pan)) => Some("looks like a GSTIN, not a PAN"),
        _ => None,
    }
}

/// Look-alike pairs people confuse when typing or reading identifiers.
const LOOK_ALIKES: [(u8, u8); 6] =
    [(b'0', b'O'), (b'1', b'I'), (b'5', b'S'), (b'8', b'B'), (b'2', b'Z'), (b'6', b'G')];

fn look_alike(b: u8) -> Option<u8> {
    LOOK_ALIKES.iter().find_map(|&(x, y)| {
        if b == x {
            Some(y)
        } else if b == y {
            Some(x)
        } else {
            None
        }
    })
}

/// Tries every one-step variant of `bytes` (look-alike substitutions, and
/// adjacent swaps when `swaps`), and returns the valid one if exactly one
/// distinct variant is valid.
fn unique_candidate<const N: usize>(
    bytes: &[u8; N],
    swaps: bool,
    mut valid: impl FnMut(&[u8; N]) -> Option<String>,
) -> Option<String> {
    let mut found: Option<String> = None;
    let mut ambiguous = false;
    let mut consider = |cand: &[u8; N]| {
        if let Some(text) = valid(cand) {
            match &found {
                Some(prev) if *prev != text => ambiguous = true,
                Some(_) => {}
                None => found = Some(text),
            }
        }
    };
    for i in 0..N {
        if let Some(alt) = look_alike(bytes[i]) {
            let mut cand = *bytes;
            cand[i] = alt;
            consider(&cand);
        }
    }
    if swaps {
        for i in 0..N.saturating_sub(1) {
            if bytes[i] != bytes[i + 1] {
                let mut cand = *bytes;
                cand.swap(i, i + 1);
                consider(&cand);
            }
        }
    }
    if ambiguous { None } else { found }
}

#[cfg(test)]
mod props;
#[cfg(test)]
mod tests;
