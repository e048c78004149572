//! Workbook setup shared by every billrun workbook: fixed metadata (so two runs on the same
//! inputs give identical bytes), the zip level, and where constant-memory sheets spool.

use super::atomic::{Staged, stage};
use super::lang::Lang;
use super::style::Styles;
use super::table::SheetError;
use super::{OutputError, WriteOptions};
use rust_xlsxwriter::{DocProperties, ExcelDateTime, Workbook, Worksheet, XlsxError};
use std::path::Path;

/// Writes one billrun workbook for `path` and stages it (see [`Staged`]): `fill` adds its
/// sheets to a workbook with fixed metadata; a failure names `path` and the sheet or step,
/// and leaves `path` as it was with no temporary file.
pub fn stage_workbook(
    path: &Path,
    opts: &WriteOptions,
    fill: impl FnOnce(&mut Workbook, &Styles) -> Result<(), SheetError>,
) -> Result<Staged, OutputError> {
    guarded(path, || {
        let mut wb = begin_workbook(path, opts)?;
        fill(&mut wb, &Styles::new()).map_err(|e| sheet_error(path, e))?;
        save_staged(wb, path)
    })
}

/// Runs a step that drives rust_xlsxwriter, turning its panic on a failed write of a
/// sheet's temporary data (a full disk) into [`OutputError::Spool`] naming `path`. The
/// workbook the step used must then be dropped, never saved; its temporary files go with it.
pub fn guarded<T>(
    path: &Path,
    step: impl FnOnce() -> Result<T, OutputError>,
) -> Result<T, OutputError> {
    crate::caught::catch(step).unwrap_or_else(|message| {
        Err(OutputError::Spool {
            path: path.to_path_buf(),
            message,
        })
    })
}

/// A new workbook to be saved at `path` (its sheets spool beside it).
pub fn begin_workbook(path: &Path, opts: &WriteOptions) -> Result<Workbook, OutputError> {
    new_workbook(opts, dir_of(path)).map_err(|source| OutputError::Workbook {
        path: path.to_path_buf(),
        step: "setting up the workbook",
        source,
    })
}

/// A sheet's failure, naming the workbook.
pub fn sheet_error(path: &Path, e: SheetError) -> OutputError {
    OutputError::Sheet {
        path: path.to_path_buf(),
        sheet: e.sheet,
        source: e.source,
    }
}

/// Saves `wb` for `path` under a temporary name, to be renamed into place when published.
pub fn save_staged(mut wb: Workbook, path: &Path) -> Result<Staged, OutputError> {
    stage(path, |tmp| {
        wb.save(tmp).map_err(|source| OutputError::Workbook {
            path: path.to_path_buf(),
            step: "saving the workbook",
            source,
        })
    })
}

/// Creation time written into every workbook. rust_xlsxwriter would write the current time,
/// which would make each run's bytes differ.
const FIXED_CREATED: (u16, u8, u8) = (2000, 1, 1);

/// A workbook with fixed document properties and the options' zip level. Constant-memory
/// sheets spool about 1 KB a row to temporary files: they go to `spool_dir` (the output's own
/// directory, known to be writable and on disk, where the system temp dir may be RAM).
pub fn new_workbook(opts: &WriteOptions, spool_dir: &Path) -> Result<Workbook, XlsxError> {
    let mut workbook = Workbook::new();
    let (y, m, d) = FIXED_CREATED;
    let created = ExcelDateTime::from_ymd(y, m, d)?;
    let properties = DocProperties::new()
        .set_author("billrun")
        .set_creation_datetime(&created);
    workbook.set_properties(&properties);
    workbook.set_zip_compression_level(opts.zip_compression_level.clamp(1, 9));
    workbook.set_tempdir(spool_dir)?;
    Ok(workbook)
}

/// The directory a file is written in (`.` for a bare file name).
pub fn dir_of(path: &Path) -> &Path {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}

/// How every billrun sheet prints (a finance team files and signs these): A4 landscape, one
/// page wide however many pages tall, a table's header row on every page, and a footer with
/// the file, the sheet and the page number. Set before the first row is written, as
/// constant-memory sheets need.
pub fn print_setup(ws: &mut Worksheet, lang: Lang, header_row: bool) -> Result<(), XlsxError> {
    /// Excel's paper code for A4.
    const A4: u8 = 9;
    ws.set_paper_size(A4)
        .set_landscape()
        .set_print_fit_to_pages(1, 0)
        .set_footer(match lang {
            Lang::En => "&L&F&C&A&RPage &P of &N",
            Lang::Zh => "&L&F&C&A&R第 &P 页，共 &N 页",
        });
    if header_row {
        ws.set_repeat_rows(0, 0)?;
    }
    Ok(())
}
