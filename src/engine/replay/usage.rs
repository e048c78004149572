//! An account's usage totals by metric (the Usage sheet): what packs served, what was
//! overdrawn, and what the overdraft costs where the catalog has a pay-as-you-go rate.

use super::AccountResult;
use super::Ctx;
use super::state::AccountState;
use crate::model::Metric;
use crate::money::{fmt_money, fmt_num, round_cents};
use crate::report::UsageTotal;
use rust_decimal::Decimal;

/// Whether usage of `metric` beyond every pack is billed pay-as-you-go (SMS, SPEC 4) rather
/// than blocked or merely recorded: without a rate its overdraft is flagged `NO_PRICE`.
pub fn billed_when_overdrawn(metric: Metric) -> bool {
    metric == Metric::Sms
}

const METRICS: [Metric; 4] = [
    Metric::Pv,
    Metric::Sessions,
    Metric::Sms,
    Metric::BackflowRows,
];

pub fn usage_totals(ctx: &Ctx, account_id: &str, st: &AccountState, out: &mut AccountResult) {
    for metric in METRICS {
        let rows = st.ledger.draws_of(metric);
        if rows == 0 {
            continue;
        }
        let (used, from_packs) = st.ledger.totals(metric);
        let overdrawn = used - from_packs.min(used);
        let rate = overage_rate(ctx, metric);
        let (amount, note) = overage(metric, overdrawn, rate.clone());
        out.usage.push(UsageTotal {
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

/// The overdraft's amount (when there is a rate) and what it means, in words.
fn overage(
    metric: Metric,
    overdrawn: u128,
    rate: Option<(String, Decimal)>,
) -> (Option<Decimal>, String) {
    if overdrawn == 0 {
        return (rate.map(|_| Decimal::ZERO), String::new());
    }
    let n = i128::try_from(overdrawn)
        .ok()
        .and_then(|v| Decimal::try_from_i128_with_scale(v, 0).ok());
    let shown = n.map(fmt_num).unwrap_or_else(|| overdrawn.to_string());
    match (metric, rate) {
        (_, Some((code, r))) => match n.and_then(|n| n.checked_mul(r)) {
            Some(a) => {
                let a = round_cents(a);
                (
                    Some(a),
                    format!(
                        "{shown} beyond every pack, billed pay-as-you-go at {} ({code} overage_price) = {}",
                        fmt_num(r),
                        fmt_money(a)
                    ),
                )
            }
            None => (
                None,
                format!(
                    "{shown} beyond every pack: too large to price at {}",
                    fmt_num(r)
                ),
            ),
        },
        (m, None) if billed_when_overdrawn(m) => (
            None,
            format!(
                "NO_PRICE: {shown} messages beyond every pack and the catalog has no pay-as-you-go rate; set overage_price on the SMS pack SKU (skus.qa-sms.overage_price)"
            ),
        ),
        (Metric::Pv, None) => (
            None,
            format!("{shown} page views served with no valid quota (the vendor blocks access)"),
        ),
        (m, None) => (
            None,
            format!("{shown} {} beyond every valid pack", m.as_str()),
        ),
    }
}
