//! The pack ledger and the refund rules through the whole replay (SPEC 3 and 4).

use super::*;
use crate::model::{Metric, RefundReason};
use crate::report::{Decision, PackStatus, RefundCalc, RefundRow};

impl B {
    pub(super) fn usage(mut self, date: &str, metric: Metric, qty: u64, order: Option<&str>) -> B {
        let n = self.0.len() + self.1.len();
        self.1.push(UsageRow {
            src: SourceRef {
                file: Arc::from("usage.csv"),
                row: self.1.len() as u32 + 2,
            },
            position: 10_000 + n,
            account_id: "A1".into(),
            date: d(date),
            metric,
            quantity: qty,
            order_id: order.map(str::to_string),
        });
        self
    }

    fn refund(mut self, order: &str, date: &str, of: &str, reason: RefundReason) -> B {
        let n = self.0.len();
        let src = SourceRef {
            file: Arc::from("orders.csv"),
            row: n as u32 + 2,
        };
        let mut row = OrderRow::new(src, n, order, "A1", d(date), Refund);
        row.ref_order_id = Some(of.into());
        row.reason = Some(reason);
        self.0.push(row);
        self
    }

    fn pv(self, order: &str, date: &str, packs: u64, bonus: u64) -> B {
        self.row(order, date, New, "qdm-pv", "1m", packs, "")
            .with(|r| {
                r.bonus_quantity = (bonus > 0).then_some(bonus);
                r.billed_amount = Some(Decimal::from(packs * 30_000));
            })
    }
}

fn refund<'a>(r: &'a Report, refund_order: &str) -> &'a RefundRow {
    r.refunds
        .iter()
        .find(|x| x.refund_order_id == refund_order)
        .unwrap_or_else(|| panic!("no refund {refund_order}: {:#?}", r.exceptions))
}

fn approved(r: &Report, refund_order: &str) -> bool {
    refund(r, refund_order).decision == Decision::Approved
}

use RefundReason::*;

#[test]
fn guide_pv_refund_is_45000() {
    let r = B::new()
        .pv("P1", "2025-03-01", 3, 10_000)
        .usage("2025-03-10", Metric::Pv, 1_500_000, None)
        .refund("R1", "2025-03-20", "P1", NoReason)
        .run_as_of("2025-03-31");
    let x = refund(&r, "R1");
    assert_eq!(x.decision, Decision::Approved, "{}", x.rule);
    assert_eq!(x.refund_amount, dec!(45000.00));
    assert_eq!(x.used_quantity, Some(1_500_000));
    assert_eq!(x.used_value, Some(dec!(45000)));
    let packs: Vec<(u32, u64, Decimal)> =
        x.packs.iter().map(|p| (p.pack, p.used, p.refund)).collect();
    assert_eq!(
        packs,
        vec![
            (1, 1_000_000, dec!(0)),
            (2, 500_000, dec!(15000)),
            (3, 0, dec!(30000))
        ]
    );
    assert_eq!(x.calc, RefundCalc::Packs);
    assert!(r.packs.iter().all(|p| p.status == PackStatus::Refunded));
    assert_eq!(r.total_refunded, dec!(45000));
    assert_eq!(r.facts.refunds, 1);
    assert_eq!(r.facts.usage_rows, 1);
}

#[test]
fn another_orders_bonus_still_counts_when_one_order_is_refunded() {
    let r = B::new()
        .pv("P0", "2025-02-01", 1, 20_000)
        .pv("P1", "2025-03-01", 3, 10_000)
        .usage("2025-03-10", Metric::Pv, 1_500_000, None)
        .refund("R1", "2025-03-20", "P1", NoReason)
        .run_as_of("2025-03-31");
    // Without P1's bonus: P0's bonus 20,000, P0's pack 1,000,000, then P1 pack 1 480,000.
    let x = refund(&r, "R1");
    assert_eq!(x.used_quantity, Some(480_000));
    assert_eq!(x.refund_amount, dec!(75600.00)); // 15,600 + 30,000 + 30,000
    let p0 = r.packs.iter().find(|p| p.order_id == "P0").unwrap();
    assert_eq!(
        (p0.bonus, p0.used, p0.status),
        (20_000, 1_020_000, PackStatus::Exhausted)
    );
}

