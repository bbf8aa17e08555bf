//! The key sets of a check (duplicate keys, `unique`, primary key): the 64-bit hash of every
//! earlier row's key, with the row that first had it.
//!
//! On a large file nearly every key is new, and the table is far larger than the caches, so
//! its cost is cache misses on the merging thread. A `HashMap` reads a control byte for a lookup
//! and writes a separate bucket for the insert that follows; here a key and its row share one
//! 16-byte slot, found by linear probing, so a lookup and the insert after it touch one cache
//! line.

/// A map from 64-bit key hashes to rows, with the `HashMap` methods the engine uses.
#[derive(Debug, Default)]
pub(crate) struct KeyMap {
    /// `key << 64 | row`; a slot whose key is 0 is empty (key 0 itself is kept in `zero`).
    /// Zeroed memory, so the pages of a large table are only touched when used.
    slots: Vec<u128>,
    len: usize,
    zero: Option<u32>,
}

impl KeyMap {
    /// Room for `additional` more keys without growing.
    pub(crate) fn reserve(&mut self, additional: usize) {
        let want = slots_for(self.len.saturating_add(additional));
        if want > self.slots.len() {
            self.resize(want);
        }
    }

    /// The row of `key` (by value: a row lives inside its slot).
    pub(crate) fn get(&self, key: &u64) -> Option<u32> {
        if *key == 0 {
            return self.zero;
        }
        if self.slots.is_empty() {
            return None;
        }
        let mask = self.slots.len() - 1;
        let mut i = home(*key, mask);
        loop {
            let s = self.slots[i];
            let k = (s >> 64) as u64;
            if k == *key {
                return Some(s as u32);
            }
            if k == 0 {
                return None;
            }
            i = (i + 1) & mask;
        }
    }

    /// Sets the row of `key`, returning the one it had.
    pub(crate) fn insert(&mut self, key: u64, row: u32) -> Option<u32> {
        if key == 0 {
            return self.zero.replace(row);
        }
        if slots_for(self.len + 1) > self.slots.len() {
            self.resize(slots_for(self.len + 1).max(self.slots.len() * 2));
        }
        let mask = self.slots.len() - 1;
        let mut i = home(key, mask);
        loop {
            let s = self.slots[i];
            let k = (s >> 64) as u64;
            if k == key {
                self.slots[i] = pack(key, row);
                return Some(s as u32);
            }
            if k == 0 {
                self.slots[i] = pack(key, row);
                self.len += 1;
                return None;
            }
            i = (i + 1) & mask;
        }
    }

    fn resize(&mut self, n: usize) {
        let old = std::mem::replace(&mut self.slots, vec![0u128; n]);
        self.len = 0;
        for s in old {
            let k = (s >> 64) as u64;
            if k != 0 {
                self.insert(k, s as u32);
            }
        }
    }
}

/// The first slot to look in. The keys are hashes already; one multiplication spreads keys
/// that are not (such as those of a test) over the table too.
fn home(key: u64, mask: usize) -> usize {
    let h = key.wrapping_mul(0x9e37_79b9_7f4a_7c15);
    ((h >> 32) ^ h) as usize & mask
}

fn pack(key: u64, row: u32) -> u128 {
    (u128::from(key) << 64) | u128::from(row)
}

/// Slots for `n` keys: a power of two, at most three quarters full.
fn slots_for(n: usize) -> usize {
    (n.saturating_mul(4) / 3 + 1).next_power_of_two().max(16)
}

#[cfg(test)]
mod tests {
    use super::KeyMap;
    use std::collections::HashMap;

    #[test]
    fn answers_as_a_hash_map_does() {
        let mut ours = KeyMap::default();
        let mut theirs: HashMap<u64, u32> = HashMap::new();
        // Keys crowded into few slots (low bits alike), key 0, repeats, and growth past the
        // reserved size.
        let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
        ours.reserve(100);
        for row in 0..20_000u32 {
            seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
            let key = match row % 5 {
                0 => u64::from(row % 300) << 40,
                1 => 0,
                _ => seed >> (row % 3),
            };
            assert_eq!(ours.get(&key), theirs.get(&key).copied(), "get {key}");
            if ours.get(&key).is_none() {
                assert_eq!(ours.insert(key, row), theirs.insert(key, row));
            }
        }
        for (k, v) in &theirs {
            assert_eq!(ours.get(k), Some(*v));
        }
        assert_eq!(ours.get(&12345), theirs.get(&12345).copied());
    }
}
