//! One cell as either reader delivers it, and its conversion at the edge into the typed value
//! of a field, with the message a finance user reads when it is not one.

use super::headers::Unit;
use super::parse::{self, QuantityError, TermError};
use crate::model::{
    Discount, ExceptionCode, MAX_CELL_QUANTITY, MAX_QUANTITY, Metric, OrderType, RefundReason, Term,
};
use crate::money::{MAX_AMOUNT, fmt_num, parse_amount};
use calamine::{DataRef, ExcelDateTime, ExcelDateTimeType};
use chrono::{NaiveDate, NaiveDateTime, NaiveTime};
use rust_decimal::Decimal;
use std::borrow::Cow;
use std::str::FromStr;

/// A cell: CSV fields are `Text` (or `NotUtf8`); workbook cells keep their type.
#[derive(Debug, Clone, PartialEq, Default)]
pub(crate) enum Cell<'a> {
    #[default]
    Empty,
    Text(Cow<'a, str>),
    /// A CSV field that is not valid UTF-8, decoded lossily for display.
    NotUtf8(String),
    Int(i64),
    Float(f64),
    /// A number shown as a percentage: `0.1` displayed as `10%`.
    Percent(f64),
    Bool(bool),
    /// An Excel date cell.
    DateTime(NaiveDateTime),
    /// `#N/A`, `#REF!`, …
    Error(String),
    /// A formula cell whose file holds no computed value (a workbook written by a script
    /// and never opened in Excel): the value is unknown, not empty.
    NoValue,
}

/// Excel's last serial date, 9999-12-31 in the 1900 date system.
const MAX_SERIAL: f64 = 2_958_465.0;

impl<'a> Cell<'a> {
    pub(crate) fn from_bytes(bytes: &'a [u8]) -> Cell<'a> {
        match std::str::from_utf8(bytes) {
            Ok("") => Cell::Empty,
            Ok(s) => Cell::Text(Cow::Borrowed(s)),
            Err(_) => Cell::NotUtf8(String::from_utf8_lossy(bytes).into_owned()),
        }
    }

    /// Converts a workbook cell; `percent` says its number format shows a percentage.
    pub(crate) fn from_xlsx(data: &DataRef<'a>, percent: bool) -> Cell<'a> {
        match data {
            DataRef::Empty => Cell::Empty,
            DataRef::SharedString(s) => Cell::Text(Cow::Borrowed(s)),
            DataRef::String(s) | DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => {
                Cell::Text(Cow::Owned(s.clone()))
            }
            DataRef::Float(f) if percent => Cell::Percent(*f),
            DataRef::Int(i) if percent => Cell::Percent(*i as f64),
            DataRef::Float(f) => Cell::Float(*f),
            DataRef::Int(i) => Cell::Int(*i),
            DataRef::Bool(b) => Cell::Bool(*b),
            DataRef::DateTime(dt) if dt.is_datetime() => {
                excel_datetime(dt).map_or(Cell::Float(dt.as_f64()), Cell::DateTime)
            }
            DataRef::DateTime(dt) => Cell::Float(dt.as_f64()),
            DataRef::Error(e) => Cell::Error(e.to_string()),
        }
    }

    /// The cell without borrows, to keep past its row (a merged region's value).
    pub(crate) fn into_owned(self) -> Cell<'static> {
        match self {
            Cell::Empty => Cell::Empty,
            Cell::Text(s) => Cell::Text(Cow::Owned(s.into_owned())),
            Cell::NotUtf8(s) => Cell::NotUtf8(s),
            Cell::Int(i) => Cell::Int(i),
            Cell::Float(f) => Cell::Float(f),
            Cell::Percent(f) => Cell::Percent(f),
            Cell::Bool(b) => Cell::Bool(b),
            Cell::DateTime(d) => Cell::DateTime(d),
            Cell::Error(e) => Cell::Error(e),
            Cell::NoValue => Cell::NoValue,
        }
    }

    /// True for an empty cell or one holding only whitespace.
    pub(crate) fn is_blank(&self) -> bool {
        match self {
            Cell::Empty => true,
            Cell::Text(s) => s.trim().is_empty(),
            Cell::NotUtf8(s) => s.trim().is_empty(),
            _ => false,
        }
    }

    /// The cell as a user reads it: numbers in their shortest exact form (`99.9`, not
    /// `99.90000000000001`), dates as `2024-07-01`. This text is what the text parsers see,
    /// so a float amount becomes a `Decimal` through its shortest round-trip string.
    pub(crate) fn display(&self) -> Cow<'_, str> {
        match self {
            Cell::Empty => Cow::Borrowed(""),
            Cell::Text(s) => Cow::Borrowed(s),
            Cell::NotUtf8(s) | Cell::Error(s) => Cow::Borrowed(s),
            Cell::NoValue => Cow::Borrowed("(formula without a value)"),
            Cell::Int(i) => Cow::Owned(i.to_string()),
            Cell::Float(f) => Cow::Owned(f.to_string()),
            Cell::Percent(f) => {
                let exact = Decimal::from_str(&f.to_string())
                    .ok()
                    .and_then(|d| d.checked_mul(Decimal::ONE_HUNDRED));
                Cow::Owned(match exact {
                    Some(d) => format!("{}%", d.normalize()),
                    None => format!("{}%", f * 100.0),
                })
            }
            Cell::Bool(b) => Cow::Borrowed(if *b { "TRUE" } else { "FALSE" }),
            Cell::DateTime(dt) if dt.time() == NaiveTime::MIN => {
                Cow::Owned(dt.format("%Y-%m-%d").to_string())
            }
            Cell::DateTime(dt) => Cow::Owned(dt.format("%Y-%m-%d %H:%M:%S").to_string()),
        }
    }
}

