//! Atomic file replacement: write beside the target under a hidden temporary name, sync,
//! then rename over it, so a crash never leaves a half-written output in place (SPEC 6).

use super::OutputError;
use std::fs::{self, File};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

/// Distinguishes temporary names when one process writes several files at once.
static NEXT_TMP: AtomicU64 = AtomicU64::new(0);

/// A file written and synced to disk under its temporary name, not yet in place.
/// [`Staged::publish`] renames it over its target; dropped unpublished (a later file of the
/// same run failed), it removes the temporary file and leaves the target as it was.
#[must_use = "a staged file is removed unless it is published"]
#[derive(Debug)]
pub struct Staged {
    tmp: PathBuf,
    path: PathBuf,
    published: bool,
}

impl Staged {
    /// Where the file goes when published.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The temporary file, complete and synced: what [`Staged::publish`] puts in place, for
    /// reading (hashing) before it is published.
    pub fn temp_path(&self) -> &Path {
        &self.tmp
    }

    /// Renames the file into place.
    ///
    /// # Errors
    ///
    /// [`OutputError::Io`] when the rename fails; the temporary file is then removed.
    pub fn publish(mut self) -> Result<(), OutputError> {
        fs::rename(&self.tmp, &self.path)
            .map_err(OutputError::io(&self.path, "renaming the temporary file"))?;
        self.published = true;
        Ok(())
    }
}

impl Drop for Staged {
    fn drop(&mut self) {
        if !self.published {
            let _ = fs::remove_file(&self.tmp);
        }
    }
}

/// A file being written under its temporary name in as many steps as its writer takes:
/// what [`stage`] does in one call, for a writer that streams rows into the file over a
/// whole run (`billrun gen`). [`Staging::finish`] syncs it and gives the [`Staged`] file;
/// dropped unfinished (the write failed), it removes the temporary file.
#[must_use = "a file being staged is removed unless it is finished and published"]
#[derive(Debug)]
pub struct Staging(Staged);

impl Staging {
    /// Chooses the temporary path for `path` (see [`stage`]); the writer creates the file
    /// there ([`Staging::temp_path`]).
    ///
    /// # Errors
    ///
    /// [`OutputError::Io`] when the target has no file name.
    pub fn new(path: &Path) -> Result<Staging, OutputError> {
        Ok(Staging(Staged {
            tmp: temp_path(path)?,
            path: path.to_path_buf(),
            published: false,
        }))
    }

    /// Where the file goes when published.
    pub fn path(&self) -> &Path {
        &self.0.path
    }

    /// Where the writer writes the file.
    pub fn temp_path(&self) -> &Path {
        &self.0.tmp
    }

    /// Syncs the complete temporary file to disk, ready to be published.
    ///
    /// # Errors
    ///
    /// [`OutputError::Io`] when the sync fails; the temporary file is then removed.
    pub fn finish(self) -> Result<Staged, OutputError> {
        File::open(&self.0.tmp)
            .and_then(|f| f.sync_all())
            .map_err(OutputError::io(&self.0.path, "syncing the temporary file"))?;
        Ok(self.0)
    }
}

/// Runs `write` on a temporary path in `path`'s directory (`.<name>.tmp-<pid>-<n>`) and
/// syncs the result to disk, leaving `path` untouched until the result is published
/// ([`Staged::publish`] alone, or [`publish_all`] with the run's other outputs). On any
/// error the temporary file is removed.
///
/// The temporary file sits in the same directory so the rename stays on one file system and
/// is atomic; `write` must create the file at the path it is given.
///
/// # Errors
///
/// Whatever `write` returns; [`OutputError::Io`] when the target has no file name or the
/// sync fails.
pub fn stage<F>(path: &Path, write: F) -> Result<Staged, OutputError>
where
    F: FnOnce(&Path) -> Result<(), OutputError>,
{
    let staging = Staging::new(path)?;
    write(staging.temp_path())?;
    staging.finish()
}

