//! Tests of the reprice.xlsx writer: a hand-built report of four lines (one dearer, one
//! unchanged, one priced under the baseline only, one under the new catalog only), written and
//! read back with calamine: sheets, headers, the delta formula with its cached value, the
//! exception side's code with empty amounts, totals, the Summary, determinism and splitting.

use super::tests::{
    cell, d, eval_sum, excel_serial, formula, header, money, number, open, row_of, src, zip_names,
};
use super::{WriteOptions, write_reprice};
use crate::report::{RepriceLine, RepriceReport, RepriceTotal, RunFacts};
use calamine::{Data, Reader};
use rust_decimal::Decimal;
use rust_decimal_macros::dec;
use std::path::PathBuf;

#[allow(clippy::too_many_arguments)]
fn line(
    row: u32,
    order_id: &str,
    account_id: &str,
    product: &str,
    quantity: Option<u64>,
    old_amount: Option<Decimal>,
    new_amount: Option<Decimal>,
    [old_status, new_status, note]: [&str; 3],
) -> RepriceLine {
    RepriceLine {
        src: src(row),
        order_id: order_id.into(),
        line: 1,
        account_id: account_id.into(),
        product: product.into(),
        edition: if product == "qidian-kf" {
            "standard".into()
        } else {
            String::new()
        },
        quantity,
        old_amount,
        new_amount,
        delta: old_amount.zip(new_amount).map(|(old, new)| new - old),
        old_status: old_status.into(),
        new_status: new_status.into(),
        note: note.into(),
    }
}

fn total(key: &str, lines: usize, [old, new]: [Decimal; 2], changed: usize) -> RepriceTotal {
    RepriceTotal {
        key: key.into(),
        lines,
        old_amount: old,
        new_amount: new,
        delta: new - old,
        changed,
    }
}

pub(super) fn sample() -> RepriceReport {
    RepriceReport {
        facts: RunFacts {
            inputs: vec!["orders.csv".into()],
            as_of: Some(d(2026, 3, 1)),
            catalog: "catalogs/2026.toml".into(),
            rows_read: 4,
            ..RunFacts::default()
        },
        baseline: "built-in".into(),
        catalog: "catalogs/2026.toml".into(),
        lines: vec![
            line(
                2,
                "ORD-1",
                "ACC-1",
                "qidian-kf",
                Some(3),
                Some(dec!(2997.00)),
                Some(dec!(3297.00)),
                ["OK", "OK", "new 3 × 1,099 × 1y"],
            ),
            line(
                3,
                "@ORD-2",
                "ACC-1",
                "sms-pack",
                Some(2),
                Some(dec!(179.82)),
                Some(dec!(179.82)),
                ["OK", "OK", "-one-time 2 × 99.90 − 10%"],
            ),
            line(
                4,
                "ORD-3",
                "ACC-2",
                "qdm-pv",
                Some(1),
                Some(dec!(30000.00)),
                None,
                ["OK", "UNKNOWN_SKU", "=qdm-pv is not in the new catalog"],
            ),
            line(
                5,
                "ORD-4",
                "ACC-2",
                "qa-new",
                None,
                None,
                Some(dec!(5000.00)),
                ["NO_PRICE", "OK", "no price for qa-new in the baseline"],
            ),
        ],
        accounts: vec![total("ACC-1", 2, [dec!(3176.82), dec!(3476.82)], 1)],
        products: vec![
            total("qidian-kf", 1, [dec!(2997.00), dec!(3297.00)], 1),
            total("sms-pack", 1, [dec!(179.82), dec!(179.82)], 0),
        ],
        total: total("Total", 2, [dec!(3176.82), dec!(3476.82)], 1),
        only_old: 1,
        only_new: 1,
    }
}

fn write(report: &RepriceReport, opts: &WriteOptions) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("reprice.xlsx");
    write_reprice(report, &path, opts).unwrap();
    (dir, path)
}

