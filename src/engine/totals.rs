//! Totals: the report assembled as the accounts' results arrive in account order — lines
//! counted and totalled by account and product, refunds, usage, states and exceptions kept —
//! and, at the end, the per-product refund totals and the revenue totals.

use super::Ctx;
use super::replay::AccountResult;
use crate::model::RowException;
use crate::report::{
    AccountTotal, Decision, Line, LineStatus, ProductTotal, RefundTotal, Report, Revenue,
    RevenueRow, RevenueTotal, RunFacts,
};
use rust_decimal::Decimal;
use std::collections::{BTreeMap, HashMap};

/// The report as the accounts' results arrive, in account order: everything but the lines
/// is kept; the lines are counted and totalled, then passed on.
pub(super) struct Merge {
    report: Report,
    exceptions: Vec<RowException>,
    revenue_lines: Vec<RevenueRow>,
    exc_per_account: HashMap<String, usize>,
    totals: Totals,
}

impl Merge {
    pub(super) fn new(exceptions: Vec<RowException>, facts: RunFacts) -> Merge {
        let mut exc_per_account: HashMap<String, usize> = HashMap::new();
        for e in &exceptions {
            *exc_per_account.entry(e.account_id.clone()).or_default() += 1;
        }
        Merge {
            report: Report {
                facts,
                ..Report::default()
            },
            exceptions,
            revenue_lines: Vec::new(),
            exc_per_account,
            totals: Totals::default(),
        }
    }

    /// Takes one batch's results (in account order) and returns their lines, in report order.
    pub(super) fn add(&mut self, results: Vec<AccountResult>) -> Vec<Line> {
        let report = &mut self.report;
        let mut lines = Vec::with_capacity(results.iter().map(|r| r.lines.len()).sum());
        for r in results {
            for e in &r.exceptions {
                *self
                    .exc_per_account
                    .entry(e.account_id.clone())
                    .or_default() += 1;
            }
            report.facts.rows_outside_period += r.outside_period;
            report.facts.refunds += r.refund_requests;
            report.facts.usage_rows += r.usage_rows;
            report.refunds.extend(r.refunds);
            report.usage.extend(r.usage);
            self.revenue_lines.extend(r.revenue);
            for l in &r.lines {
                self.totals.add(report, l);
            }
            lines.extend(r.lines);
            self.exceptions.extend(r.exceptions);
            report.subscriptions.extend(r.subscriptions);
            report.packs.extend(r.packs);
        }
        // Accounts were replayed in order and each sorted its own lines.
        debug_assert!(lines.is_sorted_by(|a, b| {
            (&a.account_id, a.order_date, &a.order_id, a.line)
                <= (&b.account_id, b.order_date, &b.order_id, b.line)
        }));
        lines
    }

    pub(super) fn finish(self, ctx: &Ctx) -> Report {
        let Merge {
            mut report,
            mut exceptions,
            revenue_lines,
            exc_per_account,
            totals,
        } = self;
        exceptions.sort_by(|a, b| (&a.src, &a.code).cmp(&(&b.src, &b.code)));
        report.exceptions = exceptions;
        totals.finish(&mut report, &exc_per_account);
        refund_totals(&mut report);
        report.revenue = ctx
            .period
            .map(|(from, _)| revenue(from.format("%Y-%m").to_string(), revenue_lines));
        report
    }
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

/// Totals by account and by product, and the report's, added up line by line.
#[derive(Default)]
struct Totals {
    /// In account order: the lines arrive sorted by account, so an account's total is the
    /// last one or a new one, with no lookup.
    accounts: Vec<AccountTotal>,
    products: BTreeMap<String, ProductTotal>,
}

impl Totals {
    fn add(&mut self, report: &mut Report, l: &Line) {
        let billed = l.billed_amount.unwrap_or_default();
        let diff = l.difference.unwrap_or_default();
        // The expected amount of a line nothing was billed for.
        let unbilled = match l.billed_amount {
            None => l.expected_amount,
            Some(_) => Decimal::ZERO,
        };
        let a = match self.accounts.last_mut() {
            Some(a) if a.account_id == l.account_id => a,
            _ => {
                self.accounts.push(AccountTotal {
                    account_id: l.account_id.clone(),
                    ..Default::default()
                });
                let last = self.accounts.len() - 1;
                &mut self.accounts[last]
            }
        };
        a.lines += 1;
        a.expected += l.expected_amount;
        a.billed += billed;
        a.difference += diff;
        if l.status == LineStatus::Mismatch {
            a.mismatches += 1;
        }
        if let Some(p) = slot(&mut self.products, &l.product, || ProductTotal {
            product: l.product.clone(),
            ..Default::default()
        }) {
            p.lines += 1;
            p.expected += l.expected_amount;
            p.billed += billed;
            p.unbilled += unbilled;
            p.difference += diff;
        }
        report.line_count += 1;
        report.total_expected += l.expected_amount;
        report.total_billed += billed;
        report.total_unbilled += unbilled;
        report.total_difference += diff;
        match l.status {
            LineStatus::Mismatch => report.mismatches += 1,
            LineStatus::Unbilled => report.unbilled += 1,
            LineStatus::Ok => {}
        }
    }

    /// Adds each account's exception count (an account with exceptions only gets a row of
    /// its own) and stores the totals in the report.
    fn finish(self, report: &mut Report, exc_per_account: &HashMap<String, usize>) {
        let Totals {
            mut accounts,
            products,
        } = self;
        debug_assert!(accounts.is_sorted_by(|a, b| a.account_id < b.account_id));
        let mut only_exceptions = Vec::new();
        for (id, n) in exc_per_account {
            if id.is_empty() {
                continue;
            }
            match accounts.binary_search_by(|a| a.account_id.as_str().cmp(id)) {
                Ok(i) => accounts[i].exceptions = *n,
                Err(_) => only_exceptions.push(AccountTotal {
                    account_id: id.clone(),
                    exceptions: *n,
                    ..Default::default()
                }),
            }
        }
        accounts.extend(only_exceptions);
        accounts.sort_by(|a, b| a.account_id.cmp(&b.account_id));
        report.accounts = accounts;
        report.products = products.into_values().collect();
    }
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
