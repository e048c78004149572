//! Tests of the invoices.xlsx writer: a small hand-built report written and read back with
//! calamine (values, dates, formulas, sheet names), plus determinism and sheet splitting.
//! The read-back helpers are shared with the refunds.xlsx tests.

use super::formulas::cols;
use super::invoices::LINES;
use super::{InvoicesWriter, WriteOptions, write_invoices};
use crate::model::{ExceptionCode, OrderType, RowException, SourceRef};
use crate::report::{
    AccountTotal, Calc, Line, LineStatus, ProductTotal, Report, Revenue, RevenueRow, RevenueTotal,
    RunFacts, SubStatus, SubscriptionRow, UsageTotal,
};
use calamine::{Data, Range, Reader, Xlsx, open_workbook};
use chrono::NaiveDate;
use rust_decimal::Decimal;
use rust_decimal_macros::dec;
use std::path::{Path, PathBuf};
use std::sync::Arc;

pub(super) fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

pub(super) fn src(row: u32) -> SourceRef {
    SourceRef {
        file: Arc::from("orders.csv"),
        row,
    }
}

pub(super) fn sample() -> Report {
    let billed = Line {
        src: src(2),
        order_id: "ORD-1".into(),
        line: 1,
        account_id: "ACC-1".into(),
        order_date: d(2026, 1, 15),
        kind: OrderType::New,
        product: "qidian-kf".into(),
        edition: "standard".into(),
        quantity: 3,
        billable_quantity: dec!(3),
        term: "1y".into(),
        service_start: Some(d(2026, 1, 15)),
        service_end: Some(d(2027, 1, 15)),
        unit_price: dec!(999),
        full_years: 1,
        full_years_amount: dec!(2997),
        months: 0,
        months_amount: dec!(0),
        list_amount: dec!(2997),
        discount: dec!(0),
        expected_amount: dec!(2997.00),
        billed_amount: Some(dec!(3000.00)),
        difference: Some(dec!(3.00)),
        status: LineStatus::Mismatch,
        rule: "new 3 × 999 × 1y".into(),
        calc: Calc::TencentYears,
    };
    let unbilled = Line {
        src: src(3),
        order_id: "@ORD-2".into(),
        line: 1,
        account_id: "ACC-1".into(),
        order_date: d(2026, 2, 1),
        kind: OrderType::New,
        product: "sms-pack".into(),
        edition: String::new(),
        quantity: 2,
        billable_quantity: dec!(2),
        term: String::new(),
        service_start: None,
        service_end: None,
        unit_price: dec!(99.90),
        full_years: 0,
        full_years_amount: dec!(0),
        months: 0,
        months_amount: dec!(0),
        list_amount: dec!(199.80),
        discount: dec!(19.98),
        expected_amount: dec!(179.82),
        billed_amount: None,
        difference: None,
        status: LineStatus::Unbilled,
        rule: "-one-time 2 × 99.90 − 10%".into(),
        calc: Calc::OneTime,
    };
    let exception = RowException {
        src: src(4),
        order_id: "ORD-3".into(),
        account_id: "ACC-2".into(),
        column: "quantity".into(),
        value: "=1+1".into(),
        code: ExceptionCode::BadValue,
        message: "not a whole number".into(),
    };
    Report {
        facts: RunFacts {
            inputs: vec!["orders.csv".into(), "=cmd|' /C calc'!A0".into()],
            as_of: Some(d(2026, 3, 1)),
            period: None,
            catalog: "built-in".into(),
            tolerance: dec!(0.01),
            rows_read: 3,
            alert_below: dec!(10),
            ..RunFacts::default()
        },
        accounts: vec![AccountTotal {
            account_id: "ACC-1".into(),
            lines: 2,
            expected: dec!(3176.82),
            billed: dec!(3000.00),
            difference: dec!(3.00),
            mismatches: 1,
            exceptions: 0,
        }],
        products: vec![
            ProductTotal {
                product: "qidian-kf".into(),
                lines: 1,
                expected: dec!(2997.00),
                billed: dec!(3000.00),
                unbilled: dec!(0),
                difference: dec!(3.00),
            },
            ProductTotal {
                product: "sms-pack".into(),
                lines: 1,
                expected: dec!(179.82),
                billed: dec!(0),
                unbilled: dec!(179.82),
                difference: dec!(0),
            },
        ],
        subscriptions: vec![SubscriptionRow {
            account_id: "ACC-1".into(),
            product: "qidian-kf".into(),
            edition: "standard".into(),
            quantity: 3,
            start: d(2026, 1, 15),
            expiry: d(2027, 1, 15),
            status: SubStatus::Active,
            days_to_expiry: 320,
            reclaim_date: d(2027, 2, 14),
        }],
        packs: vec![],
        lines: vec![billed, unbilled],
        line_count: 2,
        exceptions: vec![exception],
        total_expected: dec!(3176.82),
        total_billed: dec!(3000.00),
        total_unbilled: dec!(179.82),
        total_difference: dec!(3.00),
        mismatches: 1,
        unbilled: 1,
        usage: vec![
            UsageTotal {
                account_id: "ACC-1".into(),
                metric: "pv".into(),
                rows: 2,
                used: 1_500_000,
                from_packs: 1_000_000,
                overdrawn: 500_000,
                overage_rate: None,
                overage_amount: None,
                note: "page views served with no quota".into(),
                unpriced: false,
            },
            UsageTotal {
                account_id: "ACC-1".into(),
                metric: "sms".into(),
                rows: 1,
                used: 12_345,
                from_packs: 10_000,
                overdrawn: 2_345,
                overage_rate: Some(dec!(0.045)),
                overage_amount: Some(dec!(105.53)),
                note: "=billed pay-as-you-go".into(),
                unpriced: false,
            },
        ],
        total_overage: dec!(105.53),
        ..Report::default()
    }
}

