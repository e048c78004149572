//! Unit tests of `gen`: exact counts, determinism, every SKU and event present, rows that
//! the readers accept, and prices that match the engine's.

use super::account::{SKUS, qa_editions};
use super::*;
use crate::catalog::Catalog;
use std::collections::{BTreeMap, BTreeSet};

fn opts(orders: u64, usage: u64, seed: u64) -> Options {
    Options {
        orders,
        usage,
        seed,
        ..Options::default()
    }
}

fn read(path: &Path) -> Vec<u8> {
    std::fs::read(path).unwrap()
}

fn rows(path: &Path) -> Vec<BTreeMap<String, String>> {
    let mut r = csv::Reader::from_path(path).unwrap();
    let headers: Vec<String> = r.headers().unwrap().iter().map(str::to_string).collect();
    r.records()
        .map(|rec| {
            let rec = rec.unwrap();
            headers
                .iter()
                .cloned()
                .zip(rec.iter().map(str::to_string))
                .collect()
        })
        .collect()
}

#[test]
fn counts_are_exact_and_files_are_named_for_run() {
    for (orders, usage, accounts) in [
        (1, 0, None),
        (57, 3, Some(9)),
        (1000, 2500, None),
        (5, 40, Some(12)),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let o = Options {
            accounts,
            ..opts(orders, usage, 7)
        };
        let s = generate(&o, dir.path()).unwrap();
        assert_eq!((s.orders, s.usage), (orders, usage));
        let order_rows = rows(&dir.path().join("orders-gen.csv"));
        assert_eq!(order_rows.len() as u64, orders);
        let usage_file = dir.path().join("usage-gen.csv");
        assert_eq!(usage_file.exists(), usage > 0);
        if usage > 0 {
            assert_eq!(rows(&usage_file).len() as u64, usage);
        }
        // Bad rows: exactly ⌊n · share⌋ of each file.
        assert_eq!(s.bad_orders, orders / 100);
        assert_eq!(s.bad_usage, usage / 100);
        // Nothing else is left in the folder (no temporary files).
        let names: BTreeSet<String> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        let want: BTreeSet<String> = s
            .files
            .iter()
            .map(|f| f.file_name().unwrap().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names, want);
    }
}

#[test]
fn a_killed_run_s_temporary_files_are_removed() {
    let dir = tempfile::tempdir().unwrap();
    // No process has pid 4,194,304 or more (Linux's pid_max at most 2^22).
    let left = [
        ".orders-gen.csv.tmp-4194311-0",
        ".usage-gen.csv.tmp-4194311-1",
    ];
    for name in left {
        std::fs::write(dir.path().join(name), "half").unwrap();
    }
    let s = generate(&opts(50, 20, 7), dir.path()).unwrap();
    let mut names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, ["orders-gen.csv", "usage-gen.csv"]);
    assert_eq!(s.files.len(), 2);
}

#[test]
fn same_seed_same_bytes_other_seed_other_bytes() {
    let a = tempfile::tempdir().unwrap();
    let b = tempfile::tempdir().unwrap();
    let c = tempfile::tempdir().unwrap();
    generate(&opts(3000, 5000, 42), a.path()).unwrap();
    generate(&opts(3000, 5000, 42), b.path()).unwrap();
    generate(&opts(3000, 5000, 43), c.path()).unwrap();
    for f in ["orders-gen.csv", "usage-gen.csv"] {
        assert_eq!(read(&a.path().join(f)), read(&b.path().join(f)), "{f}");
        assert_ne!(read(&a.path().join(f)), read(&c.path().join(f)), "{f}");
    }
}

#[test]
fn shares_add_up_exactly() {
    for (total, n) in [
        (0, 1),
        (1, 1),
        (7, 3),
        (1_000_000, 50_000),
        (3, 10),
        (999_999, 7),
    ] {
        let sum: u64 = (0..n).map(|i| share(total, n, i, 5, 2)).sum();
        assert_eq!(sum, total, "{total} over {n}");
    }
    // Sizes vary around the mean.
    let sizes: BTreeSet<u64> = (0..100).map(|i| share(2000, 100, i, 5, 2)).collect();
    assert!(sizes.len() > 5);
}

