//! Tests of `--lang zh`: the three workbooks written in Chinese and read back with calamine.
//! Sheet names, headers and Summary labels are Chinese (Latin letters only where a name is
//! kept on purpose), the cells under them are what the English workbook holds, and formulas,
//! their column letters and their cached values are the same, the cross-sheet one naming the
//! Chinese sheet.

use super::invoices::{ACCOUNTS, EXCEPTIONS, LINES, PACKS, SUBSCRIPTIONS, USAGE};
use super::refunds::{REFUND_PACKS, REFUNDS, refund_formula_in};
use super::reprice::{REPRICE_ACCOUNTS, REPRICE_LINES, REPRICE_PRODUCTS};
use super::revenue::{REVENUE, REVENUE_BY_ACCOUNT, REVENUE_BY_PRODUCT};
use super::table::Column;
use super::tests::{
    cell, eval_sum, formula, header, money, number, open, row_of, with_revenue, zip_names,
};
use super::{Lang, WriteOptions, write_invoices, write_refunds, write_reprice};
use super::{refunds_tests, reprice_tests, tests};
use crate::report::RefundCalc;
use calamine::{Data, Reader};
use rust_decimal::Decimal;
use rust_decimal_macros::dec;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// The one header kept with Latin letters: `客户ID` is the Chinese input header of
/// `account_id` (SPEC 5.1), so a Chinese workbook's sheets read back as input.
const KEPT_HEADERS: [&str; 1] = ["客户ID"];

fn zh() -> WriteOptions {
    WriteOptions {
        lang: Lang::Zh,
        ..WriteOptions::default()
    }
}

fn zh_split(max_rows_per_sheet: u32) -> WriteOptions {
    WriteOptions {
        max_rows_per_sheet,
        ..zh()
    }
}

fn has_latin(text: &str) -> bool {
    text.chars().any(|c| c.is_ascii_alphabetic())
}

fn write_to<R>(
    file: &str,
    report: &R,
    opts: &WriteOptions,
    write: impl Fn(&R, &Path, &WriteOptions) -> Result<(), super::OutputError>,
) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(file);
    write(report, &path, opts).unwrap();
    (dir, path)
}

fn zh_headers(columns: &[Column]) -> Vec<String> {
    columns.iter().map(|c| c.zh.to_string()).collect()
}

/// Each table sheet's header row is its columns' Chinese headers, and no header has Latin
/// letters but the kept ones.
fn check_table_headers(path: &Path, tables: &[(&str, &[Column])]) {
    let mut wb = open(path);
    for (sheet, columns) in tables {
        let headers = header(&wb.worksheet_range(sheet).unwrap());
        assert_eq!(headers, zh_headers(columns), "{sheet}");
        for h in &headers {
            assert!(
                !has_latin(h) || KEPT_HEADERS.contains(&h.as_str()),
                "{sheet}: {h}"
            );
        }
    }
    for name in wb.sheet_names() {
        assert!(!has_latin(&name), "sheet {name}");
    }
}

/// Every string on the Summary sheet with Latin letters in it: what the workbook keeps
/// on purpose (the `billrun` title) and data (inputs, catalogs, product codes, `OK`).
fn latin_on_summary(path: &Path) -> BTreeSet<String> {
    let summary = open(path).worksheet_range("汇总").unwrap();
    summary
        .used_cells()
        .filter_map(|(_, _, c)| match c {
            Data::String(s) if has_latin(s) => Some(s.clone()),
            _ => None,
        })
        .collect()
}

fn set(items: &[&str]) -> BTreeSet<String> {
    items.iter().map(|s| s.to_string()).collect()
}

/// The cells under the headers of every table sheet are the English workbook's, but for the
/// Total label; formulas too, but for the sheet name in `sheet_refs` (English, Chinese).
fn same_data_as_english(en: &Path, zh: &Path, sheet_refs: &[(&str, &str)]) {
    let (mut en, mut zh) = (open(en), open(zh));
    let (en_names, zh_names) = (en.sheet_names(), zh.sheet_names());
    assert_eq!(en_names.len(), zh_names.len());
    // The Summary (first) is all labels; the table sheets follow in the same order.
    for (e, z) in en_names.iter().zip(&zh_names).skip(1) {
        let (er, zr) = (
            en.worksheet_range(e).unwrap(),
            zh.worksheet_range(z).unwrap(),
        );
        assert_eq!(er.get_size(), zr.get_size(), "{e} / {z}");
        for (a, b) in er.rows().zip(zr.rows()).skip(1) {
            for (x, y) in a.iter().zip(b) {
                match x {
                    Data::String(s) if s == "Total" => {
                        assert_eq!(y, &Data::String("合计".into()), "{z}")
                    }
                    _ => assert_eq!(x, y, "{e} / {z}"),
                }
            }
        }
        let (ef, zf) = (
            en.worksheet_formula(e).unwrap(),
            zh.worksheet_formula(z).unwrap(),
        );
        for ((_, _, x), (_, _, y)) in ef.used_cells().zip(zf.used_cells()) {
            let expected = sheet_refs
                .iter()
                .fold(x.clone(), |f, (from, to)| f.replace(from, to));
            assert_eq!(&expected, y, "{z}");
        }
        assert_eq!(ef.used_cells().count(), zf.used_cells().count(), "{z}");
    }
}

