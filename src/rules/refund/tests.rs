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
    policy(
        code,
        Catalog::builtin().sku_by_code(code).unwrap(),
        kind,
        false,
    )
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
            let why = policy(code, sku, kind, false).unwrap_err();
            assert!(
                why == TENCENT || why.ends_with("is not refundable"),
                "{code}: {why}"
            );
        }
    }
    assert_eq!(builtin("cdp", Renewal), Err(TENCENT.to_string()));
    assert_eq!(builtin("qdm-pv", Addon), Err(TENCENT.to_string()));
    // A booster line counts as an add-on even on a new order, unless that order also bought
    // the cdp it joins: then it is part of the new purchase.
    assert_eq!(builtin("cdp-booster", New), Err(TENCENT.to_string()));
    let booster = c.sku_by_code("cdp-booster").unwrap();
    assert_eq!(
        policy("cdp-booster", booster, New, true),
        Ok(Refundable::Window)
    );
    assert_eq!(
        policy("cdp-booster", booster, Addon, true),
        Err(TENCENT.to_string())
    );
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
        policy("qa", &qa, Upgrade, false),
        Err("add-ons and upgrades of Alibaba Cloud products are not refundable".into())
    );
    assert_eq!(policy("qa", &qa, Renewal, false), Ok(Refundable::ProRata));
    let online = with("qcs-online", vec![New, Addon]);
    assert_eq!(
        policy("qcs-online", &online, Renewal, false),
        Err("renewals of Tencent products are not refundable".into())
    );
    let addons = with("qcs-online", vec![Addon]);
    assert_eq!(
        policy("qcs-online", &addons, New, false),
        Err("new purchases and renewals of Tencent products are not refundable".into())
    );
    // Without types, every order type is refundable; `none` stays `none`.
    let mut open = with("cdp", vec![]);
    open.refund_types = None;
    assert_eq!(policy("cdp", &open, Renewal, false), Ok(Refundable::Window));
    open.refund = RefundPolicy::None;
    assert_eq!(
        policy("cdp", &open, New, false),
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
fn a_window_refund_is_the_cash_paid_less_the_voucher() {
    let c = window_refund(3, RefundReason::NoReason, W, dec!(4995), dec!(500)).unwrap();
    assert_eq!((c.amount, c.voucher_kept), (dec!(4495), dec!(500)));
    assert_eq!(
        c.rule,
        "day 3 after activation, within the 7-day window for any reason: full refund: 4,995.00 paid − 500.00 voucher kept = 4,495.00"
    );
    let late = window_refund(8, RefundReason::Other, W, dec!(4995), dec!(0)).unwrap_err();
    assert_eq!(late, window(8, RefundReason::Other, W).rule);
}

#[test]
fn pro_rata_by_unused_days() {
    // 12,000 paid, 1,000 voucher, 200 of 366 days unused (a leap year).
    let c = pro_rata(dec!(12000), dec!(1000), 200, 366, "days").unwrap();
    assert_eq!(c.voucher_kept, dec!(1000));
    assert_eq!(c.amount, dec!(6010.93)); // 11,000 × 200 / 366 = 6,010.928…
    assert_eq!(
        c.rule,
        "pro-rata: (12,000.00 paid − 1,000.00 voucher) × 200 / 366 unused days = 6,010.93"
    );
    assert_eq!(
        pro_rata(dec!(100), dec!(0), 500, 366, "days").map(|c| c.amount),
        Ok(dec!(100))
    );
}

#[test]
fn pro_rata_with_nothing_unused_is_rejected() {
    let none = pro_rata(dec!(100), dec!(0), 0, 366, "days").unwrap_err();
    assert!(
        none.starts_with("nothing unused to refund (pro-rata:"),
        "{none}"
    );
    assert!(none.ends_with("= 0.00)"), "{none}");
    assert_eq!(
        pro_rata(dec!(100), dec!(0), 0, 0, "days"),
        Err("nothing unused to refund (nothing left to refund: the term has no days)".into())
    );
    // All of it paid by voucher: nothing in cash to refund.
    assert!(pro_rata(dec!(100), dec!(100), 10, 20, "days").is_err());
}

#[test]
fn unused_days_count_from_the_later_of_refund_and_start() {
    let (start, end) = (d("2025-01-01"), d("2025-04-01"));
    assert_eq!(unused_days(d("2025-03-01"), start, end), (31, 90));
    assert_eq!(unused_days(d("2024-12-01"), start, end), (90, 90));
    assert_eq!(unused_days(d("2025-05-01"), start, end), (0, 90));
}

#[test]
fn unused_quota_adds_up_the_line_packs() {
    let pack = |size: u64, used: u64| {
        let mut e = Entry::new(
            "Q",
            1,
            "qa-sms",
            "5k",
            crate::model::Metric::Sms,
            d("2025-01-01"),
            None,
        );
        e.size = size;
        e.used_pack = used;
        e
    };
    let packs = [pack(5000, 1000), pack(5000, 0)];
    assert_eq!(unused_quota(packs.iter()), (9000, 10000));
    assert_eq!(unused_quota([].iter()), (0, 0));
}
