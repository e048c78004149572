//! Refund requests (SPEC 3). Each request is decided against the priced lines of the order
//! it names (narrowed to the row's product and edition when it gives them), by each SKU's
//! policy: one Refunds row per line, with the rule that decided it. Approved refunds mark
//! subscriptions `REFUNDED` and close packs to later usage.

use super::resolve::{R, fail};
use super::state::{AccountState, Orig};
use super::{Ctx, Event};
use crate::catalog::SkuDef;
use crate::model::{ExceptionCode as C, OrderType, RefundReason};
use crate::report::{Decision, RefundCalc, RefundRow};
use crate::rules::refund::{self, Cash, PvRequest, PvTerms, Refundable, Windows};
use chrono::NaiveDate;
use rust_decimal::Decimal;

/// Decides the refund request `ev`: one row per line it covers, each with the packs it
/// refunded. `seq` is its place in the account's replay, so the packs it closes stay open to
/// usage before it.
pub fn decide(ctx: &Ctx, st: &mut AccountState, ev: &Event, seq: u64) -> R<Vec<RefundRow>> {
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
    if lines.is_empty() {
        return Ok(vec![not_found(ev, st, &reference, reason, wanted)]);
    }
    let mut out = Vec::with_capacity(lines.len());
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
        let r = d.line(st);
        if r.decision == Decision::Approved
            && let Some(o) = st.orders.get_mut(&reference).and_then(|ls| ls.get_mut(i))
        {
            o.refunded_by = Some((row.order_id.clone(), row.order_date, r.refund_amount));
        }
        out.push(r);
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
        packs: Vec::new(),
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

    fn line(&mut self, st: &mut AccountState) -> RefundRow {
        if let Some((by, on, _)) = &self.orig.refunded_by {
            return self.reject(format!("already refunded by {by} on {on}"));
        }
        let Some(sku) = self.ctx.catalog.sku_by_code(&self.orig.sku).cloned() else {
            return self.reject(format!(
                "{} is not in the catalog of this run",
                self.orig.sku
            ));
        };
        // A line of an add-on-only SKU bought by a new order with the SKU it joins.
        let with_what_it_joins = self.orig.kind == OrderType::New
            && sku.joins.as_deref().is_some_and(|j| {
                st.orders.get(self.reference).is_some_and(|lines| {
                    lines.iter().any(|o| o.sku == j && o.kind == OrderType::New)
                })
            });
        match refund::policy(&self.orig.sku, &sku, self.orig.kind, with_what_it_joins) {
            Err(why) => self.reject(why),
            Ok(Refundable::Window) => self.window(st, &sku),
            Ok(Refundable::PvPack) => self.pv_packs(st),
            Ok(Refundable::ProRata) => self.pro_rata(st),
        }
    }

    fn window(&self, st: &mut AccountState, sku: &SkuDef) -> RefundRow {
        let s = self.ctx.catalog.settings();
        let w = Windows {
            any_reason_days: s.refund_any_reason_days,
            defect_days: s.refund_defect_days,
        };
        let c = match refund::window_refund(
            self.days(),
            self.reason,
            w,
            self.orig.paid,
            self.orig.voucher,
        ) {
            Ok(c) => c,
            Err(why) => return self.reject(why),
        };
        let r = self.approve(c, RefundCalc::Full);
        let booster = sku.booster.as_deref();
        for sub in st.subs.iter_mut().filter(|x| {
            x.order_id == self.reference
                && (x.sku == self.orig.sku || Some(x.sku.as_str()) == booster)
        }) {
            sub.refunded = true;
        }
        r
    }

    /// An approved cash refund (a window or pro-rata) of the line.
    fn approve(&self, c: Cash, calc: RefundCalc) -> RefundRow {
        let mut r = self.base(format!("{}: {}", self.what(), c.rule));
        r.decision = Decision::Approved;
        r.voucher_kept = c.voucher_kept;
        r.refund_amount = c.amount;
        r.calc = calc;
        r
    }

    /// The PV pack rule: the account carries on with the ledger re-deducted without the
    /// order's bonus, and the line's packs close to later usage.
    fn pv_packs(&self, st: &mut AccountState) -> RefundRow {
        let s = self.ctx.catalog.settings();
        let req = PvRequest {
            order_id: self.reference,
            line: self.orig.line,
            purchase: self.orig.order_date,
            date: self.date(),
            invoiced: self.ev.row.invoiced == Some(true),
            paid: self.orig.paid,
            voucher: self.orig.voucher,
        };
        let terms = PvTerms {
            months: s.pack_refund_months,
            unit_value: s.pv_unit_value,
        };
        let pv = match refund::pv_packs(&req, terms, &st.ledger) {
            Ok(pv) => pv,
            Err(why) => return self.reject(why),
        };
        st.ledger = pv.ledger;
        st.ledger.close(self.reference, self.orig.line, self.seq);
        let mut r = self.base(format!("{}: {}", self.what(), pv.rule));
        r.decision = Decision::Approved;
        r.used_quantity = Some(pv.used);
        r.used_value = Some(pv.used_value);
        r.refund_amount = pv.amount;
        r.calc = RefundCalc::Packs;
        r.packs = pv.packs;
        r
    }

    /// Time pro-rata (Quick Audience): unused days of the line's service; a pack without a
    /// term is refunded by its unused quota instead.
    fn pro_rata(&self, st: &mut AccountState) -> RefundRow {
        let ((unused, total), unit) = match self.orig.service {
            Some((start, end)) => (refund::unused_days(self.date(), start, end), "days"),
            None => (
                refund::unused_quota(st.ledger.packs(self.reference, self.orig.line)),
                "units of quota",
            ),
        };
        match refund::pro_rata(self.orig.paid, self.orig.voucher, unused, total, unit) {
            Ok(c) => {
                let r = self.approve(c, RefundCalc::ProRata { unused, total });
                self.end_service(st);
                r
            }
            Err(why) => self.reject(why),
        }
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
