use super::*;
use crate::catalog::Catalog;
use crate::money::round_cents;
use rust_decimal_macros::dec;

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn sku(code: &str) -> SkuDef {
    Catalog::builtin().sku_by_code(code).unwrap().clone()
}

#[test]
fn guide_qcs_basic_five_users_two_years() {
    let s = sku("qcs-online");
    let b = base(&s, Some(dec!(999)), None, 5, 0).unwrap();
    let p = years(&b, 2, "new");
    assert_eq!(round_cents(p.list_amount), dec!(9990.00));
    assert_eq!(p.rule, "new 5 × 999 × 2y = 9,990.00");
}

#[test]
fn guide_qcs_addon_one_year_six_months() {
    let s = sku("qcs-online");
    let b = base(&s, Some(dec!(999)), None, 3, 5).unwrap();
    let p = tencent_addon(
        &b,
        d("2024-07-01"),
        d("2026-01-01"),
        MonthRounding::Ceil,
        "addon",
    );
    assert_eq!((p.full_years, p.months), (1, 6));
    assert_eq!(round_cents(p.list_amount), dec!(4795.20));
    assert!(
        p.rule.contains("3 × 999 × 1y + min(3 × 99.9 × 6m"),
        "{}",
        p.rule
    );
}

#[test]
fn guide_ssc_experts_addon() {
    let s = sku("ssc-experts");
    let b = base(&s, Some(dec!(3000)), None, 2, 3).unwrap();
    let p = tencent_addon(
        &b,
        d("2024-07-01"),
        d("2026-01-01"),
        MonthRounding::Ceil,
        "addon",
    );
    assert_eq!(round_cents(p.list_amount), dec!(9600.00));
}

#[test]
fn guide_ssc_purchase_420280() {
    let mut total = Decimal::ZERO;
    for (code, units) in [
        ("ssc-employees", 6000u64),
        ("ssc-experts", 3),
        ("ssc-tickets", 3),
        ("ssc-robot", 1),
    ] {
        let s = sku(code);
        let b = base(&s, s.price, None, units, 0).unwrap();
        total += round_cents(years(&b, 2, "new").list_amount);
    }
    let k = sku("ssc-knowledge");
    total += round_cents(once(&base(&k, k.price, None, 1, 0).unwrap(), "one-time").list_amount);
    assert_eq!(total, dec!(420280.00));
}

#[test]
fn blocks_round_up_and_addons_bill_only_added_blocks() {
    let s = sku("ssc-employees");
    let b = base(&s, s.price, None, 6500, 0).unwrap();
    assert_eq!(b.billable, dec!(7));
    let add = base(&s, s.price, None, 500, 6000).unwrap();
    assert_eq!(add.billable, dec!(1));
    let none = base(&s, s.price, None, 400, 6500).unwrap();
    assert_eq!(none.billable, dec!(0));
    // 6,000 → 7,001 adds two blocks.
    assert_eq!(
        base(&s, s.price, None, 1001, 6000).unwrap().billable,
        dec!(2)
    );
}

#[test]
fn addon_of_exactly_ten_months_equals_a_year_and_eleven_is_capped() {
    let s = sku("qcs-online");
    let b = base(&s, Some(dec!(999)), None, 1, 3).unwrap();
    let ten = tencent_addon(
        &b,
        d("2024-03-01"),
        d("2025-01-01"),
        MonthRounding::Ceil,
        "addon",
    );
    assert_eq!((ten.full_years, ten.months), (0, 10));
    assert_eq!(ten.list_amount, dec!(999.0));
    assert!(!ten.rule.contains("capped"));
    let eleven = tencent_addon(
        &b,
        d("2024-02-01"),
        d("2025-01-01"),
        MonthRounding::Ceil,
        "addon",
    );
    assert_eq!(eleven.months, 11);
    assert_eq!(eleven.list_amount, dec!(999));
    assert!(
        eleven.rule.contains("capped at one year"),
        "{}",
        eleven.rule
    );
}

#[test]
fn addon_from_leap_day() {
    let s = sku("qcs-online");
    let b = base(&s, Some(dec!(999)), None, 2, 3).unwrap();
    // 2024-02-29 → 2025-03-01: one full year (to 2025-02-28) plus a started month.
    let p = tencent_addon(
        &b,
        d("2024-02-29"),
        d("2025-03-01"),
        MonthRounding::Ceil,
        "addon",
    );
    assert_eq!((p.full_years, p.months), (1, 1));
    assert_eq!(p.list_amount, dec!(1998) + dec!(199.8));
}

#[test]
fn wecom_volume_tiers() {
    let s = sku("qdm-wecom");
    for (n, price) in [
        (1u64, dec!(50)),
        (5, dec!(50)),
        (6, dec!(40)),
        (200, dec!(40)),
        (201, dec!(30)),
        (1000, dec!(20)),
        (1001, dec!(10)),
        (10000, dec!(10)),
    ] {
        assert_eq!(
            base(&s, None, None, n, 0).unwrap().unit_price,
            price,
            "{n} accounts"
        );
    }
    assert_eq!(
        base(&s, None, None, 10001, 0),
        Err(BaseError::OverMax { max: 10000 })
    );
}

#[test]
fn wecom_graduated_when_the_catalog_says_so() {
    let mut s = sku("qdm-wecom");
    s.tier_mode = Some(TierMode::Graduated);
    let b = base(&s, None, None, 6, 0).unwrap();
    assert_eq!((b.unit_price, b.billable), (dec!(290), dec!(1)));
    assert_eq!(b.how, "graduated 5 × 50 + 1 × 40 = 290");
}

#[test]
fn contract_price_and_missing_price() {
    let s = sku("qcs-coldstart");
    assert_eq!(base(&s, None, None, 1, 0), Err(BaseError::NoPrice));
    let b = base(&s, None, Some(dec!(45000)), 1, 0).unwrap();
    assert_eq!(once(&b, "one-time").list_amount, dec!(45000));
}

#[test]
fn quick_audience_months_and_days() {
    let s = sku("qa");
    let b = base(&s, None, Some(dec!(1000)), 2, 0).unwrap();
    assert_eq!(months(&b, 6, "new").list_amount, dec!(12000));
    let p = days(&b, 73, "addon");
    assert_eq!(p.list_amount, dec!(4800));
    assert_eq!(p.calc, Calc::Days { days: 73 });
}
