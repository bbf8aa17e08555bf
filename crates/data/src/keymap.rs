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
    /// 16-byte slots, `key` then `row` (native byte order); a slot whose key is 0 is empty
    /// (key 0 itself is kept in `zero`).
    slots: Table,
    len: usize,
    zero: Option<u32>,
}

const SLOT: usize = 16;

/// The slots' memory: zeroed, so the pages of a large table are only touched when used.
///
/// A large table is mapped on its own and asks for transparent huge pages: a lookup lands on a
/// random page, and with 4 KiB pages nearly every one missed the TLB too; in a virtual machine
/// that page walk cost as much as the cache miss itself. 2 MiB pages put the whole table in
/// the TLB (and fault it in with 16 page faults for 32 MiB instead of 8,192).
#[derive(Debug)]
enum Table {
    Heap(Vec<u8>),
    #[cfg(target_os = "linux")]
    Mapped(memmap2::MmapMut),
}

impl Default for Table {
    fn default() -> Table {
        Table::Heap(Vec::new())
    }
}

impl Table {
    /// From this size on, a table gets a mapping of its own (a huge page is 2 MiB).
    const MAPPED_FROM: usize = 4 << 20;

    fn zeroed(bytes: usize) -> Table {
        #[cfg(target_os = "linux")]
        if bytes >= Self::MAPPED_FROM {
            if let Ok(m) = memmap2::MmapMut::map_anon(bytes) {
                // Only advice: without huge pages the table works the same, slower.
                let _ = m.advise(memmap2::Advice::HugePage);
                return Table::Mapped(m);
            }
        }
        Table::Heap(vec![0u8; bytes])
    }

    fn bytes(&self) -> &[u8] {
        match self {
            Table::Heap(v) => v,
            #[cfg(target_os = "linux")]
            Table::Mapped(m) => m,
        }
    }

    fn bytes_mut(&mut self) -> &mut [u8] {
        match self {
            Table::Heap(v) => v,
            #[cfg(target_os = "linux")]
            Table::Mapped(m) => m,
        }
    }

    fn slots(&self) -> usize {
        self.bytes().len() / SLOT
    }
}

/// The key of slot `i` (0: empty).
#[inline]
fn key_at(b: &[u8], i: usize) -> u64 {
    let mut k = [0u8; 8];
    k.copy_from_slice(&b[i * SLOT..i * SLOT + 8]);
    u64::from_ne_bytes(k)
}

/// The row of slot `i`.
#[inline]
fn row_at(b: &[u8], i: usize) -> u32 {
    let mut r = [0u8; 4];
    r.copy_from_slice(&b[i * SLOT + 8..i * SLOT + 12]);
    u32::from_ne_bytes(r)
}

#[inline]
fn set(b: &mut [u8], i: usize, key: u64, row: u32) {
    b[i * SLOT..i * SLOT + 8].copy_from_slice(&key.to_ne_bytes());
    b[i * SLOT + 8..i * SLOT + 12].copy_from_slice(&row.to_ne_bytes());
}

impl KeyMap {
    /// Room for `additional` more keys without growing.
    pub(crate) fn reserve(&mut self, additional: usize) {
        let want = slots_for(self.len.saturating_add(additional));
        if want > self.slots.slots() {
            self.resize(want);
        }
    }

    /// The row of `key` (by value: a row lives inside its slot). The engine asks with
    /// [`KeyMap::get_or_insert`]; the tests ask this.
    #[cfg(test)]
    pub(crate) fn get(&self, key: &u64) -> Option<u32> {
        if *key == 0 {
            return self.zero;
        }
        let n = self.slots.slots();
        if n == 0 {
            return None;
        }
        let b = self.slots.bytes();
        let mask = n - 1;
        let mut i = home(*key, mask);
        loop {
            let k = key_at(b, i);
            if k == *key {
                return Some(row_at(b, i));
            }
            if k == 0 {
                return None;
            }
            i = (i + 1) & mask;
        }
    }

    /// Sets the row of `key`, returning the one it had.
    pub(crate) fn insert(&mut self, key: u64, row: u32) -> Option<u32> {
        self.probe(key, row, true)
    }

    /// The row of `key` if it has one; otherwise gives it `row` (and returns `None`). One
    /// probe, where a `get` and then an `insert` looked twice.
    pub(crate) fn get_or_insert(&mut self, key: u64, row: u32) -> Option<u32> {
        self.probe(key, row, false)
    }

    /// Reads the slot where a look for `key` starts, so that the cache line is on its way when
    /// the look comes: a batch of keys warmed first has its cache misses served together, not
    /// one after another. Returns the slot's key, to be folded into something kept (a load
    /// whose value is never used may be left out by the compiler).
    #[inline]
    pub(crate) fn warm(&self, key: u64) -> u64 {
        let n = self.slots.slots();
        if n == 0 {
            return 0;
        }
        key_at(self.slots.bytes(), home(key, n - 1))
    }

    /// Finds `key`: when found, returns its row, replaced by `row` when `replace`; when not,
    /// inserts it with `row`.
    #[inline]
    fn probe(&mut self, key: u64, row: u32, replace: bool) -> Option<u32> {
        if key == 0 {
            return match self.zero {
                Some(r) if !replace => Some(r),
                _ => self.zero.replace(row),
            };
        }
        if slots_for(self.len + 1) > self.slots.slots() {
            self.resize(slots_for(self.len + 1).max(self.slots.slots() * 2));
        }
        let mask = self.slots.slots() - 1;
        let b = self.slots.bytes_mut();
        let mut i = home(key, mask);
        loop {
            let k = key_at(b, i);
            if k == key {
                let old = row_at(b, i);
                if replace {
                    set(b, i, key, row);
                }
                return Some(old);
            }
            if k == 0 {
                set(b, i, key, row);
                self.len += 1;
                return None;
            }
            i = (i + 1) & mask;
        }
    }

    fn resize(&mut self, n: usize) {
        let old = std::mem::replace(&mut self.slots, Table::zeroed(n * SLOT));
        self.len = 0;
        let b = old.bytes();
        for i in 0..old.slots() {
            let k = key_at(b, i);
            if k != 0 {
                self.insert(k, row_at(b, i));
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
            match row % 3 {
                0 => assert_eq!(ours.insert(key, row), theirs.insert(key, row)),
                _ => {
                    let had = theirs.get(&key).copied();
                    theirs.entry(key).or_insert(row);
                    assert_eq!(ours.get_or_insert(key, row), had, "get_or_insert {key}");
                }
            }
        }
        for (k, v) in &theirs {
            assert_eq!(ours.get(k), Some(*v));
        }
        assert_eq!(ours.get(&12345), theirs.get(&12345).copied());
    }

    #[test]
    fn a_large_table_answers_the_same() {
        // Past `Table::MAPPED_FROM`: the table is a mapping of its own.
        let mut ours = KeyMap::default();
        ours.reserve(400_000);
        let mut theirs: HashMap<u64, u32> = HashMap::new();
        let mut seed: u64 = 7;
        for row in 0..600_000u32 {
            seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
            let key = seed >> (row % 40);
            let had = theirs.get(&key).copied();
            theirs.entry(key).or_insert(row);
            assert_eq!(ours.get_or_insert(key, row), had, "key {key}");
        }
        for (k, v) in &theirs {
            assert_eq!(ours.get(k), Some(*v));
        }
    }
}
