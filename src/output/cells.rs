//! Cell helpers: how one value of each kind (text, amount, count, date, amount formula) is
//! written, so every sheet formats it the same way and text can never become a formula.

use super::style::Styles;
use crate::money::to_f64_lossy;
use chrono::{Datelike, NaiveDate};
use rust_decimal::Decimal;
use rust_xlsxwriter::{ColNum, ExcelDateTime, Formula, RowNum, Worksheet, XlsxError};
use std::borrow::Cow;

/// Excel's limit on the characters (UTF-16 units) of one cell.
const MAX_CELL_CHARS: usize = 32_767;

/// Writes the cells of one row. Borrowing the worksheet for one row at a time matches the
/// constant-memory sheets, which accept rows only in order.
pub struct RowCells<'a> {
    ws: &'a mut Worksheet,
    st: &'a Styles,
    row: RowNum,
}

impl<'a> RowCells<'a> {
    pub fn new(ws: &'a mut Worksheet, st: &'a Styles, row: RowNum) -> RowCells<'a> {
        RowCells { ws, st, row }
    }

    /// Text, always as a string cell (never through a path that parses formulas). Text that
    /// Excel would read as a formula on editing gets the quote prefix; text longer than a
    /// cell holds is cut with `…` rather than failing the whole workbook. Empty text leaves
    /// the cell empty.
    pub fn text(&mut self, col: ColNum, text: &str) -> Result<(), XlsxError> {
        if text.is_empty() {
            return Ok(());
        }
        let text = fit_cell(text);
        if looks_like_formula(&text) {
            self.ws
                .write_string_with_format(self.row, col, text, &self.st.quoted_text)?;
        } else {
            self.ws.write_string(self.row, col, text)?;
        }
        Ok(())
    }

    /// Text in the given format (headers, section titles), with the same safety as `text`.
    pub fn styled_text(
        &mut self,
        col: ColNum,
        text: &str,
        format: &rust_xlsxwriter::Format,
    ) -> Result<(), XlsxError> {
        let text = fit_cell(text);
        if looks_like_formula(&text) {
            let quoted = format.clone().set_quote_prefix();
            self.ws
                .write_string_with_format(self.row, col, text, &quoted)?;
        } else {
            self.ws
                .write_string_with_format(self.row, col, text, format)?;
        }
        Ok(())
    }

    /// An amount, `#,##0.00`.
    pub fn amount(&mut self, col: ColNum, value: Decimal) -> Result<(), XlsxError> {
        self.ws
            .write_number_with_format(self.row, col, to_f64_lossy(value), &self.st.amount)?;
        Ok(())
    }

    /// An amount, or an empty cell for `None`.
    pub fn opt_amount(&mut self, col: ColNum, value: Option<Decimal>) -> Result<(), XlsxError> {
        match value {
            Some(v) => self.amount(col, v),
            None => Ok(()),
        }
    }

    /// A unit price: two to four decimals.
    pub fn price(&mut self, col: ColNum, value: Decimal) -> Result<(), XlsxError> {
        self.ws
            .write_number_with_format(self.row, col, to_f64_lossy(value), &self.st.price)?;
        Ok(())
    }

    /// A live amount formula with its value cached, `#,##0.00`. `formula` comes from
    /// `Line::formulas`, never from input data.
    pub fn amount_formula(
        &mut self,
        col: ColNum,
        formula: &str,
        value: Decimal,
    ) -> Result<(), XlsxError> {
        // The Decimal's own digits are the cached result: exact, and what Excel shows until
        // it recalculates.
        let formula = Formula::new(formula).set_result(value.to_string());
        self.ws
            .write_formula_with_format(self.row, col, formula, &self.st.amount)?;
        Ok(())
    }

    /// A whole count or quantity, `#,##0` (negative numbers such as days past expiry too).
    pub fn count(&mut self, col: ColNum, value: impl Into<i128>) -> Result<(), XlsxError> {
        let value = value.into() as f64;
        self.ws
            .write_number_with_format(self.row, col, value, &self.st.count)?;
        Ok(())
    }

    /// A count, or an empty cell for `None`.
    pub fn opt_count<T: Into<i128>>(
        &mut self,
        col: ColNum,
        value: Option<T>,
    ) -> Result<(), XlsxError> {
        match value {
            Some(v) => self.count(col, v),
            None => Ok(()),
        }
    }

    /// A whole count too large for `count` (usage totals summed over a run), `#,##0`. Excel
    /// holds numbers as `f64`: past 2^53 (9 × 10^15) the last digits round, which the cell
    /// cannot avoid.
    pub fn count_u128(&mut self, col: ColNum, value: u128) -> Result<(), XlsxError> {
        self.ws
            .write_number_with_format(self.row, col, value as f64, &self.st.count)?;
        Ok(())
    }

    /// A plain integer with no thousands separator (line numbers, source row numbers).
    pub fn integer(&mut self, col: ColNum, value: u32) -> Result<(), XlsxError> {
        self.ws.write_number(self.row, col, value)?;
        Ok(())
    }

    /// A quantity that may have decimals: `#,##0` when whole, else up to four decimals.
    pub fn quantity(&mut self, col: ColNum, value: Decimal) -> Result<(), XlsxError> {
        let format = if value.fract().is_zero() {
            &self.st.count
        } else {
            &self.st.fraction
        };
        self.ws
            .write_number_with_format(self.row, col, to_f64_lossy(value), format)?;
        Ok(())
    }

    /// A real date cell, `yyyy-mm-dd`. A date Excel cannot hold (before 1900 or after 9999)
    /// is written as ISO text rather than failing the workbook.
    pub fn date(&mut self, col: ColNum, date: NaiveDate) -> Result<(), XlsxError> {
        match excel_date(date) {
            Some(dt) => {
                self.ws
                    .write_datetime_with_format(self.row, col, dt, &self.st.date)?;
                Ok(())
            }
            None => self.text(col, &date.format("%Y-%m-%d").to_string()),
        }
    }

    /// A date, or an empty cell for `None`.
    pub fn opt_date(&mut self, col: ColNum, date: Option<NaiveDate>) -> Result<(), XlsxError> {
        match date {
            Some(d) => self.date(col, d),
            None => Ok(()),
        }
    }
}

