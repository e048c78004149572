//! Quick Audience episodes: a new qa edition with the features bought with it, features
//! whose requirements the account meets, SMS and backflow packs, and upgrades from basic;
//! and the monthly contract prices written on those rows. No I/O: rows go to an [`Out`].

use super::episodes::Ep;
use super::scheduled::Policy;
use super::{Account, Holding, Out, days, months, term_text};
use crate::r#gen::GenError;
use crate::r#gen::row::{Kind, OrderLine};
use chrono::NaiveDate;
use rust_decimal::Decimal;

pub(super) const QA_REGIONS: [&str; 3] = ["cn-shanghai", "cn-zhangjiakou", "cn-shenzhen"];

/// Monthly (or per pack) contract prices written as `unit_price` on Quick Audience rows:
/// Alibaba publishes none. The same example figures as samples/catalog.quick-audience.toml.
const QA_PRICES: &[(&str, &str, i64)] = &[
    ("qa", "basic", 2000),
    ("qa", "standard-20", 8000),
    ("qa", "standard-50", 15000),
    ("qa", "standard-100", 25000),
    ("qa-marketing", "", 3000),
    ("qa-automation", "", 2000),
    ("qa-collection", "", 1500),
    ("qa-social-service", "", 5000),
    ("qa-dataphin", "", 10000),
    ("qa-social", "fans-1m", 2500),
    ("qa-social", "fans-5m", 5000),
    ("qa-social", "fans-10m", 8000),
    ("qa-social", "fans-10m-plus", 12000),
    ("qa-guide", "guides-100", 1000),
    ("qa-guide", "guides-500", 3000),
    ("qa-guide", "guides-2000", 8000),
    ("qa-guide", "guides-5000", 15000),
    ("qa-guide", "guides-unlimited", 25000),
    ("qa-member", "members-1m", 2000),
    ("qa-member", "members-5m", 5000),
    ("qa-member", "members-10m", 8000),
    ("qa-member", "members-unlimited", 15000),
    ("qa-retail", "orders-100k", 1000),
    ("qa-retail", "orders-1m", 3000),
    ("qa-retail", "orders-10m", 8000),
    ("qa-adb", "elastic", 3000),
    ("qa-adb", "reserved", 5000),
    ("qa-adb", "elastic-dataphin", 4000),
    ("qa-adb", "reserved-dataphin", 6000),
    ("qa-sms", "5k", 250),
    ("qa-sms", "15k", 700),
    ("qa-sms", "50k", 2250),
    ("qa-sms", "200k", 8600),
    ("qa-sms", "500k", 20500),
    ("qa-sms", "1m", 40000),
    ("qa-sms", "3m", 114000),
    ("qa-backflow", "rows-2m", 1000),
    ("qa-backflow", "rows-10m", 4500),
    ("qa-backflow", "rows-30m", 12000),
];

fn qa_price(sku: &str, edition: &str) -> Decimal {
    QA_PRICES
        .iter()
        .find(|(s, e, _)| *s == sku && *e == edition)
        .map(|(_, _, p)| Decimal::from(*p))
        .unwrap_or(Decimal::ONE_HUNDRED)
}

/// The Quick Audience (SKU, edition) pairs `gen` prices.
#[cfg(test)]
pub fn qa_editions() -> impl Iterator<Item = (&'static str, &'static str)> {
    QA_PRICES.iter().map(|(s, e, _)| (*s, *e))
}

