//! One account's replay: order events and usage in date order (SPEC 4), refunds decided
//! against the lines before them, and the account's subscription, pack and usage states at
//! `--as-of`.

mod addon;
mod lines;
mod purchase;
mod qa;
mod refunds;
mod renewal;
mod resolve;
mod revenue;
mod state;
mod states;
mod upgrade;
mod usage;

use super::{Ctx, Event};
use crate::catalog::Catalog;
use crate::model::{OrderType, RowException, UsageRow};
use crate::report::{Line, PackRow, RefundRow, RevenueRow, SubscriptionRow, UsageTotal};
use crate::rules::requirements;
use chrono::NaiveDate;
use revenue::revenue_rows;
use state::{AccountState, Orig};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use usage::usage_totals;

#[derive(Debug, Default)]
pub struct AccountResult {
    pub lines: Vec<Line>,
    pub exceptions: Vec<RowException>,
    pub subscriptions: Vec<SubscriptionRow>,
    pub packs: Vec<PackRow>,
    pub refunds: Vec<RefundRow>,
    pub usage: Vec<UsageTotal>,
    pub revenue: Vec<RevenueRow>,
    /// Refund requests decided in the period.
    pub refund_requests: usize,
    pub usage_rows: usize,
    pub outside_period: usize,
}

/// One thing that happens to an account: an order event or a usage row.
enum Item<'a> {
    Order(&'a Event),
    Usage(&'a UsageRow),
}

impl Item<'_> {
    /// SPEC 4: by date; on one day new, addon, upgrade, renewal, then usage, then refunds;
    /// ties by order_id, then (our addition) the subscriptions that others join first, then
    /// the row's position.
    fn key(&self, cat: &Catalog) -> (NaiveDate, u8, String, bool, usize) {
        match self {
            Item::Order(e) => {
                let joins = e
                    .row
                    .product
                    .as_deref()
                    .and_then(|p| cat.sku(p))
                    .is_some_and(|(_, s)| s.joins.is_some());
                let rank = match e.row.kind {
                    OrderType::New => 0,
                    OrderType::Addon => 1,
                    OrderType::Upgrade => 2,
                    OrderType::Renewal => 3,
                    OrderType::Refund => 5,
                };
                (
                    e.row.order_date,
                    rank,
                    e.row.order_id.clone(),
                    joins,
                    e.row.position,
                )
            }
            Item::Usage(u) => (
                u.date,
                4,
                u.order_id.clone().unwrap_or_default(),
                false,
                u.position,
            ),
        }
    }
}

pub fn replay(ctx: &Ctx, account_id: &str, evs: Vec<Event>, usage: Vec<UsageRow>) -> AccountResult {
    let cat = ctx.catalog;
    let mut items: Vec<Item> = evs
        .iter()
        .map(Item::Order)
        .chain(usage.iter().map(Item::Usage))
        .collect();
    items.sort_by_cached_key(|i| i.key(cat));
    let gaps = bundle_gaps(cat, &evs);
    let mut st = AccountState {
        same_order: order_items(cat, &evs),
        ..Default::default()
    };
    let mut out = AccountResult::default();
    for (seq, item) in items.iter().enumerate() {
        let seq = seq as u64;
        let ev = match item {
            Item::Usage(u) => {
                st.ledger
                    .draw(seq, u.date, u.metric, u.quantity, u.order_id.as_deref());
                out.usage_rows += 1;
                continue;
            }
            Item::Order(ev) => *ev,
        };
        let Some(how) = pricing(cat, ev) else {
            refund(ctx, &mut st, ev, seq, &mut out);
            continue;
        };
        let result = match how {
            Pricing::Purchase { in_bundle: true } => purchase::new(ctx, &mut st, ev, &|bundle| {
                gaps.get(&(ev.row.order_id.clone(), bundle.to_string()))
                    .cloned()
            }),
            Pricing::Purchase { in_bundle: false } => purchase::new(ctx, &mut st, ev, &|_| None),
            Pricing::Addon => addon::addon(ctx, &mut st, ev),
            Pricing::Renewal => renewal::renewal(ctx, &mut st, ev),
            Pricing::Upgrade => upgrade::upgrade(ctx, &mut st, ev),
        };
        match result {
            Ok(line) => {
                remember(&mut st, ev, &line);
                if ctx.in_period(line.order_date) {
                    out.lines.push(line);
                } else {
                    out.outside_period += 1;
                }
            }
            Err(e) => {
                *st.unpriced.entry(ev.row.order_id.clone()).or_default() += 1;
                out.exceptions.push(*e);
            }
        }
    }
    // The report's order within the account; the accounts arrive in order, so the whole
    // report is sorted without a global sort of every line.
    out.lines.sort_by(|a, b| {
        (a.order_date, &a.order_id, a.line).cmp(&(b.order_date, &b.order_id, b.line))
    });
    out.subscriptions = states::subscriptions(ctx, account_id, &st);
    out.packs = states::packs(ctx, account_id, &st);
    out.usage = usage_totals(ctx, account_id, &st);
    out.revenue = revenue_rows(ctx, account_id, &st);
    out
}

