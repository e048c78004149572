//! Workbooks of every format calamine reads (.xlsx/.xlsm, .xlsb, .xls, .ods): the sheets a
//! file has, their first rows (to find the table), and one sheet's rows streamed into a
//! [`RowSink`] with their Excel row numbers. Merged regions down a column are filled from
//! their first cell, and a formula cell without a computed value is [`Cell::NoValue`].

use super::cells::Cell;
use super::format::Format;
use super::xlsx::{self, Scan};
use super::{InputError, RowSink};
use calamine::{Data, DataRef, Dimensions, Ods, Reader, SheetVisible, Xls, Xlsb, Xlsx};
use std::collections::HashSet;
use std::fs::File;
use std::io::BufReader;
use std::path::Path;

type Rs = BufReader<File>;

/// Excel's column limit (XFD); a cell beyond it is not from a real sheet and is ignored.
const MAX_COLUMNS: usize = 16_384;

/// One sheet as the table finder sees it.
#[derive(Debug, Clone)]
pub(crate) struct SheetInfo {
    pub name: String,
    pub hidden: bool,
}

enum Opened {
    Xlsx(Xlsx<Rs>),
    Xlsb(Xlsb<Rs>),
    Xls(Xls<Rs>),
    Ods(Ods<Rs>),
}

/// An open workbook and what the size guard saw in its parts.
pub(crate) struct Book {
    file: String,
    opened: Opened,
    scan: Scan,
}

impl Book {
    /// Opens a workbook of `format` (never [`Format::Csv`]), after the zip size guard for the
    /// zip-based formats.
    ///
    /// # Errors
    /// The guard's refusals, and the reader's own when the file is no readable workbook.
    pub(crate) fn open(path: &Path, file: &str, format: Format) -> Result<Book, InputError> {
        let scan = match format {
            Format::Xlsx | Format::Xlsb | Format::Ods => xlsx::check_sizes(path, file)?,
            Format::Xls => {
                check_compound(path, file)?;
                Scan::default()
            }
            Format::Csv => Scan::default(),
        };
        Self::open_scanned(path, file, format, scan)
    }

    /// Opens a workbook the size guard has passed already (when its table was found), so
    /// its parts are not unpacked a second time.
    ///
    /// # Errors
    /// The reader's own refusals.
    pub(crate) fn open_scanned(
        path: &Path,
        file: &str,
        format: Format,
        scan: Scan,
    ) -> Result<Book, InputError> {
        let err = |message: String| InputError::Workbook {
            file: file.to_string(),
            format: format.name(),
            message,
        };
        let opened = xlsx::calamine_step(file, || -> Result<Opened, InputError> {
            Ok(match format {
                Format::Xlsx => Opened::Xlsx(calamine::open_workbook(path).map_err(|source| {
                    InputError::Xlsx {
                        file: file.to_string(),
                        source,
                    }
                })?),
                Format::Xlsb => Opened::Xlsb(
                    calamine::open_workbook::<Xlsb<Rs>, _>(path).map_err(|e| err(e.to_string()))?,
                ),
                Format::Xls => {
                    Opened::Xls(calamine::open_workbook::<Xls<Rs>, _>(path).map_err(|e| {
                        err(format!(
                            "{e}; if the workbook has a password, remove it, or save it as .xlsx"
                        ))
                    })?)
                }
                Format::Ods => Opened::Ods(
                    calamine::open_workbook::<Ods<Rs>, _>(path).map_err(|e| err(e.to_string()))?,
                ),
                Format::Csv => return Err(err("not a workbook".into())),
            })
        })??;
        Ok(Book {
            file: file.to_string(),
            opened,
            scan,
        })
    }

    /// What the size guard saw.
    pub(crate) fn scan(&self) -> Scan {
        self.scan
    }

    /// The worksheets in workbook order, hidden ones included.
    pub(crate) fn sheets(&self) -> Vec<SheetInfo> {
        let meta = match &self.opened {
            Opened::Xlsx(w) => w.sheets_metadata(),
            Opened::Xlsb(w) => w.sheets_metadata(),
            Opened::Xls(w) => w.sheets_metadata(),
            Opened::Ods(w) => w.sheets_metadata(),
        };
        meta.iter()
            .filter(|s| s.typ == calamine::SheetType::WorkSheet)
            .map(|s| SheetInfo {
                name: s.name.clone(),
                hidden: s.visible != SheetVisible::Visible,
            })
            .collect()
    }

