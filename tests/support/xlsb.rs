//! `.xlsb` writer: BIFF12 records (workbook, styles, shared strings, one part per sheet) in an OPC zip, written by hand since no Rust crate writes xlsb.
//!
//! Holds: text (shared strings), numbers, dates (built-in format 14),
//! percents (built-in format 9, `0%`), formulas with a cached number,
//! hidden sheets, merged regions (BrtMergeCell; calamine 0.38 does not
//! report them for xlsb), several sheets.
//! Cannot hold `V::FormulaNoValue`: BrtFmla* records always carry a cached
//! result, so the writer panics rather than invent one.

use super::{SharedStrings, Sheet, V, excel_serial, first_visible, formula, zip_parts};

/// Cell style indexes (into BrtBeginCellXFs).
const XF_GENERAL: u32 = 0;
const XF_DATE: u32 = 1;
const XF_PERCENT: u32 = 2;

/// A record: type and length are both 7-bit variable-length integers.
fn rec(out: &mut Vec<u8>, typ: u16, body: &[u8]) {
    assert!(typ < 0x4000);
    if typ < 0x80 {
        out.push(typ as u8);
    } else {
        out.push((typ & 0x7F) as u8 | 0x80);
        out.push((typ >> 7) as u8);
    }
    let mut len = body.len();
    assert!(len < 1 << 28, "record too long");
    loop {
        let b = (len & 0x7F) as u8;
        len >>= 7;
        if len == 0 {
            out.push(b);
            break;
        }
        out.push(b | 0x80);
    }
    out.extend_from_slice(body);
}

fn u16le(v: &mut Vec<u8>, x: u16) {
    v.extend_from_slice(&x.to_le_bytes());
}

fn u32le(v: &mut Vec<u8>, x: u32) {
    v.extend_from_slice(&x.to_le_bytes());
}

/// XLWideString: character count (u32) then UTF-16LE.
fn wide(v: &mut Vec<u8>, s: &str) {
    let units: Vec<u16> = s.encode_utf16().collect();
    u32le(v, units.len() as u32);
    for u in units {
        u16le(v, u);
    }
}

fn workbook(sheets: &[Sheet]) -> Vec<u8> {
    let mut out = Vec::new();
    rec(&mut out, 0x0083, &[]); // BrtBeginBook
    let mut p = Vec::new();
    u32le(&mut p, 0); // flags: 1900 dates
    u32le(&mut p, 0); // theme version
    wide(&mut p, "");
    rec(&mut out, 0x0099, &p); // BrtWbProp
    rec(&mut out, 0x0087, &[]); // BrtBeginBookViews
    let mut v = Vec::new();
    for x in [
        0u32,
        0,
        0x4000,
        0x2000,
        600,
        0,
        first_visible(sheets) as u32,
    ] {
        u32le(&mut v, x);
    }
    v.push(0x38); // tab bar and both scroll bars shown
    rec(&mut out, 0x009E, &v); // BrtBookView: active tab is a visible sheet
    rec(&mut out, 0x0088, &[]); // BrtEndBookViews
    rec(&mut out, 0x008F, &[]); // BrtBeginBundleShs
    for (i, sheet) in sheets.iter().enumerate() {
        let mut b = Vec::new();
        u32le(&mut b, u32::from(sheet.hidden));
        u32le(&mut b, i as u32 + 1);
        wide(&mut b, &format!("rId{}", i + 1));
        wide(&mut b, &sheet.name);
        rec(&mut out, 0x009C, &b); // BrtBundleSh
    }
    rec(&mut out, 0x0090, &[]); // BrtEndBundleShs
    // BrtCalcProp: calamine reads the workbook part up to it.
    let mut c = Vec::new();
    u32le(&mut c, 0); // recalc id
    u32le(&mut c, 1); // automatic
    u32le(&mut c, 100); // iteration count
    c.extend_from_slice(&0.001f64.to_le_bytes());
    u32le(&mut c, 1); // threads
    u16le(&mut c, 0);
    rec(&mut out, 0x009D, &c);
    rec(&mut out, 0x0084, &[]); // BrtEndBook
    out
}

