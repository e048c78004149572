use super::*;

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn pv(order: &str, pack: u32, size: u64, bonus: u64, bought: &str) -> Entry {
    let mut e = Entry::new(
        order,
        pack,
        "qdm-pv",
        "1m",
        Metric::Pv,
        d(bought),
        crate::calendar::add_months(d(bought), 12),
    );
    e.size = size;
    e.bonus = bonus;
    e
}

/// The guide's PV example: three 1M packs with a 10,000 bonus, 1,500,000 PV used.
fn guide() -> Ledger {
    let mut l = Ledger::default();
    l.add(pv("A-1", 1, 1_000_000, 10_000, "2025-03-01"));
    l.add(pv("A-1", 2, 1_000_000, 0, "2025-03-01"));
    l.add(pv("A-1", 3, 1_000_000, 0, "2025-03-01"));
    l.draw(1, d("2025-03-10"), Metric::Pv, 1_500_000, None);
    l
}

fn used(l: &Ledger) -> Vec<(u64, u64)> {
    l.entries().map(|e| (e.used_bonus, e.used_pack)).collect()
}

#[test]
fn bonus_first_then_packs_in_order() {
    let l = guide();
    assert_eq!(used(&l), vec![(10_000, 1_000_000), (0, 490_000), (0, 0)]);
    assert_eq!(l.totals(Metric::Pv), (1_500_000, 1_500_000));
}

#[test]
fn a_voided_bonus_re_deducts_the_usage_from_the_packs() {
    let l = guide();
    let without = l.without_bonus_of("A-1");
    assert_eq!(used(&without), vec![(0, 1_000_000), (0, 500_000), (0, 0)]);
    assert_eq!(without.entries().next().map(Entry::remaining), Some(0));
    // The ledger it was computed from is unchanged.
    assert_eq!(used(&l), vec![(10_000, 1_000_000), (0, 490_000), (0, 0)]);
}

#[test]
fn another_orders_bonus_still_counts_after_a_void() {
    let mut l = guide();
    l.add(pv("A-0", 1, 1_000_000, 20_000, "2025-02-01"));
    l.replay();
    let l = l.without_bonus_of("A-1");
    // A-0's bonus first, then its pack (older), then A-1's packs.
    let a0 = l.packs("A-0", 0).next().unwrap();
    assert_eq!(
        (a0.order_id.as_str(), a0.used_bonus, a0.used_pack),
        ("A-0", 20_000, 1_000_000)
    );
    let a1: Vec<u64> = l.packs("A-1", 0).map(|e| e.used_pack).collect();
    assert_eq!(a1, vec![480_000, 0, 0]);
}

#[test]
fn the_named_order_is_drawn_first() {
    let mut l = Ledger::default();
    l.add(pv("OLD", 1, 100, 0, "2025-01-01"));
    l.add(pv("NEW", 1, 100, 0, "2025-02-01"));
    l.draw(1, d("2025-03-01"), Metric::Pv, 150, Some("NEW"));
    assert_eq!(used(&l), vec![(0, 50), (0, 100)]);
}

#[test]
fn expired_and_closed_packs_are_skipped_and_the_rest_is_overdrawn() {
    let mut l = Ledger::default();
    l.add(pv("P", 1, 100, 0, "2024-03-01"));
    l.add(pv("Q", 1, 100, 0, "2025-01-01"));
    // P is valid up to 2025-02-28 and not on 2025-03-01 (one year from purchase).
    let last_day = l.draw(1, d("2025-02-28"), Metric::Pv, 10, None);
    assert_eq!(
        last_day,
        Drawn {
            from_packs: 10,
            overdrawn: 0
        }
    );
    assert_eq!(used(&l), vec![(0, 10), (0, 0)]);
    l.close("Q", 0, 2);
    let after = l.draw(3, d("2025-03-01"), Metric::Pv, 30, None);
    assert_eq!(
        after,
        Drawn {
            from_packs: 0,
            overdrawn: 30
        }
    );
    assert_eq!(l.totals(Metric::Pv), (40, 10));
}

#[test]
fn overdraft_lands_on_the_last_valid_pack_and_never_below_zero() {
    let mut l = Ledger::default();
    l.add(pv("P", 1, 100, 0, "2025-01-01"));
    l.add(pv("P", 2, 100, 0, "2025-01-01"));
    let r = l.draw(1, d("2025-01-02"), Metric::Pv, 250, None);
    assert_eq!(
        r,
        Drawn {
            from_packs: 200,
            overdrawn: 50
        }
    );
    let overdrawn: Vec<u64> = l.packs("P", 0).map(|e| e.overdrawn).collect();
    assert_eq!(overdrawn, vec![0, 50]);
    assert!(l.entries().all(|e| e.remaining() == 0));
}

#[test]
fn packs_bought_after_a_draw_do_not_serve_it_on_replay() {
    let mut l = Ledger::default();
    l.draw(1, d("2025-01-01"), Metric::Sessions, 10, None);
    let mut e = pv("S", 1, 100, 0, "2025-01-02");
    e.metric = Metric::Sessions;
    l.add(e);
    l.replay();
    assert_eq!(l.totals(Metric::Sessions), (10, 0));
}

#[test]
fn packs_are_one_order_lines_in_pack_order_and_close_only_them() {
    let mut l = Ledger::default();
    let mut line = |order: &str, line: u32, pack: u32| {
        let mut e = pv(order, pack, 100, 0, "2025-01-01");
        e.line = line;
        l.add(e);
    };
    line("P", 1, 1);
    line("P", 2, 1);
    line("P", 1, 2);
    line("Q", 1, 1);
    let packs =
        |l: &Ledger, o: &str, n: u32| -> Vec<u32> { l.packs(o, n).map(|e| e.pack).collect() };
    assert_eq!(packs(&l, "P", 1), vec![1, 2]);
    assert_eq!(packs(&l, "P", 2), vec![1]);
    assert_eq!(packs(&l, "P", 3), Vec::<u32>::new());
    l.close("P", 1, 5);
    let closed: Vec<(&str, u32, Option<u64>)> = l
        .entries()
        .map(|e| (e.order_id.as_str(), e.line, e.closed_at))
        .collect();
    assert_eq!(
        closed,
        vec![
            ("P", 1, Some(5)),
            ("P", 2, None),
            ("P", 1, Some(5)),
            ("Q", 1, None)
        ]
    );
}
