//! CDP cover plans (SPEC 1.1): an edition plus the boosters needed to cover a customer count,
//! chosen as the cheapest cover with `auto`. Pure; no I/O.

use crate::catalog::{EditionDef, SkuDef};
use crate::money::fmt_num;
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
}