fn write(report: &Report, opts: &WriteOptions) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("invoices.xlsx");
    write_invoices(report, &path, opts).unwrap();
    (dir, path)
}

pub(super) fn open(path: &Path) -> Xlsx<std::io::BufReader<std::fs::File>> {
    open_workbook(path).unwrap()
}

/// The cell at Excel-style (row, column), 1-based row, as the sheet holds it.
pub(super) fn cell<'a>(range: &'a Range<Data>, row: u32, col: &str) -> &'a Data {
    range
        .get_value((row - 1, col_index(col)))
        .unwrap_or(&Data::Empty)
}

pub(super) fn formula<'a>(range: &'a Range<String>, row: u32, col: &str) -> &'a str {
    range
        .get_value((row - 1, col_index(col)))
        .map(String::as_str)
        .unwrap_or("")
}

pub(super) fn col_index(letters: &str) -> u32 {
    letters
        .bytes()
        .fold(0, |n, b| n * 26 + u32::from(b - b'A' + 1))
        - 1
}

pub(super) fn header(range: &Range<Data>) -> Vec<String> {
    range
        .rows()
        .next()
        .unwrap()
        .iter()
        .map(|c| c.to_string())
        .collect()
}

pub(super) fn excel_serial(date: NaiveDate) -> f64 {
    (date - d(1899, 12, 30)).num_days() as f64
}

pub(super) fn number(data: &Data) -> f64 {
    match data {
        Data::Float(f) => *f,
        Data::Int(i) => *i as f64,
        other => panic!("not a number: {other:?}"),
    }
}

pub(super) fn money(data: &Data) -> Decimal {
    Decimal::try_from(number(data)).unwrap().round_dp(2)
}

#[test]
fn writes_the_seven_sheets_with_the_spec_headers() {
    let (_dir, path) = write(&sample(), &WriteOptions::default());
    let mut wb = open(&path);
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
    let expect = [
        (
            "Lines",
            "order_id, line, account_id, order_date, type, product, edition, quantity, \
             billable_quantity, term, service_start, service_end, unit_price, full_years, \
             full_years_amount, months, months_amount, list_amount, discount, expected_amount, \
             billed_amount, difference, status, rule",
        ),
        (
            "Accounts",
            "account_id, lines, expected, billed, difference, mismatches, exceptions",
        ),
        (
            "Subscriptions",
            "account_id, product, edition, quantity, start, expiry, status, days_to_expiry, \
             reclaim_date",
        ),
        (
            "Packs",
            "account_id, order_id, pack, product, edition, size, bonus, purchased, expires, \
             used, remaining, overdrawn, status",
        ),
        (
            "Usage",
            "account_id, metric, rows, used, from_packs, overdrawn, overage_rate, \
             overage_amount, note",
        ),
        (
            "Exceptions",
            "source, row, order_id, account_id, column, value, code, message",
        ),
    ];
    for (sheet, headers) in expect {
        let range = wb.worksheet_range(sheet).unwrap();
        assert_eq!(header(&range).join(", "), headers, "{sheet}");
    }
    // No packs: the header alone.
    assert_eq!(wb.worksheet_range("Packs").unwrap().height(), 1);
    assert_eq!(wb.worksheet_range("Lines").unwrap().height(), 3);
}

#[test]
fn lines_column_letters_match_formula_cols() {
    let letter = |header: &str| {
        let i = LINES.iter().position(|c| c.header == header).unwrap();
        rust_xlsxwriter::utility::column_number_to_name(i as u16)
    };
    assert_eq!(letter("quantity"), cols::QUANTITY);
    assert_eq!(letter("billable_quantity"), cols::BILLABLE);
    assert_eq!(letter("unit_price"), cols::UNIT_PRICE);
    assert_eq!(letter("full_years"), cols::FULL_YEARS);
    assert_eq!(letter("full_years_amount"), cols::FULL_YEARS_AMOUNT);
    assert_eq!(letter("months"), cols::MONTHS);
    assert_eq!(letter("months_amount"), cols::MONTHS_AMOUNT);
    assert_eq!(letter("list_amount"), cols::LIST_AMOUNT);
    assert_eq!(letter("discount"), cols::DISCOUNT);
    assert_eq!(letter("expected_amount"), cols::EXPECTED);
    assert_eq!(letter("billed_amount"), cols::BILLED);
    assert_eq!(letter("difference"), cols::DIFFERENCE);
}

