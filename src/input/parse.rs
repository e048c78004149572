//! Pure text parsers for the cell values of the exports: dates, terms, quantities, discounts,
//! yes/no flags. No I/O; each returns what it understood or why it could not.

use crate::model::{Discount, MAX_CELL_QUANTITY, Term};
use crate::money::parse_amount;
use chrono::{NaiveDate, NaiveTime};
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use std::borrow::Cow;
use std::str::FromStr;

/// The longest term accepted, in months (100 years).
pub const MAX_TERM_MONTHS: u64 = 1200;

/// Parses `2024-07-01`, `2024/7/1`, `2024.07.01`, `2024年7月1日`, optionally followed by a time
/// (`2024-07-01 10:30:00`, `2024-07-01T10:30:00`, `2024/7/1 9:05`); the time is checked and
/// dropped.
pub fn date(text: &str) -> Option<NaiveDate> {
    let s = text.trim();
    let (day, time) = match s.find([' ', 'T']) {
        Some(i) => (s.get(..i)?, Some(s.get(i + 1..)?.trim())),
        None => (s, None),
    };
    if let Some(t) = time {
        let t = t.strip_suffix('Z').unwrap_or(t);
        let ok = ["%H:%M:%S%.f", "%H:%M"]
            .iter()
            .any(|f| NaiveTime::parse_from_str(t, f).is_ok());
        if !ok {
            return None;
        }
    }
    // `20250701`: eight digits, as some consoles and Excel number cells write a date.
    if day.len() == 8 && day.bytes().all(|b| b.is_ascii_digit()) {
        let (y, md) = day.split_at(4);
        let (m, d) = md.split_at(2);
        return NaiveDate::from_ymd_opt(y.parse().ok()?, m.parse().ok()?, d.parse().ok()?);
    }
    let (y, m, d) = match day.strip_suffix('日') {
        Some(rest) => {
            let (y, rest) = rest.split_once('年')?;
            let (m, d) = rest.split_once('月')?;
            (y.trim(), m.trim(), d.trim())
        }
        None => {
            let mut parts = day.split(['-', '/', '.']);
            let ymd = (parts.next()?, parts.next()?, parts.next()?);
            if parts.next().is_some() {
                return None;
            }
            ymd
        }
    };
    let digits = |p: &str, lens: std::ops::RangeInclusive<usize>| {
        (lens.contains(&p.len()) && p.bytes().all(|b| b.is_ascii_digit()))
            .then(|| p.parse::<u32>().ok())
            .flatten()
    };
    let year = i32::try_from(digits(y, 4..=4)?).ok()?;
    NaiveDate::from_ymd_opt(year, digits(m, 1..=2)?, digits(d, 1..=2)?)
}

/// Why a term could not be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TermError {
    /// A bare number: years or months? The user has to say.
    NoUnit,
    /// Zero, or more than [`MAX_TERM_MONTHS`].
    OutOfRange,
    Unreadable,
}

/// Parses `1y`, `2 years`, `6m`, `12 months`, `2年`, `6个月`, `6月` into months.
pub fn term(text: &str) -> Result<Term, TermError> {
    let t: String = text
        .chars()
        .filter(|c| !c.is_whitespace())
        .flat_map(char::to_lowercase)
        .collect();
    let split = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let (number, unit) = t.split_at(split);
    if number.is_empty() {
        return Err(TermError::Unreadable);
    }
    let per_unit: u64 = match unit {
        "" => return Err(TermError::NoUnit),
        "y" | "yr" | "yrs" | "year" | "years" | "年" => 12,
        "m" | "mo" | "mon" | "mos" | "month" | "months" | "个月" | "個月" | "月" => 1,
        _ => return Err(TermError::Unreadable),
    };
    // A number too long for u64 is out of range, not unreadable.
    let n: u64 = number.parse().map_err(|_| TermError::OutOfRange)?;
    n.checked_mul(per_unit)
        .filter(|m| (1..=MAX_TERM_MONTHS).contains(m))
        .and_then(|m| u32::try_from(m).ok())
        .map(|months| Term { months })
        .ok_or(TermError::OutOfRange)
}

/// Why a quantity could not be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QuantityError {
    NotANumber,
    Negative,
    /// Has a fractional part (`3.5`); `3.0` is fine.
    Fraction,
    /// Above [`MAX_CELL_QUANTITY`].
    TooLarge,
}