#[test]
fn writes_summary_lines_accounts_and_products_with_their_headers() {
    let (_dir, path) = write(&sample(), &WriteOptions::default());
    let mut wb = open(&path);
    assert_eq!(
        wb.sheet_names(),
        ["Summary", "Lines", "Accounts", "Products"]
    );
    let expect = [
        (
            "Lines",
            "order_id, line, account_id, product, edition, quantity, old_amount, new_amount, \
             delta, old_status, new_status, note",
        ),
        (
            "Accounts",
            "account_id, lines, old_amount, new_amount, delta, changed",
        ),
        (
            "Products",
            "product, lines, old_amount, new_amount, delta, changed",
        ),
    ];
    for (sheet, headers) in expect {
        let range = wb.worksheet_range(sheet).unwrap();
        assert_eq!(header(&range).join(", "), headers, "{sheet}");
    }
    assert_eq!(wb.worksheet_range("Lines").unwrap().height(), 5);
}

#[test]
fn delta_is_a_live_formula_where_both_catalogs_price_the_line() {
    let report = sample();
    let (_dir, path) = write(&report, &WriteOptions::default());
    let mut wb = open(&path);
    let lines = wb.worksheet_range("Lines").unwrap();
    let f = wb.worksheet_formula("Lines").unwrap();

    for (r, delta) in [(2, dec!(300.00)), (3, dec!(0))] {
        assert_eq!(formula(&f, r, "I"), format!("H{r}-G{r}"));
        let cached = money(cell(&lines, r, "I"));
        assert_eq!(cached, delta, "row {r}: the engine's delta");
        assert_eq!(
            cached,
            eval_sum(formula(&f, r, "I"), &lines),
            "row {r}: the cached value is what the formula computes"
        );
    }
    assert_eq!(money(cell(&lines, 2, "G")), dec!(2997.00));
    assert_eq!(money(cell(&lines, 2, "H")), dec!(3297.00));
    assert_eq!(number(cell(&lines, 2, "B")), 1.0);
    assert_eq!(number(cell(&lines, 2, "F")), 3.0);
    assert_eq!(cell(&lines, 2, "E"), &Data::String("standard".into()));
    assert_eq!(cell(&lines, 2, "J"), &Data::String("OK".into()));
    // Inputs stay plain numbers and text stays text.
    for c in ["A", "F", "G", "H", "J", "K", "L"] {
        assert_eq!(formula(&f, 2, c), "", "{c}2");
        assert_eq!(formula(&f, 3, c), "", "{c}3");
    }
    assert_eq!(cell(&lines, 3, "A"), &Data::String("@ORD-2".into()));
    assert_eq!(
        cell(&lines, 3, "L"),
        &Data::String("-one-time 2 × 99.90 − 10%".into())
    );
}

#[test]
fn an_exception_on_one_side_shows_its_code_and_no_amount_or_delta() {
    let (_dir, path) = write(&sample(), &WriteOptions::default());
    let mut wb = open(&path);
    let lines = wb.worksheet_range("Lines").unwrap();
    let f = wb.worksheet_formula("Lines").unwrap();

    // Priced under the baseline only.
    assert_eq!(money(cell(&lines, 4, "G")), dec!(30000.00));
    assert_eq!(cell(&lines, 4, "H"), &Data::Empty, "no new amount");
    assert_eq!(cell(&lines, 4, "I"), &Data::Empty, "no delta");
    assert_eq!(formula(&f, 4, "I"), "", "no delta formula");
    assert_eq!(cell(&lines, 4, "J"), &Data::String("OK".into()));
    assert_eq!(cell(&lines, 4, "K"), &Data::String("UNKNOWN_SKU".into()));
    assert_eq!(
        cell(&lines, 4, "L"),
        &Data::String("=qdm-pv is not in the new catalog".into()),
        "a message that looks like a formula stays text"
    );
    assert_eq!(formula(&f, 4, "L"), "");

    // Priced under the new catalog only, with no quantity read.
    assert_eq!(cell(&lines, 5, "G"), &Data::Empty, "no old amount");
    assert_eq!(money(cell(&lines, 5, "H")), dec!(5000.00));
    assert_eq!(cell(&lines, 5, "I"), &Data::Empty, "no delta");
    assert_eq!(formula(&f, 5, "I"), "");
    assert_eq!(cell(&lines, 5, "F"), &Data::Empty, "no quantity");
    assert_eq!(cell(&lines, 5, "J"), &Data::String("NO_PRICE".into()));
    assert_eq!(cell(&lines, 5, "K"), &Data::String("OK".into()));
}

