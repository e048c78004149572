//! The Summary sheet of invoices.xlsx: key figures first, then run facts, row counts with
//! their check, and the per-product table with a chart of expected amount by product. The
//! label/value `Cursor` and the run facts are shared with the Summary of refunds.xlsx.

use super::cells::RowCells;
use super::style::Styles;
use super::table::SheetError;
use crate::report::{Report, RunFacts};
use rust_decimal::Decimal;
use rust_xlsxwriter::{Chart, ColNum, RowNum, Workbook, Worksheet, XlsxError};

pub const SHEET: &str = "Summary";

/// Headers of the per-product table.
pub const PRODUCT_HEADERS: [&str; 5] = ["product", "lines", "expected", "billed", "difference"];

/// Adds the Summary sheet. It is small, so it is an ordinary (in-memory) worksheet, which
/// also lets the chart read its cached values.
pub fn write_summary(
    workbook: &mut Workbook,
    styles: &Styles,
    report: &Report,
) -> Result<(), SheetError> {
    let ws = workbook.add_worksheet();
    fill(ws, styles, report).map_err(|source| SheetError {
        sheet: SHEET.to_string(),
        source,
    })
}

/// Writes label/value rows downwards.
pub(super) struct Cursor<'a> {
    pub ws: &'a mut Worksheet,
    pub st: &'a Styles,
    /// The next row to write (0-based).
    pub row: RowNum,
}

impl<'a> Cursor<'a> {
    pub fn new(ws: &'a mut Worksheet, st: &'a Styles) -> Cursor<'a> {
        Cursor { ws, st, row: 0 }
    }

    pub fn cells(&mut self) -> RowCells<'_> {
        RowCells::new(self.ws, self.st, self.row)
    }

    pub fn section(&mut self, title: &str) -> Result<(), XlsxError> {
        let st = self.st;
        self.cells().styled_text(0, title, &st.section)?;
        self.row += 1;
        Ok(())
    }

    pub fn text(&mut self, label: &str, value: &str) -> Result<(), XlsxError> {
        let mut c = self.cells();
        c.text(0, label)?;
        c.text(1, value)?;
        self.row += 1;
        Ok(())
    }

    pub fn amount(&mut self, label: &str, value: Decimal) -> Result<(), XlsxError> {
        let mut c = self.cells();
        c.text(0, label)?;
        c.amount(1, value)?;
        self.row += 1;
        Ok(())
    }

    pub fn count(&mut self, label: &str, value: usize) -> Result<(), XlsxError> {
        let mut c = self.cells();
        c.text(0, label)?;
        c.count(1, value as u64)?;
        self.row += 1;
        Ok(())
    }

    pub fn skip(&mut self) {
        self.row += 1;
    }
}