/// Styles: only the number formats matter to readers of values. calamine
/// reads this part by record type without skipping bodies it does not
/// know, so nothing with a body comes before the XF list.
fn styles() -> Vec<u8> {
    let mut out = Vec::new();
    rec(&mut out, 0x0116, &[]); // BrtBeginStyleSheet
    rec(&mut out, 0x0267, &0u32.to_le_bytes()); // BrtBeginFmts: built-ins only
    rec(&mut out, 0x0268, &[]);
    rec(&mut out, 0x0269, &3u32.to_le_bytes()); // BrtBeginCellXFs
    for ifmt in [0u16, 14, 9] {
        let mut x = Vec::new();
        u16le(&mut x, 0); // parent cell style XF
        u16le(&mut x, ifmt);
        u16le(&mut x, 0); // font
        u16le(&mut x, 0); // fill
        u16le(&mut x, 0); // border
        x.push(0); // rotation
        x.push(0); // indent
        u16le(&mut x, 0x0010); // vertical bottom
        u16le(&mut x, if ifmt == 0 { 0 } else { 0x0001 }); // fAtrNum
        rec(&mut out, 0x002F, &x); // BrtXF
    }
    rec(&mut out, 0x026A, &[]); // BrtEndCellXFs
    rec(&mut out, 0x0117, &[]); // BrtEndStyleSheet
    out
}

fn shared_strings(sst: &SharedStrings) -> Vec<u8> {
    let mut out = Vec::new();
    let mut b = Vec::new();
    u32le(&mut b, sst.total);
    u32le(&mut b, sst.list.len() as u32);
    rec(&mut out, 0x009F, &b); // BrtBeginSst
    for s in &sst.list {
        let mut item = vec![0u8]; // plain string, no runs or phonetics
        wide(&mut item, s);
        rec(&mut out, 0x0013, &item); // BrtSSTItem
    }
    rec(&mut out, 0x00A0, &[]); // BrtEndSst
    out
}

/// Cell (MS-XLSB 2.5.9): column, then a 24-bit style index and flags.
fn cell(b: &mut Vec<u8>, col: u32, xf: u32) {
    u32le(b, col);
    u32le(b, xf & 0x00FF_FFFF);
}

