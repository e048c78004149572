//! Tests of the CSV mirrors: a hand-built report written to a temporary folder and read back
//! with the `csv` crate: headers shared with the xlsx sheets, the BOM, RFC 4180 quoting,
//! injection neutralised in text but not in our own negative amounts, and identical bytes
//! on a second write.

use super::{cents, neutralise, write_mirrors};
use crate::model::{ExceptionCode, OrderType, RowException, SourceRef};
use crate::output::OutputError;
use crate::output::invoices::{EXCEPTIONS, LINES, PACKS};
use crate::output::refunds::REFUNDS;
use crate::output::table::Column;
use crate::report::{
    Calc, Decision, Line, LineStatus, PackRow, PackStatus, RefundCalc, RefundRow, Report,
};
use chrono::NaiveDate;
use rust_decimal_macros::dec;
use std::path::Path;
use std::sync::Arc;

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

fn src(row: u32) -> SourceRef {
    SourceRef {
        file: Arc::from("orders.csv"),
        row,
    }
}

fn line(order_id: &str, billed: Option<rust_decimal::Decimal>) -> Line {
    let expected = dec!(1000.00);
    Line {
        src: src(2),
        order_id: order_id.into(),
        line: 1,
        account_id: "ACC-1".into(),
        order_date: d(2026, 1, 15),
        kind: OrderType::New,
        product: "qidian-kf".into(),
        edition: "标准版".into(),
        quantity: 10,
        billable_quantity: dec!(10),
        term: "1y".into(),
        service_start: Some(d(2026, 1, 15)),
        service_end: Some(d(2027, 1, 15)),
        unit_price: dec!(99.90),
        full_years: 1,
        full_years_amount: dec!(999.0),
        months: 0,
        months_amount: dec!(0),
        list_amount: dec!(999.0),
        discount: dec!(-1.00),
        expected_amount: expected,
        billed_amount: billed,
        difference: billed.map(|b| b - expected),
        status: if billed.is_some() {
            LineStatus::Mismatch
        } else {
            LineStatus::Unbilled
        },
        rule: "new 10 × 99.90 × 1y, \"list\"".into(),
        calc: Calc::TencentYears,
    }
}

fn sample() -> Report {
    let refund = RefundRow {
        src: src(3),
        refund_order_id: "R-1".into(),
        ref_order_id: "ORD-1".into(),
        account_id: "ACC-1".into(),
        product: "qidian-kf".into(),
        edition: "标准版".into(),
        refund_date: d(2026, 1, 20),
        reason: "no_reason".into(),
        original_type: Some(OrderType::New),
        start_date: Some(d(2026, 1, 15)),
        days_since_start: Some(5),
        paid: dec!(800.6),
        voucher_kept: dec!(0),
        used_quantity: None,
        used_value: None,
        refund_amount: dec!(800.60),
        decision: Decision::Approved,
        rule: "-within 7 days".into(),
        calc: RefundCalc::Full,
        packs: Vec::new(),
    };
    let exception = RowException {
        src: src(4),
        order_id: "ORD-9".into(),
        account_id: "ACC-2".into(),
        column: "quantity".into(),
        value: "-30".into(),
        code: ExceptionCode::BadValue,
        message: "@quantity must be positive".into(),
    };
    let pack = PackRow {
        account_id: "ACC-1".into(),
        order_id: "+P-1".into(),
        pack: 1,
        product: "qdm-pv".into(),
        edition: String::new(),
        size: 1_000_000,
        bonus: 0,
        purchased: d(2026, 1, 10),
        expires: None,
        used: 250_000,
        remaining: 750_000,
        overdrawn: 0,
        status: PackStatus::Active,
    };
    Report {
        lines: vec![
            line("=HYPERLINK(\"x\")", Some(dec!(800.60))),
            line("ORD-2", None),
        ],
        refunds: vec![refund],
        exceptions: vec![exception],
        packs: vec![pack],
        ..Report::default()
    }
}