fn fill(ws: &mut Worksheet, st: &Styles, report: &Report) -> Result<(), XlsxError> {
    ws.set_name(SHEET)?;
    ws.set_column_width(0, 30)?;
    ws.set_column_width(1, 18)?;
    for c in 2..=4 {
        ws.set_column_width(c, 16)?;
    }
    let facts = &report.facts;
    let mut k = Cursor::new(ws, st);
    k.cells().styled_text(0, "billrun invoices", &st.title)?;
    k.row = 2;

    k.section("Key figures")?;
    k.amount("Expected", report.total_expected)?;
    k.amount("Billed", report.total_billed)?;
    k.amount("Difference", report.total_difference)?;
    k.amount("Refunded", report.total_refunded)?;
    k.amount("Usage overage", report.total_overage)?;
    k.count("Lines", report.lines.len())?;
    k.count("Mismatches", report.mismatches)?;
    k.count("Unbilled", report.unbilled)?;
    k.count("Exceptions", report.exceptions.len())?;
    k.skip();

    write_run_facts(&mut k, facts)?;
    k.amount("Tolerance", facts.tolerance)?;
    k.text("Low pack alert below", &percent(facts.alert_below))?;
    if !facts.unknown_columns.is_empty() {
        k.text("Unused input columns", &facts.unknown_columns.join(", "))?;
    }
    k.skip();

    k.section("Counts")?;
    k.count("Rows read", facts.rows_read)?;
    k.count("Blank rows skipped", facts.blank_rows)?;
    k.count("Lines", report.lines.len())?;
    k.count("Refunds", facts.refunds)?;
    k.count("Usage rows", facts.usage_rows)?;
    k.count("Exceptions", report.exceptions.len())?;
    k.count("Rows outside period", facts.rows_outside_period)?;
    k.count("Mismatches", report.mismatches)?;
    k.count("Unbilled", report.unbilled)?;
    // One refund request may decide several order lines: informational, not in the check.
    k.count("Refund decisions", report.refunds.len())?;
    let accounted = report.accounted_rows();
    k.count("Rows accounted for", accounted)?;
    {
        let mut c = k.cells();
        c.text(0, "Check")?;
        c.text(1, &check_verdict(accounted, facts.rows_read))?;
        c.text(
            2,
            "lines + refunds + usage rows + exceptions + rows outside period = rows read",
        )?;
        k.row += 1;
    }
    k.skip();

    k.section("By product")?;
    let header_row = k.row;
    {
        let mut c = k.cells();
        for (i, h) in PRODUCT_HEADERS.iter().enumerate() {
            c.styled_text(i as ColNum, h, &st.header)?;
        }
        k.row += 1;
    }
    let first = k.row;
    for p in &report.products {
        let mut c = k.cells();
        c.text(0, &p.product)?;
        c.count(1, p.lines as u64)?;
        c.amount(2, p.expected)?;
        c.amount(3, p.billed)?;
        c.amount(4, p.difference)?;
        k.row += 1;
    }
    if !report.products.is_empty() {
        let last = k.row - 1;
        let mut c = k.cells();
        c.styled_text(0, "Total", &st.section)?;
        c.count(
            1,
            report.products.iter().map(|p| p.lines as u64).sum::<u64>(),
        )?;
        c.amount(2, report.total_expected)?;
        c.amount(3, report.total_billed)?;
        c.amount(4, report.total_difference)?;

        let mut chart = Chart::new_column();
        chart
            .add_series()
            .set_name("Expected")
            .set_categories((SHEET, first, 0, last, 0))
            .set_values((SHEET, first, 2, last, 2));
        chart.title().set_name("Expected amount by product");
        chart.legend().set_hidden();
        chart.y_axis().set_num_format("#,##0");
        k.ws.insert_chart(header_row, 6, &chart)?;
    }
    Ok(())
}

/// The "Run" section both Summary sheets open their facts with: the section title, inputs,
/// as-of date (a date cell), period and catalog. Callers add their own facts after it.
pub(super) fn write_run_facts(k: &mut Cursor<'_>, facts: &RunFacts) -> Result<(), XlsxError> {
    k.section("Run")?;
    if facts.inputs.is_empty() {
        k.text("Inputs", "(none)")?;
    }
    for (i, input) in facts.inputs.iter().enumerate() {
        k.text(if i == 0 { "Inputs" } else { "" }, input)?;
    }
    match facts.as_of {
        Some(d) => {
            let mut c = k.cells();
            c.text(0, "As of")?;
            c.date(1, d)?;
            k.row += 1;
        }
        None => k.text("As of", "(not set)")?,
    }
    k.text("Period", facts.period.as_deref().unwrap_or("(all dates)"))?;
    k.text("Catalog", &facts.catalog)?;
    Ok(())
}

/// `10` → `10%`: `--alert-below` is a percentage of a pack's size.
fn percent(value: Decimal) -> String {
    format!("{}%", value.normalize())
}

fn check_verdict(accounted: usize, rows_read: usize) -> String {
    if accounted == rows_read {
        "OK".to_string()
    } else if accounted < rows_read {
        format!("{} rows unaccounted for", rows_read - accounted)
    } else {
        format!("{} rows counted twice", accounted - rows_read)
    }
}
