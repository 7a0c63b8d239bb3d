//! A catalogue of hostile inputs: each gives a report (exit 0 or 1) or a
//! clean exit 2 with a message, never a panic or a hang.

use proptest::prelude::*;

use crate::util::Dir;

fn utf16le(s: &str, bom: bool) -> Vec<u8> {
    let mut v = if bom { vec![0xFF, 0xFE] } else { vec![] };
    v.extend(s.encode_utf16().flat_map(|u| u.to_le_bytes()));
    v
}

fn garbage(n: usize, seed: u64) -> Vec<u8> {
    let mut x = seed;
    (0..n)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x as u8
        })
        .collect()
}

fn catalogue() -> Vec<(&'static str, Vec<u8>)> {
    let big_field = {
        let mut v = b"GSTIN,Note\n27AAPFU0939F1ZV,\"".to_vec();
        v.extend(std::iter::repeat_n(b'x', 50 << 20));
        v.extend_from_slice(b"\"\n27AAPFU0939F1ZV,after\n");
        v
    };
    let big_line = {
        let mut v = b"GSTIN\n".to_vec();
        v.extend(std::iter::repeat_n(b'7', 10 << 20));
        v.push(b'\n');
        v
    };
    let wide = format!("GSTIN{}\n27AAPFU0939F1ZV{}\n", ",h".repeat(10_000), ",v".repeat(10_000));
    let many_empty = format!("GSTIN,x\n27AAPFU0939F1ZV{}\n", ",".repeat(1_000_000));
    vec![
        ("empty", vec![]),
        ("header only", b"GSTIN\n".to_vec()),
        ("header only, no newline", b"GSTIN".to_vec()),
        ("binary garbage", garbage(100_000, 1)),
        ("garbage without NUL", garbage(100_000, 2).into_iter().map(|b| b.max(1)).collect()),
        ("50 MB single quoted field", big_field),
        ("10 MB single unquoted line", big_line),
        ("NUL bytes in data rows", b"GSTIN,Name\n27AAPFU0939F1ZV,a\0b\n\0\0\0,x\n".to_vec()),
        (
            "unbalanced quote",
            b"GSTIN,Name\n27AAPFU0939F1ZV,\"never closed\n27AAPFU0939F1ZV,x\n".to_vec(),
        ),
        (
            "mixed line endings",
            b"GSTIN,N\r\n27AAPFU0939F1ZV,a\n27AAPFU0939F1ZV,b\r27AAPFU0939F1ZV,c\r\n".to_vec(),
        ),
        ("only delimiters", b",,,,\n,,,\n,\n".to_vec()),
        ("only delimiters with GSTIN header", b"GSTIN,,,\n,,,\n,,\n".to_vec()),
        ("UTF-16 LE with BOM", utf16le("GSTIN,Name\r\n27AAPFU0939F1ZV,A\r\n", true)),
        ("UTF-16 BE with BOM", {
            let mut v = vec![0xFE, 0xFF];
            v.extend("GSTIN\n".encode_utf16().flat_map(|u| u.to_be_bytes()));
            v
        }),
        ("UTF-16 LE without BOM", utf16le("GSTIN,Name\n27AAPFU0939F1ZV,A\n", false)),
        ("only blank lines", b"\n\n\r\n\r\n".to_vec()),
        ("only a BOM", vec![0xEF, 0xBB, 0xBF]),
        ("BOM and header", b"\xEF\xBB\xBFGSTIN\r\n".to_vec()),
        ("10 000 columns", wide.into_bytes()),
        ("a million empty fields", many_empty.into_bytes()),
        (
            "quote inside an unquoted field",
            b"GSTIN,Item\n27AAPFU0939F1ZV,12\" pipe\n27AAPFU0939F1ZV,x\n".to_vec(),
        ),
        ("CR-only line endings", b"GSTIN,N\r27AAPFU0939F1ZV,a\r27AAPFU0939F1ZX,b\r".to_vec()),
        ("trailing delimiters", b"GSTIN,\n27AAPFU0939F1ZV,\n".to_vec()),
        ("tab-separated named .csv", b"GSTIN\tName\n27AAPFU0939F1ZV\tA\n".to_vec()),
        ("semicolon-separated", b"GSTIN;Name\n27AAPFU0939F1ZV;A\n".to_vec()),
        ("an HTML page", b"<!DOCTYPE html>\n<html><body>Error 404</body></html>\n".to_vec()),
        ("a JSON file", b"[{\"gstin\": \"27AAPFU0939F1ZV\"}]\n".to_vec()),
        ("header repeated mid-file", b"GSTIN\n27AAPFU0939F1ZV\nGSTIN\n27AAPFU0939F1ZV\n".to_vec()),
        ("invalid UTF-8 in the header", b"GST\xffIN,GSTIN\n1,27AAPFU0939F1ZV\n".to_vec()),
        ("whitespace-only header", b"   \n27AAPFU0939F1ZV\n".to_vec()),
        ("an xlsx renamed .csv", {
            let mut v = b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00".to_vec();
            v.extend(garbage(5000, 3));
            v
        }),
        ("DOS end-of-file marker", b"GSTIN\r\n27AAPFU0939F1ZV\r\n\x1a".to_vec()),
        ("quoted header with newline", b"\"GST\nIN\",Name\n27AAPFU0939F1ZV,a\n".to_vec()),
        ("every row empty", b"GSTIN\n\"\"\n\"\"\n".to_vec()),
        // Issue 9's classes.
        ("unclosed quote before many rows", {
            let mut v = b"GSTIN,Name\n27AAPFU0939F1ZV,\"oops\n".to_vec();
            v.extend(b"27AAPFU0939F1ZV,x\n".repeat(1000));
            v
        }),
        ("a quoted field over 150 lines", {
            let mut v = b"GSTIN,Note\n27AAPFU0939F1ZV,\"".to_vec();
            v.extend(b"line\n".repeat(150));
            v.extend_from_slice(b"\"\n");
            v
        }),
        (
            "hidden characters in values",
            "GSTIN\n27AAPFU\u{200D}0939F1ZV\n\u{202E}27AAPFU0939F1ZV\n27\u{2013}AAPFU0939F1ZV\n"
                .as_bytes()
                .to_vec(),
        ),
        (
            "Windows-1252 bytes in a value",
            b"GSTIN,Name\n27AAPFU0939F1ZV,Caf\xe9\n27AAPFU\x960939F1ZV,x\n".to_vec(),
        ),
        (
            "a header named like a generated key",
            b"GSTIN,column_2\n27AAPFU0939F1ZV,a,b,c\n".to_vec(),
        ),
        (
            "a GSTIN column with a company prefix",
            b"Invoice No,Company GSTIN,PAN\n1,27AAPFU0939F1ZV,AAPFU0939F\n".to_vec(),
        ),
        ("two GSTIN columns", b"GSTIN,Party GSTIN\n27AAPFU0939F1ZV,27AAPFU0939F1ZV\n".to_vec()),
    ]
}

