//! Revenue recognition (SPEC 6, Revenue sheet) as pure functions. Each gives what is
//! recognized strictly before a date `at`, rounded once to the cent; a period `[from, to)`
//! is then `recognized(to) − recognized(from)`. No I/O.

use crate::money::round_cents;
use chrono::NaiveDate;
use rust_decimal::Decimal;

/// How a line's amount is earned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// Subscriptions: evenly by day over `[start, end)`, never before the order date
    /// `ordered`: service that lies before it (a renewal paid in grace, a backdated start) is
    /// recognized on the order date, as a catch-up.
    StraightLine {
        start: NaiveDate,
        end: NaiveDate,
        ordered: NaiveDate,
    },
    /// One-time items: all on their order date.
    OneTime { date: NaiveDate },
    /// Packs: as their quota is used, and what is left when they expire (`None`: never).
    Packs {
        capacity: u64,
        expires: Option<NaiveDate>,
    },
}

impl Method {
    pub fn describe(&self) -> String {
        match self {
            Method::StraightLine {
                start,
                end,
                ordered,
            } if start < ordered => format!(
                "straight-line by day over {start} – {end}; the service before the order date {ordered} recognized on it"
            ),
            Method::StraightLine { start, end, .. } => {
                format!("straight-line by day over {start} – {end}")
            }
            Method::OneTime { date } => format!("one-time, recognized on {date}"),
            Method::Packs { expires, .. } => match expires {
                Some(e) => format!("as used; the unused rest on expiry {e}"),
                None => "as used (the packs do not expire)".to_string(),
            },
        }
    }
}

/// Revenue of `amount` recognized before `at`. `used_before` is the pack quota used before
/// `at` (packs only).
pub fn recognized(method: Method, amount: Decimal, at: NaiveDate, used_before: u64) -> Decimal {
    match method {
        Method::StraightLine { ordered, .. } if at <= ordered => Decimal::ZERO,
        Method::StraightLine { start, end, .. } => {
            let total = (end - start).num_days();
            if total <= 0 {
                return if start < at { amount } else { Decimal::ZERO };
            }
            let done = (at - start).num_days().clamp(0, total);
            round_cents(amount * Decimal::from(done) / Decimal::from(total))
        }
        Method::OneTime { date } => {
            if date < at {
                amount
            } else {
                Decimal::ZERO
            }
        }
        Method::Packs { capacity, expires } => {
            if expires.is_some_and(|e| e < at) || capacity == 0 {
                return amount;
            }
            let used = used_before.min(capacity);
            round_cents(amount * Decimal::from(used) / Decimal::from(capacity))
        }
    }
}

/// Once a refund dated before `at` is approved, the line has earned `amount − refunded`, all
/// of it by the refund's date; before that, what the method recognizes.
pub fn after_refund(
    recognized: Decimal,
    amount: Decimal,
    refund: Option<(NaiveDate, Decimal)>,
    at: NaiveDate,
) -> Decimal {
    match refund {
        Some((date, refunded)) if date < at => amount - refunded,
        _ => recognized,
    }
}

/// `(recognized before, recognized in the period, deferred at its end)` from what was
/// recognized before `from` and before `to`; `net` is the amount less refunds by `to`.
/// The three add up to `net`.
pub fn split(
    before_from: Decimal,
    before_to: Decimal,
    net: Decimal,
) -> (Decimal, Decimal, Decimal) {
    (before_from, before_to - before_from, net - before_to)
}

#[cfg(test)]
mod tests;
