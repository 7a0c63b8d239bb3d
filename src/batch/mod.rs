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

pub mod columns;
pub mod input;
pub mod interrupt;
pub mod output;
pub mod pipeline;
pub mod progress;
pub mod report;
pub mod scan;
pub mod utf16;
pub mod workbook;
pub mod xlsx;

/// The splitmix64 finaliser: a cheap, well-mixed 64-bit hash of a 64-bit
/// value (duplicate keys, the benchmark generator's random numbers).
pub const fn mix64(mut x: u64) -> u64 {
    x ^= x >> 30;
    x = x.wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x ^= x >> 27;
    x = x.wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}
