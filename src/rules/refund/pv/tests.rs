use super::*;
use crate::model::Metric;
use crate::rules::ledger::Entry;
use rust_decimal_macros::dec;

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

const TERMS: PvTerms = PvTerms {
    months: 1,
    unit_value: dec!(0.03),
};

/// `packs` 1M packs bought on line 1 of `order` on `bought`, the first with `bonus`.
fn buy(l: &mut Ledger, order: &str, bought: &str, packs: u32, bonus: u64) {
    for n in 1..=packs {
        let mut e = Entry::new(
            order,
            n,
            "qdm-pv",
            "1m",
            Metric::Pv,
            d(bought),
            crate::calendar::add_months(d(bought), 12),
        );
        e.line = 1;
        e.size = 1_000_000;
        e.bonus = if n == 1 { bonus } else { 0 };
        l.add(e);
    }
}

/// A refund request dated `date` of line 1 of `order`, bought on `bought` for `paid`.
fn request<'a>(order: &'a str, bought: &str, date: &str, paid: Decimal) -> PvRequest<'a> {
    PvRequest {
        order_id: order,
        line: 1,
        purchase: d(bought),
        date: d(date),
        invoiced: false,
        paid,
        voucher: Decimal::ZERO,
    }
}

fn refunds(pv: &PvRefund) -> Vec<(u32, u64, Decimal)> {
    pv.packs
        .iter()
        .map(|p| (p.pack, p.used, p.refund))
        .collect()
}

/// The guide's order P1 (three 1M packs for 90,000, a bonus of 10,000 PV) after 1,500,000
/// PV used, refunded whole on 2025-03-20; `before` buys other orders' packs first. Returns the
/// ledger and the refund with its (pack, used, refund) rows.
fn guide(before: impl FnOnce(&mut Ledger)) -> (Ledger, PvRefund, Vec<(u32, u64, Decimal)>) {
    let mut l = Ledger::default();
    before(&mut l);
    buy(&mut l, "P1", "2025-03-01", 3, 10_000);
    l.draw(1, d("2025-03-10"), Metric::Pv, 1_500_000, None);
    let req = request("P1", "2025-03-01", "2025-03-20", dec!(90000));
    let pv = pv_packs(&req, TERMS, &l).unwrap();
    let rows = refunds(&pv);
    (l, pv, rows)
}

/// The guide's example: one order of three 1M packs (30,000 each) with a bonus of 10,000 PV,
/// 1,500,000 PV used, all three refunded → 0 + 15,000 + 30,000 = 45,000.00.
#[test]
fn guide_pv_refund_is_45000() {
    let (l, pv, rows) = guide(|_| {});
    assert_eq!(
        rows,
        vec![
            (1, 1_000_000, dec!(0)),
            (2, 500_000, dec!(15000)),
            (3, 0, dec!(30000))
        ]
    );
    assert_eq!(pv.amount, dec!(45000.00));
    assert_eq!((pv.used, pv.used_value), (1_500_000, dec!(45000)));
    assert!(pv.packs.iter().all(|p| p.paid == dec!(30000)));
    assert_eq!(
        pv.rule,
        "within 1 month(s) of purchase (until 2025-04-01); bonus of the order voided and usage re-deducted; 3 pack(s), each max(0, paid − used × 0.03): 1,500,000 PV used = 45,000.00 of value; refund 45,000.00"
    );
    // The re-deducted ledger is returned; the one it was computed from is unchanged.
    let bonus_used = |l: &Ledger| l.entries().map(|e| e.used_bonus).sum::<u64>();
    assert_eq!(bonus_used(&pv.ledger), 0);
    assert_eq!(bonus_used(&l), 10_000);
}

