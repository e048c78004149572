//! An account's states at `--as-of` once its events are replayed: each subscription's status
//! and reclaim date (Subscriptions sheet) and each pack's use and status (Packs sheet), by
//! the rules of `rules::subscription` and `rules::packs`.

use super::Ctx;
use super::state::AccountState;
use crate::report::{PackRow, SubscriptionRow};
use crate::rules::packs::{PackState, status as pack_status};
use crate::rules::subscription::{reclaim_date, status};

/// The account's subscriptions, by product, start and edition.
pub fn subscriptions(ctx: &Ctx, account_id: &str, st: &AccountState) -> Vec<SubscriptionRow> {
    let s = ctx.catalog.settings();
    let mut rows: Vec<SubscriptionRow> = st
        .subs
        .iter()
        .map(|sub| SubscriptionRow {
            account_id: account_id.to_string(),
            product: sub.sku.clone(),
            edition: sub.edition.clone(),
            quantity: sub.quantity,
            start: sub.start,
            expiry: sub.expiry,
            status: status(sub.vendor, sub.expiry, sub.refunded, ctx.as_of, s),
            days_to_expiry: (sub.expiry - ctx.as_of).num_days(),
            reclaim_date: reclaim_date(sub.vendor, sub.expiry, s),
        })
        .collect();
    rows.sort_by(|a, b| (&a.product, a.start, &a.edition).cmp(&(&b.product, b.start, &b.edition)));
    rows
}

/// The account's packs and bonus grants, in deduction order.
pub fn packs(ctx: &Ctx, account_id: &str, st: &AccountState) -> Vec<PackRow> {
    st.ledger
        .entries()
        .map(|e| {
            let remaining = e.remaining();
            let state = PackState {
                refunded: e.closed_at.is_some(),
                expires: e.expires,
                remaining,
                base: if e.size > 0 { e.size } else { e.bonus },
            };
            PackRow {
                account_id: account_id.to_string(),
                order_id: e.order_id.clone(),
                pack: e.pack,
                product: e.sku.clone(),
                edition: e.edition.clone(),
                size: e.size,
                bonus: if e.bonus_void { 0 } else { e.bonus },
                purchased: e.purchased,
                expires: e.expires,
                used: e.used(),
                remaining,
                overdrawn: e.overdrawn,
                status: pack_status(state, ctx.as_of, ctx.alert_below),
            }
        })
        .collect()
}
