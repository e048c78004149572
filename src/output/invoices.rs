//! invoices.xlsx (SPEC 6): Summary, Lines, Accounts, Subscriptions, Packs, Usage, the three
//! revenue sheets (with `--period`) and Exceptions, written from a finished `Report` and
//! renamed into place when complete.

use super::atomic::Staged;
use super::cells::RowCells;
use super::lang::sheet;
use super::revenue::write_revenue_sheets;
use super::style::Styles;
use super::summary::fill_summary;
use super::table::{
    Column, SheetError, Table, TableStream, col, part_name, rows_per_sheet, write_table,
};
use super::workbook::{begin_workbook, guarded, save_staged, sheet_error};
use super::{OutputError, WriteOptions};
use crate::model::RowException;
use crate::report::{AccountTotal, Line, PackRow, Report, SubscriptionRow, UsageTotal};
use rust_xlsxwriter::{RowNum, Workbook, XlsxError};
use std::path::{Path, PathBuf};

/// Lines columns, in SPEC 6 order; their letters are `formulas::cols` (checked by a test).
pub const LINES: &[Column] = &[
    col("order_id", "订单号", 18.0),
    col("line", "行号", 6.0),
    col("account_id", "客户ID", 16.0),
    col("order_date", "下单日期", 11.0),
    col("type", "订单类型", 9.0),
    col("product", "产品", 16.0),
    col("edition", "版本", 12.0),
    col("quantity", "数量", 10.0),
    col("billable_quantity", "计费数量", 10.0),
    col("term", "时长", 7.0),
    col("service_start", "服务开始", 11.0),
    col("service_end", "服务结束", 11.0),
    col("unit_price", "单价", 12.0),
    col("full_years", "整年数", 7.0),
    col("full_years_amount", "整年金额", 15.0),
    col("months", "月数", 7.0),
    col("months_amount", "月份金额", 15.0),
    col("list_amount", "标价金额", 15.0),
    col("discount", "折扣", 13.0),
    col("expected_amount", "应收金额", 15.0),
    col("billed_amount", "实付金额", 15.0),
    col("difference", "差额", 13.0),
    col("status", "状态", 10.0),
    col("rule", "计算规则", 60.0),
];

pub const ACCOUNTS: &[Column] = &[
    col("account_id", "客户ID", 18.0),
    col("lines", "行数", 8.0),
    col("expected", "应收金额", 16.0),
    col("billed", "实付金额", 16.0),
    col("difference", "差额", 14.0),
    col("mismatches", "不符行数", 11.0),
    col("exceptions", "异常数", 11.0),
];

pub const SUBSCRIPTIONS: &[Column] = &[
    col("account_id", "客户ID", 18.0),
    col("product", "产品", 16.0),
    col("edition", "版本", 12.0),
    col("quantity", "数量", 10.0),
    col("start", "开始日期", 11.0),
    col("expiry", "到期日期", 11.0),
    col("status", "状态", 11.0),
    col("days_to_expiry", "距到期天数", 9.0),
    col("reclaim_date", "回收日期", 12.0),
];

pub const PACKS: &[Column] = &[
    col("account_id", "客户ID", 18.0),
    col("order_id", "订单号", 18.0),
    col("pack", "资源包序号", 6.0),
    col("product", "产品", 16.0),
    col("edition", "版本", 12.0),
    col("size", "规格", 12.0),
    col("bonus", "赠送量", 10.0),
    col("purchased", "购买日期", 11.0),
    col("expires", "到期日期", 11.0),
    col("used", "已用", 12.0),
    col("remaining", "剩余", 12.0),
    col("overdrawn", "超额使用", 10.0),
    col("status", "状态", 11.0),
];

/// Usage columns: `overdrawn` is F, `overage_rate` G (the overage formula uses them).
pub const USAGE: &[Column] = &[
    col("account_id", "客户ID", 18.0),
    col("metric", "指标", 14.0),
    col("rows", "行数", 8.0),
    col("used", "用量", 16.0),
    col("from_packs", "资源包抵扣", 16.0),
    col("overdrawn", "超额使用", 14.0),
    col("overage_rate", "超额单价", 12.0),
    col("overage_amount", "超额金额", 15.0),
    col("note", "说明", 60.0),
];

