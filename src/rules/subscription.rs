//! Subscriptions (SPEC 2): what an account holds, which of its subscriptions is active on a
//! date or is the latest, the grace period after expiry, the reclaim date, and a
//! subscription's status on a date. Pure; no I/O.

use super::records::{Refused, SubStatus};
use crate::calendar::add_months;
use crate::catalog::{Settings, Vendor};
use crate::model::ExceptionCode as C;
use chrono::{Days, NaiveDate};
use rust_decimal::Decimal;

/// The last day resources are kept after `expiry` (renewals on or before it count from the
/// old expiry): Tencent `add_months(expiry, grace_months)`, Quick Audience expiry + 14 days.
pub fn grace_end(vendor: Vendor, expiry: NaiveDate, s: &Settings) -> NaiveDate {
    match vendor {
        Vendor::Tencent => add_months(expiry, s.grace_months).unwrap_or(NaiveDate::MAX),
        Vendor::Alibaba => expiry
            .checked_add_days(Days::new(s.qa_grace_days.into()))
            .unwrap_or(NaiveDate::MAX),
    }
}

/// The day the vendor reclaims the resources: the day after the grace period ends.
pub fn reclaim_date(vendor: Vendor, expiry: NaiveDate, s: &Settings) -> NaiveDate {
    grace_end(vendor, expiry, s)
        .succ_opt()
        .unwrap_or(NaiveDate::MAX)
}

/// Status on `as_of` of a subscription covering `[start, expiry)`.
pub fn status(
    vendor: Vendor,
    expiry: NaiveDate,
    refunded: bool,
    as_of: NaiveDate,
    s: &Settings,
) -> SubStatus {
    if refunded {
        SubStatus::Refunded
    } else if as_of < expiry {
        if (expiry - as_of).num_days() <= i64::from(s.expiring_within_days) {
            SubStatus::Expiring
        } else {
            SubStatus::Active
        }
    } else if as_of <= grace_end(vendor, expiry, s) {
        SubStatus::Grace
    } else {
        SubStatus::Reclaimed
    }
}

/// A subscription: (SKU, edition) with a quantity over `[start, expiry)`.
#[derive(Debug, Clone, PartialEq)]
pub struct Sub {
    pub sku: String,
    pub edition: String,
    pub vendor: Vendor,
    pub quantity: u64,
    pub start: NaiveDate,
    pub expiry: NaiveDate,
    /// The per-period unit price it was bought at (annual, or monthly for Quick Audience).
    pub unit_price: Decimal,
    pub order_id: String,
    pub refunded: bool,
}

impl Sub {
    pub fn active_on(&self, d: NaiveDate) -> bool {
        !self.refunded && self.start <= d && d < self.expiry
    }
}

/// The active subscription of `sku` on `d` (of `edition` when given), latest expiry first
/// (the later of two with the same expiry).
pub fn active(subs: &[Sub], sku: &str, edition: Option<&str>, d: NaiveDate) -> Option<usize> {
    subs.iter()
        .enumerate()
        .filter(|(_, s)| s.sku == sku && s.active_on(d) && edition.is_none_or(|e| s.edition == e))
        .max_by_key(|(i, s)| (s.expiry, *i))
        .map(|(i, _)| i)
}

/// The most recent subscription of `sku` (of `edition` when given) that has not been
/// refunded, active or not: the one a renewal extends.
pub fn latest(subs: &[Sub], sku: &str, edition: Option<&str>) -> Option<usize> {
    subs.iter()
        .enumerate()
        .filter(|(_, s)| s.sku == sku && !s.refunded && edition.is_none_or(|e| s.edition == e))
        .max_by_key(|(i, s)| (s.expiry, *i))
        .map(|(i, _)| i)
}

/// The catalog's `max_active_per_account` for an edition: a new subscription starting on
/// `start` is refused while the account already holds `max` active ones.
pub fn over_limit(
    subs: &[Sub],
    code: &str,
    edition: &str,
    max: u32,
    start: NaiveDate,
) -> Option<Refused> {
    let held = subs
        .iter()
        .filter(|s| s.sku == code && s.edition == edition && s.active_on(start))
        .count();
    (held >= max as usize).then(|| {
        Refused::new(
            C::LimitExceeded,
            "edition",
            edition,
            format!(
                "an account may hold at most {max} active {code} {edition} subscription(s); this account already has one on {start}"
            ),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::Catalog;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn tencent_grace_is_three_months_inclusive() {
        let c = Catalog::builtin();
        let s = c.settings();
        let exp = d("2025-11-30");
        assert_eq!(grace_end(Vendor::Tencent, exp, s), d("2026-02-28"));
        assert_eq!(
            status(Vendor::Tencent, exp, false, d("2026-02-28"), s),
            SubStatus::Grace
        );
        assert_eq!(
            status(Vendor::Tencent, exp, false, d("2026-03-01"), s),
            SubStatus::Reclaimed
        );
        assert_eq!(reclaim_date(Vendor::Tencent, exp, s), d("2026-03-01"));
        assert_eq!(
            status(Vendor::Tencent, exp, false, d("2025-11-30"), s),
            SubStatus::Grace
        );
        assert_eq!(
            status(Vendor::Tencent, exp, false, d("2025-11-29"), s),
            SubStatus::Expiring
        );
        assert_eq!(
            status(Vendor::Tencent, exp, false, d("2025-10-31"), s),
            SubStatus::Expiring
        );
        assert_eq!(
            status(Vendor::Tencent, exp, false, d("2025-10-30"), s),
            SubStatus::Active
        );
        assert_eq!(
            status(Vendor::Tencent, exp, true, d("2025-10-30"), s),
            SubStatus::Refunded
        );
    }

    #[test]
    fn quick_audience_keeps_data_fourteen_days() {
        let c = Catalog::builtin();
        let s = c.settings();
        let exp = d("2024-02-20");
        assert_eq!(grace_end(Vendor::Alibaba, exp, s), d("2024-03-05"));
        assert_eq!(
            status(Vendor::Alibaba, exp, false, d("2024-03-05"), s),
            SubStatus::Grace
        );
        assert_eq!(
            status(Vendor::Alibaba, exp, false, d("2024-03-06"), s),
            SubStatus::Reclaimed
        );
    }
}
