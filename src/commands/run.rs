//! `billrun run`: price the inputs and write the invoice and refund workbooks.

use super::{Failure, inputs, summary};
use crate::catalog::Catalog;
use crate::commands::cli::{FailOn, InputArgs, RunArgs};
use crate::output::{
    InvoicesWriter, MIRROR_FILES, OutLock, OutputError, RUN_JSON, RUN_OUTPUTS, Staged, WORKBOOKS,
    WriteOptions, describe, publish_set, stage_mirrors, stage_refunds, stage_run_json,
};
use crate::progress::Progress;
use crate::report::{Line, Report};
use std::time::Duration;

pub fn run(args: &RunArgs) -> Result<(), Failure> {
    let progress = Progress::new(!args.input.quiet);
    let catalog = Catalog::load(args.input.catalog.as_deref())?;
    let mut names = WORKBOOKS.to_vec();
    if args.csv {
        names.extend(MIRROR_FILES);
    }
    names.push(RUN_JSON);
    inputs::guard_outputs(&args.input, &args.out, &names)?;
    let aliases = inputs::aliases(&catalog)?;
    let input_paths = inputs::input_paths(&args.input);
    inputs::prepare_out(&args.out, &names)?;
    // The lock is taken before the inputs are read, not just around the writes: a run
    // waiting for another then reads the inputs as they are once that one is done, and the
    // whole run, inputs to run.json, is one run's. It is held until run.json is in place.
    let lock = OutLock::acquire(&args.out, Duration::from_secs(args.wait))?;
    let inputs = inputs::read(&args.input, &aliases, &progress)?;
    let opts = WriteOptions {
        formulas: !args.no_formulas,
        lang: args.lang.into(),
        ..WriteOptions::default()
    };
    // The lines go to invoices.xlsx's Lines sheet as each batch of accounts is priced, so a
    // large run never holds them all; the CSV mirror, when asked for, keeps them.
    let invoices = args.out.join("invoices.xlsx");
    let mut writer = InvoicesWriter::begin(&invoices, &opts)?;
    let mut kept = Vec::new();
    let write_lines = |batch: Vec<Line>| {
        writer.lines(&batch)?;
        if args.csv {
            kept.extend(batch);
        }
        Ok::<(), OutputError>(())
    };
    let mut report = inputs::price_streamed(&args.input, &catalog, inputs, &progress, write_lines)?;
    report.lines = kept;
    progress.stage("writing workbooks", 0);
    let refunds = args.out.join("refunds.xlsx");
    // refunds.xlsx and the mirrors are written on a second thread while invoices.xlsx, the
    // largest, is compressed on this one. Every file is written under its temporary name
    // first and renamed only once all are complete, so a run that fails while writing (a
    // full disk) leaves the whole earlier set in place, never a mix of two runs.
    let staged = std::thread::scope(|s| {
        let others = s.spawn(|| -> Result<Vec<Staged>, OutputError> {
            let mut staged = vec![stage_refunds(&report, &refunds, &opts)?];
            if args.csv {
                staged.extend(stage_mirrors(&report, &args.out)?);
            }
            Ok(staged)
        });
        let invoices = writer.stage(&report);
        let others = match others.join() {
            Ok(result) => result,
            Err(panic) => std::panic::resume_unwind(panic),
        };
        let mut staged = vec![invoices?];
        staged.extend(others?);
        Ok::<_, OutputError>(staged)
    })?;
    let outputs: Vec<String> = staged
        .iter()
        .map(|s| s.path().display().to_string())
        .collect();
    // Hashed before publishing: the temporary files are complete and synced, and are what
    // the renames put in place.
    let entries = staged.iter().map(describe).collect::<Result<Vec<_>, _>>()?;
    let run_json = stage_run_json(&args.out, &summary::json(&report, &outputs), &entries)?;
    publish_set(&args.out, staged, run_json, &RUN_OUTPUTS, &input_paths)?;
    drop(lock);
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
