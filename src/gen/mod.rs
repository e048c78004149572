//! `billrun gen` (SPEC 7): deterministic synthetic order and usage exports of any size, for
//! tests and the benchmark.
//!
//! The same options give byte-identical files: every random choice comes from SplitMix64
//! streams derived from `--seed` ([`rng`]), never from the clock or the `rand` crate. Rows are
//! streamed to the writers as each account's story unfolds ([`account`]); only one account's
//! state is held at a time, so memory stays flat for any number of rows.
//!
//! What the files hold (see docs/PERFORMANCE.md and the `gen` help):
//! - exactly `orders` order rows over `accounts` accounts (sizes vary around the mean), in
//!   the columns of samples/orders-2025.csv plus `region`, `ref_order_id`, `reason`,
//!   `invoiced`; dates from 2024-01-01, mostly up to 2025-12-31;
//! - every SKU of the built-in catalog and every event: new purchases, add-ons, renewals
//!   (mostly in time, some within grace, a few after it), Quick Audience upgrades and
//!   features with their requirements met, SSC purchases with the four mandatory items,
//!   CDP covers and boosters, PV and session packs with bonuses, one-time items, refund
//!   requests inside and outside their windows; `billed_amount` is mostly the price the
//!   rules give (some lines unbilled or a little off);
//! - exactly `usage` usage rows drawn on the accounts' packs, some running them LOW, some
//!   overdrawn;
//! - a `bad_share` of the rows of each file deliberately bad, spread evenly.

mod account;
mod bad;
mod family;
mod prices;
mod rng;
mod row;
mod sink;

#[cfg(test)]
mod tests;

pub use account::{window_end, window_start};
pub use rng::SplitMix64;
pub use sink::FileFormat;

use crate::output::OutputError;
use account::{Account, Out};
use bad::Spread;
use prices::Prices;
use row::{ORDER_COLUMNS, OrderLine, USAGE_COLUMNS, UsageLine};
use sink::Sink;
use std::path::{Path, PathBuf};

/// Name stems of the files written: `orders-gen.csv`, `usage-gen.csv` (the `orders` and
/// `usage` prefixes are what `billrun run DIR` looks for).
pub const ORDERS_STEM: &str = "orders-gen";
pub const USAGE_STEM: &str = "usage-gen";

/// What to generate.
#[derive(Debug, Clone, PartialEq)]
pub struct Options {
    /// Order rows, exactly.
    pub orders: u64,
    /// Accounts the rows are spread over (default `max(1, orders / 20)`).
    pub accounts: Option<u64>,
    /// Usage rows, exactly (0: no usage file).
    pub usage: u64,
    pub seed: u64,
    pub format: FileFormat,
    /// Share of rows (0 to 1) made deliberately bad.
    pub bad_share: f64,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            orders: 0,
            accounts: None,
            usage: 0,
            seed: 1,
            format: FileFormat::Csv,
            bad_share: 0.01,
        }
    }
}

impl Options {
    pub fn account_count(&self) -> u64 {
        self.accounts.unwrap_or(self.orders / 20).max(1)
    }
}

/// What was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Summary {
    pub accounts: u64,
    pub orders: u64,
    pub bad_orders: u64,
    pub usage: u64,
    pub bad_usage: u64,
    pub files: Vec<PathBuf>,
}

/// Why `gen` stopped.
#[derive(Debug, thiserror::Error)]
pub enum GenError {
    #[error("{}: cannot write: {message}", path.display())]
    Write { path: PathBuf, message: String },
    #[error("{0}")]
    BadOption(String),
}

/// The atomic writer's failures (a temporary name, the sync, the rename) in gen's words,
/// `<file>: cannot write: <cause>`, as gen wrote them before it used that writer.
impl From<OutputError> for GenError {
    fn from(e: OutputError) -> GenError {
        let (path, message) = match e {
            OutputError::Io { path, source, .. } => (path, source.to_string()),
            OutputError::Sheet { path, source, .. }
            | OutputError::Workbook { path, source, .. } => (path, source.to_string()),
            OutputError::Spool { path, message } => (path, message),
            OutputError::Busy { ref dir, .. } => (dir.clone(), e.to_string()),
        };
        GenError::Write { path, message }
    }
}

/// Streams rows to the writers, numbers orders, and spoils the rows the spread marks bad.
struct Emitter {
    seed: u64,
    orders: Box<dyn Sink>,
    usage: Option<Box<dyn Sink>>,
    spread: Spread,
    order_rows: u64,
    usage_rows: u64,
    bad_orders: u64,
    bad_usage: u64,
    next_order: u64,
}

/// Streams of `SplitMix64::derive`: one per purpose, so adding a choice in one place does
/// not shift every other.
const STREAM_ACCOUNT: u64 = 1;
const STREAM_SIZES: u64 = 2;
const STREAM_BAD_ORDER: u64 = 3;
const STREAM_BAD_USAGE: u64 = 4;

