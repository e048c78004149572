//! One account's running state during replay: its subscriptions, its pack ledger, and the
//! priced lines that refunds refer to.

use crate::catalog::Vendor;
use crate::model::OrderType;
use crate::rules::ledger::Ledger;
use chrono::NaiveDate;
use rust_decimal::Decimal;
use std::collections::HashMap;

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

/// A priced order line as a later refund request needs it.
#[derive(Debug, Clone, PartialEq)]
pub struct Orig {
    pub line: u32,
    pub kind: OrderType,
    pub sku: String,
    pub edition: String,
    pub quantity: u64,
    pub order_date: NaiveDate,
    /// Activation: `start_date`, else the order date.
    pub start: NaiveDate,
    pub service: Option<(NaiveDate, NaiveDate)>,
    /// The line's computed amount.
    pub expected: Decimal,
    /// `billed_amount`, or the computed amount where nothing was billed.
    pub paid: Decimal,
    pub voucher: Decimal,
    /// The refund order that refunded it, when, and the amount refunded.
    pub refunded_by: Option<(String, NaiveDate, Decimal)>,
}

#[derive(Debug, Default)]
pub struct AccountState {
    pub subs: Vec<Sub>,
    pub ledger: Ledger,
    /// Priced lines by order_id, in line order: what refunds refer to.
    pub orders: HashMap<String, Vec<Orig>>,
    /// Rows of each order_id that became exceptions.
    pub unpriced: HashMap<String, usize>,
    /// The (SKU, edition) each order buys (its new and add-on rows), known before the
    /// replay: a requirement may be met by another line of the same order.
    pub same_order: HashMap<String, Vec<(String, String)>>,
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
