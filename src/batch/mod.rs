//! The streaming, parallel engine, generic over what is done to a block of
//! records; it knows no command and no file format.
//!
//! The input layer ([`crate::input`]) hands over blocks of a few hundred KiB
//! of CSV text, each cut at a record boundary. Batches of blocks are processed on
//! the rayon pool, and the results go, in input order, to one writer thread
//! ([`pipeline::run`]). Memory is bounded by the block size times the blocks
//! in flight, never by the file size. Reports are written atomically
//! ([`output::Output`]).

pub mod interrupt;
pub mod output;
pub mod pipeline;
pub mod progress;
pub mod report;
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

/// A hasher for short keys such as identifiers: splitmix64 over 8 bytes at
/// a time from a seed drawn once a run, so that a crafted file cannot aim
/// its keys at one bucket. SipHash, the standard map's, showed in profiles
/// of million-instruction batches.
#[derive(Debug, Clone, Copy)]
pub struct FastState(u64);

impl Default for FastState {
    fn default() -> Self {
        use std::hash::BuildHasher;
        FastState(std::hash::RandomState::new().hash_one(0x5eed_u64))
    }
}

impl std::hash::BuildHasher for FastState {
    type Hasher = FastHasher;
    fn build_hasher(&self) -> FastHasher {
        FastHasher(self.0)
    }
}

/// [`FastState`]'s hasher.
#[derive(Debug, Clone, Copy)]
pub struct FastHasher(u64);

impl std::hash::Hasher for FastHasher {
    fn finish(&self) -> u64 {
        mix64(self.0)
    }

    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut word = [0u8; 8];
            word[..chunk.len()].copy_from_slice(chunk);
            self.0 = mix64(self.0 ^ u64::from_le_bytes(word));
        }
    }
}

#[cfg(test)]
mod tests {
    use std::hash::BuildHasher;

    use super::FastState;

    #[test]
    fn fast_hashes_differ_by_seed_and_by_every_byte() {
        let (a, b) = (FastState::default(), FastState::default());
        let key = *b"27AAPFU0939F1ZV";
        assert_eq!(a.hash_one(key), a.hash_one(key));
        assert_ne!(a.hash_one(key), b.hash_one(key));
        for i in 0..key.len() {
            let mut other = key;
            other[i] ^= 1;
            assert_ne!(a.hash_one(key), a.hash_one(other), "byte {i}");
        }
    }
}
