//! Atomic file replacement: write beside the target under a hidden temporary name, sync,
//! then rename over it, so a crash never leaves a half-written output in place (SPEC 6).

use super::OutputError;
use std::fs::{self, File};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

/// Distinguishes temporary names when one process writes several files at once.
static NEXT_TMP: AtomicU64 = AtomicU64::new(0);

/// Runs `write` on a temporary path in `path`'s directory (`.<name>.tmp-<pid>-<n>`), syncs the
/// result to disk and renames it over `path`. On any error the temporary file is removed and
/// `path` is left as it was.
///
/// The temporary file sits in the same directory so the rename stays on one file system and
/// is atomic; `write` must create the file at the path it is given.
///
/// # Errors
///
/// Whatever `write` returns; [`OutputError::Io`] when the target has no file name or the
/// sync or rename fails.
pub fn atomic_write<F>(path: &Path, write: F) -> Result<(), OutputError>
where
    F: FnOnce(&Path) -> Result<(), OutputError>,
{
    let tmp = temp_path(path)?;
    let result = write(&tmp).and_then(|()| {
        File::open(&tmp)
            .and_then(|f| f.sync_all())
            .map_err(|source| io_error(path, "syncing the temporary file", source))?;
        fs::rename(&tmp, path)
            .map_err(|source| io_error(path, "renaming the temporary file", source))
    });
    if result.is_err() {
        // Best effort: the file may never have been created.
        let _ = fs::remove_file(&tmp);
    }
    result
}

fn temp_path(path: &Path) -> Result<PathBuf, OutputError> {
    let name = path.file_name().ok_or_else(|| {
        io_error(
            path,
            "choosing a temporary name",
            std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                "the path has no file name",
            ),
        )
    })?;
    let n = NEXT_TMP.fetch_add(1, Ordering::Relaxed);
    let tmp_name = format!(".{}.tmp-{}-{n}", name.to_string_lossy(), std::process::id());
    Ok(path.with_file_name(tmp_name))
}

fn io_error(path: &Path, step: &'static str, source: std::io::Error) -> OutputError {
    OutputError::Io {
        path: path.to_path_buf(),
        step,
        source,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entries(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    #[test]
    fn replaces_the_target_and_leaves_no_temporary_file() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("out.txt");
        fs::write(&target, "old").unwrap();
        atomic_write(&target, |tmp| {
            assert_eq!(tmp.parent(), target.parent());
            assert!(!tmp.exists());
            fs::write(tmp, "new").map_err(|e| io_error(tmp, "test", e))
        })
        .unwrap();
        assert_eq!(fs::read_to_string(&target).unwrap(), "new");
        assert_eq!(entries(dir.path()), vec!["out.txt"]);
    }

    #[test]
    fn a_failed_write_keeps_the_old_file_and_removes_the_temporary_one() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("out.txt");
        fs::write(&target, "old").unwrap();
        let err = atomic_write(&target, |tmp| {
            fs::write(tmp, "half").unwrap();
            Err(io_error(&target, "test", std::io::Error::other("boom")))
        })
        .unwrap_err();
        assert!(err.to_string().contains("out.txt"), "{err}");
        assert_eq!(fs::read_to_string(&target).unwrap(), "old");
        assert_eq!(entries(dir.path()), vec!["out.txt"]);
    }
}
