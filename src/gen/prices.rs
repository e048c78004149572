//! What a generated line should cost, from the built-in catalog's prices and SPEC 1–2's
//! formulas, so `billed_amount` reconciles. Written apart from the engine on purpose: a
//! line whose billed amount disagrees with the engine's is a finding, not an echo. No I/O.

use crate::calendar::{MonthRounding, add_months, days_between, years_and_months};
use crate::catalog::{Catalog, MonthRoundingDef, SkuDef};
use crate::money::round_cents;
use chrono::NaiveDate;
use rust_decimal::Decimal;

/// A CDP cover: an edition and the boosters that, with it, cover a customer count.
#[derive(Debug, Clone, PartialEq)]
pub struct Cover {
    pub edition: String,
    pub capacity: u64,
    pub boosters: u64,
    /// Edition price plus boosters, per year.
    pub annual: Decimal,
}

/// Prices and policies read from a catalog.
pub struct Prices<'c> {
    cat: &'c Catalog,
}

impl<'c> Prices<'c> {
    pub fn new(cat: &'c Catalog) -> Prices<'c> {
        Prices { cat }
    }

    fn sku(&self, code: &str) -> &'c SkuDef {
        match self.cat.sku_by_code(code) {
            Some(s) => s,
            // The generator only names SKUs of the built-in catalog (a unit test checks them).
            None => unreachable!("gen names a SKU the catalog lacks: {code}"),
        }
    }

    /// The list price of a SKU's edition (annual, per pack or per item); zero for a
    /// contract SKU, whose lines carry `unit_price`.
    pub fn list(&self, code: &str, edition: &str) -> Decimal {
        let sku = self.sku(code);
        sku.editions
            .get(edition)
            .and_then(|e| e.price)
            .or(sku.price)
            .unwrap_or_default()
    }

    /// Units in one pack of `code` `edition`.
    pub fn pack_size(&self, code: &str, edition: &str) -> u64 {
        self.sku(code)
            .editions
            .get(edition)
            .and_then(|e| e.pack_size)
            .unwrap_or(0)
    }

    /// Bonus units a SKU grants per unit bought (ssc-robot sessions).
    pub fn bonus(&self, code: &str) -> u64 {
        self.sku(code).bonus.unwrap_or(0)
    }

    /// Months a pack stays valid, if it expires.
    pub fn valid_months(&self, code: &str) -> Option<u32> {
        self.sku(code).valid_months
    }

    /// The volume-tier price per account per year for `total` WeCom accounts.
    pub fn tier(&self, code: &str, total: u64) -> Decimal {
        self.sku(code)
            .tiers
            .iter()
            .find(|t| total <= t.up_to)
            .map(|t| t.price)
            .unwrap_or_default()
    }

    /// The largest quantity a tiered SKU takes.
    pub fn tier_max(&self, code: &str) -> u64 {
        let sku = self.sku(code);
        sku.max_quantity
            .or(sku.tiers.last().map(|t| t.up_to))
            .unwrap_or(0)
    }

    /// The block size of a block SKU (ssc-employees: 1,000).
    pub fn block(&self, code: &str) -> u64 {
        self.sku(code).block.unwrap_or(1).max(1)
    }

    pub fn booster_price(&self) -> Decimal {
        self.list("cdp-booster", "")
    }

    fn booster_size(&self) -> u64 {
        self.sku("cdp").booster_size.unwrap_or(1).max(1)
    }

    /// The cover of `customers` with `edition`.
    pub fn cover_with(&self, edition: &str, customers: u64) -> Cover {
        let e = self.sku("cdp").editions.get(edition);
        let capacity = e.and_then(|e| e.capacity).unwrap_or(0);
        let price = e.and_then(|e| e.price).unwrap_or_default();
        let boosters = customers
            .saturating_sub(capacity)
            .div_ceil(self.booster_size());
        Cover {
            edition: edition.to_string(),
            capacity,
            boosters,
            annual: price + Decimal::from(boosters) * self.booster_price(),
        }
    }

    /// The cheapest cover of `customers` (ties: the larger edition), as `edition = auto`.
    pub fn cheapest_cover(&self, customers: u64) -> Cover {
        let mut best: Option<Cover> = None;
        for code in self.sku("cdp").editions.keys() {
            let c = self.cover_with(code, customers);
            best = match best {
                Some(b)
                    if !(c.annual < b.annual
                        || (c.annual == b.annual && c.capacity > b.capacity)) =>
                {
                    Some(b)
                }
                _ => Some(c),
            };
        }
        best.unwrap_or(Cover {
            edition: String::new(),
            capacity: 0,
            boosters: 0,
            annual: Decimal::ZERO,
        })
    }