    /// Streams the sheet `name` into `sink`, one call per row present, with absolute row
    /// numbers (row 1 is the sheet's first row even when the used range starts lower).
    ///
    /// # Errors
    /// The reader's refusals, and whatever `sink` returns.
    pub(crate) fn read(&mut self, name: &str, sink: &mut dyn RowSink) -> Result<(), InputError> {
        let file = self.file.clone();
        let err = |format: Format, e: String| InputError::Workbook {
            file: file.clone(),
            format: format.name(),
            message: e,
        };
        match &mut self.opened {
            Opened::Xlsx(w) => {
                let merges = match self.scan.merges {
                    true => xlsx::calamine_step(&file, || w.merge_cells_by_sheet_name(name))?
                        .map_err(|source| InputError::Xlsx {
                            file: file.clone(),
                            source,
                        })?,
                    false => Vec::new(),
                };
                let no_value = match self.scan.formulas {
                    true => xlsx::formulas_without_value(w, &file, name)?,
                    false => HashSet::new(),
                };
                let mut rows = Rows::new(sink, merges, no_value);
                xlsx::stream(w, &file, name, &mut rows)?;
                rows.finish()
            }
            Opened::Xlsb(w) => {
                let mut reader = xlsx::calamine_step(&file, || w.worksheet_cells_reader(name))?
                    .map_err(|e| err(Format::Xlsb, e.to_string()))?;
                let mut rows = Rows::new(sink, Vec::new(), HashSet::new());
                while let Some(cell) = xlsx::calamine_step(&file, || reader.next_cell())?
                    .map_err(|e| err(Format::Xlsb, e.to_string()))?
                {
                    let (row, col) = cell.get_position();
                    rows.cell(row, col as usize, Cell::from_xlsx(cell.get_value(), false))?;
                    if rows.done() {
                        break;
                    }
                }
                rows.finish()
            }
            Opened::Xls(w) => {
                let range = xlsx::calamine_step(&file, || w.worksheet_range(name))?
                    .map_err(|e| err(Format::Xls, e.to_string()))?;
                let merges = w
                    .merge_cells_by_sheet_name(name)
                    .map_err(|e| err(Format::Xls, e.to_string()))?;
                let mut rows = Rows::new(sink, merges, HashSet::new());
                range_rows(&range, &mut rows)?;
                rows.finish()
            }
            Opened::Ods(w) => {
                let range = xlsx::calamine_step(&file, || w.worksheet_range(name))?
                    .map_err(|e| err(Format::Ods, e.to_string()))?;
                // An OpenDocument formula keeps its value beside it; one without is unknown.
                let formulas = xlsx::calamine_step(&file, || w.worksheet_formula(name))?
                    .map_err(|e| err(Format::Ods, e.to_string()))?;
                let no_value: HashSet<(u32, u32)> = formulas
                    .used_cells()
                    .filter(|(_, _, f)| !f.is_empty())
                    .filter_map(|(r, c, _)| {
                        let (r0, c0) = formulas.start()?;
                        let abs = (r0 + r as u32, c0 + c as u32);
                        matches!(range.get_value(abs), None | Some(Data::Empty)).then_some(abs)
                    })
                    .collect();
                let mut rows = Rows::new(sink, Vec::new(), no_value);
                range_rows(&range, &mut rows)?;
                rows.finish()
            }
        }
    }
}

/// Checks an .xls file's compound-file structure before calamine reads it: calamine follows
/// a sector chain until it ends, and a chain that loops back on itself grew its buffer until
/// memory ran out (found by fuzzing). The `cfb` crate refuses such a file (every sector is
/// pointed to at most once, and no chain returns to its start), so every chain is walked
/// here once, by a reader that checks, and a damaged file is refused as malformed.
fn check_compound(path: &Path, file: &str) -> Result<(), InputError> {
    let malformed = |e: std::io::Error| InputError::Malformed {
        file: file.to_string(),
        message: format!("its compound-file structure is damaged: {e}"),
    };
    let compound = cfb::open(path).map_err(malformed)?;
    let streams: Vec<std::path::PathBuf> = compound
        .walk()
        .filter(|e| e.is_stream())
        .map(|e| e.path().to_path_buf())
        .collect();
    let mut compound = compound;
    for stream in streams {
        compound.open_stream(&stream).map_err(malformed)?;
    }
    Ok(())
}

