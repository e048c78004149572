//! The one place inputs are found and read: positional files and directories, --orders,
//! --usage, the catalog; then the engine prices them. Shared by `run` and `check`.

use super::Failure;
use crate::catalog::Catalog;
use crate::cli::InputArgs;
use crate::engine::{self, Ctx};
use crate::input;
use crate::model::{OrderRow, RowException, UsageRow};
use crate::progress::Progress;
use crate::report::{Line, Report, RunFacts};
use std::path::{Path, PathBuf};

/// The input files named by the arguments, in a stable order: positional inputs first (a
/// directory's `orders*` and `usage*` files sorted by name), then each --orders / --usage.
#[derive(Debug, Default)]
pub struct Files {
    pub orders: Vec<PathBuf>,
    pub usage: Vec<PathBuf>,
}

pub fn input_files(args: &InputArgs) -> Result<Files, Failure> {
    let mut files = Files::default();
    for p in &args.inputs {
        if p.is_dir() {
            let mut found: Vec<PathBuf> = std::fs::read_dir(p)
                .map_err(|e| {
                    Failure::Fatal(format!("{}: cannot list the folder: {e}", p.display()))
                })?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|f| f.is_file())
                .collect();
            found.sort();
            let before = (files.orders.len(), files.usage.len());
            for f in found {
                match kind_of(&f) {
                    Some(Kind::Orders) => files.orders.push(f),
                    Some(Kind::Usage) => files.usage.push(f),
                    None => {}
                }
            }
            if before == (files.orders.len(), files.usage.len()) {
                return Err(Failure::Fatal(format!(
                    "{}: no orders*.csv|xlsx or usage*.csv|xlsx file in this folder",
                    p.display()
                )));
            }
        } else if p.exists() {
            match name_of(p).starts_with("usage") {
                true => files.usage.push(p.clone()),
                false => files.orders.push(p.clone()),
            }
        } else {
            return Err(Failure::Fatal(format!(
                "{}: no such file or folder",
                p.display()
            )));
        }
    }
    files.orders.extend(args.orders.iter().cloned());
    files.usage.extend(args.usage.iter().cloned());
    if files.orders.is_empty() && files.usage.is_empty() {
        return Err(Failure::Fatal(
            "no input: name a folder of exports (e.g. `billrun run samples`), --orders FILE or --usage FILE"
                .into(),
        ));
    }
    Ok(files)
}

enum Kind {
    Orders,
    Usage,
}

fn name_of(p: &Path) -> String {
    p.file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("")
        .to_lowercase()
}

/// What a file found in a folder holds, by its name: `orders*` or `usage*`, .csv or .xlsx.
fn kind_of(p: &Path) -> Option<Kind> {
    let name = name_of(p);
    if !(name.ends_with(".csv") || name.ends_with(".xlsx")) {
        return None;
    }
    if name.starts_with("orders") {
        Some(Kind::Orders)
    } else if name.starts_with("usage") {
        Some(Kind::Usage)
    } else {
        None
    }
}

/// Adds one file's counts to the run facts.
fn count<R>(facts: &mut RunFacts, f: &Path, read: &input::ReadOutcome<R>) {
    facts.inputs.push(f.display().to_string());
    facts.rows_read += read.rows_read;
    facts.blank_rows += read.blank_rows;
    for c in &read.unknown_columns {
        if !facts.unknown_columns.contains(c) {
            facts.unknown_columns.push(c.clone());
        }
    }
}

/// Refuses to write over an input: `names` are the files a command is about to write in
/// `out`. An output folder that also holds the inputs is fine; an output file that *is* an
/// input file (or the catalog) stops the command with exit 2 before anything is written.
/// So does an output name taken by a folder: its rename would fail only after the other
/// outputs were renamed into place, leaving a mixed set.
pub fn guard_outputs(args: &InputArgs, out: &Path, names: &[&str]) -> Result<(), Failure> {
    let files = input_files(args)?;
    let inputs: Vec<&PathBuf> = files
        .orders
        .iter()
        .chain(&files.usage)
        .chain(args.catalog.as_ref())
        .collect();
    for name in names {
        let target = out.join(name);
        // A file that does not exist yet cannot be an input.
        let Ok(real) = target.canonicalize() else {
            continue;
        };
        if real.is_dir() {
            return Err(Failure::Fatal(format!(
                "{}: this output is a folder; billrun writes a file there. Move the folder or choose another --out folder.",
                target.display()
            )));
        }
        if let Some(input) = inputs
            .iter()
            .find(|i| i.canonicalize().is_ok_and(|i| i == real))
        {
            return Err(Failure::Fatal(format!(
                "{}: this output file is also an input ({}); billrun never overwrites an input. Choose another --out folder or rename the input.",
                target.display(),
                input.display()
            )));
        }
    }
    Ok(())
}

