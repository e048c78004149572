//! run.json and the set of outputs: which files a run wrote (size, SHA-256), and publishing
//! them so that `--out` holds exactly that set, with run.json, written last, describing it.

use super::{MIRROR_FILES, OutputError, Staged, publish_all, stage};
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::fs::{self, File};
use std::io::Read;
use std::path::{Path, PathBuf};

/// The workbooks every `billrun run` writes.
pub const WORKBOOKS: [&str; 2] = ["invoices.xlsx", "refunds.xlsx"];

/// Every output name `billrun run` owns in `--out`: the workbooks and, with `--csv`, the
/// mirrors. A name of this list that a run did not write is an earlier run's and is removed
/// ([`publish_set`]); nothing outside it ever is.
pub const RUN_OUTPUTS: [&str; 6] = [
    WORKBOOKS[0],
    WORKBOOKS[1],
    MIRROR_FILES[0],
    MIRROR_FILES[1],
    MIRROR_FILES[2],
    MIRROR_FILES[3],
];

/// The record of a run, beside its outputs.
pub const RUN_JSON: &str = "run.json";

/// One file of a run's set, as run.json lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FileEntry {
    /// The file's name in `--out`.
    pub name: String,
    pub bytes: u64,
    /// Lowercase hex.
    pub sha256: String,
}

/// Sizes and hashes a staged file. Its temporary file is what gets published, complete and
/// synced, so the entry describes the published file without reading it after the rename
/// (when another process could already have replaced it).
///
/// # Errors
///
/// [`OutputError::Io`] when the temporary file cannot be read.
pub fn describe(staged: &Staged) -> Result<FileEntry, OutputError> {
    let io = || OutputError::io(staged.path(), "hashing the temporary file");
    let mut file = File::open(staged.temp_path()).map_err(io())?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 16];
    let mut bytes = 0u64;
    loop {
        let n = file.read(&mut buf).map_err(io())?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
        bytes += n as u64;
    }
    let sha256 = hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    Ok(FileEntry {
        name: file_name(staged.path()),
        bytes,
        sha256,
    })
}

/// Stages `dir/run.json`: the JSON summary (`summary`, an object as
/// `commands::summary::json` prints it) with `files` (this run's set, run.json not in it)
/// and `billrun` (the version that wrote it). Nothing in it changes between two runs on the
/// same inputs and arguments: no time, no pid.
///
/// # Errors
///
/// [`OutputError::Io`] when `summary` is not a JSON object or the file cannot be written.
pub fn stage_run_json(
    dir: &Path,
    summary: &str,
    files: &[FileEntry],
) -> Result<Staged, OutputError> {
    let path = dir.join(RUN_JSON);
    let io = |step, source| OutputError::io(&path, step)(source);
    let mut value: serde_json::Value = serde_json::from_str(summary)
        .map_err(|e| io("reading the run summary", std::io::Error::from(e)))?;
    let Some(object) = value.as_object_mut() else {
        return Err(io(
            "reading the run summary",
            std::io::Error::new(std::io::ErrorKind::InvalidData, "not a JSON object"),
        ));
    };
    let files = serde_json::to_value(files)
        .map_err(|e| io("listing the files", std::io::Error::from(e)))?;
    object.insert("files".into(), files);
    object.insert("billrun".into(), env!("CARGO_PKG_VERSION").into());
    let mut text = serde_json::to_string_pretty(&value)
        .map_err(|e| io("formatting run.json", std::io::Error::from(e)))?;
    text.push('\n');
    stage(&path, |tmp| {
        fs::write(tmp, text).map_err(OutputError::io(&path, "writing the temporary file"))
    })
}

