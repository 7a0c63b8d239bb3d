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
//! - The engine, which knows no command: [`batch`] (inputs, column finding,
//!   the streaming parallel pipeline, the one report sink, atomic outputs).
//! - The one SQLite store: [`store`].
//! - The commands, each a `run` over its plain settings: [`check`],
//!   [`validate`], [`access`], [`verify`], and the hidden [`generate`] for
//!   benchmarks.
//!   No command imports another.
//! - The edge: [`cli`] (clap definitions) and [`config`] (flags resolved
//!   into settings) are the only modules that know clap.
//! - [`exit`] is the exit-code contract and [`error`] the failures that stop
//!   a command.
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
