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

/// A tax period: a month, named by its year and month (a quarter by its
/// last month, as the provider's `ret_prd` names it).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
pub struct Period {
    /// The calendar year.
    pub year: i32,
    /// The month, 1 to 12.
    pub month: u32,
}

impl Period {
    /// The period of `ret_prd` (`MMYYYY`).
    pub fn from_ret_prd(text: &str) -> Option<Period> {
        let t = text.trim();
        if t.len() != 6 || !t.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let (month, year) = (t[..2].parse().ok()?, t[2..].parse().ok()?);
        (1..=12).contains(&month).then_some(Period { year, month })
    }

    /// The month after, `n` times.
    fn plus(self, n: u32) -> Period {
        let m = self.month - 1 + n;
        Period { year: self.year + (m / 12) as i32, month: m % 12 + 1 }
    }

    /// The day `day` of the month after this period.
    fn day_after(self, day: u32) -> NaiveDate {
        let next = self.plus(1);
        NaiveDate::from_ymd_opt(next.year, next.month, day).unwrap_or(NaiveDate::MAX)
    }
}

impl std::fmt::Display for Period {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}-{:02}", self.year, self.month)
    }
}

/// How often a supplier files: monthly, or quarterly under QRMP.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Frequency {
    /// Every month.
    Monthly,
    /// Every quarter (QRMP): periods are the quarters' last months.
    Quarterly,
}

impl Frequency {
    /// The stable name, as reported.
    pub fn as_str(self) -> &'static str {
        match self {
            Frequency::Monthly => "monthly",
            Frequency::Quarterly => "quarterly",
        }
    }
}

/// The two returns the credit depends on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Return {
    /// The outward supplies (what reaches the buyer's GSTR-2B).
    Gstr1,
    /// The summary return that pays the tax.
    Gstr3b,
}

impl Return {
    /// The provider's `rtntype`.
    pub fn rtntype(self) -> &'static str {
        match self {
            Return::Gstr1 => "GSTR1",
            Return::Gstr3b => "GSTR3B",
        }
    }
}

/// State codes whose quarterly GSTR-3B is due on the 22nd; the others with
/// QRMP (01 to 21, 38) file by the 24th (SPEC.md 7.3).
const QRMP_22ND: [u8; 14] = [22, 23, 24, 26, 27, 29, 30, 31, 32, 33, 34, 35, 36, 37];

/// The due dates (Rules 59 and 61): the day of the month after the period,
/// by return and frequency. Dates move by notification: they are this
/// table, not code.
const DUE_DAY: [(Return, Frequency, u32); 3] = [
    (Return::Gstr1, Frequency::Monthly, 11),
    (Return::Gstr1, Frequency::Quarterly, 13),
    (Return::Gstr3b, Frequency::Monthly, 20),
];

/// When `ret` for `period` is due, for a supplier filing at `frequency`
/// from state `state` (the GSTIN's first two digits). Codes without QRMP
/// (96, 97, 99) file on the monthly dates.
pub fn due(ret: Return, period: Period, frequency: Frequency, state: u8) -> NaiveDate {
    let qrmp = matches!(state, 1..=38);
    let frequency = if qrmp { frequency } else { Frequency::Monthly };
    let day = match (ret, frequency) {
        (Return::Gstr3b, Frequency::Quarterly) if QRMP_22ND.contains(&state) => 22,
        (Return::Gstr3b, Frequency::Quarterly) => 24,
        _ => {
            DUE_DAY.iter().find(|(r, f, _)| *r == ret && *f == frequency).map_or(20, |(_, _, d)| *d)
        }
    };
    period.day_after(day)
}

/// The first year of the financial year `date` falls in (April to March):
/// 2025 for 2026-02-01, "FY 2025-26".
pub fn financial_year(date: NaiveDate) -> i32 {
    use chrono::Datelike;
    if date.month() >= 4 { date.year() } else { date.year() - 1 }
}

/// `FY 2025-26`, as the provider's `financial_year` parameter writes it.
pub fn fy_label(year: i32) -> String {
    format!("FY {year}-{:02}", (year + 1) % 100)
}