#[test]
fn invoices_in_chinese_name_every_sheet_and_header_in_chinese() {
    let (_dir, path) = write_to("invoices.xlsx", &with_revenue(), &zh(), write_invoices);
    let mut wb = open(&path);
    assert_eq!(
        wb.sheet_names(),
        [
            "汇总",
            "明细",
            "客户",
            "订阅",
            "资源包",
            "用量",
            "收入确认",
            "按客户收入",
            "按产品收入",
            "异常"
        ]
    );
    check_table_headers(
        &path,
        &[
            ("明细", LINES),
            ("客户", ACCOUNTS),
            ("订阅", SUBSCRIPTIONS),
            ("资源包", PACKS),
            ("用量", USAGE),
            ("收入确认", REVENUE),
            ("按客户收入", REVENUE_BY_ACCOUNT),
            ("按产品收入", REVENUE_BY_PRODUCT),
            ("异常", EXCEPTIONS),
        ],
    );
    let lines = wb.worksheet_range("明细").unwrap();
    for (col, name) in [
        ("A", "订单号"),
        ("C", "客户ID"),
        ("D", "下单日期"),
        ("T", "应收金额"),
        ("U", "实付金额"),
        ("V", "差额"),
        ("X", "计算规则"),
    ] {
        assert_eq!(cell(&lines, 1, col), &Data::String(name.into()), "{col}1");
    }
    // Codes are data: they stay as they are.
    assert_eq!(cell(&lines, 2, "W"), &Data::String("MISMATCH".into()));
    let exceptions = wb.worksheet_range("异常").unwrap();
    assert_eq!(cell(&exceptions, 2, "G"), &Data::String("BAD_VALUE".into()));
}

#[test]
fn chinese_invoices_keep_the_formulas_and_their_cached_values() {
    let (_dir, path) = write_to("invoices.xlsx", &with_revenue(), &zh(), write_invoices);
    let mut wb = open(&path);
    let lines = wb.worksheet_range("明细").unwrap();
    let f = wb.worksheet_formula("明细").unwrap();
    assert_eq!(formula(&f, 2, "T"), "ROUND(R2-S2,2)");
    assert_eq!(money(cell(&lines, 2, "T")), dec!(2997.00));
    assert_eq!(money(cell(&lines, 3, "T")), dec!(179.82));
    assert_eq!(formula(&f, 2, "R"), "O2+Q2");
    assert_eq!(eval_sum(formula(&f, 2, "R"), &lines), dec!(2997.00));
    assert_eq!(formula(&f, 2, "V"), "U2-T2");
    assert_eq!(
        eval_sum(formula(&f, 2, "V"), &lines),
        money(cell(&lines, 2, "V"))
    );

    let usage = wb.worksheet_range("用量").unwrap();
    let f = wb.worksheet_formula("用量").unwrap();
    assert_eq!(formula(&f, 3, "H"), "ROUND(F3*G3,2)");
    // Excel's ROUND: half away from zero, over the cells' shortest decimal digits.
    let exact = |col| {
        number(cell(&usage, 3, col))
            .to_string()
            .parse::<Decimal>()
            .unwrap()
    };
    let product = (exact("F") * exact("G"))
        .round_dp_with_strategy(2, rust_decimal::RoundingStrategy::MidpointAwayFromZero);
    assert_eq!(money(cell(&usage, 3, "H")), product);

    let revenue = wb.worksheet_range("收入确认").unwrap();
    let f = wb.worksheet_formula("收入确认").unwrap();
    for r in 2..=4 {
        assert_eq!(formula(&f, r, "G"), format!("D{r}-E{r}-F{r}-H{r}"));
        assert_eq!(
            money(cell(&revenue, r, "G")),
            eval_sum(formula(&f, r, "G"), &revenue),
            "row {r}"
        );
    }
}

