//! What a run produces, ready to be written: priced lines, per-account and per-product totals,
//! subscription and pack states, exceptions and the run facts. The writers (xlsx, csv, json)
//! read these; nothing here does I/O. The statuses and calculation records come from `rules`
//! (the code that decides them); the Excel formulas built from them are `output::formulas`.

use crate::model::{OrderType, RowException, SourceRef};
pub use crate::rules::records::{Calc, Decision, LineStatus, PackStatus, RefundCalc, SubStatus};
pub use crate::rules::refund::PackRefund;
use chrono::NaiveDate;
use rust_decimal::Decimal;

/// One priced order line: the columns of the Lines sheet (SPEC 6), in order.
#[derive(Debug, Clone, PartialEq)]
pub struct Line {
    pub src: SourceRef,
    pub order_id: String,
    /// 1-based position of the row among the rows of its order_id.
    pub line: u32,
    pub account_id: String,
    pub order_date: NaiveDate,
    pub kind: OrderType,
    /// Canonical SKU code.
    pub product: String,
    /// Edition code, empty for SKUs without editions.
    pub edition: String,
    pub quantity: u64,
    /// The units `unit_price` applies to (blocks for block SKUs, 1 for a CDP cover).
    pub billable_quantity: Decimal,
    /// Term as written for the line (`2y`, `6m`), empty for one-time items and add-ons.
    pub term: String,
    pub service_start: Option<NaiveDate>,
    pub service_end: Option<NaiveDate>,
    pub unit_price: Decimal,
    pub full_years: u32,
    pub full_years_amount: Decimal,
    pub months: u32,
    pub months_amount: Decimal,
    pub list_amount: Decimal,
    /// Discount as an amount (a percentage already applied to `list_amount`).
    pub discount: Decimal,
    /// `list_amount − discount`, rounded once, half away from zero, to 0.01.
    pub expected_amount: Decimal,
    pub billed_amount: Option<Decimal>,
    /// `billed − expected`; `None` when nothing was billed.
    pub difference: Option<Decimal>,
    pub status: LineStatus,
    /// In words and figures, how the amount was reached; written by the code that computed it.
    pub rule: String,
    pub calc: Calc,
}

/// Totals of one account (Accounts sheet).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct AccountTotal {
    pub account_id: String,
    pub lines: usize,
    pub expected: Decimal,
    pub billed: Decimal,
    pub difference: Decimal,
    pub mismatches: usize,
    pub exceptions: usize,
}

/// Totals of one product (Summary sheet table and chart).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ProductTotal {
    pub product: String,
    pub lines: usize,
    pub expected: Decimal,
    pub billed: Decimal,
    /// Expected of the lines with no billed amount: `billed = expected − unbilled + difference`.
    pub unbilled: Decimal,
    /// `billed − expected` over the lines that have a billed amount.
    pub difference: Decimal,
}

/// A subscription's state at `--as-of` (Subscriptions sheet).
#[derive(Debug, Clone, PartialEq)]
pub struct SubscriptionRow {
    pub account_id: String,
    pub product: String,
    pub edition: String,
    pub quantity: u64,
    pub start: NaiveDate,
    pub expiry: NaiveDate,
    pub status: SubStatus,
    /// Days from as-of to expiry (negative once expired).
    pub days_to_expiry: i64,
    pub reclaim_date: NaiveDate,
}

/// One prepaid pack (Packs sheet).
#[derive(Debug, Clone, PartialEq)]
pub struct PackRow {
    pub account_id: String,
    pub order_id: String,
    /// Pack number within its order line (a line of quantity 3 buys packs 1, 2, 3).
    pub pack: u32,
    pub product: String,
    pub edition: String,
    pub size: u64,
    pub bonus: u64,
    pub purchased: NaiveDate,
    pub expires: Option<NaiveDate>,
    /// Units drawn from this pack's quota and its bonus.
    pub used: u64,
    /// `size + bonus − used` (forfeited once the pack expires).
    pub remaining: u64,
    /// Usage that found no quota left while this was the last valid pack it could draw on.
    pub overdrawn: u64,
    pub status: PackStatus,
}

