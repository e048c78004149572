//! The events an account plans ahead and meets when their day comes: renewals (most on
//! time, some within grace, a few too late, which lose the resources) and refund requests
//! (approved or refused as the rules will decide them). No I/O: rows go to an [`Out`].

use super::{Account, Out, days, days_before, grace_end, months, term_text};
use crate::r#gen::GenError;
use crate::r#gen::family::Family;
use crate::r#gen::row::Kind;
use chrono::NaiveDate;
use rust_decimal::Decimal;

#[derive(Debug, Clone)]
pub(super) enum Policy {
    /// cdp, qcs-online, qcs-phone: 7 days for any reason, 30 for a defect, from activation.
    Window { start: NaiveDate },
    /// PV packs: within a calendar month, invoice returned.
    Pv { purchased: NaiveDate },
    /// Quick Audience: time pro-rata.
    ProRata,
    /// Not refundable: the request is rejected.
    None,
}

#[derive(Debug, Clone)]
pub(super) struct RefundPlan {
    ref_order: String,
    policy: Policy,
    reason: &'static str,
    invoiced: bool,
}

#[derive(Debug, Clone)]
pub(super) enum Due {
    Renew { sku: &'static str, edition: String },
    Refund(RefundPlan),
}

impl Account<'_> {
    fn schedule(&mut self, date: NaiveDate, due: Due) {
        let at = self.due.partition_point(|(x, _)| *x <= date);
        self.due.insert(at, (date, due));
    }

    /// Plans the renewal of `subs[i]` (most subscriptions are renewed; a few too late).
    pub(super) fn plan_renewal(&mut self, i: usize) {
        if !self.rng.chance(750) {
            return;
        }
        let (sku, edition, expiry) = {
            let s = &self.subs[i];
            (s.sku, s.edition.clone(), s.expiry)
        };
        let r = self.rng.below(1000);
        let grace = grace_end(self.prices, sku, expiry);
        let date = if Family::of(sku) == Some(Family::Qa) {
            match r {
                0..600 => days_before(expiry, self.rng.range(1, 20)),
                600..950 => days(expiry, self.rng.range(0, 13)),
                _ => days(grace, self.rng.range(1, 30)),
            }
        } else {
            match r {
                0..560 => days_before(expiry, self.rng.range(1, 30)),
                560..940 => days(expiry, self.rng.range(0, 80)),
                _ => days(grace, self.rng.range(1, 45)),
            }
        };
        self.subs[i].renewing = true;
        self.schedule(date, Due::Renew { sku, edition });
    }

    /// Plans a refund request for `order`, `after` days (some range) after `from`.
    pub(super) fn plan_refund(&mut self, order: &str, from: NaiveDate, policy: Policy, odds: u64) {
        if !self.rng.chance(odds) {
            return;
        }
        let reasons = ["no_reason", "defect", "other"];
        let (after, reason, invoiced) = match &policy {
            Policy::Window { .. } => match self.rng.below(1000) {
                0..450 => (self.rng.range(1, 7), *self.rng.pick(&reasons), false),
                450..650 => (self.rng.range(8, 30), "defect", false),
                _ => (
                    self.rng.range(8, 40),
                    *self.rng.pick(&["no_reason", "other"]),
                    false,
                ),
            },
            Policy::Pv { .. } => match self.rng.below(1000) {
                0..600 => (
                    self.rng.range(1, 27),
                    *self.rng.pick(&reasons),
                    self.rng.chance(250),
                ),
                _ => (self.rng.range(33, 60), *self.rng.pick(&reasons), false),
            },
            Policy::ProRata => (self.rng.range(5, 25), *self.rng.pick(&reasons), false),
            Policy::None => (self.rng.range(1, 20), *self.rng.pick(&reasons), false),
        };
        for s in self.subs.iter_mut().filter(|s| s.order_id == order) {
            s.frozen = true;
        }
        let plan = RefundPlan {
            ref_order: order.to_string(),
            policy,
            reason,
            invoiced,
        };
        self.schedule(days(from, after), Due::Refund(plan));
    }

