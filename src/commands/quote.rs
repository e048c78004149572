//! `billrun quote`: price one new purchase line through the same engine as a run.

use super::Failure;
use crate::catalog::Catalog;
use crate::commands::cli::QuoteArgs;
use crate::engine::{self, Ctx};
use crate::input::parse;
use crate::model::{OrderRow, OrderType, SourceRef};
use crate::money::fmt_money;
use crate::report::RunFacts;
use rust_decimal::Decimal;

pub fn run(args: &QuoteArgs) -> Result<(), Failure> {
    let catalog = Catalog::load(args.catalog.as_deref())?;
    let term = match &args.term {
        None => None,
        Some(t) => Some(parse::term(t).map_err(|_| {
            Failure::Fatal(format!(
                "--term {t}: write the term as 1y, 2y, 6m, 2年 or 6个月"
            ))
        })?),
    };
    let today = chrono::Local::now().date_naive();
    let mut row = OrderRow::new(
        SourceRef {
            file: "quote".into(),
            row: 0,
        },
        0,
        "quote",
        "quote",
        today,
        OrderType::New,
    );
    row.product = Some(args.product.clone());
    row.edition = args.edition.clone();
    row.quantity = Some(args.quantity);
    row.term = term;
    row.unit_price = args.unit_price;
    let ctx = Ctx {
        catalog: &catalog,
        as_of: today,
        period: None,
        tolerance: Decimal::ZERO,
        alert_below: Decimal::TEN,
        progress: None,
    };
    let report = engine::run(&ctx, vec![row], Vec::new(), Vec::new(), RunFacts::default());
    if let Some(l) = report.lines.first() {
        println!("{}\t{}", fmt_money(l.expected_amount), l.rule);
        Ok(())
    } else if let Some(e) = report.exceptions.first() {
        Err(Failure::Fatal(format!(
            "{}: {} ({}={})",
            e.code, e.message, e.column, e.value
        )))
    } else {
        Err(Failure::Fatal("nothing to quote".into()))
    }
}
