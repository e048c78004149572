//! Real-looking order exports built from one clean table of orders: the same eight rows as
//! a plain CSV (the "clean twin") and in every form a finance team saves them: CSV with a
//! BOM, a title and a blank row above the header, Chinese headers with units (`实付金额(元)`,
//! `折扣(%)`, `代金券(元)`), full-width digits, placeholders in empty cells, `20250701`
//! dates; workbooks (xlsx, xls, xlsb, ods) with the orders on a later or hidden sheet, a
//! merged title and order ids merged down an order's lines.
//!
//! The rows are orders from `samples/orders-2025.csv`, priced by the built-in catalog:
//! seven lines priced (expected = billed, 127,381.40 in all) and one refused by the engine
//! (M-5004: a voucher on a PV pack, BAD_VALUE on `voucher`).

use super::{Sheet, V, t};

/// One order line of the clean table. Money is in fen (cents) so every form writes the
/// same exact amount.
#[derive(Clone, Debug, PartialEq)]
pub struct Order {
    pub order_id: &'static str,
    pub account_id: &'static str,
    pub order_date: (i32, u32, u32),
    pub kind: &'static str,
    pub product: &'static str,
    pub edition: Option<&'static str>,
    pub quantity: Option<u64>,
    pub term: Option<&'static str>,
    /// A percentage off the line: 5 is 5%.
    pub discount_pct: Option<u32>,
    /// Yuan.
    pub voucher: Option<u32>,
    /// Fen.
    pub billed_fen: i64,
    pub start_date: Option<(i32, u32, u32)>,
}

#[allow(clippy::too_many_arguments)] // one line of the table, field by field
const fn order(
    order_id: &'static str,
    account_id: &'static str,
    order_date: (i32, u32, u32),
    product: &'static str,
    edition: Option<&'static str>,
    quantity: Option<u64>,
    term: Option<&'static str>,
    billed_fen: i64,
) -> Order {
    Order {
        order_id,
        account_id,
        order_date,
        kind: "new",
        product,
        edition,
        quantity,
        term,
        discount_pct: None,
        voucher: None,
        billed_fen,
        start_date: None,
    }
}

/// The clean table: two lines of Q-1001 (for merged order ids), a start date, a pack, two
/// percentage discounts, a voucher, and M-5004 (a voucher on a PV pack: an exception).
pub fn orders() -> Vec<Order> {
    let mut q1003 = order(
        "Q-1003",
        "ACME-001",
        (2025, 3, 1),
        "qcs-phone",
        Some("standard"),
        Some(3),
        Some("1y"),
        450_000,
    );
    q1003.start_date = Some((2025, 3, 5));
    let mut m5003 = order(
        "M-5003",
        "EPSILON-005",
        (2025, 6, 1),
        "qdm-pv",
        Some("3m"),
        Some(1),
        None,
        8_550_000,
    );
    m5003.discount_pct = Some(5);
    let mut m5004 = order(
        "M-5004",
        "EPSILON-005",
        (2025, 6, 1),
        "qdm-pv",
        Some("1m"),
        Some(1),
        None,
        2_950_000,
    );
    m5004.voucher = Some(500);
    let mut e6006 = order(
        "E-6006",
        "ZETA-006",
        (2025, 5, 1),
        "qcs-online",
        Some("basic"),
        Some(4),
        Some("1y"),
        359_640,
    );
    e6006.discount_pct = Some(10);
    let mut q7001 = order(
        "Q-7001",
        "THETA-007",
        (2025, 6, 2),
        "qcs-online",
        Some("basic"),
        Some(5),
        Some("1y"),
        499_500,
    );
    q7001.voucher = Some(500);
    vec![
        order(
            "Q-1001",
            "ACME-001",
            (2025, 1, 10),
            "qcs-online",
            Some("basic"),
            Some(5),
            Some("2y"),
            999_000,
        ),
        order(
            "Q-1001",
            "ACME-001",
            (2025, 1, 10),
            "qcs-robot",
            Some("standard"),
            Some(1),
            None,
            1_160_000,
        ),
        q1003,
        order(
            "Q-1005",
            "ACME-001",
            (2025, 8, 1),
            "qcs-sessions",
            Some("360k"),
            Some(2),
            None,
            720_000,
        ),
        m5003,
        m5004,
        e6006,
        q7001,
    ]
}

/// Lines the clean table prices, and the rows it refuses.
pub const PRICED: u64 = 7;
pub const REFUSED: u64 = 1;
/// The clean table's totals as `--json` prints them.
pub const EXPECTED: &str = "127381.40";