#[test]
fn bad_input_catalogue_gives_a_report_or_a_clean_exit_2() {
    let cases = catalogue();
    assert!(cases.len() >= 30);
    let dir = Dir::new();
    for (i, (name, bytes)) in cases.iter().enumerate() {
        let input = format!("in{i}.csv");
        let report = format!("out{i}.csv");
        dir.write(&input, bytes);
        let run = dir.cmd().args(["validate", &input, "-o", &report]).run_any();
        let stderr = run.stderr();
        assert!(!stderr.contains("panicked"), "{name}: {stderr}");
        match run.code() {
            Some(0 | 1) => assert!(dir.join(&report).exists(), "{name}: no report"),
            Some(2) => {
                assert!(stderr.starts_with("gstbatch: "), "{name}: {stderr}");
                assert!(stderr.contains(&input), "{name}: the message names the file: {stderr}");
                assert!(!dir.join(&report).exists(), "{name}: a report despite exit 2");
            }
            other => panic!("{name}: exit {other:?}: {stderr}"),
        }
    }
}

#[test]
fn specific_bad_inputs_get_specific_answers() {
    let dir = Dir::new();
    dir.write("e.csv", "");
    let run = dir.cmd().args(["validate", "e.csv"]).run(2);
    assert!(run.stderr().contains("there is no header row"), "{}", run.stderr());
    dir.write("h.csv", "GSTIN\n");
    let run = dir.cmd().args(["validate", "h.csv"]).run(0);
    assert!(run.stdout().starts_with("GSTIN,gstbatch_row,"));
    assert_eq!(run.stdout().lines().count(), 1);
    dir.write("u.csv", utf16le("GSTIN\r\n", false));
    let run = dir.cmd().args(["validate", "u.csv"]).run(2);
    assert!(run.stderr().contains("UTF-16 without a byte-order mark"), "{}", run.stderr());
    dir.write("m.csv", b"GSTIN,N\n27AAPFU0939F1ZV,a\r\n27AAPFU0939F1ZV,b\r27AAPFU0939F1ZV,c\n");
    let run = dir.cmd().args(["validate", "m.csv", "-q", "--no-duplicates"]).run(0);
    assert_eq!(run.stdout().lines().count(), 4, "three rows, whatever their line endings");
}

/// Quotes a cell of arbitrary bytes for CSV.
fn quoted(cell: &[u8]) -> Vec<u8> {
    let mut v = vec![b'"'];
    for &b in cell {
        if b == b'"' {
            v.push(b'"');
        }
        v.push(b);
    }
    v.push(b'"');
    v
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    /// Arbitrary bytes as identifier cells never panic and never change
    /// the number of rows.
    #[test]
    fn prop_arbitrary_identifier_cells_keep_the_row_count(cells in prop::collection::vec(prop::collection::vec(any::<u8>(), 0..40), 1..60)) {
        let dir = Dir::new();
        let mut csv = b"Name,GSTIN\n".to_vec();
        for (i, c) in cells.iter().enumerate() {
            csv.extend_from_slice(format!("n{i},").as_bytes());
            csv.extend_from_slice(&quoted(c));
            csv.push(b'\n');
        }
        dir.write("in.csv", &csv);
        let run = dir.cmd().args(["validate", "in.csv", "-q", "--format", "jsonl"]).run_any();
        prop_assert!(matches!(run.code(), Some(0 | 1)), "{}", run.dump("want exit 0 or 1"));
        let lines: Vec<serde_json::Value> = run.stdout()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        prop_assert_eq!(lines.len(), cells.len());
        for (i, l) in lines.iter().enumerate() {
            prop_assert_eq!(l["Name"].as_str().unwrap(), format!("n{i}"));
        }
    }
}
