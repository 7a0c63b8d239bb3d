//! The provider's answers to a GSTIN search and to a PAN verification,
//! read (SPEC.md 7.1) and judged (SPEC.md 7.2).

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// What gstbatch concludes about one identifier.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Verdict {
    /// Registered and active.
    Active,
    /// Cancelled (with the cancellation date).
    Cancelled,
    /// Suspended.
    Suspended,
    /// Any other status (kept verbatim in `gst_status`).
    Inactive,
    /// GSTN has no such registration.
    NotFound,
    /// A PAN that is valid and operative.
    Valid,
    /// A valid individual's PAN not linked with Aadhaar: inoperative since
    /// 2023-07-01 (Rule 114AAA).
    Inoperative,
    /// A PAN that is not valid (`remarks` says why).
    Invalid,
    /// Failed the offline check; never sent.
    Malformed,
    /// No answer after the retries.
    Unavailable,
    /// The provider answered with something that is not a verdict (an
    /// error code it did not explain, an answer for another identifier, a
    /// body that is not the contract's): paid for, not cached, not retried.
    ProviderError,
    /// A GSTIN the provider's own pre-check refuses (SPEC.md 7.1: a 14th
    /// character other than `C` or `Z`, as TDS, OIDAR and NRTP GSTINs
    /// have): never sent, or refused with 422.
    ProviderRefused,
    /// Not asked: budget, `--offline`, `--dry-run`, or a stop.
    NotChecked,
    /// A return-tracking answer: the filings, never a row's verdict.
    Tracked,
}

impl Verdict {
    /// Every verdict, in report order.
    pub const ALL: [Verdict; 14] = [
        Verdict::Active,
        Verdict::Cancelled,
        Verdict::Suspended,
        Verdict::Inactive,
        Verdict::NotFound,
        Verdict::Valid,
        Verdict::Inoperative,
        Verdict::Invalid,
        Verdict::Malformed,
        Verdict::Unavailable,
        Verdict::ProviderError,
        Verdict::ProviderRefused,
        Verdict::NotChecked,
        Verdict::Tracked,
    ];

    /// The stable name.
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Active => "active",
            Verdict::Cancelled => "cancelled",
            Verdict::Suspended => "suspended",
            Verdict::Inactive => "inactive",
            Verdict::NotFound => "not_found",
            Verdict::Valid => "valid",
            Verdict::Inoperative => "inoperative",
            Verdict::Invalid => "invalid",
            Verdict::Malformed => "malformed",
            Verdict::Unavailable => "unavailable",
            Verdict::ProviderError => "provider_error",
            Verdict::ProviderRefused => "provider_refused",
            Verdict::NotChecked => "not_checked",
            Verdict::Tracked => "tracked",
        }
    }

    /// The verdict with this stable name.
    pub fn from_name(name: &str) -> Option<Verdict> {
        Verdict::ALL.into_iter().find(|v| v.as_str() == name)
    }
}

/// The registration's fields gstbatch reports, as read from the answer.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Record {
    /// `sts`, verbatim.
    pub gst_status: String,
    /// `lgnm`.
    pub legal_name: String,
    /// `tradeNam`.
    pub trade_name: String,
    /// `rgdt`, ISO.
    pub registration_date: String,
    /// `cxdt`, ISO.
    pub cancellation_date: String,
    /// `ctb`.
    pub constitution: String,
    /// `dty`.
    pub taxpayer_type: String,
    /// `pradr.addr`, one line.
    pub address: String,
    /// `pradr.addr.pncd`.
    pub pincode: String,
    /// `lstupdt`, ISO.
    pub last_updated: String,
    /// The provider's message, for answers without a record (`NOGSTIN`).
    pub message: String,
    /// A PAN's holder category (`individual`, `company`, ...).
    #[serde(default)]
    pub pan_category: String,
    /// A PAN's remarks (`Deleted`, `Holder is Deceased`, ...).
    #[serde(default)]
    pub pan_remarks: String,
    /// Whether the name sent matches the PAN's, by the provider.
    #[serde(default)]
    pub name_match: Option<bool>,
    /// Whether the date of birth sent matches, by the provider.
    #[serde(default)]
    pub dob_match: Option<bool>,
    /// Aadhaar seeding: `y`, `n` or `na`.
    #[serde(default)]
    pub aadhaar_seeding: String,
    /// A return-tracking answer's filings.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub filings: Vec<crate::verify::credit::Filing>,
}

