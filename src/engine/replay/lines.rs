//! Turning a priced row into a Lines row (discount, rounding, reconciliation) and a failed
//! one into an exception with the row's source, column and value.

use super::Event;
use crate::model::{ExceptionCode, RowException};
use crate::money::fmt_money;
use crate::report::Line;
use crate::rules::Priced;
use crate::rules::discount;
use crate::rules::reconcile::reconcile;
use chrono::NaiveDate;
use rust_decimal::Decimal;

pub fn exception(
    ev: &Event,
    code: ExceptionCode,
    column: &str,
    value: impl Into<String>,
    message: impl Into<String>,
) -> RowException {
    RowException {
        src: ev.row.src.clone(),
        order_id: ev.row.order_id.clone(),
        account_id: ev.row.account_id.clone(),
        column: column.to_string(),
        value: value.into(),
        code,
        message: message.into(),
    }
}

/// What the replay decided about a line besides its price.
pub struct LineFacts<'a> {
    pub product: &'a str,
    pub edition: &'a str,
    pub quantity: u64,
    pub term: String,
    pub service: Option<(NaiveDate, NaiveDate)>,
}

/// Applies the row's discount, rounds once, reconciles against the billed amount.
pub fn finish(
    ev: &Event,
    f: LineFacts,
    p: Priced,
    tolerance: Decimal,
) -> Result<Line, Box<RowException>> {
    let row = &ev.row;
    let d = discount::apply(&p, row.discount).map_err(|e| {
        Box::new(exception(
            ev,
            ExceptionCode::BadValue,
            "discount",
            fmt_money(e.discount),
            format!(
                "discount {} is more than the line's list amount {}; check the discount",
                fmt_money(e.discount),
                fmt_money(e.list)
            ),
        ))
    })?;
    let expected = d.expected;
    let (difference, status) = reconcile(expected, row.billed_amount, tolerance);
    Ok(Line {
        src: row.src.clone(),
        order_id: row.order_id.clone(),
        line: ev.line,
        account_id: row.account_id.clone(),
        order_date: row.order_date,
        kind: row.kind,
        product: f.product.to_string(),
        edition: f.edition.to_string(),
        quantity: f.quantity,
        billable_quantity: p.billable,
        term: f.term,
        service_start: f.service.map(|s| s.0),
        service_end: f.service.map(|s| s.1),
        unit_price: p.unit_price,
        full_years: p.full_years,
        full_years_amount: p.full_years_amount,
        months: p.months,
        months_amount: p.months_amount,
        list_amount: p.list_amount,
        discount: d.discount,
        expected_amount: expected,
        billed_amount: row.billed_amount,
        difference,
        status,
        rule: d.rule,
        calc: p.calc,
    })
}
