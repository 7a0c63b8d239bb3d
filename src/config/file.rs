//! The configuration file: the defaults a practice sets once, in TOML, each
//! key a long flag's name. A flag given on the command line wins over the
//! environment, the environment over the file, the file over the built-in
//! default. Secrets never go in it: only the credentials file's path.

use std::path::{Path, PathBuf};

use serde::Deserialize;
use toml::Spanned;

use crate::batch::report::Format;
use crate::error::{Error, Result};

/// The environment variable naming the file, instead of the platform's.
pub const ENV: &str = "GSTBATCH_CONFIG";

/// A value from the file, with the line it is on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry<T> {
    /// The value, checked.
    pub value: T,
    /// Its line in the file, from 1.
    pub line: usize,
}

/// A loaded configuration file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct File {
    /// Where it is.
    pub path: PathBuf,
    /// `state`: the state store (relative to the file's folder).
    pub state: Option<Entry<PathBuf>>,
    /// `api-base`: the provider's API.
    pub api_base: Option<Entry<String>>,
    /// `credentials`: the credentials file (relative to the file's folder).
    pub credentials: Option<Entry<PathBuf>>,
    /// `max-age`: a span such as `7d`, or `0`.
    pub max_age: Option<Entry<String>>,
    /// `rate`: requests a minute, 1 to 60000.
    pub rate: Option<Entry<u32>>,
    /// `concurrency`: requests in flight, 1 to 64.
    pub concurrency: Option<Entry<u64>>,
    /// `format`: the report format when neither `--format` nor the
    /// report's extension says.
    pub format: Option<Entry<Format>>,
}

/// The file as TOML gives it, before checking.
#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct Raw {
    state: Option<Spanned<String>>,
    api_base: Option<Spanned<String>>,
    credentials: Option<Spanned<String>>,
    max_age: Option<Spanned<String>>,
    rate: Option<Spanned<i64>>,
    concurrency: Option<Spanned<i64>>,
    format: Option<Spanned<String>>,
}

/// The platform's configuration file: `gstbatch/config.toml` in the
/// configuration folder the `directories` crate finds (`~/.config` on
/// Linux, `%APPDATA%` on Windows, `~/Library/Application Support` on
/// macOS).
pub fn platform_path() -> Option<PathBuf> {
    let dirs = directories::BaseDirs::new()?;
    Some(dirs.config_dir().join("gstbatch").join("config.toml"))
}

/// Where the file is looked for, and whether `GSTBATCH_CONFIG` named it
/// (then it must exist).
pub fn location() -> Option<(PathBuf, bool)> {
    match std::env::var_os(ENV).filter(|p| !p.is_empty()) {
        Some(p) => Some((PathBuf::from(p), true)),
        None => platform_path().map(|p| (p, false)),
    }
}

/// Loads the file, if there is one.
///
/// # Errors
/// [`Error::Usage`] when `GSTBATCH_CONFIG` names a file that cannot be
/// read, or the file has an unknown key or a bad value (naming the file,
/// the line and the key).
pub fn load() -> Result<Option<File>> {
    let Some((path, named)) = location() else { return Ok(None) };
    match std::fs::read_to_string(&path) {
        Ok(text) => parse(&path, &text).map(Some),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound && !named => Ok(None),
        Err(e) => Err(Error::Usage(format!("configuration file {}: {e}", path.display()))),
    }
}

