//! Words, amounts and formulas cannot drift (issue 13): every formula kind billrun writes,
//! evaluated by `eval` over the cells the writer puts beside it, equals the amount the rules
//! computed, and the figure the rule's words end on equals it too. Lines of every `Calc`
//! kind are built as the engine builds them (`pricing`, `discount::apply`, `reconcile`);
//! refunds through the `refund` rules and, for the words the engine writes, the whole replay.

mod eval;

use super::formulas::{LineFormulas, cols, line_formulas};
use super::lang::{Lang, sheet};
use super::refunds::{letters, refund_formula_in, refund_pack_formulas};
use crate::calendar::{MonthRounding, add_months};
use crate::catalog::Catalog;
use crate::engine::{Ctx, run};
use crate::model::{
    Discount, Metric, OrderRow, OrderType, RefundReason, SourceRef, Term, UsageRow,
};
use crate::money::round_cents;
use crate::report::{Decision, Line, PackRefund, RefundCalc, Report, RunFacts};
use crate::rules::discount::{self, Discounted};
use crate::rules::pricing::{self, Base, Priced};
use crate::rules::reconcile::reconcile;
use crate::rules::refund;
use chrono::{Days, NaiveDate};
use eval::{Book, Evaluated, approx};
use proptest::prelude::*;
use proptest::test_runner::TestCaseError;
use rust_decimal::{Decimal, RoundingStrategy};
use std::str::FromStr;
use std::sync::{Arc, LazyLock};

static CATALOG: LazyLock<Catalog> = LazyLock::new(Catalog::builtin);

const LINES: &str = "Lines";
const REFUNDS: &str = "Refunds";
const TOLERANCE: Decimal = rust_decimal_macros::dec!(0.01);

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("a valid test date")
}

/// The amount the words end on: the figure after the last `marker` (`= `, `refund `), as
/// `fmt_money` wrote it (`1,234.50`). Not `money::parse_amount`: that refuses amounts above
/// the one-trillion input limit, which a line's total may pass (100,000 units × 1,000,000).
fn figure_after(rule: &str, marker: &str) -> Option<Decimal> {
    let (_, tail) = rule.rsplit_once(marker)?;
    let figure = tail.split_whitespace().next()?.replace(',', "");
    Decimal::from_str(&figure).ok()
}

/// Evaluates `cell` in `Decimal` and in `f64`. Each `ROUND` must give the same cents in both,
/// except where `f64`'s own error reaches a half-cent tie (see `eval`'s module comment); that
/// error stays within 10⁻¹² of the largest value the formula met. Returns the `Decimal` value.
fn eval_both(book: &Book, sheet: &str, cell: &str) -> Result<Decimal, TestCaseError> {
    let d: Evaluated<Decimal> = book
        .eval(sheet, cell)
        .map_err(|e| TestCaseError::fail(format!("{sheet}!{cell}: {e}")))?;
    let f: Evaluated<f64> = book
        .eval(sheet, cell)
        .map_err(|e| TestCaseError::fail(format!("{sheet}!{cell} in f64: {e}")))?;
    let scale = f.peak.max(1.0);
    let within = |x: Decimal, y: f64| (y - approx(x)).abs() <= 1e-12 * scale;
    prop_assert_eq!(d.rounds.len(), f.rounds.len());
    let mut tie = false;
    for (x, y) in d.rounds.iter().zip(&f.rounds) {
        prop_assert!(within(*x, *y), "{sheet}!{cell}: f64 {y} vs Decimal {x}");
        let cents = round_cents(*x) * Decimal::ONE_HUNDRED;
        let f_cents = (y * 100.0).round();
        if approx(cents) != f_cents {
            // Only a tie f64 cannot see: the exact value's distance to the half cent is
            // within f64's error (plus the error of converting the Decimal for comparison).
            let frac = (*x * Decimal::ONE_HUNDRED).fract().abs();
            let to_tie = approx((frac - Decimal::new(5, 1)).abs()) / 100.0;
            let err = (y - approx(*x)).abs() + 4.0 * f64::EPSILON * scale;
            prop_assert!(
                to_tie <= err,
                "{sheet}!{cell}: ROUND({x}) is {cents} cents in Decimal but {f_cents} in f64 ({y})"
            );
            tie = true;
        }
    }
    // After a tie the two differ by the cent the tie went the other way.
    if !tie {
        prop_assert!(
            within(d.value, f.value),
            "{sheet}!{cell}: f64 {} vs Decimal {}",
            f.value,
            d.value
        );
    }
    Ok(d.value)
}