#[test]
fn chinese_invoices_hold_the_english_cells_under_their_headers() {
    for report in [tests::sample(), with_revenue()] {
        for max in [super::EXCEL_MAX_DATA_ROWS, 1] {
            let en_opts = WriteOptions {
                max_rows_per_sheet: max,
                ..WriteOptions::default()
            };
            let (_a, en) = write_to("invoices.xlsx", &report, &en_opts, write_invoices);
            let (_b, zh) = write_to("invoices.xlsx", &report, &zh_split(max), write_invoices);
            same_data_as_english(&en, &zh, &[]);
        }
    }
}

#[test]
fn the_chinese_invoices_summary_has_chinese_labels_and_charts() {
    let (_dir, path) = write_to("invoices.xlsx", &with_revenue(), &zh(), write_invoices);
    assert_eq!(
        latin_on_summary(&path),
        set(&[
            "billrun 发票",
            "orders.csv",
            "=cmd|' /C calc'!A0",
            "built-in",
            "OK",
            "qidian-kf",
            "sms-pack",
        ])
    );
    let summary = open(&path).worksheet_range("汇总").unwrap();
    let (key, _) = row_of(&summary, "关键数据");
    let (expected_row, expected) = row_of(&summary, "应收金额");
    assert_eq!(expected_row, key + 1);
    assert_eq!(money(&expected[1]), dec!(3176.82));
    assert_eq!(money(&row_of(&summary, "超额用量金额").1[1]), dec!(105.53));
    assert_eq!(number(&row_of(&summary, "读取行数").1[1]), 3.0);
    assert_eq!(
        row_of(&summary, "金额核对").1[1],
        Data::String("OK".into()),
        "实付金额 = 应收金额 − 未计费金额 + 差额"
    );
    let check = row_of(&summary, "核对").1;
    assert_eq!(check[1], Data::String("OK".into()), "a code: kept");
    assert!(matches!(&check[2], Data::String(s) if s.ends_with("= 读取行数")));
    assert!(matches!(
        row_of(&summary, "状态日期").1[1],
        Data::DateTime(_)
    ));
    assert_eq!(money(&row_of(&summary, "本期确认收入").1[1]), dec!(409.73));
    row_of(&summary, "收入确认 2026-02");

    let row = |i: usize| summary.rows().nth(i).unwrap().to_vec();
    let texts = |cells: &[Data]| cells.iter().map(|c| c.to_string()).collect::<Vec<_>>();
    let (by_product, _) = row_of(&summary, "按产品");
    assert_eq!(
        texts(&row(by_product + 1)[..6]),
        ["产品", "行数", "应收金额", "实付金额", "未计费金额", "差额"]
    );
    assert_eq!(row(by_product + 4)[0], Data::String("合计".into()));
    let (revenue, _) = row_of(&summary, "各产品本期确认收入，2026-02");
    assert_eq!(texts(&row(revenue + 1)[..2]), ["产品", "本期确认"]);
    assert_eq!(row(revenue + 4)[0], Data::String("合计".into()));
    assert_eq!(money(&row(revenue + 4)[1]), dec!(409.73));

    // rust_xlsxwriter refuses to save a chart over a sheet name the workbook does not have,
    // so both charts read the Chinese Summary.
    let mut charts = zip_names(&path);
    charts.retain(|n| n.starts_with("xl/charts/"));
    assert_eq!(charts.len(), 2);
}

#[test]
fn chinese_invoice_tables_continue_on_numbered_chinese_sheets() {
    let (_dir, path) = write_to(
        "invoices.xlsx",
        &with_revenue(),
        &zh_split(1),
        write_invoices,
    );
    let mut wb = open(&path);
    let names = wb.sheet_names();
    for name in ["明细 (2)", "用量 (2)", "收入确认 (3)", "按客户收入 (3)"] {
        assert!(names.iter().any(|n| n == name), "{name}: {names:?}");
    }
    assert!(names.iter().all(|n| !has_latin(n)), "{names:?}");
    let second = wb.worksheet_range("明细 (2)").unwrap();
    assert_eq!(header(&second), zh_headers(LINES));
    assert_eq!(cell(&second, 2, "A"), &Data::String("@ORD-2".into()));
    let f = wb.worksheet_formula("明细 (2)").unwrap();
    assert_eq!(formula(&f, 2, "T"), "ROUND(R2-S2,2)");
    let total = wb.worksheet_range("按客户收入 (3)").unwrap();
    assert_eq!(cell(&total, 2, "A"), &Data::String("合计".into()));
}

