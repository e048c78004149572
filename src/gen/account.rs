//! One synthetic account's story, told in date order: it buys subscriptions, packs and
//! one-time items of the product families it uses, adds units mid-term, renews (mostly on
//! time, some within grace, a few too late), upgrades Quick Audience, asks for refunds, and
//! uses its packs. No I/O: rows go to an [`Out`], which writes them and says which were
//! spoiled as bad rows.
//!
//! The account keeps the state `billrun run` will build when it replays the same rows (what
//! is held, until when, at which price), so every later row is valid when written: add-ons
//! join running subscriptions, requirements are met, renewals count from the right expiry,
//! and `billed_amount` is the price the rules give. Events of one account get strictly
//! increasing dates, so the engine replays them in the order they were generated. A row
//! spoiled as bad changes nothing in that state, since the engine never sees it either.

use super::GenError;
use super::prices::{Discount, Prices, expected};
use super::rng::SplitMix64;
use super::row::{Kind, OrderLine, UsageLine};
use crate::calendar::add_months;
use chrono::{Days, NaiveDate};
use rust_decimal::Decimal;

/// The first day of the generated period.
pub fn window_start() -> NaiveDate {
    NaiveDate::from_ymd_opt(2024, 1, 1).unwrap_or_default()
}

/// The last day events are spread over (renewals and refunds already planned, and accounts
/// with very many rows, may run past it).
pub fn window_end() -> NaiveDate {
    NaiveDate::from_ymd_opt(2025, 12, 31).unwrap_or_default()
}

/// Where an account's rows go.
pub trait Out {
    /// A new order id (`SO…` orders, `RF…` refund requests), unique in the run.
    fn order_id(&mut self, prefix: &str) -> String;
    /// Writes the lines of one order; returns, per line, whether it was spoiled as bad.
    ///
    /// # Errors
    /// The writer's error.
    fn orders(&mut self, lines: &[OrderLine]) -> Result<Vec<bool>, GenError>;
    /// Writes one usage row (perhaps spoiled).
    ///
    /// # Errors
    /// The writer's error.
    fn usage(&mut self, line: &UsageLine) -> Result<(), GenError>;
}

/// Product families an account may use.
const QCS: usize = 0;
const CDP: usize = 1;
const SSC: usize = 2;
const QDM: usize = 3;
const QA: usize = 4;

/// How likely (per mille) an account uses each family.
const FAMILY_ODDS: [u64; 5] = [550, 300, 250, 550, 350];

const QA_REGIONS: [&str; 3] = ["cn-shanghai", "cn-zhangjiakou", "cn-shenzhen"];

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

/// Every SKU code `gen` writes (checked against the catalog by a test).
#[cfg(test)]
pub const SKUS: &[&str] = &[
    "cdp",
    "cdp-booster",
    "cdp-service",
    "qdm-pv",
    "qdm-wecom",
    "qcs-online",
    "qcs-phone",
    "qcs-robot",
    "qcs-sessions",
    "qcs-knowledge",
    "qcs-coldstart",
    "ssc-employees",
    "ssc-experts",
    "ssc-tickets",
    "ssc-robot",
    "ssc-knowledge",
    "ssc-sessions",
    "ssc-coldstart",
    "qa",
    "qa-marketing",
    "qa-automation",
    "qa-collection",
    "qa-social",
    "qa-guide",
    "qa-member",
    "qa-retail",
    "qa-social-service",
    "qa-backflow",
    "qa-adb",
    "qa-dataphin",
    "qa-sms",
];

/// The Quick Audience (SKU, edition) pairs `gen` prices.
#[cfg(test)]
pub fn qa_editions() -> impl Iterator<Item = (&'static str, &'static str)> {
    QA_PRICES.iter().map(|(s, e, _)| (*s, *e))
}

fn is_qa(sku: &str) -> bool {
    sku == "qa" || sku.starts_with("qa-")
}

fn days(d: NaiveDate, n: u64) -> NaiveDate {
    d.checked_add_days(Days::new(n)).unwrap_or(d)
}

fn days_before(d: NaiveDate, n: u64) -> NaiveDate {
    d.checked_sub_days(Days::new(n)).unwrap_or(d)
}

fn months(d: NaiveDate, m: u32) -> NaiveDate {
    add_months(d, m).unwrap_or(d)
}

fn term_text(months: u32) -> String {
    if months.is_multiple_of(12) {
        format!("{}y", months / 12)
    } else {
        format!("{months}m")
    }
}