#[test]
fn lines_hold_real_dates_amounts_and_live_formulas() {
    let report = sample();
    let (_dir, path) = write(&report, &WriteOptions::default());
    let mut wb = open(&path);
    let lines = wb.worksheet_range("Lines").unwrap();

    match cell(&lines, 2, "D") {
        Data::DateTime(dt) => {
            assert!(dt.is_datetime());
            assert_eq!(dt.as_f64(), excel_serial(d(2026, 1, 15)));
        }
        other => panic!("order_date is not a date cell: {other:?}"),
    }
    assert!(matches!(cell(&lines, 2, "L"), Data::DateTime(_)));
    assert_eq!(cell(&lines, 3, "K"), &Data::Empty, "no service_start");
    assert_eq!(cell(&lines, 2, "A"), &Data::String("ORD-1".into()));
    assert_eq!(number(cell(&lines, 2, "H")), 3.0);
    assert_eq!(
        money(cell(&lines, 2, "T")),
        dec!(2997.00),
        "cached expected"
    );
    assert_eq!(money(cell(&lines, 3, "T")), dec!(179.82), "cached expected");
    assert_eq!(money(cell(&lines, 3, "M")), dec!(99.90));
    assert_eq!(money(cell(&lines, 2, "U")), dec!(3000.00));
    assert_eq!(money(cell(&lines, 2, "V")), dec!(3.00), "cached difference");
    assert_eq!(
        cell(&lines, 3, "U"),
        &Data::Empty,
        "unbilled: no billed amount"
    );
    assert_eq!(
        cell(&lines, 3, "V"),
        &Data::Empty,
        "unbilled: no difference"
    );
    assert_eq!(cell(&lines, 3, "W"), &Data::String("UNBILLED".into()));

    let f = wb.worksheet_formula("Lines").unwrap();
    assert_eq!(formula(&f, 2, "T"), "ROUND(R2-S2,2)");
    assert_eq!(formula(&f, 3, "T"), "ROUND(R3-S3,2)");
    assert_eq!(formula(&f, 2, "O"), "M2*I2*N2");
    assert_eq!(formula(&f, 2, "Q"), "MIN(M2/10*I2*P2,M2*I2)");
    assert_eq!(formula(&f, 2, "R"), "O2+Q2");
    assert_eq!(formula(&f, 3, "R"), "M3*I3");
    // A one-time item's years and months parts are fixed zeros, not `=0` formulas.
    assert_eq!(formula(&f, 3, "O"), "", "one-time: no years formula");
    assert_eq!(formula(&f, 3, "Q"), "", "one-time: no months formula");
    assert_eq!(money(cell(&lines, 3, "O")), dec!(0));
    assert_eq!(money(cell(&lines, 3, "Q")), dec!(0));
    assert_eq!(formula(&f, 2, "V"), "U2-T2");
    assert_eq!(formula(&f, 3, "V"), "", "unbilled: no difference formula");
    // Inputs, not results, stay plain numbers.
    for c in ["M", "S", "U"] {
        assert_eq!(formula(&f, 2, c), "", "{c}2");
    }
    // Each formula is the line's own, from Line::formulas.
    let own = crate::output::formulas::line_formulas(&report.lines[0], 2);
    assert_eq!(format!("={}", formula(&f, 2, "T")), own.expected_amount);
}

#[test]
fn no_formulas_writes_plain_values() {
    let opts = WriteOptions {
        formulas: false,
        ..WriteOptions::default()
    };
    let (_dir, path) = write(&sample(), &opts);
    let mut wb = open(&path);
    let f = wb.worksheet_formula("Lines").unwrap();
    assert!(f.used_cells().all(|(_, _, s)| s.is_empty()), "{f:?}");
    let lines = wb.worksheet_range("Lines").unwrap();
    assert_eq!(money(cell(&lines, 2, "O")), dec!(2997.00));
    assert_eq!(money(cell(&lines, 3, "R")), dec!(199.80));
    assert_eq!(money(cell(&lines, 3, "T")), dec!(179.82));
    assert_eq!(money(cell(&lines, 2, "V")), dec!(3.00));
    assert_eq!(cell(&lines, 3, "V"), &Data::Empty);
    let f = wb.worksheet_formula("Summary").unwrap();
    assert!(f.used_cells().all(|(_, _, s)| s.is_empty()), "{f:?}");
}

#[test]
fn the_key_figures_are_live_sums_over_every_lines_sheet() {
    let formulas = |max_rows_per_sheet| {
        let opts = WriteOptions {
            max_rows_per_sheet,
            ..WriteOptions::default()
        };
        let (_dir, path) = write(&sample(), &opts);
        let mut wb = open(&path);
        let f = wb.worksheet_formula("Summary").unwrap();
        let v = wb.worksheet_range("Summary").unwrap();
        let at = |label: &str| {
            let row = v
                .rows()
                .position(|r| r.first() == Some(&Data::String(label.into())))
                .unwrap();
            let formula = f.get_value((row as u32, 1)).cloned().unwrap_or_default();
            (formula, money(&v.rows().nth(row).unwrap()[1]))
        };
        ["Expected", "Billed", "Unbilled", "Difference"].map(at)
    };
    let [expected, billed, unbilled, difference] = formulas(1_048_575);
    assert_eq!(expected, ("SUM(Lines!T:T)".to_string(), dec!(3176.82)));
    assert_eq!(billed, ("SUM(Lines!U:U)".to_string(), dec!(3000.00)));
    assert_eq!(
        unbilled,
        ("SUMIFS(Lines!T:T,Lines!U:U,\"\")".to_string(), dec!(179.82))
    );
    assert_eq!(difference, ("SUM(Lines!V:V)".to_string(), dec!(3.00)));
    // Two lines, one a sheet: the sums run over both parts.
    let [expected, _, unbilled, _] = formulas(1);
    assert_eq!(
        expected,
        ("SUM(Lines!T:T,'Lines (2)'!T:T)".to_string(), dec!(3176.82))
    );
    assert!(
        unbilled.0.contains("+SUMIFS('Lines (2)'!T:T"),
        "{}",
        unbilled.0
    );
}

