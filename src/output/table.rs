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

    /// The width in `lang`: at least wide enough for the header and its filter button
    /// (about 3 characters), so `billable_quantity` is not cut off; a Chinese character is
    /// about two digits wide, so a short column (`pack`, 6) widens to show `资源包序号`.
    pub fn width_in(&self, lang: Lang) -> f64 {
        let text: f64 = self
            .header_in(lang)
            .chars()
            .map(|c| if c.is_ascii() { 1.0 } else { 2.0 })
            .sum();
        self.width.max(text + 3.0)
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
    let mut stream = TableStream::start(workbook, styles, lang, table, max_rows)?;
    stream.push(workbook, styles, items, |c, row, item| {
        write_row(c, row, item, None)
    })?;
    stream.finish(workbook, styles, total, write_row)
}

/// A table written as its rows arrive, batch by batch (a streamed run's Lines): a part sheet
/// is added when the current one is full, and each part's filter range is set when it is
/// closed. `start`, any number of `push`es, then `finish`; other sheets may be added between
/// the pushes only if no push needs a new part (the parts must stay together).
pub struct TableStream<'t> {
    table: &'t Table,
    lang: Lang,
    max_rows: usize,
    /// The current part (0-based) and its worksheet's index in the workbook.
    part: usize,
    sheet: usize,
    /// Data rows on the current part.
    rows: usize,
}

impl<'t> TableStream<'t> {
    /// Adds the table's first sheet, with its header.
    pub fn start(
        workbook: &mut Workbook,
        styles: &Styles,
        lang: Lang,
        table: &'t Table,
        max_rows: u32,
    ) -> Result<TableStream<'t>, SheetError> {
        let mut stream = TableStream {
            table,
            lang,
            max_rows: rows_per_sheet(max_rows),
            part: 0,
            sheet: 0,
            rows: 0,
        };
        stream.open(workbook, styles)?;
        Ok(stream)
    }

    /// Appends `items` under the rows written so far. `write_row` receives the 0-based sheet
    /// row (the first data row is row 1, Excel's row 2) and must write only that row.
    pub fn push<T>(
        &mut self,
        workbook: &mut Workbook,
        styles: &Styles,
        mut items: &[T],
        mut write_row: impl FnMut(&mut RowCells<'_>, RowNum, &T) -> Result<(), XlsxError>,
    ) -> Result<(), SheetError> {
        while !items.is_empty() {
            if self.rows == self.max_rows {
                self.close(workbook)?;
                self.part += 1;
                self.open(workbook, styles)?;
            }
            let take = items.len().min(self.max_rows - self.rows);
            let (now, rest) = items.split_at(take);
            let fail = self.fail();
            let ws = workbook.worksheet_from_index(self.sheet).map_err(&fail)?;
            for item in now {
                // rows < max_rows ≤ 1,048,575, so the row fits a RowNum.
                self.rows += 1;
                let row = self.rows as RowNum;
                write_row(&mut RowCells::new(ws, styles, row), row, item).map_err(&fail)?;
            }
            items = rest;
        }
        Ok(())
    }

    /// Writes the optional `total` row under the last data row (`write_row` gets the bold
    /// label format for it) and closes the last part. When the last part is full the total
    /// goes on a part of its own rather than past Excel's last row.
    pub fn finish<T>(
        mut self,
        workbook: &mut Workbook,
        styles: &Styles,
        total: Option<&T>,
        mut write_row: impl FnMut(
            &mut RowCells<'_>,
            RowNum,
            &T,
            Option<&Format>,
        ) -> Result<(), XlsxError>,
    ) -> Result<(), SheetError> {
        if let Some(total) = total {
            if self.rows == self.max_rows {
                self.close(workbook)?;
                self.part += 1;
                self.open(workbook, styles)?;
            }
            let fail = self.fail();
            let ws = workbook.worksheet_from_index(self.sheet).map_err(&fail)?;
            // The total stays outside the filter range, so sorting never moves it.
            let row = self.rows as RowNum + 1;
            write_row(
                &mut RowCells::new(ws, styles, row),
                row,
                total,
                Some(&styles.section),
            )
            .map_err(fail)?;
        }
        self.close(workbook)
    }

    fn name(&self) -> String {
        part_name(self.table.name.get(self.lang), self.part)
    }

    fn fail(&self) -> impl Fn(XlsxError) -> SheetError + use<> {
        let sheet = self.name();
        move |source| SheetError {
            sheet: sheet.clone(),
            source,
        }
    }

    /// Adds the current part's sheet and writes its header.
    fn open(&mut self, workbook: &mut Workbook, styles: &Styles) -> Result<(), SheetError> {
        let fail = self.fail();
        let name = self.name();
        let ws = workbook
            .add_worksheet_with_constant_memory()
            .map_err(&fail)?;
        start_sheet(ws, styles, &name, self.table.columns, self.lang).map_err(&fail)?;
        self.sheet = workbook.worksheets().len() - 1;
        self.rows = 0;
        Ok(())
    }

    /// Sets the current part's filter over its header and data rows.
    fn close(&mut self, workbook: &mut Workbook) -> Result<(), SheetError> {
        let fail = self.fail();
        let ws = workbook.worksheet_from_index(self.sheet).map_err(&fail)?;
        let last_col = self.table.columns.len().saturating_sub(1) as ColNum;
        ws.autofilter(0, 0, self.rows as RowNum, last_col)
            .map_err(fail)?;
        Ok(())
    }
}

/// Names the sheet and sets everything that constant-memory mode needs before the first
/// data row: widths and the frozen header, then the header row itself. (The filter range is
/// kept with the sheet's other settings, so it is set when the sheet is closed.)
fn start_sheet(
    ws: &mut Worksheet,
    styles: &Styles,
    name: &str,
    columns: &[Column],
    lang: Lang,
) -> Result<(), XlsxError> {
    ws.set_name(name)?;
    super::workbook::print_setup(ws, lang, true)?;
    for (c, column) in columns.iter().enumerate() {
        ws.set_column_width(c as ColNum, column.width_in(lang))?;
    }
    ws.set_freeze_panes(1, 0)?;
    let mut cells = RowCells::new(ws, styles, 0);
    for (c, column) in columns.iter().enumerate() {
        cells.styled_text(c as ColNum, column.header_in(lang), &styles.header)?;
    }
    Ok(())
}