/// The columns, in file order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Col {
    OrderId,
    AccountId,
    OrderDate,
    Type,
    Product,
    Edition,
    Quantity,
    Term,
    Discount,
    Voucher,
    Billed,
    StartDate,
}

pub const COLS: [Col; 12] = [
    Col::OrderId,
    Col::AccountId,
    Col::OrderDate,
    Col::Type,
    Col::Product,
    Col::Edition,
    Col::Quantity,
    Col::Term,
    Col::Discount,
    Col::Voucher,
    Col::Billed,
    Col::StartDate,
];

impl Col {
    fn english(self) -> &'static str {
        match self {
            Col::OrderId => "order_id",
            Col::AccountId => "account_id",
            Col::OrderDate => "order_date",
            Col::Type => "type",
            Col::Product => "product",
            Col::Edition => "edition",
            Col::Quantity => "quantity",
            Col::Term => "term",
            Col::Discount => "discount",
            Col::Voucher => "voucher",
            Col::Billed => "billed_amount",
            Col::StartDate => "start_date",
        }
    }

    fn chinese(self, units: bool) -> &'static str {
        match (self, units) {
            (Col::OrderId, _) => "订单号",
            (Col::AccountId, _) => "客户ID",
            (Col::OrderDate, _) => "下单日期",
            (Col::Type, _) => "订单类型",
            (Col::Product, _) => "产品",
            (Col::Edition, _) => "版本",
            (Col::Quantity, _) => "数量",
            (Col::Term, _) => "时长",
            (Col::Discount, false) => "折扣",
            (Col::Discount, true) => "折扣(%)",
            (Col::Voucher, false) => "代金券",
            (Col::Voucher, true) => "代金券(元)",
            (Col::Billed, false) => "实付金额",
            (Col::Billed, true) => "实付金额(元)",
            (Col::StartDate, _) => "开通日期",
        }
    }

    /// Whether an empty cell of this column may hold a placeholder (`-`, `无`, `N/A`).
    fn optional(self) -> bool {
        matches!(
            self,
            Col::Edition
                | Col::Quantity
                | Col::Term
                | Col::Discount
                | Col::Voucher
                | Col::StartDate
        )
    }
}

/// How an export is written. `Style::default()` is the clean twin: English headers, ISO
/// dates, `5%` discounts, `9,990.00` amounts, empty cells empty.
#[derive(Clone, Debug, Default)]
pub struct Style {
    /// CSV: a UTF-8 byte-order mark first (Excel's "CSV UTF-8").
    pub bom: bool,
    /// A title row and a blank row above the header; merged across the header in a workbook.
    pub title: bool,
    /// The console's Chinese headers.
    pub chinese: bool,
    /// Chinese headers with units: `实付金额(元)`, `折扣(%)` (discounts as bare numbers,
    /// `5` for 5%), `代金券(元)`.
    pub units: bool,
    /// Digits, `,`, `.` and `%` full-width, as a Chinese input method types them (workbook
    /// numbers become text cells).
    pub full_width: bool,
    /// Empty optional cells hold `-`, `无` or `N/A` in turn.
    pub placeholders: bool,
    /// Dates as `20250701` (a number in a workbook).
    pub compact_dates: bool,
    /// Workbook: an order's id only on its first line, merged down its lines.
    pub merged_ids: bool,
    /// CSV: percentages as the bare fraction a workbook cell holds (`0.05` for 5%), as a
    /// reader that cannot see the cell's percent format gets them.
    pub fractions: bool,
    /// Replaces a header (after the choices above): (column, header).
    pub rename: Vec<(Col, &'static str)>,
}

impl Style {
    pub fn headers(&self) -> Vec<String> {
        COLS.iter()
            .map(|&c| {
                if let Some((_, h)) = self.rename.iter().find(|(r, _)| *r == c) {
                    return h.to_string();
                }
                if self.chinese || self.units {
                    c.chinese(self.units).to_string()
                } else {
                    c.english().to_string()
                }
            })
            .collect()
    }
}

pub const TITLE: &str = "2025年订单明细（财务导出）";

/// One cell before it is written: text, or a number a workbook stores as a number.
#[derive(Clone, Debug, PartialEq)]
enum Value {
    Empty,
    Text(String),
    Num { text: String, value: f64 },
    Percent(u32),
    Date(i32, u32, u32),
}

fn money_text(fen: i64) -> String {
    let yuan = fen / 100;
    let mut digits = yuan.to_string();
    let mut grouped = String::new();
    while digits.len() > 3 {
        let tail = digits.split_off(digits.len() - 3);
        grouped = format!(",{tail}{grouped}");
    }
    format!("{digits}{grouped}.{:02}", fen % 100)
}

fn value(o: &Order, c: Col) -> Value {
    let text = |s: &str| Value::Text(s.to_string());
    let opt = |s: Option<&str>| s.map_or(Value::Empty, text);
    match c {
        Col::OrderId => text(o.order_id),
        Col::AccountId => text(o.account_id),
        Col::OrderDate => Value::Date(o.order_date.0, o.order_date.1, o.order_date.2),
        Col::Type => text(o.kind),
        Col::Product => text(o.product),
        Col::Edition => opt(o.edition),
        Col::Quantity => o.quantity.map_or(Value::Empty, |q| Value::Num {
            text: q.to_string(),
            value: q as f64,
        }),
        Col::Term => opt(o.term),
        Col::Discount => o.discount_pct.map_or(Value::Empty, Value::Percent),
        Col::Voucher => o.voucher.map_or(Value::Empty, |v| Value::Num {
            text: v.to_string(),
            value: f64::from(v),
        }),
        Col::Billed => Value::Num {
            text: money_text(o.billed_fen),
            value: o.billed_fen as f64 / 100.0,
        },
        Col::StartDate => o
            .start_date
            .map_or(Value::Empty, |(y, m, d)| Value::Date(y, m, d)),
    }
}

/// Full-width digits and number punctuation: `９，９９０．００`, `５％`.
pub fn full_width(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '0'..='9' | ',' | '.' | '%' | '-' => char::from_u32(c as u32 + 0xfee0).unwrap_or(c),
            _ => c,
        })
        .collect()
}

