//! Runs the real binary on the shipped samples and on small case files, and reads the
//! workbook back with calamine.

use calamine::{Data, Reader, Xlsx, open_workbook};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn billrun(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_billrun"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("run billrun")
}

fn sheet(path: &Path, name: &str) -> Vec<Vec<Data>> {
    let mut wb: Xlsx<_> = open_workbook(path).expect("open workbook");
    let range = wb.worksheet_range(name).expect("sheet");
    range.rows().map(|r| r.to_vec()).collect()
}

fn text(d: &Data) -> String {
    match d {
        Data::String(s) => s.clone(),
        Data::Float(f) => f.to_string(),
        Data::Int(i) => i.to_string(),
        Data::Empty => String::new(),
        other => format!("{other:?}"),
    }
}

fn col(rows: &[Vec<Data>], name: &str) -> usize {
    rows[0]
        .iter()
        .position(|h| text(h) == name)
        .unwrap_or_else(|| panic!("no column {name}"))
}

/// Runs billrun, requires success (showing its stderr otherwise) and parses the JSON
/// summary it printed.
fn json_of_success(args: &[&str]) -> serde_json::Value {
    let out = billrun(args);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("a JSON summary on stdout")
}

fn run_samples(out: &Path) -> Output {
    billrun(&[
        "run",
        "samples",
        "--out",
        out.to_str().unwrap(),
        "--as-of",
        "2026-11-30",
        "--quiet",
    ])
}

#[test]
fn samples_run_prices_every_line_and_lists_every_bad_row() {
    let dir = tempfile::tempdir().unwrap();
    let out = run_samples(dir.path());
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let book = dir.path().join("invoices.xlsx");
    let wb: Xlsx<_> = open_workbook(&book).unwrap();
    assert_eq!(
        wb.sheet_names(),
        [
            "Summary",
            "Lines",
            "Accounts",
            "Subscriptions",
            "Packs",
            "Usage",
            "Exceptions"
        ]
    );

    let lines = sheet(&book, "Lines");
    let headers: Vec<String> = lines[0].iter().map(text).collect();
    assert_eq!(
        headers.join(","),
        "order_id,line,account_id,order_date,type,product,edition,quantity,billable_quantity,term,\
         service_start,service_end,unit_price,full_years,full_years_amount,months,months_amount,\
         list_amount,discount,expected_amount,billed_amount,difference,status,rule"
    );
    let (oid, exp, rule) = (
        col(&lines, "order_id"),
        col(&lines, "expected_amount"),
        col(&lines, "rule"),
    );
    let amount = |order: &str, line_no: usize| -> f64 {
        let rows: Vec<_> = lines.iter().filter(|r| text(&r[oid]) == order).collect();
        match rows[line_no - 1][exp] {
            Data::Float(f) => f,
            ref other => panic!("{order}: {other:?}"),
        }
    };
    // The guide's worked examples, as the samples carry them.
    assert_eq!(amount("Q-1001", 1), 9990.00);
    assert_eq!(amount("Q-1002", 1), 4795.20);
    assert_eq!(amount("S-4002", 1), 9600.00);
    assert_eq!(amount("C-2001", 1), 800000.00);
    let ssc: f64 = lines
        .iter()
        .filter(|r| text(&r[oid]) == "S-4001")
        .map(|r| if let Data::Float(f) = r[exp] { f } else { 0.0 })
        .sum();
    assert_eq!(ssc, 420280.00);
    assert!(
        lines.iter().skip(1).all(|r| !text(&r[rule]).is_empty()),
        "every line explains itself"
    );
    // Chinese headers in the XLSX sample: 9折 on a CDP cover chosen automatically.
    assert_eq!(amount("K-7007", 1), 900000.00);

    let ex = sheet(&book, "Exceptions");
    let (src, row, code) = (col(&ex, "source"), col(&ex, "row"), col(&ex, "code"));
    let found: Vec<(String, String, String)> = ex
        .iter()
        .skip(1)
        .map(|r| (text(&r[src]), text(&r[row]), text(&r[code])))
        .collect();
    assert!(
        found.contains(&(
            "samples/orders-2025.csv".into(),
            "39".into(),
            "BAD_VALUE".into()
        )),
        "{found:?}"
    );
    assert!(
        found.contains(&(
            "samples/orders-2025-cn.xlsx".into(),
            "13".into(),
            "MISSING_VALUE".into()
        )),
        "{found:?}"
    );
    for c in [
        "UNKNOWN_SKU",
        "BELOW_MINIMUM",
        "LIMIT_EXCEEDED",
        "NO_SUBSCRIPTION",
        "RECLAIMED",
        "MISSING_REQUIREMENT",
        "BAD_TERM",
        "NO_PRICE",
        "DUPLICATE",
    ] {
        assert!(found.iter().any(|f| f.2 == c), "samples show {c}");
    }
    // Formula-looking input text stays text.
    let vals: Vec<String> = ex
        .iter()
        .skip(1)
        .map(|r| text(&r[col(&ex, "value")]))
        .collect();
    assert!(vals.iter().any(|v| v.starts_with("=HYPERLINK")), "{vals:?}");

    // Nothing lost: lines + refund requests + usage rows + exceptions = rows read.
    assert_eq!(
        lines.len() - 1 + ex.len() - 1 + SAMPLE_REFUND_REQUESTS + SAMPLE_USAGE_ROWS,
        SAMPLE_ROWS
    );
}

