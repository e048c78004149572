//! One account's replay: events in date order (on one day: new, addon, upgrade, renewal,
//! then refunds; ties by order_id, the subscriptions that others join first, then input
//! position), and the account's subscription and pack states at `--as-of`.

use super::state::AccountState;
use super::{Ctx, Event, events};
use crate::catalog::Catalog;
use crate::model::{ExceptionCode, OrderType, RowException};
use crate::report::{Line, PackRow, PackStatus, SubscriptionRow};
use crate::rules::subscription::{reclaim_date, status};
use std::collections::{BTreeMap, BTreeSet, HashMap};

#[derive(Debug, Default)]
pub struct AccountResult {
    pub lines: Vec<Line>,
    pub exceptions: Vec<RowException>,
    pub subscriptions: Vec<SubscriptionRow>,
    pub packs: Vec<PackRow>,
    pub outside_period: usize,
}

pub fn replay(ctx: &Ctx, account_id: &str, mut evs: Vec<Event>) -> AccountResult {
    let cat = ctx.catalog;
    evs.sort_by_cached_key(|e| {
        let joins = e
            .row
            .product
            .as_deref()
            .and_then(|p| cat.sku(p))
            .is_some_and(|(_, s)| s.joins.is_some());
        (
            e.row.order_date,
            e.row.kind,
            e.row.order_id.clone(),
            joins,
            e.row.position,
        )
    });
    let gaps = bundle_gaps(cat, &evs);
    let mut st = AccountState::default();
    let mut out = AccountResult::default();
    for ev in &evs {
        let result = match ev.row.kind {
            OrderType::New => events::new(ctx, &mut st, ev, &|bundle| {
                gaps.get(&(ev.row.order_id.clone(), bundle.to_string()))
                    .cloned()
            }),
            OrderType::Addon => events::addon(ctx, &mut st, ev),
            OrderType::Renewal => events::renewal(ctx, &mut st, ev),
            OrderType::Upgrade => events::upgrade(ctx, &mut st, ev),
            OrderType::Refund => Err(Box::new(super::lines::exception(
                ev,
                ExceptionCode::NotDecided,
                "type",
                "refund",
                "refund requests are not decided by this version of billrun; the row was read and set aside",
            ))),
        };
        match result {
            Ok(line) if ctx.in_period(line.order_date) => out.lines.push(line),
            Ok(_) => out.outside_period += 1,
            Err(e) => out.exceptions.push(*e),
        }
    }
    states(ctx, account_id, &st, &mut out);
    out
}

/// For each new order that buys any mandatory item of a bundle (the SSC purchase), the
/// message naming the mandatory items it lacks, by (order_id, bundle).
fn bundle_gaps(cat: &Catalog, evs: &[Event]) -> HashMap<(String, String), String> {
    let mut bought: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for e in evs.iter().filter(|e| e.row.kind == OrderType::New) {
        if let Some((code, _)) = e.row.product.as_deref().and_then(|p| cat.sku(p)) {
            bought.entry(&e.row.order_id).or_default().insert(code);
        }
    }
    let mut gaps = HashMap::new();
    for (order, skus) in bought {
        for (name, b) in &cat.file.bundles {
            if !b.mandatory.iter().any(|m| skus.contains(m.as_str())) {
                continue;
            }
            let missing: Vec<&str> = b
                .mandatory
                .iter()
                .map(String::as_str)
                .filter(|m| !skus.contains(m))
                .collect();
            if !missing.is_empty() {
                gaps.insert(
                    (order.to_string(), name.clone()),
                    format!(
                        "a new {} ({name}) must contain {}; order {order} lacks {}",
                        b.name,
                        b.mandatory.join(", "),
                        missing.join(", ")
                    ),
                );
            }
        }
    }
    gaps
}

fn states(ctx: &Ctx, account_id: &str, st: &AccountState, out: &mut AccountResult) {
    let s = ctx.catalog.settings();
    for sub in &st.subs {
        out.subscriptions.push(SubscriptionRow {
            account_id: account_id.to_string(),
            product: sub.sku.clone(),
            edition: sub.edition.clone(),
            quantity: sub.quantity,
            start: sub.start,
            expiry: sub.expiry,
            status: status(sub.vendor, sub.expiry, sub.refunded, ctx.as_of, s),
            days_to_expiry: (sub.expiry - ctx.as_of).num_days(),
            reclaim_date: reclaim_date(sub.vendor, sub.expiry, s),
        });
    }
    out.subscriptions
        .sort_by(|a, b| (&a.product, a.start, &a.edition).cmp(&(&b.product, b.start, &b.edition)));
    for p in &st.packs {
        let expired = p.expires.is_some_and(|e| e <= ctx.as_of);
        out.packs.push(PackRow {
            account_id: account_id.to_string(),
            order_id: p.order_id.clone(),
            pack: p.pack,
            product: p.sku.clone(),
            edition: p.edition.clone(),
            size: p.size,
            bonus: p.bonus,
            purchased: p.purchased,
            expires: p.expires,
            used: 0,
            remaining: p.size,
            overdrawn: 0,
            status: if expired {
                PackStatus::Expired
            } else {
                PackStatus::Active
            },
        });
    }
}
