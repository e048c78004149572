//! billrun: prices SaaS subscription exports by the published rules and writes reconciled
//! invoice workbooks. See docs/RULES.md for the rules, docs/ARCHITECTURE.md for the shape of
//! the code and README.md for use.

pub mod calendar;
pub mod catalog;
pub mod caught;
pub mod commands;
pub mod engine;
#[doc(hidden)]
pub mod fuzzing;
pub mod r#gen;
pub mod input;
pub mod model;
pub mod money;
pub mod output;
pub mod progress;
pub mod report;
pub mod rules;
