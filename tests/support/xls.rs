//! `.xls` writer: BIFF8 records in the `Workbook` stream of an OLE2 compound file, written by hand so tests need no Excel and no committed binaries.
//!
//! Holds: text (shared-string table, UTF-16 so any script round-trips),
//! numbers, dates (a custom `yyyy-mm-dd` FORMAT), percents (built-in format
//! 9, `0%`), formulas with a cached number (see `formula.rs` for the
//! supported syntax), hidden sheets, merged regions, several sheets.
//! Cannot hold `V::FormulaNoValue`: a BIFF8 FORMULA record always carries a
//! cached result, so the writer panics rather than invent one.

use super::{SharedStrings, Sheet, V, excel_serial, first_visible, formula};

/// Longest record body BIFF8 allows; longer data goes on in CONTINUE records.
const MAX_RECORD: usize = 8224;

/// XF indexes: 0..=14 are the style XFs and 15 the default cell XF that
/// every BIFF8 file carries; ours come after.
const XF_GENERAL: u16 = 15;
const XF_DATE: u16 = 16;
const XF_PERCENT: u16 = 17;
/// First user-defined number format index.
const FMT_DATE: u16 = 164;

fn rec(out: &mut Vec<u8>, typ: u16, body: &[u8]) {
    assert!(body.len() <= MAX_RECORD, "record 0x{typ:04X} too long");
    out.extend_from_slice(&typ.to_le_bytes());
    out.extend_from_slice(&(body.len() as u16).to_le_bytes());
    out.extend_from_slice(body);
}

fn u16le(v: &mut Vec<u8>, x: u16) {
    v.extend_from_slice(&x.to_le_bytes());
}

fn u32le(v: &mut Vec<u8>, x: u32) {
    v.extend_from_slice(&x.to_le_bytes());
}

fn utf16(s: &str) -> Vec<u8> {
    s.encode_utf16().flat_map(u16::to_le_bytes).collect()
}

/// BOF: BIFF8 (0x0600) with the substream type (5 globals, 0x10 sheet).
fn bof(out: &mut Vec<u8>, dt: u16) {
    let mut b = Vec::new();
    u16le(&mut b, 0x0600);
    u16le(&mut b, dt);
    u16le(&mut b, 0x0DBB); // build and year of Excel 97, as most writers claim
    u16le(&mut b, 0x07CC);
    u32le(&mut b, 0x0000_0041); // file history flags
    u32le(&mut b, 0x0000_0006); // lowest BIFF version that can read it
    rec(out, 0x0809, &b);
}

/// XLUnicodeString: cch u16, fHighByte = 1, UTF-16LE.
fn unicode_string(s: &str) -> Vec<u8> {
    let mut b = Vec::new();
    u16le(&mut b, s.encode_utf16().count() as u16);
    b.push(1);
    b.extend(utf16(s));
    b
}

fn xf(out: &mut Vec<u8>, ifmt: u16, style: bool, used_num: bool) {
    let mut b = Vec::new();
    u16le(&mut b, 0); // font 0
    u16le(&mut b, ifmt);
    // locked; a style XF has fStyle and parent 0xFFF, a cell XF parent 0.
    u16le(&mut b, if style { 0xFFF5 } else { 0x0001 });
    b.push(0x20); // bottom-aligned, as Excel's default
    b.push(0); // rotation
    b.push(0); // indent
    // fAtrNum: this cell XF sets its own number format, not the style's.
    b.push(if used_num { 0x04 } else { 0x00 });
    u32le(&mut b, 0); // no borders
    u32le(&mut b, 0);
    u16le(&mut b, 0x20C0); // default pattern colours (system fore/back)
    rec(out, 0x00E0, &b);
}

