//! Quick Audience checks of a line against the account (SPEC 1.5): the line's region, and
//! the requirements of its SKU met by what the account holds, active on the line's date, or
//! buys in the same order.

use super::resolve::{R, fail};
use super::state::AccountState;
use super::{Ctx, Event};
use crate::catalog::{Edition, SkuDef, Vendor};
use crate::model::ExceptionCode as C;
use crate::rules::requirements::{describe, or_list, region_fault, unmet};

/// The row's region, checked for the SKU and edition. A new or add-on Quick Audience line
/// must name one (`required`); on other lines a region given is still checked.
pub fn region<'e>(
    ctx: &Ctx,
    ev: &'e Event,
    code: &str,
    sku: &SkuDef,
    e: &Edition,
    required: bool,
) -> R<&'e str> {
    if sku.vendor != Vendor::Alibaba {
        return Ok("");
    }
    let regions = &ctx.catalog.settings().qa_regions;
    let given = ev.row.region.as_deref().map(str::trim).unwrap_or("");
    if given.is_empty() {
        if !required {
            return Ok("");
        }
        return Err(fail(
            ev,
            C::MissingValue,
            "region",
            "",
            format!(
                "region is empty: a Quick Audience line names its region ({})",
                or_list(regions)
            ),
        ));
    }
    match region_fault(regions, code, sku, e.code, &e.def, given) {
        Some(why) => Err(fail(ev, C::BadRegion, "region", given, why)),
        None => Ok(given),
    }
}

/// The SKU's requirements, each met by a subscription active on the line's date or by a
/// line of the same order; `MISSING_REQUIREMENT` names every one that is not.
pub fn requirements(
    st: &AccountState,
    ev: &Event,
    code: &str,
    sku: &SkuDef,
    region: &str,
) -> R<()> {
    if sku.requires.is_empty() {
        return Ok(());
    }
    let row = &ev.row;
    let d = row.start_date.unwrap_or(row.order_date);
    let same_order = st.same_order.get(&row.order_id);
    let fits = |edition: &str, editions: &[String]| {
        editions.is_empty() || editions.iter().any(|e| e == edition)
    };
    let holds = |want: &str, editions: &[String]| {
        st.subs
            .iter()
            .any(|s| s.sku == want && s.active_on(d) && fits(&s.edition, editions))
            || same_order
                .is_some_and(|items| items.iter().any(|(s, e)| s == want && fits(e, editions)))
    };
    let missing = unmet(sku, region, holds);
    if missing.is_empty() {
        return Ok(());
    }
    let names: Vec<String> = missing.iter().map(|r| describe(r)).collect();
    Err(fail(
        ev,
        C::MissingRequirement,
        "product",
        code,
        format!(
            "{code} requires {}: account {} holds none active on {d} and order {} does not buy it",
            names.join(" and "),
            row.account_id,
            row.order_id
        ),
    ))
}
