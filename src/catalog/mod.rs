//! The catalog: the built-in TOML compiled into the binary, merged with an optional user
//! catalog, validated, and looked up by SKU code or alias. No I/O except `load`, which reads
//! the user's file.

pub mod schema;
mod validate;

pub use schema::*;

use std::collections::HashMap;
use std::path::Path;

const BUILTIN: &str = include_str!("builtin.toml");

/// A catalog that stops the run (exit 2): the message names the file and the key.
#[derive(Debug, thiserror::Error)]
pub enum CatalogError {
    #[error("cannot read catalog {file}: {reason}")]
    Unreadable { file: String, reason: String },
    #[error("catalog {file} is not valid TOML: {reason}")]
    Syntax { file: String, reason: String },
    #[error("catalog {file}: key `{key}`: {message}")]
    Invalid {
        file: String,
        key: String,
        message: String,
    },
}

/// The effective, validated catalog.
#[derive(Debug, Clone)]
pub struct Catalog {
    pub file: CatalogFile,
    /// `built-in` or the user catalog's path.
    pub source: String,
    aliases: HashMap<String, String>,
}

/// A resolved edition: its code (empty for a SKU without editions) and its definition with
/// SKU-level defaults applied.
#[derive(Debug, Clone, PartialEq)]
pub struct Edition<'a> {
    pub code: &'a str,
    pub def: EditionDef,
}

/// The most a user catalog may hold: the built-in one is a few kilobytes, and a path to a
/// device (`/dev/zero`) must not be read until memory runs out.
const MAX_CATALOG_BYTES: u64 = 16 << 20;

/// A user catalog's text, read up to [`MAX_CATALOG_BYTES`].
fn read_catalog(path: &Path) -> Result<String, String> {
    use std::io::Read as _;
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .and_then(|f| f.take(MAX_CATALOG_BYTES + 1).read_to_end(&mut bytes))
        .map_err(|e| e.to_string())?;
    if bytes.len() as u64 > MAX_CATALOG_BYTES {
        return Err(format!(
            "it is larger than {} MiB; a catalog is a few kilobytes of TOML",
            MAX_CATALOG_BYTES >> 20
        ));
    }
    String::from_utf8(bytes).map_err(|_| "it is not UTF-8 text".to_string())
}

impl Catalog {
    /// The built-in catalog alone.
    pub fn builtin() -> Catalog {
        match Self::from_texts(None) {
            Ok(c) => c,
            // The built-in catalog is tested; failing here is a build defect, not an input error.
            Err(e) => unreachable!("built-in catalog is invalid: {e}"),
        }
    }

    /// The built-in catalog merged with the user catalog at `path`, if any.
    pub fn load(path: Option<&Path>) -> Result<Catalog, CatalogError> {
        match path {
            None => Self::from_texts(None),
            Some(p) => {
                let name = p.display().to_string();
                let text = read_catalog(p).map_err(|reason| CatalogError::Unreadable {
                    file: name.clone(),
                    reason,
                })?;
                Self::from_texts(Some((&name, &text)))
            }
        }
    }

    /// Builds the catalog from the built-in text and an optional user `(name, text)`: user
    /// tables merge key by key over the built-in ones; other values replace.
    pub fn from_texts(user: Option<(&str, &str)>) -> Result<Catalog, CatalogError> {
        let mut base: toml::Table = toml::from_str(BUILTIN).map_err(|e| CatalogError::Syntax {
            file: "built-in".into(),
            reason: e.to_string(),
        })?;
        let source = match user {
            Some((name, text)) => {
                let over: toml::Table = toml::from_str(text).map_err(|e| CatalogError::Syntax {
                    file: name.to_string(),
                    reason: e.to_string(),
                })?;
                merge(&mut base, over);
                name.to_string()
            }
            None => "built-in".to_string(),
        };
        let file: CatalogFile = serde_path_to_error::deserialize(toml::Value::Table(base))
            .map_err(|e| {
                let key = e.path().to_string();
                CatalogError::Invalid {
                    file: source.clone(),
                    key: if key == "." {
                        "(top level)".into()
                    } else {
                        key
                    },
                    message: e.into_inner().to_string(),
                }
            })?;
        let aliases =
            validate::validate(&file).map_err(|(key, message)| CatalogError::Invalid {
                file: source.clone(),
                key,
                message,
            })?;
        Ok(Catalog {
            file,
            source,
            aliases,
        })
    }

    /// The effective catalog as TOML; loading it back with `--catalog` gives the same catalog.
    pub fn to_toml(&self) -> String {
        let body = toml::to_string(&self.file).unwrap_or_default();
        format!(
            "# billrun effective catalog (from {}). Edit and pass back with --catalog FILE.\n\
             # Format: docs/CATALOG.md. Prices are exact decimals written as strings.\n\n{body}",
            self.source
        )
    }

    pub fn settings(&self) -> &Settings {
        &self.file.settings
    }

    /// Resolves a product as written in an export (code or alias, any case) to its SKU.
    pub fn sku(&self, text: &str) -> Option<(&str, &SkuDef)> {
        let code = self.aliases.get(&norm(text))?;
        self.file
            .skus
            .get_key_value(code.as_str())
            .map(|(k, v)| (k.as_str(), v))
    }

    /// The SKU by its canonical code.
    pub fn sku_by_code(&self, code: &str) -> Option<&SkuDef> {
        self.file.skus.get(code)
    }

    /// Resolves an edition of `sku`. A SKU without editions takes no edition (empty is fine).
    /// `Err` carries the edition codes accepted.
    pub fn edition<'a>(
        &self,
        sku: &'a SkuDef,
        text: Option<&str>,
    ) -> Result<Edition<'a>, Vec<String>> {
        let wanted = text.map(norm).filter(|t| !t.is_empty());
        if sku.editions.is_empty() {
            return match wanted {
                None => Ok(Edition {
                    code: "",
                    def: with_defaults(sku, &EditionDef::default()),
                }),
                Some(_) => Err(Vec::new()),
            };
        }
        let Some(w) = wanted else {
            return Err(sku.editions.keys().cloned().collect());
        };
        for (code, def) in &sku.editions {
            if norm(code) == w || def.aliases.iter().any(|a| norm(a) == w) {
                return Ok(Edition {
                    code,
                    def: with_defaults(sku, def),
                });
            }
        }
        Err(sku.editions.keys().cloned().collect())
    }
}

/// Applies SKU-level price and minimum to an edition that does not set its own.
fn with_defaults(sku: &SkuDef, def: &EditionDef) -> EditionDef {
    let mut d = def.clone();
    if d.price.is_none() {
        d.price = sku.price;
    }
    if d.minimum.is_none() {
        d.minimum = sku.minimum;
    }
    d
}

pub(crate) fn norm(text: &str) -> String {
    text.trim().to_lowercase()
}

fn merge(base: &mut toml::Table, over: toml::Table) {
    for (k, v) in over {
        match (base.get_mut(&k), v) {
            (Some(toml::Value::Table(b)), toml::Value::Table(o)) => merge(b, o),
            (_, v) => {
                base.insert(k, v);
            }
        }
    }
}

#[cfg(test)]
mod tests;
