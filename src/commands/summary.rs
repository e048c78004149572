//! The run summary: a few lines for a person on stderr, or JSON for cron and scripts.

use crate::money::fmt_money;
use crate::report::Report;
use serde_json::json;

pub fn text(r: &Report, outputs: &[String]) -> String {
    let f = &r.facts;
    let mut s = format!(
        "read {} rows from {} file(s){}: {} priced lines, {} exceptions{}\n",
        f.rows_read,
        f.inputs.len(),
        if f.blank_rows > 0 {
            format!(" ({} blank rows skipped)", f.blank_rows)
        } else {
            String::new()
        },
        r.lines.len(),
        r.exceptions.len(),
        if f.rows_outside_period > 0 {
            format!(", {} rows outside the period", f.rows_outside_period)
        } else {
            String::new()
        },
    );
    s.push_str(&format!(
        "expected {}  billed {}  difference {}  ({} mismatched, {} unbilled)\n",
        fmt_money(r.total_expected),
        fmt_money(r.total_billed),
        fmt_money(r.total_difference),
        r.mismatches,
        r.unbilled
    ));
    if !f.unknown_columns.is_empty() {
        s.push_str(&format!(
            "columns not used: {}\n",
            f.unknown_columns.join(", ")
        ));
    }
    for o in outputs {
        s.push_str(&format!("wrote {o}\n"));
    }
    s
}

pub fn json(r: &Report, outputs: &[String]) -> String {
    let f = &r.facts;
    let mut by_code = std::collections::BTreeMap::<&str, usize>::new();
    for e in &r.exceptions {
        *by_code.entry(e.code.as_str()).or_default() += 1;
    }
    let v = json!({
        "inputs": f.inputs,
        "catalog": f.catalog,
        "as_of": f.as_of.map(|d| d.to_string()),
        "period": f.period,
        "counts": {
            "rows_read": f.rows_read,
            "blank_rows": f.blank_rows,
            "lines": r.lines.len(),
            "rows_outside_period": f.rows_outside_period,
            "exceptions": r.exceptions.len(),
            "mismatches": r.mismatches,
            "unbilled": r.unbilled,
        },
        "exceptions_by_code": by_code,
        "totals": {
            "expected": r.total_expected.to_string(),
            "billed": r.total_billed.to_string(),
            "difference": r.total_difference.to_string(),
        },
        "unknown_columns": f.unknown_columns,
        "outputs": outputs,
    });
    serde_json::to_string_pretty(&v).unwrap_or_default()
}