/// SST with CONTINUE records: a string that would cross the record limit
/// goes on in the next record, which repeats the option byte first.
fn sst(out: &mut Vec<u8>, sst: &SharedStrings) {
    let mut records: Vec<Vec<u8>> = vec![Vec::new()];
    {
        let cur = records.last_mut().unwrap();
        u32le(cur, sst.total);
        u32le(cur, sst.list.len() as u32);
    }
    for s in &sst.list {
        let units: Vec<u16> = s.encode_utf16().collect();
        // The header (cch + flags) must not be split from its first char.
        if records.last().unwrap().len() + 5 > MAX_RECORD {
            records.push(Vec::new());
        }
        let cur = records.last_mut().unwrap();
        u16le(cur, units.len() as u16);
        cur.push(1);
        for u in units {
            if records.last().unwrap().len() + 2 > MAX_RECORD {
                records.push(vec![1]);
            }
            u16le(records.last_mut().unwrap(), u);
        }
    }
    for (i, r) in records.iter().enumerate() {
        rec(out, if i == 0 { 0x00FC } else { 0x003C }, r);
    }
}

fn globals(sheets: &[Sheet], strings: &SharedStrings, positions: &[u32]) -> Vec<u8> {
    let mut out = Vec::new();
    bof(&mut out, 0x0005);
    rec(&mut out, 0x0042, &1200u16.to_le_bytes()); // CODEPAGE: UTF-16
    // WINDOW1: the active tab must be a visible sheet.
    let mut w = Vec::new();
    for x in [0u16, 0, 0x4000, 0x2000, 0x0038] {
        u16le(&mut w, x);
    }
    u16le(&mut w, first_visible(sheets) as u16);
    u16le(&mut w, 0); // first visible tab in the tab bar
    u16le(&mut w, 1); // selected tabs
    u16le(&mut w, 600); // tab bar width ratio
    rec(&mut out, 0x003D, &w);
    rec(&mut out, 0x0022, &0u16.to_le_bytes()); // DATEMODE: 1900
    // FONT x4: Excel skips index 4, so four records cover every XF here.
    for _ in 0..4 {
        let mut f = Vec::new();
        for x in [200u16, 0, 0x7FFF, 400, 0] {
            u16le(&mut f, x);
        }
        f.extend_from_slice(&[0, 0, 0, 0]);
        f.push(5);
        f.push(0);
        f.extend_from_slice(b"Arial");
        rec(&mut out, 0x0031, &f);
    }
    let mut fmt = Vec::new();
    u16le(&mut fmt, FMT_DATE);
    fmt.extend(unicode_string("yyyy\\-mm\\-dd"));
    rec(&mut out, 0x041E, &fmt);
    for _ in 0..15 {
        xf(&mut out, 0, true, false);
    }
    xf(&mut out, 0, false, false);
    xf(&mut out, FMT_DATE, false, true);
    xf(&mut out, 9, false, true);
    // STYLE: built-in "Normal" on XF 0.
    rec(&mut out, 0x0293, &[0x00, 0x80, 0x00, 0xFF]);
    for (sheet, pos) in sheets.iter().zip(positions) {
        let mut b = Vec::new();
        u32le(&mut b, *pos);
        b.push(u8::from(sheet.hidden));
        b.push(0); // worksheet
        let units = sheet.name.encode_utf16().count();
        assert!(
            units <= 31,
            "sheet name {:?} longer than Excel allows",
            sheet.name
        );
        b.push(units as u8);
        b.push(1);
        b.extend(utf16(&sheet.name));
        rec(&mut out, 0x0085, &b);
    }
    sst(&mut out, strings);
    rec(&mut out, 0x000A, &[]);
    out
}

fn cell_header(b: &mut Vec<u8>, row: u32, col: u32, xf: u16) {
    assert!(
        row < 65536 && col < 256,
        "xls holds 65536 rows x 256 columns"
    );
    u16le(b, row as u16);
    u16le(b, col as u16);
    u16le(b, xf);
}

fn number(out: &mut Vec<u8>, row: u32, col: u32, xf: u16, v: f64) {
    let mut b = Vec::new();
    cell_header(&mut b, row, col, xf);
    b.extend_from_slice(&v.to_le_bytes());
    rec(out, 0x0203, &b);
}

