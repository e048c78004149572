//! Billing models (SPEC 1): the per-period unit price and billable quantity of a line, then
//! the amount for a full term, a co-terminated Tencent add-on, months, days, or once.
//! Pure; no I/O.

use super::records::Calc;
use crate::calendar::{MonthRounding, years_and_months};
use crate::catalog::{Model, SkuDef, TierMode};
use crate::money::{fmt_money, fmt_num};
use chrono::NaiveDate;
use rust_decimal::Decimal;

/// The price of one period (a year, a month, or once) for a line: `unit_price` applies to
/// `billable` units; `how` says in words how the two were found.
#[derive(Debug, Clone, PartialEq)]
pub struct Base {
    pub unit_price: Decimal,
    pub billable: Decimal,
    /// e.g. `5 × 999`, `7 blocks (6,500 / 1,000 rounded up) × 10,000`.
    pub how: String,
}

/// A priced line before discount and rounding.
#[derive(Debug, Clone, PartialEq)]
pub struct Priced {
    pub unit_price: Decimal,
    pub billable: Decimal,
    pub full_years: u32,
    pub full_years_amount: Decimal,
    pub months: u32,
    pub months_amount: Decimal,
    pub list_amount: Decimal,
    pub calc: Calc,
    pub rule: String,
}

/// Why a base price could not be found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BaseError {
    /// No list price and no `unit_price` on the row.
    NoPrice,
    /// Quantity above what one line may hold (tiered SKUs).
    OverMax { max: u64 },
}

/// The unit price and billable units of `units` for a SKU priced per unit/block/tier.
/// `listed` is the edition's list price (`None` = contract); `contract` the row's `unit_price`.
/// `already` is what the subscription already holds (for block and tier add-ons).
pub fn base(
    sku: &SkuDef,
    listed: Option<Decimal>,
    contract: Option<Decimal>,
    units: u64,
    already: u64,
) -> Result<Base, BaseError> {
    let q = Decimal::from(units);
    if let Some(p) = contract {
        let billable = match sku.model {
            Model::BlockYear => Decimal::from(added_blocks(sku, units, already)),
            _ => q,
        };
        return Ok(Base {
            unit_price: p,
            billable,
            how: format!("{} × {} (contract price)", fmt_num(billable), fmt_num(p)),
        });
    }
    match sku.model {
        Model::BlockYear => {
            let price = listed.ok_or(BaseError::NoPrice)?;
            let block = sku.block.unwrap_or(1).max(1);
            let blocks = added_blocks(sku, units, already);
            let how = if already == 0 {
                format!(
                    "{} blocks ({} / {} rounded up) × {}",
                    blocks,
                    fmt_num(q),
                    fmt_num(block.into()),
                    fmt_num(price)
                )
            } else {
                format!(
                    "{} blocks ({} → {} rounded up to {}) × {}",
                    blocks,
                    fmt_num(already.into()),
                    fmt_num((already + units).into()),
                    fmt_num(block.into()),
                    fmt_num(price)
                )
            };
            Ok(Base {
                unit_price: price,
                billable: Decimal::from(blocks),
                how,
            })
        }
        Model::TieredYear => tiered(sku, units, already),
        _ => {
            let price = listed.ok_or(BaseError::NoPrice)?;
            Ok(Base {
                unit_price: price,
                billable: q,
                how: format!("{} × {}", fmt_num(q), fmt_num(price)),
            })
        }
    }
}

/// Blocks a block SKU bills when `units` join `already`: ceil(new/b) − ceil(old/b).
fn added_blocks(sku: &SkuDef, units: u64, already: u64) -> u64 {
    let b = sku.block.unwrap_or(1).max(1);
    let total = already.saturating_add(units);
    total.div_ceil(b) - already.div_ceil(b)
}

fn tiered(sku: &SkuDef, units: u64, already: u64) -> Result<Base, BaseError> {
    let total = already.saturating_add(units);
    if let Some(max) = sku.max_quantity
        && total > max
    {
        return Err(BaseError::OverMax { max });
    }
    let top = sku.tiers.last().map(|t| t.up_to).unwrap_or(0);
    if total > top {
        return Err(BaseError::OverMax { max: top });
    }
    match sku.tier_mode.unwrap_or(TierMode::Volume) {
        TierMode::Volume => {
            let tier = sku
                .tiers
                .iter()
                .find(|t| total <= t.up_to)
                .ok_or(BaseError::OverMax { max: top })?;
            let from = sku
                .tiers
                .iter()
                .take_while(|t| t.up_to < tier.up_to)
                .last()
                .map(|t| t.up_to + 1)
                .unwrap_or(1);
            Ok(Base {
                unit_price: tier.price,
                billable: Decimal::from(units),
                how: format!(
                    "{} × {} (volume tier {}–{} for {})",
                    fmt_num(units.into()),
                    fmt_num(tier.price),
                    fmt_num(from.into()),
                    fmt_num(tier.up_to.into()),
                    fmt_num(total.into())
                ),
            })
        }
        TierMode::Graduated => {
            let mut sum = Decimal::ZERO;
            let mut parts = Vec::new();
            let mut lower = 0u64;
            for t in &sku.tiers {
                let lo = lower.max(already);
                let hi = t.up_to.min(total);
                if hi > lo {
                    let n = hi - lo;
                    sum += Decimal::from(n) * t.price;
                    parts.push(format!("{} × {}", fmt_num(n.into()), fmt_num(t.price)));
                }
                lower = t.up_to;
            }
            Ok(Base {
                unit_price: sum,
                billable: Decimal::ONE,
                how: format!("graduated {} = {}", parts.join(" + "), fmt_num(sum)),
            })
        }
    }
}

