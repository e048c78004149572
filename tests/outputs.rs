//! The output folder as a whole: run.json describes exactly the set of files there, a run
//! removes an earlier run's outputs it did not write, one run at a time writes into a
//! folder (the lock), and `--json` errors are JSON too. Runs the real binary on the samples.

use serde_json::Value;
use sha2::{Digest, Sha256};
use std::fs::File;
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_billrun");

fn command(args: &[&str]) -> Command {
    let mut c = Command::new(BIN);
    c.args(args).current_dir(env!("CARGO_MANIFEST_DIR"));
    c
}

fn billrun(args: &[&str]) -> Output {
    command(args).output().expect("run billrun")
}

fn spawn(args: &[&str]) -> Child {
    command(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start billrun")
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// `billrun run INPUT --out DIR --as-of 2026-11-30 --quiet` and `more`.
fn run_args<'a>(input: &'a str, out: &'a Path, more: &[&'a str]) -> Vec<&'a str> {
    let mut args = vec![
        "run",
        input,
        "--out",
        out.to_str().unwrap(),
        "--as-of",
        "2026-11-30",
        "--quiet",
    ];
    args.extend(more);
    args
}

fn names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

fn sha256(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn run_json(dir: &Path) -> Value {
    let text = std::fs::read_to_string(dir.join("run.json")).expect("run.json");
    serde_json::from_str(&text).expect("run.json is JSON")
}

/// Checks that `dir` holds exactly the files its run.json lists, with their sizes and
/// hashes, and run.json; returns the listed names in run.json's order.
fn assert_folder_matches_run_json(dir: &Path) -> Vec<String> {
    let run = run_json(dir);
    let files = run["files"].as_array().expect("files");
    let mut listed = Vec::new();
    for f in files {
        let name = f["name"].as_str().unwrap().to_string();
        let bytes = std::fs::read(dir.join(&name)).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(f["bytes"], bytes.len() as u64, "{name}: size");
        assert_eq!(f["sha256"], sha256(&bytes), "{name}: hash");
        listed.push(name);
    }
    let mut expected = listed.clone();
    expected.push("run.json".into());
    expected.sort();
    assert_eq!(names(dir), expected, "the folder is run.json's set");
    listed
}

#[test]
fn run_json_lists_every_file_written_with_its_size_and_hash() {
    let dir = tempfile::tempdir().unwrap();
    let args = run_args("samples", dir.path(), &["--csv", "--json"]);
    let out = billrun(&args);
    assert!(out.status.success(), "{}", stderr(&out));
    let summary: Value = serde_json::from_slice(&out.stdout).expect("a JSON summary");
    let listed = assert_folder_matches_run_json(dir.path());
    assert_eq!(
        listed,
        [
            "invoices.xlsx",
            "refunds.xlsx",
            "lines.csv",
            "refunds.csv",
            "exceptions.csv",
            "packs.csv"
        ]
    );
    let mut run = run_json(dir.path());
    assert_eq!(run["counts"], summary["counts"]);
    assert!(run["counts"]["lines"].as_u64().unwrap() > 0);
    assert_eq!(run["billrun"], env!("CARGO_PKG_VERSION"));
    // Beside files and billrun, run.json is the --json summary as printed.
    let object = run.as_object_mut().unwrap();
    object.remove("files");
    object.remove("billrun");
    assert_eq!(run, summary);

    // Nothing in it changes between two runs on the same inputs.
    let first = std::fs::read(dir.path().join("run.json")).unwrap();
    let again = billrun(&args);
    assert!(again.status.success(), "{}", stderr(&again));
    assert_eq!(std::fs::read(dir.path().join("run.json")).unwrap(), first);
}

#[test]
fn a_run_without_csv_removes_the_earlier_mirrors() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("notes.txt"), "mine").unwrap();
    let out = billrun(&run_args("samples", dir.path(), &["--csv"]));
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(dir.path().join("packs.csv").exists());
    let out = billrun(&run_args("samples", dir.path(), &[]));
    assert!(out.status.success(), "{}", stderr(&out));
    let listed: Vec<String> = run_json(dir.path())["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["name"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(listed, ["invoices.xlsx", "refunds.xlsx"]);
    // Only billrun's own names go: a file of the user's stays.
    assert_eq!(
        names(dir.path()),
        ["invoices.xlsx", "notes.txt", "refunds.xlsx", "run.json"]
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("notes.txt")).unwrap(),
        "mine"
    );
}