fn excel_datetime(dt: &ExcelDateTime) -> Option<NaiveDateTime> {
    let (y, mo, d, h, mi, s, _) = dt.to_ymd_hms_milli();
    NaiveDate::from_ymd_opt(i32::from(y), u32::from(mo), u32::from(d))?.and_hms_opt(
        u32::from(h),
        u32::from(mi),
        u32::from(s),
    )
}

/// An Excel serial date (1900 date system), as a plain number in a date column holds it.
pub(crate) fn serial_date(serial: f64) -> Option<NaiveDate> {
    if !(1.0..MAX_SERIAL + 1.0).contains(&serial) {
        return None;
    }
    excel_datetime(&ExcelDateTime::new(
        serial,
        ExcelDateTimeType::DateTime,
        false,
    ))
    .map(|dt| dt.date())
}

/// Why a cell's value was refused: the exception code and the message a user acts on.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Refusal {
    pub code: ExceptionCode,
    pub message: String,
}

impl From<String> for Refusal {
    fn from(message: String) -> Self {
        Refusal {
            code: ExceptionCode::BadValue,
            message,
        }
    }
}

/// What a conversion yields: the value, `None` for an empty cell, or why it was refused.
pub(crate) type Conv<T> = Result<Option<T>, Refusal>;

/// What exports write in a cell that has no value: read as empty. A required cell holding
/// one is then a missing value, like an empty one.
const PLACEHOLDERS: &[&str] = &["-", "--", "—", "——", "/", "无", "n/a", "null"];

fn is_placeholder(t: &str) -> bool {
    PLACEHOLDERS.iter().any(|p| t.eq_ignore_ascii_case(p))
}

/// Full-width digits and punctuation (`１，２３４．５０`, `１０％`, as a Chinese input method
/// types them) as ASCII, for the number parsers; text fields keep what was written.
fn ascii_fold(t: &str) -> Cow<'_, str> {
    if t.is_ascii() {
        return Cow::Borrowed(t);
    }
    Cow::Owned(
        t.chars()
            .map(|c| match c {
                '\u{ff01}'..='\u{ff5e}' => char::from_u32(c as u32 - 0xfee0).unwrap_or(c),
                '\u{3000}' => ' ',
                _ => c,
            })
            .collect(),
    )
}

/// Shortens a value for a message; the exception keeps it whole.
fn quoted(value: &str) -> String {
    const MAX: usize = 60;
    match value.char_indices().nth(MAX) {
        Some((i, _)) => format!("'{}…'", value.get(..i).unwrap_or(value)),
        None => format!("'{value}'"),
    }
}

