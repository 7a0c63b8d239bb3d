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
            // The failures are named by every layer and name none.
            "error" | "exit" => [&pure[..], &["error", "exit"]].concat(),
            "input" => [&pure[..], &["error", "exit", "input"]].concat(),
            "batch" => [&pure[..], &["batch", "error", "exit", "input"]].concat(),
            "store" => [&pure[..], &["batch", "error", "exit", "input", "store"]].concat(),
            m if COMMANDS.contains(&m) => {
                [&pure[..], &["batch", "error", "exit", "input", "store", m]].concat()
            }
            // The edge and the crate root name anything.
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

/// A source file's module path: `src/input/csv.rs` is `input::csv`,
/// `src/input/mod.rs` is `input`.
fn module_path(src: &Path, file: &Path) -> String {
    let rel = file.strip_prefix(src).unwrap().with_extension("");
    let mut parts: Vec<String> =
        rel.components().map(|c| c.as_os_str().to_string_lossy().into_owned()).collect();
    if parts.last().is_some_and(|p| p == "mod") {
        parts.pop();
    }
    parts.join("::")
}

/// The modules a file's code (its tests left out) names, through `crate::`,
/// `super::` or a child's name, its own ancestors left out.
fn edges(here: &str, text: &str, modules: &BTreeSet<String>) -> BTreeSet<String> {
    let parent = here.rsplit_once("::").map_or("", |(p, _)| p);
    let code = text.split("#[cfg(test)]").next().unwrap();
    let mut out = BTreeSet::new();
    let ident = |c: char| c.is_ascii_alphanumeric() || c == '_';
    for line in code.lines().filter(|l| !l.trim_start().starts_with("//")) {
        // Every path in the line, a group's parts included, with its root.
        let mut paths = Vec::new();
        for (i, _) in line.match_indices("::") {
            let start = line[..i].rfind(|c: char| !ident(c)).map_or(0, |s| s + 1);
            if line[..start].ends_with("::") {
                continue;
            }
            let mut end = i;
            while line[end..].starts_with("::") {
                let next = end + 2;
                let len = line[next..].find(|c: char| !ident(c)).unwrap_or(line.len() - next);
                if len == 0 {
                    break;
                }
                end = next + len;
            }
            paths.push(line[start..end].to_string());
            if let Some(group) = line[end..].strip_prefix("::{") {
                let group = group.split('}').next().unwrap();
                for part in group.split(',') {
                    let part: String =
                        part.trim().chars().take_while(|&c| ident(c) || c == ':').collect();
                    if !part.is_empty() {
                        paths.push(format!("{}::{part}", &line[start..end]));
                    }
                }
            }
        }
        for path in paths {
            let mut parts: Vec<&str> = path.split("::").collect();
            let base = match parts[0] {
                "crate" => {
                    parts.remove(0);
                    String::new()
                }
                "super" => {
                    parts.remove(0);
                    parent.to_string()
                }
                _ => here.to_string(),
            };
            // The longest prefix that is a module of ours.
            let mut found = None;
            let mut m = base.clone();
            for p in parts {
                m = if m.is_empty() { p.to_string() } else { format!("{m}::{p}") };
                if modules.contains(&m) {
                    found = Some(m.clone());
                } else {
                    break;
                }
            }
            let target = match found {
                Some(t) => t,
                None if path.starts_with("super::") && !parent.is_empty() => parent.to_string(),
                None => continue,
            };
            // A parent module is its children's namespace (`super::Source`,
            // `super::Error`): a child naming it is not a circle.
            let ancestor = here.starts_with(&format!("{target}::"));
            if target != here && !ancestor {
                out.insert(target);
            }
        }
    }
    out
}

#[test]
fn no_module_imports_in_a_circle() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    sources(&src, &mut files);
    // The crate root and the binary name everything, and are named by none.
    files.retain(|f| !f.ends_with("lib.rs") && !f.ends_with("main.rs"));
    let mut modules: BTreeSet<String> = files.iter().map(|f| module_path(&src, f)).collect();
    modules.retain(|m| !m.ends_with("::tests") && m != "tests");
    let mut graph = Graph::new();
    for file in &files {
        let here = module_path(&src, file);
        if !modules.contains(&here) {
            continue;
        }
        let text = std::fs::read_to_string(file).unwrap();
        graph.insert(here.clone(), edges(&here, &text, &modules));
    }
    assert!(graph["input"].contains("input::csv"), "{:?}", graph["input"]);
    assert!(graph["validate::report"].contains("validate::dupes"));
    let circles = circles(&graph);
    assert!(circles.is_empty(), "import circles: {circles:?}");
}

type Graph = std::collections::BTreeMap<String, BTreeSet<String>>;

/// The sets of modules that reach each other through their imports.
fn circles(graph: &Graph) -> BTreeSet<Vec<String>> {
    // What each module reaches; two that reach each other are in a circle.
    let reach = |from: &str| {
        let mut seen = BTreeSet::new();
        let mut todo = vec![from.to_string()];
        while let Some(m) = todo.pop() {
            for next in graph.get(&m).into_iter().flatten() {
                if seen.insert(next.clone()) {
                    todo.push(next.clone());
                }
            }
        }
        seen
    };
    let reached: std::collections::BTreeMap<&String, BTreeSet<String>> =
        graph.keys().map(|m| (m, reach(m))).collect();
    reached
        .iter()
        .filter(|(m, r)| r.contains(m.as_str()))
        .map(|(m, r)| {
            let mut c: Vec<String> =
                r.iter().filter(|o| reached[o].contains(m.as_str())).cloned().collect();
            c.sort();
            c
        })
        .collect()
}

#[test]
fn the_circle_scan_sees_a_circle_between_siblings() {
    let modules: BTreeSet<String> =
        ["error", "input", "input::columns", "input::csv"].map(String::from).into();
    let mut graph = Graph::new();
    let files = [
        ("error", "source: crate::input::columns::ColumnError,"),
        ("input", "pub mod csv;\npub use csv::BlockReader;"),
        ("input::columns", "use crate::error::{Error, Result};"),
        ("input::csv", "use super::{BLOCK_SIZE, Source};\n#[cfg(test)]\nuse crate::error::Error;"),
    ];
    for (m, text) in files {
        graph.insert(m.to_string(), edges(m, text, &modules));
    }
    assert!(graph["input::csv"].is_empty(), "{:?}", graph["input::csv"]);
    assert_eq!(graph["input"], ["input::csv".to_string()].into());
    let found: Vec<Vec<String>> = circles(&graph).into_iter().collect();
    assert_eq!(found, [["error", "input::columns"].map(String::from).to_vec()]);
}
