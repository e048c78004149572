//! refunds.xlsx (SPEC 6): Summary, Refunds and Packs, written from a finished `Report` and
//! renamed into place when complete. Refund amounts are live formulas over the row's own
//! cells, or over the request's rows on the Packs sheet, with the engine's values cached.

use super::atomic::Staged;
use super::cells::RowCells;
use super::lang::{Lang, Text, label, sheet, sheet_ref, t};
use super::style::Styles;
use super::summary::{self, Cursor, write_run_facts};
use super::table::{Column, SheetError, Table, col, rows_per_sheet, write_table};
use super::workbook::stage_workbook;
use super::{OutputError, WriteOptions};
use crate::report::{Decision, PackRefund, RefundCalc, RefundRow, RefundTotal, Report};
use rust_decimal::Decimal;
use rust_xlsxwriter::{ColNum, RowNum, Workbook, Worksheet, XlsxError};
use std::ops::Range;
use std::path::Path;

/// Refunds columns, in SPEC 6 order; the formula letters are `letters` (checked by a test).
pub const REFUNDS: &[Column] = &[
    col("refund_order_id", "退款订单号", 18.0),
    col("ref_order_id", "原订单号", 18.0),
    col("account_id", "客户ID", 16.0),
    col("product", "产品", 16.0),
    col("edition", "版本", 12.0),
    col("refund_date", "退款日期", 11.0),
    col("reason", "退款原因", 11.0),
    col("original_type", "原订单类型", 10.0),
    col("start_date", "开通日期", 11.0),
    col("days_since_start", "开通天数", 9.0),
    col("paid", "实付", 15.0),
    col("voucher_kept", "代金券保留", 13.0),
    col("used_quantity", "已用数量", 14.0),
    col("used_value", "已用价值", 15.0),
    col("refund_amount", "退款金额", 15.0),
    col("decision", "决定", 11.0),
    col("rule", "计算规则", 60.0),
];

/// Packs columns of refunds.xlsx: one row per refunded pack.
pub const REFUND_PACKS: &[Column] = &[
    col("refund_order_id", "退款订单号", 18.0),
    col("account_id", "客户ID", 16.0),
    col("order_id", "订单号", 18.0),
    col("pack", "资源包序号", 6.0),
    col("product", "产品", 16.0),
    col("edition", "版本", 12.0),
    col("size", "规格", 14.0),
    col("used", "已用", 14.0),
    col("used_value", "已用价值", 15.0),
    col("paid", "实付", 15.0),
    col("refund", "退款金额", 15.0),
];

/// The Refunds sheet: the per-refund decisions.
pub const REFUNDS_TABLE: Table = Table {
    name: sheet::REFUNDS,
    columns: REFUNDS,
};
/// The Packs sheet: the refunded packs; the Refunds formulas of pack refunds point into it.
pub const PACKS_TABLE: Table = Table {
    name: sheet::REFUND_PACKS,
    columns: REFUND_PACKS,
};

/// Headers of the per-product table on the Summary sheet of refunds.xlsx.
pub const REFUND_PRODUCT_HEADERS: [Text; 7] = [
    t("product", "产品"),
    t("approved", "批准数"),
    t("approved_paid", "批准实付"),
    t("approved_amount", "批准退款金额"),
    t("voucher_kept", "代金券保留"),
    t("rejected", "拒绝数"),
    t("rejected_paid", "拒绝实付"),
];

/// Column letters the formulas use; a test checks them against `REFUNDS` and `REFUND_PACKS`.
pub mod letters {
    /// Refunds sheet.
    pub const PAID: &str = "K";
    pub const VOUCHER_KEPT: &str = "L";
    /// Packs sheet.
    pub const PACK_USED: &str = "H";
    pub const PACK_USED_VALUE: &str = "I";
    pub const PACK_PAID: &str = "J";
    pub const PACK_REFUND: &str = "K";
}

/// Writes refunds.xlsx to `path`, replacing it atomically.
///
/// The Summary is a small ordinary worksheet; Refunds and Packs are constant-memory sheets
/// written row by row straight from the report, continued on `Refunds (2)`, … past
/// `opts.max_rows_per_sheet`. Two writes of the same report give identical bytes.
///
/// # Errors
///
/// [`OutputError`] naming `path` and the sheet or step that failed; `path` is then left as
/// it was and no temporary file remains.
///
/// # Examples
///
/// ```no_run
/// use billrun::output::{WriteOptions, write_refunds};
/// use billrun::report::Report;
///
/// let report = Report::default();
/// write_refunds(&report, std::path::Path::new("out/refunds.xlsx"), &WriteOptions::default())?;
/// # Ok::<(), billrun::output::OutputError>(())
/// ```
pub fn write_refunds(report: &Report, path: &Path, opts: &WriteOptions) -> Result<(), OutputError> {
    stage_refunds(report, path, opts)?.publish()
}

