//! An account's usage totals by metric (the Usage sheet): what packs served, what was
//! overdrawn, and (by `rules::packs::overage`) what the overdraft costs where the catalog
//! has a pay-as-you-go rate.

use super::Ctx;
use super::state::AccountState;
use crate::model::Metric;
use crate::report::UsageTotal;
use crate::rules::packs::{billed_when_overdrawn, overage};
use rust_decimal::Decimal;

const METRICS: [Metric; 4] = [
    Metric::Pv,
    Metric::Sessions,
    Metric::Sms,
    Metric::BackflowRows,
];

/// The account's usage by metric, in the order of `METRICS`.
pub fn usage_totals(ctx: &Ctx, account_id: &str, st: &AccountState) -> Vec<UsageTotal> {
    let mut out = Vec::new();
    for metric in METRICS {
        let rows = st.ledger.draws_of(metric);
        if rows == 0 {
            continue;
        }
        let (used, from_packs) = st.ledger.totals(metric);
        let overdrawn = used - from_packs.min(used);
        let rate = overage_rate(ctx, metric);
        let (amount, note) = overage(metric, overdrawn, rate.clone());
        out.push(UsageTotal {
            account_id: account_id.to_string(),
            metric: metric.as_str().to_string(),
            rows,
            used,
            from_packs,
            overdrawn,
            overage_rate: rate.as_ref().map(|(_, r)| *r),
            overage_amount: amount,
            unpriced: overdrawn > 0 && rate.is_none() && billed_when_overdrawn(metric),
            note,
        });
    }
    out
}

/// The pay-as-you-go price of `metric`'s overdraft: the first SKU (by code) serving the
/// metric that has an `overage_price`, with its code.
fn overage_rate(ctx: &Ctx, metric: Metric) -> Option<(String, Decimal)> {
    ctx.catalog.file.skus.iter().find_map(|(code, s)| {
        let serves = s.metric.as_deref().and_then(Metric::parse) == Some(metric);
        s.overage_price
            .filter(|_| serves)
            .map(|p| (code.clone(), p))
    })
}