/// Creates the output folder and clears what an earlier, killed run left in it: the
/// temporary files beside `names` (see [`crate::output::remove_stale`]).
pub fn prepare_out(out: &Path, names: &[&str]) -> Result<(), Failure> {
    std::fs::create_dir_all(out).map_err(|e| {
        Failure::Fatal(format!(
            "{}: cannot create the output folder: {e}",
            out.display()
        ))
    })?;
    crate::output::remove_stale(out, names);
    Ok(())
}

/// What the input files hold, read once (`reprice` prices it under two catalogs).
#[derive(Debug, Clone)]
pub struct Inputs {
    pub rows: Vec<OrderRow>,
    pub usage: Vec<UsageRow>,
    pub exceptions: Vec<RowException>,
    pub facts: RunFacts,
}

/// Reads every input file named by the arguments.
pub fn read(args: &InputArgs, progress: &Progress) -> Result<Inputs, Failure> {
    let files = input_files(args)?;
    progress.stage(
        "reading inputs",
        (files.orders.len() + files.usage.len()) as u64,
    );
    let mut inputs = Inputs {
        rows: Vec::new(),
        usage: Vec::new(),
        exceptions: Vec::new(),
        facts: RunFacts {
            tolerance: args.tolerance,
            alert_below: args.alert_below,
            as_of: Some(
                args.as_of
                    .unwrap_or_else(|| chrono::Local::now().date_naive()),
            ),
            period: args
                .period
                .map(|(from, _)| from.format("%Y-%m").to_string()),
            ..Default::default()
        },
    };
    // Order and usage files are read side by side, on two threads; each kind numbers its
    // rows from 0 and the usage rows then move past the order rows, as if read after them.
    let sheet = args.sheet.as_deref();
    let (orders, usage) = std::thread::scope(|s| {
        let usage = s.spawn(|| {
            read_all(&files.usage, progress, |f, at| {
                input::read_usage(f, sheet, at)
            })
        });
        let orders = read_all(&files.orders, progress, |f, at| {
            input::read_orders(f, sheet, at)
        });
        match usage.join() {
            Ok(usage) => (orders, usage),
            Err(panic) => std::panic::resume_unwind(panic),
        }
    });
    let mut orders_read = 0;
    for (f, read) in orders? {
        orders_read += read.rows_read;
        count(&mut inputs.facts, f, &read);
        append(&mut inputs.rows, read.rows);
        inputs.exceptions.extend(read.exceptions);
    }
    // An order in two files is two copies of it: counted once if identical, set aside if
    // they differ. Before sharding, so every shard sees the same decision.
    let (rows, copies) = input::resolve(std::mem::take(&mut inputs.rows));
    inputs.rows = rows;
    inputs.exceptions.extend(copies);
    for (f, mut read) in usage? {
        for u in &mut read.rows {
            u.position += orders_read;
        }
        count(&mut inputs.facts, f, &read);
        append(&mut inputs.usage, read.rows);
        inputs.exceptions.extend(read.exceptions);
    }
    Ok(inputs)
}

/// Reads `files` in order, numbering their rows from 0 across them.
fn read_all<'f, R>(
    files: &'f [PathBuf],
    progress: &Progress,
    read: impl Fn(&Path, usize) -> Result<input::ReadOutcome<R>, input::InputError>,
) -> Result<Vec<(&'f Path, input::ReadOutcome<R>)>, Failure> {
    let mut out = Vec::with_capacity(files.len());
    let mut position = 0;
    for f in files {
        let r = read(f, position)?;
        position += r.rows_read;
        progress.inc(1);
        out.push((f.as_path(), r));
    }
    Ok(out)
}

