//! Hash maps keyed by names, with a fast non-cryptographic hasher (the multiply-rotate scheme
//! of rustc's FxHash). Keys are the user's own schema names, so the flooding resistance of the
//! standard SipHash buys nothing here, and hashing was a measurable share of comparing two
//! 5,000-model schemas.

use std::hash::{BuildHasherDefault, Hasher};

pub type HashMap<K, V> = std::collections::HashMap<K, V, BuildHasherDefault<FxHasher>>;
pub type HashSet<T> = std::collections::HashSet<T, BuildHasherDefault<FxHasher>>;

#[derive(Default, Clone, Copy)]
pub struct FxHasher {
    hash: u64,
}

const SEED: u64 = 0x51_7c_c1_b7_27_22_0a_95;

impl FxHasher {
    #[inline]
    fn add(&mut self, word: u64) {
        self.hash = (self.hash.rotate_left(5) ^ word).wrapping_mul(SEED);
    }
}

impl Hasher for FxHasher {
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            self.add(u64::from_le_bytes(chunk.try_into().unwrap_or([0; 8])));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut last = [0u8; 8];
            last[..rest.len()].copy_from_slice(rest);
            self.add(u64::from_le_bytes(last));
        }
    }

    #[inline]
    fn write_u8(&mut self, i: u8) {
        self.add(u64::from(i));
    }

    #[inline]
    fn write_u32(&mut self, i: u32) {
        self.add(u64::from(i));
    }

    #[inline]
    fn write_u64(&mut self, i: u64) {
        self.add(i);
    }

    #[inline]
    fn write_usize(&mut self, i: usize) {
        self.add(i as u64);
    }

    #[inline]
    fn finish(&self) -> u64 {
        self.hash
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_every_name_apart() {
        let mut map: HashMap<String, usize> = HashMap::default();
        for i in 0..10_000 {
            map.insert(format!("Model{i}"), i);
        }
        assert_eq!(map.len(), 10_000);
        assert!((0..10_000).all(|i| map[&format!("Model{i}")] == i));
        // Names that differ only in a zero-padded tail are still different keys.
        let set: HashSet<&str> = ["ab", "ab\0", "ab\0\0"].into_iter().collect();
        assert_eq!(set.len(), 3);
    }
}
