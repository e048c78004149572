//! QDM episodes: PV packs (with bonuses, valid a year) and WeCom subscriptions priced by
//! tier, with their add-ons. No I/O: rows go to an [`Out`].

use super::episodes::Ep;
use super::scheduled::Policy;
use super::{Account, Holding, Out, months, term_text};
use crate::r#gen::GenError;
use crate::r#gen::row::Kind;
use chrono::NaiveDate;
use rust_decimal::Decimal;

impl Account<'_> {
    /// The QDM episodes possible on `d`, with their weights.
    pub(super) fn qdm_candidates(&self, d: NaiveDate) -> Vec<(Ep, u64)> {
        let mut c = vec![(Ep::PvPack, 25)];
        match self.find("qdm-wecom") {
            None => c.push((Ep::WecomNew, 12)),
            Some(_) if self.running("qdm-wecom", d).is_some() => c.push((Ep::WecomAddon, 8)),
            Some(_) => {}
        }
        c
    }

    pub(super) fn pv_pack(&mut self, d: NaiveDate, out: &mut dyn Out) -> Result<bool, GenError> {
        let edition = if self.rng.chance(700) { "1m" } else { "3m" };
        let q = self.rng.range(1, 3);
        let bonus = self.rng.chance(350).then(|| self.rng.range(1, 20) * 10_000);
        let order = out.order_id("SO");
        let mut l = self.line(&order, d, Kind::New, "qdm-pv");
        l.edition = edition.to_string();
        l.quantity = Some(q);
        l.bonus = bonus;
        let list = self.prices.list("qdm-pv", edition) * Decimal::from(q);
        let disc = self.discount(list);
        self.bill(&mut l, list, disc);
        if !self.emit(out, &[l])?[0] {
            let size = self.prices.pack_size("qdm-pv", edition) * q + bonus.unwrap_or(0);
            let until = self.prices.valid_months("qdm-pv").map(|m| months(d, m));
            self.add_holding(Holding {
                metric: "pv",
                order_id: order.clone(),
                size,
                purchased: d,
                until,
            });
            self.plan_refund(&order, d, Policy::Pv { purchased: d }, 120);
        }
        Ok(true)
    }

    pub(super) fn wecom_new(&mut self, d: NaiveDate, out: &mut dyn Out) -> Result<bool, GenError> {
        let q = match self.rng.weighted(&[20, 40, 20, 12, 8]).unwrap_or(0) {
            0 => self.rng.range(1, 5),
            1 => self.rng.range(6, 200),
            2 => self.rng.range(201, 500),
            3 => self.rng.range(501, 1000),
            _ => self.rng.range(1001, 3000),
        };
        let y = self.years(false);
        let order = out.order_id("SO");
        let mut l = self.line(&order, d, Kind::New, "qdm-wecom");
        l.quantity = Some(q);
        l.term = Some(term_text(12 * y));
        l.start_date = self.start_date(d);
        let tier = self.prices.tier("qdm-wecom", q);
        let list = tier * Decimal::from(q) * Decimal::from(y);
        let disc = self.discount(list);
        self.bill(&mut l, list, disc);
        let start = l.start_date.unwrap_or(d);
        if self.emit(out, &[l])?[0] {
            return Ok(true);
        }
        let i = self.push_sub("qdm-wecom", "", q, start, 12 * y, tier, false, &order);
        self.plan_renewal(i);
        self.plan_refund(&order, d, Policy::None, 25);
        Ok(true)
    }

    pub(super) fn wecom_addon(
        &mut self,
        d: NaiveDate,
        out: &mut dyn Out,
    ) -> Result<bool, GenError> {
        let Some(i) = self.running("qdm-wecom", d) else {
            return Ok(false);
        };
        let (already, expiry) = (self.subs[i].quantity, self.subs[i].expiry);
        let q = self.rng.range(1, 200);
        if already + q > self.prices.tier_max("qdm-wecom") {
            return Ok(false);
        }
        let order = out.order_id("SO");
        let mut l = self.line(&order, d, Kind::Addon, "qdm-wecom");
        l.quantity = Some(q);
        // Tiered add-ons are priced at the tier of the new total.
        let tier = self.prices.tier("qdm-wecom", already + q);
        let list = self.prices.tencent_addon(tier, q, d, expiry);
        self.bill(&mut l, list, None);
        if !self.emit(out, &[l])?[0] {
            self.subs[i].quantity += q;
        }
        Ok(true)
    }
}
