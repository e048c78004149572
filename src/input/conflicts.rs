//! One order found in several order files, or naming several accounts: the copies are
//! compared before pricing, so an order is never counted twice nor priced from a stale
//! export. A pure pass over the rows read: no I/O.
//!
//! An export holds whole orders, so an `order_id` in two files is two copies of one order:
//! identical copies are counted once (the later ones become `DUPLICATE`); copies that
//! differ (a corrected re-export) are all set aside as `CONFLICTING_EXPORT`, since only the
//! user knows which one is right. An order whose lines name more than one account becomes
//! `ORDER_SPANS_ACCOUNTS` on every line, wherever they are. Repeats within one file are left
//! to the engine's own dedupe.

use super::headers::Col;
use crate::model::{Discount, ExceptionCode, OrderRow, RowException};
use rayon::prelude::*;
use std::collections::{BTreeSet, HashMap};
use std::hash::BuildHasher;

/// The columns of an order row, in the spec's order: the first that differs is named.
const COLUMNS: [Col; 18] = [
    Col::OrderId,
    Col::AccountId,
    Col::OrderDate,
    Col::Type,
    Col::Product,
    Col::Edition,
    Col::Quantity,
    Col::Term,
    Col::UnitPrice,
    Col::Discount,
    Col::Voucher,
    Col::BilledAmount,
    Col::Region,
    Col::RefOrderId,
    Col::Reason,
    Col::Invoiced,
    Col::BonusQuantity,
    Col::StartDate,
];

/// Accounts named in an `ORDER_SPANS_ACCOUNTS` message; more are counted, not listed, so a
/// badly keyed export does not make a message of thousands of ids.
const ACCOUNTS_SHOWN: usize = 5;

/// What the first pass remembers of one order: the first row seen (its file and account
/// are what the later rows are compared with) and whether a later row differs in either.
struct Seen {
    first: usize,
    mixed: bool,
}

/// Sets aside the copies of orders found in more than one file, and orders that name more
/// than one account. Returns the rows to price (in their given order) and the exceptions
/// for the others; every row given is in exactly one of the two.
pub fn resolve(rows: Vec<OrderRow>) -> (Vec<OrderRow>, Vec<RowException>) {
    let mixed = mixed_orders(&rows);
    if mixed.is_empty() {
        return (rows, Vec::new());
    }
    let mut decided: Vec<(usize, RowException)> = decide(&rows, &mixed).into_iter().collect();
    // By row index, so the rows are split in one walk with no lookup per row.
    decided.sort_unstable_by_key(|d| d.0);
    let mut kept = Vec::with_capacity(rows.len().saturating_sub(decided.len()));
    let mut next = decided.iter().map(|d| d.0).peekable();
    for (i, row) in rows.into_iter().enumerate() {
        match next.next_if_eq(&i) {
            Some(_) => {}
            None => kept.push(row),
        }
    }
    (kept, decided.into_iter().map(|d| d.1).collect())
}

/// The orders whose rows come from more than one file or name more than one account, as
/// the index of each one's first row. The common case (every order in one file and one
/// account) costs one map entry per order, keyed by the row's own `&str`: no copy. The
/// orders are split in two by a hash of their id and each half is mapped on its own core:
/// when this runs, the usage files are read and the second core is free.
fn mixed_orders(rows: &[OrderRow]) -> Vec<usize> {
    const PARTS: u64 = 2;
    let split = foldhash::fast::FixedState::with_seed(0x0062_696c_6c72_756e);
    let mut mixed: Vec<usize> = (0..PARTS)
        .into_par_iter()
        .flat_map_iter(|part| mixed_in(rows, |id: &str| split.hash_one(id) % PARTS == part))
        .collect();
    mixed.sort_unstable();
    mixed
}

