use super::*;
use crate::model::{Discount, ExceptionCode, OrderType, SourceRef, Term, UsageRow};
use crate::report::{Line, LineStatus, SubStatus};
use rust_decimal_macros::dec;
use std::sync::Arc;

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

struct B(Vec<OrderRow>, Vec<UsageRow>);

impl B {
    fn new() -> B {
        B(Vec::new(), Vec::new())
    }
    #[allow(clippy::too_many_arguments)]
    fn row(
        mut self,
        order: &str,
        date: &str,
        kind: OrderType,
        product: &str,
        edition: &str,
        qty: u64,
        term: &str,
    ) -> B {
        let n = self.0.len();
        let term = match term {
            "" => None,
            t if t.ends_with('y') => Some(Term::years(t.trim_end_matches('y').parse().unwrap())),
            t => Some(Term {
                months: t.trim_end_matches('m').parse().unwrap(),
            }),
        };
        let src = SourceRef {
            file: Arc::from("orders.csv"),
            row: n as u32 + 2,
        };
        let mut row = OrderRow::new(src, n, order, "A1", d(date), kind);
        row.product = Some(product.into());
        row.edition = (!edition.is_empty()).then(|| edition.into());
        row.quantity = (qty > 0).then_some(qty);
        row.term = term;
        // Quick Audience lines name a region; tests of regions override it.
        row.region = product.starts_with("qa").then(|| "cn-shanghai".into());
        self.0.push(row);
        self
    }
    fn with(mut self, f: impl FnOnce(&mut OrderRow)) -> B {
        f(self.0.last_mut().unwrap());
        self
    }
    fn run(self) -> Report {
        self.run_as_of("2025-01-15")
    }
    fn run_as_of(self, as_of: &str) -> Report {
        let cat = Catalog::builtin();
        let ctx = test_ctx(&cat, as_of, None);
        run(&ctx, self.0, self.1, Vec::new(), RunFacts::default())
    }
}

/// A run context for tests: the tolerance and alert threshold at their defaults, `period`
/// a month (`YYYY-MM`).
fn test_ctx<'a>(cat: &'a Catalog, as_of: &str, period: Option<&str>) -> Ctx<'a> {
    let period = period.map(|m| {
        let from = d(&format!("{m}-01"));
        (from, crate::calendar::add_months(from, 1).unwrap())
    });
    Ctx {
        catalog: cat,
        as_of: d(as_of),
        period,
        tolerance: dec!(0.01),
        alert_below: dec!(10),
        progress: None,
    }
}

use OrderType::*;

fn line<'a>(r: &'a Report, order: &str) -> &'a Line {
    r.lines
        .iter()
        .find(|l| l.order_id == order)
        .unwrap_or_else(|| panic!("no line {order}: {:#?}", r.exceptions))
}

fn code(r: &Report, order: &str) -> ExceptionCode {
    r.exceptions
        .iter()
        .find(|e| e.order_id == order)
        .unwrap_or_else(|| panic!("no exception {order}: {:#?}", r.lines))
        .code
}

#[test]
fn guide_examples_through_the_engine() {
    let r = B::new()
        .row("O1", "2024-01-01", New, "qcs-online", "basic", 5, "2y")
        .row("O2", "2024-07-01", Addon, "qcs-online", "basic", 3, "")
        .run();
    assert_eq!(line(&r, "O1").expected_amount, dec!(9990.00));
    let add = line(&r, "O2");
    assert_eq!(add.expected_amount, dec!(4795.20));
    assert_eq!((add.full_years, add.months), (1, 6));
    assert_eq!(add.service_end, Some(d("2026-01-01")));
    let sub = &r.subscriptions[0];
    assert_eq!((sub.quantity, sub.status), (8, SubStatus::Active));
}

#[test]
fn guide_ssc_purchase_and_expert_addon() {
    let r = B::new()
        .row("S1", "2024-01-01", New, "ssc-employees", "", 6000, "2y")
        .row("S1", "2024-01-01", New, "ssc-experts", "", 3, "2y")
        .row("S1", "2024-01-01", New, "ssc-tickets", "", 3, "2y")
        .row("S1", "2024-01-01", New, "ssc-robot", "", 1, "2y")
        .row("S1", "2024-01-01", New, "ssc-knowledge", "", 1, "")
        .row("S2", "2024-07-01", Addon, "ssc-experts", "", 2, "")
        .row("S3", "2024-07-01", Addon, "ssc-employees", "", 500, "")
        .run();
    assert!(r.exceptions.is_empty(), "{:#?}", r.exceptions);
    let s1: Decimal = r
        .lines
        .iter()
        .filter(|l| l.order_id == "S1")
        .map(|l| l.expected_amount)
        .sum();
    assert_eq!(s1, dec!(420280.00));
    assert_eq!(line(&r, "S2").expected_amount, dec!(9600.00));
    let emp = line(&r, "S3");
    assert_eq!(
        emp.billable_quantity,
        dec!(1),
        "6,000 → 6,500 adds one block"
    );
    assert_eq!(emp.expected_amount, dec!(10000) + dec!(6000));
}

