//! The writers of `gen`: rows streamed to a CSV file (csv crate) or an XLSX workbook
//! (rust_xlsxwriter constant-memory worksheet, real date and number cells), each written
//! through billrun's one atomic writer ([`crate::output::Staging`]: a hidden temporary name,
//! synced, then renamed when complete), so `billrun run` never reads half a file. Nothing is
//! held but the row being written.

use super::GenError;
use super::row::Value;
use crate::output::{EXCEL_MAX_DATA_ROWS, Staging, remove_stale};
use rust_xlsxwriter::{DocProperties, ExcelDateTime, Format, Workbook};
use std::fmt::Write as _;
use std::fs::File;
use std::io::BufWriter;
use std::path::{Path, PathBuf};

/// The export format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileFormat {
    Csv,
    Xlsx,
}

/// A file being written row by row.
pub trait Sink {
    /// # Errors
    /// The writer's error, naming the file.
    fn row(&mut self, cells: &[Value]) -> Result<(), GenError>;
    /// Completes the file(s) and returns their paths.
    ///
    /// # Errors
    /// The writer's error, naming the file.
    fn finish(self: Box<Self>) -> Result<Vec<PathBuf>, GenError>;
}

/// Opens `dir/stem.csv|xlsx` for `headers`.
///
/// # Errors
/// [`GenError::Write`] when the file cannot be created.
pub fn open(
    dir: &Path,
    stem: &str,
    format: FileFormat,
    headers: &[&str],
) -> Result<Box<dyn Sink>, GenError> {
    match format {
        FileFormat::Csv => Ok(Box::new(CsvSink::new(dir, stem, headers)?)),
        FileFormat::Xlsx => Ok(Box::new(XlsxSink::new(dir, stem, headers)?)),
    }
}

fn write_err(path: &Path, e: impl std::fmt::Display) -> GenError {
    GenError::Write {
        path: path.to_path_buf(),
        message: e.to_string(),
    }
}

/// Begins `dir/name` under a hidden temporary name (`billrun run DIR` skips hidden files).
/// What a killed run left for the same name is removed first: temporary names carry the
/// process id, so no later run would overwrite it.
fn begin(dir: &Path, name: &str) -> Result<Staging, GenError> {
    remove_stale(dir, &[name]);
    Ok(Staging::new(&dir.join(name))?)
}

/// Syncs a complete file and renames it into place; returns where it is.
fn publish(file: Staging) -> Result<PathBuf, GenError> {
    let staged = file.finish()?;
    let path = staged.path().to_path_buf();
    staged.publish()?;
    Ok(path)
}

struct CsvSink {
    /// Declared before `file`, so a sink dropped on an error closes the file before the
    /// temporary file is removed.
    writer: csv::Writer<BufWriter<File>>,
    file: Staging,
    /// One cell's text, reused for every cell.
    buf: String,
}

impl CsvSink {
    fn new(dir: &Path, stem: &str, headers: &[&str]) -> Result<CsvSink, GenError> {
        let file = begin(dir, &format!("{stem}.csv"))?;
        let f = File::create(file.temp_path()).map_err(|e| write_err(file.path(), e))?;
        let mut writer = csv::Writer::from_writer(BufWriter::with_capacity(1 << 20, f));
        writer
            .write_record(headers)
            .map_err(|e| write_err(file.path(), e))?;
        Ok(CsvSink {
            writer,
            file,
            buf: String::new(),
        })
    }
}

impl Sink for CsvSink {
    fn row(&mut self, cells: &[Value]) -> Result<(), GenError> {
        for c in cells {
            self.buf.clear();
            // Writing to a String cannot fail.
            let _ = match c {
                Value::Empty => Ok(()),
                Value::Text(s) => self.buf.write_str(s),
                Value::Int(n) => write!(self.buf, "{n}"),
                Value::Money(d) => write!(self.buf, "{d:.2}"),
                Value::Date(d) => write!(self.buf, "{}", d.format("%Y-%m-%d")),
            };
            self.writer
                .write_field(&self.buf)
                .map_err(|e| write_err(self.file.path(), e))?;
        }
        self.writer
            .write_record(None::<&[u8]>)
            .map_err(|e| write_err(self.file.path(), e))
    }

