//! Finding the identifier column (and the cross-check columns) by header.
//!
//! Headers are compared by their key: ASCII letters and digits, lower-cased,
//! everything else dropped, so `GSTIN/UIN`, `Gst No.` and `gst_number` are
//! `gstinuin`, `gstno` and `gstnumber`. A GSTIN header is an optional party
//! word (`Party`, `Supplier`, `Vendor`, `Customer`, ...), a core (`GSTIN`,
//! `GSTN`, `GST`, `CTIN`), optionally `UIN` and `Registration`/`Reg`, then an
//! optional `No`/`Number`/`Num`/`ID`, or the GST portal's forms such as
//! `GSTIN of supplier` and `GSTIN/UIN of Recipient`. Bare `GST` is not one:
//! in invoice registers it is usually the tax amount.

/// Which kind of column a header names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Family {
    /// A GSTIN column.
    Gstin,
    /// A PAN column.
    Pan,
}

impl Family {
    /// `GSTIN` or `PAN`, for messages.
    pub fn as_str(self) -> &'static str {
        match self {
            Family::Gstin => "GSTIN",
            Family::Pan => "PAN",
        }
    }
}

/// Party words that may open a header (`Supplier GSTIN`).
const PARTIES: &[&str] = &[
    "party",
    "supplier",
    "suppliers",
    "vendor",
    "vendors",
    "customer",
    "customers",
    "buyer",
    "buyers",
    "recipient",
    "recipients",
    "seller",
    "client",
    "clients",
    "dealer",
    "counterparty",
    "receiver",
    "consignee",
    "consignor",
    "deductor",
    "collector",
    "taxpayer",
    "taxpayers",
    "billto",
    "shipto",
    "your",
];

/// Trailing words (`GSTIN No`, `PAN Number`).
const SUFFIXES: &[&str] = &["number", "num", "no", "id"];

/// A header's comparison key.
pub fn key(header: &[u8]) -> String {
    header
        .iter()
        .filter(|b| b.is_ascii_alphanumeric())
        .map(|b| b.to_ascii_lowercase() as char)
        .collect()
}

fn strip_any<'a>(s: &'a str, words: &[&str]) -> &'a str {
    words.iter().find_map(|w| s.strip_prefix(w)).unwrap_or(s)
}

fn strip_suffix_any<'a>(s: &'a str, words: &[&str]) -> &'a str {
    words.iter().find_map(|w| s.strip_suffix(w)).unwrap_or(s)
}

/// The family a header belongs to, if any.
///
/// Judged by the header's last words, so any words may come before them
/// (`Company GSTIN`, `Head Office GST No.`, `Supplier's GSTIN`), but a
/// header that goes on to name something else (`GSTIN Status`, `GST
/// Amount`) is not an identifier column. Everything from a separate word
/// `of` on is ignored (`GSTIN of supplier`).
///
/// ```
/// use gstbatch::input::columns::{family, Family};
/// assert_eq!(family(b"GSTIN/UIN of Recipient"), Some(Family::Gstin));
/// assert_eq!(family(b"Head Office GSTIN"), Some(Family::Gstin));
/// assert_eq!(family(b"PAN No."), Some(Family::Pan));
/// assert_eq!(family(b"GST"), None);
/// ```
pub fn family(header: &[u8]) -> Option<Family> {
    let words: Vec<String> = header
        .split(|b| !b.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| w.to_ascii_lowercase().into_iter().map(char::from).collect())
        .collect();
    let words = match words.iter().position(|w| w == "of") {
        Some(i) if i > 0 => &words[..i],
        _ => &words[..],
    };
    let key = words.concat();
    // A GSTIN's own words are distinctive enough to be found glued to
    // what comes before them (`CompanyGSTIN`).
    if (0..key.len()).any(|p| is_gstin_tail(&key[p..])) {
        return Some(Family::Gstin);
    }
    // "pan" is not (`Span`, `Japan`): whole words, or a known party word.
    if (0..words.len()).any(|i| is_pan_tail(&words[i..].concat()))
        || is_pan_tail(strip_any(&key, PARTIES))
    {
        return Some(Family::Pan);
    }
    None
}

