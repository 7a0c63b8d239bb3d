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
    /// Not asked: budget, `--offline`, `--dry-run`, or a stop.
    NotChecked,
}

impl Verdict {
    /// Every verdict, in report order.
    pub const ALL: [Verdict; 11] = [
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
        Verdict::NotChecked,
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
            Verdict::NotChecked => "not_checked",
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

/// Reads a 200 response body. `None` when it is not the contract's JSON
/// (which SPEC.md 7.2 retries like a failure).
pub fn parse(body: &str) -> Option<Parsed> {
    let v: Value = serde_json::from_str(body).ok()?;
    let transaction_id = text(&v, "transaction_id");
    let mut data = v.get("data")?;
    // Some answers nest the record one level deeper, beside `status_cd`.
    if let Some(inner) = data.get("data").filter(|d| d.is_object()) {
        data = inner;
    }
    if !data.is_object() {
        return None;
    }
    if let Some(code) = data.get("error_code").and_then(Value::as_str) {
        let known = matches!(code, "NOGSTIN" | "SWEB_9035");
        let message = format!("{code}: {}", text(data, "message"));
        return known.then(|| Parsed {
            verdict: Verdict::NotFound,
            record: Record { message, ..Record::default() },
            transaction_id: transaction_id.clone(),
        });
    }
    let sts = text(data, "sts");
    if sts.is_empty() && text(data, "gstin").is_empty() {
        return None;
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
        cancellation_date: iso_date(&text(data, "cxdt")),
        constitution: text(data, "ctb"),
        taxpayer_type: text(data, "dty"),
        address,
        pincode: text(addr, "pncd"),
        last_updated: iso_date(&text(data, "lstupdt")),
        ..Record::default()
    };
    Some(Parsed { verdict, record, transaction_id })
}

/// Reads a 200 response body of a PAN verification. `None` when it is not
/// the contract's JSON.
pub fn parse_pan(body: &str) -> Option<Parsed> {
    let v: Value = serde_json::from_str(body).ok()?;
    let data = v.get("data").filter(|d| d.is_object())?;
    let status = text(data, "status").to_ascii_lowercase();
    let category = text(data, "category").to_ascii_lowercase();
    let seeding = text(data, "aadhaar_seeding_status").to_ascii_lowercase();
    let verdict = match status.as_str() {
        "valid" if category == "individual" && seeding == "n" => Verdict::Inoperative,
        "valid" => Verdict::Valid,
        "invalid" => Verdict::Invalid,
        _ => return None,
    };
    let record = Record {
        pan_category: category,
        pan_remarks: text(data, "remarks"),
        name_match: data.get("name_as_per_pan_match").and_then(Value::as_bool),
        dob_match: data.get("date_of_birth_match").and_then(Value::as_bool),
        aadhaar_seeding: seeding,
        ..Record::default()
    };
    Some(Parsed { verdict, record, transaction_id: text(&v, "transaction_id") })
}

/// A field as text: strings as they are, numbers written out, anything
/// else (missing, null) blank.
fn text(v: &Value, key: &str) -> String {
    match v.get(key) {
        Some(Value::String(s)) => s.trim().to_string(),
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
            let p = parse(&body(&data)).unwrap();
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
            let p = parse(&body(&format!(r#"{{"gstin":"X","sts":"{sts}","cxdt":"02/03/2024"}}"#)));
            let p = p.unwrap();
            assert_eq!((p.verdict, p.record.gst_status.as_str()), (want, sts));
            assert_eq!(p.record.cancellation_date, "2024-03-02");
        }
        for code in ["NOGSTIN", "SWEB_9035"] {
            let p =
                parse(&body(&format!(r#"{{"error_code":"{code}","message":"No records found"}}"#)));
            let p = p.unwrap();
            assert_eq!(p.verdict, Verdict::NotFound);
            assert!(p.record.message.starts_with(code));
        }
    }

    #[test]
    fn what_is_not_the_contract_is_none() {
        for b in [
            "",
            "<html>",
            "{}",
            r#"{"code":200}"#,
            r#"{"data":"x"}"#,
            &body("{}"),
            &body(r#"{"error_code":"OTHER"}"#),
        ] {
            assert!(parse(b).is_none(), "{b}");
        }
    }

    #[test]
    fn spec_7_2_pan_verdicts() {
        let pan = |status: &str, category: &str, seeding: &str, remarks: &str| {
            let data = format!(
                r#"{{"pan":"XXXPX1234A","category":"{category}","status":"{status}","remarks":{remarks},
                "name_as_per_pan_match":true,"date_of_birth_match":false,"aadhaar_seeding_status":"{seeding}"}}"#
            );
            parse_pan(&body(&data)).unwrap()
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
        assert!(parse_pan(&body(r#"{"status":"unknown"}"#)).is_none());
        assert!(parse_pan("<html>").is_none());
    }

    #[test]
    fn verdict_names_round_trip() {
        for v in Verdict::ALL {
            assert_eq!(Verdict::from_name(v.as_str()), Some(v));
        }
    }
}
