//! The one place inputs are found and read: positional files and directories, --orders, the
//! catalog; then the engine prices them. Shared by `run` and `check`.

use super::Failure;
use crate::catalog::Catalog;
use crate::cli::InputArgs;
use crate::engine::{self, Ctx};
use crate::input;
use crate::report::{Report, RunFacts};
use std::path::{Path, PathBuf};

/// Order files named by the arguments, in a stable order: positional inputs first (a
/// directory's `orders*.csv|xlsx` sorted by name), then each --orders.
pub fn order_files(args: &InputArgs) -> Result<Vec<PathBuf>, Failure> {
    let mut files = Vec::new();
    for p in &args.inputs {
        if p.is_dir() {
            let mut found: Vec<PathBuf> = std::fs::read_dir(p)
                .map_err(|e| {
                    Failure::Fatal(format!("{}: cannot list the folder: {e}", p.display()))
                })?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|f| f.is_file() && is_orders_file(f))
                .collect();
            found.sort();
            if found.is_empty() {
                return Err(Failure::Fatal(format!(
                    "{}: no orders*.csv or orders*.xlsx file in this folder",
                    p.display()
                )));
            }
            files.extend(found);
        } else if p.exists() {
            files.push(p.clone());
        } else {
            return Err(Failure::Fatal(format!(
                "{}: no such file or folder",
                p.display()
            )));
        }
    }
    files.extend(args.orders.iter().cloned());
    if files.is_empty() {
        return Err(Failure::Fatal(
            "no input: name a folder of exports (e.g. `billrun run samples`) or --orders FILE"
                .into(),
        ));
    }
    Ok(files)
}

fn is_orders_file(p: &Path) -> bool {
    let name = p
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("")
        .to_lowercase();
    name.starts_with("orders") && (name.ends_with(".csv") || name.ends_with(".xlsx"))
}

/// Reads every input and prices it.
pub fn price(args: &InputArgs) -> Result<Report, Failure> {
    let catalog = Catalog::load(args.catalog.as_deref())?;
    let files = order_files(args)?;
    let mut rows = Vec::new();
    let mut exceptions = Vec::new();
    let mut facts = RunFacts {
        catalog: catalog.source.clone(),
        tolerance: args.tolerance,
        ..Default::default()
    };
    for f in &files {
        let read = input::read_orders(f, args.sheet.as_deref(), rows.len() + exceptions.len())?;
        facts.inputs.push(f.display().to_string());
        facts.rows_read += read.rows_read;
        facts.blank_rows += read.blank_rows;
        for c in read.unknown_columns {
            if !facts.unknown_columns.contains(&c) {
                facts.unknown_columns.push(c);
            }
        }
        rows.extend(read.rows);
        exceptions.extend(read.exceptions);
    }
    let as_of = args
        .as_of
        .unwrap_or_else(|| chrono::Local::now().date_naive());
    facts.as_of = Some(as_of);
    facts.period = args
        .period
        .map(|(from, _)| from.format("%Y-%m").to_string());
    let ctx = Ctx {
        catalog: &catalog,
        as_of,
        period: args.period,
        tolerance: args.tolerance,
    };
    let price = || engine::run(&ctx, rows, exceptions, facts);
    let report = match args.threads {
        Some(n) => rayon::ThreadPoolBuilder::new()
            .num_threads(n.max(1))
            .build()
            .map_err(|e| Failure::Fatal(format!("cannot start {n} threads: {e}")))?
            .install(price),
        None => price(),
    };
    self_check(&report)?;
    Ok(report)
}

/// Every row read must be in exactly one place; a failure here is a bug, reported as such
/// (exit 2) rather than a silently wrong workbook.
fn self_check(r: &Report) -> Result<(), Failure> {
    let placed = r.lines.len() + r.exceptions.len() + r.facts.rows_outside_period;
    if placed != r.facts.rows_read {
        return Err(Failure::Fatal(format!(
            "internal check failed: {} rows read but {} placed ({} lines, {} exceptions, {} outside the period); \
             nothing was written. Please report this as a bug with the inputs.",
            r.facts.rows_read,
            placed,
            r.lines.len(),
            r.exceptions.len(),
            r.facts.rows_outside_period
        )));
    }
    Ok(())
}
