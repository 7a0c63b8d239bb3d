//! Duplicate tracking: the first row of every normalised value, compactly.
//!
//! A valid identifier is stored as its exact 64-bit packing
//! ([`Gstin::compact`](crate::ident::Gstin::compact)); an invalid value, which
//! has no such packing, as a 128-bit hash of its normalised text (two
//! independent SipHash values: a false match among ten million values has a
//! probability near 10^-25). Each entry is 12 bytes (valid) or 20 bytes
//! (invalid) plus one control byte, in 64 shards so that growing one shard
//! never doubles the whole table at once. Row numbers are stored as `u32`:
//! rows after 4,294,967,295 are not tracked.

use std::collections::HashMap;
use std::hash::{BuildHasher, Hash, Hasher};

use super::report::BlockOut;

/// What a row is deduplicated by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Key {
    /// Nothing: an empty value is never a duplicate.
    None,
    /// A valid identifier's exact packing.
    Exact(u64),
    /// An invalid value's 128-bit hash.
    Hashed(u128),
}

impl Key {
    /// The key of an invalid value's normalised text.
    pub fn hashed(text: &str) -> Key {
        let mut a = std::hash::DefaultHasher::new();
        text.hash(&mut a);
        let mut b = std::hash::DefaultHasher::new();
        0x9e37_79b9_7f4a_7c15u64.hash(&mut b);
        text.hash(&mut b);
        Key::Hashed(u128::from(a.finish()) << 64 | u128::from(b.finish()))
    }
}

/// A 64-bit key stored as two `u32`s, so an entry packs into 12 bytes.
#[derive(Clone, Copy, PartialEq, Eq)]
struct K64([u32; 2]);

impl Hash for K64 {
    fn hash<H: Hasher>(&self, h: &mut H) {
        h.write_u64(u64::from(self.0[0]) << 32 | u64::from(self.0[1]));
    }
}

/// A 128-bit key stored as four `u32`s (20-byte entries).
#[derive(Clone, Copy, PartialEq, Eq)]
struct K128([u32; 4]);

impl Hash for K128 {
    fn hash<H: Hasher>(&self, h: &mut H) {
        // Already a hash: half of it is enough to place it.
        h.write_u64(u64::from(self.0[0]) << 32 | u64::from(self.0[1]));
    }
}

/// The splitmix64 finaliser: packed identifiers are far from random, and
/// the table uses both the low bits (bucket) and the high bits (tag).
#[derive(Default, Clone, Copy)]
struct Mix(u64);

impl Hasher for Mix {
    fn finish(&self) -> u64 {
        crate::batch::mix64(self.0)
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 ^ u64::from(b)).wrapping_mul(0x100_0000_01b3);
        }
    }

    fn write_u64(&mut self, x: u64) {
        self.0 ^= x;
    }
}

#[derive(Default, Clone, Copy)]
struct BuildMix;

impl BuildHasher for BuildMix {
    type Hasher = Mix;
    fn build_hasher(&self) -> Mix {
        Mix(0)
    }
}

/// Shards of the table. Growing one shard copies 1/64 of the table, not
/// all of it, and shards are resolved on several cores at once.
pub const SHARDS: usize = 64;

impl Key {
    /// The shard this key lives in; `None` for [`Key::None`].
    pub fn shard(self) -> Option<u8> {
        let h = match self {
            Key::None => return None,
            Key::Exact(k) => BuildMix.hash_one(k),
            Key::Hashed(h) => h as u64,
        };
        Some(((h >> 40) as usize % SHARDS) as u8)
    }
}

/// One shard: valid identifiers and invalid values apart, since their keys
/// differ in size.
#[derive(Default)]
pub struct Shard {
    exact: HashMap<K64, u32, BuildMix>,
    hashed: HashMap<K128, u32, BuildMix>,
}

impl Shard {
    /// Records `key` at `row` and returns the earlier row that had it, if any.
    pub fn first(&mut self, key: Key, row: u64) -> Option<u64> {
        let Ok(row32) = u32::try_from(row) else {
            return None;
        };
        let seen = match key {
            Key::None => return None,
            Key::Exact(k) => *self.exact.entry(K64([(k >> 32) as u32, k as u32])).or_insert(row32),
            Key::Hashed(h) => *self
                .hashed
                .entry(K128([(h >> 96) as u32, (h >> 64) as u32, (h >> 32) as u32, h as u32]))
                .or_insert(row32),
        };
        (seen != row32).then_some(u64::from(seen))
    }