/// Whether a key is a GSTIN core (`gstin`, `gstn`, `gst`, `ctin`), then
/// optionally `uin` and `registration`/`reg`, then optionally `no`,
/// `number`, `num` or `id`. Bare `gst` is not one: in invoice registers it
/// is usually the tax amount; it needs a qualifier (GST No, GST
/// Registration).
fn is_gstin_tail(tail: &str) -> bool {
    let k = strip_suffix_any(tail, SUFFIXES);
    ["gstinuin", "gstin", "gstn", "gst", "ctin"].iter().any(|core| {
        let Some(rest) = k.strip_prefix(core) else { return false };
        let rest = rest.strip_prefix("uin").unwrap_or(rest);
        let rest =
            rest.strip_prefix("registration").or_else(|| rest.strip_prefix("reg")).unwrap_or(rest);
        rest.is_empty() && tail != "gst"
    })
}

/// Whether a key is `pan`, optionally `card`, optionally a number word.
fn is_pan_tail(tail: &str) -> bool {
    let k = strip_suffix_any(tail, SUFFIXES);
    k.strip_prefix("pan").is_some_and(|rest| rest.is_empty() || rest == "card")
}

pub use crate::error::ColumnError;

/// The headers as text, for error messages.
fn texts(headers: &[Vec<u8>]) -> Vec<String> {
    headers.iter().map(|h| String::from_utf8_lossy(h).into_owned()).collect()
}

/// Resolves a `--column`-style argument: a 1-based number, or a header
/// name (exact first, then by key).
///
/// # Errors
/// [`ColumnError`] naming the problem and listing the headers.
pub fn by_arg(arg: &str, headers: &[Vec<u8>], flag: &str) -> Result<usize, ColumnError> {
    if let Ok(n) = arg.trim().parse::<usize>() {
        if n >= 1 && n <= headers.len() {
            return Ok(n - 1);
        }
        return Err(ColumnError::NoSuchNumber {
            flag: flag.into(),
            number: n,
            headers: texts(headers),
        });
    }
    let exact: Vec<usize> = (0..headers.len()).filter(|&i| headers[i] == arg.as_bytes()).collect();
    let found: Vec<usize> = if exact.is_empty() {
        let want = key(arg.as_bytes());
        (0..headers.len()).filter(|&i| !want.is_empty() && key(&headers[i]) == want).collect()
    } else {
        exact
    };
    match found[..] {
        [i] => Ok(i),
        [] => Err(ColumnError::NoSuchName {
            flag: flag.into(),
            name: arg.into(),
            headers: texts(headers),
        }),
        _ => Err(ColumnError::AmbiguousName { flag: flag.into(), name: arg.into(), found }),
    }
}

/// The one column of `fam`, if any.
///
/// # Errors
/// [`ColumnError::Several`] when more than one header is of that family:
/// taking the first would silently check the wrong column.
pub fn find(headers: &[Vec<u8>], fam: Family) -> Result<Option<usize>, ColumnError> {
    let found: Vec<usize> =
        (0..headers.len()).filter(|&i| family(&headers[i]) == Some(fam)).collect();
    match found[..] {
        [] => Ok(None),
        [i] => Ok(Some(i)),
        _ => Err(ColumnError::Several {
            what: fam.as_str(),
            flag: "--column",
            found,
            headers: texts(headers),
        }),
    }
}

/// The first column whose key is one of `keys` (lower-case, see [`key`]).
pub fn find_key(headers: &[Vec<u8>], keys: &[&str]) -> Option<usize> {
    headers.iter().position(|h| keys.contains(&key(h).as_str()))
}

/// A [`ColumnError::Missing`] for `what`.
pub fn missing(what: &'static str, hint: &'static str, headers: &[Vec<u8>]) -> ColumnError {
    ColumnError::Missing { what, hint, headers: texts(headers) }
}

/// The identifier column: `--column` if given (its family, when there is a
/// header), else the only column of a headerless table, else found by
/// header ([`detect`]).
///
/// # Errors
/// [`ColumnError`]; [`ColumnError::Unnamed`] for a headerless table of
/// several columns without `--column`.
pub fn identifier(
    arg: Option<&str>,
    headers: &[Vec<u8>],
    named: bool,
) -> Result<(usize, Option<Family>), ColumnError> {
    match arg {
        Some(arg) => {
            let i = by_arg(arg, headers, "--column")?;
            Ok((i, if named { family(&headers[i]) } else { None }))
        }
        None if !named && headers.len() == 1 => Ok((0, None)),
        None if !named => Err(ColumnError::Unnamed { width: headers.len() }),
        None => match detect(headers) {
            Ok((i, f)) => Ok((i, Some(f))),
            // `extract`'s report: GSTINs and PANs together, each decided
            // by its length.
            Err(e) => find_key(headers, &["normalised", "normalized"]).map(|i| (i, None)).ok_or(e),
        },
    }
}

