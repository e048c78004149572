//! Tests of the refunds.xlsx writer: a hand-built report with the guide's pack refund (three
//! 1m PV packs paid 30,000 each, used 1,000,000 / 500,000 / 0 → 45,000.00), written and read
//! back with calamine: sheets, headers, formulas with cached values, dates, determinism and
//! the plain-value fallback when a pack range would cross a sheet split.

use super::tests::{cell, d, excel_serial, formula, header, money, number, open, src, zip_names};
use super::{WriteOptions, write_refunds};
use crate::model::OrderType;
use crate::report::{Decision, PackRefund, RefundCalc, RefundRow, RefundTotal, Report, RunFacts};
use calamine::{Data, Reader};
use rust_decimal_macros::dec;
use std::path::PathBuf;

fn pv_pack(pack: u32, used: u64) -> PackRefund {
    let unit_value = dec!(0.03);
    let used_value = unit_value * rust_decimal::Decimal::from(used);
    let paid = dec!(30000.00);
    PackRefund {
        pack,
        product: "qdm-pv".into(),
        edition: String::new(),
        size: 1_000_000,
        used,
        unit_value,
        used_value,
        paid,
        refund: (paid - used_value).max(dec!(0)),
    }
}

pub(super) fn sample() -> Report {
    let full = RefundRow {
        src: src(10),
        refund_order_id: "R-1".into(),
        ref_order_id: "ORD-1".into(),
        account_id: "ACC-1".into(),
        product: "qidian-kf".into(),
        edition: "standard".into(),
        refund_date: d(2026, 1, 20),
        reason: "no_reason".into(),
        original_type: Some(OrderType::New),
        start_date: Some(d(2026, 1, 15)),
        days_since_start: Some(5),
        paid: dec!(3000.00),
        voucher_kept: dec!(500.00),
        used_quantity: None,
        used_value: None,
        refund_amount: dec!(2500.00),
        decision: Decision::Approved,
        rule: "within 7 days: 3,000.00 − voucher 500.00".into(),
        calc: RefundCalc::Full,
        packs: Vec::new(),
    };
    let packs = RefundRow {
        src: src(11),
        refund_order_id: "R-2".into(),
        ref_order_id: "P-1".into(),
        account_id: "ACC-1".into(),
        product: "qdm-pv".into(),
        edition: String::new(),
        refund_date: d(2026, 2, 10),
        reason: "defect".into(),
        original_type: Some(OrderType::New),
        start_date: Some(d(2026, 1, 10)),
        days_since_start: Some(31),
        paid: dec!(90000.00),
        voucher_kept: dec!(0),
        used_quantity: Some(1_500_000),
        used_value: Some(dec!(45000.00)),
        refund_amount: dec!(45000.00),
        decision: Decision::Approved,
        rule: "-packs: 0 + 15,000.00 + 30,000.00".into(),
        calc: RefundCalc::Packs,
        packs: vec![pv_pack(1, 1_000_000), pv_pack(2, 500_000), pv_pack(3, 0)],
    };
    let rejected = RefundRow {
        src: src(12),
        refund_order_id: "R-3".into(),
        ref_order_id: "ORD-9".into(),
        account_id: "ACC-2".into(),
        product: String::new(),
        edition: String::new(),
        refund_date: d(2026, 2, 12),
        reason: "=other".into(),
        original_type: None,
        start_date: None,
        days_since_start: None,
        paid: dec!(0),
        voucher_kept: dec!(0),
        used_quantity: None,
        used_value: None,
        refund_amount: dec!(0),
        decision: Decision::Rejected,
        rule: "refunded order not found".into(),
        calc: RefundCalc::Nothing,
        packs: Vec::new(),
    };
    Report {
        facts: RunFacts {
            inputs: vec!["orders.csv".into()],
            as_of: Some(d(2026, 3, 1)),
            period: Some("2026-02".into()),
            catalog: "built-in".into(),
            refunds: 3,
            ..RunFacts::default()
        },
        refunds: vec![full, packs, rejected],
        refund_totals: vec![
            RefundTotal {
                product: "qdm-pv".into(),
                approved: 1,
                approved_paid: dec!(90000.00),
                approved_amount: dec!(45000.00),
                voucher_kept: dec!(0),
                rejected: 0,
                rejected_paid: dec!(0),
            },
            RefundTotal {
                product: "qidian-kf".into(),
                approved: 1,
                approved_paid: dec!(3000.00),
                approved_amount: dec!(2500.00),
                voucher_kept: dec!(500.00),
                rejected: 1,
                rejected_paid: dec!(0),
            },
        ],
        total_refunded: dec!(47500.00),
        total_voucher_kept: dec!(500.00),
        ..Report::default()
    }
}

