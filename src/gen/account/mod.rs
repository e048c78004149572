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
//!
//! This file holds that state and the loop that tells the story; the events are apart:
//! [`scheduled`] (renewals and refund requests planned ahead), [`episodes`] (choosing a free
//! episode) with one file per product family ([`qcs`], [`cdp`], [`ssc`], [`qdm`], [`qa`]),
//! and [`usage`] (the usage rows, written last).

mod cdp;
mod episodes;
mod qa;
mod qcs;
mod qdm;
mod scheduled;
mod ssc;
mod usage;

#[cfg(test)]
pub use qa::qa_editions;

use super::GenError;
use super::family::{Families, Family};
use super::prices::{Discount, Prices, expected};
use super::rng::SplitMix64;
use super::row::{Kind, OrderLine, UsageLine};
use crate::calendar::add_months;
use chrono::{Days, NaiveDate};
use rust_decimal::Decimal;
use scheduled::Due;

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

/// The last day a renewal of `sku` still counts from the old expiry: Quick Audience's
/// grace is in days, Tencent's in months.
fn grace_end(prices: &Prices<'_>, sku: &str, expiry: NaiveDate) -> NaiveDate {
    if Family::of(sku) == Some(Family::Qa) {
        prices.qa_grace_end(expiry)
    } else {
        prices.tencent_grace_end(expiry)
    }
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

/// One account being generated.
pub struct Account<'p> {
    prices: &'p Prices<'p>,
    rng: SplitMix64,
    pub id: String,
    families: Families,
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
        let families = Families::draw(&mut rng);
        let region = *rng.pick(&qa::QA_REGIONS);
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
        self.subs
            .retain(|s| s.renewing || d <= grace_end(prices, s.sku, s.expiry));
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

    fn add_holding(&mut self, h: Holding) {
        if self.holdings.len() >= MAX_HOLDINGS {
            self.holdings.remove(0);
        }
        self.holdings.push(h);
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
}
