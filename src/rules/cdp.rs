//! CDP cover (SPEC 1.1): an edition plus the boosters needed to cover a customer count,
//! chosen as the cheapest cover with `auto` (or named, with the cheapest shown beside it),
//! for new purchases and renewals; and a CDP add-on's boosters beyond the current cover,
//! prorated to the subscription's expiry. Pure; no I/O.

use super::addon::coterminated;
use super::pricing::{Base, Priced};
use super::records::Refused;
use crate::calendar::MonthRounding;
use crate::catalog::{Catalog, EditionDef, SkuDef};
use crate::model::ExceptionCode as C;
use crate::money::{fmt_money, fmt_num};
use chrono::NaiveDate;
use rust_decimal::Decimal;

/// An edition and the boosters that together cover a customer count.
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    pub edition: String,
    pub capacity: u64,
    pub boosters: u64,
    pub edition_price: Decimal,
    pub booster_price: Decimal,
    /// Edition price + boosters × booster price, per year.
    pub annual: Decimal,
}

impl Plan {
    /// `professional 600,000 + 3 boosters × 100,000 = 900,000/yr`.
    pub fn describe(&self) -> String {
        if self.boosters == 0 {
            format!("{} {}/yr", self.edition, fmt_num(self.edition_price))
        } else {
            format!(
                "{} {} + {} booster{} × {} = {}/yr",
                self.edition,
                fmt_num(self.edition_price),
                self.boosters,
                if self.boosters == 1 { "" } else { "s" },
                fmt_num(self.booster_price),
                fmt_num(self.annual)
            )
        }
    }
}

/// Boosters needed to cover `customers` on top of `capacity`.
pub fn boosters_needed(customers: u64, capacity: u64, booster_size: u64) -> u64 {
    customers
        .saturating_sub(capacity)
        .div_ceil(booster_size.max(1))
}

fn plan_for(
    code: &str,
    e: &EditionDef,
    customers: u64,
    size: u64,
    booster_price: Decimal,
) -> Option<Plan> {
    let price = e.price?;
    let capacity = e.capacity?;
    let boosters = boosters_needed(customers, capacity, size);
    Some(Plan {
        edition: code.to_string(),
        capacity,
        boosters,
        edition_price: price,
        booster_price,
        annual: price + Decimal::from(boosters) * booster_price,
    })
}

/// The cheapest priced cover of `customers`; ties go to the larger edition. `None` when no
/// edition has a list price.
pub fn cheapest(sku: &SkuDef, customers: u64, booster_price: Decimal) -> Option<Plan> {
    let size = sku.booster_size.unwrap_or(1);
    let mut best: Option<Plan> = None;
    for (code, e) in &sku.editions {
        let Some(p) = plan_for(code, e, customers, size, booster_price) else {
            continue;
        };
        best = match best {
            None => Some(p),
            Some(b) if p.annual < b.annual || (p.annual == b.annual && p.capacity > b.capacity) => {
                Some(p)
            }
            keep => keep,
        };
    }
    best
}

/// The cover with a given edition; `None` when the edition has no list price or capacity.
pub fn with_edition(
    sku: &SkuDef,
    code: &str,
    e: &EditionDef,
    customers: u64,
    booster_price: Decimal,
) -> Option<Plan> {
    plan_for(
        code,
        e,
        customers,
        sku.booster_size.unwrap_or(1),
        booster_price,
    )
}

/// The booster SKU of a CDP SKU and its list price.
pub fn booster_price(catalog: &Catalog, sku: &SkuDef) -> Result<(String, Decimal), Refused> {
    let code = sku.booster.clone().unwrap_or_default();
    match catalog.sku_by_code(&code).and_then(|b| b.price) {
        Some(p) => Ok((code, p)),
        None => Err(Refused::new(
            C::NoPrice,
            "product",
            code.clone(),
            format!("the booster SKU {code} has no list price in the catalog"),
        )),
    }
}