#[test]
fn refunded_packs_are_closed_to_later_usage() {
    let r = B::new()
        .pv("P0", "2025-01-05", 1, 0)
        .pv("P1", "2025-03-01", 1, 0)
        .refund("R1", "2025-03-02", "P1", Defect)
        .usage("2025-03-05", Metric::Pv, 1_200_000, None)
        .run_as_of("2025-03-31");
    assert!(approved(&r, "R1"));
    let u = &r.usage[0];
    assert_eq!(
        (u.used, u.from_packs, u.overdrawn),
        (1_200_000, 1_000_000, 200_000)
    );
    let p1 = r.packs.iter().find(|p| p.order_id == "P1").unwrap();
    assert_eq!((p1.used, p1.status), (0, PackStatus::Refunded));
    let p0 = r.packs.iter().find(|p| p.order_id == "P0").unwrap();
    assert_eq!(
        p0.overdrawn, 200_000,
        "the overdraft lands on the last valid pack"
    );
}

#[test]
fn pv_refund_window_is_one_calendar_month_to_the_month_end() {
    let r = B::new()
        .pv("P1", "2025-01-31", 1, 0)
        .refund("R1", "2025-02-28", "P1", NoReason)
        .pv("P2", "2025-01-31", 1, 0)
        .refund("R2", "2025-03-01", "P2", NoReason)
        .run_as_of("2025-03-31");
    assert!(approved(&r, "R1"));
    assert!(!approved(&r, "R2"), "{}", refund(&r, "R2").rule);
    assert_eq!(refund(&r, "R2").refund_amount, dec!(0));
}

#[test]
fn an_outstanding_invoice_holds_the_pack_refund() {
    let r = B::new()
        .pv("P1", "2025-03-01", 1, 0)
        .refund("R1", "2025-03-02", "P1", NoReason)
        .with(|row| row.invoiced = Some(true))
        .run_as_of("2025-03-31");
    let x = refund(&r, "R1");
    assert_eq!(x.decision, Decision::Rejected);
    assert!(x.rule.contains("invoice"), "{}", x.rule);
    assert_eq!(r.packs[0].status, PackStatus::Active);
}

#[test]
fn window_edges_day_7_and_8_day_30_and_31() {
    let buy = |b: B, o: &str| b.row(o, "2025-01-01", New, "qcs-online", "basic", 5, "1y");
    let mut b = B::new();
    for o in ["O7", "O8", "D30", "D31"] {
        b = buy(b, o);
    }
    let r = b
        .refund("R7", "2025-01-08", "O7", NoReason)
        .refund("R8", "2025-01-09", "O8", Other)
        .refund("R30", "2025-01-31", "D30", Defect)
        .refund("R31", "2025-02-01", "D31", Defect)
        .run();
    assert!(approved(&r, "R7"));
    assert_eq!(refund(&r, "R7").days_since_start, Some(7));
    assert!(!approved(&r, "R8"));
    assert!(approved(&r, "R30"));
    assert!(!approved(&r, "R31"));
    assert_eq!(refund(&r, "R30").refund_amount, dec!(4995.00));
}

#[test]
fn vouchers_are_kept_and_the_subscription_is_refunded() {
    let r = B::new()
        .row("O1", "2025-01-01", New, "qcs-online", "basic", 5, "1y")
        .with(|row| {
            row.billed_amount = Some(dec!(4995));
            row.voucher = Some(dec!(500));
            row.start_date = Some(d("2025-01-03"));
        })
        .refund("R1", "2025-01-10", "O1", NoReason)
        .row("O2", "2025-01-11", Addon, "qcs-online", "basic", 1, "")
        .run();
    let x = refund(&r, "R1");
    assert_eq!(x.days_since_start, Some(7), "counted from activation");
    assert_eq!((x.refund_amount, x.voucher_kept), (dec!(4495), dec!(500)));
    assert_eq!(x.calc, RefundCalc::Full);
    assert_eq!(r.subscriptions[0].status, SubStatus::Refunded);
    assert_eq!(code(&r, "O2"), ExceptionCode::NoSubscription);
}

