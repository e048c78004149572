//! The run's core: group order rows by account, replay each account's events in the order of
//! SPEC 4 (accounts in parallel with rayon), and gather the results in a stable order.
//! No I/O: rows in, a `Report` out (a progress bar, when given, is told of each account).

mod account;
mod events;
mod lines;
mod qa;
mod refunds;
mod resolve;
mod revenue;
mod state;
mod usage;

pub use account::AccountResult;

use crate::catalog::Catalog;
use crate::model::{ExceptionCode, OrderRow, RowException, UsageRow};
use crate::progress::Progress;
use crate::report::{
    AccountTotal, Decision, LineStatus, ProductTotal, RefundCalc, RefundTotal, Report, Revenue,
    RevenueRow, RevenueTotal, RunFacts,
};
use chrono::NaiveDate;
use rayon::prelude::*;
use rust_decimal::Decimal;
use std::collections::{BTreeMap, HashMap};

/// What every account's replay needs to know about the run.
#[derive(Debug, Clone)]
pub struct Ctx<'a> {
    pub catalog: &'a Catalog,
    pub as_of: NaiveDate,
    /// `[first day, first day of next month)` of `--period`.
    pub period: Option<(NaiveDate, NaiveDate)>,
    pub tolerance: Decimal,
    /// `--alert-below`: percentage of a pack's size under which it is `LOW`.
    pub alert_below: Decimal,
    /// Counts accounts as they are priced (a terminal's progress bar); `None` in tests.
    pub progress: Option<&'a Progress>,
}

impl Ctx<'_> {
    pub fn in_period(&self, d: NaiveDate) -> bool {
        self.period.is_none_or(|(from, to)| from <= d && d < to)
    }
}

/// An order row with its 1-based line number within its order.
#[derive(Debug, Clone)]
pub struct Event {
    pub row: OrderRow,
    pub line: u32,
}

/// One account's order and usage rows.
type AccountRows = (Vec<OrderRow>, Vec<UsageRow>);

/// Prices every order row, draws usage on packs and decides refunds. `exceptions` are the
/// readers' row exceptions, carried into the report; `facts` arrive with the input counts
/// filled in.
pub fn run(
    ctx: &Ctx,
    rows: Vec<OrderRow>,
    usage: Vec<UsageRow>,
    mut exceptions: Vec<RowException>,
    mut facts: RunFacts,
) -> Report {
    // Group by account without cloning the id of every row; the accounts are then replayed
    // in parallel, each numbering and de-duplicating its own rows (a duplicate row has the
    // same account), in account order so the results need no global re-sort.
    let mut by_account: HashMap<String, AccountRows> = HashMap::new();
    for r in rows {
        match by_account.get_mut(&r.account_id) {
            Some(group) => group.0.push(r),
            None => {
                by_account.insert(r.account_id.clone(), (vec![r], Vec::new()));
            }
        }
    }
    for u in usage {
        match by_account.get_mut(&u.account_id) {
            Some(group) => group.1.push(u),
            None => {
                by_account.insert(u.account_id.clone(), (Vec::new(), vec![u]));
            }
        }
    }
    let mut groups: Vec<(String, AccountRows)> = by_account.into_iter().collect();
    groups.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    if let Some(p) = ctx.progress {
        p.stage("pricing accounts", groups.len() as u64);
    }
    let results: Vec<AccountResult> = groups
        .into_par_iter()
        .map(|(id, (rows, usage))| {
            let (evs, duplicates) = number_and_dedupe(rows);
            let mut r = account::replay(ctx, &id, evs, usage);
            r.exceptions.extend(duplicates);
            if let Some(p) = ctx.progress {
                p.inc(1);
            }
            r
        })
        .collect();

    let mut report = Report::default();
    let mut revenue_lines = Vec::new();
    let mut exc_per_account: HashMap<String, usize> = HashMap::new();
    for e in &exceptions {
        *exc_per_account.entry(e.account_id.clone()).or_default() += 1;
    }
    for r in results {
        for e in &r.exceptions {
            *exc_per_account.entry(e.account_id.clone()).or_default() += 1;
        }
        facts.rows_outside_period += r.outside_period;
        facts.refunds += r.refund_requests;
        facts.usage_rows += r.usage_rows;
        let offset = report.refund_packs.len();
        report.refunds.extend(r.refunds.into_iter().map(|mut x| {
            if let RefundCalc::Packs { first, .. } = &mut x.calc {
                *first += offset;
            }
            x
        }));
        report.refund_packs.extend(r.refund_packs);
        report.usage.extend(r.usage);
        revenue_lines.extend(r.revenue);
        report.lines.extend(r.lines);
        exceptions.extend(r.exceptions);
        report.subscriptions.extend(r.subscriptions);
        report.packs.extend(r.packs);
    }
    // Accounts were replayed in order and each sorted its own lines.
    debug_assert!(report.lines.is_sorted_by(|a, b| {
        (&a.account_id, a.order_date, &a.order_id, a.line)
            <= (&b.account_id, b.order_date, &b.order_id, b.line)
    }));
    exceptions.sort_by(|a, b| (&a.src, &a.code).cmp(&(&b.src, &b.code)));
    report.exceptions = exceptions;
    totals(&mut report, &exc_per_account);
    refund_totals(&mut report);
    report.revenue = ctx
        .period
        .map(|(from, _)| revenue(from.format("%Y-%m").to_string(), revenue_lines));
    report.facts = facts;
    report
}

