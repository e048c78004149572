//! The revenue sheets of invoices.xlsx (SPEC 6, with `--period`): Revenue, one row per priced
//! line, and its totals by account and by product, each closed by a bold Total row.

use super::WriteOptions;
use super::cells::RowCells;
use super::lang::{Lang, label, sheet};
use super::style::Styles;
use super::table::{Column, SheetError, Table, col, write_table, write_table_with_total};
use crate::report::{Revenue, RevenueRow, RevenueTotal};
use rust_xlsxwriter::{Format, RowNum, Workbook, XlsxError};

/// Revenue columns: SPEC 6's seven, then `refunded`, `line` and `method`; the formula
/// letters are `letters` (checked by a test).
pub const REVENUE: &[Column] = &[
    col("order_id", "订单号", 18.0),
    col("account_id", "客户ID", 16.0),
    col("product", "产品", 16.0),
    col("expected_amount", "应收金额", 15.0),
    col("recognized_before", "期前已确认", 15.0),
    col("recognized_in_period", "本期确认", 15.0),
    col("deferred_at_end", "期末递延", 15.0),
    col("refunded", "已退款", 13.0),
    col("line", "行号", 6.0),
    col("method", "确认方法", 50.0),
];

/// Columns of the per-account and per-product totals after their first (key) column.
const TOTAL_COLUMNS: [Column; 6] = [
    col("lines", "行数", 8.0),
    col("expected_amount", "应收金额", 15.0),
    col("recognized_before", "期前已确认", 15.0),
    col("recognized_in_period", "本期确认", 15.0),
    col("deferred_at_end", "期末递延", 15.0),
    col("refunded", "已退款", 13.0),
];

pub const REVENUE_BY_ACCOUNT: &[Column] = &[
    col("account_id", "客户ID", 18.0),
    TOTAL_COLUMNS[0],
    TOTAL_COLUMNS[1],
    TOTAL_COLUMNS[2],
    TOTAL_COLUMNS[3],
    TOTAL_COLUMNS[4],
    TOTAL_COLUMNS[5],
];

pub const REVENUE_BY_PRODUCT: &[Column] = &[
    col("product", "产品", 16.0),
    TOTAL_COLUMNS[0],
    TOTAL_COLUMNS[1],
    TOTAL_COLUMNS[2],
    TOTAL_COLUMNS[3],
    TOTAL_COLUMNS[4],
    TOTAL_COLUMNS[5],
];

/// The revenue sheets: each sheet's name with its columns.
pub const REVENUE_TABLE: Table = Table {
    name: sheet::REVENUE,
    columns: REVENUE,
};
pub const BY_ACCOUNT_TABLE: Table = Table {
    name: sheet::REVENUE_BY_ACCOUNT,
    columns: REVENUE_BY_ACCOUNT,
};
pub const BY_PRODUCT_TABLE: Table = Table {
    name: sheet::REVENUE_BY_PRODUCT,
    columns: REVENUE_BY_PRODUCT,
};

/// Column letters of the Revenue sheet the `deferred_at_end` formula uses.
pub mod letters {
    pub const EXPECTED: &str = "D";
    pub const BEFORE: &str = "E";
    pub const IN_PERIOD: &str = "F";
    pub const REFUNDED: &str = "H";
}

/// The live formula of a Revenue row's `deferred_at_end` (Excel row `r`, 1-based): what is
/// left of the expected amount once recognized revenue and refunds are taken off.
pub fn deferred_formula(r: u32) -> String {
    use letters::*;
    format!("={EXPECTED}{r}-{BEFORE}{r}-{IN_PERIOD}{r}-{REFUNDED}{r}")
}

/// Adds Revenue, Revenue by account and Revenue by product (constant-memory table sheets,
/// split past `opts.max_rows_per_sheet` like Lines).
pub fn write_revenue_sheets(
    wb: &mut Workbook,
    styles: &Styles,
    revenue: &Revenue,
    opts: &WriteOptions,
) -> Result<(), SheetError> {
    let max = opts.max_rows_per_sheet;
    let lang = opts.lang;
    write_table(
        wb,
        styles,
        lang,
        &REVENUE_TABLE,
        &revenue.lines,
        max,
        |c, row, r| write_revenue_row(c, row, r, opts.formulas),
    )?;
    write_table_with_total(
        wb,
        styles,
        lang,
        &BY_ACCOUNT_TABLE,
        &revenue.accounts,
        &revenue.total,
        max,
        |c, row, total, label| write_revenue_total(c, row, total, label, lang),
    )?;
    write_table_with_total(
        wb,
        styles,
        lang,
        &BY_PRODUCT_TABLE,
        &revenue.products,
        &revenue.total,
        max,
        |c, row, total, label| write_revenue_total(c, row, total, label, lang),
    )
}

/// One Revenue row. With formulas, `deferred_at_end` re-runs
/// `expected − before − in period − refunded` with the engine's Decimal cached.
fn write_revenue_row(
    c: &mut RowCells<'_>,
    row: RowNum,
    r: &RevenueRow,
    formulas: bool,
) -> Result<(), XlsxError> {
    c.text(0, &r.order_id)?;
    c.text(1, &r.account_id)?;
    c.text(2, &r.product)?;
    c.amount(3, r.expected_amount)?;
    c.amount(4, r.recognized_before)?;
    c.amount(5, r.recognized_in_period)?;
    if formulas {
        c.amount_formula(6, &deferred_formula(row + 1), r.deferred_at_end)?;
    } else {
        c.amount(6, r.deferred_at_end)?;
    }
    c.amount(7, r.refunded)?;
    c.integer(8, r.line)?;
    c.text(9, &r.method)?;
    Ok(())
}

/// One row of the by-account or by-product totals; `label_format` styles the Total row's
/// label, written in `lang`.
fn write_revenue_total(
    c: &mut RowCells<'_>,
    _row: RowNum,
    total: &RevenueTotal,
    label_format: Option<&Format>,
    lang: Lang,
) -> Result<(), XlsxError> {
    match label_format {
        Some(format) => c.styled_text(0, label::TOTAL.get(lang), format)?,
        None => c.text(0, &total.key)?,
    }
    c.count(1, total.lines as u64)?;
    c.amount(2, total.expected_amount)?;
    c.amount(3, total.recognized_before)?;
    c.amount(4, total.recognized_in_period)?;
    c.amount(5, total.deferred_at_end)?;
    c.amount(6, total.refunded)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_letters_match_the_headers() {
        let letter = |header: &str| {
            let i = REVENUE.iter().position(|c| c.header == header).unwrap();
            rust_xlsxwriter::utility::column_number_to_name(i as u16)
        };
        assert_eq!(letter("expected_amount"), letters::EXPECTED);
        assert_eq!(letter("recognized_before"), letters::BEFORE);
        assert_eq!(letter("recognized_in_period"), letters::IN_PERIOD);
        assert_eq!(letter("deferred_at_end"), "G");
        assert_eq!(letter("refunded"), letters::REFUNDED);
        assert_eq!(deferred_formula(7), "=D7-E7-F7-H7");
    }
}