// ---------------------------------------------------------------- Lines

/// A line's arithmetic, as the engine chooses it (SPEC 2).
#[derive(Debug, Clone)]
enum Kind {
    /// A Tencent new purchase or renewal of whole years.
    Years(u32),
    /// A Tencent co-terminated add-on from `from` to an expiry given by `Expiry`.
    Addon {
        from: NaiveDate,
        expiry: Expiry,
        rounding: MonthRounding,
    },
    /// Quick Audience by months.
    Months(u32),
    /// Quick Audience by days (add-ons and upgrades).
    Days(u32),
    /// One-time items and packs.
    Once,
}

#[derive(Debug, Clone)]
enum Expiry {
    /// `add_months(from, 12·years + months)` moved by `shift` days: exact boundaries, the
    /// day either side, the cap (11 started months and more) or not.
    Months { years: u32, months: u32, shift: i64 },
    /// Any number of days after `from`.
    Days(u64),
}

impl Expiry {
    fn after(&self, from: NaiveDate) -> NaiveDate {
        let e = match *self {
            Expiry::Months {
                years,
                months,
                shift,
            } => add_months(from, 12 * years + months)
                .and_then(|d| d.checked_add_signed(chrono::Duration::days(shift))),
            Expiry::Days(n) => from.checked_add_days(Days::new(n)),
        };
        // An add-on needs its expiry after its date (SPEC 2.2: D < E).
        e.filter(|e| *e > from).unwrap_or(from + Days::new(1))
    }
}

#[derive(Debug, Clone, Copy)]
enum DiscountGen {
    None,
    /// This many ten-thousandths of the list amount, rounded down to the cent (≤ list).
    Amount(u32),
    /// A percentage with up to three decimals (thousandths of a percent, 0–100,000).
    Percent(u32),
}

#[derive(Debug, Clone, Copy)]
enum BilledGen {
    None,
    /// The expected amount moved by this many cents (OK and MISMATCH around the tolerance).
    Near(i64),
    /// Any amount, in cents.
    Any(i64),
}

#[derive(Debug, Clone)]
struct LineCase {
    kind: Kind,
    /// Which SKU of the kind's list (`skus`).
    sku: usize,
    cents: i64,
    contract: bool,
    units: u64,
    already: u64,
    discount: DiscountGen,
    billed: BilledGen,
    row: u32,
}

/// SKUs of each kind, one per pricing model the kind meets: per unit, per block of 1,000,
/// volume tiers (its own prices unless the row gives a contract price); per unit a month;
/// packs and one-time items.
fn skus(kind: &Kind) -> &'static [&'static str] {
    match kind {
        Kind::Years(_) | Kind::Addon { .. } => &["qcs-online", "ssc-employees", "qdm-wecom"],
        Kind::Months(_) | Kind::Days(_) => &["qa"],
        Kind::Once => &["qdm-pv", "cdp-service"],
    }
}

fn a_date() -> impl Strategy<Value = NaiveDate> {
    prop_oneof![
        (0u64..4000).prop_map(|n| date(2019, 1, 1) + Days::new(n)),
        // Month ends, where add_months clamps.
        (2019i32..2031, 1u32..=12)
            .prop_map(|(y, m)| { add_months(date(y, m, 1), 1).expect("in range") - Days::new(1) }),
        prop::sample::select(vec![2020, 2024, 2028]).prop_map(|y| date(y, 2, 29)),
    ]
}

fn kind() -> impl Strategy<Value = Kind> {
    let expiry = prop_oneof![
        (0u32..=5, 0u32..=12, -3i64..=3).prop_map(|(years, months, shift)| Expiry::Months {
            years,
            months,
            shift
        }),
        // 11 started months or more: the months reach the cap of one year's price.
        (0u32..=4, 10u32..=11, 1i64..=20).prop_map(|(years, months, shift)| Expiry::Months {
            years,
            months,
            shift
        }),
        (1u64..2200).prop_map(Expiry::Days),
    ];
    let rounding = prop_oneof![Just(MonthRounding::Ceil), Just(MonthRounding::Floor)];
    prop_oneof![
        (1u32..=5).prop_map(Kind::Years),
        (a_date(), expiry, rounding).prop_map(|(from, expiry, rounding)| Kind::Addon {
            from,
            expiry,
            rounding
        }),
        (1u32..=36).prop_map(Kind::Months),
        (0u32..=1830).prop_map(Kind::Days),
        Just(Kind::Once),
    ]
}