#[test]
fn ssc_purchase_without_every_mandatory_item_is_an_exception() {
    let r = B::new()
        .row("S1", "2024-01-01", New, "ssc-employees", "", 6000, "1y")
        .row("S1", "2024-01-01", New, "ssc-experts", "", 3, "1y")
        .row("S1", "2024-01-01", New, "ssc-knowledge", "", 1, "")
        .run();
    let ex: Vec<_> = r
        .exceptions
        .iter()
        .map(|e| (e.code, e.value.as_str()))
        .collect();
    let mr = ExceptionCode::MissingRequirement;
    assert_eq!(
        ex,
        vec![
            (mr, "ssc-employees"),
            (mr, "ssc-experts"),
            (mr, "ssc-knowledge")
        ],
        "the whole purchase is refused"
    );
    assert!(
        r.exceptions[0].message.contains("ssc-tickets, ssc-robot"),
        "{}",
        r.exceptions[0].message
    );
    let r = B::new()
        .row("S1", "2024-01-01", New, "ssc-employees", "", 6000, "1y")
        .row("S1", "2024-01-01", New, "ssc-experts", "", 3, "1y")
        .row("S1", "2024-01-01", New, "ssc-tickets", "", 3, "1y")
        .row("S1", "2024-01-01", New, "ssc-robot", "", 1, "1y")
        .row("S2", "2024-03-01", New, "ssc-sessions", "120k", 1, "")
        .run();
    assert!(
        r.exceptions.is_empty(),
        "a later pack is not a new SSC purchase: {:#?}",
        r.exceptions
    );
}

#[test]
fn cdp_auto_explicit_and_addon_boosters() {
    let r = B::new()
        .row("C1", "2024-01-01", New, "cdp", "auto", 8_000_000, "1y")
        .row(
            "C2",
            "2024-01-01",
            New,
            "cdp",
            "professional",
            8_000_000,
            "1y",
        )
        .with(|r| r.account_id = "A2".into())
        .run();
    let c1 = line(&r, "C1");
    assert_eq!(
        (c1.edition.as_str(), c1.expected_amount),
        ("enterprise", dec!(800000.00))
    );
    let c2 = line(&r, "C2");
    assert_eq!(c2.expected_amount, dec!(900000.00));
    assert!(
        c2.rule
            .contains("cheapest cover would be enterprise 800,000/yr (100,000.00 less per year)"),
        "{}",
        c2.rule
    );

    let r = B::new()
        .row("C1", "2024-01-01", New, "cdp", "", 8_000_000, "2y")
        .row("C2", "2024-07-01", Addon, "cdp", "", 9_500_000, "")
        .row("C3", "2024-07-01", Addon, "cdp", "", 11_200_000, "")
        .row("C4", "2024-10-01", Addon, "cdp-booster", "", 1, "")
        .run();
    let c2 = line(&r, "C2");
    assert_eq!(c2.expected_amount, dec!(0.00));
    assert!(c2.rule.contains("no booster needed"), "{}", c2.rule);
    let c3 = line(&r, "C3");
    assert_eq!(c3.billable_quantity, dec!(2));
    assert_eq!(
        c3.expected_amount,
        dec!(200000) + dec!(120000),
        "2 boosters × (1y + 6 months)"
    );
    let c4 = line(&r, "C4");
    assert_eq!((c4.full_years, c4.months), (1, 3));
    let boosters = r
        .subscriptions
        .iter()
        .find(|s| s.product == "cdp-booster")
        .unwrap();
    assert_eq!(boosters.quantity, 3);
}

#[test]
fn robots_join_qcs_online_even_as_new_lines() {
    let r = B::new()
        .row("R0", "2023-12-31", New, "qcs-robot", "standard", 1, "1y")
        .row("Q1", "2024-01-01", New, "qcs-robot", "standard", 1, "")
        .row("Q1", "2024-01-01", New, "qcs-online", "basic", 3, "1y")
        .row("Q2", "2024-04-01", New, "qcs-robot", "standard", 2, "3y")
        .row("Q3", "2024-04-01", Addon, "qcs-robot", "pro", 1, "")
        .with(|r| r.unit_price = Some(dec!(20000)))
        .row("Q4", "2024-04-01", Addon, "qcs-robot", "enterprise", 1, "")
        .run();
    assert_eq!(code(&r, "R0"), ExceptionCode::NoSubscription);
    assert_eq!(
        line(&r, "Q1").expected_amount,
        dec!(5800.00),
        "bought with the seats: a full year"
    );
    let q2 = line(&r, "Q2");
    assert_eq!(
        (q2.full_years, q2.months, q2.expected_amount),
        (0, 9, dec!(10440.00)),
        "term ignored; 2 × 580 × 9"
    );
    assert_eq!(line(&r, "Q3").expected_amount, dec!(18000.00));
    assert_eq!(code(&r, "Q4"), ExceptionCode::NoPrice);
}

