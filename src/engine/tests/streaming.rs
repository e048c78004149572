//! The streamed run (`run_streaming`): lines handed over in batches of accounts while the
//! next batch is priced give the same report as collecting them, and a failing sink stops it.

use super::*;
use crate::input::{read_orders, read_usage};
use std::path::Path;

/// The shipped samples: several accounts, every event, packs, refunds and usage.
fn samples() -> (Vec<OrderRow>, Vec<UsageRow>, Vec<RowException>) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("samples");
    let mut rows = Vec::new();
    let mut exceptions = Vec::new();
    let mut at = 0;
    for f in ["orders-2025.csv", "orders-2025-refunds.csv"] {
        let read = read_orders(&root.join(f), None, at).unwrap();
        at += read.rows_read;
        rows.extend(read.rows);
        exceptions.extend(read.exceptions);
    }
    let read = read_usage(&root.join("usage-2025.csv"), None, at).unwrap();
    exceptions.extend(read.exceptions);
    (rows, read.rows, exceptions)
}

#[test]
fn lines_streamed_one_account_at_a_time_make_the_collected_report() {
    let cat = Catalog::builtin();
    let ctx = test_ctx(&cat, "2026-01-31", Some("2025-07"));
    let (rows, usage, exceptions) = samples();
    let whole = run(
        &ctx,
        rows.clone(),
        usage.clone(),
        exceptions.clone(),
        RunFacts::default(),
    );
    assert!(
        whole.accounts.len() > 3,
        "the samples have several accounts"
    );

    let mut batches: Vec<Vec<Line>> = Vec::new();
    let sink = |batch: Vec<Line>| {
        batches.push(batch);
        Ok::<(), String>(())
    };
    // A batch of at least one row: every account is a batch of its own.
    let mut streamed =
        run_batched(&ctx, rows, usage, exceptions, RunFacts::default(), 1, sink).unwrap();
    assert_eq!(streamed.line_count, whole.lines.len());
    assert!(
        streamed.lines.is_empty(),
        "the report does not keep streamed lines"
    );
    assert!(batches.len() > 3, "{} batches", batches.len());
    for b in &batches {
        let accounts: std::collections::BTreeSet<&str> =
            b.iter().map(|l| l.account_id.as_str()).collect();
        assert!(accounts.len() <= 1, "one account a batch: {accounts:?}");
    }
    streamed.lines = batches.concat();
    assert_eq!(streamed, whole);
}

#[test]
fn a_failing_sink_stops_the_run_with_its_error() {
    let cat = Catalog::builtin();
    let ctx = test_ctx(&cat, "2026-01-31", None);
    let (rows, usage, exceptions) = samples();
    let mut calls = 0;
    let sink = |_batch: Vec<Line>| {
        calls += 1;
        match calls {
            2 => Err("disk full"),
            _ => Ok(()),
        }
    };
    let err = run_batched(&ctx, rows, usage, exceptions, RunFacts::default(), 1, sink);
    assert_eq!(err, Err("disk full"));
    assert_eq!(calls, 2, "no batch reaches the sink after its error");
}
