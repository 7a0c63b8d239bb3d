//! The result columns appended to every report row: what they are, in
//! which order, and each one's value.

use crate::batch::report::unique_name;
use crate::ident;
use crate::input::scan::Quoting;

use super::row::{self, RowCheck};

/// The appended result columns, in report order. Adding a column means a
/// variant here, its name in [`Col::name`], its value in `value` and its
/// place in `ValidRow::write`, the short way for valid rows (a test fails
/// until the two agree); nothing else lists them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Col {
    /// The spreadsheet row (filled in by the writer).
    Row,
    /// `valid` or `invalid`.
    Status,
    /// The error code.
    Code,
    /// The error message.
    Message,
    /// The normalised value.
    Normalized,
    /// Whether normalising changed it.
    Changed,
    /// `gstin` or `pan`.
    Kind,
    /// A GSTIN's registration type.
    RegistrationType,
    /// A GSTIN's state code.
    StateCode,
    /// A GSTIN's state name.
    StateName,
    /// The PAN, or the PAN inside a GSTIN.
    Pan,
    /// The PAN holder type.
    HolderType,
    /// The suggested correction.
    Suggestion,
    /// The first earlier row with the same value (filled in by the writer).
    DuplicateOf,
}

impl Col {
    /// Every column, in report order. The writer's two holes, `Row` and
    /// `DuplicateOf`, must stay in this order.
    pub const ALL: [Col; 14] = [
        Col::Row,
        Col::Status,
        Col::Code,
        Col::Message,
        Col::Normalized,
        Col::Changed,
        Col::Kind,
        Col::RegistrationType,
        Col::StateCode,
        Col::StateName,
        Col::Pan,
        Col::HolderType,
        Col::Suggestion,
        Col::DuplicateOf,
    ];

    /// The column's name, before the `gstbatch_` prefix.
    pub fn name(self) -> &'static str {
        match self {
            Col::Row => "row",
            Col::Status => "status",
            Col::Code => "code",
            Col::Message => "message",
            Col::Normalized => "normalized",
            Col::Changed => "changed",
            Col::Kind => "kind",
            Col::RegistrationType => "registration_type",
            Col::StateCode => "state_code",
            Col::StateName => "state_name",
            Col::Pan => "pan",
            Col::HolderType => "holder_type",
            Col::Suggestion => "suggestion",
            Col::DuplicateOf => "duplicate_of",
        }
    }
}

/// The appended column names, indexed like [`Col::ALL`]: `gstbatch_` plus
/// the column's name, with `_2`, `_3`, ... added where an input header
/// already has that name (compared without regard to case).
pub fn result_names(headers: &[Vec<u8>]) -> Vec<String> {
    let taken = |name: &str| headers.iter().any(|h| h.eq_ignore_ascii_case(name.as_bytes()));
    Col::ALL.iter().map(|col| unique_name(&format!("gstbatch_{}", col.name()), taken)).collect()
}

/// The value of a result column; the writer fills `Row` and
/// `DuplicateOf`.
pub(super) fn value<'c>(
    col: Col,
    check: &RowCheck<'_>,
    f: &'c ident::Fields<'_>,
) -> ResultValue<'c> {
    use ResultValue::{Null, Str};
    let or_null = |s: Option<&'static str>| s.map_or(Null, Str);
    match col {
        Col::Row | Col::DuplicateOf => Null,
        Col::Status => Str(if check.is_valid() { "valid" } else { "invalid" }),
        Col::Code => or_null(check.code().map(row::Code::as_str)),
        // A cross-check failure has its own message; otherwise the
        // identifier's, already in the fields.
        Col::Message => match &check.mismatch {
            Some(m) => ResultValue::Owned(m.message()),
            None => f.message.as_deref().map_or(Null, ResultValue::Text),
        },
        Col::Normalized if f.valid => ResultValue::Canonical(f.normalized),
        Col::Normalized => ResultValue::Text(f.normalized),
        Col::Changed => ResultValue::Bool(f.changed),
        Col::Kind => or_null(f.kind.map(ident::Kind::as_str)),
        Col::RegistrationType => or_null(f.registration_type.map(|r| r.as_str())),
        Col::StateCode => or_null(f.state.map(|s| s.code_str())),
        Col::StateName => or_null(f.state.map(|s| s.name)),
        Col::Pan => f.pan.map_or(Null, ResultValue::Pan),
        Col::HolderType => or_null(f.holder_type.map(|h| h.as_str())),
        Col::Suggestion => f.suggestion.as_deref().map_or(Null, ResultValue::Canonical),
    }
}