/// A subscription as the engine will hold it.
#[derive(Debug, Clone)]
struct Sub {
    sku: &'static str,
    edition: String,
    quantity: u64,
    start: NaiveDate,
    expiry: NaiveDate,
    /// The price per unit it renews at: annual (Tencent) or monthly (Quick Audience).
    unit: Decimal,
    /// Written as `unit_price` on its rows (contract SKUs, Quick Audience).
    contract: bool,
    order_id: String,
    /// CDP: boosters held beside the edition.
    boosters: u64,
    term_months: u32,
    /// A renewal is planned.
    renewing: bool,
    /// A refund of its order is planned: leave it alone until then.
    frozen: bool,
}

impl Sub {
    fn active_on(&self, d: NaiveDate) -> bool {
        !self.frozen && self.start <= d && d < self.expiry
    }
}

/// Prepaid quota the account's usage can draw on.
#[derive(Debug, Clone)]
pub struct Holding {
    pub metric: &'static str,
    pub order_id: String,
    /// Pack units plus bonus.
    pub size: u64,
    pub purchased: NaiveDate,
    /// First day it no longer serves (PV packs: a year after purchase).
    pub until: Option<NaiveDate>,
}

/// Holdings kept for the usage of one account; an account with more packs than this draws
/// its usage on the latest ones (keeps memory flat for any account size).
const MAX_HOLDINGS: usize = 256;

#[derive(Debug, Clone)]
enum Policy {
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
struct RefundPlan {
    ref_order: String,
    policy: Policy,
    reason: &'static str,
    invoiced: bool,
}

#[derive(Debug, Clone)]
enum Due {
    Renew { sku: &'static str, edition: String },
    Refund(RefundPlan),
}

/// The kinds of free-standing episodes an account chooses from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ep {
    QcsOnlineNew,
    QcsPhoneNew,
    QcsOnlineAddon,
    QcsRobotAddon,
    QcsSessions,
    QcsOneTime,
    CdpNew,
    CdpAddon,
    SscNew,
    SscAddon,
    SscExtra,
    PvPack,
    WecomNew,
    WecomAddon,
    QaNew,
    QaFeature,
    QaPack,
    QaUpgrade,
}

/// One account being generated.
pub struct Account<'p> {
    prices: &'p Prices<'p>,
    rng: SplitMix64,
    pub id: String,
    families: [bool; 5],
    region: &'static str,
    subs: Vec<Sub>,
    pub holdings: Vec<Holding>,
    /// Holding closures by refunds: (order_id, first day closed).
    closed: Vec<(String, NaiveDate)>,
    due: Vec<(NaiveDate, Due)>,
    /// Order rows still to write.
    left: u64,
    usage_rows: u64,
    last: Option<NaiveDate>,
    next_free: NaiveDate,
}