/// Publishes a run's outputs as one set: every file was written and synced before this is
/// called, so a run that fails while writing (a full disk) replaces none of them. Only a
/// failing rename, within one folder, can leave the set part old and part new; it is
/// reported, and the files not yet renamed keep their old contents.
///
/// # Errors
///
/// The first rename that fails; the files after it are not published.
pub fn publish_all(staged: Vec<Staged>) -> Result<(), OutputError> {
    staged.into_iter().try_for_each(Staged::publish)
}

/// Removes the temporary files that an earlier run left beside `names` in `dir` when it was
/// killed while writing (SIGTERM from a cron timeout, SIGKILL, a power cut): the hidden
/// `.<name>.tmp-<pid>-<n>` files whose process is gone. The outputs themselves were never
/// touched by such a run. Files of a live process (another billrun writing to the same
/// folder) are left alone, and so is everything when `/proc` cannot tell which processes
/// live. Returns how many files were removed.
pub fn remove_stale(dir: &Path, names: &[&str]) -> usize {
    let proc = Path::new("/proc");
    if !proc.join("self").exists() {
        return 0;
    }
    let Ok(entries) = fs::read_dir(dir) else {
        return 0;
    };
    let stale = |file: &str| {
        names.iter().any(|name| {
            let pid = file
                .strip_prefix('.')
                .and_then(|f| f.strip_prefix(name))
                .and_then(|f| f.strip_prefix(".tmp-"))
                .and_then(|f| f.split_once('-'))
                .filter(|(_, n)| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
                .and_then(|(pid, _)| pid.parse::<u32>().ok());
            pid.is_some_and(|pid| !proc.join(pid.to_string()).exists())
        })
    };
    entries
        .flatten()
        .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
        .filter(|e| e.file_name().to_str().is_some_and(stale))
        .filter(|e| fs::remove_file(e.path()).is_ok())
        .count()
}

fn temp_path(path: &Path) -> Result<PathBuf, OutputError> {
    let name = path.file_name().ok_or_else(|| {
        OutputError::io(path, "choosing a temporary name")(std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            "the path has no file name",
        ))
    })?;
    let n = NEXT_TMP.fetch_add(1, Ordering::Relaxed);
    let tmp_name = format!(".{}.tmp-{}-{n}", name.to_string_lossy(), std::process::id());
    Ok(path.with_file_name(tmp_name))
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
        stage(&target, |tmp| {
            assert_eq!(tmp.parent(), target.parent());
            assert!(!tmp.exists());
            fs::write(tmp, "new").map_err(OutputError::io(tmp, "test"))
        })
        .and_then(Staged::publish)
        .unwrap();
        assert_eq!(fs::read_to_string(&target).unwrap(), "new");
        assert_eq!(entries(dir.path()), vec!["out.txt"]);
    }

    #[test]
    fn a_failed_write_keeps_the_old_file_and_removes_the_temporary_one() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("out.txt");
        fs::write(&target, "old").unwrap();
        let err = stage(&target, |tmp| {
            fs::write(tmp, "half").unwrap();
            Err(OutputError::io(&target, "test")(std::io::Error::other(
                "boom",
            )))
        })
        .unwrap_err();
        assert!(err.to_string().contains("out.txt"), "{err}");
        assert_eq!(fs::read_to_string(&target).unwrap(), "old");
        assert_eq!(entries(dir.path()), vec!["out.txt"]);
    }

    fn stage_text(path: &Path, text: &'static str) -> Result<Staged, OutputError> {
        stage(path, |tmp| {
            fs::write(tmp, text).map_err(OutputError::io(tmp, "test"))
        })
    }

    #[test]
    fn staged_files_change_nothing_until_published_together() {
        let dir = tempfile::tempdir().unwrap();
        let [a, b] = ["a.txt", "b.txt"].map(|n| dir.path().join(n));
        fs::write(&a, "old a").unwrap();
        fs::write(&b, "old b").unwrap();

        // The second file fails: the first, already staged, is dropped with it.
        let first = stage_text(&a, "new a").unwrap();
        assert_eq!(first.path(), a);
        assert_eq!(fs::read_to_string(&a).unwrap(), "old a");
        let second = stage(&b, |_| {
            Err(OutputError::io(&b, "test")(std::io::Error::other("full")))
        });
        assert!(second.is_err());
        drop(first);
        assert_eq!(fs::read_to_string(&a).unwrap(), "old a");
        assert_eq!(fs::read_to_string(&b).unwrap(), "old b");
        assert_eq!(entries(dir.path()), vec!["a.txt", "b.txt"]);

        // Both staged: published together.
        let set = vec![
            stage_text(&a, "new a").unwrap(),
            stage_text(&b, "new b").unwrap(),
        ];
        assert_eq!(
            entries(dir.path()).len(),
            4,
            "two temporary files beside the targets"
        );
        publish_all(set).unwrap();
        assert_eq!(fs::read_to_string(&a).unwrap(), "new a");
        assert_eq!(fs::read_to_string(&b).unwrap(), "new b");
        assert_eq!(entries(dir.path()), vec!["a.txt", "b.txt"]);
    }

    #[test]
    fn a_file_staged_in_steps_is_removed_unless_finished_and_published() {
        use std::io::Write as _;
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("rows.csv");
        fs::write(&target, "old").unwrap();

        // Dropped unfinished (the writer failed half-way): the target is as it was.
        let half = Staging::new(&target).unwrap();
        fs::write(half.temp_path(), "a,b\n").unwrap();
        drop(half);
        assert_eq!(entries(dir.path()), vec!["rows.csv"]);
        assert_eq!(fs::read_to_string(&target).unwrap(), "old");

        let staging = Staging::new(&target).unwrap();
        assert_eq!(staging.path(), target);
        let mut f = File::create(staging.temp_path()).unwrap();
        for row in ["a,b\n", "1,2\n"] {
            f.write_all(row.as_bytes()).unwrap();
        }
        drop(f);
        let staged = staging.finish().unwrap();
        assert_eq!(fs::read_to_string(&target).unwrap(), "old");
        staged.publish().unwrap();
        assert_eq!(fs::read_to_string(&target).unwrap(), "a,b\n1,2\n");
        assert_eq!(entries(dir.path()), vec!["rows.csv"]);
    }

    #[test]
    fn a_killed_run_s_temporary_files_are_removed_a_live_one_s_kept() {
        let dir = tempfile::tempdir().unwrap();
        // No process has pid 4,194,304 or more (Linux's pid_max at most 2^22).
        let dead = 4_194_304u32 + 7;
        let me = std::process::id();
        let keep = [
            "invoices.xlsx".to_string(),
            format!(".invoices.xlsx.tmp-{me}-0"),
            format!(".other.xlsx.tmp-{dead}-0"),
            format!(".invoices.xlsx.tmp-{dead}-x"),
            format!(".invoices.xlsx.tmp-{dead}-"),
            format!("invoices.xlsx.tmp-{dead}-0"),
        ];
        let gone = [
            format!(".invoices.xlsx.tmp-{dead}-0"),
            format!(".refunds.xlsx.tmp-{dead}-12"),
        ];
        for name in keep.iter().chain(&gone) {
            fs::write(dir.path().join(name), "x").unwrap();
        }
        fs::create_dir(dir.path().join(format!(".lines.csv.tmp-{dead}-1"))).unwrap();
        let names = ["invoices.xlsx", "refunds.xlsx", "lines.csv"];
        assert_eq!(remove_stale(dir.path(), &names), gone.len());
        let mut left: Vec<String> = keep.to_vec();
        left.push(format!(".lines.csv.tmp-{dead}-1"));
        left.sort();
        assert_eq!(entries(dir.path()), left);
        assert_eq!(remove_stale(&dir.path().join("missing"), &names), 0);
    }
}
