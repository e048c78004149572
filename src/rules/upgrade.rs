//! Upgrades (SPEC 2.4, Quick Audience basic → standard): the subscription upgraded, the new
//! monthly price, and the charge for the difference from the upgrade date to the unchanged
//! expiry, by days. Pure; no I/O.

use super::pricing::{self, Base, Priced};
use super::records::Refused;
use super::subscription::Sub;
use crate::calendar::days_between;
use crate::catalog::Vendor;
use crate::model::ExceptionCode as C;
use crate::money::fmt_num;
use chrono::NaiveDate;
use rust_decimal::Decimal;

/// Only Quick Audience editions are upgraded; a Tencent edition changes by a new purchase.
pub fn applies(vendor: Vendor, code: &str) -> Result<(), Refused> {
    if vendor == Vendor::Alibaba {
        return Ok(());
    }
    Err(Refused::new(
        C::BadValue,
        "type",
        "upgrade",
        format!(
            "upgrades apply to Quick Audience editions (basic → standard); {code} changes edition by a new purchase"
        ),
    ))
}

/// The subscription an upgrade to `edition` on `on` changes: the account's active `code`
/// subscription of another edition, latest expiry first.
pub fn upgraded(subs: &[Sub], code: &str, edition: &str, on: NaiveDate) -> Result<usize, Refused> {
    subs.iter()
        .enumerate()
        .filter(|(_, s)| s.sku == code && s.edition != edition && s.active_on(on))
        .max_by_key(|(i, s)| (s.expiry, *i))
        .map(|(i, _)| i)
        .ok_or_else(|| {
            Refused::new(
                C::NoSubscription,
                "product",
                code,
                format!("no active {code} subscription of another edition to upgrade on {on}"),
            )
        })
}

/// The new monthly price: the row's contract price, else the edition's list price; never
/// below the current one (that would be a downgrade).
pub fn new_price(
    code: &str,
    edition: &str,
    contract: Option<Decimal>,
    listed: Option<Decimal>,
    from: &Sub,
) -> Result<Decimal, Refused> {
    let price = contract.or(listed).ok_or_else(|| {
        Refused::new(
            C::NoPrice,
            "unit_price",
            "",
            format!(
                "{code} {edition} has no list price: give unit_price (the new monthly price) on the row"
            ),
        )
    })?;
    if price < from.unit_price {
        return Err(Refused::new(
            C::BadValue,
            "unit_price",
            price.to_string(),
            format!(
                "the new monthly price {} is below the current {}: that is a downgrade, not an upgrade",
                fmt_num(price),
                fmt_num(from.unit_price)
            ),
        ));
    }
    Ok(price)
}

/// The charge: `(new − old monthly price) × 12 / 365 × days left × quantity`.
pub fn charge(from: &Sub, edition: &str, price: Decimal, quantity: u64, on: NaiveDate) -> Priced {
    let days = days_between(on, from.expiry).min(u32::MAX as i64) as u32;
    let b = Base {
        unit_price: price - from.unit_price,
        billable: Decimal::from(quantity),
        how: format!(
            "{} × ({} {} − {} {})",
            fmt_num(quantity.into()),
            edition,
            fmt_num(price),
            from.edition,
            fmt_num(from.unit_price)
        ),
    };
    pricing::days(&b, days, "upgrade")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::money::fmt_money;
    use rust_decimal_macros::dec;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn basic() -> Sub {
        Sub {
            sku: "qa".into(),
            edition: "basic".into(),
            vendor: Vendor::Alibaba,
            quantity: 1,
            start: d("2025-01-01"),
            expiry: d("2026-01-01"),
            unit_price: dec!(2000),
            order_id: "O-1".into(),
            refunded: false,
        }
    }

    #[test]
    fn the_difference_is_charged_by_days_to_the_unchanged_expiry() {
        let from = basic();
        let price = new_price("qa", "standard", None, Some(dec!(5000)), &from).unwrap();
        // 2025-07-01 → 2026-01-01 is 184 days: 3,000 × 12 / 365 × 184 = 18,147.945…
        let p = charge(&from, "standard", price, 1, d("2025-07-01"));
        assert_eq!(p.calc, crate::rules::records::Calc::Days { days: 184 });
        assert_eq!(fmt_money(p.list_amount), "18,147.95");
        assert_eq!(
            p.rule,
            "upgrade 1 × (standard 5,000 − basic 2,000) /month × 12 / 365 × 184 days = 18,147.95"
        );
        // On the last covered day one day is left; on the expiry there is nothing to upgrade.
        assert_eq!(
            charge(&from, "standard", price, 1, d("2025-12-31")).calc,
            crate::rules::records::Calc::Days { days: 1 }
        );
        assert!(
            upgraded(
                std::slice::from_ref(&from),
                "qa",
                "standard",
                d("2026-01-01")
            )
            .is_err()
        );
        assert_eq!(upgraded(&[from], "qa", "standard", d("2025-12-31")), Ok(0));
    }

    #[test]
    fn a_lower_price_is_a_downgrade_and_tencent_does_not_upgrade() {
        let e = new_price("qa", "standard", Some(dec!(1999)), None, &basic()).unwrap_err();
        assert_eq!(e.code, C::BadValue);
        assert!(e.message.contains("downgrade"), "{}", e.message);
        assert_eq!(
            new_price("qa", "x", None, None, &basic()).unwrap_err().code,
            C::NoPrice
        );
        assert_eq!(applies(Vendor::Tencent, "cdp").unwrap_err().column, "type");
        assert!(applies(Vendor::Alibaba, "qa").is_ok());
    }
}
