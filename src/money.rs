//! Money helpers: parsing amounts as finance exports write them, and the one rounding rule.
//! No I/O. Every amount is a `Decimal` from the moment it is parsed.

use rust_decimal::{Decimal, RoundingStrategy};
use std::str::FromStr;

/// Rounds a line amount once, half away from zero, to 0.01 (四舍五入到分).
/// `Decimal::round_dp` would round ties to even; the spec forbids that.
pub fn round_cents(d: Decimal) -> Decimal {
    d.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero)
}

/// Parses an amount such as `1,234.50`, `¥1234.5`, `￥ 1 234`, `CNY 12`, `-30`, `(30.00)`.
/// Returns `None` for anything that is not a plain amount (so the caller can make the row an
/// exception naming the value).
pub fn parse_amount(text: &str) -> Option<Decimal> {
    let mut s = text.trim();
    let mut negative = false;
    if s.starts_with('(') && s.ends_with(')') && s.len() >= 2 {
        negative = true;
        s = s[1..s.len() - 1].trim();
    }
    if let Some(rest) = s.strip_prefix('-') {
        negative = !negative;
        s = rest.trim_start();
    }
    for prefix in ["CNY", "RMB", "¥", "￥"] {
        if let Some(rest) = s.strip_prefix(prefix) {
            s = rest.trim_start();
            break;
        }
    }
    if let Some(rest) = s.strip_suffix('元') {
        s = rest.trim_end();
    }
    if let Some(rest) = s.strip_prefix('-') {
        negative = !negative;
        s = rest.trim_start();
    }
    if s.is_empty() || s.len() > 40 {
        return None;
    }
    let mut cleaned = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '0'..='9' | '.' => cleaned.push(c),
            ',' | '，' | ' ' | '\u{a0}' | '_' => {}
            _ => return None,
        }
    }
    if cleaned.is_empty() || cleaned == "." {
        return None;
    }
    let value = Decimal::from_str(&cleaned).ok()?;
    if value > MAX_AMOUNT {
        return None;
    }
    Some(if negative { -value } else { value })
}

/// The largest amount accepted from an input (one trillion yuan). Bounding inputs keeps every
/// product of price × quantity × term inside `Decimal`'s range, so pricing cannot overflow.
pub const MAX_AMOUNT: Decimal = Decimal::from_parts(3_567_587_328, 232, 0, false, 0);

/// Formats an amount with thousands separators and two decimals, for rule texts and messages.
pub fn fmt_money(d: Decimal) -> String {
    let r = round_cents(d);
    let s = format!("{:.2}", r.abs());
    let (int, frac) = s.split_once('.').unwrap_or((&s, "00"));
    let sign = if r.is_sign_negative() && !r.is_zero() {
        "-"
    } else {
        ""
    };
    format!("{sign}{}.{frac}", group_thousands(int))
}

/// Formats a number exactly (no rounding), trimmed of trailing zeros, with thousands separators:
/// `99.9`, `1,000,000`, `0.03`. Used for prices and quantities inside rule texts.
pub fn fmt_num(d: Decimal) -> String {
    let n = d.normalize();
    let s = n.abs().to_string();
    let (int, frac) = match s.split_once('.') {
        Some((i, f)) => (i.to_string(), Some(f.to_string())),
        None => (s.clone(), None),
    };
    let sign = if n.is_sign_negative() && !n.is_zero() {
        "-"
    } else {
        ""
    };
    match frac {
        Some(f) => format!("{sign}{}.{f}", group_thousands(&int)),
        None => format!("{sign}{}", group_thousands(&int)),
    }
}

fn group_thousands(int: &str) -> String {
    let bytes = int.as_bytes();
    let mut out = String::with_capacity(int.len() + int.len() / 3);
    for (i, b) in bytes.iter().enumerate() {
        if i > 0 && (bytes.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(*b as char);
    }
    out
}

/// Converts an amount to `f64` for writing it into a spreadsheet cell. The only place money
/// leaves `Decimal`; the name says so.
pub fn to_f64_lossy(d: Decimal) -> f64 {
    use rust_decimal::prelude::ToPrimitive;
    d.to_f64().unwrap_or(0.0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    #[test]
    fn rounds_half_away_from_zero() {
        assert_eq!(round_cents(dec!(0.125)), dec!(0.13));
        assert_eq!(round_cents(dec!(0.135)), dec!(0.14));
        assert_eq!(round_cents(dec!(-0.125)), dec!(-0.13));
        assert_eq!(round_cents(dec!(2.5)), dec!(2.50));
        assert_eq!(round_cents(dec!(0.124999)), dec!(0.12));
    }

    #[test]
    fn parses_export_amounts() {
        assert_eq!(parse_amount("1,234.50"), Some(dec!(1234.50)));
        assert_eq!(parse_amount("¥1234.5"), Some(dec!(1234.5)));
        assert_eq!(parse_amount("￥ 1,234"), Some(dec!(1234)));
        assert_eq!(parse_amount(" 30000 "), Some(dec!(30000)));
        assert_eq!(parse_amount("-30"), Some(dec!(-30)));
        assert_eq!(parse_amount("¥-30"), Some(dec!(-30)));
        assert_eq!(parse_amount("(30.00)"), Some(dec!(-30.00)));
        assert_eq!(parse_amount("100元"), Some(dec!(100)));
        assert_eq!(parse_amount("abc"), None);
        assert_eq!(parse_amount(""), None);
        assert_eq!(parse_amount("1.2.3"), None);
        assert_eq!(parse_amount("."), None);
        assert_eq!(parse_amount("1e5"), None);
        assert_eq!(parse_amount("99999999999999999999999999999999999"), None);
        assert_eq!(MAX_AMOUNT, Decimal::from(1_000_000_000_000u64));
        assert_eq!(parse_amount("1,000,000,000,000"), Some(MAX_AMOUNT));
        assert_eq!(parse_amount("1,000,000,000,000.01"), None);
    }

    #[test]
    fn formats_money_and_numbers() {
        assert_eq!(fmt_money(dec!(9990)), "9,990.00");
        assert_eq!(fmt_money(dec!(420280)), "420,280.00");
        assert_eq!(fmt_money(dec!(-1234.565)), "-1,234.57");
        assert_eq!(fmt_money(dec!(0)), "0.00");
        assert_eq!(fmt_num(dec!(99.90)), "99.9");
        assert_eq!(fmt_num(dec!(1000000)), "1,000,000");
        assert_eq!(fmt_num(dec!(0.03)), "0.03");
    }
}
