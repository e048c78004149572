//! Workbook styles: the cell formats every billrun sheet uses, made once per workbook.

use rust_xlsxwriter::{Format, FormatBorder};

/// Number format of amounts (SPEC 6).
pub const AMOUNT_FORMAT: &str = "#,##0.00";
/// Number format of date cells.
pub const DATE_FORMAT: &str = "yyyy-mm-dd";
/// Number format of whole quantities and counts.
pub const COUNT_FORMAT: &str = "#,##0";

/// The formats of one workbook. rust_xlsxwriter looks formats up by value, so sharing one
/// set keeps the style table small and identical from run to run.
#[derive(Debug, Clone)]
pub struct Styles {
    pub header: Format,
    pub title: Format,
    pub section: Format,
    pub amount: Format,
    /// Unit prices: two decimals at least, up to four when the price has them (0.0035/unit
    /// must not show as 0.00 to an auditor).
    pub price: Format,
    pub count: Format,
    /// Non-whole quantities (a billable quantity of 2.5 blocks must not show as 3).
    pub fraction: Format,
    pub date: Format,
    /// Text that Excel would take for a formula if the cell were edited (`=`, `+`, `-`, `@`):
    /// the quote prefix keeps it text, as Excel itself does for `'=1+1`.
    pub quoted_text: Format,
}

impl Styles {
    pub fn new() -> Styles {
        Styles {
            header: Format::new()
                .set_bold()
                .set_border_bottom(FormatBorder::Thin),
            title: Format::new().set_bold().set_font_size(14),
            section: Format::new().set_bold(),
            amount: Format::new().set_num_format(AMOUNT_FORMAT),
            price: Format::new().set_num_format("#,##0.00##"),
            count: Format::new().set_num_format(COUNT_FORMAT),
            fraction: Format::new().set_num_format("#,##0.0###"),
            date: Format::new().set_num_format(DATE_FORMAT),
            quoted_text: Format::new().set_quote_prefix(),
        }
    }
}

impl Default for Styles {
    fn default() -> Self {
        Styles::new()
    }
}
