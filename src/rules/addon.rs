//! Mid-term add-ons (SPEC 2.2): which running subscription an add-on joins, what it already
//! holds, and the price of the units added from the order date to that subscription's
//! expiry — Tencent by full years and started months capped at a year, Quick Audience by
//! days. Pure; no I/O.

use super::pricing::{self, Base, Priced};
use super::records::Refused;
use super::subscription::{Sub, active};
use crate::calendar::{MonthRounding, days_between};
use crate::catalog::{MonthRoundingDef, Settings, Vendor};
use crate::model::{ExceptionCode as C, OrderType};
use chrono::NaiveDate;

/// The subscription an add-on joins and the add-on's own subscription of the same edition.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Join {
    /// The subscription whose expiry the add-on co-terminates with.
    pub anchor: usize,
    pub expiry: NaiveDate,
    /// The account's active subscription of the add-on's own SKU and edition, which the added
    /// units grow (`None`: they start one).
    pub own: Option<usize>,
    /// Units that subscription already holds (block and tier prices count from them).
    pub already: u64,
}

/// The edition an add-on row without one takes: its SKU's running subscription's.
pub fn default_edition<'s>(subs: &'s [Sub], code: &str, on: NaiveDate) -> Option<&'s str> {
    active(subs, code, None, on).map(|i| subs[i].edition.as_str())
}

/// Which subscription an add-on of `code` `edition` on `on` joins: its own running
/// subscription of that edition, or the SKU it `joins` (`anchor`, e.g. cdp-booster → cdp).
pub fn join(
    subs: &[Sub],
    account: &str,
    code: &str,
    anchor: &str,
    edition: &str,
    on: NaiveDate,
) -> Result<Join, Refused> {
    let own = active(subs, code, Some(edition), on);
    let anchor_idx = if anchor == code {
        own
    } else {
        active(subs, anchor, None, on)
    };
    let Some(ai) = anchor_idx else {
        let what = if anchor == code {
            format!("{code} {edition}").trim_end().to_string()
        } else {
            anchor.to_string()
        };
        return Err(Refused::new(
            C::NoSubscription,
            "product",
            code,
            format!(
                "no active {what} subscription for account {account} on {on}: an add-on joins a running subscription"
            ),
        ));
    };
    Ok(Join {
        anchor: ai,
        expiry: subs[ai].expiry,
        own,
        already: own.map(|i| subs[i].quantity).unwrap_or(0),
    })
}

/// How the line is named in its rule: `addon`, or `new joining cdp:` for a line of an
/// add-on-only SKU (or one joining another SKU).
pub fn what(kind: OrderType, code: &str, anchor: &str) -> String {
    match (kind, anchor == code) {
        (OrderType::Addon, true) => "addon".to_string(),
        _ => format!("{kind} joining {anchor}:"),
    }
}

/// The catalog's month rounding for Tencent add-ons.
pub fn rounding(s: &Settings) -> MonthRounding {
    match s.addon_months {
        MonthRoundingDef::Ceil => MonthRounding::Ceil,
        MonthRoundingDef::Floor => MonthRounding::Floor,
    }
}

/// The price of `[from, expiry)` of a co-terminated addition by the vendor's rule.
pub fn coterminated(
    vendor: Vendor,
    b: &Base,
    from: NaiveDate,
    expiry: NaiveDate,
    rounding: MonthRounding,
    what: &str,
) -> Priced {
    match vendor {
        Vendor::Tencent => pricing::tencent_addon(b, from, expiry, rounding, what),
        Vendor::Alibaba => pricing::days(
            b,
            days_between(from, expiry).min(u32::MAX as i64) as u32,
            what,
        ),
    }
}

#[cfg(test)]
mod tests;
