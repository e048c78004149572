//! The prepaid-pack ledger of one account (SPEC 4): packs and bonus grants drawn down by
//! usage in the vendor's order. Pure: no I/O.
//!
//! The ledger keeps every draw it was given, so that a refund which voids a bonus can
//! re-deduct the account's usage "as if that bonus had never been granted" by replaying
//! the same draws against the changed grants.

use crate::model::Metric;
use chrono::NaiveDate;

/// One pack bought on an order line (or a bonus-only grant, `size = 0`), with what has been
/// drawn from it.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    pub order_id: String,
    /// The order line that bought it (1-based; bonus-only grants carry their line too).
    pub line: u32,
    /// Pack number within its order line (1-based).
    pub pack: u32,
    pub sku: String,
    pub edition: String,
    pub metric: Metric,
    /// The pack's quota (0 for a bonus-only grant such as ssc-robot's sessions).
    pub size: u64,
    /// Bonus units granted with it; drawn before any pack.
    pub bonus: u64,
    /// A refund of the order voided the bonus.
    pub bonus_void: bool,
    pub purchased: NaiveDate,
    /// First day it is no longer valid; `None`: does not expire.
    pub expires: Option<NaiveDate>,
    /// The draw sequence number of the refund that closed it: later draws cannot use it.
    pub closed_at: Option<u64>,
    pub used_pack: u64,
    pub used_bonus: u64,
    /// Usage that found nothing left while this was the last entry it could draw on.
    pub overdrawn: u64,
}

impl Entry {
    /// An entry with nothing granted yet: set `line`, `size` and `bonus`.
    pub fn new(
        order_id: &str,
        pack: u32,
        sku: &str,
        edition: &str,
        metric: Metric,
        purchased: NaiveDate,
        expires: Option<NaiveDate>,
    ) -> Entry {
        Entry {
            order_id: order_id.to_string(),
            line: 0,
            pack,
            sku: sku.to_string(),
            edition: edition.to_string(),
            metric,
            size: 0,
            bonus: 0,
            bonus_void: false,
            purchased,
            expires,
            closed_at: None,
            used_pack: 0,
            used_bonus: 0,
            overdrawn: 0,
        }
    }

    /// Whether a draw dated `date` with sequence number `seq` may use it.
    pub fn valid(&self, date: NaiveDate, seq: u64) -> bool {
        self.purchased <= date
            && self.expires.is_none_or(|e| date < e)
            && self.closed_at.is_none_or(|c| seq < c)
    }

    fn bonus_left(&self) -> u64 {
        if self.bonus_void {
            0
        } else {
            self.bonus.saturating_sub(self.used_bonus)
        }
    }

    fn pack_left(&self) -> u64 {
        self.size.saturating_sub(self.used_pack)
    }

    /// Units drawn from it, pack and bonus together.
    pub fn used(&self) -> u64 {
        self.used_pack.saturating_add(self.used_bonus)
    }

    /// What is left of its quota and its (unvoided) bonus.
    pub fn remaining(&self) -> u64 {
        self.pack_left().saturating_add(self.bonus_left())
    }

    fn key(&self) -> (NaiveDate, &str, u32) {
        (self.purchased, &self.order_id, self.pack)
    }
}

/// A usage draw as the ledger replays it.
#[derive(Debug, Clone, PartialEq)]
struct Draw {
    seq: u64,
    date: NaiveDate,
    metric: Metric,
    quantity: u64,
    order_id: Option<String>,
}

/// What one draw took from packs and what it overdrew.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Drawn {
    pub from_packs: u64,
    pub overdrawn: u64,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Ledger {
    /// Kept sorted by (purchase date, order_id, pack): the deduction order. Private: an
    /// `add` shifts the entries after it, so callers ask for an order line's packs instead of
    /// keeping an index.
    entries: Vec<Entry>,
    draws: Vec<Draw>,
}

impl Ledger {
    /// Adds a pack or grant in its place in the deduction order.
    pub fn add(&mut self, e: Entry) {
        let at = self.entries.partition_point(|x| x.key() <= e.key());
        self.entries.insert(at, e);
    }

    /// Draws `quantity` units of `metric` on `date`. Bonus first (oldest grant first), then
    /// packs by purchase date, order_id and pack number; a draw naming `order_id` takes that
    /// order's bonus and packs first. Only entries valid on the date count.
    pub fn draw(
        &mut self,
        seq: u64,
        date: NaiveDate,
        metric: Metric,
        quantity: u64,
        order_id: Option<&str>,
    ) -> Drawn {
        let d = Draw {
            seq,
            date,
            metric,
            quantity,
            order_id: order_id.map(str::to_string),
        };
        let out = self.apply(&d);
        self.draws.push(d);
        out
    }

