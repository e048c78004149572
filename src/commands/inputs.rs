//! The one place inputs are found and read: positional files and directories, --orders,
//! --usage, the catalog; then the engine prices them. Also the checks on `--out` made before
//! anything is read. Shared by `run`, `check` and `reprice`.

use super::Failure;
use crate::catalog::Catalog;
use crate::commands::cli::InputArgs;
use crate::engine::{self, Ctx};
use crate::input::{self, Aliases, InputError, Kind, Table};
use crate::model::{OrderRow, RowException, UsageRow};
use crate::progress::Progress;
use crate::report::{Line, Report, RunFacts};
use std::path::{Path, PathBuf};

/// The tables the arguments name, in a stable order: positional inputs first (a folder's
/// exports sorted by name), then each --orders / --usage; and the files of a folder that
/// hold no table, with the reason.
#[derive(Debug, Default)]
pub struct Files {
    pub orders: Vec<Table>,
    pub usage: Vec<Table>,
    /// `file: why it was not read`, for the summaries.
    pub skipped: Vec<String>,
}

/// The extensions a folder's exports may have; the format itself is told by the bytes.
const EXPORT_EXTENSIONS: &[&str] = &["csv", "xlsx", "xlsm", "xls", "xlsb", "ods"];

/// billrun's own output names: a folder used as both input and --out holds them, and
/// they are reports, not exports.
const OWN_OUTPUTS: &[&str] = &[
    "invoices.xlsx",
    "refunds.xlsx",
    "reprice.xlsx",
    "lines.csv",
    "refunds.csv",
    "exceptions.csv",
    "packs.csv",
];

pub fn input_files(args: &InputArgs, aliases: &Aliases) -> Result<Files, Failure> {
    let mut files = Files::default();
    let sheet = args.sheet.as_deref();
    let both = [Kind::Orders, Kind::Usage];
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
            let before = files.orders.len() + files.usage.len();
            for f in found {
                let name = name_of(&f);
                // Hidden files and Excel's lock files (`~$orders.xlsx`) are no exports.
                if name.starts_with('.') || name.starts_with("~$") {
                    continue;
                }
                let ext = f
                    .extension()
                    .map(|e| e.to_string_lossy().to_ascii_lowercase())
                    .unwrap_or_default();
                if !EXPORT_EXTENSIONS.contains(&ext.as_str()) {
                    continue;
                }
                if OWN_OUTPUTS.contains(&name.as_str()) {
                    files.skipped.push(format!(
                        "{}: a billrun output name, not read as an export (rename it if it is one)",
                        f.display()
                    ));
                    continue;
                }
                match input::find(&f, &both, sheet, aliases) {
                    Ok(tables) => add(&mut files, tables),
                    Err(e @ (InputError::NoTable { .. } | InputError::NotAnExport { .. })) => {
                        files.skipped.push(skip_reason(&e))
                    }
                    Err(e) => return Err(e.into()),
                }
            }
            if before == files.orders.len() + files.usage.len() {
                let mut msg = format!(
                    "{}: no orders or usage export in this folder (.csv, .xlsx, .xlsm, .xls, .xlsb or .ods with a header row naming the required columns)",
                    p.display()
                );
                for s in &files.skipped {
                    msg.push_str(&format!("\n  skipped {s}"));
                }
                return Err(Failure::Fatal(msg));
            }
        } else if p.exists() {
            add(&mut files, input::find(p, &both, sheet, aliases)?);
        } else {
            return Err(Failure::Fatal(format!(
                "{}: no such file or folder",
                p.display()
            )));
        }
    }
    for f in &args.orders {
        add(&mut files, input::find(f, &[Kind::Orders], sheet, aliases)?);
    }
    for f in &args.usage {
        add(&mut files, input::find(f, &[Kind::Usage], sheet, aliases)?);
    }
    if files.orders.is_empty() && files.usage.is_empty() {
        return Err(Failure::Fatal(
            "no input: name a folder of exports (e.g. `billrun run samples`), --orders FILE or --usage FILE"
                .into(),
        ));
    }
    Ok(files)
}

/// The catalog's `[columns]`: extra headers for the input columns.
///
/// # Errors
/// A `[columns]` key that names no input column (exit 2, as an invalid catalog).
pub fn aliases(catalog: &Catalog) -> Result<Aliases, Failure> {
    Aliases::new(&catalog.file.columns).map_err(|message| {
        Failure::Fatal(format!(
            "catalog {}: key `columns`: {message}",
            catalog.source
        ))
    })
}

/// Adds found tables, once each: a file named twice (in a folder and by --orders) is one
/// table, not two copies of its orders.
fn add(files: &mut Files, tables: Vec<Table>) {
    for t in tables {
        let list = match t.kind {
            Kind::Orders => &mut files.orders,
            Kind::Usage => &mut files.usage,
        };
        let same = |a: &Table| {
            a.sheet == t.sheet
                && (a.path == t.path
                    || a.path
                        .canonicalize()
                        .ok()
                        .is_some_and(|p| t.path.canonicalize().ok() == Some(p)))
        };
        if !list.iter().any(same) {
            list.push(t);
        }
    }
}

