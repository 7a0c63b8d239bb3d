//! Whether the credit on a supplier's document can be claimed, from what
//! the provider said (SPEC.md 7.3). Pure: dates in, verdicts out.

use chrono::NaiveDate;

/// A supplier's registration on a document's date (SPEC.md 7.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OnDate {
    /// Registered: on or after the registration date, before any
    /// cancellation.
    Registered,
    /// Dated before the registration: no credit.
    BeforeRegistration,
    /// Dated on or after the cancellation date (often set back in time):
    /// no credit.
    AfterCancellation,
}

impl OnDate {
    /// The stable name, as reported.
    pub fn as_str(self) -> &'static str {
        match self {
            OnDate::Registered => "registered",
            OnDate::BeforeRegistration => "before_registration",
            OnDate::AfterCancellation => "after_cancellation",
        }
    }

    /// What it means for the credit, in one sentence, for a document of
    /// `date` and the registration's dates.
    pub fn message(self, date: NaiveDate, registered: &str, cancelled: &str) -> Option<String> {
        match self {
            OnDate::Registered => None,
            OnDate::BeforeRegistration => Some(format!(
                "the document of {date} is dated before the supplier's registration on \
                 {registered}: no input tax credit can be claimed on it"
            )),
            OnDate::AfterCancellation => Some(format!(
                "the document of {date} is dated on or after the supplier's cancellation from \
                 {cancelled}: no input tax credit can be claimed on it"
            )),
        }
    }
}

/// The registration on `date`, from the answer's ISO registration and
/// cancellation dates; `None` when the answer has no registration date
/// (no record: not found, not asked). A document dated on the cancellation
/// date itself is after it (SPEC.md 7.3's decision).
pub fn on_date(date: NaiveDate, registered: &str, cancelled: &str) -> Option<OnDate> {
    let registered = crate::time::date(registered)?;
    Some(if date < registered {
        OnDate::BeforeRegistration
    } else if crate::time::date(cancelled).is_some_and(|c| date >= c) {
        OnDate::AfterCancellation
    } else {
        OnDate::Registered
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        crate::time::date(s).unwrap()
    }

    #[test]
    fn spec_7_3_registration_on_the_document_date() {
        let cases = [
            ("2026-11-05", "2017-07-01", "", Some(OnDate::Registered)),
            ("2017-07-01", "2017-07-01", "", Some(OnDate::Registered)),
            ("2017-06-30", "2017-07-01", "", Some(OnDate::BeforeRegistration)),
            ("2026-09-30", "2017-07-01", "2026-10-01", Some(OnDate::Registered)),
            ("2026-10-01", "2017-07-01", "2026-10-01", Some(OnDate::AfterCancellation)),
            ("2026-11-05", "2017-07-01", "2026-10-01", Some(OnDate::AfterCancellation)),
            // A cancellation given as "-" or "NA" by the provider was blanked
            // when read; any text that is no date is no cancellation.
            ("2026-11-05", "2017-07-01", "NA", Some(OnDate::Registered)),
            ("2026-11-05", "", "", None),
            ("2026-11-05", "pending", "", None),
        ];
        for (date, reg, cx, want) in cases {
            assert_eq!(on_date(d(date), reg, cx), want, "{date} {reg} {cx}");
        }
        let m = OnDate::AfterCancellation.message(d("2026-11-05"), "2017-07-01", "2026-10-01");
        assert!(m.unwrap().contains("cancellation from 2026-10-01"));
        assert_eq!(OnDate::Registered.message(d("2026-11-05"), "", ""), None);
    }
}