/// Publishes a run's set into `dir` so that the folder ends with exactly it:
///
/// 1. the earlier run.json is removed, so that while the set is renamed into place no
///    run.json describes a folder that does not match it;
/// 2. the set is renamed into place ([`publish_all`]);
/// 3. each of `owned` that this run did not write is removed (an earlier run's `--csv`
///    mirrors after a run without `--csv`), unless it is one of `inputs` (billrun never
///    removes an input: an orders export may be named lines.csv) or not a plain file;
/// 4. run.json is renamed into place last: once it is there, the folder is its set.
///
/// # Errors
///
/// The first step that fails, naming its file; the steps after it are not taken, so the
/// folder then has no run.json.
pub fn publish_set(
    dir: &Path,
    staged: Vec<Staged>,
    run_json: Staged,
    owned: &[&str],
    inputs: &[PathBuf],
) -> Result<(), OutputError> {
    let written: Vec<String> = staged.iter().map(|s| file_name(s.path())).collect();
    remove_file_if_plain(&dir.join(RUN_JSON), inputs)?;
    publish_all(staged)?;
    for name in owned.iter().filter(|n| !written.iter().any(|w| w == *n)) {
        remove_file_if_plain(&dir.join(name), inputs)?;
    }
    run_json.publish()
}

/// Removes `path` when it is a plain file (not a folder, not a link) and not an input.
fn remove_file_if_plain(path: &Path, inputs: &[PathBuf]) -> Result<(), OutputError> {
    let Ok(meta) = fs::symlink_metadata(path) else {
        return Ok(());
    };
    if !meta.is_file() {
        return Ok(());
    }
    let is_input = path.canonicalize().is_ok_and(|real| {
        inputs
            .iter()
            .any(|i| i.canonicalize().is_ok_and(|i| i == real))
    });
    if is_input {
        return Ok(());
    }
    match fs::remove_file(path) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(source) => Err(OutputError::io(path, "removing the earlier run's file")(
            source,
        )),
    }
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn staged(dir: &Path, name: &str, text: &'static str) -> Staged {
        let path = dir.join(name);
        stage(&path, |tmp| {
            fs::write(tmp, text).map_err(OutputError::io(tmp, "test"))
        })
        .unwrap()
    }

    fn names(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    #[test]
    fn describes_a_staged_file() {
        let dir = tempfile::tempdir().unwrap();
        let s = staged(dir.path(), "a.csv", "abc");
        let entry = describe(&s).unwrap();
        assert_eq!(entry.name, "a.csv");
        assert_eq!(entry.bytes, 3);
        assert_eq!(
            entry.sha256,
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn the_set_replaces_the_earlier_one_and_keeps_inputs_and_other_files() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        for name in [
            "invoices.xlsx",
            "refunds.xlsx",
            "lines.csv",
            "packs.csv",
            "run.json",
            "notes.txt",
        ] {
            fs::write(d.join(name), "old").unwrap();
        }
        fs::create_dir(d.join("refunds.csv")).unwrap();
        let set = vec![
            staged(d, "invoices.xlsx", "new"),
            staged(d, "refunds.xlsx", "new"),
        ];
        let files: Vec<FileEntry> = set.iter().map(|s| describe(s).unwrap()).collect();
        let run = stage_run_json(d, r#"{"counts": {"lines": 1}}"#, &files).unwrap();
        // lines.csv is an input of this run: kept.
        publish_set(d, set, run, &RUN_OUTPUTS, &[d.join("lines.csv")]).unwrap();
        assert_eq!(
            names(d),
            [
                "invoices.xlsx",
                "lines.csv",
                "notes.txt",
                "refunds.csv",
                "refunds.xlsx",
                "run.json"
            ]
        );
        let run: serde_json::Value =
            serde_json::from_str(&fs::read_to_string(d.join("run.json")).unwrap()).unwrap();
        assert_eq!(run["counts"]["lines"], 1);
        assert_eq!(run["files"][1]["name"], "refunds.xlsx");
        assert_eq!(run["files"][1]["bytes"], 3);
        assert_eq!(run["billrun"], env!("CARGO_PKG_VERSION"));
    }
}