/// Numbers each row of one account within its order (in input order) and sets aside rows
/// identical in every column to an earlier row (`DUPLICATE`), as overlapping exports produce.
fn number_and_dedupe(mut rows: Vec<OrderRow>) -> (Vec<Event>, Vec<RowException>) {
    rows.sort_by_key(|r| r.position);
    let mut next_line: HashMap<String, u32> = HashMap::new();
    // Kept rows by content hash; a hash match is confirmed column by column.
    let mut seen: HashMap<u64, Vec<usize>> = HashMap::with_capacity(rows.len());
    let mut events: Vec<Event> = Vec::with_capacity(rows.len());
    let mut dups = Vec::new();
    for row in rows {
        let hash = row.content_hash();
        let first = seen
            .get(&hash)
            .and_then(|kept| kept.iter().find(|i| events[**i].row.same_content(&row)))
            .map(|i| events[*i].row.src.clone());
        if let Some(first) = first {
            dups.push(RowException {
                order_id: row.order_id.clone(),
                account_id: row.account_id.clone(),
                column: "order_id".into(),
                value: row.order_id.clone(),
                code: ExceptionCode::Duplicate,
                message: format!(
                    "this row repeats {} row {} in every column; it was counted once",
                    first.file, first.row
                ),
                src: row.src.clone(),
            });
            continue;
        }
        seen.entry(hash).or_default().push(events.len());
        let n = match next_line.get_mut(&row.order_id) {
            Some(n) => n,
            None => next_line.entry(row.order_id.clone()).or_insert(0),
        };
        *n += 1;
        events.push(Event { line: *n, row });
    }
    (events, dups)
}

/// The entry of `key`, created by `new` the first time: no copy of the key per lookup.
fn slot<'m, V>(
    map: &'m mut BTreeMap<String, V>,
    key: &str,
    new: impl FnOnce() -> V,
) -> Option<&'m mut V> {
    if !map.contains_key(key) {
        map.insert(key.to_string(), new());
    }
    map.get_mut(key)
}

fn totals(report: &mut Report, exc_per_account: &HashMap<String, usize>) {
    let mut accounts: BTreeMap<String, AccountTotal> = BTreeMap::new();
    let mut products: BTreeMap<String, ProductTotal> = BTreeMap::new();
    for l in &report.lines {
        let billed = l.billed_amount.unwrap_or_default();
        let diff = l.difference.unwrap_or_default();
        if let Some(a) = slot(&mut accounts, &l.account_id, || AccountTotal {
            account_id: l.account_id.clone(),
            ..Default::default()
        }) {
            a.lines += 1;
            a.expected += l.expected_amount;
            a.billed += billed;
            a.difference += diff;
            if l.status == LineStatus::Mismatch {
                a.mismatches += 1;
            }
        }
        if let Some(p) = slot(&mut products, &l.product, || ProductTotal {
            product: l.product.clone(),
            ..Default::default()
        }) {
            p.lines += 1;
            p.expected += l.expected_amount;
            p.billed += billed;
            p.difference += diff;
        }
        report.total_expected += l.expected_amount;
        report.total_billed += billed;
        report.total_difference += diff;
        match l.status {
            LineStatus::Mismatch => report.mismatches += 1,
            LineStatus::Unbilled => report.unbilled += 1,
            LineStatus::Ok => {}
        }
    }
    for (id, n) in exc_per_account {
        if id.is_empty() {
            continue;
        }
        accounts
            .entry(id.clone())
            .or_insert_with(|| AccountTotal {
                account_id: id.clone(),
                ..Default::default()
            })
            .exceptions = *n;
    }
    report.accounts = accounts.into_values().collect();
    report.products = products.into_values().collect();
}

/// The Revenue part: the lines (already in account, order, line order) and their totals by
/// account and by product.
fn revenue(period: String, lines: Vec<RevenueRow>) -> Revenue {
    let mut accounts: BTreeMap<String, RevenueTotal> = BTreeMap::new();
    let mut products: BTreeMap<String, RevenueTotal> = BTreeMap::new();
    let mut total = RevenueTotal {
        key: "Total".into(),
        ..Default::default()
    };
    for l in &lines {
        for t in [
            accounts
                .entry(l.account_id.clone())
                .or_insert_with(|| RevenueTotal {
                    key: l.account_id.clone(),
                    ..Default::default()
                }),
            products
                .entry(l.product.clone())
                .or_insert_with(|| RevenueTotal {
                    key: l.product.clone(),
                    ..Default::default()
                }),
            &mut total,
        ] {
            t.lines += 1;
            t.expected_amount += l.expected_amount;
            t.recognized_before += l.recognized_before;
            t.recognized_in_period += l.recognized_in_period;
            t.deferred_at_end += l.deferred_at_end;
            t.refunded += l.refunded;
        }
    }
    Revenue {
        period,
        lines,
        accounts: accounts.into_values().collect(),
        products: products.into_values().collect(),
        total,
    }
}

/// Per-product refund totals and the refunded and overage sums.
fn refund_totals(report: &mut Report) {
    let mut by_product: BTreeMap<String, RefundTotal> = BTreeMap::new();
    for r in &report.refunds {
        // A request whose order was not found has no product: it still counts, by name.
        let product = match r.product.as_str() {
            "" => "(no order line)".to_string(),
            p => p.to_string(),
        };
        let t = by_product
            .entry(product.clone())
            .or_insert_with(|| RefundTotal {
                product,
                ..Default::default()
            });
        match r.decision {
            Decision::Approved => {
                t.approved += 1;
                t.approved_paid += r.paid;
                t.approved_amount += r.refund_amount;
                t.voucher_kept += r.voucher_kept;
                report.total_refunded += r.refund_amount;
                report.total_voucher_kept += r.voucher_kept;
            }
            Decision::Rejected => {
                t.rejected += 1;
                t.rejected_paid += r.paid;
            }
        }
    }
    report.refund_totals = by_product.into_values().collect();
    report.total_overage = report.usage.iter().filter_map(|u| u.overage_amount).sum();
}

#[cfg(test)]
mod tests;
