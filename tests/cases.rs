//! Golden case folders: runs the real binary on every folder under `tests/cases/` and
//! compares what it writes with the folder's `expected/`, file by file and byte by byte
//! after masking the temporary output folder. `BLESS=1 cargo test --test cases` rewrites
//! every `expected/` from the current binary instead; tests/cases/README.md says what each
//! case pins and how a case folder is laid out.

use calamine::{Data, Reader, open_workbook_auto};
use chrono::{Days, NaiveDate};
use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_billrun");

/// What stands in the expected files for the run's temporary `--out` folder, the one part
/// of the output that changes from run to run (the JSON summary's `outputs`).
const OUT_MASK: &str = "<out>";

/// The extensions of the exports billrun reads from a folder (README, "INPUT"): a case's
/// inputs, unless its `inputs` file names them.
const EXPORTS: [&str; 6] = ["csv", "xlsx", "xlsm", "xls", "xlsb", "ods"];

/// The lines of a case file without blank lines and `#` comments.
fn lines_of(path: &Path) -> Vec<String> {
    fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(str::to_string)
        .collect()
}

/// The positional inputs of a case, relative to its folder: the lines of `inputs` when
/// there is one (e.g. `../../../samples`), else every export file in the folder, by name.
fn inputs(case: &Path) -> Vec<String> {
    let listed = case.join("inputs");
    if listed.exists() {
        return lines_of(&listed);
    }
    let mut names: Vec<String> = fs::read_dir(case)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file())
        .filter(|p| {
            p.extension()
                .and_then(|x| x.to_str())
                .is_some_and(|x| EXPORTS.contains(&x.to_ascii_lowercase().as_str()))
        })
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// Runs one case into a fresh temporary folder and returns every file it is judged by,
/// masked: the CSV mirrors it wrote, `summary.json` (its `--json` stdout), `exit` and the
/// sheets its `sheets` file names.
fn run_case(case: &Path) -> BTreeMap<String, Vec<u8>> {
    let tmp = tempfile::tempdir().expect("temp dir");
    let out = tmp.path().join("out");
    let args: Vec<String> = lines_of(&case.join("args"))
        .iter()
        .flat_map(|l| l.split_whitespace().map(str::to_string).collect::<Vec<_>>())
        .collect();
    // Statuses are computed for --as-of, which defaults to today: a case without it would
    // pass today and fail next month.
    assert!(
        args.iter().any(|a| a == "--as-of"),
        "{}: its args file must give --as-of",
        case.display()
    );
    let run = Command::new(BIN)
        .current_dir(case)
        .arg("run")
        .args(inputs(case))
        .args(&args)
        .arg("--out")
        .arg(&out)
        .args(["--csv", "--json", "--quiet"])
        .output()
        .expect("run billrun");
    let mask = |bytes: &[u8]| -> Vec<u8> {
        String::from_utf8_lossy(bytes)
            .replace(out.to_str().unwrap(), OUT_MASK)
            .into_bytes()
    };
    let mut got = BTreeMap::new();
    got.insert("summary.json".to_string(), mask(&run.stdout));
    let code = run.status.code().map_or("signal".into(), |c| c.to_string());
    got.insert("exit".to_string(), format!("{code}\n").into_bytes());
    for line in lines_of(&case.join("sheets")) {
        let (book, sheet) = line
            .split_once(char::is_whitespace)
            .expect("sheets: BOOK SHEET");
        let name = format!("{}.{}.csv", book.trim_end_matches(".xlsx"), sheet.trim());
        got.insert(name, sheet_csv(&out.join(book), sheet.trim()));
    }
    if let Ok(dir) = fs::read_dir(&out) {
        for e in dir {
            let path = e.unwrap().path();
            if path.extension().is_some_and(|x| x == "csv") {
                let name = path.file_name().unwrap().to_string_lossy().into_owned();
                got.insert(name, mask(&fs::read(&path).unwrap()));
            }
        }
    }
    got
}

/// One sheet of a workbook the run wrote, read back as values (the cached results of its
/// formulas), as CSV: for what the mirrors do not hold (Subscriptions, Usage, Revenue, the
/// refunds' Packs). Numbers as their shortest text, date cells as `YYYY-MM-DD`.
fn sheet_csv(book: &Path, sheet: &str) -> Vec<u8> {
    // A workbook or sheet that is not there is this file's content, so the comparison
    // reports it beside the other cases instead of stopping at it.
    let range = match open_workbook_auto(book).map(|mut wb| wb.worksheet_range(sheet)) {
        Ok(Ok(range)) => range,
        Ok(Err(e)) => return format!("no sheet {sheet}: {e}\n").into_bytes(),
        Err(e) => return format!("no workbook: {e}\n").into_bytes(),
    };
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(Vec::new());
    for row in range.rows() {
        w.write_record(row.iter().map(cell_text)).unwrap();
    }
    w.into_inner().unwrap()
}