    /// Boosters needed beyond a cover of `cover` customers to reach `customers`.
    pub fn boosters_needed(&self, customers: u64, cover: u64) -> u64 {
        customers
            .saturating_sub(cover)
            .div_ceil(self.booster_size())
    }

    /// The capacity of a CDP edition plus `boosters`.
    pub fn cover_size(&self, edition: &str, boosters: u64) -> u64 {
        let capacity = self
            .sku("cdp")
            .editions
            .get(edition)
            .and_then(|e| e.capacity)
            .unwrap_or(0);
        capacity.saturating_add(boosters.saturating_mul(self.booster_size()))
    }

    /// The last day a Tencent renewal still counts from the old expiry.
    pub fn tencent_grace_end(&self, expiry: NaiveDate) -> NaiveDate {
        add_months(expiry, self.cat.settings().grace_months).unwrap_or(expiry)
    }

    /// The last day a Quick Audience renewal still counts from the old expiry.
    pub fn qa_grace_end(&self, expiry: NaiveDate) -> NaiveDate {
        expiry + chrono::Days::new(u64::from(self.cat.settings().qa_grace_days))
    }

    /// SPEC 2.2: `unit × billable` a year, co-terminated from `from` to `expiry`: full years
    /// plus started months at a tenth of the annual price, the months capped at a year.
    pub fn tencent_addon(
        &self,
        unit: Decimal,
        billable: u64,
        from: NaiveDate,
        expiry: NaiveDate,
    ) -> Decimal {
        let rounding = match self.cat.settings().addon_months {
            MonthRoundingDef::Ceil => MonthRounding::Ceil,
            MonthRoundingDef::Floor => MonthRounding::Floor,
        };
        let (y, m) = years_and_months(from, expiry, rounding);
        let b = Decimal::from(billable);
        let annual = unit * b;
        let months = unit / Decimal::TEN * b * Decimal::from(m);
        annual * Decimal::from(y) + months.min(annual)
    }

    /// Quick Audience add-ons and upgrades: monthly × 12 / 365 × days × quantity, in the
    /// order the engine multiplies (the last digits decide a half cent).
    pub fn by_days(
        &self,
        monthly: Decimal,
        quantity: u64,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Decimal {
        let days = days_between(from, to);
        monthly * Decimal::from(12) / Decimal::from(365)
            * Decimal::from(days)
            * Decimal::from(quantity)
    }
}

/// The line amount: list less the discount, rounded once half away from zero.
pub fn expected(list: Decimal, discount: Option<&Discount>) -> Decimal {
    let off = match discount {
        None => Decimal::ZERO,
        Some(Discount::Amount(a)) => *a,
        Some(Discount::Percent(p)) => list * *p / Decimal::ONE_HUNDRED,
    };
    round_cents(list - off)
}

/// A discount the generator puts on a line.
#[derive(Debug, Clone, PartialEq)]
pub enum Discount {
    Amount(Decimal),
    Percent(Decimal),
}

impl Discount {
    /// As the export writes it: `500` or `10%`.
    pub fn text(&self) -> String {
        match self {
            Discount::Amount(a) => a.to_string(),
            Discount::Percent(p) => format!("{p}%"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn the_guide_examples() {
        let cat = Catalog::builtin();
        let p = Prices::new(&cat);
        // 3 basic seats added with 1 year 6 months left.
        let a = p.tencent_addon(dec!(999), 3, d("2024-07-01"), d("2026-01-01"));
        assert_eq!(expected(a, None), dec!(4795.20));
        // 8,000,000 customers: enterprise alone beats professional + 3 boosters.
        let c = p.cheapest_cover(8_000_000);
        assert_eq!(
            (c.edition.as_str(), c.boosters, c.annual),
            ("enterprise", 0, dec!(800000))
        );
        assert_eq!(p.cover_with("professional", 8_000_000).annual, dec!(900000));
        assert_eq!(p.tier("qdm-wecom", 201), dec!(30));
        assert_eq!(p.pack_size("qdm-pv", "3m"), 3_000_000);
        assert_eq!(
            expected(dec!(90000), Some(&Discount::Percent(dec!(5)))),
            dec!(85500.00)
        );
        // QA upgrade example of the samples: (15,000 − 2,000) × 12 / 365 × 70 days.
        let u = p.by_days(dec!(13000), 1, d("2024-03-01"), d("2024-05-10"));
        assert_eq!(expected(u, None), dec!(29917.81));
    }
}