/// Parses a non-negative whole number: `3`, `1,000`, `3.0`, `1 000`.
pub fn quantity(text: &str) -> Result<u64, QuantityError> {
    let t = text.trim();
    // Most cells are plain digits; they need no Decimal. Fifteen digits stay below
    // MAX_CELL_QUANTITY (10^15).
    if (1..=15).contains(&t.len()) && t.bytes().all(|b| b.is_ascii_digit()) {
        return t.parse().map_err(|_| QuantityError::NotANumber);
    }
    let (negative, t) = match t.strip_prefix('-') {
        Some(rest) => (true, rest.trim_start()),
        None => (false, t.strip_prefix('+').unwrap_or(t)),
    };
    let mut cleaned = String::with_capacity(t.len());
    for c in t.chars() {
        match c {
            '0'..='9' | '.' => cleaned.push(c),
            ',' | '，' | '_' | ' ' | '\u{a0}' => {}
            _ => return Err(QuantityError::NotANumber),
        }
    }
    if cleaned.is_empty() || cleaned.len() > 40 {
        return Err(QuantityError::NotANumber);
    }
    let d = Decimal::from_str(&cleaned).map_err(|_| QuantityError::NotANumber)?;
    if negative && !d.is_zero() {
        return Err(QuantityError::Negative);
    }
    if !d.fract().is_zero() {
        return Err(QuantityError::Fraction);
    }
    d.to_u64()
        .filter(|q| *q <= MAX_CELL_QUANTITY)
        .ok_or(QuantityError::TooLarge)
}

/// Parses a discount: an amount off the line (`500`, `¥500`, `1,000.50`), a percentage off
/// (`10%`, `10 %`, `１０％`), or the Chinese 折 notation, which names the share that is paid
/// (`9折` = 10% off, `8.5折` and `85折` = 15% off). Negative amounts and percentages outside
/// 0..=100 are refused.
pub fn discount(text: &str) -> Option<Discount> {
    let t = text.trim();
    let t = if t.is_ascii() {
        Cow::Borrowed(t)
    } else {
        Cow::Owned(ascii_digits(t))
    };
    let number = |s: &str| Decimal::from_str(s.trim()).ok();
    if let Some(p) = t.strip_suffix('%') {
        let p = number(p)?;
        return (Decimal::ZERO..=Decimal::ONE_HUNDRED)
            .contains(&p)
            .then(|| Discount::Percent(p.normalize()));
    }
    if let Some(z) = t.strip_suffix('折') {
        let z = number(z)?;
        let ten = Decimal::TEN;
        let paid = if z > Decimal::ZERO && z < ten {
            z * ten
        } else if z.fract().is_zero() && z > ten && z < Decimal::ONE_HUNDRED {
            z
        } else {
            return None;
        };
        return Some(Discount::Percent((Decimal::ONE_HUNDRED - paid).normalize()));
    }
    parse_amount(&t)
        .filter(|a| !a.is_sign_negative() || a.is_zero())
        .map(Discount::Amount)
}

/// Parses yes/no: `yes`, `y`, `true`, `1`, `是`, `已开票` and their opposites.
pub fn flag(text: &str) -> Option<bool> {
    const YES: &[&str] = &["yes", "y", "true", "t", "1", "是", "已开票"];
    const NO: &[&str] = &["no", "n", "false", "f", "0", "否", "未开票"];
    let t = text.trim();
    let is = |words: &[&str]| words.iter().any(|w| t.eq_ignore_ascii_case(w));
    if is(YES) {
        Some(true)
    } else if is(NO) {
        Some(false)
    } else {
        None
    }
}

