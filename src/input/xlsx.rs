//! XLSX exports: one worksheet streamed cell by cell (calamine's cell reader, not the
//! whole-sheet `Range`) into rows of typed cells with their Excel row numbers.

use super::cells::Cell;
use super::{InputError, RowSink};
use calamine::{Reader, Xlsx, open_workbook};
use std::fs::File;
use std::io::BufReader;
use std::path::Path;

/// Excel's column limit (XFD); a cell beyond it is not from a real sheet and is ignored.
const MAX_COLUMNS: usize = 16_384;

/// Streams the chosen sheet (`sheet`, else the first) of `path` into `sink`, one call per row
/// present in the sheet, with absolute row numbers (row 1 is the sheet's first row even when
/// the used range starts lower).
///
/// # Errors
/// [`InputError::Xlsx`] when the workbook cannot be read, [`InputError::SheetNotFound`] /
/// [`InputError::NoSheets`], and whatever `sink` returns.
pub(crate) fn read(
    path: &Path,
    file: &str,
    sheet: Option<&str>,
    sink: &mut dyn RowSink,
) -> Result<(), InputError> {
    let xlsx_err = |source| InputError::Xlsx {
        file: file.to_string(),
        source,
    };
    let mut workbook: Xlsx<BufReader<File>> = open_workbook(path).map_err(xlsx_err)?;
    let names = workbook.sheet_names();
    let name = match sheet {
        None => names.first().cloned().ok_or_else(|| InputError::NoSheets {
            file: file.to_string(),
        })?,
        Some(wanted) => names
            .iter()
            .find(|n| n.as_str() == wanted)
            .or_else(|| {
                names
                    .iter()
                    .find(|n| n.trim().eq_ignore_ascii_case(wanted.trim()))
            })
            .cloned()
            .ok_or_else(|| InputError::SheetNotFound {
                file: file.to_string(),
                sheet: wanted.to_string(),
                present: names.clone(),
            })?,
    };
    let mut reader = workbook.worksheet_cells_reader(&name).map_err(xlsx_err)?;
    // Style ids whose number format shows a percentage: such a cell holds 0.1 for "10%".
    let percent: Vec<bool> = reader
        .styles()
        .iter()
        .map(|s| {
            s.number_format
                .as_ref()
                .is_some_and(|f| is_percent_format(&f.format_code))
        })
        .collect();

    let mut cells: Vec<Cell> = Vec::new();
    let mut current: Option<u32> = None;
    while let Some((cell, style)) = reader.next_cell_with_style_id().map_err(xlsx_err)? {
        let (row, col) = cell.get_position();
        if current != Some(row) {
            if let Some(done) = current {
                sink.row(done.saturating_add(1), &cells)?;
            }
            cells.clear();
            current = Some(row);
        }
        let col = col as usize;
        if col >= MAX_COLUMNS {
            continue;
        }
        if cells.len() <= col {
            cells.resize(col + 1, Cell::Empty);
        }
        if let Some(slot) = cells.get_mut(col) {
            *slot = Cell::from_xlsx(
                cell.get_value(),
                percent.get(style).copied().unwrap_or(false),
            );
        }
    }
    match current {
        Some(done) => sink.row(done.saturating_add(1), &cells),
        None => Ok(()),
    }
}

/// True if a number format code shows a percentage: a `%` outside quoted text and escapes.
fn is_percent_format(code: &str) -> bool {
    let mut quoted = false;
    let mut escaped = false;
    for c in code.chars() {
        match c {
            _ if escaped => escaped = false,
            '\\' => escaped = true,
            '"' => quoted = !quoted,
            '%' if !quoted => return true,
            _ => {}
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::is_percent_format;

    #[test]
    fn percent_formats() {
        assert!(is_percent_format("0%"));
        assert!(is_percent_format("0.00%"));
        assert!(!is_percent_format("General"));
        assert!(!is_percent_format("#,##0.00"));
        assert!(!is_percent_format("0\"%\""));
        assert!(!is_percent_format("0\\%"));
    }
}