#[test]
fn accounts_and_products_end_with_a_total_row() {
    let (_dir, path) = write(&sample(), &WriteOptions::default());
    let mut wb = open(&path);
    let accounts = wb.worksheet_range("Accounts").unwrap();
    assert_eq!(accounts.height(), 3, "header, one account, Total");
    assert_eq!(cell(&accounts, 2, "A"), &Data::String("ACC-1".into()));
    assert_eq!(number(cell(&accounts, 2, "B")), 2.0);
    assert_eq!(money(cell(&accounts, 2, "E")), dec!(300.00));
    assert_eq!(number(cell(&accounts, 2, "F")), 1.0);
    assert_eq!(cell(&accounts, 3, "A"), &Data::String("Total".into()));

    let products = wb.worksheet_range("Products").unwrap();
    assert_eq!(products.height(), 4);
    assert_eq!(cell(&products, 3, "A"), &Data::String("sms-pack".into()));
    assert_eq!(money(cell(&products, 3, "E")), dec!(0));
    assert_eq!(number(cell(&products, 3, "F")), 0.0);
    let total = row_of(&products, "Total").1;
    assert_eq!(number(&total[1]), 2.0);
    assert_eq!(money(&total[2]), dec!(3176.82));
    assert_eq!(money(&total[3]), dec!(3476.82));
    assert_eq!(money(&total[4]), dec!(300.00));
    assert_eq!(number(&total[5]), 1.0);
    for sheet in ["Accounts", "Products"] {
        let f = wb.worksheet_formula(sheet).unwrap();
        assert!(f.used_cells().all(|(_, _, s)| s.is_empty()), "{sheet}");
    }
}

#[test]
fn no_formulas_writes_plain_deltas() {
    let opts = WriteOptions {
        formulas: false,
        ..WriteOptions::default()
    };
    let (_dir, path) = write(&sample(), &opts);
    let mut wb = open(&path);
    for sheet in ["Summary", "Lines", "Accounts", "Products"] {
        let f = wb.worksheet_formula(sheet).unwrap();
        assert!(
            f.used_cells().all(|(_, _, s)| s.is_empty()),
            "{sheet}: {f:?}"
        );
    }
    let lines = wb.worksheet_range("Lines").unwrap();
    assert_eq!(money(cell(&lines, 2, "I")), dec!(300.00));
    assert_eq!(money(cell(&lines, 3, "I")), dec!(0));
    assert_eq!(cell(&lines, 4, "I"), &Data::Empty);
    assert_eq!(cell(&lines, 5, "I"), &Data::Empty);
}

#[test]
fn summary_leads_with_key_figures_then_catalogs_run_and_products() {
    let (_dir, path) = write(&sample(), &WriteOptions::default());
    let mut wb = open(&path);
    let summary = wb.worksheet_range("Summary").unwrap();
    assert_eq!(
        cell(&summary, 1, "A"),
        &Data::String("billrun reprice".into())
    );
    let value_of = |label: &str| row_of(&summary, label);
    let (key, _) = value_of("Key figures");
    let (old_row, old) = value_of("Old total");
    assert_eq!(old_row, key + 1, "key figures at the top");
    assert_eq!(money(&old[1]), dec!(3176.82));
    assert_eq!(money(&value_of("New total").1[1]), dec!(3476.82));
    assert_eq!(money(&value_of("Delta").1[1]), dec!(300.00));
    assert_eq!(number(&value_of("Lines repriced").1[1]), 2.0);
    assert_eq!(number(&value_of("Lines changed").1[1]), 1.0);
    assert_eq!(
        number(&value_of("Priced under the baseline only").1[1]),
        1.0
    );
    assert_eq!(
        number(&value_of("Priced under the new catalog only").1[1]),
        1.0
    );

    let (catalogs, _) = value_of("Catalogs");
    let (run, _) = value_of("Run");
    let (by_product, _) = value_of("By product");
    assert!(key < catalogs && catalogs < run && run < by_product);
    assert_eq!(value_of("Baseline").1[1], Data::String("built-in".into()));
    assert_eq!(
        value_of("New").1[1],
        Data::String("catalogs/2026.toml".into())
    );
    // The run facts shared with the other workbooks: a real date cell for as-of.
    match &value_of("As of").1[1] {
        Data::DateTime(dt) => assert_eq!(dt.as_f64(), excel_serial(d(2026, 3, 1))),
        other => panic!("as-of is not a date cell: {other:?}"),
    }
    assert_eq!(value_of("Inputs").1[1], Data::String("orders.csv".into()));

    let row = |i: usize| summary.rows().nth(i).unwrap().to_vec();
    assert_eq!(
        row(by_product + 1)[..5]
            .iter()
            .map(|c| c.to_string())
            .collect::<Vec<_>>(),
        ["product", "lines", "old_amount", "new_amount", "delta"]
    );
    assert_eq!(row(by_product + 2)[0], Data::String("qidian-kf".into()));
    assert_eq!(money(&row(by_product + 2)[4]), dec!(300.00));
    assert_eq!(row(by_product + 3)[0], Data::String("sms-pack".into()));
    let total = row(by_product + 4);
    assert_eq!(total[0], Data::String("Total".into()));
    assert_eq!(number(&total[1]), 2.0);
    assert_eq!(money(&total[2]), dec!(3176.82));
    assert_eq!(money(&total[4]), dec!(300.00));

    let mut charts = zip_names(&path);
    charts.retain(|n| n.starts_with("xl/charts/"));
    assert_eq!(
        charts,
        ["xl/charts/chart1.xml"],
        "the delta by product chart"
    );
}