/// Appends `more` to `all`, taking its buffer when `all` is empty: a single large file is not
/// copied (a million rows would otherwise briefly be held twice).
fn append<T>(all: &mut Vec<T>, more: Vec<T>) {
    if all.is_empty() {
        *all = more;
    } else {
        all.extend(more);
    }
}

/// Reads every input and prices it under the arguments' catalog.
pub fn price(args: &InputArgs, progress: &Progress) -> Result<Report, Failure> {
    let catalog = Catalog::load(args.catalog.as_deref())?;
    price_with(args, &catalog, read(args, progress)?, progress)
}

/// Prices what was read under `catalog`, then checks that every row is in one place. The
/// report holds every line.
pub fn price_with(
    args: &InputArgs,
    catalog: &Catalog,
    inputs: Inputs,
    progress: &Progress,
) -> Result<Report, Failure> {
    let mut lines = Vec::new();
    let collect = |batch: Vec<Line>| {
        lines.extend(batch);
        Ok::<(), Failure>(())
    };
    let mut report = price_streamed(args, catalog, inputs, progress, collect)?;
    report.lines = lines;
    Ok(report)
}

/// Like [`price_with`], but the lines go to `sink` in report order, a batch of accounts at
/// a time while the next is priced (`engine::run_streaming`); the report keeps only their
/// count and totals. The check that every row is in one place runs after the last batch,
/// so a caller that writes the lines must not publish them before this returns `Ok`.
pub fn price_streamed<E: Send + Into<Failure>>(
    args: &InputArgs,
    catalog: &Catalog,
    inputs: Inputs,
    progress: &Progress,
    sink: impl FnMut(Vec<Line>) -> Result<(), E> + Send,
) -> Result<Report, Failure> {
    let Inputs {
        mut rows,
        mut usage,
        mut exceptions,
        mut facts,
    } = inputs;
    facts.catalog = catalog.source.clone();
    if let Some(shard) = args.shard {
        // Rows without an account (their cell was bad) go to shard 1, so the union of the
        // shards holds each exactly once.
        let owns = |account: &str| {
            if account.is_empty() {
                shard.index == 1
            } else {
                shard.owns(account)
            }
        };
        let before = rows.len() + usage.len() + exceptions.len();
        rows.retain(|r| owns(&r.account_id));
        usage.retain(|u| owns(&u.account_id));
        exceptions.retain(|e| owns(&e.account_id));
        facts.rows_other_shards = before - rows.len() - usage.len() - exceptions.len();
        facts.shard = Some(shard.to_string());
    }
    let ctx = Ctx {
        catalog,
        as_of: facts.as_of.unwrap_or_default(),
        period: args.period,
        tolerance: args.tolerance,
        alert_below: args.alert_below,
        progress: Some(progress),
    };
    let price = || engine::run_streaming(&ctx, rows, usage, exceptions, facts, sink);
    let report = match args.threads {
        Some(n) => rayon::ThreadPoolBuilder::new()
            .num_threads(n.max(1))
            .build()
            .map_err(|e| Failure::Fatal(format!("cannot start {n} threads: {e}")))?
            .install(price),
        None => price(),
    }
    .map_err(Into::into)?;
    self_check(&report)?;
    Ok(report)
}

/// Every row read must be in exactly one place; a failure here is a bug, reported as such
/// (exit 2) rather than a silently wrong workbook.
fn self_check(r: &Report) -> Result<(), Failure> {
    let f = &r.facts;
    let placed = r.accounted_rows();
    if placed != f.rows_read {
        return Err(Failure::Fatal(format!(
            "internal check failed: {} rows read but {} placed ({} lines, {} refund requests, {} usage rows, {} exceptions, {} outside the period); \
             nothing was written. Please report this as a bug with the inputs.",
            f.rows_read,
            placed,
            r.line_count,
            f.refunds,
            f.usage_rows,
            r.exceptions.len(),
            f.rows_outside_period
        )));
    }
    Ok(())
}
