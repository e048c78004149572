//! Entry points shared by the fuzz targets (`fuzz/fuzz_targets/`, cargo-fuzz on nightly) and
//! the corpus replay (`tests/fuzz_corpus.rs`, stable, run by CI): each takes arbitrary bytes,
//! drives a reader, a parser or the catalog loader the way a run does, and panics only when
//! one of billrun's promises breaks:
//!
//! - a file is either refused as a whole (exit 2, with a message) or read row by row, and
//!   every data row is then a row or an exception, never lost or doubled;
//! - the rows read price without a panic, every row ends in exactly one place, the lines add
//!   up to the totals shown, and no refund exceeds what was paid;
//! - a parser accepts only values inside billrun's limits;
//! - a catalog either loads or is refused with the key at fault, and one that loads prints
//!   as TOML that loads back identical and prices every SKU at the largest quantity.
//!
//! Not part of billrun's interface.

use crate::catalog::Catalog;
use crate::engine::{self, Ctx};
use crate::input::{self, ReadOutcome, parse};
use crate::model::{OrderRow, OrderType, RowException, SourceRef, Term, UsageRow};
use crate::money::{MAX_AMOUNT, parse_amount};
use crate::report::{Decision, Report, RunFacts};
use chrono::NaiveDate;
use rust_decimal::Decimal;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering};

/// For the fuzz targets: libFuzzer's panic hook aborts on every panic, so a panic inside
/// calamine, which billrun catches and reports as a malformed file (`input::xlsx`), would
/// count as a crash. This hook lets those unwind to billrun's catch and aborts on any other.
pub fn abort_on_panics_outside_calamine() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        std::panic::set_hook(Box::new(|info| {
            let in_calamine = info
                .location()
                .is_some_and(|l| l.file().contains("/calamine-"));
            if !in_calamine {
                eprintln!("{info}");
                std::process::abort();
            }
        }));
    });
}

/// Orders export bytes, read as a file with extension `ext` (`csv` or `xlsx`), then priced.
pub fn orders(data: &[u8], ext: &str) {
    with_file(data, ext, |path| match input::read_orders(path, None, 0) {
        Ok(read) => {
            check_read(&read);
            let rows_read = read.rows_read;
            let report = price(builtin(), read.rows, Vec::new(), read.exceptions, rows_read);
            check_report(&report, rows_read);
        }
        Err(e) => assert!(!e.to_string().is_empty(), "a refused file says why"),
    });
}

/// Usage export bytes, read as a file with extension `ext`, then drawn on (no) packs.
pub fn usage(data: &[u8], ext: &str) {
    with_file(data, ext, |path| match input::read_usage(path, None, 0) {
        Ok(read) => {
            check_read(&read);
            let rows_read = read.rows_read;
            let report = price(builtin(), Vec::new(), read.rows, read.exceptions, rows_read);
            check_report(&report, rows_read);
        }
        Err(e) => assert!(!e.to_string().is_empty(), "a refused file says why"),
    });
}

/// Any bytes as a file with no telling name: its format told by its bytes (CSV in any
/// encoding and separator, every workbook format), its tables found by their headers, both
/// kinds read, the orders through the cross-file conflict pass, then priced together.
pub fn tables(data: &[u8]) {
    with_file(data, "export", |path| {
        let kinds = [input::Kind::Orders, input::Kind::Usage];
        let tables = match input::find(path, &kinds, None, &input::Aliases::default()) {
            Ok(t) => t,
            Err(e) => {
                assert!(!e.to_string().is_empty(), "a refused file says why");
                return;
            }
        };
        assert!(
            !tables.is_empty() && tables.len() <= 2,
            "one table per kind at most"
        );
        let (mut rows, mut usage, mut exceptions, mut rows_read) = (vec![], vec![], vec![], 0);
        for t in &tables {
            assert!(t.header_row >= 1, "a header on a real row");
            let read = match t.kind {
                input::Kind::Orders => input::read_orders_table(t, rows_read).map(|r| {
                    check_read(&r);
                    rows.extend(r.rows);
                    (r.exceptions, r.rows_read)
                }),
                input::Kind::Usage => input::read_usage_table(t, rows_read).map(|r| {
                    check_read(&r);
                    usage.extend(r.rows);
                    (r.exceptions, r.rows_read)
                }),
            };
            match read {
                Ok((e, n)) => {
                    exceptions.extend(e);
                    rows_read += n;
                }
                Err(e) => {
                    assert!(!e.to_string().is_empty(), "a refused file says why");
                    return;
                }
            }
        }
        let before = rows.len();
        let (rows, conflicts) = input::resolve(rows);
        assert_eq!(
            rows.len() + conflicts.len(),
            before,
            "the conflict pass keeps every row"
        );
        exceptions.extend(conflicts);
        let report = price(builtin(), rows, usage, exceptions, rows_read);
        check_report(&report, rows_read);
    });
}

