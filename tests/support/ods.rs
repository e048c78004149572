//! `.ods` writer: an OpenDocument spreadsheet (mimetype, manifest, content.xml, styles.xml) in a zip, written by hand so ods readers can be tested without LibreOffice.
//!
//! Holds everything the model has: text, numbers, dates
//! (`office:date-value`), percents (`office:value-type="percentage"` with a
//! `0%` data style), formulas with a cached value, formulas without one
//! (`table:formula` and no value: ODF allows it), hidden sheets (a table
//! style with `table:display="false"`), merged regions (spanned cells and
//! covered cells), several sheets. calamine 0.38 reads dates as
//! `Data::DateTimeIso` and does not report ods merges.

use super::{Sheet, V, first_visible, formula, xml_escape, zip_parts};

const MIMETYPE: &str = "application/vnd.oasis.opendocument.spreadsheet";

const NS: &str = r#"xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:number="urn:oasis:names:tc:opendocument:xmlns:datastyle:1.0" xmlns:fo="urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0" xmlns:of="urn:oasis:names:tc:opendocument:xmlns:of:1.2" xmlns:config="urn:oasis:names:tc:opendocument:xmlns:config:1.0" office:version="1.3""#;

/// The `office:value` text of a number: Rust's shortest round-trip form.
fn num(x: f64) -> String {
    format!("{x}")
}

fn cell_xml(v: &V, span: Option<(u32, u32)>) -> String {
    let span = match span {
        Some((rows, cols)) => {
            format!(r#" table:number-columns-spanned="{cols}" table:number-rows-spanned="{rows}""#)
        }
        None => String::new(),
    };
    match v {
        V::Empty => format!("<table:table-cell{span}/>"),
        V::Text(s) => format!(
            r#"<table:table-cell office:value-type="string"{span}><text:p>{}</text:p></table:table-cell>"#,
            xml_escape(s)
        ),
        V::Num(x) => format!(
            r#"<table:table-cell office:value-type="float" office:value="{}"{span}><text:p>{}</text:p></table:table-cell>"#,
            num(*x),
            num(*x)
        ),
        V::Percent(x) => format!(
            r#"<table:table-cell table:style-name="ce_pct" office:value-type="percentage" office:value="{}"{span}><text:p>{}%</text:p></table:table-cell>"#,
            num(*x),
            num(*x * 100.0)
        ),
        V::Date(y, m, d) => {
            let iso = format!("{y:04}-{m:02}-{d:02}");
            format!(
                r#"<table:table-cell table:style-name="ce_date" office:value-type="date" office:date-value="{iso}"{span}><text:p>{iso}</text:p></table:table-cell>"#
            )
        }
        V::FormulaWithValue(f, x) => format!(
            r#"<table:table-cell table:formula="{}" office:value-type="float" office:value="{}"{span}><text:p>{}</text:p></table:table-cell>"#,
            xml_escape(&formula::openformula(f)),
            num(*x),
            num(*x)
        ),
        V::FormulaNoValue(f) => format!(
            r#"<table:table-cell table:formula="{}"{span}/>"#,
            xml_escape(&formula::openformula(f))
        ),
    }
}

fn table_xml(sheet: &Sheet) -> String {
    let width = sheet.rows.iter().map(Vec::len).max().unwrap_or(0) as u32;
    let width = sheet
        .merges
        .iter()
        .map(|m| m.3 + 1)
        .fold(width, u32::max)
        .max(1);
    let height = sheet
        .merges
        .iter()
        .map(|m| m.2 + 1)
        .fold(sheet.rows.len() as u32, u32::max);
    let mut s = format!(
        r#"<table:table table:name="{}" table:style-name="{}"><table:table-column table:number-columns-repeated="{width}"/>"#,
        xml_escape(&sheet.name),
        if sheet.hidden { "ta_hidden" } else { "ta1" }
    );
    for r in 0..height {
        s.push_str("<table:table-row>");
        let row = sheet.rows.get(r as usize);
        let row_len = row.map_or(0, Vec::len) as u32;
        let last = sheet
            .merges
            .iter()
            .filter(|m| m.0 <= r && r <= m.2)
            .map(|m| m.3 + 1)
            .fold(row_len, u32::max);
        for c in 0..last {
            let v = row.and_then(|row| row.get(c as usize)).unwrap_or(&V::Empty);
            let merge = sheet
                .merges
                .iter()
                .find(|m| m.0 <= r && r <= m.2 && m.1 <= c && c <= m.3);
            match merge {
                // The merge's top-left cell carries the span ...
                Some(m) if (m.0, m.1) == (r, c) => {
                    s.push_str(&cell_xml(v, Some((m.2 - m.0 + 1, m.3 - m.1 + 1))))
                }
                // ... and the cells under it are covered.
                Some(_) => s.push_str("<table:covered-table-cell/>"),
                None => s.push_str(&cell_xml(v, None)),
            }
        }
        s.push_str("</table:table-row>");
    }
    s.push_str("</table:table>");
    s
}

fn content(sheets: &[Sheet]) -> String {
    let mut s = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<office:document-content {NS}><office:automatic-styles><style:style style:name="ta1" style:family="table"><style:table-properties table:display="true"/></style:style><style:style style:name="ta_hidden" style:family="table"><style:table-properties table:display="false"/></style:style><number:date-style style:name="N_DATE"><number:year number:style="long"/><number:text>-</number:text><number:month number:style="long"/><number:text>-</number:text><number:day number:style="long"/></number:date-style><number:percentage-style style:name="N_PCT"><number:number number:decimal-places="0" number:min-integer-digits="1"/><number:text>%</number:text></number:percentage-style><style:style style:name="ce_date" style:family="table-cell" style:parent-style-name="Default" style:data-style-name="N_DATE"/><style:style style:name="ce_pct" style:family="table-cell" style:parent-style-name="Default" style:data-style-name="N_PCT"/></office:automatic-styles><office:body><office:spreadsheet>"#
    );
    for sheet in sheets {
        s.push_str(&table_xml(sheet));
    }
    s.push_str("</office:spreadsheet></office:body></office:document-content>");
    s
}

