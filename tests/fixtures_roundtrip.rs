//! Round-trip tests of the fixture writers in `tests/support`: each format is written in memory and read back with calamine, cell by cell, so other tests can trust the fixtures they build.

mod support;

use std::io::Cursor;

use calamine::{Data, Reader, SheetVisible, Sheets, open_workbook_auto_from_rs};
use support::{Sheet, V, excel_serial, t};

const TITLE: &str = "2025年7月订单明细";
const HEADER: [&str; 7] = [
    "订单号",
    "客户ID",
    "下单日期",
    "订单类型",
    "产品",
    "折扣",
    "实付金额(元)",
];

/// A vendor-console export: a hidden detail sheet with a merged title, a
/// blank row, a header and three orders; then a visible summary sheet
/// with formulas. `no_value` adds a formula without a cached value, for
/// the formats that can hold one.
fn workbook(no_value: bool) -> Vec<Sheet> {
    let mut detail = Sheet::new("订单明细");
    detail.hidden = true;
    detail.rows = vec![
        vec![t(TITLE)],
        vec![],
        HEADER.iter().map(|h| t(h)).collect(),
        vec![
            t("SO-20250701-001"),
            t("C10086"),
            V::Date(2025, 7, 1),
            t("新购"),
            t("云服务器 ECS"),
            V::Percent(0.1),
            V::Num(99.9),
        ],
        vec![
            t("SO-20250701-002"),
            t("C10087"),
            V::Date(2025, 7, 1),
            t("续费"),
            t("对象存储 OSS"),
            V::Percent(0.05),
            V::Num(30000.0),
        ],
        vec![
            t("SO-20250701-003"),
            t("C10086"),
            V::Date(2025, 7, 1),
            t("退款"),
            t("内容分发 CDN"),
            V::Percent(0.0),
            V::Num(-1280.5),
        ],
    ];
    detail.merges = vec![(0, 0, 0, 4)];

    let mut summary = Sheet::new("汇总");
    summary.rows = vec![
        vec![t("单价"), t("数量"), t("金额")],
        vec![
            V::Num(99.9),
            V::Num(3.0),
            V::FormulaWithValue("A2*B2".into(), 299.7),
        ],
        vec![
            V::Num(30000.0),
            V::Num(2.0),
            V::FormulaWithValue("SUM(A2:A3)+1.5".into(), 30101.4),
        ],
    ];
    if no_value {
        summary
            .rows
            .push(vec![V::Empty, V::Empty, V::FormulaNoValue("C2+C3".into())]);
    }
    vec![detail, summary]
}

/// How a format's reader gives back a date cell.
#[derive(Clone, Copy)]
enum DateKind {
    /// Excel formats: a serial number with a date format.
    Serial,
    /// ods: the ISO text of `office:date-value`.
    Iso,
}

fn s(v: &str) -> Data {
    Data::String(v.to_string())
}

fn open(bytes: Vec<u8>) -> Sheets<Cursor<Vec<u8>>> {
    open_workbook_auto_from_rs(Cursor::new(bytes)).expect("calamine opens the fixture")
}

fn assert_date(cell: &Data, kind: DateKind, at: (usize, usize)) {
    match kind {
        DateKind::Serial => {
            let Data::DateTime(dt) = cell else {
                panic!("{at:?}: expected a DateTime, got {cell:?}")
            };
            assert!(dt.is_datetime(), "{at:?}: {dt:?}");
            assert_eq!(dt.as_f64(), excel_serial(2025, 7, 1), "{at:?}");
            assert_eq!(dt.as_f64(), 45839.0, "{at:?}: 2025-07-01");
        }
        DateKind::Iso => assert_eq!(cell, &Data::DateTimeIso("2025-07-01".into()), "{at:?}"),
    }
}

