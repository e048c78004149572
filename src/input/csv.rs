//! CSV exports: records into rows of cells, numbered as Excel shows the file (an empty line is
//! a row; a quoted field spanning lines is still one row), read in the file's encoding, and
//! refused when a stray quote would swallow rows into one value.

mod quotes;

use super::cells::Cell;
use super::decode;
use super::{InputError, RowSink};
use csv::{ByteRecord, ReaderBuilder};
use std::fs::File;

use quotes::LineBreaks;
#[cfg(test)]
use quotes::Quote;
use std::path::Path;

/// The most physical lines one quoted field may span: a long note runs to a few lines; a
/// field past this has swallowed rows (a stray quote), and the reader would hold it all.
pub(crate) const MAX_QUOTED_LINES: u64 = 100;

/// The byte between fields; the caller picks it (`table` tries each in turn for a header).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Delimiter {
    Comma,
    Tab,
    Semicolon,
}

impl Delimiter {
    pub(crate) fn byte(self) -> u8 {
        match self {
            Delimiter::Comma => b',',
            Delimiter::Tab => b'\t',
            Delimiter::Semicolon => b';',
        }
    }

    /// The plural name a message uses.
    fn plural(self) -> &'static str {
        match self {
            Delimiter::Comma => "commas",
            Delimiter::Tab => "tabs",
            Delimiter::Semicolon => "semicolons",
        }
    }
}

/// What a read learned about the file as a whole.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct CsvRead {
    /// The encoding the file was read in: "UTF-8", "UTF-8 (BOM)", "UTF-16LE", "UTF-16BE" or
    /// "GB18030".
    pub(crate) encoding: &'static str,
    /// Physical lines: line breaks (`\r\n`, `\r` and `\n` count one each) plus a last line
    /// without one. The whole file's after a full read; when the sink stopped the read early,
    /// only the lines scanned so far (a little past the last row delivered).
    pub(crate) lines: u64,
}

/// Reads `path` and hands every record to `sink` with its Excel-style row number, until the
/// file ends or `sink` is done.
///
/// # Errors
/// [`InputError::Open`] if the file cannot be opened, [`InputError::NotText`] if it is not text
/// in an encoding billrun reads, [`InputError::UnclosedQuote`], [`InputError::LongQuote`] or
/// [`InputError::SwallowingQuote`] when a quoted field in the rows read swallows the rest of
/// the file or whole rows, [`InputError::Csv`] on a read error, and whatever `sink` returns
/// (a header that does not fit). A sink that stops early never sees a quote error for the
/// rows after those it read.
pub(crate) fn read(
    path: &Path,
    file: &str,
    delimiter: Delimiter,
    sink: &mut dyn RowSink,
) -> Result<CsvRead, InputError> {
    let handle = File::open(path).map_err(|source| InputError::Open {
        file: file.to_string(),
        source,
    })?;
    // Decoded once, here: the csv reader and the line tracker see the same UTF-8 bytes, so
    // their offsets agree.
    let text = decode::open(handle, file)?;
    let charset = text.charset();
    let transcoded = charset.transcoded();
    let mut reader = ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter.byte())
        .from_reader(LineBreaks::new(text, delimiter.byte()));
    let mut record = ByteRecord::new();
    let mut row: u32 = 0;
    let mut first = true;
    loop {
        match reader.read_byte_record(&mut record) {
            Ok(true) => {}
            Ok(false) => break,
            Err(source) => {
                return Err(match reader.get_ref().fault {
                    Some(fault) => fault.error(file, delimiter),
                    None => InputError::Csv {
                        file: file.to_string(),
                        source,
                    },
                });
            }
        }
        // The quote checks run before the sink sees the record: a swallowed header or row is
        // refused, not read as a value.
        let end = reader.position().byte();
        if let Some(fault) = reader.get_mut().fault_in(end, sink.width()) {
            return Err(fault.error(file, delimiter));
        }
        let start = record.position().map_or(0, |p| p.byte());
        let skipped = reader.get_mut().empty_lines_before(start, first);
        first = false;
        row = row.saturating_add(skipped).saturating_add(1);
        let cells: Vec<Cell> = record.iter().map(|b| cell(b, transcoded)).collect();
        sink.row(row, &cells)?;
        if sink.done() {
            break;
        }
    }
    Ok(CsvRead {
        encoding: charset.name(),
        lines: reader.get_ref().lines(),
    })
}