fn write(report: &Report, opts: &WriteOptions) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("refunds.xlsx");
    write_refunds(report, &path, opts).unwrap();
    (dir, path)
}

#[test]
fn writes_summary_refunds_and_packs_with_the_spec_headers() {
    let (_dir, path) = write(&sample(), &WriteOptions::default());
    let mut wb = open(&path);
    assert_eq!(wb.sheet_names(), ["Summary", "Refunds", "Packs"]);
    let refunds = wb.worksheet_range("Refunds").unwrap();
    assert_eq!(
        header(&refunds).join(", "),
        "refund_order_id, ref_order_id, account_id, product, edition, refund_date, reason, \
         original_type, start_date, days_since_start, paid, voucher_kept, used_quantity, \
         used_value, refund_amount, decision, rule"
    );
    assert_eq!(refunds.height(), 4);
    let packs = wb.worksheet_range("Packs").unwrap();
    assert_eq!(
        header(&packs).join(", "),
        "refund_order_id, account_id, order_id, pack, product, edition, size, used, \
         used_value, paid, refund"
    );
    assert_eq!(packs.height(), 4);
}

#[test]
fn refunds_hold_dates_amounts_and_live_formulas() {
    let (_dir, path) = write(&sample(), &WriteOptions::default());
    let mut wb = open(&path);
    let refunds = wb.worksheet_range("Refunds").unwrap();

    match cell(&refunds, 2, "F") {
        Data::DateTime(dt) => {
            assert!(dt.is_datetime());
            assert_eq!(dt.as_f64(), excel_serial(d(2026, 1, 20)));
        }
        other => panic!("refund_date is not a date cell: {other:?}"),
    }
    assert!(matches!(cell(&refunds, 2, "I"), Data::DateTime(_)));
    assert_eq!(cell(&refunds, 4, "I"), &Data::Empty, "no start_date");
    assert_eq!(cell(&refunds, 4, "J"), &Data::Empty, "no days_since_start");
    assert_eq!(cell(&refunds, 4, "H"), &Data::Empty, "no original_type");
    assert_eq!(cell(&refunds, 2, "H"), &Data::String("new".into()));
    assert_eq!(number(cell(&refunds, 3, "J")), 31.0);
    assert_eq!(number(cell(&refunds, 3, "M")), 1_500_000.0);
    assert_eq!(cell(&refunds, 2, "M"), &Data::Empty, "no used_quantity");
    assert_eq!(money(cell(&refunds, 3, "N")), dec!(45000.00));
    assert_eq!(money(cell(&refunds, 2, "K")), dec!(3000.00));
    assert_eq!(money(cell(&refunds, 2, "L")), dec!(500.00));
    assert_eq!(money(cell(&refunds, 2, "O")), dec!(2500.00), "cached full");
    assert_eq!(
        money(cell(&refunds, 3, "O")),
        dec!(45000.00),
        "cached packs"
    );
    assert_eq!(money(cell(&refunds, 4, "O")), dec!(0));
    assert_eq!(cell(&refunds, 2, "P"), &Data::String("APPROVED".into()));
    assert_eq!(cell(&refunds, 4, "P"), &Data::String("REJECTED".into()));
    // Text that looks like a formula stays text.
    assert_eq!(cell(&refunds, 4, "G"), &Data::String("=other".into()));
    assert_eq!(
        cell(&refunds, 3, "Q"),
        &Data::String("-packs: 0 + 15,000.00 + 30,000.00".into())
    );

    let f = wb.worksheet_formula("Refunds").unwrap();
    assert_eq!(formula(&f, 2, "O"), "K2-L2");
    assert_eq!(formula(&f, 3, "O"), "SUM(Packs!K2:K4)");
    assert_eq!(formula(&f, 4, "O"), "", "a rejection is a plain 0");
    for c in ["G", "Q", "K", "L", "N"] {
        assert_eq!(formula(&f, 4, c), "", "{c}4");
        assert_eq!(formula(&f, 3, c), "", "{c}3");
    }

    let packs = wb.worksheet_range("Packs").unwrap();
    assert_eq!(number(cell(&packs, 3, "D")), 2.0);
    assert_eq!(number(cell(&packs, 3, "G")), 1_000_000.0);
    assert_eq!(number(cell(&packs, 3, "H")), 500_000.0);
    let refunds_of_packs: Vec<_> = (2..=4).map(|r| money(cell(&packs, r, "K"))).collect();
    assert_eq!(refunds_of_packs, [dec!(0), dec!(15000.00), dec!(30000.00)]);
    assert_eq!(
        money(cell(&packs, 2, "I")),
        dec!(30000.00),
        "cached used value"
    );
    assert_eq!(money(cell(&packs, 3, "J")), dec!(30000.00));
    let f = wb.worksheet_formula("Packs").unwrap();
    assert_eq!(formula(&f, 2, "I"), "H2*0.03");
    assert_eq!(formula(&f, 3, "K"), "ROUND(MAX(0,J3-I3),2)");
    assert_eq!(formula(&f, 3, "J"), "", "paid is an input");
}