#[test]
fn text_that_looks_like_a_formula_stays_text() {
    let (_dir, path) = write(&sample(), &WriteOptions::default());
    let mut wb = open(&path);

    let exceptions = wb.worksheet_range("Exceptions").unwrap();
    assert_eq!(cell(&exceptions, 2, "F"), &Data::String("=1+1".into()));
    assert_eq!(
        cell(&exceptions, 2, "A"),
        &Data::String("orders.csv".into())
    );
    assert_eq!(number(cell(&exceptions, 2, "B")), 4.0);
    assert_eq!(cell(&exceptions, 2, "G"), &Data::String("BAD_VALUE".into()));
    let f = wb.worksheet_formula("Exceptions").unwrap();
    assert!(f.used_cells().all(|(_, _, s)| s.is_empty()), "{f:?}");

    let lines = wb.worksheet_range("Lines").unwrap();
    assert_eq!(cell(&lines, 3, "A"), &Data::String("@ORD-2".into()));
    assert_eq!(
        cell(&lines, 3, "X"),
        &Data::String("-one-time 2 × 99.90 − 10%".into())
    );

    let summary = wb.worksheet_range("Summary").unwrap();
    assert!(
        summary
            .used_cells()
            .any(|(_, _, c)| c == &Data::String("=cmd|' /C calc'!A0".into()))
    );
    // The only formulas on the Summary are billrun's own key figures.
    let f = wb.worksheet_formula("Summary").unwrap();
    assert!(
        f.used_cells().all(|(_, _, s)| s.is_empty()
            || s.starts_with("SUM(Lines!")
            || s.starts_with("SUMIFS(Lines!")),
        "{f:?}"
    );
}

#[test]
fn the_same_report_gives_identical_bytes() {
    let reports = [sample(), with_revenue()];
    let first: Vec<_> = reports
        .iter()
        .map(|r| write(r, &WriteOptions::default()))
        .collect();
    // rust_xlsxwriter stamps the current second unless the metadata is fixed: cross one.
    std::thread::sleep(std::time::Duration::from_millis(1100));
    for (report, (_dir, first)) in reports.iter().zip(&first) {
        let (_b, second) = write(report, &WriteOptions::default());
        assert_eq!(
            std::fs::read(first).unwrap(),
            std::fs::read(second).unwrap()
        );
    }
}

#[test]
fn summary_leads_with_key_figures_and_checks_the_counts() {
    let (_dir, path) = write(&sample(), &WriteOptions::default());
    let mut wb = open(&path);
    let summary = wb.worksheet_range("Summary").unwrap();
    let value_of = |label: &str| {
        let row = summary
            .rows()
            .position(|r| r.first() == Some(&Data::String(label.into())))
            .unwrap_or_else(|| panic!("no {label} row"));
        (row, summary.rows().nth(row).unwrap()[1].clone())
    };
    let (expected_row, expected) = value_of("Expected");
    assert!(expected_row < 5, "key figures at the top");
    assert_eq!(money(&expected), dec!(3176.82));
    assert_eq!(money(&value_of("Difference").1), dec!(3.00));
    // The unbilled line is in Expected but in neither Billed nor Difference.
    assert_eq!(money(&value_of("Unbilled").1), dec!(179.82));
    assert_eq!(number(&value_of("Unbilled lines").1), 1.0);
    assert_eq!(value_of("Totals check").1, Data::String("OK".into()));
    assert_eq!(value_of("Totals check").0, value_of("Difference").0 + 1);
    assert_eq!(number(&value_of("Rows read").1), 3.0);
    assert_eq!(number(&value_of("Rows accounted for").1), 3.0);
    assert_eq!(value_of("Check").1, Data::String("OK".into()));
    assert_eq!(money(&value_of("Usage overage").1), dec!(105.53));
    assert_eq!(money(&value_of("Refunded").1), dec!(0));
    let (refunded_row, _) = value_of("Refunded");
    assert_eq!(
        refunded_row,
        value_of("Totals check").0 + 1,
        "after Difference and its check"
    );
    assert_eq!(number(&value_of("Refund decisions").1), 0.0);
    assert_eq!(
        value_of("Low pack alert below").1,
        Data::String("10%".into())
    );
    assert!(matches!(value_of("As of").1, Data::DateTime(_)));

    let (header, _) = value_of("product");
    let row = |i: usize| summary.rows().nth(i).unwrap().to_vec();
    assert_eq!(
        row(header)[..6]
            .iter()
            .map(|c| c.to_string())
            .collect::<Vec<_>>(),
        [
            "product",
            "lines",
            "expected",
            "billed",
            "unbilled",
            "difference"
        ]
    );
    assert_eq!(
        money(&row(header + 2)[4]),
        dec!(179.82),
        "sms-pack unbilled"
    );
    assert_eq!(money(&row(header + 3)[4]), dec!(179.82), "total unbilled");
    assert_eq!(row(header + 1)[0], Data::String("qidian-kf".into()));
    assert_eq!(money(&row(header + 2)[2]), dec!(179.82));
    assert_eq!(row(header + 3)[0], Data::String("Total".into()));
}

#[test]
fn the_summary_has_one_chart_of_expected_vs_billed_by_product() {
    let (_dir, path) = write(&sample(), &WriteOptions::default());
    let mut zip = zip_names(&path);
    zip.retain(|n| n.starts_with("xl/charts/"));
    assert_eq!(zip, ["xl/charts/chart1.xml"]);
}

