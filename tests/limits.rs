//! Absurd inputs (issue 7): they become exceptions or a clear refusal, in bounded time and
//! memory, never a panic. Fuzzing (tests/fuzz_corpus.rs) covers the random ones; these are
//! the named extremes.

use billrun::fuzzing::xlsx_with;
use billrun::input::{read_orders, read_usage};
use billrun::model::ExceptionCode;
use std::fmt::Write as _;
use std::time::Instant;

const HEADER: &str = "order_id,account_id,order_date,type,product,edition,quantity,term";

#[test]
fn a_workbook_of_a_million_empty_rows_reads_in_bounded_time() {
    let mut sheet = String::from(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>"#,
    );
    let cells = |r: u32, values: &[&str]| {
        let mut row = format!(r#"<row r="{r}">"#);
        for (i, v) in values.iter().enumerate() {
            let col = (b'A' + i as u8) as char;
            write!(
                row,
                r#"<c r="{col}{r}" t="inlineStr"><is><t>{v}</t></is></c>"#
            )
            .unwrap();
        }
        row + "</row>"
    };
    sheet += &cells(1, &HEADER.split(',').collect::<Vec<_>>());
    for r in 2..=1_000_001 {
        write!(sheet, r#"<row r="{r}"/>"#).unwrap();
    }
    sheet += &cells(
        1_000_002,
        &[
            "Q-1",
            "A-1",
            "2025-01-15",
            "new",
            "qcs-online",
            "basic",
            "3",
            "1y",
        ],
    );
    sheet += "</sheetData></worksheet>";
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("orders.xlsx");
    let strings = r#"<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="0" uniqueCount="0"/>"#;
    std::fs::write(&path, xlsx_with(sheet.as_bytes(), strings.as_bytes())).unwrap();

    let t = Instant::now();
    let read = read_orders(&path, None, 0).unwrap();
    assert_eq!(read.rows_read, 1);
    assert_eq!(read.blank_rows, 1_000_000);
    assert_eq!(
        read.rows[0].src.row, 1_000_002,
        "the Excel row number is kept"
    );
    // Generous, for a debug build on a busy machine: the point is no blow-up.
    assert!(t.elapsed().as_secs() < 60, "{:?}", t.elapsed());
}

#[test]
fn ten_thousand_character_cells_and_huge_numbers_are_values_not_crashes() {
    let long = "x".repeat(10_000);
    let csv = format!(
        "{HEADER}\n\
         {long},A-1,2025-01-15,new,qcs-online,basic,3,1y\n\
         Q-2,A-1,2025-01-15,new,{long},basic,3,1y\n\
         Q-3,A-1,2025-01-15,new,qcs-online,basic,1000000000000000000000,1y\n\
         Q-4,A-1,2025-01-15,new,qcs-online,basic,3,99999999999999999999y\n\
         Q-5,A-1,99999-01-15,new,qcs-online,basic,3,1y\n\
         Q-6,A-1,2025-01-15,new,qcs-online,basic,1000000000000000,1y\n"
    );
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("orders.csv");
    std::fs::write(&path, csv).unwrap();
    let read = read_orders(&path, None, 0).unwrap();
    assert_eq!(read.rows_read, 6);
    assert_eq!(read.rows.len() + read.exceptions.len(), 6);
    // The long order id is a value like any other; the long product is read and later
    // found unknown by the engine.
    assert!(read.rows.iter().any(|r| r.order_id == long));
    let bad: Vec<(u32, &str)> = read
        .exceptions
        .iter()
        .map(|e| (e.src.row, e.column.as_str()))
        .collect();
    assert!(bad.contains(&(4, "quantity")), "{bad:?}");
    assert!(bad.contains(&(5, "term")), "{bad:?}");
    assert!(bad.contains(&(6, "order_date")), "{bad:?}");
    assert!(
        read.exceptions
            .iter()
            .all(|e| e.code == ExceptionCode::BadValue || e.code == ExceptionCode::BadTerm)
    );
    // The whole pipeline on the same rows keeps every row in one place.
    billrun::fuzzing::orders(&std::fs::read(&path).unwrap(), "csv");

    // A usage quantity at the parse limit summed over many rows cannot overflow.
    let mut usage = String::from("account_id,date,metric,quantity,order_id\n");
    for _ in 0..1000 {
        usage += "A-1,2025-02-01,pv,1000000000000000,\n";
    }
    let upath = dir.path().join("usage.csv");
    std::fs::write(&upath, &usage).unwrap();
    assert_eq!(read_usage(&upath, None, 0).unwrap().rows.len(), 1000);
    billrun::fuzzing::usage(usage.as_bytes(), "csv");
}

/// The two quantity limits as a user meets them (`model::MAX_QUANTITY`, 10^9 on a line;
/// `model::MAX_CELL_QUANTITY`, 10^15 in any cell): one code, `BAD_VALUE`, past either, and
/// an order row's message names the line's limit whichever check refused it.
#[test]
fn a_line_holds_a_billion_units_and_a_usage_row_a_quadrillion() {
    let dir = tempfile::tempdir().unwrap();
    let orders = dir.path().join("orders.csv");
    std::fs::write(
        &orders,
        "order_id,account_id,order_date,type,product,edition,quantity,term,bonus_quantity,ref_order_id,reason\n\
         Q-1,A-1,2025-01-10,new,qcs-online,basic,1000000000,1y,,,\n\
         Q-2,A-2,2025-01-10,new,qcs-online,basic,1000000001,1y,,,\n\
         Q-3,A-3,2025-01-10,new,qcs-online,basic,2000000000,1y,,,\n\
         Q-4,A-4,2025-01-10,new,qcs-online,basic,10000000000000000,1y,,,\n\
         M-1,A-5,2025-03-01,new,qdm-pv,1m,1,,1000000000,,\n\
         M-2,A-6,2025-03-01,new,qdm-pv,1m,1,,2000000000,,\n\
         M-3,A-7,2025-03-01,new,qdm-pv,1m,1,,10000000000000000,,\n\
         Q-5,A-8,2025-01-10,new,qcs-online,basic,3,1y,,,\n\
         R-5,A-8,2025-01-12,refund,qcs-online,basic,2000000000,,,Q-5,no_reason\n",
    )
    .unwrap();
    let usage = dir.path().join("usage.csv");
    std::fs::write(
        &usage,
        "account_id,date,metric,quantity,order_id\n\
         A-5,2025-04-01,pv,2000000000,\n\
         A-5,2025-04-02,pv,1000000000000000,\n\
         A-5,2025-04-03,pv,10000000000000000,\n",
    )
    .unwrap();
    let out = dir.path().join("out");
    let run = std::process::Command::new(env!("CARGO_BIN_EXE_billrun"))
        .args([
            "run",
            "--quiet",
            "--csv",
            "--as-of",
            "2025-12-31",
            "--orders",
        ])
        .arg(&orders)
        .arg("--usage")
        .arg(&usage)
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    assert!(run.status.success(), "{run:?}");

    let mut read = csv::Reader::from_path(out.join("exceptions.csv")).unwrap();
    let got: Vec<(String, String, String, String)> = read
        .records()
        .map(|r| {
            let r = r.unwrap();
            let (file, row) = (&r[0], &r[1]);
            let place = format!(
                "{}:{row}",
                if file.ends_with("usage.csv") {
                    "u"
                } else {
                    "o"
                }
            );
            (place, r[4].to_string(), r[6].to_string(), r[7].to_string())
        })
        .collect();
    let places: Vec<(&str, &str, &str)> = got
        .iter()
        .map(|(p, col, code, _)| (p.as_str(), col.as_str(), code.as_str()))
        .collect();
    assert_eq!(
        places,
        [
            ("o:3", "quantity", "BAD_VALUE"),
            ("o:4", "quantity", "BAD_VALUE"),
            ("o:5", "quantity", "BAD_VALUE"),
            ("o:7", "bonus_quantity", "BAD_VALUE"),
            ("o:8", "bonus_quantity", "BAD_VALUE"),
            ("u:4", "quantity", "BAD_VALUE"),
        ],
        "{got:#?}"
    );
    for (place, _, _, message) in &got {
        let limit = if place.starts_with('o') {
            "1,000,000,000 one line may hold"
        } else {
            "1,000,000,000,000,000"
        };
        assert!(message.contains(limit), "{place}: {message}");
    }
    // The refund row's quantity is not used, so it is not refused.
    let refunds = std::fs::read_to_string(out.join("refunds.csv")).unwrap();
    assert!(refunds.contains("R-5,Q-5,A-8"), "{refunds}");
}

/// A workbook whose sheet unpacks past the size guard's 2 GiB a part (`LIMITS` in
/// src/input/xlsx.rs) but is stored deflated, a few MiB on disk: a zip bomb. The guard
/// counts what comes out of the inflater, so it needs zip's `deflate` feature, which
/// Cargo.toml names rather than leaving it to the crates that happen to switch it on.
#[test]
fn a_deflated_zip_bomb_is_refused_before_it_is_read() {
    use std::io::Write as _;
    use zip::CompressionMethod;
    const PART_LIMIT_MIB: u64 = 2 << 10;
    const SHEET: &str = "xl/worksheets/sheet1.xml";

    // The fixed parts of a workbook, copied as they are; the sheet is written deflated.
    let plain = xlsx_with(b"", b"");
    let mut plain = zip::ZipArchive::new(std::io::Cursor::new(plain)).unwrap();
    let mut bomb = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for i in 0..plain.len() {
        let part = plain.by_index_raw(i).unwrap();
        if part.name().unwrap() != SHEET {
            bomb.raw_copy_file(part).unwrap();
        }
    }
    let opts =
        zip::write::SimpleFileOptions::default().compression_method(CompressionMethod::Deflated);
    bomb.start_file(SHEET, opts).unwrap();
    let zeros = vec![0u8; 1 << 20];
    for _ in 0..=PART_LIMIT_MIB {
        bomb.write_all(&zeros).unwrap();
    }
    let bytes = bomb.finish().unwrap().into_inner();
    assert!(bytes.len() < 8 << 20, "{} bytes", bytes.len());
    let mut check = zip::ZipArchive::new(std::io::Cursor::new(&bytes)).unwrap();
    assert_eq!(
        check.by_name(SHEET).unwrap().compression(),
        CompressionMethod::Deflated
    );

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("orders.xlsx");
    std::fs::write(&path, &bytes).unwrap();
    let t = Instant::now();
    let run = std::process::Command::new(env!("CARGO_BIN_EXE_billrun"))
        .args(["run", "--quiet", "--orders"])
        .arg(&path)
        .arg("--out")
        .arg(dir.path().join("out"))
        .output()
        .unwrap();
    assert_eq!(run.status.code(), Some(2), "{run:?}");
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(
        stderr.contains(&format!(
            "the workbook's part {SHEET} unpacks to more than {PART_LIMIT_MIB} MiB: too large to read safely (a damaged file or a zip bomb)"
        )),
        "{stderr}"
    );
    let written: Vec<_> = std::fs::read_dir(dir.path().join("out"))
        .map(|d| d.map(|e| e.unwrap().file_name()).collect())
        .unwrap_or_default();
    assert!(written.is_empty(), "nothing is written: {written:?}");
    // Generous, for a debug build on a busy machine: inflating 2 GiB takes seconds.
    assert!(t.elapsed().as_secs() < 60, "{:?}", t.elapsed());
}
