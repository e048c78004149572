//! reprice.xlsx (SPEC 7, `billrun reprice`): Summary, Lines, Accounts and Products, written
//! from a finished `RepriceReport` and renamed into place when complete. A line's `delta` is a
//! live formula over its own two amounts, with the engine's value cached.

use super::cells::RowCells;
use super::lang::{Lang, Text, label, sheet, t};
use super::style::Styles;
use super::summary::{self, Cursor, write_run_facts};
use super::table::{Column, SheetError, Table, col, write_table, write_table_with_total};
use super::workbook::stage_workbook;
use super::{OutputError, WriteOptions};
use crate::report::{RepriceLine, RepriceReport, RepriceTotal};
use rust_xlsxwriter::{Chart, ColNum, Format, RowNum, Workbook, Worksheet, XlsxError};
use std::path::Path;

/// Lines columns: SPEC 7's nine, then each side's status and a note; the formula letters are
/// `letters` (checked by a test).
pub const REPRICE_LINES: &[Column] = &[
    col("order_id", "订单号", 18.0),
    col("line", "行号", 6.0),
    col("account_id", "客户ID", 16.0),
    col("product", "产品", 16.0),
    col("edition", "版本", 12.0),
    col("quantity", "数量", 10.0),
    col("old_amount", "原金额", 15.0),
    col("new_amount", "新金额", 15.0),
    col("delta", "变化", 14.0),
    col("old_status", "原状态", 16.0),
    col("new_status", "新状态", 16.0),
    col("note", "说明", 60.0),
];

/// Columns of the per-account and per-product totals after their first (key) column.
const TOTAL_COLUMNS: [Column; 5] = [
    col("lines", "行数", 8.0),
    col("old_amount", "原金额", 16.0),
    col("new_amount", "新金额", 16.0),
    col("delta", "变化", 14.0),
    col("changed", "变化行数", 9.0),
];

pub const REPRICE_ACCOUNTS: &[Column] = &[
    col("account_id", "客户ID", 18.0),
    TOTAL_COLUMNS[0],
    TOTAL_COLUMNS[1],
    TOTAL_COLUMNS[2],
    TOTAL_COLUMNS[3],
    TOTAL_COLUMNS[4],
];

pub const REPRICE_PRODUCTS: &[Column] = &[
    col("product", "产品", 16.0),
    TOTAL_COLUMNS[0],
    TOTAL_COLUMNS[1],
    TOTAL_COLUMNS[2],
    TOTAL_COLUMNS[3],
    TOTAL_COLUMNS[4],
];

/// The table sheets of reprice.xlsx: each sheet's name with its columns.
pub const LINES_TABLE: Table = Table {
    name: sheet::REPRICE_LINES,
    columns: REPRICE_LINES,
};
pub const ACCOUNTS_TABLE: Table = Table {
    name: sheet::REPRICE_ACCOUNTS,
    columns: REPRICE_ACCOUNTS,
};
pub const PRODUCTS_TABLE: Table = Table {
    name: sheet::REPRICE_PRODUCTS,
    columns: REPRICE_PRODUCTS,
};

/// Headers of the per-product table on the Summary sheet of reprice.xlsx.
pub const REPRICE_PRODUCT_HEADERS: [Text; 5] = [
    t("product", "产品"),
    t("lines", "行数"),
    t("old_amount", "原金额"),
    t("new_amount", "新金额"),
    t("delta", "变化"),
];

/// Column letters of the Lines sheet the `delta` formula uses.
pub mod letters {
    pub const OLD_AMOUNT: &str = "G";
    pub const NEW_AMOUNT: &str = "H";
}

/// The live formula of a Lines row's `delta` (Excel row `r`, 1-based): new − old.
pub fn delta_formula(r: u32) -> String {
    use letters::*;
    format!("={NEW_AMOUNT}{r}-{OLD_AMOUNT}{r}")
}

