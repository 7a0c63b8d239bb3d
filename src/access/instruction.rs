//! One instruction row, parsed and checked: parse, don't validate.

use std::borrow::Cow;

use crate::ident::{self, Gstin, Options};
use crate::input::columns::{self, ColumnError, Family};
use crate::ledger::duration::AccessDuration;
use crate::ledger::{Action, Reason};
use crate::time;

/// Where each instruction column is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Columns {
    /// The GSTIN.
    pub gstin: usize,
    /// enable/disable.
    pub action: usize,
    /// How long, for enables.
    pub duration: Option<usize>,
    /// When; default now.
    pub effective_at: Option<usize>,
    /// Carried to the report.
    pub reference: Option<usize>,
}

/// Header keys (see [`columns::key`]) for each instruction column.
const ACTION: &[&str] =
    &["action", "enableapirequest", "apirequest", "apiaccess", "enabledisable", "access", "enable"];
const DURATION: &[&str] =
    &["duration", "validity", "period", "durationhours", "for", "accessduration"];
const EFFECTIVE: &[&str] = &[
    "effectiveat",
    "effective",
    "effectivefrom",
    "effectivetime",
    "from",
    "time",
    "date",
    "datetime",
    "when",
    "at",
    "timestamp",
];
const REFERENCE: &[&str] = &[
    "reference",
    "ref",
    "refno",
    "ticket",
    "remarks",
    "remark",
    "note",
    "notes",
    "comment",
    "comments",
];

impl Columns {
    /// Finds the columns by header, as `validate` finds the GSTIN column
    /// (two GSTIN columns are refused there and here alike).
    ///
    /// # Errors
    /// [`ColumnError`] naming the missing or ambiguous column and listing
    /// the headers.
    pub fn find(headers: &[Vec<u8>]) -> Result<Columns, ColumnError> {
        let gstin = columns::find(headers, Family::Gstin)?
            .ok_or_else(|| columns::missing("GSTIN", "", headers))?;
        let action = columns::find_key(headers, ACTION)
            .ok_or_else(|| columns::missing("action (enable/disable)", "", headers))?;
        Ok(Columns {
            gstin,
            action,
            duration: columns::find_key(headers, DURATION),
            effective_at: columns::find_key(headers, EFFECTIVE),
            reference: columns::find_key(headers, REFERENCE),
        })
    }
}

/// A checked instruction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Instruction {
    /// The GSTIN.
    pub gstin: Gstin,
    /// What to do.
    pub action: Action,
    /// When, in seconds since the epoch.
    pub effective_at: i64,
}

/// One row as read, with the instruction or why it was refused. Its text
/// borrows from the table wherever no unescaping was needed: a million
/// instructions are held at once, and three owned strings each were most of
/// their memory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row<'t> {
    /// Spreadsheet row number.
    pub row: u64,
    /// The GSTIN cell as given.
    pub gstin_text: Cow<'t, str>,
    /// The action cell as given.
    pub action_text: Cow<'t, str>,
    /// The canonical duration, when one was given and valid.
    pub duration: Option<AccessDuration>,
    /// The effective time (now when the cell is blank), when readable.
    pub effective_at: Option<i64>,
    /// The reference cell.
    pub reference: Cow<'t, str>,
    /// The instruction, or the reason and message of its rejection.
    pub parsed: Result<Instruction, (Reason, String)>,
}

