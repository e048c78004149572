//! Refund requests (SPEC 3). Each request is decided against the priced lines of the order
//! it names (narrowed to the row's product and edition when it gives them), by each SKU's
//! policy: one Refunds row per line, with the rule that decided it. Approved refunds mark
//! subscriptions `REFUNDED` and close packs to later usage.

use super::resolve::{R, fail};
use super::state::{AccountState, Orig};
use super::{Ctx, Event};
use crate::catalog::SkuDef;
use crate::model::{ExceptionCode as C, OrderType, RefundReason};
use crate::money::{fmt_money, fmt_num};
use crate::report::{Decision, RefundCalc, RefundPackRow, RefundRow};
use crate::rules::ledger::Entry;
use crate::rules::refund::{self, Refundable, Windows};
use chrono::NaiveDate;
use rust_decimal::Decimal;

/// The decision rows of one refund request and the packs it refunded.
#[derive(Debug, Default)]
pub struct Decided {
    pub rows: Vec<RefundRow>,
    /// `RefundCalc::Packs::first` indexes this list until the engine offsets it.
    pub packs: Vec<RefundPackRow>,
}

/// Decides the refund request `ev`; `seq` is its place in the account's replay, so the packs
/// it closes stay open to usage before it.
pub fn decide(ctx: &Ctx, st: &mut AccountState, ev: &Event, seq: u64) -> R<Decided> {
    let row = &ev.row;
    let Some(reference) = row.ref_order_id.clone().filter(|r| !r.trim().is_empty()) else {
        return Err(fail(
            ev,
            C::MissingValue,
            "ref_order_id",
            "",
            "a refund row needs the order it refunds (ref_order_id)",
        ));
    };
    let Some(reason) = row.reason else {
        return Err(fail(
            ev,
            C::MissingValue,
            "reason",
            "",
            "a refund row needs its reason: no_reason, defect or other",
        ));
    };
    let wanted = match row.product.as_deref().filter(|p| !p.trim().is_empty()) {
        Some(_) => Some(super::resolve::sku(ctx.catalog, ev)?.0),
        None => None,
    };
    let edition = row
        .edition
        .as_deref()
        .map(str::trim)
        .filter(|e| !e.is_empty());
    let mut lines: Vec<usize> = st
        .orders
        .get(&reference)
        .map(|ls| {
            (0..ls.len())
                .filter(|i| wanted.is_none_or(|w| ls[*i].sku == w))
                .filter(|i| edition.is_none_or(|e| ls[*i].edition.eq_ignore_ascii_case(e)))
                .collect()
        })
        .unwrap_or_default();
    if let Some(ls) = st.orders.get(&reference) {
        lines.sort_by_key(|i| ls[*i].line);
    }
    let mut out = Decided::default();
    if lines.is_empty() {
        out.rows.push(not_found(ev, st, &reference, reason, wanted));
        return Ok(out);
    }
    // The PV rule re-deducts usage without the order's bonus once for all its pack lines.
    let mut rededucted = false;
    for i in lines {
        let orig = st.orders[&reference][i].clone();
        let mut d = Decider {
            ctx,
            ev,
            reference: &reference,
            reason,
            orig: &orig,
            seq,
        };
        let r = d.line(st, &mut out.packs, &mut rededucted);
        if r.decision == Decision::Approved
            && let Some(o) = st.orders.get_mut(&reference).and_then(|ls| ls.get_mut(i))
        {
            o.refunded_by = Some((row.order_id.clone(), row.order_date, r.refund_amount));
        }
        out.rows.push(r);
    }
    Ok(out)
}

/// A request whose order has no priced line to refund.
fn not_found(
    ev: &Event,
    st: &AccountState,
    reference: &str,
    reason: RefundReason,
    wanted: Option<&str>,
) -> RefundRow {
    let row = &ev.row;
    let what = wanted.map(|w| format!(" {w}")).unwrap_or_default();
    let rule = match st.unpriced.get(reference) {
        Some(n) => format!(
            "order {reference} has no priced{what} line to refund: {n} of its row(s) are on the Exceptions sheet"
        ),
        None if st.orders.contains_key(reference) => {
            format!("order {reference} has no{what} line matching this request")
        }
        None => format!(
            "no order {reference} of account {} was found in the inputs (it must be read in the same run, dated on or before the refund)",
            row.account_id
        ),
    };
    let mut r = rejected(ev, reference, reason, rule);
    r.product = wanted.unwrap_or_default().to_string();
    r.edition = row.edition.clone().unwrap_or_default();
    r
}

