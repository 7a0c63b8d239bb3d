//! Duplicate tracking: the first row of every normalised value, compactly.
//!
//! A valid identifier is stored as its exact 64-bit packing
//! ([`Gstin::compact`](crate::ident::Gstin::compact)); an invalid value, which
//! has no such packing, as a 128-bit hash of its normalised text (two
//! independent SipHash values: a false match among ten million values has a
//! probability near 10^-25). Each entry is 12 bytes (valid) or 20 bytes
//! (invalid), key and row side by side in one open-addressing slot, so that
//! a lookup costs one cache miss, not two (a separate control byte and
//! slot, as in a general-purpose map). Row numbers are stored as `u32`, with
//! 0 marking an empty slot: rows after 4,294,967,295 are not tracked.
//!
//! At ten million keys the table is far larger than the caches and every
//! lookup misses. [`resolve`] therefore reads the first slot of a run of
//! keys before it inserts any of them, so that their misses overlap instead
//! of following one another (measured: 4.68 s instead of 5.26 s for
//! `--only-invalid` on 10M rows, medians of 5).
//!
//! The workers hand each block's keys over with their hashes
//! ([`BlockKeys`]), apart from the rows the report holds, so that an
//! unwritten row (`--only-invalid`) is only counted.

use std::hash::{Hash, Hasher};

use std::borrow::BorrowMut;

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

    /// Where the key is placed: packed identifiers are far from random, so
    /// they are mixed; a hashed key already is a hash.
    fn hash(self) -> u64 {
        match self {
            Key::None => 0,
            Key::Exact(k) => crate::batch::mix64(k),
            Key::Hashed(h) => h as u64,
        }
    }

    /// The shard this key lives in; `None` for [`Key::None`]. Taken from
    /// high bits of the hash, which a shard's slot index (low bits) never
    /// uses.
    pub fn shard(self) -> Option<u8> {
        match self {
            Key::None => None,
            _ => Some(shard_of(self.hash()) as u8),
        }
    }
}

/// The shard of a key with this hash: high bits, which a shard's slot
/// index (low bits) never uses.
fn shard_of(hash: u64) -> usize {
    (hash >> 40) as usize % SHARDS
}

/// Shards of the table. Growing one shard copies 1/64 of the table, not
/// all of it, and shards are resolved on several cores at once.
pub const SHARDS: usize = 64;

/// A slot: the key's words, then the row (0: empty).
trait Entry: Copy {
    /// The empty slot.
    const EMPTY: Self;
    fn row(&self) -> u32;
    fn same_key(&self, other: &Self) -> bool;
    /// The key held, placed again when the table grows.
    fn key(&self) -> Key;
}

/// A valid identifier's packing and its first row: 12 bytes.
#[derive(Clone, Copy)]
struct Exact([u32; 3]);

impl Exact {
    fn new(k: u64, row: u32) -> Exact {
        Exact([(k >> 32) as u32, k as u32, row])
    }
}

impl Entry for Exact {
    const EMPTY: Self = Exact([0; 3]);
    fn row(&self) -> u32 {
        self.0[2]
    }
    fn same_key(&self, other: &Self) -> bool {
        self.0[..2] == other.0[..2]
    }
    fn key(&self) -> Key {
        Key::Exact(u64::from(self.0[0]) << 32 | u64::from(self.0[1]))
    }
}

/// An invalid value's 128-bit hash and its first row: 20 bytes.
#[derive(Clone, Copy)]
struct Hashed([u32; 5]);

impl Hashed {
    fn new(h: u128, row: u32) -> Hashed {
        Hashed([(h >> 96) as u32, (h >> 64) as u32, (h >> 32) as u32, h as u32, row])
    }
}

impl Entry for Hashed {
    const EMPTY: Self = Hashed([0; 5]);
    fn row(&self) -> u32 {
        self.0[4]
    }
    fn same_key(&self, other: &Self) -> bool {
        self.0[..4] == other.0[..4]
    }
    fn key(&self) -> Key {
        Key::Hashed(self.0[..4].iter().fold(0u128, |h, &w| h << 32 | u128::from(w)))
    }
}

/// Open addressing with linear probing, at most 70% full: a probe rarely
/// leaves the slot's cache line.
struct Table<E> {
    slots: Vec<E>,
    len: usize,
}

impl<E: Entry> Default for Table<E> {
    fn default() -> Self {
        Table { slots: Vec::new(), len: 0 }
    }
}

impl<E: Entry> Table<E> {
    fn mask(&self) -> usize {
        self.slots.len().wrapping_sub(1)
    }

