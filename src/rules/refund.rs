//! The refund policies of SPEC 3 as pure functions: which policy applies to a line, the
//! 7-day and 30-day windows, time pro-rata, and the PV pack rule (`pv`). Each returns the
//! amount with the words that explain it, or the words of the rejection. No I/O.

mod pv;

pub use pv::{
    PackRefund, PvRefund, PvRequest, PvTerms, pack_refund, pv_packs, split_paid, within_months,
};

use crate::catalog::{RefundPolicy, SkuDef, Vendor};
use crate::model::{OrderType, RefundReason};
use crate::money::{fmt_money, fmt_num, round_cents};
use crate::rules::ledger::Entry;
use chrono::NaiveDate;
use rust_decimal::Decimal;

/// The policy a refundable line is decided by (the catalog's `refund` other than `none`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refundable {
    /// The any-reason and defect windows: a full refund of the cash paid.
    Window,
    /// The PV pack rule: per pack, within `pack_refund_months` of purchase.
    PvPack,
    /// Unused days of the term (or unused quota of a pack without a term).
    ProRata,
}

/// Which refund policy applies to a line of SKU `code` bought by an order of type `kind`, or
/// the words saying why it is not refundable (SPEC 3). The catalog holds the rule: `refund`
/// is the policy, `refund_types` the order types it applies to (the built-in Tencent SKUs:
/// `new` only). A line of an add-on-only SKU (a robot, a booster) counts as an add-on,
/// unless it was bought by a new order that also bought the SKU it joins
/// (`with_what_it_joins`): then it is part of that new purchase (a cdp bought with its
/// boosters is refunded whole, boosters included).
pub fn policy(
    code: &str,
    sku: &SkuDef,
    kind: OrderType,
    with_what_it_joins: bool,
) -> Result<Refundable, String> {
    let refundable = match sku.refund {
        RefundPolicy::None => return Err(format!("{code} is not refundable")),
        RefundPolicy::Window => Refundable::Window,
        RefundPolicy::PvPack => Refundable::PvPack,
        RefundPolicy::ProRata => Refundable::ProRata,
    };
    let kind = match kind {
        OrderType::New if sku.addon_only && !with_what_it_joins => OrderType::Addon,
        k => k,
    };
    match &sku.refund_types {
        Some(types) if !types.contains(&kind) => Err(excluded(sku.vendor, types, kind)),
        _ => Ok(refundable),
    }
}

/// `add-ons and renewals of Tencent products are not refundable`: the types the vendor sells
/// by (and the line's own) that `types` leaves out.
fn excluded(vendor: Vendor, types: &[OrderType], kind: OrderType) -> String {
    let out: Vec<&str> = [
        OrderType::New,
        OrderType::Addon,
        OrderType::Upgrade,
        OrderType::Renewal,
    ]
    .into_iter()
    .filter(|t| (vendor.order_types().contains(t) || *t == kind) && !types.contains(t))
    .map(|t| match t {
        OrderType::New => "new purchases",
        OrderType::Addon => "add-ons",
        OrderType::Upgrade => "upgrades",
        OrderType::Renewal => "renewals",
        OrderType::Refund => "refunds",
    })
    .collect();
    let list = match out.split_last() {
        Some((last, [])) => last.to_string(),
        Some((last, rest)) => format!("{} and {last}", rest.join(", ")),
        None => String::new(),
    };
    format!("{list} of {} products are not refundable", vendor.name())
}

/// The refund windows, in days after activation (both inclusive).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Windows {
    /// Any reason (SPEC: 7).
    pub any_reason_days: u32,
    /// Reason `defect` (SPEC: 30).
    pub defect_days: u32,
}

/// A window decision: approved (full refund of the cash paid) or rejected, with the words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verdict {
    pub approved: bool,
    pub rule: String,
}