    pub(super) fn renew(
        &mut self,
        date: NaiveDate,
        sku: &'static str,
        edition: &str,
        out: &mut dyn Out,
    ) -> Result<(), GenError> {
        let Some(main) = self.find_ed(sku, edition) else {
            return Ok(());
        };
        self.subs[main].renewing = false;
        let expiry = self.subs[main].expiry;
        let mut members = vec![main];
        let followers: &[&str] = match sku {
            "qcs-online" => &["qcs-robot"],
            "ssc-employees" => &["ssc-experts", "ssc-tickets", "ssc-robot"],
            _ => &[],
        };
        for (i, s) in self.subs.iter().enumerate() {
            if followers.contains(&s.sku) && s.expiry == expiry && !s.frozen {
                members.push(i);
            }
        }
        if members.len() as u64 > self.left || self.subs[main].frozen {
            return Ok(());
        }
        let qa = Family::of(sku) == Some(Family::Qa);
        let late = date > grace_end(self.prices, sku, expiry);
        let term = if qa {
            self.subs[main].term_months
        } else if self.rng.chance(150) {
            24
        } else {
            12
        };
        let order = out.order_id("SO");
        let mut lines = Vec::new();
        let mut new_quantity = Vec::new();
        for &m in &members {
            let s = self.subs[m].clone();
            let mut l = self.line(&order, date, Kind::Renewal, s.sku);
            if s.sku != "cdp" {
                l.edition = s.edition.clone();
            }
            l.term = Some(term_text(term));
            let mut q = s.quantity;
            if matches!(s.sku, "qcs-online" | "qcs-phone") && self.rng.chance(150) {
                q += self.rng.range(1, 5);
                l.quantity = Some(q);
            }
            if s.contract {
                l.unit_price = Some(s.unit);
            }
            if qa {
                l.region = self.region;
            }
            let years = Decimal::from(term / 12);
            let list = match s.sku {
                "cdp" => self.prices.cover_with(&s.edition, q).annual * years,
                "ssc-employees" => {
                    Decimal::from(q.div_ceil(self.prices.block(s.sku))) * s.unit * years
                }
                "qdm-wecom" => self.prices.tier(s.sku, q) * Decimal::from(q) * years,
                _ if qa => s.unit * Decimal::from(q) * Decimal::from(term),
                _ => s.unit * Decimal::from(q) * years,
            };
            self.bill(&mut l, list, None);
            lines.push(l);
            new_quantity.push(q);
        }
        let bad = self.emit(out, &lines)?;
        if late {
            // RECLAIMED: the resources are gone; the account may buy anew later.
            let gone: Vec<usize> = members
                .iter()
                .zip(&bad)
                .filter(|(_, b)| !**b)
                .map(|(m, _)| *m)
                .collect();
            let mut at = 0;
            self.subs.retain(|_| {
                at += 1;
                !gone.contains(&(at - 1))
            });
            return Ok(());
        }
        for ((&m, b), q) in members.iter().zip(&bad).zip(new_quantity) {
            if *b {
                continue;
            }
            let prices = self.prices;
            let s = &mut self.subs[m];
            s.expiry = months(s.expiry, term);
            s.quantity = q;
            if s.sku == "cdp" && s.boosters > 0 {
                s.boosters = prices.cover_with(&s.edition, q).boosters;
            }
        }
        if !bad[0] {
            self.plan_renewal(main);
        }
        Ok(())
    }

    pub(super) fn refund(
        &mut self,
        date: NaiveDate,
        plan: RefundPlan,
        out: &mut dyn Out,
    ) -> Result<(), GenError> {
        for s in self
            .subs
            .iter_mut()
            .filter(|s| s.order_id == plan.ref_order)
        {
            s.frozen = false;
        }
        if self.left == 0 {
            return Ok(());
        }
        let order = out.order_id("RF");
        let mut l = self.line(&order, date, Kind::Refund, "");
        l.ref_order_id = plan.ref_order.clone();
        l.reason = plan.reason;
        l.invoiced = plan.invoiced;
        let bad = self.emit(out, &[l])?;
        if bad[0] {
            return Ok(());
        }
        match plan.policy {
            Policy::Window { start } => {
                let days = (date - start).num_days();
                let approved = (0..=7).contains(&days)
                    || (plan.reason == "defect" && (0..=30).contains(&days));
                if approved {
                    self.subs.retain(|s| {
                        !(s.order_id == plan.ref_order
                            && matches!(s.sku, "cdp" | "qcs-online" | "qcs-phone"))
                    });
                }
            }
            Policy::Pv { purchased } => {
                if date <= months(purchased, 1) && !plan.invoiced {
                    self.closed.push((plan.ref_order, date));
                }
            }
            Policy::ProRata => {
                self.subs
                    .retain(|s| !(s.order_id == plan.ref_order && s.expiry > date));
            }
            Policy::None => {}
        }
        Ok(())
    }
}