#[test]
fn every_sku_and_event_appears_and_names_the_catalog() {
    let cat = Catalog::builtin();
    for sku in SKUS {
        assert!(cat.sku_by_code(sku).is_some(), "{sku}");
    }
    for (sku, edition) in qa_editions() {
        let def = cat.sku_by_code(sku).unwrap();
        assert!(
            cat.edition(def, Some(edition).filter(|e| !e.is_empty()))
                .is_ok(),
            "{sku} {edition}"
        );
    }
    let dir = tempfile::tempdir().unwrap();
    generate(&opts(20_000, 10_000, 1), dir.path()).unwrap();
    let orders = rows(&dir.path().join("orders-gen.csv"));
    let products: BTreeSet<&str> = orders.iter().map(|r| r["product"].as_str()).collect();
    for sku in SKUS {
        assert!(products.contains(sku), "no {sku} row");
    }
    let kinds: BTreeSet<&str> = orders.iter().map(|r| r["type"].as_str()).collect();
    for k in ["new", "addon", "renewal", "upgrade", "refund"] {
        assert!(kinds.contains(k), "no {k} row");
    }
    let has = |f: &dyn Fn(&BTreeMap<String, String>) -> bool| orders.iter().any(f);
    assert!(has(&|r| r["invoiced"] == "yes"));
    assert!(has(&|r| !r["bonus_quantity"].is_empty()));
    assert!(has(&|r| !r["start_date"].is_empty()));
    assert!(has(&|r| !r["discount"].is_empty()));
    assert!(has(&|r| !r["voucher"].is_empty()));
    assert!(has(&|r| r["edition"] == "auto"));
    assert!(has(
        &|r| r["type"] != "refund" && r["billed_amount"].is_empty()
    ));
    let usage = rows(&dir.path().join("usage-gen.csv"));
    let metrics: BTreeSet<&str> = usage.iter().map(|r| r["metric"].as_str()).collect();
    for m in ["pv", "sessions", "sms", "backflow_rows"] {
        assert!(metrics.contains(m), "no {m} usage");
    }
    assert!(usage.iter().any(|r| !r["order_id"].is_empty()));
    // Every SSC purchase order holds the four mandatory items.
    let mut ssc: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for r in orders
        .iter()
        .filter(|r| r["type"] == "new" && r["product"].starts_with("ssc-"))
    {
        ssc.entry(r["order_id"].as_str())
            .or_default()
            .insert(r["product"].as_str());
    }
    let mandatory = ["ssc-employees", "ssc-experts", "ssc-tickets", "ssc-robot"];
    for (order, items) in &ssc {
        // A row spoiled with an unknown SKU stands in for one of them.
        let spoiled = items.iter().any(|i| !SKUS.contains(i));
        if !spoiled && mandatory.iter().any(|m| items.contains(m)) {
            assert!(
                mandatory.iter().all(|m| items.contains(m)),
                "{order}: {items:?}"
            );
        }
    }
}

