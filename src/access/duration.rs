//! How long API access lasts: 6 hours to 30 days, in whole hours
//! (SPEC.md section 6).
//!
//! The portal's drop-down values are not published, so any whole number of
//! hours in range is accepted, written as people write it: `6h`, `6 hrs`,
//! `12 hours`, `1 day`, `2d`, `7 days`, `1 week`, `30 days`, `720h`, and
//! combinations such as `1d 12h`. Decimals are refused even when they come
//! to whole hours (`1.5 days`): the message says to write `36h` or `1d 12h`,
//! so that nobody has to guess what `1.5` meant.

use std::fmt;
use std::str::FromStr;

/// The shortest access, in hours.
pub const MIN_HOURS: u32 = 6;
/// The longest access, in hours (30 days).
pub const MAX_HOURS: u32 = 720;

/// A valid access duration.
///
/// Invariant: a whole number of hours from 6 to 720.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct AccessDuration(u32);

/// Why a duration was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct DurationError(String);

impl AccessDuration {
    /// A duration of `hours`, if in range.
    ///
    /// # Errors
    /// [`DurationError`] outside 6 to 720 hours.
    pub fn from_hours(hours: u32) -> Result<AccessDuration, DurationError> {
        if (MIN_HOURS..=MAX_HOURS).contains(&hours) {
            Ok(AccessDuration(hours))
        } else {
            Err(DurationError(format!(
                "{} is outside the portal's range: 6 hours to 30 days (720 hours)",
                canonical(hours)
            )))
        }
    }

    /// The number of hours.
    pub fn hours(self) -> u32 {
        self.0
    }

    /// The number of seconds.
    pub fn seconds(self) -> i64 {
        i64::from(self.0) * 3600
    }
}

/// `6h`, `1d`, `1d 12h`, `30d`.
fn canonical(hours: u32) -> String {
    match (hours / 24, hours % 24) {
        (0, h) => format!("{h}h"),
        (d, 0) => format!("{d}d"),
        (d, h) => format!("{d}d {h}h"),
    }
}

impl fmt::Display for AccessDuration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&canonical(self.0))
    }
}

/// Hours per unit word, lower case.
fn unit_hours(word: &str) -> Option<u32> {
    Some(match word {
        "h" | "hr" | "hrs" | "hour" | "hours" => 1,
        "d" | "day" | "days" => 24,
        "w" | "wk" | "wks" | "week" | "weeks" => 168,
        _ => return None,
    })
}

impl FromStr for AccessDuration {
    type Err = DurationError;

    fn from_str(s: &str) -> Result<AccessDuration, DurationError> {
        let text = s.trim().to_ascii_lowercase();
        let bad = || {
            DurationError(format!(
                "{s:?} is not a duration: write whole hours, days or weeks, such as 6h, 12 hours, \
                 1 day, 7 days, 1 week or 1d 12h (6 hours to 30 days)"
            ))
        };
        if text.is_empty() {
            return Err(bad());
        }
        let mut total: u32 = 0;
        let mut rest = text.as_str();
        while !rest.is_empty() {
            let digits = rest.find(|c: char| !c.is_ascii_digit()).unwrap_or(rest.len());
            if digits == 0 {
                return Err(bad());
            }
            let n: u32 = rest[..digits].parse().map_err(|_| bad())?;
            rest = rest[digits..].trim_start();
            if rest.starts_with(['.', ',']) {
                return Err(DurationError(format!(
                    "{s:?} has a fraction: write whole units, such as 36h or 1d 12h for a day and \
                     a half"
                )));
            }
            let word_len = rest.find(|c: char| !c.is_ascii_alphabetic()).unwrap_or(rest.len());
            let unit = unit_hours(&rest[..word_len]).ok_or_else(bad)?;
            total = n.checked_mul(unit).and_then(|h| total.checked_add(h)).ok_or_else(bad)?;
            rest = rest[word_len..].trim_start_matches([' ', ',']).trim_start();
            rest = rest.strip_prefix("and ").unwrap_or(rest);
        }
        AccessDuration::from_hours(total)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spec_6_people_spellings() {
        let table = [
            ("6h", 6),
            ("6 hrs", 6),
            ("6 HRS", 6),
            ("12 hours", 12),
            ("1 day", 24),
            ("2d", 48),
            ("7 days", 168),
            ("1 week", 168),
            ("15 days", 360),
            ("30 days", 720),
            ("720h", 720),
            ("1d 12h", 36),
            ("1 day 12 hours", 36),
            ("1 day, 12 hours", 36),
            ("2 weeks and 2 days", 384),
            (" 8 Hours ", 8),
        ];
        for (text, hours) in table {
            assert_eq!(text.parse::<AccessDuration>().map(|d| d.hours()), Ok(hours), "{text}");
        }
    }

    #[test]
    fn spec_6_bounds() {
        assert_eq!(AccessDuration::from_hours(6).unwrap().to_string(), "6h");
        assert_eq!(AccessDuration::from_hours(720).unwrap().to_string(), "30d");
        for text in ["5h", "721h", "31 days", "5 weeks", "0h", "1h"] {
            let e = text.parse::<AccessDuration>().unwrap_err().to_string();
            assert!(e.contains("6 hours to 30 days"), "{text}: {e}");
        }
    }

    #[test]
    fn spec_6_not_whole_or_not_durations() {
        for text in [
            "1.5 days",
            "1,5 days",
            "6.5h",
            "",
            "six hours",
            "6",
            "6 minutes",
            "h",
            "-6h",
            "99999999999h",
        ] {
            assert!(text.parse::<AccessDuration>().is_err(), "{text}");
        }
        assert!("1.5 days".parse::<AccessDuration>().unwrap_err().to_string().contains("36h"));
    }

    #[test]
    fn spec_6_canonical_form() {
        for (hours, text) in [(6, "6h"), (24, "1d"), (36, "1d 12h"), (720, "30d"), (23, "23h")] {
            let d = AccessDuration::from_hours(hours).unwrap();
            assert_eq!(d.to_string(), text);
            assert_eq!(text.parse::<AccessDuration>().unwrap(), d);
        }
    }
}