/// Full-width digits, `．` and `％` (as typed with a Chinese input method) to ASCII.
fn ascii_digits(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '０'..='９' => char::from_u32(c as u32 - '０' as u32 + '0' as u32).unwrap_or(c),
            '．' => '.',
            '％' => '%',
            _ => c,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn dates_in_every_accepted_shape() {
        let d = ymd(2024, 7, 1);
        for s in [
            "2024-07-01",
            "2024/07/01",
            "2024/7/1",
            "2024-7-1",
            "2024.07.01",
            " 2024-07-01 ",
            "2024-07-01 10:30:00",
            "2024-07-01T10:30:00",
            "2024-07-01T10:30:00.123Z",
            "2024/07/01 10:30",
            "2024/7/1 9:05",
            "2024/07/01 10:30:59",
            "2024年7月1日",
            "2024年07月01日",
            "2024年7月1日 10:30",
            "20240701",
            "20240701 10:30",
        ] {
            assert_eq!(date(s), Some(d), "{s}");
        }
    }

    #[test]
    fn dates_that_are_not() {
        for s in [
            "",
            "2024-13-01",
            "2024-02-30",
            "24-07-01",
            "2024-07",
            "2024-07-01-02",
            "07/01/2024",
            "2024-07-01 25:00",
            "2024-07-01 noon",
            "2024-07-01T",
            "2024年7月",
            "abc",
            "45474",
            "20241301",
            "2024070",
            "２０２４-07-01",
        ] {
            assert_eq!(date(s), None, "{s}");
        }
    }

    #[test]
    fn terms() {
        let m = |months| Ok(Term { months });
        assert_eq!(term("1y"), m(12));
        assert_eq!(term("2Y"), m(24));
        assert_eq!(term("6m"), m(6));
        assert_eq!(term("12m"), m(12));
        assert_eq!(term("2年"), m(24));
        assert_eq!(term("6个月"), m(6));
        assert_eq!(term("6月"), m(6));
        assert_eq!(term("1 year"), m(12));
        assert_eq!(term("2 years"), m(24));
        assert_eq!(term("6 months"), m(6));
        assert_eq!(term("1200m"), m(1200));
        assert_eq!(term("100y"), m(1200));
        assert_eq!(term("2"), Err(TermError::NoUnit));
        assert_eq!(term("18"), Err(TermError::NoUnit));
        assert_eq!(term("0y"), Err(TermError::OutOfRange));
        assert_eq!(term("0m"), Err(TermError::OutOfRange));
        assert_eq!(term("1201m"), Err(TermError::OutOfRange));
        assert_eq!(term("101y"), Err(TermError::OutOfRange));
        assert_eq!(term("99999999999999999999999y"), Err(TermError::OutOfRange));
        assert_eq!(term("1.5y"), Err(TermError::Unreadable));
        assert_eq!(term("y"), Err(TermError::Unreadable));
        assert_eq!(term("-1y"), Err(TermError::Unreadable));
        assert_eq!(term("2 weeks"), Err(TermError::Unreadable));
        assert_eq!(term(""), Err(TermError::Unreadable));
    }

    #[test]
    fn quantities() {
        assert_eq!(quantity("3"), Ok(3));
        assert_eq!(quantity(" 1,000 "), Ok(1000));
        assert_eq!(quantity("1 000"), Ok(1000));
        assert_eq!(quantity("3.0"), Ok(3));
        assert_eq!(quantity("0"), Ok(0));
        assert_eq!(quantity("-0"), Ok(0));
        assert_eq!(quantity("1000000000000000"), Ok(MAX_CELL_QUANTITY));
        assert_eq!(quantity("3.5"), Err(QuantityError::Fraction));
        assert_eq!(quantity("-3"), Err(QuantityError::Negative));
        assert_eq!(quantity("-3.5"), Err(QuantityError::Negative));
        assert_eq!(quantity("1000000000000001"), Err(QuantityError::TooLarge));
        assert_eq!(
            quantity("99999999999999999999999999"),
            Err(QuantityError::TooLarge)
        );
        assert_eq!(quantity(&"9".repeat(60)), Err(QuantityError::NotANumber));
        for s in ["", "abc", "1e5", "3 seats", ".", "1.2.3", "¥3"] {
            assert_eq!(quantity(s), Err(QuantityError::NotANumber), "{s}");
        }
    }

    #[test]
    fn discounts() {
        use Discount::*;
        assert_eq!(discount("500"), Some(Amount(dec!(500))));
        assert_eq!(discount("¥500"), Some(Amount(dec!(500))));
        assert_eq!(discount("1,000.50"), Some(Amount(dec!(1000.50))));
        assert_eq!(discount("0"), Some(Amount(dec!(0))));
        assert_eq!(discount("10%"), Some(Percent(dec!(10))));
        assert_eq!(discount("10 %"), Some(Percent(dec!(10))));
        assert_eq!(discount("12.5%"), Some(Percent(dec!(12.5))));
        assert_eq!(discount("１０％"), Some(Percent(dec!(10))));
        assert_eq!(discount("100%"), Some(Percent(dec!(100))));
        assert_eq!(discount("0%"), Some(Percent(dec!(0))));
        assert_eq!(discount("9折"), Some(Percent(dec!(10))));
        assert_eq!(discount("９折"), Some(Percent(dec!(10))));
        assert_eq!(discount("8.5折"), Some(Percent(dec!(15))));
        assert_eq!(discount("85折"), Some(Percent(dec!(15))));
        for s in [
            "-500", "101%", "-1%", "abc", "%", "10折", "0折", "100折", "8.55.1%",
        ] {
            assert_eq!(discount(s), None, "{s}");
        }
    }

    #[test]
    fn flags() {
        for s in ["yes", "YES", "y", "true", "TRUE", "1", "是", " yes "] {
            assert_eq!(flag(s), Some(true), "{s}");
        }
        for s in ["no", "N", "false", "0", "否"] {
            assert_eq!(flag(s), Some(false), "{s}");
        }
        for s in ["", "maybe", "2"] {
            assert_eq!(flag(s), None, "{s}");
        }
    }
}
