//! Workbook files that are zips (.xlsx, .xlsm, .xlsb, .ods): the size guard run before any
//! part is read, and the .xlsx sheet streamed cell by cell (calamine's cell reader, not
//! the whole-sheet `Range`) with each cell's number format.

use super::InputError;
use super::book::Rows;
use super::cells::Cell;
use calamine::{DataRef, Xlsx};
use std::collections::HashSet;
use std::fs::File;
use std::io::{BufReader, Read};
use std::path::Path;

/// What the size guard saw in the workbook's parts, so the costly passes run only where
/// they can find something: a second pass for formula cells, and calamine's read of the
/// merged regions (which sit after every row of a sheet's XML).
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Scan {
    /// Some part holds a formula element (`<f>`).
    pub formulas: bool,
    /// Some part holds a merged region (`<mergeCell`).
    pub merges: bool,
}

/// Streams the sheet `name` of an open .xlsx into `rows`.
///
/// # Errors
/// [`InputError::Xlsx`] when the sheet cannot be read, and whatever the sink returns.
pub(crate) fn stream<'a>(
    workbook: &'a mut Xlsx<BufReader<File>>,
    file: &str,
    name: &str,
    rows: &mut Rows<'_, 'a>,
) -> Result<(), InputError> {
    let xlsx_err = |source| InputError::Xlsx {
        file: file.to_string(),
        source,
    };
    let mut reader =
        calamine_step(file, || workbook.worksheet_cells_reader(name))?.map_err(xlsx_err)?;
    // Style ids whose number format shows a percentage: such a cell holds 0.1 for "10%".
    let percent: Vec<bool> = reader
        .styles()
        .iter()
        .map(|s| {
            s.number_format
                .as_ref()
                .is_some_and(|f| is_percent_format(&f.format_code))
        })
        .collect();
    while let Some((cell, style)) =
        calamine_step(file, || reader.next_cell_with_style_id())?.map_err(xlsx_err)?
    {
        let (row, col) = cell.get_position();
        let value = Cell::from_xlsx(
            cell.get_value(),
            percent.get(style).copied().unwrap_or(false),
        );
        rows.cell(row, col as usize, value)?;
        if rows.done() {
            break;
        }
    }
    Ok(())
}

/// The 0-based positions of the sheet's formula cells that hold no computed value: a
/// workbook written by a script (openpyxl, pandas) keeps only the formula until Excel
/// calculates and saves it, and such a cell must not read as empty.
///
/// # Errors
/// [`InputError::Xlsx`] when the sheet cannot be read.
pub(crate) fn formulas_without_value(
    workbook: &mut Xlsx<BufReader<File>>,
    file: &str,
    name: &str,
) -> Result<HashSet<(u32, u32)>, InputError> {
    let xlsx_err = |source| InputError::Xlsx {
        file: file.to_string(),
        source,
    };
    let mut reader =
        calamine_step(file, || workbook.worksheet_cells_reader(name))?.map_err(xlsx_err)?;
    let mut found = HashSet::new();
    while let Some(cell) =
        calamine_step(file, || reader.next_cell_with_formula_metadata())?.map_err(xlsx_err)?
    {
        let empty = match &cell.value {
            DataRef::Empty => true,
            DataRef::String(s) => s.is_empty(),
            _ => false,
        };
        if empty && cell.formula.is_some() {
            found.insert(cell.pos);
        }
    }
    Ok(found)
}

/// Runs one calamine call, turning a panic inside calamine into a refusal of the file.
/// calamine 0.38 panics on some malformed workbooks (with overflow checks on, a cell
/// reference of many letters overflows its column arithmetic; found by fuzzing); a bad file
/// must stop the run with exit 2, not crash it. Only calamine's own calls are wrapped, so a
/// panic in billrun's code is never hidden.
pub(crate) fn calamine_step<T>(file: &str, step: impl FnOnce() -> T) -> Result<T, InputError> {
    crate::caught::catch(step).map_err(|message| InputError::Malformed {
        file: file.to_string(),
        message,
    })
}

/// How many unpacked bytes a workbook's parts may hold.
struct Limits {
    /// One part. A sheet of a million rows of 20 columns is about 300 MiB of XML; sheets
    /// are streamed, so this bounds only the time.
    part: u64,
    /// The shared-string table, which calamine holds in memory whole.
    shared_strings: u64,
    /// All parts together.
    total: u64,
}