pub(super) fn zip_names(path: &Path) -> Vec<String> {
    // An xlsx is a zip: the central directory lists its parts. Read the names without a zip
    // dependency by scanning for the central-directory signature.
    let bytes = std::fs::read(path).unwrap();
    let mut names = Vec::new();
    let mut i = 0;
    while i + 46 <= bytes.len() {
        if bytes[i..i + 4] == [0x50, 0x4b, 0x01, 0x02] {
            let len = u16::from_le_bytes([bytes[i + 28], bytes[i + 29]]) as usize;
            names.push(String::from_utf8_lossy(&bytes[i + 46..i + 46 + len]).into_owned());
            i += 46 + len;
        } else {
            i += 1;
        }
    }
    names
}

#[test]
fn long_tables_continue_on_numbered_sheets() {
    let opts = WriteOptions {
        max_rows_per_sheet: 1,
        ..WriteOptions::default()
    };
    let (_dir, path) = write(&sample(), &opts);
    let mut wb = open(&path);
    assert_eq!(
        wb.sheet_names(),
        [
            "Summary",
            "Lines",
            "Lines (2)",
            "Accounts",
            "Subscriptions",
            "Packs",
            "Usage",
            "Usage (2)",
            "Exceptions"
        ]
    );
    let second = wb.worksheet_range("Lines (2)").unwrap();
    assert_eq!(second.height(), 2);
    assert_eq!(header(&second)[0], "order_id");
    assert_eq!(cell(&second, 2, "A"), &Data::String("@ORD-2".into()));
    let f = wb.worksheet_formula("Lines (2)").unwrap();
    assert_eq!(
        formula(&f, 2, "T"),
        "ROUND(R2-S2,2)",
        "formulas use the sheet's own rows"
    );
}

/// A streamed run hands the writer its lines in batches; however they are cut, across the
/// sheet split too, the workbook is the one written from the whole report.
#[test]
fn lines_written_in_batches_make_the_same_workbook() {
    let mut report = sample();
    let more = report.lines.clone();
    report.lines.extend(more.iter().cloned().map(|mut l| {
        l.order_id = format!("{}-b", l.order_id);
        l
    }));
    report.line_count = report.lines.len();
    for max_rows in [1, 3, 1_000] {
        let opts = WriteOptions {
            max_rows_per_sheet: max_rows,
            ..WriteOptions::default()
        };
        let (_whole_dir, whole) = write(&report, &opts);
        for cut in [1, 2, 3] {
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("invoices.xlsx");
            let mut writer = InvoicesWriter::begin(&path, &opts).unwrap();
            for batch in report.lines.chunks(cut) {
                writer.lines(batch).unwrap();
            }
            writer.finish(&report).unwrap();
            assert_eq!(
                std::fs::read(&path).unwrap(),
                std::fs::read(&whole).unwrap(),
                "{max_rows} rows a sheet, batches of {cut}"
            );
        }
    }
}

/// A writer dropped before `finish` (the run failed while pricing) leaves nothing behind:
/// no workbook and no spooled sheet.
#[test]
fn an_unfinished_writer_leaves_no_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("invoices.xlsx");
    let opts = WriteOptions::default();
    let mut writer = InvoicesWriter::begin(&path, &opts).unwrap();
    writer.lines(&sample().lines).unwrap();
    drop(writer);
    let left: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
    assert!(left.is_empty(), "{left:?}");
}

#[test]
fn an_empty_report_writes_headers_only() {
    let (dir, path) = write(&Report::default(), &WriteOptions::default());
    let mut wb = open(&path);
    for sheet in [
        "Lines",
        "Accounts",
        "Subscriptions",
        "Packs",
        "Usage",
        "Exceptions",
    ] {
        assert_eq!(wb.worksheet_range(sheet).unwrap().height(), 1, "{sheet}");
    }
    let names: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names, ["invoices.xlsx"], "no temporary file left behind");
}

#[test]
fn a_failed_write_names_the_file_and_leaves_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("missing").join("invoices.xlsx");
    let err = write_invoices(&sample(), &path, &WriteOptions::default()).unwrap_err();
    assert!(err.to_string().contains("invoices.xlsx"), "{err}");
    assert!(!path.exists());
}

#[test]
fn usage_totals_with_overage_formulas() {
    let (_dir, path) = write(&sample(), &WriteOptions::default());
    let mut wb = open(&path);
    let usage = wb.worksheet_range("Usage").unwrap();
    assert_eq!(usage.height(), 3);
    assert_eq!(cell(&usage, 2, "B"), &Data::String("pv".into()));
    assert_eq!(number(cell(&usage, 2, "D")), 1_500_000.0);
    assert_eq!(number(cell(&usage, 2, "F")), 500_000.0);
    assert_eq!(cell(&usage, 2, "G"), &Data::Empty, "no rate");
    assert_eq!(cell(&usage, 2, "H"), &Data::Empty, "no overage amount");
    assert_eq!(number(cell(&usage, 3, "C")), 1.0);
    assert_eq!(number(cell(&usage, 3, "E")), 10_000.0);
    assert_eq!(number(cell(&usage, 3, "G")), 0.045);
    assert_eq!(money(cell(&usage, 3, "H")), dec!(105.53), "cached overage");
    assert_eq!(
        cell(&usage, 3, "I"),
        &Data::String("=billed pay-as-you-go".into())
    );
    let f = wb.worksheet_formula("Usage").unwrap();
    assert_eq!(formula(&f, 3, "H"), "ROUND(F3*G3,2)");
    assert_eq!(formula(&f, 2, "H"), "");
    assert_eq!(formula(&f, 3, "I"), "", "a note stays text");

    let opts = WriteOptions {
        formulas: false,
        ..WriteOptions::default()
    };
    let (_dir, path) = write(&sample(), &opts);
    let mut wb = open(&path);
    let f = wb.worksheet_formula("Usage").unwrap();
    assert!(f.used_cells().all(|(_, _, s)| s.is_empty()), "{f:?}");
    let usage = wb.worksheet_range("Usage").unwrap();
    assert_eq!(money(cell(&usage, 3, "H")), dec!(105.53));
}