/// Every check common to the four formats: names, order, visibility, and
/// every cell's value and type.
fn check_common(wb: &mut Sheets<Cursor<Vec<u8>>>, dates: DateKind, no_value: bool) {
    assert_eq!(
        wb.sheet_names(),
        vec!["订单明细".to_string(), "汇总".to_string()]
    );
    let meta = wb.sheets_metadata();
    assert_eq!(meta[0].visible, SheetVisible::Hidden);
    assert_eq!(meta[1].visible, SheetVisible::Visible);

    let range = wb.worksheet_range("订单明细").expect("detail sheet");
    assert_eq!(range.start(), Some((0, 0)));
    assert_eq!(range.end(), Some((5, 6)));
    let rows: Vec<&[Data]> = range.rows().collect();
    assert_eq!(rows[0][0], s(TITLE));
    assert!(
        rows[0][1..].iter().all(|c| *c == Data::Empty),
        "{:?}",
        rows[0]
    );
    assert!(rows[1].iter().all(|c| *c == Data::Empty), "{:?}", rows[1]);
    let header: Vec<Data> = HEADER.iter().map(|h| s(h)).collect();
    assert_eq!(rows[2], header.as_slice());
    let expected = [
        (
            "SO-20250701-001",
            "C10086",
            "新购",
            "云服务器 ECS",
            0.1,
            99.9,
        ),
        (
            "SO-20250701-002",
            "C10087",
            "续费",
            "对象存储 OSS",
            0.05,
            30000.0,
        ),
        (
            "SO-20250701-003",
            "C10086",
            "退款",
            "内容分发 CDN",
            0.0,
            -1280.5,
        ),
    ];
    for (i, (id, cust, kind, product, pct, paid)) in expected.into_iter().enumerate() {
        let row = rows[3 + i];
        assert_eq!(row[0], s(id));
        assert_eq!(row[1], s(cust));
        assert_date(&row[2], dates, (3 + i, 2));
        assert_eq!(row[3], s(kind));
        assert_eq!(row[4], s(product));
        assert_eq!(row[5], Data::Float(pct), "percent at row {}", 3 + i);
        assert_eq!(row[6], Data::Float(paid), "amount at row {}", 3 + i);
    }

    let sum = wb.worksheet_range("汇总").expect("summary sheet");
    let rows: Vec<&[Data]> = sum.rows().collect();
    assert_eq!(rows[0], [s("单价"), s("数量"), s("金额")].as_slice());
    assert_eq!(
        rows[1],
        [Data::Float(99.9), Data::Float(3.0), Data::Float(299.7)].as_slice()
    );
    assert_eq!(
        rows[2],
        [Data::Float(30000.0), Data::Float(2.0), Data::Float(30101.4)].as_slice()
    );
    // A formula without a cached value has no value to read, so the
    // range ends before its row.
    assert_eq!(rows.len(), 3, "no_value={no_value}: {rows:?}");
}

fn check_merge(merges: Vec<calamine::Dimensions>) {
    assert_eq!(merges.len(), 1, "{merges:?}");
    assert_eq!(merges[0].start, (0, 0));
    assert_eq!(merges[0].end, (0, 4));
}

