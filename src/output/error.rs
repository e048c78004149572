//! The output error: which file, which sheet or step, and what failed.

use std::path::{Path, PathBuf};

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
    /// rust_xlsxwriter stopped mid-write: it panics, rather than returning an error, when a
    /// constant-memory sheet's temporary data cannot be written (a full disk, a file-size
    /// limit, a folder gone read-only). Caught by `workbook::guarded`.
    #[error(
        "cannot write {}: writing the sheets' temporary data failed ({message}); is the disk full or the folder not writable?",
        path.display()
    )]
    Spool { path: PathBuf, message: String },
    /// A file-system step of the write failed (temporary file, sync, rename, the lock).
    #[error("cannot write {}: {step}: {source}", path.display())]
    Io {
        path: PathBuf,
        step: &'static str,
        #[source]
        source: std::io::Error,
    },
    /// Another run held the output folder's lock for all of `--wait`.
    #[error(
        "{}: another billrun run ({holder}) is writing here; wait for it, use --wait 600, or choose another --out",
        dir.display()
    )]
    Busy { dir: PathBuf, holder: String },
}

impl OutputError {
    /// [`OutputError::Io`] for `step` of writing `path`, as a `map_err` argument.
    pub(crate) fn io(
        path: &Path,
        step: &'static str,
    ) -> impl FnOnce(std::io::Error) -> OutputError + use<> {
        let path = path.to_path_buf();
        move |source| OutputError::Io { path, step, source }
    }
}
