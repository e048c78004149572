//! A line's discount and its one rounding (SPEC 2, 6): `expected = round(list − discount)`,
//! half away from zero to 0.01, with the words that extend the pricing rule. A discount
//! given as a percentage is taken of the list amount. Pure; no I/O.

use super::pricing::Priced;
use crate::model::Discount;
use crate::money::{fmt_money, fmt_num, round_cents};
use rust_decimal::Decimal;

/// A priced line after its discount: what the Lines sheet shows as `discount`,
/// `expected_amount` and `rule`.
#[derive(Debug, Clone, PartialEq)]
pub struct Discounted {
    /// The discount as an amount.
    pub discount: Decimal,
    /// `list_amount − discount`, rounded once.
    pub expected: Decimal,
    /// The pricing rule, followed by the discount and the rounded amount when there is one.
    pub rule: String,
}

/// A discount larger than the list amount it applies to (the line would be negative).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TooLarge {
    pub discount: Decimal,
    pub list: Decimal,
}

/// Applies `discount` to the priced line `p` and rounds once.
pub fn apply(p: &Priced, discount: Option<Discount>) -> Result<Discounted, TooLarge> {
    let (amount, note) = match discount {
        None => (Decimal::ZERO, String::new()),
        Some(Discount::Amount(a)) => (a, format!(" − discount {}", fmt_money(a))),
        Some(Discount::Percent(pct)) => {
            let a = p.list_amount * pct / Decimal::ONE_HUNDRED;
            (a, format!(" − {}% discount {}", fmt_num(pct), exact(a)))
        }
    };
    if amount > p.list_amount {
        return Err(TooLarge {
            discount: amount,
            list: p.list_amount,
        });
    }
    let expected = round_cents(p.list_amount - amount);
    let rule = if note.is_empty() {
        p.rule.clone()
    } else {
        format!("{}{note} = {}", p.rule, fmt_money(expected))
    };
    Ok(Discounted {
        discount: amount,
        expected,
        rule,
    })
}

/// An amount in words as it is: to the cent when it is whole cents, else every digit, so
/// the words add up (`1.01 − 50% discount 0.505 = 0.51`, not `− 0.51 = 0.51`).
fn exact(a: Decimal) -> String {
    if a == round_cents(a) {
        fmt_money(a)
    } else {
        fmt_num(a)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::pricing::{Base, once};
    use rust_decimal_macros::dec;

    fn priced(list: Decimal) -> Priced {
        let b = Base {
            unit_price: list,
            billable: Decimal::ONE,
            how: format!("1 × {}", fmt_num(list)),
        };
        once(&b, "one-time")
    }

    #[test]
    fn percent_is_of_the_list_amount_and_rounds_once_half_away_from_zero() {
        // 333.33 × 15% = 49.9995 → 333.33 − 49.9995 = 283.3305 → 283.33.
        let d = apply(&priced(dec!(333.33)), Some(Discount::Percent(dec!(15)))).unwrap();
        assert_eq!(d.discount, dec!(49.9995));
        assert_eq!(d.expected, dec!(283.33));
        assert_eq!(
            d.rule,
            "one-time 1 × 333.33 = 333.33 − 15% discount 49.9995 = 283.33"
        );
        // The words add up: 1.01 − 0.505 = 0.505 → 0.51, and a whole-cent discount reads as money.
        let d = apply(&priced(dec!(1.01)), Some(Discount::Percent(dec!(50)))).unwrap();
        assert_eq!(
            d.rule,
            "one-time 1 × 1.01 = 1.01 − 50% discount 0.505 = 0.51"
        );
        let d = apply(&priced(dec!(1000)), Some(Discount::Percent(dec!(10)))).unwrap();
        assert!(
            d.rule.ends_with("− 10% discount 100.00 = 900.00"),
            "{}",
            d.rule
        );
        // 0.125 rounds up to 0.13, never to even.
        let d = apply(&priced(dec!(0.125)), None).unwrap();
        assert_eq!(d.expected, dec!(0.13));
    }

    #[test]
    fn a_discount_equal_to_the_list_is_allowed_and_one_more_is_not() {
        let d = apply(&priced(dec!(100)), Some(Discount::Amount(dec!(100)))).unwrap();
        assert_eq!(d.expected, dec!(0));
        assert_eq!(
            apply(&priced(dec!(100)), Some(Discount::Amount(dec!(100.01)))),
            Err(TooLarge {
                discount: dec!(100.01),
                list: dec!(100)
            })
        );
    }
}