#[test]
fn minimum_and_pro_limit() {
    let r = B::new()
        .row("M1", "2024-01-01", New, "qcs-online", "basic", 2, "1y")
        .row("M2", "2024-01-01", New, "qcs-online", "pro", 3, "1y")
        .row("M3", "2024-02-01", New, "qcs-online", "pro", 3, "1y")
        .row("M4", "2024-02-01", New, "ssc-employees", "", 999, "1y")
        .row("M4", "2024-02-01", New, "ssc-experts", "", 3, "1y")
        .row("M4", "2024-02-01", New, "ssc-tickets", "", 3, "1y")
        .row("M4", "2024-02-01", New, "ssc-robot", "", 1, "1y")
        .row("M5", "2025-01-01", New, "qcs-online", "pro", 5, "1y")
        .run();
    assert_eq!(code(&r, "M1"), ExceptionCode::BelowMinimum);
    assert!(r.lines.iter().any(|l| l.order_id == "M2"));
    assert_eq!(code(&r, "M3"), ExceptionCode::LimitExceeded);
    assert_eq!(code(&r, "M4"), ExceptionCode::BelowMinimum);
    assert!(
        r.lines.iter().any(|l| l.order_id == "M5"),
        "the first pro expired on 2025-01-01"
    );
}

#[test]
fn renewal_counts_from_old_expiry_within_grace() {
    // Expires 2024-11-30; grace ends 2025-02-28 (clamped month end).
    let base = || B::new().row("N1", "2023-11-30", New, "qcs-phone", "standard", 3, "1y");
    let r = base()
        .row("R1", "2025-02-28", Renewal, "qcs-phone", "", 0, "1y")
        .run();
    let l = line(&r, "R1");
    assert_eq!(
        (l.service_start, l.service_end),
        (Some(d("2024-11-30")), Some(d("2025-11-30")))
    );
    assert_eq!(l.expected_amount, dec!(4500.00));
    assert!(l.rule.starts_with("renewal from 2024-11-30"), "{}", l.rule);
    let r = base()
        .row("R1", "2025-03-01", Renewal, "qcs-phone", "", 0, "1y")
        .run();
    assert_eq!(code(&r, "R1"), ExceptionCode::Reclaimed);
    let r = base()
        .row("R1", "2024-06-01", Renewal, "qcs-phone", "", 4, "2y")
        .run_as_of("2026-11-01");
    let l = line(&r, "R1");
    assert_eq!((l.quantity, l.expected_amount), (4, dec!(12000.00)));
    assert_eq!(r.subscriptions[0].expiry, d("2026-11-30"));
    assert_eq!(r.subscriptions[0].status, SubStatus::Expiring);
    let r = B::new()
        .row("R1", "2024-06-01", Renewal, "qcs-phone", "", 4, "2y")
        .run();
    assert_eq!(code(&r, "R1"), ExceptionCode::NoSubscription);
}

#[test]
fn terms_are_checked_by_vendor() {
    let r = B::new()
        .row("T1", "2024-01-01", New, "qcs-online", "basic", 3, "6m")
        .row("T2", "2024-01-01", New, "ssc-employees", "", 1000, "9y")
        .row("T2", "2024-01-01", New, "ssc-experts", "", 3, "8y")
        .row("T2", "2024-01-01", New, "ssc-tickets", "", 3, "8y")
        .row("T2", "2024-01-01", New, "ssc-robot", "", 1, "8y")
        .row("T3", "2024-01-01", New, "qcs-phone", "standard", 3, "")
        .row("T4", "2024-01-01", New, "qa", "basic", 1, "7m")
        .with(|r| r.unit_price = Some(dec!(100)))
        .row("T5", "2024-01-01", New, "qa", "basic", 1, "12m")
        .with(|r| r.unit_price = Some(dec!(100)))
        .row("T6", "2024-01-01", New, "qa", "basic", 1, "1m")
        .run();
    assert_eq!(code(&r, "T1"), ExceptionCode::BadTerm);
    assert_eq!(code(&r, "T2"), ExceptionCode::BadTerm);
    assert_eq!(code(&r, "T3"), ExceptionCode::MissingValue);
    assert_eq!(code(&r, "T4"), ExceptionCode::BadTerm);
    assert_eq!(line(&r, "T5").expected_amount, dec!(1200.00));
    assert_eq!(code(&r, "T6"), ExceptionCode::NoPrice);
}