/// A read answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Parsed {
    /// The verdict.
    pub verdict: Verdict,
    /// The fields.
    pub record: Record,
    /// The provider's `transaction_id`.
    pub transaction_id: String,
}

/// Why a 200 body is not a verdict.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unread {
    /// Not JSON at all (a gateway's HTML page, a body cut short): worth
    /// another try (SPEC.md 7.2).
    NotJson,
    /// Well-formed JSON that is not a verdict: the same question would get
    /// the same answer, so it is `provider_error` at once, with why.
    NotVerdict(String),
}

/// A 200 body's JSON and its `transaction_id`, or [`Unread::NotJson`].
fn envelope(body: &str) -> Result<(Value, String), Unread> {
    let v: Value = serde_json::from_str(body).map_err(|_| Unread::NotJson)?;
    let transaction_id = text(&v, "transaction_id");
    Ok((v, transaction_id))
}

/// A GST failure inside a 200 (SPEC.md 7.1): `data.status_cd` `"0"`, an
/// `error` object or list, or a flat `error_code`. Returns the code and the
/// message.
fn gst_failure(data: &Value) -> Option<(String, String)> {
    let coded = |v: &Value| {
        let code =
            ["error_cd", "error_code", "code"].iter().map(|k| text(v, k)).find(|c| !c.is_empty());
        (code.unwrap_or_default(), text(v, "message"))
    };
    if let Some(e) = data.get("error").filter(|e| !e.is_null()) {
        let first = e.as_array().and_then(|a| a.first()).unwrap_or(e);
        return Some(if first.is_object() {
            coded(first)
        } else {
            (String::new(), printable(&first.to_string()).into_owned())
        });
    }
    if data.get("error_code").is_some() || data.get("error_cd").is_some() {
        return Some(coded(data));
    }
    let failed = matches!(data.get("status_cd"), Some(Value::String(s)) if s.trim() == "0")
        || data.get("status_cd").and_then(Value::as_i64) == Some(0);
    failed.then(|| coded(data))
}

/// Reads a 200 response body to the GSTIN search for `asked`.
///
/// # Errors
/// [`Unread`]: not JSON (retried), or not a verdict for `asked`.
pub fn parse(body: &str, asked: &str) -> Result<Parsed, Unread> {
    let (v, transaction_id) = envelope(body)?;
    let not = |why: String| Unread::NotVerdict(why);
    let mut data = v.get("data").ok_or_else(|| not("the answer holds no data".into()))?;
    if let Some((code, message)) = gst_failure(data) {
        let message = format!("{code}: {message}");
        return match code.as_str() {
            "NOGSTIN" | "SWEB_9035" => Ok(Parsed {
                verdict: Verdict::NotFound,
                record: Record { message, ..Record::default() },
                transaction_id,
            }),
            _ => Err(not(format!("the provider answered with an error: {message}"))),
        };
    }
    // Some answers nest the record one level deeper, beside `status_cd`.
    if let Some(inner) = data.get("data").filter(|d| d.is_object()) {
        data = inner;
    }
    if !data.is_object() {
        return Err(not("the answer's data is not a taxpayer record".into()));
    }
    let sts = text(data, "sts");
    let gstin = text(data, "gstin");
    if sts.is_empty() && gstin.is_empty() {
        return Err(not("the answer holds neither a GSTIN nor a status".into()));
    }
    if !gstin.eq_ignore_ascii_case(asked) {
        return Err(not(format!("the answer is for {gstin:?}, not the GSTIN asked ({asked})")));
    }
    let lower = sts.to_ascii_lowercase();
    let verdict = match lower.as_str() {
        "active" => Verdict::Active,
        s if s.starts_with("cancel") => Verdict::Cancelled,
        "suspended" => Verdict::Suspended,
        _ => Verdict::Inactive,
    };
    let addr = data.get("pradr").and_then(|p| p.get("addr")).unwrap_or(&Value::Null);
    let address = ["bno", "flno", "bnm", "st", "loc", "city", "dst", "stcd"]
        .iter()
        .map(|k| text(addr, k))
        .filter(|s| !s.trim().is_empty())
        .collect::<Vec<_>>()
        .join(", ");
    let record = Record {
        gst_status: sts,
        legal_name: text(data, "lgnm"),
        trade_name: text(data, "tradeNam"),
        registration_date: iso_date(&text(data, "rgdt")),
        cancellation_date: match text(data, "cxdt").as_str() {
            "-" | "NA" | "N/A" => String::new(),
            cxdt => iso_date(cxdt),
        },
        constitution: text(data, "ctb"),
        taxpayer_type: text(data, "dty"),
        address,
        pincode: text(addr, "pncd"),
        last_updated: iso_date(
            &Some(text(data, "lstupdt"))
                .filter(|t| !t.is_empty())
                .unwrap_or_else(|| text(data, "lstupddt")),
        ),
        ..Record::default()
    };
    Ok(Parsed { verdict, record, transaction_id })
}

