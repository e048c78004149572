//! CDP episodes: a new cover (edition plus boosters, perhaps with a service item) and
//! add-ons of boosters or of a grown customer count. No I/O: rows go to an [`Out`].

use super::episodes::Ep;
use super::scheduled::Policy;
use super::{Account, Out, term_text};
use crate::r#gen::GenError;
use crate::r#gen::row::Kind;
use chrono::NaiveDate;
use rust_decimal::Decimal;

impl Account<'_> {
    /// The CDP episodes possible on `d`, with their weights.
    pub(super) fn cdp_candidates(&self, d: NaiveDate) -> Vec<(Ep, u64)> {
        match self.find("cdp") {
            None => vec![(Ep::CdpNew, 30)],
            Some(_) if self.running("cdp", d).is_some() => vec![(Ep::CdpAddon, 12)],
            Some(_) => Vec::new(),
        }
    }

    pub(super) fn cdp_new(&mut self, d: NaiveDate, out: &mut dyn Out) -> Result<bool, GenError> {
        const CUSTOMERS: [u64; 13] = [
            300_000, 450_000, 800_000, 1_000_000, 2_500_000, 4_000_000, 5_000_000, 8_000_000,
            9_500_000, 12_000_000, 15_000_000, 20_000_000, 24_000_000,
        ];
        let customers = *self.rng.pick(&CUSTOMERS);
        let (written, cover) = match self.rng.below(1000) {
            0..600 => ("auto", self.prices.cheapest_cover(customers)),
            600..700 => ("", self.prices.cheapest_cover(customers)),
            _ => {
                let e = *self.rng.pick(&[
                    "basic",
                    "standard",
                    "professional",
                    "enterprise",
                    "flagship",
                ]);
                (e, self.prices.cover_with(e, customers))
            }
        };
        let y = self.years(false);
        let service = self.left >= 2 && self.rng.chance(300);
        let order = out.order_id("SO");
        let mut l = self.line(&order, d, Kind::New, "cdp");
        l.edition = written.to_string();
        l.quantity = Some(customers);
        l.term = Some(term_text(12 * y));
        l.start_date = if service { None } else { self.start_date(d) };
        let list = cover.annual * Decimal::from(y);
        let disc = self.discount(list);
        self.bill(&mut l, list, disc);
        self.voucher(&mut l);
        let start = l.start_date.unwrap_or(d);
        let mut lines = vec![l];
        if service {
            let mut s = self.line(&order, d, Kind::New, "cdp-service");
            s.quantity = Some(1);
            let price = Decimal::from(self.rng.range(3, 20) * 10_000);
            s.unit_price = Some(price);
            self.bill(&mut s, price, None);
            lines.push(s);
        }
        if self.emit(out, &lines)?[0] {
            return Ok(true);
        }
        let unit = self.prices.list("cdp", &cover.edition);
        let i = self.push_sub(
            "cdp",
            &cover.edition,
            customers,
            start,
            12 * y,
            unit,
            false,
            &order,
        );
        self.subs[i].boosters = cover.boosters;
        self.plan_renewal(i);
        self.plan_refund(&order, d, Policy::Window { start }, 100);
        Ok(true)
    }

    pub(super) fn cdp_addon(&mut self, d: NaiveDate, out: &mut dyn Out) -> Result<bool, GenError> {
        let Some(i) = self.running("cdp", d) else {
            return Ok(false);
        };
        let (edition, quantity, boosters, expiry) = {
            let s = &self.subs[i];
            (s.edition.clone(), s.quantity, s.boosters, s.expiry)
        };
        let cover = self.prices.cover_size(&edition, boosters);
        let bp = self.prices.booster_price();
        let order = out.order_id("SO");
        let (l, added, customers) = if self.rng.chance(600) {
            // The account's new customer count: the boosters beyond the cover are billed.
            let k = self.rng.range(1, 3);
            let customers = cover + k * 1_000_000 - self.rng.range(0, 900_000);
            let needed = self.prices.boosters_needed(customers, cover);
            let mut l = self.line(&order, d, Kind::Addon, "cdp");
            l.quantity = Some(customers);
            let list = self.prices.tencent_addon(bp, needed, d, expiry);
            self.bill(&mut l, list, None);
            (l, needed, customers.max(quantity))
        } else {
            let k = self.rng.range(1, 2);
            let mut l = self.line(&order, d, Kind::Addon, "cdp-booster");
            l.quantity = Some(k);
            let list = self.prices.tencent_addon(bp, k, d, expiry);
            self.bill(&mut l, list, None);
            (l, k, quantity)
        };
        if !self.emit(out, &[l])?[0] {
            let s = &mut self.subs[i];
            s.boosters += added;
            s.quantity = customers;
            self.plan_refund(&order, d, Policy::None, 25);
        }
        Ok(true)
    }
}