/// Writes reprice.xlsx to `path`, replacing it atomically.
///
/// The Summary is a small ordinary worksheet (its chart reads its cells); Lines, Accounts and
/// Products are constant-memory sheets written row by row straight from the report, continued
/// on `Lines (2)`, … past `opts.max_rows_per_sheet`. Two writes of the same report give
/// identical bytes.
///
/// # Errors
///
/// [`OutputError`] naming `path` and the sheet or step that failed; `path` is then left as
/// it was and no temporary file remains.
///
/// # Examples
///
/// ```no_run
/// use billrun::output::{WriteOptions, write_reprice};
/// use billrun::report::RepriceReport;
///
/// let report = RepriceReport::default();
/// write_reprice(&report, std::path::Path::new("out/reprice.xlsx"), &WriteOptions::default())?;
/// # Ok::<(), billrun::output::OutputError>(())
/// ```
pub fn write_reprice(
    report: &RepriceReport,
    path: &Path,
    opts: &WriteOptions,
) -> Result<(), OutputError> {
    stage_workbook(path, opts, |wb, styles| {
        let max = opts.max_rows_per_sheet;
        let lang = opts.lang;

        write_reprice_summary(wb, styles, lang, report)?;
        write_table(
            wb,
            styles,
            lang,
            &LINES_TABLE,
            &report.lines,
            max,
            |c, row, line| write_line(c, row, line, opts.formulas),
        )?;
        write_table_with_total(
            wb,
            styles,
            lang,
            &ACCOUNTS_TABLE,
            &report.accounts,
            &report.total,
            max,
            |c, row, total, label| write_total(c, row, total, label, lang),
        )?;
        write_table_with_total(
            wb,
            styles,
            lang,
            &PRODUCTS_TABLE,
            &report.products,
            &report.total,
            max,
            |c, row, total, label| write_total(c, row, total, label, lang),
        )?;

        Ok(())
    })?
    .publish()
}

/// One Lines row. A side that is an exception has no amount (its status is the exception's
/// code), and then there is no delta either. With formulas, `delta` is `new − old` over the
/// row's own cells with the engine's Decimal cached.
fn write_line(
    c: &mut RowCells<'_>,
    row: RowNum,
    l: &RepriceLine,
    formulas: bool,
) -> Result<(), XlsxError> {
    c.text(0, &l.order_id)?;
    c.integer(1, l.line)?;
    c.text(2, &l.account_id)?;
    c.text(3, &l.product)?;
    c.text(4, &l.edition)?;
    c.opt_count(5, l.quantity)?;
    c.opt_amount(6, l.old_amount)?;
    c.opt_amount(7, l.new_amount)?;
    if let (Some(old), Some(new)) = (l.old_amount, l.new_amount) {
        let delta = l.delta.unwrap_or(new - old);
        if formulas {
            c.amount_formula(8, &delta_formula(row + 1), delta)?;
        } else {
            c.amount(8, delta)?;
        }
    }
    c.text(9, &l.old_status)?;
    c.text(10, &l.new_status)?;
    c.text(11, &l.note)?;
    Ok(())
}

/// One row of the Accounts or Products totals; `label_format` styles the Total row's label,
/// written in `lang`.
fn write_total(
    c: &mut RowCells<'_>,
    _row: RowNum,
    total: &RepriceTotal,
    label_format: Option<&Format>,
    lang: Lang,
) -> Result<(), XlsxError> {
    product_row(c, total, label_format, lang)?;
    c.count(5, total.changed as u64)
}

/// Adds the Summary sheet of reprice.xlsx: key figures, the two catalogs, the run facts
/// shared with the other workbooks, then old and new amounts per product with a Total row and
/// a chart of the delta by product.
fn write_reprice_summary(
    workbook: &mut Workbook,
    styles: &Styles,
    lang: Lang,
    report: &RepriceReport,
) -> Result<(), SheetError> {
    summary::add_summary_sheet(workbook, lang, |ws| fill_summary(ws, styles, lang, report))
}

