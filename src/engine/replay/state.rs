//! One account's running state during replay: its subscriptions, its pack ledger, and the
//! priced lines that refunds refer to.

use crate::model::OrderType;
use crate::rules::ledger::Ledger;
use crate::rules::subscription::Sub;
use chrono::NaiveDate;
use rust_decimal::Decimal;
use std::collections::HashMap;

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
