//! Workbook setup shared by every billrun workbook: fixed metadata (so two runs on the same
//! inputs give identical bytes), the zip level, and where constant-memory sheets spool.

use super::WriteOptions;
use rust_xlsxwriter::{DocProperties, ExcelDateTime, Workbook, XlsxError};
use std::path::Path;

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