    fn apply(&mut self, d: &Draw) -> Drawn {
        let mut left = d.quantity;
        let mut last_valid = None;
        let preferred = d.order_id.as_deref();
        // Passes: the named order's bonus, its packs, then everyone's bonus, then packs.
        let passes: [(bool, Option<bool>); 4] = [
            (true, Some(true)),
            (false, Some(true)),
            (true, Some(false)),
            (false, Some(false)),
        ];
        for (bonus, want_preferred) in passes {
            for (i, e) in self.entries.iter_mut().enumerate() {
                if e.metric != d.metric || !e.valid(d.date, d.seq) {
                    continue;
                }
                let is_preferred = preferred.is_some_and(|o| o == e.order_id);
                if want_preferred != Some(is_preferred) {
                    continue;
                }
                if !bonus {
                    last_valid = Some(i);
                }
                if left == 0 {
                    continue;
                }
                let (avail, used) = if bonus {
                    (e.bonus_left(), &mut e.used_bonus)
                } else {
                    (e.pack_left(), &mut e.used_pack)
                };
                let take = avail.min(left);
                *used += take;
                left -= take;
            }
        }
        if left > 0
            && let Some(i) = last_valid.or_else(|| self.last_valid_any(d))
        {
            let e = &mut self.entries[i];
            e.overdrawn = e.overdrawn.saturating_add(left);
        }
        Drawn {
            from_packs: d.quantity - left,
            overdrawn: left,
        }
    }

    fn last_valid_any(&self, d: &Draw) -> Option<usize> {
        self.entries
            .iter()
            .rposition(|e| e.metric == d.metric && e.valid(d.date, d.seq))
    }

    /// Re-deducts every draw so far from scratch against the entries as they are now (a
    /// voided bonus, closed packs).
    fn replay(&mut self) {
        for e in &mut self.entries {
            e.used_pack = 0;
            e.used_bonus = 0;
            e.overdrawn = 0;
        }
        let draws = std::mem::take(&mut self.draws);
        for d in &draws {
            self.apply(d);
        }
        self.draws = draws;
    }

    /// Voids the bonus granted with `order_id`'s packs (a refund of that order).
    fn void_bonus(&mut self, order_id: &str) -> bool {
        let mut any = false;
        for e in self.entries.iter_mut().filter(|e| e.order_id == order_id) {
            any |= e.bonus > 0 && !e.bonus_void;
            e.bonus_void = true;
        }
        any
    }

    /// Every entry, in the deduction order.
    pub fn entries(&self) -> std::slice::Iter<'_, Entry> {
        self.entries.iter()
    }

    /// The packs bought on line `line` of `order_id`, in pack order.
    pub fn packs(&self, order_id: &str, line: u32) -> impl Iterator<Item = &Entry> {
        let mut v: Vec<&Entry> = self
            .entries
            .iter()
            .filter(|e| e.order_id == order_id && e.line == line)
            .collect();
        v.sort_by_key(|e| e.pack);
        v.into_iter()
    }

    /// Closes the packs of line `line` of `order_id` to draws from sequence number `seq` on
    /// (a refund): they keep what was drawn before it.
    pub fn close(&mut self, order_id: &str, line: u32, seq: u64) {
        for e in self
            .entries
            .iter_mut()
            .filter(|e| e.order_id == order_id && e.line == line)
        {
            e.closed_at = Some(seq);
        }
    }

    /// The ledger as if the bonus granted with `order_id`'s packs had never been granted
    /// (SPEC 3, a PV pack refund): the same draws re-deducted against the other grants, in
    /// the normal deduction order. Bonuses of other orders still count. `self` is unchanged.
    pub fn without_bonus_of(&self, order_id: &str) -> Ledger {
        let mut l = self.clone();
        l.void_bonus(order_id);
        l.replay();
        l
    }

    /// The ledger as it stood before `at`: only the draws dated before it, re-deducted
    /// against the entries as they are now.
    pub fn before(&self, at: NaiveDate) -> Ledger {
        let mut l = self.clone();
        l.draws.retain(|d| d.date < at);
        l.replay();
        l
    }

    /// Units used of `metric` over every draw, and how many of them packs served.
    pub fn totals(&self, metric: Metric) -> (u128, u128) {
        let used = self
            .draws
            .iter()
            .filter(|d| d.metric == metric)
            .map(|d| u128::from(d.quantity))
            .sum();
        let served = self
            .entries
            .iter()
            .filter(|e| e.metric == metric)
            .map(|e| u128::from(e.used_pack) + u128::from(e.used_bonus))
            .sum();
        (used, served)
    }

    /// Number of draws of `metric`.
    pub fn draws_of(&self, metric: Metric) -> usize {
        self.draws.iter().filter(|d| d.metric == metric).count()
    }
}

#[cfg(test)]
mod tests;