/// The window rule for new cdp / qcs-online / qcs-phone orders. `days` counts from
/// activation: the refund on the activation day is day 0, a week later day 7.
pub fn window(days: i64, reason: RefundReason, w: Windows) -> Verdict {
    let any = i64::from(w.any_reason_days);
    let defect = i64::from(w.defect_days);
    if days < 0 {
        return Verdict {
            approved: false,
            rule: format!(
                "requested {} day(s) before activation: nothing was activated to refund",
                -days
            ),
        };
    }
    if days <= any {
        return Verdict {
            approved: true,
            rule: format!(
                "day {days} after activation, within the {any}-day window for any reason: full refund"
            ),
        };
    }
    match reason {
        RefundReason::Defect if days <= defect => Verdict {
            approved: true,
            rule: format!(
                "day {days} after activation, within the {defect}-day window for a defect: full refund"
            ),
        },
        RefundReason::Defect => Verdict {
            approved: false,
            rule: format!("day {days} after activation: past the {defect}-day window for a defect"),
        },
        r => Verdict {
            approved: false,
            rule: format!(
                "day {days} after activation: past the {any}-day window for any reason, and reason {} is not a defect ({defect} days)",
                r.as_str()
            ),
        },
    }
}

/// The cash a full refund returns: what was paid less the voucher part (kept), never below 0.
/// Returns `(refund, voucher_kept)`.
pub fn cash(paid: Decimal, voucher: Decimal) -> (Decimal, Decimal) {
    let kept = voucher.max(Decimal::ZERO).min(paid.max(Decimal::ZERO));
    (paid.max(Decimal::ZERO) - kept, kept)
}

/// A cash refund a rule approved: the amount, the voucher part kept, and the words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cash {
    pub amount: Decimal,
    pub voucher_kept: Decimal,
    pub rule: String,
}

/// The window policy for a line (SPEC 3): within a window, the cash paid less the voucher
/// part; else the words of the rejection.
pub fn window_refund(
    days: i64,
    reason: RefundReason,
    w: Windows,
    paid: Decimal,
    voucher: Decimal,
) -> Result<Cash, String> {
    let v = window(days, reason, w);
    if !v.approved {
        return Err(v.rule);
    }
    let (amount, kept) = cash(paid, voucher);
    Ok(Cash {
        amount,
        voucher_kept: kept,
        rule: format!(
            "{}: {} paid − {} voucher kept = {}",
            v.rule,
            fmt_money(paid),
            fmt_money(kept),
            fmt_money(amount)
        ),
    })
}

/// Time (or quota) pro-rata: `(paid − voucher) × unused / total`, rounded once; rejected when
/// that leaves nothing to refund. `unit` names what is counted (`days`, `units of quota`).
pub fn pro_rata(
    paid: Decimal,
    voucher: Decimal,
    unused: u64,
    total: u64,
    unit: &str,
) -> Result<Cash, String> {
    let (base, kept) = cash(paid, voucher);
    if total == 0 {
        return Err(format!(
            "nothing unused to refund (nothing left to refund: the term has no {unit})"
        ));
    }
    let unused = unused.min(total);
    let amount = round_cents(base * Decimal::from(unused) / Decimal::from(total));
    let rule = format!(
        "pro-rata: ({} paid − {} voucher) × {} / {} unused {unit} = {}",
        fmt_money(paid),
        fmt_money(kept),
        fmt_num(unused.into()),
        fmt_num(total.into()),
        fmt_money(amount)
    );
    if amount <= Decimal::ZERO {
        return Err(format!("nothing unused to refund ({rule})"));
    }
    Ok(Cash {
        amount,
        voucher_kept: kept,
        rule,
    })
}

/// What of a line's service `[start, end)` is unused on `date`: `(unused days, term days)`.
pub fn unused_days(date: NaiveDate, start: NaiveDate, end: NaiveDate) -> (u64, u64) {
    let from = date.max(start);
    let unused = (end - from).num_days().max(0) as u64;
    (unused, (end - start).num_days().max(0) as u64)
}

/// What of a pack line's quota is unused (a pack without a term, refunded pro-rata):
/// `(units left, units bought)` over its packs.
pub fn unused_quota<'a>(packs: impl Iterator<Item = &'a Entry>) -> (u64, u64) {
    packs.fold((0, 0), |(left, size), e| {
        (left + e.size.saturating_sub(e.used_pack), size + e.size)
    })
}

#[cfg(test)]
mod tests;
