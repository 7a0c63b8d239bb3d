//! Duplicate tracking: the first row of every normalised value, compactly.
//!
//! A valid identifier is stored as its exact 64-bit packing
//! ([`Gstin::compact`](crate::ident::Gstin::compact)); an invalid value, which
//! has no such packing, as a 128-bit hash of its normalised text (two
//! independent SipHash values: a false match among ten million values has a
//! probability near 10^-25). Each entry is 12 bytes (valid) or 20 bytes
//! (invalid), key and row side by side, stored once in the order first
//! seen, with a 4-byte index slot pointing at it. Row numbers
//! are stored as `u32`: rows after 4,294,967,295 are not tracked.
//!
//! At ten million keys the index is larger than the caches and most
//! lookups miss. [`resolve`] therefore reads the first slot of a run of
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
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
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

/// An entry: the key's words, then the row.
trait Entry: Copy {
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

/// A hash table in two parts: the entries (key and first row) in the order
/// they were first seen, and an index of 4-byte slots over them, open
/// addressing with linear probing at most [`MAX_LOAD`] percent full. A slot
/// holds its entry's number and 8 bits of the key's hash, so that a probe
/// reads an entry only when those bits match (1 probe in 256 otherwise).
///
/// Why two parts: the entries leave no empty room, and only the index, a
/// third of the size of a table of 12-byte slots, has room to spare.
/// Growing rebuilds one shard's index from its entries, read in order, so
/// the index can grow by half at a time, not double, and stays 57-85
/// percent full. At ten million rows (8.9 million distinct GSTINs) that is
/// 54 MB of index and 107 MB of entries, where one table of slots that
/// doubled was 201 MB, 53 percent full. A slot is found by multiplying the
/// hash's low 32 bits by the length (Lemire's range reduction), which needs
/// no power-of-two length.
struct Table<E> {
    /// 0: empty; else (entry number + 1) << 8 | the hash's bits 48-55.
    slots: Vec<u32>,
    entries: Entries<E>,
    /// How many entries it may hold: [`MAX_ENTRIES`] (smaller in tests).
    limit: usize,
}

/// Entries in chunks of [`CHUNK`], each allocated once at its full size:
/// a vector doubling as it fills would copy, and leave freed room behind.
struct Entries<E> {
    chunks: Vec<Vec<E>>,
    len: usize,
}

/// Entries a chunk holds (48 KiB of 12-byte entries).
const CHUNK: usize = 4096;

impl<E: Entry> Entries<E> {
    fn get(&self, i: usize) -> &E {
        &self.chunks[i / CHUNK][i % CHUNK]
    }

    fn push(&mut self, e: E) {
        if self.len.is_multiple_of(CHUNK) {
            self.chunks.push(Vec::with_capacity(CHUNK));
        }
        if let Some(last) = self.chunks.last_mut() {
            last.push(e);
        }
        self.len += 1;
    }

    fn iter(&self) -> impl Iterator<Item = &E> {
        self.chunks.iter().flatten()
    }
}

/// How full the index may be, in percent, before it grows.
const MAX_LOAD: usize = 85;

/// Entries a table can hold: the slot's 24 bits of entry number (over a
/// billion keys across the shards). New keys past that are not tracked;
/// the keys held are still found.
const MAX_ENTRIES: usize = (1 << 24) - 1;

impl<E: Entry> Default for Table<E> {
    fn default() -> Self {
        Table {
            slots: Vec::new(),
            entries: Entries { chunks: Vec::new(), len: 0 },
            limit: MAX_ENTRIES,
        }
    }
}

/// A slot's 8 bits of the hash: bits that neither the slot's place (the
/// low 32) nor the shard (40-45) are taken from.
fn tag(hash: u64) -> u32 {
    (hash >> 48) as u32 & 0xff
}

impl<E: Entry> Table<E> {
    /// The slot a key with this hash starts at (the index is not empty).
    fn home(&self, hash: u64) -> usize {
        (((hash & 0xffff_ffff) * self.slots.len() as u64) >> 32) as usize
    }

