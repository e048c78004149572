//! `type = new`: a subscription, a pack, a one-time item or a CDP cover bought. The rules
//! price it; this applies the result to the account: the subscription held, the packs and
//! bonus granted in the ledger.

use super::lines::{LineFacts, finish};
use super::resolve::{self as rv, R, end_of, fail, refused};
use super::state::AccountState;
use super::{Ctx, Event, qa};
use crate::catalog::{Model, SkuDef, Vendor};
use crate::model::{ExceptionCode as C, MAX_QUANTITY, Metric};
use crate::money::fmt_num;
use crate::report::Line;
use crate::rules::cdp::{self, Plan};
use crate::rules::ledger::Entry;
use crate::rules::pricing;
use crate::rules::subscription::{Sub, over_limit};
use chrono::NaiveDate;

/// `type = new`.
/// `bundle_gap` names what the row's order lacks of a bundle's mandatory items, if anything.
pub fn new(
    ctx: &Ctx,
    st: &mut AccountState,
    ev: &Event,
    bundle_gap: &dyn Fn(&str) -> Option<String>,
) -> R<Line> {
    let cat = ctx.catalog;
    let (code, sku) = rv::sku(cat, ev)?;
    if let Some(gap) = sku.bundle.as_deref().and_then(bundle_gap) {
        return Err(fail(ev, C::MissingRequirement, "product", code, gap));
    }
    rv::payment(ev, code, sku)?;
    let q = rv::quantity(ev)?;
    let row = &ev.row;
    let start = row.start_date.unwrap_or(row.order_date);
    if sku.model == Model::CapacityYear {
        return new_capacity(ctx, st, ev, code, sku, q, start);
    }
    let e = rv::edition(cat, ev, code, sku, None)?;
    rv::minimum(ev, code, &e, q)?;
    let region = qa::region(ctx, ev, code, sku, &e, true)?;
    qa::requirements(st, ev, code, sku, region)?;
    if let Some(r) = e
        .def
        .max_active_per_account
        .and_then(|max| over_limit(&st.subs, code, e.code, max, start))
    {
        return Err(refused(ev, r));
    }
    let b = rv::base(ev, code, sku, &e, q, 0)?;
    let facts = |term: String, service| LineFacts {
        product: code,
        edition: e.code,
        quantity: q,
        term,
        service,
    };
    match sku.model {
        Model::OneTime => finish(
            ev,
            facts(String::new(), None),
            pricing::once(&b, "one-time"),
            ctx.tolerance,
        ),
        Model::Pack => {
            let size = e.def.pack_size.unwrap_or(0);
            let expires = match sku.valid_months {
                Some(m) => Some(end_of(ev, row.order_date, m)?),
                None => None,
            };
            let packs = pack_count(ev, code, q)?;
            let bonus = bonus_quantity(ev)?;
            let p = pricing::once(
                &b,
                &format!(
                    "{} pack{} of {}:",
                    fmt_num(q.into()),
                    if q == 1 { "" } else { "s" },
                    fmt_num(size.into())
                ),
            );
            let l = finish(ev, facts(String::new(), None), p, ctx.tolerance)?;
            if let Some(metric) = sku.metric.as_deref().and_then(Metric::parse) {
                for n in 1..=packs {
                    let mut entry = Entry::new(
                        &row.order_id,
                        n,
                        code,
                        e.code,
                        metric,
                        row.order_date,
                        expires,
                    );
                    entry.line = ev.line;
                    entry.size = size;
                    entry.bonus = if n == 1 { bonus } else { 0 };
                    st.ledger.add(entry);
                }
            }
            Ok(l)
        }
        _ => {
            let t = rv::term(cat, ev, code, sku)?;
            let end = end_of(ev, start, t.months)?;
            let p = match sku.vendor {
                Vendor::Tencent => pricing::years(&b, t.months / 12, "new"),
                Vendor::Alibaba => pricing::months(&b, t.months, "new"),
            };
            let l = finish(
                ev,
                facts(t.to_string(), Some((start, end))),
                p,
                ctx.tolerance,
            )?;
            st.subs.push(Sub {
                sku: code.to_string(),
                edition: e.code.to_string(),
                vendor: sku.vendor,
                quantity: q,
                start,
                expiry: end,
                unit_price: b.unit_price,
                order_id: row.order_id.clone(),
                refunded: false,
            });
            grant_bonus(st, ev, code, sku, e.code, q);
            Ok(l)
        }
    }
}

