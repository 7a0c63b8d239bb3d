//! Indian Standard Time: parsing the timestamps people write, printing RFC
//! 3339 with `+05:30`, and "now" from the clock or pinned by `--now`.
//!
//! IST is UTC+05:30 all year (no daylight saving), so a local time without
//! an offset is read as IST (SPEC.md section 6).

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, TimeZone, Utc};

/// IST's offset from UTC, in seconds.
const IST_SECONDS: i32 = 5 * 3600 + 30 * 60;

/// The IST offset.
pub fn ist() -> FixedOffset {
    FixedOffset::east_opt(IST_SECONDS).unwrap_or_else(|| unreachable!("+05:30 is a valid offset"))
}

/// A moment, in IST.
pub type Time = DateTime<FixedOffset>;

/// Local formats accepted besides RFC 3339, read as IST.
const LOCAL_FORMATS: &[&str] = &[
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%dT%H:%M",
    "%d-%m-%Y %H:%M:%S",
    "%d-%m-%Y %H:%M",
    "%d/%m/%Y %H:%M:%S",
    "%d/%m/%Y %H:%M",
];

/// Parses a timestamp to seconds since the Unix epoch: RFC 3339 with an
/// offset, `YYYY-MM-DD HH:MM[:SS]`, `YYYY-MM-DDTHH:MM[:SS]`, `DD-MM-YYYY
/// HH:MM[:SS]`, `DD/MM/YYYY HH:MM[:SS]`, or a bare `YYYY-MM-DD` (00:00
/// IST). A time without an offset is IST; the moment must be no earlier than
/// 2017-07-01 (GST began; this also catches two-digit years) and before the
/// year 2100 in IST.
///
/// # Errors
/// A message listing the accepted forms.
///
/// ```
/// use gstbatch::time::{format, from_epoch, parse};
/// let text = |t: &str| format(&from_epoch(parse(t).unwrap()));
/// assert_eq!(text("2026-11-26 09:15"), "2026-11-26T09:15:00+05:30");
/// assert_eq!(text("2026-11-26T03:45:00Z"), "2026-11-26T09:15:00+05:30");
/// assert_eq!(text("26/11/2026 09:15"), "2026-11-26T09:15:00+05:30");
/// ```
pub fn parse(text: &str) -> Result<i64, String> {
    let seconds = parse_any(text)?;
    // The year is worked out only for a message: the bounds are moments.
    let year = || chrono::Datelike::year(&from_epoch(seconds));
    if seconds < GST_BEGAN {
        return Err(format!(
            "{text:?} is in the year {}, before GST began (2017-07-01): write the year with \
             four digits, as in {FORMS}",
            year()
        ));
    }
    if seconds >= LAST_YEAR_BEGAN {
        return Err(format!(
            "{text:?} is in the year {}, too far ahead to be a real time; use {FORMS}",
            year()
        ));
    }
    Ok(seconds)
}

/// 2017-07-01 00:00 IST, when GST began: no GST time is earlier, and a
/// two-digit year (`26/11/26`, year 26) lands before it.
const GST_BEGAN: i64 = 1_498_847_400;

/// 2100-01-01 00:00 IST, the start of the first year refused as too far
/// ahead.
const LAST_YEAR_BEGAN: i64 = 4_102_425_000;

/// The accepted forms, for messages.
const FORMS: &str = "RFC 3339 (2026-11-26T09:15:00+05:30), YYYY-MM-DD HH:MM[:SS], DD-MM-YYYY \
                     HH:MM[:SS], DD/MM/YYYY HH:MM[:SS] or YYYY-MM-DD (IST)";

/// [`parse`] without the bounds.
fn parse_any(text: &str) -> Result<i64, String> {
    // Before trimming: text with spaces around it is not in the fast form.
    if let Some(seconds) = rfc3339_seconds(text.as_bytes()) {
        return Ok(seconds);
    }
    let t = text.trim();
    if let Ok(dt) = DateTime::parse_from_rfc3339(t) {
        return Ok(dt.timestamp());
    }
    for f in LOCAL_FORMATS {
        if let Ok(naive) = NaiveDateTime::parse_from_str(t, f) {
            return from_local(naive, text);
        }
    }
    if let Ok(date) = NaiveDate::parse_from_str(t, "%Y-%m-%d")
        && let Some(naive) = date.and_hms_opt(0, 0, 0)
    {
        return from_local(naive, text);
    }
    Err(format!("{text:?} is not a time: use {FORMS}"))
}

