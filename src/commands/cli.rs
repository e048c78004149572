//! Command-line definitions (clap): subcommands, flags, help text and value parsing only.

use chrono::NaiveDate;
use clap::{Args, Parser, Subcommand, ValueEnum};
use rust_decimal::Decimal;
use std::path::PathBuf;
use std::str::FromStr;

#[derive(Debug, Parser)]
#[command(
    name = "billrun",
    version,
    about = "Prices SaaS subscription exports by the published rules and writes reconciled invoice workbooks"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Price the order exports and write out/invoices.xlsx.
    Run(RunArgs),
    /// Validate the inputs only: print the exceptions, write nothing.
    Check(InputArgs),
    /// Print the effective catalog as TOML (edit it and pass it back with --catalog).
    Catalog(CatalogArgs),
    /// Price one new purchase line.
    Quote(QuoteArgs),
    /// Price the same inputs under a baseline and a new catalog: out/reprice.xlsx.
    Reprice(RepriceArgs),
    /// Write deterministic synthetic exports (DIR/orders-gen.csv, DIR/usage-gen.csv).
    Gen(GenArgs),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FailOn {
    Never,
    Exceptions,
    Mismatches,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LangArg {
    En,
    Zh,
}

impl From<LangArg> for crate::output::Lang {
    fn from(l: LangArg) -> Self {
        match l {
            LangArg::En => crate::output::Lang::En,
            LangArg::Zh => crate::output::Lang::Zh,
        }
    }
}

#[derive(Debug, Args)]
pub struct InputArgs {
    /// Files or directories; a directory means every orders*.csv|xlsx and usage*.csv|xlsx
    /// in it. A file named usage* is read as usage, any other as orders.
    #[arg(value_name = "INPUT")]
    pub inputs: Vec<PathBuf>,
    /// An orders export (.csv or .xlsx); repeatable.
    #[arg(long = "orders", value_name = "FILE")]
    pub orders: Vec<PathBuf>,
    /// A usage export (.csv or .xlsx); repeatable.
    #[arg(long = "usage", value_name = "FILE")]
    pub usage: Vec<PathBuf>,
    /// Flag a pack LOW when less than this percentage of its size is left.
    #[arg(long = "alert-below", value_name = "PCT", default_value = "10", value_parser = parse_percent)]
    pub alert_below: Decimal,
    /// A catalog file whose prices and policies override the built-in catalog.
    #[arg(long, value_name = "FILE")]
    pub catalog: Option<PathBuf>,
    /// Report only events dated in this month (YYYY-MM); earlier rows still build state.
    #[arg(long, value_name = "YYYY-MM", value_parser = parse_period)]
    pub period: Option<(NaiveDate, NaiveDate)>,
    /// The date statuses are computed for (default: today).
    #[arg(long = "as-of", value_name = "DATE", value_parser = parse_date)]
    pub as_of: Option<NaiveDate>,
    /// Largest |billed − expected| still reconciled as OK.
    #[arg(long, value_name = "AMOUNT", default_value = "0.01", value_parser = parse_amount)]
    pub tolerance: Decimal,
    /// Worker threads for pricing accounts (default: one per core).
    #[arg(long, value_name = "N")]
    pub threads: Option<usize>,
    /// Exit with code 1 when exceptions or mismatches were found.
    #[arg(long = "fail-on", value_enum, default_value_t = FailOn::Never)]
    pub fail_on: FailOn,
    /// Print nothing but errors (and the --json summary).
    #[arg(long)]
    pub quiet: bool,
    /// Print a machine-readable run summary on stdout.
    #[arg(long)]
    pub json: bool,
    /// The worksheet to read in .xlsx inputs (default: the first).
    #[arg(long, value_name = "NAME")]
    pub sheet: Option<String>,
    /// Process only the accounts of shard K of N (a stable hash of the account id), for
    /// fanning a huge month out over machines.
    #[arg(long, value_name = "K/N", value_parser = super::shard::Shard::parse)]
    pub shard: Option<super::shard::Shard>,
}

#[derive(Debug, Args)]
pub struct RunArgs {
    #[command(flatten)]
    pub input: InputArgs,
    /// Output folder (created if missing).
    #[arg(long, value_name = "DIR", default_value = "out")]
    pub out: PathBuf,
    /// Write plain values instead of live formulas in the amount columns.
    #[arg(long = "no-formulas")]
    pub no_formulas: bool,
    /// Sheet names and headers in English or Chinese.
    #[arg(long, value_enum, default_value_t = LangArg::En)]
    pub lang: LangArg,
    /// Also write lines.csv, refunds.csv, exceptions.csv and packs.csv.
    #[arg(long)]
    pub csv: bool,
    /// When another run is writing into --out, wait up to this many seconds for it to
    /// finish (default: fail at once, exit 2).
    #[arg(long, value_name = "SECONDS", default_value_t = 0)]
    pub wait: u64,
}

#[derive(Debug, Args)]
pub struct RepriceArgs {
    /// The inputs; `--catalog NEW` is the new catalog.
    #[command(flatten)]
    pub input: InputArgs,
    /// The catalog to compare against (default: the built-in one).
    #[arg(long, value_name = "OLD")]
    pub baseline: Option<PathBuf>,
    /// Output folder (created if missing).
    #[arg(long, value_name = "DIR", default_value = "out")]
    pub out: PathBuf,
    /// Write plain values instead of live formulas.
    #[arg(long = "no-formulas")]
    pub no_formulas: bool,
    /// Sheet names and headers in English or Chinese.
    #[arg(long, value_enum, default_value_t = LangArg::En)]
    pub lang: LangArg,
}

#[derive(Debug, Args)]
pub struct CatalogArgs {
    #[arg(long, value_name = "FILE")]
    pub catalog: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct QuoteArgs {
    #[arg(long)]
    pub product: String,
    #[arg(long)]
    pub edition: Option<String>,
    #[arg(long)]
    pub quantity: u64,
    /// 1y, 2y, 6m, 2年, 6个月 (subscriptions only).
    #[arg(long)]
    pub term: Option<String>,
    /// Contract price (per unit per year, per month, or per item).
    #[arg(long = "unit-price", value_parser = parse_amount)]
    pub unit_price: Option<Decimal>,
    #[arg(long, value_name = "FILE")]
    pub catalog: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum GenFormat {
    Csv,
    Xlsx,
}

/// `billrun gen`: synthetic exports for tests and benchmarks. Same arguments, same bytes.
#[derive(Debug, Args)]
#[command(
    after_help = "Writes DIR/orders-gen.csv|xlsx and, with --usage, DIR/usage-gen.csv|xlsx \
(run them with `billrun run DIR --as-of 2026-01-31`). Dates run from 2024-01-01, mostly to \
2025-12-31. Quick Audience rows carry example contract prices in unit_price."
)]
pub struct GenArgs {
    /// Order rows to write, exactly.
    #[arg(long, value_name = "N")]
    pub orders: u64,
    /// Accounts to spread them over (default: orders / 20, at least 1).
    #[arg(long, value_name = "M")]
    pub accounts: Option<u64>,
    /// Usage rows to write, exactly, drawn on the accounts' packs (0: no usage file).
    #[arg(long, value_name = "U", default_value_t = 0)]
    pub usage: u64,
    /// Seed of the pseudo-random choices.
    #[arg(long, value_name = "S", default_value_t = 1)]
    pub seed: u64,
    #[arg(long, value_enum, default_value_t = GenFormat::Csv)]
    pub format: GenFormat,
    /// Share of rows made deliberately bad (unknown SKU, impossible date, bad quantity or
    /// term, missing account), from 0 to 1.
    #[arg(long = "bad-share", value_name = "F", default_value_t = 0.01, value_parser = parse_share)]
    pub bad_share: f64,
    /// Output folder (created if missing).
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// Print nothing but errors.
    #[arg(long)]
    pub quiet: bool,
}

fn parse_share(s: &str) -> Result<f64, String> {
    s.trim()
        .parse::<f64>()
        .ok()
        .filter(|f| (0.0..=1.0).contains(f))
        .ok_or_else(|| format!("'{s}' is not a share from 0 to 1 (e.g. 0.01)"))
}

fn parse_date(s: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
        .map_err(|_| format!("'{s}' is not a date: write YYYY-MM-DD"))
}

fn parse_period(s: &str) -> Result<(NaiveDate, NaiveDate), String> {
    let err = || format!("'{s}' is not a month: write YYYY-MM");
    let start =
        NaiveDate::parse_from_str(&format!("{}-01", s.trim()), "%Y-%m-%d").map_err(|_| err())?;
    let end = crate::calendar::add_months(start, 1).ok_or_else(err)?;
    Ok((start, end))
}

fn parse_percent(s: &str) -> Result<Decimal, String> {
    Decimal::from_str(s.trim().trim_end_matches('%'))
        .ok()
        .filter(|d| *d >= Decimal::ZERO && *d <= Decimal::ONE_HUNDRED)
        .ok_or_else(|| format!("'{s}' is not a percentage from 0 to 100"))
}

fn parse_amount(s: &str) -> Result<Decimal, String> {
    crate::money::parse_amount(s)
        .filter(|d| *d >= Decimal::ZERO)
        .or_else(|| Decimal::from_str(s).ok())
        .ok_or_else(|| format!("'{s}' is not an amount"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn periods_and_dates() {
        let (a, b) = parse_period("2024-02").unwrap();
        assert_eq!(
            (a.to_string(), b.to_string()),
            ("2024-02-01".into(), "2024-03-01".into())
        );
        assert!(parse_period("2024-13").is_err());
        assert!(parse_date("2024-02-30").is_err());
        assert!(parse_amount("0.5").is_ok());
        assert_eq!(parse_percent("12.5%"), Ok(Decimal::new(125, 1)));
        assert!(parse_percent("101").is_err());
    }

    #[test]
    fn cli_is_well_formed() {
        use clap::CommandFactory;
        Cli::command().debug_assert();
    }
}