/// Runs `parse` on the trimmed text of a non-empty cell; error cells and undecodable text
/// are refused here, once, for every field.
fn with_text<T>(cell: &Cell, col: &str, parse: impl FnOnce(&str) -> Result<T, String>) -> Conv<T> {
    match cell {
        Cell::Error(e) => Err(format!(
            "{col} holds the spreadsheet error {e}: fix the formula or type the value"
        )
        .into()),
        Cell::NotUtf8(_) => Err(format!(
            "{col} holds bytes that do not decode in the file's encoding (shown as �): fix the \
             value, or save the file as 'CSV UTF-8', and run again"
        )
        .into()),
        Cell::NoValue => Err(Refusal {
            code: ExceptionCode::NoValue,
            message: format!(
                "{col} is a formula whose value was never calculated (the file was saved by a \
                 program, not by Excel): open the file in Excel, save it, and run again"
            ),
        }),
        _ => {
            let shown = cell.display();
            let t = shown.trim();
            if t.is_empty() || is_placeholder(t) {
                Ok(None)
            } else {
                parse(t).map(Some).map_err(Refusal::from)
            }
        }
    }
}

/// [`with_text`] for the number fields: full-width digits and punctuation read as ASCII.
fn with_number<T>(
    cell: &Cell,
    col: &str,
    parse: impl FnOnce(&str) -> Result<T, String>,
) -> Conv<T> {
    with_text(cell, col, |t| parse(&ascii_fold(t)))
}

pub(crate) fn text(cell: &Cell, col: &str) -> Conv<String> {
    with_text(cell, col, |t| Ok(t.to_string()))
}

pub(crate) fn date(cell: &Cell, col: &str) -> Conv<NaiveDate> {
    let serial = match cell {
        Cell::DateTime(dt) => return Ok(Some(dt.date())),
        Cell::Float(f) | Cell::Percent(f) => *f,
        Cell::Int(i) => *i as f64,
        _ => {
            return with_number(cell, col, |t| {
                parse::date(t).ok_or_else(|| {
                    format!(
                        "{col} {} is not a date: write it as 2024-07-01, 2024/7/1 or 2024年7月1日",
                        quoted(t)
                    )
                })
            });
        }
    };
    // A number past Excel's last serial date written as digits: 20250701 is 2025-07-01.
    if serial > MAX_SERIAL
        && serial.fract() == 0.0
        && let Some(d) = parse::date(&cell.display())
    {
        return Ok(Some(d));
    }
    serial_date(serial).map(Some).ok_or_else(|| {
        format!(
            "{col} {} is a number, not a date: format the cell as a date or type it as 2024-07-01",
            quoted(&cell.display())
        )
        .into()
    })
}

/// A usage row's quantity: a whole number up to [`MAX_CELL_QUANTITY`].
pub(crate) fn quantity(cell: &Cell, col: &str) -> Conv<u64> {
    whole_number(cell, col, |v| {
        format!(
            "{col} {v} is too large: the most a row may carry is {}",
            fmt_num(MAX_CELL_QUANTITY.into())
        )
    })
}

/// An order row's quantity or bonus. The cell is read up to [`MAX_CELL_QUANTITY`] as any
/// quantity is (a refund row's quantity is ignored, not refused); the engine refuses a
/// line that uses more than [`MAX_QUANTITY`], so the message past the cell's bound names
/// the line's.
pub(crate) fn units(cell: &Cell, col: &str) -> Conv<u64> {
    whole_number(cell, col, |v| {
        format!(
            "{col} {v} is more than the {} one line may hold",
            fmt_num(MAX_QUANTITY.into())
        )
    })
}

fn whole_number(cell: &Cell, col: &str, too_large: impl FnOnce(&str) -> String) -> Conv<u64> {
    with_number(cell, col, |t| {
        parse::quantity(t).map_err(|e| {
            let v = quoted(t);
            match e {
                QuantityError::Negative => format!("{col} {v} is negative: write 0 or more"),
                QuantityError::Fraction => {
                    format!("{col} {v} is not a whole number: write whole units such as 3 or 1,000")
                }
                QuantityError::TooLarge => too_large(&v),
                QuantityError::NotANumber => {
                    format!("{col} {v} is not a number: write whole units such as 3 or 1,000")
                }
            }
        })
    })
}

/// A non-negative amount: `1,234.50`, `¥1234.5`, or a number cell.
pub(crate) fn amount(cell: &Cell, col: &str) -> Conv<Decimal> {
    with_number(cell, col, |t| match parse_amount(t) {
        Some(a) if a.is_sign_negative() && !a.is_zero() => Err(format!(
            "{col} {} is negative: write the amount without a minus sign",
            quoted(t)
        )),
        Some(a) => Ok(a),
        None if beyond_max_amount(t) => Err(format!(
            "{col} {} is more than the largest amount accepted ({})",
            quoted(t),
            fmt_num(MAX_AMOUNT)
        )),
        None => Err(format!(
            "{col} {} is not an amount: write it as 1234.50, 1,234.50 or ¥1234.5",
            quoted(t)
        )),
    })
}