/// Reads a 200 response body to the PAN verification of `asked`.
///
/// # Errors
/// [`Unread`]: not JSON (retried), or not a verdict for `asked`.
pub fn parse_pan(body: &str, asked: &str) -> Result<Parsed, Unread> {
    let (v, transaction_id) = envelope(body)?;
    let not = |why: String| Unread::NotVerdict(why);
    let data = v
        .get("data")
        .filter(|d| d.is_object())
        .ok_or_else(|| not("the answer holds no data".into()))?;
    if let Some((code, message)) = gst_failure(data) {
        return Err(not(format!("the provider answered with an error: {code}: {message}")));
    }
    let pan = text(data, "pan");
    if !pan.eq_ignore_ascii_case(asked) {
        return Err(not(format!("the answer is for {pan:?}, not the PAN asked ({asked})")));
    }
    let status = text(data, "status").to_ascii_lowercase();
    let category = text(data, "category").to_ascii_lowercase();
    let seeding = text(data, "aadhaar_seeding_status").to_ascii_lowercase();
    let verdict = match status.as_str() {
        "valid" if category == "individual" && seeding == "n" => Verdict::Inoperative,
        "valid" => Verdict::Valid,
        "invalid" => Verdict::Invalid,
        other => {
            return Err(not(format!("the PAN status {other:?} is not one the contract names")));
        }
    };
    let record = Record {
        pan_category: category,
        pan_remarks: text(data, "remarks"),
        name_match: data.get("name_as_per_pan_match").and_then(Value::as_bool),
        dob_match: data.get("date_of_birth_match").and_then(Value::as_bool),
        aadhaar_seeding: seeding,
        ..Record::default()
    };
    Ok(Parsed { verdict, record, transaction_id })
}

/// Reads a 200 response body to the return-tracking call (SPEC.md 7.1):
/// the filings in `data.data.EFiledlist`, `data.EFiledlist` or a bare list;
/// `RET13510` ("no record") is nothing filed. A row whose `ret_prd` cannot
/// be read is left out.
///
/// # Errors
/// [`Unread`]: not JSON (retried), or any other GST error ("Select valid
/// FY"), or no list of filings.
pub fn parse_returns(body: &str) -> Result<Vec<crate::verify::credit::Filing>, Unread> {
    filings(&envelope(body)?.0)
}

/// [`parse_returns`] of the body's JSON, already read.
fn filings(v: &Value) -> Result<Vec<crate::verify::credit::Filing>, Unread> {
    use crate::verify::credit::{Filing, Period};
    let not = |why: String| Unread::NotVerdict(why);
    let data = v.get("data").ok_or_else(|| not("the answer holds no data".into()))?;
    if let Some((code, message)) = gst_failure(data) {
        return match code.as_str() {
            "RET13510" => Ok(Vec::new()),
            _ => Err(not(format!("the provider answered with an error: {code}: {message}"))),
        };
    }
    let list = [data.pointer("/data/EFiledlist"), data.get("EFiledlist"), Some(data)]
        .into_iter()
        .flatten()
        .find_map(Value::as_array)
        .ok_or_else(|| not("the answer holds no list of filings (EFiledlist)".into()))?;
    Ok(list
        .iter()
        .filter_map(|f| {
            let period = Period::from_ret_prd(&text(f, "ret_prd"))?;
            let dof = text(f, "dof").replace('/', "-");
            Some(Filing {
                rtntype: text(f, "rtntype").to_ascii_uppercase(),
                period,
                filed_on: chrono::NaiveDate::parse_from_str(&dof, "%d-%m-%Y").ok(),
                filed: text(f, "status").eq_ignore_ascii_case("filed"),
            })
        })
        .collect())
}