const PLACEHOLDERS: [&str; 3] = ["-", "无", "N/A"];

/// The table as text cells, header first, as a CSV holds it.
pub fn text_rows(orders: &[Order], style: &Style) -> Vec<Vec<String>> {
    let mut rows = vec![style.headers()];
    let mut placeholder = 0;
    for o in orders {
        let mut row = Vec::new();
        for &c in &COLS {
            let s = match value(o, c) {
                Value::Empty if style.placeholders && c.optional() => {
                    placeholder += 1;
                    row.push(PLACEHOLDERS[placeholder % PLACEHOLDERS.len()].to_string());
                    continue;
                }
                Value::Empty => String::new(),
                Value::Text(s) => s,
                Value::Num { text, .. } => text,
                Value::Percent(p) if style.units => p.to_string(),
                Value::Percent(p) if style.fractions => format!("{}", f64::from(p) / 100.0),
                Value::Percent(p) => format!("{p}%"),
                Value::Date(y, m, d) if style.compact_dates => format!("{y}{m:02}{d:02}"),
                Value::Date(y, m, d) => format!("{y}-{m:02}-{d:02}"),
            };
            let numeric = !matches!(
                c,
                Col::OrderId | Col::AccountId | Col::Type | Col::Product | Col::Edition | Col::Term
            );
            row.push(if style.full_width && numeric {
                full_width(&s)
            } else {
                s
            });
        }
        rows.push(row);
    }
    rows
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// CSV text of rows, CRLF line ends as Excel writes them.
pub fn csv_of(rows: &[Vec<String>]) -> String {
    rows.iter()
        .map(|r| r.iter().map(|f| csv_field(f)).collect::<Vec<_>>().join(","))
        .map(|l| l + "\r\n")
        .collect()
}

/// The orders as a CSV file's bytes.
pub fn csv(orders: &[Order], style: &Style) -> Vec<u8> {
    let mut out = String::new();
    if style.bom {
        out.push('\u{feff}');
    }
    if style.title {
        out.push_str(&csv_of(&[vec![TITLE.to_string()], vec![]]));
    }
    out.push_str(&csv_of(&text_rows(orders, style)));
    out.into_bytes()
}

/// The clean twin: plain CSV, English headers.
pub fn clean_csv() -> Vec<u8> {
    csv(&orders(), &Style::default())
}

/// The orders as one worksheet named `name`: typed cells (numbers, real dates, percent
/// cells) unless the style says text.
pub fn sheet(name: &str, orders: &[Order], style: &Style) -> Sheet {
    let mut s = Sheet::new(name);
    let width = COLS.len() as u32;
    if style.title {
        s.rows.push(vec![t(TITLE)]);
        s.rows.push(vec![]);
        s.merges.push((0, 0, 0, width - 1));
    }
    s.rows.push(style.headers().iter().map(|h| t(h)).collect());
    let mut placeholder = 0;
    let mut i = 0;
    while i < orders.len() {
        let id = orders[i].order_id;
        let n = orders[i..].iter().take_while(|o| o.order_id == id).count();
        for (k, o) in orders[i..i + n].iter().enumerate() {
            let mut row = Vec::new();
            for &c in &COLS {
                let v = match value(o, c) {
                    _ if c == Col::OrderId && style.merged_ids && k > 0 => V::Empty,
                    Value::Empty if style.placeholders && c.optional() => {
                        placeholder += 1;
                        t(PLACEHOLDERS[placeholder % PLACEHOLDERS.len()])
                    }
                    Value::Empty => V::Empty,
                    Value::Text(x) => t(&x),
                    Value::Num { text, .. } if style.full_width => t(&full_width(&text)),
                    Value::Num { value, .. } => V::Num(value),
                    Value::Percent(p) if style.full_width => t(&full_width(&format!("{p}%"))),
                    Value::Percent(p) if style.units => V::Num(f64::from(p)),
                    Value::Percent(p) => V::Percent(f64::from(p) / 100.0),
                    Value::Date(y, m, d) if style.compact_dates => {
                        V::Num(f64::from(y as u32 * 10_000 + m * 100 + d))
                    }
                    Value::Date(y, m, d) => V::Date(y, m, d),
                };
                row.push(v);
            }
            s.rows.push(row);
        }
        if style.merged_ids && n > 1 {
            let first = s.rows.len() as u32 - n as u32;
            s.merges.push((first, 0, first + n as u32 - 1, 0));
        }
        i += n;
    }
    s
}

/// Where the orders sheet sits in its workbook.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Place {
    /// The only sheet.
    First,
    /// After a notes sheet that holds no table.
    Later,
    /// Hidden, after a visible summary sheet that holds no table.
    Hidden,
}

