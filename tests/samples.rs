//! Every value in `samples/` has a known verdict, written out here by hand
//! (independent of the code), and the full output is kept as a golden file.

use std::collections::BTreeSet;

use crate::util::{Dir, golden, sample};

/// The values of one column of a sample file, in row order.
fn column(file: &str, name: &str) -> Vec<String> {
    let mut rdr = csv::Reader::from_path(sample(file)).unwrap();
    let idx = rdr.headers().unwrap().iter().position(|h| h == name).unwrap();
    rdr.records().map(|r| r.unwrap()[idx].to_string()).collect()
}

/// Runs `check --format csv` on values and returns (output, codes per row).
fn check_csv(values: &[String], flags: &[&str]) -> (String, Vec<String>) {
    let mut args = vec!["check", "--format", "csv"];
    args.extend_from_slice(flags);
    args.push("--");
    let run = Dir::new().cmd().args(args).args(values).run(1);
    let out = run.stdout();
    let mut rdr = csv::Reader::from_reader(out.as_bytes());
    let h = rdr.headers().unwrap().clone();
    let status = h.iter().position(|c| c == "status").unwrap();
    let code = h.iter().position(|c| c == "code").unwrap();
    let verdicts = rdr
        .records()
        .map(|r| {
            let r = r.unwrap();
            if &r[status] == "valid" { "valid".to_string() } else { r[code].to_string() }
        })
        .collect();
    (out, verdicts)
}

fn expand(runs: &[(usize, &str)]) -> Vec<String> {
    runs.iter().flat_map(|&(n, v)| std::iter::repeat_n(v.to_string(), n)).collect()
}

const GSTIN_VERDICTS: &[(usize, &str)] = &[
    (26, "valid"),
    (1, "empty"),
    (2, "length"),
    (1, "character"),
    (1, "state_code"),
    (2, "state_retired"),
    (2, "format"),
    (1, "pan_holder_type"),
    (1, "pan_serial"),
    (1, "entity_number"),
    (1, "checksum"),
    (1, "format"),
    (1, "checksum"),
    (1, "length"),
    (2, "valid"),
];

#[test]
fn gstins_sample_verdicts() {
    let values = column("gstins.csv", "GSTIN/UIN");
    let (out, got) = check_csv(&values, &["--kind", "gstin"]);
    assert_eq!(got, expand(GSTIN_VERDICTS));
    golden("check-gstins.csv", &out);
}

#[test]
fn gstins_sample_verdicts_strict() {
    let values = column("gstins.csv", "GSTIN/UIN");
    let (out, got) = check_csv(&values, &["--kind", "gstin", "--strict"]);
    let mut want = expand(GSTIN_VERDICTS);
    // Rows 17 to 20 are written with spaces, hyphens, lower case or a
    // trailing space.
    for v in &mut want[16..20] {
        *v = "not_canonical".into();
    }
    assert_eq!(got, want);
    golden("check-gstins-strict.csv", &out);
}

#[test]
fn gstins_sample_covers_every_code_and_registration_type() {
    let values = column("gstins.csv", "GSTIN/UIN");
    let mut codes = BTreeSet::new();
    for flags in [&["--kind", "gstin"][..], &["--kind", "gstin", "--strict"]] {
        codes.extend(check_csv(&values, flags).1);
    }
    codes.remove("valid");
    assert_eq!(codes.len(), 11, "{codes:?}");
    let run = Dir::new().cmd().args(["check", "--format", "jsonl", "--"]).args(&values).run(1);
    let types: BTreeSet<String> = run
        .stdout()
        .lines()
        .filter_map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            v["registration_type"].as_str().map(String::from)
        })
        .collect();
    let want: BTreeSet<String> =
        ["oidar", "nrtp", "uin", "govt", "tds", "tcs", "regular"].map(String::from).into();
    assert_eq!(types, want);
}

const PAN_VERDICTS: &[(usize, &str)] = &[
    (12, "valid"),
    (1, "empty"),
    (2, "length"),
    (1, "character"),
    (2, "pan_holder_type"),
    (1, "pan_serial"),
    (3, "format"),
    (1, "length"),
];

#[test]
fn pans_sample_verdicts() {
    let values = column("pans.csv", "PAN");
    let (out, got) = check_csv(&values, &["--kind", "pan"]);
    assert_eq!(got, expand(PAN_VERDICTS));
    golden("check-pans.csv", &out);
    let (_, strict) = check_csv(&values, &["--kind", "pan", "--strict"]);
    assert_eq!(strict[10], "not_canonical");
    assert_eq!(strict[11], "not_canonical");
}

#[test]
fn ids_sample_is_the_documented_example() {
    let input = std::fs::read(sample("ids.txt")).unwrap();
    let run = Dir::new().cmd().args(["check"]).stdin(input).run(1);
    golden("check-ids.txt", &run.stdout());
    let docs = std::fs::read_to_string(sample("../docs/commands.md")).unwrap();
    assert!(docs.contains(&run.stdout()), "docs/commands.md's check example is out of date");
}

#[test]
fn vendors_workbook_gives_the_same_verdicts_as_the_csv_two_rows_lower() {
    let report = |file: &str| {
        let run = Dir::new()
            .cmd()
            .args([
                "validate",
                "-q",
                "--format",
                "jsonl",
                "--pan-column",
                "PAN",
                "--state-column",
                "State",
            ])
            .arg_path(sample(file))
            .run(1);
        run.stdout()
            .lines()
            .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
            .collect::<Vec<_>>()
    };
    let csv = report("gstins.csv");
    let xlsx = report("vendors.xlsx");
    assert_eq!(csv.len(), 44);
    assert_eq!(xlsx.len(), 44);
    for (c, x) in csv.iter().zip(&xlsx) {
        for field in ["GSTIN/UIN", "gstbatch_status", "gstbatch_code", "gstbatch_suggestion"] {
            assert_eq!(c[field], x[field], "{field} of {}", c["GSTIN/UIN"]);
        }
        // A title row and a blank row sit above the workbook's header.
        assert_eq!(x["gstbatch_row"].as_u64().unwrap(), c["gstbatch_row"].as_u64().unwrap() + 2);
        // Serial numbers stored as numbers read back as whole numbers.
        assert_eq!(c["Sr No"], x["Sr No"]);
    }
}
