//! One account's running state during replay: its subscriptions and its packs.

use crate::catalog::Vendor;
use chrono::NaiveDate;
use rust_decimal::Decimal;

/// A subscription: (SKU, edition) with a quantity over `[start, expiry)`.
#[derive(Debug, Clone, PartialEq)]
pub struct Sub {
    pub sku: String,
    pub edition: String,
    pub vendor: Vendor,
    pub quantity: u64,
    pub start: NaiveDate,
    pub expiry: NaiveDate,
    /// The per-period unit price it was bought at (annual, or monthly for Quick Audience).
    pub unit_price: Decimal,
    pub order_id: String,
    pub refunded: bool,
}

impl Sub {
    pub fn active_on(&self, d: NaiveDate) -> bool {
        !self.refunded && self.start <= d && d < self.expiry
    }
}

/// A prepaid pack bought on an order line.
#[derive(Debug, Clone, PartialEq)]
pub struct Pack {
    pub order_id: String,
    pub pack: u32,
    pub sku: String,
    pub edition: String,
    pub size: u64,
    pub bonus: u64,
    pub purchased: NaiveDate,
    pub expires: Option<NaiveDate>,
}

#[derive(Debug, Default)]
pub struct AccountState {
    pub subs: Vec<Sub>,
    pub packs: Vec<Pack>,
}

impl AccountState {
    /// The active subscription of `sku` on `d` (of `edition` when given), latest expiry first.
    pub fn active(&self, sku: &str, edition: Option<&str>, d: NaiveDate) -> Option<usize> {
        self.subs
            .iter()
            .enumerate()
            .filter(|(_, s)| {
                s.sku == sku && s.active_on(d) && edition.is_none_or(|e| s.edition == e)
            })
            .max_by_key(|(i, s)| (s.expiry, *i))
            .map(|(i, _)| i)
    }

    /// The most recent subscription of `sku` (of `edition` when given) that has not been
    /// refunded, active or not: the one a renewal extends.
    pub fn latest(&self, sku: &str, edition: Option<&str>) -> Option<usize> {
        self.subs
            .iter()
            .enumerate()
            .filter(|(_, s)| s.sku == sku && !s.refunded && edition.is_none_or(|e| s.edition == e))
            .max_by_key(|(i, s)| (s.expiry, *i))
            .map(|(i, _)| i)
    }

    /// Active subscriptions of (sku, edition) on `d`.
    pub fn count_active(&self, sku: &str, edition: &str, d: NaiveDate) -> usize {
        self.subs
            .iter()
            .filter(|s| s.sku == sku && s.edition == edition && s.active_on(d))
            .count()
    }
}
