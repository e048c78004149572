//! Free episodes: the ones the account can have on a day (each family it uses offers its
//! own, by what the account holds), the weighted choice among them, and the pieces several
//! families share (terms, activation dates, session packs, one-time items). The episodes
//! themselves are in the family files. No I/O: rows go to an [`Out`].

use super::scheduled::Policy;
use super::{Account, Holding, Out, days};
use crate::r#gen::GenError;
use crate::r#gen::family::Family;
use crate::r#gen::row::Kind;
use chrono::NaiveDate;
use rust_decimal::Decimal;

/// The kinds of free-standing episodes an account chooses from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Ep {
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

impl Account<'_> {
    /// The episodes the account can have on `d`, with their weights: each family it uses
    /// offers its own, in [`Family::ALL`] order.
    fn candidates(&self, d: NaiveDate) -> Vec<(Ep, u64)> {
        let mut c = Vec::new();
        for family in Family::ALL {
            if self.families.uses(family) {
                c.extend(match family {
                    Family::Qcs => self.qcs_candidates(d),
                    Family::Cdp => self.cdp_candidates(d),
                    Family::Ssc => self.ssc_candidates(d),
                    Family::Qdm => self.qdm_candidates(d),
                    Family::Qa => self.qa_candidates(d),
                });
            }
        }
        c
    }

    pub(super) fn free_episode(&mut self, d: NaiveDate, out: &mut dyn Out) -> Result<(), GenError> {
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
    pub(super) fn pack_episode(&mut self, d: NaiveDate, out: &mut dyn Out) -> Result<(), GenError> {
        let done = if self.families.uses(Family::Qcs) && self.rng.chance(500) {
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
            Ep::QcsOneTime => self.one_time(d, out, Family::Qcs),
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
    pub(super) fn years(&mut self, long: bool) -> u32 {
        match self.rng.below(1000) {
            0..700 => 1,
            700..950 => 2,
            _ if long => 3,
            _ => 1,
        }
    }

    /// Activation some days after the order on a few single-line orders.
    pub(super) fn start_date(&mut self, d: NaiveDate) -> Option<NaiveDate> {
        self.rng.chance(100).then(|| days(d, self.rng.range(1, 5)))
    }

    /// A session pack (Customer Service or SSC).
    pub(super) fn sessions_pack(
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

    /// A one-time item: a knowledge cloud at its list price or a cold-start service at a
    /// contract price.
    pub(super) fn one_time(
        &mut self,
        d: NaiveDate,
        out: &mut dyn Out,
        family: Family,
    ) -> Result<bool, GenError> {
        // Customer Service and SSC sell them.
        let (knowledge, coldstart) = match family {
            Family::Ssc => ("ssc-knowledge", "ssc-coldstart"),
            _ => ("qcs-knowledge", "qcs-coldstart"),
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
}
