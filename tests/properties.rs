//! Laws of the pricing rules and the engine, over generated orders.

use billrun::calendar::{MonthRounding, add_months, years_and_months};
use billrun::catalog::Catalog;
use billrun::engine::{Ctx, run};
use billrun::model::{Metric, OrderRow, OrderType, RefundReason, SourceRef, Term, UsageRow};
use billrun::report::RunFacts;
use billrun::rules::pricing::{Base, tencent_addon};
use chrono::{Days, NaiveDate};
use proptest::prelude::*;
use rust_decimal::Decimal;
use std::sync::Arc;

/// `n` generated cases, or `PROPTEST_CASES` when set (thousands for a long run:
/// `PROPTEST_CASES=3000 cargo test --release --test properties`).
fn cases(n: u32) -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(n)
}

fn date(offset: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2023, 1, 1).unwrap() + Days::new(offset as u64)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(cases(400)))]

    /// An add-on's months never cost more than a year; the whole add-on never more than the
    /// years remaining plus one; the split covers the period exactly.
    #[test]
    fn addon_is_capped_and_the_split_covers_the_period(from in 0u32..2000, len in 1u32..3000, units in 1u64..500, cents in 1u64..10_000_000) {
        let (d, e) = (date(from), date(from + len));
        let b = Base { unit_price: Decimal::new(cents as i64, 2), billable: Decimal::from(units), how: String::new() };
        let p = tencent_addon(&b, d, e, MonthRounding::Ceil, "addon");
        let annual = b.unit_price * b.billable;
        prop_assert!(p.months_amount <= annual);
        prop_assert!(p.list_amount <= annual * Decimal::from(p.full_years + 1));
        prop_assert!(p.months_amount >= Decimal::ZERO);
        let (y, m) = years_and_months(d, e, MonthRounding::Ceil);
        prop_assert!(add_months(d, 12 * y + m).unwrap() >= e);
        prop_assert!(m == 0 || add_months(d, 12 * y + m - 1).unwrap() < e);
        let (fy, fm) = years_and_months(d, e, MonthRounding::Floor);
        prop_assert!(add_months(d, 12 * fy + fm).unwrap() <= e);
        prop_assert!(fy == y && fm <= m);
    }
}

const PRODUCTS: &[(&str, &str)] = &[
    ("qcs-online", "basic"),
    ("qcs-online", "pro"),
    ("qcs-phone", "standard"),
    ("qcs-robot", "standard"),
    ("cdp", "auto"),
    ("cdp", "basic"),
    ("cdp-booster", ""),
    ("ssc-employees", ""),
    ("ssc-experts", ""),
    ("ssc-tickets", ""),
    ("ssc-robot", ""),
    ("qdm-wecom", ""),
    ("qdm-pv", "1m"),
    ("qcs-knowledge", ""),
    ("qcs-coldstart", ""),
    ("nope", ""),
    ("qa", "basic"),
    ("qa", "standard-20"),
    ("qa-marketing", ""),
    ("qa-social", "fans-1m"),
    ("qa-sms", "5k"),
    ("qa-backflow", "rows-2m"),
];

