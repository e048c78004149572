//! `type = upgrade` (Quick Audience basic → standard): the rules pick the subscription, the
//! new price and the charge by days (SPEC 2.4); this applies the new edition to it.

use super::lines::{LineFacts, finish};
use super::resolve::{self as rv, R, refused};
use super::state::AccountState;
use super::{Ctx, Event, qa};
use crate::report::Line;
use crate::rules::upgrade::{applies, charge, new_price, upgraded};

pub fn upgrade(ctx: &Ctx, st: &mut AccountState, ev: &Event) -> R<Line> {
    let cat = ctx.catalog;
    let (code, sku) = rv::sku(cat, ev)?;
    applies(sku.vendor, code).map_err(|r| refused(ev, r))?;
    let d = ev.row.order_date;
    let e = rv::edition(cat, ev, code, sku, None)?;
    qa::region(ctx, ev, code, sku, &e, false)?;
    let si = upgraded(&st.subs, code, e.code, d).map_err(|r| refused(ev, r))?;
    let sub = st.subs[si].clone();
    let price = new_price(code, e.code, ev.row.unit_price, e.def.price, &sub)
        .map_err(|r| refused(ev, r))?;
    let q = rv::quantity_or(ev, sub.quantity)?;
    let p = charge(&sub, e.code, price, q, d);
    let facts = LineFacts {
        product: code,
        edition: e.code,
        quantity: q,
        term: String::new(),
        service: Some((d, sub.expiry)),
    };
    let l = finish(ev, facts, p, ctx.tolerance)?;
    let s = &mut st.subs[si];
    s.edition = e.code.to_string();
    s.unit_price = price;
    s.quantity = q;
    Ok(l)
}