const LIMITS: Limits = Limits {
    part: 2 << 30,
    shared_strings: 512 << 20,
    total: 4 << 30,
};

/// Unpacks every part of the workbook once, counting bytes and keeping none, and refuses
/// the file when a part (or all of them) unpacks past the limits: a zip bomb then costs
/// bounded time and no memory, before calamine reads anything. The sizes a zip declares
/// are not trusted; only the bytes that come out count. A file that is not a zip is left
/// for calamine to refuse with its own message.
pub(crate) fn check_sizes(path: &Path, file: &str) -> Result<Scan, InputError> {
    check_sizes_within(path, file, &LIMITS)
}

fn check_sizes_within(path: &Path, file: &str, limits: &Limits) -> Result<Scan, InputError> {
    let opened = File::open(path).map_err(|source| InputError::Open {
        file: file.to_string(),
        source,
    })?;
    let Ok(mut zip) = zip::ZipArchive::new(BufReader::new(opened)) else {
        return Ok(Scan::default());
    };
    let mut total = 0u64;
    let mut elements = Elements::default();
    for i in 0..zip.len() {
        let Ok(mut part) = zip.by_index(i) else {
            continue;
        };
        let name = part.name().map(|n| n.into_owned()).unwrap_or_default();
        let is_strings = name.to_ascii_lowercase().ends_with("sharedstrings.xml");
        let limit = if is_strings {
            limits.shared_strings
        } else {
            limits.part
        };
        let limit = limit.min(limits.total - total);
        // A part that fails to unpack is calamine's to report, if it needs the part.
        let mut strings = SharedStrings::default();
        let mut unpacked = (&mut part).take(limit + 1);
        let n = if is_strings {
            std::io::copy(&mut unpacked, &mut strings)
        } else {
            elements.tail.clear();
            std::io::copy(&mut unpacked, &mut elements)
        }
        .unwrap_or(0);
        if n > limit {
            return Err(InputError::TooLarge {
                file: file.to_string(),
                part: name,
                limit_mib: limit >> 20,
            });
        }
        if is_strings {
            strings.check(file, &name)?;
        }
        total += n;
    }
    Ok(elements.scan)
}

/// Watches a part go by for formula and merged-region elements, searching each chunk (and
/// the few bytes before it, for an element split between two chunks) with `memchr`.
#[derive(Default)]
struct Elements {
    scan: Scan,
    tail: Vec<u8>,
}