/// How result columns are written as CSV.
pub(super) struct CsvColumns<'q> {
    /// Rule options, for an invalid value's suggestion.
    pub(super) opts: ident::Options,
    /// Quoting for the report's delimiter.
    pub(super) quoting: &'q Quoting,
    /// Whether the delimiter can never occur in a fixed text, which then
    /// skips the quoting scan.
    pub(super) trusted_safe: bool,
}

impl CsvColumns<'_> {
    /// Writes a row's result columns, each after the delimiter, and returns
    /// where the writer's two holes are.
    pub(super) fn write(&self, buf: &mut Vec<u8>, check: &RowCheck<'_>) -> (usize, usize) {
        match ValidRow::of(check) {
            Some(valid) if self.trusted_safe => valid.write(buf, self.quoting.delimiter()),
            _ => self.write_each(buf, check),
        }
    }

    /// [`CsvColumns::write`] for any row, column by column through [`value`].
    fn write_each(&self, buf: &mut Vec<u8>, check: &RowCheck<'_>) -> (usize, usize) {
        let f = check.verdict.fields(self.opts);
        let (mut row_hole, mut dup_hole) = (0, 0);
        for col in Col::ALL {
            buf.push(self.quoting.delimiter());
            match col {
                Col::Row => row_hole = buf.len(),
                Col::DuplicateOf => dup_hole = buf.len(),
                _ => {
                    let v = value(col, check, &f);
                    if self.trusted_safe && v.trusted() {
                        buf.extend_from_slice(v.as_bytes());
                    } else {
                        self.quoting.push(buf, v.as_bytes());
                    }
                }
            }
        }
        (row_hole, dup_hole)
    }
}

/// One result cell.
pub(super) enum ResultValue<'a> {
    Null,
    /// A fixed text: a code, a type, a state name.
    Str(&'static str),
    /// Input-derived text, which may hold anything.
    Text(&'a str),
    /// A canonical identifier: digits and letters only.
    Canonical(&'a str),
    /// A message, which may hold anything.
    Owned(String),
    Bool(bool),
    Pan(crate::ident::Pan),
}

impl ResultValue<'_> {
    /// Whether the value holds only letters, digits, spaces, parentheses
    /// and hyphens, so it needs no quoting under a punctuation delimiter.
    pub(super) fn trusted(&self) -> bool {
        !matches!(self, ResultValue::Text(_) | ResultValue::Owned(_))
    }

    pub(super) fn as_str(&self) -> &str {
        match self {
            ResultValue::Null => "",
            ResultValue::Str(s) => s,
            ResultValue::Text(s) | ResultValue::Canonical(s) => s,
            ResultValue::Owned(s) => s,
            ResultValue::Bool(true) => "true",
            ResultValue::Bool(false) => "false",
            ResultValue::Pan(p) => p.as_str(),
        }
    }

    /// The value as CSV writes it; a PAN's bytes skip `as_str`'s UTF-8
    /// check, which showed in profiles.
    pub(super) fn as_bytes(&self) -> &[u8] {
        match self {
            ResultValue::Pan(p) => p.as_bytes(),
            _ => self.as_str().as_bytes(),
        }
    }

    pub(super) fn json(&self, buf: &mut Vec<u8>) {
        match self {
            ResultValue::Null => buf.extend_from_slice(b"null"),
            ResultValue::Bool(_) => buf.extend_from_slice(self.as_str().as_bytes()),
            _ => json_str(buf, self.as_str()),
        }
    }
}

/// A valid row's result columns for CSV: the same values as [`value`],
/// taken straight from the identifier, without `ident::Fields` and
/// `ResultValue` in between (a sixth of a full report's instructions).
pub(super) struct ValidRow<'c> {
    id: &'c ident::Id,
    normalized: &'c str,
    changed: bool,
    state: Option<&'static ident::state::State>,
    pan: Option<ident::Pan>,
}

