//! The output error: which file, which sheet or step, and what failed.

use std::path::PathBuf;

/// A workbook or file that could not be written. Every variant names the target file.
#[derive(Debug, thiserror::Error)]
pub enum OutputError {
    /// rust_xlsxwriter refused a cell, a setting or a sheet (a limit or a bad parameter).
    #[error("cannot write {}: sheet {sheet}: {source}", path.display())]
    Sheet {
        path: PathBuf,
        sheet: String,
        #[source]
        source: rust_xlsxwriter::XlsxError,
    },
    /// The workbook could not be set up or saved (temporary files, zip, disk).
    #[error("cannot write {}: {step}: {source}", path.display())]
    Workbook {
        path: PathBuf,
        step: &'static str,
        #[source]
        source: rust_xlsxwriter::XlsxError,
    },
    /// A file-system step of the write failed (temporary file, sync, rename).
    #[error("cannot write {}: {step}: {source}", path.display())]
    Io {
        path: PathBuf,
        step: &'static str,
        #[source]
        source: std::io::Error,
    },
}