/// A rejection of request `ev` with nothing refunded; callers fill in the line's facts.
fn rejected(ev: &Event, reference: &str, reason: RefundReason, rule: String) -> RefundRow {
    let row = &ev.row;
    RefundRow {
        src: row.src.clone(),
        refund_order_id: row.order_id.clone(),
        ref_order_id: reference.to_string(),
        account_id: row.account_id.clone(),
        product: String::new(),
        edition: String::new(),
        refund_date: row.order_date,
        reason: reason.as_str().to_string(),
        original_type: None,
        start_date: None,
        days_since_start: None,
        paid: Decimal::ZERO,
        voucher_kept: Decimal::ZERO,
        used_quantity: None,
        used_value: None,
        refund_amount: Decimal::ZERO,
        decision: Decision::Rejected,
        rule,
        calc: RefundCalc::Nothing,
    }
}

struct Decider<'a> {
    ctx: &'a Ctx<'a>,
    ev: &'a Event,
    reference: &'a str,
    reason: RefundReason,
    orig: &'a Orig,
    seq: u64,
}

impl Decider<'_> {
    fn date(&self) -> NaiveDate {
        self.ev.row.order_date
    }

    fn days(&self) -> i64 {
        (self.date() - self.orig.start).num_days()
    }

    /// A row with the line's facts and nothing refunded yet.
    fn base(&self, rule: String) -> RefundRow {
        let mut r = rejected(self.ev, self.reference, self.reason, rule);
        r.product = self.orig.sku.clone();
        r.edition = self.orig.edition.clone();
        r.original_type = Some(self.orig.kind);
        r.start_date = Some(self.orig.start);
        r.days_since_start = Some(self.days());
        r.paid = self.orig.paid;
        r
    }

    fn reject(&self, why: String) -> RefundRow {
        self.base(format!("{}: {why}; rejected", self.what()))
    }

    /// How the line is named in the rule: `qcs-online new order O-1 line 1`.
    fn what(&self) -> String {
        format!(
            "{} {} order {} line {}",
            self.orig.sku, self.orig.kind, self.reference, self.orig.line
        )
    }

    fn line(
        &mut self,
        st: &mut AccountState,
        packs: &mut Vec<RefundPackRow>,
        rededucted: &mut bool,
    ) -> RefundRow {
        if let Some((by, on, _)) = &self.orig.refunded_by {
            return self.reject(format!("already refunded by {by} on {on}"));
        }
        let Some(sku) = self.ctx.catalog.sku_by_code(&self.orig.sku).cloned() else {
            return self.reject(format!(
                "{} is not in the catalog of this run",
                self.orig.sku
            ));
        };
        match refund::policy(&self.orig.sku, &sku, self.orig.kind) {
            Err(why) => self.reject(why),
            Ok(Refundable::Window) => self.window(st, &sku),
            Ok(Refundable::PvPack) => self.pv_packs(st, packs, rededucted),
            Ok(Refundable::ProRata) => self.pro_rata(st),
        }
    }

    fn window(&self, st: &mut AccountState, sku: &SkuDef) -> RefundRow {
        let s = self.ctx.catalog.settings();
        let w = Windows {
            any_reason_days: s.refund_any_reason_days,
            defect_days: s.refund_defect_days,
        };
        let v = refund::window(self.days(), self.reason, w);
        if !v.approved {
            return self.reject(v.rule);
        }
        let (amount, kept) = refund::cash(self.orig.paid, self.orig.voucher);
        let mut r = self.base(format!(
            "{}: {}: {} paid − {} voucher kept = {}",
            self.what(),
            v.rule,
            fmt_money(self.orig.paid),
            fmt_money(kept),
            fmt_money(amount)
        ));
        r.decision = Decision::Approved;
        r.voucher_kept = kept;
        r.refund_amount = amount;
        r.calc = RefundCalc::Full;
        let booster = sku.booster.as_deref();
        for sub in st.subs.iter_mut().filter(|x| {
            x.order_id == self.reference
                && (x.sku == self.orig.sku || Some(x.sku.as_str()) == booster)
        }) {
            sub.refunded = true;
        }
        r
    }

    fn pv_packs(
        &self,
        st: &mut AccountState,
        packs: &mut Vec<RefundPackRow>,
        rededucted: &mut bool,
    ) -> RefundRow {
        let s = self.ctx.catalog.settings();
        let months = s.pack_refund_months;
        let Some(last) = refund::within_months(self.orig.order_date, self.date(), months) else {
            return self.reject(format!(
                "packs are refundable within {months} calendar month(s) of purchase ({} to {}); requested {}",
                self.orig.order_date,
                crate::calendar::add_months(self.orig.order_date, months)
                    .map(|d| d.to_string())
                    .unwrap_or_default(),
                self.date()
            ));
        };
        if self.ev.row.invoiced == Some(true) {
            return self.reject(format!(
                "an invoice for order {} is out and not returned: the refund waits until it is returned",
                self.reference
            ));
        }
        if self.orig.voucher > Decimal::ZERO {
            // Packs cannot be paid with vouchers; a priced pack line never has one.
            return self.reject("the pack line shows a voucher, which packs cannot take".into());
        }
        if !*rededucted {
            st.ledger = st.ledger.without_bonus_of(self.reference);
            *rededucted = true;
        }
        let unit = s.pv_unit_value;
        let idx: Vec<&Entry> = st.ledger.packs(self.reference, self.orig.line).collect();
        let shares = refund::split_paid(self.orig.paid, idx.len());
        let first = packs.len();
        let (mut used, mut used_value, mut amount) = (0u64, Decimal::ZERO, Decimal::ZERO);
        for (k, e) in idx.iter().enumerate() {
            let (value, back) = refund::pack_refund(shares[k], e.used_pack, unit);
            used = used.saturating_add(e.used_pack);
            used_value += value;
            amount += back;
            packs.push(RefundPackRow {
                refund_order_id: self.ev.row.order_id.clone(),
                account_id: self.ev.row.account_id.clone(),
                order_id: self.reference.to_string(),
                pack: e.pack,
                product: e.sku.clone(),
                edition: e.edition.clone(),
                size: e.size,
                used: e.used_pack,
                unit_value: unit,
                used_value: value,
                paid: shares[k],
                refund: back,
            });
        }
        let count = idx.len();
        st.ledger.close(self.reference, self.orig.line, self.seq);
        let mut r = self.base(format!(
            "{}: within {months} month(s) of purchase (until {last}); bonus of the order voided and usage re-deducted; {} pack(s), each max(0, paid − used × {}): {} PV used = {} of value; refund {}",
            self.what(),
            count,
            fmt_num(unit),
            fmt_num(used.into()),
            fmt_money(used_value),
            fmt_money(amount)
        ));
        r.decision = Decision::Approved;
        r.used_quantity = Some(used);
        r.used_value = Some(used_value);
        r.refund_amount = amount;
        r.calc = RefundCalc::Packs { first, count };
        r
    }

    /// Time pro-rata (Quick Audience): unused days of the line's service; a pack without a
    /// term is refunded by its unused quota instead.
    fn pro_rata(&self, st: &mut AccountState) -> RefundRow {
        let (unused, total, unit) = match self.orig.service {
            Some((start, end)) => {
                let from = self.date().max(start);
                let unused = (end - from).num_days().max(0) as u64;
                (unused, (end - start).num_days().max(0) as u64, "days")
            }
            None => {
                let packs = || st.ledger.packs(self.reference, self.orig.line);
                let size: u64 = packs().map(|e| e.size).sum();
                let left: u64 = packs().map(|e| e.size.saturating_sub(e.used_pack)).sum();
                (left, size, "units of quota")
            }
        };
        let (amount, kept, how) =
            refund::pro_rata(self.orig.paid, self.orig.voucher, unused, total, unit);
        if amount <= Decimal::ZERO {
            return self.reject(format!("nothing unused to refund ({how})"));
        }
        let mut r = self.base(format!("{}: {how}", self.what()));
        r.decision = Decision::Approved;
        r.voucher_kept = kept;
        r.refund_amount = amount;
        r.calc = RefundCalc::ProRata { unused, total };
        self.end_service(st);
        r
    }

    /// What an approved pro-rata refund does to the account: a new subscription is refunded,
    /// an add-on's units leave it, a renewal's extension is undone, packs close.
    fn end_service(&self, st: &mut AccountState) {
        let o = self.orig;
        for sub in st.subs.iter_mut().filter(|x| x.sku == o.sku && !x.refunded) {
            match (o.kind, o.service) {
                (OrderType::New, _) if sub.order_id == self.reference => sub.refunded = true,
                (OrderType::Addon, Some((_, end))) if sub.expiry == end => {
                    sub.quantity = sub.quantity.saturating_sub(o.quantity)
                }
                (OrderType::Renewal, Some((start, end))) if sub.expiry == end => sub.expiry = start,
                _ => {}
            }
        }
        st.ledger.close(self.reference, o.line, self.seq);
    }
}