/// [`mixed_orders`] over the orders whose id `mine` accepts.
fn mixed_in(rows: &[OrderRow], mine: impl Fn(&str) -> bool) -> Vec<usize> {
    // foldhash, not SipHash: the keys are the user's own order ids, read once, and this pass
    // sits on the read path of a million-row month.
    let mut seen: HashMap<&str, Seen, foldhash::fast::RandomState> =
        HashMap::with_capacity_and_hasher(rows.len() / 2, Default::default());
    let mut previous: Option<&OrderRow> = None;
    for (i, r) in rows.iter().enumerate() {
        // The next line of the same order, file and account as the row before decides
        // nothing new (it differs from the order's first row exactly as that row did): an
        // order's lines come together in an export, so the map holds one entry per order.
        let same_as_previous = previous.is_some_and(|p| {
            p.order_id == r.order_id
                && std::sync::Arc::ptr_eq(&p.src.file, &r.src.file)
                && p.account_id == r.account_id
        });
        previous = Some(r);
        if same_as_previous || !mine(&r.order_id) {
            continue;
        }
        match seen.get_mut(r.order_id.as_str()) {
            None => {
                seen.insert(
                    &r.order_id,
                    Seen {
                        first: i,
                        mixed: false,
                    },
                );
            }
            Some(s) if !s.mixed => {
                let first = &rows[s.first];
                // The file is compared by name: the same file named twice is one file to the
                // user, and its repeated rows are the engine's within-file duplicates.
                let other_file = !std::sync::Arc::ptr_eq(&first.src.file, &r.src.file)
                    && first.src.file != r.src.file;
                s.mixed = other_file || first.account_id != r.account_id;
            }
            Some(_) => {}
        }
    }
    seen.into_values()
        .filter(|s| s.mixed)
        .map(|s| s.first)
        .collect()
}

/// The exception of every row of the mixed orders that is not kept, by row index.
fn decide(rows: &[OrderRow], mixed: &[usize]) -> HashMap<usize, RowException> {
    // Only the mixed orders' rows are gathered, so this map stays small in a clean run.
    let mut by_order: HashMap<&str, Vec<usize>> = mixed
        .iter()
        .map(|&i| (rows[i].order_id.as_str(), Vec::new()))
        .collect();
    for (i, r) in rows.iter().enumerate() {
        if let Some(v) = by_order.get_mut(r.order_id.as_str()) {
            v.push(i);
        }
    }
    let mut out = HashMap::new();
    for &first in mixed {
        let Some(mut order) = by_order.remove(rows[first].order_id.as_str()) else {
            continue;
        };
        // File order is the order rows were read in.
        order.sort_by_key(|&i| rows[i].position);
        decide_order(rows, &order, &mut out);
    }
    out
}

/// One file's copy of an order: the file's name and its rows of the order, in file order.
struct FileCopy<'r> {
    file: &'r str,
    rows: Vec<&'r OrderRow>,
    index: Vec<usize>,
}

/// Decides one order given by its row indices, in file order.
fn decide_order(rows: &[OrderRow], order: &[usize], out: &mut HashMap<usize, RowException>) {
    let accounts: BTreeSet<&str> = order.iter().map(|&i| rows[i].account_id.as_str()).collect();
    let mut copies: Vec<FileCopy> = Vec::new();
    for &i in order {
        let r = &rows[i];
        match copies.iter_mut().find(|c| c.file == &*r.src.file) {
            Some(c) => {
                c.rows.push(r);
                c.index.push(i);
            }
            None => copies.push(FileCopy {
                file: &r.src.file,
                rows: vec![r],
                index: vec![i],
            }),
        }
    }
    let files = names(copies.iter().map(|c| c.file));
    // An order that bills two accounts is wrong however many copies it has: that comes first.
    if accounts.len() > 1 {
        let shown: Vec<&str> = accounts.iter().copied().take(ACCOUNTS_SHOWN).collect();
        let more = match accounts.len() - shown.len() {
            0 => String::new(),
            n => format!(" and {n} more"),
        };
        let where_ = match copies.len() {
            1 => format!("in {files}"),
            _ => format!("across {files}"),
        };
        for &i in order {
            let r = &rows[i];
            let message = format!(
                "order {} names {} accounts {where_} ({}{more}), but an order bills one account: fix the account_id of the wrong line(s); none of the order's {} line(s) was priced",
                r.order_id,
                accounts.len(),
                shown.join(", "),
                order.len(),
            );
            out.insert(
                i,
                exception(
                    r,
                    Col::AccountId,
                    ExceptionCode::OrderSpansAccounts,
                    message,
                ),
            );
        }
        return;
    }
    let Some((base, later)) = copies.split_first() else {
        return;
    };
    // Each later copy is compared with the first; the first difference found is the one told.
    let difference = later
        .iter()
        .find_map(|c| difference(base, c).map(|d| (c, d)));
    match difference {
        None => {
            for c in later {
                // Identical copies have as many rows as the first, pair by pair.
                for ((r, &i), b) in c.rows.iter().zip(&c.index).zip(&base.rows) {
                    let message = format!(
                        "this order repeats {}: the same {} row(s) in every column; this row repeats its row {} and was counted once",
                        base.file,
                        base.rows.len(),
                        b.src.row,
                    );
                    out.insert(
                        i,
                        exception(r, Col::OrderId, ExceptionCode::Duplicate, message),
                    );
                }
            }
        }
        Some((other, diff)) => {
            let what = match diff {
                Difference::Count => format!(
                    "{} has {} row(s) of this order, {} has {}",
                    base.file,
                    base.rows.len(),
                    other.file,
                    other.rows.len()
                ),
                Difference::Column(col, a, b) => format!(
                    "{} is {} in {} row {} but {} in {} row {}",
                    col.name(),
                    shown_value(&render(a, col)),
                    base.file,
                    a.src.row,
                    shown_value(&render(b, col)),
                    other.file,
                    b.src.row
                ),
            };
            let col = match diff {
                Difference::Count => Col::OrderId,
                Difference::Column(col, _, _) => col,
            };
            for c in &copies {
                for (r, &i) in c.rows.iter().zip(&c.index) {
                    let message = format!(
                        "order {} is in {files} and the copies differ ({what}); the order was not priced: remove the stale file, or keep only one copy",
                        r.order_id
                    );
                    out.insert(
                        i,
                        exception(r, col, ExceptionCode::ConflictingExport, message),
                    );
                }
            }
        }
    }
}

