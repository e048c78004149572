//! Readers: orders and usage exports (CSV, XLSX) into typed rows and row exceptions.
//!
//! A problem with the file (cannot be read, no header, a required column missing) is an
//! [`InputError`] and stops the run; a problem with a row is a [`RowException`] and the run
//! goes on. Every non-blank data row ends as exactly one row or one exception.

mod cells;
mod csv;
mod decode;
mod headers;
pub mod parse;
mod rows;
mod xlsx;

#[cfg(test)]
mod tests;

use crate::model::{OrderRow, RowException, SourceRef, UsageRow};
use cells::Cell;
use headers::{Columns, Field};
use std::path::Path;
use std::sync::Arc;

/// What one file yielded. `rows.len() + exceptions.len() == rows_read`; blank rows are
/// counted apart and are in neither.
#[derive(Debug, Clone, PartialEq)]
pub struct ReadOutcome<R> {
    pub rows: Vec<R>,
    pub exceptions: Vec<RowException>,
    /// Non-blank data rows (the header excluded).
    pub rows_read: usize,
    pub blank_rows: usize,
    /// Headers no field accepts, once each, in file order.
    pub unknown_columns: Vec<String>,
}

pub type OrdersRead = ReadOutcome<OrderRow>;
pub type UsageRead = ReadOutcome<UsageRow>;

/// A problem with a whole input file (exit code 2).
#[derive(Debug, thiserror::Error)]
pub enum InputError {
    #[error("{file}: not a .csv or .xlsx file; export the data as CSV (UTF-8) or Excel .xlsx")]
    UnsupportedFormat { file: String },
    #[error("{file}: cannot open the file: {source}")]
    Open {
        file: String,
        #[source]
        source: std::io::Error,
    },
    #[error("{file}: cannot read the CSV file: {source}")]
    Csv {
        file: String,
        #[source]
        source: ::csv::Error,
    },
    #[error("{file}: cannot read the workbook: {source}")]
    Xlsx {
        file: String,
        #[source]
        source: calamine::XlsxError,
    },
    #[error(
        "{file}: the workbook's part {part} unpacks to more than {limit_mib} MiB: too large to read safely (a damaged file or a zip bomb); export the data again, or split it"
    )]
    TooLarge {
        file: String,
        part: String,
        limit_mib: u64,
    },
    #[error(
        "{file}: the workbook is malformed; the xlsx reader stopped ({message}). Open it in Excel and save it again, or export the data again"
    )]
    Malformed { file: String, message: String },
    #[error("{file}: the workbook has no sheets")]
    NoSheets { file: String },
    #[error("{file}: there is no sheet named '{sheet}'; the sheets are: {}", present.join(", "))]
    SheetNotFound {
        file: String,
        sheet: String,
        present: Vec<String>,
    },
    #[error(
        "{file}: the file is not text in any encoding billrun reads (tried UTF-8, UTF-16 with a byte-order mark, and GB18030/GBK); save it as CSV UTF-8 from Excel, or export it again"
    )]
    NotText { file: String },
    #[error(
        "{file}: line {line}: a quoted field opened here never closes, so the rest of the file would be read as one value; close the quote or remove it, then export again"
    )]
    UnclosedQuote { file: String, line: u64 },
    #[error(
        "{file}: line {opened}: a quoted field opened here runs to line {closed}, more than {} lines, so it has swallowed what look like whole rows; close the quote where the value ends or remove it, then export again",
        csv::MAX_QUOTED_LINES
    )]
    LongQuote {
        file: String,
        opened: u64,
        closed: u64,
    },
    #[error(
        "{file}: line {opened}: a quoted field opened here closes only on line {closed} and holds {delimiters} {delimiter} (a row of this header's {columns} columns has {}), so it has swallowed what look like whole rows; close the quote where the value ends or remove it, then export again",
        columns.saturating_sub(1)
    )]
    SwallowingQuote {
        file: String,
        opened: u64,
        closed: u64,
        delimiters: u64,
        /// The delimiter's plural name: "commas", "tabs", "semicolons".
        delimiter: &'static str,
        columns: usize,
    },
    #[error("{file}: the file is empty: it needs a header row naming its columns")]
    NoHeader { file: String },
    #[error(
        "{file}: the required column {column} is missing; name it {accepted} \
         (case, spaces and underscores do not matter)"
    )]
    MissingColumn {
        file: String,
        column: &'static str,
        accepted: String,
    },
    #[error("{file}: columns {first} and {second} both hold {column}; keep only one of them")]
    DuplicateColumn {
        file: String,
        column: &'static str,
        first: String,
        second: String,
    },
}

/// Reads an orders export (SPEC 5.1).
///
/// `sheet` picks a worksheet of an .xlsx (default: the first); `first_position` is the
/// `position` of this file's first data row, so several files can share one ordering.
///
/// # Errors
/// An [`InputError`] when the file cannot be read, has no header row, or lacks a required
/// column; bad values in rows are exceptions in the result instead.
pub fn read_orders(
    path: &Path,
    sheet: Option<&str>,
    first_position: usize,
) -> Result<OrdersRead, InputError> {
    read(
        path,
        sheet,
        first_position,
        headers::ORDER_FIELDS,
        rows::order,
    )
}