/// Holds `.billrun.lock` in `dir` from this process, as another run would, naming pid 1234.
fn hold_lock(dir: &Path) -> File {
    let path = dir.join(".billrun.lock");
    std::fs::write(&path, "1234 2026-12-03 14:10:05\n").unwrap();
    let file = File::options().read(true).write(true).open(&path).unwrap();
    file.lock().unwrap();
    file
}

#[test]
fn a_locked_folder_exits_2_naming_the_holder() {
    let dir = tempfile::tempdir().unwrap();
    let lock = hold_lock(dir.path());
    let start = Instant::now();
    let out = billrun(&run_args("samples", dir.path(), &["--wait", "0"]));
    let took = start.elapsed();
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains(
            "another billrun run (pid 1234, started 2026-12-03 14:10:05) is writing here; wait for it, use --wait 600, or choose another --out"
        ),
        "{}",
        stderr(&out)
    );
    assert!(
        stderr(&out).contains(dir.path().to_str().unwrap()),
        "{}",
        stderr(&out)
    );
    // 0.5 s on an idle machine; the margin is for a loaded one.
    assert!(took < Duration::from_secs(3), "took {took:?}");
    assert_eq!(names(dir.path()), [".billrun.lock"], "nothing was written");
    drop(lock);
}

#[test]
fn a_run_told_to_wait_runs_once_the_lock_is_released() {
    let dir = tempfile::tempdir().unwrap();
    let lock = hold_lock(dir.path());
    let start = Instant::now();
    let child = spawn(&run_args("samples", dir.path(), &["--wait", "2"]));
    std::thread::sleep(Duration::from_millis(500));
    assert!(!dir.path().join("invoices.xlsx").exists());
    lock.unlock().unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(start.elapsed() >= Duration::from_millis(500));
    assert_folder_matches_run_json(dir.path());
    drop(lock);
}

#[test]
fn a_lock_file_left_by_a_killed_run_is_taken_over() {
    let dir = tempfile::tempdir().unwrap();
    // No process has a pid this large (Linux's pid_max is at most 2^22), and nothing holds
    // the file's lock: the run that wrote it is gone.
    std::fs::write(
        dir.path().join(".billrun.lock"),
        "4194311 2026-12-03 14:10:05\n",
    )
    .unwrap();
    let out = billrun(&run_args("samples", dir.path(), &[]));
    assert!(out.status.success(), "{}", stderr(&out));
    // The run removes the lock file as it lets go.
    assert_folder_matches_run_json(dir.path());
}

#[test]
fn two_runs_into_one_folder_at_once_leave_one_run_s_set() {
    let dir = tempfile::tempdir().unwrap();
    for round in 0..5 {
        // Different inputs and different sets (one with the CSV mirrors): a mix of the two
        // would show as a file that does not match run.json, or one it does not list.
        let a = spawn(&run_args(
            "samples/orders-2025.csv",
            dir.path(),
            &["--csv", "--wait", "60"],
        ));
        let b = spawn(&run_args("samples", dir.path(), &["--wait", "60"]));
        for child in [a, b] {
            let out = child.wait_with_output().unwrap();
            assert!(out.status.success(), "round {round}: {}", stderr(&out));
        }
        let listed = assert_folder_matches_run_json(dir.path());
        assert!(
            listed.len() == 2 || listed.len() == 6,
            "round {round}: {listed:?}"
        );
    }
}

#[test]
fn json_errors_are_json_on_stdout() {
    let dir = tempfile::tempdir().unwrap();
    let out = billrun(&run_args("samples/missing.csv", dir.path(), &["--json"]));
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let error: Value = serde_json::from_slice(&out.stdout).expect("JSON on stdout");
    assert_eq!(error["exit"], 2);
    let message = error["error"].as_str().unwrap();
    assert!(message.contains("samples/missing.csv"), "{message}");
    assert!(
        stderr(&out).contains(message),
        "the human message stays on stderr: {}",
        stderr(&out)
    );

    // A bad argument too, when --json is among the arguments.
    let out = billrun(&["check", "samples", "--json", "--tolerance", "lots"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let error: Value = serde_json::from_slice(&out.stdout).expect("JSON on stdout");
    assert_eq!(error["exit"], 2);
    assert!(error["error"].as_str().unwrap().contains("lots"), "{error}");

    // Without --json, stdout stays empty.
    let out = billrun(&run_args("samples/missing.csv", dir.path(), &[]));
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
}
