//! The lock on an output folder: one billrun run at a time writes into a `--out` folder, so
//! two runs started together (cron overlapping a manual run) cannot leave a mix of both sets.

use super::OutputError;
use std::fs::{self, File, OpenOptions, TryLockError};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// The lock file's name in the output folder: hidden, and not one of the outputs.
pub const LOCK_FILE: &str = ".billrun.lock";

/// How often a waiting run tries the lock again.
const POLL: Duration = Duration::from_millis(100);

/// An exclusive lock on an output folder, held until dropped.
///
/// It is the operating system's lock on `.billrun.lock` (`flock`), not the file's presence:
/// a run that is killed loses the lock with its process, and the next run takes the file
/// over. The pid and start time written into the file only name the holder in the waiting
/// run's message.
#[derive(Debug)]
pub struct OutLock {
    file: File,
    path: PathBuf,
}

impl OutLock {
    /// Takes the lock on `dir` (which must exist), trying every 100 ms for up to `wait`.
    ///
    /// # Errors
    ///
    /// [`OutputError::Busy`] naming the holder when another run kept the lock for all of
    /// `wait`; [`OutputError::Io`] when the lock file cannot be opened or written (a folder
    /// without write permission).
    pub fn acquire(dir: &Path, wait: Duration) -> Result<OutLock, OutputError> {
        let path = dir.join(LOCK_FILE);
        let io = |step| OutputError::io(&path, step);
        let start = Instant::now();
        loop {
            // Not truncated on opening: the file may be the holder's, naming it.
            let file = OpenOptions::new()
                .read(true)
                .write(true)
                .create(true)
                .truncate(false)
                .open(&path)
                .map_err(io("opening the lock file"))?;
            match file.try_lock() {
                Ok(()) => {}
                Err(TryLockError::WouldBlock) => {
                    let left = wait.saturating_sub(start.elapsed());
                    if left.is_zero() {
                        return Err(OutputError::Busy {
                            dir: dir.to_path_buf(),
                            holder: holder(&path),
                        });
                    }
                    std::thread::sleep(left.min(POLL));
                    continue;
                }
                Err(TryLockError::Error(e)) => return Err(io("locking the lock file")(e)),
            }
            // The holder removes the file before it lets go (Drop), so the file this run
            // opened while it waited may no longer be the one at `path`: a third run could
            // have created and locked a new one. Only a lock on the file at `path` counts.
            if !is_at(&file, &path) {
                continue;
            }
            let mut lock = OutLock {
                file,
                path: path.clone(),
            };
            lock.write_holder().map_err(io("writing the lock file"))?;
            return Ok(lock);
        }
    }

    fn write_holder(&mut self) -> std::io::Result<()> {
        let started = chrono::Local::now().format("%Y-%m-%d %H:%M:%S");
        self.file.set_len(0)?;
        writeln!(self.file, "{} {started}", std::process::id())
    }
}

impl Drop for OutLock {
    /// Removes the lock file while still holding the lock, so a finished run leaves only
    /// its outputs; a waiting run that opened the removed file sees that it is gone
    /// ([`is_at`]) and opens the path again. Closing the file releases the lock.
    fn drop(&mut self) {
        let _ = fs::remove_file(&self.path);
        let _ = self.file.unlock();
    }
}

/// Whether `file` is the file at `path` (same device and inode).
#[cfg(unix)]
fn is_at(file: &File, path: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (file.metadata(), fs::metadata(path)) {
        (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
        _ => false,
    }
}

/// Without inode numbers, whether the path still exists is the best test there is.
#[cfg(not(unix))]
fn is_at(_file: &File, path: &Path) -> bool {
    path.exists()
}

/// The holder as the lock file names it ("pid 1234, started 2026-12-03 14:10:05").
fn holder(path: &Path) -> String {
    let text = fs::read_to_string(path).unwrap_or_default();
    match text.trim().split_once(' ') {
        Some((pid, started)) if pid.bytes().all(|b| b.is_ascii_digit()) && !pid.is_empty() => {
            format!("pid {pid}, started {}", started.trim())
        }
        // The holder has locked the file but not written it yet, or it is not billrun.
        _ => "pid unknown".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_lock_waits_then_names_the_holder_and_the_first_leaves_no_file() {
        let dir = tempfile::tempdir().unwrap();
        let first = OutLock::acquire(dir.path(), Duration::ZERO).unwrap();
        let err = OutLock::acquire(dir.path(), Duration::from_millis(250)).unwrap_err();
        let message = err.to_string();
        assert!(
            message.contains(&format!("pid {}, started ", std::process::id())),
            "{message}"
        );
        drop(first);
        assert!(!dir.path().join(LOCK_FILE).exists());
        let again = OutLock::acquire(dir.path(), Duration::ZERO).unwrap();
        drop(again);
    }

    #[test]
    fn a_file_left_unlocked_is_taken_over() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join(LOCK_FILE), "4194311 2020-01-01 00:00:00\n").unwrap();
        let lock = OutLock::acquire(dir.path(), Duration::ZERO).unwrap();
        let text = fs::read_to_string(dir.path().join(LOCK_FILE)).unwrap();
        assert!(
            text.starts_with(&format!("{} ", std::process::id())),
            "{text}"
        );
        drop(lock);
    }

    #[test]
    fn holder_text() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(LOCK_FILE);
        assert_eq!(holder(&path), "pid unknown");
        fs::write(&path, "12 2026-12-03 14:10:05\n").unwrap();
        assert_eq!(holder(&path), "pid 12, started 2026-12-03 14:10:05");
        fs::write(&path, "x y").unwrap();
        assert_eq!(holder(&path), "pid unknown");
    }
}