    /// Reads the slot a key would start at, to bring it into the cache.
    fn touch(&self, hash: u64) -> u32 {
        self.slots.get(hash as usize & self.mask()).map_or(0, Entry::row)
    }

    /// Stores `entry` unless its key is there; returns the stored row.
    fn first(&mut self, hash: u64, entry: E) -> u32 {
        if (self.len + 1) * 10 > self.slots.len() * 7 {
            self.grow();
        }
        let mask = self.mask();
        let mut i = hash as usize & mask;
        loop {
            let slot = &mut self.slots[i];
            if slot.row() == 0 {
                *slot = entry;
                self.len += 1;
                return entry.row();
            }
            if slot.same_key(&entry) {
                return slot.row();
            }
            i = (i + 1) & mask;
        }
    }

    fn grow(&mut self) {
        let bigger = vec![E::EMPTY; (self.slots.len() * 2).max(64)];
        let old = std::mem::replace(&mut self.slots, bigger);
        let mask = self.mask();
        for e in old.into_iter().filter(|e| e.row() != 0) {
            let mut i = e.key().hash() as usize & mask;
            while self.slots[i].row() != 0 {
                i = (i + 1) & mask;
            }
            self.slots[i] = e;
        }
    }
}

/// One shard: valid identifiers and invalid values apart, since their keys
/// differ in size.
#[derive(Default)]
pub struct Shard {
    exact: Table<Exact>,
    hashed: Table<Hashed>,
}

impl Shard {
    /// Records `key` at `row` and returns the earlier row that had it, if any.
    pub fn first(&mut self, key: Key, row: u64) -> Option<u64> {
        self.first_hashed(key, key.hash(), row)
    }

    /// [`Shard::first`] with the key's hash already worked out.
    fn first_hashed(&mut self, key: Key, hash: u64, row: u64) -> Option<u64> {
        let row32 = u32::try_from(row).ok().filter(|&r| r != 0)?;
        let seen = match key {
            Key::None => return None,
            Key::Exact(k) => self.exact.first(hash, Exact::new(k, row32)),
            Key::Hashed(h) => self.hashed.first(hash, Hashed::new(h, row32)),
        };
        (seen != row32).then_some(u64::from(seen))
    }

    #[inline]
    fn touch(&self, key: Key, hash: u64) -> u32 {
        match key {
            Key::Exact(_) => self.exact.touch(hash),
            _ => self.hashed.touch(hash),
        }
    }

