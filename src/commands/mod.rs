//! The command layer: the clap definitions (`cli`), one file per subcommand wiring readers,
//! engine and writers for one job, and what the subcommands share: finding and reading the
//! inputs (`inputs`), the run summary (`summary`) and the accounts of a shard (`shard`).

pub mod catalog;
pub mod check;
pub mod cli;
pub mod r#gen;
pub mod inputs;
pub mod quote;
pub mod reprice;
pub mod run;
pub mod shard;
pub mod summary;

/// How a command ended: exit code 0 (done), 1 (a --fail-on condition) or 2 (bad input).
#[derive(Debug)]
pub enum Failure {
    /// Exit 1: the run completed but a --fail-on condition was met.
    Condition(String),
    /// Exit 2: bad arguments, unreadable input, missing column, invalid catalog, unwritable output.
    Fatal(String),
}

impl<E: std::fmt::Display> From<E> for Failure
where
    E: std::error::Error,
{
    fn from(e: E) -> Self {
        Failure::Fatal(e.to_string())
    }
}