/// One row of the Refunds sheet: the decision on one order line of a refund request.
/// A request naming an order of several lines gets one row per line.
#[derive(Debug, Clone, PartialEq)]
pub struct RefundRow {
    pub src: SourceRef,
    pub refund_order_id: String,
    pub ref_order_id: String,
    pub account_id: String,
    /// Empty when the refunded order was not found.
    pub product: String,
    pub edition: String,
    pub refund_date: NaiveDate,
    pub reason: String,
    pub original_type: Option<OrderType>,
    pub start_date: Option<NaiveDate>,
    pub days_since_start: Option<i64>,
    pub paid: Decimal,
    pub voucher_kept: Decimal,
    pub used_quantity: Option<u64>,
    pub used_value: Option<Decimal>,
    pub refund_amount: Decimal,
    pub decision: Decision,
    pub rule: String,
    pub calc: RefundCalc,
    /// The packs it refunded (a PV pack refund), in pack order, as the rule computed them;
    /// their refunds add up to `refund_amount`. On the Packs sheet each is written under this
    /// row's request, account and order. Empty for every other decision.
    pub packs: Vec<PackRefund>,
}

/// Refund decisions of one product (the Summary sheet of refunds.xlsx).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct RefundTotal {
    pub product: String,
    pub approved: usize,
    pub approved_paid: Decimal,
    pub approved_amount: Decimal,
    pub voucher_kept: Decimal,
    pub rejected: usize,
    pub rejected_paid: Decimal,
}

/// One account's usage of one metric over the run (the Usage sheet): where each usage row
/// ends up. `from_packs + overdrawn = used`.
#[derive(Debug, Clone, PartialEq)]
pub struct UsageTotal {
    pub account_id: String,
    pub metric: String,
    /// Usage rows counted here.
    pub rows: usize,
    pub used: u128,
    pub from_packs: u128,
    pub overdrawn: u128,
    /// Pay-as-you-go price per unit for overdrawn usage (SMS), when the catalog has one.
    pub overage_rate: Option<Decimal>,
    /// `overdrawn × overage_rate`, rounded once to 0.01.
    pub overage_amount: Option<Decimal>,
    /// What the overdraft means for this metric, in words.
    pub note: String,
    /// The overdraft must be billed (SMS) but the catalog has no rate: flagged, never zero.
    pub unpriced: bool,
}

/// Run facts and counts for the Summary sheet and the JSON summary.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct RunFacts {
    /// Input files as named on the command line or found in a directory.
    pub inputs: Vec<String>,
    pub as_of: Option<NaiveDate>,
    /// `YYYY-MM` when `--period` was given.
    pub period: Option<String>,
    /// `built-in` or the catalog file's path.
    pub catalog: String,
    pub tolerance: Decimal,
    /// Data rows read from every input (blank rows excluded).
    pub rows_read: usize,
    /// Fully blank rows skipped by the readers.
    pub blank_rows: usize,
    /// Priced rows dated outside `--period`: they built state but are not reported as lines.
    pub rows_outside_period: usize,
    /// Rows of accounts in other shards (`--shard K/N`): read, left to the other shards.
    pub rows_other_shards: usize,
    /// `K/N` when `--shard` was given.
    pub shard: Option<String>,
    /// Refund request rows decided in the period (each may cover several order lines).
    pub refunds: usize,
    /// Usage rows drawn on packs or overdrawn (all dates: usage builds pack state).
    pub usage_rows: usize,
    /// `--alert-below`: a pack is `LOW` under this percentage of its size left.
    pub alert_below: Decimal,
    /// Columns found in inputs that billrun does not use, once each.
    pub unknown_columns: Vec<String>,
    /// Each table read: `file: orders, sheet '订单', header on row 3`.
    pub tables: Vec<String>,
    /// Files of an input folder that hold no table: `file: why`.
    pub skipped: Vec<String>,
    /// Physical lines of the CSV inputs: a quoted value spanning lines makes one record (one
    /// row read) of several lines, so rows read may be fewer.
    pub csv_lines: u64,
}

/// Everything a run produces, sorted and ready to write.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Report {
    pub facts: RunFacts,
    /// Sorted by account, order date, order id, line. Empty when the run streamed its lines
    /// to the writer (`engine::run_streaming`); `line_count` counts them either way.
    pub lines: Vec<Line>,
    /// Lines priced.
    pub line_count: usize,
    pub accounts: Vec<AccountTotal>,
    pub products: Vec<ProductTotal>,
    pub subscriptions: Vec<SubscriptionRow>,
    pub packs: Vec<PackRow>,
    /// Sorted by source file, row.
    pub exceptions: Vec<RowException>,
    pub total_expected: Decimal,
    pub total_billed: Decimal,
    /// Expected of the lines with no billed amount (they are in neither billed nor difference).
    pub total_unbilled: Decimal,
    /// `billed − expected` over the lines that have a billed amount, so that
    /// `total_billed = total_expected − total_unbilled + total_difference`.
    pub total_difference: Decimal,
    pub mismatches: usize,
    pub unbilled: usize,
    /// Refund decisions, sorted by account, refund date, refund order, original line; each
    /// holds the packs it refunded.
    pub refunds: Vec<RefundRow>,
    pub refund_totals: Vec<RefundTotal>,
    pub total_refunded: Decimal,
    pub total_voucher_kept: Decimal,
    /// Usage by account and metric, sorted.
    pub usage: Vec<UsageTotal>,
    /// Overdrawn usage billed pay-as-you-go (SMS), summed over `usage`.
    pub total_overage: Decimal,
    /// Revenue recognition for `--period`; `None` without a period.
    pub revenue: Option<Revenue>,
}