/// An .xlsx built around fuzzed parts: the bytes up to the first 0xFF are the first sheet's
/// XML, the rest the shared-string table. Reaches calamine's XML and billrun's cell handling
/// without first breaking the zip, as most mutations of a whole workbook do.
pub fn xlsx_parts(data: &[u8]) {
    let (sheet, strings) = match data.iter().position(|b| *b == 0xFF) {
        Some(i) => (&data[..i], &data[i + 1..]),
        None => (data, &[][..]),
    };
    let xlsx = xlsx_with(sheet, strings);
    orders(&xlsx, "xlsx");
    usage(&xlsx, "xlsx");
}

/// Every cell parser on the same text: none panics, and what they accept is within limits.
pub fn parsers(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let t = text.as_ref();
    if let Some(d) = parse::date(t) {
        assert!(
            (0..=9999).contains(&chrono::Datelike::year(&d)),
            "{t:?} → {d}"
        );
    }
    if let Ok(term) = parse::term(t) {
        assert!((1..=parse::MAX_TERM_MONTHS).contains(&u64::from(term.months)));
    }
    if let Ok(q) = parse::quantity(t) {
        assert!(q <= crate::model::MAX_CELL_QUANTITY, "{t:?} → {q}");
    }
    if let Some(a) = parse_amount(t) {
        assert!(a.abs() <= MAX_AMOUNT, "{t:?} → {a}");
    }
    let _ = parse::discount(t);
    let _ = parse::flag(t);
}

/// A user catalog's text: loads or is refused; one that loads round-trips through
/// `billrun catalog` and prices every SKU and edition at 1 and at the largest quantity.
pub fn catalog(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let cat = match Catalog::from_texts(Some(("fuzz.toml", &text))) {
        Ok(c) => c,
        Err(e) => {
            assert!(!e.to_string().is_empty(), "a refused catalog says why");
            return;
        }
    };
    let printed = cat.to_toml();
    let again = Catalog::from_texts(Some(("printed.toml", &printed)))
        .unwrap_or_else(|e| panic!("the printed catalog does not load back: {e}\n{printed}"));
    assert_eq!(
        again.file, cat.file,
        "the printed catalog loads back different"
    );

    let day = date(2026, 1, 15);
    let mut rows = Vec::new();
    for (code, sku) in &cat.file.skus {
        let editions: Vec<Option<&str>> = if sku.editions.is_empty() {
            vec![None]
        } else {
            sku.editions.keys().map(|e| Some(e.as_str())).collect()
        };
        for edition in editions {
            for quantity in [1, crate::model::MAX_QUANTITY] {
                for months in [1, 12, 96] {
                    let n = rows.len();
                    let mut r = OrderRow::new(
                        SourceRef {
                            file: "fuzz".into(),
                            row: n as u32 + 2,
                        },
                        n,
                        &format!("F-{n}"),
                        "ACC-F",
                        day,
                        OrderType::New,
                    );
                    r.product = Some(code.clone());
                    r.edition = edition.map(str::to_string);
                    r.quantity = Some(quantity);
                    r.term = Some(Term { months });
                    rows.push(r);
                }
            }
        }
    }
    let rows_read = rows.len();
    let report = price(&cat, rows, Vec::new(), Vec::new(), rows_read);
    check_report(&report, rows_read);
}

