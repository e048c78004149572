//! The rows `gen` writes: an order line or a usage row as typed values, the columns of each
//! export (SPEC 5, English headers as in samples/orders-2025.csv), and the cell values the
//! writers turn into CSV text or XLSX cells.

use chrono::NaiveDate;
use rust_decimal::Decimal;

/// Orders export columns, in file order.
pub const ORDER_COLUMNS: [&str; 18] = [
    "order_id",
    "account_id",
    "order_date",
    "type",
    "product",
    "edition",
    "quantity",
    "term",
    "unit_price",
    "discount",
    "voucher",
    "billed_amount",
    "bonus_quantity",
    "start_date",
    "region",
    "ref_order_id",
    "reason",
    "invoiced",
];

/// Usage export columns, in file order.
pub const USAGE_COLUMNS: [&str; 5] = ["account_id", "date", "metric", "quantity", "order_id"];

/// Column indexes of the orders export that corruptions (bad rows) target.
pub mod col {
    pub const ACCOUNT_ID: usize = 1;
    pub const ORDER_DATE: usize = 2;
    pub const PRODUCT: usize = 4;
    pub const QUANTITY: usize = 6;
    pub const TERM: usize = 7;
    /// Usage export.
    pub const USAGE_ACCOUNT_ID: usize = 0;
    pub const USAGE_DATE: usize = 1;
    pub const USAGE_METRIC: usize = 2;
    pub const USAGE_QUANTITY: usize = 3;
}

/// One cell of a generated row.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Empty,
    Text(String),
    Int(u64),
    /// An amount with two decimals.
    Money(Decimal),
    Date(NaiveDate),
}

impl Value {
    fn text(s: &str) -> Value {
        if s.is_empty() {
            Value::Empty
        } else {
            Value::Text(s.to_string())
        }
    }

    fn opt<T>(v: Option<T>, f: impl FnOnce(T) -> Value) -> Value {
        v.map_or(Value::Empty, f)
    }
}

/// The event types of SPEC 5.1, as written in the `type` column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    New,
    Addon,
    Renewal,
    Upgrade,
    Refund,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::New => "new",
            Kind::Addon => "addon",
            Kind::Renewal => "renewal",
            Kind::Upgrade => "upgrade",
            Kind::Refund => "refund",
        }
    }
}

/// One order line as generated, before it is written (and, for a bad row, corrupted).
#[derive(Debug, Clone, PartialEq)]
pub struct OrderLine {
    pub order_id: String,
    pub account_id: String,
    pub order_date: NaiveDate,
    pub kind: Kind,
    pub product: &'static str,
    pub edition: String,
    pub quantity: Option<u64>,
    /// `1y`, `6m`…
    pub term: Option<String>,
    pub unit_price: Option<Decimal>,
    /// `10%` or an amount, as the export writes it.
    pub discount: Option<String>,
    pub voucher: Option<Decimal>,
    pub billed: Option<Decimal>,
    pub bonus: Option<u64>,
    pub start_date: Option<NaiveDate>,
    pub region: &'static str,
    pub ref_order_id: String,
    pub reason: &'static str,
    pub invoiced: bool,
}

impl OrderLine {
    pub fn new(
        order_id: &str,
        account_id: &str,
        date: NaiveDate,
        kind: Kind,
        product: &'static str,
    ) -> OrderLine {
        OrderLine {
            order_id: order_id.to_string(),
            account_id: account_id.to_string(),
            order_date: date,
            kind,
            product,
            edition: String::new(),
            quantity: None,
            term: None,
            unit_price: None,
            discount: None,
            voucher: None,
            billed: None,
            bonus: None,
            start_date: None,
            region: "",
            ref_order_id: String::new(),
            reason: "",
            invoiced: false,
        }
    }

    /// The row's cells in `ORDER_COLUMNS` order.
    pub fn values(&self) -> Vec<Value> {
        vec![
            Value::text(&self.order_id),
            Value::text(&self.account_id),
            Value::Date(self.order_date),
            Value::text(self.kind.as_str()),
            Value::text(self.product),
            Value::text(&self.edition),
            Value::opt(self.quantity, Value::Int),
            Value::opt(self.term.as_deref(), Value::text),
            Value::opt(self.unit_price, Value::Money),
            Value::opt(self.discount.as_deref(), Value::text),
            Value::opt(self.voucher, Value::Money),
            Value::opt(self.billed, Value::Money),
            Value::opt(self.bonus, Value::Int),
            Value::opt(self.start_date, Value::Date),
            Value::text(self.region),
            Value::text(&self.ref_order_id),
            Value::text(self.reason),
            if self.invoiced {
                Value::text("yes")
            } else {
                Value::Empty
            },
        ]
    }
}

/// One usage row as generated.
#[derive(Debug, Clone, PartialEq)]
pub struct UsageLine {
    pub account_id: String,
    pub date: NaiveDate,
    pub metric: &'static str,
    pub quantity: u64,
    pub order_id: Option<String>,
}

impl UsageLine {
    /// The row's cells in `USAGE_COLUMNS` order.
    pub fn values(&self) -> Vec<Value> {
        vec![
            Value::text(&self.account_id),
            Value::Date(self.date),
            Value::text(self.metric),
            Value::Int(self.quantity),
            Value::opt(self.order_id.as_deref(), Value::text),
        ]
    }
}
