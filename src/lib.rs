//! gstbatch: Indian GST identifier checks, bulk CSV validation and a ledger of
//! GST portal API-access sessions.
//!
//! The library holds every rule; the `gstbatch` binary is a thin shell over
//! it. The rules follow the project's SPEC.md, which lists its sources.
//!
//! - [`ident`]: GSTIN and PAN parsing, normalising, error codes, suggestions.
//! - [`batch`]: the streaming, parallel CSV engine (also UTF-16 and
//!   workbooks in, atomic CSV, JSON and `.xlsx` reports out).
//! - [`time`]: IST timestamps and `--now`.
//! - The commands, each a `run` over its [`cli`] arguments: [`check`],
//!   [`validate`], [`access`], and the hidden [`generate`] for benchmarks.
//! - [`exit`] is the exit-code contract and [`error`] the failures that stop
//!   a command.
//!
//! An offline check proves only that an identifier is well formed. Whether a
//! registration exists, is active or was cancelled only the GST portal knows.

#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod access;
pub mod batch;
pub mod check;
pub mod cli;
pub mod error;
pub mod exit;
pub mod generate;
pub mod ident;
pub mod time;
pub mod validate;

pub use error::Error;
pub use ident::{Gstin, IdError, Pan};
