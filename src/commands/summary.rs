//! The run summary: a few lines for a person on stderr, or JSON for cron and scripts.

use crate::money::fmt_money;
use crate::report::{Decision, PackStatus, Report};
use rust_decimal::Decimal;
use serde_json::json;

pub fn text(r: &Report, outputs: &[String]) -> String {
    let f = &r.facts;
    let mut s = format!(
        "read {} rows from {} file(s){}{}: {} priced lines, {} exceptions{}\n",
        f.rows_read,
        f.inputs.len(),
        if f.csv_lines > 0 {
            format!(
                " (CSV records as read; the CSV files hold {} lines)",
                f.csv_lines
            )
        } else {
            String::new()
        },
        if f.blank_rows > 0 {
            format!(" ({} blank rows skipped)", f.blank_rows)
        } else {
            String::new()
        },
        r.line_count,
        r.exceptions.len(),
        match (f.rows_outside_period, f.rows_other_shards) {
            (0, 0) => String::new(),
            (p, 0) => format!(", {p} rows outside the period"),
            (0, s) => format!(", {s} rows left to other shards"),
            (p, s) => format!(", {p} rows outside the period, {s} left to other shards"),
        },
    );
    s.push_str(&format!(
        "expected {}  billed {}  unbilled {}  difference {}  ({} mismatched, {} unbilled)\n",
        fmt_money(r.total_expected),
        fmt_money(r.total_billed),
        fmt_money(r.total_unbilled),
        fmt_money(r.total_difference),
        r.mismatches,
        r.unbilled
    ));
    if f.refunds > 0 {
        let approved = r
            .refunds
            .iter()
            .filter(|x| x.decision == Decision::Approved)
            .count();
        s.push_str(&format!(
            "{} refund request(s) over {} order line(s): {} approved, {} rejected; refunded {} (vouchers kept {})\n",
            f.refunds,
            r.refunds.len(),
            approved,
            r.refunds.len() - approved,
            fmt_money(r.total_refunded),
            fmt_money(r.total_voucher_kept)
        ));
    }
    if f.usage_rows > 0 {
        s.push_str(&format!(
            "{} usage rows drawn on {} pack(s){}\n",
            f.usage_rows,
            r.packs.len(),
            if r.total_overage > Decimal::ZERO {
                format!("; pay-as-you-go overage {}", fmt_money(r.total_overage))
            } else {
                String::new()
            }
        ));
    }
    let low = r
        .packs
        .iter()
        .filter(|p| matches!(p.status, PackStatus::Low | PackStatus::Exhausted))
        .count();
    if low > 0 {
        s.push_str(&format!("{low} pack(s) LOW or EXHAUSTED\n"));
    }
    for u in r.usage.iter().filter(|u| u.overdrawn > 0) {
        s.push_str(&format!("{} {}: {}\n", u.account_id, u.metric, u.note));
    }
    if !f.unknown_columns.is_empty() {
        s.push_str(&format!(
            "columns not used: {}\n",
            f.unknown_columns.join(", ")
        ));
    }
    for t in &f.tables {
        s.push_str(&format!("read {t}\n"));
    }
    for k in &f.skipped {
        s.push_str(&format!("skipped {k}\n"));
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
        "shard": f.shard,
        "counts": {
            "rows_read": f.rows_read,
            "csv_lines": f.csv_lines,
            "blank_rows": f.blank_rows,
            "lines": r.line_count,
            "rows_outside_period": f.rows_outside_period,
            "rows_other_shards": f.rows_other_shards,
            "refund_requests": f.refunds,
            "refund_lines": r.refunds.len(),
            "refunds_approved": r.refunds.iter().filter(|x| x.decision == Decision::Approved).count(),
            "usage_rows": f.usage_rows,
            "exceptions": r.exceptions.len(),
            "mismatches": r.mismatches,
            "unbilled": r.unbilled,
            "packs_low": r.packs.iter().filter(|p| p.status == PackStatus::Low).count(),
            "packs_exhausted": r.packs.iter().filter(|p| p.status == PackStatus::Exhausted).count(),
            "usage_overdrawn": r.usage.iter().filter(|u| u.overdrawn > 0).count(),
            "usage_overage_unpriced": unpriced_overage(r),
        },
        "exceptions_by_code": by_code,
        "totals": {
            "expected": cents(r.total_expected),
            "billed": cents(r.total_billed),
            "unbilled": cents(r.total_unbilled),
            "difference": cents(r.total_difference),
            "refunded": cents(r.total_refunded),
            "voucher_kept": cents(r.total_voucher_kept),
            "usage_overage": cents(r.total_overage),
        },
        "unknown_columns": f.unknown_columns,
        "tables": f.tables,
        "skipped": f.skipped,
        "outputs": outputs,
    });
    serde_json::to_string_pretty(&v).unwrap_or_default()
}

/// An amount with at least two decimals, exactly: `127381.4` (an amount summed from
/// workbook number cells) and `127381.40` (from CSV text) are one total and print alike,
/// and nothing past the cent is rounded away.
fn cents(d: Decimal) -> String {
    let mut d = d;
    if d.scale() < 2 {
        d.rescale(2);
    }
    d.to_string()
}

/// Usage totals with an overdraft the catalog has no pay-as-you-go rate for, where one is
/// needed (SMS): flagged, never silently zero.
pub fn unpriced_overage(r: &Report) -> usize {
    r.usage.iter().filter(|u| u.unpriced).count()
}
