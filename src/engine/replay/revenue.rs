//! Revenue recognition of one account's priced lines for `--period` (SPEC 6): every line
//! ordered before the period's end, recognized before the period, in it, and deferred at
//! its end. Pack usage comes from the account's ledger as it stood at each bound.

use super::Ctx;
use super::state::{AccountState, Orig};
use crate::catalog::Model;
use crate::report::RevenueRow;
use crate::rules::ledger::Ledger;
use crate::rules::revenue::{Method, after_refund, recognized, split};
use chrono::NaiveDate;
use rust_decimal::Decimal;

pub fn revenue_rows(ctx: &Ctx, account_id: &str, st: &AccountState) -> Vec<RevenueRow> {
    let Some((from, to)) = ctx.period else {
        return Vec::new();
    };
    let (at_from, at_to) = (st.ledger.before(from), st.ledger.before(to));
    let mut orders: Vec<(&String, &Vec<Orig>)> = st.orders.iter().collect();
    orders.sort_by_key(|(id, _)| *id);
    let mut rows = Vec::new();
    for (order_id, lines) in orders {
        for o in lines.iter().filter(|o| o.order_date < to) {
            let method = method(ctx, st, order_id, o);
            let used = |l: &Ledger| -> u64 {
                l.packs(order_id, o.line)
                    .map(|e| e.used_pack)
                    .fold(0u64, u64::saturating_add)
            };
            let refund = o.refunded_by.as_ref().map(|(_, d, a)| (*d, *a));
            let at = |d: NaiveDate, l: &Ledger| {
                after_refund(
                    recognized(method, o.expected, d, used(l)),
                    o.expected,
                    refund,
                    d,
                )
            };
            let refunded = refund
                .filter(|(d, _)| *d < to)
                .map(|(_, a)| a)
                .unwrap_or(Decimal::ZERO);
            let (before, in_period, deferred) =
                split(at(from, &at_from), at(to, &at_to), o.expected - refunded);
            rows.push(RevenueRow {
                order_id: order_id.clone(),
                line: o.line,
                account_id: account_id.to_string(),
                product: o.sku.clone(),
                expected_amount: o.expected,
                recognized_before: before,
                recognized_in_period: in_period,
                deferred_at_end: deferred,
                refunded,
                method: match refund {
                    Some((d, a)) if d < to => format!(
                        "{}; refunded {} on {d}",
                        method.describe(),
                        crate::money::fmt_money(a)
                    ),
                    _ => method.describe(),
                },
            });
        }
    }
    rows.sort_by(|a, b| (&a.order_id, a.line).cmp(&(&b.order_id, b.line)));
    rows
}

/// How the line earns its amount: packs as used, subscriptions by day over their service,
/// everything else on its order date.
fn method(ctx: &Ctx, st: &AccountState, order_id: &str, o: &Orig) -> Method {
    let is_pack = ctx
        .catalog
        .sku_by_code(&o.sku)
        .is_some_and(|s| s.model == Model::Pack);
    if is_pack {
        let capacity = st
            .ledger
            .packs(order_id, o.line)
            .map(|e| e.size)
            .fold(0u64, u64::saturating_add);
        let expires = st
            .ledger
            .packs(order_id, o.line)
            .next()
            .and_then(|e| e.expires);
        return Method::Packs { capacity, expires };
    }
    match o.service {
        Some((start, end)) => Method::StraightLine {
            start,
            end,
            ordered: o.order_date,
        },
        None => Method::OneTime { date: o.order_date },
    }
}