fn worksheet(sheet: &Sheet, strings: &SharedStrings, selected: bool) -> Vec<u8> {
    let mut out = Vec::new();
    bof(&mut out, 0x0010);
    let mut d = Vec::new();
    let (r0, c0, r1, c1) = sheet.used_range().unwrap_or((0, 0, 0, 0));
    let empty = sheet.used_range().is_none();
    u32le(&mut d, r0);
    u32le(&mut d, if empty { 0 } else { r1 + 1 });
    u16le(&mut d, c0 as u16);
    u16le(&mut d, if empty { 0 } else { c1 as u16 + 1 });
    u16le(&mut d, 0);
    rec(&mut out, 0x0200, &d);
    for (row, col, v) in sheet.cells() {
        match v {
            V::Empty => {}
            V::Text(s) => {
                let mut b = Vec::new();
                cell_header(&mut b, row, col, XF_GENERAL);
                u32le(&mut b, strings.get(s));
                rec(&mut out, 0x00FD, &b);
            }
            V::Num(x) => number(&mut out, row, col, XF_GENERAL, *x),
            V::Percent(x) => number(&mut out, row, col, XF_PERCENT, *x),
            V::Date(y, m, dd) => number(&mut out, row, col, XF_DATE, excel_serial(*y, *m, *dd)),
            V::FormulaWithValue(f, x) => {
                let rgce = formula::biff8(f);
                let mut b = Vec::new();
                cell_header(&mut b, row, col, XF_GENERAL);
                b.extend_from_slice(&x.to_le_bytes());
                u16le(&mut b, 0x0002); // fCalcOnLoad: let Excel recompute
                u32le(&mut b, 0);
                u16le(&mut b, rgce.len() as u16);
                b.extend(rgce);
                rec(&mut out, 0x0006, &b);
            }
            V::FormulaNoValue(f) => {
                panic!("xls cannot hold a formula without a cached value ({f:?}); use xlsx or ods")
            }
        }
    }
    // WINDOW2: gridlines, headers, zeros, automatic grid colour; the
    // active sheet is also marked selected.
    let mut w = Vec::new();
    u16le(&mut w, if selected { 0x06B6 } else { 0x00B6 });
    for x in [0u16, 0, 64, 0, 0, 0, 0, 0] {
        u16le(&mut w, x);
    }
    rec(&mut out, 0x023E, &w);
    for chunk in sheet.merges.chunks(1026) {
        let mut b = Vec::new();
        u16le(&mut b, chunk.len() as u16);
        for &(fr, fc, lr, lc) in chunk {
            for x in [fr, lr, fc, lc] {
                u16le(&mut b, x as u16);
            }
        }
        rec(&mut out, 0x00E5, &b);
    }
    rec(&mut out, 0x000A, &[]);
    out
}

/// The BIFF8 `Workbook` stream.
fn workbook_stream(sheets: &[Sheet]) -> Vec<u8> {
    let strings = SharedStrings::collect(sheets);
    let active = first_visible(sheets);
    let bodies: Vec<Vec<u8>> = sheets
        .iter()
        .enumerate()
        .map(|(i, s)| worksheet(s, &strings, i == active))
        .collect();
    // BOUNDSHEET holds each sheet's stream offset, which depends on the
    // globals' own length: lay out once with zeros (same length), then fix.
    let glen = globals(sheets, &strings, &vec![0; sheets.len()]).len() as u32;
    let mut positions = Vec::new();
    let mut at = glen;
    for b in &bodies {
        positions.push(at);
        at += b.len() as u32;
    }
    let mut out = globals(sheets, &strings, &positions);
    for b in bodies {
        out.extend(b);
    }
    out
}

/// The workbook as `.xls` bytes.
pub fn xls(sheets: &[Sheet]) -> Vec<u8> {
    compound_file("Workbook", workbook_stream(sheets))
}

const ENDOFCHAIN: u32 = 0xFFFF_FFFE;
const FREESECT: u32 = 0xFFFF_FFFF;
const FATSECT: u32 = 0xFFFF_FFFD;
const NOSTREAM: u32 = 0xFFFF_FFFF;
const SECTOR: usize = 512;