    fn len(&self) -> usize {
        self.exact.len() + self.hashed.len()
    }
}

/// The first row of every key seen so far, in [`SHARDS`] shards.
pub struct Dupes {
    /// The shards, indexed by [`Key::shard`].
    pub shards: Vec<Shard>,
}

impl Default for Dupes {
    fn default() -> Self {
        Dupes { shards: (0..SHARDS).map(|_| Shard::default()).collect() }
    }
}

impl Dupes {
    /// An empty tracker.
    pub fn new() -> Dupes {
        Dupes::default()
    }

    /// Records `key` at `row` and returns the earlier row that had it, if any.
    pub fn first(&mut self, key: Key, row: u64) -> Option<u64> {
        let shard = key.shard()?;
        self.shards[shard as usize].first(key, row)
    }

    /// How many distinct keys are stored.
    pub fn len(&self) -> usize {
        self.shards.iter().map(Shard::len).sum()
    }

    /// Whether nothing is stored.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Numbers a batch of blocks and finds their duplicates, in input order.
///
/// Shards are split among the pool's threads; each thread walks the whole
/// batch in order and handles only the keys of its own shards, so every
/// shard still sees its keys in row order and "first" means first.
pub fn resolve(
    pool: &rayon::ThreadPool,
    dupes: Option<&mut Dupes>,
    blocks: &mut [BlockOut],
    next_row: &mut u64,
) {
    use rayon::prelude::*;
    for b in blocks.iter_mut() {
        b.base = *next_row;
        *next_row += b.total_rows;
    }
    let Some(dupes) = dupes else { return };
    let per = SHARDS.div_ceil(pool.current_num_threads().max(1));
    let blocks_ref: &[BlockOut] = blocks;
    let found: Vec<Vec<(usize, usize, u64)>> = pool.install(|| {
        dupes
            .shards
            .par_chunks_mut(per)
            .enumerate()
            .map(|(group, shards)| {
                let mut found = Vec::new();
                for (bi, b) in blocks_ref.iter().enumerate() {
                    for (ri, m) in b.rows.iter().enumerate() {
                        let s = usize::from(m.shard);
                        if m.shard == u8::MAX || s / per != group {
                            continue;
                        }
                        if let Some(first) =
                            shards[s % per].first(m.key, b.base + u64::from(m.rel_row))
                        {
                            found.push((bi, ri, first));
                        }
                    }
                }
                found
            })
            .collect()
    });
    for (bi, ri, first) in found.into_iter().flatten() {
        blocks[bi].rows[ri].dup = Some(first);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_row_wins() {
        let mut d = Dupes::new();
        assert_eq!(d.first(Key::Exact(5), 2), None);
        assert_eq!(d.first(Key::Exact(6), 3), None);
        assert_eq!(d.first(Key::Exact(5), 4), Some(2));
        assert_eq!(d.first(Key::Exact(5), 9), Some(2));
        assert_eq!(d.first(Key::None, 10), None);
        assert_eq!(d.first(Key::None, 11), None);
        assert_eq!(d.first(Key::hashed("URP"), 12), None);
        assert_eq!(d.first(Key::hashed("URP"), 13), Some(12));
        assert_eq!(d.first(Key::hashed("URQ"), 14), None);
        assert_eq!(d.len(), 4);
        assert_eq!(d.first(Key::Exact(7), u64::from(u32::MAX) + 1), None);
    }

    #[test]
    fn entries_are_compact() {
        assert_eq!(std::mem::size_of::<(K64, u32)>(), 12);
        assert_eq!(std::mem::size_of::<(K128, u32)>(), 20);
    }

    #[test]
    fn many_keys() {
        let mut d = Dupes::new();
        for i in 0..100_000u64 {
            assert_eq!(d.first(Key::Exact(i * 7919), i + 1), None);
        }
        for i in 0..100_000u64 {
            assert_eq!(d.first(Key::Exact(i * 7919), 200_000 + i), Some(i + 1));
        }
    }
}