// Revenue recognition (with `--period`): the Revenue sheets and the Summary's revenue figures.

fn revenue_row(
    order_id: &str,
    account_id: &str,
    product: &str,
    [expected, before, in_period, deferred, refunded]: [Decimal; 5],
    method: &str,
) -> RevenueRow {
    RevenueRow {
        order_id: order_id.into(),
        line: 1,
        account_id: account_id.into(),
        product: product.into(),
        expected_amount: expected,
        recognized_before: before,
        recognized_in_period: in_period,
        deferred_at_end: deferred,
        refunded,
        method: method.into(),
    }
}

fn revenue_total(key: &str, lines: usize, amounts: [Decimal; 5]) -> RevenueTotal {
    let [expected, before, in_period, deferred, refunded] = amounts;
    RevenueTotal {
        key: key.into(),
        lines,
        expected_amount: expected,
        recognized_before: before,
        recognized_in_period: in_period,
        deferred_at_end: deferred,
        refunded,
    }
}

/// `sample()` run with `--period 2026-02`: ORD-1 straight-line over 365 days (17 days before
/// February, 28 in it), @ORD-2 one-time in February, ORD-4 refunded 900.00 of 1,200.00.
pub(super) fn revenue_sample() -> Revenue {
    Revenue {
        period: "2026-02".into(),
        lines: vec![
            revenue_row(
                "ORD-1",
                "ACC-1",
                "qidian-kf",
                [
                    dec!(2997.00),
                    dec!(139.59),
                    dec!(229.91),
                    dec!(2627.50),
                    dec!(0),
                ],
                "straight-line over 2026-01-15 – 2027-01-15",
            ),
            revenue_row(
                "@ORD-2",
                "ACC-1",
                "sms-pack",
                [dec!(179.82), dec!(0), dec!(179.82), dec!(0), dec!(0)],
                "one-time in 2026-02",
            ),
            revenue_row(
                "ORD-4",
                "ACC-2",
                "qidian-kf",
                [dec!(1200.00), dec!(300.00), dec!(0), dec!(0), dec!(900.00)],
                "=refunded 2026-02-10",
            ),
        ],
        accounts: vec![
            revenue_total(
                "ACC-1",
                2,
                [
                    dec!(3176.82),
                    dec!(139.59),
                    dec!(409.73),
                    dec!(2627.50),
                    dec!(0),
                ],
            ),
            revenue_total(
                "ACC-2",
                1,
                [dec!(1200.00), dec!(300.00), dec!(0), dec!(0), dec!(900.00)],
            ),
        ],
        products: vec![
            revenue_total(
                "qidian-kf",
                2,
                [
                    dec!(4197.00),
                    dec!(439.59),
                    dec!(229.91),
                    dec!(2627.50),
                    dec!(900.00),
                ],
            ),
            revenue_total(
                "sms-pack",
                1,
                [dec!(179.82), dec!(0), dec!(179.82), dec!(0), dec!(0)],
            ),
        ],
        total: revenue_total(
            "Total",
            3,
            [
                dec!(4376.82),
                dec!(439.59),
                dec!(409.73),
                dec!(2627.50),
                dec!(900.00),
            ],
        ),
    }
}

pub(super) fn with_revenue() -> Report {
    let mut report = sample();
    report.facts.period = Some("2026-02".into());
    report.revenue = Some(revenue_sample());
    report
}

/// Evaluates a formula made of cell references joined by `+` and `-` (`=D2-E2-F2-H2`) over
/// the sheet's values, as Excel would on recalculation.
pub(super) fn eval_sum(formula: &str, range: &Range<Data>) -> Decimal {
    let body = formula.strip_prefix('=').unwrap_or(formula);
    let mut total = Decimal::ZERO;
    let mut sign = Decimal::ONE;
    let mut term = String::new();
    let mut add = |term: &mut String, sign: Decimal| {
        let split = term.find(|c: char| c.is_ascii_digit()).unwrap();
        let (col, row) = term.split_at(split);
        total += sign * money(cell(range, row.parse().unwrap(), col));
        term.clear();
    };
    for ch in body.chars() {
        match ch {
            '+' | '-' => {
                add(&mut term, sign);
                sign = if ch == '-' {
                    -Decimal::ONE
                } else {
                    Decimal::ONE
                };
            }
            _ => term.push(ch),
        }
    }
    add(&mut term, sign);
    total
}

/// The row of the first cell in column A holding `label`, and the cells of that row.
pub(super) fn row_of(range: &Range<Data>, label: &str) -> (usize, Vec<Data>) {
    let i = range
        .rows()
        .position(|r| r.first() == Some(&Data::String(label.into())))
        .unwrap_or_else(|| panic!("no {label} row"));
    (i, range.rows().nth(i).unwrap().to_vec())
}

