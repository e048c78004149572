//! Checks a parsed catalog for what serde cannot: references between SKUs, model-specific
//! fields, sane numbers, unambiguous aliases. Returns the alias index on success, or the key
//! at fault and what is wrong with it.

use super::norm;
use super::schema::*;
use crate::model::{Metric, OrderType};
use rust_decimal::Decimal;
use std::collections::HashMap;

type Fault = (String, String);

/// Bounds that keep pack arithmetic (used × unit value, summed over a line's packs) far
/// inside `Decimal`'s range.
const MAX_PACK_SIZE: u64 = 1_000_000_000_000;
const MAX_UNIT_VALUE: Decimal = Decimal::from_parts(1000, 0, 0, false, 0);

fn fault(key: String, message: impl Into<String>) -> Fault {
    (key, message.into())
}

pub(super) fn validate(c: &CatalogFile) -> Result<HashMap<String, String>, Fault> {
    let s = &c.settings;
    if s.qa_term_months.is_empty() || s.qa_term_months.iter().any(|m| *m == 0 || *m > 120) {
        return Err(fault(
            "settings.qa_term_months".into(),
            "must list terms from 1 to 120 months",
        ));
    }
    if s.pv_unit_value < Decimal::ZERO || s.pv_unit_value > MAX_UNIT_VALUE {
        return Err(fault(
            "settings.pv_unit_value".into(),
            "must be from 0 to 1,000 (the value of one page view)",
        ));
    }
    for (name, b) in &c.bundles {
        for m in &b.mandatory {
            if !c.skus.contains_key(m) {
                return Err(fault(
                    format!("bundles.{name}.mandatory"),
                    format!("names unknown SKU '{m}'"),
                ));
            }
        }
    }
    let mut aliases: HashMap<String, String> = HashMap::new();
    for (code, sku) in &c.skus {
        let key = |field: &str| format!("skus.{code}.{field}");
        if code.trim().is_empty() || code.trim() != code {
            return Err(fault(
                format!("skus.{code}"),
                "a SKU code must be non-empty with no surrounding spaces",
            ));
        }
        for name in std::iter::once(code).chain(sku.aliases.iter()) {
            let n = norm(name);
            if let Some(other) = aliases.insert(n, code.clone())
                && &other != code
            {
                return Err(fault(
                    key("aliases"),
                    format!("'{name}' already names SKU '{other}'"),
                ));
            }
        }
        check_price(sku.price, &key("price"))?;
        check_price(sku.overage_price, &key("overage_price"))?;
        if let Some(j) = &sku.joins
            && !c.skus.contains_key(j)
        {
            return Err(fault(key("joins"), format!("names unknown SKU '{j}'")));
        }
        if let Some(b) = &sku.bundle
            && !c.bundles.contains_key(b)
        {
            return Err(fault(key("bundle"), format!("names unknown bundle '{b}'")));
        }
        if let Some(m) = &sku.metric
            && Metric::parse(m).is_none()
        {
            return Err(fault(
                key("metric"),
                format!("'{m}' is not a metric (pv, sessions, sms, backflow_rows)"),
            ));
        }
        if sku.addon_only && sku.joins.is_none() {
            return Err(fault(key("addon_only"), "an add-on-only SKU needs `joins`"));
        }
        check_refund_types(sku, &key("refund_types"))?;
        if sku.max_term_years == Some(0) {
            return Err(fault(key("max_term_years"), "must be at least 1"));
        }
        match sku.model {
            Model::BlockYear if sku.block.unwrap_or(0) == 0 => {
                return Err(fault(
                    key("block"),
                    "a block-year SKU needs a block size above 0",
                ));
            }
            Model::TieredYear => check_tiers(sku, &key("tiers"))?,
            Model::CapacityYear => {
                match &sku.booster {
                    Some(b) if c.skus.contains_key(b) => {}
                    Some(b) => {
                        return Err(fault(key("booster"), format!("names unknown SKU '{b}'")));
                    }
                    None => {
                        return Err(fault(
                            key("booster"),
                            "a capacity-year SKU needs a booster SKU",
                        ));
                    }
                }
                if sku.booster_size.unwrap_or(0) == 0 {
                    return Err(fault(key("booster_size"), "must be above 0"));
                }
                if sku.editions.is_empty() {
                    return Err(fault(
                        key("editions"),
                        "a capacity-year SKU needs editions with a capacity",
                    ));
                }
            }
            Model::Pack => {
                if sku.metric.is_none() {
                    return Err(fault(
                        key("metric"),
                        "a pack SKU needs the metric its packs serve",
                    ));
                }
                if sku.editions.is_empty() {
                    return Err(fault(
                        key("editions"),
                        "a pack SKU needs editions with a pack_size",
                    ));
                }
            }
            _ => {}
        }
        let mut edition_names: HashMap<String, String> = HashMap::new();
        for (ecode, e) in &sku.editions {
            let ekey = |field: &str| format!("skus.{code}.editions.{ecode}.{field}");
            check_price(e.price, &ekey("price"))?;
            for name in std::iter::once(ecode).chain(e.aliases.iter()) {
                if let Some(other) = edition_names.insert(norm(name), ecode.clone())
                    && &other != ecode
                {
                    return Err(fault(
                        ekey("aliases"),
                        format!("'{name}' already names edition '{other}'"),
                    ));
                }
            }
            if sku.model == Model::CapacityYear && e.capacity.unwrap_or(0) == 0 {
                return Err(fault(
                    ekey("capacity"),
                    "a capacity-year edition needs a capacity above 0",
                ));
            }
            if sku.model == Model::Pack && e.pack_size.unwrap_or(0) == 0 {
                return Err(fault(
                    ekey("pack_size"),
                    "a pack edition needs a pack_size above 0",
                ));
            }
            if e.pack_size.is_some_and(|p| p > MAX_PACK_SIZE) {
                return Err(fault(
                    ekey("pack_size"),
                    "a pack_size must not exceed 1,000,000,000,000",
                ));
            }
            if e.max_active_per_account == Some(0) {
                return Err(fault(ekey("max_active_per_account"), "must be at least 1"));
            }
            check_regions(s, &e.exclude_regions, &ekey("exclude_regions"))?;
        }
        check_regions(s, &sku.regions, &key("regions"))?;
        check_requirements(c, sku, &key("requires"))?;
    }
    Ok(aliases)
}

