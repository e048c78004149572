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
    AccountTotal, Decision, Line, LineStatus, ProductTotal, RefundCalc, RefundTotal, Report,
    Revenue, RevenueRow, RevenueTotal, RunFacts,
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

/// Order and usage rows an account batch holds, about: enough that the pool seldom waits at
/// a batch's end, few enough that the batches in flight (about 5) are a small part of a
/// large run's memory (about 250 MB of 1.3 GB on the 3M-row benchmark).
const BATCH_ROWS: usize = 100_000;

/// Batches of lines in flight between the replay and the sink.
const BATCHES_IN_FLIGHT: usize = 2;

/// Prices every order row, draws usage on packs and decides refunds. `exceptions` are the
/// readers' row exceptions, carried into the report; `facts` arrive with the input counts
/// filled in. The report holds every line.
pub fn run(
    ctx: &Ctx,
    rows: Vec<OrderRow>,
    usage: Vec<UsageRow>,
    exceptions: Vec<RowException>,
    facts: RunFacts,
) -> Report {
    let mut lines = Vec::new();
    let collect = |batch: Vec<Line>| {
        lines.extend(batch);
        Ok::<(), std::convert::Infallible>(())
    };
    match run_streaming(ctx, rows, usage, exceptions, facts, collect) {
        Ok(mut report) => {
            report.lines = lines;
            report
        }
        Err(never) => match never {},
    }
}

/// Like [`run`], but the lines are handed to `sink` in report order, a batch of accounts at
/// a time, while the next batch is priced; the report's `lines` stay empty (`line_count`
/// counts them). A large run's lines are then never all in memory. The first error of
/// `sink` stops the replay and is returned.
pub fn run_streaming<E: Send>(
    ctx: &Ctx,
    rows: Vec<OrderRow>,
    usage: Vec<UsageRow>,
    exceptions: Vec<RowException>,
    facts: RunFacts,
    sink: impl FnMut(Vec<Line>) -> Result<(), E> + Send,
) -> Result<Report, E> {
    run_batched(ctx, rows, usage, exceptions, facts, BATCH_ROWS, sink)
}

/// [`run_streaming`] with batches of about `batch_rows` rows (tests use tiny ones).
fn run_batched<E: Send>(
    ctx: &Ctx,
    rows: Vec<OrderRow>,
    usage: Vec<UsageRow>,
    exceptions: Vec<RowException>,
    facts: RunFacts,
    batch_rows: usize,
    mut sink: impl FnMut(Vec<Line>) -> Result<(), E> + Send,
) -> Result<Report, E> {
    let batches = batches(group(rows, usage), batch_rows);
    if let Some(p) = ctx.progress {
        p.stage(
            "pricing accounts",
            batches.iter().map(Vec::len).sum::<usize>() as u64,
        );
    }
    let mut merge = Merge::new(exceptions, facts);
    // This thread replays the batches (each over the rayon pool, in account order) and
    // merges them; a second thread hands each batch's lines to the sink meanwhile.
    std::thread::scope(|s| {
        let (tx, rx) = std::sync::mpsc::sync_channel::<Vec<Line>>(BATCHES_IN_FLIGHT);
        let writer = s.spawn(move || {
            for batch in rx {
                sink(batch)?;
            }
            Ok(())
        });
        // While the pool replays one batch, this thread merges the one before and hands its
        // lines on, so the serial merge costs no pricing time.
        let replay = |batch: Vec<(String, AccountRows)>| -> Vec<AccountResult> {
            batch
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
                .collect()
        };
        // A closed channel means the sink failed: its error is returned below.
        let mut hand_on = |results: Vec<AccountResult>| tx.send(merge.add(results)).is_ok();
        let mut pending: Option<Vec<AccountResult>> = None;
        for batch in batches {
            let (open, results) =
                rayon::join(|| pending.take().is_none_or(&mut hand_on), || replay(batch));
            if !open {
                pending = None;
                break;
            }
            pending = Some(results);
        }
        if let Some(results) = pending {
            hand_on(results);
        }
        drop(tx);
        match writer.join() {
            Ok(result) => result,
            Err(panic) => std::panic::resume_unwind(panic),
        }
    })?;
    Ok(merge.finish(ctx))
}

/// Rows by account, in account order.
fn group(rows: Vec<OrderRow>, usage: Vec<UsageRow>) -> Vec<(String, AccountRows)> {
    // No copy of the account id per row: only the first row of an account clones it.
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
    groups
}

/// Consecutive accounts cut into batches of at least `batch_rows` rows (but the last; an
/// account is never split).
fn batches(
    groups: Vec<(String, AccountRows)>,
    batch_rows: usize,
) -> Vec<Vec<(String, AccountRows)>> {
    let mut out = Vec::new();
    let mut batch = Vec::new();
    let mut rows = 0;
    for g in groups {
        rows += g.1.0.len() + g.1.1.len();
        batch.push(g);
        if rows >= batch_rows {
            out.push(std::mem::take(&mut batch));
            rows = 0;
        }
    }
    if !batch.is_empty() {
        out.push(batch);
    }
    out
}

/// The report as the accounts' results arrive, in account order: everything but the lines
/// is kept; the lines are counted and totalled, then passed on.
struct Merge {
    report: Report,
    exceptions: Vec<RowException>,
    revenue_lines: Vec<RevenueRow>,
    exc_per_account: HashMap<String, usize>,
    totals: Totals,
}

impl Merge {
    fn new(exceptions: Vec<RowException>, facts: RunFacts) -> Merge {
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
    fn add(&mut self, results: Vec<AccountResult>) -> Vec<Line> {
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
            let offset = report.refund_packs.len();
            report.refunds.extend(r.refunds.into_iter().map(|mut x| {
                if let RefundCalc::Packs { first, .. } = &mut x.calc {
                    *first += offset;
                }
                x
            }));
            report.refund_packs.extend(r.refund_packs);
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

    fn finish(self, ctx: &Ctx) -> Report {
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
            p.difference += diff;
        }
        report.line_count += 1;
        report.total_expected += l.expected_amount;
        report.total_billed += billed;
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

#[cfg(test)]
mod tests;