/// How a later copy of an order differs from the first.
#[derive(Clone, Copy)]
enum Difference<'r> {
    /// The files hold different numbers of rows of the order.
    Count,
    /// The first column that differs on the first row pair that differs.
    Column(Col, &'r OrderRow, &'r OrderRow),
}

fn difference<'r>(a: &FileCopy<'r>, b: &FileCopy<'r>) -> Option<Difference<'r>> {
    if a.rows.len() != b.rows.len() {
        return Some(Difference::Count);
    }
    let (x, y) = a
        .rows
        .iter()
        .zip(&b.rows)
        .find(|(x, y)| !x.same_content(y))?;
    // `same_content` compares the same fields; a difference it sees is in one of them.
    let col = COLUMNS
        .into_iter()
        .find(|&c| !same(x, y, c))
        .unwrap_or(Col::OrderId);
    Some(Difference::Column(col, x, y))
}

/// Whether the two rows hold the same value in `col`, compared as typed (so 100 and 100.00
/// are the same amount, as `same_content` has it).
fn same(a: &OrderRow, b: &OrderRow, col: Col) -> bool {
    match col {
        Col::OrderId => a.order_id == b.order_id,
        Col::AccountId => a.account_id == b.account_id,
        Col::OrderDate => a.order_date == b.order_date,
        Col::Type => a.kind == b.kind,
        Col::Product => a.product == b.product,
        Col::Edition => a.edition == b.edition,
        Col::Quantity => a.quantity == b.quantity,
        Col::Term => a.term == b.term,
        Col::UnitPrice => a.unit_price == b.unit_price,
        Col::Discount => a.discount == b.discount,
        Col::Voucher => a.voucher == b.voucher,
        Col::BilledAmount => a.billed_amount == b.billed_amount,
        Col::Region => a.region == b.region,
        Col::RefOrderId => a.ref_order_id == b.ref_order_id,
        Col::Reason => a.reason == b.reason,
        Col::Invoiced => a.invoiced == b.invoiced,
        Col::BonusQuantity => a.bonus_quantity == b.bonus_quantity,
        Col::StartDate => a.start_date == b.start_date,
        Col::Date | Col::Metric => true,
    }
}

