//! SplitMix64: the generator's own pseudo-random numbers. A published, fixed algorithm
//! (Steele, Lea and Flood, 2014), so the same `--seed` gives the same files on every
//! platform and every billrun version; the `rand` crate's streams may change between
//! releases. Not for anything secret.

/// The golden-ratio increment of SplitMix64.
const GAMMA: u64 = 0x9E37_79B9_7F4A_7C15;

/// A SplitMix64 stream.
#[derive(Debug, Clone)]
pub struct SplitMix64 {
    state: u64,
}

impl SplitMix64 {
    pub fn new(seed: u64) -> SplitMix64 {
        SplitMix64 { state: seed }
    }

    /// An independent stream for `index` (an account, a row kind) of the run seeded `seed`:
    /// the same pair always gives the same stream.
    pub fn derive(seed: u64, stream: u64, index: u64) -> SplitMix64 {
        let a = mix(seed ^ mix(stream.wrapping_add(GAMMA)));
        SplitMix64::new(mix(a ^ index.wrapping_mul(GAMMA)))
    }

    pub fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(GAMMA);
        mix(self.state)
    }

    /// Uniform in `0..n` (0 when `n` is 0), without modulo bias worth noticing: the
    /// 128-bit multiply maps the 64-bit draw onto the range.
    pub fn below(&mut self, n: u64) -> u64 {
        ((u128::from(self.next_u64()) * u128::from(n)) >> 64) as u64
    }

    /// Uniform in `lo..=hi` (`lo` when `hi < lo`).
    pub fn range(&mut self, lo: u64, hi: u64) -> u64 {
        if hi <= lo {
            return lo;
        }
        lo + self.below(hi - lo + 1)
    }

    /// True with probability `permille / 1000`.
    pub fn chance(&mut self, permille: u64) -> bool {
        self.below(1000) < permille
    }

    /// One item of a non-empty slice (the first when empty is impossible by construction).
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        let i = self.below(items.len() as u64) as usize;
        &items[i.min(items.len().saturating_sub(1))]
    }

    /// An index drawn with the given integer weights; `None` when they sum to 0.
    pub fn weighted(&mut self, weights: &[u64]) -> Option<usize> {
        let total: u64 = weights.iter().sum();
        if total == 0 {
            return None;
        }
        let mut x = self.below(total);
        for (i, w) in weights.iter().enumerate() {
            if x < *w {
                return Some(i);
            }
            x -= w;
        }
        None
    }
}

/// The SplitMix64 output function (a variant of MurmurHash3's finalizer).
fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_the_reference_sequence() {
        // The first outputs of the reference implementation seeded with 1234567.
        let mut r = SplitMix64::new(1_234_567);
        let got: Vec<u64> = (0..5).map(|_| r.next_u64()).collect();
        assert_eq!(
            got,
            vec![
                6_457_827_717_110_365_317,
                3_203_168_211_198_807_973,
                9_817_491_932_198_370_423,
                4_593_380_528_125_082_431,
                16_408_922_859_458_223_821,
            ]
        );
    }

    #[test]
    fn ranges_stay_in_bounds_and_streams_differ() {
        let mut r = SplitMix64::derive(1, 2, 3);
        for _ in 0..10_000 {
            assert!(r.below(7) < 7);
            let x = r.range(5, 9);
            assert!((5..=9).contains(&x));
        }
        assert_eq!(r.range(4, 4), 4);
        assert_eq!(r.below(0), 0);
        let a = SplitMix64::derive(1, 2, 3).next_u64();
        let b = SplitMix64::derive(1, 2, 4).next_u64();
        let c = SplitMix64::derive(2, 2, 3).next_u64();
        assert!(a != b && a != c && b != c);
        assert_eq!(a, SplitMix64::derive(1, 2, 3).next_u64());
        assert_eq!(r.weighted(&[0, 0]), None);
        assert_eq!(r.weighted(&[0, 5, 0]), Some(1));
    }
}
