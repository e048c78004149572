//! `billrun catalog`: print the effective catalog as TOML.

use super::Failure;
use crate::catalog::Catalog;
use crate::commands::cli::CatalogArgs;

pub fn run(args: &CatalogArgs) -> Result<(), Failure> {
    let c = Catalog::load(args.catalog.as_deref())?;
    // `[columns]` is checked here as a run checks it, so a typo shows before a run.
    super::inputs::aliases(&c)?;
    print!("{}", c.to_toml());
    Ok(())
}
