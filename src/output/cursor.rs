//! A Summary sheet's writer: label/value rows downwards (titles, sections, amounts, live
//! amounts, counts, text), labels in the workbook's language. Shared by the Summary sheets
//! of invoices.xlsx, refunds.xlsx and reprice.xlsx.

use super::cells::RowCells;
use super::lang::{Lang, Text};
use super::style::Styles;
use rust_decimal::Decimal;
use rust_xlsxwriter::{ColNum, RowNum, Worksheet, XlsxError};

/// Writes label/value rows downwards, labels in `lang`.
pub(super) struct Cursor<'a> {
    pub ws: &'a mut Worksheet,
    pub st: &'a Styles,
    pub lang: Lang,
    /// The next row to write (0-based).
    pub row: RowNum,
}

impl<'a> Cursor<'a> {
    pub fn new(ws: &'a mut Worksheet, st: &'a Styles, lang: Lang) -> Cursor<'a> {
        Cursor {
            ws,
            st,
            lang,
            row: 0,
        }
    }

    pub fn cells(&mut self) -> RowCells<'_> {
        RowCells::new(self.ws, self.st, self.row)
    }

    /// `text` in `lang`.
    pub fn say(&self, text: Text) -> &'static str {
        text.get(self.lang)
    }

    /// The sheet's title, in the title style, on the first row.
    pub fn title(&mut self, title: Text) -> Result<(), XlsxError> {
        let (st, title) = (self.st, self.say(title));
        self.cells().styled_text(0, title, &st.title)
    }

    pub fn section(&mut self, title: Text) -> Result<(), XlsxError> {
        let title = self.say(title);
        self.section_str(title)
    }

    /// A section title made at run time (it names the period).
    pub fn section_str(&mut self, title: &str) -> Result<(), XlsxError> {
        let st = self.st;
        self.cells().styled_text(0, title, &st.section)?;
        self.row += 1;
        Ok(())
    }

    /// A header row of a small table, from column A.
    pub fn headers(&mut self, headers: &[Text]) -> Result<(), XlsxError> {
        let (st, lang) = (self.st, self.lang);
        let mut c = self.cells();
        for (i, h) in headers.iter().enumerate() {
            c.styled_text(i as ColNum, h.get(lang), &st.header)?;
        }
        self.row += 1;
        Ok(())
    }

    pub fn text(&mut self, label: Text, value: &str) -> Result<(), XlsxError> {
        let label = self.say(label);
        let mut c = self.cells();
        c.text(0, label)?;
        c.text(1, value)?;
        self.row += 1;
        Ok(())
    }

    pub fn amount(&mut self, label: Text, value: Decimal) -> Result<(), XlsxError> {
        let label = self.say(label);
        let mut c = self.cells();
        c.text(0, label)?;
        c.amount(1, value)?;
        self.row += 1;
        Ok(())
    }

    /// An amount as a live formula with `value` cached.
    pub fn amount_live(
        &mut self,
        label: Text,
        formula: &str,
        value: Decimal,
    ) -> Result<(), XlsxError> {
        let label = self.say(label);
        let mut c = self.cells();
        c.text(0, label)?;
        c.amount_formula(1, formula, value)?;
        self.row += 1;
        Ok(())
    }

    pub fn count(&mut self, label: Text, value: usize) -> Result<(), XlsxError> {
        let label = self.say(label);
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
