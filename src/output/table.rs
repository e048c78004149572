//! Table sheets: a bold, frozen, filterable header over rows written strictly in order on
//! constant-memory worksheets, continued on `Name (2)`, `Name (3)`, … past the row limit.

use super::cells::RowCells;
use super::style::Styles;
use rust_xlsxwriter::{ColNum, RowNum, Workbook, Worksheet, XlsxError};

/// One column of a table sheet: its header and a fixed width in characters. Widths are fixed
/// because autofit needs every row in memory, which constant-memory sheets do not keep.
#[derive(Debug, Clone, Copy)]
pub struct Column {
    pub header: &'static str,
    pub width: f64,
}

/// Shorthand for a column list.
pub const fn col(header: &'static str, width: f64) -> Column {
    Column { header, width }
}

/// A sheet that failed, by name, for the caller to attach the file.
#[derive(Debug)]
pub struct SheetError {
    pub sheet: String,
    pub source: XlsxError,
}

/// Name of the `part`-th sheet (0-based) of a table: `Lines`, `Lines (2)`, …
pub fn part_name(base: &str, part: usize) -> String {
    if part == 0 {
        base.to_string()
    } else {
        format!("{base} ({})", part + 1)
    }
}

/// Data rows each sheet of a table holds for `max_rows` (`WriteOptions::max_rows_per_sheet`):
/// at least one, at most what Excel allows. Formulas that point into another table use it
/// to know which sheet a row lands on.
pub fn rows_per_sheet(max_rows: u32) -> usize {
    max_rows.clamp(1, super::EXCEL_MAX_DATA_ROWS) as usize
}

/// Writes `items` as a table named `base`, `max_rows` data rows a sheet (at least one sheet,
/// so an empty table still shows its header). `write_row` receives the 0-based sheet row
/// (the first data row is row 1, Excel's row 2) and must write only that row.
pub fn write_table<T>(
    workbook: &mut Workbook,
    styles: &Styles,
    base: &str,
    columns: &[Column],
    items: &[T],
    max_rows: u32,
    mut write_row: impl FnMut(&mut RowCells<'_>, RowNum, &T) -> Result<(), XlsxError>,
) -> Result<(), SheetError> {
    let max_rows = rows_per_sheet(max_rows);
    let mut chunks: Vec<&[T]> = items.chunks(max_rows).collect();
    if chunks.is_empty() {
        chunks.push(&[]);
    }
    for (part, chunk) in chunks.into_iter().enumerate() {
        let name = part_name(base, part);
        let fail = |source| SheetError {
            sheet: name.clone(),
            source,
        };
        let ws = workbook
            .add_worksheet_with_constant_memory()
            .map_err(fail)?;
        start_sheet(ws, styles, &name, columns, chunk.len()).map_err(fail)?;
        for (i, item) in chunk.iter().enumerate() {
            // i < max_rows ≤ 1,048,575, so the row fits a RowNum.
            let row = i as RowNum + 1;
            let mut cells = RowCells::new(ws, styles, row);
            write_row(&mut cells, row, item).map_err(fail)?;
        }
    }
    Ok(())
}

/// Names the sheet and sets everything that constant-memory mode needs before the first
/// data row: widths, the frozen header, the filter range, then the header row itself.
fn start_sheet(
    ws: &mut Worksheet,
    styles: &Styles,
    name: &str,
    columns: &[Column],
    rows: usize,
) -> Result<(), XlsxError> {
    ws.set_name(name)?;
    for (c, column) in columns.iter().enumerate() {
        ws.set_column_width(c as ColNum, column.width)?;
    }
    ws.set_freeze_panes(1, 0)?;
    let last_col = columns.len().saturating_sub(1) as ColNum;
    ws.autofilter(0, 0, rows as RowNum, last_col)?;
    let mut cells = RowCells::new(ws, styles, 0);
    for (c, column) in columns.iter().enumerate() {
        cells.styled_text(c as ColNum, column.header, &styles.header)?;
    }
    Ok(())
}
