//! The PV pack refund rule of SPEC 3 as a pure function: within one calendar month of the
//! purchase, the refunded order's bonus is void and the account's usage re-deducted without
//! it; each pack refunds `max(0, paid − used × unit value)`; an invoice that is out blocks
//! the refund. The amounts, the per-pack rows and the words come from the same code. No I/O.

use crate::calendar::add_months;
use crate::money::{fmt_money, fmt_num, round_cents};
use crate::rules::ledger::Ledger;
use chrono::NaiveDate;
use rust_decimal::Decimal;

/// The pack line a refund request names, as the rule needs it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PvRequest<'a> {
    /// The refunded order and its line that bought the packs.
    pub order_id: &'a str,
    pub line: u32,
    /// The order's purchase date, and the refund request's date.
    pub purchase: NaiveDate,
    pub date: NaiveDate,
    /// The refund row says `invoiced = yes`: the invoice is out and not returned.
    pub invoiced: bool,
    /// What the line paid (billed, else computed), and its voucher part.
    pub paid: Decimal,
    pub voucher: Decimal,
}

/// The catalog's terms of the rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PvTerms {
    /// Refundable up to `add_months(purchase, months)` (SPEC: 1).
    pub months: u32,
    /// The value of one page view (SPEC: 0.03).
    pub unit_value: Decimal,
}

/// One refunded pack (a row of the Packs sheet of refunds.xlsx, under the refund row that
/// owns it): its share of the line's payment, what the re-deduction left used of it, and
/// what it refunds.
#[derive(Debug, Clone, PartialEq)]
pub struct PackRefund {
    /// Pack number within its order line.
    pub pack: u32,
    pub product: String,
    pub edition: String,
    pub size: u64,
    pub used: u64,
    pub unit_value: Decimal,
    /// `used × unit_value`.
    pub used_value: Decimal,
    /// The pack's share of the line's payment ([`split_paid`]).
    pub paid: Decimal,
    /// `max(0, paid − used_value)`, rounded once.
    pub refund: Decimal,
}

/// An approved PV pack refund of one line.
#[derive(Debug, Clone, PartialEq)]
pub struct PvRefund {
    /// The account's ledger re-deducted without the order's bonus: the engine carries on
    /// with it (and closes the refunded packs in it).
    pub ledger: Ledger,
    /// The line's packs, in pack order.
    pub packs: Vec<PackRefund>,
    /// Sums over `packs`: units used, their value, and the refund.
    pub used: u64,
    pub used_value: Decimal,
    pub amount: Decimal,
    /// How the amount was reached, in words and figures.
    pub rule: String,
}

/// The PV pack rule (SPEC 3) for line `req.line` of order `req.order_id`, against the
/// account's `ledger` as it stands on the refund's date: the approved refund, or the words
/// saying why it is rejected. The window is checked before the invoice.
///
/// A request covering several pack lines of one order re-deducts for each: voiding a bonus
/// already void and replaying the same draws gives the same ledger.
pub fn pv_packs(req: &PvRequest, terms: PvTerms, ledger: &Ledger) -> Result<PvRefund, String> {
    let months = terms.months;
    let Some(last) = within_months(req.purchase, req.date, months) else {
        return Err(format!(
            "packs are refundable within {months} calendar month(s) of purchase ({} to {}); requested {}",
            req.purchase,
            add_months(req.purchase, months)
                .map(|d| d.to_string())
                .unwrap_or_default(),
            req.date
        ));
    };
    if req.invoiced {
        return Err(format!(
            "an invoice for order {} is out and not returned: the refund waits until it is returned",
            req.order_id
        ));
    }
    if req.voucher > Decimal::ZERO {
        // Packs cannot be paid with vouchers; a priced pack line never has one.
        return Err("the pack line shows a voucher, which packs cannot take".into());
    }
    let ledger = ledger.without_bonus_of(req.order_id);
    let unit = terms.unit_value;
    let count = ledger.packs(req.order_id, req.line).count();
    let shares = split_paid(req.paid, count);
    let packs: Vec<PackRefund> = ledger
        .packs(req.order_id, req.line)
        .zip(shares)
        .map(|(e, paid)| {
            let (used_value, refund) = pack_refund(paid, e.used_pack, unit);
            PackRefund {
                pack: e.pack,
                product: e.sku.clone(),
                edition: e.edition.clone(),
                size: e.size,
                used: e.used_pack,
                unit_value: unit,
                used_value,
                paid,
                refund,
            }
        })
        .collect();
    let used = packs.iter().map(|p| p.used).fold(0u64, u64::saturating_add);
    let used_value = packs.iter().map(|p| p.used_value).sum();
    let amount = packs.iter().map(|p| p.refund).sum();
    let rule = format!(
        "within {months} month(s) of purchase (until {last}); bonus of the order voided and usage re-deducted; {count} pack(s), each max(0, paid − used × {}): {} PV used = {} of value; refund {}",
        fmt_num(unit),
        fmt_num(used.into()),
        fmt_money(used_value),
        fmt_money(amount)
    );
    Ok(PvRefund {
        ledger,
        packs,
        used,
        used_value,
        amount,
        rule,
    })
}

/// Whether a PV pack refund on `date` is within one calendar month (`months`) of `purchase`:
/// the last day it is allowed, or `None` past it.
pub fn within_months(purchase: NaiveDate, date: NaiveDate, months: u32) -> Option<NaiveDate> {
    add_months(purchase, months).filter(|last| date <= *last)
}

/// One PV pack's refund: `max(0, paid − used × unit_value)`; returns `(used_value, refund)`.
pub fn pack_refund(paid: Decimal, used: u64, unit_value: Decimal) -> (Decimal, Decimal) {
    let used_value = Decimal::from(used) * unit_value;
    let refund = round_cents((paid - used_value).max(Decimal::ZERO));
    (used_value, refund)
}

/// Splits a line's payment over its `n` packs to the cent: each pack the same share rounded
/// down, the last pack the remainder, so the shares add up to `paid` exactly.
pub fn split_paid(paid: Decimal, n: usize) -> Vec<Decimal> {
    if n == 0 {
        return Vec::new();
    }
    let count = Decimal::from(n as u64);
    let share = (paid / count).round_dp_with_strategy(2, rust_decimal::RoundingStrategy::ToZero);
    let mut v = vec![share; n];
    v[n - 1] = paid - share * Decimal::from(n as u64 - 1);
    v
}

#[cfg(test)]
mod tests;
