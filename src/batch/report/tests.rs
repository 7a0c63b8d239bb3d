use super::*;

#[derive(Debug, Default, Serialize)]
struct Rec {
    a: u32,
    b: &'static str,
}

fn written(format: Format, rows: &[Rec]) -> String {
    let mut w = RowWriter::new(Vec::new(), format);
    for r in rows {
        w.write(r).unwrap();
    }
    String::from_utf8(w.finish::<Rec>().unwrap()).unwrap()
}

#[test]
fn every_format_frames_rows_and_empty_reports() {
    let two = [Rec { a: 1, b: "x,y" }, Rec { a: 2, b: "" }];
    assert_eq!(written(Format::Csv, &two), "a,b\n1,\"x,y\"\n2,\n");
    assert_eq!(written(Format::Csv, &[]), "a,b\n", "an empty CSV keeps its header");
    assert_eq!(written(Format::Jsonl, &two), "{\"a\":1,\"b\":\"x,y\"}\n{\"a\":2,\"b\":\"\"}\n");
    assert_eq!(written(Format::Jsonl, &[]), "");
    assert_eq!(
        written(Format::Json, &two),
        "[\n{\"a\":1,\"b\":\"x,y\"},\n{\"a\":2,\"b\":\"\"}\n]\n"
    );
    assert_eq!(written(Format::Json, &[]), "[]\n");
}

#[test]
fn formats_from_extensions() {
    assert_eq!(Format::from_path(None), Format::Csv);
    assert_eq!(Format::from_path(Some("x.NDJSON".as_ref())), Format::Jsonl);
    assert_eq!(Format::from_path(Some("r.json".as_ref())), Format::Json);
    assert_eq!(Format::from_path(Some("r.xlsx".as_ref())), Format::Xlsx);
    assert!(Target::new(Some("-".as_ref()), Some(Format::Xlsx)).is_err());
    for name in ["r.ods", "r.xls", "r.XLSM", "r.xlsb"] {
        let e = Target::new(Some(name.as_ref()), None).unwrap_err().to_string();
        assert!(e.contains("writes .xlsx workbooks"), "{e}");
        assert!(Target::new(Some(name.as_ref()), Some(Format::Csv)).is_ok());
    }
    assert_eq!(
        Target::new(Some("-".as_ref()), None).unwrap(),
        Target { path: None, format: Format::Csv, bom: false }
    );
}

#[test]
fn the_guard_sees_through_relative_paths_symlinks_and_hard_links() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let input = d.join("in.csv");
    std::fs::write(&input, "x").unwrap();
    let store = d.join("s.db");
    std::fs::write(&store, "db").unwrap();
    std::fs::create_dir(d.join("sub")).unwrap();
    std::fs::hard_link(&input, d.join("hard.csv")).unwrap();
    #[cfg(unix)]
    std::os::unix::fs::symlink(&store, d.join("link.db")).unwrap();
    let store = [store.clone(), d.join("s.db-wal"), d.join("s.db-verify.lock")];
    let refused = [
        d.join("sub/../in.csv"),
        d.join("hard.csv"),
        d.join("./s.db"),
        d.join("s.db-wal"),
        d.join("s.db-verify.lock"),
        #[cfg(unix)]
        d.join("link.db"),
    ];
    let none: &[PathBuf] = &[];
    for out in &refused {
        let e = guard(&[&input], &store, &[("-o", out)]);
        assert!(e.is_err(), "{} accepted", out.display());
    }
    let ok = d.join("r.csv");
    assert!(guard(&[&input], &store, &[("-o", &ok), ("--summary", &d.join("s.json"))]).is_ok());
    let e = guard(&[&input], none, &[("-o", &ok), ("--summary", &d.join("sub/../r.csv"))])
        .unwrap_err()
        .to_string();
    assert!(e.contains("--summary and -o name the same file"), "{e}");
    assert!(guard(&[Path::new("-")], none, &[("-o", Path::new("-"))]).is_ok());
}
