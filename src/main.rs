//! billrun's entry point: parse the arguments, run the command, map the outcome to an exit
//! code (0 done, 1 a --fail-on condition met, 2 bad arguments or input).

use billrun::commands::cli::{Cli, Command};
use billrun::commands::{self, Failure};
use clap::Parser;
use std::process::ExitCode;
use std::sync::Mutex;

/// mimalloc rather than glibc's malloc: the per-account replay allocates on the worker
/// threads and frees what the reader allocated on the main one, which glibc's per-thread
/// arenas cannot reuse, and two threads faulting in fresh pages contend in the kernel. On
/// the 3M-row benchmark: peak 1.06 GB instead of 1.38, end to end 55 s instead of 59, and
/// the 2-thread pricing speedup 1.70 instead of 1.54 (docs/PERFORMANCE.md).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Where the last panic happened, for the error line.
static PANIC_AT: Mutex<Option<String>> = Mutex::new(None);

fn command(cli: &Cli) -> Result<(), Failure> {
    match &cli.command {
        Command::Run(a) => commands::run::run(a),
        Command::Check(a) => commands::check::run(a),
        Command::Catalog(a) => commands::catalog::run(a),
        Command::Quote(a) => commands::quote::run(a),
        Command::Reprice(a) => commands::reprice::run(a),
        Command::Gen(a) => commands::r#gen::run(a),
    }
}

/// Whether the command was given --json: its exit-2 error is then also printed as JSON on
/// stdout, where a script reading the summary looks.
fn wants_json(cli: &Cli) -> bool {
    match &cli.command {
        Command::Run(a) => a.input.json,
        Command::Check(a) => a.json,
        Command::Reprice(a) => a.input.json,
        Command::Catalog(_) | Command::Quote(_) | Command::Gen(_) => false,
    }
}

/// The one JSON line of a failed `--json` run: `{"error": "...", "exit": 2}`.
fn print_json_error(message: &str) {
    println!("{}", serde_json::json!({ "error": message, "exit": 2 }));
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            // A bad argument leaves no parsed --json to look at: the raw arguments tell.
            // --help and --version are not errors and print as clap prints them.
            if e.use_stderr() && std::env::args_os().any(|a| a == "--json") {
                let text = e.to_string();
                let first = text.lines().next().unwrap_or_default();
                print_json_error(first.strip_prefix("error: ").unwrap_or(first));
            }
            e.exit()
        }
    };
    // A panic is a bug, or a library's answer to an I/O fault that the writers catch and
    // explain (output::workbook::guarded). Either way the user gets one `billrun: error:`
    // line and exit 2, not a raw panic message; the hook only remembers where it happened.
    std::panic::set_hook(Box::new(|info| {
        if let Ok(mut at) = PANIC_AT.lock() {
            *at = info
                .location()
                .map(|l| format!("{}:{}", l.file(), l.line()));
        }
    }));
    let result = billrun::caught::catch(|| command(&cli)).unwrap_or_else(|what| {
        let at = PANIC_AT.lock().ok().and_then(|at| at.clone()).unwrap_or_default();
        Err(Failure::Fatal(format!(
            "internal error ({what}, at {at}); outputs are replaced only when complete, so none is half-written. Please report this with the inputs."
        )))
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure::Condition(m)) => {
            eprintln!("billrun: {m}");
            ExitCode::from(1)
        }
        Err(Failure::Fatal(m)) => {
            if wants_json(&cli) {
                print_json_error(&m);
            }
            eprintln!("billrun: error: {m}");
            ExitCode::from(2)
        }
    }
}