fn line_case() -> impl Strategy<Value = LineCase> {
    let discount = prop_oneof![
        Just(DiscountGen::None),
        (0u32..=10_000).prop_map(DiscountGen::Amount),
        (0u32..=100_000).prop_map(DiscountGen::Percent),
        prop::sample::select(vec![0, 10_000, 100_000]).prop_map(DiscountGen::Percent),
    ];
    let billed = prop_oneof![
        Just(BilledGen::None),
        (-200i64..=200).prop_map(BilledGen::Near),
        (0i64..=10_000_000_000).prop_map(BilledGen::Any),
    ];
    (
        kind(),
        0usize..3,
        prop_oneof![1i64..=100_000_000, 1i64..=100_000],
        any::<bool>(),
        1u64..=100_000,
        0u64..=100_000,
        discount,
        billed,
        2u32..=1_048_576,
    )
        .prop_map(
            |(kind, sku, cents, contract, units, already, discount, billed, row)| LineCase {
                kind,
                sku,
                cents,
                contract,
                units,
                already,
                discount,
                billed,
                row,
            },
        )
}

/// The unit price and billable units as `pricing::base` finds them for the case's SKU.
fn base_of(c: &LineCase) -> Result<(Base, u64), TestCaseError> {
    let list = skus(&c.kind);
    let code = list[c.sku % list.len()];
    let sku = CATALOG
        .sku_by_code(code)
        .ok_or_else(|| TestCaseError::fail(format!("{code} is not built in")))?;
    let price = Decimal::new(c.cents, 2);
    let (listed, contract) = if c.contract {
        (None, Some(price))
    } else {
        (Some(price), None)
    };
    let (units, already) = match code {
        // Volume tiers end at 10,000 units.
        "qdm-wecom" => (1 + c.units % 10_000, 0),
        "ssc-employees" => (c.units, c.already),
        _ => (c.units, 0),
    };
    let b = pricing::base(sku, listed, contract, units, already)
        .map_err(|e| TestCaseError::fail(format!("{code} base: {e:?}")))?;
    Ok((b, units))
}

fn priced(c: &LineCase, b: &Base) -> Priced {
    match &c.kind {
        Kind::Years(y) => pricing::years(b, *y, "new"),
        Kind::Addon {
            from,
            expiry,
            rounding,
        } => pricing::tencent_addon(b, *from, expiry.after(*from), *rounding, "addon"),
        Kind::Months(m) => pricing::months(b, *m, "new"),
        Kind::Days(d) => pricing::days(b, *d, "upgrade"),
        Kind::Once => pricing::once(b, "one-time"),
    }
}

/// The Lines row the engine makes of a priced line (`engine::replay::lines::finish`).
fn line_of(c: &LineCase) -> Result<Line, TestCaseError> {
    let (b, quantity) = base_of(c)?;
    let p = priced(c, &b);
    let d = match c.discount {
        DiscountGen::None => None,
        DiscountGen::Amount(k) => Some(Discount::Amount(
            (p.list_amount * Decimal::from(k) / Decimal::from(10_000))
                .round_dp_with_strategy(2, RoundingStrategy::ToZero),
        )),
        DiscountGen::Percent(k) => Some(Discount::Percent(Decimal::new(i64::from(k), 3))),
    };
    let d = discount::apply(&p, d)
        .map_err(|e| TestCaseError::fail(format!("discount within the list: {e:?}")))?;
    let billed = match c.billed {
        BilledGen::None => None,
        BilledGen::Near(cents) => Some((d.expected + Decimal::new(cents, 2)).max(Decimal::ZERO)),
        BilledGen::Any(cents) => Some(Decimal::new(cents, 2)),
    };
    Ok(assemble(&p, d, billed, quantity))
}

/// The Lines row of a priced and discounted line, its other fields plain values.
fn assemble(p: &Priced, d: Discounted, billed: Option<Decimal>, quantity: u64) -> Line {
    let (difference, status) = reconcile(d.expected, billed, TOLERANCE);
    Line {
        src: SourceRef {
            file: Arc::from("orders.csv"),
            row: 2,
        },
        order_id: "O-1".into(),
        line: 1,
        account_id: "A-1".into(),
        order_date: date(2025, 1, 1),
        kind: OrderType::New,
        product: "p".into(),
        edition: String::new(),
        quantity,
        billable_quantity: p.billable,
        term: String::new(),
        service_start: None,
        service_end: None,
        unit_price: p.unit_price,
        full_years: p.full_years,
        full_years_amount: p.full_years_amount,
        months: p.months,
        months_amount: p.months_amount,
        list_amount: p.list_amount,
        discount: d.discount,
        expected_amount: d.expected,
        billed_amount: billed,
        difference,
        status,
        rule: d.rule,
        calc: p.calc,
    }
}