/// Packs one line may buy: each is tracked on its own in the ledger, so the count is bounded.
pub const MAX_PACKS_PER_LINE: u64 = 10_000;

fn pack_count(ev: &Event, code: &str, q: u64) -> R<u32> {
    if q > MAX_PACKS_PER_LINE {
        return Err(fail(
            ev,
            C::LimitExceeded,
            "quantity",
            q.to_string(),
            format!(
                "one {code} line may buy at most {} packs; the row buys {}: split it over several lines",
                fmt_num(MAX_PACKS_PER_LINE.into()),
                fmt_num(q.into())
            ),
        ));
    }
    // q ≤ MAX_PACKS_PER_LINE, so it fits a u32.
    Ok(q as u32)
}

fn bonus_quantity(ev: &Event) -> R<u64> {
    match ev.row.bonus_quantity {
        Some(b) if b > MAX_QUANTITY => Err(fail(
            ev,
            C::BadValue,
            "bonus_quantity",
            b.to_string(),
            format!(
                "bonus_quantity {} is more than the {} one line may hold",
                fmt_num(b.into()),
                fmt_num(MAX_QUANTITY.into())
            ),
        )),
        b => Ok(b.unwrap_or(0)),
    }
}

/// The bonus usage a SKU includes per unit bought (ssc-robot: 50,000 sessions a set), as a
/// bonus-only grant in the ledger. Renewals grant nothing: the bonus comes with the purchase.
pub(super) fn grant_bonus(
    st: &mut AccountState,
    ev: &Event,
    code: &str,
    sku: &SkuDef,
    edition: &str,
    q: u64,
) {
    let (Some(per_unit), Some(metric)) = (sku.bonus, sku.metric.as_deref().and_then(Metric::parse))
    else {
        return;
    };
    let mut entry = Entry::new(
        &ev.row.order_id,
        1,
        code,
        edition,
        metric,
        ev.row.order_date,
        None,
    );
    entry.line = ev.line;
    entry.bonus = per_unit.saturating_mul(q);
    st.ledger.add(entry);
}

fn new_capacity(
    ctx: &Ctx,
    st: &mut AccountState,
    ev: &Event,
    code: &str,
    sku: &SkuDef,
    q: u64,
    start: NaiveDate,
) -> R<Line> {
    let t = rv::term(ctx.catalog, ev, code, sku)?;
    let (plan, why) = cdp::cover(ctx.catalog, code, sku, q, ev.row.edition.as_deref())
        .map_err(|r| refused(ev, r))?;
    let b = cdp::cover_base(ev.row.unit_price, &plan, &why);
    let end = end_of(ev, start, t.months)?;
    let facts = LineFacts {
        product: code,
        edition: &plan.edition,
        quantity: q,
        term: t.to_string(),
        service: Some((start, end)),
    };
    let l = finish(
        ev,
        facts,
        pricing::years(&b, t.months / 12, "new"),
        ctx.tolerance,
    )?;
    push_cover(st, ev, code, sku, &plan, q, (start, end));
    Ok(l)
}

/// The subscriptions a CDP cover holds: the edition, and its boosters when it needs any.
fn push_cover(
    st: &mut AccountState,
    ev: &Event,
    code: &str,
    sku: &SkuDef,
    plan: &Plan,
    q: u64,
    (start, end): (NaiveDate, NaiveDate),
) {
    let booster = sku.booster.clone().unwrap_or_default();
    st.subs.push(Sub {
        sku: code.to_string(),
        edition: plan.edition.clone(),
        vendor: sku.vendor,
        quantity: q,
        start,
        expiry: end,
        unit_price: plan.edition_price,
        order_id: ev.row.order_id.clone(),
        refunded: false,
    });
    if plan.boosters > 0 {
        st.subs.push(Sub {
            sku: booster,
            edition: String::new(),
            vendor: sku.vendor,
            quantity: plan.boosters,
            start,
            expiry: end,
            unit_price: plan.booster_price,
            order_id: ev.row.order_id.clone(),
            refunded: false,
        });
    }
}
