//! What a file is, told by its bytes and never by its name: a CSV renamed `.xlsx` or an
//! `.xls` renamed `.xlsx` is read as what it is, and a file that is no export at all (an
//! HTML page saved as `.xls`, a PDF, a zipped CSV) is refused saying what it is.

use super::InputError;
use std::fs::File;
use std::io::{BufReader, Read};
use std::path::Path;

/// The formats billrun reads: CSV and every workbook format calamine reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Csv,
    /// Office Open XML: `.xlsx` and `.xlsm`.
    Xlsx,
    /// Excel binary workbook.
    Xlsb,
    /// Excel 97–2003 (BIFF8 in an OLE compound file).
    Xls,
    /// OpenDocument spreadsheet.
    Ods,
}

impl Format {
    pub fn name(self) -> &'static str {
        match self {
            Format::Csv => "CSV",
            Format::Xlsx => "Excel workbook (.xlsx)",
            Format::Xlsb => "Excel binary workbook (.xlsb)",
            Format::Xls => "Excel 97-2003 workbook (.xls)",
            Format::Ods => "OpenDocument spreadsheet (.ods)",
        }
    }
}

const ZIP: &[u8] = b"PK\x03\x04";
const EMPTY_ZIP: &[u8] = b"PK\x05\x06";
const OLE: &[u8] = b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1";

/// Tells the file's format from its first bytes (and, for a zip, its entries).
///
/// # Errors
/// [`InputError::Open`] when it cannot be read, [`InputError::NotAnExport`] when it is a
/// kind of file that holds no table billrun reads.
pub(crate) fn sniff(path: &Path, file: &str) -> Result<Format, InputError> {
    let open_err = |source| InputError::Open {
        file: file.to_string(),
        source,
    };
    let mut head = Vec::with_capacity(4096);
    File::open(path)
        .and_then(|f| f.take(4096).read_to_end(&mut head))
        .map_err(open_err)?;
    let not = |what: &str| InputError::NotAnExport {
        file: file.to_string(),
        what: what.to_string(),
    };
    if head.starts_with(ZIP) || head.starts_with(EMPTY_ZIP) {
        return zip_format(path).map_err(|what| not(&what));
    }
    if head.starts_with(OLE) {
        return Ok(Format::Xls);
    }
    if head.starts_with(b"%PDF") {
        return Err(not(
            "a PDF document; export the orders from the console as Excel or CSV",
        ));
    }
    // Consoles often save an HTML table, or Excel 2003's XML, under an .xls name.
    let text = String::from_utf8_lossy(&head).to_ascii_lowercase();
    let start = text.trim_start_matches(['\u{feff}', ' ', '\t', '\r', '\n']);
    if start.starts_with('<') {
        if text.contains("urn:schemas-microsoft-com:office:spreadsheet") {
            return Err(not(
                "an Excel 2003 XML spreadsheet; open it in Excel and save it as .xlsx",
            ));
        }
        if text.contains("<html") || text.contains("<table") || text.contains("<!doctype") {
            return Err(not(
                "a web page (HTML) saved with a spreadsheet name, as some consoles export; open it in Excel and save it as .xlsx, or export as CSV",
            ));
        }
    }
    Ok(Format::Csv)
}

/// A zip is a workbook when it holds one's main part; otherwise say what it holds.
fn zip_format(path: &Path) -> Result<Format, String> {
    let opened = File::open(path).map_err(|e| format!("unreadable ({e})"))?;
    let Ok(mut zip) = zip::ZipArchive::new(BufReader::new(opened)) else {
        return Err(
            "a damaged zip archive (an .xlsx that was cut short?); export the data again".into(),
        );
    };
    let names: Vec<String> = zip
        .file_names()
        .filter_map(|n| n.ok().map(|n| n.into_owned()))
        .collect();
    let has = |n: &str| names.iter().any(|x| x.eq_ignore_ascii_case(n));
    if has("xl/workbook.xml") {
        return Ok(Format::Xlsx);
    }
    if has("xl/workbook.bin") {
        return Ok(Format::Xlsb);
    }
    if has("content.xml") {
        let mut mime = String::new();
        if let Ok(mut m) = zip.by_name("mimetype") {
            let _ = (&mut m).take(100).read_to_string(&mut mime);
        }
        if mime.contains("opendocument.spreadsheet") {
            return Ok(Format::Ods);
        }
        return Err("an OpenDocument file that is not a spreadsheet".into());
    }
    let mut shown: Vec<&str> = names.iter().map(String::as_str).take(3).collect();
    if names.len() > 3 {
        shown.push("…");
    }
    Err(format!(
        "a zip archive, not a workbook (it holds {}); unzip it and name the export inside",
        if shown.is_empty() {
            "nothing".to_string()
        } else {
            shown.join(", ")
        }
    ))
}
