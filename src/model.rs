//! Validated input rows, the quantity limits they are held to, and the exception record
//! every bad row becomes. No I/O.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::sync::Arc;

/// Where a row came from: the file as the user named it and the Excel-style row number
/// (the header is row 1, so the first data row is row 2).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SourceRef {
    pub file: Arc<str>,
    pub row: u32,
}

/// The five order events of SPEC 5.1, in the order events of one day are applied (SPEC 4:
/// new, addon, upgrade, renewal; refunds after usage). A catalog names them by their codes
/// (`refund_types = ["new"]`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum OrderType {
    New,
    Addon,
    Upgrade,
    Renewal,
    Refund,
}

impl OrderType {
    pub fn as_str(self) -> &'static str {
        match self {
            OrderType::New => "new",
            OrderType::Addon => "addon",
            OrderType::Upgrade => "upgrade",
            OrderType::Renewal => "renewal",
            OrderType::Refund => "refund",
        }
    }

    /// Accepts the English codes and the Chinese words of the vendor consoles.
    pub fn parse(text: &str) -> Option<OrderType> {
        let t = text.trim().to_ascii_lowercase();
        Some(match t.as_str() {
            "new" | "新购" | "新购买" | "购买" | "新订" => OrderType::New,
            "addon" | "add-on" | "add_on" | "增购" | "加购" | "扩容" => OrderType::Addon,
            "upgrade" | "升级" | "升配" => OrderType::Upgrade,
            "renewal" | "renew" | "续费" | "续订" => OrderType::Renewal,
            "refund" | "退款" | "退订" => OrderType::Refund,
            _ => return None,
        })
    }
}

impl fmt::Display for OrderType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A subscription term, always held in months (`2y` = 24 months).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Term {
    pub months: u32,
}

impl Term {
    pub fn years(y: u32) -> Term {
        Term { months: y * 12 }
    }
    /// Whole years, if the term is a whole number of years.
    pub fn whole_years(self) -> Option<u32> {
        self.months.is_multiple_of(12).then_some(self.months / 12)
    }
}

impl fmt::Display for Term {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.whole_years() {
            Some(y) if y > 0 => write!(f, "{y}y"),
            _ => write!(f, "{}m", self.months),
        }
    }
}

/// A discount as the export gives it: an amount off the line, or a percentage of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Discount {
    Amount(Decimal),
    Percent(Decimal),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RefundReason {
    NoReason,
    Defect,
    Other,
}

impl RefundReason {
    pub fn as_str(self) -> &'static str {
        match self {
            RefundReason::NoReason => "no_reason",
            RefundReason::Defect => "defect",
            RefundReason::Other => "other",
        }
    }
    pub fn parse(text: &str) -> Option<RefundReason> {
        let t = text.trim().to_ascii_lowercase().replace([' ', '-'], "_");
        Some(match t.as_str() {
            "no_reason" | "noreason" | "无理由" | "七天无理由" | "7天无理由" => {
                RefundReason::NoReason
            }
            "defect" | "产品缺陷" | "缺陷" | "质量问题" => RefundReason::Defect,
            "other" | "其他" | "其它" => RefundReason::Other,
            _ => return None,
        })
    }
}

/// The quantity limits, both here so that each is stated once (README "Input columns";
/// docs/RELIABILITY.md "Limits"). Beyond either, the row is a `BAD_VALUE` exception.
///
/// The most units (or bonus units) one order line may hold: a billion. With amounts
/// bounded by `money::MAX_AMOUNT` and terms by 100 years, every price × quantity × term
/// stays inside `Decimal`'s range, so pricing cannot overflow. The engine checks it where
/// a line uses its quantity, so a refund row's ignored quantity is not refused.
pub const MAX_QUANTITY: u64 = 1_000_000_000;

/// The largest number any quantity cell is read as (10^15). It is the bound of a usage
/// row, which no line prices, so [`MAX_QUANTITY`] does not apply to it. Below 2^53
/// (about 9 × 10^15) it is exact in an `f64` cell, and usage totals are `u128` sums.
pub const MAX_CELL_QUANTITY: u64 = 1_000_000_000_000_000;

/// One order row after every cell has been parsed. Requiredness that depends on the SKU
/// (term, quantity, price) is checked by the engine against the catalog.
#[derive(Debug, Clone, PartialEq)]
pub struct OrderRow {
    pub src: SourceRef,
    /// Position over all input rows in the order they were read; the last tie-breaker.
    pub position: usize,
    pub order_id: String,
    pub account_id: String,
    pub order_date: NaiveDate,
    pub kind: OrderType,
    /// The SKU as written in the export (code or alias); resolved against the catalog later.
    pub product: Option<String>,
    pub edition: Option<String>,
    pub quantity: Option<u64>,
    pub term: Option<Term>,
    pub unit_price: Option<Decimal>,
    pub discount: Option<Discount>,
    pub voucher: Option<Decimal>,
    pub billed_amount: Option<Decimal>,
    pub region: Option<String>,
    pub ref_order_id: Option<String>,
    pub reason: Option<RefundReason>,
    pub invoiced: Option<bool>,
    pub bonus_quantity: Option<u64>,
    pub start_date: Option<NaiveDate>,
}

impl OrderRow {
    /// A row with its required columns and every optional one empty; callers that build rows
    /// outside the readers (`quote`, tests) set the few optional fields they need.
    pub fn new(
        src: SourceRef,
        position: usize,
        order_id: &str,
        account_id: &str,
        order_date: NaiveDate,
        kind: OrderType,
    ) -> OrderRow {
        OrderRow {
            src,
            position,
            order_id: order_id.to_string(),
            account_id: account_id.to_string(),
            order_date,
            kind,
            product: None,
            edition: None,
            quantity: None,
            term: None,
            unit_price: None,
            discount: None,
            voucher: None,
            billed_amount: None,
            region: None,
            ref_order_id: None,
            reason: None,
            invoiced: None,
            bonus_quantity: None,
            start_date: None,
        }
    }
}