/// Every data row is a row or an exception, and every exception names its place and says
/// what is wrong.
fn check_read<R>(read: &ReadOutcome<R>) {
    assert_eq!(
        read.rows.len() + read.exceptions.len(),
        read.rows_read,
        "rows + exceptions = rows read"
    );
    for e in &read.exceptions {
        // Excel's rows start at 1. (A malformed sheet may list a row above its header after
        // it; the exception then names that row, where the user finds it.)
        assert!(e.src.row >= 1, "an exception names a real row: {e:?}");
        assert!(!e.message.is_empty(), "{e:?}");
        assert!(!e.column.is_empty(), "{e:?}");
    }
}

/// The report's promises: every row in one place, lines adding up to the totals, refunds
/// within what was paid.
fn check_report(report: &Report, rows_read: usize) {
    assert_eq!(report.accounted_rows(), rows_read, "every row in one place");
    assert_eq!(report.line_count, report.lines.len());
    let expected: Decimal = report.lines.iter().map(|l| l.expected_amount).sum();
    assert_eq!(expected, report.total_expected, "lines sum to the total");
    let by_account: Decimal = report.accounts.iter().map(|a| a.expected).sum();
    assert_eq!(
        by_account, report.total_expected,
        "accounts sum to the total"
    );
    for r in &report.refunds {
        assert!(r.refund_amount >= Decimal::ZERO, "{r:?}");
        if r.decision == Decision::Approved {
            assert!(r.refund_amount <= r.paid, "refund above paid: {r:?}");
        }
    }
}

fn price(
    catalog: &Catalog,
    rows: Vec<OrderRow>,
    usage: Vec<UsageRow>,
    exceptions: Vec<RowException>,
    rows_read: usize,
) -> Report {
    let ctx = Ctx {
        catalog,
        as_of: date(2026, 1, 31),
        period: None,
        tolerance: Decimal::new(1, 2),
        alert_below: Decimal::TEN,
        progress: None,
    };
    let facts = RunFacts {
        rows_read,
        ..RunFacts::default()
    };
    engine::run(&ctx, rows, usage, exceptions, facts)
}

fn builtin() -> &'static Catalog {
    static BUILTIN: OnceLock<Catalog> = OnceLock::new();
    BUILTIN.get_or_init(Catalog::builtin)
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
}

/// Runs `f` on `data` saved as a temporary file named `*.ext` (the readers take paths, and
/// pick the format by extension), removed afterwards.
fn with_file(data: &[u8], ext: &str, f: impl FnOnce(&Path)) {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    let path: PathBuf =
        std::env::temp_dir().join(format!("billrun-fuzz-{}-{n}.{ext}", std::process::id()));
    let written = std::fs::File::create(&path).and_then(|mut file| file.write_all(data));
    if written.is_ok() {
        f(&path);
    }
    let _ = std::fs::remove_file(&path);
}

/// A minimal valid .xlsx whose first sheet and shared strings are the given XML parts.
pub fn xlsx_with(sheet: &[u8], strings: &[u8]) -> Vec<u8> {
    use zip::write::SimpleFileOptions;
    const CONTENT_TYPES: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>"#;
    const RELS: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#;
    const WORKBOOK: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>"#;
    const WORKBOOK_RELS: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>"#;
    let mut out = std::io::Cursor::new(Vec::new());
    let mut zip = zip::ZipWriter::new(&mut out);
    let opts = SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    let parts: [(&str, &[u8]); 6] = [
        ("[Content_Types].xml", CONTENT_TYPES.as_bytes()),
        ("_rels/.rels", RELS.as_bytes()),
        ("xl/workbook.xml", WORKBOOK.as_bytes()),
        ("xl/_rels/workbook.xml.rels", WORKBOOK_RELS.as_bytes()),
        ("xl/worksheets/sheet1.xml", sheet),
        ("xl/sharedStrings.xml", strings),
    ];
    for (name, body) in parts {
        // Writing to memory cannot fail; a failure would only leave the zip short, which the
        // reader must refuse cleanly anyway.
        if zip.start_file(name, opts).is_err() || zip.write_all(body).is_err() {
            break;
        }
    }
    let _ = zip.finish();
    out.into_inner()
}
