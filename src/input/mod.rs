//! Readers: orders and usage exports (CSV, and the workbooks calamine reads: .xlsx, .xlsm,
//! .xlsb, .xls, .ods) into typed rows and row exceptions.
//!
//! A problem with the file (cannot be read, no header, a required column missing) is an
//! [`InputError`] and stops the run; a problem with a row is a [`RowException`] and the run
//! goes on. Every non-blank data row ends as exactly one row or one exception.

mod book;
mod cells;
mod conflicts;
mod csv;
mod decode;
mod format;
mod headers;
pub mod parse;
mod rows;
mod table;
mod xlsx;

#[cfg(test)]
mod tests;

pub use conflicts::resolve;
pub use format::Format;
pub use headers::Aliases;
pub use table::{HEADER_SEARCH_ROWS, Kind, Table, find};

use crate::model::{OrderRow, RowException, SourceRef, UsageRow};
use cells::Cell;
use headers::Columns;
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
    /// A CSV's physical lines (a quoted value spanning lines makes one record of several).
    pub lines: Option<u64>,
}

pub type OrdersRead = ReadOutcome<OrderRow>;
pub type UsageRead = ReadOutcome<UsageRow>;

/// A problem with a whole input file (exit code 2).
#[derive(Debug, thiserror::Error)]
pub enum InputError {
    #[error("{file}: this is {what}")]
    NotAnExport { file: String, what: String },
    #[error("{file}: cannot read the {format}: {message}")]
    Workbook {
        file: String,
        format: &'static str,
        message: String,
    },
    #[error(
        "{file}: no {wanted} table found: the header row must be within the first {} rows and name every required column (English or Chinese headers; see README, Reading exports). What was found:\n  {}",
        HEADER_SEARCH_ROWS,
        found.join("\n  ")
    )]
    NoTable {
        file: String,
        wanted: String,
        found: Vec<String>,
    },
    #[error(
        "{file}: sheets {} all hold {kind}; say which one to read with --sheet NAME, or save them as separate files",
        sheets.join(", ")
    )]
    AmbiguousSheets {
        file: String,
        kind: &'static str,
        sheets: Vec<String>,
    },
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
        "{file}: the workbook is malformed; the reader stopped ({message}). Open it in Excel and save it again, or export the data again"
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

/// Reads an orders export (SPEC 5.1): the first table of orders in the file.
///
/// `sheet` forces a worksheet of a workbook; `first_position` is the `position` of this
/// file's first data row, so several files can share one ordering.
///
/// # Errors
/// An [`InputError`] when the file cannot be read or holds no orders table; bad values in
/// rows are exceptions in the result instead.
pub fn read_orders(
    path: &Path,
    sheet: Option<&str>,
    first_position: usize,
) -> Result<OrdersRead, InputError> {
    let tables = find(path, &[Kind::Orders], sheet, &Aliases::default())?;
    match tables.first() {
        Some(t) => read_orders_table(t, first_position),
        None => Err(InputError::NoHeader {
            file: path.display().to_string(),
        }),
    }
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
    let tables = find(path, &[Kind::Usage], sheet, &Aliases::default())?;
    match tables.first() {
        Some(t) => read_usage_table(t, first_position),
        None => Err(InputError::NoHeader {
            file: path.display().to_string(),
        }),
    }
}

/// Reads the orders table `table` found by [`find`].
///
/// # Errors
/// An [`InputError`] when the file cannot be read to its end.
pub fn read_orders_table(table: &Table, first_position: usize) -> Result<OrdersRead, InputError> {
    read(table, first_position, rows::order)
}

/// Reads the usage table `table` found by [`find`].
///
/// # Errors
/// As [`read_orders_table`].
pub fn read_usage_table(table: &Table, first_position: usize) -> Result<UsageRead, InputError> {
    read(table, first_position, rows::usage)
}

type Build<R> = fn(SourceRef, usize, &[Cell], &Columns) -> Result<R, RowException>;

fn read<R>(
    table: &Table,
    first_position: usize,
    build: Build<R>,
) -> Result<ReadOutcome<R>, InputError> {
    let mut collector = Collector {
        file: table.file.clone(),
        build,
        first_position,
        columns: &table.columns,
        header_row: table.header_row,
        width: table.width,
        last_row: table.header_row,
        out: ReadOutcome {
            rows: Vec::new(),
            exceptions: Vec::new(),
            rows_read: 0,
            blank_rows: 0,
            unknown_columns: table.columns.unknown.clone(),
            lines: None,
        },
    };
    match (&table.format, &table.sheet) {
        (Format::Csv, _) => {
            let read = csv::read(&table.path, &table.file, table.delimiter, &mut collector)?;
            collector.out.lines = Some(read.lines);
        }
        (format, Some(sheet)) => {
            book::Book::open_scanned(&table.path, &table.file, *format, table.scan)?
                .read(sheet, &mut collector)?
        }
        (_, None) => {
            return Err(InputError::NoSheets {
                file: table.file.to_string(),
            });
        }
    }
    Ok(collector.out)
}

/// Refuses a folder or a device (`/dev/zero`, `/dev/urandom`): no export, and a device
/// never ends. A named pipe is refused too: finding the table reads a file's first rows
/// before reading it whole, and a pipe cannot be read twice.
pub(crate) fn check_is_file(path: &Path, file: &str) -> Result<(), InputError> {
    match std::fs::metadata(path) {
        Ok(meta) if !meta.is_file() => Err(InputError::Open {
            file: file.to_string(),
            source: std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                "not a file (a folder, a device or a pipe); save the export to a file",
            ),
        }),
        Ok(_) => Ok(()),
        Err(source) => Err(InputError::Open {
            file: file.to_string(),
            source,
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

/// Turns every row below the table's header into a typed row, an exception, or a
/// blank-row count; rows above the header (titles, blanks) are not the table's.
struct Collector<'t, R> {
    file: Arc<str>,
    build: Build<R>,
    first_position: usize,
    columns: &'t Columns,
    header_row: u32,
    /// The header row's width.
    width: usize,
    last_row: u32,
    out: ReadOutcome<R>,
}

impl<R> RowSink for Collector<'_, R> {
    fn row(&mut self, row: u32, cells: &[Cell<'_>]) -> Result<(), InputError> {
        if row <= self.header_row {
            return Ok(());
        }
        let blank = cells.iter().all(Cell::is_blank);
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
        match (self.build)(src, position, cells, self.columns) {
            Ok(r) => self.out.rows.push(r),
            Err(e) => self.out.exceptions.push(e),
        }
        Ok(())
    }

    fn width(&self) -> Option<usize> {
        Some(self.width)
    }
}