/// Parses one row's cells (`cell(i)` gives column `i`, or `None` past the
/// row's end). `now` fills a blank effective time and bounds it.
pub fn parse<'t>(
    row: u64,
    cell: impl Fn(usize) -> Option<Cow<'t, str>>,
    cols: &Columns,
    now: i64,
) -> Row<'t> {
    let text = |i: Option<usize>| match i.and_then(&cell) {
        Some(Cow::Borrowed(s)) => Cow::Borrowed(trim(s)),
        Some(Cow::Owned(s)) => Cow::Owned(trim(&s).to_string()),
        None => Cow::Borrowed(""),
    };
    let gstin_text = text(Some(cols.gstin));
    let action_text = text(Some(cols.action));
    let duration_text = text(cols.duration);
    let time_text = text(cols.effective_at);
    let reference = text(cols.reference);

    let duration = duration_text.parse::<AccessDuration>();
    let effective = effective_at(&time_text, now);
    let parsed = (|| {
        let gstin = Gstin::parse_with(&gstin_text, Options::default())
            .map_err(|e| (Reason::InvalidGstin, format!("invalid GSTIN ({}): {e}", e.code())))?;
        let is = |words: &[&str]| words.iter().any(|w| action_text.eq_ignore_ascii_case(w));
        let action = if is(&["enable", "yes", "y"]) {
            if duration_text.is_empty() {
                return Err((
                    Reason::MissingDuration,
                    "an enable needs a duration (6 hours to 30 days)".to_string(),
                ));
            }
            Action::Enable(duration.clone().map_err(|e| (Reason::BadDuration, e.to_string()))?)
        } else if is(&["disable", "no", "n"]) {
            // A duration on a disable row is ignored (SPEC.md section 6).
            Action::Disable
        } else {
            return Err((
                Reason::BadAction,
                format!("{action_text:?} is not an action: use enable/yes/y or disable/no/n"),
            ));
        };
        let effective_at = effective.clone().map_err(|e| (Reason::BadTime, e))?;
        if effective_at > now {
            return Err((
                Reason::FutureTime,
                format!(
                    "effective time {} is later than now ({})",
                    time::format(&time::from_epoch(effective_at)),
                    time::format(&time::from_epoch(now))
                ),
            ));
        }
        Ok(Instruction { gstin, action, effective_at })
    })();
    let duration = match &parsed {
        Ok(Instruction { action: Action::Enable(d), .. }) => Some(*d),
        Ok(_) => None,
        Err(_) => duration.ok(),
    };
    Row { row, gstin_text, action_text, duration, effective_at: effective.ok(), reference, parsed }
}

/// `str::trim`, without its scan from both ends when both end bytes are
/// printable ASCII, as they nearly always are: with five cells a row, each
/// parsed three times, the scan was about a tenth of a batch's parsing.
fn trim(s: &str) -> &str {
    match (s.as_bytes().first(), s.as_bytes().last()) {
        (Some(first), Some(last)) if first.is_ascii_graphic() && last.is_ascii_graphic() => s,
        _ => s.trim(),
    }
}

/// The effective time a cell gives: now when it is blank.
fn effective_at(text: &str, now: i64) -> Result<i64, String> {
    if text.is_empty() { Ok(now) } else { time::parse(text) }
}

