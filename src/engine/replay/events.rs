//! The four priced events of an account (SPEC 2): new purchases, co-terminated add-ons,
//! renewals from the previous expiry, and Quick Audience upgrades. Each returns the priced
//! line or the row's exception, and updates the account's state only on success.

use super::lines::{LineFacts, finish};
use super::resolve::{self as rv, R, fail};
use super::state::{AccountState, Sub};
use super::{Ctx, Event, qa};
use crate::calendar::{MonthRounding, add_months, days_between};
use crate::catalog::{Catalog, Edition, Model, MonthRoundingDef, SkuDef, Vendor};
use crate::model::{ExceptionCode as C, MAX_QUANTITY, Metric};
use crate::money::{fmt_money, fmt_num};
use crate::report::Line;
use crate::rules::cdp::{self, Plan};
use crate::rules::ledger::Entry;
use crate::rules::pricing::{self, Base, Priced};
use crate::rules::subscription::grace_end;
use chrono::NaiveDate;
use rust_decimal::Decimal;

fn rounding(cat: &Catalog) -> MonthRounding {
    match cat.settings().addon_months {
        MonthRoundingDef::Ceil => MonthRounding::Ceil,
        MonthRoundingDef::Floor => MonthRounding::Floor,
    }
}

fn end_of(ev: &Event, start: NaiveDate, months: u32) -> R<NaiveDate> {
    add_months(start, months).ok_or_else(|| {
        fail(
            ev,
            C::BadValue,
            "order_date",
            start.to_string(),
            "the term runs past the last date the calendar holds",
        )
    })
}