fn read(path: &Path) -> (Vec<String>, Vec<Vec<String>>) {
    let bytes = std::fs::read(path).unwrap();
    assert!(
        bytes.starts_with(b"\xEF\xBB\xBF"),
        "{}: no BOM",
        path.display()
    );
    let body = &bytes[3..];
    assert!(!body.contains(&b'\r'), "{}: CR found", path.display());
    assert!(body.ends_with(b"\n"));
    let mut rdr = csv::Reader::from_reader(body);
    let headers = rdr.headers().unwrap().iter().map(String::from).collect();
    let rows = rdr
        .records()
        .map(|r| r.unwrap().iter().map(String::from).collect())
        .collect();
    (headers, rows)
}

fn names(columns: &[Column]) -> Vec<String> {
    columns.iter().map(|c| c.header.to_string()).collect()
}

fn field<'a>(headers: &[String], row: &'a [String], name: &str) -> &'a str {
    let i = headers.iter().position(|h| h == name).unwrap();
    &row[i]
}

#[test]
fn writes_four_files_with_the_xlsx_headers() {
    let dir = tempfile::tempdir().unwrap();
    let paths = write_mirrors(&sample(), dir.path()).unwrap();
    let expected = ["lines.csv", "refunds.csv", "exceptions.csv", "packs.csv"];
    assert_eq!(
        paths,
        expected.map(|n| dir.path().join(n)).to_vec(),
        "paths in order"
    );
    for (path, columns, rows) in [
        (&paths[0], LINES, 2),
        (&paths[1], REFUNDS, 1),
        (&paths[2], EXCEPTIONS, 1),
        (&paths[3], PACKS, 1),
    ] {
        let (headers, records) = read(path);
        assert_eq!(headers, names(columns), "{}", path.display());
        assert_eq!(records.len(), rows, "{}", path.display());
    }
    // No temporary file is left beside them.
    let mut entries: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    entries.sort();
    let mut sorted = expected.map(String::from).to_vec();
    sorted.sort();
    assert_eq!(entries, sorted);
}

