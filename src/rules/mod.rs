//! The rules of the SPEC as pure functions, no I/O: pricing, add-ons, renewals, upgrades,
//! CDP cover, discounts, refunds, the pack ledger, pack and subscription status, Quick
//! Audience requirements, revenue and reconciliation. An amount comes with the rule text
//! that explains it, built by the same code.

pub mod addon;
pub mod cdp;
pub mod discount;
pub mod ledger;
pub mod packs;
pub mod pricing;
pub mod reconcile;
pub mod records;
pub mod refund;
pub mod renewal;
pub mod requirements;
pub mod revenue;
pub mod subscription;
pub mod upgrade;

pub use pricing::{Base, Priced};
