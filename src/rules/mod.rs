//! The pricing rules as pure functions: no I/O, no state beyond their arguments. Each returns
//! the amounts together with the rule text that explains them, built by the same code.

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