/// The four amounts every line has, each with its formula (`None`: written as a number).
fn amounts<'a>(
    line: &Line,
    f: &'a LineFormulas,
) -> [(&'static str, Option<&'a String>, Decimal); 4] {
    use cols::*;
    [
        (
            FULL_YEARS_AMOUNT,
            f.full_years_amount.as_ref(),
            line.full_years_amount,
        ),
        (MONTHS_AMOUNT, f.months_amount.as_ref(), line.months_amount),
        (LIST_AMOUNT, Some(&f.list_amount), line.list_amount),
        (EXPECTED, Some(&f.expected_amount), line.expected_amount),
    ]
}

/// The row's cells as `invoices::write_line` writes them, with its formulas.
fn lines_book(line: &Line, r: u32) -> Book {
    use cols::*;
    let mut book = Book::default();
    let inputs = [
        (QUANTITY, Some(Decimal::from(line.quantity))),
        (BILLABLE, Some(line.billable_quantity)),
        (UNIT_PRICE, Some(line.unit_price)),
        (FULL_YEARS, Some(Decimal::from(line.full_years))),
        (MONTHS, Some(Decimal::from(line.months))),
        (DISCOUNT, Some(line.discount)),
        (BILLED, line.billed_amount),
    ];
    for (col, value) in inputs {
        if let Some(v) = value {
            book.number(LINES, &format!("{col}{r}"), v);
        }
    }
    let f = line_formulas(line, r);
    for (col, formula, value) in amounts(line, &f) {
        match formula {
            Some(formula) => book.formula(LINES, &format!("{col}{r}"), formula),
            None => book.number(LINES, &format!("{col}{r}"), value),
        }
    }
    if let Some(formula) = &f.difference {
        book.formula(LINES, &format!("{DIFFERENCE}{r}"), formula);
    }
    book
}

fn check_line(line: &Line, r: u32) -> Result<(), TestCaseError> {
    let f = line_formulas(line, r);
    let book = lines_book(line, r);
    for (col, formula, amount) in amounts(line, &f) {
        match formula {
            // An amount without a formula is one the calculation fixes at zero.
            None => prop_assert_eq!(amount, Decimal::ZERO, "{}", col),
            Some(formula) => prop_assert_eq!(
                eval_both(&book, LINES, &format!("{col}{r}"))?,
                amount,
                "{}: {}",
                col,
                formula
            ),
        }
    }
    prop_assert_eq!(line.billed_amount.is_some(), f.difference.is_some());
    if f.difference.is_some() {
        let at = format!("{}{r}", cols::DIFFERENCE);
        prop_assert_eq!(Some(eval_both(&book, LINES, &at)?), line.difference);
    }
    prop_assert_eq!(
        figure_after(&line.rule, "= "),
        Some(line.expected_amount),
        "rule: {}",
        &line.rule
    );
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Every Lines formula, evaluated over the row's cells, equals its amount field exactly
    /// (the same Decimal operations in the same order, so even the 28-digit quotients of
    /// pricing by days agree), and the rule's last figure is the expected amount.
    #[test]
    fn line_formulas_equal_the_amounts_and_the_words(c in line_case()) {
        let line = line_of(&c)?;
        check_line(&line, c.row)?;
    }
}

#[test]
fn the_guide_examples_evaluate_to_their_figures() {
    use rust_decimal_macros::dec;
    // SPEC 2.2: 3 users added 2024-07-01 to a subscription expiring 2026-01-01.
    let b = Base {
        unit_price: dec!(999),
        billable: dec!(3),
        how: "3 × 999".into(),
    };
    let p = pricing::tencent_addon(
        &b,
        date(2024, 7, 1),
        date(2026, 1, 1),
        MonthRounding::Ceil,
        "addon",
    );
    let d = discount::apply(&p, Some(Discount::Amount(dec!(0.20)))).expect("within the list");
    let line = assemble(&p, d, Some(dec!(4795.00)), 3);
    let book = lines_book(&line, 7);
    assert_eq!(
        book.eval::<Decimal>(LINES, "R7").map(|e| e.value),
        Ok(dec!(4795.20))
    );
    assert_eq!(
        book.eval::<Decimal>(LINES, "T7").map(|e| e.value),
        Ok(dec!(4795.00))
    );
    assert_eq!(
        book.eval::<Decimal>(LINES, "V7").map(|e| e.value),
        Ok(dec!(0))
    );
    check_line(&line, 7).expect("the guide add-on");
}

