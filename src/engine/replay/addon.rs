//! `type = addon` (and lines of add-on-only SKUs): the rules find the subscription the
//! add-on joins and price it to that subscription's expiry (SPEC 2.2); this applies the
//! result: the added units grow the account's subscription, boosters join a CDP cover.

use super::lines::{LineFacts, finish};
use super::purchase::grant_bonus;
use super::resolve::{self as rv, R, refused};
use super::state::AccountState;
use super::{Ctx, Event, qa};
use crate::catalog::{Model, SkuDef};
use crate::model::ExceptionCode as C;
use crate::report::Line;
use crate::rules::addon::{self as rule, coterminated, rounding};
use crate::rules::cdp;
use crate::rules::records::Refused;
use crate::rules::subscription::{Sub, active};

/// An add-on of a SKU with a term (the replay prices add-ons of packs and one-time items as
/// purchases).
pub fn addon(ctx: &Ctx, st: &mut AccountState, ev: &Event) -> R<Line> {
    let cat = ctx.catalog;
    let (code, sku) = rv::sku(cat, ev)?;
    rv::payment(ev, code, sku)?;
    let q = rv::quantity(ev)?;
    let d = ev.row.order_date;
    if sku.model == Model::CapacityYear {
        return addon_capacity(ctx, st, ev, code, sku, q);
    }
    let anchor = sku.joins.as_deref().unwrap_or(code);
    let fallback = rule::default_edition(&st.subs, code, d).map(str::to_string);
    let e = rv::edition(cat, ev, code, sku, fallback.as_deref())?;
    let region = qa::region(ctx, ev, code, sku, &e, true)?;
    qa::requirements(st, ev, code, sku, region)?;
    let j = rule::join(&st.subs, &ev.row.account_id, code, anchor, e.code, d)
        .map_err(|r| refused(ev, r))?;
    let b = rv::base(ev, code, sku, &e, q, j.already)?;
    let what = rule::what(ev.row.kind, code, anchor);
    let p = coterminated(sku.vendor, &b, d, j.expiry, rounding(cat.settings()), &what);
    let facts = LineFacts {
        product: code,
        edition: e.code,
        quantity: q,
        term: String::new(),
        service: Some((d, j.expiry)),
    };
    let l = finish(ev, facts, p, ctx.tolerance)?;
    grant_bonus(st, ev, code, sku, e.code, q);
    let added = Sub {
        sku: code.to_string(),
        edition: e.code.to_string(),
        vendor: sku.vendor,
        quantity: q,
        start: d,
        expiry: j.expiry,
        unit_price: b.unit_price,
        order_id: ev.row.order_id.clone(),
        refunded: false,
    };
    grow(st, j.own, added);
    Ok(l)
}

/// The added units grow the subscription `own`, or start one of their own.
fn grow(st: &mut AccountState, own: Option<usize>, added: Sub) {
    match own {
        Some(i) => st.subs[i].quantity = st.subs[i].quantity.saturating_add(added.quantity),
        None => st.subs.push(added),
    }
}

/// A CDP add-on row gives the new customer count: the boosters beyond the current cover are
/// billed, and join the cover.
fn addon_capacity(
    ctx: &Ctx,
    st: &mut AccountState,
    ev: &Event,
    code: &str,
    sku: &SkuDef,
    q: u64,
) -> R<Line> {
    let d = ev.row.order_date;
    let Some(ci) = active(&st.subs, code, None, d) else {
        return Err(refused(
            ev,
            Refused::new(
                C::NoSubscription,
                "product",
                code,
                format!(
                    "no active {code} subscription for account {} on {d}",
                    ev.row.account_id
                ),
            ),
        ));
    };
    let (booster, bp) = cdp::booster_price(ctx.catalog, sku).map_err(|r| refused(ev, r))?;
    let sub = st.subs[ci].clone();
    let bi = active(&st.subs, &booster, None, d);
    let now = cdp::Cover {
        edition: &sub.edition,
        capacity: sku
            .editions
            .get(&sub.edition)
            .and_then(|e| e.capacity)
            .unwrap_or(0),
        boosters: bi.map(|i| st.subs[i].quantity).unwrap_or(0),
        booster_size: sku.booster_size.unwrap_or(1).max(1),
    };
    let price = ev.row.unit_price.unwrap_or(bp);
    let rounding = rounding(ctx.catalog.settings());
    let (needed, p) = cdp::addon(sku.vendor, &now, q, price, d, sub.expiry, rounding);
    let facts = LineFacts {
        product: code,
        edition: &sub.edition,
        quantity: q,
        term: String::new(),
        service: Some((d, sub.expiry)),
    };
    let l = finish(ev, facts, p, ctx.tolerance)?;
    st.subs[ci].quantity = st.subs[ci].quantity.max(q);
    if needed > 0 {
        match (bi, ctx.catalog.sku_by_code(&booster)) {
            (Some(i), _) => st.subs[i].quantity += needed,
            (None, Some(bs)) => st.subs.push(Sub {
                sku: booster,
                edition: String::new(),
                vendor: bs.vendor,
                quantity: needed,
                start: d,
                expiry: sub.expiry,
                unit_price: bp,
                order_id: ev.row.order_id.clone(),
                refunded: false,
            }),
            (None, None) => {}
        }
    }
    Ok(l)
}
