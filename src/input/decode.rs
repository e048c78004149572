//! Text encodings of CSV exports: which one a file is in, told from its first bytes, and a
//! reader that hands the csv parser UTF-8, transcoding (with encoding_rs) only files that are
//! not UTF-8 already.

use super::InputError;
use encoding_rs::{CoderResult, Decoder, DecoderResult, Encoding, GB18030, UTF_8, UTF_16BE};
use std::io::{self, Chain, Cursor, Read};

/// How much of a file the encoding is told from: enough for hundreds of rows, and read once
/// (the bytes are then read again from memory, not from the file).
const PREFIX: usize = 64 << 10;

/// A prefix that is neither clean UTF-8 nor clean GB18030 is still read in the closer of the
/// two when at most one byte in this many does not decode: a UTF-8 export with a stray bad byte
/// is text with one damaged cell (that row becomes an exception), not a file to refuse.
/// Binary data and text in other encodings are far above it.
const DAMAGE_RATIO: usize = 32;

/// An encoding billrun reads CSV exports in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Charset {
    Utf8,
    /// UTF-8 behind a byte-order mark (Excel's "CSV UTF-8"); the mark is dropped.
    Utf8Bom,
    Utf16Le,
    Utf16Be,
    /// GB18030, a superset of GBK: what Excel on Chinese Windows saves as plain "CSV".
    Gb18030,
}

impl Charset {
    /// The name a run summary shows.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Charset::Utf8 => "UTF-8",
            Charset::Utf8Bom => "UTF-8 (BOM)",
            Charset::Utf16Le => "UTF-16LE",
            Charset::Utf16Be => "UTF-16BE",
            Charset::Gb18030 => "GB18030",
        }
    }

    /// True when the bytes go through a decoder: a sequence that does not decode is then
    /// U+FFFD in the text, which a cell must not pass on as good text.
    pub(crate) fn transcoded(self) -> bool {
        !matches!(self, Charset::Utf8 | Charset::Utf8Bom)
    }
}

/// A file's bytes (the prefix already read, then the rest) as UTF-8.
pub(crate) struct Text<R> {
    charset: Charset,
    source: Source<R>,
}

enum Source<R> {
    /// UTF-8 passes through untouched: the hot path, no per-byte work.
    Plain(Chain<Cursor<Vec<u8>>, R>),
    Transcoded(Box<Transcode<Chain<Cursor<Vec<u8>>, R>>>),
}

impl<R> Text<R> {
    pub(crate) fn charset(&self) -> Charset {
        self.charset
    }
}

impl<R: Read> Read for Text<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match &mut self.source {
            Source::Plain(r) => r.read(buf),
            Source::Transcoded(r) => r.read(buf),
        }
    }
}

/// Reads the first bytes of `inner`, tells its encoding, and returns a reader of the whole
/// file as UTF-8 (a byte-order mark dropped).
///
/// # Errors
/// [`InputError::Open`] when the first bytes cannot be read, [`InputError::NotText`] when
/// they are not text in any encoding billrun reads.
pub(crate) fn open<R: Read>(mut inner: R, file: &str) -> Result<Text<R>, InputError> {
    let mut prefix = Vec::with_capacity(PREFIX);
    (&mut inner)
        .take(PREFIX as u64)
        .read_to_end(&mut prefix)
        .map_err(|source| InputError::Open {
            file: file.to_string(),
            source,
        })?;
    let at_eof = prefix.len() < PREFIX;
    let (charset, bom) = detect(&prefix, at_eof).ok_or_else(|| InputError::NotText {
        file: file.to_string(),
    })?;
    let mut head = Cursor::new(prefix);
    head.set_position(bom as u64);
    let bytes = head.chain(inner);
    let source = match charset {
        Charset::Utf8 | Charset::Utf8Bom => Source::Plain(bytes),
        Charset::Utf16Le => {
            Source::Transcoded(Box::new(Transcode::new(bytes, encoding_rs::UTF_16LE)))
        }
        Charset::Utf16Be => Source::Transcoded(Box::new(Transcode::new(bytes, UTF_16BE))),
        Charset::Gb18030 => Source::Transcoded(Box::new(Transcode::new(bytes, GB18030))),
    };
    Ok(Text { charset, source })
}

/// The encoding of a file starting with `prefix` and the length of its byte-order mark, or
/// `None` when it is not text. `at_eof`: the prefix is the whole file, so a multi-byte
/// character cut at its end is an error rather than the cut of the read.
fn detect(prefix: &[u8], at_eof: bool) -> Option<(Charset, usize)> {
    if let Some((encoding, bom)) = Encoding::for_bom(prefix) {
        let charset = if encoding == UTF_8 {
            Charset::Utf8Bom
        } else if encoding == UTF_16BE {
            Charset::Utf16Be
        } else {
            Charset::Utf16Le
        };
        return Some((charset, bom));
    }
    // Text has no NUL: these are UTF-16 without a mark, or binary (a zip, a PDF).
    if memchr::memchr(0, prefix).is_some() {
        return None;
    }
    let utf8 = bad_bytes(UTF_8, prefix, at_eof);
    if utf8 == 0 {
        return Some((Charset::Utf8, 0));
    }
    let gb = bad_bytes(GB18030, prefix, at_eof);
    if gb == 0 {
        return Some((Charset::Gb18030, 0));
    }
    // Ties go to UTF-8: no transcoding, and the bad bytes end as bad cells either way.
    let (charset, bad) = if utf8 <= gb {
        (Charset::Utf8, utf8)
    } else {
        (Charset::Gb18030, gb)
    };
    (bad.saturating_mul(DAMAGE_RATIO) <= prefix.len()).then_some((charset, 0))
}