fn line(ctx: &Ctx, ev: &Event, f: LineFacts, p: Priced) -> R<Line> {
    finish(ev, f, p, ctx.tolerance)
}

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
    if sku.addon_only {
        return addon(ctx, st, ev);
    }
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
    if let Some(max) = e.def.max_active_per_account
        && st.count_active(code, e.code, start) >= max as usize
    {
        return Err(fail(
            ev,
            C::LimitExceeded,
            "edition",
            e.code,
            format!(
                "an account may hold at most {max} active {code} {} subscription(s); this account already has one on {start}",
                e.code
            ),
        ));
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
        Model::OneTime => line(
            ctx,
            ev,
            facts(String::new(), None),
            pricing::once(&b, "one-time"),
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
            let l = line(ctx, ev, facts(String::new(), None), p)?;
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
            let l = line(ctx, ev, facts(t.to_string(), Some((start, end))), p)?;
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
fn grant_bonus(st: &mut AccountState, ev: &Event, code: &str, sku: &SkuDef, edition: &str, q: u64) {
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

fn booster_price(ctx: &Ctx, ev: &Event, sku: &SkuDef) -> R<(String, Decimal)> {
    let code = sku.booster.clone().unwrap_or_default();
    let price = ctx.catalog.sku_by_code(&code).and_then(|b| b.price);
    match price {
        Some(p) => Ok((code, p)),
        None => Err(fail(
            ev,
            C::NoPrice,
            "product",
            code.clone(),
            format!("the booster SKU {code} has no list price in the catalog"),
        )),
    }
}

/// The CDP cover for `customers`: the row's edition, or the cheapest with `auto`/empty. The
/// text names the cheapest cover when an explicit edition is not it.
fn cover(
    ctx: &Ctx,
    ev: &Event,
    code: &str,
    sku: &SkuDef,
    customers: u64,
    edition: Option<&str>,
) -> R<(Plan, String)> {
    let (_, bp) = booster_price(ctx, ev, sku)?;
    let cheapest = cdp::cheapest(sku, customers, bp);
    let wanted = edition.filter(|e| !e.trim().is_empty() && !e.trim().eq_ignore_ascii_case("auto"));
    let Some(w) = wanted else {
        let plan = cheapest.ok_or_else(|| {
            fail(
                ev,
                C::NoPrice,
                "edition",
                "auto",
                format!("no {code} edition has a list price to choose from"),
            )
        })?;
        let why = format!(
            "cheapest cover of {} customers: {}",
            fmt_num(customers.into()),
            plan.describe()
        );
        return Ok((plan, why));
    };
    let e = ctx.catalog.edition(sku, Some(w)).map_err(|acc| {
        fail(
            ev,
            C::BadValue,
            "edition",
            w,
            format!(
                "'{w}' is not an edition of {code}; accepted: auto, {}",
                acc.join(", ")
            ),
        )
    })?;
    let plan = cdp::with_edition(sku, e.code, &e.def, customers, bp).ok_or_else(|| {
        fail(
            ev,
            C::NoPrice,
            "edition",
            w,
            format!("{code} {} has no list price", e.code),
        )
    })?;
    let mut why = format!(
        "{} customers: {}",
        fmt_num(customers.into()),
        plan.describe()
    );
    if let Some(c) = cheapest.filter(|c| c.annual < plan.annual) {
        why.push_str(&format!(
            "; cheapest cover would be {} ({} less per year)",
            c.describe(),
            fmt_money(plan.annual - c.annual)
        ));
    }
    Ok((plan, why))
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
    let (plan, why) = cover(ctx, ev, code, sku, q, ev.row.edition.as_deref())?;
    let b = capacity_base(ev, &plan, why);
    let end = end_of(ev, start, t.months)?;
    let facts = LineFacts {
        product: code,
        edition: &plan.edition,
        quantity: q,
        term: t.to_string(),
        service: Some((start, end)),
    };
    let l = line(ctx, ev, facts, pricing::years(&b, t.months / 12, "new"))?;
    push_cover(ctx, st, ev, code, sku, &plan, q, start, end);
    Ok(l)
}

/// A CDP line's base: the whole cover per year, or the row's contract price for it.
fn capacity_base(ev: &Event, plan: &Plan, why: String) -> Base {
    match ev.row.unit_price {
        Some(p) => Base {
            unit_price: p,
            billable: Decimal::ONE,
            how: format!("1 × {} (contract price; {why})", fmt_num(p)),
        },
        None => Base {
            unit_price: plan.annual,
            billable: Decimal::ONE,
            how: format!("1 × {} ({why})", fmt_num(plan.annual)),
        },
    }
}

#[allow(clippy::too_many_arguments)]
fn push_cover(
    ctx: &Ctx,
    st: &mut AccountState,
    ev: &Event,
    code: &str,
    sku: &SkuDef,
    plan: &Plan,
    q: u64,
    start: NaiveDate,
    end: NaiveDate,
) {
    let booster = sku.booster.clone().unwrap_or_default();
    let bp = ctx
        .catalog
        .sku_by_code(&booster)
        .and_then(|b| b.price)
        .unwrap_or_default();
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
            unit_price: bp,
            order_id: ev.row.order_id.clone(),
            refunded: false,
        });
    }
}

