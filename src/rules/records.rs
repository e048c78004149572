//! The decisions and calculation records the rules return: which arithmetic produced a
//! line's amounts, a line's reconciliation status, a subscription's and a pack's status,
//! and a refund's decision and arithmetic. Plain values; `output` turns a calculation
//! record into Excel formulas, so the words, amounts and formulas come from one record.

/// Which arithmetic produced a line's amounts; decides the line's Excel formulas.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Calc {
    /// `full_years_amount = unit_price × billable × full_years`;
    /// `months_amount = min(unit_price / 10 × billable × months, unit_price × billable)`
    /// (Tencent pricing; a new purchase has `months = 0`).
    TencentYears,
    /// `months_amount = unit_price × billable × months` (Quick Audience monthly pricing).
    Months,
    /// `months_amount = unit_price × 12 / 365 × days × billable` (Quick Audience by days).
    Days { days: u32 },
    /// `list_amount = unit_price × billable` (one-time items and packs).
    OneTime,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum LineStatus {
    Ok,
    Mismatch,
    Unbilled,
}

impl LineStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            LineStatus::Ok => "OK",
            LineStatus::Mismatch => "MISMATCH",
            LineStatus::Unbilled => "UNBILLED",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum SubStatus {
    Active,
    Expiring,
    Grace,
    Reclaimed,
    Refunded,
}

impl SubStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            SubStatus::Active => "ACTIVE",
            SubStatus::Expiring => "EXPIRING",
            SubStatus::Grace => "GRACE",
            SubStatus::Reclaimed => "RECLAIMED",
            SubStatus::Refunded => "REFUNDED",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum PackStatus {
    Active,
    Low,
    Exhausted,
    Expired,
    Refunded,
}

impl PackStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            PackStatus::Active => "ACTIVE",
            PackStatus::Low => "LOW",
            PackStatus::Exhausted => "EXHAUSTED",
            PackStatus::Expired => "EXPIRED",
            PackStatus::Refunded => "REFUNDED",
        }
    }
}

/// A refund decision (SPEC 3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Decision {
    Approved,
    Rejected,
}

impl Decision {
    pub fn as_str(self) -> &'static str {
        match self {
            Decision::Approved => "APPROVED",
            Decision::Rejected => "REJECTED",
        }
    }
}

/// Which arithmetic produced a refund's amount; decides its Excel formula on the Refunds
/// sheet (`paid` is column K, `voucher_kept` L).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RefundCalc {
    /// Nothing refunded (a rejection): the amount is a plain 0.
    Nothing,
    /// `refund = paid − voucher_kept` (the 7-day and 30-day windows).
    Full,
    /// `refund = ROUND((paid − voucher_kept) × unused / total, 2)`: time pro-rata (unused
    /// days of the term's days) or, for a pack without a term, unused quota of its size.
    ProRata { unused: u64, total: u64 },
    /// `refund = SUM` of the row's own packs (`RefundRow::packs`) on the refunds Packs sheet.
    Packs,
}

/// Why a rule refuses a line: the exception its row becomes, with the column and value it
/// names and a message a finance user can act on. The engine adds the row's source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refused {
    pub code: crate::model::ExceptionCode,
    pub column: &'static str,
    pub value: String,
    pub message: String,
}

impl Refused {
    pub fn new(
        code: crate::model::ExceptionCode,
        column: &'static str,
        value: impl Into<String>,
        message: impl Into<String>,
    ) -> Refused {
        Refused {
            code,
            column,
            value: value.into(),
            message: message.into(),
        }
    }
}