/// [`write_refunds`] without the rename: the workbook waits under its temporary name until
/// the caller publishes it with the run's other outputs.
///
/// # Errors
///
/// As [`write_refunds`].
pub fn stage_refunds(
    report: &Report,
    path: &Path,
    opts: &WriteOptions,
) -> Result<Staged, OutputError> {
    stage_workbook(path, opts, |wb, styles| {
        let max = opts.max_rows_per_sheet;
        let lang = opts.lang;

        write_refund_summary(wb, styles, lang, report)?;
        let packs_sheet = PACKS_TABLE.name.get(lang);
        // The Packs sheet lists every request's packs in the order of the requests, so a
        // request's first pack row is the count of the packs before it.
        let mut packs_before = 0;
        write_table(
            wb,
            styles,
            lang,
            &REFUNDS_TABLE,
            &report.refunds,
            max,
            |c, row, refund| {
                let packs = packs_before..packs_before + refund.packs.len();
                packs_before = packs.end;
                let formulas = opts.formulas.then_some((packs_sheet, max));
                write_refund(c, row, refund, packs, formulas)
            },
        )?;
        let packs: Vec<(&RefundRow, &PackRefund)> = report
            .refunds
            .iter()
            .flat_map(|r| r.packs.iter().map(move |p| (r, p)))
            .collect();
        write_table(
            wb,
            styles,
            lang,
            &PACKS_TABLE,
            &packs,
            max,
            |c, row, (refund, pack)| write_refund_pack(c, row, refund, pack, opts.formulas),
        )?;

        Ok(())
    })
}

/// The live formula of a Refunds row's `refund_amount` (Excel row `r`, 1-based), or `None`
/// when the amount is written as a plain number. `packs` are the row's packs as data rows of
/// the Packs sheet (0-based, in the order written).
///
/// `packs_sheet` is the Packs sheet's name in the workbook's language (`Packs`, `退款资源包`);
/// the formula quotes it as a reference needs (`'退款资源包'!K2`). `max_rows` is
/// `WriteOptions::max_rows_per_sheet`: a pack refund sums its rows on the Packs sheet only
/// when all of them are on the first one (`Packs`, not `Packs (2)`), since a range cannot
/// span two sheets. A pro-rata over zero units has nothing to divide by.
pub fn refund_formula_in(
    calc: RefundCalc,
    r: u32,
    packs: Range<usize>,
    packs_sheet: &str,
    max_rows: u32,
) -> Option<String> {
    use letters::*;
    match calc {
        RefundCalc::Nothing => None,
        RefundCalc::Full => Some(format!("={PAID}{r}-{VOUCHER_KEPT}{r}")),
        RefundCalc::ProRata { total: 0, .. } => None,
        RefundCalc::ProRata { unused, total } => Some(format!(
            "=ROUND(({PAID}{r}-{VOUCHER_KEPT}{r})*{unused}/{total},2)"
        )),
        RefundCalc::Packs => {
            if packs.is_empty() || packs.end > rows_per_sheet(max_rows) {
                return None;
            }
            // Data row i sits on Excel row i + 2, under the header.
            let (a, b) = (packs.start + 2, packs.end + 1);
            let sheet = sheet_ref(packs_sheet);
            Some(format!("=SUM({sheet}!{PACK_REFUND}{a}:{PACK_REFUND}{b})"))
        }
    }
}

/// [`refund_formula_in`] as the English workbook has it (`=SUM(Packs!K2:K4)`).
#[cfg(test)]
pub fn refund_formula(
    calc: RefundCalc,
    r: u32,
    packs: Range<usize>,
    max_rows: u32,
) -> Option<String> {
    refund_formula_in(calc, r, packs, sheet::REFUND_PACKS.en, max_rows)
}

/// The live formulas of a refunds Packs row (Excel row `r`): `used_value` and `refund`.
/// The unit value is written as the Decimal's own digits, so `=H2*0.03` shows the rate the
/// engine used.
pub fn refund_pack_formulas(pack: &PackRefund, r: u32) -> (String, String) {
    use letters::*;
    let unit = pack.unit_value.normalize();
    (
        format!("={PACK_USED}{r}*{unit}"),
        format!("=ROUND(MAX(0,{PACK_PAID}{r}-{PACK_USED_VALUE}{r}),2)"),
    )
}

