//! Workbooks that print (issue 14): every sheet of every workbook prints on A4 landscape,
//! one page wide, with a footer naming the file, sheet and page, and every table sheet
//! repeats its header row on each printed page. Read back from the package's XML.

use std::io::Read;
use std::path::Path;
use std::process::Command;

/// The package's parts: worksheets by sheet name, and the workbook part.
fn parts(path: &Path) -> (Vec<(String, String)>, String) {
    let mut zip = zip::ZipArchive::new(std::fs::File::open(path).unwrap()).unwrap();
    let mut read = |name: &str| {
        let mut s = String::new();
        zip.by_name(name).unwrap().read_to_string(&mut s).unwrap();
        s
    };
    let workbook = read("xl/workbook.xml");
    let names: Vec<String> = workbook
        .split("<sheet name=\"")
        .skip(1)
        .map(|s| s.split('"').next().unwrap().to_string())
        .collect();
    let sheets = names
        .iter()
        .enumerate()
        .map(|(i, n)| {
            (
                n.clone(),
                read(&format!("xl/worksheets/sheet{}.xml", i + 1)),
            )
        })
        .collect();
    (sheets, workbook)
}

fn check(path: &Path, summary: &str) {
    let (sheets, workbook) = parts(path);
    assert!(sheets.len() >= 2, "{}", path.display());
    for (name, xml) in &sheets {
        let at = |what: &str| assert!(xml.contains(what), "{name}: no {what}");
        at(r#"<pageSetUpPr fitToPage="1"/>"#);
        at(r#"paperSize="9""#);
        at(r#"orientation="landscape""#);
        at(r#"fitToHeight="0""#);
        at("<oddFooter>&amp;L&amp;F&amp;C&amp;A&amp;R");
        let titles = format!("'{name}'!$1:$1");
        let bare = format!("{name}!$1:$1");
        let repeats = workbook.contains(&titles) || workbook.contains(&bare);
        assert_eq!(
            repeats,
            name != summary,
            "{name}: header row repeated on each page"
        );
    }
}

/// The samples with a period (so both workbooks hold every sheet and both charts) into `out`.
fn run_samples(out: &Path, lang: &str) {
    let status = Command::new(env!("CARGO_BIN_EXE_billrun"))
        .args([
            "run",
            "samples",
            "--as-of",
            "2026-11-30",
            "--period",
            "2025-07",
        ])
        .args(["--lang", lang, "--quiet", "--out"])
        .arg(out)
        .status()
        .unwrap();
    assert!(status.success());
}

#[test]
fn every_sheet_prints_one_page_wide_with_its_header_on_each_page() {
    let dir = tempfile::tempdir().unwrap();
    for (lang, summary) in [("en", "Summary"), ("zh", "汇总")] {
        let out = dir.path().join(lang);
        run_samples(&out, lang);
        check(&out.join("invoices.xlsx"), summary);
        check(&out.join("refunds.xlsx"), summary);
    }
}

#[test]
fn the_product_charts_are_labelled_horizontal_bars_largest_first() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    run_samples(&out, "en");
    let mut zip =
        zip::ZipArchive::new(std::fs::File::open(out.join("invoices.xlsx")).unwrap()).unwrap();
    for n in 1..=2 {
        let mut xml = String::new();
        zip.by_name(&format!("xl/charts/chart{n}.xml"))
            .unwrap()
            .read_to_string(&mut xml)
            .unwrap();
        assert!(
            xml.contains(r#"<c:barDir val="bar"/>"#),
            "chart {n}: horizontal bars"
        );
        assert!(
            xml.contains(r#"<c:showVal val="1"/>"#),
            "chart {n}: data labels"
        );
        assert!(
            xml.contains(r#"<c:orientation val="maxMin"/>"#),
            "chart {n}: top down"
        );
        assert!(xml.contains("Amount (CNY)"), "chart {n}: axis title");
    }
    // The per-product table the chart reads is largest first.
    let mut wb: calamine::Xlsx<_> = calamine::open_workbook(out.join("invoices.xlsx")).unwrap();
    use calamine::{DataType, Reader};
    let summary = wb.worksheet_range("Summary").unwrap();
    let rows: Vec<_> = summary.rows().collect();
    let header = rows
        .iter()
        .position(|r| r.first().map(|c| c.to_string()).as_deref() == Some("product"))
        .unwrap();
    let expected: Vec<f64> = rows[header + 1..]
        .iter()
        .take_while(|r| r.first().map(|c| c.to_string()).as_deref() != Some("Total"))
        .map(|r| r[2].as_f64().unwrap())
        .collect();
    assert!(expected.len() >= 2, "{expected:?}");
    assert!(expected.windows(2).all(|w| w[0] >= w[1]), "{expected:?}");
}