/// A readable rendering of one field: amounts as written in the spec's form, dates as
/// YYYY-MM-DD, an empty cell as "".
fn render(r: &OrderRow, col: Col) -> String {
    fn opt<T: ToString>(v: &Option<T>) -> String {
        v.as_ref().map(ToString::to_string).unwrap_or_default()
    }
    match col {
        Col::OrderId => r.order_id.clone(),
        Col::AccountId => r.account_id.clone(),
        Col::OrderDate => r.order_date.format("%Y-%m-%d").to_string(),
        Col::Type => r.kind.as_str().to_string(),
        Col::Product => opt(&r.product),
        Col::Edition => opt(&r.edition),
        Col::Quantity => opt(&r.quantity),
        Col::Term => opt(&r.term),
        Col::UnitPrice => opt(&r.unit_price),
        Col::Discount => match r.discount {
            Some(Discount::Amount(a)) => a.to_string(),
            Some(Discount::Percent(p)) => format!("{p}%"),
            None => String::new(),
        },
        Col::Voucher => opt(&r.voucher),
        Col::BilledAmount => opt(&r.billed_amount),
        Col::Region => opt(&r.region),
        Col::RefOrderId => opt(&r.ref_order_id),
        Col::Reason => r.reason.map(|x| x.as_str().to_string()).unwrap_or_default(),
        Col::Invoiced => match r.invoiced {
            Some(true) => "yes".into(),
            Some(false) => "no".into(),
            None => String::new(),
        },
        Col::BonusQuantity => opt(&r.bonus_quantity),
        Col::StartDate => r
            .start_date
            .map(|d| d.format("%Y-%m-%d").to_string())
            .unwrap_or_default(),
        Col::Date | Col::Metric => String::new(),
    }
}

/// A value as a message shows it: an empty cell is said to be empty.
fn shown_value(v: &str) -> String {
    match v {
        "" => "empty".into(),
        v => v.to_string(),
    }
}

/// File names joined for a message: "a", "a and b", "a, b and c".
fn names<'a>(files: impl Iterator<Item = &'a str>) -> String {
    let files: Vec<&str> = files.collect();
    match files.split_last() {
        None => String::new(),
        Some((last, [])) => (*last).to_string(),
        Some((last, rest)) => format!("{} and {last}", rest.join(", ")),
    }
}