#[test]
fn xls_round_trips_through_calamine() {
    let bytes = support::xls(&workbook(false));
    assert_eq!(&bytes[..8], b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1");
    let mut wb = open(bytes);
    assert!(matches!(wb, Sheets::Xls(_)));
    check_common(&mut wb, DateKind::Serial, false);
    let Sheets::Xls(xls) = &mut wb else {
        unreachable!()
    };
    check_merge(xls.merge_cells_by_sheet_name("订单明细").unwrap());
    assert!(xls.merge_cells_by_sheet_name("汇总").unwrap().is_empty());
    let f = xls.worksheet_formula("汇总").unwrap();
    assert_eq!(f.get_value((1, 2)).map(String::as_str), Some("A2*B2"));
    assert_eq!(
        f.get_value((2, 2)).map(String::as_str),
        Some("SUM(A2:A3)+1.5")
    );
}

#[test]
fn xlsb_round_trips_through_calamine() {
    let mut wb = open(support::xlsb(&workbook(false)));
    assert!(matches!(wb, Sheets::Xlsb(_)));
    check_common(&mut wb, DateKind::Serial, false);
    let f = wb.worksheet_formula("汇总").unwrap();
    assert_eq!(f.get_value((1, 2)).map(String::as_str), Some("A2*B2"));
    // calamine 0.38 reads an xlsb range's column fields without masking
    // the relative-reference flags, so a relative range (as Excel writes
    // it) prints as a far-away column: check ranges with an absolute one.
    let mut abs = Sheet::new("abs");
    abs.rows = vec![vec![
        V::Num(1.0),
        V::Num(2.0),
        V::FormulaWithValue("SUM($A$1:$B$1)*2".into(), 6.0),
    ]];
    let mut wb = open(support::xlsb(&[abs]));
    let f = wb.worksheet_formula("abs").unwrap();
    assert_eq!(
        f.get_value((0, 2)).map(String::as_str),
        Some("SUM($A$1:$B$1)*2")
    );
    let r = wb.worksheet_range("abs").unwrap();
    assert_eq!(r.get_value((0, 2)), Some(&Data::Float(6.0)));
}

#[test]
fn ods_round_trips_through_calamine() {
    let mut wb = open(support::ods(&workbook(true)));
    assert!(matches!(wb, Sheets::Ods(_)));
    check_common(&mut wb, DateKind::Iso, true);
    let f = wb.worksheet_formula("汇总").unwrap();
    assert_eq!(
        f.get_value((1, 2)).map(String::as_str),
        Some("of:=[.A2]*[.B2]")
    );
    assert_eq!(
        f.get_value((3, 2)).map(String::as_str),
        Some("of:=[.C2]+[.C3]")
    );
}

#[test]
fn xlsx_round_trips_through_calamine() {
    let mut wb = open(support::xlsx(&workbook(true)));
    assert!(matches!(wb, Sheets::Xlsx(_)));
    check_common(&mut wb, DateKind::Serial, true);
    let Sheets::Xlsx(xlsx) = &mut wb else {
        unreachable!()
    };
    check_merge(xlsx.merge_cells_by_sheet_name("订单明细").unwrap());

    // The formula without <v> reads as empty, with its formula present.
    let mut cells = xlsx.worksheet_cells_reader("汇总").unwrap();
    let mut found = false;
    while let Some(rec) = cells.next_cell_with_formula_metadata().unwrap() {
        if rec.pos == (3, 2) {
            found = true;
            assert_eq!(rec.value, calamine::DataRef::Empty);
            match rec.formula {
                Some(calamine::XlsxFormulaMetadata::Normal { formula }) => {
                    assert_eq!(formula, "C2+C3")
                }
                other => panic!("expected a normal formula, got {other:?}"),
            }
        }
    }
    assert!(found, "the no-value formula cell is reported");
    drop(cells);

    // The percent cell's style maps to a number format with '%'.
    let mut cells = xlsx.worksheet_cells_reader("订单明细").unwrap();
    let mut pct_style = None;
    while let Some((cell, style)) = cells.next_cell_with_style_id().unwrap() {
        if cell.get_position() == (3, 5) {
            assert_eq!(cell.get_value(), &calamine::DataRef::Float(0.1));
            pct_style = Some(style);
        }
    }
    let style = &cells.styles()[pct_style.expect("percent cell read")];
    let fmt = style.number_format.as_ref().expect("number format");
    assert!(fmt.format_code.contains('%'), "{fmt:?}");
    assert_eq!(fmt.format_id, Some(9));
}

#[test]
fn writers_are_deterministic() {
    let a = workbook(false);
    let b = workbook(true);
    assert_eq!(support::xls(&a), support::xls(&a));
    assert_eq!(support::xlsb(&a), support::xlsb(&a));
    assert_eq!(support::ods(&b), support::ods(&b));
    assert_eq!(support::xlsx(&b), support::xlsx(&b));
}

#[test]
#[should_panic(expected = "cannot hold a formula without a cached value")]
fn xls_rejects_a_formula_without_value() {
    support::xls(&workbook(true));
}

#[test]
#[should_panic(expected = "cannot hold a formula without a cached value")]
fn xlsb_rejects_a_formula_without_value() {
    support::xlsb(&workbook(true));
}

#[test]
fn long_shared_strings_continue_across_xls_records() {
    // Over 8224 bytes of UTF-16 forces SST CONTINUE records, split inside
    // a string and at string starts.
    let long: String = "订单".repeat(3000);
    let mut sheet = Sheet::new("长");
    sheet.rows = (0..4)
        .map(|i| vec![V::Text(format!("{i}{long}"))])
        .collect();
    let mut wb = open(support::xls(&[sheet]));
    let r = wb.worksheet_range("长").unwrap();
    for i in 0..4 {
        assert_eq!(
            r.get_value((i, 0)),
            Some(&Data::String(format!("{i}{long}")))
        );
    }
}