/// `type = addon` (and lines of add-on-only SKUs): co-terminated with the running
/// subscription they join. Packs and one-time items have no term to co-terminate: an add-on
/// of one is priced as the purchase it is.
pub fn addon(ctx: &Ctx, st: &mut AccountState, ev: &Event) -> R<Line> {
    let cat = ctx.catalog;
    let (code, sku) = rv::sku(cat, ev)?;
    if !sku.addon_only && !sku.model.has_term() {
        return new(ctx, st, ev, &|_| None);
    }
    rv::payment(ev, code, sku)?;
    let q = rv::quantity(ev)?;
    let d = ev.row.order_date;
    if sku.model == Model::CapacityYear {
        return addon_capacity(ctx, st, ev, code, sku, q);
    }
    let anchor = sku.joins.as_deref().unwrap_or(code);
    let own_active = |st: &AccountState, ed: Option<&str>| st.active(code, ed, d);
    let fallback = own_active(st, None).map(|i| st.subs[i].edition.clone());
    let e = rv::edition(cat, ev, code, sku, fallback.as_deref())?;
    let region = qa::region(ctx, ev, code, sku, &e, true)?;
    qa::requirements(st, ev, code, sku, region)?;
    let anchor_idx = if anchor == code {
        own_active(st, Some(e.code))
    } else {
        st.active(anchor, None, d)
    };
    let Some(ai) = anchor_idx else {
        let what = if anchor == code {
            format!("{code} {}", e.code).trim_end().to_string()
        } else {
            anchor.to_string()
        };
        return Err(fail(
            ev,
            C::NoSubscription,
            "product",
            code,
            format!(
                "no active {what} subscription for account {} on {d}: an add-on joins a running subscription",
                ev.row.account_id
            ),
        ));
    };
    let expiry = st.subs[ai].expiry;
    let own = own_active(st, Some(e.code));
    let already = own.map(|i| st.subs[i].quantity).unwrap_or(0);
    let b = rv::base(ev, code, sku, &e, q, already)?;
    let what = match (ev.row.kind, anchor == code) {
        (crate::model::OrderType::Addon, true) => "addon".to_string(),
        _ => format!("{} joining {anchor}:", ev.row.kind),
    };
    let p = priced_to(cat, sku, &b, d, expiry, &what);
    let facts = LineFacts {
        product: code,
        edition: e.code,
        quantity: q,
        term: String::new(),
        service: Some((d, expiry)),
    };
    let l = line(ctx, ev, facts, p)?;
    grant_bonus(st, ev, code, sku, e.code, q);
    grow(
        st,
        own,
        code,
        &e,
        sku,
        q,
        d,
        expiry,
        b.unit_price,
        &ev.row.order_id,
    );
    Ok(l)
}

/// Prices `[from, expiry)` of a co-terminated addition by the vendor's rule.
fn priced_to(
    cat: &Catalog,
    sku: &SkuDef,
    b: &Base,
    from: NaiveDate,
    expiry: NaiveDate,
    what: &str,
) -> Priced {
    match sku.vendor {
        Vendor::Tencent => pricing::tencent_addon(b, from, expiry, rounding(cat), what),
        Vendor::Alibaba => pricing::days(
            b,
            days_between(from, expiry).min(u32::MAX as i64) as u32,
            what,
        ),
    }
}

#[allow(clippy::too_many_arguments)]
fn grow(
    st: &mut AccountState,
    own: Option<usize>,
    code: &str,
    e: &Edition,
    sku: &SkuDef,
    q: u64,
    d: NaiveDate,
    expiry: NaiveDate,
    unit: Decimal,
    order: &str,
) {
    match own {
        Some(i) => st.subs[i].quantity = st.subs[i].quantity.saturating_add(q),
        None => st.subs.push(Sub {
            sku: code.to_string(),
            edition: e.code.to_string(),
            vendor: sku.vendor,
            quantity: q,
            start: d,
            expiry,
            unit_price: unit,
            order_id: order.to_string(),
            refunded: false,
        }),
    }
}