/// [`parse_returns`] as a [`Parsed`] answer, to be stored like any other:
/// verdict [`Verdict::Tracked`], the filings in its record.
///
/// # Errors
/// As [`parse_returns`].
pub fn parse_tracked(body: &str) -> Result<Parsed, Unread> {
    let (v, transaction_id) = envelope(body)?;
    let filings = filings(&v)?;
    Ok(Parsed {
        verdict: Verdict::Tracked,
        record: Record { filings, ..Record::default() },
        transaction_id,
    })
}

/// `s` with every control character (and every bidirectional override)
/// written as `<U+XXXX>`: provider text reaches terminals and text reports,
/// and an escape sequence in it must never act on them.
pub fn printable(s: &str) -> std::borrow::Cow<'_, str> {
    let bad =
        |c: char| c.is_control() || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}');
    if !s.chars().any(bad) {
        return std::borrow::Cow::Borrowed(s);
    }
    std::borrow::Cow::Owned(
        s.chars()
            .map(|c| if bad(c) { format!("<U+{:04X}>", c as u32) } else { c.to_string() })
            .collect(),
    )
}

/// A field as text: strings as they are, numbers written out, anything
/// else (missing, null) blank.
fn text(v: &Value, key: &str) -> String {
    match v.get(key) {
        Some(Value::String(s)) => printable(s.trim()).into_owned(),
        Some(Value::Number(n)) => n.to_string(),
        _ => String::new(),
    }
}

