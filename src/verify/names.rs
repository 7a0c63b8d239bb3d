//! Does the vendor master's name match the registration? (SPEC.md 7.2)
//!
//! Both names are brought to one form: upper case, `&` read as `AND`,
//! punctuation gone, spaces collapsed, a leading `M/S`, `M/S.`, `MESSRS` or
//! `THE` dropped, and the common abbreviations written out (`PVT` PRIVATE,
//! `LTD` LIMITED, `CO` COMPANY, `CORP` CORPORATION, `BROS` BROTHERS, `INDS`
//! INDUSTRIES, `ENT` ENTERPRISES). Equal to the legal or the trade name in
//! that form: `exact`. *Decision:* `close` when the words are the same in
//! another order, or when the two forms, words sorted, are at least
//! [`CLOSE`] alike by normalised Levenshtein similarity (one letter in a
//! dozen); `different` otherwise.

use serde::Serialize;

/// The least normalised Levenshtein similarity of two sorted-word forms
/// that still counts as `close`.
pub const CLOSE: f64 = 0.85;

/// How a name compares.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum NameMatch {
    /// The same name once written the same way.
    Exact,
    /// Nearly the same (word order, a typo).
    Close,
    /// Another name.
    Different,
}

impl NameMatch {
    /// The stable name.
    pub fn as_str(self) -> &'static str {
        match self {
            NameMatch::Exact => "exact",
            NameMatch::Close => "close",
            NameMatch::Different => "different",
        }
    }
}

/// A name in the one form both sides are compared in.
pub fn canonical(name: &str) -> String {
    let upper = name.trim().to_uppercase().replace('&', " AND ");
    let words: Vec<&str> =
        upper.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).collect();
    // "M/S", "M/S.", "M. S." all become the words M, S.
    let rest: &[&str] = match words.as_slice() {
        ["M", "S", rest @ ..] | ["MESSRS" | "THE", rest @ ..] => rest,
        all => all,
    };
    let rest = match rest {
        ["THE", r @ ..] => r,
        r => r,
    };
    rest.iter()
        .map(|w| match *w {
            "PVT" => "PRIVATE",
            "LTD" => "LIMITED",
            "CO" => "COMPANY",
            "CORP" => "CORPORATION",
            "BROS" => "BROTHERS",
            "INDS" => "INDUSTRIES",
            "ENT" => "ENTERPRISES",
            w => w,
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// Compares the books' `name` with the registration's legal and trade
/// names; `None` when there is nothing to compare (a blank name).
pub fn compare(name: &str, legal: &str, trade: &str) -> Option<NameMatch> {
    let ours = canonical(name);
    if ours.is_empty() {
        return None;
    }
    let theirs: Vec<String> =
        [legal, trade].iter().map(|n| canonical(n)).filter(|n| !n.is_empty()).collect();
    if theirs.contains(&ours) {
        return Some(NameMatch::Exact);
    }
    let sorted = |s: &str| {
        let mut w: Vec<&str> = s.split(' ').collect();
        w.sort_unstable();
        w.join(" ")
    };
    let ours = sorted(&ours);
    let close = theirs.iter().any(|t| strsim::normalized_levenshtein(&ours, &sorted(t)) >= CLOSE);
    Some(if close { NameMatch::Close } else { NameMatch::Different })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// (books, legal name, trade name, expected)
    const TABLE: &[(&str, &str, &str, NameMatch)] = &[
        ("Acme Udyog LLP", "ACME UDYOG LLP", "", NameMatch::Exact),
        ("M/S Acme Udyog LLP", "ACME UDYOG LLP", "", NameMatch::Exact),
        ("M/S. Raman Steel Pvt Ltd", "RAMAN STEEL PRIVATE LIMITED", "", NameMatch::Exact),
        ("Messrs Raman Steel Pvt. Ltd.", "RAMAN STEEL PRIVATE LIMITED", "", NameMatch::Exact),
        ("The Tata Power Co Ltd", "THE TATA POWER COMPANY LIMITED", "", NameMatch::Exact),
        ("Tata Power Company Limited", "THE TATA POWER COMPANY LIMITED", "", NameMatch::Exact),
        ("Sharma & Sons", "SHARMA AND SONS", "", NameMatch::Exact),
        ("Sharma and Sons", "SHARMA & SONS", "", NameMatch::Exact),
        ("Gupta Bros", "GUPTA BROTHERS", "", NameMatch::Exact),
        ("Bharat Inds", "BHARAT INDUSTRIES", "", NameMatch::Exact),
        ("Shree Ganesh Ent", "SHREE GANESH ENTERPRISES", "", NameMatch::Exact),
        ("Infosys Corp", "INFOSYS CORPORATION", "", NameMatch::Exact),
        ("  acme   udyog  llp ", "ACME UDYOG LLP", "", NameMatch::Exact),
        ("M. S. Acme Udyog LLP", "ACME UDYOG LLP", "", NameMatch::Exact),
        ("Chai Point", "MOUNTAIN TRAIL FOODS PRIVATE LIMITED", "CHAI POINT", NameMatch::Exact),
        ("Big Bazaar", "FUTURE RETAIL LIMITED", "BIG BAZAAR", NameMatch::Exact),
        ("Udyog Acme LLP", "ACME UDYOG LLP", "", NameMatch::Close),
        ("Steel Raman Pvt Ltd", "RAMAN STEEL PRIVATE LIMITED", "", NameMatch::Close),
        ("Acme Udyoq LLP", "ACME UDYOG LLP", "", NameMatch::Close),
        ("Raman Steels Pvt Ltd", "RAMAN STEEL PRIVATE LIMITED", "", NameMatch::Close),
        ("Sri Ganesh Enterprises", "SHRI GANESH ENTERPRISES", "", NameMatch::Close),
        ("Reliance Industries Ltd", "RELIANCE INDUSTRIES LIMITED", "", NameMatch::Exact),
        ("Reliance Industry Limited", "RELIANCE INDUSTRIES LIMITED", "", NameMatch::Close),
        ("Acme Udyog LLP", "RAMAN STEEL PRIVATE LIMITED", "", NameMatch::Different),
        ("Acme Traders", "ACME UDYOG LLP", "", NameMatch::Different),
        ("Sharma & Sons", "VERMA AND SONS", "", NameMatch::Different),
        ("Tata Power", "THE TATA POWER COMPANY LIMITED", "", NameMatch::Different),
        ("Mountain Trail Foods", "FUTURE RETAIL LIMITED", "BIG BAZAAR", NameMatch::Different),
        ("Gupta Brothers", "GUPTA SISTERS", "", NameMatch::Different),
        ("Raman Steel Pvt Ltd", "RAMAN STEEL LLP", "", NameMatch::Different),
        ("ABC Enterprises", "XYZ ENTERPRISES", "", NameMatch::Different),
        ("Shree Cement", "SHREE CEMENT LIMITED", "", NameMatch::Different),
    ];

    #[test]
    fn spec_7_2_name_match_table() {
        assert!(TABLE.len() >= 30);
        for (books, legal, trade, want) in TABLE {
            assert_eq!(
                compare(books, legal, trade),
                Some(*want),
                "{books:?} vs {legal:?}/{trade:?}"
            );
        }
        assert_eq!(compare("  ", "ACME", ""), None);
    }

    #[test]
    fn canonical_forms() {
        assert_eq!(canonical("M/S. Raman & Co. Pvt. Ltd."), "RAMAN AND COMPANY PRIVATE LIMITED");
        assert_eq!(canonical("The  Bros"), "BROTHERS");
        assert_eq!(canonical(""), "");
    }
}