#[test]
fn every_non_refundable_case_is_rejected_with_its_reason() {
    let r = B::new()
        .row("O1", "2025-01-01", New, "qcs-online", "basic", 5, "1y")
        .row("O2", "2025-01-02", Addon, "qcs-online", "basic", 1, "")
        .row("O3", "2025-01-02", New, "qcs-robot", "standard", 1, "")
        .row("O4", "2025-01-02", New, "qdm-wecom", "", 10, "1y")
        .row("O5", "2025-01-02", New, "qcs-sessions", "120k", 1, "")
        .row("O6", "2025-01-02", New, "qcs-knowledge", "", 1, "")
        .row("S1", "2025-01-02", New, "ssc-employees", "", 1000, "1y")
        .row("S1", "2025-01-02", New, "ssc-experts", "", 3, "1y")
        .row("S1", "2025-01-02", New, "ssc-tickets", "", 3, "1y")
        .row("S1", "2025-01-02", New, "ssc-robot", "", 1, "1y")
        .row("O7", "2025-01-03", Renewal, "qcs-online", "basic", 0, "1y")
        .refund("R2", "2025-01-03", "O2", NoReason)
        .refund("R3", "2025-01-03", "O3", NoReason)
        .refund("R4", "2025-01-03", "O4", NoReason)
        .refund("R5", "2025-01-03", "O5", NoReason)
        .refund("R6", "2025-01-03", "O6", NoReason)
        .refund("RS", "2025-01-03", "S1", NoReason)
        .refund("R7", "2025-01-04", "O7", NoReason)
        .run();
    for (id, words) in [
        ("R2", "add-ons and renewals"),
        ("R3", "qcs-robot is not refundable"),
        ("R4", "qdm-wecom is not refundable"),
        ("R5", "qcs-sessions is not refundable"),
        ("R6", "qcs-knowledge is not refundable"),
        ("R7", "add-ons and renewals"),
    ] {
        let x = refund(&r, id);
        assert_eq!(x.decision, Decision::Rejected, "{id}");
        assert!(x.rule.contains(words), "{id}: {}", x.rule);
    }
    let ssc: Vec<&RefundRow> = r
        .refunds
        .iter()
        .filter(|x| x.refund_order_id == "RS")
        .collect();
    assert_eq!(ssc.len(), 4, "one decision per line of the order");
    assert!(ssc.iter().all(|x| x.decision == Decision::Rejected));
    assert_eq!(r.facts.refunds, 7);
    assert_eq!(r.total_refunded, dec!(0));
}

#[test]
fn unknown_orders_and_second_refunds_are_rejected() {
    let r = B::new()
        .row("O1", "2025-01-01", New, "qcs-online", "basic", 5, "1y")
        .refund("R1", "2025-01-02", "O1", NoReason)
        .refund("R2", "2025-01-03", "O1", NoReason)
        .refund("R3", "2025-01-03", "NOPE", NoReason)
        .run();
    assert!(approved(&r, "R1"));
    assert!(refund(&r, "R2").rule.contains("already refunded by R1"));
    assert!(refund(&r, "R3").rule.contains("no order NOPE"));
}

#[test]
fn a_refund_row_without_a_reason_is_an_exception() {
    let r = B::new()
        .row("O1", "2025-01-01", New, "qcs-online", "basic", 5, "1y")
        .refund("R1", "2025-01-02", "O1", NoReason)
        .with(|row| row.reason = None)
        .run();
    assert_eq!(code(&r, "R1"), ExceptionCode::MissingValue);
    assert!(r.refunds.is_empty());
}

#[test]
fn ssc_robot_bonus_sessions_are_drawn_before_packs() {
    let r = B::new()
        .row("S1", "2025-01-02", New, "ssc-employees", "", 1000, "1y")
        .row("S1", "2025-01-02", New, "ssc-experts", "", 3, "1y")
        .row("S1", "2025-01-02", New, "ssc-tickets", "", 3, "1y")
        .row("S1", "2025-01-02", New, "ssc-robot", "", 1, "1y")
        .row("S2", "2025-01-03", New, "ssc-sessions", "120k", 1, "")
        .usage("2025-01-05", Metric::Sessions, 60_000, None)
        .run();
    let bonus = r.packs.iter().find(|p| p.product == "ssc-robot").unwrap();
    assert_eq!((bonus.size, bonus.bonus, bonus.used), (0, 50_000, 50_000));
    assert_eq!(bonus.status, PackStatus::Exhausted);
    let pack = r
        .packs
        .iter()
        .find(|p| p.product == "ssc-sessions")
        .unwrap();
    assert_eq!((pack.used, pack.remaining), (10_000, 110_000));
}

