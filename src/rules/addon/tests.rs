use super::*;
use crate::catalog::Catalog;
use crate::money::fmt_money;
use rust_decimal::Decimal;
use rust_decimal_macros::dec;

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn sub(sku: &str, edition: &str, q: u64, start: &str, expiry: &str) -> Sub {
    Sub {
        sku: sku.into(),
        edition: edition.into(),
        vendor: Vendor::Tencent,
        quantity: q,
        start: d(start),
        expiry: d(expiry),
        unit_price: dec!(999),
        order_id: "O-1".into(),
        refunded: false,
    }
}

fn base(price: Decimal, q: u64) -> Base {
    Base {
        unit_price: price,
        billable: Decimal::from(q),
        how: format!("{q} × {price}"),
    }
}

fn ceil() -> MonthRounding {
    rounding(Catalog::builtin().settings())
}

#[test]
fn guide_example_three_users_for_one_year_six_months() {
    // 5 basic users for 2 years from 2024-01-01; 3 added 2024-07-01.
    let subs = [sub("qcs-online", "basic", 5, "2024-01-01", "2026-01-01")];
    let j = join(
        &subs,
        "A-1",
        "qcs-online",
        "qcs-online",
        "basic",
        d("2024-07-01"),
    )
    .unwrap();
    assert_eq!((j.anchor, j.own, j.already), (0, Some(0), 5));
    assert_eq!(j.expiry, d("2026-01-01"));
    let p = coterminated(
        Vendor::Tencent,
        &base(dec!(999), 3),
        d("2024-07-01"),
        j.expiry,
        ceil(),
        "addon",
    );
    assert_eq!((p.full_years, p.months), (1, 6));
    assert_eq!(p.full_years_amount, dec!(2997));
    assert_eq!(p.months_amount, dec!(1798.2));
    assert_eq!(fmt_money(p.list_amount), "4,795.20");
    assert!(
        p.rule
            .ends_with("= 4,795.20 (started months to 2026-01-01)"),
        "{}",
        p.rule
    );
}

#[test]
fn guide_example_two_ssc_experts_after_six_months() {
    let p = coterminated(
        Vendor::Tencent,
        &base(dec!(3000), 2),
        d("2024-07-01"),
        d("2026-01-01"),
        ceil(),
        "addon",
    );
    assert_eq!(p.list_amount, dec!(9600));
}

#[test]
fn a_started_month_counts_whole_and_month_ends_clamp() {
    // From Jan 31 to Mar 1: Jan 31 + 1 month = Feb 29 (2024) < Mar 1, so 2 started months.
    let p = coterminated(
        Vendor::Tencent,
        &base(dec!(1000), 1),
        d("2024-01-31"),
        d("2024-03-01"),
        ceil(),
        "addon",
    );
    assert_eq!((p.full_years, p.months, p.list_amount), (0, 2, dec!(200)));
    // Ending exactly on the clamped month end: one month.
    let p = coterminated(
        Vendor::Tencent,
        &base(dec!(1000), 1),
        d("2024-01-31"),
        d("2024-02-29"),
        ceil(),
        "addon",
    );
    assert_eq!((p.months, p.list_amount), (1, dec!(100)));
}

#[test]
fn eleven_started_months_reach_the_one_year_cap_exactly_and_twelve_do_not_pass_it() {
    // 10 started months = 10 × price / 10 = one year's price exactly: not marked capped.
    let p = coterminated(
        Vendor::Tencent,
        &base(dec!(1000), 1),
        d("2024-01-01"),
        d("2024-11-01"),
        ceil(),
        "addon",
    );
    assert_eq!((p.months, p.months_amount), (10, dec!(1000)));
    assert!(!p.rule.contains("capped"), "{}", p.rule);
    let p = coterminated(
        Vendor::Tencent,
        &base(dec!(1000), 1),
        d("2024-01-01"),
        d("2024-12-15"),
        ceil(),
        "addon",
    );
    assert_eq!((p.months, p.months_amount), (12, dec!(1000)));
    assert!(p.rule.contains("capped at one year"), "{}", p.rule);
}

#[test]
fn quick_audience_add_ons_are_priced_by_days() {
    // 30 days at 3,000 a month: 3,000 × 12 / 365 × 30 = 2,958.90…
    let p = coterminated(
        Vendor::Alibaba,
        &base(dec!(3000), 1),
        d("2025-03-02"),
        d("2025-04-01"),
        ceil(),
        "addon",
    );
    assert_eq!(fmt_money(p.list_amount), "2,958.90");
}

#[test]
fn an_add_on_joins_the_sku_it_names_and_grows_its_own_subscription() {
    let subs = [
        sub("cdp", "basic", 1, "2024-01-01", "2025-01-01"),
        sub("cdp-booster", "", 2, "2024-01-01", "2025-01-01"),
    ];
    let j = join(&subs, "A-1", "cdp-booster", "cdp", "", d("2024-06-01")).unwrap();
    assert_eq!((j.anchor, j.own, j.already), (0, Some(1), 2));
    assert_eq!(
        what(OrderType::New, "cdp-booster", "cdp"),
        "new joining cdp:"
    );
    assert_eq!(what(OrderType::Addon, "qcs-online", "qcs-online"), "addon");
    assert_eq!(
        default_edition(&subs, "cdp", d("2024-06-01")),
        Some("basic")
    );
}

#[test]
fn no_running_subscription_on_the_add_on_date_is_no_subscription() {
    let subs = [sub("qcs-online", "basic", 5, "2024-01-01", "2025-01-01")];
    // The expiry day itself is no longer covered: [start, expiry).
    let e = join(
        &subs,
        "A-1",
        "qcs-online",
        "qcs-online",
        "basic",
        d("2025-01-01"),
    )
    .unwrap_err();
    assert_eq!(e.code, C::NoSubscription);
    assert_eq!(
        e.message,
        "no active qcs-online basic subscription for account A-1 on 2025-01-01: an add-on joins a running subscription"
    );
    assert!(
        join(
            &subs,
            "A-1",
            "qcs-online",
            "qcs-online",
            "basic",
            d("2024-12-31")
        )
        .is_ok()
    );
    let e = join(
        &subs,
        "A-1",
        "qcs-robot",
        "qcs-online",
        "standard",
        d("2026-01-01"),
    )
    .unwrap_err();
    assert!(
        e.message.starts_with("no active qcs-online subscription"),
        "{}",
        e.message
    );
}