impl Out for Emitter {
    fn order_id(&mut self, prefix: &str) -> String {
        self.next_order += 1;
        format!("{prefix}{:09}", self.next_order)
    }

    fn orders(&mut self, lines: &[OrderLine]) -> Result<Vec<bool>, GenError> {
        let mut bad = Vec::with_capacity(lines.len());
        for l in lines {
            let mut cells = l.values();
            let is_bad = self.spread.is_bad(self.order_rows);
            if is_bad {
                let mut rng = SplitMix64::derive(self.seed, STREAM_BAD_ORDER, self.order_rows);
                bad::spoil_order(l, &mut cells, &mut rng);
                self.bad_orders += 1;
            }
            self.orders.row(&cells)?;
            self.order_rows += 1;
            bad.push(is_bad);
        }
        Ok(bad)
    }

    fn usage(&mut self, line: &UsageLine) -> Result<(), GenError> {
        let Some(sink) = self.usage.as_mut() else {
            return Ok(());
        };
        let mut cells = line.values();
        if self.spread.is_bad(self.usage_rows) {
            let mut rng = SplitMix64::derive(self.seed, STREAM_BAD_USAGE, self.usage_rows);
            bad::spoil_usage(&mut cells, &mut rng);
            self.bad_usage += 1;
        }
        sink.row(&cells)?;
        self.usage_rows += 1;
        Ok(())
    }
}

/// Splits `total` over `n` parts that vary around the mean yet add up exactly: parts pair
/// up, one taking what the other gives up; the remainder goes one each to the first parts.
pub fn share(total: u64, n: u64, i: u64, seed: u64, stream: u64) -> u64 {
    let base = total / n;
    let extra = u64::from(i < total % n);
    let pair = i / 2;
    let v = if n % 2 == 1 && i == n - 1 {
        0
    } else {
        SplitMix64::derive(seed, stream, pair).below(base / 2 + 1)
    };
    if i.is_multiple_of(2) {
        base + v + extra
    } else {
        base - v + extra
    }
}

/// Writes the exports of `opts` into `dir` (created if missing).
///
/// # Errors
/// [`GenError::BadOption`] for a share outside 0..=1; [`GenError::Write`] naming the file
/// that could not be written.
///
/// # Examples
///
/// ```no_run
/// use billrun::r#gen::{Options, generate};
///
/// let opts = Options { orders: 2_000, usage: 4_000, ..Options::default() };
/// let summary = generate(&opts, std::path::Path::new("target/gen"))?;
/// assert_eq!(summary.orders, 2_000);
/// # Ok::<(), billrun::r#gen::GenError>(())
/// ```
pub fn generate(opts: &Options, dir: &Path) -> Result<Summary, GenError> {
    if !(0.0..=1.0).contains(&opts.bad_share) {
        return Err(GenError::BadOption(format!(
            "--bad-share {} is not a share from 0 to 1",
            opts.bad_share
        )));
    }
    std::fs::create_dir_all(dir).map_err(|e| GenError::Write {
        path: dir.to_path_buf(),
        message: format!("cannot create the folder: {e}"),
    })?;
    let catalog = crate::catalog::Catalog::builtin();
    let prices = Prices::new(&catalog);
    let orders = sink::open(dir, ORDERS_STEM, opts.format, &ORDER_COLUMNS)?;
    let usage = match opts.usage {
        0 => None,
        _ => Some(sink::open(dir, USAGE_STEM, opts.format, &USAGE_COLUMNS)?),
    };
    let mut out = Emitter {
        seed: opts.seed,
        orders,
        usage,
        spread: Spread::new(opts.bad_share),
        order_rows: 0,
        usage_rows: 0,
        bad_orders: 0,
        bad_usage: 0,
        next_order: 0,
    };
    let accounts = opts.account_count();
    let width = accounts.to_string().len().max(6);
    for i in 0..accounts {
        let n_orders = share(opts.orders, accounts, i, opts.seed, STREAM_SIZES);
        let n_usage = share(opts.usage, accounts, i, opts.seed, STREAM_SIZES + 100);
        if n_orders == 0 && n_usage == 0 {
            continue;
        }
        let rng = SplitMix64::derive(opts.seed, STREAM_ACCOUNT, i);
        let id = format!("ACCT-{:0width$}", i + 1);
        Account::new(&prices, rng, id, n_orders, n_usage).generate(&mut out)?;
    }
    let Emitter {
        orders,
        usage,
        order_rows,
        usage_rows,
        bad_orders,
        bad_usage,
        ..
    } = out;
    let mut files = orders.finish()?;
    if let Some(u) = usage {
        files.extend(u.finish()?);
    }
    Ok(Summary {
        accounts,
        orders: order_rows,
        bad_orders,
        usage: usage_rows,
        bad_usage,
        files,
    })
}
