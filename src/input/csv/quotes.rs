//! The quote guard of the CSV reader: a reader between the decoded text and the csv parser
//! that counts physical lines, remembers where records start, and spots a quoted field that
//! swallows the rest of the file or whole rows (a stray quote) before the parser hands the
//! record on.

use super::{Delimiter, MAX_QUOTED_LINES};
use crate::input::InputError;
use std::collections::VecDeque;
use std::io::{self, Read};

/// A quoted field found to swallow the file or rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum QuoteFault {
    NeverCloses {
        line: u64,
    },
    TooLong {
        opened: u64,
        closed: u64,
    },
    Swallows {
        opened: u64,
        closed: u64,
        delimiters: u64,
        columns: usize,
    },
}

impl QuoteFault {
    pub(super) fn error(self, file: &str, delimiter: Delimiter) -> InputError {
        let file = file.to_string();
        match self {
            QuoteFault::NeverCloses { line } => InputError::UnclosedQuote { file, line },
            QuoteFault::TooLong { opened, closed } => InputError::LongQuote {
                file,
                opened,
                closed,
            },
            QuoteFault::Swallows {
                opened,
                closed,
                delimiters,
                columns,
            } => InputError::SwallowingQuote {
                file,
                opened,
                closed,
                delimiters,
                delimiter: delimiter.plural(),
                columns,
            },
        }
    }
}

/// Where the quote tracker is, as the csv reader (RFC 4180) sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Quote {
    Out,
    /// Inside a quoted field opened at byte `at` on line `line`, holding `delimiters` so far;
    /// `pending`: the last byte seen is a quote, and the next one tells whether it closes the
    /// field or is the first of an escaped `""`.
    In {
        at: u64,
        line: u64,
        delimiters: u64,
        pending: bool,
    },
}

/// A quoted field that spanned a line break, from its opening to its closing quote.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Span {
    pub(super) closed_at: u64,
    pub(super) opened: u64,
    pub(super) closed: u64,
    pub(super) delimiters: u64,
}

impl Span {
    /// What is wrong with it, given the header's width once known.
    pub(super) fn fault(&self, width: Option<usize>) -> Option<QuoteFault> {
        let (opened, closed) = (self.opened, self.closed);
        if closed - opened + 1 > MAX_QUOTED_LINES {
            return Some(QuoteFault::TooLong { opened, closed });
        }
        // A one-column file has no delimiters in a row to compare with.
        let columns = width.filter(|w| *w > 1)?;
        (self.delimiters >= columns as u64 - 1).then_some(QuoteFault::Swallows {
            opened,
            closed,
            delimiters: self.delimiters,
            columns,
        })
    }
}

pub(super) fn is_break(b: u8) -> bool {
    matches!(b, b'\r' | b'\n')
}

/// A maximal run of `\r`/`\n` bytes at `[start, end)` and the line breaks in it (`\r\n`,
/// `\r` and `\n` each count one).
pub(super) struct Run {
    pub(super) start: u64,
    pub(super) end: u64,
    pub(super) breaks: u32,
}

/// Passes bytes through while noting where line breaks run and where quoted fields open and
/// close. The csv reader skips empty lines without a trace; the runs tell how many it skipped
/// before a record, so row numbers match what Excel shows. The quotes are tracked as the csv
/// reader reads them, so a field that swallows rows is caught in the record holding it.
pub(super) struct LineBreaks<R> {
    pub(super) inner: R,
    pub(super) delimiter: u8,
    pub(super) offset: u64,
    /// Where the current line started: just past the last line break read.
    pub(super) line_start: u64,
    /// The run being read: start, breaks so far, last byte was `\r`.
    pub(super) open: Option<(u64, u32, bool)>,
    pub(super) runs: VecDeque<Run>,
    /// Line breaks in the closed runs: a byte outside a run is on line `breaks + 1`.
    pub(super) breaks: u64,
    /// The last byte read (`None` before the first): whether a quote at the start of a read
    /// opens a field depends on the byte before it.
    pub(super) last: Option<u8>,
    pub(super) quote: Quote,
    /// Quoted fields that spanned a line break, closed, awaiting the record that holds them.
    pub(super) spans: VecDeque<Span>,
    /// The line where a quoted field opened that has run past `MAX_QUOTED_LINES`: the next
    /// read finds where it closes, then fails.
    pub(super) runaway: Option<u64>,
    /// Why the reads failed, for the caller's message.
    pub(super) fault: Option<QuoteFault>,
    pub(super) eof: bool,
}

