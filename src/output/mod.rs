//! Writers: invoices.xlsx, refunds.xlsx, reprice.xlsx and the CSV mirrors, with the styles,
//! cell and table helpers and Lines formulas they share and the language of their names
//! (`--lang`); the lock on the output folder, and the atomic write and publishing (with
//! run.json) every output file goes through.

mod atomic;
mod cells;
mod cursor;
mod error;
pub mod formulas;
mod invoices;
mod lang;
mod lock;
mod mirror;
mod refunds;
mod reprice;
mod revenue;
mod runfile;
mod style;
mod summary;
mod table;
mod workbook;

#[cfg(test)]
mod formulas_tests;
#[cfg(test)]
mod lang_tests;
#[cfg(test)]
mod refunds_tests;
#[cfg(test)]
mod reprice_tests;
#[cfg(test)]
mod tests;

pub use atomic::{Staged, Staging, publish_all, remove_stale, stage};
pub use error::OutputError;
pub use invoices::{InvoicesWriter, write_invoices};
pub use lang::Lang;
pub use lock::{LOCK_FILE, OutLock};
pub use mirror::{MIRROR_FILES, stage_mirrors, write_mirrors};
pub use refunds::{stage_refunds, write_refunds};
pub use reprice::write_reprice;
pub use runfile::{
    FileEntry, RUN_JSON, RUN_OUTPUTS, WORKBOOKS, describe, publish_set, stage_run_json,
};

/// Data rows an Excel sheet holds under its header row (1,048,576 rows in all).
pub const EXCEL_MAX_DATA_ROWS: u32 = 1_048_575;

/// How the workbooks are written. Build it with `..WriteOptions::default()` so new fields
/// keep their defaults.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WriteOptions {
    /// `true`: computed amounts (Lines, Usage overage, Refunds and refunded Packs) are live
    /// formulas with cached values; `false` (`--no-formulas`): plain numbers.
    pub formulas: bool,
    /// Data rows per sheet before a long table continues on `Lines (2)`, `Lines (3)`, …
    /// Clamped to `1..=EXCEL_MAX_DATA_ROWS`; smaller values exist for tests. A pack refund
    /// whose rows reach past the first refunds Packs sheet gets a plain value, not a `SUM`,
    /// since a range cannot span two sheets.
    pub max_rows_per_sheet: u32,
    /// Zip deflate level, 1 (fastest, ~40% faster on large runs) to 9. 6 is the library
    /// default; writing the workbook is most of a large run's time (PERFORMANCE-NOTES).
    pub zip_compression_level: u8,
    /// `--lang`: the language of every sheet name, column header and Summary label of the
    /// workbooks. Cell values (codes, rules) and the CSV mirrors' headers stay English.
    pub lang: Lang,
}

impl Default for WriteOptions {
    fn default() -> Self {
        WriteOptions {
            formulas: true,
            max_rows_per_sheet: EXCEL_MAX_DATA_ROWS,
            zip_compression_level: 6,
            lang: Lang::En,
        }
    }
}
