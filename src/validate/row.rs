//! The check of one row: the identifier, then the cross-checks. Pure: no
//! I/O, no shared state, safe on any worker.

use crate::ident::{self, ErrorCode, Id, Kind, Options, Verdict, state};

use super::dupes::Key;

/// What to check in each row, resolved once from the arguments and headers.
#[derive(Debug, Clone, Copy)]
pub struct Plan {
    /// 0-based index of the identifier column.
    pub id: usize,
    /// The kind every value is checked as; `None` lets each value's length
    /// decide.
    pub kind: Option<Kind>,
    /// Rule options.
    pub opts: Options,
    /// 0-based index of the PAN column to cross-check.
    pub pan: Option<usize>,
    /// 0-based index of the state column to cross-check.
    pub state: Option<usize>,
    /// Whether duplicates are tracked (keys are computed only then).
    pub dupes: bool,
}

/// Why a row fails: an identifier rule, or a cross-check of a valid
/// identifier (SPEC.md section 4). The one list of every code a row can
/// fail with; counts are indexed by [`Code::index`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Code {
    /// An identifier rule.
    Id(ErrorCode),
    /// The GSTIN's PAN differs from the PAN column.
    PanMismatch,
    /// The GSTIN's state differs from the state column.
    StateMismatch,
    /// The state column's code and name are of different states.
    StateConflict,
}

impl Code {
    /// How many codes there are.
    pub const COUNT: usize = ErrorCode::ALL.len() + 3;

    /// Every code, in SPEC.md's order.
    pub fn all() -> impl Iterator<Item = Code> {
        let cross = [Code::PanMismatch, Code::StateMismatch, Code::StateConflict];
        ErrorCode::ALL.into_iter().map(Code::Id).chain(cross)
    }

    /// The code's place in [`Code::all`].
    pub fn index(self) -> usize {
        match self {
            Code::Id(c) => c as usize,
            Code::PanMismatch => ErrorCode::ALL.len(),
            Code::StateMismatch => ErrorCode::ALL.len() + 1,
            Code::StateConflict => ErrorCode::ALL.len() + 2,
        }
    }

    /// The stable name.
    pub fn as_str(self) -> &'static str {
        match self {
            Code::Id(c) => c.as_str(),
            Code::PanMismatch => "pan_mismatch",
            Code::StateMismatch => "state_mismatch",
            Code::StateConflict => "state_conflict",
        }
    }
}

/// A valid identifier that disagrees with another column (SPEC.md section 4).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mismatch {
    /// The PAN inside the GSTIN is not the PAN column's.
    Pan {
        /// The PAN inside the GSTIN.
        inside: String,
        /// The PAN column, normalised.
        column: String,
    },
    /// The GSTIN's state is not the state column's.
    State {
        /// The GSTIN's state code and name.
        gstin: String,
        /// The state column as given.
        column: String,
        /// Whether the column names no state at all.
        unknown: bool,
    },
    /// The state column gives a code and a name of different states.
    Conflict {
        /// The state column as given.
        column: String,
        /// The code's state, code and name.
        code: String,
        /// The names' states.
        named: String,
    },
}

impl Mismatch {
    /// The error code.
    pub fn code(&self) -> Code {
        match self {
            Mismatch::Pan { .. } => Code::PanMismatch,
            Mismatch::State { .. } => Code::StateMismatch,
            Mismatch::Conflict { .. } => Code::StateConflict,
        }
    }

    /// The message for the report.
    pub fn message(&self) -> String {
        match self {
            Mismatch::Pan { inside, column } => {
                format!("the GSTIN holds PAN {inside} but the PAN column has {column}")
            }
            Mismatch::State { column, unknown: true, .. } => {
                format!("the state column has {column:?}, which is no GST state or UT name or code")
            }
            Mismatch::State { gstin, column, .. } => {
                format!("the GSTIN is registered in {gstin} but the state column has {column:?}")
            }
            Mismatch::Conflict { column, code, named } => format!(
                "the state column has {column:?}, whose code is {code} but whose name is {named}"
            ),
        }
    }
}

/// The outcome of one row.
#[derive(Debug, Clone)]
pub struct RowCheck<'a> {
    /// The identifier's verdict.
    pub verdict: Verdict<'a>,
    /// A cross-check failure, for a valid identifier.
    pub mismatch: Option<Mismatch>,
}

impl RowCheck<'_> {
    /// Whether the row passes every check.
    pub fn is_valid(&self) -> bool {
        self.verdict.result.is_ok() && self.mismatch.is_none()
    }

    /// The error code of a failing row.
    pub fn code(&self) -> Option<Code> {
        match (&self.verdict.result, &self.mismatch) {
            (Err(e), _) => Some(Code::Id(e.code())),
            (Ok(_), Some(m)) => Some(m.code()),
            (Ok(_), None) => None,
        }
    }

    /// The message of a failing row.
    pub fn message(&self) -> Option<String> {
        match (&self.verdict.result, &self.mismatch) {
            (Err(e), _) => Some(e.to_string()),
            (Ok(_), Some(m)) => Some(m.message()),
            (Ok(_), None) => None,
        }
    }

    /// What the row is deduplicated by: the normalised value.
    pub fn key(&self) -> Key {
        match &self.verdict.result {
            Ok(Id::Gstin(g)) => Key::Exact(g.compact()),
            Ok(Id::Pan(p)) => Key::Exact(p.compact()),
            Err(_) if self.verdict.normalized.is_empty() => Key::None,
            Err(_) => Key::hashed(&self.verdict.normalized),
        }
    }
}