/// The shipped samples: every order, refund and usage row read.
const SAMPLE_ROWS: usize = 93;
const SAMPLE_REFUND_REQUESTS: usize = 13;
const SAMPLE_USAGE_ROWS: usize = 13;

#[test]
fn samples_decide_every_refund_and_show_every_pack() {
    let dir = tempfile::tempdir().unwrap();
    assert!(run_samples(dir.path()).status.success());
    let book = dir.path().join("refunds.xlsx");
    let wb: Xlsx<_> = open_workbook(&book).unwrap();
    assert_eq!(wb.sheet_names(), vec!["Summary", "Refunds", "Packs"]);
    let rf = sheet(&book, "Refunds");
    let (id, amount, decision, rule) = (
        col(&rf, "refund_order_id"),
        col(&rf, "refund_amount"),
        col(&rf, "decision"),
        col(&rf, "rule"),
    );
    let get = |r: &str| {
        rf.iter()
            .find(|row| text(&row[id]) == r)
            .unwrap_or_else(|| panic!("no refund {r}"))
    };
    let money = |r: &str| match get(r)[amount] {
        Data::Float(f) => f,
        ref other => panic!("{r}: {other:?}"),
    };
    // The guide's PV example, the window rules, pro-rata and the voucher kept.
    assert_eq!(money("R-7005"), 45000.00);
    assert_eq!(money("R-7001"), 4495.00);
    assert_eq!(money("R-7004"), 300000.00);
    assert_eq!(money("R-9001"), 4989.13);
    assert_eq!(money("R-8001"), 69600.00);
    for r in [
        "R-7003", "R-8003", "R-8004", "R-7102", "R-7103", "R-7104", "R-7105",
    ] {
        assert_eq!(text(&get(r)[decision]), "REJECTED", "{r}");
        assert_eq!(money(r), 0.0, "{r}");
    }
    assert!(
        rf.iter().skip(1).all(|r| !text(&r[rule]).is_empty()),
        "every decision names its rule"
    );
    let ssc = rf.iter().filter(|r| text(&r[id]) == "R-7101").count();
    assert_eq!(ssc, 5, "one decision per line of the SSC order");
    let packs = sheet(&book, "Packs");
    assert_eq!(packs.len() - 1, 6, "three packs each for R-7005 and R-8001");

    let inv = dir.path().join("invoices.xlsx");
    let p = sheet(&inv, "Packs");
    let status: Vec<String> = p
        .iter()
        .skip(1)
        .map(|r| text(&r[col(&p, "status")]))
        .collect();
    for s in ["LOW", "EXHAUSTED", "REFUNDED", "EXPIRED"] {
        assert!(
            status.iter().any(|x| x == s),
            "samples show a {s} pack: {status:?}"
        );
    }
    let u = sheet(&inv, "Usage");
    let notes: Vec<String> = u
        .iter()
        .skip(1)
        .map(|r| text(&r[col(&u, "note")]))
        .collect();
    assert!(notes.iter().any(|n| n.starts_with("NO_PRICE")), "{notes:?}");
    let rows: f64 = u
        .iter()
        .skip(1)
        .map(|r| {
            if let Data::Float(f) = r[col(&u, "rows")] {
                f
            } else {
                0.0
            }
        })
        .sum();
    assert_eq!(rows as usize, SAMPLE_USAGE_ROWS);
}

