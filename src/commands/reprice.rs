//! `billrun reprice`: prices the same inputs under a baseline catalog (default: built-in)
//! and a new one, and writes reprice.xlsx with the amount before and after and the delta per
//! line, account and product. A line that is an exception under one catalog is shown with
//! that exception, not dropped.

use super::{Failure, inputs};
use crate::catalog::Catalog;
use crate::commands::cli::RepriceArgs;
use crate::model::{RowException, SourceRef};
use crate::money::fmt_money;
use crate::output::{WriteOptions, write_reprice};
use crate::progress::Progress;
use crate::report::{Line, Report, RepriceLine, RepriceReport, RepriceTotal};
use chrono::NaiveDate;
use std::collections::{BTreeMap, HashMap};

pub fn run(args: &RepriceArgs) -> Result<(), Failure> {
    let Some(new_path) = args.input.catalog.as_deref() else {
        return Err(Failure::Fatal(
            "reprice needs the new catalog: --catalog NEW (e.g. `billrun catalog > new.toml`, edit a price, then --catalog new.toml)".into(),
        ));
    };
    let baseline = Catalog::load(args.baseline.as_deref())?;
    let new = Catalog::load(Some(new_path))?;
    let progress = Progress::new(!args.input.quiet);
    inputs::guard_outputs(&args.input, &args.out, &["reprice.xlsx"])?;
    let read = inputs::read(&args.input, &inputs::aliases(&new)?, &progress)?;
    let old_report = inputs::price_with(&args.input, &baseline, read.clone(), &progress)?;
    let new_report = inputs::price_with(&args.input, &new, read, &progress)?;
    let report = compare(&old_report, new_report, baseline.source.clone());
    inputs::prepare_out(&args.out, &["reprice.xlsx"])?;
    let path = args.out.join("reprice.xlsx");
    let opts = WriteOptions {
        formulas: !args.no_formulas,
        lang: args.lang.into(),
        ..WriteOptions::default()
    };
    progress.stage("writing reprice.xlsx", 0);
    write_reprice(&report, &path, &opts)?;
    progress.finish();
    let t = &report.total;
    if args.input.json {
        let v = serde_json::json!({
            "baseline": report.baseline,
            "catalog": report.catalog,
            "lines": t.lines,
            "changed": t.changed,
            "only_baseline": report.only_old,
            "only_new": report.only_new,
            "old_amount": t.old_amount.to_string(),
            "new_amount": t.new_amount.to_string(),
            "delta": t.delta.to_string(),
            "outputs": [path.display().to_string()],
        });
        println!("{}", serde_json::to_string_pretty(&v).unwrap_or_default());
    }
    if !args.input.quiet {
        eprintln!(
            "repriced {} lines ({} changed): {} → {}, delta {}; {} priced under the baseline only, {} under the new catalog only\nwrote {}",
            t.lines,
            t.changed,
            fmt_money(t.old_amount),
            fmt_money(t.new_amount),
            fmt_money(t.delta),
            report.only_old,
            report.only_new,
            path.display()
        );
    }
    Ok(())
}

/// Pairs the two runs' outcomes of every order row that is a priced line in at least one.
pub fn compare(old: &Report, new: Report, baseline: String) -> RepriceReport {
    let old_lines: HashMap<&SourceRef, &Line> = old.lines.iter().map(|l| (&l.src, l)).collect();
    let old_exc: HashMap<&SourceRef, &RowException> =
        old.exceptions.iter().map(|e| (&e.src, e)).collect();
    let new_exc: HashMap<&SourceRef, &RowException> =
        new.exceptions.iter().map(|e| (&e.src, e)).collect();
    let mut keyed: Vec<((String, NaiveDate, String, u32), RepriceLine)> = Vec::new();
    for l in &new.lines {
        let before = old_lines.get(&l.src).copied();
        let (old_amount, old_status, note) = match (before, old_exc.get(&l.src)) {
            (Some(o), _) => (Some(o.expected_amount), "OK".to_string(), l.rule.clone()),
            (None, Some(e)) => (None, e.code.as_str().to_string(), e.message.clone()),
            (None, None) => (None, String::new(), l.rule.clone()),
        };
        keyed.push((
            key(l),
            row(
                l,
                old_amount,
                Some(l.expected_amount),
                old_status,
                "OK".into(),
                note,
            ),
        ));
    }
    let new_srcs: std::collections::HashSet<&SourceRef> =
        new.lines.iter().map(|l| &l.src).collect();
    for l in old.lines.iter().filter(|l| !new_srcs.contains(&l.src)) {
        let (status, note) = match new_exc.get(&l.src) {
            Some(e) => (e.code.as_str().to_string(), e.message.clone()),
            None => (String::new(), String::new()),
        };
        keyed.push((
            key(l),
            row(l, Some(l.expected_amount), None, "OK".into(), status, note),
        ));
    }
    keyed.sort_by(|a, b| a.0.cmp(&b.0));
    let lines: Vec<RepriceLine> = keyed.into_iter().map(|(_, r)| r).collect();
    let (accounts, products, total) = totals(&lines);
    RepriceReport {
        only_old: lines.iter().filter(|l| l.new_amount.is_none()).count(),
        only_new: lines.iter().filter(|l| l.old_amount.is_none()).count(),
        baseline,
        catalog: new.facts.catalog.clone(),
        facts: new.facts,
        lines,
        accounts,
        products,
        total,
    }
}

fn key(l: &Line) -> (String, NaiveDate, String, u32) {
    (
        l.account_id.clone(),
        l.order_date,
        l.order_id.clone(),
        l.line,
    )
}

fn row(
    l: &Line,
    old_amount: Option<rust_decimal::Decimal>,
    new_amount: Option<rust_decimal::Decimal>,
    old_status: String,
    new_status: String,
    note: String,
) -> RepriceLine {
    RepriceLine {
        src: l.src.clone(),
        order_id: l.order_id.clone(),
        line: l.line,
        account_id: l.account_id.clone(),
        product: l.product.clone(),
        edition: l.edition.clone(),
        quantity: Some(l.quantity),
        old_amount,
        new_amount,
        delta: old_amount.zip(new_amount).map(|(o, n)| n - o),
        old_status,
        new_status,
        note,
    }
}

/// Totals by account and product, and over everything, of the lines priced under both.
fn totals(lines: &[RepriceLine]) -> (Vec<RepriceTotal>, Vec<RepriceTotal>, RepriceTotal) {
    let mut accounts: BTreeMap<String, RepriceTotal> = BTreeMap::new();
    let mut products: BTreeMap<String, RepriceTotal> = BTreeMap::new();
    let mut total = RepriceTotal {
        key: "Total".into(),
        ..Default::default()
    };
    for l in lines {
        let (Some(old), Some(new), Some(delta)) = (l.old_amount, l.new_amount, l.delta) else {
            continue;
        };
        for t in [
            accounts
                .entry(l.account_id.clone())
                .or_insert_with(|| RepriceTotal {
                    key: l.account_id.clone(),
                    ..Default::default()
                }),
            products
                .entry(l.product.clone())
                .or_insert_with(|| RepriceTotal {
                    key: l.product.clone(),
                    ..Default::default()
                }),
            &mut total,
        ] {
            t.lines += 1;
            t.old_amount += old;
            t.new_amount += new;
            t.delta += delta;
            if !delta.is_zero() {
                t.changed += 1;
            }
        }
    }
    (
        accounts.into_values().collect(),
        products.into_values().collect(),
        total,
    )
}