/// How many bytes of `bytes` do not decode in `encoding` (a sequence cut at the end counts
/// only when `last`).
fn bad_bytes(encoding: &'static Encoding, bytes: &[u8], last: bool) -> usize {
    let mut decoder = encoding.new_decoder_without_bom_handling();
    let mut out = vec![0; 16 << 10];
    let mut rest = bytes;
    let mut bad = 0usize;
    loop {
        let (result, read, _) = decoder.decode_to_utf8_without_replacement(rest, &mut out, last);
        rest = rest.get(read..).unwrap_or_default();
        match result {
            DecoderResult::InputEmpty => return bad,
            DecoderResult::OutputFull => {}
            DecoderResult::Malformed(len, _) => bad = bad.saturating_add(usize::from(len)),
        }
    }
}

/// Decodes `inner` to UTF-8 as it is read; a sequence that does not decode becomes U+FFFD.
struct Transcode<R> {
    inner: R,
    decoder: Decoder,
    input: Vec<u8>,
    /// `input[in_at..in_end]` is read but not yet decoded.
    in_at: usize,
    in_end: usize,
    output: Vec<u8>,
    /// `output[out_at..out_end]` is decoded but not yet handed out.
    out_at: usize,
    out_end: usize,
    /// `inner` has ended.
    eof: bool,
    /// The decoder has been told the input ended and has flushed.
    finished: bool,
}

impl<R> Transcode<R> {
    fn new(inner: R, encoding: &'static Encoding) -> Self {
        const CHUNK: usize = 32 << 10;
        Transcode {
            inner,
            decoder: encoding.new_decoder_without_bom_handling(),
            input: vec![0; CHUNK],
            in_at: 0,
            in_end: 0,
            // Decoding into a buffer of our own, not the caller's, means a caller's tiny buffer
            // never leaves the decoder without room for one character.
            output: vec![0; 3 * CHUNK + 16],
            out_at: 0,
            out_end: 0,
            eof: false,
            finished: false,
        }
    }
}

impl<R: Read> Transcode<R> {
    /// Decodes the next piece into `output` (reading from `inner` when all read is decoded).
    fn fill(&mut self) -> io::Result<()> {
        if self.in_at == self.in_end && !self.eof {
            let n = self.inner.read(&mut self.input)?;
            self.in_at = 0;
            self.in_end = n;
            self.eof = n == 0;
        }
        let src = self.input.get(self.in_at..self.in_end).unwrap_or_default();
        let (result, read, written, _) =
            self.decoder.decode_to_utf8(src, &mut self.output, self.eof);
        self.in_at += read;
        self.out_at = 0;
        self.out_end = written;
        if self.eof && result == CoderResult::InputEmpty {
            self.finished = true;
        }
        Ok(())
    }
}

impl<R: Read> Read for Transcode<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        while self.out_at == self.out_end {
            if self.finished {
                return Ok(0);
            }
            self.fill()?;
        }
        let ready = self
            .output
            .get(self.out_at..self.out_end)
            .unwrap_or_default();
        let n = ready.len().min(buf.len());
        if let (Some(to), Some(from)) = (buf.get_mut(..n), ready.get(..n)) {
            to.copy_from_slice(from);
        }
        self.out_at += n;
        Ok(n)
    }
}

/// Test fixtures: text in the encodings a CSV may come in.
#[cfg(test)]
pub(crate) mod fixtures {
    use encoding_rs::GB18030;

    pub(crate) fn utf16(text: &str, big_endian: bool) -> Vec<u8> {
        let mut bytes = if big_endian {
            vec![0xFE, 0xFF]
        } else {
            vec![0xFF, 0xFE]
        };
        for unit in text.encode_utf16() {
            bytes.extend(if big_endian {
                unit.to_be_bytes()
            } else {
                unit.to_le_bytes()
            });
        }
        bytes
    }