fn fill_summary(
    ws: &mut Worksheet,
    st: &Styles,
    lang: Lang,
    report: &RepriceReport,
) -> Result<(), XlsxError> {
    let name = summary::SHEET.get(lang);
    ws.set_name(name)?;
    super::workbook::print_setup(ws, lang, false)?;
    ws.set_column_width(0, 34)?;
    ws.set_column_width(1, 18)?;
    for c in 2..REPRICE_PRODUCT_HEADERS.len() as ColNum {
        ws.set_column_width(c, 16)?;
    }
    let total = &report.total;
    let mut k = Cursor::new(ws, st, lang);
    k.title(t("billrun reprice", "billrun 调价"))?;
    k.row = 2;

    let delta = t("Delta", "变化");
    k.section(label::KEY_FIGURES)?;
    k.amount(t("Old total", "原合计"), total.old_amount)?;
    k.amount(t("New total", "新合计"), total.new_amount)?;
    k.amount(delta, total.delta)?;
    k.count(t("Lines repriced", "重新定价行数"), total.lines)?;
    k.count(t("Lines changed", "金额变化行数"), total.changed)?;
    k.count(
        t("Priced under the baseline only", "仅原价目表可定价"),
        report.only_old,
    )?;
    k.count(
        t("Priced under the new catalog only", "仅新价目表可定价"),
        report.only_new,
    )?;
    k.skip();

    k.section(t("Catalogs", "价目表"))?;
    k.text(t("Baseline", "原价目表"), &report.baseline)?;
    k.text(t("New", "新价目表"), &report.catalog)?;
    k.skip();

    write_run_facts(&mut k, &report.facts)?;
    k.skip();

    k.section(label::BY_PRODUCT)?;
    let header_row = k.row;
    k.headers(&REPRICE_PRODUCT_HEADERS)?;
    let first = k.row;
    for p in &report.products {
        product_row(&mut k.cells(), p, None, lang)?;
        k.row += 1;
    }
    if report.products.is_empty() {
        return Ok(());
    }
    let last = k.row - 1;
    product_row(&mut k.cells(), total, Some(&st.section), lang)?;

    let mut chart = Chart::new_column();
    chart
        .add_series()
        .set_name(delta.get(lang))
        .set_categories((name, first, 0, last, 0))
        .set_values((name, first, 4, last, 4));
    chart
        .title()
        .set_name(t("Delta by product", "各产品金额变化").get(lang));
    chart.legend().set_hidden();
    chart.y_axis().set_num_format("#,##0");
    k.ws.insert_chart(header_row, 6, &chart)?;
    Ok(())
}

/// One row of the per-product table; `label_format` styles the Total row's label, written
/// in `lang`.
fn product_row(
    c: &mut RowCells<'_>,
    total: &RepriceTotal,
    label_format: Option<&Format>,
    lang: Lang,
) -> Result<(), XlsxError> {
    match label_format {
        Some(format) => c.styled_text(0, label::TOTAL.get(lang), format)?,
        None => c.text(0, &total.key)?,
    }
    c.count(1, total.lines as u64)?;
    c.amount(2, total.old_amount)?;
    c.amount(3, total.new_amount)?;
    c.amount(4, total.delta)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_letters_match_the_headers() {
        let letter = |header: &str| {
            let i = REPRICE_LINES
                .iter()
                .position(|c| c.header == header)
                .unwrap();
            rust_xlsxwriter::utility::column_number_to_name(i as u16)
        };
        assert_eq!(letter("old_amount"), letters::OLD_AMOUNT);
        assert_eq!(letter("new_amount"), letters::NEW_AMOUNT);
        assert_eq!(letter("delta"), "I");
        assert_eq!(delta_formula(5), "=H5-G5");
    }
}
