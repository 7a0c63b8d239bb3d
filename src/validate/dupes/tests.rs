//! Unit tests of the duplicate tracker.

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
fn agrees_with_a_map_through_every_growth() {
    // Keys drawn from a small range repeat; every answer, across each
    // growth of every shard's index, is the map's.
    let mut d = Dupes::new();
    let mut map = std::collections::HashMap::new();
    for row in 1..=100_000u64 {
        let r = crate::batch::mix64(row);
        let key = if r.is_multiple_of(7) {
            Key::Hashed(u128::from(r % 7_000) << 64 | u128::from(r % 7_000))
        } else {
            Key::Exact(r % 50_000)
        };
        let want = map.get(&key).copied();
        map.entry(key).or_insert(row);
        assert_eq!(d.first(key, row), want, "row {row}");
    }
    assert_eq!(d.len(), map.len());
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

#[test]
fn a_full_table_still_finds_the_keys_it_holds() {
    let mut t = Table::<Exact> { limit: 100, ..Table::default() };
    for k in 0..300u64 {
        let row = k as u32 + 1;
        assert_eq!(t.first(Key::Exact(k).hash(), Exact::new(k, row)), row);
    }
    assert_eq!(t.entries.len, 100);
    for k in 0..300u64 {
        let first = if k < 100 { k as u32 + 1 } else { 1000 };
        assert_eq!(t.first(Key::Exact(k).hash(), Exact::new(k, 1000)), first, "key {k}");
    }
    assert!(t.slots.iter().filter(|&&s| s != 0).count() == 100);
}
