//! CSV exports: records into rows of cells, numbered as Excel shows the file (an empty line is
//! a row; a quoted field spanning lines is still one row).

use super::cells::Cell;
use super::{InputError, RowSink};
use csv::{ByteRecord, ReaderBuilder};
use std::collections::VecDeque;
use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::path::Path;

/// Reads `path` and hands every record to `sink` with its Excel-style row number.
///
/// # Errors
/// [`InputError::Open`] if the file cannot be opened, [`InputError::Csv`] on a read error, and
/// whatever `sink` returns (a header that does not fit).
pub(crate) fn read(
    path: &Path,
    file: &str,
    delimiter: u8,
    sink: &mut dyn RowSink,
) -> Result<(), InputError> {
    let open_err = |source| InputError::Open {
        file: file.to_string(),
        source,
    };
    let mut inner = BufReader::new(File::open(path).map_err(open_err)?);
    // Drop the BOM here so that byte offsets seen by the csv reader and the tracker agree.
    if inner
        .fill_buf()
        .map_err(open_err)?
        .starts_with(b"\xEF\xBB\xBF")
    {
        inner.consume(3);
    }
    let mut reader = ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(LineBreaks::new(inner));
    let mut record = ByteRecord::new();
    let mut row: u32 = 0;
    let mut first = true;
    loop {
        match reader.read_byte_record(&mut record) {
            Ok(true) => {}
            Ok(false) => return Ok(()),
            Err(source) => {
                return Err(InputError::Csv {
                    file: file.to_string(),
                    source,
                });
            }
        }
        let start = record.position().map_or(0, |p| p.byte());
        let skipped = reader.get_mut().empty_lines_before(start, first);
        first = false;
        row = row.saturating_add(skipped).saturating_add(1);
        let cells: Vec<Cell> = record.iter().map(Cell::from_bytes).collect();
        sink.row(row, &cells)?;
        if sink.done() {
            return Ok(());
        }
    }
}

/// A maximal run of `\r`/`\n` bytes at `[start, end)` and the line breaks in it (`\r\n`,
/// `\r` and `\n` each count one).
struct Run {
    start: u64,
    end: u64,
    breaks: u32,
}

/// Passes bytes through while noting where line breaks run. The csv reader skips empty lines
/// without a trace; the runs tell how many it skipped before a record, so row numbers match
/// what Excel shows.
struct LineBreaks<R> {
    inner: R,
    offset: u64,
    /// Where the current line started: just past the last line break read.
    line_start: u64,
    /// The run being read: start, breaks so far, last byte was `\r`.
    open: Option<(u64, u32, bool)>,
    runs: VecDeque<Run>,
}

impl<R> LineBreaks<R> {
    fn new(inner: R) -> Self {
        LineBreaks {
            inner,
            offset: 0,
            line_start: 0,
            open: None,
            runs: VecDeque::new(),
        }
    }

    fn close(&mut self, end: u64) {
        if let Some((start, breaks, _)) = self.open.take() {
            self.runs.push_back(Run { start, end, breaks });
        }
    }

    /// Empty lines skipped before the record whose read started at byte `start`: the run
    /// holding the previous record's terminator (at `start - 1`) has one break for that
    /// terminator and one per empty line; before the first record every break is an empty line.
    fn empty_lines_before(&mut self, start: u64, first: bool) -> u32 {
        let (target, own_terminator) = match (first, start.checked_sub(1)) {
            (true, _) => (start, 0),
            (false, Some(prev)) => (prev, 1),
            (false, None) => return 0,
        };
        while self.runs.front().is_some_and(|r| r.end <= target) {
            self.runs.pop_front();
        }
        match self.runs.front() {
            Some(r) if r.start <= target && (!first || r.start == start) => {
                r.breaks.saturating_sub(own_terminator)
            }
            _ => 0,
        }
    }
}

/// The longest line read: a CSV export's lines are kilobytes; a file with none ends for
/// 64 MiB (a binary file, `/dev/zero`) is refused before the record held for it grows
/// without bound.
const MAX_LINE: u64 = 64 << 20;

impl<R: Read> Read for LineBreaks<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        match buf.get(..n) {
            Some(data) if n > 0 => {
                self.scan(data);
                if let Some(i) = data.iter().rposition(|b| matches!(b, b'\r' | b'\n')) {
                    self.line_start = self.offset + i as u64 + 1;
                }
            }
            _ => self.close(self.offset),
        }
        self.offset += n as u64;
        if self.offset - self.line_start > MAX_LINE {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                format!(
                    "the line starting at byte {} runs past {} MiB without a line break; this is not a CSV export",
                    self.line_start,
                    MAX_LINE >> 20
                ),
            ));
        }
        Ok(n)
    }
}

impl<R> LineBreaks<R> {
    /// Notes the runs in `data`, which starts at `self.offset`; a run may span two reads.
    fn scan(&mut self, data: &[u8]) {
        let is_break = |b: &u8| matches!(b, b'\r' | b'\n');
        let mut at = self.offset;
        let mut rest = data;
        while !rest.is_empty() {
            if self.open.is_none() {
                let Some(skip) = rest.iter().position(is_break) else {
                    break;
                };
                at += skip as u64;
                rest = rest.get(skip..).unwrap_or_default();
                self.open = Some((at, 0, false));
            }
            let Some((_, breaks, after_cr)) = &mut self.open else {
                break;
            };
            let len = rest.iter().take_while(|b| is_break(b)).count();
            for &b in rest.iter().take(len) {
                // `\r\n` is one break: its `\n` only ends the `\r`.
                if !(b == b'\n' && *after_cr) {
                    *breaks = breaks.saturating_add(1);
                }
                *after_cr = b == b'\r';
            }
            at += len as u64;
            rest = rest.get(len..).unwrap_or_default();
            if !rest.is_empty() {
                self.close(at);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::LineBreaks;
    use std::io::Read;

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
        let limit = super::MAX_LINE;
        // Exactly the limit before a break, then the limit again to the end: read.
        let ok = std::io::repeat(b'a')
            .take(limit)
            .chain(&b"\n"[..])
            .chain(std::io::repeat(b'b').take(limit));
        assert!(drain(&mut LineBreaks::new(ok)).is_ok());
        // One byte more with no break (what /dev/zero gives): refused, saying where.
        let zeros = std::io::repeat(0).take(limit + 1);
        let err = drain(&mut LineBreaks::new(zeros)).unwrap_err();
        assert!(
            err.to_string()
                .contains("starting at byte 0 runs past 64 MiB"),
            "{err}"
        );
    }

    /// Feeds `text` in chunks of `chunk` bytes and returns the runs (start, end, breaks).
    fn runs(text: &str, chunk: usize) -> Vec<(u64, u64, u32)> {
        let mut lb = LineBreaks::new(text.as_bytes());
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