fn cell_text(d: &Data) -> String {
    match d {
        Data::Empty => String::new(),
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Float(f) => f.to_string(),
        Data::Int(i) => i.to_string(),
        Data::Bool(b) => b.to_string(),
        Data::DateTime(dt) if dt.is_datetime() => {
            let epoch = NaiveDate::from_ymd_opt(1899, 12, 30).unwrap();
            let days = Days::new(dt.as_f64().floor() as u64);
            epoch.checked_add_days(days).unwrap().to_string()
        }
        Data::DateTime(dt) => dt.as_f64().to_string(),
        Data::Error(e) => format!("#{e:?}"),
    }
}

/// The files of `dir`, by name.
fn read_files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let Ok(entries) = fs::read_dir(dir) else {
        return BTreeMap::new();
    };
    entries
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file())
        .map(|p| {
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            (name, fs::read(&p).unwrap())
        })
        .collect()
}

/// The first differing line of two texts with two lines of context before it, or `None`
/// when they are equal.
fn first_difference(want: &[u8], got: &[u8]) -> Option<String> {
    if want == got {
        return None;
    }
    let want = String::from_utf8_lossy(want);
    let got = String::from_utf8_lossy(got);
    let (w, g): (Vec<&str>, Vec<&str>) = (want.split('\n').collect(), got.split('\n').collect());
    let at = (0..w.len().max(g.len()))
        .find(|&i| w.get(i) != g.get(i))
        .unwrap_or(0);
    let mut s = String::new();
    let mut show = |side: &[&str], from: usize, to: usize, sign: &str| {
        for (i, line) in side.iter().enumerate().take(to).skip(from) {
            s.push_str(&format!("    {:>4} {sign} {line}\n", i + 1));
        }
        if to > side.len() && sign != " " {
            s.push_str(&format!("         {sign} (end of file)\n"));
        }
    };
    show(&w, at.saturating_sub(2), at, " ");
    show(&w, at, at + 3, "-");
    show(&g, at, at + 3, "+");
    Some(s)
}

/// What differs between a case's expected files and what its run wrote, one paragraph a
/// file; empty when they agree.
fn compare(want: &BTreeMap<String, Vec<u8>>, got: &BTreeMap<String, Vec<u8>>) -> Vec<String> {
    if want.is_empty() {
        return vec!["expected/ is empty or missing: bless the case (BLESS=1)".into()];
    }
    let mut problems = Vec::new();
    for (name, bytes) in got {
        match want.get(name) {
            None => problems.push(format!("{name}: written by the run, not in expected/")),
            Some(w) => {
                if let Some(d) = first_difference(w, bytes) {
                    problems.push(format!("{name}: differs (- expected, + got)\n{d}"));
                }
            }
        }
    }
    for name in want.keys().filter(|n| !got.contains_key(*n)) {
        problems.push(format!("{name}: in expected/, not written by the run"));
    }
    problems
}

/// The case folders, sorted by name.
fn cases() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cases");
    let mut dirs: Vec<PathBuf> = fs::read_dir(&root)
        .expect("tests/cases")
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    dirs
}

#[test]
fn every_case_folder_gives_its_expected_files() {
    let bless = std::env::var_os("BLESS").is_some_and(|v| v == "1");
    let cases = cases();
    assert!(!cases.is_empty(), "no case folders under tests/cases");
    let mut failures = Vec::new();
    for case in &cases {
        let name = case.file_name().unwrap().to_string_lossy().into_owned();
        let got = run_case(case);
        let expected = case.join("expected");
        if bless {
            let _ = fs::remove_dir_all(&expected);
            fs::create_dir_all(&expected).unwrap();
            for (file, bytes) in &got {
                fs::write(expected.join(file), bytes).unwrap();
            }
            eprintln!("blessed {name}: {} file(s)", got.len());
            continue;
        }
        let problems = compare(&read_files(&expected), &got);
        if !problems.is_empty() {
            failures.push(format!("case {name}:\n  {}", problems.join("\n  ")));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} case(s) differ from tests/cases/*/expected \
         (if the change is intended: BLESS=1 cargo test --test cases, then review the diff)\n\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n\n")
    );
}

#[test]
fn a_difference_names_the_first_differing_line() {
    let d = first_difference(b"a\nb\nc\nd\n", b"a\nb\nX\nd\n").expect("differs");
    assert!(d.contains("   3 - c") && d.contains("   3 + X"), "{d}");
    assert!(first_difference(b"same", b"same").is_none());
    let want = BTreeMap::from([("exit".to_string(), b"0\n".to_vec())]);
    let got = BTreeMap::from([
        ("exit".to_string(), b"0\n".to_vec()),
        ("packs.csv".to_string(), b"x".to_vec()),
    ]);
    assert_eq!(
        compare(&want, &got).len(),
        1,
        "a mirror expected/ lacks fails"
    );
    assert_eq!(
        compare(&BTreeMap::new(), &got).len(),
        1,
        "no expected files fails"
    );
    assert_eq!(
        compare(&got, &want).len(),
        1,
        "a file the run did not write fails"
    );
}