impl Account<'_> {
    /// The Quick Audience episodes possible on `d`, with their weights.
    pub(super) fn qa_candidates(&self, d: NaiveDate) -> Vec<(Ep, u64)> {
        let mut c = Vec::new();
        match self.find("qa") {
            None => c.push((Ep::QaNew, 30)),
            Some(i) if self.subs[i].active_on(d) => {
                c.push((Ep::QaFeature, 25));
                c.push((Ep::QaPack, 12));
                if self.subs[i].edition == "basic" && self.subs[i].expiry > days(d, 10) {
                    c.push((Ep::QaUpgrade, 15));
                }
            }
            Some(_) => {}
        }
        c
    }

    fn standard_qa(&self, d: NaiveDate) -> bool {
        self.active("qa", d)
            .is_some_and(|i| self.subs[i].edition.starts_with("standard"))
    }

    /// A Quick Audience line (always with its region and a monthly contract price).
    fn qa_line(
        &mut self,
        order: &str,
        d: NaiveDate,
        kind: Kind,
        sku: &'static str,
        edition: &str,
        term: Option<u32>,
    ) -> (OrderLine, Decimal) {
        let price = qa_price(sku, edition);
        let mut l = self.line(order, d, kind, sku);
        l.edition = edition.to_string();
        l.quantity = Some(1);
        l.term = term.map(term_text);
        l.unit_price = Some(price);
        l.region = self.region;
        (l, price)
    }

    fn qa_term(&mut self) -> u32 {
        *self.rng.pick(&[1, 2, 3, 6, 6, 12, 12, 12, 12])
    }

    pub(super) fn qa_new(&mut self, d: NaiveDate, out: &mut dyn Out) -> Result<bool, GenError> {
        let edition = ["basic", "standard-20", "standard-50", "standard-100"]
            [self.rng.weighted(&[40, 30, 20, 10]).unwrap_or(0)];
        let term = self.qa_term();
        let order = out.order_id("SO");
        let (mut l, price) = self.qa_line(&order, d, Kind::New, "qa", edition, Some(term));
        let list = price * Decimal::from(term);
        self.bill(&mut l, list, None);
        self.voucher(&mut l);
        let mut lines = vec![l];
        // Features bought with it: each needs `needs` (an index into `lines`) to be good.
        let mut extras: Vec<(&'static str, &'static str, usize)> = Vec::new();
        let standard = edition != "basic";
        if self.rng.chance(500) {
            extras.push(("qa-marketing", "", 0));
        }
        if standard && self.region != "cn-shenzhen" && self.rng.chance(350) {
            extras.push(("qa-collection", "", 0));
        }
        if standard && self.rng.chance(300) {
            let fans = *self
                .rng
                .pick(&["fans-1m", "fans-5m", "fans-10m", "fans-10m-plus"]);
            extras.push(("qa-social", fans, 0));
            if term == 12 && self.rng.chance(500) {
                // Needs the social line just pushed: `good` index = its extras index + 1.
                extras.push(("qa-social-service", "", extras.len()));
            }
        }
        let mut kept = Vec::new();
        for (sku, ed, needs) in extras {
            if lines.len() as u64 >= self.left {
                break;
            }
            let (mut x, p) = self.qa_line(&order, d, Kind::New, sku, ed, Some(term));
            self.bill(&mut x, p * Decimal::from(term), None);
            lines.push(x);
            kept.push((sku, ed, needs, p));
        }
        let bad = self.emit(out, &lines)?;
        let mut good = vec![!bad[0]];
        if !bad[0] {
            let i = self.push_sub("qa", edition, 1, d, term, price, true, &order);
            self.plan_renewal(i);
        }
        for (k, (sku, ed, needs, p)) in kept.into_iter().enumerate() {
            let ok = !bad[k + 1] && good.get(needs).copied().unwrap_or(false);
            good.push(ok);
            if ok {
                self.push_sub(sku, ed, 1, d, term, p, true, &order);
            }
        }
        if !bad[0] {
            self.plan_refund(&order, d, Policy::ProRata, 70);
        }
        Ok(true)
    }

    /// A Quick Audience feature whose requirements the account meets on `d`: a new
    /// subscription of its own term, or an add-on co-terminated with qa and priced by days.
    pub(super) fn qa_feature(&mut self, d: NaiveDate, out: &mut dyn Out) -> Result<bool, GenError> {
        let Some(qa) = self.active("qa", d) else {
            return Ok(false);
        };
        let qa_expiry = self.subs[qa].expiry;
        let standard = self.standard_qa(d);
        let holds = |a: &Self, sku: &str| a.active(sku, d).is_some();
        let region = self.region;
        let mut options: Vec<(&'static str, &'static [&'static str])> = Vec::new();
        let held = |a: &Self, sku: &str| a.find(sku).is_some();
        if !held(self, "qa-marketing") {
            options.push(("qa-marketing", &[""]));
        }
        if holds(self, "qa-marketing") && !held(self, "qa-automation") {
            options.push(("qa-automation", &[""]));
        }
        if standard {
            if region != "cn-shenzhen" && !held(self, "qa-collection") {
                options.push(("qa-collection", &[""]));
            }
            if !held(self, "qa-social") {
                options.push((
                    "qa-social",
                    &["fans-1m", "fans-5m", "fans-10m", "fans-10m-plus"],
                ));
            }
            if !held(self, "qa-adb") {
                if region == "cn-zhangjiakou" {
                    options.push(("qa-adb", &["elastic", "reserved"]));
                } else {
                    options.push((
                        "qa-adb",
                        &[
                            "elastic",
                            "reserved",
                            "elastic-dataphin",
                            "reserved-dataphin",
                        ],
                    ));
                }
            }
            let dataphin_ok = region == "cn-shenzhen"
                || (region == "cn-shanghai" && holds(self, "qa-collection"));
            if dataphin_ok && !held(self, "qa-dataphin") {
                options.push(("qa-dataphin", &[""]));
            }
        }
        if holds(self, "qa-social") {
            for (sku, eds) in [
                (
                    "qa-guide",
                    &[
                        "guides-100",
                        "guides-500",
                        "guides-2000",
                        "guides-5000",
                        "guides-unlimited",
                    ] as &'static [&'static str],
                ),
                (
                    "qa-member",
                    &[
                        "members-1m",
                        "members-5m",
                        "members-10m",
                        "members-unlimited",
                    ],
                ),
                ("qa-retail", &["orders-100k", "orders-1m", "orders-10m"]),
            ] {
                if !held(self, sku) {
                    options.push((sku, eds));
                }
            }
        }
        if options.is_empty() {
            return Ok(false);
        }
        let (sku, eds) = *self.rng.pick(&options);
        let edition = *self.rng.pick(eds);
        let addon = qa_expiry > days(d, 20) && self.rng.chance(300);
        let order = out.order_id("SO");
        let (l, start, term, expiry, price) = if addon {
            let (mut l, p) = self.qa_line(&order, d, Kind::Addon, sku, edition, None);
            let list = self.prices.by_days(p, 1, d, qa_expiry);
            self.bill(&mut l, list, None);
            (l, d, 12, qa_expiry, p)
        } else {
            let term = self.qa_term();
            let (mut l, p) = self.qa_line(&order, d, Kind::New, sku, edition, Some(term));
            self.bill(&mut l, p * Decimal::from(term), None);
            (l, d, term, months(d, term), p)
        };
        if !self.emit(out, &[l])?[0] {
            let i = self.push_sub(sku, edition, 1, start, term, price, true, &order);
            self.subs[i].expiry = expiry;
        }
        Ok(true)
    }

    pub(super) fn qa_pack(&mut self, d: NaiveDate, out: &mut dyn Out) -> Result<bool, GenError> {
        if self.active("qa", d).is_none() {
            return Ok(false);
        }
        let backflow = self.standard_qa(d) && self.rng.chance(300);
        let (sku, metric, edition) = if backflow {
            let e = *self.rng.pick(&["rows-2m", "rows-10m", "rows-30m"]);
            ("qa-backflow", "backflow_rows", e)
        } else {
            let e = *self.rng.pick(&["5k", "15k", "50k", "200k", "500k", "1m"]);
            ("qa-sms", "sms", e)
        };
        let q = self.rng.range(1, 3);
        let order = out.order_id("SO");
        let (mut l, price) = self.qa_line(&order, d, Kind::New, sku, edition, None);
        l.quantity = Some(q);
        self.bill(&mut l, price * Decimal::from(q), None);
        if !self.emit(out, &[l])?[0] {
            self.add_holding(Holding {
                metric,
                order_id: order,
                size: self.prices.pack_size(sku, edition) * q,
                purchased: d,
                until: None,
            });
        }
        Ok(true)
    }

    pub(super) fn qa_upgrade(&mut self, d: NaiveDate, out: &mut dyn Out) -> Result<bool, GenError> {
        let Some(i) = self.active("qa", d) else {
            return Ok(false);
        };
        let (old, expiry) = (self.subs[i].unit, self.subs[i].expiry);
        if self.subs[i].edition != "basic" || expiry <= d {
            return Ok(false);
        }
        let edition = *self
            .rng
            .pick(&["standard-20", "standard-50", "standard-100"]);
        let order = out.order_id("SO");
        let (mut l, price) = self.qa_line(&order, d, Kind::Upgrade, "qa", edition, None);
        l.quantity = None;
        let list = self.prices.by_days(price - old, 1, d, expiry);
        self.bill(&mut l, list, None);
        if !self.emit(out, &[l])?[0] {
            let s = &mut self.subs[i];
            s.edition = edition.to_string();
            s.unit = price;
        }
        Ok(true)
    }
}
