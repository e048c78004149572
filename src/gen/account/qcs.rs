//! Customer Service (Tencent QCS) episodes: online seats with their robots, phone seats,
//! add-ons to both, and session packs. No I/O: rows go to an [`Out`].

use super::episodes::Ep;
use super::scheduled::Policy;
use super::{Account, Out, months, term_text};
use crate::r#gen::GenError;
use crate::r#gen::row::Kind;
use chrono::NaiveDate;
use rust_decimal::Decimal;

impl Account<'_> {
    /// The Customer Service episodes possible on `d`, with their weights.
    pub(super) fn qcs_candidates(&self, d: NaiveDate) -> Vec<(Ep, u64)> {
        let mut c = Vec::new();
        match self.find("qcs-online") {
            None => c.push((Ep::QcsOnlineNew, 30)),
            Some(_) if self.running("qcs-online", d).is_some() => {
                c.push((Ep::QcsOnlineAddon, 15));
                c.push((Ep::QcsRobotAddon, 8));
            }
            Some(_) => {}
        }
        if self.find("qcs-phone").is_none() {
            c.push((Ep::QcsPhoneNew, 12));
        }
        c.push((Ep::QcsSessions, 12));
        c.push((Ep::QcsOneTime, 5));
        c
    }

    pub(super) fn qcs_online_new(
        &mut self,
        d: NaiveDate,
        out: &mut dyn Out,
    ) -> Result<bool, GenError> {
        let robot = self.left >= 2 && self.rng.chance(350);
        let pro = self.rng.chance(200);
        let edition = if pro { "pro" } else { "basic" };
        let q = if pro {
            self.rng.range(3, 10)
        } else {
            self.rng.range(3, 30)
        };
        let y = self.years(false);
        let unit = self.prices.list("qcs-online", edition);
        let order = out.order_id("SO");
        let mut l = self.line(&order, d, Kind::New, "qcs-online");
        l.edition = edition.to_string();
        l.quantity = Some(q);
        l.term = Some(term_text(12 * y));
        // A robot joins the seats on the order date, so the seats start then too.
        l.start_date = if robot { None } else { self.start_date(d) };
        let list = unit * Decimal::from(q) * Decimal::from(y);
        let disc = self.discount(list);
        self.bill(&mut l, list, disc);
        self.voucher(&mut l);
        let start = l.start_date.unwrap_or(d);
        let mut lines = vec![l];
        let mut robot_facts = None;
        if robot {
            let (redition, runit, contract) = self.robot_edition();
            let rq = if self.rng.chance(850) { 1 } else { 2 };
            let mut r = self.line(&order, d, Kind::New, "qcs-robot");
            r.edition = redition.to_string();
            r.quantity = Some(rq);
            if contract {
                r.unit_price = Some(runit);
            }
            let expiry = months(start, 12 * y);
            let list = self.prices.tencent_addon(runit, rq, d, expiry);
            self.bill(&mut r, list, None);
            lines.push(r);
            robot_facts = Some((redition, rq, runit, contract));
        }
        let bad = self.emit(out, &lines)?;
        if bad[0] {
            return Ok(true);
        }
        let i = self.push_sub("qcs-online", edition, q, start, 12 * y, unit, false, &order);
        if let Some((redition, rq, runit, contract)) = robot_facts
            && !bad[1]
        {
            self.join_robot(redition, rq, runit, contract, d, &order);
        }
        self.plan_renewal(i);
        self.plan_refund(&order, d, Policy::Window { start }, 100);
        Ok(true)
    }

    fn robot_edition(&mut self) -> (&'static str, Decimal, bool) {
        if self.rng.chance(150) {
            let price = Decimal::from(self.rng.range(15, 30) * 1000);
            ("pro", price, true)
        } else {
            ("standard", self.prices.list("qcs-robot", "standard"), false)
        }
    }

    /// A robot joins the account's seats: its own subscription grows, or starts with the
    /// seats' expiry.
    fn join_robot(
        &mut self,
        edition: &'static str,
        q: u64,
        unit: Decimal,
        contract: bool,
        d: NaiveDate,
        order: &str,
    ) {
        let Some(online) = self.active("qcs-online", d) else {
            return;
        };
        let expiry = self.subs[online].expiry;
        match self
            .find_ed("qcs-robot", edition)
            .filter(|i| self.subs[*i].start <= d && d < self.subs[*i].expiry)
        {
            Some(i) => self.subs[i].quantity += q,
            None => {
                self.subs
                    .retain(|s| !(s.sku == "qcs-robot" && s.edition == edition));
                let i = self.push_sub("qcs-robot", edition, q, d, 12, unit, contract, order);
                self.subs[i].expiry = expiry;
            }
        }
    }

    pub(super) fn qcs_phone_new(
        &mut self,
        d: NaiveDate,
        out: &mut dyn Out,
    ) -> Result<bool, GenError> {
        let q = self.rng.range(3, 20);
        let y = self.years(false);
        let unit = self.prices.list("qcs-phone", "standard");
        let order = out.order_id("SO");
        let mut l = self.line(&order, d, Kind::New, "qcs-phone");
        l.edition = "standard".into();
        l.quantity = Some(q);
        l.term = Some(term_text(12 * y));
        l.start_date = self.start_date(d);
        let list = unit * Decimal::from(q) * Decimal::from(y);
        let disc = self.discount(list);
        self.bill(&mut l, list, disc);
        self.voucher(&mut l);
        let start = l.start_date.unwrap_or(d);
        if self.emit(out, &[l])?[0] {
            return Ok(true);
        }
        let i = self.push_sub(
            "qcs-phone",
            "standard",
            q,
            start,
            12 * y,
            unit,
            false,
            &order,
        );
        self.plan_renewal(i);
        self.plan_refund(&order, d, Policy::Window { start }, 100);
        Ok(true)
    }

    pub(super) fn qcs_online_addon(
        &mut self,
        d: NaiveDate,
        out: &mut dyn Out,
    ) -> Result<bool, GenError> {
        let Some(i) = self.running("qcs-online", d) else {
            return Ok(false);
        };
        let (edition, unit, expiry) = {
            let s = &self.subs[i];
            (s.edition.clone(), s.unit, s.expiry)
        };
        let q = self.rng.range(1, 5);
        let order = out.order_id("SO");
        let mut l = self.line(&order, d, Kind::Addon, "qcs-online");
        l.edition = edition;
        l.quantity = Some(q);
        let list = self.prices.tencent_addon(unit, q, d, expiry);
        self.bill(&mut l, list, None);
        if !self.emit(out, &[l])?[0] {
            self.subs[i].quantity += q;
            self.plan_refund(&order, d, Policy::None, 25);
        }
        Ok(true)
    }

    pub(super) fn qcs_robot_addon(
        &mut self,
        d: NaiveDate,
        out: &mut dyn Out,
    ) -> Result<bool, GenError> {
        let Some(online) = self.running("qcs-online", d) else {
            return Ok(false);
        };
        let expiry = self.subs[online].expiry;
        let (edition, unit, contract) = self.robot_edition();
        let order = out.order_id("SO");
        let mut l = self.line(&order, d, Kind::Addon, "qcs-robot");
        l.edition = edition.to_string();
        l.quantity = Some(1);
        if contract {
            l.unit_price = Some(unit);
        }
        let list = self.prices.tencent_addon(unit, 1, d, expiry);
        self.bill(&mut l, list, None);
        if !self.emit(out, &[l])?[0] {
            self.join_robot(edition, 1, unit, contract, d, &order);
        }
        Ok(true)
    }

    pub(super) fn qcs_sessions(
        &mut self,
        d: NaiveDate,
        out: &mut dyn Out,
    ) -> Result<bool, GenError> {
        self.sessions_pack(d, out, "qcs-sessions")
    }
}
