//! The I/O floor of a `billrun run` (bench/run.sh, docs/PERFORMANCE.md): the least any
//! program must do for the same job with the same libraries. It reads the same inputs
//! (csv crate or calamine's streaming cell reader, amounts parsed to `Decimal`, dates,
//! quantities and terms parsed as billrun's readers do, nothing kept) and writes the same
//! number of cells, sheet by sheet and column by column (text where billrun wrote text, of
//! the same mean length; numbers where it wrote numbers, dates or formulas; a cell format on
//! as many of them as billrun formatted), with rust_xlsxwriter constant-memory worksheets at
//! billrun's zip level. It prices nothing and writes no formulas.
//!
//! ```text
//! bench_floor shape OUT_DIR > shape.txt
//!     counts the cells of every sheet of OUT_DIR/invoices.xlsx and OUT_DIR/refunds.xlsx
//! bench_floor run --shape shape.txt --out DIR [--orders F]... [--usage F]... [--zip-level N]
//!     reads the inputs, writes DIR/floor-invoices.xlsx etc.; prints `key value` lines
//! ```

use billrun::input::parse;
use billrun::money::parse_amount;
use calamine::{DataRef, Reader, Xlsx, open_workbook};
use rust_decimal::Decimal;
use rust_xlsxwriter::{DocProperties, ExcelDateTime, Format, Workbook};
use std::fs::File;
use std::io::BufReader;
use std::path::{Path, PathBuf};
use std::time::Instant;

type Res<T> = Result<T, Box<dyn std::error::Error>>;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("shape") if args.len() == 2 => shape(Path::new(&args[1])),
        Some("run") => run(&args[1..]),
        _ => Err("usage: bench_floor shape OUT_DIR | bench_floor run --shape FILE --out DIR [--orders F]... [--usage F]... [--zip-level N]".into()),
    };
    if let Err(e) = result {
        eprintln!("bench_floor: {e}");
        std::process::exit(2);
    }
}

// ---------------------------------------------------------------------------------- shape

/// What one column of a written sheet holds.
#[derive(Debug, Default, Clone)]
struct ColumnShape {
    strings: u64,
    numbers: u64,
    string_bytes: u64,
    /// Of the strings and numbers, how many carry a cell format (style id other than 0).
    styled_strings: u64,
    styled_numbers: u64,
}

/// Prints, for every sheet of billrun's workbooks, its row count and per column the text
/// and number cells (with the text's total length, and how many are formatted): the floor
/// writes the same. Lines: `sheet WORKBOOK ROWS NAME…` then one
/// `col STRINGS NUMBERS STRING_BYTES STYLED_STRINGS STYLED_NUMBERS` per column.
fn shape(out: &Path) -> Res<()> {
    for name in ["invoices.xlsx", "refunds.xlsx"] {
        let path = out.join(name);
        let mut wb: Xlsx<BufReader<File>> = open_workbook(&path)?;
        for sheet in wb.sheet_names() {
            let mut reader = wb.worksheet_cells_reader(&sheet)?;
            let mut cols: Vec<ColumnShape> = Vec::new();
            let mut rows = 0u32;
            while let Some((cell, style)) = reader.next_cell_with_style_id()? {
                let (r, c) = cell.get_position();
                rows = rows.max(r + 1);
                let c = c as usize;
                if cols.len() <= c {
                    cols.resize(c + 1, ColumnShape::default());
                }
                let col = &mut cols[c];
                let styled = u64::from(style != 0);
                match cell.get_value() {
                    DataRef::Empty => continue,
                    DataRef::String(s) => {
                        col.strings += 1;
                        col.string_bytes += s.len() as u64;
                        col.styled_strings += styled;
                    }
                    DataRef::SharedString(s) => {
                        col.strings += 1;
                        col.string_bytes += s.len() as u64;
                        col.styled_strings += styled;
                    }
                    _ => {
                        col.numbers += 1;
                        col.styled_numbers += styled;
                    }
                }
            }
            println!("sheet {name} {rows} {sheet}");
            for c in &cols {
                println!(
                    "col {} {} {} {} {}",
                    c.strings, c.numbers, c.string_bytes, c.styled_strings, c.styled_numbers
                );
            }
        }
    }
    Ok(())
}

struct SheetShape {
    workbook: String,
    name: String,
    rows: u32,
    cols: Vec<ColumnShape>,
}

fn read_shape(path: &Path) -> Res<Vec<SheetShape>> {
    let text = std::fs::read_to_string(path)?;
    let mut sheets: Vec<SheetShape> = Vec::new();
    for line in text.lines() {
        let mut parts = line.splitn(4, ' ');
        match parts.next() {
            Some("sheet") => {
                let workbook = parts.next().ok_or("shape: sheet without workbook")?;
                let rows = parts.next().ok_or("shape: sheet without rows")?.parse()?;
                let name = parts.next().unwrap_or("Sheet").to_string();
                sheets.push(SheetShape {
                    workbook: workbook.to_string(),
                    name,
                    rows,
                    cols: Vec::new(),
                });
            }
            Some("col") => {
                let nums: Vec<u64> = line
                    .split(' ')
                    .skip(1)
                    .map(str::parse)
                    .collect::<Result<_, _>>()?;
                let sheet = sheets.last_mut().ok_or("shape: col before sheet")?;
                sheet.cols.push(ColumnShape {
                    strings: nums.first().copied().unwrap_or(0),
                    numbers: nums.get(1).copied().unwrap_or(0),
                    string_bytes: nums.get(2).copied().unwrap_or(0),
                    styled_strings: nums.get(3).copied().unwrap_or(0),
                    styled_numbers: nums.get(4).copied().unwrap_or(0),
                });
            }
            _ => {}
        }
    }
    Ok(sheets)
}

