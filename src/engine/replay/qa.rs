//! Quick Audience checks of a line against the account (SPEC 1.5), by the rules of
//! `rules::requirements`: the line's region, and the requirements of its SKU met by what the
//! account holds, active on the line's date, or buys in the same order.

use super::resolve::{R, refused};
use super::state::AccountState;
use super::{Ctx, Event};
use crate::catalog::{Edition, SkuDef, Vendor};
use crate::rules::requirements::{self as rule, LineRef};

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
    rule::region(regions, code, sku, e.code, &e.def, given, required).map_err(|r| refused(ev, r))
}

/// The SKU's requirements, each met by a subscription active on the line's date or by a
/// line of the same order.
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
    let line = LineRef {
        code,
        account: &row.account_id,
        order: &row.order_id,
        on: d,
    };
    rule::check(sku, region, line, holds).map_err(|r| refused(ev, r))
}