/// A version-3 compound file (512-byte sectors) holding one stream.
///
/// Layout: header, FAT sectors, one directory sector (root + stream), then
/// the stream. The stream is padded to 4096 bytes at least, as Excel does,
/// so it lives in regular sectors and no mini stream is needed.
fn compound_file(name: &str, mut stream: Vec<u8>) -> Vec<u8> {
    if stream.len() < 4096 {
        stream.resize(4096, 0);
    }
    let stream_secs = stream.len().div_ceil(SECTOR);
    stream.resize(stream_secs * SECTOR, 0);
    let mut fat_secs = 1;
    while fat_secs * (SECTOR / 4) < fat_secs + 1 + stream_secs {
        fat_secs += 1;
    }
    assert!(fat_secs <= 109, "stream too large for a header-only DIFAT");
    let dir_sec = fat_secs as u32;
    let first_stream = dir_sec + 1;

    let mut fat = vec![FATSECT; fat_secs];
    fat.push(ENDOFCHAIN); // directory
    for i in 0..stream_secs as u32 {
        fat.push(if i + 1 == stream_secs as u32 {
            ENDOFCHAIN
        } else {
            first_stream + i + 1
        });
    }
    fat.resize(fat_secs * SECTOR / 4, FREESECT);

    let mut out = Vec::with_capacity(SECTOR * (1 + fat_secs + 1 + stream_secs));
    out.extend_from_slice(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]);
    out.extend_from_slice(&[0; 16]); // CLSID
    u16le(&mut out, 0x003E); // minor version
    u16le(&mut out, 0x0003); // major version 3
    u16le(&mut out, 0xFFFE); // little-endian
    u16le(&mut out, 9); // 512-byte sectors
    u16le(&mut out, 6); // 64-byte mini sectors
    out.extend_from_slice(&[0; 6]);
    u32le(&mut out, 0); // directory sector count: 0 in version 3
    u32le(&mut out, fat_secs as u32);
    u32le(&mut out, dir_sec);
    u32le(&mut out, 0); // transaction signature
    u32le(&mut out, 4096); // mini stream cutoff
    u32le(&mut out, ENDOFCHAIN); // no mini FAT
    u32le(&mut out, 0);
    u32le(&mut out, ENDOFCHAIN); // no DIFAT sectors
    u32le(&mut out, 0);
    for i in 0..109 {
        u32le(&mut out, if i < fat_secs { i as u32 } else { FREESECT });
    }
    assert_eq!(out.len(), SECTOR);
    for x in fat {
        u32le(&mut out, x);
    }
    dir_entry(&mut out, "Root Entry", 5, 1, ENDOFCHAIN, 0);
    dir_entry(
        &mut out,
        name,
        2,
        NOSTREAM,
        first_stream,
        stream.len() as u32,
    );
    // Two unused entries fill the 512-byte sector.
    for _ in 0..2 {
        let mut e = vec![0u8; 128];
        e[68..80].copy_from_slice(&[0xFF; 12]);
        out.extend(e);
    }
    out.extend(stream);
    out
}

fn dir_entry(out: &mut Vec<u8>, name: &str, typ: u8, child: u32, start: u32, size: u32) {
    let mut e = Vec::with_capacity(128);
    let mut n = utf16(name);
    n.extend_from_slice(&[0, 0]);
    let name_len = n.len() as u16;
    n.resize(64, 0);
    e.extend(n);
    u16le(&mut e, name_len);
    e.push(typ);
    e.push(1); // black: a one-node red-black tree needs no balancing
    u32le(&mut e, NOSTREAM); // left sibling
    u32le(&mut e, NOSTREAM); // right sibling
    u32le(&mut e, child);
    e.extend_from_slice(&[0; 16]); // CLSID
    u32le(&mut e, 0); // state bits
    e.extend_from_slice(&[0; 16]); // creation and modification times: none
    u32le(&mut e, start);
    u32le(&mut e, size);
    u32le(&mut e, 0);
    assert_eq!(e.len(), 128);
    out.extend(e);
}