impl std::io::Write for Elements {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if self.scan.formulas && self.scan.merges {
            return Ok(buf.len());
        }
        let mut window = std::mem::take(&mut self.tail);
        window.extend_from_slice(buf);
        if !self.scan.formulas {
            // `<f>`, `<f t="shared" …>`, `<x:f>`: text cannot hold a raw `<`, so `<f`
            // followed by one of these is the element.
            self.scan.formulas = memchr::memchr_iter(b'f', &window).any(|i| {
                i > 0
                    && matches!(window.get(i - 1), Some(b'<' | b':'))
                    && matches!(
                        window.get(i + 1),
                        Some(b'>' | b' ' | b'/' | b'\t' | b'\r' | b'\n')
                    )
            });
        }
        if !self.scan.merges {
            self.scan.merges = memchr::memmem::find(&window, b"mergeCell").is_some();
        }
        let keep = window.len().saturating_sub(16);
        self.tail = window.split_off(keep);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// How many shared strings a table may declare beyond the `<si>` elements it holds: some
/// writers count loosely, and this much costs calamine only 24 MB.
const DECLARED_SLACK: u64 = 1_000_000;

/// Watches the shared-string table go by: the largest `uniqueCount` it declares and how
/// many `<si>` elements it holds. calamine reserves memory for `uniqueCount` strings
/// before reading any, so a table declaring 10^12 of them aborts the process (memory
/// allocation failed, which no error handling catches); such a file is refused before
/// calamine opens it.
///
/// Every `uniqueCount = "digits"` anywhere in the part counts, not only the one in the
/// `<sst>` tag: finding the tag would mean parsing XML (an attribute value may hold `>`,
/// and fuzzing found a table that hid its count behind one), and counting more than
/// calamine reads can only refuse a file that is damaged anyway, never let a bad one by.
#[derive(Default)]
struct SharedStrings {
    /// The largest declared count seen.
    declared: Option<u64>,
    /// `<si` element starts seen (`<si>`, `<si …>`, `<x:si>`); text cannot hold a raw `<`.
    elements: u64,
    /// The last four bytes seen, across writes, so a tag split between two is counted.
    window: [u8; 4],
    /// The last eleven bytes seen, to find `uniqueCount` across writes.
    name: u128,
    state: Attr,
}

/// Where the scan for `uniqueCount = "digits"` stands.
#[derive(Default, Clone, Copy)]
enum Attr {
    #[default]
    Seeking,
    /// After the name, before `=`.
    Name,
    /// After `=`, before the opening quote.
    Equals,
    /// Inside the quotes: the quote byte and the digits so far.
    Value(u8, Option<u64>),
}

/// `uniqueCount` as the low 88 bits of a big-endian register of the last 11 bytes.
const UNIQUE_COUNT: u128 = {
    let name = b"uniqueCount";
    let mut v = 0u128;
    let mut i = 0;
    while i < name.len() {
        v = (v << 8) | name[i] as u128;
        i += 1;
    }
    v
};

impl std::io::Write for SharedStrings {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        for &b in buf {
            self.watch_elements(b);
            self.watch_count(b);
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl SharedStrings {
    fn watch_elements(&mut self, b: u8) {
        let w = &mut self.window;
        *w = [w[1], w[2], w[3], b];
        if matches!(w[0], b'<' | b':')
            && w[1..3] == *b"si"
            && matches!(w[3], b'>' | b'/' | b' ' | b'\t' | b'\r' | b'\n')
        {
            self.elements += 1;
        }
    }

    fn watch_count(&mut self, b: u8) {
        self.name = ((self.name << 8) | u128::from(b)) & ((1u128 << 88) - 1);
        self.state = match self.state {
            Attr::Name | Attr::Equals if b.is_ascii_whitespace() => self.state,
            Attr::Name if b == b'=' => Attr::Equals,
            Attr::Equals if matches!(b, b'"' | b'\'') => Attr::Value(b, None),
            Attr::Value(quote, digits) if b.is_ascii_digit() => {
                let d = u64::from(b - b'0');
                let v = digits.unwrap_or(0).saturating_mul(10).saturating_add(d);
                Attr::Value(quote, Some(v))
            }
            Attr::Value(quote, None) if b != quote && (b == b'+' || b.is_ascii_whitespace()) => {
                self.state
            }
            Attr::Value(_, digits) => {
                // The closing quote, or anything else: the digits so far are a count.
                if let Some(v) = digits {
                    self.declared = Some(self.declared.map_or(v, |d| d.max(v)));
                }
                Attr::Seeking
            }
            _ => Attr::Seeking,
        };
        if self.name == UNIQUE_COUNT {
            self.state = Attr::Name;
        }
    }

    fn check(&self, file: &str, part: &str) -> Result<(), InputError> {
        match self.declared {
            Some(declared) if declared > self.elements.saturating_add(DECLARED_SLACK) => {
                Err(InputError::Malformed {
                    file: file.to_string(),
                    message: format!(
                        "{part} declares {declared} shared strings but holds {}",
                        self.elements
                    ),
                })
            }
            _ => Ok(()),
        }
    }
}

/// True if a number format code shows a percentage: a `%` outside quoted text and escapes.
fn is_percent_format(code: &str) -> bool {
    let mut quoted = false;
    let mut escaped = false;
    for c in code.chars() {
        match c {
            _ if escaped => escaped = false,
            '\\' => escaped = true,
            '"' => quoted = !quoted,
            '%' if !quoted => return true,
            _ => {}
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::RowSink;

    /// A workbook whose sheet and shared strings are `sheet` and `strings` bytes of XML.
    fn workbook(dir: &Path, sheet: usize, strings: usize) -> std::path::PathBuf {
        let path = dir.join(format!("w-{sheet}-{strings}.xlsx"));
        let bytes = crate::fuzzing::xlsx_with(&vec![b' '; sheet], &vec![b' '; strings]);
        std::fs::write(&path, bytes).unwrap();
        path
    }

    #[test]
    fn parts_that_unpack_past_the_limits_refuse_the_file() {
        let dir = tempfile::tempdir().unwrap();
        // What the fixed parts of `xlsx_with` (content types, relations, workbook) unpack to.
        let empty = workbook(dir.path(), 0, 0);
        let mut zip = zip::ZipArchive::new(File::open(&empty).unwrap()).unwrap();
        let fixed: u64 = (0..zip.len())
            .map(|i| zip.by_index(i).unwrap().size())
            .sum();
        let small = Limits {
            part: 4096,
            shared_strings: 1024,
            total: fixed + 5000,
        };
        let ok = workbook(dir.path(), 4000, 1000);
        assert!(check_sizes_within(&ok, "ok.xlsx", &small).is_ok());
        for (sheet, strings, part) in [
            (5000, 10, "xl/worksheets/sheet1.xml"),
            (10, 2000, "xl/sharedStrings.xml"),
            // Each part exactly at its own limit, but all of them past the total.
            (4096, 1024, "xl/sharedStrings.xml"),
        ] {
            let path = workbook(dir.path(), sheet, strings);
            let err = check_sizes_within(&path, "big.xlsx", &small).unwrap_err();
            let msg = err.to_string();
            assert!(
                msg.contains(part) && msg.contains("too large"),
                "{sheet}/{strings}: {msg}"
            );
        }
        // Not a zip at all: the guard passes it; the bytes say it is text, read as a CSV.
        let junk = dir.path().join("junk.xlsx");
        std::fs::write(&junk, b"not a zip").unwrap();
        assert!(check_sizes_within(&junk, "junk.xlsx", &small).is_ok());
        assert!(matches!(
            read_orders_err(&junk),
            Some(InputError::NoTable { .. })
        ));
    }

    fn watched(parts: &[&[u8]]) -> SharedStrings {
        use std::io::Write as _;
        let mut s = SharedStrings::default();
        for p in parts {
            s.write_all(p).unwrap();
        }
        s
    }

    #[test]
    fn shared_strings_declared_and_held() {
        let decl = br#"<?xml version="1.0" encoding="UTF-8"?>"#;
        let table = [
            &decl[..],
            b"\n<sst xmlns=\"x\" count=\"9\" uniqueCount = '3'><si><t>a</t></si><s",
            b"i>",
            b"<t>b</t></si><x:si\n/><sig>no</sig></sst>",
        ];
        let s = watched(&table);
        assert_eq!(s.declared, Some(3));
        assert_eq!(s.elements, 3, "<si>, one split across writes, and <x:si/>");
        assert!(s.check("f.xlsx", "xl/sharedStrings.xml").is_ok());
        // Prefixed tag, double quotes; any tag's count counts, the largest wins.
        let s = watched(&[b"<r uniqueCount=\"7\"/><x:sst uniqueCount=\"0012\">"]);
        assert_eq!(s.declared, Some(12));
        assert_eq!(watched(&[b"<sstx uniqueCount=\"1\">"]).declared, Some(1));
        assert_eq!(watched(&[b"<sst count=\"5\">"]).declared, None);
        assert_eq!(watched(&[b"<sst uniqueCount=\"-1\">"]).declared, None);
        assert_eq!(watched(&[b"<sst uniqueCounter=\"9\">"]).declared, None);
        assert_eq!(
            watched(&[b"<sst uniqueuniqueCount=\"9\">"]).declared,
            Some(9)
        );
        // Found by fuzzing: a `>` inside an earlier attribute's value, or 5,000 bytes of
        // them, hid the count from a scan that stopped at the tag's first `>`.
        let hidden = b"<sst count=\"1/t></si><si>\" uniqueCount=\"1000000000000\">";
        assert_eq!(watched(&[hidden]).declared, Some(1_000_000_000_000));
        let long = format!("<sst a=\"{}\" uniqueCount=\"5\">", "x".repeat(5000));
        assert_eq!(watched(&[long.as_bytes()]).declared, Some(5));
        // Byte by byte, and past u64: saturates (calamine cannot parse it, so a refusal
        // only costs a file that is damaged anyway).
        let split = b"<sst uniqueCount = \"99999999999999999999999\">";
        let bytes: Vec<&[u8]> = split.chunks(1).collect();
        assert_eq!(watched(&bytes).declared, Some(u64::MAX));
        // Past the slack: refused, naming the part and both counts.
        let at_slack = format!("<sst uniqueCount=\"{DECLARED_SLACK}\">");
        assert!(watched(&[at_slack.as_bytes()]).check("f", "p").is_ok());
        let past = format!("<sst uniqueCount=\"{}\">", DECLARED_SLACK + 1);
        let err = watched(&[past.as_bytes()]).check("f.xlsx", "xl/sharedStrings.xml");
        let msg = err.unwrap_err().to_string();
        assert!(
            msg.contains("declares 1000001 shared strings but holds 0"),
            "{msg}"
        );
    }

    /// calamine reserves `uniqueCount` strings up front: 10^12 of them aborted the process
    /// (found by a hand-made fuzz seed; it and the fuzzer's way around the first fix are in
    /// fuzz/regressions/xlsx_parts/).
    #[test]
    fn a_table_declaring_a_trillion_strings_is_refused_not_reserved() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sst.xlsx");
        let sheet = br#"<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="s"><v>0</v></c></row></sheetData></worksheet>"#;
        let strings = br#"<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount="1000000000000"><si><t>order_id</t></si></sst>"#;
        std::fs::write(&path, crate::fuzzing::xlsx_with(sheet, strings)).unwrap();
        let err = read_orders_err(&path).expect("refused");
        assert!(matches!(err, InputError::Malformed { .. }), "{err}");
        assert!(err.to_string().contains("declares 1000000000000"), "{err}");
    }

    /// Records the widest row it is given after the header, and what is blank.
    struct Widths {
        header: Option<usize>,
        widest: usize,
        blank: Vec<bool>,
    }

    impl RowSink for Widths {
        fn row(&mut self, _row: u32, cells: &[Cell<'_>]) -> Result<(), InputError> {
            match self.header {
                None => self.header = Some(cells.len()),
                Some(_) => {
                    self.widest = self.widest.max(cells.len());
                    self.blank.push(cells.iter().all(Cell::is_blank));
                }
            }
            Ok(())
        }

        fn width(&self) -> Option<usize> {
            self.header
        }
    }

    #[test]
    fn cells_past_the_header_width_share_one_slot_and_still_make_a_row() {
        let dir = tempfile::tempdir().unwrap();
        // XFC is column 16,383 (index 16,382); WNG is index 16,000.
        let sheet = r#"<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>
<row r="1"><c r="A1" t="inlineStr"><is><t>a</t></is></c><c r="C1" t="inlineStr"><is><t>c</t></is></c></row>
<row r="2"><c r="A2"><v>1</v></c><c r="XFC2"><v>2</v></c></row>
<row r="3"><c r="WNG3" t="inlineStr"><is><t>far</t></is></c></row>
<row r="4"><c r="WNG4" t="inlineStr"><is><t> </t></is></c><c r="XFC4" t="inlineStr"><is><t></t></is></c></row>
<row r="5"><c r="B5"><v>5</v></c><c r="WNG5"><v>6</v></c><c r="XFC5"><v>7</v></c></row>
</sheetData></worksheet>"#;
        let path = dir.path().join("wide.xlsx");
        std::fs::write(
            &path,
            crate::fuzzing::xlsx_with(
                sheet.as_bytes(),
                br#"<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"/>"#,
            ),
        )
        .unwrap();
        let mut sink = Widths {
            header: None,
            widest: 0,
            blank: Vec::new(),
        };
        let mut book =
            crate::input::book::Book::open(&path, "wide.xlsx", crate::input::Format::Xlsx).unwrap();
        book.read("Sheet1", &mut sink).unwrap();
        assert_eq!(sink.header, Some(3));
        // At most the header's three cells and the one shared slot.
        assert_eq!(sink.widest, 4);
        // Row 3 (data only far right) is a row; row 4 (blanks far right) is blank.
        assert_eq!(sink.blank, [false, false, true, false]);
    }

    fn read_orders_err(path: &Path) -> Option<InputError> {
        crate::input::read_orders(path, None, 0).err()
    }

    #[test]
    fn percent_formats() {
        assert!(is_percent_format("0%"));
        assert!(is_percent_format("0.00%"));
        assert!(!is_percent_format("General"));
        assert!(!is_percent_format("#,##0.00"));
        assert!(!is_percent_format("0\"%\""));
        assert!(!is_percent_format("0\\%"));
    }
}