fn exception(r: &OrderRow, col: Col, code: ExceptionCode, message: String) -> RowException {
    RowException {
        src: r.src.clone(),
        order_id: r.order_id.clone(),
        account_id: r.account_id.clone(),
        column: col.name().to_string(),
        value: render(r, col),
        code,
        message,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{OrderType, SourceRef};
    use chrono::NaiveDate;
    use rust_decimal_macros::dec;
    use std::sync::Arc;

    /// Builds rows in the order given, numbering positions and each file's rows from 2.
    struct Rows {
        rows: Vec<OrderRow>,
        files: Vec<(Arc<str>, u32)>,
    }

    impl Rows {
        fn new() -> Rows {
            Rows {
                rows: Vec::new(),
                files: Vec::new(),
            }
        }

        /// Adds a priced `new` line of `order` for `account` in `file`.
        fn add(&mut self, file: &str, order: &str, account: &str, billed: u32) -> &mut OrderRow {
            let slot = match self.files.iter().position(|f| &*f.0 == file) {
                Some(i) => i,
                None => {
                    self.files.push((Arc::from(file), 1));
                    self.files.len() - 1
                }
            };
            self.files[slot].1 += 1;
            let src = SourceRef {
                file: self.files[slot].0.clone(),
                row: self.files[slot].1,
            };
            let date = NaiveDate::from_ymd_opt(2025, 3, 1).unwrap_or_default();
            let mut r = OrderRow::new(src, self.rows.len(), order, account, date, OrderType::New);
            r.product = Some("qcs-online".into());
            r.edition = Some("basic".into());
            r.quantity = Some(1);
            r.billed_amount = Some(billed.into());
            self.rows.push(r);
            self.rows.last_mut().unwrap()
        }

        fn resolve(&self) -> (Vec<OrderRow>, Vec<RowException>) {
            let (kept, exc) = resolve(self.rows.clone());
            assert_eq!(
                kept.len() + exc.len(),
                self.rows.len(),
                "rows_in = kept + exceptions"
            );
            (kept, exc)
        }
    }

    fn at(e: &RowException) -> (&str, u32) {
        (&e.src.file, e.src.row)
    }

    fn kept_at(kept: &[OrderRow]) -> Vec<(&str, u32)> {
        kept.iter().map(|r| (&*r.src.file, r.src.row)).collect()
    }

    fn sorted(mut e: Vec<RowException>) -> Vec<RowException> {
        e.sort_by(|a, b| a.src.cmp(&b.src));
        e
    }

    #[test]
    fn one_file_one_account_is_untouched() {
        let mut r = Rows::new();
        r.add("a.csv", "O-1", "ACME", 100);
        r.add("a.csv", "O-1", "ACME", 50);
        r.add("a.csv", "O-2", "BETA", 70);
        let (kept, exc) = r.resolve();
        assert!(exc.is_empty());
        assert_eq!(kept, r.rows);
    }

    #[test]
    fn an_identical_copy_in_a_later_file_is_a_duplicate() {
        let mut r = Rows::new();
        r.add("a.csv", "O-1", "ACME", 100);
        r.add("a.csv", "O-1", "ACME", 50);
        r.add("b.xlsx", "O-1", "ACME", 100);
        r.add("b.xlsx", "O-1", "ACME", 50);
        let (kept, exc) = r.resolve();
        assert_eq!(kept_at(&kept), [("a.csv", 2), ("a.csv", 3)]);
        let exc = sorted(exc);
        assert_eq!(exc.len(), 2);
        for (e, row) in exc.iter().zip([2, 3]) {
            assert_eq!(at(e), ("b.xlsx", row));
            assert_eq!(e.code, ExceptionCode::Duplicate);
            assert_eq!(e.column, "order_id");
            assert_eq!(e.value, "O-1");
            assert_eq!(e.account_id, "ACME");
            assert!(
                e.message
                    .contains("this order repeats a.csv: the same 2 row(s) in every column"),
                "{}",
                e.message
            );
            assert!(
                e.message.contains(&format!("its row {row}")),
                "{}",
                e.message
            );
        }
    }

    #[test]
    fn a_copy_in_three_files_is_counted_once() {
        let mut r = Rows::new();
        r.add("a.csv", "O-1", "ACME", 100);
        r.add("b.csv", "O-1", "ACME", 100);
        r.add("c.csv", "O-1", "ACME", 100);
        r.add("c.csv", "O-2", "ACME", 10);
        let (kept, exc) = r.resolve();
        assert_eq!(kept_at(&kept), [("a.csv", 2), ("c.csv", 3)]);
        let exc = sorted(exc);
        assert_eq!(
            exc.iter().map(at).collect::<Vec<_>>(),
            [("b.csv", 2), ("c.csv", 2)]
        );
        assert!(exc.iter().all(|e| e.code == ExceptionCode::Duplicate));
        assert!(exc.iter().all(|e| e.message.contains("repeats a.csv")));
    }

    #[test]
    fn copies_that_differ_in_billed_amount_are_all_set_aside() {
        let mut r = Rows::new();
        r.add("a.csv", "O-1", "ACME", 100);
        r.add("a.csv", "O-1", "ACME", 50);
        r.add("b.csv", "O-1", "ACME", 100);
        r.add("b.csv", "O-1", "ACME", 55);
        let (kept, exc) = r.resolve();
        assert!(kept.is_empty());
        let exc = sorted(exc);
        assert_eq!(
            exc.iter().map(at).collect::<Vec<_>>(),
            [("a.csv", 2), ("a.csv", 3), ("b.csv", 2), ("b.csv", 3)]
        );
        for e in &exc {
            assert_eq!(e.code, ExceptionCode::ConflictingExport);
            assert_eq!(e.column, "billed_amount");
            assert!(e.message.contains("a.csv and b.csv"), "{}", e.message);
            assert!(
                e.message
                    .contains("billed_amount is 50 in a.csv row 3 but 55 in b.csv row 3"),
                "{}",
                e.message
            );
            assert!(
                e.message
                    .contains("remove the stale file, or keep only one copy")
            );
        }
        // Each row shows its own value of the column.
        let values: Vec<&str> = exc.iter().map(|e| e.value.as_str()).collect();
        assert_eq!(values, ["100", "50", "100", "55"]);
    }

    #[test]
    fn the_first_differing_column_is_named_in_spec_order() {
        let mut r = Rows::new();
        r.add("a.csv", "O-1", "ACME", 100);
        r.add("b.csv", "O-1", "ACME", 90).quantity = Some(2);
        let (kept, exc) = r.resolve();
        assert!(kept.is_empty());
        assert!(exc.iter().all(|e| e.column == "quantity"), "{exc:?}");
        assert_eq!(sorted(exc)[1].value, "2");
    }

    #[test]
    fn amounts_equal_as_numbers_are_the_same() {
        let mut r = Rows::new();
        r.add("a.csv", "O-1", "ACME", 100);
        r.add("b.csv", "O-1", "ACME", 0).billed_amount = Some(dec!(100.00));
        let (kept, exc) = r.resolve();
        assert_eq!(kept.len(), 1);
        assert_eq!(exc[0].code, ExceptionCode::Duplicate);
    }

    #[test]
    fn copies_with_different_row_counts_conflict() {
        let mut r = Rows::new();
        r.add("a.csv", "O-1", "ACME", 100);
        r.add("a.csv", "O-1", "ACME", 50);
        r.add("a.csv", "O-1", "ACME", 20);
        r.add("b.csv", "O-1", "ACME", 100);
        r.add("b.csv", "O-1", "ACME", 50);
        let (kept, exc) = r.resolve();
        assert!(kept.is_empty());
        assert_eq!(exc.len(), 5);
        for e in &exc {
            assert_eq!(e.code, ExceptionCode::ConflictingExport);
            assert_eq!(e.column, "order_id");
            assert_eq!(e.value, "O-1");
            assert!(
                e.message
                    .contains("a.csv has 3 row(s) of this order, b.csv has 2"),
                "{}",
                e.message
            );
        }
    }

    #[test]
    fn a_third_copy_that_differs_sets_aside_all_three() {
        let mut r = Rows::new();
        r.add("a.csv", "O-1", "ACME", 100);
        r.add("b.csv", "O-1", "ACME", 100);
        r.add("c.csv", "O-1", "ACME", 120);
        let (kept, exc) = r.resolve();
        assert!(kept.is_empty());
        assert_eq!(exc.len(), 3);
        for e in &exc {
            assert_eq!(e.code, ExceptionCode::ConflictingExport);
            assert!(
                e.message.contains("a.csv, b.csv and c.csv"),
                "{}",
                e.message
            );
            assert!(
                e.message
                    .contains("100 in a.csv row 2 but 120 in c.csv row 2"),
                "{}",
                e.message
            );
        }
    }

    #[test]
    fn only_the_conflicting_order_is_set_aside() {
        let mut r = Rows::new();
        r.add("a.csv", "O-1", "ACME", 100);
        r.add("a.csv", "O-2", "ACME", 70);
        r.add("b.csv", "O-3", "ACME", 30);
        r.add("b.csv", "O-1", "ACME", 101);
        r.add("b.csv", "O-4", "BETA", 40);
        let (kept, exc) = r.resolve();
        assert_eq!(kept_at(&kept), [("a.csv", 3), ("b.csv", 2), ("b.csv", 4)]);
        assert_eq!(exc.len(), 2);
        assert!(exc.iter().all(|e| e.order_id == "O-1"
            && e.code == ExceptionCode::ConflictingExport
            && e.column == "billed_amount"));
    }

    #[test]
    fn an_order_spanning_two_accounts_in_one_file_is_set_aside() {
        let mut r = Rows::new();
        r.add("a.csv", "O-1", "BETA", 100);
        r.add("a.csv", "O-1", "ACME", 50);
        r.add("a.csv", "O-2", "ACME", 50);
        let (kept, exc) = r.resolve();
        assert_eq!(kept_at(&kept), [("a.csv", 4)]);
        let exc = sorted(exc);
        assert_eq!(exc.len(), 2);
        for (e, account) in exc.iter().zip(["BETA", "ACME"]) {
            assert_eq!(e.code, ExceptionCode::OrderSpansAccounts);
            assert_eq!(e.column, "account_id");
            assert_eq!(e.value, account);
            assert!(
                e.message.contains("names 2 accounts in a.csv (ACME, BETA)"),
                "{}",
                e.message
            );
            assert!(
                e.message
                    .contains("fix the account_id of the wrong line(s)")
            );
        }
    }

    #[test]
    fn spanning_accounts_across_files_comes_before_the_copies() {
        let mut r = Rows::new();
        r.add("a.csv", "O-1", "ACME", 100);
        r.add("b.csv", "O-1", "ACME", 100);
        r.add("b.csv", "O-1", "BETA", 100);
        r.add("c.csv", "O-9", "GAMMA", 5);
        r.add("d.csv", "O-9", "DELTA", 5);
        let (kept, exc) = r.resolve();
        assert!(kept.is_empty());
        assert_eq!(exc.len(), 5);
        assert!(
            exc.iter()
                .all(|e| e.code == ExceptionCode::OrderSpansAccounts)
        );
        let o9: Vec<_> = exc.iter().filter(|e| e.order_id == "O-9").collect();
        assert!(
            o9[0]
                .message
                .contains("across c.csv and d.csv (DELTA, GAMMA)"),
            "{}",
            o9[0].message
        );
    }

    #[test]
    fn many_accounts_are_counted_not_all_listed() {
        let mut r = Rows::new();
        for i in 0..8 {
            r.add("a.csv", "O-1", &format!("A{i}"), 1);
        }
        let (_, exc) = r.resolve();
        assert!(
            exc[0]
                .message
                .contains("names 8 accounts in a.csv (A0, A1, A2, A3, A4 and 3 more)"),
            "{}",
            exc[0].message
        );
    }

    #[test]
    fn a_row_repeated_within_one_file_is_left_to_the_engine() {
        let mut r = Rows::new();
        r.add("a.csv", "O-1", "ACME", 100);
        r.add("a.csv", "O-1", "ACME", 100);
        let (kept, exc) = r.resolve();
        assert!(exc.is_empty());
        assert_eq!(kept.len(), 2);
    }

    #[test]
    fn refund_rows_follow_the_same_rule() {
        let mut r = Rows::new();
        r.add("orders.csv", "O-1", "ACME", 100);
        for file in ["refunds.csv", "refunds-again.csv"] {
            let row = r.add(file, "R-1", "ACME", 0);
            row.kind = OrderType::Refund;
            row.ref_order_id = Some("O-1".into());
            row.reason = Some(crate::model::RefundReason::NoReason);
        }
        r.add("refunds-fixed.csv", "R-2", "ACME", 0).kind = OrderType::Refund;
        let row = r.add("refunds-fixed2.csv", "R-2", "ACME", 0);
        row.kind = OrderType::Refund;
        row.reason = Some(crate::model::RefundReason::Defect);
        let (kept, exc) = r.resolve();
        assert_eq!(kept_at(&kept), [("orders.csv", 2), ("refunds.csv", 2)]);
        let exc = sorted(exc);
        let got: Vec<_> = exc
            .iter()
            .map(|e| (&*e.src.file, e.code, e.column.as_str(), e.value.as_str()))
            .collect();
        assert_eq!(
            got,
            [
                (
                    "refunds-again.csv",
                    ExceptionCode::Duplicate,
                    "order_id",
                    "R-1"
                ),
                (
                    "refunds-fixed.csv",
                    ExceptionCode::ConflictingExport,
                    "reason",
                    ""
                ),
                (
                    "refunds-fixed2.csv",
                    ExceptionCode::ConflictingExport,
                    "reason",
                    "defect"
                ),
            ]
        );
        assert!(
            exc[1]
                .message
                .contains("reason is empty in refunds-fixed.csv row 2 but defect"),
            "{}",
            exc[1].message
        );
    }

    #[test]
    fn kept_rows_keep_their_order() {
        let mut r = Rows::new();
        r.add("a.csv", "O-3", "ACME", 1);
        r.add("a.csv", "O-1", "ACME", 1);
        r.add("b.csv", "O-2", "ACME", 1);
        r.add("b.csv", "O-1", "ACME", 1);
        r.add("b.csv", "O-0", "ACME", 1);
        let (kept, _) = r.resolve();
        let ids: Vec<&str> = kept.iter().map(|r| r.order_id.as_str()).collect();
        assert_eq!(ids, ["O-3", "O-1", "O-2", "O-0"]);
    }

    /// Timing on a million rows, every order in one file (the common case), plus a copy of
    /// 1% of them in a second file. `cargo test --lib conflicts::tests::million -- --ignored --nocapture`
    #[test]
    #[ignore]
    fn million_rows() {
        let mut r = Rows::new();
        for i in 0..1_000_000u32 {
            r.add(
                "a.csv",
                &format!("O-{}", i / 2),
                &format!("A-{}", i / 20),
                i % 7,
            );
        }
        let rows = r.rows.clone();
        let t = std::time::Instant::now();
        let (kept, exc) = resolve(rows);
        eprintln!("1M rows, one file: {:?}", t.elapsed());
        assert_eq!((kept.len(), exc.len()), (1_000_000, 0));
        for i in 0..10_000u32 {
            r.add(
                "b.csv",
                &format!("O-{}", i / 2),
                &format!("A-{}", i / 20),
                i % 7,
            );
        }
        let rows = r.rows.clone();
        let t = std::time::Instant::now();
        let (kept, exc) = resolve(rows);
        eprintln!("1.01M rows, 5,000 orders copied: {:?}", t.elapsed());
        assert_eq!((kept.len(), exc.len()), (1_000_000, 10_000));
    }
}
