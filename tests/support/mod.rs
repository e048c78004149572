//! Test-only spreadsheet writers: build `.xls`, `.xlsb`, `.ods` and hand-made `.xlsx` fixtures in memory from one tiny workbook model, so tests can exercise every format calamine reads without committed binaries.
//!
//! Every writer is deterministic (no timestamps, fixed zip dates): the same
//! sheets give the same bytes. Each emits only what calamine and a strict
//! office suite need to open the file; see each module for what it can hold.
//! LibreOffice 7.4 (`soffice --headless --convert-to csv/ods`) opens all four
//! with the same values, dates, percents, hidden sheet and merge; the tests
//! do not need it.
#![allow(dead_code)]

pub mod exports;
mod formula;
mod ods;
mod xls;
mod xlsb;
mod xlsx;

pub use ods::ods;
pub use xls::xls;
pub use xlsb::xlsb;
pub use xlsx::xlsx;

/// One cell of the model.
#[derive(Clone, Debug, PartialEq)]
pub enum V {
    Empty,
    Text(String),
    Num(f64),
    /// A number with a percent format ("0%"): 0.1 is shown as 10%.
    Percent(f64),
    /// A real date cell (year, month, day): a serial number with a date
    /// format in Excel formats, an `office:date-value` in ods.
    Date(i32, u32, u32),
    /// A formula with no cached value, as written by tools that never
    /// calculate (e.g. `<c><f>..</f></c>` without `<v>`). Only xlsx and ods
    /// can hold it: xls and xlsb formula records always carry a value.
    FormulaNoValue(String),
    /// A formula (Excel syntax, no leading `=`) with its cached result.
    FormulaWithValue(String, f64),
}

/// One worksheet of the model.
#[derive(Clone, Debug, Default)]
pub struct Sheet {
    pub name: String,
    pub hidden: bool,
    /// Row-major cells from A1; rows may differ in length.
    pub rows: Vec<Vec<V>>,
    /// Merged regions: (first_row, first_col, last_row, last_col), 0-based.
    pub merges: Vec<(u32, u32, u32, u32)>,
}

impl Sheet {
    pub fn new(name: &str) -> Sheet {
        Sheet {
            name: name.to_string(),
            ..Sheet::default()
        }
    }

    /// The non-empty cells as (row, col, value), in row-major order.
    fn cells(&self) -> impl Iterator<Item = (u32, u32, &V)> {
        self.rows.iter().enumerate().flat_map(|(r, row)| {
            row.iter()
                .enumerate()
                .filter(|(_, v)| **v != V::Empty)
                .map(move |(c, v)| (r as u32, c as u32, v))
        })
    }

    /// (first_row, first_col, last_row, last_col) of the non-empty cells.
    fn used_range(&self) -> Option<(u32, u32, u32, u32)> {
        self.cells().fold(None, |acc, (r, c, _)| {
            Some(match acc {
                None => (r, c, r, c),
                Some((r0, c0, r1, c1)) => (r0.min(r), c0.min(c), r1.max(r), c1.max(c)),
            })
        })
    }
}

/// Shorthand for a text cell.
pub fn t(s: &str) -> V {
    V::Text(s.to_string())
}

/// The Excel serial number (1900 date system) of a date: days since
/// 1899-12-30, which already accounts for Excel's phantom 1900-02-29.
pub fn excel_serial(y: i32, m: u32, d: u32) -> f64 {
    let date = chrono::NaiveDate::from_ymd_opt(y, m, d).expect("valid date");
    let epoch = chrono::NaiveDate::from_ymd_opt(1899, 12, 30).expect("valid date");
    (date - epoch).num_days() as f64
}

/// "A", "B", .., "Z", "AA", .. for a 0-based column.
fn col_name(mut col: u32) -> String {
    let mut s = Vec::new();
    loop {
        s.push(b'A' + (col % 26) as u8);
        if col < 26 {
            break;
        }
        col = col / 26 - 1;
    }
    s.reverse();
    String::from_utf8(s).expect("ascii")
}

/// "A1"-style reference of a 0-based (row, col).
fn cell_ref(row: u32, col: u32) -> String {
    format!("{}{}", col_name(col), row + 1)
}

fn xml_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            _ => out.push(ch),
        }
    }
    out
}

/// Index of the sheet an office suite should open on: the first visible one
/// (a hidden active tab makes Excel and LibreOffice show a hidden sheet).
fn first_visible(sheets: &[Sheet]) -> usize {
    sheets.iter().position(|s| !s.hidden).unwrap_or(0)
}

/// A zip of the given parts, in order, all stored (not deflated) with the
/// zip epoch as their date so the bytes never depend on the clock.
fn zip_parts(parts: &[(&str, Vec<u8>)]) -> Vec<u8> {
    use std::io::Write;
    use zip::write::SimpleFileOptions;
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Stored)
        .last_modified_time(zip::DateTime::default());
    for (name, data) in parts {
        zip.start_file(*name, opts).expect("zip entry");
        zip.write_all(data).expect("zip write");
    }
    zip.finish().expect("zip finish").into_inner()
}

/// A shared-string table in first-use order, as Excel builds it.
#[derive(Default)]
struct SharedStrings {
    list: Vec<String>,
    index: std::collections::HashMap<String, u32>,
    /// Number of cells referring to the table (cstTotal / `count`).
    total: u32,
}

impl SharedStrings {
    fn collect(sheets: &[Sheet]) -> SharedStrings {
        let mut sst = SharedStrings::default();
        for sheet in sheets {
            for (_, _, v) in sheet.cells() {
                if let V::Text(s) = v {
                    sst.id(s);
                }
            }
        }
        sst
    }

    fn id(&mut self, s: &str) -> u32 {
        self.total += 1;
        if let Some(i) = self.index.get(s) {
            return *i;
        }
        let i = self.list.len() as u32;
        self.list.push(s.to_string());
        self.index.insert(s.to_string(), i);
        i
    }

    /// The id of a string already collected.
    fn get(&self, s: &str) -> u32 {
        self.index[s]
    }
}