impl OrderRow {
    /// Every column of the row, without where it came from: two rows with the same content
    /// are duplicates (overlapping exports).
    #[allow(clippy::type_complexity)]
    fn content(
        &self,
    ) -> (
        (
            &str,
            &str,
            NaiveDate,
            OrderType,
            Option<&str>,
            Option<&str>,
            Option<u64>,
        ),
        (
            Option<Term>,
            Option<Decimal>,
            Option<Discount>,
            Option<Decimal>,
            Option<Decimal>,
        ),
        (
            Option<&str>,
            Option<&str>,
            Option<RefundReason>,
            Option<bool>,
            Option<u64>,
        ),
        Option<NaiveDate>,
    ) {
        (
            (
                &self.order_id,
                &self.account_id,
                self.order_date,
                self.kind,
                self.product.as_deref(),
                self.edition.as_deref(),
                self.quantity,
            ),
            (
                self.term,
                self.unit_price,
                self.discount,
                self.voucher,
                self.billed_amount,
            ),
            (
                self.region.as_deref(),
                self.ref_order_id.as_deref(),
                self.reason,
                self.invoiced,
                self.bonus_quantity,
            ),
            self.start_date,
        )
    }

    /// A hash of `content`: equal for rows identical in every column.
    pub fn content_hash(&self) -> u64 {
        use std::hash::{Hash, Hasher};
        let mut h = std::collections::hash_map::DefaultHasher::new();
        self.content().hash(&mut h);
        h.finish()
    }

    /// Whether the two rows are identical in every column (their sources aside).
    pub fn same_content(&self, other: &OrderRow) -> bool {
        self.content() == other.content()
    }
}

/// What a usage row measures (SPEC 5.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Metric {
    Pv,
    Sessions,
    Sms,
    BackflowRows,
}

impl Metric {
    pub fn as_str(self) -> &'static str {
        match self {
            Metric::Pv => "pv",
            Metric::Sessions => "sessions",
            Metric::Sms => "sms",
            Metric::BackflowRows => "backflow_rows",
        }
    }
    pub fn parse(text: &str) -> Option<Metric> {
        let t = text.trim().to_ascii_lowercase();
        Some(match t.as_str() {
            "pv" | "page_views" | "浏览量" | "页面浏览量" => Metric::Pv,
            "sessions" | "session" | "会话" | "会话量" | "机器人会话" => Metric::Sessions,
            "sms" | "短信" => Metric::Sms,
            "backflow_rows" | "backflow" | "回流" | "数据回流" | "回流行数" => {
                Metric::BackflowRows
            }
            _ => return None,
        })
    }
}

/// One usage row (SPEC 5.2).
#[derive(Debug, Clone, PartialEq)]
pub struct UsageRow {
    pub src: SourceRef,
    pub position: usize,
    pub account_id: String,
    pub date: NaiveDate,
    pub metric: Metric,
    pub quantity: u64,
    pub order_id: Option<String>,
}

/// Exception codes of SPEC 6 plus the few the readers need.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ExceptionCode {
    BadValue,
    MissingValue,
    UnknownSku,
    NoPrice,
    BelowMinimum,
    LimitExceeded,
    NoSubscription,
    Reclaimed,
    MissingRequirement,
    BadTerm,
    BadRegion,
    Duplicate,
    /// A formula cell whose workbook holds no computed value (saved by a script, never
    /// opened in Excel): its value is unknown, never taken as empty.
    NoValue,
    /// A bare discount strictly between 0 and 1 in a cell not formatted as a percentage:
    /// 10% or ¥0.10 off?
    AmbiguousDiscount,
    /// One order in two source files whose copies differ (a corrected re-export).
    ConflictingExport,
    /// One order whose lines name more than one account.
    OrderSpansAccounts,
}

impl ExceptionCode {
    pub fn as_str(self) -> &'static str {
        match self {
            ExceptionCode::BadValue => "BAD_VALUE",
            ExceptionCode::MissingValue => "MISSING_VALUE",
            ExceptionCode::UnknownSku => "UNKNOWN_SKU",
            ExceptionCode::NoPrice => "NO_PRICE",
            ExceptionCode::BelowMinimum => "BELOW_MINIMUM",
            ExceptionCode::LimitExceeded => "LIMIT_EXCEEDED",
            ExceptionCode::NoSubscription => "NO_SUBSCRIPTION",
            ExceptionCode::Reclaimed => "RECLAIMED",
            ExceptionCode::MissingRequirement => "MISSING_REQUIREMENT",
            ExceptionCode::BadTerm => "BAD_TERM",
            ExceptionCode::BadRegion => "BAD_REGION",
            ExceptionCode::Duplicate => "DUPLICATE",
            ExceptionCode::NoValue => "NO_VALUE",
            ExceptionCode::AmbiguousDiscount => "AMBIGUOUS_DISCOUNT",
            ExceptionCode::ConflictingExport => "CONFLICTING_EXPORT",
            ExceptionCode::OrderSpansAccounts => "ORDER_SPANS_ACCOUNTS",
        }
    }
}

impl fmt::Display for ExceptionCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A row that could not be priced, with everything a finance user needs to find and fix it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowException {
    pub src: SourceRef,
    pub order_id: String,
    pub account_id: String,
    /// The column as the spec names it (`quantity`, `order_date`, …).
    pub column: String,
    /// The offending value as read (empty for a missing value).
    pub value: String,
    pub code: ExceptionCode,
    pub message: String,
}