/// One Refunds row; `packs` are its packs' data rows on the Packs sheet. `formulas` carries
/// the Packs sheet's name and `max_rows_per_sheet` when amounts are live formulas.
fn write_refund(
    c: &mut RowCells<'_>,
    row: RowNum,
    f: &RefundRow,
    packs: Range<usize>,
    formulas: Option<(&str, u32)>,
) -> Result<(), XlsxError> {
    c.text(0, &f.refund_order_id)?;
    c.text(1, &f.ref_order_id)?;
    c.text(2, &f.account_id)?;
    c.text(3, &f.product)?;
    c.text(4, &f.edition)?;
    c.date(5, f.refund_date)?;
    c.text(6, &f.reason)?;
    c.text(7, f.original_type.map_or("", |t| t.as_str()))?;
    c.opt_date(8, f.start_date)?;
    c.opt_count(9, f.days_since_start)?;
    c.amount(10, f.paid)?;
    c.amount(11, f.voucher_kept)?;
    c.opt_count(12, f.used_quantity)?;
    c.opt_amount(13, f.used_value)?;
    match formulas.and_then(|(sheet, max)| refund_formula_in(f.calc, row + 1, packs, sheet, max)) {
        Some(formula) => c.amount_formula(14, &formula, f.refund_amount)?,
        None => c.amount(14, f.refund_amount)?,
    }
    c.text(15, f.decision.as_str())?;
    c.text(16, &f.rule)?;
    Ok(())
}

/// One Packs row: pack `p` of the refund row `owner`, which names the request, the account
/// and the refunded order.
fn write_refund_pack(
    c: &mut RowCells<'_>,
    row: RowNum,
    owner: &RefundRow,
    p: &PackRefund,
    formulas: bool,
) -> Result<(), XlsxError> {
    c.text(0, &owner.refund_order_id)?;
    c.text(1, &owner.account_id)?;
    c.text(2, &owner.ref_order_id)?;
    c.integer(3, p.pack)?;
    c.text(4, &p.product)?;
    c.text(5, &p.edition)?;
    c.count(6, p.size)?;
    c.count(7, p.used)?;
    c.amount(9, p.paid)?;
    if formulas {
        let (used_value, refund) = refund_pack_formulas(p, row + 1);
        c.amount_formula(8, &used_value, p.used_value)?;
        c.amount_formula(10, &refund, p.refund)?;
    } else {
        c.amount(8, p.used_value)?;
        c.amount(10, p.refund)?;
    }
    Ok(())
}

/// Adds the Summary sheet of refunds.xlsx: key figures, the run facts shared with
/// invoices.xlsx, then decisions per product with a Total row.
fn write_refund_summary(
    workbook: &mut Workbook,
    styles: &Styles,
    lang: Lang,
    report: &Report,
) -> Result<(), SheetError> {
    summary::add_summary_sheet(workbook, lang, |ws| fill_summary(ws, styles, lang, report))
}

fn fill_summary(
    ws: &mut Worksheet,
    st: &Styles,
    lang: Lang,
    report: &Report,
) -> Result<(), XlsxError> {
    ws.set_name(summary::SHEET.get(lang))?;
    super::workbook::print_setup(ws, lang, false)?;
    ws.set_column_width(0, 30)?;
    ws.set_column_width(1, 18)?;
    for c in 2..REFUND_PRODUCT_HEADERS.len() as ColNum {
        ws.set_column_width(c, 16)?;
    }
    let decided = |d: Decision| report.refunds.iter().filter(|f| f.decision == d).count();
    let mut k = Cursor::new(ws, st, lang);
    k.title(t("billrun refunds", "billrun 退款"))?;
    k.row = 2;

    k.section(label::KEY_FIGURES)?;
    k.count(t("Requests decided", "已决定申请数"), report.facts.refunds)?;
    k.count(t("Decision rows", "决定行数"), report.refunds.len())?;
    k.count(t("Approved", "批准数"), decided(Decision::Approved))?;
    k.count(t("Rejected", "拒绝数"), decided(Decision::Rejected))?;
    k.amount(t("Refunded", "退款金额"), report.total_refunded)?;
    k.amount(t("Voucher kept", "代金券保留"), report.total_voucher_kept)?;
    k.skip();

    write_run_facts(&mut k, &report.facts)?;
    k.skip();

    k.section(label::BY_PRODUCT)?;
    k.headers(&REFUND_PRODUCT_HEADERS)?;
    for t in &report.refund_totals {
        product_row(&mut k.cells(), t, None)?;
        k.row += 1;
    }
    if !report.refund_totals.is_empty() {
        // The Total row adds up the table above it, so it always agrees with what it shows.
        let sum = |f: fn(&RefundTotal) -> Decimal| report.refund_totals.iter().map(f).sum();
        let total = RefundTotal {
            product: label::TOTAL.get(lang).to_string(),
            approved: report.refund_totals.iter().map(|t| t.approved).sum(),
            approved_paid: sum(|t| t.approved_paid),
            approved_amount: sum(|t| t.approved_amount),
            voucher_kept: sum(|t| t.voucher_kept),
            rejected: report.refund_totals.iter().map(|t| t.rejected).sum(),
            rejected_paid: sum(|t| t.rejected_paid),
        };
        product_row(&mut k.cells(), &total, Some(&st.section))?;
    }
    Ok(())
}

