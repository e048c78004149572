//! One data row of cells into an `OrderRow` or `UsageRow`, or into the one `RowException` it
//! earns: the leftmost problem in the row, so the user fixes cells in reading order.

use super::cells::{self, Cell, Conv};
use super::headers::{Col, Columns, Unit};
use crate::model::{ExceptionCode, OrderRow, OrderType, RowException, SourceRef, UsageRow};

struct Problem {
    code: ExceptionCode,
    column: &'static str,
    value: String,
    message: String,
}

/// Reads fields from one row and remembers the problem in the leftmost column.
struct Fields<'r, 'c> {
    cells: &'r [Cell<'c>],
    cols: &'r Columns,
    /// (column index, problem); a column absent from the file sorts last.
    first: Option<(usize, Problem)>,
}

impl<'r, 'c> Fields<'r, 'c> {
    fn new(cells: &'r [Cell<'c>], cols: &'r Columns) -> Self {
        Fields {
            cells,
            cols,
            first: None,
        }
    }

    fn position(&self, col: Col) -> usize {
        self.cols.index(col).unwrap_or(usize::MAX)
    }

    fn cell(&self, col: Col) -> &'r Cell<'c> {
        const EMPTY: &Cell<'static> = &Cell::Empty;
        self.cols
            .index(col)
            .and_then(|i| self.cells.get(i))
            .unwrap_or(EMPTY)
    }

    fn note(&mut self, col: Col, code: ExceptionCode, value: String, message: String) {
        let at = self.position(col);
        if self.first.as_ref().is_none_or(|(first, _)| at < *first) {
            let column = col.name();
            self.first = Some((
                at,
                Problem {
                    code,
                    column,
                    value,
                    message,
                },
            ));
        }
    }

    fn get<T>(&mut self, col: Col, convert: fn(&Cell, &str) -> Conv<T>) -> Option<T> {
        self.get_with(col, |cell, name, _| convert(cell, name))
    }

    /// [`Self::get`] for a conversion that reads the unit the column's header states.
    fn get_with<T>(
        &mut self,
        col: Col,
        convert: impl FnOnce(&Cell, &str, Option<Unit>) -> Conv<T>,
    ) -> Option<T> {
        let cell = self.cell(col);
        match convert(cell, col.name(), self.cols.unit(col)) {
            Ok(v) => v,
            Err(refusal) => {
                let value = cell.display().into_owned();
                self.note(col, refusal.code, value, refusal.message);
                None
            }
        }
    }

    fn require<T>(&mut self, col: Col, value: &Option<T>, why: &str) {
        if value.is_none() {
            let message = format!("{} is empty: {why}", col.name());
            self.note(col, ExceptionCode::MissingValue, String::new(), message);
        }
    }

    fn exception(
        self,
        src: SourceRef,
        order_id: Option<String>,
        account_id: Option<String>,
    ) -> RowException {
        let p = self.first.map(|(_, p)| p).unwrap_or_else(|| Problem {
            code: ExceptionCode::BadValue,
            column: "",
            value: String::new(),
            message: "the row could not be read".into(),
        });
        RowException {
            src,
            order_id: order_id.unwrap_or_default(),
            account_id: account_id.unwrap_or_default(),
            column: p.column.to_string(),
            value: p.value,
            code: p.code,
            message: p.message,
        }
    }
}

// The `Ok` row is larger than the exception; boxing the error would only add an allocation.
#[allow(clippy::result_large_err)]
pub(crate) fn order(
    src: SourceRef,
    position: usize,
    cells: &[Cell],
    cols: &Columns,
) -> Result<OrderRow, RowException> {
    let mut f = Fields::new(cells, cols);
    let order_id = f.get(Col::OrderId, cells::text);
    let account_id = f.get(Col::AccountId, cells::text);
    let order_date = f.get(Col::OrderDate, cells::date);
    let kind = f.get(Col::Type, cells::order_type);
    let product = f.get(Col::Product, cells::text);
    let edition = f.get(Col::Edition, cells::text);
    let quantity = f.get(Col::Quantity, cells::units);
    let term = f.get_with(Col::Term, cells::term);
    let unit_price = f.get(Col::UnitPrice, cells::amount);
    let discount = f.get_with(Col::Discount, cells::discount);
    let voucher = f.get(Col::Voucher, cells::amount);
    let billed_amount = f.get(Col::BilledAmount, cells::amount);
    let region = f.get(Col::Region, cells::text);
    let ref_order_id = f.get(Col::RefOrderId, cells::text);
    let reason = f.get(Col::Reason, cells::reason);
    let invoiced = f.get(Col::Invoiced, cells::flag);
    let bonus_quantity = f.get(Col::BonusQuantity, cells::units);
    let start_date = f.get(Col::StartDate, cells::date);

    f.require(
        Col::OrderId,
        &order_id,
        "every order row needs the order it belongs to",
    );
    f.require(
        Col::AccountId,
        &account_id,
        "every order row needs the customer account it bills",
    );
    f.require(
        Col::OrderDate,
        &order_date,
        "every order row needs the date of its event",
    );
    f.require(
        Col::Type,
        &kind,
        "every order row needs its type (new, addon, renewal, upgrade or refund)",
    );
    if kind == Some(OrderType::Refund) {
        f.require(
            Col::RefOrderId,
            &ref_order_id,
            "a refund row needs the order it refunds",
        );
    } else {
        f.require(
            Col::Product,
            &product,
            "every order row except a refund needs its product",
        );
    }

    match (f.first.is_none(), order_id, account_id, order_date, kind) {
        (true, Some(order_id), Some(account_id), Some(order_date), Some(kind)) => Ok(OrderRow {
            src,
            position,
            order_id,
            account_id,
            order_date,
            kind,
            product,
            edition,
            quantity,
            term,
            unit_price,
            discount,
            voucher,
            billed_amount,
            region,
            ref_order_id,
            reason,
            invoiced,
            bonus_quantity,
            start_date,
        }),
        (_, order_id, account_id, ..) => Err(f.exception(src, order_id, account_id)),
    }
}

#[allow(clippy::result_large_err)]
pub(crate) fn usage(
    src: SourceRef,
    position: usize,
    cells: &[Cell],
    cols: &Columns,
) -> Result<UsageRow, RowException> {
    let mut f = Fields::new(cells, cols);
    let account_id = f.get(Col::AccountId, cells::text);
    let date = f.get(Col::Date, cells::date);
    let metric = f.get(Col::Metric, cells::metric);
    let quantity = f.get(Col::Quantity, cells::quantity);
    let order_id = f.get(Col::OrderId, cells::text);

    f.require(
        Col::AccountId,
        &account_id,
        "every usage row needs the account that used it",
    );
    f.require(
        Col::Date,
        &date,
        "every usage row needs the day of the usage",
    );
    f.require(
        Col::Metric,
        &metric,
        "every usage row needs its metric (pv, sessions, sms or backflow_rows)",
    );
    f.require(
        Col::Quantity,
        &quantity,
        "every usage row needs the amount used",
    );

    match (f.first.is_none(), account_id, date, metric, quantity) {
        (true, Some(account_id), Some(date), Some(metric), Some(quantity)) => Ok(UsageRow {
            src,
            position,
            account_id,
            date,
            metric,
            quantity,
            order_id,
        }),
        (_, account_id, ..) => Err(f.exception(src, order_id, account_id)),
    }
}
