//! The run's core, in the order the data flows: `group` the rows by account, the `pipeline`
//! hands batches of accounts to `replay` (each account's events in the order of SPEC 4,
//! accounts in parallel with rayon) and merges the results in a stable order into `totals`.
//! No I/O: rows in, a `Report` out (a progress bar, when given, is told of each account).
//! The rules themselves are in `crate::rules`; the engine sequences events and applies
//! what the rules decide.

mod group;
mod pipeline;
mod replay;
mod totals;

pub use replay::AccountResult;

use crate::catalog::Catalog;
use crate::model::{OrderRow, RowException, UsageRow};
use crate::progress::Progress;
use crate::report::{Line, Report, RunFacts};
use chrono::NaiveDate;
use rust_decimal::Decimal;

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
    pipeline::run_batched(
        ctx,
        rows,
        usage,
        exceptions,
        facts,
        pipeline::BATCH_ROWS,
        sink,
    )
}

#[cfg(test)]
use pipeline::run_batched;

#[cfg(test)]
mod tests;