/// The financial year `--returns` names: `2025-26`, `FY 2025-26`, `2025`,
/// `current` or `previous` (relative to `today`).
///
/// # Errors
/// What is wrong with the text.
pub fn parse_fy(text: &str, today: NaiveDate) -> Result<i32, String> {
    let t = text.trim();
    let t = t.strip_prefix("FY").or_else(|| t.strip_prefix("fy")).unwrap_or(t).trim();
    let bad = || {
        format!(
            "--returns {text:?}: give a financial year as 2025-26, FY 2025-26 or 2025, or \
             current or previous"
        )
    };
    let year = match t.to_ascii_lowercase().as_str() {
        "current" => financial_year(today),
        "previous" => financial_year(today) - 1,
        _ => {
            let (first, second) = t.split_once('-').map_or((t, None), |(a, b)| (a, Some(b)));
            let year: i32 = first.parse().map_err(|_| bad())?;
            if first.len() != 4 || !(2017..=2100).contains(&year) {
                return Err(bad());
            }
            if let Some(second) = second {
                let next: i32 = second.parse().map_err(|_| bad())?;
                let ok = (second.len() == 2 && next == (year + 1) % 100)
                    || (second.len() == 4 && next == year + 1);
                if !ok {
                    return Err(format!("--returns {text:?}: {second} does not follow {first}"));
                }
            }
            year
        }
    };
    Ok(year)
}

/// The tax period of a document dated `date`: its month, or the last month
/// of its quarter for a quarterly filer.
pub fn period_of(date: NaiveDate, frequency: Frequency) -> Period {
    use chrono::Datelike;
    let month = match frequency {
        Frequency::Monthly => date.month(),
        Frequency::Quarterly => date.month().div_ceil(3) * 3,
    };
    Period { year: date.year(), month }
}

/// The periods of financial year `year` at `frequency`, in order.
pub fn periods(year: i32, frequency: Frequency) -> Vec<Period> {
    let april = Period { year, month: 4 };
    match frequency {
        Frequency::Monthly => (0..12).map(|n| april.plus(n)).collect(),
        Frequency::Quarterly => (0..4).map(|n| april.plus(3 * n + 2)).collect(),
    }
}

/// One return filed, from the provider's `EFiledlist`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Filing {
    /// `rtntype` (`GSTR1`, `GSTR3B`, ...).
    pub rtntype: String,
    /// `ret_prd`, read.
    pub period: Period,
    /// `dof`, when readable (kept as ISO text in the store).
    #[serde(with = "iso")]
    pub filed_on: Option<NaiveDate>,
    /// Whether `status` says `Filed`.
    pub filed: bool,
}

/// A date as ISO text in the store.
mod iso {
    use chrono::NaiveDate;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(d: &Option<NaiveDate>, s: S) -> Result<S::Ok, S::Error> {
        match d {
            Some(d) => s.serialize_str(&d.to_string()),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<NaiveDate>, D::Error> {
        let text: Option<String> = Option::deserialize(d)?;
        Ok(text.and_then(|t| crate::time::date(&t)))
    }
}

/// Whether a return for a document's period was filed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Filed {
    /// Filed by its due date.
    Yes,
    /// Filed after its due date, on this day.
    Late(NaiveDate),
    /// Not filed.
    No,
}

impl Filed {
    /// As reported: `yes`, `late 2026-01-05`, `no`.
    pub fn text(self) -> String {
        match self {
            Filed::Yes => "yes".into(),
            Filed::Late(d) => format!("late {d}"),
            Filed::No => "no".into(),
        }
    }
}

/// Whether `ret` for `period` is among `filings`, and when against `due`.
pub fn filed(filings: &[Filing], ret: Return, period: Period, due: NaiveDate) -> Filed {
    let found = filings
        .iter()
        .filter(|f| f.filed && f.period == period && f.rtntype.eq_ignore_ascii_case(ret.rtntype()))
        .min_by_key(|f| f.filed_on);
    match found {
        None => Filed::No,
        Some(f) => match f.filed_on {
            Some(d) if d > due => Filed::Late(d),
            _ => Filed::Yes,
        },
    }
}

/// How a supplier files: as the provider's preference says, else
/// quarterly when every GSTR-1 and GSTR-3B it filed is on a quarter's last
/// month, else monthly (SPEC.md 7.3).
pub fn frequency(preference: Option<Frequency>, filings: &[Filing]) -> Frequency {
    if let Some(p) = preference {
        return p;
    }
    let mut ours = filings.iter().filter(|f| {
        f.rtntype.eq_ignore_ascii_case("GSTR1") || f.rtntype.eq_ignore_ascii_case("GSTR3B")
    });
    let first = ours.next();
    if first.is_some() && first.into_iter().chain(ours).all(|f| f.period.month % 3 == 0) {
        Frequency::Quarterly
    } else {
        Frequency::Monthly
    }
}

/// How a supplier filed in the quarter ending with `quarter_end`: monthly
/// when it filed a GSTR-1 or GSTR-3B for a month of the quarter other than
/// its last, quarterly when only for the last; `None` when it filed nothing
/// for the quarter. A supplier may move in or out of QRMP from one quarter
/// to the next, so each quarter is judged by its own filings.
fn quarter_frequency(filings: &[Filing], quarter_end: Period) -> Option<Frequency> {
    let ours = filings.iter().filter(|f| {
        f.period.year == quarter_end.year
            && f.period.month.div_ceil(3) == quarter_end.month.div_ceil(3)
            && (f.rtntype.eq_ignore_ascii_case("GSTR1") || f.rtntype.eq_ignore_ascii_case("GSTR3B"))
    });
    let mut any = false;
    for f in ours {
        if f.period.month != quarter_end.month {
            return Some(Frequency::Monthly);
        }
        any = true;
    }
    any.then_some(Frequency::Quarterly)
}

/// How a supplier filed for a document of `date`: by its quarter's own
/// filings, else as the year's say ([`frequency`]).
pub fn frequency_on(filings: &[Filing], date: NaiveDate) -> Frequency {
    quarter_frequency(filings, period_of(date, Frequency::Quarterly))
        .unwrap_or_else(|| frequency(None, filings))
}

/// The last period for which `ret` was filed.
pub fn last_filed(filings: &[Filing], ret: Return) -> Option<Period> {
    filings
        .iter()
        .filter(|f| f.filed && f.rtntype.eq_ignore_ascii_case(ret.rtntype()))
        .map(|f| f.period)
        .max()
}

/// The periods of financial year `year` whose GSTR-3B was due before
/// `today` and is not filed: each quarter's months, or its last month for a
/// quarter filed quarterly (by its own filings, else `frequency`).
pub fn gstr3b_missing(
    filings: &[Filing],
    year: i32,
    frequency: Frequency,
    state: u8,
    today: NaiveDate,
) -> Vec<Period> {
    let mut missing = Vec::new();
    for end in periods(year, Frequency::Quarterly) {
        let freq = quarter_frequency(filings, end).unwrap_or(frequency);
        let months: Vec<Period> = match freq {
            Frequency::Monthly => {
                (0..3).map(|n| Period { month: end.month - 2 + n, ..end }).collect()
            }
            Frequency::Quarterly => vec![end],
        };
        missing.extend(months.into_iter().filter(|&p| {
            today > due(Return::Gstr3b, p, freq, state)
                && filed(filings, Return::Gstr3b, p, NaiveDate::MAX) == Filed::No
        }));
    }
    missing
}

/// The risk to the credit on one document (SPEC.md 7.3's decisions).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Risk {
    /// Both returns filed: nothing known against the credit.
    None,
    /// GSTR-1 for the period not filed: the invoice is not in GSTR-2B yet.
    NotIn2bYet,
    /// GSTR-3B for the period is past due and not filed: the tax has not
    /// been paid (section 16(2)(c)).
    TaxNotPaid,
    /// GSTR-3B for the period still unfiled after 30 September following
    /// the document's financial year: the credit must be reversed (Rule 37A).
    Rule37a,
}

