//! billrun: prices SaaS subscription exports by the published rules and writes reconciled
//! invoice workbooks. See SPEC.md for the contract and README.md for use.

pub mod calendar;
pub mod model;
pub mod money;
pub mod report;
pub mod input;
pub mod output;
pub mod catalog;
pub mod rules;
pub mod engine;
pub mod reconcile;