/// The common RFC 3339 forms, `YYYY-MM-DDTHH:MM:SS+HH:MM` and
/// `YYYY-MM-DDTHH:MM:SSZ`, read straight to seconds since the epoch: an
/// instructions file has one in every row, and through chrono's general
/// parser [`parse`] took twice the instructions (573 a call against 273,
/// callgrind). `None` for anything else (another separator,
/// fractions, a leap second, an impossible date), which chrono then reads
/// or refuses exactly as before.
fn rfc3339_seconds(t: &[u8]) -> Option<i64> {
    // Seconds east of UTC; the date and time are the first 19 bytes.
    let offset = match t.len() {
        20 if t[19] == b'Z' => 0,
        25 if t[22] == b':' => {
            let (hours, minutes) = (number(&t[20..22])?, number(&t[23..25])?);
            if hours > 23 || minutes > 59 {
                return None;
            }
            let seconds = i64::from(hours * 3600 + minutes * 60);
            match t[19] {
                b'+' => seconds,
                b'-' => -seconds,
                _ => return None,
            }
        }
        _ => return None,
    };
    let date_time = &t[..19];
    let punctuation = [(4, b'-'), (7, b'-'), (10, b'T'), (13, b':'), (16, b':')];
    if punctuation.iter().any(|&(i, c)| date_time[i] != c) {
        return None;
    }
    let (year, month, day) =
        (number(&date_time[..4])?, number(&date_time[5..7])?, number(&date_time[8..10])?);
    let (hour, minute, second) =
        (number(&date_time[11..13])?, number(&date_time[14..16])?, number(&date_time[17..19])?);
    let naive =
        NaiveDate::from_ymd_opt(year as i32, month, day)?.and_hms_opt(hour, minute, second)?;
    Some(naive.and_utc().timestamp() - offset)
}

/// A run of ASCII digits as a number; `None` if any byte is not a digit.
fn number(digits: &[u8]) -> Option<u32> {
    digits.iter().try_fold(0, |n, &d| d.is_ascii_digit().then(|| n * 10 + u32::from(d - b'0')))
}

fn from_local(naive: NaiveDateTime, text: &str) -> Result<i64, String> {
    ist()
        .from_local_datetime(&naive)
        .single()
        .map(|t| t.timestamp())
        .ok_or_else(|| format!("{text:?} is not a valid IST time"))
}

/// RFC 3339 in IST, to the second: `2026-11-26T09:15:00+05:30`.
pub fn format(t: &Time) -> String {
    String::from_utf8_lossy(&rfc3339(t)).into_owned()
}

/// [`format()`]'s text as bytes, without allocating or formatting
/// machinery: chrono's strftime re-parses its pattern on every call, and
/// even `write!` showed in profiles of million-row reports.
pub fn rfc3339(t: &Time) -> [u8; 25] {
    use chrono::{Datelike, Timelike};
    let t = t.with_timezone(&ist());
    let mut out = *b"0000-00-00T00:00:00+05:30";
    let year = t.year().clamp(0, 9999) as u32;
    let digits = |out: &mut [u8; 25], at: usize, n: u32| {
        out[at] = b'0' + (n / 10 % 10) as u8;
        out[at + 1] = b'0' + (n % 10) as u8;
    };
    digits(&mut out, 0, year / 100);
    digits(&mut out, 2, year % 100);
    digits(&mut out, 5, t.month());
    digits(&mut out, 8, t.day());
    digits(&mut out, 11, t.hour());
    digits(&mut out, 14, t.minute());
    digits(&mut out, 17, t.second());
    out
}

/// A time from seconds since the Unix epoch, in IST.
pub fn from_epoch(seconds: i64) -> Time {
    DateTime::from_timestamp(seconds, 0).unwrap_or_default().with_timezone(&ist())
}

/// The current time in IST, to the second.
pub fn now() -> Time {
    from_epoch(Utc::now().timestamp())
}