/// `DD/MM/YYYY` as ISO `YYYY-MM-DD`; anything else as given.
fn iso_date(s: &str) -> String {
    let parts: Vec<&str> = s.split('/').collect();
    match parts[..] {
        [d, m, y] if d.len() == 2 && m.len() == 2 && y.len() == 4 => format!("{y}-{m}-{d}"),
        _ => s.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(data: &str) -> String {
        format!(r#"{{"code":200,"timestamp":1,"transaction_id":"t-1","data":{data}}}"#)
    }

    #[test]
    fn spec_7_1_both_data_shapes_and_every_status() {
        let record = r#"{"gstin":"27AAPFU0939F1ZV","lgnm":"ACME UDYOG LLP","tradeNam":"ACME","sts":"Active",
            "rgdt":"01/07/2017","cxdt":"","lstupdt":"05/11/2026","ctb":"Limited Liability Partnership",
            "dty":"Regular","pradr":{"addr":{"bno":"12","st":"MG Road","loc":"Pune","dst":"Pune",
            "stcd":"Maharashtra","pncd":"411001"}},"unknown":[1,2]}"#;
        for data in [record.to_string(), format!(r#"{{"status_cd":"1","data":{record}}}"#)] {
            let p = parse(&body(&data), "27AAPFU0939F1ZV").unwrap();
            assert_eq!(p.verdict, Verdict::Active);
            assert_eq!(p.transaction_id, "t-1");
            assert_eq!(p.record.legal_name, "ACME UDYOG LLP");
            assert_eq!(p.record.registration_date, "2017-07-01");
            assert_eq!(p.record.last_updated, "2026-11-05");
            assert_eq!(p.record.address, "12, MG Road, Pune, Pune, Maharashtra");
            assert_eq!(p.record.pincode, "411001");
        }
        for (sts, want) in [
            ("Cancelled", Verdict::Cancelled),
            ("Cancelled suo-moto", Verdict::Cancelled),
            ("Suspended", Verdict::Suspended),
            ("Inactive", Verdict::Inactive),
            ("Provisional", Verdict::Inactive),
        ] {
            let p =
                parse(&body(&format!(r#"{{"gstin":"X","sts":"{sts}","cxdt":"02/03/2024"}}"#)), "X");
            let p = p.unwrap();
            assert_eq!((p.verdict, p.record.gst_status.as_str()), (want, sts));
            assert_eq!(p.record.cancellation_date, "2024-03-02");
        }
        for code in ["NOGSTIN", "SWEB_9035"] {
            let p = parse(
                &body(&format!(r#"{{"error_code":"{code}","message":"No records found"}}"#)),
                "X",
            );
            let p = p.unwrap();
            assert_eq!(p.verdict, Verdict::NotFound);
            assert!(p.record.message.starts_with(code));
        }
    }

    #[test]
    fn what_is_not_json_is_retried_and_what_is_not_a_verdict_is_not() {
        for b in ["", "<html>", "{\"data\":", "\u{1b}[2J"] {
            assert_eq!(parse(b, "X"), Err(Unread::NotJson), "{b}");
            assert_eq!(parse_pan(b, "X"), Err(Unread::NotJson), "{b}");
        }
        let not_verdict = |b: &str| matches!(parse(b, "X"), Err(Unread::NotVerdict(_)));
        for b in [
            "{}".to_string(),
            r#"{"code":200}"#.to_string(),
            r#"{"data":"x"}"#.to_string(),
            body("{}"),
            body("[1]"),
            body(r#"{"error_code":"OTHER"}"#),
            body(r#"{"error_cd":"RET191106","message":"Unknown"}"#),
            body(r#"{"status_cd":"0","error":{"error_cd":"GSP102","message":"Invalid"}}"#),
            body(r#"{"status_cd":0}"#),
            body(r#"{"error":[{"code":"E1","message":"m"}]}"#),
            body(r#"{"error":"plain text"}"#),
        ] {
            assert!(not_verdict(&b), "{b}");
        }
        // The provider's code and message are kept, for the report.
        let Err(Unread::NotVerdict(why)) = parse(
            &body(r#"{"status_cd":"0","error":{"error_cd":"GSP102","message":"Invalid"}}"#),
            "X",
        ) else {
            panic!("not a provider error");
        };
        assert!(why.contains("GSP102: Invalid"), "{why}");
    }

    #[test]
    fn an_answer_for_another_identifier_is_not_a_verdict() {
        let b = body(r#"{"gstin":"27AAPFU0939F1ZV","sts":"Active"}"#);
        assert_eq!(parse(&b, "27aapfu0939f1zv").unwrap().verdict, Verdict::Active);
        for asked in ["29AAPFU0939F1ZT", "", "27AAPFU0939F1Z"] {
            let Err(Unread::NotVerdict(why)) = parse(&b, asked) else { panic!("{asked} accepted") };
            assert!(why.contains("27AAPFU0939F1ZV"), "{why}");
        }
        // A record without its GSTIN is not known to be the one asked.
        assert!(matches!(parse(&body(r#"{"sts":"Active"}"#), "X"), Err(Unread::NotVerdict(_))));
        let b = body(r#"{"pan":"AAAPA1234A","status":"valid","category":"company"}"#);
        assert_eq!(parse_pan(&b, "AAAPA1234A").unwrap().verdict, Verdict::Valid);
        assert!(matches!(parse_pan(&b, "BBBPB1234B"), Err(Unread::NotVerdict(_))));
    }

    #[test]
    fn provider_text_is_printable() {
        let b = body(
            r#"{"gstin":"X","sts":"Active","lgnm":"A\u001b]0;owned\u0007B\u001b[2J","tradeNam":"\u202eC"}"#,
        );
        let p = parse(&b, "X").unwrap();
        assert_eq!(p.record.legal_name, "A<U+001B>]0;owned<U+0007>B<U+001B>[2J");
        assert_eq!(p.record.trade_name, "<U+202E>C");
        assert_eq!(printable("plain नाम"), "plain नाम");
        assert!(matches!(printable("plain"), std::borrow::Cow::Borrowed(_)));
        assert_eq!(printable("a\r\nb\u{7f}"), "a<U+000D><U+000A>b<U+007F>");
    }

    #[test]
    fn blank_dates_and_the_other_update_field() {
        for cxdt in ["-", "NA", "N/A", ""] {
            let b = body(&format!(
                r#"{{"gstin":"X","sts":"Active","cxdt":"{cxdt}","lstupddt":"05/11/2026"}}"#
            ));
            let p = parse(&b, "X").unwrap();
            assert_eq!(p.record.cancellation_date, "");
            assert_eq!(p.record.last_updated, "2026-11-05");
        }
    }

    #[test]
    fn spec_7_2_pan_verdicts() {
        let pan = |status: &str, category: &str, seeding: &str, remarks: &str| {
            let data = format!(
                r#"{{"pan":"XXXPX1234A","category":"{category}","status":"{status}","remarks":{remarks},
                "name_as_per_pan_match":true,"date_of_birth_match":false,"aadhaar_seeding_status":"{seeding}"}}"#
            );
            parse_pan(&body(&data), "XXXPX1234A").unwrap()
        };
        assert_eq!(pan("valid", "individual", "y", "null").verdict, Verdict::Valid);
        assert_eq!(pan("valid", "individual", "na", "null").verdict, Verdict::Valid);
        assert_eq!(pan("valid", "company", "n", "null").verdict, Verdict::Valid);
        let p = pan("valid", "individual", "n", "null");
        assert_eq!(p.verdict, Verdict::Inoperative);
        assert_eq!((p.record.name_match, p.record.dob_match), (Some(true), Some(false)));
        let p = pan("invalid", "individual", "na", r#""Holder is Deceased""#);
        assert_eq!(
            (p.verdict, p.record.pan_remarks.as_str()),
            (Verdict::Invalid, "Holder is Deceased")
        );
        let unknown = body(r#"{"pan":"XXXPX1234A","status":"unknown"}"#);
        assert!(matches!(parse_pan(&unknown, "XXXPX1234A"), Err(Unread::NotVerdict(_))));
    }

    #[test]
    fn spec_7_1_return_tracking_in_all_three_shapes() {
        let list = r#"[{"rtntype":"GSTR1","ret_prd":"102025","dof":"11-11-2025","status":"Filed","arn":"A","mof":"ONLINE","valid":"Y"},
            {"rtntype":"gstr3b","ret_prd":"102025","dof":"25/11/2025","status":"Filed","valid":true},
            {"rtntype":"GSTR9","ret_prd":"032025","status":"Filed"},
            {"rtntype":"GSTR3B","ret_prd":"13-2025","status":"Filed"}]"#;
        for data in [
            format!(r#"{{"status_cd":"1","data":{{"EFiledlist":{list}}}}}"#),
            format!(r#"{{"EFiledlist":{list}}}"#),
            list.to_string(),
        ] {
            let f = parse_returns(&body(&data)).unwrap();
            assert_eq!(f.len(), 3, "an unreadable ret_prd is left out");
            assert_eq!(
                (f[0].rtntype.as_str(), f[0].period.to_string()),
                ("GSTR1", "2025-10".into())
            );
            assert_eq!(f[1].rtntype, "GSTR3B");
            assert_eq!(f[1].filed_on, chrono::NaiveDate::from_ymd_opt(2025, 11, 25));
            assert!(f.iter().all(|f| f.filed));
        }
        let none = body(
            r#"{"status_cd":"0","error":{"error_cd":"RET13510","message":"No Record found for the provided Inputs"}}"#,
        );
        assert_eq!(parse_returns(&none), Ok(Vec::new()));
        let bad_year = body(
            r#"{"status_cd":"0","error":{"error_cd":"RET11416","message":"Select valid FY"}}"#,
        );
        assert!(
            matches!(parse_returns(&bad_year), Err(Unread::NotVerdict(m)) if m.contains("Select valid FY"))
        );
        assert!(matches!(parse_returns(&body(r#"{"x":1}"#)), Err(Unread::NotVerdict(_))));
        assert_eq!(parse_returns("<html>"), Err(Unread::NotJson));
    }

    #[test]
    fn verdict_names_round_trip() {
        for v in Verdict::ALL {
            assert_eq!(Verdict::from_name(v.as_str()), Some(v));
        }
    }
}
