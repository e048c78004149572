//! SSC episodes: a purchase with its four mandatory items (and the robot's bonus sessions),
//! add-ons to it, and session packs or one-time items. No I/O: rows go to an [`Out`].

use super::episodes::Ep;
use super::scheduled::Policy;
use super::{Account, Holding, Out, term_text};
use crate::r#gen::GenError;
use crate::r#gen::family::Family;
use crate::r#gen::row::Kind;
use chrono::NaiveDate;
use rust_decimal::Decimal;

impl Account<'_> {
    /// The SSC episodes possible on `d`, with their weights.
    pub(super) fn ssc_candidates(&self, d: NaiveDate) -> Vec<(Ep, u64)> {
        let mut c = Vec::new();
        match self.find("ssc-employees") {
            None if self.left >= 4 => c.push((Ep::SscNew, 30)),
            Some(_) if self.running("ssc-employees", d).is_some() => {
                c.push((Ep::SscAddon, 15));
            }
            _ => {}
        }
        c.push((Ep::SscExtra, 6));
        c
    }

    pub(super) fn ssc_new(&mut self, d: NaiveDate, out: &mut dyn Out) -> Result<bool, GenError> {
        if self.left < 4 {
            return Ok(false);
        }
        let y = self.years(true);
        let term = term_text(12 * y);
        let years = Decimal::from(y);
        let employees = self.rng.range(2, 60) * 500;
        let experts = self.rng.range(3, 12);
        let tickets = self.rng.range(3, 12);
        let robots = if self.rng.chance(900) { 1 } else { 2 };
        let order = out.order_id("SO");
        let mut lines = Vec::new();
        let mut units = Vec::new();
        for (sku, q) in [
            ("ssc-employees", employees),
            ("ssc-experts", experts),
            ("ssc-tickets", tickets),
            ("ssc-robot", robots),
        ] {
            let unit = self.prices.list(sku, "");
            let billable = if sku == "ssc-employees" {
                q.div_ceil(self.prices.block(sku))
            } else {
                q
            };
            let mut l = self.line(&order, d, Kind::New, sku);
            l.quantity = Some(q);
            l.term = Some(term.clone());
            let list = unit * Decimal::from(billable) * years;
            let disc = self.discount(list);
            self.bill(&mut l, list, disc);
            lines.push(l);
            units.push((sku, q, unit));
        }
        if self.left >= 5 && self.rng.chance(400) {
            let mut l = self.line(&order, d, Kind::New, "ssc-knowledge");
            l.quantity = Some(1);
            let list = self.prices.list("ssc-knowledge", "");
            self.bill(&mut l, list, None);
            lines.push(l);
        }
        let bad = self.emit(out, &lines)?;
        // One bad mandatory item makes every SSC line of the order MISSING_REQUIREMENT.
        if bad.iter().take(4).any(|b| *b) {
            return Ok(true);
        }
        let mut main = 0;
        for (sku, q, unit) in units {
            let i = self.push_sub(sku, "", q, d, 12 * y, unit, false, &order);
            if sku == "ssc-employees" {
                main = i;
            }
        }
        self.add_holding(Holding {
            metric: "sessions",
            order_id: order.clone(),
            size: self.prices.bonus("ssc-robot") * robots,
            purchased: d,
            until: None,
        });
        self.plan_renewal(main);
        self.plan_refund(&order, d, Policy::None, 25);
        Ok(true)
    }

    pub(super) fn ssc_addon(&mut self, d: NaiveDate, out: &mut dyn Out) -> Result<bool, GenError> {
        let Some(emp) = self.running("ssc-employees", d) else {
            return Ok(false);
        };
        let expiry = self.subs[emp].expiry;
        let sku = *self
            .rng
            .pick(&["ssc-experts", "ssc-experts", "ssc-tickets", "ssc-employees"]);
        let Some(i) = self.active(sku, d) else {
            return Ok(false);
        };
        let (already, unit) = (self.subs[i].quantity, self.subs[i].unit);
        let (q, billable) = if sku == "ssc-employees" {
            let q = self.rng.range(1, 10) * 500;
            let b = self.prices.block(sku);
            (q, (already + q).div_ceil(b) - already.div_ceil(b))
        } else {
            let q = self.rng.range(1, 3);
            (q, q)
        };
        let order = out.order_id("SO");
        let mut l = self.line(&order, d, Kind::Addon, sku);
        l.quantity = Some(q);
        let list = self.prices.tencent_addon(unit, billable, d, expiry);
        self.bill(&mut l, list, None);
        if !self.emit(out, &[l])?[0] {
            self.subs[i].quantity += q;
        }
        Ok(true)
    }

    pub(super) fn ssc_extra(&mut self, d: NaiveDate, out: &mut dyn Out) -> Result<bool, GenError> {
        if self.rng.chance(500) {
            self.sessions_pack(d, out, "ssc-sessions")
        } else {
            self.one_time(d, out, Family::Ssc)
        }
    }
}
