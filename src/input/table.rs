//! Finding the table in a file: which sheet, which separator, which row is the header, and
//! whether it holds orders or usage. Title rows, blank rows and merged titles above the
//! header are passed over; a file's kind comes from its headers, never its name.

use super::book::Book;
use super::cells::Cell;
use super::csv::{self, Delimiter};
use super::format::{self, Format};
use super::headers::{self, Aliases, Columns, Field};
use super::xlsx::Scan;
use super::{InputError, RowSink};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// The header is looked for among this many non-blank rows from the top of a sheet.
pub const HEADER_SEARCH_ROWS: usize = 20;

/// The separators a CSV may use, in the order they are tried.
const DELIMITERS: [Delimiter; 3] = [Delimiter::Comma, Delimiter::Tab, Delimiter::Semicolon];

/// What a table holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Kind {
    Orders,
    Usage,
}

impl Kind {
    pub fn name(self) -> &'static str {
        match self {
            Kind::Orders => "orders",
            Kind::Usage => "usage",
        }
    }

    pub(crate) fn fields(self) -> &'static [Field] {
        match self {
            Kind::Orders => headers::ORDER_FIELDS,
            Kind::Usage => headers::USAGE_FIELDS,
        }
    }
}

/// One table found in a file, ready to be read.
#[derive(Debug, Clone)]
pub struct Table {
    pub path: PathBuf,
    pub file: Arc<str>,
    pub format: Format,
    /// The worksheet, for a workbook.
    pub sheet: Option<String>,
    /// The separator, for a CSV.
    pub(crate) delimiter: Delimiter,
    /// The text encoding, for a CSV.
    pub encoding: Option<&'static str>,
    /// What the size guard saw in a workbook's parts when the table was found.
    pub(crate) scan: Scan,
    /// The header's row number, as Excel shows it.
    pub header_row: u32,
    pub kind: Kind,
    pub(crate) columns: Columns,
    /// The header row's width.
    pub(crate) width: usize,
}

impl Table {
    /// Where the table was found, for the run summary: `sheet '订单', header on row 3`.
    pub fn describe(&self) -> String {
        let mut parts = Vec::new();
        if self.format != Format::Csv {
            parts.push(self.format.name().to_string());
        }
        if let Some(s) = &self.sheet {
            parts.push(format!("sheet '{s}'"));
        }
        if let Some(e) = self.encoding.filter(|e| !e.starts_with("UTF-8")) {
            parts.push(e.to_string());
        }
        match self.delimiter {
            Delimiter::Tab => parts.push("tab-separated".into()),
            Delimiter::Semicolon => parts.push("semicolon-separated".into()),
            Delimiter::Comma => {}
        }
        parts.push(format!("header on row {}", self.header_row));
        parts.join(", ")
    }
}

/// The first non-blank rows of one sheet, as text.
#[derive(Default)]
struct Probe {
    rows: Vec<(u32, Vec<String>)>,
}