/// A full term of whole years (new purchases and renewals of Tencent SKUs).
pub fn years(b: &Base, years: u32, what: &str) -> Priced {
    let fy = b.unit_price * b.billable * Decimal::from(years);
    Priced {
        unit_price: b.unit_price,
        billable: b.billable,
        full_years: years,
        full_years_amount: fy,
        months: 0,
        months_amount: Decimal::ZERO,
        list_amount: fy,
        calc: Calc::TencentYears,
        rule: format!("{what} {} × {years}y = {}", b.how, fmt_money(fy)),
    }
}

/// A Tencent mid-term add-on co-terminated at `expiry` (SPEC 2.2): full years at the annual
/// price plus started months at a tenth of it, the months capped at one year's price.
pub fn tencent_addon(
    b: &Base,
    from: NaiveDate,
    expiry: NaiveDate,
    rounding: MonthRounding,
    what: &str,
) -> Priced {
    let (y, m) = years_and_months(from, expiry, rounding);
    let annual = b.unit_price * b.billable;
    let fy = annual * Decimal::from(y);
    let uncapped = b.unit_price / Decimal::TEN * b.billable * Decimal::from(m);
    let capped = uncapped > annual;
    let mo = if capped { annual } else { uncapped };
    let list = fy + mo;
    let month_word = match rounding {
        MonthRounding::Ceil => "started months",
        MonthRounding::Floor => "whole months",
    };
    let months_part = format!(
        "min({} × {} × {m}m, cap {}){}",
        fmt_num(b.billable),
        fmt_num(b.unit_price / Decimal::TEN),
        fmt_money(annual),
        if capped { " capped at one year" } else { "" },
    );
    let body = match (y, m) {
        (0, _) => format!("{}: {months_part}", b.how),
        (_, 0) => format!("{} × {y}y", b.how),
        _ => format!("{} × {y}y + {months_part}", b.how),
    };
    let rule = format!(
        "{what} {body} = {} ({month_word} to {expiry})",
        fmt_money(list)
    );
    Priced {
        unit_price: b.unit_price,
        billable: b.billable,
        full_years: y,
        full_years_amount: fy,
        months: m,
        months_amount: mo,
        list_amount: list,
        calc: Calc::TencentYears,
        rule,
    }
}

/// Monthly pricing (Quick Audience): monthly price × quantity × months.
pub fn months(b: &Base, months: u32, what: &str) -> Priced {
    let mo = b.unit_price * b.billable * Decimal::from(months);
    Priced {
        unit_price: b.unit_price,
        billable: b.billable,
        full_years: 0,
        full_years_amount: Decimal::ZERO,
        months,
        months_amount: mo,
        list_amount: mo,
        calc: Calc::Months,
        rule: format!("{what} {} /month × {months}m = {}", b.how, fmt_money(mo)),
    }
}

/// Pricing by days (Quick Audience add-ons and upgrades): monthly × 12 / 365 × days × quantity.
pub fn days(b: &Base, days: u32, what: &str) -> Priced {
    let amt =
        b.unit_price * Decimal::from(12) / Decimal::from(365) * Decimal::from(days) * b.billable;
    Priced {
        unit_price: b.unit_price,
        billable: b.billable,
        full_years: 0,
        full_years_amount: Decimal::ZERO,
        months: 0,
        months_amount: amt,
        list_amount: amt,
        calc: Calc::Days { days },
        rule: format!(
            "{what} {} /month × 12 / 365 × {days} days = {}",
            b.how,
            fmt_money(amt)
        ),
    }
}

/// One-time items and packs: price × quantity.
pub fn once(b: &Base, what: &str) -> Priced {
    let amt = b.unit_price * b.billable;
    Priced {
        unit_price: b.unit_price,
        billable: b.billable,
        full_years: 0,
        full_years_amount: Decimal::ZERO,
        months: 0,
        months_amount: Decimal::ZERO,
        list_amount: amt,
        calc: Calc::OneTime,
        rule: format!("{what} {} = {}", b.how, fmt_money(amt)),
    }
}

#[cfg(test)]
mod tests;
