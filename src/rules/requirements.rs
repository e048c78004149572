//! Quick Audience requirements and regions (SPEC 1.5) as pure checks: which of a SKU's
//! requirements the account's holdings leave unmet, and whether a region is allowed for a
//! SKU and edition. The requirements are catalog data; nothing here names a SKU. No I/O.

use super::records::Refused;
use crate::catalog::{BundleDef, EditionDef, Requirement, SkuDef};
use crate::model::ExceptionCode as C;
use chrono::NaiveDate;
use std::collections::{BTreeMap, BTreeSet};

/// The requirements of `sku` that apply in `region` and that no holding meets. `holds(sku,
/// editions)` says whether the account holds `sku` (in one of `editions`, or any edition
/// when that is empty).
pub fn unmet<'a>(
    sku: &'a SkuDef,
    region: &str,
    holds: impl Fn(&str, &[String]) -> bool,
) -> Vec<&'a Requirement> {
    sku.requires
        .iter()
        .filter(|r| r.region.as_deref().is_none_or(|only| only == region))
        .filter(|r| !holds(&r.sku, &r.editions))
        .collect()
}

/// A requirement in words: `qa (standard-20, standard-50 or standard-100)`, `qa-collection
/// (in cn-shanghai)`.
pub fn describe(r: &Requirement) -> String {
    let mut s = r.sku.clone();
    if !r.editions.is_empty() {
        s.push_str(&format!(" ({})", or_list(&r.editions)));
    }
    if let Some(region) = &r.region {
        s.push_str(&format!(" (required in {region})"));
    }
    s
}

/// `a`, `a or b`, `a, b or c`.
pub fn or_list(items: &[String]) -> String {
    match items.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} or {last}", rest.join(", ")),
        Some((last, _)) => last.clone(),
        None => String::new(),
    }
}

/// Why `region` is not allowed for this SKU and edition, if it is not: it must be one of the
/// vendor's regions, one of the SKU's regions when it lists any, and not one the edition
/// excludes.
pub fn region_fault(
    vendor_regions: &[String],
    code: &str,
    sku: &SkuDef,
    edition_code: &str,
    edition: &EditionDef,
    region: &str,
) -> Option<String> {
    if !vendor_regions.iter().any(|r| r == region) {
        return Some(format!(
            "'{region}' is not a Quick Audience region; write {}",
            or_list(vendor_regions)
        ));
    }
    if !sku.regions.is_empty() && !sku.regions.iter().any(|r| r == region) {
        return Some(format!(
            "{code} is sold only in {}, not in {region}",
            or_list(&sku.regions)
        ));
    }
    if edition.exclude_regions.iter().any(|r| r == region) {
        return Some(format!("{code} {edition_code} is not sold in {region}"));
    }
    None
}

/// Where a line stands, for the words of a refusal.
#[derive(Debug, Clone, Copy)]
pub struct LineRef<'a> {
    pub code: &'a str,
    pub account: &'a str,
    pub order: &'a str,
    pub on: NaiveDate,
}

/// The SKU's requirements met, or `MISSING_REQUIREMENT` naming every one that is not: met by
/// a subscription active on the line's date or a line of the same order (`holds`).
pub fn check(
    sku: &SkuDef,
    region: &str,
    line: LineRef,
    holds: impl Fn(&str, &[String]) -> bool,
) -> Result<(), Refused> {
    let missing = unmet(sku, region, holds);
    if missing.is_empty() {
        return Ok(());
    }
    let names: Vec<String> = missing.iter().map(|r| describe(r)).collect();
    let LineRef {
        code,
        account,
        order,
        on,
    } = line;
    Err(Refused::new(
        C::MissingRequirement,
        "product",
        code,
        format!(
            "{code} requires {}: account {account} holds none active on {on} and order {order} does not buy it",
            names.join(" and ")
        ),
    ))
}

/// The row's region for a Quick Audience line: required on new and add-on lines
/// (`required`), checked whenever given. Returns the region (empty when none was needed).
pub fn region<'r>(
    vendor_regions: &[String],
    code: &str,
    sku: &SkuDef,
    edition_code: &str,
    edition: &EditionDef,
    given: &'r str,
    required: bool,
) -> Result<&'r str, Refused> {
    if given.is_empty() {
        if !required {
            return Ok("");
        }
        return Err(Refused::new(
            C::MissingValue,
            "region",
            "",
            format!(
                "region is empty: a Quick Audience line names its region ({})",
                or_list(vendor_regions)
            ),
        ));
    }
    match region_fault(vendor_regions, code, sku, edition_code, edition, given) {
        Some(why) => Err(Refused::new(C::BadRegion, "region", given, why)),
        None => Ok(given),
    }
}

/// A new order's bundles (SPEC 1.4, the SSC purchase): for each bundle the order buys any
/// mandatory item of, the words naming the mandatory items it lacks (nothing when it has
/// them all). `skus` are the SKU codes the order's new lines buy.
pub fn bundle_gaps(
    bundles: &BTreeMap<String, BundleDef>,
    order: &str,
    skus: &BTreeSet<&str>,
) -> Vec<(String, String)> {
    let mut gaps = Vec::new();
    for (name, b) in bundles {
        if !b.mandatory.iter().any(|m| skus.contains(m.as_str())) {
            continue;
        }
        let missing: Vec<&str> = b
            .mandatory
            .iter()
            .map(String::as_str)
            .filter(|m| !skus.contains(m))
            .collect();
        if !missing.is_empty() {
            gaps.push((
                name.clone(),
                format!(
                    "a new {} ({name}) must contain {}; order {order} lacks {}",
                    b.name,
                    b.mandatory.join(", "),
                    missing.join(", ")
                ),
            ));
        }
    }
    gaps
}

#[cfg(test)]
mod tests;