#[test]
fn low_means_strictly_below_the_threshold() {
    let r = B::new()
        .pv("P1", "2025-01-01", 1, 0)
        .usage("2025-01-05", Metric::Pv, 900_000, None)
        .pv("P2", "2025-01-02", 1, 0)
        .usage("2025-01-05", Metric::Pv, 900_001, Some("P2"))
        .run();
    let st = |o: &str| r.packs.iter().find(|p| p.order_id == o).unwrap().status;
    assert_eq!(st("P1"), PackStatus::Active, "exactly 10% left is not LOW");
    assert_eq!(st("P2"), PackStatus::Low);
}

#[test]
fn pv_packs_expire_after_a_year_and_the_rest_is_overdrawn() {
    let r = B::new()
        .pv("P1", "2024-01-01", 1, 0)
        .usage("2024-12-31", Metric::Pv, 10, None)
        .usage("2025-01-01", Metric::Pv, 20, None)
        .run();
    let p = &r.packs[0];
    assert_eq!((p.used, p.status), (10, PackStatus::Expired));
    assert_eq!(r.usage[0].overdrawn, 20);
    assert!(
        r.usage[0].note.contains("page views"),
        "{}",
        r.usage[0].note
    );
}

#[test]
fn a_usage_row_naming_an_order_draws_on_it_first() {
    let r = B::new()
        .pv("P1", "2025-01-01", 1, 0)
        .pv("P2", "2025-01-02", 1, 0)
        .usage("2025-01-05", Metric::Pv, 100, Some("P2"))
        .run();
    let used = |o: &str| r.packs.iter().find(|p| p.order_id == o).unwrap().used;
    assert_eq!((used("P1"), used("P2")), (0, 100));
}

#[test]
fn sms_overage_is_billed_at_the_catalog_rate_or_flagged() {
    let usage = |b: B| {
        b.row("Q0", "2025-01-01", New, "qa", "basic", 1, "6m")
            .with(|r| r.unit_price = Some(dec!(1000)))
            .row("Q1", "2025-01-01", New, "qa-sms", "5k", 1, "")
            .with(|r| r.unit_price = Some(dec!(200)))
            .usage("2025-01-05", Metric::Sms, 6_000, None)
    };
    let r = usage(B::new()).run();
    let u = &r.usage[0];
    assert_eq!((u.overdrawn, u.overage_amount), (1_000, None));
    assert!(u.note.starts_with("NO_PRICE"), "{}", u.note);
    assert!(u.unpriced, "flagged for the summaries and --fail-on");

    let cat = Catalog::from_texts(Some((
        "sms.toml",
        "[skus.qa-sms]\noverage_price = \"0.045\"\n",
    )))
    .unwrap();
    let ctx = test_ctx(&cat, "2025-01-15", None);
    let b = usage(B::new());
    let r = run(&ctx, b.0, b.1, Vec::new(), RunFacts::default());
    assert_eq!(r.usage[0].overage_amount, Some(dec!(45.00)));
    assert!(!r.usage[0].unpriced);
    assert_eq!(r.total_overage, dec!(45.00));
}

#[test]
fn refunds_outside_the_period_build_state_but_are_not_reported() {
    let cat = Catalog::builtin();
    let ctx = test_ctx(&cat, "2025-02-15", Some("2025-02"));
    let b = B::new()
        .row("O1", "2025-01-01", New, "qcs-online", "basic", 5, "1y")
        .refund("R1", "2025-01-02", "O1", NoReason)
        .row("O2", "2025-02-02", Addon, "qcs-online", "basic", 1, "");
    let r = run(&ctx, b.0, b.1, Vec::new(), RunFacts::default());
    assert!(r.refunds.is_empty());
    assert_eq!(r.facts.rows_outside_period, 2);
    assert_eq!(code(&r, "O2"), ExceptionCode::NoSubscription);
}