#[test]
fn usage_files_by_flag_and_the_alert_threshold() {
    let dir = tempfile::tempdir().unwrap();
    let orders = dir.path().join("o.csv");
    std::fs::write(
        &orders,
        "order_id,account_id,order_date,type,product,edition,quantity\n\
         P1,A1,2025-01-01,new,qdm-pv,1m,1\n",
    )
    .unwrap();
    let usage = dir.path().join("u.csv");
    std::fs::write(&usage, "客户ID,日期,指标,用量\nA1,2025-01-05,pv,850000\n").unwrap();
    let status = |alert: &str| {
        let out = billrun(&[
            "run",
            "--orders",
            orders.to_str().unwrap(),
            "--usage",
            usage.to_str().unwrap(),
            "--out",
            dir.path().to_str().unwrap(),
            "--as-of",
            "2025-02-01",
            "--alert-below",
            alert,
            "--quiet",
        ]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let p = sheet(&dir.path().join("invoices.xlsx"), "Packs");
        text(&p[1][col(&p, "status")])
    };
    assert_eq!(status("10"), "ACTIVE", "150,000 left of 1,000,000 is 15%");
    assert_eq!(status("20"), "LOW");
}

#[test]
fn amounts_are_live_formulas_unless_asked_otherwise() {
    let dir = tempfile::tempdir().unwrap();
    assert!(run_samples(dir.path()).status.success());
    let mut wb: Xlsx<_> = open_workbook(dir.path().join("invoices.xlsx")).unwrap();
    let f = wb.worksheet_formula("Lines").unwrap();
    let formulas: Vec<String> = f
        .rows()
        .flat_map(|r| r.iter().cloned())
        .filter(|s| !s.is_empty())
        .collect();
    assert!(
        formulas
            .iter()
            .any(|s| s.starts_with("ROUND(R") || s.starts_with("=ROUND(R")),
        "{:?}",
        &formulas[..formulas.len().min(8)]
    );

    let plain = tempfile::tempdir().unwrap();
    let out = billrun(&[
        "run",
        "samples",
        "--out",
        plain.path().to_str().unwrap(),
        "--as-of",
        "2026-11-30",
        "--quiet",
        "--no-formulas",
    ]);
    assert!(out.status.success());
    let mut wb: Xlsx<_> = open_workbook(plain.path().join("invoices.xlsx")).unwrap();
    let f = wb.worksheet_formula("Lines").unwrap();
    assert!(f.rows().flat_map(|r| r.iter()).all(|s| s.is_empty()));
}

#[test]
fn two_runs_write_identical_bytes() {
    let a = tempfile::tempdir().unwrap();
    let b = tempfile::tempdir().unwrap();
    assert!(run_samples(a.path()).status.success());
    assert!(run_samples(b.path()).status.success());
    let read = |p: PathBuf| std::fs::read(p).unwrap();
    for f in ["invoices.xlsx", "refunds.xlsx"] {
        assert!(read(a.path().join(f)) == read(b.path().join(f)), "{f}");
    }
    let leftovers: Vec<_> = std::fs::read_dir(a.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(leftovers.len(), 3, "no temporary file left: {leftovers:?}");
}

#[test]
fn json_summary_and_fail_on() {
    let dir = tempfile::tempdir().unwrap();
    let out = billrun(&[
        "run",
        "samples",
        "--out",
        dir.path().to_str().unwrap(),
        "--as-of",
        "2026-11-30",
        "--quiet",
        "--json",
        "--fail-on",
        "exceptions",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let n = |k: &str| v["counts"][k].as_u64().unwrap() as usize;
    assert_eq!(n("rows_read"), SAMPLE_ROWS);
    assert_eq!(n("refund_requests"), SAMPLE_REFUND_REQUESTS);
    assert_eq!(n("usage_rows"), SAMPLE_USAGE_ROWS);
    assert_eq!(
        n("lines") + n("exceptions") + n("refund_requests") + n("usage_rows"),
        SAMPLE_ROWS
    );
    assert_eq!(v["totals"]["refunded"], "424084.13");
    let out = billrun(&[
        "check",
        "samples",
        "--as-of",
        "2026-11-30",
        "--quiet",
        "--fail-on",
        "never",
    ]);
    assert_eq!(out.status.code(), Some(0));
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("samples/orders-2025.csv:40\tUNKNOWN_SKU")
    );
}

#[test]
fn file_level_problems_exit_2_naming_what_and_where() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("orders.csv");
    std::fs::write(&f, "order_id,account_id,type,product\nO1,A1,new,cdp\n").unwrap();
    let out = billrun(&["check", "--orders", f.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("order_date") && err.contains("下单日期") && err.contains("orders.csv"),
        "{err}"
    );

    let cat = dir.path().join("cat.toml");
    std::fs::write(&cat, "[skus.qcs-online.editions.basic]\nprice = \"x\"\n").unwrap();
    let out = billrun(&["catalog", "--catalog", cat.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("skus.qcs-online.editions.basic.price"));

    let out = billrun(&[
        "run",
        "--orders",
        "no/such/file.csv",
        "--out",
        dir.path().to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    let out = billrun(&["run", "samples", "--period", "2025-13"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn catalog_prints_and_loads_back_with_identical_results() {
    let dir = tempfile::tempdir().unwrap();
    let out = billrun(&["catalog"]);
    assert!(out.status.success());
    let cat = dir.path().join("catalog.toml");
    std::fs::write(&cat, &out.stdout).unwrap();
    let a = billrun(&[
        "run",
        "samples",
        "--as-of",
        "2026-11-30",
        "--quiet",
        "--json",
        "--out",
        dir.path().join("a").to_str().unwrap(),
    ]);
    let b = billrun(&[
        "run",
        "samples",
        "--as-of",
        "2026-11-30",
        "--quiet",
        "--json",
        "--catalog",
        cat.to_str().unwrap(),
        "--out",
        dir.path().join("b").to_str().unwrap(),
    ]);
    let va: serde_json::Value = serde_json::from_slice(&a.stdout).unwrap();
    let vb: serde_json::Value = serde_json::from_slice(&b.stdout).unwrap();
    assert_eq!(va["totals"], vb["totals"]);
    assert_eq!(va["counts"], vb["counts"]);
}

#[test]
fn quote_prices_one_line() {
    let out = billrun(&[
        "quote",
        "--product",
        "qcs-online",
        "--edition",
        "basic",
        "--quantity",
        "5",
        "--term",
        "2y",
    ]);
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("9,990.00\t"));
    let out = billrun(&[
        "quote",
        "--product",
        "cdp",
        "--quantity",
        "8000000",
        "--term",
        "1y",
    ]);
    assert!(String::from_utf8_lossy(&out.stdout).contains("800,000.00"));
    let out = billrun(&[
        "quote",
        "--product",
        "qcs-online",
        "--edition",
        "basic",
        "--quantity",
        "2",
        "--term",
        "1y",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("BELOW_MINIMUM"));
}

#[test]
fn quick_audience_samples_are_fully_priced_with_the_example_catalog() {
    let dir = tempfile::tempdir().unwrap();
    let v = json_of_success(&[
        "run",
        "samples/quick-audience",
        "--catalog",
        "samples/catalog.quick-audience.toml",
        "--out",
        dir.path().to_str().unwrap(),
        "--as-of",
        "2025-12-31",
        "--quiet",
        "--json",
    ]);
    assert_eq!(v["counts"]["mismatches"], 0);
    assert_eq!(v["totals"]["difference"], "0.00");
    assert_eq!(v["totals"]["usage_overage"], "1000.00");
    assert_eq!(v["totals"]["refunded"], "8734.97");
    // Every invalid combination is an exception naming what is wrong.
    let codes = &v["exceptions_by_code"];
    assert_eq!(codes["BAD_REGION"], 3);
    assert_eq!(codes["MISSING_REQUIREMENT"], 1);
    assert_eq!(codes["BAD_TERM"], 1);
    assert_eq!(codes["RECLAIMED"], 1);
    assert_eq!(v["counts"]["exceptions"], 6);

    // Without the example catalog nothing is priced silently: the qa lines have no price, and
    // what requires qa then finds nothing to build on.
    let out = billrun(&[
        "check",
        "samples/quick-audience",
        "--as-of",
        "2025-12-31",
        "--quiet",
        "--json",
    ]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["counts"]["lines"], 0);
    assert_eq!(v["exceptions_by_code"]["NO_PRICE"], 6);
    assert_eq!(v["counts"]["exceptions"], 20);
}

#[test]
fn reprice_shows_the_delta_of_a_raised_price_per_line_account_and_product() {
    let dir = tempfile::tempdir().unwrap();
    let out = billrun(&["catalog"]);
    let printed = String::from_utf8(out.stdout).unwrap();
    // Raise qcs-online basic from 999 to 1,099 and the qcs-phone minimum from 3 to 4 users.
    let basic = printed.find("[skus.qcs-online.editions.basic]").unwrap();
    let at = basic + printed[basic..].find("price = \"999\"").unwrap();
    let mut edited = format!("{}price = \"1099\"{}", &printed[..at], &printed[at + 13..]);
    let phone = edited.find("[skus.qcs-phone.editions.standard]").unwrap();
    let at = phone + edited[phone..].find("minimum = 3").unwrap();
    edited = format!("{}minimum = 4{}", &edited[..at], &edited[at + 11..]);
    let new = dir.path().join("new.toml");
    std::fs::write(&new, edited).unwrap();

    let v = json_of_success(&[
        "reprice",
        "--catalog",
        new.to_str().unwrap(),
        "samples",
        "--out",
        dir.path().to_str().unwrap(),
        "--as-of",
        "2026-11-30",
        "--quiet",
        "--json",
    ]);
    assert_eq!(
        v["only_baseline"], 3,
        "the three 3-user phone lines fall below the new minimum"
    );

    let book = dir.path().join("reprice.xlsx");
    let lines = sheet(&book, "Lines");
    let (oid, line, delta, new_status) = (
        col(&lines, "order_id"),
        col(&lines, "line"),
        col(&lines, "delta"),
        col(&lines, "new_status"),
    );
    let find = |o: &str, n: &str| {
        lines
            .iter()
            .find(|r| text(&r[oid]) == o && text(&r[line]) == n)
            .unwrap_or_else(|| panic!("no line {o}/{n}"))
    };
    // 5 users × 2 years × 100 more; the add-on 3 × (100 + 6 × 10).
    assert_eq!(find("Q-1001", "1")[delta], Data::Float(1000.0));
    assert_eq!(find("Q-1002", "1")[delta], Data::Float(480.0));
    assert_eq!(find("Q-1001", "2")[delta], Data::Float(0.0));
    let q1003 = find("Q-1003", "1");
    assert_eq!(text(&q1003[new_status]), "BELOW_MINIMUM");
    assert_eq!(q1003[delta], Data::Empty, "no delta without a new amount");

    let products = sheet(&book, "Products");
    let online = products
        .iter()
        .find(|r| text(&r[0]) == "qcs-online")
        .unwrap();
    let d = col(&products, "delta");
    assert!(matches!(online[d], Data::Float(x) if x > 0.0));
    let mut wb: Xlsx<_> = open_workbook(&book).unwrap();
    let _ = wb.worksheet_range("Summary").unwrap();
    assert!(wb.sheet_names().contains(&"Accounts".to_string()));
}

#[test]
fn revenue_for_a_period_reconciles_on_the_samples() {
    let dir = tempfile::tempdir().unwrap();
    let out = billrun(&[
        "run",
        "samples",
        "--out",
        dir.path().to_str().unwrap(),
        "--as-of",
        "2026-11-30",
        "--period",
        "2025-07",
        "--quiet",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let book = dir.path().join("invoices.xlsx");
    let rev = sheet(&book, "Revenue");
    let num = |r: &Vec<Data>, c: &str| match r[col(&rev, c)] {
        Data::Float(f) => (f * 100.0).round() as i64,
        ref other => panic!("{c}: {other:?}"),
    };
    let (mut lhs, mut rhs) = (0i64, 0i64);
    for r in rev.iter().skip(1) {
        let recognized = num(r, "recognized_before") + num(r, "recognized_in_period");
        let deferred = num(r, "deferred_at_end");
        // Each line: recognized to date + deferred = expected − refunded, to the cent.
        assert_eq!(
            recognized + deferred,
            num(r, "expected_amount") - num(r, "refunded"),
            "{r:?}"
        );
        lhs += recognized + deferred;
        rhs += num(r, "expected_amount") - num(r, "refunded");
    }
    assert_eq!(lhs, rhs);
    // The per-product totals add up to the same.
    let p = sheet(&book, "Revenue by product");
    let total = p.iter().find(|r| text(&r[0]) == "Total").unwrap();
    let cell = |c: &str| match total[col(&p, c)] {
        Data::Float(f) => (f * 100.0).round() as i64,
        ref other => panic!("{c}: {other:?}"),
    };
    assert_eq!(
        cell("recognized_before") + cell("recognized_in_period") + cell("deferred_at_end"),
        cell("expected_amount") - cell("refunded")
    );
    assert_eq!(cell("expected_amount") - cell("refunded"), rhs);
}

#[test]
fn csv_mirrors_and_no_progress_bar_off_a_terminal() {
    let dir = tempfile::tempdir().unwrap();
    let out = billrun(&[
        "run",
        "samples",
        "--out",
        dir.path().to_str().unwrap(),
        "--as-of",
        "2026-11-30",
        "--csv",
        "--json",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let outputs: Vec<String> = v["outputs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o.as_str().unwrap().to_string())
        .collect();
    for f in ["lines.csv", "refunds.csv", "exceptions.csv", "packs.csv"] {
        assert!(outputs.iter().any(|o| o.ends_with(f)), "{f} in {outputs:?}");
    }
    let read = |f: &str| std::fs::read_to_string(dir.path().join(f)).unwrap();
    let lines = read("lines.csv");
    assert!(lines.starts_with('\u{feff}'), "BOM for Excel");
    assert_eq!(
        lines.lines().count() - 1,
        v["counts"]["lines"].as_u64().unwrap() as usize,
        "one row per line"
    );
    let exceptions = read("exceptions.csv");
    assert!(
        exceptions.contains("\"'=HYPERLINK"),
        "formula-looking text neutralised"
    );
    assert!(!exceptions.contains(",=HYPERLINK"));
    let refunds = read("refunds.csv");
    assert!(refunds.contains("45000.00"), "the guide's PV refund");
    // stderr is a pipe here: the summary only, no progress bar redraws.
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!err.contains('\r'), "{err}");
    assert!(err.starts_with("read "), "{err}");
}

#[test]
fn lang_zh_writes_chinese_sheet_names_and_headers_in_every_workbook() {
    let dir = tempfile::tempdir().unwrap();
    let out = billrun(&[
        "run",
        "samples",
        "--out",
        dir.path().to_str().unwrap(),
        "--as-of",
        "2026-11-30",
        "--period",
        "2025-07",
        "--lang",
        "zh",
        "--quiet",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let latin = |s: &str| s.chars().any(|c| c.is_ascii_alphabetic());
    for book in ["invoices.xlsx", "refunds.xlsx"] {
        let path = dir.path().join(book);
        let wb: Xlsx<_> = open_workbook(&path).unwrap();
        let names = wb.sheet_names();
        assert!(names.iter().all(|n| !latin(n)), "{book}: {names:?}");
        for n in names.iter().filter(|n| n.as_str() != "汇总") {
            let rows = sheet(&path, n);
            for h in &rows[0] {
                let h = text(h);
                assert!(!latin(&h) || h == "客户ID", "{book} {n}: header {h}");
            }
        }
    }
    let lines = sheet(&dir.path().join("invoices.xlsx"), "明细");
    assert_eq!(text(&lines[0][0]), "订单号");
    assert!(sheet(&dir.path().join("invoices.xlsx"), "收入确认").len() > 1);
}

#[test]
fn shards_partition_the_accounts_and_their_mirrors_merge_to_the_whole() {
    let run = |dir: &Path, shard: Option<&str>| {
        let mut args = vec![
            "run",
            "samples",
            "--out",
            dir.to_str().unwrap(),
            "--as-of",
            "2026-11-30",
            "--csv",
            "--json",
            "--quiet",
        ];
        if let Some(s) = shard {
            args.extend(["--shard", s]);
        }
        let v = json_of_success(&args);
        let body = |f: &str| -> Vec<String> {
            std::fs::read_to_string(dir.join(f))
                .unwrap()
                .lines()
                .skip(1)
                .map(str::to_string)
                .collect()
        };
        (
            v,
            body("lines.csv"),
            body("exceptions.csv"),
            body("refunds.csv"),
        )
    };
    let whole_dir = tempfile::tempdir().unwrap();
    let (whole, lines, exceptions, refunds) = run(whole_dir.path(), None);
    let (mut all_lines, mut all_exc, mut all_ref) = (Vec::new(), Vec::new(), Vec::new());
    let mut accounts_seen = std::collections::HashMap::new();
    for k in 1..=3 {
        let dir = tempfile::tempdir().unwrap();
        let (v, l, e, r) = run(dir.path(), Some(&format!("{k}/3")));
        assert_eq!(v["counts"]["rows_read"], whole["counts"]["rows_read"]);
        for row in &l {
            let account = row.split(',').nth(2).unwrap().to_string();
            let prev = accounts_seen.insert(account.clone(), k);
            assert!(prev.is_none() || prev == Some(k), "{account} in two shards");
        }
        all_lines.extend(l);
        all_exc.extend(e);
        all_ref.extend(r);
    }
    for (mut part, mut whole) in [
        (all_lines, lines),
        (all_exc, exceptions),
        (all_ref, refunds),
    ] {
        part.sort();
        whole.sort();
        assert_eq!(
            part, whole,
            "the shards' mirrors together are the whole run's"
        );
    }
}

#[test]
fn the_samples_totals_add_up_unbilled_lines_included() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let v = json_of_success(&[
        "run",
        "samples",
        "--out",
        out.to_str().unwrap(),
        "--as-of",
        "2026-11-30",
        "--json",
    ]);
    let amount =
        |k: &str| -> rust_decimal::Decimal { v["totals"][k].as_str().unwrap().parse().unwrap() };
    // The unbilled cdp-service line (150,000.00) is in Expected, in neither Billed nor
    // Difference: Billed = Expected − Unbilled + Difference.
    assert_eq!(amount("unbilled").to_string(), "150000.00");
    assert_eq!(
        amount("billed"),
        amount("expected") - amount("unbilled") + amount("difference")
    );
    let summary = sheet(&out.join("invoices.xlsx"), "Summary");
    let check = summary
        .iter()
        .find(|r| r.first().map(text).as_deref() == Some("Totals check"))
        .expect("a Totals check row");
    assert_eq!(text(&check[1]), "OK");
}
