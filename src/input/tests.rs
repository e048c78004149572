//! End-to-end tests of the readers on real files: CSV and XLSX, headers, row numbers, the
//! one-row-one-outcome law.

use super::*;
use crate::model::{Discount, ExceptionCode, Metric, OrderType, RefundReason, Term};
use chrono::NaiveDate;
use proptest::prelude::*;
use rust_decimal_macros::dec;
use std::path::PathBuf;
use tempfile::TempDir;

fn write(dir: &TempDir, name: &str, bytes: impl AsRef<[u8]>) -> PathBuf {
    let path = dir.path().join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

fn orders_csv(text: &str) -> OrdersRead {
    let dir = TempDir::new().unwrap();
    read_orders(&write(&dir, "orders.csv", text), None, 0).unwrap()
}

fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn assert_law<R>(r: &ReadOutcome<R>) {
    assert_eq!(r.rows.len() + r.exceptions.len(), r.rows_read);
}

const HEADER: &str = "order_id,account_id,order_date,type,product,edition,quantity,term,unit_price,discount,voucher,billed_amount,region,ref_order_id,reason,invoiced,bonus_quantity,start_date";

#[test]
fn reads_a_full_order_row() {
    let r = orders_csv(&format!(
        "{HEADER}\nO1,A1,2024-07-01,new,crm,pro,\"1,000\",2y,99.9,10%,¥500,\"1,234.50\",cn-hz,,,no,5,2024/7/2\n"
    ));
    assert_law(&r);
    assert!(r.exceptions.is_empty(), "{:?}", r.exceptions);
    let o = &r.rows[0];
    assert_eq!((o.order_id.as_str(), o.account_id.as_str()), ("O1", "A1"));
    assert_eq!(o.src.row, 2);
    assert_eq!(o.order_date, ymd(2024, 7, 1));
    assert_eq!(o.kind, OrderType::New);
    assert_eq!(o.product.as_deref(), Some("crm"));
    assert_eq!(o.edition.as_deref(), Some("pro"));
    assert_eq!(o.quantity, Some(1000));
    assert_eq!(o.term, Some(Term { months: 24 }));
    assert_eq!(o.unit_price, Some(dec!(99.9)));
    assert_eq!(o.discount, Some(Discount::Percent(dec!(10))));
    assert_eq!(o.voucher, Some(dec!(500)));
    assert_eq!(o.billed_amount, Some(dec!(1234.50)));
    assert_eq!(o.region.as_deref(), Some("cn-hz"));
    assert_eq!(o.ref_order_id, None);
    assert_eq!(o.invoiced, Some(false));
    assert_eq!(o.bonus_quantity, Some(5));
    assert_eq!(o.start_date, Some(ymd(2024, 7, 2)));
}

#[test]
fn chinese_headers_bom_and_unknown_columns() {
    let text = "\u{feff}订单号,企业ID,下单日期,订单类型,产品,时长,备注,原订单号,退款原因,已开票\n\
                O1,A1,2024年7月1日,新购,crm,1年,hello,,,\n\
                R1,A1,2024/8/1,退款,,,,O1,无理由,是\n";
    let r = orders_csv(text);
    assert_law(&r);
    assert!(r.exceptions.is_empty(), "{:?}", r.exceptions);
    assert_eq!(r.unknown_columns, vec!["备注"]);
    assert_eq!(r.rows[0].term, Some(Term::years(1)));
    let refund = &r.rows[1];
    assert_eq!(refund.kind, OrderType::Refund);
    assert_eq!(refund.product, None);
    assert_eq!(refund.ref_order_id.as_deref(), Some("O1"));
    assert_eq!(refund.reason, Some(RefundReason::NoReason));
    assert_eq!(refund.invoiced, Some(true));
}

#[test]
fn row_numbers_count_blank_lines_and_not_embedded_newlines() {
    for eol in ["\n", "\r\n", "\r"] {
        let text = [
            "order_id,account_id,order_date,type,product",
            "O1,A1,2024-07-01,new,\"two\nlines\"",
            "",
            " , ,",
            "O2,A1,2024-07-01,new,crm",
            "",
            "",
            "O3,A1,2024-07-01,new,crm",
            "",
        ]
        .join(eol);
        let r = orders_csv(&text);
        assert_law(&r);
        let rows: Vec<(u32, usize)> = r.rows.iter().map(|o| (o.src.row, o.position)).collect();
        assert_eq!(rows, vec![(2, 0), (5, 1), (8, 2)], "eol {eol:?}");
        assert_eq!(r.rows_read, 3);
        assert_eq!(r.blank_rows, 4, "eol {eol:?}");
        assert_eq!(r.rows[0].product.as_deref(), Some("two\nlines"));
    }
}

#[test]
fn leading_blank_lines_move_the_header_down() {
    let r = orders_csv(
        "\u{feff}\n\norder_id,account_id,order_date,type,product\nO1,A1,2024-07-01,new,crm\n",
    );
    assert_eq!(r.rows[0].src.row, 4);
    assert_eq!(r.blank_rows, 0);
}

#[test]
fn positions_start_at_first_position_and_files_are_named_as_given() {
    let dir = TempDir::new().unwrap();
    let path = write(
        &dir,
        "ORDERS.CSV",
        "order_id,account_id,order_date,type,product\n\nO1,A,2024-07-01,new,x\nO2,A,,new,x\n",
    );
    let r = read_orders(&path, None, 100).unwrap();
    assert_eq!(r.rows[0].position, 100);
    assert_eq!(&*r.rows[0].src.file, path.display().to_string());
    assert_eq!(r.exceptions[0].src.row, 4);
    assert_eq!(r.exceptions[0].src.file, r.rows[0].src.file);
}

#[test]
fn short_and_long_rows_are_fine() {
    let r = orders_csv(
        "order_id,account_id,order_date,type,product,quantity\nO1,A1,2024-07-01,new,crm\nO2,A1,2024-07-01,new,crm,3,extra,more\n",
    );
    assert_law(&r);
    assert!(r.exceptions.is_empty(), "{:?}", r.exceptions);
    assert_eq!(r.rows[0].quantity, None);
    assert_eq!(r.rows[1].quantity, Some(3));
}

#[test]
fn missing_values_are_exceptions_with_plain_messages() {
    let r = orders_csv(
        "order_id,account_id,order_date,type,product,ref_order_id\n\
         O1,A1,,new,crm,\n\
         O2,A1,2024-07-01,new,,\n\
         R1,A1,2024-07-01,refund,,\n\
         ,,2024-07-01,new,crm,\n",
    );
    assert_law(&r);
    assert!(r.rows.is_empty());
    let got: Vec<(&str, ExceptionCode, &str)> = r
        .exceptions
        .iter()
        .map(|e| (e.column.as_str(), e.code, e.order_id.as_str()))
        .collect();
    assert_eq!(
        got,
        vec![
            ("order_date", ExceptionCode::MissingValue, "O1"),
            ("product", ExceptionCode::MissingValue, "O2"),
            ("ref_order_id", ExceptionCode::MissingValue, "R1"),
            ("order_id", ExceptionCode::MissingValue, ""),
        ]
    );
    let e = &r.exceptions[0];
    assert_eq!(
        e.message,
        "order_date is empty: every order row needs the date of its event"
    );
    assert_eq!(
        (e.value.as_str(), e.account_id.as_str(), e.src.row),
        ("", "A1", 2)
    );
}

#[test]
fn the_leftmost_problem_wins() {
    let r = orders_csv(
        "quantity,order_id,account_id,order_date,type,product,term\n3.5,O1,A1,someday,new,crm,18\n2,O2,A2,2024-07-01,bogus,crm,18\n",
    );
    assert_law(&r);
    let got: Vec<(&str, &str, &str)> = r
        .exceptions
        .iter()
        .map(|e| (e.column.as_str(), e.value.as_str(), e.account_id.as_str()))
        .collect();
    assert_eq!(
        got,
        vec![("quantity", "3.5", "A1"), ("type", "bogus", "A2")]
    );
    assert!(
        r.exceptions
            .iter()
            .all(|e| e.code == ExceptionCode::BadValue)
    );
    assert!(
        r.exceptions[1]
            .message
            .contains("new, addon, renewal, upgrade or refund")
    );
}

#[test]
fn bad_values_name_what_is_accepted() {
    let r = orders_csv(
        "order_id,account_id,order_date,type,product,term,unit_price,billed_amount,discount,invoiced\n\
         O1,A,2024-07-01,new,x,18,,,,\n\
         O2,A,2024-07-01,new,x,,-5,,,\n\
         O3,A,2024-07-01,new,x,,,-1,,\n\
         O4,A,2024-07-01,new,x,,,,120%,\n\
         O5,A,2024-07-01,new,x,,,,,maybe\n\
         O6,A,2024-07-01,new,x,0m,,,,\n",
    );
    assert_law(&r);
    let msgs: Vec<&str> = r.exceptions.iter().map(|e| e.message.as_str()).collect();
    assert!(
        msgs[0].starts_with("term '18' has no unit: write it as 1y, 2y, 6m, 2年 or 6个月"),
        "{}",
        msgs[0]
    );
    assert!(
        msgs[1].contains("unit_price '-5' is negative"),
        "{}",
        msgs[1]
    );
    assert!(
        msgs[2].contains("billed_amount '-1' is negative"),
        "{}",
        msgs[2]
    );
    assert!(msgs[3].contains("0% to 100%"), "{}", msgs[3]);
    assert!(msgs[4].contains("yes, no, 是 or 否"), "{}", msgs[4]);
    assert!(msgs[5].contains("out of range"), "{}", msgs[5]);
}

#[test]
fn invalid_utf8_makes_only_that_row_an_exception() {
    let mut bytes = b"order_id,account_id,order_date,type,product,note\n".to_vec();
    bytes.extend_from_slice(b"O1,A\xff,2024-07-01,new,crm,\n");
    bytes.extend_from_slice(b"O2,A2,2024-07-01,new,crm,\xfe\n");
    let dir = TempDir::new().unwrap();
    let r = read_orders(&write(&dir, "o.csv", bytes), None, 0).unwrap();
    assert_law(&r);
    assert_eq!(r.exceptions.len(), 1);
    let e = &r.exceptions[0];
    assert_eq!(
        (e.column.as_str(), e.code, e.src.row),
        ("account_id", ExceptionCode::BadValue, 2)
    );
    assert!(e.message.contains("UTF-8"));
    assert_eq!(r.rows[0].order_id, "O2");
}

/// A folder or a device named like an export is refused at once: `/dev/zero` would never end.
#[test]
fn folders_and_devices_are_not_files() {
    let dir = TempDir::new().unwrap();
    let folder = dir.path().join("orders.csv");
    std::fs::create_dir(&folder).unwrap();
    let zero = dir.path().join("zero.csv");
    std::os::unix::fs::symlink("/dev/zero", &zero).unwrap();
    for path in [&folder, &zero] {
        let e = read_orders(path, None, 0).unwrap_err();
        assert!(
            matches!(e, InputError::Open { .. }) && e.to_string().contains("not a file"),
            "{e}"
        );
    }
}

#[test]
fn file_level_errors() {
    let dir = TempDir::new().unwrap();
    let e = read_orders(&write(&dir, "empty.csv", ""), None, 0).unwrap_err();
    assert!(matches!(e, InputError::NoHeader { .. }), "{e}");
    let e = read_orders(&write(&dir, "blank.csv", "\n , \n\n"), None, 0).unwrap_err();
    assert!(matches!(e, InputError::NoHeader { .. }), "{e}");
    // Any name: the bytes say what a file is. Text without an orders header is no table.
    let e = read_orders(&write(&dir, "o.txt", "x"), None, 0).unwrap_err();
    assert!(matches!(e, InputError::NoTable { .. }), "{e}");
    let e = read_orders(&dir.path().join("nope.csv"), None, 0).unwrap_err();
    assert!(
        matches!(e, InputError::Open { .. }) && e.to_string().contains("nope.csv"),
        "{e}"
    );
    // Text named .xlsx is read as the CSV it is, never a zip error.
    let e = read_orders(&write(&dir, "bad.xlsx", "not a zip"), None, 0).unwrap_err();
    assert!(
        matches!(e, InputError::NoTable { .. }) && e.to_string().contains("bad.xlsx"),
        "{e}"
    );

    let path = write(
        &dir,
        "orders.csv",
        "订单号,客户ID,订单类型,产品\nO1,A,new,x\n",
    );
    let e = read_orders(&path, None, 0).unwrap_err();
    let msg = e.to_string();
    assert!(msg.starts_with(&path.display().to_string()), "{msg}");
    assert!(
        msg.contains("order_date") && msg.contains("下单日期"),
        "{msg}"
    );

    let e = read_usage(
        &write(&dir, "u.csv", "account_id,客户ID,date,metric,quantity\n"),
        None,
        0,
    )
    .unwrap_err();
    assert!(
        matches!(
            e,
            InputError::DuplicateColumn {
                column: "account_id",
                ..
            }
        ),
        "{e}"
    );
    assert!(e.to_string().contains("'客户ID'"), "{e}");
}

#[test]
fn reads_usage() {
    let dir = TempDir::new().unwrap();
    let path = write(
        &dir,
        "usage.csv",
        "客户ID,日期,指标,用量,订单号\nA1,2024-07-01,短信,\"1,200\",P1\nA1,2024-07-02,pv,3,\nA1,2024-07-03,sms,-3,\nA2,,pv,1,\n",
    );
    let r = read_usage(&path, None, 7).unwrap();
    assert_law(&r);
    assert_eq!(r.rows.len(), 2);
    let u = &r.rows[0];
    assert_eq!(
        (u.metric, u.quantity, u.order_id.as_deref(), u.position),
        (Metric::Sms, 1200, Some("P1"), 7)
    );
    assert_eq!(r.rows[1].order_id, None);
    let got: Vec<(&str, ExceptionCode, u32)> = r
        .exceptions
        .iter()
        .map(|e| (e.column.as_str(), e.code, e.src.row))
        .collect();
    assert_eq!(
        got,
        vec![
            ("quantity", ExceptionCode::BadValue, 4),
            ("date", ExceptionCode::MissingValue, 5)
        ]
    );
    assert_eq!(r.exceptions[1].account_id, "A2");
}

mod xlsx_files {
    use super::*;
    use rust_xlsxwriter::{ExcelDateTime, Format, Formula, Workbook};

    /// A workbook as a vendor console exports it: Chinese headers, a real date cell, number
    /// cells for amounts, a percent-formatted discount, a blank row, an error cell.
    fn orders_workbook(dir: &TempDir) -> PathBuf {
        let path = dir.path().join("orders.xlsx");
        let mut wb = Workbook::new();
        let ws = wb.add_worksheet();
        ws.set_name("订单").unwrap();
        let date = Format::new().set_num_format("yyyy-mm-dd");
        let pct = Format::new().set_num_format("0%");
        for (c, h) in [
            "订单号",
            "客户ID",
            "下单日期",
            "订单类型",
            "产品",
            "数量",
            "时长",
            "单价",
            "折扣",
            "实付金额",
            "备注",
        ]
        .iter()
        .enumerate()
        {
            ws.write_string(0, c as u16, *h).unwrap();
        }
        ws.write_string(1, 0, "O1").unwrap();
        ws.write_string(1, 1, "A1").unwrap();
        ws.write_datetime_with_format(1, 2, ExcelDateTime::from_ymd(2024, 7, 1).unwrap(), &date)
            .unwrap();
        ws.write_string(1, 3, "新购").unwrap();
        ws.write_string(1, 4, "crm").unwrap();
        ws.write_number(1, 5, 3.0).unwrap();
        ws.write_string(1, 6, "1y").unwrap();
        ws.write_number(1, 7, 99.9).unwrap();
        ws.write_number_with_format(1, 8, 0.1, &pct).unwrap();
        ws.write_number(1, 9, 269.73).unwrap();
        // Row 3 is left blank; row 4 has only whitespace; row 5 is a numeric order id, a serial
        // date typed as a number and an error cell in a used column.
        ws.write_string(3, 1, "   ").unwrap();
        ws.write_number(4, 0, 202407011234.0).unwrap();
        ws.write_string(4, 1, "A2").unwrap();
        ws.write_number(4, 2, 45474.0).unwrap();
        ws.write_string(4, 3, "new").unwrap();
        ws.write_string(4, 4, "crm").unwrap();
        ws.write_formula(4, 7, Formula::new("=NA()").set_result("#N/A"))
            .unwrap();
        let other = wb.add_worksheet();
        other.set_name("Usage").unwrap();
        wb.save(&path).unwrap();
        path
    }

    #[test]
    fn reads_typed_cells() {
        let dir = TempDir::new().unwrap();
        let r = read_orders(&orders_workbook(&dir), None, 0).unwrap();
        assert_law(&r);
        assert_eq!((r.rows_read, r.blank_rows), (2, 2));
        assert_eq!(r.unknown_columns, vec!["备注"]);
        let o = &r.rows[0];
        assert_eq!(o.src.row, 2);
        assert_eq!(o.order_date, ymd(2024, 7, 1));
        assert_eq!(o.quantity, Some(3));
        assert_eq!(o.unit_price, Some(dec!(99.9)));
        assert_eq!(o.discount, Some(Discount::Percent(dec!(10))));
        assert_eq!(o.billed_amount, Some(dec!(269.73)));
        let e = &r.exceptions[0];
        assert_eq!(
            (e.src.row, e.column.as_str(), e.value.as_str()),
            (5, "unit_price", "#N/A")
        );
        assert_eq!(
            (e.order_id.as_str(), e.account_id.as_str()),
            ("202407011234", "A2")
        );
        assert_eq!(e.code, ExceptionCode::BadValue);
    }

    #[test]
    fn picks_sheets_by_name() {
        let dir = TempDir::new().unwrap();
        let path = orders_workbook(&dir);
        assert_eq!(read_orders(&path, Some("订单"), 0).unwrap().rows.len(), 1);
        let e = read_orders(&path, Some("usage"), 0).unwrap_err();
        assert!(matches!(e, InputError::NoHeader { .. }), "{e}");
        let e = read_orders(&path, Some("Sheet9"), 0).unwrap_err();
        let msg = e.to_string();
        assert!(
            msg.contains("Sheet9") && msg.contains("订单, Usage"),
            "{msg}"
        );
    }

    #[test]
    fn a_used_range_below_a1_keeps_absolute_row_numbers() {
        let dir = TempDir::new().unwrap();
        let path = dir.path().join("usage.XLSX");
        let mut wb = Workbook::new();
        let ws = wb.add_worksheet();
        for (c, h) in ["Account ID", "Date", "Metric", "Quantity"]
            .iter()
            .enumerate()
        {
            ws.write_string(2, 1 + c as u16, *h).unwrap();
        }
        ws.write_string(3, 1, "A1").unwrap();
        ws.write_string(3, 2, "2024-07-01").unwrap();
        ws.write_string(3, 3, "pv").unwrap();
        ws.write_number(3, 4, 1000.0).unwrap();
        ws.write_string(6, 1, "A1").unwrap();
        ws.write_string(6, 2, "2024-07-02").unwrap();
        ws.write_string(6, 3, "pv").unwrap();
        ws.write_number(6, 4, 2.5).unwrap();
        wb.save(&path).unwrap();
        let r = read_usage(&path, None, 0).unwrap();
        assert_law(&r);
        assert_eq!(r.rows[0].src.row, 4);
        assert_eq!(r.rows[0].quantity, 1000);
        assert_eq!(r.exceptions[0].src.row, 7);
        assert_eq!(r.exceptions[0].value, "2.5");
        assert_eq!(r.blank_rows, 2);
    }
}

/// Random CSV-ish text under a valid header: the pieces a real export is made of, and noise.
fn body() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just(",".to_string()),
        Just("\n".to_string()),
        Just("\r\n".to_string()),
        Just("\"".to_string()),
        Just(" ".to_string()),
        Just("2024-07-01".to_string()),
        Just("2024年7月1日".to_string()),
        Just("new".to_string()),
        Just("refund".to_string()),
        Just("2y".to_string()),
        Just("10%".to_string()),
        Just("9折".to_string()),
        Just("¥1,234.50".to_string()),
        Just("-3".to_string()),
        "[0-9]{1,20}".prop_map(|s| s),
        "[0-9.,%¥年月日折-]{1,8}".prop_map(|s| s),
        any::<String>(),
    ];
    prop::collection::vec(piece, 0..80).prop_map(|v| v.concat())
}

