//! `billrun catalog`: print the effective catalog as TOML.

use super::Failure;
use crate::catalog::Catalog;
use crate::cli::CatalogArgs;

pub fn run(args: &CatalogArgs) -> Result<(), Failure> {
    let c = Catalog::load(args.catalog.as_deref())?;
    print!("{}", c.to_toml());
    Ok(())
}