/// A CDP add-on row gives the new customer count: bill the boosters beyond the current cover.
fn addon_capacity(
    ctx: &Ctx,
    st: &mut AccountState,
    ev: &Event,
    code: &str,
    sku: &SkuDef,
    q: u64,
) -> R<Line> {
    let d = ev.row.order_date;
    let Some(ci) = st.active(code, None, d) else {
        return Err(fail(
            ev,
            C::NoSubscription,
            "product",
            code,
            format!(
                "no active {code} subscription for account {} on {d}",
                ev.row.account_id
            ),
        ));
    };
    let (booster, bp) = booster_price(ctx, ev, sku)?;
    let size = sku.booster_size.unwrap_or(1).max(1);
    let sub = st.subs[ci].clone();
    let capacity = sku
        .editions
        .get(&sub.edition)
        .and_then(|e| e.capacity)
        .unwrap_or(0);
    let bi = st.active(&booster, None, d);
    let held = bi.map(|i| st.subs[i].quantity).unwrap_or(0);
    let cover = capacity.saturating_add(held.saturating_mul(size));
    let needed = cdp::boosters_needed(q, cover, size);
    let b = Base {
        unit_price: ev.row.unit_price.unwrap_or(bp),
        billable: Decimal::from(needed),
        how: format!(
            "{needed} booster{} ({} customers over the cover of {}: {} {} + {held} booster{}) × {}",
            if needed == 1 { "" } else { "s" },
            fmt_num(q.into()),
            fmt_num(cover.into()),
            sub.edition,
            fmt_num(capacity.into()),
            if held == 1 { "" } else { "s" },
            fmt_num(ev.row.unit_price.unwrap_or(bp))
        ),
    };
    let mut p = priced_to(ctx.catalog, sku, &b, d, sub.expiry, "addon");
    if needed == 0 {
        p.rule = format!(
            "addon: {} customers fit the current cover of {} ({} + {held} boosters): no booster needed = 0.00",
            fmt_num(q.into()),
            fmt_num(cover.into()),
            sub.edition
        );
    }
    let facts = LineFacts {
        product: code,
        edition: &sub.edition,
        quantity: q,
        term: String::new(),
        service: Some((d, sub.expiry)),
    };
    let l = line(ctx, ev, facts, p)?;
    st.subs[ci].quantity = st.subs[ci].quantity.max(q);
    if needed > 0 {
        let bsku = ctx.catalog.sku_by_code(&booster).cloned();
        match (bi, bsku) {
            (Some(i), _) => st.subs[i].quantity += needed,
            (None, Some(bs)) => {
                let e = Edition {
                    code: "",
                    def: Default::default(),
                };
                grow(
                    st,
                    None,
                    &booster,
                    &e,
                    &bs,
                    needed,
                    d,
                    sub.expiry,
                    bp,
                    &ev.row.order_id,
                );
            }
            (None, None) => {}
        }
    }
    Ok(l)
}

/// `type = renewal`: from the previous expiry, within the grace period.
pub fn renewal(ctx: &Ctx, st: &mut AccountState, ev: &Event) -> R<Line> {
    let cat = ctx.catalog;
    let (code, sku) = rv::sku(cat, ev)?;
    rv::payment(ev, code, sku)?;
    let d = ev.row.order_date;
    let given = ev
        .row
        .edition
        .as_deref()
        .filter(|e| !e.trim().is_empty() && !e.eq_ignore_ascii_case("auto"));
    let ed_code = match given {
        Some(_) if sku.model != Model::CapacityYear => {
            Some(rv::edition(cat, ev, code, sku, None)?.code.to_string())
        }
        _ => None,
    };
    let Some(si) = st.latest(code, ed_code.as_deref()) else {
        return Err(fail(
            ev,
            C::NoSubscription,
            "product",
            code,
            format!(
                "account {} has no {code} subscription to renew",
                ev.row.account_id
            ),
        ));
    };
    let sub = st.subs[si].clone();
    let grace = grace_end(sku.vendor, sub.expiry, cat.settings());
    if d > grace {
        return Err(fail(
            ev,
            C::Reclaimed,
            "order_date",
            d.to_string(),
            format!(
                "renewal on {d} is after the grace period ended {grace} ({code} expired {}): the resources were reclaimed and must be bought anew",
                sub.expiry
            ),
        ));
    }
    let t = rv::term(cat, ev, code, sku)?;
    let q = rv::quantity_or(ev, sub.quantity)?;
    let new_expiry = end_of(ev, sub.expiry, t.months)?;
    let what = format!("renewal from {}", sub.expiry);
    if sku.model == Model::CapacityYear {
        let (plan, why) = cover(ctx, ev, code, sku, q, Some(given.unwrap_or(&sub.edition)))?;
        let b = capacity_base(ev, &plan, why);
        let facts = LineFacts {
            product: code,
            edition: &plan.edition,
            quantity: q,
            term: t.to_string(),
            service: Some((sub.expiry, new_expiry)),
        };
        let l = line(ctx, ev, facts, pricing::years(&b, t.months / 12, &what))?;
        let booster = sku.booster.clone().unwrap_or_default();
        if let Some(bi) = st
            .latest(&booster, None)
            .filter(|i| st.subs[*i].expiry == sub.expiry)
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
        Vendor::Tencent => pricing::years(&b, t.months / 12, &what),
        Vendor::Alibaba => pricing::months(&b, t.months, &what),
    };
    let facts = LineFacts {
        product: code,
        edition: e.code,
        quantity: q,
        term: t.to_string(),
        service: Some((sub.expiry, new_expiry)),
    };
    let l = line(ctx, ev, facts, p)?;
    let s = &mut st.subs[si];
    s.expiry = new_expiry;
    s.quantity = q;
    s.unit_price = b.unit_price;
    Ok(l)
}