/// Finds the identifier column by header: a GSTIN column if there is one,
/// else a PAN column. Returns its index and family.
///
/// # Errors
/// [`ColumnError`] when no header matches or several of the same family do.
pub fn detect(headers: &[Vec<u8>]) -> Result<(usize, Family), ColumnError> {
    for fam in [Family::Gstin, Family::Pan] {
        if let Some(i) = find(headers, fam)? {
            return Ok((i, fam));
        }
    }
    Err(missing("GSTIN or PAN", "name it with --column NAME or NUMBER; ", headers))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gstin_headers() {
        for h in [
            "GSTIN",
            "gstin",
            "GST No",
            "GST No.",
            "GST Number",
            "GSTIN/UIN",
            "GST IN",
            "Party GSTIN",
            "Supplier GSTIN",
            "Vendor GST No",
            "GSTIN of supplier",
            "GSTIN/UIN of Recipient",
            "GSTIN of the supplier",
            "Customer GSTIN No.",
            "GST Registration No",
            "GST Reg. No.",
            "Company GSTIN",
            "Head Office GSTIN",
            "Head Office GST No.",
            "Supplier's GSTIN",
            "Registered Office GSTIN/UIN",
            "CompanyGSTIN",
            "gst_number",
            "CTIN",
            "GSTN",
            " GSTIN ",
            "GSTIN No",
        ] {
            assert_eq!(family(h.as_bytes()), Some(Family::Gstin), "{h}");
        }
    }

    #[test]
    fn pan_headers() {
        for h in [
            "PAN",
            "pan no",
            "PAN Number",
            "PAN No.",
            "Party PAN",
            "PAN Card No",
            "PAN of deductor",
            "Company PAN",
            "VendorPAN",
        ] {
            assert_eq!(family(h.as_bytes()), Some(Family::Pan), "{h}");
        }
    }

    #[test]
    fn other_headers() {
        for h in [
            "GST",
            "GST Amount",
            "GSTIN Status",
            "Name",
            "Company",
            "State",
            "",
            "Span",
            "Japan",
            "GST Rate",
            "GSTIN Verified",
            "Customer GST",
            "Office",
        ] {
            assert_eq!(family(h.as_bytes()), None, "{h}");
        }
    }

    fn headers(names: &[&str]) -> Vec<Vec<u8>> {
        names.iter().map(|n| n.as_bytes().to_vec()).collect()
    }

    #[test]
    fn detect_prefers_gstin_and_refuses_ambiguity() {
        assert_eq!(detect(&headers(&["Name", "PAN", "GSTIN/UIN"])), Ok((2, Family::Gstin)));
        assert_eq!(detect(&headers(&["Name", "PAN No"])), Ok((1, Family::Pan)));
        let e = detect(&headers(&["GSTIN", "Party GSTIN"])).unwrap_err().to_string();
        assert!(e.contains("several GSTIN columns"), "{e}");
        let e = detect(&headers(&["Name", "City"])).unwrap_err().to_string();
        assert!(e.contains("1: \"Name\", 2: \"City\""), "{e}");
        assert!(e.contains("--column NAME or NUMBER"), "{e}");
    }

    #[test]
    fn by_arg_number_or_name() {
        let h = headers(&["Name", "GST No", "gst no"]);
        assert_eq!(by_arg("1", &h, "--column"), Ok(0));
        let e = |a: &str| by_arg(a, &h, "--column").unwrap_err().to_string();
        assert!(e("4").contains("has 3 columns"));
        assert!(by_arg("0", &h, "--column").is_err());
        assert_eq!(by_arg("GST No", &h, "--column"), Ok(1));
        assert_eq!(by_arg("name", &h, "--column"), Ok(0));
        assert!(e("GST-NO").contains("matches columns 2 and 3"));
        assert!(e("City").contains("no such column"));
    }
}