fn rows() -> impl Strategy<Value = Vec<OrderRow>> {
    let row = (
        0usize..4,
        0u32..900,
        0usize..4,
        0usize..PRODUCTS.len(),
        0u64..12_000,
        0u32..4,
        any::<bool>(),
    );
    prop::collection::vec(row, 1..60).prop_map(|v| {
        v.into_iter()
            .enumerate()
            .map(|(i, (acct, day, kind, prod, qty, years, billed))| {
                let (product, edition) = PRODUCTS[prod];
                let qty = if product == "cdp" { qty * 1000 } else { qty };
                let src = SourceRef {
                    file: Arc::from("gen.csv"),
                    row: i as u32 + 2,
                };
                let kind = [
                    OrderType::New,
                    OrderType::Addon,
                    OrderType::Renewal,
                    OrderType::Refund,
                ][kind];
                let mut row = OrderRow::new(
                    src,
                    i,
                    &format!("O{}", i / 2),
                    &format!("A{acct}"),
                    date(day),
                    kind,
                );
                row.product = Some(product.into());
                row.edition = (!edition.is_empty()).then(|| edition.into());
                row.quantity = Some(qty);
                row.term = (years > 0).then(|| Term::years(years));
                row.billed_amount = billed.then(|| Decimal::from(qty));
                if kind == OrderType::Refund {
                    row.ref_order_id =
                        Some(format!("O{}", (i / 2).saturating_sub(day as usize % 3)));
                    row.reason = Some(
                        [
                            RefundReason::NoReason,
                            RefundReason::Defect,
                            RefundReason::Other,
                        ][qty as usize % 3],
                    );
                    row.invoiced = Some(day % 5 == 0);
                }
                if years == 2 && product != "qdm-pv" {
                    row.voucher = Some(Decimal::from(qty / 10));
                }
                if product.starts_with("qa") {
                    row.region = Some(
                        ["cn-shanghai", "cn-shenzhen", "cn-zhangjiakou", "cn-x"][day as usize % 4]
                            .into(),
                    );
                    row.unit_price = Some(Decimal::from(qty % 5000 + 1));
                    row.term = Some(Term {
                        months: [1, 3, 6, 12, 7][years as usize % 5],
                    });
                }
                if product == "qdm-pv" || product == "qa-sms" || product == "qa-backflow" {
                    row.quantity = Some(qty % 4);
                    row.bonus_quantity = Some(qty * 10);
                }
                row
            })
            .collect()
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(cases(200)))]

    /// Every row ends in exactly one place; totals are the sums of the lines; shuffling the
    /// input or changing the thread count changes nothing.
    #[test]
    fn conservation_totals_and_order_independence(rows in rows(), seed in any::<u64>()) {
        let cat = Catalog::builtin();
        let ctx = Ctx { catalog: &cat, as_of: date(1000), period: None, tolerance: Decimal::new(1, 2), alert_below: Decimal::TEN, progress: None };
        let n = rows.len();
        let r = run(&ctx, rows.clone(), Vec::new(), Vec::new(), RunFacts::default());
        prop_assert_eq!(r.lines.len() + r.exceptions.len() + r.facts.refunds, n);
        let sum: Decimal = r.lines.iter().map(|l| l.expected_amount).sum();
        prop_assert_eq!(sum, r.total_expected);
        let acc: Decimal = r.accounts.iter().map(|a| a.expected).sum();
        prop_assert_eq!(acc, r.total_expected);
        let prod: Decimal = r.products.iter().map(|p| p.expected).sum();
        prop_assert_eq!(prod, r.total_expected);
        for l in &r.lines {
            prop_assert!(l.expected_amount >= Decimal::ZERO);
            prop_assert_eq!(l.expected_amount, l.expected_amount.round_dp(2));
        }

        // Shuffle the file order (positions follow the new order, as a reader would give).
        let mut shuffled = rows;
        let len = shuffled.len();
        for i in (1..len).rev() {
            let j = (seed.wrapping_mul(6364136223846793005).wrapping_add(i as u64) % (i as u64 + 1)) as usize;
            shuffled.swap(i, j);
        }
        let one = rayon::ThreadPoolBuilder::new().num_threads(1).build().unwrap();
        let r1 = one.install(|| run(&ctx, shuffled.clone(), Vec::new(), Vec::new(), RunFacts::default()));
        let r2 = run(&ctx, shuffled, Vec::new(), Vec::new(), RunFacts::default());
        prop_assert_eq!(&r1, &r2);
        prop_assert_eq!(r1.total_expected, r.total_expected);
    }
}

fn usage() -> impl Strategy<Value = Vec<UsageRow>> {
    let row = (0usize..4, 0u32..900, 0usize..4, 0u64..3_000_000, 0usize..8);
    prop::collection::vec(row, 0..40).prop_map(|v| {
        v.into_iter()
            .enumerate()
            .map(|(i, (acct, day, metric, qty, order))| UsageRow {
                src: SourceRef {
                    file: Arc::from("usage.csv"),
                    row: i as u32 + 2,
                },
                position: 1000 + i,
                account_id: format!("A{acct}"),
                date: date(day),
                metric: [
                    Metric::Pv,
                    Metric::Sessions,
                    Metric::Sms,
                    Metric::BackflowRows,
                ][metric],
                quantity: qty,
                order_id: (order < 4).then(|| format!("O{order}")),
            })
            .collect()
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(cases(300)))]

    /// Refunds stay within what was paid in cash; usage is served by packs or overdrawn,
    /// never lost; a pack never goes below zero; every row still ends in one place.
    #[test]
    fn refunds_are_bounded_and_usage_is_conserved(rows in rows(), usage in usage()) {
        let cat = Catalog::builtin();
        let ctx = Ctx { catalog: &cat, as_of: date(1000), period: None, tolerance: Decimal::new(1, 2), alert_below: Decimal::TEN, progress: None };
        let n = rows.len() + usage.len();
        let read: u128 = usage.iter().map(|u| u128::from(u.quantity)).sum();
        let r = run(&ctx, rows, usage, Vec::new(), RunFacts::default());
        prop_assert_eq!(r.lines.len() + r.exceptions.len() + r.facts.refunds + r.facts.usage_rows, n);
        for x in &r.refunds {
            prop_assert!(x.voucher_kept >= Decimal::ZERO);
            prop_assert!(x.refund_amount >= Decimal::ZERO, "{:?}", x);
            prop_assert!(x.refund_amount <= x.paid - x.voucher_kept, "{:?}", x);
        }
        for x in &r.refunds {
            for p in &x.packs {
                prop_assert!(p.refund >= Decimal::ZERO && p.refund <= p.paid);
            }
            if !x.packs.is_empty() {
                prop_assert_eq!(x.packs.iter().map(|p| p.refund).sum::<Decimal>(), x.refund_amount);
            }
        }
        let approved: Decimal = r.refunds.iter().map(|x| x.refund_amount).sum();
        prop_assert_eq!(approved, r.total_refunded);
        let mut used = 0u128;
        for u in &r.usage {
            prop_assert_eq!(u.from_packs + u.overdrawn, u.used);
            used += u.used;
        }
        prop_assert_eq!(used, read);
        let rows_counted: usize = r.usage.iter().map(|u| u.rows).sum();
        prop_assert_eq!(rows_counted, r.facts.usage_rows);
        for p in &r.packs {
            prop_assert!(p.used <= p.size + p.bonus, "{:?}", p);
            prop_assert!(p.remaining <= p.size + p.bonus);
        }
    }
}