/// `type = upgrade` (Quick Audience basic → standard): the price difference by days to the
/// unchanged expiry.
pub fn upgrade(ctx: &Ctx, st: &mut AccountState, ev: &Event) -> R<Line> {
    let cat = ctx.catalog;
    let (code, sku) = rv::sku(cat, ev)?;
    if sku.vendor != Vendor::Alibaba {
        return Err(fail(
            ev,
            C::BadValue,
            "type",
            "upgrade",
            format!(
                "upgrades apply to Quick Audience editions (basic → standard); {code} changes edition by a new purchase"
            ),
        ));
    }
    let d = ev.row.order_date;
    let e = rv::edition(cat, ev, code, sku, None)?;
    qa::region(ctx, ev, code, sku, &e, false)?;
    let from = st
        .subs
        .iter()
        .enumerate()
        .filter(|(_, s)| s.sku == code && s.edition != e.code && s.active_on(d))
        .max_by_key(|(i, s)| (s.expiry, *i))
        .map(|(i, _)| i);
    let Some(si) = from else {
        return Err(fail(
            ev,
            C::NoSubscription,
            "product",
            code,
            format!("no active {code} subscription of another edition to upgrade on {d}"),
        ));
    };
    let sub = st.subs[si].clone();
    let new_price = ev.row.unit_price.or(e.def.price).ok_or_else(|| {
        fail(
            ev,
            C::NoPrice,
            "unit_price",
            "",
            format!(
                "{code} {} has no list price: give unit_price (the new monthly price) on the row",
                e.code
            ),
        )
    })?;
    if new_price < sub.unit_price {
        return Err(fail(
            ev,
            C::BadValue,
            "unit_price",
            new_price.to_string(),
            format!(
                "the new monthly price {} is below the current {}: that is a downgrade, not an upgrade",
                fmt_num(new_price),
                fmt_num(sub.unit_price)
            ),
        ));
    }
    let q = rv::quantity_or(ev, sub.quantity)?;
    let days = days_between(d, sub.expiry).min(u32::MAX as i64) as u32;
    let b = Base {
        unit_price: new_price - sub.unit_price,
        billable: Decimal::from(q),
        how: format!(
            "{} × ({} {} − {} {})",
            fmt_num(q.into()),
            e.code,
            fmt_num(new_price),
            sub.edition,
            fmt_num(sub.unit_price)
        ),
    };
    let p = pricing::days(&b, days, "upgrade");
    let facts = LineFacts {
        product: code,
        edition: e.code,
        quantity: q,
        term: String::new(),
        service: Some((d, sub.expiry)),
    };
    let l = line(ctx, ev, facts, p)?;
    let s = &mut st.subs[si];
    s.edition = e.code.to_string();
    s.unit_price = new_price;
    s.quantity = q;
    Ok(l)
}
