//! Writes samples/orders-2025-cn.xlsx: an orders export as the Tencent console gives it in
//! Chinese, with real date cells, number cells and ¥ text amounts; and
//! samples/usage-2025-cn.xlsx, a usage export with Chinese headers and metrics. Run with
//! `cargo run --example make_sample_xlsx` after editing the rows below.

use rust_xlsxwriter::{ExcelDateTime, Format, Workbook, XlsxError};

enum V {
    T(&'static str),
    N(f64),
    D(u16, u8, u8),
    E,
}
use V::*;

fn main() -> Result<(), XlsxError> {
    let headers = [
        "订单号",
        "客户ID",
        "下单日期",
        "订单类型",
        "产品",
        "版本",
        "数量",
        "时长",
        "单价",
        "折扣",
        "代金券",
        "实付金额",
        "地域",
        "赠送数量",
        "开通日期",
        "备注",
    ];
    let rows: Vec<Vec<V>> = vec![
        vec![
            T("K-7001"),
            T("ETA-007"),
            D(2025, 5, 20),
            T("新购"),
            T("在线客服"),
            T("基础版"),
            N(10.0),
            T("1年"),
            E,
            E,
            E,
            T("¥9,990.00"),
            E,
            E,
            E,
            T("华东大区"),
        ],
        vec![
            T("K-7002"),
            T("ETA-007"),
            D(2025, 11, 20),
            T("增购"),
            T("在线客服"),
            T("基础版"),
            N(2.0),
            E,
            E,
            E,
            E,
            N(1198.8),
            E,
            E,
            E,
            E,
        ],
        vec![
            T("K-7003"),
            T("ETA-007"),
            D(2026, 5, 20),
            T("续费"),
            T("在线客服"),
            T("基础版"),
            N(12.0),
            T("1年"),
            E,
            E,
            E,
            T("¥11,988.00"),
            E,
            E,
            E,
            E,
        ],
        vec![
            T("K-7004"),
            T("THETA-008"),
            D(2025, 6, 1),
            T("新购"),
            T("企微互通账号"),
            E,
            N(1200.0),
            T("1年"),
            E,
            E,
            E,
            N(12000.0),
            E,
            E,
            E,
            E,
        ],
        vec![
            T("K-7005"),
            T("THETA-008"),
            D(2025, 6, 1),
            T("新购"),
            T("电话客服"),
            T("标准版"),
            N(3.0),
            T("6个月"),
            E,
            E,
            E,
            N(2250.0),
            E,
            E,
            E,
            T("半年试用"),
        ],
        vec![
            T("K-7006"),
            T("THETA-008"),
            D(2025, 7, 1),
            T("新购"),
            T("PV流量包"),
            T("100万"),
            N(2.0),
            E,
            E,
            E,
            E,
            N(60000.0),
            E,
            N(20000.0),
            E,
            E,
        ],
        vec![
            T("K-7007"),
            T("THETA-008"),
            D(2025, 6, 1),
            T("新购"),
            T("客户数据平台"),
            T("auto"),
            N(3000000.0),
            T("2年"),
            E,
            T("9折"),
            E,
            T("¥900,000.00"),
            E,
            E,
            D(2025, 6, 3),
            E,
        ],
        vec![
            T("K-7008"),
            T("IOTA-009"),
            D(2025, 6, 1),
            T("新购"),
            T("qa"),
            T("basic"),
            N(1.0),
            T("6个月"),
            N(2000.0),
            E,
            E,
            N(12000.0),
            T("cn-shanghai"),
            E,
            E,
            T("合同价"),
        ],
        vec![
            T("K-7009"),
            T("IOTA-009"),
            D(2025, 6, 1),
            T("新购"),
            T("qa-marketing"),
            E,
            N(1.0),
            T("6个月"),
            E,
            E,
            E,
            N(6000.0),
            T("cn-shanghai"),
            E,
            E,
            E,
        ],
        vec![
            T("K-7010"),
            T("THETA-008"),
            T("2025-08-15 10:30:00"),
            T("新购"),
            T("行业知识云"),
            E,
            N(1.0),
            E,
            E,
            N(1000.0),
            E,
            T("14,000"),
            E,
            E,
            E,
            E,
        ],
        vec![
            T("K-7011"),
            E,
            D(2025, 8, 15),
            T("新购"),
            T("在线客服"),
            T("基础版"),
            N(3.0),
            T("1年"),
            E,
            E,
            E,
            E,
            E,
            E,
            E,
            T("缺客户ID"),
        ],
    ];
    let mut wb = Workbook::new();
    let props = rust_xlsxwriter::DocProperties::new()
        .set_author("billrun samples")
        .set_creation_datetime(&ExcelDateTime::from_ymd(2025, 1, 1)?);
    wb.set_properties(&props);
    let ws = wb.add_worksheet().set_name("订单明细")?;
    let date = Format::new().set_num_format("yyyy-mm-dd");
    let bold = Format::new().set_bold();
    for (c, h) in headers.iter().enumerate() {
        ws.write_string_with_format(0, c as u16, *h, &bold)?;
    }
    for (r, row) in rows.iter().enumerate() {
        // A blank row between the Tencent and other lines, as hand-edited exports often have.
        let r = if r >= 8 { r as u32 + 2 } else { r as u32 + 1 };
        write_row(ws, r, row, &date)?;
    }
    ws.set_column_width(0, 12)?;
    wb.save("samples/orders-2025-cn.xlsx")?;
    usage()
}

/// A usage export in Chinese: a date cell, a date-time text, Chinese metric names.
fn usage() -> Result<(), XlsxError> {
    let rows: Vec<Vec<V>> = vec![
        vec![T("DELTA-004"), D(2025, 11, 1), T("会话"), N(2000.0), E],
        vec![
            T("EPSILON-005"),
            T("2025-11-02 09:30:00"),
            T("浏览量"),
            N(100000.0),
            T("M-5003"),
        ],
    ];
    let mut wb = Workbook::new();
    let props = rust_xlsxwriter::DocProperties::new()
        .set_author("billrun samples")
        .set_creation_datetime(&ExcelDateTime::from_ymd(2025, 1, 1)?);
    wb.set_properties(&props);
    let ws = wb.add_worksheet().set_name("用量明细")?;
    let date = Format::new().set_num_format("yyyy-mm-dd");
    for (c, h) in ["客户ID", "日期", "指标", "用量", "订单号"]
        .iter()
        .enumerate()
    {
        ws.write_string(0, c as u16, *h)?;
    }
    for (r, row) in rows.iter().enumerate() {
        write_row(ws, r as u32 + 1, row, &date)?;
    }
    ws.set_column_width(0, 14)?;
    wb.save("samples/usage-2025-cn.xlsx")
}

fn write_row(
    ws: &mut rust_xlsxwriter::Worksheet,
    r: u32,
    row: &[V],
    date: &Format,
) -> Result<(), XlsxError> {
    for (c, v) in row.iter().enumerate() {
        let c = c as u16;
        match v {
            T(s) => {
                ws.write_string(r, c, *s)?;
            }
            N(n) => {
                ws.write_number(r, c, *n)?;
            }
            D(y, m, d) => {
                ws.write_datetime_with_format(r, c, ExcelDateTime::from_ymd(*y, *m, *d)?, date)?;
            }
            E => {}
        }
    }
    Ok(())
}