#[test]
fn the_same_reprice_report_gives_identical_bytes() {
    let report = sample();
    let (_a, first) = write(&report, &WriteOptions::default());
    std::thread::sleep(std::time::Duration::from_millis(1100));
    let (_b, second) = write(&report, &WriteOptions::default());
    assert_eq!(
        std::fs::read(first).unwrap(),
        std::fs::read(second).unwrap()
    );
}

#[test]
fn long_reprice_tables_continue_on_numbered_sheets() {
    let opts = WriteOptions {
        max_rows_per_sheet: 2,
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
            "Products",
            "Products (2)"
        ]
    );
    let f = wb.worksheet_formula("Lines (2)").unwrap();
    assert_eq!(formula(&f, 2, "I"), "", "ORD-3 has no delta");
    let rest = wb.worksheet_range("Lines (2)").unwrap();
    assert_eq!(cell(&rest, 3, "A"), &Data::String("ORD-4".into()));
    // One account: its Total fits on the same sheet.
    let accounts = wb.worksheet_range("Accounts").unwrap();
    assert_eq!(cell(&accounts, 3, "A"), &Data::String("Total".into()));
    // Two products fill the first sheet: the Total goes on a sheet of its own.
    assert_eq!(wb.worksheet_range("Products").unwrap().height(), 3);
    let products = wb.worksheet_range("Products (2)").unwrap();
    assert_eq!(header(&products)[0], "product");
    assert_eq!(cell(&products, 2, "A"), &Data::String("Total".into()));
    assert_eq!(money(cell(&products, 2, "E")), dec!(300.00));

    let opts = WriteOptions {
        max_rows_per_sheet: 1,
        ..WriteOptions::default()
    };
    let (_dir, path) = write(&sample(), &opts);
    let mut wb = open(&path);
    let f = wb.worksheet_formula("Lines (2)").unwrap();
    assert_eq!(
        formula(&f, 2, "I"),
        "H2-G2",
        "formulas use the sheet's own rows"
    );
    let second = wb.worksheet_range("Lines (2)").unwrap();
    assert_eq!(money(cell(&second, 2, "I")), dec!(0));
}

#[test]
fn an_empty_reprice_report_writes_headers_and_zero_totals() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("reprice.xlsx");
    write_reprice(&RepriceReport::default(), &path, &WriteOptions::default()).unwrap();
    let mut wb = open(&path);
    assert_eq!(wb.worksheet_range("Lines").unwrap().height(), 1);
    for sheet in ["Accounts", "Products"] {
        let range = wb.worksheet_range(sheet).unwrap();
        assert_eq!(range.height(), 2, "{sheet}: header and Total");
        assert_eq!(cell(&range, 2, "A"), &Data::String("Total".into()));
        assert_eq!(money(cell(&range, 2, "E")), dec!(0));
    }
    assert!(
        zip_names(&path)
            .iter()
            .all(|n| !n.starts_with("xl/charts/")),
        "no products, no chart"
    );
    let names: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names, ["reprice.xlsx"], "no temporary file left behind");
}

#[test]
fn a_failed_reprice_write_names_the_file_and_leaves_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("missing").join("reprice.xlsx");
    let err = write_reprice(&sample(), &path, &WriteOptions::default()).unwrap_err();
    assert!(err.to_string().contains("reprice.xlsx"), "{err}");
    assert!(!path.exists());
}
