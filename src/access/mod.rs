//! `gstbatch access`: a ledger of GST portal API-access sessions.
//!
//! On the portal a taxpayer sets *Enable API Request* to Yes for 6 hours to
//! 30 days, or to No (SPEC.md section 6). No public API does it, so a
//! practice records what its people did: [`apply`] takes a CSV of such
//! instructions into the store, [`status`] lists who has access until when,
//! [`history`] shows every change for one GSTIN. The rules themselves are
//! pure and live in [`crate::ledger`]; the records in [`crate::store`].

pub mod apply;
mod batch;
pub mod history;
pub mod instruction;
pub mod status;
pub mod tally;

use serde::Serialize;

use crate::error::{Error, Result};
use crate::ident::{Gstin, Options};
use crate::time;

/// A time as RFC 3339 IST; empty when absent.
fn fmt_time(t: Option<i64>) -> String {
    t.map(|t| time::format(&time::from_epoch(t))).unwrap_or_default()
}

/// A time written as RFC 3339 IST without allocating; empty when absent.
#[derive(Debug, Clone, Copy, Default)]
pub struct TimeText(pub Option<i64>);

impl Serialize for TimeText {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        let Some(t) = self.0 else { return s.serialize_str("") };
        let text = time::rfc3339(&time::from_epoch(t));
        s.serialize_str(std::str::from_utf8(&text).unwrap_or_default())
    }
}

/// A GSTIN named on the command line or in a list (`origin` says where),
/// normalised as everywhere else.
///
/// # Errors
/// [`Error::Usage`] naming the value and what is wrong with it.
fn gstin_arg(text: &str, origin: &str) -> Result<Gstin> {
    Gstin::parse_with(text, Options::default())
        .map_err(|e| Error::Usage(format!("{origin}: {text:?} is not a valid GSTIN: {e}")))
}
