//! `billrun gen`: write deterministic synthetic order (and usage) exports into a folder,
//! ready for `billrun run DIR`.

use super::Failure;
use crate::commands::cli::{GenArgs, GenFormat};
use crate::r#gen::{FileFormat, Options, generate};

pub fn run(args: &GenArgs) -> Result<(), Failure> {
    let opts = Options {
        orders: args.orders,
        accounts: args.accounts,
        usage: args.usage,
        seed: args.seed,
        format: match args.format {
            GenFormat::Csv => FileFormat::Csv,
            GenFormat::Xlsx => FileFormat::Xlsx,
        },
        bad_share: args.bad_share,
    };
    let s = generate(&opts, &args.out).map_err(|e| Failure::Fatal(e.to_string()))?;
    if !args.quiet {
        let files: Vec<String> = s.files.iter().map(|f| f.display().to_string()).collect();
        eprintln!(
            "wrote {} order rows ({} bad) for {} accounts and {} usage rows ({} bad): {}",
            s.orders,
            s.bad_orders,
            s.accounts,
            s.usage,
            s.bad_usage,
            files.join(", ")
        );
    }
    Ok(())
}
