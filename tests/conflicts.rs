//! Runs the real binary on the shipped orders sample copied into several files: an order in
//! two files is counted once when the copies are identical and set aside when they differ.

use std::path::Path;
use std::process::{Command, Output};

const SAMPLE: &str = "samples/orders-2025.csv";
/// Data rows of the sample (the header aside).
const SAMPLE_ROWS: u64 = 43;

fn billrun(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_billrun"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("run billrun")
}

/// `check` on `inputs`: the JSON summary and the exception lines (file:row, code, order,
/// column=value, message).
fn check(inputs: &[&Path]) -> (serde_json::Value, Vec<Vec<String>>) {
    let mut args = vec!["check", "--as-of", "2025-12-31"];
    let names: Vec<String> = inputs.iter().map(|p| p.display().to_string()).collect();
    for n in &names {
        args.extend(["--orders", n.as_str()]);
    }
    let run = |args: &[&str]| {
        let out = billrun(args);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        out.stdout
    };
    // The exceptions are printed without --json, the summary with it.
    let text = run(&args);
    args.push("--json");
    let json = serde_json::from_slice(&run(&args)).expect("a JSON summary on stdout");
    let exceptions = String::from_utf8_lossy(&text)
        .lines()
        .filter(|l| l.split('\t').count() >= 5)
        .map(|l| l.split('\t').map(str::to_string).collect())
        .collect();
    (json, exceptions)
}

fn sample() -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(SAMPLE)).unwrap()
}

fn billed(v: &serde_json::Value) -> f64 {
    v["totals"]["billed"].as_str().unwrap().parse().unwrap()
}

#[test]
fn the_same_export_twice_is_counted_once() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (
        dir.path().join("orders-a.csv"),
        dir.path().join("orders-b.csv"),
    );
    std::fs::write(&a, sample()).unwrap();
    std::fs::write(&b, sample()).unwrap();
    let (once, once_exc) = check(&[&a]);
    let (twice, twice_exc) = check(&[&a, &b]);
    assert_eq!(twice["totals"], once["totals"]);
    assert_eq!(twice["counts"]["lines"], once["counts"]["lines"]);
    assert_eq!(twice["counts"]["rows_read"], 2 * SAMPLE_ROWS);
    // Every row of the second copy is an exception: its reader's or DUPLICATE.
    assert_eq!(
        twice["counts"]["exceptions"].as_u64().unwrap(),
        once["counts"]["exceptions"].as_u64().unwrap() + SAMPLE_ROWS
    );
    let b_name = b.display().to_string();
    let b_rows: Vec<_> = twice_exc
        .iter()
        .filter(|e| e[0].starts_with(&b_name))
        .collect();
    assert_eq!(b_rows.len() as u64, SAMPLE_ROWS);
    let a_name = a.display().to_string();
    let dups = b_rows.iter().filter(|e| e[1] == "DUPLICATE").count();
    assert!(
        b_rows
            .iter()
            .filter(|e| e[1] == "DUPLICATE")
            .all(|e| e[4].contains(&format!("this order repeats {a_name}"))),
        "{b_rows:?}"
    );
    // The rest are the reader's own exceptions, the same as in the first copy's run.
    let row_of = |e: &Vec<String>| e[0].rsplit(':').next().unwrap_or("").to_string();
    for e in b_rows.iter().filter(|e| e[1] != "DUPLICATE") {
        assert!(
            once_exc
                .iter()
                .any(|o| row_of(o) == row_of(e) && o[1] == e[1] && o[3] == e[3]),
            "{e:?}"
        );
    }
    assert!(dups > 0);
}

#[test]
fn a_corrected_copy_sets_the_order_aside_in_both_files() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (
        dir.path().join("orders-a.csv"),
        dir.path().join("orders-b.csv"),
    );
    std::fs::write(&a, sample()).unwrap();
    let corrected = sample().replace(
        "qcs-knowledge,,1,,,,,\"15,000.00\"",
        "qcs-knowledge,,1,,,,,\"14,000.00\"",
    );
    assert_ne!(corrected, sample());
    // Only Q-1006 is in the corrected file: the rest of the sample is not repeated.
    let header = corrected.lines().next().unwrap();
    let q1006 = corrected
        .lines()
        .find(|l| l.starts_with("Q-1006,"))
        .unwrap();
    std::fs::write(&b, format!("{header}\n{q1006}\n")).unwrap();
    let (once, _) = check(&[&a]);
    let (both, exc) = check(&[&a, &b]);
    let conflicts: Vec<_> = exc
        .iter()
        .filter(|e| e[1] == "CONFLICTING_EXPORT")
        .collect();
    assert_eq!(conflicts.len(), 2, "{exc:?}");
    for e in &conflicts {
        assert_eq!(e[2], "Q-1006");
        assert!(e[3].starts_with("billed_amount="), "{e:?}");
        assert!(
            e[4].contains(&format!("{} and {}", a.display(), b.display())),
            "{e:?}"
        );
        assert!(e[4].contains("billed_amount is 15000.00 in"), "{e:?}");
        assert!(e[4].contains("remove the stale file, or keep only one copy"));
    }
    // Nothing double counted: the order is out of the totals altogether.
    assert!((billed(&once) - billed(&both) - 15_000.0).abs() < 0.005);
    assert_eq!(
        both["counts"]["lines"].as_u64().unwrap() + 1,
        once["counts"]["lines"].as_u64().unwrap()
    );
}

#[test]
fn an_order_naming_two_accounts_is_not_priced() {
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("orders-a.csv");
    let text = sample().replacen(
        "Q-1001,ACME-001,2025-01-10,new,qcs-robot",
        "Q-1001,BETA-002,2025-01-10,new,qcs-robot",
        1,
    );
    assert_ne!(text, sample());
    std::fs::write(&a, text).unwrap();
    let (_, exc) = check(&[&a]);
    let spans: Vec<_> = exc
        .iter()
        .filter(|e| e[1] == "ORDER_SPANS_ACCOUNTS")
        .collect();
    assert_eq!(spans.len(), 2, "{exc:?}");
    for e in &spans {
        assert_eq!(e[2], "Q-1001");
        assert!(e[3].starts_with("account_id="), "{e:?}");
        assert!(e[4].contains("(ACME-001, BETA-002)"), "{e:?}");
    }
}
