//! `billrun run`: price the inputs and write the invoice and refund workbooks.

use super::{Failure, inputs, summary};
use crate::cli::{FailOn, InputArgs, RunArgs};
use crate::output::{WriteOptions, write_invoices, write_mirrors, write_refunds};
use crate::progress::Progress;
use crate::report::Report;

pub fn run(args: &RunArgs) -> Result<(), Failure> {
    let progress = Progress::new(!args.input.quiet);
    let report = inputs::price(&args.input, &progress)?;
    std::fs::create_dir_all(&args.out).map_err(|e| {
        Failure::Fatal(format!(
            "{}: cannot create the output folder: {e}",
            args.out.display()
        ))
    })?;
    let opts = WriteOptions {
        formulas: !args.no_formulas,
        lang: args.lang.into(),
        ..WriteOptions::default()
    };
    progress.stage("writing workbooks", 0);
    let invoices = args.out.join("invoices.xlsx");
    write_invoices(&report, &invoices, &opts)?;
    let refunds = args.out.join("refunds.xlsx");
    write_refunds(&report, &refunds, &opts)?;
    let mut outputs = vec![
        invoices.display().to_string(),
        refunds.display().to_string(),
    ];
    if args.csv {
        for p in write_mirrors(&report, &args.out)? {
            outputs.push(p.display().to_string());
        }
    }
    progress.finish();
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