#[test]
fn no_formulas_writes_plain_refund_values() {
    let opts = WriteOptions {
        formulas: false,
        ..WriteOptions::default()
    };
    let (_dir, path) = write(&sample(), &opts);
    let mut wb = open(&path);
    for sheet in ["Summary", "Refunds", "Packs"] {
        let f = wb.worksheet_formula(sheet).unwrap();
        assert!(
            f.used_cells().all(|(_, _, s)| s.is_empty()),
            "{sheet}: {f:?}"
        );
    }
    let refunds = wb.worksheet_range("Refunds").unwrap();
    assert_eq!(money(cell(&refunds, 2, "O")), dec!(2500.00));
    assert_eq!(money(cell(&refunds, 3, "O")), dec!(45000.00));
    let packs = wb.worksheet_range("Packs").unwrap();
    assert_eq!(money(cell(&packs, 3, "I")), dec!(15000.00));
    assert_eq!(money(cell(&packs, 4, "K")), dec!(30000.00));
}

#[test]
fn summary_counts_decisions_and_totals_by_product() {
    let (_dir, path) = write(&sample(), &WriteOptions::default());
    let mut wb = open(&path);
    let summary = wb.worksheet_range("Summary").unwrap();
    assert_eq!(
        cell(&summary, 1, "A"),
        &Data::String("billrun refunds".into())
    );
    let value_of = |label: &str| {
        let row = summary
            .rows()
            .position(|r| r.first() == Some(&Data::String(label.into())))
            .unwrap_or_else(|| panic!("no {label} row"));
        (row, summary.rows().nth(row).unwrap()[1].clone())
    };
    assert_eq!(number(&value_of("Requests decided").1), 3.0);
    assert_eq!(number(&value_of("Decision rows").1), 3.0);
    assert_eq!(number(&value_of("Approved").1), 2.0);
    assert_eq!(number(&value_of("Rejected").1), 1.0);
    assert_eq!(money(&value_of("Refunded").1), dec!(47500.00));
    assert_eq!(money(&value_of("Voucher kept").1), dec!(500.00));
    // The run facts shared with invoices.xlsx.
    assert!(matches!(value_of("As of").1, Data::DateTime(_)));
    assert_eq!(value_of("Period").1, Data::String("2026-02".into()));
    assert_eq!(value_of("Catalog").1, Data::String("built-in".into()));
    assert_eq!(value_of("Inputs").1, Data::String("orders.csv".into()));

    let (head, _) = value_of("product");
    let row = |i: usize| summary.rows().nth(i).unwrap().to_vec();
    assert_eq!(
        row(head)[..7]
            .iter()
            .map(|c| c.to_string())
            .collect::<Vec<_>>(),
        [
            "product",
            "approved",
            "approved_paid",
            "approved_amount",
            "voucher_kept",
            "rejected",
            "rejected_paid"
        ]
    );
    assert_eq!(row(head + 1)[0], Data::String("qdm-pv".into()));
    assert_eq!(money(&row(head + 1)[3]), dec!(45000.00));
    let total = row(head + 3);
    assert_eq!(total[0], Data::String("Total".into()));
    assert_eq!(number(&total[1]), 2.0);
    assert_eq!(money(&total[2]), dec!(93000.00));
    assert_eq!(money(&total[3]), dec!(47500.00));
    assert_eq!(money(&total[4]), dec!(500.00));
    assert_eq!(number(&total[5]), 1.0);
}

