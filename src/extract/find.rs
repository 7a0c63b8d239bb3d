//! Finding GSTIN- and PAN-shaped values in free text, written as people
//! write them: `27AAPFU0939F1ZV`, `27 AAPFU 0939 F1ZV`, `27-aapfu-0939-f1zv`.
//! Pure: a line of text in, spans and verdicts out.

use std::sync::LazyLock;

use regex::Regex;

use crate::ident::{self, Kind, Options};

/// Two digits, then 13 letters or digits, each optionally after one space
/// or hyphen: every GSTIN layout, grouped as people group them.
static GSTIN: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)\b[0-9]{2}(?:[ \-]?[0-9A-Z]){13}\b").expect("GSTIN pattern"));

/// Five letters, four digits, a letter, optionally grouped `AAPFU 0939 F`.
static PAN: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b[A-Z]{5}[ \-]?[0-9]{4}[ \-]?[A-Z]\b").expect("PAN pattern")
});

/// The regular GSTIN layout, once normalised: what a GSTIN with a typo in
/// its check character, state or entity number still looks like.
static REGULAR: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^[0-9]{2}[A-Z]{5}[0-9]{4}[A-Z][0-9A-Z][A-Z0-9][0-9A-Z]$").expect("layout")
});

/// One value found in a line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found<'a> {
    /// The text as written.
    pub value: &'a str,
    /// Where it starts, in bytes from the start of the line.
    pub start: usize,
    /// Where it ends, in bytes.
    pub end: usize,
    /// What it is taken for.
    pub kind: Kind,
}

/// Every GSTIN and PAN in `line`, in order. A GSTIN-shaped value is kept
/// when it is valid, has a one-step correction, or has the regular layout
/// (so a typo in its check character is still found); a run of digits that
/// happens to be 15 long is not. The PAN inside a GSTIN found is not found
/// again.
pub fn find(line: &str, opts: Options) -> Vec<Found<'_>> {
    let mut found: Vec<Found<'_>> = GSTIN
        .find_iter(line)
        .filter(|m| looks_like_gstin(m.as_str(), opts))
        .map(|m| Found { value: m.as_str(), start: m.start(), end: m.end(), kind: Kind::Gstin })
        .collect();
    let gstins = found.len();
    for m in PAN.find_iter(line) {
        let inside = found[..gstins].iter().any(|g| m.start() < g.end && g.start < m.end());
        if !inside {
            found.push(Found {
                value: m.as_str(),
                start: m.start(),
                end: m.end(),
                kind: Kind::Pan,
            });
        }
    }
    found.sort_by_key(|f| f.start);
    found
}

fn looks_like_gstin(text: &str, opts: Options) -> bool {
    let verdict = ident::check(text, Some(Kind::Gstin), opts);
    verdict.result.is_ok()
        || REGULAR.is_match(&verdict.normalized)
        || verdict.suggestion(opts).is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values(line: &str) -> Vec<(&str, Kind)> {
        find(line, Options::default()).into_iter().map(|f| (f.value, f.kind)).collect()
    }

    #[test]
    fn gstins_as_people_write_them() {
        for (line, want) in [
            ("GSTIN: 27AAPFU0939F1ZV.", "27AAPFU0939F1ZV"),
            ("supplier 27 AAPFU 0939 F1ZV (Pune)", "27 AAPFU 0939 F1ZV"),
            ("27-AAPFU-0939-F1ZV", "27-AAPFU-0939-F1ZV"),
            ("gstin 27aapfu0939f1zv, thanks", "27aapfu0939f1zv"),
            ("\"ctin\":\"29AAACR5055K1Z3\"", "29AAACR5055K1Z3"),
            ("<PARTYGSTIN>33AAACT2727Q1Z3</PARTYGSTIN>", "33AAACT2727Q1Z3"),
        ] {
            assert_eq!(values(line), [(want, Kind::Gstin)], "{line}");
        }
    }

    #[test]
    fn typos_are_found_and_digit_runs_are_not() {
        // A wrong check character and a look-alike letter are still GSTINs.
        assert_eq!(values("27AAPFU0939F1ZX"), [("27AAPFU0939F1ZX", Kind::Gstin)]);
        assert_eq!(values("27AAPFUO939F1ZV"), [("27AAPFUO939F1ZV", Kind::Gstin)]);
        for line in ["call 022 2345 6789 0123 4", "order 123456789012345", "ref 12ABCDEFGHIJKLM"] {
            assert!(values(line).is_empty(), "{line}: {:?}", values(line));
        }
    }

    #[test]
    fn a_gstins_pan_is_not_found_again_but_a_pan_beside_it_is() {
        assert_eq!(values("27-AAPFU0939F-1ZV"), [("27-AAPFU0939F-1ZV", Kind::Gstin)]);
        assert_eq!(
            values("PAN AAPFU0939F, GSTIN 27AAPFU0939F1ZV; pan aaacr 5055 k"),
            [
                ("AAPFU0939F", Kind::Pan),
                ("27AAPFU0939F1ZV", Kind::Gstin),
                ("aaacr 5055 k", Kind::Pan)
            ]
        );
        // Words that only look like a PAN's letters are not one.
        assert!(values("Japan Trading and SPAN 2024").is_empty());
        assert_eq!(values("japan1234a"), [("japan1234a", Kind::Pan)], "PAN-shaped is PAN-shaped");
    }

    #[test]
    fn spans_are_byte_offsets_into_the_line() {
        let line = "Société 27AAPFU0939F1ZV";
        let f = &find(line, Options::default())[0];
        assert_eq!(&line[f.start..f.end], "27AAPFU0939F1ZV");
    }
}