/// The built-in catalog with one tiered SKU switched to graduated tiers, so both tier modes
/// are exercised.
fn catalog_with_graduated_tiers() -> Catalog {
    Catalog::from_texts(Some((
        "graduated.toml",
        "[skus.qdm-wecom]\ntier_mode = \"graduated\"\n",
    )))
    .unwrap()
}

/// Expected amount of one new line of `quantity` bought for a year, if it prices.
fn new_line_amount(cat: &Catalog, product: &str, edition: &str, quantity: u64) -> Option<Decimal> {
    let mut row = OrderRow::new(
        SourceRef {
            file: Arc::from("q.csv"),
            row: 2,
        },
        0,
        "Q-1",
        "A-1",
        date(10),
        OrderType::New,
    );
    row.product = Some(product.into());
    row.edition = (!edition.is_empty()).then(|| edition.into());
    row.quantity = Some(quantity);
    row.term = Some(Term::years(1));
    if product.starts_with("qa") {
        row.region = Some("cn-shanghai".into());
        row.term = Some(Term { months: 12 });
    }
    let ctx = Ctx {
        catalog: cat,
        as_of: date(400),
        period: None,
        tolerance: Decimal::new(1, 2),
        alert_below: Decimal::TEN,
        progress: None,
    };
    let r = run(&ctx, vec![row], Vec::new(), Vec::new(), RunFacts::default());
    r.lines.first().map(|l| l.expected_amount)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(cases(100)))]

    /// More units never cost less where the pricing promises it: per unit, per block, per
    /// capacity cover and graduated tiers (each unit at its own tier's price). Volume tiers
    /// price every unit at the tier the total reaches (5 × 50 = 250 > 6 × 40 = 240), so they
    /// promise only that each unit costs no more than the first tier's price.
    #[test]
    fn price_never_falls_as_quantity_grows_unless_volume_tiers(q in 1u64..12_000, more in 1u64..3_000) {
        let cat = catalog_with_graduated_tiers();
        for (product, edition) in PRODUCTS {
            let Some(sku) = cat.sku_by_code(product) else { continue };
            let volume = sku.tier_mode == Some(billrun::catalog::schema::TierMode::Volume);
            let (a, b) = (
                new_line_amount(&cat, product, edition, q),
                new_line_amount(&cat, product, edition, q + more),
            );
            if let (Some(a), Some(b)) = (a, b) {
                if volume {
                    let first = sku.tiers.first().map(|t| t.price).unwrap_or_default();
                    prop_assert!(b <= first * Decimal::from(q + more), "{product}: {b}");
                } else {
                    prop_assert!(a <= b, "{product} {edition}: {q} → {a}, {} → {b}", q + more);
                }
            }
        }
        // The graduated SKU itself, which PRODUCTS may not list.
        if let (Some(a), Some(b)) = (
            new_line_amount(&cat, "qdm-wecom", "", q.min(9_000)),
            new_line_amount(&cat, "qdm-wecom", "", (q + more).min(10_000)),
        ) {
            prop_assert!(a <= b, "graduated qdm-wecom: {a} > {b}");
        }
    }
}