/// True when `t`, which `parse_amount` refused, is a well-formed amount above
/// `MAX_AMOUNT`: the message then says the limit instead of the format.
fn beyond_max_amount(t: &str) -> bool {
    let mut number = String::new();
    for c in t.chars() {
        match c {
            '0'..='9' | '.' => number.push(c),
            ',' | '，' | ' ' | '\u{a0}' | '_' | '¥' | '￥' | '元' | '-' | '(' | ')' => {}
            _ => return false,
        }
    }
    match Decimal::from_str(&number) {
        Ok(d) => d > MAX_AMOUNT,
        Err(_) => number.len() > 28 && number.bytes().all(|b| b.is_ascii_digit()),
    }
}

/// A term; `unit` is what the column's header states (`时长(年)`), which a bare number takes.
pub(crate) fn term(cell: &Cell, col: &str, unit: Option<Unit>) -> Conv<Term> {
    with_number(cell, col, |t| {
        let suffix = match unit {
            Some(Unit::Years) => "y",
            Some(Unit::Months) => "m",
            _ => "",
        };
        let bare = !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit());
        let with_unit;
        let t = if bare && !suffix.is_empty() {
            with_unit = format!("{t}{suffix}");
            with_unit.as_str()
        } else {
            t
        };
        parse::term(t).map_err(|e| {
            let v = quoted(t);
            let how = "write it as 1y, 2y, 6m, 2年 or 6个月";
            match e {
                TermError::NoUnit => {
                    format!("{col} {v} has no unit: {how} (a bare number could be years or months)")
                }
                TermError::OutOfRange => {
                    format!("{col} {v} is out of range: a term runs from 1 month to 100 years")
                }
                TermError::Unreadable => format!("{col} {v} is not a term: {how}"),
            }
        })
    })
}

/// A discount; `unit` is what the column's header states: under `折扣(%)` a bare number is a
/// percentage, under `折扣(元)` an amount. Without one, a bare number strictly between 0 and
/// 1 in a cell not formatted as a percentage could be either (`0.1`: 10% or ¥0.10 off) and
/// is refused as ambiguous rather than guessed.
pub(crate) fn discount(cell: &Cell, col: &str, unit: Option<Unit>) -> Conv<Discount> {
    let bare = |t: &str| !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit() || b == b'.');
    let shown = cell.display();
    let folded = ascii_fold(shown.trim()).into_owned();
    if !matches!(cell, Cell::Percent(_)) && bare(&folded) {
        match (unit, Decimal::from_str(&folded)) {
            (Some(Unit::Percent), Ok(p)) if (Decimal::ZERO..=Decimal::ONE_HUNDRED).contains(&p) => {
                return Ok(Some(Discount::Percent(p.normalize())));
            }
            (Some(Unit::Percent), _) => {
                return Err(format!(
                    "{col} {} is not a percentage from 0 to 100 (the column is in %)",
                    quoted(&folded)
                )
                .into());
            }
            (None, Ok(d)) if d > Decimal::ZERO && d < Decimal::ONE => {
                return Err(Refusal {
                    code: ExceptionCode::AmbiguousDiscount,
                    message: format!(
                        "{col} {} could be a percentage or an amount: write {}% for a \
                         percentage, or ¥{} for an amount off the line",
                        quoted(&folded),
                        (d * Decimal::ONE_HUNDRED).normalize(),
                        d.normalize()
                    ),
                });
            }
            _ => {}
        }
    }
    with_number(cell, col, |t| {
        parse::discount(t).ok_or_else(|| {
            format!(
                "{col} {} is not a discount: write an amount off the line (500 or ¥500) \
                 or a percentage from 0% to 100% (10% or 9折)",
                quoted(t)
            )
        })
    })
}

pub(crate) fn flag(cell: &Cell, col: &str) -> Conv<bool> {
    with_text(cell, col, |t| {
        parse::flag(t).ok_or_else(|| {
            format!(
                "{col} {} is not yes or no: write yes, no, 是 or 否, or leave it empty",
                quoted(t)
            )
        })
    })
}

