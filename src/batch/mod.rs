//! The streaming, parallel CSV engine, generic over what is done to a block
//! of records.
//!
//! The input is read in blocks of a few hundred KiB, each cut at a record
//! boundary ([`scan::last_boundary`]); UTF-16 input is decoded on the way in
//! ([`utf16`]). Batches of blocks are processed on
//! the rayon pool, and the results go, in input order, to one writer thread
//! ([`pipeline::run`]). Memory is bounded by the block size times the blocks
//! in flight, never by the file size. Reports are written atomically
//! ([`output::Output`]).

pub mod input;
pub mod output;
pub mod pipeline;
pub mod progress;
pub mod scan;
pub mod utf16;
pub mod workbook;
pub mod xlsx;
