//! `verify`'s input, read twice and never held: once for the distinct
//! questions, once for the report, row by row, as `validate` streams. Only
//! the distinct identifiers and their answers stay in memory, whatever the
//! file's size. Standard input, which cannot be read twice, is copied to a
//! temporary file as it is read the first time.

use std::collections::VecDeque;
use std::io::Write;

use crate::error::{Error, Result};
use crate::ident::{self, Kind, Options};
use crate::input::columns::{self, ColumnError, Family};
use crate::input::scan::{self, Fields, Records};
use crate::input::{BlockReader, Source, unclosed_quote};

use super::Settings;
use super::client::Question;

/// What a row asks, or why it asks nothing.
pub(super) enum Ask {
    /// A question to the provider (asked once however many rows share it).
    Question(Question),
    /// The value failed the offline check: never sent.
    Malformed(String),
    /// Nothing to ask with (a blank name or date of birth): costs nothing.
    NotChecked(String),
    /// A valid GSTIN the provider's pre-check would refuse: never sent.
    ProviderRefused(String),
}

/// How the input's columns are read.
pub(super) struct Plan {
    /// What is verified.
    pub kind: Kind,
    /// What the identifier column holds.
    holds: Kind,
    /// The header, as text.
    pub headers: Vec<String>,
    id_col: usize,
    /// `--name-column`.
    pub name_col: Option<usize>,
    dob_col: Option<usize>,
    /// `--date-column`.
    pub date_col: Option<usize>,
    /// `--value-column`.
    pub value_col: Option<usize>,
}

impl Plan {
    /// Column `c` as messages name it: `column 3 ("Invoice Date")`.
    pub fn named(&self, c: usize) -> String {
        format!("column {} ({:?})", c + 1, self.headers.get(c).map(String::as_str).unwrap_or(""))
    }
}

/// One data row: its spreadsheet row, its cells, and what it asks.
pub(super) struct Row {
    /// The spreadsheet row (header row 1).
    pub row: u64,
    /// Its cells, as text.
    pub cells: Vec<String>,
    /// What it asks.
    pub ask: Ask,
}

/// The input, with standard input's copy once it was read.
pub(super) struct Input {
    copy: Option<tempfile::NamedTempFile>,
}

impl Input {
    /// For `s.input`: standard input is copied to a temporary file first
    /// (in the system's temporary folder), so that it can be read twice.
    ///
    /// # Errors
    /// [`Error::Read`].
    pub fn new(s: &Settings) -> Result<Input> {
        let Source::Stdin = s.input else { return Ok(Input { copy: None }) };
        let err = |e| Error::Read { path: s.input.path(), source: e };
        let mut copy = tempfile::NamedTempFile::new().map_err(err)?;
        std::io::copy(&mut std::io::stdin().lock(), copy.as_file_mut()).map_err(err)?;
        copy.as_file_mut().flush().map_err(err)?;
        Ok(Input { copy: Some(copy) })
    }

    /// Opens the input at its first data row: its rows, with how its
    /// columns are read ([`Rows::plan`]).
    ///
    /// # Errors
    /// [`Error::Read`], [`Error::Column`], [`Error::Usage`] (PANs without
    /// consent, a name or a date of birth column), as for `validate`.
    pub fn open<'s>(&self, s: &'s Settings) -> Result<Rows<'s>> {
        let copy = self.copy.as_ref().map(tempfile::NamedTempFile::path);
        let (reader, raw_headers, header_rows) =
            BlockReader::open_table_from(&s.input, &s.read, copy)?;
        let plan = plan(s, &raw_headers)?;
        Ok(Rows { s, plan, reader, row: header_rows, ready: VecDeque::new(), failed: None })
    }
}

/// Finds the columns and checks what PAN verification needs.
fn plan(s: &Settings, raw_headers: &[Vec<u8>]) -> Result<Plan> {
    let column_err = |e: ColumnError| Error::Column { path: s.input.path(), source: e };
    let (id_col, family) = columns::identifier(s.column.as_deref(), raw_headers, s.read.headers)
        .map_err(column_err)?;
    // The column's own kind (a PAN column holds PANs; `--kind pan` on a
    // GSTIN column asks about the PAN inside each GSTIN).
    let holds = if family == Some(Family::Pan) { Kind::Pan } else { Kind::Gstin };
    let kind = s.kind.unwrap_or(holds);
    let by_arg = |a: &Option<String>, flag: &str| {
        a.as_deref().map(|a| columns::by_arg(a, raw_headers, flag).map_err(column_err)).transpose()
    };
    let name_col = by_arg(&s.name_column, "--name-column")?;
    let dob_col = by_arg(&s.dob_column, "--dob-column")?;
    let date_col = by_arg(&s.date_column, "--date-column")?;
    let value_col = by_arg(&s.value_column, "--value-column")?;
    if date_col.is_some() && kind == Kind::Pan {
        return Err(Error::Usage(
            "--date-column is for GSTINs: the registration on each document's date".into(),
        ));
    }
    if s.returns.is_some() && kind == Kind::Pan {
        return Err(Error::Usage("--returns is for GSTINs: a supplier's return filing".into()));
    }
    if kind == Kind::Pan {
        if !s.consent {
            return Err(Error::Usage(
                "PAN verification needs the holders' consent: the provider requires it, and \
                 the law requires it of whoever asks. Give --consent to confirm that every \
                 holder in the file consented"
                    .into(),
            ));
        }
        if name_col.is_none() || dob_col.is_none() {
            return Err(Error::Usage(
                "PAN verification needs each holder's name and date of birth (or \
                 incorporation): give --name-column and --dob-column"
                    .into(),
            ));
        }
    }
    let headers = raw_headers.iter().map(|h| String::from_utf8_lossy(h).into_owned()).collect();
    Ok(Plan { kind, holds, headers, id_col, name_col, dob_col, date_col, value_col })
}