/// One row of the per-product table; `label_format` styles the first cell (the Total row).
fn product_row(
    c: &mut RowCells<'_>,
    t: &RefundTotal,
    label_format: Option<&rust_xlsxwriter::Format>,
) -> Result<(), XlsxError> {
    match label_format {
        Some(format) => c.styled_text(0, &t.product, format)?,
        None => c.text(0, &t.product)?,
    }
    c.count(1, t.approved as u64)?;
    c.amount(2, t.approved_paid)?;
    c.amount(3, t.approved_amount)?;
    c.amount(4, t.voucher_kept)?;
    c.count(5, t.rejected as u64)?;
    c.amount(6, t.rejected_paid)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refund_formulas_follow_the_calc() {
        assert_eq!(refund_formula(RefundCalc::Nothing, 2, 0..0, 100), None);
        assert_eq!(
            refund_formula(RefundCalc::Full, 7, 0..0, 100).as_deref(),
            Some("=K7-L7")
        );
        assert_eq!(
            refund_formula(
                RefundCalc::ProRata {
                    unused: 200,
                    total: 365
                },
                3,
                0..0,
                100
            )
            .as_deref(),
            Some("=ROUND((K3-L3)*200/365,2)")
        );
        assert_eq!(
            refund_formula(
                RefundCalc::ProRata {
                    unused: 0,
                    total: 0
                },
                3,
                0..0,
                100
            ),
            None,
            "nothing to divide by"
        );
        let packs = RefundCalc::Packs;
        assert_eq!(
            refund_formula(packs, 4, 0..3, 100).as_deref(),
            Some("=SUM(Packs!K2:K4)")
        );
        assert_eq!(
            refund_formula(packs, 9, 5..6, 100).as_deref(),
            Some("=SUM(Packs!K7:K7)")
        );
    }

    #[test]
    fn a_pack_range_off_the_first_packs_sheet_is_a_plain_value() {
        let packs = RefundCalc::Packs;
        // Exactly filling the first sheet is fine; one row past it is not.
        assert_eq!(
            refund_formula(packs, 2, 1..3, 3).as_deref(),
            Some("=SUM(Packs!K3:K4)")
        );
        assert_eq!(refund_formula(packs, 2, 1..4, 3), None);
        assert_eq!(refund_formula(packs, 2, 3..4, 3), None);
        assert_eq!(refund_formula(packs, 2, 0..0, 3), None, "no rows to sum");
        assert_eq!(
            refund_formula(packs, 2, usize::MAX - 1..usize::MAX, 3),
            None
        );
        // 0 is clamped to one row a sheet, as the table writer does.
        assert_eq!(
            refund_formula(packs, 2, 0..1, 0).as_deref(),
            Some("=SUM(Packs!K2:K2)")
        );
        // The default limit: the whole of Excel's first sheet.
        let max = super::super::EXCEL_MAX_DATA_ROWS;
        assert!(refund_formula(packs, 2, 1_048_574..1_048_575, max).is_some());
        assert!(refund_formula(packs, 2, 1_048_575..1_048_576, max).is_none());
    }

    #[test]
    fn pack_formulas_use_the_unit_value_digits() {
        use rust_decimal_macros::dec;
        let pack = PackRefund {
            pack: 2,
            product: "qdm-pv".into(),
            edition: String::new(),
            size: 1_000_000,
            used: 500_000,
            unit_value: dec!(0.0300),
            used_value: dec!(15000.00),
            paid: dec!(30000.00),
            refund: dec!(15000.00),
        };
        assert_eq!(
            refund_pack_formulas(&pack, 3),
            ("=H3*0.03".to_string(), "=ROUND(MAX(0,J3-I3),2)".to_string())
        );
    }

    #[test]
    fn formula_letters_match_the_headers() {
        let letter = |columns: &[Column], header: &str| {
            let i = columns.iter().position(|c| c.header == header).unwrap();
            rust_xlsxwriter::utility::column_number_to_name(i as u16)
        };
        assert_eq!(letter(REFUNDS, "paid"), letters::PAID);
        assert_eq!(letter(REFUNDS, "voucher_kept"), letters::VOUCHER_KEPT);
        assert_eq!(letter(REFUNDS, "refund_amount"), "O");
        assert_eq!(letter(REFUND_PACKS, "used"), letters::PACK_USED);
        assert_eq!(letter(REFUND_PACKS, "used_value"), letters::PACK_USED_VALUE);
        assert_eq!(letter(REFUND_PACKS, "paid"), letters::PACK_PAID);
        assert_eq!(letter(REFUND_PACKS, "refund"), letters::PACK_REFUND);
    }
}