impl<R> LineBreaks<R> {
    pub(super) fn new(inner: R, delimiter: u8) -> Self {
        LineBreaks {
            inner,
            delimiter,
            offset: 0,
            line_start: 0,
            open: None,
            runs: VecDeque::new(),
            breaks: 0,
            last: None,
            quote: Quote::Out,
            spans: VecDeque::new(),
            runaway: None,
            fault: None,
            eof: false,
        }
    }

    pub(super) fn close(&mut self, end: u64) {
        if let Some((start, breaks, _)) = self.open.take() {
            self.breaks = self.breaks.saturating_add(u64::from(breaks));
            self.runs.push_back(Run { start, end, breaks });
        }
    }

    /// The physical lines read so far.
    pub(super) fn lines(&self) -> u64 {
        let open = self.open.map_or(0, |(_, breaks, _)| u64::from(breaks));
        let unterminated = self.last.is_some_and(|b| !is_break(b));
        self.breaks + open + u64::from(unterminated)
    }

    /// The fault of the record ending at byte `end`, checked with the header's `width` known
    /// so far: a multi-line quoted field in it that is too long or holds whole rows, or a
    /// quote opened in it that the file never closes.
    pub(super) fn fault_in(&mut self, end: u64, width: Option<usize>) -> Option<QuoteFault> {
        while let Some(span) = self.spans.front().copied() {
            if span.closed_at >= end {
                break;
            }
            self.spans.pop_front();
            if let Some(fault) = span.fault(width) {
                return Some(fault);
            }
        }
        match self.quote {
            Quote::In { at, line, .. } if self.eof && at < end => {
                Some(QuoteFault::NeverCloses { line })
            }
            _ => None,
        }
    }

    /// The input ended: a run or a pending closing quote ends with it.
    pub(super) fn end(&mut self) {
        self.close(self.offset);
        if let Quote::In { pending: true, .. } = self.quote {
            self.close_quote(self.offset.saturating_sub(1));
        }
        self.eof = true;
    }

    /// The quoted field closes at byte `at`, on the current line (a quote is no break).
    pub(super) fn close_quote(&mut self, at: u64) {
        if let Quote::In {
            line, delimiters, ..
        } = self.quote
        {
            let closed = self.breaks + 1;
            if closed > line {
                self.spans.push_back(Span {
                    closed_at: at,
                    opened: line,
                    closed,
                    delimiters,
                });
            }
        }
        self.quote = Quote::Out;
    }