/// Parses and checks the text of the file at `path`.
///
/// # Errors
/// [`Error::Usage`] naming the file, the line and the key.
pub fn parse(path: &Path, text: &str) -> Result<File> {
    let line_of = |offset: usize| text[..offset.min(text.len())].matches('\n').count() + 1;
    let fail = |line: usize, what: String| {
        Error::Usage(format!("configuration file {}, line {line}: {what}", path.display()))
    };
    let raw: Raw = toml::from_str(text).map_err(|e| {
        let line = e.span().map_or(1, |s| line_of(s.start));
        fail(line, e.message().trim().replace('`', "'"))
    })?;
    let folder = path.parent().unwrap_or(Path::new(""));
    // Relative paths are the file's neighbours, wherever gstbatch runs.
    let file_path = |key: &str, v: Spanned<String>| {
        let line = line_of(v.span().start);
        match v.get_ref().trim() {
            "" => Err(fail(line, format!("{key}: give a path, or leave the key out"))),
            p => Ok(Entry { value: folder.join(p), line }),
        }
    };
    let number = |key: &str, v: Spanned<i64>, max: i64| {
        let line = line_of(v.span().start);
        match *v.get_ref() {
            n if (1..=max).contains(&n) => Ok(Entry { value: n, line }),
            n => Err(fail(line, format!("{key} = {n}: give a number from 1 to {max}"))),
        }
    };
    let mut file = File { path: path.to_path_buf(), ..File::default() };
    if let Some(v) = raw.state {
        file.state = Some(file_path("state", v)?);
    }
    if let Some(v) = raw.credentials {
        file.credentials = Some(file_path("credentials", v)?);
    }
    if let Some(v) = raw.api_base {
        let line = line_of(v.span().start);
        let base = v.into_inner();
        crate::verify::client::check_base(&base)
            .map_err(|e| fail(line, format!("api-base: {e}")))?;
        file.api_base = Some(Entry { value: base, line });
    }
    if let Some(v) = raw.max_age {
        let line = line_of(v.span().start);
        let text = v.into_inner();
        super::max_age("max-age", &text).map_err(|e| fail(line, e.to_string()))?;
        file.max_age = Some(Entry { value: text, line });
    }
    if let Some(v) = raw.rate {
        let e = number("rate", v, 60_000)?;
        file.rate = Some(Entry { value: e.value as u32, line: e.line });
    }
    if let Some(v) = raw.concurrency {
        let e = number("concurrency", v, 64)?;
        file.concurrency = Some(Entry { value: e.value as u64, line: e.line });
    }
    if let Some(v) = raw.format {
        let line = line_of(v.span().start);
        let Some(format) = Format::from_name(v.get_ref()) else {
            let given = v.get_ref();
            return Err(fail(line, format!("format = {given:?}: give csv, json, jsonl or xlsx")));
        };
        file.format = Some(Entry { value: format, line });
    }
    Ok(file)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parsed(text: &str) -> Result<File> {
        parse(Path::new("/etc/g/config.toml"), text)
    }

    #[test]
    fn every_key_checked_and_relative_paths_beside_the_file() {
        let f = parsed(
            "# a practice's defaults\nstate = \"ledger/state.db\"\napi-base = \
             \"https://api.example.in\"\ncredentials = \"/secure/keys\"\nmax-age = \"3 days\"\n\
             rate = 120\nconcurrency = 8\nformat = \"XLSX\"\n",
        )
        .unwrap();
        assert_eq!(f.state, Some(Entry { value: "/etc/g/ledger/state.db".into(), line: 2 }));
        assert_eq!(f.credentials.unwrap().value, PathBuf::from("/secure/keys"));
        assert_eq!(f.api_base.unwrap().line, 3);
        assert_eq!(f.max_age.unwrap().value, "3 days");
        assert_eq!(f.rate.unwrap().value, 120);
        assert_eq!(f.concurrency, Some(Entry { value: 8, line: 7 }));
        assert_eq!(f.format.unwrap().value, Format::Xlsx);
        assert_eq!(
            parsed("").unwrap(),
            File { path: "/etc/g/config.toml".into(), ..File::default() }
        );
    }

    #[test]
    fn unknown_keys_and_bad_values_name_the_file_line_and_key() {
        let cases = [
            ("rate = 5\nstate-path = \"x\"\n", "line 2", "state-path"),
            ("\n\nrate = 0\n", "line 3", "rate"),
            ("concurrency = 65\n", "line 1", "concurrency"),
            ("max-age = \"soon\"\n", "line 1", "max-age"),
            ("format = \"pdf\"\n", "line 1", "format"),
            ("api-base = \"http://example.in\"\n", "line 1", "api-base"),
            ("state = \"  \"\n", "line 1", "state"),
            ("rate = \"fast\"\n", "line 1", ""),
            ("state = \"a\"\nstate = \"b\"\n", "line 2", ""),
            ("api_key = \"sk_live\"\n", "line 1", "api_key"),
        ];
        for (text, line, key) in cases {
            let e = parsed(text).unwrap_err().to_string();
            assert!(e.contains("/etc/g/config.toml") && e.contains(line) && e.contains(key), "{e}");
            assert!(!e.contains("sk_live"), "a secret echoed: {e}");
        }
    }
}