fn excel_date(date: NaiveDate) -> Option<ExcelDateTime> {
    let year = u16::try_from(date.year()).ok()?;
    ExcelDateTime::from_ymd(year, date.month() as u8, date.day() as u8).ok()
}

/// True for text a spreadsheet would evaluate (or that CSV-injection guides flag): a first
/// character of `=`, `+`, `-`, `@`, tab or carriage return (OWASP), or NUL (OWASP ASVS
/// 1.2.10).
pub fn looks_like_formula(text: &str) -> bool {
    matches!(
        text.as_bytes().first(),
        Some(b'=' | b'+' | b'-' | b'@' | b'\t' | b'\r' | b'\0')
    )
}

/// Cuts text to what one cell holds, ending with `…` when cut.
fn fit_cell(text: &str) -> Cow<'_, str> {
    // Each char is at most two UTF-16 units: short text needs no count.
    if text.len() <= MAX_CELL_CHARS || text.encode_utf16().count() <= MAX_CELL_CHARS {
        return Cow::Borrowed(text);
    }
    let mut units = 0;
    let mut end = 0;
    for (i, c) in text.char_indices() {
        if units + c.len_utf16() > MAX_CELL_CHARS - 1 {
            break;
        }
        units += c.len_utf16();
        end = i + c.len_utf8();
    }
    Cow::Owned(format!("{}…", &text[..end]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_text_excel_would_evaluate() {
        for t in ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx", "\0=1"] {
            assert!(looks_like_formula(t), "{t:?}");
        }
        for t in ["", "a=1", "1-2", "ORD-1", " =1"] {
            assert!(!looks_like_formula(t), "{t:?}");
        }
    }

    #[test]
    fn cuts_overlong_text_to_one_cell() {
        let short = "x".repeat(MAX_CELL_CHARS);
        assert_eq!(fit_cell(&short).len(), MAX_CELL_CHARS);
        let long = "企".repeat(MAX_CELL_CHARS + 5);
        let cut = fit_cell(&long);
        assert_eq!(cut.encode_utf16().count(), MAX_CELL_CHARS);
        assert!(cut.ends_with('…'));
        let emoji = "😀".repeat(MAX_CELL_CHARS);
        assert!(fit_cell(&emoji).encode_utf16().count() <= MAX_CELL_CHARS);
    }
}