/// A field's cell. In transcoded text a U+FFFD is where a byte sequence did not decode, so the
/// cell is not good text (the decoder replaced what the file held).
fn cell(bytes: &[u8], transcoded: bool) -> Cell<'_> {
    match Cell::from_bytes(bytes) {
        Cell::Text(s) if transcoded && s.contains('\u{FFFD}') => Cell::NotUtf8(s.into_owned()),
        c => c,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;
    use tempfile::TempDir;

    /// Collects rows as text, with the (row, column) of every cell that is not good text; the
    /// first row read is the header (its width known after it), `stop_after` makes a probe.
    #[derive(Default)]
    struct Rows {
        rows: Vec<(u32, Vec<String>)>,
        bad: Vec<(u32, usize)>,
        width: Option<usize>,
        stop_after: Option<usize>,
    }

    impl RowSink for Rows {
        fn row(&mut self, row: u32, cells: &[Cell<'_>]) -> Result<(), InputError> {
            self.width.get_or_insert(cells.len());
            for (i, c) in cells.iter().enumerate() {
                if matches!(c, Cell::NotUtf8(_)) {
                    self.bad.push((row, i));
                }
            }
            let text = cells.iter().map(|c| c.display().into_owned()).collect();
            self.rows.push((row, text));
            Ok(())
        }

        fn width(&self) -> Option<usize> {
            self.width
        }

        fn done(&self) -> bool {
            self.stop_after.is_some_and(|n| self.rows.len() >= n)
        }
    }

    fn read_as(
        bytes: &[u8],
        delimiter: Delimiter,
        stop_after: Option<usize>,
    ) -> Result<(CsvRead, Rows), InputError> {
        let dir = TempDir::new().unwrap();
        let path = dir.path().join("o.csv");
        std::fs::write(&path, bytes).unwrap();
        let mut sink = Rows {
            stop_after,
            ..Rows::default()
        };
        let read = read(&path, "o.csv", delimiter, &mut sink)?;
        Ok((read, sink))
    }

    fn read_csv(bytes: &[u8]) -> Result<(CsvRead, Rows), InputError> {
        read_as(bytes, Delimiter::Comma, None)
    }

    fn rows(sink: &Rows) -> Vec<(u32, Vec<&str>)> {
        sink.rows
            .iter()
            .map(|(n, cells)| (*n, cells.iter().map(String::as_str).collect()))
            .collect()
    }

    use crate::input::decode::fixtures::{gbk, utf16};

    const ORDERS: &str = "订单号,客户ID,金额,备注\nO1,客户甲,\"1,000\",首单\n\nO2,A2,5,\n";

    fn orders_rows() -> Vec<(u32, Vec<&'static str>)> {
        vec![
            (1, vec!["订单号", "客户ID", "金额", "备注"]),
            (2, vec!["O1", "客户甲", "1,000", "首单"]),
            (4, vec!["O2", "A2", "5", ""]),
        ]
    }

    #[test]
    fn every_encoding_reads_the_same_rows() {
        let mut bom = b"\xEF\xBB\xBF".to_vec();
        bom.extend_from_slice(ORDERS.as_bytes());
        for (bytes, encoding) in [
            (ORDERS.as_bytes().to_vec(), "UTF-8"),
            (bom, "UTF-8 (BOM)"),
            (utf16(ORDERS, false), "UTF-16LE"),
            (utf16(ORDERS, true), "UTF-16BE"),
            (gbk(ORDERS), "GB18030"),
        ] {
            let (read, sink) = read_csv(&bytes).unwrap();
            assert_eq!(read, CsvRead { encoding, lines: 4 });
            assert_eq!(rows(&sink), orders_rows(), "{encoding}");
            assert!(sink.bad.is_empty(), "{encoding}");
        }
    }

    /// A UTF-8 character split by the 64 KiB prefix's end: the file is still UTF-8.
    #[test]
    fn a_character_at_the_prefix_boundary_is_read_whole() {
        let mut text = String::from("id,note\n1,");
        text.push_str(&"a".repeat((64 << 10) - text.len() - 1));
        text.push_str("订\n2,x\n");
        assert_eq!(text.as_bytes()[(64 << 10) - 1], "订".as_bytes()[0]);
        let (read, sink) = read_csv(text.as_bytes()).unwrap();
        assert_eq!(read.encoding, "UTF-8");
        assert!(sink.rows[1].1[1].ends_with("aa订"));
        assert_eq!(sink.rows[2], (3, vec!["2".to_string(), "x".to_string()]));
        assert!(sink.bad.is_empty());
    }

    /// GBK past the prefix with one bad byte: that cell is not good text, the rest is.
    #[test]
    fn a_bad_sequence_late_in_a_gbk_file_makes_that_cell_not_text() {
        let mut bytes = gbk("订单号,客户ID,金额\n");
        let mut n = 1;
        while bytes.len() < 70_000 {
            bytes.extend_from_slice(&gbk("O,客户甲,100\n"));
            n += 1;
        }
        bytes.extend_from_slice(b"O9,\xFF");
        bytes.extend_from_slice(&gbk("客户乙,200\nO10,客户丙,300\n"));
        let (read, sink) = read_csv(&bytes).unwrap();
        assert_eq!(read.encoding, "GB18030");
        assert_eq!(sink.bad, vec![(n + 1, 1)]);
        let last = &sink.rows[sink.rows.len() - 2..];
        assert_eq!(
            rows(&Rows {
                rows: last.to_vec(),
                ..Rows::default()
            }),
            vec![
                (n + 1, vec!["O9", "\u{FFFD}客户乙", "200"]),
                (n + 2, vec!["O10", "客户丙", "300"]),
            ]
        );
        // The same U+FFFD in a UTF-8 file is text the file holds, passed on as it is.
        let (_, sink) = read_csv("a,b\n1,\u{FFFD}\n".as_bytes()).unwrap();
        assert!(sink.bad.is_empty());
    }

    /// Through the orders reader: a GBK export from Excel reads as rows; a bad byte past the
    /// prefix is an exception on its row, not silently odd text.
    #[test]
    fn a_gbk_orders_export_reads_as_orders() {
        let mut text = String::from("订单号,客户ID,下单日期,订单类型,产品,备注\n");
        for i in 0..3000 {
            text.push_str(&format!("O{i},客户{i},2024-07-01,新购,crm,首单\n"));
        }
        let mut bytes = gbk(&text);
        bytes.extend_from_slice(b"O9,A\x81\x20,2024-07-01,new,crm,\n");
        let dir = TempDir::new().unwrap();
        let path = dir.path().join("orders.csv");
        std::fs::write(&path, &bytes).unwrap();
        let r = crate::input::read_orders(&path, None, 0).unwrap();
        assert_eq!(
            (r.rows.len(), r.exceptions.len(), r.rows_read),
            (3000, 1, 3001)
        );
        assert_eq!(r.rows[2999].account_id, "客户2999");
        let e = &r.exceptions[0];
        assert_eq!((e.column.as_str(), e.src.row), ("account_id", 3002));
    }

    #[test]
    fn binary_files_are_refused_naming_what_was_tried() {
        for bytes in [
            vec![0u8; 5000],
            b"PK\x03\x04\x14\x00\x06\x00\x08\x00".to_vec(),
        ] {
            let e = read_csv(&bytes).err().unwrap();
            assert!(matches!(e, InputError::NotText { .. }), "{e}");
            assert_eq!(
                e.to_string(),
                "o.csv: the file is not text in any encoding billrun reads (tried UTF-8, \
                 UTF-16 with a byte-order mark, and GB18030/GBK); save it as CSV UTF-8 from \
                 Excel, or export it again"
            );
        }
    }

    #[test]
    fn tabs_and_semicolons_split_fields() {
        let (_, sink) = read_as(b"a\tb,c\n1\t\"x\ty\"\n", Delimiter::Tab, None).unwrap();
        assert_eq!(
            rows(&sink),
            vec![(1, vec!["a", "b,c"]), (2, vec!["1", "x\ty"])]
        );
        let (_, sink) = read_as(b"a;b\n1;\"2,5\";x\n", Delimiter::Semicolon, None).unwrap();
        assert_eq!(
            rows(&sink),
            vec![(1, vec!["a", "b"]), (2, vec!["1", "2,5", "x"])]
        );
        // Semicolons count, not commas, toward a swallowed row.
        let e = read_as(
            b"a;b;c\n1;\"x,y,z,w\n2\";3\n4;\"open\n5;6;7\n8\";9\n",
            Delimiter::Semicolon,
            None,
        )
        .err()
        .unwrap();
        assert_eq!(
            e.to_string(),
            "o.csv: line 4: a quoted field opened here closes only on line 6 and holds 2 \
             semicolons (a row of this header's 3 columns has 2), so it has swallowed what look \
             like whole rows; close the quote where the value ends or remove it, then export again"
        );
    }

    /// A 10,000-line file whose line 5 opens a quote that never closes.
    fn unclosed_at_line_5() -> String {
        let mut text = String::from("order_id,account_id,amount\n");
        for i in 2..=10_000 {
            if i == 5 {
                text.push_str(&format!("O{i},\"A{i},{i}\n"));
            } else {
                text.push_str(&format!("O{i},A{i},{i}\n"));
            }
        }
        text
    }

    const UNCLOSED_AT_5: &str = "o.csv: line 5: a quoted field opened here never closes, so the \
        rest of the file would be read as one value; close the quote or remove it, then export again";

    #[test]
    fn a_quote_that_never_closes_is_refused_naming_its_line() {
        let text = unclosed_at_line_5();
        let e = read_csv(text.as_bytes()).err().unwrap();
        assert!(
            matches!(e, InputError::UnclosedQuote { line: 5, .. }),
            "{e:?}"
        );
        assert_eq!(e.to_string(), UNCLOSED_AT_5);
        // Within the 100-line limit of the end: refused at the end of the file.
        let e = read_csv(b"a,b\n1,2\n3,\"4\n5,6\n").err().unwrap();
        assert_eq!(
            e.to_string(),
            "o.csv: line 3: a quoted field opened here never closes, so the rest of the file \
             would be read as one value; close the quote or remove it, then export again"
        );
        // The header itself: the sink never sees a swallowed header.
        let e = read_csv(b"\"order_id,account_id\nO1,A1\n").err().unwrap();
        assert!(
            matches!(e, InputError::UnclosedQuote { line: 1, .. }),
            "{e:?}"
        );
    }

    /// Probes read the first rows and stop: the quote at line 5 is no error for them, even when
    /// the scanner has read past it; a probe that reads it is refused as a full read is.
    #[test]
    fn probes_that_stop_early_do_not_trip_the_quote_checks() {
        let text = unclosed_at_line_5();
        for stop in [1, 2, 4] {
            let (_, sink) = read_as(text.as_bytes(), Delimiter::Comma, Some(stop)).unwrap();
            assert_eq!(sink.rows.len(), stop);
            assert_eq!(sink.rows[stop - 1].0, stop as u32);
        }
        let e = read_as(text.as_bytes(), Delimiter::Comma, Some(5))
            .err()
            .unwrap();
        assert_eq!(e.to_string(), UNCLOSED_AT_5);
        // A small file read whole by the first buffer: stopping at the header is still fine.
        let (_, sink) = read_as(b"a,b\n\"1,2\n", Delimiter::Comma, Some(1)).unwrap();
        assert_eq!(rows(&sink), vec![(1, vec!["a", "b"])]);
    }

    #[test]
    fn a_quoted_field_swallowing_rows_is_refused() {
        let text = "order_id,account_id,amount,note\n\
                    O1,A1,100,\"ok\"\n\
                    O2,A2,200,\"note opens\n\
                    O3,A3,300,x\n\
                    O4,A4,400,y\n\
                    O5,A5,500,closes\"\n\
                    O6,A6,600,\n";
        let e = read_csv(text.as_bytes()).err().unwrap();
        assert!(
            matches!(
                e,
                InputError::SwallowingQuote {
                    opened: 3,
                    closed: 6,
                    delimiters: 9,
                    columns: 4,
                    ..
                }
            ),
            "{e:?}"
        );
        assert_eq!(
            e.to_string(),
            "o.csv: line 3: a quoted field opened here closes only on line 6 and holds 9 commas \
             (a row of this header's 4 columns has 3), so it has swallowed what look like whole \
             rows; close the quote where the value ends or remove it, then export again"
        );
        // A probe that stops before that row reads on.
        let (_, sink) = read_as(text.as_bytes(), Delimiter::Comma, Some(2)).unwrap();
        assert_eq!(sink.rows.len(), 2);
    }

    #[test]
    fn a_quoted_field_over_100_lines_is_refused_where_it_closes() {
        // Short lines: the field opens and closes in one buffer of the csv reader.
        let mut text = String::from("id,note\n1,\"start\n");
        text.push_str(&"x\n".repeat(149));
        text.push_str("end\"\n2,ok\n");
        let e = read_csv(text.as_bytes()).err().unwrap();
        assert_eq!(
            e.to_string(),
            "o.csv: line 2: a quoted field opened here runs to line 152, more than 100 lines, so \
             it has swallowed what look like whole rows; close the quote where the value ends or \
             remove it, then export again"
        );
        // Long lines: the limit is passed many reads before the close.
        let mut text = String::from("id,note\n1,\"start\n");
        text.push_str(&format!("{}\n", "y".repeat(199)).repeat(300));
        text.push_str("end\"\n2,ok\n");
        let e = read_csv(text.as_bytes()).err().unwrap();
        assert!(
            matches!(
                e,
                InputError::LongQuote {
                    opened: 2,
                    closed: 303,
                    ..
                }
            ),
            "{e:?}"
        );
        // Exactly 100 lines is a (long) value.
        let mut text = String::from("id,note\n1,\"start\n");
        text.push_str(&"x\n".repeat(98));
        text.push_str("end\"\n2,ok\n");
        let (read, sink) = read_csv(text.as_bytes()).unwrap();
        assert_eq!((read.lines, sink.rows.len(), sink.rows[2].0), (102, 3, 3));
    }

    #[test]
    fn quoted_notes_escapes_and_literal_quotes_read_as_values() {
        let mut text = String::from(
            "order_id,account_id,备注\n\
             O1,A1,\"第一行\n第二行, 含逗号\n第三行\"\n\
             O2,A2,ok\n\
             \n\
             O3,A3,\"a \"\"quoted\"\" word\"\n\
             O4,A4,5\" screen\n\
             O5,A5,\"x\"\n",
        );
        // A literal quote opens nothing: the many lines after it are rows.
        for i in 6..300 {
            text.push_str(&format!("O{i},A{i},{i}\n"));
        }
        let (read, sink) = read_csv(text.as_bytes()).unwrap();
        assert_eq!(
            rows(&sink)[..6],
            vec![
                (1, vec!["order_id", "account_id", "备注"]),
                (2, vec!["O1", "A1", "第一行\n第二行, 含逗号\n第三行"]),
                (3, vec!["O2", "A2", "ok"]),
                (5, vec!["O3", "A3", "a \"quoted\" word"]),
                (6, vec!["O4", "A4", "5\" screen"]),
                (7, vec!["O5", "A5", "x"]),
            ]
        );
        assert_eq!(sink.rows.last().unwrap().0, 301);
        assert_eq!(read.lines, 303);
    }

    #[test]
    fn physical_lines_count_breaks_and_a_last_unterminated_line() {
        for (text, lines) in [
            ("", 0),
            ("a", 1),
            ("a\n", 1),
            ("a\nb", 2),
            ("a\r\n\r\nb\r\n", 3),
            ("a\r\rb\n\n", 4),
            ("a,\"x\ny\"\n", 2),
        ] {
            let (read, _) = read_csv(text.as_bytes()).unwrap();
            assert_eq!(read.lines, lines, "{text:?}");
        }
    }

    /// Feeds `text` in chunks of `chunk` bytes: the multi-line quoted fields closed (opened,
    /// closed, delimiters), whether a quote is still open, and the lines.
    fn quotes(text: &str, chunk: usize) -> (Vec<(u64, u64, u64)>, bool, u64) {
        let mut lb = LineBreaks::new(text.as_bytes(), b',');
        let mut buf = vec![0; chunk];
        while lb.read(&mut buf).unwrap() > 0 {}
        let spans = lb
            .spans
            .iter()
            .map(|s| (s.opened, s.closed, s.delimiters))
            .collect();
        (spans, matches!(lb.quote, Quote::In { .. }), lb.lines())
    }

    #[test]
    fn quotes_are_tracked_across_chunk_boundaries() {
        let text = "a,\"b\"\"\n,\"\"\",x\r\n\"\"\n\"c\"d\"e,\"\n\"\r\n,\"f\n,\ng\"\"\"\n\"";
        // The fields: `"b""\n,"""` (lines 1-2, 1 comma), `""`, `"c"d"e` (literal after the
        // close), `"\n"` (lines 4-5), `"f\n,\ng"""` (lines 6-8, 1 comma), then an open `"`.
        let want = (vec![(1, 2, 1), (4, 5, 0), (6, 8, 1)], true, 9);
        for chunk in 1..=9 {
            assert_eq!(quotes(text, chunk), want, "chunk {chunk}");
        }
        assert_eq!(quotes(text, 4096), want);
    }

    #[test]
    fn a_line_past_the_limit_is_refused_and_one_at_it_is_read() {
        let mut buf = vec![0; 1 << 16];
        let mut drain = |data: &mut dyn Read| loop {
            match data.read(&mut buf) {
                Ok(0) => return Ok(()),
                Ok(_) => {}
                Err(e) => return Err(e),
            }
        };
        let limit = super::quotes::MAX_LINE;
        // Exactly the limit before a break, then the limit again to the end: read.
        let ok = std::io::repeat(b'a')
            .take(limit)
            .chain(&b"\n"[..])
            .chain(std::io::repeat(b'b').take(limit));
        assert!(drain(&mut LineBreaks::new(ok, b',')).is_ok());
        // One byte more with no break (what /dev/zero gives): refused, saying where.
        let zeros = std::io::repeat(0).take(limit + 1);
        let err = drain(&mut LineBreaks::new(zeros, b',')).unwrap_err();
        assert!(
            err.to_string()
                .contains("starting at byte 0 runs past 64 MiB"),
            "{err}"
        );
    }

    /// Feeds `text` in chunks of `chunk` bytes and returns the runs (start, end, breaks).
    fn runs(text: &str, chunk: usize) -> Vec<(u64, u64, u32)> {
        let mut lb = LineBreaks::new(text.as_bytes(), b',');
        let mut buf = vec![0; chunk];
        while lb.read(&mut buf).unwrap() > 0 {}
        lb.runs.iter().map(|r| (r.start, r.end, r.breaks)).collect()
    }

    #[test]
    fn runs_count_breaks_across_chunk_boundaries() {
        let text = "a\r\n\r\nb\n\nc\r\rd\n\re\n";
        let want = vec![(1, 5, 2), (6, 8, 2), (9, 11, 2), (12, 14, 2), (15, 16, 1)];
        for chunk in [1, 2, 3, 64] {
            assert_eq!(runs(text, chunk), want, "chunk {chunk}");
        }
    }
}