#[test]
fn lines_hold_plain_values_and_neutralised_text() {
    let dir = tempfile::tempdir().unwrap();
    let paths = write_mirrors(&sample(), dir.path()).unwrap();
    let (h, rows) = read(&paths[0]);
    let (first, second) = (&rows[0], &rows[1]);
    assert_eq!(field(&h, first, "order_id"), "'=HYPERLINK(\"x\")");
    assert_eq!(field(&h, first, "order_date"), "2026-01-15");
    assert_eq!(field(&h, first, "service_end"), "2027-01-15");
    assert_eq!(field(&h, first, "type"), "new");
    assert_eq!(field(&h, first, "edition"), "标准版");
    assert_eq!(field(&h, first, "quantity"), "10");
    assert_eq!(field(&h, first, "unit_price"), "99.9");
    assert_eq!(field(&h, first, "full_years_amount"), "999.00");
    assert_eq!(field(&h, first, "months_amount"), "0.00");
    assert_eq!(field(&h, first, "discount"), "-1.00");
    assert_eq!(field(&h, first, "expected_amount"), "1000.00");
    assert_eq!(field(&h, first, "billed_amount"), "800.60");
    // Our own negative number stays a number.
    assert_eq!(field(&h, first, "difference"), "-199.40");
    assert_eq!(field(&h, first, "status"), "MISMATCH");
    assert_eq!(field(&h, first, "rule"), "new 10 × 99.90 × 1y, \"list\"");
    // Nothing billed: both fields empty.
    assert_eq!(field(&h, second, "billed_amount"), "");
    assert_eq!(field(&h, second, "difference"), "");
    assert_eq!(field(&h, second, "status"), "UNBILLED");

    // RFC 4180 on disk: the quotes doubled inside a quoted field, no thousands separators.
    let raw = std::fs::read_to_string(&paths[0]).unwrap();
    assert!(raw.contains(r#""'=HYPERLINK(""x"")""#), "{raw}");
    assert!(raw.contains(",1000.00,800.60,-199.40,MISMATCH,"), "{raw}");
}

#[test]
fn other_tables_neutralise_text_only() {
    let dir = tempfile::tempdir().unwrap();
    let paths = write_mirrors(&sample(), dir.path()).unwrap();

    let (h, rows) = read(&paths[1]);
    assert_eq!(field(&h, &rows[0], "refund_date"), "2026-01-20");
    assert_eq!(field(&h, &rows[0], "paid"), "800.60");
    assert_eq!(field(&h, &rows[0], "voucher_kept"), "0.00");
    assert_eq!(field(&h, &rows[0], "days_since_start"), "5");
    assert_eq!(field(&h, &rows[0], "used_quantity"), "");
    assert_eq!(field(&h, &rows[0], "used_value"), "");
    assert_eq!(field(&h, &rows[0], "decision"), "APPROVED");
    assert_eq!(field(&h, &rows[0], "rule"), "'-within 7 days");

    let (h, rows) = read(&paths[2]);
    assert_eq!(field(&h, &rows[0], "source"), "orders.csv");
    assert_eq!(field(&h, &rows[0], "row"), "4");
    assert_eq!(field(&h, &rows[0], "value"), "'-30");
    assert_eq!(field(&h, &rows[0], "code"), "BAD_VALUE");
    assert_eq!(
        field(&h, &rows[0], "message"),
        "'@quantity must be positive"
    );

    let (h, rows) = read(&paths[3]);
    assert_eq!(field(&h, &rows[0], "order_id"), "'+P-1");
    assert_eq!(field(&h, &rows[0], "size"), "1000000");
    assert_eq!(field(&h, &rows[0], "purchased"), "2026-01-10");
    assert_eq!(field(&h, &rows[0], "expires"), "");
    assert_eq!(field(&h, &rows[0], "status"), "ACTIVE");
}

#[test]
fn an_empty_report_writes_headers_only() {
    let dir = tempfile::tempdir().unwrap();
    let paths = write_mirrors(&Report::default(), dir.path()).unwrap();
    let (headers, rows) = read(&paths[0]);
    assert_eq!(headers, names(LINES));
    assert!(rows.is_empty());
}

#[test]
fn two_writes_give_identical_bytes() {
    let report = sample();
    let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let first = write_mirrors(&report, a.path()).unwrap();
    let second = write_mirrors(&report, b.path()).unwrap();
    for (x, y) in first.iter().zip(&second) {
        assert_eq!(std::fs::read(x).unwrap(), std::fs::read(y).unwrap());
    }
    // Rewriting in place replaces the files with the same bytes.
    let before = std::fs::read(&first[0]).unwrap();
    write_mirrors(&report, a.path()).unwrap();
    assert_eq!(std::fs::read(&first[0]).unwrap(), before);
}

#[test]
fn a_missing_folder_is_an_error_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("nope");
    let err = write_mirrors(&sample(), &missing).unwrap_err();
    assert!(matches!(err, OutputError::Io { .. }), "{err:?}");
    assert!(err.to_string().contains("lines.csv"), "{err}");
}

#[test]
fn neutralise_quotes_text_a_spreadsheet_would_evaluate() {
    for (text, want) in [
        ("=1+1", "'=1+1"),
        ("+41 555", "'+41 555"),
        ("-30", "'-30"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("\0=1", "'\0=1"),
        ("=HYPERLINK(\"x\")", "'=HYPERLINK(\"x\")"),
    ] {
        assert_eq!(neutralise(text), want, "{text:?}");
    }
    for text in ["", "ORD-1", "a=1", " =1", "'=1", "企业版", "1-2"] {
        assert_eq!(neutralise(text), text, "{text:?}");
    }
}

#[test]
fn amounts_have_exactly_two_decimals() {
    for (value, want) in [
        (dec!(1234.5), "1234.50"),
        (dec!(1234.50), "1234.50"),
        (dec!(-199.4), "-199.40"),
        (dec!(7), "7.00"),
        (dec!(0.005), "0.01"),
        (dec!(-0.005), "-0.01"),
        (dec!(2.345), "2.35"),
        (dec!(-0.001), "0.00"),
        (dec!(1000000000000), "1000000000000.00"),
    ] {
        assert_eq!(cents(value).to_string(), want, "{value}");
    }
}
