//! The account's usage rows, written after its orders and drawn on its packs: dated while a
//! pack serves, sized so that some packs run LOW and some are overdrawn. No I/O: rows go to
//! an [`Out`].

use super::{Account, Out, days, window_end, window_start};
use crate::r#gen::GenError;
use crate::r#gen::row::UsageLine;

impl Account<'_> {
    /// Writes the account's usage rows, drawn on its packs: dated while a pack serves, some
    /// naming the pack's order, sized so that some packs run LOW and some are overdrawn.
    pub(super) fn write_usage(mut self, out: &mut dyn Out) -> Result<(), GenError> {
        let total = self.usage_rows;
        if total == 0 {
            return Ok(());
        }
        let horizon = window_end().max(self.last.unwrap_or(window_end()));
        if self.holdings.is_empty() {
            // Nothing bought (or every pack row was bad): usage with no quota, overdrawn.
            for _ in 0..total {
                let date = days(window_start(), self.rng.below(730));
                let line = UsageLine {
                    account_id: self.id.clone(),
                    date,
                    metric: "pv",
                    quantity: self.rng.range(1, 50) * 1000,
                    order_id: None,
                };
                out.usage(&line)?;
            }
            return Ok(());
        }
        let holdings = std::mem::take(&mut self.holdings);
        let k = holdings.len() as u64;
        for (j, h) in holdings.iter().enumerate() {
            let rows = total / k + u64::from((j as u64) < total % k);
            if rows == 0 {
                continue;
            }
            // How much of the pack this account's usage takes: mostly part of it, some
            // nearly all (LOW), some more than all (overdrawn).
            let fill_permille = match self.rng.below(1000) {
                0..450 => self.rng.range(200, 700),
                450..700 => self.rng.range(920, 985),
                700..850 => 1000,
                _ => self.rng.range(1100, 1600),
            };
            let target = u128::from(h.size) * u128::from(fill_permille) / 1000;
            let per_row = (target / u128::from(rows)).max(1) as u64;
            let closed = self
                .closed
                .iter()
                .find(|(o, _)| *o == h.order_id)
                .map(|(_, c)| *c);
            let end = [h.until, closed, Some(days(horizon, 1))]
                .into_iter()
                .flatten()
                .min()
                .unwrap_or(horizon);
            let span = (end - h.purchased).num_days().max(1) as u64;
            let mut left = target;
            for r in 0..rows {
                let q = if r + 1 == rows {
                    left.max(1) as u64
                } else {
                    // ±25% around the even share, the last row taking the rest.
                    let q = per_row / 4 * 3 + self.rng.below(per_row / 2 + 1);
                    q.max(1)
                };
                left = left.saturating_sub(u128::from(q));
                let line = UsageLine {
                    account_id: self.id.clone(),
                    date: days(h.purchased, self.rng.below(span)),
                    metric: h.metric,
                    quantity: q,
                    order_id: self.rng.chance(300).then(|| h.order_id.clone()),
                };
                out.usage(&line)?;
            }
        }
        Ok(())
    }
}