impl<'c> ValidRow<'c> {
    /// The columns of a valid row with no cross-check failure.
    pub(super) fn of(check: &'c RowCheck<'_>) -> Option<ValidRow<'c>> {
        let id = check.verdict.result.as_ref().ok()?;
        check.mismatch.is_none().then(|| ValidRow {
            id,
            normalized: &check.verdict.normalized,
            changed: check.verdict.changed(),
            state: id.state(),
            pan: id.pan(),
        })
    }

    /// `CsvColumns::write_each` for this row. Written out rather than looped over
    /// `Col::ALL`: the loop's per-column dispatch cost a twentieth of a
    /// full report. A test holds the two to the same bytes for every kind
    /// of valid identifier.
    pub(super) fn write(&self, buf: &mut Vec<u8>, d: u8) -> (usize, usize) {
        buf.push(d);
        let row_hole = buf.len();
        let mut put = |s: &[u8]| {
            buf.push(d);
            buf.extend_from_slice(s);
        };
        put(b"valid");
        put(b""); // code
        put(b""); // message
        put(self.normalized.as_bytes());
        put(if self.changed { b"true" } else { b"false" });
        put(self.id.kind().as_str().as_bytes());
        put(self.id.registration_type().map_or(b"", |r| r.as_str().as_bytes()));
        put(self.state.map_or(b"", |s| s.code_str().as_bytes()));
        put(self.state.map_or(b"", |s| s.name.as_bytes()));
        put(self.pan.as_ref().map_or(b"", |p| p.as_bytes()));
        put(self.pan.map_or(b"", |p| p.holder_type().as_str().as_bytes()));
        put(b""); // suggestion
        buf.push(d);
        (row_hole, buf.len())
    }
}

/// Writes `s` as a JSON string.
pub(super) fn json_str(buf: &mut Vec<u8>, s: &str) {
    // Writing a &str to a Vec cannot fail.
    let _ = serde_json::to_writer(&mut *buf, s);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ident::{Kind, Options};
    use crate::validate::row::{Plan, check};

    fn plan(kind: Option<Kind>) -> Plan {
        let opts = Options { strict: false, allow_retired: true };
        Plan { id: 0, kind, opts, pan: None, state: None, dupes: false }
    }

    /// Both writers' bytes and holes for one value.
    fn both(value: &str, kind: Option<Kind>) -> [(Vec<u8>, (usize, usize)); 2] {
        let p = plan(kind);
        let row = check(value.as_bytes(), None, None, &p);
        let quoting = Quoting::new(b',');
        let cols = CsvColumns { opts: p.opts, quoting: &quoting, trusted_safe: true };
        let (mut fast, mut each) = (b"x".to_vec(), b"x".to_vec());
        let valid = ValidRow::of(&row).unwrap_or_else(|| panic!("{value} is not valid"));
        let fast_holes = valid.write(&mut fast, b',');
        let each_holes = cols.write_each(&mut each, &row);
        [(fast, fast_holes), (each, each_holes)]
    }

    #[test]
    fn valid_rows_write_what_each_column_says() {
        let gstins = [
            "9917SGP29001OST",
            "0718USA00001NR8",
            "0717UNO00157UNO",
            "07DLHA00107A1Z9",
            "06DELI09652G1DA",
            "07AAACE1234A1DR",
            "07AAACF1234A1CS",
            "27AAPFU0939F1ZV",
            " 27aapfu-0939f1zv ",
            "28AAPFU0939F1ZT",
        ];
        let pans =
            "PCHFATBLJG".chars().flat_map(|c| [format!("AAA{c}A1234A"), format!("aaa{c}a 1234a")]);
        let values =
            gstins.iter().map(|g| (g.to_string(), Kind::Gstin)).chain(pans.map(|p| (p, Kind::Pan)));
        let mut seen = 0;
        for (value, kind) in values {
            for k in [Some(kind), None] {
                let [fast, each] = both(&value, k);
                assert_eq!(
                    String::from_utf8_lossy(&fast.0),
                    String::from_utf8_lossy(&each.0),
                    "{value}"
                );
                assert_eq!(fast.1, each.1, "{value}");
                seen += 1;
            }
        }
        assert_eq!(seen, 60);
    }

    #[test]
    fn only_clean_valid_rows_take_the_short_way() {
        let p = plan(Some(Kind::Gstin));
        assert!(ValidRow::of(&check(b"27AAPFU0939F1ZX", None, None, &p)).is_none());
        let mismatch = Plan { pan: Some(1), ..p };
        let row = check(b"27AAPFU0939F1ZV", Some("AAACT2727Q"), None, &mismatch);
        assert!(ValidRow::of(&row).is_none());
        // A delimiter that a fixed text may hold takes the long way.
        let row = check(b"27AAPFU0939F1ZV", None, None, &p);
        let (mut buf, quoting) = (Vec::new(), Quoting::new(b'a'));
        CsvColumns { opts: p.opts, quoting: &quoting, trusted_safe: false }.write(&mut buf, &row);
        assert!(buf.windows(8).any(|w| w == b"a\"valid\""));
    }
}