// ---------------------------------------------------------------- Refunds, by the rules

fn money() -> impl Strategy<Value = Decimal> {
    prop_oneof![0i64..=100_000_000_000, 0i64..=100_000].prop_map(|c| Decimal::new(c, 2))
}

/// A voucher: none, up to the payment, or more than it.
fn voucher(paid: Decimal, per_mille: u32) -> Decimal {
    paid * Decimal::from(per_mille) / Decimal::from(1000u32)
}

fn refunds_book(r: u32, paid: Decimal, kept: Decimal, calc: RefundCalc) -> (Book, Option<String>) {
    let mut book = Book::default();
    book.number(REFUNDS, &format!("{}{r}", letters::PAID), paid);
    book.number(REFUNDS, &format!("{}{r}", letters::VOUCHER_KEPT), kept);
    let packs = sheet::REFUND_PACKS.en;
    let f = refund_formula_in(calc, r, 0..0, packs, super::EXCEL_MAX_DATA_ROWS);
    if let Some(f) = &f {
        book.formula(REFUNDS, &format!("O{r}"), f);
    }
    (book, f)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// A full refund's formula `paid − voucher_kept` is `refund::cash`'s amount.
    #[test]
    fn a_full_refund_formula_is_the_cash_amount(paid in money(), per_mille in 0u32..=1500, r in 2u32..=1_048_576) {
        let (amount, kept) = refund::cash(paid, voucher(paid, per_mille));
        let (book, f) = refunds_book(r, paid, kept, RefundCalc::Full);
        prop_assert!(f.is_some());
        prop_assert_eq!(eval_both(&book, REFUNDS, &format!("O{r}"))?, amount);
    }

    /// A pro-rata refund's formula is `refund::pro_rata`'s amount, which its words end on.
    #[test]
    fn a_pro_rata_formula_is_the_amount_and_the_words(
        paid in money(),
        per_mille in 0u32..=1500,
        total in prop_oneof![0u64..=3660, 1u64..=12_000_000],
        share in 0u64..=10_000,
        r in 2u32..=1_048_576,
    ) {
        // The engine's unused never exceeds the total (days left of the term, quota left).
        let unused = (u128::from(total) * u128::from(share) / 10_000) as u64;
        let v = voucher(paid, per_mille);
        let kept = refund::cash(paid, v).1;
        let decided = refund::pro_rata(paid, v, unused, total, "days");
        let (book, f) = refunds_book(r, paid, kept, RefundCalc::ProRata { unused, total });
        match (f, decided) {
            (None, decided) => {
                prop_assert_eq!(total, 0);
                prop_assert!(decided.is_err());
            }
            (Some(_), Ok(c)) => {
                prop_assert_eq!(c.voucher_kept, kept);
                prop_assert_eq!(eval_both(&book, REFUNDS, &format!("O{r}"))?, c.amount);
                prop_assert_eq!(figure_after(&c.rule, "= "), Some(c.amount), "rule: {}", &c.rule);
            }
            // Nothing to refund: rejected, and the formula agrees there is nothing.
            (Some(_), Err(why)) => {
                prop_assert_eq!(eval_both(&book, REFUNDS, &format!("O{r}"))?, Decimal::ZERO);
                prop_assert!(why.starts_with("nothing unused to refund"), "{}", why);
            }
        }
    }

    /// A pack refund: each Packs row's `used_value` and `refund` formulas are
    /// `refund::pack_refund`'s, and the request's `SUM` over exactly its rows (other requests'
    /// rows above and below) is the sum of its packs' refunds.
    #[test]
    fn pack_refund_formulas_are_the_pack_amounts_and_their_sum(
        paid in money(),
        used in prop::collection::vec(prop_oneof![0u64..=1_000_000, Just(0), Just(1_000_000)], 1..=6),
        unit_milli in prop_oneof![Just(30u32), 1u32..=100_000],
        above in 0usize..40,
        zh in any::<bool>(),
        r in 2u32..=1_048_576,
    ) {
        let unit = Decimal::new(i64::from(unit_milli), 3);
        let shares = refund::split_paid(paid, used.len());
        prop_assert_eq!(shares.iter().sum::<Decimal>(), paid);
        let packs_sheet = sheet::REFUND_PACKS.get(if zh { Lang::Zh } else { Lang::En });
        let mut book = Book::default();
        let mut rows = Vec::new();
        // Another request's packs above and one below, refunding something each.
        let filler = |i: usize| (Decimal::new(10_000, 2), (i as u64) % 3 * 100, Decimal::new(3, 2));
        let all: Vec<(Decimal, u64, Decimal)> = (0..above)
            .map(filler)
            .chain(shares.iter().zip(&used).map(|(p, u)| (*p, *u, unit)))
            .chain(std::iter::once(filler(1)))
            .collect();
        for (i, (share, used, unit)) in all.into_iter().enumerate() {
            let (used_value, back) = refund::pack_refund(share, used, unit);
            let pack = PackRefund {
                pack: 1,
                product: "qdm-pv".into(),
                edition: "1m".into(),
                size: 1_000_000,
                used,
                unit_value: unit,
                used_value,
                paid: share,
                refund: back,
            };
            put_pack(&mut book, packs_sheet, i, &pack);
            rows.push(pack);
        }
        let mut amount = Decimal::ZERO;
        for (i, p) in rows.iter().enumerate() {
            let row = i as u32 + 2;
            prop_assert_eq!(eval_both(&book, packs_sheet, &format!("{}{row}", letters::PACK_USED_VALUE))?, p.used_value);
            prop_assert_eq!(eval_both(&book, packs_sheet, &format!("{}{row}", letters::PACK_REFUND))?, p.refund);
            prop_assert_eq!(p.refund, round_cents((p.paid - p.used_value).max(Decimal::ZERO)));
            if (above..above + used.len()).contains(&i) {
                amount += p.refund;
            }
        }
        let own = above..above + used.len();
        let f = refund_formula_in(RefundCalc::Packs, r, own, packs_sheet, super::EXCEL_MAX_DATA_ROWS);
        let f = f.ok_or_else(|| TestCaseError::fail("a pack refund on the first sheet has a formula"))?;
        book.formula(REFUNDS, &format!("O{r}"), &f);
        prop_assert_eq!(eval_both(&book, REFUNDS, &format!("O{r}"))?, amount, "{}", &f);
    }
}