pub(crate) fn order_type(cell: &Cell, col: &str) -> Conv<OrderType> {
    with_text(cell, col, |t| {
        OrderType::parse(t).ok_or_else(|| {
            format!(
                "{col} {} is not an order type: write new, addon, renewal, upgrade or refund \
                 (新购, 增购, 续费, 升级, 退款)",
                quoted(t)
            )
        })
    })
}

pub(crate) fn reason(cell: &Cell, col: &str) -> Conv<RefundReason> {
    with_text(cell, col, |t| {
        RefundReason::parse(t).ok_or_else(|| {
            format!(
                "{col} {} is not a refund reason: write no_reason, defect or other (无理由, 产品缺陷, 其他)",
                quoted(t)
            )
        })
    })
}

pub(crate) fn metric(cell: &Cell, col: &str) -> Conv<Metric> {
    with_text(cell, col, |t| {
        Metric::parse(t).ok_or_else(|| {
            format!(
                "{col} {} is not a metric: write pv, sessions, sms or backflow_rows",
                quoted(t)
            )
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    fn text_cell(s: &str) -> Cell<'_> {
        Cell::Text(Cow::Borrowed(s))
    }

    #[test]
    fn floats_become_decimals_through_their_shortest_form() {
        assert_eq!(
            amount(&Cell::Float(99.9), "unit_price"),
            Ok(Some(dec!(99.9)))
        );
        assert_eq!(
            amount(&Cell::Float(0.1 + 0.2), "x"),
            Ok(Some(dec!(0.30000000000000004)))
        );
        assert_eq!(amount(&Cell::Int(30000), "x"), Ok(Some(dec!(30000))));
        assert!(
            amount(&Cell::Float(-5.0), "voucher")
                .unwrap_err()
                .message
                .contains("negative")
        );
        assert!(amount(&Cell::Float(f64::NAN), "x").is_err());
        assert!(
            amount(&Cell::Float(1e300), "x")
                .unwrap_err()
                .message
                .contains("largest amount")
        );
        let e = amount(&text_cell("¥2,000,000,000,000"), "billed_amount")
            .unwrap_err()
            .message;
        assert!(
            e.ends_with("is more than the largest amount accepted (1,000,000,000,000)"),
            "{e}"
        );
        assert!(
            amount(&text_cell("12 apples"), "x")
                .unwrap_err()
                .message
                .contains("not an amount")
        );
        assert_eq!(quantity(&Cell::Float(3.0), "quantity"), Ok(Some(3)));
        assert!(quantity(&Cell::Float(3.5), "quantity").is_err());
        assert!(quantity(&Cell::Float(-1.0), "quantity").is_err());
        assert!(quantity(&Cell::Float(1e16), "quantity").is_err());
    }

    #[test]
    fn past_the_cell_bound_an_order_names_the_line_limit_and_usage_the_cell_one() {
        let big = text_cell("10000000000000000");
        let order = units(&big, "quantity").unwrap_err();
        let usage = quantity(&big, "quantity").unwrap_err();
        assert_eq!(order.code, ExceptionCode::BadValue);
        assert_eq!(usage.code, ExceptionCode::BadValue);
        assert!(
            order.message.contains("1,000,000,000 one line may hold"),
            "{}",
            order.message
        );
        assert!(
            usage.message.contains("1,000,000,000,000,000"),
            "{}",
            usage.message
        );
        // Up to the cell bound both read the number: the engine refuses a priced line.
        let cell = text_cell("1000000000000000");
        assert_eq!(units(&cell, "quantity"), Ok(Some(MAX_CELL_QUANTITY)));
        assert_eq!(quantity(&cell, "quantity"), Ok(Some(MAX_CELL_QUANTITY)));
    }

    #[test]
    fn percent_cells_are_percent_discounts() {
        assert_eq!(
            discount(&Cell::Percent(0.1), "discount", None),
            Ok(Some(Discount::Percent(dec!(10))))
        );
        assert_eq!(
            discount(&Cell::Percent(0.07), "discount", None),
            Ok(Some(Discount::Percent(dec!(7))))
        );
        assert_eq!(
            discount(&Cell::Float(500.0), "discount", None),
            Ok(Some(Discount::Amount(dec!(500))))
        );
    }

    #[test]
    fn dates_from_cells() {
        let d = NaiveDate::from_ymd_opt(2024, 7, 1).unwrap();
        let dt = d.and_hms_opt(13, 5, 0).unwrap();
        assert_eq!(date(&Cell::DateTime(dt), "order_date"), Ok(Some(d)));
        assert_eq!(date(&Cell::Float(45474.0), "order_date"), Ok(Some(d)));
        assert_eq!(date(&Cell::Float(45474.75), "order_date"), Ok(Some(d)));
        assert_eq!(date(&Cell::Int(45474), "order_date"), Ok(Some(d)));
        assert_eq!(date(&text_cell("2024/7/1"), "order_date"), Ok(Some(d)));
        assert_eq!(date(&Cell::Empty, "order_date"), Ok(None));
        assert_eq!(date(&text_cell("  "), "order_date"), Ok(None));
        for bad in [
            0.0,
            -1.0,
            2_958_466.0,
            20_241_301.0,
            f64::NAN,
            f64::INFINITY,
        ] {
            let e = date(&Cell::Float(bad), "order_date").unwrap_err().message;
            assert!(e.contains("is a number, not a date"), "{bad}: {e}");
        }
        // Digits past the last serial date are a date written as YYYYMMDD.
        assert_eq!(date(&Cell::Int(20240701), "order_date"), Ok(Some(d)));
        assert_eq!(date(&Cell::Float(20240701.0), "order_date"), Ok(Some(d)));
        assert_eq!(date(&text_cell("20240701"), "order_date"), Ok(Some(d)));
        assert_eq!(
            date(&text_cell("２０２４.０７.０１"), "order_date"),
            Ok(Some(d))
        );
        assert_eq!(serial_date(1.0), NaiveDate::from_ymd_opt(1900, 1, 1));
        assert_eq!(
            serial_date(2_958_465.0),
            NaiveDate::from_ymd_opt(9999, 12, 31)
        );
        // Excel's phantom 1900-02-29 is no date.
        assert_eq!(serial_date(60.0), None);
        let e = date(&text_cell("next week"), "order_date")
            .unwrap_err()
            .message;
        assert_eq!(
            e,
            "order_date 'next week' is not a date: write it as 2024-07-01, 2024/7/1 or 2024年7月1日"
        );
    }

    #[test]
    fn error_and_undecodable_cells_are_bad_values() {
        let e = text(&Cell::Error("#N/A".into()), "account_id")
            .unwrap_err()
            .message;
        assert!(e.contains("#N/A"), "{e}");
        let e = amount(&Cell::NotUtf8("a\u{fffd}".into()), "unit_price")
            .unwrap_err()
            .message;
        assert!(e.contains("UTF-8"), "{e}");
    }

    #[test]
    fn display_of_typed_cells() {
        assert_eq!(Cell::Float(12345.0).display(), "12345");
        assert_eq!(Cell::Float(99.9).display(), "99.9");
        assert_eq!(Cell::Percent(0.125).display(), "12.5%");
        assert!(Cell::Percent(7e28).display().ends_with('%'));
        assert_eq!(Cell::Bool(true).display(), "TRUE");
        let d = NaiveDate::from_ymd_opt(2024, 7, 1).unwrap();
        assert_eq!(
            Cell::DateTime(d.and_hms_opt(0, 0, 0).unwrap()).display(),
            "2024-07-01"
        );
        assert_eq!(Cell::from_bytes(b"").display(), "");
        assert!(matches!(Cell::from_bytes(b"\xff"), Cell::NotUtf8(_)));
    }

    #[test]
    fn term_messages_say_what_to_write() {
        let e = term(&text_cell("18"), "term", None).unwrap_err().message;
        assert!(
            e.starts_with("term '18' has no unit: write it as 1y, 2y, 6m, 2年 or 6个月"),
            "{e}"
        );
        let e = term(&Cell::Float(2.0), "term", None).unwrap_err().message;
        assert!(e.contains("'2' has no unit"), "{e}");
        assert_eq!(
            term(&text_cell("2年"), "term", None),
            Ok(Some(Term { months: 24 }))
        );
    }

    #[test]
    fn long_values_are_shortened_in_messages() {
        let long = "x".repeat(200);
        let e = metric(&text_cell(&long), "metric").unwrap_err().message;
        assert!(e.len() < 200 && e.contains('…'), "{e}");
    }
}