impl Report {
    /// Every input row ends up in exactly one place (SPEC 5): a priced line, a refund
    /// request's decision, a usage total, an exception, a row outside `--period`, or a row
    /// left to another shard. These add up to the rows read.
    pub fn accounted_rows(&self) -> usize {
        let f = &self.facts;
        self.line_count
            + f.refunds
            + f.usage_rows
            + self.exceptions.len()
            + f.rows_outside_period
            + f.rows_other_shards
    }
}

/// Revenue recognition of one priced line for `--period` (the Revenue sheet, SPEC 6):
/// subscriptions straight-line by day over their service, one-time items in the month of
/// their order, packs as used plus what expires unused; an approved refund leaves
/// `expected − refunded` recognized by its date and nothing deferred.
/// `recognized_before + recognized_in_period + deferred_at_end = expected_amount − refunded`.
#[derive(Debug, Clone, PartialEq)]
pub struct RevenueRow {
    pub order_id: String,
    pub line: u32,
    pub account_id: String,
    pub product: String,
    pub expected_amount: Decimal,
    pub recognized_before: Decimal,
    pub recognized_in_period: Decimal,
    pub deferred_at_end: Decimal,
    /// Approved refunds of the line dated before the period's end.
    pub refunded: Decimal,
    /// How it is recognized, in words (`straight-line over 2025-01-01 – 2027-01-01`, …).
    pub method: String,
}

/// Revenue totals of one account or product (`key`).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct RevenueTotal {
    pub key: String,
    pub lines: usize,
    pub expected_amount: Decimal,
    pub recognized_before: Decimal,
    pub recognized_in_period: Decimal,
    pub deferred_at_end: Decimal,
    pub refunded: Decimal,
}

/// The Revenue part of a report: present only with `--period`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Revenue {
    /// `YYYY-MM`.
    pub period: String,
    /// Sorted by account, order id, line.
    pub lines: Vec<RevenueRow>,
    pub accounts: Vec<RevenueTotal>,
    pub products: Vec<RevenueTotal>,
    /// Over every line; `key` is `Total`.
    pub total: RevenueTotal,
}

/// One order row priced under two catalogs (`billrun reprice`, the Lines sheet of
/// reprice.xlsx). A row that is an exception under one catalog has no amount there and
/// shows the exception's code as its status.
#[derive(Debug, Clone, PartialEq)]
pub struct RepriceLine {
    pub src: SourceRef,
    pub order_id: String,
    pub line: u32,
    pub account_id: String,
    pub product: String,
    pub edition: String,
    pub quantity: Option<u64>,
    pub old_amount: Option<Decimal>,
    pub new_amount: Option<Decimal>,
    /// `new − old` when both are priced.
    pub delta: Option<Decimal>,
    /// `OK`, or the exception code under the baseline catalog.
    pub old_status: String,
    /// `OK`, or the exception code under the new catalog.
    pub new_status: String,
    /// The exception's message where one side is an exception; the new rule otherwise.
    pub note: String,
}

/// Reprice totals of one account or product (`key`): lines priced under both catalogs only.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct RepriceTotal {
    pub key: String,
    pub lines: usize,
    pub old_amount: Decimal,
    pub new_amount: Decimal,
    pub delta: Decimal,
    /// Lines whose amount changed.
    pub changed: usize,
}

/// What `billrun reprice` produces (reprice.xlsx).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct RepriceReport {
    pub facts: RunFacts,
    /// `built-in` or the baseline catalog's path.
    pub baseline: String,
    /// The new catalog's path.
    pub catalog: String,
    /// Sorted by account, order date, order id, line.
    pub lines: Vec<RepriceLine>,
    pub accounts: Vec<RepriceTotal>,
    pub products: Vec<RepriceTotal>,
    /// Over the lines priced under both catalogs; `key` is `Total`.
    pub total: RepriceTotal,
    /// Lines priced under the baseline only (an exception under the new catalog).
    pub only_old: usize,
    /// Lines priced under the new catalog only.
    pub only_new: usize,
}