impl Risk {
    /// The stable name, as reported.
    pub fn as_str(self) -> &'static str {
        match self {
            Risk::None => "none",
            Risk::NotIn2bYet => "not_in_2b_yet",
            Risk::TaxNotPaid => "tax_not_paid",
            Risk::Rule37a => "rule_37a",
        }
    }

    /// What it means, in one sentence a non-specialist understands.
    pub fn message(self, period: Period) -> Option<String> {
        match self {
            Risk::None => None,
            Risk::NotIn2bYet => Some(format!(
                "the supplier has not filed GSTR-1 for {period}, so this invoice is not in your \
                 GSTR-2B yet: wait before claiming the credit"
            )),
            Risk::TaxNotPaid => Some(format!(
                "the supplier's GSTR-3B for {period} is past due and not filed, so the tax on \
                 this invoice has not been paid (section 16(2)(c)): the credit is at risk"
            )),
            Risk::Rule37a => Some(format!(
                "the supplier had not filed GSTR-3B for {period} by 30 September after the \
                 year's end: reverse this credit (Rule 37A; gstbatch takes the invoice date's \
                 year as the year the credit was taken), and claim it again once they file"
            )),
        }
    }
}

/// The risk to the credit on a document of `date` in `period`, from the two
/// returns' state, at `today` (SPEC.md 7.3).
pub fn risk(
    (gstr1, gstr3b): (Filed, Filed),
    date: NaiveDate,
    due_3b: NaiveDate,
    today: NaiveDate,
) -> Risk {
    let deadline_37a =
        NaiveDate::from_ymd_opt(financial_year(date) + 1, 9, 30).unwrap_or(NaiveDate::MAX);
    match (gstr1, gstr3b) {
        (_, Filed::No) if today > deadline_37a => Risk::Rule37a,
        (_, Filed::No) if today > due_3b => Risk::TaxNotPaid,
        (Filed::No, _) => Risk::NotIn2bYet,
        _ => Risk::None,
    }
}

#[cfg(test)]
mod tests;
