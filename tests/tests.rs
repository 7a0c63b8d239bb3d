//! The one integration-test binary: it runs the real `gstbatch` on files in
//! `samples/` and on files the tests write.

/// Running the binary, temp folders, golden files.
mod util;

/// The provider's API, emulated on 127.0.0.1 with faults.
mod emulator;

/// `gstbatch access`: apply, status, history, the store's faults.
mod access;
/// Hostile inputs: a report or a clean exit 2, never a panic or a hang.
mod bad_input;
/// `gstbatch check`: arguments, stdin, formats, exit codes.
mod check;
/// The contract of every command: exit codes, outputs that never
/// overwrite inputs or the store.
mod cli;
/// The configuration file: location, precedence, refusals.
mod config;
/// The scheduling recipes in contrib/: cron, systemd.
mod contrib;
/// `gstbatch verify` on a purchase register: can the credit be claimed?
mod credit;
/// `gstbatch extract`: identifiers in free text.
mod extract;
/// Input formats known by content: the portal's return JSON.
mod formats;
/// Issue 21: secrets, money, bounded inputs, outputs checked before work.
mod hostile;
/// The layers of DESIGN.md, read off the source.
mod layers;
/// The command line's parsing: ranges, flags, consistency.
mod parse;
/// The provider as it really answers (SPEC.md 7.1): errors inside 200,
/// its pre-check, its statuses, its cache, its rate.
mod provider;
/// One test per defect class of issue 9, each failing on the code before.
mod regression;
/// The bundled samples: every value's expected verdict.
mod samples;
/// `gstbatch validate`: input quirks, flags, formats, exit codes, atomicity.
mod validate;
/// `gstbatch verify` against the emulator.
mod verify;
/// `gstbatch verify --kind pan` against the emulator.
mod verify_pan;
/// The Windows build under Wine (ignored; scripts/windows-smoke.sh).
mod windows;
/// Workbooks (.xlsx and friends) as input.
mod workbook;