#[test]
fn the_last_day_of_the_month_window_and_the_day_after() {
    let mut l = Ledger::default();
    buy(&mut l, "P1", "2025-01-31", 1, 0);
    let last = request("P1", "2025-01-31", "2025-02-28", dec!(30000));
    let pv = pv_packs(&last, TERMS, &l).unwrap();
    assert_eq!(pv.amount, dec!(30000));
    assert!(
        pv.rule
            .starts_with("within 1 month(s) of purchase (until 2025-02-28)")
    );
    let after = request("P1", "2025-01-31", "2025-03-01", dec!(30000));
    assert_eq!(
        pv_packs(&after, TERMS, &l),
        Err("packs are refundable within 1 calendar month(s) of purchase (2025-01-31 to 2025-02-28); requested 2025-03-01".into())
    );
}

#[test]
fn an_invoice_out_rejects_a_refund_within_the_window() {
    let mut l = Ledger::default();
    buy(&mut l, "P1", "2025-03-01", 1, 0);
    let mut req = request("P1", "2025-03-01", "2025-03-05", dec!(30000));
    req.invoiced = true;
    assert_eq!(
        pv_packs(&req, TERMS, &l),
        Err(
            "an invoice for order P1 is out and not returned: the refund waits until it is returned"
                .into()
        )
    );
    // Past the window, the window is what the words name.
    req.date = d("2025-05-01");
    assert!(
        pv_packs(&req, TERMS, &l)
            .unwrap_err()
            .starts_with("packs are refundable within")
    );
}

#[test]
fn a_pack_used_exactly_to_its_size_refunds_nothing() {
    let mut l = Ledger::default();
    buy(&mut l, "P1", "2025-03-01", 1, 0);
    l.draw(1, d("2025-03-02"), Metric::Pv, 1_000_000, None);
    let req = request("P1", "2025-03-01", "2025-03-05", dec!(30000));
    let pv = pv_packs(&req, TERMS, &l).unwrap();
    assert_eq!(refunds(&pv), vec![(1, 1_000_000, dec!(0.00))]);
    assert_eq!(pv.amount.to_string(), "0.00");
    assert!(
        pv.rule.ends_with("= 30,000.00 of value; refund 0.00"),
        "{}",
        pv.rule
    );
}

#[test]
fn the_bonus_of_another_order_still_counts() {
    let (_, pv, rows) = guide(|l| buy(l, "P0", "2025-02-01", 1, 20_000));
    // Without P1's bonus: P0's bonus 20,000, P0's pack 1,000,000, then P1's first 480,000.
    assert_eq!(
        rows,
        vec![
            (1, 480_000, dec!(15600)),
            (2, 0, dec!(30000)),
            (3, 0, dec!(30000))
        ]
    );
    assert_eq!(pv.amount, dec!(75600.00));
    let p0 = pv.ledger.packs("P0", 1).next().unwrap();
    assert_eq!((p0.used_bonus, p0.used_pack), (20_000, 1_000_000));
}

#[test]
fn a_voucher_on_a_pack_line_is_rejected() {
    let mut l = Ledger::default();
    buy(&mut l, "P1", "2025-03-01", 1, 0);
    let mut req = request("P1", "2025-03-01", "2025-03-05", dec!(30000));
    req.voucher = dec!(1);
    assert_eq!(
        pv_packs(&req, TERMS, &l),
        Err("the pack line shows a voucher, which packs cannot take".into())
    );
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
fn each_pack_refunds_paid_less_used_value_floored_at_zero() {
    let unit = dec!(0.03);
    assert_eq!(
        pack_refund(dec!(30000), 500_000, unit),
        (dec!(15000), dec!(15000))
    );
    assert_eq!(pack_refund(dec!(30000), 2_000_000, unit).1, dec!(0));
    assert_eq!(pack_refund(dec!(33.34), 1, unit).1, dec!(33.31));
}

#[test]
fn paid_splits_to_the_cent() {
    assert_eq!(split_paid(dec!(90000), 3), vec![dec!(30000); 3]);
    let v = split_paid(dec!(100), 3);
    assert_eq!(v, vec![dec!(33.33), dec!(33.33), dec!(33.34)]);
    assert_eq!(v.iter().sum::<Decimal>(), dec!(100));
    assert!(split_paid(dec!(1), 0).is_empty());
}
