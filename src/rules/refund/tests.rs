use super::*;
use crate::catalog::Catalog;
use OrderType::*;
use rust_decimal_macros::dec;

const W: Windows = Windows {
    any_reason_days: 7,
    defect_days: 30,
};

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

/// The policy of a built-in SKU's line of type `kind`.
fn builtin(code: &str, kind: OrderType) -> Result<Refundable, String> {
    policy(code, Catalog::builtin().sku_by_code(code).unwrap(), kind)
}

const TENCENT: &str = "add-ons and renewals of Tencent products are not refundable";

#[test]
fn the_policy_of_each_spec_row() {
    for code in ["cdp", "qcs-online", "qcs-phone"] {
        assert_eq!(builtin(code, New), Ok(Refundable::Window), "{code}");
    }
    assert_eq!(builtin("qdm-pv", New), Ok(Refundable::PvPack));
    assert_eq!(builtin("qa", Upgrade), Ok(Refundable::ProRata));
    for code in ["qcs-robot", "qcs-sessions", "ssc-employees", "qdm-wecom"] {
        assert_eq!(builtin(code, New), Err(format!("{code} is not refundable")));
    }
}

#[test]
fn add_ons_and_renewals_of_every_tencent_sku_are_not_refundable() {
    let c = Catalog::builtin();
    for (code, sku) in c
        .file
        .skus
        .iter()
        .filter(|(_, s)| s.vendor == Vendor::Tencent)
    {
        for kind in [Addon, Renewal] {
            let why = policy(code, sku, kind).unwrap_err();
            assert!(
                why == TENCENT || why.ends_with("is not refundable"),
                "{code}: {why}"
            );
        }
    }
    assert_eq!(builtin("cdp", Renewal), Err(TENCENT.to_string()));
    assert_eq!(builtin("qdm-pv", Addon), Err(TENCENT.to_string()));
    // A booster line counts as an add-on even on a new order.
    assert_eq!(builtin("cdp-booster", New), Err(TENCENT.to_string()));
}

#[test]
fn quick_audience_refunds_every_type_by_default() {
    for kind in [New, Addon, Upgrade, Renewal] {
        assert_eq!(builtin("qa-sms", kind), Ok(Refundable::ProRata));
    }
}

#[test]
fn a_user_catalogs_types_give_their_own_words() {
    let c = Catalog::builtin();
    let with = |code: &str, types: Vec<OrderType>| {
        let mut s = c.sku_by_code(code).unwrap().clone();
        s.refund_types = Some(types);
        s
    };
    let qa = with("qa", vec![New, Renewal]);
    assert_eq!(
        policy("qa", &qa, Upgrade),
        Err("add-ons and upgrades of Alibaba Cloud products are not refundable".into())
    );
    assert_eq!(policy("qa", &qa, Renewal), Ok(Refundable::ProRata));
    let online = with("qcs-online", vec![New, Addon]);
    assert_eq!(
        policy("qcs-online", &online, Renewal),
        Err("renewals of Tencent products are not refundable".into())
    );
    let addons = with("qcs-online", vec![Addon]);
    assert_eq!(
        policy("qcs-online", &addons, New),
        Err("new purchases and renewals of Tencent products are not refundable".into())
    );
    // Without types, every order type is refundable; `none` stays `none`.
    let mut open = with("cdp", vec![]);
    open.refund_types = None;
    assert_eq!(policy("cdp", &open, Renewal), Ok(Refundable::Window));
    open.refund = RefundPolicy::None;
    assert_eq!(
        policy("cdp", &open, New),
        Err("cdp is not refundable".into())
    );
}

#[test]
fn seven_days_for_any_reason_inclusive() {
    assert!(window(0, RefundReason::NoReason, W).approved);
    assert!(window(7, RefundReason::NoReason, W).approved);
    assert!(window(7, RefundReason::Other, W).approved);
    let day8 = window(8, RefundReason::NoReason, W);
    assert!(!day8.approved);
    assert!(day8.rule.contains("day 8"), "{}", day8.rule);
    assert!(!window(8, RefundReason::Other, W).approved);
}

#[test]
fn thirty_days_for_a_defect_inclusive() {
    assert!(window(8, RefundReason::Defect, W).approved);
    assert!(window(30, RefundReason::Defect, W).approved);
    let day31 = window(31, RefundReason::Defect, W);
    assert!(!day31.approved);
    assert!(day31.rule.contains("30-day"), "{}", day31.rule);
}

#[test]
fn before_activation_is_rejected() {
    assert!(!window(-1, RefundReason::Defect, W).approved);
}

#[test]
fn vouchers_are_kept_and_cash_never_negative() {
    assert_eq!(cash(dec!(4995), dec!(500)), (dec!(4495), dec!(500)));
    assert_eq!(cash(dec!(100), dec!(300)), (dec!(0), dec!(100)));
    assert_eq!(cash(dec!(100), dec!(0)), (dec!(100), dec!(0)));
}

#[test]
fn pro_rata_by_unused_days() {
    // 12,000 paid, 1,000 voucher, 200 of 366 days unused (a leap year).
    let (amount, kept, rule) = pro_rata(dec!(12000), dec!(1000), 200, 366, "days");
    assert_eq!(kept, dec!(1000));
    assert_eq!(amount, dec!(6010.93)); // 11,000 × 200 / 366 = 6,010.928…
    assert!(rule.contains("200 / 366"), "{rule}");
    assert_eq!(pro_rata(dec!(100), dec!(0), 500, 366, "days").0, dec!(100));
}

#[test]
fn pv_pack_one_calendar_month_including_month_ends() {
    assert!(within_months(d("2025-01-31"), d("2025-02-28"), 1).is_some());
    assert!(within_months(d("2025-01-31"), d("2025-03-01"), 1).is_none());
    assert!(within_months(d("2024-01-31"), d("2024-02-29"), 1).is_some());
    assert!(within_months(d("2025-03-15"), d("2025-04-15"), 1).is_some());
    assert!(within_months(d("2025-03-15"), d("2025-04-16"), 1).is_none());
}

#[test]
fn guide_pv_refund_is_45000() {
    let unit = dec!(0.03);
    let packs = [
        (dec!(30000), 1_000_000u64),
        (dec!(30000), 500_000),
        (dec!(30000), 0),
    ];
    let refunds: Vec<Decimal> = packs
        .iter()
        .map(|(paid, used)| pack_refund(*paid, *used, unit).1)
        .collect();
    assert_eq!(refunds, vec![dec!(0), dec!(15000), dec!(30000)]);
    assert_eq!(refunds.iter().sum::<Decimal>(), dec!(45000.00));
    // Used beyond the pack's value floors at zero.
    assert_eq!(pack_refund(dec!(30000), 2_000_000, unit).1, dec!(0));
}

#[test]
fn paid_splits_to_the_cent() {
    assert_eq!(split_paid(dec!(90000), 3), vec![dec!(30000); 3]);
    let v = split_paid(dec!(100), 3);
    assert_eq!(v, vec![dec!(33.33), dec!(33.33), dec!(33.34)]);
    assert_eq!(v.iter().sum::<Decimal>(), dec!(100));
    assert!(split_paid(dec!(1), 0).is_empty());
}
