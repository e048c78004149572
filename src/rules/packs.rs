//! Packs (SPEC 4): a pack's status at `--as-of` (the `LOW` alert below a share of its size
//! left), and what usage beyond every pack means and costs — pay-as-you-go at the catalog
//! rate for SMS, blocked access for page views, recorded otherwise. Deduction order is the
//! ledger's (`ledger.rs`). Pure; no I/O.

use super::records::PackStatus;
use crate::model::Metric;
use crate::money::{fmt_money, fmt_num, round_cents};
use chrono::NaiveDate;
use rust_decimal::Decimal;

/// What a pack's status depends on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PackState {
    /// A refund closed it.
    pub refunded: bool,
    /// First day it is no longer valid.
    pub expires: Option<NaiveDate>,
    /// Quota and bonus left.
    pub remaining: u64,
    /// What `LOW` is measured against: the pack's size, or a bonus-only grant's bonus.
    pub base: u64,
}

/// The status on `as_of`: `REFUNDED`, `EXPIRED` (on its expiry day), `EXHAUSTED` (nothing
/// left), `LOW` (less than `alert_below` percent of its base left; exactly that share is
/// not low), else `ACTIVE`.
pub fn status(p: PackState, as_of: NaiveDate, alert_below: Decimal) -> PackStatus {
    if p.refunded {
        PackStatus::Refunded
    } else if p.expires.is_some_and(|x| x <= as_of) {
        PackStatus::Expired
    } else if p.remaining == 0 {
        PackStatus::Exhausted
    } else if Decimal::from(p.remaining)
        < Decimal::from(p.base) * (alert_below / Decimal::ONE_HUNDRED)
    {
        PackStatus::Low
    } else {
        PackStatus::Active
    }
}

/// Whether usage of `metric` beyond every pack is billed pay-as-you-go (SMS) rather than
/// blocked or merely recorded: without a rate its overdraft is flagged `NO_PRICE`.
pub fn billed_when_overdrawn(metric: Metric) -> bool {
    metric == Metric::Sms
}

/// The overdraft's amount (when there is a rate: `(SKU code, price per unit)`) and what it
/// means, in words.
pub fn overage(
    metric: Metric,
    overdrawn: u128,
    rate: Option<(String, Decimal)>,
) -> (Option<Decimal>, String) {
    if overdrawn == 0 {
        return (rate.map(|_| Decimal::ZERO), String::new());
    }
    let n = i128::try_from(overdrawn)
        .ok()
        .and_then(|v| Decimal::try_from_i128_with_scale(v, 0).ok());
    let shown = n.map(fmt_num).unwrap_or_else(|| overdrawn.to_string());
    match (metric, rate) {
        (_, Some((code, r))) => match n.and_then(|n| n.checked_mul(r)) {
            Some(a) => {
                let a = round_cents(a);
                (
                    Some(a),
                    format!(
                        "{shown} beyond every pack, billed pay-as-you-go at {} ({code} overage_price) = {}",
                        fmt_num(r),
                        fmt_money(a)
                    ),
                )
            }
            None => (
                None,
                format!(
                    "{shown} beyond every pack: too large to price at {}",
                    fmt_num(r)
                ),
            ),
        },
        (m, None) if billed_when_overdrawn(m) => (
            None,
            format!(
                "NO_PRICE: {shown} messages beyond every pack and the catalog has no pay-as-you-go rate; set overage_price on the SMS pack SKU (skus.qa-sms.overage_price)"
            ),
        ),
        (Metric::Pv, None) => (
            None,
            format!("{shown} page views served with no valid quota (the vendor blocks access)"),
        ),
        (m, None) => (
            None,
            format!("{shown} {} beyond every valid pack", m.as_str()),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn pack(remaining: u64) -> PackState {
        PackState {
            refunded: false,
            expires: Some(d("2026-01-01")),
            remaining,
            base: 1_000_000,
        }
    }

    #[test]
    fn exactly_ten_percent_left_is_not_low_and_one_less_is() {
        let at = d("2025-06-30");
        assert_eq!(status(pack(100_000), at, dec!(10)), PackStatus::Active);
        assert_eq!(status(pack(99_999), at, dec!(10)), PackStatus::Low);
        assert_eq!(status(pack(0), at, dec!(10)), PackStatus::Exhausted);
    }

    #[test]
    fn expiry_and_refund_come_first() {
        // The expiry day is the first day it no longer serves.
        assert_eq!(
            status(pack(0), d("2026-01-01"), dec!(10)),
            PackStatus::Expired
        );
        assert_eq!(status(pack(5), d("2025-12-31"), dec!(10)), PackStatus::Low);
        let refunded = PackState {
            refunded: true,
            ..pack(0)
        };
        assert_eq!(
            status(refunded, d("2027-01-01"), dec!(10)),
            PackStatus::Refunded
        );
    }

    #[test]
    fn sms_overdraft_is_billed_at_the_rate_or_flagged_without_one() {
        let (a, words) = overage(Metric::Sms, 1_234, Some(("qa-sms".into(), dec!(0.045))));
        assert_eq!(a, Some(dec!(55.53)));
        assert_eq!(
            words,
            "1,234 beyond every pack, billed pay-as-you-go at 0.045 (qa-sms overage_price) = 55.53"
        );
        let (a, words) = overage(Metric::Sms, 10, None);
        assert_eq!(a, None);
        assert!(words.starts_with("NO_PRICE: 10 messages"), "{words}");
        let (a, words) = overage(Metric::Pv, 7, None);
        assert_eq!(
            (a, words.as_str()),
            (
                None,
                "7 page views served with no valid quota (the vendor blocks access)"
            )
        );
        assert_eq!(
            overage(Metric::Sms, 0, Some(("qa-sms".into(), dec!(1)))).0,
            Some(dec!(0))
        );
    }
}