/// Checks one row's identifier (`id`, the cell's bytes: text that is not
/// UTF-8 fails at its first bad byte) and, for a valid GSTIN, the PAN and
/// state cells the plan names.
pub fn check<'a>(
    id: &'a [u8],
    pan: Option<&str>,
    state_cell: Option<&str>,
    plan: &Plan,
) -> RowCheck<'a> {
    let verdict = ident::check_bytes(id, plan.kind, plan.opts);
    let mismatch = match &verdict.result {
        Ok(Id::Gstin(g)) => pan_mismatch(g, pan).or_else(|| state_mismatch(g, state_cell)),
        _ => None,
    };
    RowCheck { verdict, mismatch }
}

/// A blank PAN cell, or a GSTIN that holds no PAN, is not a mismatch.
fn pan_mismatch(g: &ident::Gstin, cell: Option<&str>) -> Option<Mismatch> {
    let inside = g.pan()?;
    let column = ident::normalize(cell?);
    if column.is_empty() || column == inside.as_str() {
        return None;
    }
    Some(Mismatch::Pan { inside: inside.to_string(), column: column.into_owned() })
}

/// A blank state cell is not a mismatch; a name of no state is.
fn state_mismatch(g: &ident::Gstin, cell: Option<&str>) -> Option<Mismatch> {
    let cell = cell?.trim();
    if cell.is_empty() {
        return None;
    }
    let codes = match state::read(cell) {
        state::Cell::Codes(codes) => codes,
        state::Cell::Conflict { code, named } => {
            let of = |c: u8| state::by_code(c).map(|s| format!("{} {}", s.code_str(), s.name));
            let named: Vec<String> = named.into_iter().filter_map(of).collect();
            return Some(Mismatch::Conflict {
                column: cell.to_string(),
                code: of(code).unwrap_or_default(),
                named: named.join(" or "),
            });
        }
    };
    let st = g.state();
    if codes.contains(&st.code) {
        return None;
    }
    Some(Mismatch::State {
        gstin: format!("{} {}", st.code_str(), st.name),
        column: cell.to_string(),
        unknown: codes.is_empty(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const PLAN: Plan = Plan {
        id: 0,
        kind: Some(Kind::Gstin),
        opts: Options { strict: false, allow_retired: false },
        pan: Some(1),
        state: Some(2),
        dupes: true,
    };

    #[test]
    fn spec_4_pan_cross_check() {
        assert!(check("27AAPFU0939F1ZV".as_bytes(), Some("aapfu0939f"), None, &PLAN).is_valid());
        assert!(check("27AAPFU0939F1ZV".as_bytes(), Some(""), None, &PLAN).is_valid());
        let r = check("27AAPFU0939F1ZV".as_bytes(), Some("AAACT2727Q"), None, &PLAN);
        assert_eq!(r.code(), Some(Code::PanMismatch));
        assert_eq!(
            r.message().unwrap(),
            "the GSTIN holds PAN AAPFU0939F but the PAN column has AAACT2727Q"
        );
        // A UIN holds no PAN: nothing to compare.
        assert!(check("0717UNO00157UNO".as_bytes(), Some("AAACT2727Q"), None, &PLAN).is_valid());
        // An invalid GSTIN keeps its own code.
        assert_eq!(
            check("27AAPFU0939F1ZX".as_bytes(), Some("X"), None, &PLAN).code(),
            Some(Code::Id(ErrorCode::Checksum))
        );
    }

    #[test]
    fn spec_4_state_cross_check() {
        assert!(check("27AAPFU0939F1ZV".as_bytes(), None, Some("Maharashtra"), &PLAN).is_valid());
        assert!(check("27AAPFU0939F1ZV".as_bytes(), None, Some(" 27 "), &PLAN).is_valid());
        assert!(check("21AAATO2815J1ZV".as_bytes(), None, Some("Orissa"), &PLAN).is_valid());
        let r = check("33AAACT2727Q1Z3".as_bytes(), None, Some("Kerala"), &PLAN);
        assert_eq!(r.code(), Some(Code::StateMismatch));
        assert!(r.message().unwrap().contains("33 Tamil Nadu"));
        let r = check("33AAACT2727Q1Z3".as_bytes(), None, Some("Atlantis"), &PLAN);
        assert!(r.message().unwrap().contains("no GST state"));
        let r = check("33AAACT2727Q1Z3".as_bytes(), None, Some("33 - Tamil Nadu"), &PLAN);
        assert_eq!(r.code(), None);
        // The column at odds with itself, though its code is the GSTIN's.
        let r = check("33AAACT2727Q1Z3".as_bytes(), None, Some("33-Kerala"), &PLAN);
        assert_eq!(r.code(), Some(Code::StateConflict));
        assert!(r.message().unwrap().contains("33 Tamil Nadu but whose name is 32 Kerala"));
    }

    #[test]
    fn code_indices_follow_the_list() {
        let all: Vec<Code> = Code::all().collect();
        assert_eq!(all.len(), Code::COUNT);
        for (i, c) in all.iter().enumerate() {
            assert_eq!(c.index(), i, "{c:?}");
        }
        assert_eq!(all[0].as_str(), "empty");
        assert_eq!(all[Code::COUNT - 1].as_str(), "state_conflict");
    }

    #[test]
    fn keys_follow_the_normalised_value() {
        let a = check("27AAPFU0939F1ZV".as_bytes(), None, None, &PLAN).key();
        let b = check(" 27aapfu0939f1zv".as_bytes(), None, None, &PLAN).key();
        assert_eq!(a, b);
        assert_eq!(check("".as_bytes(), None, None, &PLAN).key(), Key::None);
        assert_eq!(
            check("URP".as_bytes(), None, None, &PLAN).key(),
            check("urp".as_bytes(), None, None, &PLAN).key()
        );
        assert_ne!(
            check("URP".as_bytes(), None, None, &PLAN).key(),
            check("URQ".as_bytes(), None, None, &PLAN).key()
        );
    }
}