const REVENUE_SHEETS: [&str; 3] = ["Revenue", "Revenue by account", "Revenue by product"];

#[test]
fn revenue_sheets_come_only_with_a_period_after_usage() {
    let (_dir, path) = write(&sample(), &WriteOptions::default());
    let names = open(&path).sheet_names();
    assert!(
        names.iter().all(|n| !n.starts_with("Revenue")),
        "no revenue without a period: {names:?}"
    );

    let (_dir, path) = write(&with_revenue(), &WriteOptions::default());
    let mut wb = open(&path);
    assert_eq!(
        wb.sheet_names(),
        [
            "Summary",
            "Lines",
            "Accounts",
            "Subscriptions",
            "Packs",
            "Usage",
            "Revenue",
            "Revenue by account",
            "Revenue by product",
            "Exceptions"
        ]
    );
    let expect = [
        (
            "Revenue",
            "order_id, account_id, product, expected_amount, recognized_before, \
             recognized_in_period, deferred_at_end, refunded, line, method",
        ),
        (
            "Revenue by account",
            "account_id, lines, expected_amount, recognized_before, recognized_in_period, \
             deferred_at_end, refunded",
        ),
        (
            "Revenue by product",
            "product, lines, expected_amount, recognized_before, recognized_in_period, \
             deferred_at_end, refunded",
        ),
    ];
    for (sheet, headers) in expect {
        let range = wb.worksheet_range(sheet).unwrap();
        assert_eq!(header(&range).join(", "), headers, "{sheet}");
    }
    assert_eq!(wb.worksheet_range("Revenue").unwrap().height(), 4);
}

#[test]
fn deferred_at_end_is_a_live_formula_caching_its_own_arithmetic() {
    let report = with_revenue();
    let (_dir, path) = write(&report, &WriteOptions::default());
    let mut wb = open(&path);
    let revenue = wb.worksheet_range("Revenue").unwrap();
    let f = wb.worksheet_formula("Revenue").unwrap();
    let rows = &report.revenue.as_ref().unwrap().lines;
    for (i, row) in rows.iter().enumerate() {
        let r = i as u32 + 2;
        let text = formula(&f, r, "G");
        assert_eq!(text, format!("D{r}-E{r}-F{r}-H{r}"));
        let cached = money(cell(&revenue, r, "G"));
        assert_eq!(cached, row.deferred_at_end, "row {r}: the engine's value");
        assert_eq!(
            cached,
            eval_sum(text, &revenue),
            "row {r}: the cached value is what the formula computes"
        );
        assert_eq!(
            row.expected_amount - row.recognized_before - row.recognized_in_period - row.refunded,
            row.deferred_at_end,
            "row {r}: the sample obeys the law"
        );
        // Only deferred_at_end is computed: the other cells are plain values or text.
        for c in ["A", "D", "E", "F", "H", "I", "J"] {
            assert_eq!(formula(&f, r, c), "", "{c}{r}");
        }
    }
    assert_eq!(cell(&revenue, 3, "A"), &Data::String("@ORD-2".into()));
    assert_eq!(money(cell(&revenue, 2, "D")), dec!(2997.00));
    assert_eq!(money(cell(&revenue, 2, "E")), dec!(139.59));
    assert_eq!(money(cell(&revenue, 2, "F")), dec!(229.91));
    assert_eq!(money(cell(&revenue, 4, "H")), dec!(900.00));
    assert_eq!(number(cell(&revenue, 4, "I")), 1.0, "line");
    assert_eq!(
        cell(&revenue, 4, "J"),
        &Data::String("=refunded 2026-02-10".into()),
        "a method that looks like a formula stays text"
    );
}

#[test]
fn revenue_totals_by_account_and_product_end_with_a_total_row() {
    let (_dir, path) = write(&with_revenue(), &WriteOptions::default());
    let mut wb = open(&path);
    let accounts = wb.worksheet_range("Revenue by account").unwrap();
    assert_eq!(accounts.height(), 4, "header, two accounts, Total");
    assert_eq!(cell(&accounts, 2, "A"), &Data::String("ACC-1".into()));
    assert_eq!(number(cell(&accounts, 2, "B")), 2.0);
    assert_eq!(money(cell(&accounts, 2, "E")), dec!(409.73));
    assert_eq!(money(cell(&accounts, 3, "G")), dec!(900.00));
    assert_eq!(cell(&accounts, 4, "A"), &Data::String("Total".into()));

    let products = wb.worksheet_range("Revenue by product").unwrap();
    assert_eq!(products.height(), 4);
    assert_eq!(cell(&products, 3, "A"), &Data::String("sms-pack".into()));
    assert_eq!(money(cell(&products, 3, "E")), dec!(179.82));
    let total = row_of(&products, "Total").1;
    assert_eq!(number(&total[1]), 3.0);
    let amounts: Vec<_> = total[2..7].iter().map(money).collect();
    assert_eq!(
        amounts,
        [
            dec!(4376.82),
            dec!(439.59),
            dec!(409.73),
            dec!(2627.50),
            dec!(900.00)
        ]
    );
    // Recognized to date plus deferred is expected minus refunded, on the Total row too.
    assert_eq!(
        amounts[1] + amounts[2] + amounts[3],
        amounts[0] - amounts[4]
    );
    for sheet in ["Revenue by account", "Revenue by product"] {
        let f = wb.worksheet_formula(sheet).unwrap();
        assert!(f.used_cells().all(|(_, _, s)| s.is_empty()), "{sheet}");
    }
}