pub const EXCEPTIONS: &[Column] = &[
    col("source", "来源文件", 24.0),
    col("row", "来源行号", 8.0),
    col("order_id", "订单号", 18.0),
    col("account_id", "客户ID", 16.0),
    col("column", "列名", 16.0),
    col("value", "值", 20.0),
    col("code", "异常代码", 20.0),
    col("message", "说明", 70.0),
];

/// The table sheets of invoices.xlsx: each sheet's name with its columns.
pub const LINES_TABLE: Table = Table {
    name: sheet::LINES,
    columns: LINES,
};
pub const ACCOUNTS_TABLE: Table = Table {
    name: sheet::ACCOUNTS,
    columns: ACCOUNTS,
};
pub const SUBSCRIPTIONS_TABLE: Table = Table {
    name: sheet::SUBSCRIPTIONS,
    columns: SUBSCRIPTIONS,
};
pub const PACKS_TABLE: Table = Table {
    name: sheet::PACKS,
    columns: PACKS,
};
pub const USAGE_TABLE: Table = Table {
    name: sheet::USAGE,
    columns: USAGE,
};
pub const EXCEPTIONS_TABLE: Table = Table {
    name: sheet::EXCEPTIONS,
    columns: EXCEPTIONS,
};

/// Writes invoices.xlsx to `path`, replacing it atomically.
///
/// Table sheets are constant-memory worksheets written row by row straight from the report;
/// they spool to temporary files in `path`'s directory. Two writes of the same report give
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
/// use billrun::output::{WriteOptions, write_invoices};
/// use billrun::report::Report;
///
/// let report = Report::default();
/// let opts = WriteOptions { formulas: false, ..WriteOptions::default() };
/// write_invoices(&report, std::path::Path::new("out/invoices.xlsx"), &opts)?;
/// # Ok::<(), billrun::output::OutputError>(())
/// ```
pub fn write_invoices(
    report: &Report,
    path: &Path,
    opts: &WriteOptions,
) -> Result<(), OutputError> {
    let mut writer = InvoicesWriter::begin(path, opts)?;
    writer.lines(&report.lines)?;
    writer.finish(report)
}

/// invoices.xlsx written in steps, so that a streamed run's lines go to the Lines sheet as
/// each batch of accounts is priced and are never all held in memory: `begin` adds the
/// Summary (filled last) and the Lines sheet, `lines` appends lines in report order,
/// `finish` writes the other sheets from the report and saves atomically. Dropped before
/// `finish`, it leaves nothing behind (the spooled sheets are temporary files).
pub struct InvoicesWriter<'o> {
    path: PathBuf,
    opts: &'o WriteOptions,
    workbook: Workbook,
    styles: Styles,
    lines: TableStream<'static>,
}

