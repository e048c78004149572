//! Table sheets: a bold, frozen, filterable header over rows written strictly in order on
//! constant-memory worksheets, continued on `Name (2)`, `Name (3)`, … past the row limit, with
//! an optional bold total row closing the table.

use super::cells::RowCells;
use super::lang::{Lang, Text};
use super::style::Styles;
use rust_xlsxwriter::{ColNum, Format, RowNum, Workbook, Worksheet, XlsxError};

/// One column of a table sheet: its header in both languages and a fixed width in
/// characters. Widths are fixed because autofit needs every row in memory, which
/// constant-memory sheets do not keep.
#[derive(Debug, Clone, Copy)]
pub struct Column {
    /// The English header (`--lang en`), also the header of the CSV mirrors.
    pub header: &'static str,
    /// The Chinese header (`--lang zh`).
    pub zh: &'static str,
    pub width: f64,
}

impl Column {
    /// The header in `lang`.
    pub const fn header_in(&self, lang: Lang) -> &'static str {
        match lang {
            Lang::En => self.header,
            Lang::Zh => self.zh,
        }
    }

    /// The width in `lang`. A Chinese character is about two digits wide, so a short column
    /// (`pack`, 6) widens to show its Chinese header (`资源包序号`) and the filter button.
    pub fn width_in(&self, lang: Lang) -> f64 {
        match lang {
            Lang::En => self.width,
            Lang::Zh => {
                let text: f64 = self
                    .zh
                    .chars()
                    .map(|c| if c.is_ascii() { 1.0 } else { 2.0 })
                    .sum();
                self.width.max(text + 3.0)
            }
        }
    }
}

/// Shorthand for a column list: English header, Chinese header, width.
pub const fn col(header: &'static str, zh: &'static str, width: f64) -> Column {
    Column { header, zh, width }
}

/// A table sheet: its name and its columns, each in both languages. The column order, and
/// so every formula's column letters, is the same in both.
#[derive(Debug, Clone, Copy)]
pub struct Table {
    pub name: Text,
    pub columns: &'static [Column],
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

/// Writes `items` as `table`, named and headed in `lang`, `max_rows` data rows a sheet (at least one sheet,
/// so an empty table still shows its header). `write_row` receives the 0-based sheet row
/// (the first data row is row 1, Excel's row 2) and must write only that row.
pub fn write_table<T>(
    workbook: &mut Workbook,
    styles: &Styles,
    lang: Lang,
    table: &Table,
    items: &[T],
    max_rows: u32,
    mut write_row: impl FnMut(&mut RowCells<'_>, RowNum, &T) -> Result<(), XlsxError>,
) -> Result<(), SheetError> {
    write_parts(
        workbook,
        styles,
        lang,
        table,
        items,
        None,
        max_rows,
        |c, row, item, _| write_row(c, row, item),
    )
}

/// Like [`write_table`], then one closing `total` row under the last data row. `write_row`
/// gets `Some(label format)` (bold) for the total row, `None` for data rows. The total stays
/// outside the filter range, so sorting the table never moves it; when the last sheet is
/// full it goes on a sheet of its own rather than past Excel's last row.
#[allow(clippy::too_many_arguments)]
pub fn write_table_with_total<T>(
    workbook: &mut Workbook,
    styles: &Styles,
    lang: Lang,
    table: &Table,
    items: &[T],
    total: &T,
    max_rows: u32,
    write_row: impl FnMut(&mut RowCells<'_>, RowNum, &T, Option<&Format>) -> Result<(), XlsxError>,
) -> Result<(), SheetError> {
    write_parts(
        workbook,
        styles,
        lang,
        table,
        items,
        Some(total),
        max_rows,
        write_row,
    )
}

#[allow(clippy::too_many_arguments)]
fn write_parts<T>(
    workbook: &mut Workbook,
    styles: &Styles,
    lang: Lang,
    table: &Table,
    items: &[T],
    total: Option<&T>,
    max_rows: u32,
    mut write_row: impl FnMut(&mut RowCells<'_>, RowNum, &T, Option<&Format>) -> Result<(), XlsxError>,
) -> Result<(), SheetError> {
    let max_rows = rows_per_sheet(max_rows);
    let mut chunks: Vec<&[T]> = items.chunks(max_rows).collect();
    if chunks.is_empty() || (total.is_some() && chunks.last().map(|c| c.len()) == Some(max_rows)) {
        chunks.push(&[]);
    }
    let last = chunks.len() - 1;
    let base = table.name.get(lang);
    for (part, chunk) in chunks.into_iter().enumerate() {
        let name = part_name(base, part);
        let fail = |source| SheetError {
            sheet: name.clone(),
            source,
        };
        let ws = workbook
            .add_worksheet_with_constant_memory()
            .map_err(fail)?;
        start_sheet(ws, styles, &name, table.columns, lang, chunk.len()).map_err(fail)?;
        for (i, item) in chunk.iter().enumerate() {
            // i < max_rows ≤ 1,048,575, so the row fits a RowNum.
            let row = i as RowNum + 1;
            let mut cells = RowCells::new(ws, styles, row);
            write_row(&mut cells, row, item, None).map_err(fail)?;
        }
        if let Some(total) = total.filter(|_| part == last) {
            // The last chunk is shorter than max_rows, so this row is still on the sheet.
            let row = chunk.len() as RowNum + 1;
            let mut cells = RowCells::new(ws, styles, row);
            write_row(&mut cells, row, total, Some(&styles.section)).map_err(fail)?;
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
    lang: Lang,
    rows: usize,
) -> Result<(), XlsxError> {
    ws.set_name(name)?;
    for (c, column) in columns.iter().enumerate() {
        ws.set_column_width(c as ColNum, column.width_in(lang))?;
    }
    ws.set_freeze_panes(1, 0)?;
    let last_col = columns.len().saturating_sub(1) as ColNum;
    ws.autofilter(0, 0, rows as RowNum, last_col)?;
    let mut cells = RowCells::new(ws, styles, 0);
    for (c, column) in columns.iter().enumerate() {
        cells.styled_text(c as ColNum, column.header_in(lang), &styles.header)?;
    }
    Ok(())
}
