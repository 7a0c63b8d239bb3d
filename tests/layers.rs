//! The layers of DESIGN.md, read off the source: which module may name
//! which. Comment lines are not code and are skipped.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// Every `.rs` file under `dir`.
fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            sources(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The top-level module a source file belongs to (`batch`, `time`, ...).
fn module(src: &Path, file: &Path) -> String {
    let rel = file.strip_prefix(src).unwrap();
    let first = rel.components().next().unwrap().as_os_str().to_string_lossy().into_owned();
    first.trim_end_matches(".rs").to_string()
}

/// The crate modules a file's code names (`crate::batch::...`), and whether
/// it names clap.
fn uses(file: &Path) -> (BTreeSet<String>, bool) {
    let text = std::fs::read_to_string(file).unwrap();
    let mut named = BTreeSet::new();
    let mut clap = false;
    for line in text.lines().filter(|l| !l.trim_start().starts_with("//")) {
        clap |= line.contains("clap::") || line.contains("use clap") || line.contains("clap_");
        for (i, _) in line.match_indices("crate::") {
            let rest = &line[i + "crate::".len()..];
            let name: String =
                rest.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect();
            // `crate::Error` and `crate::Result` are the root's re-exports
            // of the error module's.
            let name = if name == "Error" || name == "Result" { "error".to_string() } else { name };
            if !name.is_empty() {
                named.insert(name);
            }
        }
        // `use crate::{a, b::c}`
        if let Some(group) = line.trim_start().strip_prefix("use crate::{") {
            for part in group.split(',') {
                let name: String = part
                    .trim()
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                    .collect();
                if !name.is_empty() {
                    named.insert(name);
                }
            }
        }
    }
    (named, clap)
}

const COMMANDS: [&str; 6] = ["access", "check", "extract", "generate", "validate", "verify"];

#[test]
fn each_layer_names_only_the_layers_above_it() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    sources(&src, &mut files);
    assert!(files.len() > 40, "{} files", files.len());
    let pure = ["ident", "ledger", "time"];
    for file in &files {
        let here = module(&src, file);
        let (named, clap) = uses(file);
        let shown = file.strip_prefix(&src).unwrap().display().to_string();
        let allowed: Vec<&str> = match here.as_str() {
            "ident" | "ledger" | "time" => pure.to_vec(),
            "batch" => [&pure[..], &["batch", "error", "exit"]].concat(),
            "store" => [&pure[..], &["batch", "error", "exit", "store"]].concat(),
            m if COMMANDS.contains(&m) => {
                [&pure[..], &["batch", "error", "exit", "store", m]].concat()
            }
            // The edge, the error type and the crate root name anything.
            _ => continue,
        };
        for name in &named {
            assert!(allowed.contains(&name.as_str()), "{shown} (layer {here}) names crate::{name}");
        }
        assert!(!clap, "{shown}: only cli, config and main know clap");
    }
}

#[test]
fn the_scan_sees_what_it_must() {
    // The edge names every command: if the scan saw nothing there, the test
    // above would pass for the wrong reason.
    let (named, clap) = uses(&Path::new(env!("CARGO_MANIFEST_DIR")).join("src/config.rs"));
    for c in ["validate", "verify", "store", "batch", "extract"] {
        assert!(named.contains(c), "config.rs: {named:?}");
    }
    assert!(clap);
}