/// A skipped file's line for the summaries: the file and, for a file without a table,
/// what its best header row had and lacked, on one line.
fn skip_reason(e: &InputError) -> String {
    match e {
        InputError::NoTable { file, found, .. } => format!(
            "{file}: no orders or usage header in its first {} rows ({})",
            input::HEADER_SEARCH_ROWS,
            found.join("; ")
        ),
        _ => e.to_string(),
    }
}

fn name_of(p: &Path) -> String {
    p.file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("")
        .to_lowercase()
}

/// Adds one table's counts to the run facts.
fn count<R>(facts: &mut RunFacts, t: &Table, read: &input::ReadOutcome<R>) {
    let name = t.file.to_string();
    if !facts.inputs.contains(&name) {
        facts.inputs.push(name);
    }
    facts
        .tables
        .push(format!("{}: {}, {}", t.file, t.kind.name(), t.describe()));
    facts.rows_read += read.rows_read;
    facts.csv_lines += read.lines.unwrap_or(0);
    facts.blank_rows += read.blank_rows;
    for c in &read.unknown_columns {
        if !facts.unknown_columns.contains(c) {
            facts.unknown_columns.push(c.clone());
        }
    }
}

/// Every file the arguments may read: the files named, every file in a folder named, and
/// the catalog. An output must never be one of them.
pub fn input_paths(args: &InputArgs) -> Vec<PathBuf> {
    let mut inputs: Vec<PathBuf> = args
        .orders
        .iter()
        .chain(&args.usage)
        .chain(args.catalog.as_ref())
        .cloned()
        .collect();
    for p in &args.inputs {
        match p.is_dir() {
            true => inputs.extend(
                std::fs::read_dir(p)
                    .into_iter()
                    .flatten()
                    .filter_map(|e| e.ok().map(|e| e.path())),
            ),
            false => inputs.push(p.clone()),
        }
    }
    inputs
}

/// Refuses to write over an input: `names` are the files a command is about to write in
/// `out`. An output folder that also holds the inputs is fine; an output file that *is* an
/// input file (or the catalog) stops the command with exit 2 before anything is written.
/// So does an output name taken by a folder: its rename would fail only after the other
/// outputs were renamed into place, leaving a mixed set.
pub fn guard_outputs(args: &InputArgs, out: &Path, names: &[&str]) -> Result<(), Failure> {
    let inputs = input_paths(args);
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
pub fn read(args: &InputArgs, aliases: &Aliases, progress: &Progress) -> Result<Inputs, Failure> {
    let files = input_files(args, aliases)?;
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
            skipped: files.skipped.clone(),
            ..Default::default()
        },
    };
    // Order and usage files are read side by side, on two threads; each kind numbers its
    // rows from 0 and the usage rows then move past the order rows, as if read after them.
    // The cross-file pass over the order rows runs on this thread while the usage files are
    // still being read on the other, so it adds no time to a run whose usage is as large.
    let (orders, usage) = std::thread::scope(|s| {
        let usage = s.spawn(|| read_all(&files.usage, progress, input::read_usage_table));
        let orders = read_all(&files.orders, progress, input::read_orders_table)
            .map(|read| merge_orders(&mut inputs.facts, read));
        match usage.join() {
            Ok(usage) => (orders, usage),
            Err(panic) => std::panic::resume_unwind(panic),
        }
    });
    let (rows, exceptions, orders_read) = orders?;
    inputs.rows = rows;
    inputs.exceptions = exceptions;
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

/// The order tables' rows in one list, through the cross-file pass: an order in two files is
/// two copies of it, counted once if identical, set aside if they differ. Before sharding,
/// so every shard sees the same decision. Returns the rows, the exceptions and the rows read.
fn merge_orders(
    facts: &mut RunFacts,
    read: Vec<(&Table, input::OrdersRead)>,
) -> (Vec<OrderRow>, Vec<RowException>, usize) {
    let (mut rows, mut exceptions, mut rows_read) = (Vec::new(), Vec::new(), 0);
    for (t, r) in read {
        rows_read += r.rows_read;
        count(facts, t, &r);
        append(&mut rows, r.rows);
        exceptions.extend(r.exceptions);
    }
    let (rows, copies) = input::resolve(rows);
    exceptions.extend(copies);
    (rows, exceptions, rows_read)
}

/// Reads `files` in order, numbering their rows from 0 across them.
fn read_all<'f, R>(
    tables: &'f [Table],
    progress: &Progress,
    read: impl Fn(&Table, usize) -> Result<input::ReadOutcome<R>, InputError>,
) -> Result<Vec<(&'f Table, input::ReadOutcome<R>)>, Failure> {
    let mut out = Vec::with_capacity(tables.len());
    let mut position = 0;
    for t in tables {
        let r = read(t, position)?;
        position += r.rows_read;
        progress.inc(1);
        out.push((t, r));
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
    let inputs = read(args, &aliases(&catalog)?, progress)?;
    price_with(args, &catalog, inputs, progress)
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
