//! Grouping: order and usage rows by account (in account order), cut into batches of whole
//! accounts, and one account's rows numbered within their orders with exact repeats set
//! aside as `DUPLICATE`.

use super::Event;
use crate::model::{ExceptionCode, OrderRow, RowException, UsageRow};
use std::collections::HashMap;

/// One account's order and usage rows.
pub(super) type AccountRows = (Vec<OrderRow>, Vec<UsageRow>);

/// Rows by account, in account order.
pub(super) fn group(rows: Vec<OrderRow>, usage: Vec<UsageRow>) -> Vec<(String, AccountRows)> {
    // No copy of the account id per row: only the first row of an account clones it.
    let mut by_account: HashMap<String, AccountRows> = HashMap::new();
    for r in rows {
        match by_account.get_mut(&r.account_id) {
            Some(group) => group.0.push(r),
            None => {
                by_account.insert(r.account_id.clone(), (vec![r], Vec::new()));
            }
        }
    }
    for u in usage {
        match by_account.get_mut(&u.account_id) {
            Some(group) => group.1.push(u),
            None => {
                by_account.insert(u.account_id.clone(), (Vec::new(), vec![u]));
            }
        }
    }
    let mut groups: Vec<(String, AccountRows)> = by_account.into_iter().collect();
    groups.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    groups
}

/// Consecutive accounts cut into batches of at least `batch_rows` rows (but the last; an
/// account is never split).
pub(super) fn batches(
    groups: Vec<(String, AccountRows)>,
    batch_rows: usize,
) -> Vec<Vec<(String, AccountRows)>> {
    let mut out = Vec::new();
    let mut batch = Vec::new();
    let mut rows = 0;
    for g in groups {
        rows += g.1.0.len() + g.1.1.len();
        batch.push(g);
        if rows >= batch_rows {
            out.push(std::mem::take(&mut batch));
            rows = 0;
        }
    }
    if !batch.is_empty() {
        out.push(batch);
    }
    out
}

/// Numbers each row of one account within its order (in input order) and sets aside rows
/// identical in every column to an earlier row (`DUPLICATE`), as overlapping exports produce.
pub(super) fn number_and_dedupe(mut rows: Vec<OrderRow>) -> (Vec<Event>, Vec<RowException>) {
    rows.sort_by_key(|r| r.position);
    let mut next_line: HashMap<String, u32> = HashMap::new();
    // Kept rows by content hash; a hash match is confirmed column by column.
    let mut seen: HashMap<u64, Vec<usize>> = HashMap::with_capacity(rows.len());
    let mut events: Vec<Event> = Vec::with_capacity(rows.len());
    let mut dups = Vec::new();
    for row in rows {
        let hash = row.content_hash();
        let first = seen
            .get(&hash)
            .and_then(|kept| kept.iter().find(|i| events[**i].row.same_content(&row)))
            .map(|i| events[*i].row.src.clone());
        if let Some(first) = first {
            dups.push(RowException {
                order_id: row.order_id.clone(),
                account_id: row.account_id.clone(),
                column: "order_id".into(),
                value: row.order_id.clone(),
                code: ExceptionCode::Duplicate,
                message: format!(
                    "this row repeats {} row {} in every column; it was counted once",
                    first.file, first.row
                ),
                src: row.src.clone(),
            });
            continue;
        }
        seen.entry(hash).or_default().push(events.len());
        let n = match next_line.get_mut(&row.order_id) {
            Some(n) => n,
            None => next_line.entry(row.order_id.clone()).or_insert(0),
        };
        *n += 1;
        events.push(Event { line: *n, row });
    }
    (events, dups)
}
