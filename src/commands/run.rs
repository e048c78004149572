//! `billrun run`: price the inputs and write the invoice and refund workbooks.

use super::{Failure, inputs, summary};
use crate::cli::{FailOn, InputArgs, RunArgs};
use crate::output::{WriteOptions, write_invoices, write_refunds};
use crate::report::Report;

pub fn run(args: &RunArgs) -> Result<(), Failure> {
    let report = inputs::price(&args.input)?;
    std::fs::create_dir_all(&args.out).map_err(|e| {
        Failure::Fatal(format!(
            "{}: cannot create the output folder: {e}",
            args.out.display()
        ))
    })?;
    let opts = WriteOptions {
        formulas: !args.no_formulas,
        ..WriteOptions::default()
    };
    let invoices = args.out.join("invoices.xlsx");
    write_invoices(&report, &invoices, &opts)?;
    let refunds = args.out.join("refunds.xlsx");
    write_refunds(&report, &refunds, &opts)?;
    let outputs = vec![
        invoices.display().to_string(),
        refunds.display().to_string(),
    ];
    report_and_judge(&args.input, &report, &outputs)
}

/// Prints the summary (text on stderr unless --quiet; JSON on stdout with --json) and applies
/// --fail-on.
pub fn report_and_judge(
    args: &InputArgs,
    report: &Report,
    outputs: &[String],
) -> Result<(), Failure> {
    if args.json {
        println!("{}", summary::json(report, outputs));
    }
    if !args.quiet {
        eprint!("{}", summary::text(report, outputs));
    }
    match args.fail_on {
        FailOn::Exceptions
            if !report.exceptions.is_empty() || summary::unpriced_overage(report) > 0 =>
        {
            Err(Failure::Condition(format!(
                "{} exception(s) and {} usage overdraft(s) without a pay-as-you-go rate found",
                report.exceptions.len(),
                summary::unpriced_overage(report)
            )))
        }
        FailOn::Mismatches if report.mismatches > 0 => Err(Failure::Condition(format!(
            "{} mismatched line(s) found",
            report.mismatches
        ))),
        _ => Ok(()),
    }
}
