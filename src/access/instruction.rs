//! One instruction row, parsed and checked: parse, don't validate.

use crate::ident::{self, Gstin, Kind, Options};
use crate::time;
use crate::validate::columns;

use super::apply::{Action, Reason};
use super::duration::AccessDuration;

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
    /// Finds the columns by header, as loosely as `validate` finds the
    /// GSTIN column.
    ///
    /// # Errors
    /// A message naming the missing column and listing the headers.
    pub fn find(headers: &[Vec<u8>]) -> Result<Columns, String> {
        let find =
            |names: &[&str]| headers.iter().position(|h| names.contains(&columns::key(h).as_str()));
        let gstin = headers
            .iter()
            .position(|h| columns::family(h) == Some(columns::Family::Gstin))
            .ok_or_else(|| missing("a GSTIN", headers))?;
        let action = find(ACTION).ok_or_else(|| missing("an action (enable/disable)", headers))?;
        Ok(Columns {
            gstin,
            action,
            duration: find(DURATION),
            effective_at: find(EFFECTIVE),
            reference: find(REFERENCE),
        })
    }
}

fn missing(what: &str, headers: &[Vec<u8>]) -> String {
    let list: Vec<String> =
        headers.iter().map(|h| format!("{:?}", String::from_utf8_lossy(h))).collect();
    format!("no {what} column; the headers are {}", list.join(", "))
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

/// One row as read, with the instruction or why it was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    /// Spreadsheet row number.
    pub row: u64,
    /// The GSTIN cell as given.
    pub gstin_text: String,
    /// The action cell as given.
    pub action_text: String,
    /// The canonical duration, when one was given and valid.
    pub duration: Option<AccessDuration>,
    /// The effective time (now when the cell is blank), when readable.
    pub effective_at: Option<i64>,
    /// The reference cell.
    pub reference: String,
    /// The instruction, or the reason and message of its rejection.
    pub parsed: Result<Instruction, (Reason, String)>,
}

/// Parses one row's cells (`cell(i)` gives column `i`, or `None` past the
/// row's end). `now` fills a blank effective time and bounds it.
pub fn parse(row: u64, cell: impl Fn(usize) -> Option<String>, cols: &Columns, now: i64) -> Row {
    let text =
        |i: Option<usize>| i.and_then(&cell).map(|s| s.trim().to_string()).unwrap_or_default();
    let gstin_text = text(Some(cols.gstin));
    let action_text = text(Some(cols.action));
    let duration_text = text(cols.duration);
    let time_text = text(cols.effective_at);
    let reference = text(cols.reference);

    let duration = duration_text.parse::<AccessDuration>();
    let effective =
        if time_text.is_empty() { Ok(now) } else { time::parse(&time_text).map(|t| t.timestamp()) };
    let parsed = (|| {
        let opts = Options::default();
        let gstin = match ident::check(&gstin_text, Some(Kind::Gstin), opts).result {
            Ok(ident::Id::Gstin(g)) => g,
            Ok(ident::Id::Pan(_)) => return Err((Reason::InvalidGstin, "not a GSTIN".to_string())),
            Err(e) => {
                return Err((Reason::InvalidGstin, format!("invalid GSTIN ({}): {e}", e.code())));
            }
        };
        let action = match action_text.to_ascii_lowercase().as_str() {
            "enable" | "yes" | "y" => {
                if duration_text.is_empty() {
                    return Err((
                        Reason::MissingDuration,
                        "an enable needs a duration (6 hours to 30 days)".to_string(),
                    ));
                }
                Action::Enable(duration.clone().map_err(|e| (Reason::BadDuration, e.to_string()))?)
            }
            // A duration on a disable row is ignored (SPEC.md section 6).
            "disable" | "no" | "n" => Action::Disable,
            _ => {
                return Err((
                    Reason::BadAction,
                    format!("{action_text:?} is not an action: use enable/yes/y or disable/no/n"),
                ));
            }
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

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(names: &[&str]) -> Vec<Vec<u8>> {
        names.iter().map(|n| n.as_bytes().to_vec()).collect()
    }

    const NOW: &str = "2026-11-26 12:00";

    fn row(cells: [&str; 5]) -> Row {
        let cols = Columns {
            gstin: 0,
            action: 1,
            duration: Some(2),
            effective_at: Some(3),
            reference: Some(4),
        };
        let now = time::parse(NOW).unwrap().timestamp();
        parse(2, |i| cells.get(i).map(|s| s.to_string()), &cols, now)
    }

    fn reason(r: &Row) -> Option<Reason> {
        r.parsed.as_ref().err().map(|(r, _)| *r)
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
        assert!(Columns::find(&headers(&["GSTIN", "Name"])).unwrap_err().contains("no an action"));
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
        assert_eq!(r.effective_at, Some(time::parse(NOW).unwrap().timestamp()));
        assert_eq!(r.reference, "T-1");
        assert_eq!(r.duration, None);
    }
}