#[test]
fn no_formulas_writes_plain_revenue_values() {
    let opts = WriteOptions {
        formulas: false,
        ..WriteOptions::default()
    };
    let (_dir, path) = write(&with_revenue(), &opts);
    let mut wb = open(&path);
    for sheet in REVENUE_SHEETS.into_iter().chain(["Summary"]) {
        let f = wb.worksheet_formula(sheet).unwrap();
        assert!(
            f.used_cells().all(|(_, _, s)| s.is_empty()),
            "{sheet}: {f:?}"
        );
    }
    let revenue = wb.worksheet_range("Revenue").unwrap();
    let deferred: Vec<_> = (2..=4).map(|r| money(cell(&revenue, r, "G"))).collect();
    assert_eq!(deferred, [dec!(2627.50), dec!(0), dec!(0)]);
}

#[test]
fn long_revenue_tables_continue_and_the_total_never_passes_the_limit() {
    let opts = WriteOptions {
        max_rows_per_sheet: 2,
        ..WriteOptions::default()
    };
    let (_dir, path) = write(&with_revenue(), &opts);
    let mut wb = open(&path);
    let names = wb.sheet_names();
    let revenue_names: Vec<_> = names.iter().filter(|n| n.starts_with("Revenue")).collect();
    assert_eq!(
        revenue_names,
        [
            "Revenue",
            "Revenue (2)",
            "Revenue by account",
            "Revenue by account (2)",
            "Revenue by product",
            "Revenue by product (2)"
        ]
    );
    // Two accounts fill the first sheet: the Total goes on a sheet of its own.
    let first = wb.worksheet_range("Revenue by account").unwrap();
    assert_eq!(first.height(), 3);
    let rest = wb.worksheet_range("Revenue by account (2)").unwrap();
    assert_eq!(header(&rest)[0], "account_id");
    assert_eq!(rest.height(), 2);
    assert_eq!(cell(&rest, 2, "A"), &Data::String("Total".into()));
    assert_eq!(money(cell(&rest, 2, "C")), dec!(4376.82));
    // The continued Revenue sheet's formulas use its own rows.
    let f = wb.worksheet_formula("Revenue (2)").unwrap();
    assert_eq!(formula(&f, 2, "G"), "D2-E2-F2-H2");
    let range = wb.worksheet_range("Revenue (2)").unwrap();
    assert_eq!(cell(&range, 2, "A"), &Data::String("ORD-4".into()));
}

#[test]
fn summary_shows_the_period_revenue_and_a_second_chart() {
    let (_dir, path) = write(&with_revenue(), &WriteOptions::default());
    let mut wb = open(&path);
    let summary = wb.worksheet_range("Summary").unwrap();
    let (expected_row, expected) = row_of(&summary, "Expected");
    assert!(expected_row < 5, "key figures stay at the top");
    assert_eq!(money(&expected[1]), dec!(3176.82));

    let (section, _) = row_of(&summary, "Revenue 2026-02");
    let (run, _) = row_of(&summary, "Run");
    assert!(expected_row < section && section < run, "after Key figures");
    let figure = |i: usize| summary.rows().nth(section + i).unwrap().to_vec();
    assert_eq!(figure(1)[0], Data::String("Recognized in period".into()));
    assert_eq!(money(&figure(1)[1]), dec!(409.73));
    assert_eq!(figure(2)[0], Data::String("Deferred at end".into()));
    assert_eq!(money(&figure(2)[1]), dec!(2627.50));
    assert_eq!(figure(3)[0], Data::String("Recognized before".into()));
    assert_eq!(money(&figure(3)[1]), dec!(439.59));

    // The table the revenue chart reads, under the expected-vs-billed table.
    let (title, _) = row_of(&summary, "Recognized revenue by product, 2026-02");
    let (by_product, _) = row_of(&summary, "By product");
    assert!(title > by_product);
    let row = |i: usize| summary.rows().nth(i).unwrap().to_vec();
    assert_eq!(
        row(title + 1)[..2]
            .iter()
            .map(|c| c.to_string())
            .collect::<Vec<_>>(),
        ["product", "recognized_in_period"]
    );
    assert_eq!(row(title + 2)[0], Data::String("qidian-kf".into()));
    assert_eq!(money(&row(title + 2)[1]), dec!(229.91));
    assert_eq!(row(title + 3)[0], Data::String("sms-pack".into()));
    assert_eq!(money(&row(title + 3)[1]), dec!(179.82));
    assert_eq!(row(title + 4)[0], Data::String("Total".into()));
    assert_eq!(money(&row(title + 4)[1]), dec!(409.73));

    let mut charts = zip_names(&path);
    charts.retain(|n| n.starts_with("xl/charts/"));
    charts.sort();
    assert_eq!(charts, ["xl/charts/chart1.xml", "xl/charts/chart2.xml"]);
}

#[test]
fn without_revenue_the_summary_has_no_revenue_section() {
    let (_dir, path) = write(&sample(), &WriteOptions::default());
    let mut wb = open(&path);
    let summary = wb.worksheet_range("Summary").unwrap();
    assert!(!summary.used_cells().any(|(_, _, c)| {
        matches!(c, Data::String(s) if s.starts_with("Revenue") || s.starts_with("Recognized"))
    }));
}
