//! `type = renewal`: the rules say which subscription is renewed and that it counts from the
//! previous expiry within grace (SPEC 2.3); this prices the term and extends the
//! subscription (for a CDP cover, with its boosters and the cover chosen again).

use super::lines::{LineFacts, finish};
use super::resolve::{self as rv, R, end_of, refused};
use super::state::AccountState;
use super::{Ctx, Event, qa};
use crate::catalog::{Model, Vendor};
use crate::report::Line;
use crate::rules::cdp;
use crate::rules::pricing;
use crate::rules::renewal::{renew, renewed};
use crate::rules::subscription::latest;

pub fn renewal(ctx: &Ctx, st: &mut AccountState, ev: &Event) -> R<Line> {
    let cat = ctx.catalog;
    let (code, sku) = rv::sku(cat, ev)?;
    rv::payment(ev, code, sku)?;
    let d = ev.row.order_date;
    // `auto` asks for the cheapest cover of the count (SPEC 1.1, CDP only); no edition
    // renews the edition held.
    let auto = ev
        .row
        .edition
        .as_deref()
        .is_some_and(|e| e.eq_ignore_ascii_case("auto"));
    let given = ev
        .row
        .edition
        .as_deref()
        .filter(|e| !e.trim().is_empty() && !auto);
    let ed_code = match given {
        Some(_) if sku.model != Model::CapacityYear => {
            Some(rv::edition(cat, ev, code, sku, None)?.code.to_string())
        }
        _ => None,
    };
    let si = renewed(&st.subs, &ev.row.account_id, code, ed_code.as_deref())
        .map_err(|r| refused(ev, r))?;
    let sub = st.subs[si].clone();
    let renewing =
        renew(sku.vendor, code, sub.expiry, d, cat.settings()).map_err(|r| refused(ev, r))?;
    let t = rv::term(cat, ev, code, sku)?;
    let q = rv::quantity_or(ev, sub.quantity)?;
    let new_expiry = end_of(ev, renewing.from, t.months)?;
    let what = &renewing.what;
    if sku.model == Model::CapacityYear {
        let wanted = if auto {
            None
        } else {
            Some(given.unwrap_or(&sub.edition))
        };
        let (plan, why) = cdp::cover(cat, code, sku, q, wanted).map_err(|r| refused(ev, r))?;
        let b = cdp::cover_base(ev.row.unit_price, &plan, &why);
        let facts = LineFacts {
            product: code,
            edition: &plan.edition,
            quantity: q,
            term: t.to_string(),
            service: Some((renewing.from, new_expiry)),
        };
        let l = finish(
            ev,
            facts,
            pricing::years(&b, t.months / 12, what),
            ctx.tolerance,
        )?;
        let booster = sku.booster.clone().unwrap_or_default();
        if let Some(bi) =
            latest(&st.subs, &booster, None).filter(|i| st.subs[*i].expiry == sub.expiry)
        {
            st.subs[bi].expiry = new_expiry;
            st.subs[bi].quantity = plan.boosters;
        }
        let s = &mut st.subs[si];
        s.expiry = new_expiry;
        s.quantity = q;
        s.edition = plan.edition.clone();
        s.unit_price = plan.edition_price;
        return Ok(l);
    }
    let e = rv::edition(cat, ev, code, sku, Some(&sub.edition))?;
    rv::minimum(ev, code, &e, q)?;
    qa::region(ctx, ev, code, sku, &e, false)?;
    let b = rv::base(ev, code, sku, &e, q, 0)?;
    let p = match sku.vendor {
        Vendor::Tencent => pricing::years(&b, t.months / 12, what),
        Vendor::Alibaba => pricing::months(&b, t.months, what),
    };
    let facts = LineFacts {
        product: code,
        edition: e.code,
        quantity: q,
        term: t.to_string(),
        service: Some((renewing.from, new_expiry)),
    };
    let l = finish(ev, facts, p, ctx.tolerance)?;
    let s = &mut st.subs[si];
    s.expiry = new_expiry;
    s.quantity = q;
    s.unit_price = b.unit_price;
    Ok(l)
}
