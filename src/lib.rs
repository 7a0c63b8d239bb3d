//! gstbatch: Indian GST identifier checks, bulk CSV validation and a ledger of
//! GST portal API-access sessions.
//!
//! The library holds every rule; the `gstbatch` binary is a thin shell over
//! it. The rules follow the project's SPEC.md, which lists its sources.
//!
//! Layers, each importing only those above it:
//! - Pure rules, no I/O: [`ident`] (GSTIN and PAN parsing, normalising,
//!   error codes, suggestions), [`ledger`] (API-access durations, sessions
//!   and transitions), [`time`] (IST timestamps).
//! - The failures: [`error`] (what stops a command) and [`exit`] (the
//!   exit-code contract), named by every layer below and naming none.
//! - The input formats: [`input`] (CSV, UTF-16 and Windows-1252 text,
//!   workbooks, return JSON, e-invoices, Tally XML, each turned into CSV
//!   text in blocks; the record scanner; column finding).
//! - The engine, which knows no format and no command: [`batch`] (the
//!   streaming parallel pipeline, the one report sink, atomic outputs).
//! - The one SQLite store: [`store`].
//! - The commands, each a `run` over its plain settings: [`check`],
//!   [`validate`], [`access`], [`verify`], and the hidden [`generate`] for
//!   benchmarks.
//!   No command imports another.
//! - The edge: [`cli`] (clap definitions) and [`config`] (flags resolved
//!   into settings) are the only modules that know clap.
//!
//! An offline check proves only that an identifier is well formed. Whether a
//! registration exists, is active or was cancelled only GSTN knows:
//! [`verify`] asks it through the provider's API, and keeps every answer.

#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod access;
pub mod batch;
pub mod check;
pub mod cli;
pub mod config;
pub mod error;
pub mod exit;
pub mod extract;
pub mod generate;
pub mod ident;
pub mod input;
pub mod ledger;
pub mod store;
pub mod time;
pub mod validate;
pub mod verify;

pub use error::Error;
pub use ident::{Gstin, IdError, Pan};