/// A refunds Packs row (data row `i`, Excel row `i + 2`) as `write_refund_pack` writes it.
fn put_pack(book: &mut Book, packs_sheet: &str, i: usize, p: &PackRefund) {
    use letters::*;
    let row = i as u32 + 2;
    let (used_value, refund) = refund_pack_formulas(p, row);
    book.number(
        packs_sheet,
        &format!("{PACK_USED}{row}"),
        Decimal::from(p.used),
    );
    book.number(packs_sheet, &format!("{PACK_PAID}{row}"), p.paid);
    book.formula(packs_sheet, &format!("{PACK_USED_VALUE}{row}"), &used_value);
    book.formula(packs_sheet, &format!("{PACK_REFUND}{row}"), &refund);
}

// ---------------------------------------------------------------- Refunds, through the replay

/// One account's story ending in a refund request: a window product, a Quick Audience term
/// refunded pro rata, or PV packs with usage.
#[derive(Debug, Clone)]
enum Story {
    Window {
        qty: u64,
        billed: Option<Decimal>,
        voucher: Option<Decimal>,
        start_after: u64,
        refund_after: u64,
        reason: RefundReason,
    },
    ProRata {
        months: u32,
        price: Decimal,
        billed: Option<Decimal>,
        voucher: Option<Decimal>,
        /// Thousandths of the term (about 30 days a month) before the request; past 1,000
        /// nothing is left to refund.
        refund_per_mille: u64,
    },
    Packs {
        packs: u64,
        big: bool,
        bonus: u64,
        billed: Option<Decimal>,
        usage: Vec<(u64, u64)>,
        refund_after: u64,
    },
}

fn opt_money() -> impl Strategy<Value = Option<Decimal>> {
    prop::option::of((0i64..=50_000_000).prop_map(|c| Decimal::new(c, 2)))
}

