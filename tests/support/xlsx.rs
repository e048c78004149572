//! Hand-written `.xlsx` writer: SpreadsheetML parts in a zip, for workbooks rust_xlsxwriter cannot produce (formulas with no cached value, above all), with full control of every attribute.
//!
//! Holds everything the model has: text (shared strings), numbers, dates
//! (numFmtId 14), percents (numFmtId 9, `0%`), formulas with a cached value
//! (`<f>` and `<v>`), formulas with none (`<f>` only, as tools that never
//! calculate write them), hidden sheets (`state="hidden"`), merged regions
//! (`<mergeCells>`), several sheets.

use super::{
    SharedStrings, Sheet, V, cell_ref, excel_serial, first_visible, xml_escape, zip_parts,
};

/// Cell style indexes into `<cellXfs>`.
const XF_DATE: u32 = 1;
const XF_PERCENT: u32 = 2;

const HEAD: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
"#;
const MAIN_NS: &str = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
const REL_NS: &str = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";

fn num(x: f64) -> String {
    format!("{x}")
}

fn worksheet(sheet: &Sheet, strings: &SharedStrings, selected: bool) -> String {
    let dim = match sheet.used_range() {
        Some((r0, c0, r1, c1)) => format!("{}:{}", cell_ref(r0, c0), cell_ref(r1, c1)),
        None => "A1".to_string(),
    };
    let mut s = format!(
        r#"{HEAD}<worksheet xmlns="{MAIN_NS}" xmlns:r="{REL_NS}"><dimension ref="{dim}"/><sheetViews><sheetView workbookViewId="0"{}/></sheetViews><sheetData>"#,
        if selected { r#" tabSelected="1""# } else { "" }
    );
    for (r, row) in sheet.rows.iter().enumerate() {
        if row.iter().all(|v| *v == V::Empty) {
            continue;
        }
        s.push_str(&format!(r#"<row r="{}">"#, r + 1));
        for (c, v) in row.iter().enumerate() {
            let at = cell_ref(r as u32, c as u32);
            match v {
                V::Empty => {}
                V::Text(t) => s.push_str(&format!(
                    r#"<c r="{at}" t="s"><v>{}</v></c>"#,
                    strings.get(t)
                )),
                V::Num(x) => s.push_str(&format!(r#"<c r="{at}"><v>{}</v></c>"#, num(*x))),
                V::Percent(x) => s.push_str(&format!(
                    r#"<c r="{at}" s="{XF_PERCENT}"><v>{}</v></c>"#,
                    num(*x)
                )),
                V::Date(y, m, d) => s.push_str(&format!(
                    r#"<c r="{at}" s="{XF_DATE}"><v>{}</v></c>"#,
                    num(excel_serial(*y, *m, *d))
                )),
                V::FormulaWithValue(f, x) => s.push_str(&format!(
                    r#"<c r="{at}"><f>{}</f><v>{}</v></c>"#,
                    xml_escape(f.strip_prefix('=').unwrap_or(f)),
                    num(*x)
                )),
                V::FormulaNoValue(f) => s.push_str(&format!(
                    r#"<c r="{at}"><f>{}</f></c>"#,
                    xml_escape(f.strip_prefix('=').unwrap_or(f))
                )),
            }
        }
        s.push_str("</row>");
    }
    s.push_str("</sheetData>");
    if !sheet.merges.is_empty() {
        s.push_str(&format!(r#"<mergeCells count="{}">"#, sheet.merges.len()));
        for &(fr, fc, lr, lc) in &sheet.merges {
            s.push_str(&format!(
                r#"<mergeCell ref="{}:{}"/>"#,
                cell_ref(fr, fc),
                cell_ref(lr, lc)
            ));
        }
        s.push_str("</mergeCells>");
    }
    s.push_str("</worksheet>");
    s
}

fn shared_strings(sst: &SharedStrings) -> String {
    let mut s = format!(
        r#"{HEAD}<sst xmlns="{MAIN_NS}" count="{}" uniqueCount="{}">"#,
        sst.total,
        sst.list.len()
    );
    for t in &sst.list {
        // Keep leading/trailing spaces, which XML would otherwise let go.
        let space = if t.trim() != t {
            r#" xml:space="preserve""#
        } else {
            ""
        };
        s.push_str(&format!("<si><t{space}>{}</t></si>", xml_escape(t)));
    }
    s.push_str("</sst>");
    s
}

const STYLES: &str = r#"<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><fonts count="1"><font><sz val="11"/><name val="Calibri"/><family val="2"/></font></fonts><fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills><borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders><cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs><cellXfs count="3"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/><xf numFmtId="14" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/><xf numFmtId="9" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs><cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>"#;

/// The workbook as `.xlsx` bytes.
pub fn xlsx(sheets: &[Sheet]) -> Vec<u8> {
    let strings = SharedStrings::collect(sheets);
    let active = first_visible(sheets);
    let n = sheets.len();
    let mut types = format!(
        r#"{HEAD}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/><Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>"#
    );
    let mut wb = format!(
        r#"{HEAD}<workbook xmlns="{MAIN_NS}" xmlns:r="{REL_NS}"><bookViews><workbookView activeTab="{active}"/></bookViews><sheets>"#
    );
    let mut rels = format!(
        r#"{HEAD}<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">"#
    );
    for (i, sheet) in sheets.iter().enumerate() {
        let k = i + 1;
        types.push_str(&format!(
            r#"<Override PartName="/xl/worksheets/sheet{k}.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>"#
        ));
        wb.push_str(&format!(
            r#"<sheet name="{}" sheetId="{k}"{} r:id="rId{k}"/>"#,
            xml_escape(&sheet.name),
            if sheet.hidden {
                r#" state="hidden""#
            } else {
                ""
            }
        ));
        rels.push_str(&format!(
            r#"<Relationship Id="rId{k}" Type="{REL_NS}/worksheet" Target="worksheets/sheet{k}.xml"/>"#
        ));
    }
    types.push_str("</Types>");
    wb.push_str("</sheets></workbook>");
    rels.push_str(&format!(
        r#"<Relationship Id="rId{}" Type="{REL_NS}/styles" Target="styles.xml"/><Relationship Id="rId{}" Type="{REL_NS}/sharedStrings" Target="sharedStrings.xml"/></Relationships>"#,
        n + 1,
        n + 2
    ));
    let root_rels = format!(
        r#"{HEAD}<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="{REL_NS}/officeDocument" Target="xl/workbook.xml"/></Relationships>"#
    );
    let mut parts: Vec<(String, Vec<u8>)> = vec![
        ("[Content_Types].xml".into(), types.into_bytes()),
        ("_rels/.rels".into(), root_rels.into_bytes()),
        ("xl/workbook.xml".into(), wb.into_bytes()),
        ("xl/_rels/workbook.xml.rels".into(), rels.into_bytes()),
        (
            "xl/styles.xml".into(),
            format!("{HEAD}{STYLES}").into_bytes(),
        ),
        (
            "xl/sharedStrings.xml".into(),
            shared_strings(&strings).into_bytes(),
        ),
    ];
    for (i, sheet) in sheets.iter().enumerate() {
        parts.push((
            format!("xl/worksheets/sheet{}.xml", i + 1),
            worksheet(sheet, &strings, i == active).into_bytes(),
        ));
    }
    let parts: Vec<(&str, Vec<u8>)> = parts.iter().map(|(n, d)| (n.as_str(), d.clone())).collect();
    zip_parts(&parts)
}