impl<'p> Account<'p> {
    pub fn new(
        prices: &'p Prices<'p>,
        mut rng: SplitMix64,
        id: String,
        orders: u64,
        usage: u64,
    ) -> Account<'p> {
        let mut families = [false; 5];
        for (f, odds) in families.iter_mut().zip(FAMILY_ODDS) {
            *f = rng.chance(odds);
        }
        if !families.contains(&true) {
            families[QDM] = true;
        }
        let region = *rng.pick(&QA_REGIONS);
        let start = days(window_start(), rng.below(120));
        Account {
            prices,
            rng,
            id,
            families,
            region,
            subs: Vec::new(),
            holdings: Vec::new(),
            closed: Vec::new(),
            due: Vec::new(),
            left: orders,
            usage_rows: usage,
            last: None,
            next_free: start,
        }
    }

    /// Writes all the account's order rows, then its usage rows.
    ///
    /// # Errors
    /// The writer's error.
    pub fn generate(mut self, out: &mut dyn Out) -> Result<(), GenError> {
        let mut first = true;
        while self.left > 0 {
            let after_last = self.last.map(|l| days(l, 1));
            let slot = after_last.map_or(self.next_free, |a| self.next_free.max(a));
            if let Some((due_date, _)) = self.due.first()
                && *due_date <= slot
            {
                let (due_date, due) = self.due.remove(0);
                let date = after_last.map_or(due_date, |a| due_date.max(a));
                self.lapse(date);
                match due {
                    Due::Renew { sku, edition } => self.renew(date, sku, &edition, out)?,
                    Due::Refund(plan) => self.refund(date, plan, out)?,
                }
                continue;
            }
            self.lapse(slot);
            if first && self.usage_rows > 0 {
                self.pack_episode(slot, out)?;
            } else {
                self.free_episode(slot, out)?;
            }
            first = false;
            let gap = self.gap(slot);
            self.next_free = days(slot, gap);
        }
        self.write_usage(out)
    }

    /// Days to the next free episode: the rest of the window shared over the rows left.
    fn gap(&mut self, from: NaiveDate) -> u64 {
        let days_left = (window_end() - from).num_days().max(0) as u64;
        let episodes_left = (self.left * 10 / 17).max(1);
        let mean = (days_left / episodes_left).max(1);
        self.rng.range(1, 2 * mean)
    }

    /// Forgets subscriptions past their grace period with no renewal planned.
    fn lapse(&mut self, d: NaiveDate) {
        let prices = self.prices;
        self.subs.retain(|s| {
            let grace = if is_qa(s.sku) {
                prices.qa_grace_end(s.expiry)
            } else {
                prices.tencent_grace_end(s.expiry)
            };
            s.renewing || d <= grace
        });
    }

    fn find(&self, sku: &str) -> Option<usize> {
        self.subs.iter().position(|s| s.sku == sku)
    }

    fn find_ed(&self, sku: &str, edition: &str) -> Option<usize> {
        self.subs
            .iter()
            .position(|s| s.sku == sku && s.edition == edition)
    }

    fn active(&self, sku: &str, d: NaiveDate) -> Option<usize> {
        self.find(sku).filter(|i| self.subs[*i].active_on(d))
    }

    /// Active and with at least a month left (an add-on of a few days is legal but dull).
    fn running(&self, sku: &str, d: NaiveDate) -> Option<usize> {
        self.active(sku, d)
            .filter(|i| self.subs[*i].expiry > days(d, 30))
    }

    fn standard_qa(&self, d: NaiveDate) -> bool {
        self.active("qa", d)
            .is_some_and(|i| self.subs[i].edition.starts_with("standard"))
    }

    fn line(&self, order: &str, d: NaiveDate, kind: Kind, product: &'static str) -> OrderLine {
        OrderLine::new(order, &self.id, d, kind, product)
    }

    /// Sets the line's billed amount: mostly what the rules give, sometimes nothing
    /// (UNBILLED) or a little off (MISMATCH).
    fn bill(&mut self, l: &mut OrderLine, list: Decimal, discount: Option<Discount>) {
        let exp = expected(list, discount.as_ref());
        l.discount = discount.as_ref().map(Discount::text);
        let r = self.rng.below(1000);
        l.billed = if r < 930 {
            Some(exp)
        } else if r < 965 {
            None
        } else {
            let off = Decimal::new(self.rng.range(5, 10_000) as i64, 2);
            Some(if self.rng.chance(500) || exp <= off {
                exp + off
            } else {
                exp - off
            })
        };
    }

    /// A discount on some new lines.
    fn discount(&mut self, list: Decimal) -> Option<Discount> {
        match self.rng.below(1000) {
            0..30 => Some(Discount::Percent(Decimal::TEN)),
            30..45 => Some(Discount::Percent(Decimal::from(5))),
            45..60 if list > Decimal::from(5000) => Some(Discount::Amount(Decimal::from(500))),
            _ => None,
        }
    }

    /// Part of some payments made with a voucher (never on PV packs).
    fn voucher(&mut self, l: &mut OrderLine) {
        if l.billed.is_some_and(|b| b >= Decimal::from(5000)) && self.rng.chance(40) {
            l.voucher = Some(Decimal::from(500));
        }
    }

    /// Writes one order and keeps count.
    fn emit(&mut self, out: &mut dyn Out, lines: &[OrderLine]) -> Result<Vec<bool>, GenError> {
        let bad = out.orders(lines)?;
        self.left = self.left.saturating_sub(lines.len() as u64);
        for l in lines {
            let d = l.start_date.unwrap_or(l.order_date).max(l.order_date);
            self.last = Some(self.last.map_or(d, |x| x.max(d)));
        }
        Ok(bad)
    }

    fn schedule(&mut self, date: NaiveDate, due: Due) {
        let at = self.due.partition_point(|(x, _)| *x <= date);
        self.due.insert(at, (date, due));
    }

    /// Plans the renewal of `subs[i]` (most subscriptions are renewed; a few too late).
    fn plan_renewal(&mut self, i: usize) {
        if !self.rng.chance(750) {
            return;
        }
        let (sku, edition, expiry) = {
            let s = &self.subs[i];
            (s.sku, s.edition.clone(), s.expiry)
        };
        let r = self.rng.below(1000);
        let date = if is_qa(sku) {
            let grace = self.prices.qa_grace_end(expiry);
            match r {
                0..600 => days_before(expiry, self.rng.range(1, 20)),
                600..950 => days(expiry, self.rng.range(0, 13)),
                _ => days(grace, self.rng.range(1, 30)),
            }
        } else {
            let grace = self.prices.tencent_grace_end(expiry);
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
    fn plan_refund(&mut self, order: &str, from: NaiveDate, policy: Policy, odds: u64) {
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

    fn add_holding(&mut self, h: Holding) {
        if self.holdings.len() >= MAX_HOLDINGS {
            self.holdings.remove(0);
        }
        self.holdings.push(h);
    }

    // ------------------------------------------------------------------ scheduled events

    fn renew(
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
        let qa = is_qa(sku);
        let grace = if qa {
            self.prices.qa_grace_end(expiry)
        } else {
            self.prices.tencent_grace_end(expiry)
        };
        let late = date > grace;
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

    fn refund(
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

    // ------------------------------------------------------------------ free episodes

    fn candidates(&self, d: NaiveDate) -> Vec<(Ep, u64)> {
        let f = self.families;
        let mut c = Vec::new();
        if f[QCS] {
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
        }
        if f[CDP] {
            match self.find("cdp") {
                None => c.push((Ep::CdpNew, 30)),
                Some(_) if self.running("cdp", d).is_some() => c.push((Ep::CdpAddon, 12)),
                Some(_) => {}
            }
        }
        if f[SSC] {
            match self.find("ssc-employees") {
                None if self.left >= 4 => c.push((Ep::SscNew, 30)),
                Some(_) if self.running("ssc-employees", d).is_some() => {
                    c.push((Ep::SscAddon, 15));
                }
                _ => {}
            }
            c.push((Ep::SscExtra, 6));
        }
        if f[QDM] {
            c.push((Ep::PvPack, 25));
            match self.find("qdm-wecom") {
                None => c.push((Ep::WecomNew, 12)),
                Some(_) if self.running("qdm-wecom", d).is_some() => c.push((Ep::WecomAddon, 8)),
                Some(_) => {}
            }
        }
        if f[QA] {
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
        }
        c
    }

    fn free_episode(&mut self, d: NaiveDate, out: &mut dyn Out) -> Result<(), GenError> {
        let mut cands = self.candidates(d);
        while !cands.is_empty() {
            let weights: Vec<u64> = cands.iter().map(|c| c.1).collect();
            let i = self.rng.weighted(&weights).unwrap_or(0);
            let ep = cands.swap_remove(i).0;
            if self.episode(ep, d, out)? {
                return Ok(());
            }
        }
        self.pv_pack(d, out).map(|_| ())
    }

    /// An account with usage starts with a pack, so its usage has something to draw on.
    fn pack_episode(&mut self, d: NaiveDate, out: &mut dyn Out) -> Result<(), GenError> {
        let done = if self.families[QCS] && self.rng.chance(500) {
            self.qcs_sessions(d, out)?
        } else {
            self.pv_pack(d, out)?
        };
        if !done {
            self.free_episode(d, out)?;
        }
        Ok(())
    }

    fn episode(&mut self, ep: Ep, d: NaiveDate, out: &mut dyn Out) -> Result<bool, GenError> {
        match ep {
            Ep::QcsOnlineNew => self.qcs_online_new(d, out),
            Ep::QcsPhoneNew => self.qcs_phone_new(d, out),
            Ep::QcsOnlineAddon => self.qcs_online_addon(d, out),
            Ep::QcsRobotAddon => self.qcs_robot_addon(d, out),
            Ep::QcsSessions => self.qcs_sessions(d, out),
            Ep::QcsOneTime => self.one_time(d, out, "qcs"),
            Ep::CdpNew => self.cdp_new(d, out),
            Ep::CdpAddon => self.cdp_addon(d, out),
            Ep::SscNew => self.ssc_new(d, out),
            Ep::SscAddon => self.ssc_addon(d, out),
            Ep::SscExtra => self.ssc_extra(d, out),
            Ep::PvPack => self.pv_pack(d, out),
            Ep::WecomNew => self.wecom_new(d, out),
            Ep::WecomAddon => self.wecom_addon(d, out),
            Ep::QaNew => self.qa_new(d, out),
            Ep::QaFeature => self.qa_feature(d, out),
            Ep::QaPack => self.qa_pack(d, out),
            Ep::QaUpgrade => self.qa_upgrade(d, out),
        }
    }

    /// A Tencent subscription term: mostly a year.
    fn years(&mut self, long: bool) -> u32 {
        match self.rng.below(1000) {
            0..700 => 1,
            700..950 => 2,
            _ if long => 3,
            _ => 1,
        }
    }

    /// Activation some days after the order on a few single-line orders.
    fn start_date(&mut self, d: NaiveDate) -> Option<NaiveDate> {
        self.rng.chance(100).then(|| days(d, self.rng.range(1, 5)))
    }

    #[allow(clippy::too_many_arguments)]
    fn push_sub(
        &mut self,
        sku: &'static str,
        edition: &str,
        quantity: u64,
        start: NaiveDate,
        term_months: u32,
        unit: Decimal,
        contract: bool,
        order: &str,
    ) -> usize {
        self.subs.push(Sub {
            sku,
            edition: edition.to_string(),
            quantity,
            start,
            expiry: months(start, term_months),
            unit,
            contract,
            order_id: order.to_string(),
            boosters: 0,
            term_months,
            renewing: false,
            frozen: false,
        });
        self.subs.len() - 1
    }

    fn qcs_online_new(&mut self, d: NaiveDate, out: &mut dyn Out) -> Result<bool, GenError> {
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

    fn qcs_phone_new(&mut self, d: NaiveDate, out: &mut dyn Out) -> Result<bool, GenError> {
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

    fn qcs_online_addon(&mut self, d: NaiveDate, out: &mut dyn Out) -> Result<bool, GenError> {
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

    fn qcs_robot_addon(&mut self, d: NaiveDate, out: &mut dyn Out) -> Result<bool, GenError> {
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

    /// A session pack (Customer Service or SSC).
    fn sessions_pack(
        &mut self,
        d: NaiveDate,
        out: &mut dyn Out,
        sku: &'static str,
    ) -> Result<bool, GenError> {
        let edition =
            ["120k", "360k", "960k", "6m"][self.rng.weighted(&[40, 30, 20, 10]).unwrap_or(0)];
        let q = if self.rng.chance(800) { 1 } else { 2 };
        let order = out.order_id("SO");
        let mut l = self.line(&order, d, Kind::New, sku);
        l.edition = edition.to_string();
        l.quantity = Some(q);
        let list = self.prices.list(sku, edition) * Decimal::from(q);
        self.bill(&mut l, list, None);
        if !self.emit(out, &[l])?[0] {
            self.add_holding(Holding {
                metric: "sessions",
                order_id: order.clone(),
                size: self.prices.pack_size(sku, edition) * q,
                purchased: d,
                until: None,
            });
            self.plan_refund(&order, d, Policy::None, 25);
        }
        Ok(true)
    }

    fn qcs_sessions(&mut self, d: NaiveDate, out: &mut dyn Out) -> Result<bool, GenError> {
        self.sessions_pack(d, out, "qcs-sessions")
    }

    /// A one-time item: a knowledge cloud at its list price or a cold-start service at a
    /// contract price.
    fn one_time(
        &mut self,
        d: NaiveDate,
        out: &mut dyn Out,
        vendor: &str,
    ) -> Result<bool, GenError> {
        let (knowledge, coldstart) = if vendor == "ssc" {
            ("ssc-knowledge", "ssc-coldstart")
        } else {
            ("qcs-knowledge", "qcs-coldstart")
        };
        let order = out.order_id("SO");
        let mut l = if self.rng.chance(600) {
            let mut l = self.line(&order, d, Kind::New, knowledge);
            l.quantity = Some(1);
            let list = self.prices.list(knowledge, "");
            self.bill(&mut l, list, None);
            l
        } else {
            let mut l = self.line(&order, d, Kind::New, coldstart);
            l.quantity = Some(1);
            let price = Decimal::from(self.rng.range(4, 12) * 5000);
            l.unit_price = Some(price);
            self.bill(&mut l, price, None);
            l
        };
        self.voucher(&mut l);
        self.emit(out, &[l])?;
        Ok(true)
    }

    fn cdp_new(&mut self, d: NaiveDate, out: &mut dyn Out) -> Result<bool, GenError> {
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

    fn cdp_addon(&mut self, d: NaiveDate, out: &mut dyn Out) -> Result<bool, GenError> {
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

    fn ssc_new(&mut self, d: NaiveDate, out: &mut dyn Out) -> Result<bool, GenError> {
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

    fn ssc_addon(&mut self, d: NaiveDate, out: &mut dyn Out) -> Result<bool, GenError> {
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

    fn ssc_extra(&mut self, d: NaiveDate, out: &mut dyn Out) -> Result<bool, GenError> {
        if self.rng.chance(500) {
            self.sessions_pack(d, out, "ssc-sessions")
        } else {
            self.one_time(d, out, "ssc")
        }
    }

    fn pv_pack(&mut self, d: NaiveDate, out: &mut dyn Out) -> Result<bool, GenError> {
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

    fn wecom_new(&mut self, d: NaiveDate, out: &mut dyn Out) -> Result<bool, GenError> {
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

    fn wecom_addon(&mut self, d: NaiveDate, out: &mut dyn Out) -> Result<bool, GenError> {
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

    fn qa_new(&mut self, d: NaiveDate, out: &mut dyn Out) -> Result<bool, GenError> {
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
    fn qa_feature(&mut self, d: NaiveDate, out: &mut dyn Out) -> Result<bool, GenError> {
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

    fn qa_pack(&mut self, d: NaiveDate, out: &mut dyn Out) -> Result<bool, GenError> {
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

    fn qa_upgrade(&mut self, d: NaiveDate, out: &mut dyn Out) -> Result<bool, GenError> {
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

    // ------------------------------------------------------------------ usage

    /// Writes the account's usage rows, drawn on its packs: dated while a pack serves, some
    /// naming the pack's order, sized so that some packs run LOW and some are overdrawn.
    fn write_usage(mut self, out: &mut dyn Out) -> Result<(), GenError> {
        let total = self.usage_rows;
        if total == 0 {
            return Ok(());
        }
        let horizon = window_end().max(self.last.unwrap_or(window_end()));
        if self.holdings.is_empty() {
            // Nothing bought (or every pack row was bad): usage with no quota, overdrawn.
            for _ in 0..total {
                let date = days(window_start(), self.rng.below(730));
                let line = UsageLine {
                    account_id: self.id.clone(),
                    date,
                    metric: "pv",
                    quantity: self.rng.range(1, 50) * 1000,
                    order_id: None,
                };
                out.usage(&line)?;
            }
            return Ok(());
        }
        let holdings = std::mem::take(&mut self.holdings);
        let k = holdings.len() as u64;
        for (j, h) in holdings.iter().enumerate() {
            let rows = total / k + u64::from((j as u64) < total % k);
            if rows == 0 {
                continue;
            }
            // How much of the pack this account's usage takes: mostly part of it, some
            // nearly all (LOW), some more than all (overdrawn).
            let fill_permille = match self.rng.below(1000) {
                0..450 => self.rng.range(200, 700),
                450..700 => self.rng.range(920, 985),
                700..850 => 1000,
                _ => self.rng.range(1100, 1600),
            };
            let target = u128::from(h.size) * u128::from(fill_permille) / 1000;
            let per_row = (target / u128::from(rows)).max(1) as u64;
            let closed = self
                .closed
                .iter()
                .find(|(o, _)| *o == h.order_id)
                .map(|(_, c)| *c);
            let end = [h.until, closed, Some(days(horizon, 1))]
                .into_iter()
                .flatten()
                .min()
                .unwrap_or(horizon);
            let span = (end - h.purchased).num_days().max(1) as u64;
            let mut left = target;
            for r in 0..rows {
                let q = if r + 1 == rows {
                    left.max(1) as u64
                } else {
                    // ±25% around the even share, the last row taking the rest.
                    let q = per_row / 4 * 3 + self.rng.below(per_row / 2 + 1);
                    q.max(1)
                };
                left = left.saturating_sub(u128::from(q));
                let line = UsageLine {
                    account_id: self.id.clone(),
                    date: days(h.purchased, self.rng.below(span)),
                    metric: h.metric,
                    quantity: q,
                    order_id: self.rng.chance(300).then(|| h.order_id.clone()),
                };
                out.usage(&line)?;
            }
        }
        Ok(())
    }
}