fn story() -> impl Strategy<Value = Story> {
    let reason = prop_oneof![
        Just(RefundReason::NoReason),
        Just(RefundReason::Defect),
        Just(RefundReason::Other)
    ];
    prop_oneof![
        (
            3u64..=50,
            opt_money(),
            opt_money(),
            0u64..=3,
            prop_oneof![0u64..=10, 0u64..=40],
            reason
        )
            .prop_map(
                |(qty, billed, voucher, start_after, refund_after, reason)| Story::Window {
                    qty,
                    billed,
                    voucher,
                    start_after,
                    refund_after,
                    reason
                }
            ),
        (
            prop::sample::select(vec![1u32, 2, 3, 4, 5, 6, 12]),
            1i64..=10_000_000,
            opt_money(),
            opt_money(),
            0u64..=1100
        )
            .prop_map(|(months, cents, billed, voucher, refund_per_mille)| {
                Story::ProRata {
                    months,
                    price: Decimal::new(cents, 2),
                    billed,
                    voucher,
                    refund_per_mille,
                }
            }),
        (
            1u64..=4,
            any::<bool>(),
            prop_oneof![Just(0u64), 0u64..=50_000],
            opt_money(),
            prop::collection::vec((0u64..=30, 0u64..=4_000_000), 0..=3),
            0u64..=40
        )
            .prop_map(
                |(packs, big, bonus, billed, usage, refund_after)| Story::Packs {
                    packs,
                    big,
                    bonus,
                    billed,
                    usage,
                    refund_after
                }
            ),
    ]
}

fn push_order<'a>(
    orders: &'a mut Vec<OrderRow>,
    order: &str,
    account: &str,
    on: NaiveDate,
    kind: OrderType,
) -> &'a mut OrderRow {
    let n = orders.len();
    let src = SourceRef {
        file: Arc::from("orders.csv"),
        row: n as u32 + 2,
    };
    orders.push(OrderRow::new(src, n, order, account, on, kind));
    let last = orders.len() - 1;
    &mut orders[last]
}

/// A `new` order of `qty` × `product` `edition`.
fn buy<'a>(
    orders: &'a mut Vec<OrderRow>,
    order: &str,
    account: &str,
    on: NaiveDate,
    (product, edition, qty): (&str, &str, u64),
) -> &'a mut OrderRow {
    let o = push_order(orders, order, account, on, OrderType::New);
    o.product = Some(product.into());
    o.edition = Some(edition.into());
    o.quantity = Some(qty);
    o
}

/// Order and usage rows for `stories`, one account each, from `day0`.
fn rows_of(stories: &[Story], day0: NaiveDate) -> (Vec<OrderRow>, Vec<UsageRow>) {
    let mut orders = Vec::new();
    let mut usage = Vec::new();
    let at = |n: u64| day0 + Days::new(n);
    for (k, s) in stories.iter().enumerate() {
        let account = format!("A{k}");
        let bought = format!("O{k}");
        let refund_after = match s {
            Story::Window {
                qty,
                billed,
                voucher,
                start_after,
                refund_after,
                ..
            } => {
                let o = buy(
                    &mut orders,
                    &bought,
                    &account,
                    at(0),
                    ("qcs-online", "basic", *qty),
                );
                o.term = Some(Term::years(1));
                o.billed_amount = *billed;
                o.voucher = *voucher;
                o.start_date = Some(at(*start_after));
                start_after + refund_after
            }
            Story::ProRata {
                months,
                price,
                billed,
                voucher,
                refund_per_mille,
            } => {
                let o = buy(&mut orders, &bought, &account, at(0), ("qa", "basic", 1));
                o.term = Some(Term { months: *months });
                o.unit_price = Some(*price);
                o.region = Some("cn-shanghai".into());
                o.billed_amount = *billed;
                o.voucher = *voucher;
                u64::from(*months) * 30 * refund_per_mille / 1000
            }
            Story::Packs {
                packs,
                big,
                bonus,
                billed,
                usage: used,
                refund_after,
            } => {
                let size = if *big { "3m" } else { "1m" };
                let o = buy(
                    &mut orders,
                    &bought,
                    &account,
                    at(0),
                    ("qdm-pv", size, *packs),
                );
                o.bonus_quantity = (*bonus > 0).then_some(*bonus);
                o.billed_amount = *billed;
                for (day, qty) in used {
                    let n = usage.len();
                    usage.push(UsageRow {
                        src: SourceRef {
                            file: Arc::from("usage.csv"),
                            row: n as u32 + 2,
                        },
                        position: 1_000_000 + n,
                        account_id: account.clone(),
                        date: at(*day),
                        metric: Metric::Pv,
                        quantity: *qty,
                        order_id: None,
                    });
                }
                *refund_after
            }
        };
        let reason = match s {
            Story::Window { reason, .. } => *reason,
            _ => RefundReason::Other,
        };
        let r = push_order(
            &mut orders,
            &format!("R{k}"),
            &account,
            at(refund_after),
            OrderType::Refund,
        );
        r.ref_order_id = Some(bought);
        r.reason = Some(reason);
    }
    (orders, usage)
}

