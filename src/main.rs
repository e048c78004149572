//! billrun's entry point: parse the arguments, run the command, map the outcome to an exit
//! code (0 done, 1 a --fail-on condition met, 2 bad arguments or input).

use billrun::cli::{Cli, Command};
use billrun::commands::{self, Failure};
use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match &cli.command {
        Command::Run(a) => commands::run::run(a),
        Command::Check(a) => commands::check::run(a),
        Command::Catalog(a) => commands::catalog::run(a),
        Command::Quote(a) => commands::quote::run(a),
        Command::Reprice(a) => commands::reprice::run(a),
        Command::Gen(a) => commands::r#gen::run(a),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure::Condition(m)) => {
            eprintln!("billrun: {m}");
            ExitCode::from(1)
        }
        Err(Failure::Fatal(m)) => {
            eprintln!("billrun: error: {m}");
            ExitCode::from(2)
        }
    }
}
