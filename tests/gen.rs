//! `billrun gen` through the real binary: the same arguments give the same bytes, the row
//! counts are exact, and `billrun run` on a generated month accounts for every row, prices
//! most of them, and meets refunds, usage overdrafts and exceptions.

use serde_json::Value;
use std::path::Path;
use std::process::{Command, Output};

fn billrun(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_billrun"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("run billrun")
}

fn ok(out: &Output) {
    assert!(
        out.status.success(),
        "exit {:?}: {}",
        out.status.code(),
        String::from_utf8_lossy(&out.stderr)
    );
}

fn gen_into(dir: &Path, extra: &[&str]) {
    let mut args = vec!["gen", "--out", dir.to_str().unwrap(), "--quiet"];
    args.extend_from_slice(extra);
    ok(&billrun(&args));
}

fn bytes(path: &Path) -> Vec<u8> {
    std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn data_rows(path: &Path) -> usize {
    csv::Reader::from_path(path).unwrap().records().count()
}

#[test]
fn same_arguments_give_the_same_bytes_and_another_seed_other_bytes() {
    let root = tempfile::tempdir().unwrap();
    let (a, b, c) = (
        root.path().join("a"),
        root.path().join("b"),
        root.path().join("c"),
    );
    let args = ["--orders", "3000", "--usage", "5000", "--seed", "11"];
    gen_into(&a, &args);
    gen_into(&b, &args);
    gen_into(&c, &["--orders", "3000", "--usage", "5000", "--seed", "12"]);
    for f in ["orders-gen.csv", "usage-gen.csv"] {
        assert_eq!(
            bytes(&a.join(f)),
            bytes(&b.join(f)),
            "{f} differs between two runs"
        );
        assert_ne!(bytes(&a.join(f)), bytes(&c.join(f)), "{f} ignores the seed");
    }
    // XLSX too.
    let (x, y) = (root.path().join("x"), root.path().join("y"));
    let args = ["--orders", "500", "--usage", "700", "--format", "xlsx"];
    gen_into(&x, &args);
    gen_into(&y, &args);
    for f in ["orders-gen.xlsx", "usage-gen.xlsx"] {
        assert_eq!(
            bytes(&x.join(f)),
            bytes(&y.join(f)),
            "{f} differs between two runs"
        );
    }
}

#[test]
fn row_counts_are_exact() {
    let root = tempfile::tempdir().unwrap();
    for (orders, usage, accounts) in [("1", "0", "1"), ("777", "1234", "40"), ("2500", "10", "3")] {
        let dir = root.path().join(format!("{orders}-{usage}-{accounts}"));
        gen_into(
            &dir,
            &["--orders", orders, "--usage", usage, "--accounts", accounts],
        );
        assert_eq!(
            data_rows(&dir.join("orders-gen.csv")),
            orders.parse::<usize>().unwrap()
        );
        let usage_file = dir.join("usage-gen.csv");
        match usage {
            "0" => assert!(!usage_file.exists()),
            n => assert_eq!(data_rows(&usage_file), n.parse::<usize>().unwrap()),
        }
    }
}

fn count(v: &Value, key: &str) -> u64 {
    v["counts"][key]
        .as_u64()
        .unwrap_or_else(|| panic!("no count {key} in {v}"))
}

#[test]
fn run_on_a_generated_month_accounts_for_every_row_and_prices_most() {
    let root = tempfile::tempdir().unwrap();
    let data = root.path().join("data");
    let out = root.path().join("out");
    gen_into(
        &data,
        &["--orders", "2000", "--usage", "4000", "--seed", "5"],
    );
    let run = billrun(&[
        "run",
        data.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--as-of",
        "2026-01-31",
        "--quiet",
        "--json",
    ]);
    ok(&run);
    assert!(out.join("invoices.xlsx").exists() && out.join("refunds.xlsx").exists());
    let v: Value = serde_json::from_slice(&run.stdout).expect("--json prints JSON");
    let rows_read = count(&v, "rows_read");
    assert_eq!(rows_read, 6000);
    let placed = count(&v, "lines")
        + count(&v, "refund_requests")
        + count(&v, "usage_rows")
        + count(&v, "exceptions")
        + count(&v, "rows_outside_period")
        + count(&v, "rows_other_shards");
    assert_eq!(placed, rows_read, "counts do not add up: {v}");

    // 1% of the order rows are deliberately bad; most of the others price.
    let good_orders = 2000 - 20;
    let priced = count(&v, "lines") + count(&v, "refund_requests");
    assert!(
        priced * 100 >= good_orders * 85,
        "only {priced} of {good_orders} good order rows became lines or refund decisions: {v}"
    );
    // Most lines reconcile; some were left unbilled or billed a little off on purpose.
    assert!(
        count(&v, "mismatches") > 0 && count(&v, "unbilled") > 0,
        "{v}"
    );
    assert!(count(&v, "mismatches") * 10 < count(&v, "lines"), "{v}");

    // Refunds, approved and rejected; usage overdrafts and LOW packs; exceptions.
    let approved = count(&v, "refunds_approved");
    assert!(count(&v, "refund_requests") > 0 && approved > 0, "{v}");
    assert!(
        count(&v, "refund_lines") > approved,
        "no rejected refund: {v}"
    );
    assert!(count(&v, "usage_overdrawn") > 0, "{v}");
    assert!(
        count(&v, "packs_low") + count(&v, "packs_exhausted") > 0,
        "{v}"
    );
    assert!(count(&v, "exceptions") >= 40, "{v}");
    let codes = v["exceptions_by_code"].as_object().expect("codes");
    for code in ["BAD_VALUE", "MISSING_VALUE"] {
        assert!(codes.contains_key(code), "no {code}: {v}");
    }
}

#[test]
fn run_reads_a_generated_xlsx_month() {
    let root = tempfile::tempdir().unwrap();
    let data = root.path().join("data");
    let out = root.path().join("out");
    gen_into(
        &data,
        &["--orders", "400", "--usage", "300", "--format", "xlsx"],
    );
    let run = billrun(&[
        "run",
        data.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--as-of",
        "2026-01-31",
        "--quiet",
        "--json",
    ]);
    ok(&run);
    let v: Value = serde_json::from_slice(&run.stdout).unwrap();
    assert_eq!(count(&v, "rows_read"), 700);
    assert!(
        count(&v, "lines") + count(&v, "refund_requests") >= 396 * 85 / 100,
        "{v}"
    );
}

#[test]
fn a_bad_share_outside_zero_to_one_is_a_usage_error() {
    let root = tempfile::tempdir().unwrap();
    let out = billrun(&[
        "gen",
        "--orders",
        "10",
        "--bad-share",
        "1.5",
        "--out",
        root.path().to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--bad-share"));
}