/// Reads the generated files with billrun's own readers and prices them with the engine:
/// every row is accounted for, bad rows are exceptions, and the generator's billed amounts
/// agree with the engine's prices on the lines it did not mean to mismatch.
#[test]
fn the_engine_prices_what_gen_writes() {
    use crate::engine::{self, Ctx};
    use crate::input;
    use crate::report::{LineStatus, RunFacts};
    use rust_decimal::Decimal;

    let dir = tempfile::tempdir().unwrap();
    let s = generate(&opts(4000, 6000, 3), dir.path()).unwrap();
    let o = input::read_orders(&dir.path().join("orders-gen.csv"), None, 0).unwrap();
    let u = input::read_usage(&dir.path().join("usage-gen.csv"), None, o.rows_read).unwrap();
    assert_eq!(o.rows_read as u64, s.orders);
    assert_eq!(u.rows_read as u64, s.usage);
    // Every bad row is refused by the readers or the engine; spoiled cells such as a bad
    // term pass the readers, so only a lower bound holds here.
    assert!(o.exceptions.len() as u64 <= s.bad_orders);
    assert_eq!(u.exceptions.len() as u64, s.bad_usage);
    let cat = Catalog::builtin();
    let ctx = Ctx {
        catalog: &cat,
        as_of: window_end(),
        period: None,
        tolerance: Decimal::new(1, 2),
        alert_below: Decimal::TEN,
        progress: None,
    };
    let facts = RunFacts {
        rows_read: o.rows_read + u.rows_read,
        ..RunFacts::default()
    };
    let mut exceptions = o.exceptions;
    exceptions.extend(u.exceptions);
    let report = engine::run(&ctx, o.rows, u.rows, exceptions, facts);
    assert_eq!(report.accounted_rows(), report.facts.rows_read);
    let good_orders = (s.orders - s.bad_orders) as usize;
    let priced = report.lines.len() + report.facts.refunds;
    assert!(
        priced * 100 >= good_orders * 95,
        "only {priced} of {good_orders} good order rows priced; exceptions: {:?}",
        report
            .exceptions
            .iter()
            .filter(|e| !e.message.is_empty())
            .take(20)
            .map(|e| format!("{} {} {}", e.code, e.order_id, e.message))
            .collect::<Vec<_>>()
    );
    let ok = report
        .lines
        .iter()
        .filter(|l| l.status == LineStatus::Ok)
        .count();
    assert!(
        ok * 100 >= report.lines.len() * 90,
        "{ok} of {} OK",
        report.lines.len()
    );
    // Mismatches are only the ones gen meant: off by 0.05 to 100.00.
    for l in report
        .lines
        .iter()
        .filter(|l| l.status == LineStatus::Mismatch)
    {
        let d = l.difference.unwrap_or_default().abs();
        assert!(
            d >= Decimal::new(5, 2) && d <= Decimal::ONE_HUNDRED,
            "{} {} {}: {:?}",
            l.order_id,
            l.product,
            l.rule,
            l.difference
        );
    }
}

#[test]
fn xlsx_exports_read_back_like_the_csv() {
    let dir = tempfile::tempdir().unwrap();
    let csv_dir = dir.path().join("csv");
    let xlsx_dir = dir.path().join("xlsx");
    let o = opts(600, 900, 9);
    generate(&o, &csv_dir).unwrap();
    let x = Options {
        format: FileFormat::Xlsx,
        ..o
    };
    let s = generate(&x, &xlsx_dir).unwrap();
    assert_eq!(s.files.len(), 2);
    let a = crate::input::read_orders(&csv_dir.join("orders-gen.csv"), None, 0).unwrap();
    let b = crate::input::read_orders(&xlsx_dir.join("orders-gen.xlsx"), None, 0).unwrap();
    assert_eq!(a.rows_read, b.rows_read);
    assert_eq!(a.exceptions.len(), b.exceptions.len());
    for (r, s) in a.rows.iter().zip(&b.rows) {
        assert_eq!(
            (
                &r.order_id,
                r.order_date,
                r.quantity,
                r.billed_amount,
                &r.term
            ),
            (
                &s.order_id,
                s.order_date,
                s.quantity,
                s.billed_amount,
                &s.term
            )
        );
    }
    let u = crate::input::read_usage(&xlsx_dir.join("usage-gen.xlsx"), None, 0).unwrap();
    assert_eq!(u.rows_read, 900);
    // Deterministic too.
    let again = dir.path().join("again");
    generate(&x, &again).unwrap();
    assert_eq!(
        read(&xlsx_dir.join("orders-gen.xlsx")),
        read(&again.join("orders-gen.xlsx"))
    );
}

#[test]
fn a_bad_share_outside_zero_to_one_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let o = Options {
        bad_share: 1.5,
        ..opts(10, 0, 1)
    };
    assert!(matches!(
        generate(&o, dir.path()),
        Err(GenError::BadOption(_))
    ));
}