/// A stray quote that would swallow the rest of the file or whole rows, and NUL noise,
/// refuse the file whole; nothing else may.
fn refused_whole(e: &InputError) -> bool {
    matches!(
        e,
        InputError::UnclosedQuote { .. }
            | InputError::LongQuote { .. }
            | InputError::SwallowingQuote { .. }
            | InputError::NotText { .. }
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn random_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..400)) {
        let dir = TempDir::new().unwrap();
        let path = write(&dir, "o.csv", &bytes);
        if let Ok(r) = read_orders(&path, None, 0) {
            prop_assert_eq!(r.rows.len() + r.exceptions.len(), r.rows_read);
        }
        if let Ok(r) = read_usage(&path, None, 0) {
            prop_assert_eq!(r.rows.len() + r.exceptions.len(), r.rows_read);
        }
    }

    #[test]
    fn every_row_ends_in_one_place(text in body(), noise in prop::collection::vec(any::<u8>(), 0..20)) {
        let dir = TempDir::new().unwrap();
        let mut bytes = format!("{HEADER}\n{text}").into_bytes();
        bytes.extend_from_slice(&noise);
        let r = match read_orders(&write(&dir, "o.csv", &bytes), None, 0) {
            Ok(r) => r,
            Err(e) if refused_whole(&e) => return Ok(()),
            Err(e) => panic!("{e}"),
        };
        prop_assert_eq!(r.rows.len() + r.exceptions.len(), r.rows_read);
        let mut rows: Vec<u32> = r.rows.iter().map(|o| o.src.row)
            .chain(r.exceptions.iter().map(|e| e.src.row)).collect();
        rows.sort_unstable();
        rows.dedup();
        prop_assert_eq!(rows.len(), r.rows_read, "one row number per row");
        prop_assert!(rows.iter().all(|n| *n >= 2));
        let usage = format!("account_id,date,metric,quantity,order_id\n{text}");
        let r = match read_usage(&write(&dir, "u.csv", usage), None, 0) {
            Ok(r) => r,
            Err(e) if refused_whole(&e) => return Ok(()),
            Err(e) => panic!("{e}"),
        };
        prop_assert_eq!(r.rows.len() + r.exceptions.len(), r.rows_read);
    }
}