/// A date as people and spreadsheets write it (`DD/MM/YYYY`, `DD-MM-YYYY`,
/// `DD.MM.YYYY`, ISO `YYYY-MM-DD`, or an Excel date-time cell read as
/// `YYYY-MM-DD 00:00:00`), written `DD/MM/YYYY` as the provider takes it;
/// `None` for anything else, or a date before 1800.
///
/// ```
/// use gstbatch::time::day_month_year;
/// assert_eq!(day_month_year("1985-03-07").as_deref(), Some("07/03/1985"));
/// assert_eq!(day_month_year("7-3-1985").as_deref(), Some("07/03/1985"));
/// assert_eq!(day_month_year("31/02/1985"), None);
/// ```
pub fn day_month_year(text: &str) -> Option<String> {
    date(text).map(|d| d.format("%d/%m/%Y").to_string())
}

/// A date as people and Excel write them (the forms of [`day_month_year`],
/// and `05-Nov-2026`); a time after it is ignored.
///
/// ```
/// use gstbatch::time::date;
/// let d = chrono::NaiveDate::from_ymd_opt(2026, 11, 5).unwrap();
/// for text in ["2026-11-05", "05/11/2026", "5-11-2026", "05.11.2026", "05-Nov-2026", "2026-11-05 00:00:00"] {
///     assert_eq!(date(text), Some(d), "{text}");
/// }
/// assert_eq!(date("31/02/2026"), None);
/// assert_eq!(date("05/11/26"), None);
/// ```
pub fn date(text: &str) -> Option<NaiveDate> {
    let t = text.trim();
    let t = t.split_once(' ').map_or(t, |(date, _)| date);
    let date = ["%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%d-%b-%Y"]
        .iter()
        .find_map(|f| NaiveDate::parse_from_str(t, f).ok())?;
    let year = chrono::Datelike::year(&date);
    // A four-digit year, as for every time gstbatch reads.
    (1800..=9999).contains(&year).then_some(date)
}

