//! The live Excel formulas of a Lines row, built from the line's calculation record
//! (`rules::records::Calc`) and the sheet's column letters: the third view of the arithmetic
//! beside the amounts and the rule words, held to them by a property test that evaluates
//! every formula kind (`formulas_tests.rs`).

use crate::report::{Calc, Line};

/// Column letters of the Lines sheet (SPEC 6 order). The writer and the formulas share them.
pub mod cols {
    pub const QUANTITY: &str = "H";
    pub const BILLABLE: &str = "I";
    pub const UNIT_PRICE: &str = "M";
    pub const FULL_YEARS: &str = "N";
    pub const FULL_YEARS_AMOUNT: &str = "O";
    pub const MONTHS: &str = "P";
    pub const MONTHS_AMOUNT: &str = "Q";
    pub const LIST_AMOUNT: &str = "R";
    pub const DISCOUNT: &str = "S";
    pub const EXPECTED: &str = "T";
    pub const BILLED: &str = "U";
    pub const DIFFERENCE: &str = "V";
}

/// The live formulas of one Lines row (Excel row number `r`, 1-based). An amount the line's
/// calculation fixes at zero (the years part of a by-month line, both parts of a one-time
/// item) has no formula: `None`, written as the number 0, since `=0` would recompute nothing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineFormulas {
    pub full_years_amount: Option<String>,
    pub months_amount: Option<String>,
    pub list_amount: String,
    pub expected_amount: String,
    /// Present only when the line has a billed amount.
    pub difference: Option<String>,
}

/// The formulas that recompute `line`'s amounts from its own cells.
pub fn line_formulas(line: &Line, r: u32) -> LineFormulas {
    use cols::*;
    let p = format!("{UNIT_PRICE}{r}");
    let q = format!("{BILLABLE}{r}");
    let (fy, mo) = match line.calc {
        Calc::TencentYears => (
            Some(format!("={p}*{q}*{FULL_YEARS}{r}")),
            Some(format!("=MIN({p}/10*{q}*{MONTHS}{r},{p}*{q})")),
        ),
        Calc::Months => (None, Some(format!("={p}*{q}*{MONTHS}{r}"))),
        Calc::Days { days } => (None, Some(format!("={p}*12/365*{days}*{q}"))),
        Calc::OneTime => (None, None),
    };
    let list = match line.calc {
        Calc::OneTime => format!("={p}*{q}"),
        _ => format!("={FULL_YEARS_AMOUNT}{r}+{MONTHS_AMOUNT}{r}"),
    };
    LineFormulas {
        full_years_amount: fy,
        months_amount: mo,
        list_amount: list,
        expected_amount: format!("=ROUND({LIST_AMOUNT}{r}-{DISCOUNT}{r},2)"),
        difference: line
            .billed_amount
            .map(|_| format!("={BILLED}{r}-{EXPECTED}{r}")),
    }
}