fn worksheet(sheet: &Sheet, strings: &SharedStrings) -> Vec<u8> {
    let mut out = Vec::new();
    rec(&mut out, 0x0081, &[]); // BrtBeginSheet
    let mut d = Vec::new();
    let (r0, c0, r1, c1) = sheet.used_range().unwrap_or((0, 0, 0, 0));
    for x in [r0, r1, c0, c1] {
        u32le(&mut d, x);
    }
    rec(&mut out, 0x0094, &d); // BrtWsDim
    rec(&mut out, 0x0091, &[]); // BrtBeginSheetData
    let mut current_row = None;
    for (row, col, v) in sheet.cells() {
        if current_row != Some(row) {
            current_row = Some(row);
            let cols: Vec<u32> = sheet.cells().filter(|c| c.0 == row).map(|c| c.1).collect();
            let mut h = Vec::new();
            u32le(&mut h, row);
            u32le(&mut h, 0); // style
            u16le(&mut h, 300); // height in twips (15 pt)
            u16le(&mut h, 0);
            h.push(0);
            u32le(&mut h, 1); // one column span
            u32le(&mut h, cols[0]);
            u32le(&mut h, *cols.last().unwrap());
            rec(&mut out, 0x0000, &h); // BrtRowHdr
        }
        let mut b = Vec::new();
        match v {
            V::Empty => {}
            V::Text(s) => {
                cell(&mut b, col, XF_GENERAL);
                u32le(&mut b, strings.get(s));
                rec(&mut out, 0x0007, &b); // BrtCellIsst
            }
            V::Num(x) | V::Percent(x) => {
                let xf = if matches!(v, V::Percent(_)) {
                    XF_PERCENT
                } else {
                    XF_GENERAL
                };
                cell(&mut b, col, xf);
                b.extend_from_slice(&x.to_le_bytes());
                rec(&mut out, 0x0005, &b); // BrtCellReal
            }
            V::Date(y, m, dd) => {
                cell(&mut b, col, XF_DATE);
                b.extend_from_slice(&excel_serial(*y, *m, *dd).to_le_bytes());
                rec(&mut out, 0x0005, &b);
            }
            V::FormulaWithValue(f, x) => {
                let rgce = formula::biff12(f);
                cell(&mut b, col, XF_GENERAL);
                b.extend_from_slice(&x.to_le_bytes());
                u16le(&mut b, 0x0002); // fCalcOnLoad: let the reader recompute
                u32le(&mut b, rgce.len() as u32);
                b.extend(rgce);
                u32le(&mut b, 0); // no extra data
                rec(&mut out, 0x0009, &b); // BrtFmlaNum
            }
            V::FormulaNoValue(f) => {
                panic!("xlsb cannot hold a formula without a cached value ({f:?}); use xlsx or ods")
            }
        }
    }
    rec(&mut out, 0x0092, &[]); // BrtEndSheetData
    if !sheet.merges.is_empty() {
        rec(&mut out, 0x00B1, &(sheet.merges.len() as u32).to_le_bytes()); // BrtBeginMergeCells
        for &(fr, fc, lr, lc) in &sheet.merges {
            let mut m = Vec::new();
            for x in [fr, lr, fc, lc] {
                u32le(&mut m, x);
            }
            rec(&mut out, 0x00B0, &m); // BrtMergeCell
        }
        rec(&mut out, 0x00B2, &[]); // BrtEndMergeCells
    }
    rec(&mut out, 0x0082, &[]); // BrtEndSheet
    out
}

/// The workbook as `.xlsb` bytes.
pub fn xlsb(sheets: &[Sheet]) -> Vec<u8> {
    let strings = SharedStrings::collect(sheets);
    let mut types = String::from(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="bin" ContentType="application/vnd.ms-excel.sheet.binary.macroEnabled.main"/><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>"#,
    );
    let mut rels = String::from(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">"#,
    );
    for i in 1..=sheets.len() {
        types.push_str(&format!(
            r#"<Override PartName="/xl/worksheets/sheet{i}.bin" ContentType="application/vnd.ms-excel.worksheet"/>"#
        ));
        rels.push_str(&format!(
            r#"<Relationship Id="rId{i}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet{i}.bin"/>"#
        ));
    }
    let n = sheets.len();
    types.push_str(r#"<Override PartName="/xl/styles.bin" ContentType="application/vnd.ms-excel.styles"/><Override PartName="/xl/sharedStrings.bin" ContentType="application/vnd.ms-excel.sharedStrings"/></Types>"#);
    rels.push_str(&format!(
        r#"<Relationship Id="rId{}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.bin"/><Relationship Id="rId{}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.bin"/></Relationships>"#,
        n + 1,
        n + 2
    ));
    let root_rels = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.bin"/></Relationships>"#;

    let mut parts: Vec<(String, Vec<u8>)> = vec![
        ("[Content_Types].xml".into(), types.into_bytes()),
        ("_rels/.rels".into(), root_rels.as_bytes().to_vec()),
        ("xl/workbook.bin".into(), workbook(sheets)),
        ("xl/_rels/workbook.bin.rels".into(), rels.into_bytes()),
        ("xl/styles.bin".into(), styles()),
        ("xl/sharedStrings.bin".into(), shared_strings(&strings)),
    ];
    for (i, sheet) in sheets.iter().enumerate() {
        parts.push((
            format!("xl/worksheets/sheet{}.bin", i + 1),
            worksheet(sheet, &strings),
        ));
    }
    let parts: Vec<(&str, Vec<u8>)> = parts.iter().map(|(n, d)| (n.as_str(), d.clone())).collect();
    zip_parts(&parts)
}