pub const ORDERS_SHEET: &str = "订单明细";

/// A sheet of prose, as consoles put before the data: no table header in it.
pub fn notes_sheet(name: &str) -> Sheet {
    let mut s = Sheet::new(name);
    s.rows = vec![
        vec![t("导出说明")],
        vec![t("本文件由控制台导出，金额单位：元")],
        vec![t("导出时间"), t("2025-12-31 23:59")],
    ];
    s
}

/// The workbook's sheets: the orders sheet (`ORDERS_SHEET`) placed as asked.
pub fn sheets(orders: &[Order], style: &Style, place: Place) -> Vec<Sheet> {
    let mut data = sheet(ORDERS_SHEET, orders, style);
    match place {
        Place::First => vec![data],
        Place::Later => vec![notes_sheet("说明"), data],
        Place::Hidden => {
            data.hidden = true;
            vec![notes_sheet("汇总"), data]
        }
    }
}

/// The workbook formats the fixture writers produce.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Book {
    Xlsx,
    Xls,
    Xlsb,
    Ods,
}

pub const BOOKS: [Book; 4] = [Book::Xlsx, Book::Xls, Book::Xlsb, Book::Ods];

impl Book {
    pub fn ext(self) -> &'static str {
        match self {
            Book::Xlsx => "xlsx",
            Book::Xls => "xls",
            Book::Xlsb => "xlsb",
            Book::Ods => "ods",
        }
    }

    /// What billrun calls the format in `tables`.
    pub fn name(self) -> &'static str {
        match self {
            Book::Xlsx => "Excel workbook (.xlsx)",
            Book::Xls => "Excel 97-2003 workbook (.xls)",
            Book::Xlsb => "Excel binary workbook (.xlsb)",
            Book::Ods => "OpenDocument spreadsheet (.ods)",
        }
    }

    pub fn write(self, sheets: &[Sheet]) -> Vec<u8> {
        match self {
            Book::Xlsx => super::xlsx(sheets),
            Book::Xls => super::xls(sheets),
            Book::Xlsb => super::xlsb(sheets),
            Book::Ods => super::ods(sheets),
        }
    }
}

/// A usage table (sessions drawn on Q-1005's 360k packs), as a sheet.
pub fn usage_sheet(name: &str) -> Sheet {
    let mut s = Sheet::new(name);
    s.rows = vec![
        vec![t("客户ID"), t("日期"), t("指标"), t("用量")],
        vec![
            t("ACME-001"),
            V::Date(2025, 8, 15),
            t("sessions"),
            V::Num(1000.0),
        ],
        vec![
            t("ACME-001"),
            V::Date(2025, 9, 15),
            t("sessions"),
            V::Num(2500.0),
        ],
    ];
    s
}

/// Rows of [`usage_sheet`].
pub const USAGE_ROWS: u64 = 2;