/// The cover of `customers`: the `edition` given, or the cheapest with `auto` or none. The
/// words name the cheapest cover when an edition given is not it.
pub fn cover(
    catalog: &Catalog,
    code: &str,
    sku: &SkuDef,
    customers: u64,
    edition: Option<&str>,
) -> Result<(Plan, String), Refused> {
    let (_, bp) = booster_price(catalog, sku)?;
    let best = cheapest(sku, customers, bp);
    let wanted = edition.filter(|e| !e.trim().is_empty() && !e.trim().eq_ignore_ascii_case("auto"));
    let Some(w) = wanted else {
        let plan = best.ok_or_else(|| {
            Refused::new(
                C::NoPrice,
                "edition",
                "auto",
                format!("no {code} edition has a list price to choose from"),
            )
        })?;
        let why = format!(
            "cheapest cover of {} customers: {}",
            fmt_num(customers.into()),
            plan.describe()
        );
        return Ok((plan, why));
    };
    let e = catalog.edition(sku, Some(w)).map_err(|acc| {
        Refused::new(
            C::BadValue,
            "edition",
            w,
            format!(
                "'{w}' is not an edition of {code}; accepted: auto, {}",
                acc.join(", ")
            ),
        )
    })?;
    let plan = with_edition(sku, e.code, &e.def, customers, bp).ok_or_else(|| {
        Refused::new(
            C::NoPrice,
            "edition",
            w,
            format!("{code} {} has no list price", e.code),
        )
    })?;
    let mut why = format!(
        "{} customers: {}",
        fmt_num(customers.into()),
        plan.describe()
    );
    if let Some(c) = best.filter(|c| c.annual < plan.annual) {
        why.push_str(&format!(
            "; cheapest cover would be {} ({} less per year)",
            c.describe(),
            fmt_money(plan.annual - c.annual)
        ));
    }
    Ok((plan, why))
}

/// A CDP line's base: the whole cover per year, or the row's contract price for it.
pub fn cover_base(contract: Option<Decimal>, plan: &Plan, why: &str) -> Base {
    match contract {
        Some(p) => Base {
            unit_price: p,
            billable: Decimal::ONE,
            how: format!("1 × {} (contract price; {why})", fmt_num(p)),
        },
        None => Base {
            unit_price: plan.annual,
            billable: Decimal::ONE,
            how: format!("1 × {} ({why})", fmt_num(plan.annual)),
        },
    }
}

/// What a CDP subscription covers now: its edition and the boosters it holds.
#[derive(Debug, Clone, PartialEq)]
pub struct Cover<'a> {
    pub edition: &'a str,
    /// The edition's customer capacity.
    pub capacity: u64,
    /// Boosters held.
    pub boosters: u64,
    /// Customers one booster adds.
    pub booster_size: u64,
}

impl Cover<'_> {
    pub fn customers(&self) -> u64 {
        self.capacity
            .saturating_add(self.boosters.saturating_mul(self.booster_size))
    }
}