/// settings.xml: only the active sheet, so a hidden first sheet is not the
/// one an office suite opens on.
fn settings(sheets: &[Sheet]) -> String {
    let active = sheets
        .get(first_visible(sheets))
        .map_or(String::new(), |s| xml_escape(&s.name));
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<office:document-settings {NS}><office:settings><config:config-item-set config:name="ooo:view-settings"><config:config-item-map-indexed config:name="Views"><config:config-item-map-entry><config:config-item config:name="ViewId" config:type="string">view1</config:config-item><config:config-item config:name="ActiveTable" config:type="string">{active}</config:config-item></config:config-item-map-entry></config:config-item-map-indexed></config:config-item-set></office:settings></office:document-settings>"#
    )
}

/// The workbook as `.ods` bytes.
pub fn ods(sheets: &[Sheet]) -> Vec<u8> {
    let styles = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<office:document-styles {NS}><office:styles><style:style style:name="Default" style:family="table-cell"/></office:styles></office:document-styles>"#
    );
    let manifest = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.3"><manifest:file-entry manifest:full-path="/" manifest:version="1.3" manifest:media-type="{MIMETYPE}"/><manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/><manifest:file-entry manifest:full-path="styles.xml" manifest:media-type="text/xml"/><manifest:file-entry manifest:full-path="settings.xml" manifest:media-type="text/xml"/></manifest:manifest>"#
    );
    // The mimetype entry must come first and stored, so tools can sniff it
    // at a fixed offset; zip_parts stores every entry.
    zip_parts(&[
        ("mimetype", MIMETYPE.as_bytes().to_vec()),
        ("content.xml", content(sheets).into_bytes()),
        ("styles.xml", styles.into_bytes()),
        ("settings.xml", settings(sheets).into_bytes()),
        ("META-INF/manifest.xml", manifest.into_bytes()),
    ])
}