// ---------------------------------------------------------------------------------- run

#[derive(Default)]
struct Tally {
    rows: u64,
    amounts: Decimal,
    quantities: u128,
    dates: i64,
    terms: u64,
    unreadable: u64,
}

/// How a column of the inputs is parsed.
#[derive(Clone, Copy)]
enum Kind {
    Text,
    Date,
    Amount,
    Discount,
    Quantity,
    Term,
}

fn kind_of(header: &str) -> Kind {
    match header.trim().to_ascii_lowercase().as_str() {
        "order_date" | "start_date" | "date" => Kind::Date,
        "unit_price" | "voucher" | "billed_amount" => Kind::Amount,
        "discount" => Kind::Discount,
        "quantity" | "bonus_quantity" => Kind::Quantity,
        "term" => Kind::Term,
        _ => Kind::Text,
    }
}

impl Tally {
    fn text(&mut self, kind: Kind, t: &str) {
        if t.is_empty() {
            return;
        }
        match kind {
            Kind::Text => {}
            Kind::Date => match parse::date(t) {
                Some(d) => self.dates += i64::from(chrono::Datelike::num_days_from_ce(&d)),
                None => self.unreadable += 1,
            },
            Kind::Amount => match parse_amount(t) {
                Some(a) => self.amounts += a,
                None => self.unreadable += 1,
            },
            Kind::Discount => match parse::discount(t) {
                Some(_) => self.terms += 1,
                None => self.unreadable += 1,
            },
            Kind::Quantity => match parse::quantity(t) {
                Ok(q) => self.quantities += u128::from(q),
                Err(_) => self.unreadable += 1,
            },
            Kind::Term => match parse::term(t) {
                Ok(term) => self.terms += u64::from(term.months),
                Err(_) => self.unreadable += 1,
            },
        }
    }
}

fn read_csv(path: &Path, tally: &mut Tally) -> Res<()> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(BufReader::new(File::open(path)?));
    let mut record = csv::ByteRecord::new();
    let mut kinds: Vec<Kind> = Vec::new();
    let mut first = true;
    while reader.read_byte_record(&mut record)? {
        if first {
            kinds = record
                .iter()
                .map(|h| kind_of(&String::from_utf8_lossy(h)))
                .collect();
            first = false;
            continue;
        }
        tally.rows += 1;
        for (field, kind) in record.iter().zip(&kinds) {
            match std::str::from_utf8(field) {
                Ok(t) => tally.text(*kind, t),
                Err(_) => tally.unreadable += 1,
            }
        }
    }
    Ok(())
}

fn read_xlsx(path: &Path, tally: &mut Tally) -> Res<()> {
    let mut wb: Xlsx<BufReader<File>> = open_workbook(path)?;
    let sheet = wb.sheet_names().first().cloned().ok_or("no sheet")?;
    let mut reader = wb.worksheet_cells_reader(&sheet)?;
    let mut kinds: Vec<Kind> = Vec::new();
    let mut last_row = None;
    while let Some(cell) = reader.next_cell()? {
        let (r, c) = cell.get_position();
        let c = c as usize;
        let v = cell.get_value();
        if r == 0 {
            if kinds.len() <= c {
                kinds.resize(c + 1, Kind::Text);
            }
            match v {
                DataRef::String(h) => kinds[c] = kind_of(h),
                DataRef::SharedString(h) => kinds[c] = kind_of(h),
                _ => {}
            }
            continue;
        }
        if last_row != Some(r) {
            tally.rows += 1;
            last_row = Some(r);
        }
        let kind = kinds.get(c).copied().unwrap_or(Kind::Text);
        match v {
            DataRef::String(s) => tally.text(kind, s),
            DataRef::SharedString(s) => tally.text(kind, s),
            // Number cells go through their text, as billrun's reader does.
            DataRef::Float(f) => tally.text(kind, &f.to_string()),
            DataRef::Int(i) => tally.text(kind, &i.to_string()),
            DataRef::DateTime(dt) => tally.dates += dt.as_f64() as i64,
            _ => {}
        }
    }
    Ok(())
}

fn read_input(path: &Path, tally: &mut Tally) -> Res<()> {
    let ext = path
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase());
    match ext.as_deref() {
        Some("xlsx") => read_xlsx(path, tally),
        _ => read_csv(path, tally),
    }
}