/// The Refunds and Packs sheets of refunds.xlsx for `report`, as `stage_refunds` writes them.
fn refunds_workbook(report: &Report, lang: Lang) -> Book {
    let packs_sheet = sheet::REFUND_PACKS.get(lang);
    let refunds_sheet = sheet::REFUNDS.get(lang);
    let mut book = Book::default();
    for (i, p) in report.refunds.iter().flat_map(|x| &x.packs).enumerate() {
        put_pack(&mut book, packs_sheet, i, p);
    }
    let mut packs_before = 0;
    for (i, x) in report.refunds.iter().enumerate() {
        let r = i as u32 + 2;
        book.number(refunds_sheet, &format!("{}{r}", letters::PAID), x.paid);
        book.number(
            refunds_sheet,
            &format!("{}{r}", letters::VOUCHER_KEPT),
            x.voucher_kept,
        );
        let own = packs_before..packs_before + x.packs.len();
        packs_before = own.end;
        match refund_formula_in(x.calc, r, own, packs_sheet, super::EXCEL_MAX_DATA_ROWS) {
            Some(f) => book.formula(refunds_sheet, &format!("O{r}"), &f),
            None => book.number(refunds_sheet, &format!("O{r}"), x.refund_amount),
        }
    }
    book
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Through the whole replay (accounts in parallel, each refund row carrying its own packs
    /// through the merge): every refund formula equals the refund amount, every Packs row's
    /// formulas its values, a pack refund's `SUM` covers exactly its own rows, and an
    /// approved refund's words end on the amount (`= …` for the windows and pro-rata,
    /// `refund …` for packs).
    #[test]
    fn refund_formulas_through_the_replay_equal_the_amounts_and_the_words(
        stories in prop::collection::vec(story(), 1..=5),
        day0 in 0u64..1500,
        zh in any::<bool>(),
    ) {
        let day0 = date(2022, 1, 1) + Days::new(day0);
        let (orders, usage) = rows_of(&stories, day0);
        let ctx = Ctx {
            catalog: &CATALOG,
            as_of: day0 + Days::new(900),
            period: None,
            tolerance: TOLERANCE,
            alert_below: Decimal::TEN,
            progress: None,
        };
        let report = run(&ctx, orders, usage, Vec::new(), RunFacts::default());
        prop_assert_eq!(report.refunds.len(), stories.len(), "{:#?}", report.exceptions);
        let lang = if zh { Lang::Zh } else { Lang::En };
        let book = refunds_workbook(&report, lang);
        let (refunds_sheet, packs_sheet) = (sheet::REFUNDS.get(lang), sheet::REFUND_PACKS.get(lang));
        for (i, p) in report.refunds.iter().flat_map(|x| &x.packs).enumerate() {
            let row = i + 2;
            prop_assert_eq!(eval_both(&book, packs_sheet, &format!("{}{row}", letters::PACK_USED_VALUE))?, p.used_value);
            prop_assert_eq!(eval_both(&book, packs_sheet, &format!("{}{row}", letters::PACK_REFUND))?, p.refund);
        }
        for (i, x) in report.refunds.iter().enumerate() {
            let cell = format!("O{}", i + 2);
            prop_assert_eq!(eval_both(&book, refunds_sheet, &cell)?, x.refund_amount, "{}", &x.rule);
            match x.calc {
                RefundCalc::Nothing => {
                    prop_assert_eq!(x.decision, Decision::Rejected);
                    prop_assert_eq!(x.refund_amount, Decimal::ZERO);
                }
                RefundCalc::Full | RefundCalc::ProRata { .. } => {
                    prop_assert_eq!(x.decision, Decision::Approved);
                    prop_assert_eq!(figure_after(&x.rule, "= "), Some(x.refund_amount), "rule: {}", &x.rule);
                }
                RefundCalc::Packs => {
                    prop_assert_eq!(x.decision, Decision::Approved);
                    let own = &x.packs;
                    prop_assert!(!own.is_empty());
                    prop_assert_eq!(own.iter().map(|p| p.paid).sum::<Decimal>(), x.paid);
                    prop_assert_eq!(figure_after(&x.rule, "refund "), Some(x.refund_amount), "rule: {}", &x.rule);
                }
            }
        }
        // Only a pack refund holds pack rows.
        for x in &report.refunds {
            prop_assert_eq!(x.packs.is_empty(), x.calc != RefundCalc::Packs, "{:?}", x.calc);
        }
    }
}
