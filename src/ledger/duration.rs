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

/// Seconds per unit word, in any case: seconds, minutes, hours, days, weeks.
fn unit_seconds(word: &str) -> Option<u64> {
    // The longest unit word has 7 letters.
    let mut lower = [0u8; 7];
    let bytes = word.as_bytes();
    lower.get_mut(..bytes.len())?.copy_from_slice(bytes);
    lower.make_ascii_lowercase();
    Some(match std::str::from_utf8(&lower[..bytes.len()]).ok()? {
        "s" | "sec" | "secs" | "second" | "seconds" => 1,
        "m" | "min" | "mins" | "minute" | "minutes" => 60,
        "h" | "hr" | "hrs" | "hour" | "hours" => 3600,
        "d" | "day" | "days" => 86_400,
        "w" | "wk" | "wks" | "week" | "weeks" => 604_800,
        _ => return None,
    })
}

/// Why a span of time could not be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SpanError {
    /// Not a sum of whole numbers with unit words.
    Unreadable,
    /// A number with a decimal point or comma (`1.5 days`).
    Fraction,
    /// Beyond `max` seconds (or beyond 64 bits).
    TooLong,
}

/// Reads a span written as people write it: whole numbers, each with a unit
/// word (seconds, minutes, hours, days, weeks), summed: `6h`, `12 hours`, `1 day`,
/// `1d 12h`, `2 weeks and 2 days`, `30 minutes`. The arithmetic is checked:
/// anything over `max` seconds is [`SpanError::TooLong`], never a wrapped
/// number.
///
/// # Errors
/// [`SpanError`].
pub fn parse_span(text: &str, max: u64) -> Result<u64, SpanError> {
    // Compared without regard to case, and without a lower-cased copy: a
    // million-row instruction file parses a duration on every row.
    let text = text.trim();
    if text.is_empty() {
        return Err(SpanError::Unreadable);
    }
    let mut total: u64 = 0;
    let mut rest = text;
    while !rest.is_empty() {
        let digits = rest.find(|c: char| !c.is_ascii_digit()).unwrap_or(rest.len());
        if digits == 0 {
            return Err(SpanError::Unreadable);
        }
        // All digits: a parse failure can only be an overflow.
        let n: u64 = rest[..digits].parse().map_err(|_| SpanError::TooLong)?;
        rest = rest[digits..].trim_start();
        if rest.starts_with(['.', ',']) {
            return Err(SpanError::Fraction);
        }
        let word_len = rest.find(|c: char| !c.is_ascii_alphabetic()).unwrap_or(rest.len());
        let unit = unit_seconds(&rest[..word_len]).ok_or(SpanError::Unreadable)?;
        total = n.checked_mul(unit).and_then(|s| total.checked_add(s)).ok_or(SpanError::TooLong)?;
        rest = rest[word_len..].trim_start_matches([' ', ',']).trim_start();
        if rest.get(..4).is_some_and(|w| w.eq_ignore_ascii_case("and ")) {
            rest = &rest[4..];
        }
    }
    if total > max {
        return Err(SpanError::TooLong);
    }
    Ok(total)
}

impl FromStr for AccessDuration {
    type Err = DurationError;

    fn from_str(s: &str) -> Result<AccessDuration, DurationError> {
        let bad = || {
            DurationError(format!(
                "{s:?} is not a duration: write whole hours, days or weeks, such as 6h, 12 hours, \
                 1 day, 7 days, 1 week or 1d 12h (6 hours to 30 days)"
            ))
        };
        let out_of_range = || {
            DurationError(format!(
                "{s:?} is outside the portal's range: 6 hours to 30 days (720 hours)"
            ))
        };
        match parse_span(s, u64::MAX) {
            Ok(seconds) if seconds % 3600 != 0 => Err(bad()),
            Ok(seconds) => match u32::try_from(seconds / 3600) {
                Ok(hours) => AccessDuration::from_hours(hours),
                Err(_) => Err(out_of_range()),
            },
            Err(SpanError::Fraction) => Err(DurationError(format!(
                "{s:?} has a fraction: write whole units, such as 36h or 1d 12h for a day and a \
                 half"
            ))),
            Err(SpanError::TooLong) => Err(out_of_range()),
            Err(SpanError::Unreadable) => Err(bad()),
        }
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
            "30 minutes",
            "6h 30m",
        ] {
            assert!(text.parse::<AccessDuration>().is_err(), "{text}");
        }
        assert!("1.5 days".parse::<AccessDuration>().unwrap_err().to_string().contains("36h"));
    }

    #[test]
    fn spans_sum_units_and_never_wrap() {
        assert_eq!(parse_span("30 minutes", u64::MAX), Ok(1800));
        assert_eq!(parse_span(" 6 HOURS ", u64::MAX), Ok(21_600));
        assert_eq!(parse_span("1 Day AND 6h", u64::MAX), Ok(108_000));
        assert_eq!(parse_span("1 fortnight", u64::MAX), Err(SpanError::Unreadable));
        assert_eq!(parse_span("6 hé", u64::MAX), Err(SpanError::Unreadable));
        assert_eq!(parse_span("2h", u64::MAX), Ok(7200));
        assert_eq!(parse_span("1 day 30 min", u64::MAX), Ok(88_200));
        assert_eq!(parse_span("soon", u64::MAX), Err(SpanError::Unreadable));
        assert_eq!(parse_span("1.5h", u64::MAX), Err(SpanError::Fraction));
        assert_eq!(parse_span("8d", 7 * 86_400), Err(SpanError::TooLong));
        for text in ["1152921504606846999h", "99999999999999999999999d", "18446744073709551615w"] {
            assert_eq!(parse_span(text, u64::MAX), Err(SpanError::TooLong), "{text}");
        }
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