/// The event that prices an order row (refund requests are decided instead).
enum Pricing {
    /// A purchase; `in_bundle`: its order's bundle requirements apply (a row of type `new`).
    Purchase {
        in_bundle: bool,
    },
    Addon,
    Renewal,
    Upgrade,
}

/// Which event prices the row: a line of an add-on-only SKU (qcs-robot) is an add-on
/// whatever its type (SPEC 2.2); an add-on of a pack or one-time item has no term to
/// co-terminate and is priced as the purchase it is. A row whose SKU is unknown keeps its
/// type and becomes that event's exception. `None` for a refund request.
fn pricing(cat: &Catalog, ev: &Event) -> Option<Pricing> {
    let sku = ev
        .row
        .product
        .as_deref()
        .and_then(|p| cat.sku(p))
        .map(|(_, s)| s);
    Some(match (ev.row.kind, sku) {
        (OrderType::Refund, _) => return None,
        (OrderType::New, Some(s)) if s.addon_only => Pricing::Addon,
        (OrderType::New, _) => Pricing::Purchase { in_bundle: true },
        (OrderType::Addon, Some(s)) if !s.addon_only && !s.model.has_term() => {
            Pricing::Purchase { in_bundle: false }
        }
        (OrderType::Addon, _) => Pricing::Addon,
        (OrderType::Renewal, _) => Pricing::Renewal,
        (OrderType::Upgrade, _) => Pricing::Upgrade,
    })
}

/// Decides a refund request; its rows are reported when it is dated in the period.
fn refund(ctx: &Ctx, st: &mut AccountState, ev: &Event, seq: u64, out: &mut AccountResult) {
    match refunds::decide(ctx, st, ev, seq) {
        Ok(_) if !ctx.in_period(ev.row.order_date) => out.outside_period += 1,
        Ok(rows) => {
            out.refund_requests += 1;
            out.refunds.extend(rows);
        }
        Err(e) => out.exceptions.push(*e),
    }
}

/// Keeps what a later refund of this line needs.
fn remember(st: &mut AccountState, ev: &Event, line: &Line) {
    let row = &ev.row;
    st.orders
        .entry(row.order_id.clone())
        .or_default()
        .push(Orig {
            line: line.line,
            kind: row.kind,
            sku: line.product.clone(),
            edition: line.edition.clone(),
            quantity: line.quantity,
            order_date: row.order_date,
            start: row.start_date.unwrap_or(row.order_date),
            service: line.service_start.zip(line.service_end),
            expected: line.expected_amount,
            paid: line.billed_amount.unwrap_or(line.expected_amount),
            voucher: row.voucher.unwrap_or_default(),
            refunded_by: None,
        });
}

/// What each order buys: (SKU, edition) of its new and add-on rows that name a known SKU
/// (and a known edition, where the SKU has editions).
fn order_items(cat: &Catalog, evs: &[Event]) -> HashMap<String, Vec<(String, String)>> {
    let mut items: HashMap<String, Vec<(String, String)>> = HashMap::new();
    for e in evs
        .iter()
        .filter(|e| matches!(e.row.kind, OrderType::New | OrderType::Addon))
    {
        let Some((code, sku)) = e.row.product.as_deref().and_then(|p| cat.sku(p)) else {
            continue;
        };
        let given = e.row.edition.as_deref().filter(|x| !x.trim().is_empty());
        if let Ok(ed) = cat.edition(sku, given) {
            items
                .entry(e.row.order_id.clone())
                .or_default()
                .push((code.to_string(), ed.code.to_string()));
        }
    }
    items
}

/// For each new order that buys any mandatory item of a bundle, what it lacks
/// (`rules::requirements::bundle_gaps`), by (order_id, bundle).
fn bundle_gaps(cat: &Catalog, evs: &[Event]) -> HashMap<(String, String), String> {
    let mut bought: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for e in evs.iter().filter(|e| e.row.kind == OrderType::New) {
        if let Some((code, _)) = e.row.product.as_deref().and_then(|p| cat.sku(p)) {
            bought.entry(&e.row.order_id).or_default().insert(code);
        }
    }
    let mut gaps = HashMap::new();
    for (order, skus) in bought {
        for (bundle, why) in requirements::bundle_gaps(&cat.file.bundles, order, &skus) {
            gaps.insert((order.to_string(), bundle), why);
        }
    }
    gaps
}