/// The data rows, a block at a time. A failure to read ends them; it is
/// kept, for [`Rows::finish`].
pub(super) struct Rows<'s> {
    s: &'s Settings,
    plan: Plan,
    reader: BlockReader,
    row: u64,
    ready: VecDeque<Row>,
    failed: Option<Error>,
}

impl Iterator for Rows<'_> {
    type Item = Row;

    /// The next row, reading the next block when the last is used up.
    fn next(&mut self) -> Option<Row> {
        while self.ready.is_empty() && self.failed.is_none() {
            let block = match self.reader.next_block() {
                Ok(Some(block)) => block,
                Ok(None) => return None,
                Err(e) => {
                    self.failed = Some(e);
                    return None;
                }
            };
            let delimiter = self.reader.delimiter();
            let mut recs = Records::new(&block, delimiter);
            for rec in recs.by_ref() {
                self.row += 1 + rec.blank_before as u64;
                if rec.unterminated {
                    self.failed = Some(unclosed_quote(self.s.input.path(), self.row));
                    return None;
                }
                let fields = Fields::new(&rec, delimiter);
                let cells: Vec<String> =
                    fields.iter().map(|f| scan::text(f).into_owned()).collect();
                // The identifier's own bytes: one that is not UTF-8 is
                // reported by its byte, not by a replacement character.
                let value = fields.get(self.plan.id_col).unwrap_or_default();
                let ask = question(self.s, &self.plan, value, &cells);
                self.ready.push_back(Row { row: self.row, cells, ask });
            }
            self.row += recs.blank_after as u64;
        }
        self.ready.pop_front()
    }
}

impl Rows<'_> {
    /// How the columns are read.
    pub fn plan(&self) -> &Plan {
        &self.plan
    }

    /// Ends the rows: the read failure that ended them early, if any, else
    /// the input's notes on how it was read ([`BlockReader::notes`]).
    ///
    /// # Errors
    /// [`Error::Read`], an unclosed quote.
    pub fn finish(self) -> Result<Vec<String>> {
        self.failed.map_or_else(|| Ok(self.reader.notes()), Err)
    }
}

/// What one row asks: the identifier, checked offline first, and for a PAN
/// the name and date of birth from their cells.
fn question(s: &Settings, plan: &Plan, value: &[u8], cells: &[String]) -> Ask {
    let verdict = ident::check_bytes(value, Some(plan.holds), Options::default());
    let id = match (&verdict.result, plan.kind) {
        (Ok(ident::Id::Gstin(g)), Kind::Pan) => match g.pan() {
            Some(p) => p.to_string(),
            None => {
                return Ask::Malformed(format!(
                    "{g} holds no PAN (a {} GSTIN); not sent",
                    g.registration_type()
                ));
            }
        },
        (Ok(_), _) => verdict.normalized.to_string(),
        (Err(_), _) if s.send_malformed && !verdict.normalized.is_empty() => {
            verdict.normalized.to_string()
        }
        (Err(e), _) => return Ask::Malformed(format!("malformed ({}): {e}; not sent", e.code())),
    };
    if plan.kind == Kind::Gstin {
        if let Ok(ident::Id::Gstin(g)) = &verdict.result
            && !super::client::provider_accepts(&id)
            && !s.send_malformed
        {
            return Ask::ProviderRefused(format!(
                "the provider cannot look up a {} GSTIN: its pre-check allows only C or Z as the \
                 14th character (SPEC 7.1), so it was not sent; check it on the GST portal",
                g.registration_type()
            ));
        }
        return Ask::Question(Question::Gstin(id));
    }
    let cell = |c: Option<usize>| c.and_then(|c| cells.get(c)).map(|v| v.trim()).unwrap_or("");
    let named = |c: Option<usize>| plan.named(c.unwrap_or(0));
    let name = cell(plan.name_col);
    if name.is_empty() {
        return Ask::NotChecked(format!(
            "the name cell, {}, is blank; not sent",
            named(plan.name_col)
        ));
    }
    let dob = cell(plan.dob_col);
    let Some(dob) = crate::time::day_month_year(dob) else {
        let why = if dob.is_empty() {
            "is blank".to_string()
        } else {
            format!("holds {dob:?}, not a date")
        };
        return Ask::NotChecked(format!(
            "the date of birth cell, {}, {why} (write DD/MM/YYYY, DD-MM-YYYY or YYYY-MM-DD); not sent",
            named(plan.dob_col)
        ));
    };
    Ask::Question(Question::Pan { pan: id, name: name.to_string(), dob })
}
