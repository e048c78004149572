//! Renewals (SPEC 2.3): which subscription a renewal extends, and that it counts from the
//! previous expiry — never from the renewal date — while the vendor's grace period lasts;
//! after it the resources were reclaimed (`RECLAIMED`). Pure; no I/O.

use super::records::Refused;
use super::subscription::{Sub, grace_end, latest};
use crate::calendar::add_months;
use crate::catalog::{Settings, Vendor};
use crate::model::ExceptionCode as C;
use chrono::NaiveDate;

/// A renewal accepted: it extends the subscription from its old expiry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Renewing {
    /// The old expiry: the renewed service starts here.
    pub from: NaiveDate,
    /// The last day the renewal still counted from the old expiry.
    pub grace_end: NaiveDate,
    /// How the line is named in its rule: `renewal from 2025-01-01`.
    pub what: String,
}

impl Renewing {
    /// The new expiry after a term of `months`; `None` past the calendar's last date.
    pub fn to(&self, months: u32) -> Option<NaiveDate> {
        add_months(self.from, months)
    }
}

/// The subscription a renewal of `code` (of `edition` when the row names one) extends: the
/// account's most recent one that was not refunded, active or expired.
pub fn renewed(
    subs: &[Sub],
    account: &str,
    code: &str,
    edition: Option<&str>,
) -> Result<usize, Refused> {
    latest(subs, code, edition).ok_or_else(|| {
        Refused::new(
            C::NoSubscription,
            "product",
            code,
            format!("account {account} has no {code} subscription to renew"),
        )
    })
}

/// A renewal of `code` ordered `on`, of a subscription expiring `expiry`: from the old
/// expiry when `on` is on or before the end of grace, `RECLAIMED` after it.
pub fn renew(
    vendor: Vendor,
    code: &str,
    expiry: NaiveDate,
    on: NaiveDate,
    s: &Settings,
) -> Result<Renewing, Refused> {
    let grace = grace_end(vendor, expiry, s);
    if on > grace {
        return Err(Refused::new(
            C::Reclaimed,
            "order_date",
            on.to_string(),
            format!(
                "renewal on {on} is after the grace period ended {grace} ({code} expired {expiry}): the resources were reclaimed and must be bought anew"
            ),
        ));
    }
    Ok(Renewing {
        from: expiry,
        grace_end: grace,
        what: format!("renewal from {expiry}"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::Catalog;
    use rust_decimal_macros::dec;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn a_lapsed_customer_pays_from_the_old_expiry_until_the_last_day_of_grace() {
        let c = Catalog::builtin();
        let s = c.settings();
        // Expired 2024-01-12; grace ends 2024-04-12 (3 months, inclusive).
        let r = renew(Vendor::Tencent, "cdp", d("2024-01-12"), d("2024-04-12"), s).unwrap();
        assert_eq!((r.from, r.grace_end), (d("2024-01-12"), d("2024-04-12")));
        assert_eq!(r.to(12), Some(d("2025-01-12")));
        assert_eq!(r.what, "renewal from 2024-01-12");
        let e = renew(Vendor::Tencent, "cdp", d("2024-01-12"), d("2024-04-13"), s).unwrap_err();
        assert_eq!(e.code, C::Reclaimed);
        assert_eq!(
            e.message,
            "renewal on 2024-04-13 is after the grace period ended 2024-04-12 (cdp expired 2024-01-12): the resources were reclaimed and must be bought anew"
        );
        // Renewing early still counts from the expiry, not from the order date.
        let r = renew(Vendor::Tencent, "cdp", d("2024-01-12"), d("2023-12-01"), s).unwrap();
        assert_eq!(r.from, d("2024-01-12"));
    }

    #[test]
    fn quick_audience_keeps_data_fourteen_days_and_leap_days_clamp() {
        let c = Catalog::builtin();
        let s = c.settings();
        assert!(renew(Vendor::Alibaba, "qa", d("2024-02-20"), d("2024-03-05"), s).is_ok());
        assert!(renew(Vendor::Alibaba, "qa", d("2024-02-20"), d("2024-03-06"), s).is_err());
        // From a leap day, a year on is Feb 28.
        let r = renew(Vendor::Tencent, "cdp", d("2024-02-29"), d("2024-02-01"), s).unwrap();
        assert_eq!(r.to(12), Some(d("2025-02-28")));
    }

    #[test]
    fn the_latest_unrefunded_subscription_is_renewed() {
        let sub = |edition: &str, expiry: &str, refunded| Sub {
            sku: "qa".into(),
            edition: edition.into(),
            vendor: Vendor::Alibaba,
            quantity: 1,
            start: d("2024-01-01"),
            expiry: d(expiry),
            unit_price: dec!(1),
            order_id: "O".into(),
            refunded,
        };
        let subs = [
            sub("basic", "2024-06-01", false),
            sub("standard", "2024-09-01", true),
            sub("basic", "2024-07-01", false),
        ];
        assert_eq!(renewed(&subs, "A", "qa", None), Ok(2));
        assert_eq!(
            renewed(&subs, "A", "qa", Some("standard"))
                .unwrap_err()
                .code,
            C::NoSubscription
        );
    }
}
