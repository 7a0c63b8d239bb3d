//! The one integration-test binary: it runs the real `gstbatch` on files in
//! `samples/` and on files the tests write.

/// Running the binary, temp folders, golden files.
mod util;

/// `gstbatch check`: arguments, stdin, formats, exit codes.
mod check;
/// The bundled samples: every value's expected verdict.
mod samples;