#[test]
fn discounts_packs_wecom_and_reconciliation() {
    let r = B::new()
        .row("D1", "2024-01-01", New, "qcs-online", "basic", 5, "2y")
        .with(|r| {
            r.discount = Some(Discount::Percent(dec!(10)));
            r.billed_amount = Some(dec!(8991));
        })
        .row("D2", "2024-01-01", New, "qcs-knowledge", "", 1, "")
        .with(|r| {
            r.discount = Some(Discount::Amount(dec!(20000)));
        })
        .row("P1", "2024-01-01", New, "qdm-pv", "1m", 3, "")
        .with(|r| r.billed_amount = Some(dec!(89000)))
        .row("P2", "2024-01-01", New, "qdm-pv", "3m", 1, "")
        .with(|r| r.voucher = Some(dec!(100)))
        .row("W1", "2024-01-01", New, "qdm-wecom", "", 201, "1y")
        .row("W2", "2024-01-01", New, "qdm-wecom", "", 10001, "1y")
        .run();
    let d1 = line(&r, "D1");
    assert_eq!(
        (d1.discount, d1.expected_amount, d1.status),
        (dec!(999), dec!(8991.00), LineStatus::Ok)
    );
    assert_eq!(code(&r, "D2"), ExceptionCode::BadValue);
    let p1 = line(&r, "P1");
    assert_eq!(
        (p1.expected_amount, p1.difference, p1.status),
        (dec!(90000.00), Some(dec!(-1000.00)), LineStatus::Mismatch)
    );
    assert_eq!(r.packs.len(), 3);
    assert_eq!(r.packs[0].expires, Some(d("2025-01-01")));
    assert_eq!(code(&r, "P2"), ExceptionCode::BadValue);
    assert_eq!(line(&r, "W1").expected_amount, dec!(6030.00));
    assert_eq!(code(&r, "W2"), ExceptionCode::LimitExceeded);
    assert_eq!(r.total_expected, dec!(8991) + dec!(90000) + dec!(6030));
}

#[test]
fn duplicates_and_unknown_skus_are_exceptions_and_every_row_is_counted() {
    let r = B::new()
        .row("X1", "2024-01-01", New, "qcs-online", "basic", 3, "1y")
        .row("X1", "2024-01-01", New, "qcs-online", "basic", 3, "1y")
        .row("X2", "2024-01-01", New, "qcs-offline", "", 3, "1y")
        .row("X3", "2024-01-01", New, "qcs-online", "gold", 3, "1y")
        .row("X4", "2024-02-01", Addon, "qcs-online", "", 1, "")
        .run();
    let codes: Vec<_> = r.exceptions.iter().map(|e| e.code).collect();
    assert_eq!(
        codes,
        vec![
            ExceptionCode::Duplicate,
            ExceptionCode::UnknownSku,
            ExceptionCode::BadValue
        ]
    );
    assert_eq!(r.lines.len() + r.exceptions.len(), 5);
    assert_eq!(
        line(&r, "X4").edition,
        "basic",
        "an add-on without edition joins the running one"
    );
}

#[test]
fn period_limits_lines_but_earlier_rows_build_state() {
    let cat = Catalog::builtin();
    let ctx = test_ctx(&cat, "2024-08-01", Some("2024-07"));
    let rows = B::new()
        .row("O1", "2024-01-01", New, "qcs-online", "basic", 5, "2y")
        .row("O2", "2024-07-31", Addon, "qcs-online", "basic", 3, "")
        .row("O3", "2024-08-01", Addon, "qcs-online", "basic", 3, "")
        .0;
    let r = run(&ctx, rows, Vec::new(), Vec::new(), RunFacts::default());
    assert_eq!(r.lines.len(), 1);
    assert_eq!(r.lines[0].order_id, "O2");
    assert_eq!(r.facts.rows_outside_period, 2);
}

#[test]
fn same_day_order_new_before_addon_regardless_of_input_order() {
    let r = B::new()
        .row("Z2", "2024-01-01", Addon, "qcs-online", "basic", 2, "")
        .row("Z1", "2024-01-01", New, "qcs-online", "basic", 3, "1y")
        .run();
    assert_eq!(line(&r, "Z2").expected_amount, dec!(1998.00));
}

mod packs_and_refunds;
mod quick_audience;
mod revenue;
mod streaming;