#[test]
fn refunds_in_chinese_sum_the_chinese_packs_sheet() {
    let report = refunds_tests::sample();
    let (_dir, path) = write_to("refunds.xlsx", &report, &zh(), write_refunds);
    let mut wb = open(&path);
    assert_eq!(wb.sheet_names(), ["汇总", "退款", "退款资源包"]);
    check_table_headers(&path, &[("退款", REFUNDS), ("退款资源包", REFUND_PACKS)]);
    let refunds = wb.worksheet_range("退款").unwrap();
    for (col, name) in [
        ("A", "退款订单号"),
        ("B", "原订单号"),
        ("C", "客户ID"),
        ("G", "退款原因"),
        ("K", "实付"),
        ("L", "代金券保留"),
        ("O", "退款金额"),
        ("P", "决定"),
    ] {
        assert_eq!(cell(&refunds, 1, col), &Data::String(name.into()), "{col}1");
    }
    assert_eq!(cell(&refunds, 2, "P"), &Data::String("APPROVED".into()));

    let f = wb.worksheet_formula("退款").unwrap();
    assert_eq!(formula(&f, 2, "O"), "K2-L2");
    assert_eq!(
        money(cell(&refunds, 2, "O")),
        eval_sum(formula(&f, 2, "O"), &refunds)
    );
    // The cross-sheet SUM names the Chinese sheet, quoted, and caches what it adds up.
    assert_eq!(formula(&f, 3, "O"), "SUM('退款资源包'!K2:K4)");
    let packs = wb.worksheet_range("退款资源包").unwrap();
    let summed: Decimal = (2..=4).map(|r| money(cell(&packs, r, "K"))).sum();
    assert_eq!(money(cell(&refunds, 3, "O")), summed);
    assert_eq!(summed, dec!(45000.00));
    let f = wb.worksheet_formula("退款资源包").unwrap();
    assert_eq!(formula(&f, 3, "K"), "ROUND(MAX(0,J3-I3),2)");
    assert_eq!(money(cell(&packs, 3, "K")), dec!(15000.00));

    let packs = RefundCalc::Packs;
    assert_eq!(
        refund_formula_in(packs, 4, 0..3, "退款资源包", 100).as_deref(),
        Some("=SUM('退款资源包'!K2:K4)")
    );
    assert_eq!(
        refund_formula_in(packs, 4, 0..3, "Packs", 100).as_deref(),
        Some("=SUM(Packs!K2:K4)")
    );

    let (_e, en) = write_to(
        "refunds.xlsx",
        &report,
        &WriteOptions::default(),
        write_refunds,
    );
    same_data_as_english(&en, &path, &[("Packs!", "'退款资源包'!")]);
}

#[test]
fn the_chinese_refunds_summary_and_split_sheets() {
    let (_dir, path) = write_to(
        "refunds.xlsx",
        &refunds_tests::sample(),
        &zh(),
        write_refunds,
    );
    assert_eq!(
        latin_on_summary(&path),
        set(&[
            "billrun 退款",
            "orders.csv",
            "built-in",
            "qdm-pv",
            "qidian-kf"
        ])
    );
    let summary = open(&path).worksheet_range("汇总").unwrap();
    assert_eq!(number(&row_of(&summary, "批准数").1[1]), 2.0);
    assert_eq!(money(&row_of(&summary, "退款金额").1[1]), dec!(47500.00));
    assert_eq!(
        row_of(&summary, "期间").1[1],
        Data::String("2026-02".into())
    );
    let (head, _) = row_of(&summary, "产品");
    let total = summary.rows().nth(head + 3).unwrap();
    assert_eq!(total[0], Data::String("合计".into()));
    assert_eq!(money(&total[3]), dec!(47500.00));

    // Packs 1-3 span the split: a plain value, as in English.
    let (_dir, path) = write_to(
        "refunds.xlsx",
        &refunds_tests::sample(),
        &zh_split(2),
        write_refunds,
    );
    let mut wb = open(&path);
    assert_eq!(
        wb.sheet_names(),
        ["汇总", "退款", "退款 (2)", "退款资源包", "退款资源包 (2)"]
    );
    let f = wb.worksheet_formula("退款").unwrap();
    assert_eq!(formula(&f, 3, "O"), "");
    assert_eq!(
        money(cell(&wb.worksheet_range("退款").unwrap(), 3, "O")),
        dec!(45000.00)
    );
}