#[test]
fn the_same_refunds_report_gives_identical_bytes() {
    let report = sample();
    let (_a, first) = write(&report, &WriteOptions::default());
    std::thread::sleep(std::time::Duration::from_millis(1100));
    let (_b, second) = write(&report, &WriteOptions::default());
    assert_eq!(
        std::fs::read(first).unwrap(),
        std::fs::read(&second).unwrap()
    );
    assert!(
        zip_names(&second)
            .iter()
            .all(|n| !n.starts_with("xl/charts/")),
        "no chart on the refunds Summary"
    );
}

#[test]
fn a_pack_range_crossing_a_sheet_split_is_written_as_a_plain_value() {
    let opts = WriteOptions {
        max_rows_per_sheet: 2,
        ..WriteOptions::default()
    };
    let (_dir, path) = write(&sample(), &opts);
    let mut wb = open(&path);
    assert_eq!(
        wb.sheet_names(),
        ["Summary", "Refunds", "Refunds (2)", "Packs", "Packs (2)"]
    );
    let f = wb.worksheet_formula("Refunds").unwrap();
    assert_eq!(
        formula(&f, 2, "O"),
        "K2-L2",
        "the full refund keeps its formula"
    );
    assert_eq!(
        formula(&f, 3, "O"),
        "",
        "packs 1-3 span Packs and Packs (2)"
    );
    let refunds = wb.worksheet_range("Refunds").unwrap();
    assert_eq!(money(cell(&refunds, 3, "O")), dec!(45000.00));
    let rest = wb.worksheet_range("Refunds (2)").unwrap();
    assert_eq!(cell(&rest, 2, "A"), &Data::String("R-3".into()));
    // The continued Packs sheet's own formulas use its own rows.
    let f = wb.worksheet_formula("Packs (2)").unwrap();
    assert_eq!(formula(&f, 2, "K"), "ROUND(MAX(0,J2-I2),2)");
    let packs = wb.worksheet_range("Packs (2)").unwrap();
    assert_eq!(money(cell(&packs, 2, "K")), dec!(30000.00));
}

/// Each request's SUM starts where the packs of the requests before it end: the writer counts
/// them as it goes, and the Packs sheet lists them in the order of the requests.
#[test]
fn each_pack_refund_sums_its_own_rows_on_the_packs_sheet() {
    let mut report = sample();
    let mut second = report.refunds[1].clone();
    second.refund_order_id = "R-4".into();
    second.packs = vec![pv_pack(1, 0), pv_pack(2, 0)];
    second.refund_amount = dec!(60000.00);
    report.refunds.push(second);
    let (_dir, path) = write(&report, &WriteOptions::default());
    let mut wb = open(&path);
    let f = wb.worksheet_formula("Refunds").unwrap();
    assert_eq!(formula(&f, 3, "O"), "SUM(Packs!K2:K4)");
    assert_eq!(formula(&f, 5, "O"), "SUM(Packs!K5:K6)");
    let packs = wb.worksheet_range("Packs").unwrap();
    assert_eq!(packs.height(), 6);
    let owners: Vec<String> = (2..=6).map(|r| cell(&packs, r, "A").to_string()).collect();
    assert_eq!(owners, ["R-2", "R-2", "R-2", "R-4", "R-4"]);
    let refunds = wb.worksheet_range("Refunds").unwrap();
    assert_eq!(money(cell(&refunds, 5, "O")), dec!(60000.00));
}

#[test]
fn an_empty_report_writes_headers_only() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("refunds.xlsx");
    write_refunds(&Report::default(), &path, &WriteOptions::default()).unwrap();
    let mut wb = open(&path);
    for sheet in ["Refunds", "Packs"] {
        assert_eq!(wb.worksheet_range(sheet).unwrap().height(), 1, "{sheet}");
    }
    let names: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names, ["refunds.xlsx"], "no temporary file left behind");
}

#[test]
fn a_failed_refunds_write_names_the_file_and_leaves_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("missing").join("refunds.xlsx");
    let err = write_refunds(&sample(), &path, &WriteOptions::default()).unwrap_err();
    assert!(err.to_string().contains("refunds.xlsx"), "{err}");
    assert!(!path.exists());
}