impl RowSink for Probe {
    fn row(&mut self, row: u32, cells: &[Cell<'_>]) -> Result<(), InputError> {
        if !cells.iter().all(Cell::is_blank) {
            let text = cells.iter().map(|c| c.display().into_owned()).collect();
            self.rows.push((row, text));
        }
        Ok(())
    }

    fn done(&self) -> bool {
        self.rows.len() >= HEADER_SEARCH_ROWS
    }
}

/// One sheet (or a CSV under one separator) and its header candidates.
struct Candidate {
    sheet: Option<String>,
    hidden: bool,
    delimiter: Delimiter,
    encoding: Option<&'static str>,
    scan: Scan,
    rows: Vec<(u32, Vec<String>)>,
}

/// Finds the tables of the `wanted` kinds in `path`: at most one per kind, each on the first
/// sheet (hidden ones too; only `sheet` when given) whose header fits.
///
/// # Errors
/// A file that cannot be read; [`InputError::NoTable`] when no sheet holds a wanted kind,
/// saying for each sheet what its header row had and lacked;
/// [`InputError::AmbiguousSheets`] when two sheets hold the same kind (which one is meant
/// is the user's to say with `--sheet`); [`InputError::DuplicateColumn`].
pub fn find(
    path: &Path,
    wanted: &[Kind],
    sheet: Option<&str>,
    aliases: &Aliases,
) -> Result<Vec<Table>, InputError> {
    let file: Arc<str> = Arc::from(path.display().to_string());
    super::check_is_file(path, &file)?;
    let format = format::sniff(path, &file)?;
    let candidates = match format {
        Format::Csv => csv_candidates(path, &file, wanted, aliases)?,
        _ => sheet_candidates(path, &file, format, sheet)?,
    };
    let mut tables: Vec<Table> = Vec::new();
    for &kind in wanted {
        let mut fits = Vec::new();
        for c in &candidates {
            if let Some((row, columns, width)) = header_of(c, kind, aliases, &file)? {
                fits.push((c, row, columns, width));
            }
        }
        // A sheet already taken by the other kind is not also this kind's.
        fits.retain(|(c, ..)| {
            !tables
                .iter()
                .any(|t| t.sheet == c.sheet && format != Format::Csv)
        });
        if format == Format::Csv {
            fits.truncate(1);
        }
        match fits.as_slice() {
            [] => {}
            [(c, row, columns, width)] => tables.push(Table {
                path: path.to_path_buf(),
                file: file.clone(),
                format,
                sheet: c.sheet.clone(),
                delimiter: c.delimiter,
                encoding: c.encoding,
                scan: c.scan,
                header_row: *row,
                kind,
                columns: columns.clone(),
                width: *width,
            }),
            [..] => {
                return Err(InputError::AmbiguousSheets {
                    file: file.to_string(),
                    kind: kind.name(),
                    sheets: fits
                        .iter()
                        .map(|(c, ..)| format!("'{}'", c.sheet.as_deref().unwrap_or("")))
                        .collect(),
                });
            }
        }
    }
    if candidates.iter().all(|c| c.rows.is_empty()) {
        return Err(InputError::NoHeader {
            file: file.to_string(),
        });
    }
    if tables.is_empty() {
        return Err(InputError::NoTable {
            file: file.to_string(),
            wanted: wanted
                .iter()
                .map(|k| k.name())
                .collect::<Vec<_>>()
                .join(" or "),
            found: report(&candidates, wanted, aliases),
        });
    }
    Ok(tables)
}

/// The header of `kind` in a candidate: the first of its rows whose cells name every
/// required column.
fn header_of(
    c: &Candidate,
    kind: Kind,
    aliases: &Aliases,
    file: &str,
) -> Result<Option<(u32, Columns, usize)>, InputError> {
    for (row, cells) in &c.rows {
        let m = headers::match_row(cells, kind.fields(), aliases);
        if m.missing.is_empty() {
            let columns = headers::map(file, cells, kind.fields(), aliases)?;
            debug_assert!(m.duplicate.is_none());
            return Ok(Some((*row, columns, cells.len())));
        }
    }
    Ok(None)
}

/// A CSV under each separator in turn, until one shows a header of a wanted kind; the
/// rows under the first separator when none does (the error then lists them).
fn csv_candidates(
    path: &Path,
    file: &str,
    wanted: &[Kind],
    aliases: &Aliases,
) -> Result<Vec<Candidate>, InputError> {
    let mut first: Option<Result<Candidate, InputError>> = None;
    for delimiter in DELIMITERS {
        let mut probe = Probe::default();
        let read = csv::read(path, file, delimiter, &mut probe).map(|r| Candidate {
            sheet: None,
            hidden: false,
            delimiter,
            encoding: Some(r.encoding),
            scan: Scan::default(),
            rows: probe.rows,
        });
        if let Ok(c) = &read
            && wanted.iter().any(|&k| {
                c.rows.iter().any(|(_, cells)| {
                    headers::match_row(cells, k.fields(), aliases)
                        .missing
                        .is_empty()
                })
            })
        {
            return read.map(|c| vec![c]);
        }
        if first.is_none() {
            first = Some(read);
        }
    }
    match first {
        Some(read) => read.map(|c| vec![c]),
        None => Ok(Vec::new()),
    }
}

fn sheet_candidates(
    path: &Path,
    file: &str,
    format: Format,
    sheet: Option<&str>,
) -> Result<Vec<Candidate>, InputError> {
    let mut book = Book::open(path, file, format)?;
    let sheets = book.sheets();
    if sheets.is_empty() {
        return Err(InputError::NoSheets {
            file: file.to_string(),
        });
    }
    let chosen: Vec<_> = match sheet {
        None => sheets.clone(),
        Some(wanted) => {
            let found = sheets
                .iter()
                .find(|s| s.name == wanted)
                .or_else(|| {
                    sheets
                        .iter()
                        .find(|s| s.name.trim().eq_ignore_ascii_case(wanted.trim()))
                })
                .cloned()
                .ok_or_else(|| InputError::SheetNotFound {
                    file: file.to_string(),
                    sheet: wanted.to_string(),
                    present: sheets.iter().map(|s| s.name.clone()).collect(),
                })?;
            vec![found]
        }
    };
    let mut out = Vec::new();
    for s in chosen {
        let mut probe = Probe::default();
        book.read(&s.name, &mut probe)?;
        out.push(Candidate {
            sheet: Some(s.name),
            hidden: s.hidden,
            delimiter: Delimiter::Comma,
            encoding: None,
            scan: book.scan(),
            rows: probe.rows,
        });
    }
    Ok(out)
}

/// For each candidate, its best header row for the wanted kinds: what it names and which
/// required columns it lacks, so the user sees why nothing fitted.
fn report(candidates: &[Candidate], wanted: &[Kind], aliases: &Aliases) -> Vec<String> {
    let mut out = Vec::new();
    for c in candidates {
        let place = match &c.sheet {
            Some(s) if c.hidden => format!("sheet '{s}' (hidden)"),
            Some(s) => format!("sheet '{s}'"),
            None => "the file".to_string(),
        };
        let mut best: Option<(usize, u32, &Vec<String>, Kind)> = None;
        for (row, cells) in &c.rows {
            for &k in wanted {
                let found = headers::match_row(cells, k.fields(), aliases)
                    .columns
                    .found();
                if best.is_none_or(|(b, ..)| found > b) {
                    best = Some((found, *row, cells, k));
                }
            }
        }
        match best {
            None => out.push(format!(
                "{place}: no rows in its first {HEADER_SEARCH_ROWS}"
            )),
            Some((_, row, cells, kind)) => {
                let m = headers::match_row(cells, kind.fields(), aliases);
                let shown: Vec<&str> = cells
                    .iter()
                    .map(|h| h.trim())
                    .filter(|h| !h.is_empty())
                    .take(12)
                    .collect();
                let lacks: Vec<String> = m
                    .missing
                    .iter()
                    .map(|f| headers::accepted(f, aliases))
                    .collect();
                let mut line = format!(
                    "{place}: row {row} has {}; for {} it lacks {}",
                    if shown.is_empty() {
                        "no headers".to_string()
                    } else {
                        shown.join(", ")
                    },
                    kind.name(),
                    lacks.join("; ")
                );
                let hints: Vec<&String> = m
                    .columns
                    .unknown
                    .iter()
                    .filter(|u| u.contains('('))
                    .collect();
                if !hints.is_empty() {
                    line.push_str(&format!(
                        " (headers not matched: {})",
                        hints
                            .iter()
                            .map(|h| h.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ));
                }
                out.push(line);
            }
        }
    }
    out
}
