//! `billrun check`: read and price the inputs, print every exception, write nothing.

use super::{Failure, inputs, run::report_and_judge};
use crate::commands::cli::InputArgs;
use crate::progress::Progress;

pub fn run(args: &InputArgs) -> Result<(), Failure> {
    let progress = Progress::new(!args.quiet);
    let report = inputs::price(args, &progress)?;
    progress.finish();
    if !args.json {
        for e in &report.exceptions {
            println!(
                "{}:{}\t{}\t{}\t{}={}\t{}",
                e.src.file, e.src.row, e.code, e.order_id, e.column, e.value, e.message
            );
        }
    }
    report_and_judge(args, &report, &[])
}