impl<'o> InvoicesWriter<'o> {
    /// # Errors
    ///
    /// [`OutputError`] naming `path` when the workbook or its first sheets cannot be set up.
    pub fn begin(path: &Path, opts: &'o WriteOptions) -> Result<InvoicesWriter<'o>, OutputError> {
        let mut workbook = begin_workbook(path, opts)?;
        let styles = Styles::new();
        workbook.add_worksheet();
        let lines = TableStream::start(
            &mut workbook,
            &styles,
            opts.lang,
            &LINES_TABLE,
            opts.max_rows_per_sheet,
        )
        .map_err(|e| sheet_error(path, e))?;
        Ok(InvoicesWriter {
            path: path.to_path_buf(),
            opts,
            workbook,
            styles,
            lines,
        })
    }

    /// Appends `lines` (in report order) to the Lines sheet, continuing on `Lines (2)`, …
    ///
    /// # Errors
    ///
    /// [`OutputError`] naming the sheet that refused a cell.
    pub fn lines(&mut self, lines: &[Line]) -> Result<(), OutputError> {
        let formulas = self.opts.formulas;
        guarded(&self.path, || {
            self.lines
                .push(&mut self.workbook, &self.styles, lines, |c, row, line| {
                    write_line(c, row, line, formulas)
                })
                .map_err(|e| sheet_error(&self.path, e))
        })
    }

    /// Writes the Summary and the other sheets from `report` (whose lines went through
    /// `lines`) and saves the workbook atomically.
    ///
    /// # Errors
    ///
    /// [`OutputError`] naming the path and the sheet or step that failed; the path is then
    /// left as it was.
    pub fn finish(self, report: &Report) -> Result<(), OutputError> {
        self.stage(report)?.publish()
    }

    /// [`InvoicesWriter::finish`] without the rename: the workbook waits under its temporary
    /// name until the caller publishes it with the run's other outputs.
    ///
    /// # Errors
    ///
    /// As [`InvoicesWriter::finish`].
    pub fn stage(self, report: &Report) -> Result<Staged, OutputError> {
        let InvoicesWriter {
            path,
            opts,
            mut workbook,
            styles,
            lines,
        } = self;
        guarded(&path, || {
            let no_lines: Option<&Line> = None;
            lines
                .finish(&mut workbook, &styles, no_lines, |_, _, _, _| Ok(()))
                .map_err(|e| sheet_error(&path, e))?;
            fill_rest(&mut workbook, &styles, report, opts).map_err(|e| sheet_error(&path, e))?;
            save_staged(workbook, &path)
        })
    }
}

/// The sheets of invoices.xlsx other than Lines, the Summary (added first) included.
fn fill_rest(
    wb: &mut Workbook,
    styles: &Styles,
    report: &Report,
    opts: &WriteOptions,
) -> Result<(), SheetError> {
    let max = opts.max_rows_per_sheet;
    let lang = opts.lang;
    let summary = wb.worksheet_from_index(0).map_err(|source| SheetError {
        sheet: sheet::SUMMARY.get(lang).to_string(),
        source,
    })?;
    // The key figures are live sums over every Lines sheet, so a corrected billed_amount
    // flows into them.
    let lines_sheets: Option<Vec<String>> = opts.formulas.then(|| {
        let parts = report.line_count.div_ceil(rows_per_sheet(max)).max(1);
        (0..parts)
            .map(|p| part_name(LINES_TABLE.name.get(lang), p))
            .collect()
    });
    fill_summary(summary, styles, lang, report, lines_sheets.as_deref())?;
    write_table(
        wb,
        styles,
        lang,
        &ACCOUNTS_TABLE,
        &report.accounts,
        max,
        write_account,
    )?;
    write_table(
        wb,
        styles,
        lang,
        &SUBSCRIPTIONS_TABLE,
        &report.subscriptions,
        max,
        write_subscription,
    )?;
    write_table(
        wb,
        styles,
        lang,
        &PACKS_TABLE,
        &report.packs,
        max,
        write_pack,
    )?;
    write_table(
        wb,
        styles,
        lang,
        &USAGE_TABLE,
        &report.usage,
        max,
        |c, row, u| write_usage(c, row, u, opts.formulas),
    )?;
    if let Some(revenue) = &report.revenue {
        write_revenue_sheets(wb, styles, revenue, opts)?;
    }
    write_table(
        wb,
        styles,
        lang,
        &EXCEPTIONS_TABLE,
        &report.exceptions,
        max,
        write_exception,
    )
}

/// One Lines row. With formulas, the five computed amounts are live formulas over the row's
/// own cells (from `Line::formulas`, so the words and the arithmetic cannot drift) with the
/// Decimal results cached.
fn write_line(
    c: &mut RowCells<'_>,
    row: RowNum,
    line: &Line,
    formulas: bool,
) -> Result<(), XlsxError> {
    c.text(0, &line.order_id)?;
    c.integer(1, line.line)?;
    c.text(2, &line.account_id)?;
    c.date(3, line.order_date)?;
    c.text(4, line.kind.as_str())?;
    c.text(5, &line.product)?;
    c.text(6, &line.edition)?;
    c.count(7, line.quantity)?;
    c.quantity(8, line.billable_quantity)?;
    c.text(9, &line.term)?;
    c.opt_date(10, line.service_start)?;
    c.opt_date(11, line.service_end)?;
    c.price(12, line.unit_price)?;
    c.count(13, line.full_years)?;
    c.count(15, line.months)?;
    c.amount(18, line.discount)?;
    c.opt_amount(20, line.billed_amount)?;
    if formulas {
        let f = super::formulas::line_formulas(line, row + 1);
        match &f.full_years_amount {
            Some(formula) => c.amount_formula(14, formula, line.full_years_amount)?,
            None => c.amount(14, line.full_years_amount)?,
        }
        match &f.months_amount {
            Some(formula) => c.amount_formula(16, formula, line.months_amount)?,
            None => c.amount(16, line.months_amount)?,
        }
        c.amount_formula(17, &f.list_amount, line.list_amount)?;
        c.amount_formula(19, &f.expected_amount, line.expected_amount)?;
        if let (Some(formula), Some(billed)) = (&f.difference, line.billed_amount) {
            let value = line.difference.unwrap_or(billed - line.expected_amount);
            c.amount_formula(21, formula, value)?;
        }
    } else {
        c.amount(14, line.full_years_amount)?;
        c.amount(16, line.months_amount)?;
        c.amount(17, line.list_amount)?;
        c.amount(19, line.expected_amount)?;
        c.opt_amount(21, line.billed_amount.and(line.difference))?;
    }
    c.text(22, line.status.as_str())?;
    c.text(23, &line.rule)?;
    Ok(())
}

fn write_account(c: &mut RowCells<'_>, _row: RowNum, a: &AccountTotal) -> Result<(), XlsxError> {
    c.text(0, &a.account_id)?;
    c.count(1, a.lines as u64)?;
    c.amount(2, a.expected)?;
    c.amount(3, a.billed)?;
    c.amount(4, a.difference)?;
    c.count(5, a.mismatches as u64)?;
    c.count(6, a.exceptions as u64)?;
    Ok(())
}

fn write_subscription(
    c: &mut RowCells<'_>,
    _row: RowNum,
    s: &SubscriptionRow,
) -> Result<(), XlsxError> {
    c.text(0, &s.account_id)?;
    c.text(1, &s.product)?;
    c.text(2, &s.edition)?;
    c.count(3, s.quantity)?;
    c.date(4, s.start)?;
    c.date(5, s.expiry)?;
    c.text(6, s.status.as_str())?;
    c.count(7, s.days_to_expiry)?;
    c.date(8, s.reclaim_date)?;
    Ok(())
}

fn write_pack(c: &mut RowCells<'_>, _row: RowNum, p: &PackRow) -> Result<(), XlsxError> {
    c.text(0, &p.account_id)?;
    c.text(1, &p.order_id)?;
    c.integer(2, p.pack)?;
    c.text(3, &p.product)?;
    c.text(4, &p.edition)?;
    c.count(5, p.size)?;
    c.count(6, p.bonus)?;
    c.date(7, p.purchased)?;
    c.opt_date(8, p.expires)?;
    c.count(9, p.used)?;
    c.count(10, p.remaining)?;
    c.count(11, p.overdrawn)?;
    c.text(12, p.status.as_str())?;
    Ok(())
}

/// One Usage row. With formulas, `overage_amount` re-runs `overdrawn × overage_rate` (the
/// engine rounds that product once, as `ROUND` does) with the Decimal result cached.
fn write_usage(
    c: &mut RowCells<'_>,
    row: RowNum,
    u: &UsageTotal,
    formulas: bool,
) -> Result<(), XlsxError> {
    c.text(0, &u.account_id)?;
    c.text(1, &u.metric)?;
    c.count(2, u.rows as u64)?;
    c.count_u128(3, u.used)?;
    c.count_u128(4, u.from_packs)?;
    c.count_u128(5, u.overdrawn)?;
    if let Some(rate) = u.overage_rate {
        c.price(6, rate)?;
    }
    match (u.overage_rate, u.overage_amount) {
        (Some(_), Some(amount)) if formulas => {
            let r = row + 1;
            c.amount_formula(7, &format!("=ROUND(F{r}*G{r},2)"), amount)?;
        }
        // An amount without a rate has nothing to recompute from: keep the figure.
        (_, amount) => c.opt_amount(7, amount)?,
    }
    c.text(8, &u.note)?;
    Ok(())
}

/// Exception values are whatever the input held, `=cmd|…` included: `text` keeps them text.
fn write_exception(c: &mut RowCells<'_>, _row: RowNum, e: &RowException) -> Result<(), XlsxError> {
    c.text(0, &e.src.file)?;
    c.integer(1, e.src.row)?;
    c.text(2, &e.order_id)?;
    c.text(3, &e.account_id)?;
    c.text(4, &e.column)?;
    c.text(5, &e.value)?;
    c.text(6, e.code.as_str())?;
    c.text(7, &e.message)?;
    Ok(())
}
