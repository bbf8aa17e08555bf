//! Random test input: a fixed linear congruential sequence, the same cases every run.

/// `len` bytes, each `byte` of the next number of the sequence that `seed` is at.
pub(crate) fn random_bytes(seed: &mut u64, len: usize, byte: impl Fn(u64) -> u8) -> Vec<u8> {
    (0..len)
        .map(|_| {
            *seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
            byte(*seed)
        })
        .collect()
}
