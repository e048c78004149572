//! Quick Audience through the whole replay (SPEC 1.5, 2.2–2.4, 3): regions, requirements,
//! terms, add-ons and upgrades by days, the 14-day grace, pro-rata refunds.

use super::*;
use crate::model::RefundReason;
use crate::report::Decision;

impl B {
    /// A Quick Audience line with a contract monthly price.
    fn qa(self, order: &str, date: &str, kind: OrderType, sku: &str, ed: &str, term: &str) -> B {
        self.row(order, date, kind, sku, ed, 1, term)
            .with(|r| r.unit_price = Some(dec!(1000)))
    }
    fn region(self, region: &str) -> B {
        self.with(|r| r.region = (!region.is_empty()).then(|| region.to_string()))
    }
}

#[test]
fn a_requirement_is_met_by_another_line_of_the_same_order() {
    // The marketing line comes first in the file; the qa line of the same order meets it.
    let r = B::new()
        .qa("O1", "2025-01-01", New, "qa-marketing", "", "6m")
        .qa("O1", "2025-01-01", New, "qa", "basic", "6m")
        .qa("O2", "2025-01-01", New, "qa-automation", "", "6m")
        .run();
    assert_eq!(r.exceptions.len(), 0, "{:#?}", r.exceptions);
    assert_eq!(line(&r, "O2").expected_amount, dec!(6000.00));
}

#[test]
fn an_expired_requirement_or_the_wrong_edition_does_not_count() {
    let r = B::new()
        .qa("O1", "2024-01-01", New, "qa", "standard-20", "1m")
        .qa("O2", "2024-02-01", New, "qa-social", "fans-1m", "1m")
        .qa("O3", "2024-01-31", New, "qa-social", "fans-1m", "1m")
        .qa("O4", "2024-01-15", New, "qa", "basic", "6m")
        .qa("O5", "2024-03-01", New, "qa-backflow", "rows-2m", "")
        .run_as_of("2024-03-31");
    // qa standard-20 covers [2024-01-01, 2024-02-01): the social line on its expiry is too late.
    assert_eq!(code(&r, "O2"), ExceptionCode::MissingRequirement);
    let msg = &r
        .exceptions
        .iter()
        .find(|e| e.order_id == "O2")
        .unwrap()
        .message;
    assert!(
        msg.contains("qa (standard-20, standard-50 or standard-100)"),
        "{msg}"
    );
    assert_eq!(
        line(&r, "O3").product,
        "qa-social",
        "the last covered day counts"
    );
    // A basic qa does not meet "qa standard".
    assert_eq!(code(&r, "O5"), ExceptionCode::MissingRequirement);
}

#[test]
fn regions_are_checked_for_the_sku_and_edition() {
    let r = B::new()
        .qa("O1", "2025-01-01", New, "qa", "standard-50", "1y")
        .qa("C1", "2025-01-02", New, "qa-collection", "", "6m")
        .region("cn-shenzhen")
        .qa("C2", "2025-01-02", New, "qa-collection", "", "6m")
        .region("cn-zhangjiakou")
        .qa("A1", "2025-01-02", New, "qa-adb", "elastic-dataphin", "6m")
        .region("cn-zhangjiakou")
        .qa("A2", "2025-01-02", New, "qa-adb", "elastic-dataphin", "6m")
        .region("cn-shenzhen")
        .qa("X1", "2025-01-02", New, "qa-marketing", "", "6m")
        .region("cn-beijing")
        .qa("X2", "2025-01-02", New, "qa-marketing", "", "6m")
        .region("")
        .run();
    assert_eq!(code(&r, "C1"), ExceptionCode::BadRegion);
    assert_eq!(line(&r, "C2").product, "qa-collection");
    assert_eq!(code(&r, "A1"), ExceptionCode::BadRegion);
    assert_eq!(line(&r, "A2").edition, "elastic-dataphin");
    assert_eq!(code(&r, "X1"), ExceptionCode::BadRegion);
    assert_eq!(code(&r, "X2"), ExceptionCode::MissingValue);
}