    /// Empty lines skipped before the record whose read started at byte `start`: the run
    /// holding the previous record's terminator (at `start - 1`) has one break for that
    /// terminator and one per empty line; before the first record every break is an empty line.
    pub(super) fn empty_lines_before(&mut self, start: u64, first: bool) -> u32 {
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
pub(super) const MAX_LINE: u64 = 64 << 20;

impl<R: Read> LineBreaks<R> {
    /// Reads on, scanning only, to where the runaway quoted field closes or the file ends,
    /// and notes the fault: the csv reader would hold all of it as one value.
    pub(super) fn fail(&mut self) -> io::Error {
        let mut chunk = vec![0; 64 << 10];
        while matches!(self.quote, Quote::In { .. }) && !self.eof {
            match self.inner.read(&mut chunk) {
                Ok(0) => self.end(),
                Ok(n) => {
                    self.scan(chunk.get(..n).unwrap_or_default());
                    self.offset += n as u64;
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return e,
            }
        }
        let fault = match (self.quote, self.runaway) {
            (Quote::In { line, .. }, _) => QuoteFault::NeverCloses { line },
            (Quote::Out, opened) => {
                let closed = self
                    .spans
                    .iter()
                    .rev()
                    .find(|s| Some(s.opened) == opened)
                    .map_or(self.breaks + 1, |s| s.closed);
                QuoteFault::TooLong {
                    opened: opened.unwrap_or(closed),
                    closed,
                }
            }
        };
        self.fault = Some(fault);
        io::Error::new(io::ErrorKind::InvalidData, "a quoted field runs away")
    }
}

impl<R: Read> Read for LineBreaks<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        // Raised on the read after the one that found it, so the csv reader has delivered the
        // records before the runaway field: a probe that stops before it never sees it.
        if self.runaway.is_some() {
            return Err(self.fail());
        }
        let n = self.inner.read(buf)?;
        match buf.get(..n) {
            Some(data) if n > 0 => {
                self.scan(data);
                if let Some(i) = memchr::memrchr2(b'\r', b'\n', data) {
                    self.line_start = self.offset + i as u64 + 1;
                }
            }
            _ => self.end(),
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
    /// Notes the runs of line breaks and the quoted fields in `data`, which starts at
    /// `self.offset`; a run, a field or a `""` may span two reads. memchr finds the bytes
    /// that matter (`"`, `\r`, `\n`), so plain text costs no per-byte work.
    pub(super) fn scan(&mut self, data: &[u8]) {
        let mut i = 0;
        loop {
            if let Quote::In { pending, .. } = &mut self.quote
                && *pending
            {
                match data.get(i) {
                    None => break,
                    // `""`: an escaped quote; the field goes on.
                    Some(b'"') => {
                        *pending = false;
                        i += 1;
                        continue;
                    }
                    Some(_) => self.close_quote((self.offset + i as u64).saturating_sub(1)),
                }
            }
            let Some(&b) = data.get(i) else {
                break;
            };
            if self.open.is_some() || is_break(b) {
                i = self.run(data, i);
                continue;
            }
            let rest = data.get(i..).unwrap_or_default();
            let found = memchr::memchr3(b'"', b'\r', b'\n', rest);
            self.count_delimiters(rest.get(..found.unwrap_or(rest.len())).unwrap_or_default());
            let Some(k) = found else {
                break;
            };
            let p = i + k;
            if data.get(p) == Some(&b'"') {
                match &mut self.quote {
                    Quote::Out => {
                        // A quote opens a field only at its start: after a delimiter, a line
                        // break or the start of the file; elsewhere it is a literal `"`.
                        let before = match p.checked_sub(1) {
                            Some(q) => data.get(q).copied(),
                            None => self.last,
                        };
                        if before.is_none_or(|c| is_break(c) || c == self.delimiter) {
                            self.quote = Quote::In {
                                at: self.offset + p as u64,
                                line: self.breaks + 1,
                                delimiters: 0,
                                pending: false,
                            };
                        }
                    }
                    Quote::In { pending, .. } => *pending = true,
                }
                i = p + 1;
            } else {
                i = p;
            }
        }
        if let Some(&b) = data.last() {
            self.last = Some(b);
        }
    }

    /// Counts the delimiters in `bytes` when they are inside a quoted field.
    pub(super) fn count_delimiters(&mut self, bytes: &[u8]) {
        let delimiter = self.delimiter;
        if let Quote::In { delimiters, .. } = &mut self.quote {
            let n = memchr::memchr_iter(delimiter, bytes).count() as u64;
            *delimiters = delimiters.saturating_add(n);
        }
    }

    /// Reads the run of line breaks at `data[i..]` (or the end of one open from the last
    /// read), closing it when another byte follows; returns where it ends.
    pub(super) fn run(&mut self, data: &[u8], i: usize) -> usize {
        let at = self.offset + i as u64;
        let rest = data.get(i..).unwrap_or_default();
        let len = rest.iter().take_while(|b| is_break(**b)).count();
        let (_, breaks, after_cr) = self.open.get_or_insert((at, 0, false));
        for &b in rest.iter().take(len) {
            // `\r\n` is one break: its `\n` only ends the `\r`.
            if !(b == b'\n' && *after_cr) {
                *breaks = breaks.saturating_add(1);
            }
            *after_cr = b == b'\r';
        }
        let now = self.breaks + u64::from(*breaks) + 1;
        if let Quote::In { line, .. } = self.quote
            && now - line + 1 > MAX_QUOTED_LINES
        {
            self.runaway = Some(line);
        }
        if len < rest.len() {
            self.close(at + len as u64);
        }
        i + len
    }
}