    /// Reads the slot a key would start at, to bring it into the cache.
    fn touch(&self, hash: u64) -> u32 {
        if self.slots.is_empty() { 0 } else { self.slots[self.home(hash)] }
    }

    /// Stores `entry` unless its key is there; returns the stored row.
    fn first(&mut self, hash: u64, entry: E) -> u32 {
        // Once full, the entries stop growing, and so the index stays under
        // its load: the probe below always reaches an empty slot.
        let full = self.entries.len >= self.limit;
        if !full && (self.entries.len + 1) * 100 > self.slots.len() * MAX_LOAD {
            self.grow();
        }
        let n = self.slots.len();
        let tag = tag(hash);
        let mut i = self.home(hash);
        loop {
            let slot = self.slots[i];
            if slot == 0 {
                if full {
                    return entry.row();
                }
                self.entries.push(entry);
                self.slots[i] = (self.entries.len as u32) << 8 | tag;
                return entry.row();
            }
            if slot & 0xff == tag {
                let seen = self.entries.get((slot >> 8) as usize - 1);
                if seen.same_key(&entry) {
                    return seen.row();
                }
            }
            i += 1;
            if i == n {
                i = 0;
            }
        }
    }

    fn grow(&mut self) {
        // Rebuilt from the entries, so the old index is not needed: it is
        // cleared and extended in place rather than freed, since unmapping
        // memory stops every other core to flush its address cache.
        let n = (self.slots.len() + self.slots.len() / 2).max(64);
        self.slots.clear();
        self.slots.resize(n, 0);
        let n = self.slots.len();
        for (number, e) in (1u32..).zip(self.entries.iter()) {
            let hash = e.key().hash();
            let mut i = self.home(hash);
            while self.slots[i] != 0 {
                i += 1;
                if i == n {
                    i = 0;
                }
            }
            self.slots[i] = number << 8 | tag(hash);
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
        self.exact.entries.len + self.hashed.entries.len
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

/// A row's key as its block hands it to [`resolve`], in 24 bytes (an enum
/// of a `u128` would take 48): a valid identifier's packing and its hash,
/// or an invalid value's 128-bit hash, whose low half is its hash.
#[derive(Debug, Clone, Copy)]
struct Pending {
    /// Spreadsheet rows from the block's start to this row, inclusive, and
    /// [`HASHED`] for an invalid value's key.
    rel_row: u32,
    /// The row's index among the block's written rows; [`NOT_WRITTEN`] when
    /// the report leaves it out (`--only-invalid`) and only counts it.
    written: u32,
    /// The key's words; the second is the hash, worked out on the worker
    /// (in parallel), not twice on the resolving thread.
    words: [u64; 2],
}

/// The bit of [`Pending::rel_row`] that marks a hashed key (a block holds
/// far fewer rows).
const HASHED: u32 = 1 << 31;

impl Pending {
    fn new(key: Key, rel_row: u32, written: u32) -> Pending {
        let (flag, words) = match key {
            Key::Hashed(h) => (HASHED, [(h >> 64) as u64, h as u64]),
            _ => (
                0,
                [
                    match key {
                        Key::Exact(k) => k,
                        _ => 0,
                    },
                    key.hash(),
                ],
            ),
        };
        Pending { rel_row: rel_row | flag, written, words }
    }

    fn key(&self) -> Key {
        if self.rel_row & HASHED == 0 {
            Key::Exact(self.words[0])
        } else {
            Key::Hashed(u128::from(self.words[0]) << 64 | u128::from(self.words[1]))
        }
    }

    fn hash(&self) -> u64 {
        self.words[1]
    }

    fn rel_row(&self) -> u32 {
        self.rel_row & !HASHED
    }
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
            self.0.push(Pending::new(key, rel_row, written));
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
        let warm = run.iter().fold(0, |acc, &(_, s, p)| acc ^ shards[s].touch(p.key(), p.hash()));
        std::hint::black_box(warm);
        for &(bi, s, p) in run {
            let row = blocks[bi].base + u64::from(p.rel_row());
            if let Some(first) = shards[s].first_hashed(p.key(), p.hash(), row) {
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
                        let s = shard_of(p.hash());
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
mod tests;
