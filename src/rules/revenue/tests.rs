use super::*;
use rust_decimal_macros::dec;

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

#[test]
fn straight_line_by_day_across_a_leap_february() {
    // 366 days of 2024; February has 29 days.
    let m = Method::StraightLine {
        start: d("2024-01-01"),
        end: d("2025-01-01"),
        ordered: d("2023-12-20"),
    };
    let a = dec!(36600);
    assert_eq!(recognized(m, a, d("2024-01-01"), 0), dec!(0));
    assert_eq!(recognized(m, a, d("2024-02-01"), 0), dec!(3100));
    assert_eq!(recognized(m, a, d("2024-03-01"), 0), dec!(6000));
    assert_eq!(recognized(m, a, d("2026-01-01"), 0), a);
    let (b, i, def) = split(
        recognized(m, a, d("2024-02-01"), 0),
        recognized(m, a, d("2024-03-01"), 0),
        a,
    );
    assert_eq!((b, i, def), (dec!(3100), dec!(2900), dec!(30600)));
}

#[test]
fn service_before_the_order_is_caught_up_on_the_order_date_never_earlier() {
    // A renewal paid in grace: the old expiry 2024-01-12 starts the year, the order is
    // 2024-02-05. Nothing is recognized before the order; February catches January up.
    let m = Method::StraightLine {
        start: d("2024-01-12"),
        end: d("2025-01-12"),
        ordered: d("2024-02-05"),
    };
    let a = dec!(36600); // 366 days: 100 a day.
    assert_eq!(
        recognized(m, a, d("2024-02-01"), 0),
        dec!(0),
        "January: before the order"
    );
    assert_eq!(
        recognized(m, a, d("2024-02-05"), 0),
        dec!(0),
        "not before the order date"
    );
    // Strictly after the order date: 2024-01-12 → 2024-02-06 is 25 days, the catch-up.
    assert_eq!(recognized(m, a, d("2024-02-06"), 0), dec!(2500));
    let (before, in_feb, deferred) = split(
        recognized(m, a, d("2024-02-01"), 0),
        recognized(m, a, d("2024-03-01"), 0),
        a,
    );
    // 2024-01-12 → 2024-03-01 is 49 days, all of it in February.
    assert_eq!(
        (before, in_feb, deferred),
        (dec!(0), dec!(4900), dec!(31700))
    );
    assert!(
        m.describe()
            .ends_with("the service before the order date 2024-02-05 recognized on it")
    );
}

#[test]
fn one_time_in_its_month() {
    let m = Method::OneTime {
        date: d("2024-02-29"),
    };
    assert_eq!(recognized(m, dec!(100), d("2024-02-29"), 0), dec!(0));
    assert_eq!(recognized(m, dec!(100), d("2024-03-01"), 0), dec!(100));
}

#[test]
fn packs_as_used_and_the_rest_on_expiry() {
    let m = Method::Packs {
        capacity: 3_000_000,
        expires: Some(d("2025-04-01")),
    };
    let a = dec!(90000);
    assert_eq!(recognized(m, a, d("2024-05-01"), 1_500_000), dec!(45000));
    assert_eq!(
        recognized(m, a, d("2025-04-01"), 1_500_000),
        dec!(45000),
        "expiry day itself"
    );
    assert_eq!(
        recognized(m, a, d("2025-04-02"), 1_500_000),
        a,
        "forfeited after expiry"
    );
}

#[test]
fn a_refund_leaves_the_kept_part_recognized_and_nothing_deferred() {
    let a = dec!(90000);
    let refund = Some((d("2024-04-20"), dec!(45000)));
    assert_eq!(after_refund(dec!(10), a, refund, d("2024-04-20")), dec!(10));
    assert_eq!(
        after_refund(dec!(10), a, refund, d("2024-05-01")),
        dec!(45000)
    );
    let (b, i, def) = split(dec!(10), dec!(45000), a - dec!(45000));
    assert_eq!(def, dec!(0));
    assert_eq!(b + i + def, dec!(45000));
}