/// A CDP add-on: the row gives the account's new customer count; the boosters needed beyond
/// the current cover are billed from `from` to the subscription's `expiry` like booster
/// add-ons (at `price`, the row's contract price or the booster's list price). None needed:
/// a zero line whose words say so. Returns the boosters added and the priced line.
pub fn addon(
    vendor: crate::catalog::Vendor,
    now: &Cover,
    customers: u64,
    price: Decimal,
    from: NaiveDate,
    expiry: NaiveDate,
    rounding: MonthRounding,
) -> (u64, Priced) {
    let covered = now.customers();
    let needed = boosters_needed(customers, covered, now.booster_size);
    let held = now.boosters;
    let b = Base {
        unit_price: price,
        billable: Decimal::from(needed),
        how: format!(
            "{needed} booster{} ({} customers over the cover of {}: {} {} + {held} booster{}) × {}",
            if needed == 1 { "" } else { "s" },
            fmt_num(customers.into()),
            fmt_num(covered.into()),
            now.edition,
            fmt_num(now.capacity.into()),
            if held == 1 { "" } else { "s" },
            fmt_num(price)
        ),
    };
    let p = coterminated(vendor, &b, from, expiry, rounding, "addon");
    if needed > 0 {
        return (needed, p);
    }
    let rule = format!(
        "addon: {} customers fit the current cover of {} ({} + {held} boosters): no booster needed = 0.00",
        fmt_num(customers.into()),
        fmt_num(covered.into()),
        now.edition
    );
    (0, Priced { rule, ..p })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::Catalog;
    use rust_decimal_macros::dec;

    fn cdp() -> SkuDef {
        Catalog::builtin().sku_by_code("cdp").unwrap().clone()
    }

    #[test]
    fn guide_example_eight_million_is_enterprise() {
        let p = cheapest(&cdp(), 8_000_000, dec!(100000)).unwrap();
        assert_eq!(p.edition, "enterprise");
        assert_eq!(p.boosters, 0);
        assert_eq!(p.annual, dec!(800000));
        let pro = with_edition(
            &cdp(),
            "professional",
            &cdp().editions["professional"],
            8_000_000,
            dec!(100000),
        )
        .unwrap();
        assert_eq!(pro.boosters, 3);
        assert_eq!(pro.annual, dec!(900000));
    }

    #[test]
    fn ties_go_to_the_larger_edition() {
        // 3,000,000: standard + 2 boosters = 500,000 < professional 600,000.
        let p = cheapest(&cdp(), 3_000_000, dec!(100000)).unwrap();
        assert_eq!(
            (p.edition.as_str(), p.boosters, p.annual),
            ("standard", 2, dec!(500000))
        );
        // 4,000,000: standard + 3 = 600,000 = professional 600,000 → professional.
        let p = cheapest(&cdp(), 4_000_000, dec!(100000)).unwrap();
        assert_eq!((p.edition.as_str(), p.boosters), ("professional", 0));
        // Exactly at a capacity needs no booster.
        assert_eq!(boosters_needed(500_000, 500_000, 1_000_000), 0);
        assert_eq!(boosters_needed(500_001, 500_000, 1_000_000), 1);
    }

    #[test]
    fn small_counts_take_basic() {
        let p = cheapest(&cdp(), 1, dec!(100000)).unwrap();
        assert_eq!(p.edition, "basic");
        assert_eq!(p.describe(), "basic 200,000/yr");
    }

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn auto_takes_the_cheapest_and_a_named_edition_shows_the_saving() {
        let c = Catalog::builtin();
        let sku = cdp();
        let (plan, why) = cover(&c, "cdp", &sku, 8_000_000, Some("auto")).unwrap();
        assert_eq!(plan.edition, "enterprise");
        assert_eq!(
            why,
            "cheapest cover of 8,000,000 customers: enterprise 800,000/yr"
        );
        let (plan, why) = cover(&c, "cdp", &sku, 8_000_000, Some("professional")).unwrap();
        assert_eq!(plan.annual, dec!(900000));
        assert_eq!(
            why,
            "8,000,000 customers: professional 600,000 + 3 boosters × 100,000 = 900,000/yr; cheapest cover would be enterprise 800,000/yr (100,000.00 less per year)"
        );
        let e = cover(&c, "cdp", &sku, 1, Some("platinum")).unwrap_err();
        assert_eq!((e.code, e.column), (C::BadValue, "edition"));
        let b = cover_base(Some(dec!(750000)), &plan, &why);
        assert_eq!((b.unit_price, b.billable), (dec!(750000), Decimal::ONE));
        assert!(
            b.how
                .starts_with("1 × 750,000 (contract price; 8,000,000 customers")
        );
    }

    #[test]
    fn an_add_on_bills_the_boosters_beyond_the_cover_and_a_count_that_fits_is_a_zero_line() {
        let now = Cover {
            edition: "basic",
            capacity: 500_000,
            boosters: 1,
            booster_size: 1_000_000,
        };
        let r = crate::rules::addon::rounding(Catalog::builtin().settings());
        let tencent = crate::catalog::Vendor::Tencent;
        // 2,600,000 customers over a cover of 1,500,000: 2 boosters, half a year left.
        let (needed, p) = addon(
            tencent,
            &now,
            2_600_000,
            dec!(100000),
            d("2024-07-01"),
            d("2025-01-01"),
            r,
        );
        assert_eq!(needed, 2);
        assert_eq!(p.list_amount, dec!(120000)); // 2 × 6 months × 10,000
        // Exactly at the cover: none needed.
        let (needed, p) = addon(
            tencent,
            &now,
            1_500_000,
            dec!(100000),
            d("2024-07-01"),
            d("2025-01-01"),
            r,
        );
        assert_eq!((needed, p.list_amount), (0, Decimal::ZERO));
        assert_eq!(
            p.rule,
            "addon: 1,500,000 customers fit the current cover of 1,500,000 (basic + 1 boosters): no booster needed = 0.00"
        );
    }
}