#[test]
fn reprice_in_chinese() {
    let report = reprice_tests::sample();
    let (_dir, path) = write_to("reprice.xlsx", &report, &zh(), write_reprice);
    let mut wb = open(&path);
    assert_eq!(
        wb.sheet_names(),
        ["汇总", "调价明细", "按客户调价", "按产品调价"]
    );
    check_table_headers(
        &path,
        &[
            ("调价明细", REPRICE_LINES),
            ("按客户调价", REPRICE_ACCOUNTS),
            ("按产品调价", REPRICE_PRODUCTS),
        ],
    );
    let lines = wb.worksheet_range("调价明细").unwrap();
    for (col, name) in [
        ("A", "订单号"),
        ("C", "客户ID"),
        ("G", "原金额"),
        ("H", "新金额"),
        ("I", "变化"),
    ] {
        assert_eq!(cell(&lines, 1, col), &Data::String(name.into()), "{col}1");
    }
    let f = wb.worksheet_formula("调价明细").unwrap();
    for r in [2, 3] {
        assert_eq!(formula(&f, r, "I"), format!("H{r}-G{r}"));
        assert_eq!(
            money(cell(&lines, r, "I")),
            eval_sum(formula(&f, r, "I"), &lines)
        );
    }
    assert_eq!(cell(&lines, 4, "K"), &Data::String("UNKNOWN_SKU".into()));

    assert_eq!(
        latin_on_summary(&path),
        set(&[
            "billrun 调价",
            "orders.csv",
            "built-in",
            "catalogs/2026.toml",
            "qidian-kf",
            "sms-pack",
        ])
    );
    let summary = wb.worksheet_range("汇总").unwrap();
    assert_eq!(money(&row_of(&summary, "变化").1[1]), dec!(300.00));
    assert_eq!(
        row_of(&summary, "原价目表").1[1],
        Data::String("built-in".into())
    );
    assert_eq!(
        row_of(&summary, "期间").1[1],
        Data::String("（全部日期）".into())
    );
    let mut charts = zip_names(&path);
    charts.retain(|n| n.starts_with("xl/charts/"));
    assert_eq!(charts.len(), 1, "the chart reads the Chinese Summary");

    for max in [super::EXCEL_MAX_DATA_ROWS, 1, 2] {
        let en_opts = WriteOptions {
            max_rows_per_sheet: max,
            ..WriteOptions::default()
        };
        let (_a, en) = write_to("reprice.xlsx", &report, &en_opts, write_reprice);
        let (_b, zh) = write_to("reprice.xlsx", &report, &zh_split(max), write_reprice);
        same_data_as_english(&en, &zh, &[]);
    }
    let (_c, split) = write_to("reprice.xlsx", &report, &zh_split(2), write_reprice);
    assert_eq!(
        open(&split).sheet_names(),
        [
            "汇总",
            "调价明细",
            "调价明细 (2)",
            "按客户调价",
            "按产品调价",
            "按产品调价 (2)"
        ]
    );
}

#[test]
fn chinese_headers_are_unique_per_sheet_and_every_column_has_one() {
    let tables: [&[Column]; 14] = [
        LINES,
        ACCOUNTS,
        SUBSCRIPTIONS,
        PACKS,
        USAGE,
        EXCEPTIONS,
        REVENUE,
        REVENUE_BY_ACCOUNT,
        REVENUE_BY_PRODUCT,
        REFUNDS,
        REFUND_PACKS,
        REPRICE_LINES,
        REPRICE_ACCOUNTS,
        REPRICE_PRODUCTS,
    ];
    for columns in tables {
        let zh: BTreeSet<_> = columns.iter().map(|c| c.zh).collect();
        assert_eq!(zh.len(), columns.len(), "{:?}", zh_headers(columns));
        for c in columns {
            assert!(!c.zh.is_empty() && c.zh != c.header, "{}", c.header);
            assert!(c.width_in(Lang::Zh) >= c.width);
            // Every header fits its column, with room for the filter button.
            assert!(c.width_in(Lang::En) >= c.width);
            assert!(
                c.width_in(Lang::En) >= c.header.len() as f64 + 3.0,
                "{}",
                c.header
            );
            assert_eq!(c.header_in(Lang::En), c.header);
        }
    }
}

#[test]
fn the_same_report_in_chinese_gives_identical_bytes() {
    let report = with_revenue();
    let (_a, first) = write_to("invoices.xlsx", &report, &zh(), write_invoices);
    std::thread::sleep(std::time::Duration::from_millis(1100));
    let (_b, second) = write_to("invoices.xlsx", &report, &zh(), write_invoices);
    assert_eq!(
        std::fs::read(first).unwrap(),
        std::fs::read(second).unwrap()
    );
}