/// Regions named by a SKU or edition must be regions the vendor sells in.
fn check_regions(s: &Settings, regions: &[String], key: &str) -> Result<(), Fault> {
    match regions.iter().find(|r| !s.qa_regions.contains(r)) {
        Some(r) => Err(fault(
            key.to_string(),
            format!(
                "'{r}' is not a region of settings.qa_regions ({})",
                s.qa_regions.join(", ")
            ),
        )),
        None => Ok(()),
    }
}

/// A requirement names a SKU of the catalog, editions of it, and a known region.
fn check_requirements(c: &CatalogFile, sku: &SkuDef, key: &str) -> Result<(), Fault> {
    for (i, r) in sku.requires.iter().enumerate() {
        let at = format!("{key}[{i}]");
        let Some(target) = c.skus.get(&r.sku) else {
            return Err(fault(
                format!("{at}.sku"),
                format!("names unknown SKU '{}'", r.sku),
            ));
        };
        if let Some(e) = r
            .editions
            .iter()
            .find(|e| !target.editions.contains_key(*e))
        {
            return Err(fault(
                format!("{at}.editions"),
                format!("'{e}' is not an edition of {}", r.sku),
            ));
        }
        if let Some(region) = &r.region {
            check_regions(
                &c.settings,
                std::slice::from_ref(region),
                &format!("{at}.region"),
            )?;
        }
    }
    Ok(())
}

/// `refund_types` names at least one order type a line can be bought by, each once.
fn check_refund_types(sku: &SkuDef, key: &str) -> Result<(), Fault> {
    let Some(types) = &sku.refund_types else {
        return Ok(());
    };
    if types.is_empty() {
        return Err(fault(
            key.to_string(),
            "lists no order type: a SKU that is never refundable says refund = \"none\"",
        ));
    }
    if types.contains(&OrderType::Refund) {
        return Err(fault(
            key.to_string(),
            "'refund' is not an order type a line is bought by (new, addon, upgrade, renewal)",
        ));
    }
    if let Some((i, t)) = types
        .iter()
        .enumerate()
        .find(|(i, t)| types[..*i].contains(*t))
    {
        return Err(fault(
            format!("{key}[{i}]"),
            format!("'{t}' is listed twice"),
        ));
    }
    Ok(())
}

fn check_price(p: Option<Decimal>, key: &str) -> Result<(), Fault> {
    match p {
        Some(p) if p < Decimal::ZERO => Err(fault(key.to_string(), "a price must not be negative")),
        Some(p) if p > crate::money::MAX_AMOUNT => Err(fault(
            key.to_string(),
            "a price must not exceed 1,000,000,000,000",
        )),
        _ => Ok(()),
    }
}

fn check_tiers(sku: &SkuDef, key: &str) -> Result<(), Fault> {
    if sku.tiers.is_empty() {
        return Err(fault(
            key.to_string(),
            "a tiered-year SKU needs at least one tier",
        ));
    }
    let mut last = 0u64;
    for (i, t) in sku.tiers.iter().enumerate() {
        if t.up_to <= last {
            return Err(fault(
                format!("{key}[{i}].up_to"),
                "tiers must rise strictly",
            ));
        }
        check_price(Some(t.price), &format!("{key}[{i}].price"))?;
        last = t.up_to;
    }
    Ok(())
}