    pub(crate) fn gbk(text: &str) -> Vec<u8> {
        let (bytes, _, unmappable) = GB18030.encode(text);
        assert!(!unmappable);
        bytes.into_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::fixtures::{gbk, utf16};
    use super::*;

    /// Reads `bytes` through `open`, `chunk` bytes at a time: the encoding and the text.
    fn decode(bytes: Vec<u8>, chunk: usize) -> Result<(&'static str, String), InputError> {
        let mut text = open(Cursor::new(bytes), "o.csv")?;
        let mut out = Vec::new();
        let mut buf = vec![0; chunk];
        loop {
            let n = text.read(&mut buf).unwrap();
            if n == 0 {
                break;
            }
            out.extend_from_slice(&buf[..n]);
        }
        Ok((text.charset().name(), String::from_utf8(out).unwrap()))
    }

    const CSV: &str = "订单号,客户ID,金额\nO1,A1,\"1,000\"\n";

    #[test]
    fn boms_pick_the_encoding_and_are_dropped() {
        let mut bom = b"\xEF\xBB\xBF".to_vec();
        bom.extend_from_slice(CSV.as_bytes());
        for chunk in [1, 2, 3, 8192] {
            assert_eq!(
                decode(bom.clone(), chunk).unwrap(),
                ("UTF-8 (BOM)", CSV.into())
            );
            assert_eq!(
                decode(utf16(CSV, false), chunk).unwrap(),
                ("UTF-16LE", CSV.into())
            );
            assert_eq!(
                decode(utf16(CSV, true), chunk).unwrap(),
                ("UTF-16BE", CSV.into())
            );
        }
    }

    #[test]
    fn utf8_without_a_bom_passes_through() {
        assert_eq!(decode(CSV.into(), 8192).unwrap(), ("UTF-8", CSV.into()));
        assert_eq!(decode(Vec::new(), 8192).unwrap(), ("UTF-8", String::new()));
        let text = open(Cursor::new(CSV.as_bytes().to_vec()), "o.csv").unwrap();
        assert!(matches!(text.source, Source::Plain(_)));
    }

    #[test]
    fn gbk_is_read_as_gb18030() {
        let bytes = gbk(CSV);
        assert!(std::str::from_utf8(&bytes).is_err());
        for chunk in [1, 5, 8192] {
            assert_eq!(
                decode(bytes.clone(), chunk).unwrap(),
                ("GB18030", CSV.into())
            );
        }
        // A four-byte GB18030 sequence (outside GBK) too.
        let rare = "客户,€,𠀀\n";
        assert_eq!(decode(gbk(rare), 3).unwrap(), ("GB18030", rare.into()));
    }

    /// A character cut by the prefix's end is the read's cut, not an error: the file is UTF-8.
    #[test]
    fn a_character_cut_at_the_prefix_end_is_still_utf8() {
        for cut in 1..3 {
            let mut text = "a".repeat(PREFIX - cut);
            text.push('订');
            text.push_str(",x\n");
            let bytes = text.clone().into_bytes();
            assert_eq!(
                &bytes[PREFIX - 1..PREFIX + 2 - cut],
                &"订".as_bytes()[cut - 1..2]
            );
            assert_eq!(decode(bytes, 8192).unwrap(), ("UTF-8", text));
        }
        // The same cut at the end of a whole file is an error byte; the text is then GB18030
        // only if it decodes as such, else UTF-8 with the one damaged byte.
        assert_eq!(detect(b"ab,c\xE8\xAE", false), Some((Charset::Utf8, 0)));
        assert_eq!(detect(b"ab,c\xE8\xAE", true), Some((Charset::Gb18030, 0)));
    }

    #[test]
    fn a_bad_sequence_after_the_prefix_becomes_a_replacement_character() {
        let mut bytes = gbk(CSV);
        while bytes.len() < PREFIX + 100 {
            bytes.extend_from_slice(&gbk("O2,客户,100\n"));
        }
        bytes.extend_from_slice(b"O3,\xFF\xFF,100\n");
        let (name, text) = decode(bytes, 8192).unwrap();
        assert_eq!(name, "GB18030");
        assert!(
            text.ends_with("客户,100\nO3,\u{FFFD}\u{FFFD},100\n"),
            "{}",
            &text[text.len() - 40..]
        );
    }

    #[test]
    fn binary_and_unknown_encodings_are_not_text() {
        let not_text = |bytes: Vec<u8>| match decode(bytes, 8192) {
            Err(e @ InputError::NotText { .. }) => e.to_string(),
            other => panic!("{other:?}"),
        };
        let msg = not_text(vec![0; 1000]);
        assert_eq!(
            msg,
            "o.csv: the file is not text in any encoding billrun reads \
             (tried UTF-8, UTF-16 with a byte-order mark, and GB18030/GBK); \
             save it as CSV UTF-8 from Excel, or export it again"
        );
        // UTF-16 without its mark.
        let mut no_bom = utf16(CSV, false);
        no_bom.drain(..2);
        not_text(no_bom);
        // A zip (an .xlsx renamed .csv).
        not_text(b"PK\x03\x04\x14\x00\x06\x00".to_vec());
        // No NUL, but bytes that decode in neither encoding.
        not_text((0..4000).map(|i| [0xFF, 0x80, b'a', 0xC3][i % 4]).collect());
    }

    #[test]
    fn a_stray_byte_in_utf8_text_keeps_it_utf8() {
        let mut bytes = "order_id,account_id\n".repeat(4).into_bytes();
        bytes.extend_from_slice(b"O1,A\xFF\n");
        assert_eq!(detect(&bytes, true), Some((Charset::Utf8, 0)));
        // One bad byte in eight is not a damaged cell but another encoding: refused.
        assert_eq!(detect(&b"abcdefg\xFF".repeat(10), true), None);
    }
}
