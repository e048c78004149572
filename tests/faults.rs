//! Faults around the outputs (issue 7): billrun never writes over an input, and an output it
//! cannot write (a folder that is a file, a full disk) stops the run with exit 2 and a clear
//! message, leaving the inputs untouched and no partial or temporary file behind.

use std::path::Path;
use std::process::{Command, Output};

const BIN: &str = env!("CARGO_BIN_EXE_billrun");

fn billrun(args: &[&str]) -> Output {
    Command::new(BIN)
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("run billrun")
}

fn names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn an_output_named_like_an_input_is_refused_before_anything_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().to_str().unwrap();
    // An orders export saved as lines.csv in the folder the run writes to.
    let input = dir.path().join("lines.csv");
    std::fs::copy("samples/orders-2025.csv", &input).unwrap();
    let before = std::fs::read(&input).unwrap();
    let i = input.to_str().unwrap();

    let out = billrun(&["run", "--orders", i, "--out", d, "--csv", "--quiet"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("also an input") && stderr(&out).contains("lines.csv"),
        "{}",
        stderr(&out)
    );
    assert_eq!(
        std::fs::read(&input).unwrap(),
        before,
        "the input is untouched"
    );
    assert_eq!(names(dir.path()), ["lines.csv"], "nothing was written");

    // The same folder as input and output is fine when no output file is an input.
    let out = billrun(&[
        "run",
        "--orders",
        i,
        "--out",
        d,
        "--quiet",
        "--as-of",
        "2026-01-31",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(std::fs::read(&input).unwrap(), before);
    assert_eq!(
        names(dir.path()),
        ["invoices.xlsx", "lines.csv", "refunds.xlsx", "run.json"]
    );

    // reprice too: a catalog saved as reprice.xlsx in the output folder.
    let catalog = dir.path().join("reprice.xlsx");
    std::fs::copy("samples/catalog.quick-audience.toml", &catalog).unwrap();
    let c = catalog.to_str().unwrap();
    let out = billrun(&["reprice", "samples", "--catalog", c, "--out", d, "--quiet"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("also an input"), "{}", stderr(&out));
}

#[test]
fn an_output_folder_that_is_a_file_exits_2_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("out");
    std::fs::write(&file, "not a folder").unwrap();
    let out = billrun(&["run", "samples", "--out", file.to_str().unwrap(), "--quiet"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("cannot create the output folder"),
        "{}",
        stderr(&out)
    );
    assert_eq!(std::fs::read(&file).unwrap(), b"not a folder");
}

/// A file-size limit makes every write past it fail (EFBIG) as a full disk would (ENOSPC):
/// rust_xlsxwriter panics on such a failure while spooling a sheet; billrun catches it,
/// names the file, exits 2 and leaves neither a partial workbook nor a temporary file, and
/// the earlier run's outputs all in place.
///
/// The limit climbs from 4 KiB until the run succeeds, so the disk fills at every stage:
/// while the Lines sheet spools, and (around 40 KiB on the samples) after refunds.xlsx and
/// the CSV files are complete but invoices.xlsx is not, where publishing the set as a
/// whole is what keeps the earlier refunds.xlsx and packs.csv in place.
#[test]
fn a_full_disk_exits_2_and_leaves_the_earlier_outputs_in_place() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().to_str().unwrap();
    for (failures, limit_kib) in (4..=256).step_by(2).enumerate() {
        // An earlier run's outputs, which a failed run must leave as they were.
        let first = billrun(&["run", "samples", "--out", d, "--quiet", "--csv"]);
        assert!(first.status.success(), "{}", stderr(&first));
        let before: Vec<(String, Vec<u8>)> = names(dir.path())
            .into_iter()
            .map(|n| {
                let bytes = std::fs::read(dir.path().join(&n)).unwrap();
                (n, bytes)
            })
            .collect();
        let out = Command::new("bash")
            .arg("-c")
            .arg(format!(
                "ulimit -f {limit_kib} && trap '' XFSZ && exec \"$0\" \"$@\""
            ))
            .arg(BIN)
            .args([
                "run",
                "samples",
                "--out",
                d,
                "--quiet",
                "--csv",
                "--as-of",
                "2026-01-31",
            ])
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .output()
            .unwrap();
        let after = names(dir.path());
        assert_eq!(
            after,
            before.iter().map(|(n, _)| n.clone()).collect::<Vec<_>>(),
            "{limit_kib} KiB: no temporary file is left"
        );
        let replaced: Vec<&str> = before
            .iter()
            .filter(|(name, old)| std::fs::read(dir.path().join(name)).unwrap() != *old)
            .map(|(name, _)| name.as_str())
            .collect();
        if out.status.success() {
            // This run's `--as-of` makes its outputs differ from the earlier run's.
            assert!(!replaced.is_empty(), "{limit_kib} KiB: nothing was written");
            assert!(failures >= 3, "the disk filled only {failures} times");
            return;
        }
        assert_eq!(
            out.status.code(),
            Some(2),
            "{limit_kib} KiB: {}",
            stderr(&out)
        );
        assert!(
            stderr(&out).contains("cannot write") && !stderr(&out).contains("panicked"),
            "{limit_kib} KiB: {}",
            stderr(&out)
        );
        assert!(
            replaced.is_empty(),
            "{limit_kib} KiB: a failed run replaced {replaced:?}"
        );
    }
    panic!("the run never succeeded under 256 KiB a file");
}

#[test]
fn an_output_name_taken_by_a_folder_exits_2_before_anything_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().to_str().unwrap();
    let first = billrun(&["run", "samples", "--out", d, "--quiet"]);
    assert!(first.status.success(), "{}", stderr(&first));
    let invoices = std::fs::read(dir.path().join("invoices.xlsx")).unwrap();
    // refunds.xlsx is a folder now: renaming over it would fail after invoices.xlsx was
    // already replaced.
    std::fs::remove_file(dir.path().join("refunds.xlsx")).unwrap();
    std::fs::create_dir(dir.path().join("refunds.xlsx")).unwrap();
    let out = billrun(&[
        "run",
        "samples",
        "--out",
        d,
        "--quiet",
        "--as-of",
        "2026-01-31",
    ]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("refunds.xlsx: this output is a folder"),
        "{}",
        stderr(&out)
    );
    assert_eq!(
        std::fs::read(dir.path().join("invoices.xlsx")).unwrap(),
        invoices
    );
    assert_eq!(
        names(dir.path()),
        ["invoices.xlsx", "refunds.xlsx", "run.json"]
    );
}

/// A folder the run may not write to. Root ignores permissions, so as root the binary runs
/// as `nobody` (util-linux `setpriv`); otherwise as the user running the tests.
#[test]
fn a_folder_without_write_permission_exits_2_and_stays_empty() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let out_dir = dir.path().join("out");
    std::fs::create_dir(&out_dir).unwrap();
    for (path, mode) in [(dir.path(), 0o755), (out_dir.as_path(), 0o555)] {
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
    }
    let root = Command::new("id").arg("-u").output().unwrap().stdout == b"0\n";
    let mut cmd = if root {
        let mut c = Command::new("setpriv");
        c.args(["--reuid=65534", "--regid=65534", "--clear-groups", BIN]);
        c
    } else {
        Command::new(BIN)
    };
    let out = cmd
        .args([
            "run",
            "samples",
            "--out",
            out_dir.to_str().unwrap(),
            "--csv",
        ])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("run billrun (as root this needs setpriv, from util-linux)");
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("cannot write") && stderr(&out).contains("Permission denied"),
        "{}",
        stderr(&out)
    );
    assert!(names(&out_dir).is_empty());
}

/// A run killed while writing (a cron timeout's SIGKILL) leaves its hidden temporary files;
/// the outputs in place are still the earlier run's, whole. The next run removes them.
#[test]
fn the_next_run_clears_what_a_killed_run_left() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().to_str().unwrap();
    // No process has a pid this large (Linux's pid_max is at most 2^22).
    let dead = ["invoices.xlsx", "refunds.xlsx", "lines.csv"]
        .map(|name| dir.path().join(format!(".{name}.tmp-4194311-0")));
    for path in &dead {
        std::fs::write(path, "half a file").unwrap();
    }
    let out = billrun(&["run", "samples", "--out", d, "--quiet", "--csv"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        names(dir.path()),
        [
            "exceptions.csv",
            "invoices.xlsx",
            "lines.csv",
            "packs.csv",
            "refunds.csv",
            "refunds.xlsx",
            "run.json",
        ]
    );
}