/// Reads a usage export (SPEC 5.2). Same contract as [`read_orders`].
///
/// # Errors
/// As [`read_orders`].
pub fn read_usage(
    path: &Path,
    sheet: Option<&str>,
    first_position: usize,
) -> Result<UsageRead, InputError> {
    read(
        path,
        sheet,
        first_position,
        headers::USAGE_FIELDS,
        rows::usage,
    )
}

type Build<R> = fn(SourceRef, usize, &[Cell], &Columns) -> Result<R, RowException>;

fn read<R>(
    path: &Path,
    sheet: Option<&str>,
    first_position: usize,
    fields: &'static [Field],
    build: Build<R>,
) -> Result<ReadOutcome<R>, InputError> {
    let file: Arc<str> = Arc::from(path.display().to_string());
    let mut collector = Collector {
        file: file.clone(),
        fields,
        build,
        first_position,
        columns: None,
        width: None,
        last_row: 0,
        out: ReadOutcome {
            rows: Vec::new(),
            exceptions: Vec::new(),
            rows_read: 0,
            blank_rows: 0,
            unknown_columns: Vec::new(),
        },
    };
    // A folder or a device (`/dev/zero`, `/dev/urandom`) is no export, and a device never
    // ends; a named pipe may stream one.
    if let Ok(meta) = std::fs::metadata(path) {
        #[cfg(unix)]
        let fifo = std::os::unix::fs::FileTypeExt::is_fifo(&meta.file_type());
        #[cfg(not(unix))]
        let fifo = false;
        if !meta.is_file() && !fifo {
            return Err(InputError::Open {
                file: file.to_string(),
                source: std::io::Error::new(
                    std::io::ErrorKind::InvalidInput,
                    "not a file (a folder or a device)",
                ),
            });
        }
    }
    let extension = path
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase());
    match extension.as_deref() {
        Some("csv") => {
            csv::read(path, &file, csv::Delimiter::Comma, &mut collector)?;
        }
        Some("xlsx") => xlsx::read(path, &file, sheet, &mut collector)?,
        _ => {
            return Err(InputError::UnsupportedFormat {
                file: file.to_string(),
            });
        }
    }
    match collector.columns {
        Some(_) => Ok(collector.out),
        None => Err(InputError::NoHeader {
            file: file.to_string(),
        }),
    }
}

/// Where the format readers deliver rows: a row number (Excel-style, 1-based, absolute) and
/// its cells, in file order.
trait RowSink {
    fn row(&mut self, row: u32, cells: &[Cell<'_>]) -> Result<(), InputError>;

    /// How many leading cells of a row can matter, once that is known (the header's width).
    /// A reader may fold the cells past it into one: only whether they are all blank counts.
    fn width(&self) -> Option<usize> {
        None
    }

    /// True once the sink needs no more rows (a probe that found its header); a reader
    /// then stops early. A collector of data rows never is.
    fn done(&self) -> bool {
        false
    }
}

/// Takes the first non-blank row as the header, then turns every later row into a typed row,
/// an exception, or a blank-row count.
struct Collector<R> {
    file: Arc<str>,
    fields: &'static [Field],
    build: Build<R>,
    first_position: usize,
    columns: Option<Columns>,
    /// The header row's width, once the header is found.
    width: Option<usize>,
    last_row: u32,
    out: ReadOutcome<R>,
}

impl<R> RowSink for Collector<R> {
    fn row(&mut self, row: u32, cells: &[Cell<'_>]) -> Result<(), InputError> {
        let blank = cells.iter().all(Cell::is_blank);
        let Some(columns) = &self.columns else {
            if !blank {
                let headers: Vec<String> = cells.iter().map(|c| c.display().into_owned()).collect();
                let columns = headers::map(&self.file, &headers, self.fields)?;
                self.out.unknown_columns = columns.unknown.clone();
                self.columns = Some(columns);
                self.width = Some(cells.len());
                self.last_row = row;
            }
            return Ok(());
        };
        // Rows the file skips (absent from the sheet, empty lines in a CSV) are blank rows.
        let gap = row.saturating_sub(self.last_row).saturating_sub(1);
        self.out.blank_rows += gap as usize;
        self.last_row = row;
        if blank {
            self.out.blank_rows += 1;
            return Ok(());
        }
        let src = SourceRef {
            file: self.file.clone(),
            row,
        };
        let position = self.first_position.saturating_add(self.out.rows_read);
        self.out.rows_read += 1;
        match (self.build)(src, position, cells, columns) {
            Ok(r) => self.out.rows.push(r),
            Err(e) => self.out.exceptions.push(e),
        }
        Ok(())
    }

    fn width(&self) -> Option<usize> {
        self.width
    }
}