/// Feeds a whole-sheet range (the .xls and .ods readers hold the sheet in memory) cell by
/// cell.
fn range_rows(range: &calamine::Range<Data>, rows: &mut Rows<'_, '_>) -> Result<(), InputError> {
    let Some((r0, c0)) = range.start() else {
        return Ok(());
    };
    for (i, row) in range.rows().enumerate() {
        for (j, data) in row.iter().enumerate() {
            let r = data_ref(data);
            let cell = Cell::from_xlsx(&r, false).into_owned();
            rows.cell(r0 + i as u32, c0 as usize + j, cell)?;
        }
        if rows.done() {
            break;
        }
    }
    Ok(())
}

fn data_ref(d: &Data) -> DataRef<'_> {
    match d {
        Data::Int(i) => DataRef::Int(*i),
        Data::Float(f) => DataRef::Float(*f),
        Data::String(s) => DataRef::SharedString(s),
        Data::Bool(b) => DataRef::Bool(*b),
        Data::DateTime(dt) => DataRef::DateTime(*dt),
        Data::DateTimeIso(s) => DataRef::DateTimeIso(s.clone()),
        Data::DurationIso(s) => DataRef::DurationIso(s.clone()),
        Data::Error(e) => DataRef::Error(e.clone()),
        Data::Empty => DataRef::Empty,
    }
}

/// Assembles cells (in row order, any column order) into rows for the sink: folds cells past
/// the header's width into one slot, fills merged regions down from their first cell, marks
/// formulas without a value.
pub(crate) struct Rows<'s, 'c> {
    sink: &'s mut dyn RowSink,
    /// Merged regions spanning more than one row, with their first cell once seen.
    merges: Vec<(Dimensions, Option<Cell<'static>>)>,
    no_value: HashSet<(u32, u32)>,
    current: Option<u32>,
    cells: Vec<Cell<'c>>,
}

impl<'s, 'c> Rows<'s, 'c> {
    pub(crate) fn new(
        sink: &'s mut dyn RowSink,
        merges: Vec<Dimensions>,
        no_value: HashSet<(u32, u32)>,
    ) -> Self {
        Rows {
            sink,
            merges: merges
                .into_iter()
                .filter(|d| d.end.0 > d.start.0)
                .map(|d| (d, None))
                .collect(),
            no_value,
            current: None,
            cells: Vec::new(),
        }
    }

    pub(crate) fn done(&self) -> bool {
        self.sink.done()
    }

    /// One cell at 0-based (`row`, `col`).
    pub(crate) fn cell(&mut self, row: u32, col: usize, value: Cell<'c>) -> Result<(), InputError> {
        if self.current != Some(row) {
            self.flush()?;
            self.current = Some(row);
        }
        if col >= MAX_COLUMNS {
            return Ok(());
        }
        let value = if value.is_blank() && self.no_value.contains(&(row, col as u32)) {
            Cell::NoValue
        } else {
            value
        };
        // Past the header's width only "is anything there" matters (a row holding data
        // there alone is still a row, not a blank one), so such cells share one slot and a
        // cell at column 16,000 costs one slot, not 16,000, on every row.
        let col = match self.sink.width() {
            Some(width) if col >= width => {
                if value.is_blank() {
                    return Ok(());
                }
                width
            }
            _ => col,
        };
        if self.cells.len() <= col {
            self.cells.resize(col + 1, Cell::Empty);
        }
        if let Some(slot) = self.cells.get_mut(col) {
            *slot = value;
        }
        Ok(())
    }

    fn flush(&mut self) -> Result<(), InputError> {
        let Some(row) = self.current.take() else {
            return Ok(());
        };
        // A merged region's first cell holds the value for every row it spans: an order id
        // merged down its order's lines belongs to each line. Only the first column of a
        // region is filled; the columns to its right are other fields.
        for (dim, anchor) in &mut self.merges {
            let col = dim.start.1 as usize;
            if row == dim.start.0 {
                *anchor = self.cells.get(col).map(|c| c.clone().into_owned());
            } else if (dim.start.0..=dim.end.0).contains(&row)
                && let Some(value) = anchor.as_ref()
                && self.cells.get(col).is_none_or(Cell::is_blank)
                && col < self.sink.width().unwrap_or(usize::MAX)
            {
                if self.cells.len() <= col {
                    self.cells.resize(col + 1, Cell::Empty);
                }
                if let Some(slot) = self.cells.get_mut(col) {
                    *slot = value.clone();
                }
            }
        }
        let result = self.sink.row(row.saturating_add(1), &self.cells);
        self.cells.clear();
        result
    }

    /// Delivers the last row.
    pub(crate) fn finish(mut self) -> Result<(), InputError> {
        if self.sink.done() {
            return Ok(());
        }
        self.flush()
    }
}
