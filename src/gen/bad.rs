//! Deliberately bad rows: which rows are bad (an exact share, spread evenly over the file)
//! and how each is spoiled (an unknown SKU, an impossible date, a negative or non-numeric
//! quantity, a bad term, a missing account), so that `billrun run` lists each as an
//! exception.

use super::family::Family;
use super::rng::SplitMix64;
use super::row::{Kind, OrderLine, Value, col};

/// Parts per million: the share is kept as an integer so the bad rows are exact on every
/// platform.
const PPM: u64 = 1_000_000;

/// Marks rows `0, 1, 2, …` bad at an even pace: row `k` is bad when `⌊(k+1)·s⌋ > ⌊k·s⌋`,
/// so the first `n` rows hold exactly `⌊n·s⌋` bad ones.
#[derive(Debug, Clone, Copy)]
pub struct Spread {
    ppm: u64,
}

impl Spread {
    /// `share` from 0 to 1, rounded to a millionth.
    pub fn new(share: f64) -> Spread {
        let ppm = (share.clamp(0.0, 1.0) * PPM as f64).round() as u64;
        Spread { ppm }
    }

    pub fn is_bad(&self, k: u64) -> bool {
        let at = |n: u64| u128::from(n) * u128::from(self.ppm) / u128::from(PPM);
        at(k + 1) > at(k)
    }

    /// Bad rows among the first `n`.
    #[cfg(test)]
    pub fn count(&self, n: u64) -> u64 {
        (u128::from(n) * u128::from(self.ppm) / u128::from(PPM)) as u64
    }
}

fn text(s: &str) -> Value {
    Value::Text(s.to_string())
}

/// Whether a SKU's lines carry a term the engine checks (subscriptions, not packs or
/// one-time items).
fn has_checked_term(line: &OrderLine) -> bool {
    line.term.is_some() && matches!(line.kind, Kind::New | Kind::Renewal)
}

/// Spoils one order row's cells in place, in a way the readers or the engine refuse.
pub fn spoil_order(line: &OrderLine, cells: &mut [Value], rng: &mut SplitMix64) {
    let kinds: &[u8] = if has_checked_term(line) {
        &[0, 1, 2, 3, 4, 5]
    } else {
        &[0, 1, 2, 3, 5]
    };
    match *rng.pick(kinds) {
        0 => {
            let sku = *rng.pick(&["qcs-offline", "cdp-lite", "qdm-video", "qa-crm", "ssc-chat"]);
            cells[col::PRODUCT] = text(sku);
        }
        1 => {
            let day = *rng.pick(&["2025-02-30", "2025-13-01", "2024-06-31", "2025-00-10"]);
            cells[col::ORDER_DATE] = text(day);
        }
        2 => {
            let q = rng.range(1, 20);
            cells[col::QUANTITY] = Value::Text(format!("-{q}"));
        }
        3 => {
            let q = *rng.pick(&["three", "3.5", "n/a", "1O"]);
            cells[col::QUANTITY] = text(q);
        }
        4 => {
            // Readable terms the vendor does not sell: Tencent sells whole years (SSC up to
            // 8), Quick Audience 1–6 months or a year.
            let t = match Family::of(line.product) {
                Some(Family::Qa) => *rng.pick(&["7m", "2y", "9m"]),
                Some(Family::Ssc) => *rng.pick(&["9y", "18m"]),
                _ => *rng.pick(&["18m", "6m"]),
            };
            cells[col::TERM] = text(t);
        }
        _ => cells[col::ACCOUNT_ID] = Value::Empty,
    }
}

/// Spoils one usage row's cells in place.
pub fn spoil_usage(cells: &mut [Value], rng: &mut SplitMix64) {
    match rng.below(5) {
        0 => cells[col::USAGE_METRIC] = text(rng.pick::<&str>(&["clicks", "calls", "mms"])),
        1 => {
            cells[col::USAGE_DATE] =
                text(rng.pick::<&str>(&["2025-02-29", "2024-11-31", "2025-13-05"]))
        }
        2 => {
            let q = rng.range(1, 5000);
            cells[col::USAGE_QUANTITY] = Value::Text(format!("-{q}"));
        }
        3 => cells[col::USAGE_QUANTITY] = text(rng.pick::<&str>(&["lots", "1.5", "12k"])),
        _ => cells[col::USAGE_ACCOUNT_ID] = Value::Empty,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spread_is_exact_and_even() {
        let s = Spread::new(0.01);
        let bad: Vec<u64> = (0..1000).filter(|k| s.is_bad(*k)).collect();
        assert_eq!(bad.len(), 10);
        assert_eq!(s.count(1000), 10);
        assert!(bad.windows(2).all(|w| w[1] - w[0] == 100));
        let s = Spread::new(0.3);
        assert_eq!(
            (0..12_345).filter(|k| s.is_bad(*k)).count() as u64,
            s.count(12_345)
        );
        assert_eq!(Spread::new(0.0).count(1_000_000), 0);
        assert_eq!(Spread::new(1.0).count(77), 77);
    }
}