/// A span of seconds as people read it: `29d 23h 59m`, `5h 0m`, `0m`; a
/// negative span reads as `0m`.
///
/// ```
/// use gstbatch::time::remaining;
/// assert_eq!(remaining(30 * 86400 - 60), "29d 23h 59m");
/// assert_eq!(remaining(5 * 3600), "5h 0m");
/// assert_eq!(remaining(59), "0m");
/// ```
pub fn remaining(seconds: i64) -> String {
    let minutes = seconds.max(0) / 60;
    let (d, h, m) = (minutes / 1440, minutes / 60 % 24, minutes % 60);
    match (d, h) {
        (0, 0) => format!("{m}m"),
        (0, _) => format!("{h}h {m}m"),
        _ => format!("{d}d {h}h {m}m"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3339_bytes_match_the_formatted_text() {
        for t in [0, 1_498_847_400, 1_764_130_500, 1_764_174_599, 4_102_444_799] {
            let t = from_epoch(t);
            let chrono = t.with_timezone(&ist()).format("%Y-%m-%dT%H:%M:%S+05:30").to_string();
            assert_eq!(format(&t), chrono);
        }
    }

    #[test]
    fn spec_6_accepted_formats_all_mean_the_same_moment() {
        let want = "2026-11-26T09:15:00+05:30";
        for text in [
            "2026-11-26T09:15:00+05:30",
            "2026-11-26T03:45:00Z",
            "2026-11-26T03:45:00+00:00",
            "2026-11-26 09:15",
            "2026-11-26 09:15:00",
            "2026-11-26T09:15",
            "2026-11-26T09:15:00",
            "26-11-2026 09:15",
            "26-11-2026 09:15:00",
            "26/11/2026 09:15",
            " 26/11/2026 09:15:00 ",
        ] {
            assert_eq!(format(&from_epoch(parse(text).unwrap())), want, "{text}");
        }
        assert_eq!(format(&from_epoch(parse("2026-11-26").unwrap())), "2026-11-26T00:00:00+05:30");
    }

    #[test]
    fn spec_6_rejected_times() {
        for text in [
            "",
            "tomorrow",
            "2026-13-01",
            "31/02/2026 10:00",
            "2026-11-26 25:00",
            "11/26/2026 09:15",
        ] {
            assert!(parse(text).is_err(), "{text}");
        }
        assert!(parse("x").unwrap_err().contains("RFC 3339"));
    }

    #[test]
    fn two_digit_years_and_absurd_years_are_refused() {
        for text in
            ["26/11/26 10:00", "26-11-26 10:00", "0026-11-26", "2017-06-30 23:59", "1999-01-01"]
        {
            let e = parse(text).unwrap_err();
            assert!(e.contains("four digits") && e.contains("RFC 3339"), "{text}: {e}");
        }
        for text in ["2100-01-01", "9999-12-31 23:59", "+10000-01-01T00:00:00Z"] {
            assert!(parse(text).is_err(), "{text}");
        }
        assert!(parse("2017-07-01").is_ok());
        assert_eq!(GST_BEGAN, parse_any("2017-07-01").unwrap());
    }

    #[test]
    fn format_matches_chrono_rfc3339() {
        for secs in [0i64, 1, 59, 86_399, 951_782_400, 1_764_000_000, 4_102_444_799] {
            let t = from_epoch(secs);
            assert_eq!(format(&t), t.format("%Y-%m-%dT%H:%M:%S%:z").to_string());
        }
    }

    proptest::proptest! {
        /// The fast path reads what chrono reads, to the second, and leaves
        /// to chrono whatever it does not read itself: digits anywhere in
        /// range or out of it, either offset sign, `Z`, and a few
        /// separators chrono may or may not take.
        #[test]
        fn fast_rfc3339_agrees_with_chrono(
            year in 0u32..10_000, month in 0u32..14, day in 0u32..33,
            hour in 0u32..26, minute in 0u32..62, second in 0u32..62,
            oh in 0u32..26, om in 0u32..62,
            sign in proptest::sample::select(vec!['+', '-', 'Z', '*']),
            sep in proptest::sample::select(vec!['T', 't', ' ', '_']),
        ) {
            let mut text = format!(
                "{year:04}-{month:02}-{day:02}{sep}{hour:02}:{minute:02}:{second:02}"
            );
            match sign {
                'Z' => text.push('Z'),
                s => text.push_str(&format!("{s}{oh:02}:{om:02}")),
            }
            let chrono = DateTime::parse_from_rfc3339(&text).ok().map(|t| t.timestamp());
            if let Some(fast) = rfc3339_seconds(text.as_bytes()) {
                proptest::prop_assert_eq!(Some(fast), chrono, "{}", text);
            }
            if chrono.is_some() {
                proptest::prop_assert_eq!(parse_any(&text).ok(), chrono, "{}", text);
            }
        }
    }

    #[test]
    fn fast_rfc3339_reads_the_usual_forms_and_leaves_the_rest() {
        let at = |t: &str| rfc3339_seconds(t.as_bytes());
        assert_eq!(at("2026-11-26T09:15:00+05:30"), Some(1_795_664_700));
        assert_eq!(at("2026-11-26T03:45:00Z"), Some(1_795_664_700));
        assert_eq!(at("2026-11-25T22:15:00-05:30"), Some(1_795_664_700));
        for other in [
            "2026-11-26T09:15:00.5+05:30",
            "2026-11-26 09:15:00+05:30",
            "2026-11-26t09:15:00+05:30",
            "2016-12-31T23:59:60Z",
            "2026-02-29T09:15:00+05:30",
            "2026-11-26T09:15:00+05:60",
            "2026-11-26T09:15:00+24:00",
            "2026-11-26T09:15:00z",
            "2026-11-26T09:15:00",
            "2026-11-26T09:15",
            "+2026-11-26T09:15:00Z",
        ] {
            assert_eq!(at(other), None, "{other}");
        }
    }

    #[test]
    fn epoch_round_trip() {
        let seconds = parse("2026-11-26 09:15:07").unwrap();
        assert_eq!(from_epoch(seconds).timestamp(), seconds);
        assert_eq!(format(&from_epoch(seconds)), "2026-11-26T09:15:07+05:30");
    }

    #[test]
    fn bounds_are_the_moments_gst_began_and_the_year_2100_began_in_ist() {
        assert_eq!(parse("2017-07-01 00:00"), Ok(GST_BEGAN));
        assert!(parse("2017-06-30T18:29:59Z").is_err());
        assert_eq!(parse("2099-12-31T23:59:59+05:30"), Ok(LAST_YEAR_BEGAN - 1));
        let e = parse("2099-12-31T18:30:00Z").unwrap_err();
        assert!(e.contains("year 2100"), "{e}");
    }
}