/// Where a row falls in the order of application, from only the two cells
/// that decide it, read as [`parse`] reads them: its effective time (now
/// when blank or unreadable), and its GSTIN normalised (a valid one's
/// canonical form, so that each GSTIN's rows agree however written).
pub fn order_key<'t>(
    cell: impl Fn(usize) -> Option<Cow<'t, str>>,
    cols: &Columns,
    now: i64,
) -> (i64, Cow<'t, str>) {
    let time_text = cols.effective_at.and_then(&cell).unwrap_or_default();
    let at = effective_at(trim(&time_text), now).unwrap_or(now);
    let gstin = match cell(cols.gstin).unwrap_or_default() {
        Cow::Borrowed(s) => ident::normalize(s),
        Cow::Owned(s) => Cow::Owned(ident::normalize(&s).into_owned()),
    };
    (at, gstin)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(names: &[&str]) -> Vec<Vec<u8>> {
        names.iter().map(|n| n.as_bytes().to_vec()).collect()
    }

    const NOW: &str = "2026-11-26 12:00";

    fn row(cells: [&str; 5]) -> Row<'_> {
        let cols = Columns {
            gstin: 0,
            action: 1,
            duration: Some(2),
            effective_at: Some(3),
            reference: Some(4),
        };
        let now = time::parse(NOW).unwrap();
        parse(2, |i| cells.get(i).map(|s| Cow::Borrowed(*s)), &cols, now)
    }

    fn reason(r: &Row) -> Option<Reason> {
        r.parsed.as_ref().err().map(|(r, _)| *r)
    }

    #[test]
    fn trim_is_str_trim() {
        for s in
            ["", " ", "a", " a", "a ", "\u{a0}T-1", "T-1\u{3000}", "\tx\n", "é", "x\u{a0}y", "  "]
        {
            assert_eq!(trim(s), s.trim(), "{s:?}");
        }
    }

    proptest::proptest! {
        #[test]
        fn trim_is_str_trim_for_any_text(s in "\\PC{0,6}|[ \\t\u{a0}\u{2003}a-z]{0,6}") {
            proptest::prop_assert_eq!(trim(&s), s.trim());
        }
    }

    #[test]
    fn columns_by_loose_headers() {
        let c = Columns::find(&headers(&[
            "GSTIN",
            "Enable API Request",
            "Duration",
            "Effective At",
            "Ref",
        ]))
        .unwrap();
        assert_eq!(
            c,
            Columns {
                gstin: 0,
                action: 1,
                duration: Some(2),
                effective_at: Some(3),
                reference: Some(4)
            }
        );
        let c = Columns::find(&headers(&["action", "gst no"])).unwrap();
        assert_eq!((c.gstin, c.action, c.duration), (1, 0, None));
        let e = |h: &[&str]| Columns::find(&headers(h)).unwrap_err().to_string();
        assert!(e(&["GSTIN", "Name"]).contains("no action (enable/disable) column"));
        assert!(e(&["Action", "Name"]).contains("no GSTIN column"));
        assert!(e(&["GSTIN", "Party GSTIN", "Action"]).contains("several GSTIN columns"));
    }

    #[test]
    fn spec_6_actions_any_case() {
        for a in ["enable", "ENABLE", "Yes", "y", "Y"] {
            assert!(
                matches!(
                    row(["27AAPFU0939F1ZV", a, "6h", "", ""]).parsed,
                    Ok(Instruction { action: Action::Enable(_), .. })
                ),
                "{a}"
            );
        }
        for a in ["disable", "No", "n", "N"] {
            assert!(
                matches!(
                    row(["27AAPFU0939F1ZV", a, "", "", ""]).parsed,
                    Ok(Instruction { action: Action::Disable, .. })
                ),
                "{a}"
            );
        }
        assert_eq!(
            reason(&row(["27AAPFU0939F1ZV", "maybe", "6h", "", ""])),
            Some(Reason::BadAction)
        );
        assert_eq!(reason(&row(["27AAPFU0939F1ZV", "", "6h", "", ""])), Some(Reason::BadAction));
    }

    #[test]
    fn spec_6_rejections() {
        assert_eq!(
            reason(&row(["27AAPFU0939F1ZX", "enable", "6h", "", ""])),
            Some(Reason::InvalidGstin)
        );
        assert_eq!(
            reason(&row(["27AAPFU0939F1ZV", "enable", "", "", ""])),
            Some(Reason::MissingDuration)
        );
        assert_eq!(
            reason(&row(["27AAPFU0939F1ZV", "enable", "5h", "", ""])),
            Some(Reason::BadDuration)
        );
        assert_eq!(
            reason(&row(["27AAPFU0939F1ZV", "enable", "1.5 days", "", ""])),
            Some(Reason::BadDuration)
        );
        assert_eq!(
            reason(&row(["27AAPFU0939F1ZV", "enable", "6h", "soon", ""])),
            Some(Reason::BadTime)
        );
        assert_eq!(
            reason(&row(["27AAPFU0939F1ZV", "enable", "6h", "2026-11-26 12:01", ""])),
            Some(Reason::FutureTime)
        );
        assert_eq!(reason(&row(["27AAPFU0939F1ZV", "enable", "6h", NOW, ""])), None);
    }

    #[test]
    fn spec_6_duration_on_disable_is_ignored_and_blank_time_is_now() {
        let r = row(["27AAPFU0939F1ZV", "disable", "nonsense", "", "T-1"]);
        assert!(r.parsed.is_ok());
        assert_eq!(r.effective_at, Some(time::parse(NOW).unwrap()));
        assert_eq!(r.reference, "T-1");
        assert_eq!(r.duration, None);
    }
}