#[test]
fn dataphin_in_shanghai_needs_data_collection() {
    let r = B::new()
        .qa("O1", "2025-01-01", New, "qa", "standard-20", "1y")
        .qa("D1", "2025-01-02", New, "qa-dataphin", "", "6m")
        .qa("D2", "2025-01-02", New, "qa-dataphin", "", "6m")
        .region("cn-shenzhen")
        .qa("D3", "2025-01-02", New, "qa-dataphin", "", "6m")
        .region("cn-zhangjiakou")
        .qa("D4", "2025-01-03", New, "qa-collection", "", "6m")
        .qa("D4", "2025-01-03", New, "qa-dataphin", "", "6m")
        .run();
    let msg = &r
        .exceptions
        .iter()
        .find(|e| e.order_id == "D1")
        .unwrap()
        .message;
    assert!(
        msg.contains("qa-collection (required in cn-shanghai)"),
        "{msg}"
    );
    assert_eq!(line(&r, "D2").product, "qa-dataphin");
    assert_eq!(code(&r, "D3"), ExceptionCode::BadRegion);
    assert_eq!(r.lines.iter().filter(|l| l.order_id == "D4").count(), 2);
}

#[test]
fn the_social_standard_service_needs_a_year() {
    let r = B::new()
        .qa("O1", "2025-01-01", New, "qa", "standard-20", "1y")
        .qa("O1", "2025-01-01", New, "qa-social", "fans-1m", "1y")
        .qa("S1", "2025-01-02", New, "qa-social-service", "", "6m")
        .qa("S2", "2025-01-02", New, "qa-social-service", "", "12m")
        .run();
    assert_eq!(code(&r, "S1"), ExceptionCode::BadTerm);
    assert_eq!(line(&r, "S2").expected_amount, dec!(12000.00));
}

#[test]
fn addons_and_upgrades_are_priced_by_days_across_a_leap_year() {
    let r = B::new()
        .qa("O1", "2024-01-15", New, "qa", "basic", "12m")
        .qa("U1", "2024-02-15", Upgrade, "qa", "standard-20", "")
        .with(|r| r.unit_price = Some(dec!(3000)))
        .qa("A1", "2024-03-01", Addon, "qa-marketing", "", "")
        .with(|r| r.unit_price = Some(dec!(500)))
        .run_as_of("2024-03-31");
    // 2024-02-15 → 2025-01-15 is 335 days (29 in February): 2,000 × 12 / 365 × 335.
    let u = line(&r, "U1");
    assert_eq!(u.expected_amount, dec!(22027.40));
    assert_eq!(u.calc, crate::report::Calc::Days { days: 335 });
    // The marketing add-on co-terminates with qa: 2024-03-01 → 2025-01-15 is 320 days.
    let a = line(&r, "A1");
    assert_eq!(a.service_end, Some(d("2025-01-15")));
    assert_eq!(a.calc, crate::report::Calc::Days { days: 320 });
    assert_eq!(a.expected_amount, dec!(5260.27)); // 500 × 12 / 365 × 320 = 5,260.27…
}

#[test]
fn renewals_keep_fourteen_days_of_grace() {
    let r = B::new()
        .qa("O1", "2024-01-01", New, "qa", "basic", "1m")
        .qa("R1", "2024-02-15", Renewal, "qa", "", "1m")
        .qa("O2", "2024-01-01", New, "qa-marketing", "", "1m")
        .qa("R2", "2024-02-16", Renewal, "qa-marketing", "", "1m")
        .run_as_of("2024-03-31");
    // Expired 2024-02-01; day 14 after expiry renews from the old expiry, day 15 is too late.
    assert_eq!(line(&r, "R1").service_start, Some(d("2024-02-01")));
    assert_eq!(line(&r, "R1").service_end, Some(d("2024-03-01")));
    assert_eq!(code(&r, "R2"), ExceptionCode::Reclaimed);
}

#[test]
fn pro_rata_refunds_count_leap_days_and_keep_vouchers() {
    let r = B::new()
        .qa("O1", "2024-01-01", New, "qa", "basic", "12m")
        .with(|r| {
            r.billed_amount = Some(dec!(12000));
            r.voucher = Some(dec!(1200));
        })
        .row("R1", "2024-03-01", Refund, "", "", 0, "")
        .with(|r| {
            r.product = None;
            r.ref_order_id = Some("O1".into());
            r.reason = Some(RefundReason::Other);
        })
        .qa("A1", "2024-03-02", Addon, "qa", "basic", "")
        .qa("A2", "2024-03-02", Addon, "qa-marketing", "", "")
        .run_as_of("2024-03-31");
    let x = &r.refunds[0];
    assert_eq!(x.decision, Decision::Approved, "{}", x.rule);
    // (12,000 − 1,200) × 306 / 366 unused days.
    assert_eq!(
        (x.refund_amount, x.voucher_kept),
        (dec!(9029.51), dec!(1200))
    );
    assert_eq!(r.subscriptions[0].status, SubStatus::Refunded);
    assert_eq!(code(&r, "A1"), ExceptionCode::NoSubscription);
    assert_eq!(code(&r, "A2"), ExceptionCode::MissingRequirement);
}
