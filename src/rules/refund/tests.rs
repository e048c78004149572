use super::*;
use rust_decimal_macros::dec;

const W: Windows = Windows {
    any_reason_days: 7,
    defect_days: 30,
};

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
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