    fn finish(self: Box<Self>) -> Result<Vec<PathBuf>, GenError> {
        let CsvSink { file, writer, .. } = *self;
        let path = file.path();
        // Flushed and closed here; `publish` syncs it.
        writer
            .into_inner()
            .map_err(|e| write_err(path, e))?
            .into_inner()
            .map_err(|e| write_err(path, e.error()))?;
        Ok(vec![publish(file)?])
    }
}

/// An XLSX export; past Excel's row limit it continues in `stem-2.xlsx`, `stem-3.xlsx`, …
/// (billrun reads one sheet per file, and a folder's `orders*` files all count).
struct XlsxSink {
    dir: PathBuf,
    stem: String,
    headers: Vec<String>,
    /// The workbook being written and the file it is saved as.
    current: Option<(Workbook, Staging)>,
    row: u32,
    part: usize,
    done: Vec<PathBuf>,
    date: Format,
    money: Format,
}

impl XlsxSink {
    fn new(dir: &Path, stem: &str, headers: &[&str]) -> Result<XlsxSink, GenError> {
        let mut s = XlsxSink {
            dir: dir.to_path_buf(),
            stem: stem.to_string(),
            headers: headers.iter().map(|h| h.to_string()).collect(),
            current: None,
            row: 0,
            part: 0,
            done: Vec::new(),
            date: Format::new().set_num_format("yyyy-mm-dd"),
            money: Format::new().set_num_format("#,##0.00"),
        };
        s.start()?;
        Ok(s)
    }

    /// Opens the next workbook, with fixed metadata so two runs give the same bytes.
    fn start(&mut self) -> Result<(), GenError> {
        self.part += 1;
        let name = if self.part == 1 {
            format!("{}.xlsx", self.stem)
        } else {
            format!("{}-{}.xlsx", self.stem, self.part)
        };
        let file = begin(&self.dir, &name)?;
        let err = |e: rust_xlsxwriter::XlsxError| write_err(file.path(), e);
        let mut wb = Workbook::new();
        let created = ExcelDateTime::from_ymd(2000, 1, 1).map_err(err)?;
        wb.set_properties(
            &DocProperties::new()
                .set_author("billrun gen")
                .set_creation_datetime(&created),
        );
        // Constant-memory sheets spool to temporary files: keep them beside the output.
        wb.set_tempdir(&self.dir).map_err(err)?;
        let ws = wb.add_worksheet_with_constant_memory().map_err(err)?;
        ws.set_name(&self.stem).map_err(err)?;
        for (c, h) in self.headers.iter().enumerate() {
            ws.write_string(0, c as u16, h).map_err(err)?;
        }
        self.current = Some((wb, file));
        self.row = 0;
        Ok(())
    }

    fn save(&mut self) -> Result<(), GenError> {
        if let Some((mut wb, file)) = self.current.take() {
            wb.save(file.temp_path())
                .map_err(|e| write_err(file.path(), e))?;
            self.done.push(publish(file)?);
        }
        Ok(())
    }
}

impl Sink for XlsxSink {
    fn row(&mut self, cells: &[Value]) -> Result<(), GenError> {
        if self.row >= EXCEL_MAX_DATA_ROWS {
            self.save()?;
            self.start()?;
        }
        self.row += 1;
        let r = self.row;
        let Some((wb, file)) = self.current.as_mut() else {
            return Ok(());
        };
        let err = |e: rust_xlsxwriter::XlsxError| write_err(file.path(), e);
        let ws = wb.worksheet_from_index(0).map_err(err)?;
        for (c, v) in cells.iter().enumerate() {
            let c = c as u16;
            match v {
                Value::Empty => continue,
                Value::Text(s) => ws.write_string(r, c, s),
                Value::Int(n) => ws.write_number(r, c, *n as f64),
                Value::Money(d) => {
                    ws.write_number_with_format(r, c, crate::money::to_f64_lossy(*d), &self.money)
                }
                Value::Date(d) => {
                    use chrono::Datelike;
                    let x =
                        ExcelDateTime::from_ymd(d.year() as u16, d.month() as u8, d.day() as u8)
                            .map_err(err)?;
                    ws.write_datetime_with_format(r, c, &x, &self.date)
                }
            }
            .map_err(err)?;
        }
        Ok(())
    }

    fn finish(mut self: Box<Self>) -> Result<Vec<PathBuf>, GenError> {
        self.save()?;
        Ok(std::mem::take(&mut self.done))
    }
}
