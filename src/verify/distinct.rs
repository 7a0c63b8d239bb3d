//! The distinct questions of a run, in order of first appearance, held
//! compactly: a run over the whole register holds millions of them, and
//! their keys and look-up are most of `verify`'s memory. The keys are one
//! string with `u32` ends (about 19 bytes a GSTIN); the look-up maps a
//! 32-bit hash of each key to its index (8 bytes a slot), with the rare key
//! whose hash another key already has kept apart.

use std::collections::HashMap;
use std::hash::BuildHasher;

use crate::batch::FastState;
use crate::error::{Error, Result};

use super::client::Question;

/// Distinct question keys ([`Question::key`]), each with its index.
#[derive(Debug, Default)]
pub(super) struct Distinct {
    text: String,
    ends: Vec<u32>,
    by_hash: HashMap<u32, u32, FastState>,
    /// Keys whose hash an earlier key has.
    collided: HashMap<String, u32>,
    state: FastState,
}

impl Distinct {
    /// How many keys there are.
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    /// Key `i`.
    pub fn key(&self, i: usize) -> &str {
        let start = if i == 0 { 0 } else { self.ends[i - 1] as usize };
        &self.text[start..self.ends[i] as usize]
    }

    /// The question of key `i`.
    pub fn question(&self, i: usize) -> Question {
        Question::from_key(self.key(i))
    }

    fn hash(&self, key: &str) -> u32 {
        // The low half of a 64-bit hash: collisions are handled, not assumed away.
        self.state.hash_one(key) as u32
    }

    /// The index of `key`, if it was added.
    pub fn get(&self, key: &str) -> Option<usize> {
        self.find(key, self.hash(key))
    }

    /// [`Distinct::get`] with the key's hash already made.
    fn find(&self, key: &str, hash: u32) -> Option<usize> {
        match self.by_hash.get(&hash) {
            Some(&i) if self.key(i as usize) == key => Some(i as usize),
            Some(_) => self.collided.get(key).map(|&i| i as usize),
            None => None,
        }
    }

    /// Adds `q` unless its key is there already.
    ///
    /// # Errors
    /// [`Error::Usage`] past 4 GiB of keys (hundreds of millions).
    pub fn add(&mut self, q: &Question) -> Result<()> {
        let key = q.key();
        let h = self.hash(&key);
        if self.find(&key, h).is_some() {
            return Ok(());
        }
        let i = u32::try_from(self.len()).ok();
        let end = u32::try_from(self.text.len() + key.len()).ok();
        let (Some(i), Some(end)) = (i, end) else {
            return Err(Error::Usage(
                "more distinct identifiers than one run holds (4 GiB of them); split the input"
                    .into(),
            ));
        };
        match self.by_hash.entry(h) {
            std::collections::hash_map::Entry::Occupied(_) => {
                self.collided.insert(key.to_string(), i);
            }
            std::collections::hash_map::Entry::Vacant(v) => {
                v.insert(i);
            }
        }
        self.text.push_str(&key);
        self.ends.push(end);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_come_back_in_order_and_are_found_once() {
        let mut d = Distinct::default();
        let qs = [
            Question::Gstin("27AAPFU0939F1ZV".into()),
            Question::Pan {
                pan: "AAAPA1234A".into(),
                name: "A | B".into(),
                dob: "01/01/1990".into(),
            },
            Question::Gstin("27AAPFU0939F1ZV".into()),
            Question::Gstin("29AAACR5055K1Z3".into()),
        ];
        for q in &qs {
            d.add(q).unwrap();
        }
        assert_eq!(d.len(), 3);
        assert_eq!(d.get("29AAACR5055K1Z3"), Some(2));
        assert_eq!(d.get("nothing"), None);
        assert_eq!(d.question(1), qs[1]);
        assert_eq!(d.question(0), qs[0]);
    }

    #[test]
    fn keys_whose_hashes_collide_are_told_apart() {
        let mut d = Distinct::default();
        // Enough keys that 32-bit hashes meet: the birthday bound is ~77,000.
        let keys: Vec<String> = (0..300_000).map(|i| format!("K{i}")).collect();
        for k in &keys {
            d.add(&Question::Gstin(k.clone())).unwrap();
        }
        assert_eq!(d.len(), keys.len());
        for (i, k) in keys.iter().enumerate() {
            assert_eq!(d.get(k), Some(i), "{k}");
        }
    }
}
