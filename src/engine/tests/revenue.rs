//! Revenue recognition through the replay: `--period` gives every line ordered before its
//! end, split into before / in the period / deferred, reconciling to expected − refunded.

use super::*;
use crate::model::{Metric, RefundReason};

fn in_period(b: B, month: &str) -> Report {
    let cat = Catalog::builtin();
    let ctx = test_ctx(&cat, "2026-01-01", Some(month));
    run(&ctx, b.0, b.1, Vec::new(), RunFacts::default())
}

fn refund(b: B, order: &str, date: &str, of: &str) -> B {
    b.row(order, date, Refund, "", "", 0, "").with(|r| {
        r.product = None;
        r.ref_order_id = Some(of.into());
        r.reason = Some(RefundReason::NoReason);
    })
}

fn reconciles(r: &Report) {
    let rev = r.revenue.as_ref().expect("revenue with a period");
    for l in &rev.lines {
        assert_eq!(
            l.recognized_before + l.recognized_in_period + l.deferred_at_end,
            l.expected_amount - l.refunded,
            "{l:?}"
        );
    }
    let t = &rev.total;
    assert_eq!(
        t.recognized_before + t.recognized_in_period + t.deferred_at_end,
        t.expected_amount - t.refunded
    );
    let by_product: Decimal = rev.products.iter().map(|p| p.recognized_in_period).sum();
    assert_eq!(by_product, t.recognized_in_period);
}

#[test]
fn subscriptions_by_day_one_time_in_their_month_and_future_lines_left_out() {
    let r = in_period(
        B::new()
            .row("O1", "2025-01-01", New, "qcs-online", "basic", 5, "2y")
            .row("O2", "2025-07-15", New, "qcs-knowledge", "", 1, "")
            .row("O3", "2025-06-30", New, "qcs-knowledge", "", 1, "")
            .row("O4", "2025-08-01", New, "qcs-knowledge", "", 1, ""),
        "2025-07",
    );
    reconciles(&r);
    let rev = r.revenue.as_ref().unwrap();
    let row = |o: &str| rev.lines.iter().find(|l| l.order_id == o).unwrap();
    // 9,990 over 730 days: 181 days before July, 31 in it.
    assert_eq!(row("O1").recognized_before, dec!(2476.97));
    assert_eq!(row("O1").recognized_in_period, dec!(424.24)); // 2,901.21 − 2,476.97
    assert_eq!(row("O2").recognized_in_period, dec!(15000));
    assert_eq!(row("O3").recognized_before, dec!(15000));
    assert!(
        rev.lines.iter().all(|l| l.order_id != "O4"),
        "ordered after the period"
    );
    // Lines outside the period are not on the Lines sheet but are on the Revenue sheet.
    assert_eq!(r.lines.len(), 1);
    assert_eq!(rev.lines.len(), 3);
}

#[test]
fn packs_as_used_and_a_refund_reverses_the_rest() {
    let b = B::new()
        .row("P1", "2025-03-01", New, "qdm-pv", "1m", 3, "")
        .with(|r| r.bonus_quantity = Some(10_000))
        .row("P2", "2025-03-01", New, "qdm-pv", "1m", 1, "")
        .usage("2025-03-10", Metric::Pv, 1_500_000, Some("P1"))
        .usage("2025-04-10", Metric::Pv, 250_000, Some("P2"));
    let b = refund(b, "R1", "2025-03-20", "P1");
    let march = in_period(b, "2025-03");
    reconciles(&march);
    let rev = march.revenue.as_ref().unwrap();
    let p1 = rev.lines.iter().find(|l| l.order_id == "P1").unwrap();
    // Refunded 45,000 of 90,000 in March: the kept 45,000 is all recognized, none deferred.
    assert_eq!(
        (p1.refunded, p1.recognized_in_period, p1.deferred_at_end),
        (dec!(45000), dec!(45000), dec!(0))
    );
    let p2 = rev.lines.iter().find(|l| l.order_id == "P2").unwrap();
    assert_eq!(
        (p2.recognized_in_period, p2.deferred_at_end),
        (dec!(0), dec!(30000))
    );
}

#[test]
fn pack_usage_in_the_period_and_the_forfeit_on_expiry() {
    let mk = || {
        B::new()
            .row("P2", "2024-03-01", New, "qdm-pv", "1m", 1, "")
            .usage("2024-04-10", Metric::Pv, 250_000, None)
    };
    let april = in_period(mk(), "2024-04");
    reconciles(&april);
    let l = &april.revenue.as_ref().unwrap().lines[0];
    assert_eq!(
        (l.recognized_before, l.recognized_in_period),
        (dec!(0), dec!(7500))
    );
    // Valid to 2025-02-28; the unused 750,000 are recognized when it expires (March 2025).
    let march = in_period(mk(), "2025-03");
    let l = &march.revenue.as_ref().unwrap().lines[0];
    assert_eq!(
        (
            l.recognized_before,
            l.recognized_in_period,
            l.deferred_at_end
        ),
        (dec!(7500), dec!(22500), dec!(0))
    );
}

#[test]
fn a_refunded_subscription_reverses_what_it_had_recognized() {
    let b = B::new().row("O1", "2025-06-25", New, "qcs-online", "basic", 5, "1y");
    let b = refund(b, "R1", "2025-07-02", "O1");
    let r = in_period(b, "2025-07");
    reconciles(&r);
    let l = &r.revenue.as_ref().unwrap().lines[0];
    assert!(l.recognized_before > dec!(0));
    assert_eq!(l.recognized_in_period, -l.recognized_before);
    assert_eq!((l.refunded, l.deferred_at_end), (dec!(4995), dec!(0)));
}