/// Text of about `len` bytes for row `r`: the column's sample word and the row number, so
/// it compresses like billrun's ids, amounts in words and rule texts (neither constant nor
/// random).
fn text_for(r: u64, c: usize, len: usize, buf: &mut String) {
    use std::fmt::Write as _;
    const WORDS: [&str; 8] = [
        "addon ",
        "renewal ",
        "qcs-online ",
        "x 999 ",
        "ACCT-",
        "months ",
        "OK ",
        "cdp ",
    ];
    buf.clear();
    let _ = write!(buf, "{}{r}", WORDS[c % WORDS.len()]);
    while buf.len() < len {
        let w = WORDS[(r as usize + buf.len()) % WORDS.len()];
        buf.push_str(w);
        let _ = write!(buf, "{}", (r * 7 + buf.len() as u64) % 1000);
    }
    buf.truncate(len.max(1));
}

fn write_workbook(path: &Path, sheets: &[&SheetShape], zip_level: u8, spool: &Path) -> Res<u64> {
    let mut wb = Workbook::new();
    let created = ExcelDateTime::from_ymd(2000, 1, 1)?;
    wb.set_properties(&DocProperties::new().set_creation_datetime(&created));
    wb.set_zip_compression_level(zip_level);
    wb.set_tempdir(spool)?;
    let mut cells = 0u64;
    let mut buf = String::new();
    // Formatted cells cost a format lookup in rust_xlsxwriter; billrun's formats are its own
    // business, the count of formatted cells is the job's.
    let text_format = Format::new().set_bold();
    let number_format = Format::new().set_num_format("#,##0.00");
    for s in sheets {
        let ws = wb.add_worksheet_with_constant_memory()?;
        ws.set_name(&s.name)?;
        // A column's text cells come first, then its numbers, formatted ones first in each:
        // the counts are billrun's, the order does not matter to the writer.
        for r in 0..u64::from(s.rows) {
            for (c, col) in s.cols.iter().enumerate() {
                let (row, cn) = (r as u32, c as u16);
                if r < col.strings {
                    let len = (col.string_bytes / col.strings.max(1)) as usize;
                    text_for(r, c, len, &mut buf);
                    if r < col.styled_strings {
                        ws.write_string_with_format(row, cn, &buf, &text_format)?;
                    } else {
                        ws.write_string(row, cn, &buf)?;
                    }
                    cells += 1;
                } else if r < col.strings + col.numbers {
                    let x = r as f64 * 1.37 + c as f64;
                    if r - col.strings < col.styled_numbers {
                        ws.write_number_with_format(row, cn, x, &number_format)?;
                    } else {
                        ws.write_number(row, cn, x)?;
                    }
                    cells += 1;
                }
            }
        }
    }
    wb.save(path)?;
    Ok(cells)
}

fn run(args: &[String]) -> Res<()> {
    let mut orders: Vec<PathBuf> = Vec::new();
    let mut usage: Vec<PathBuf> = Vec::new();
    let mut shape_file = None;
    let mut out = None;
    let mut zip_level = billrun::output::WriteOptions::default().zip_compression_level;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let mut value = || it.next().cloned().ok_or(format!("{a} needs a value"));
        match a.as_str() {
            "--orders" => orders.push(value()?.into()),
            "--usage" => usage.push(value()?.into()),
            "--shape" => shape_file = Some(PathBuf::from(value()?)),
            "--out" => out = Some(PathBuf::from(value()?)),
            "--zip-level" => zip_level = value()?.parse()?,
            other => return Err(format!("unknown argument {other}").into()),
        }
    }
    let shape_file = shape_file.ok_or("--shape is required")?;
    let out = out.ok_or("--out is required")?;
    let sheets = read_shape(&shape_file)?;
    std::fs::create_dir_all(&out)?;

    let t0 = Instant::now();
    let mut tally = Tally::default();
    for f in orders.iter().chain(&usage) {
        read_input(f, &mut tally)?;
    }
    let read_s = t0.elapsed().as_secs_f64();

    let t1 = Instant::now();
    let mut cells = 0u64;
    let mut books: Vec<&str> = sheets.iter().map(|s| s.workbook.as_str()).collect();
    books.dedup();
    for book in books {
        let these: Vec<&SheetShape> = sheets.iter().filter(|s| s.workbook == book).collect();
        cells += write_workbook(&out.join(format!("floor-{book}")), &these, zip_level, &out)?;
    }
    let write_s = t1.elapsed().as_secs_f64();
    let styled: u64 = sheets
        .iter()
        .flat_map(|s| &s.cols)
        .map(|c| c.styled_strings + c.styled_numbers)
        .sum();

    println!("rows_read {}", tally.rows);
    println!("unreadable_cells {}", tally.unreadable);
    println!("read_s {read_s:.3}");
    println!("cells_written {cells}");
    println!("formatted_cells {styled}");
    println!("write_s {write_s:.3}");
    println!("zip_level {zip_level}");
    // Keep the parsed values observable so nothing is optimised away.
    eprintln!(
        "checksum {} {} {} {}",
        tally.amounts, tally.quantities, tally.dates, tally.terms
    );
    Ok(())
}