    fn len(&self) -> usize {
        self.exact.len + self.hashed.len
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

/// Keys whose first slots are read before any of them is inserted: about
/// as many cache misses as a core keeps in flight.
const AHEAD: usize = 16;

/// A row's key as its block hands it to [`resolve`].
#[derive(Debug, Clone, Copy)]
struct Pending {
    /// Spreadsheet rows from the block's start to this row, inclusive.
    rel_row: u32,
    /// The row's index among the block's written rows; [`NOT_WRITTEN`] when
    /// the report leaves it out (`--only-invalid`) and only counts it.
    written: u32,
    key: Key,
    /// The key's hash, worked out on the worker (in parallel), not twice on
    /// the resolving thread: the read-ahead is then a mask and a load.
    hash: u64,
}

/// [`Pending::written`] of a row that is not written.
const NOT_WRITTEN: u32 = u32::MAX;

/// A block's keys in row order, with their hashes, as its worker made
/// them.
#[derive(Debug, Default)]
pub struct BlockKeys(Vec<Pending>);

impl BlockKeys {
    /// Room for the keys of about `rows` rows.
    pub fn with_capacity(rows: usize) -> BlockKeys {
        BlockKeys(Vec::with_capacity(rows))
    }

    /// Adds the key of the row `rel_row`, written as the block's row
    /// `written` if it is written. [`Key::None`] is never a duplicate and is
    /// not kept.
    pub fn push(&mut self, key: Key, rel_row: u32, written: Option<usize>) {
        if key != Key::None {
            let written = written.map_or(NOT_WRITTEN, |w| w as u32);
            self.0.push(Pending { rel_row, written, key, hash: key.hash() });
        }
    }
}

/// A block's rows as [`resolve`] sees them: their keys and count, and what
/// it finds.
#[derive(Debug, Default)]
pub struct Numbering {
    /// Every row's duplicate key.
    pub keys: BlockKeys,
    /// Spreadsheet rows in the block, blank lines included.
    pub total_rows: u64,
    /// The spreadsheet row before the block's first, once resolved.
    pub base: u64,
    /// How many of the block's rows repeat an earlier value, once resolved.
    pub duplicates: u64,
    /// (written row, first row) of each written duplicate, once resolved.
    pub found: Vec<(u32, u64)>,
}

/// What one thread of [`resolve`] found.
struct Found {
    /// (block, written row, first row) of each written duplicate.
    written: Vec<(usize, u32, u64)>,
    /// How many duplicates each block has, written or not.
    counts: Vec<u64>,
}

impl Found {
    /// Resolves a run of (block, shard in `shards`, key): reads every key's
    /// first slot, then inserts them in order.
    fn run(
        &mut self,
        shards: &mut [Shard],
        run: &[(usize, usize, &Pending)],
        blocks: &[&Numbering],
    ) {
        let warm = run.iter().fold(0, |acc, &(_, s, p)| acc ^ shards[s].touch(p.key, p.hash));
        std::hint::black_box(warm);
        for &(bi, s, p) in run {
            let row = blocks[bi].base + u64::from(p.rel_row);
            if let Some(first) = shards[s].first_hashed(p.key, p.hash, row) {
                self.counts[bi] += 1;
                if p.written != NOT_WRITTEN {
                    self.written.push((bi, p.written, first));
                }
            }
        }
    }
}

/// Numbers a batch of blocks and finds their duplicates, in input order.
///
/// Shards are split among the pool's threads; each thread walks the whole
/// batch in order and handles only the keys of its own shards, so every
/// shard still sees its keys in row order and "first" means first. (Keys
/// split by shard on the workers, one list per shard, were measured: 0.6 s
/// slower at 10M rows `--jobs 1`, the lists' writes and reads costing more
/// than the walk they save.)
pub fn resolve<B: BorrowMut<Numbering> + Sync>(
    pool: &rayon::ThreadPool,
    dupes: Option<&mut Dupes>,
    blocks: &mut [B],
    next_row: &mut u64,
) {
    use rayon::prelude::*;
    for b in blocks.iter_mut() {
        let b = b.borrow_mut();
        b.base = *next_row;
        *next_row += b.total_rows;
    }
    let Some(dupes) = dupes else { return };
    let per = SHARDS.div_ceil(pool.current_num_threads().max(1));
    let numbered: Vec<&Numbering> = blocks.iter().map(|b| b.borrow()).collect();
    let blocks_ref: &[&Numbering] = &numbered;
    let found: Vec<Found> = pool.install(|| {
        dupes
            .shards
            .par_chunks_mut(per)
            .enumerate()
            .map(|(group, shards)| {
                let mut found = Found { written: Vec::new(), counts: vec![0; blocks_ref.len()] };
                let mut run = Vec::with_capacity(AHEAD);
                for (bi, b) in blocks_ref.iter().enumerate() {
                    for p in &b.keys.0 {
                        let s = shard_of(p.hash);
                        if s / per == group {
                            run.push((bi, s % per, p));
                            if run.len() == AHEAD {
                                found.run(shards, &run, blocks_ref);
                                run.clear();
                            }
                        }
                    }
                }
                found.run(shards, &run, blocks_ref);
                found
            })
            .collect()
    });
    for Found { written, counts } in found {
        for (bi, w, first) in written {
            blocks[bi].borrow_mut().found.push((w, first));
        }
        for (b, n) in blocks.iter_mut().zip(counts) {
            b.borrow_mut().duplicates += n;
        }
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
        assert_eq!(std::mem::size_of::<Exact>(), 12);
        assert_eq!(std::mem::size_of::<Hashed>(), 20);
        let (k, h) = (0x0123_4567_89ab_cdefu64, 0x0011_2233_4455_6677_8899_aabb_ccdd_eeffu128);
        assert_eq!(Exact::new(k, 7).key(), Key::Exact(k));
        assert_eq!(Hashed::new(h, 7).key(), Key::Hashed(h));
    }

    #[test]
    fn zero_keys_and_colliding_slots_are_kept_apart() {
        // Key 0 is a key like any other (an empty slot is marked by row 0),
        // and keys that share low hash bits probe past each other, across
        // every growth of the table.
        let mut d = Dupes::new();
        assert_eq!(d.first(Key::Exact(0), 1), None);
        assert_eq!(d.first(Key::Hashed(0), 2), None);
        let keys: Vec<Key> = (1..5000u128).map(|i| Key::Hashed(i << 64)).collect();
        for (i, &k) in keys.iter().enumerate() {
            assert_eq!(d.first(k, 10 + i as u64), None);
        }
        for (i, &k) in keys.iter().enumerate() {
            assert_eq!(d.first(k, 90_000), Some(10 + i as u64));
        }
        assert_eq!(d.first(Key::Exact(0), 3), Some(1));
        assert_eq!(d.first(Key::Hashed(0), 4), Some(2));
        assert_eq!(d.len(), 5001);
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
