//! Checks of one order row against the catalog: its SKU, edition, quantity, term, price and
//! payment. Each failure is the row's exception, naming the column and the value.

use super::Event;
use super::lines::exception;
use crate::calendar::add_months;
use crate::catalog::{Catalog, Edition, SkuDef, Vendor};
use crate::model::{ExceptionCode as C, RowException, Term};
use crate::money::fmt_num;
use crate::rules::pricing::{self, Base, BaseError};
use crate::rules::records::Refused;
use chrono::NaiveDate;
use rust_decimal::Decimal;

pub type R<T> = Result<T, Box<RowException>>;

pub fn fail(
    ev: &Event,
    code: C,
    column: &str,
    value: impl Into<String>,
    message: impl Into<String>,
) -> Box<RowException> {
    Box::new(exception(ev, code, column, value, message))
}

/// The row's SKU, resolved by code or alias.
pub fn sku<'c>(cat: &'c Catalog, ev: &Event) -> R<(&'c str, &'c SkuDef)> {
    let text = ev.row.product.as_deref().unwrap_or("");
    if text.trim().is_empty() {
        return Err(fail(
            ev,
            C::MissingValue,
            "product",
            "",
            "product is empty: every priced row needs the SKU it bought",
        ));
    }
    cat.sku(text).ok_or_else(|| {
        fail(
            ev,
            C::UnknownSku,
            "product",
            text,
            format!("'{text}' is not a SKU of the catalog; `billrun catalog` lists the codes and aliases"),
        )
    })
}

/// The row's edition of `sku` (`fallback` when the row gives none, e.g. the running
/// subscription's edition).
pub fn edition<'s>(
    cat: &Catalog,
    ev: &Event,
    code: &str,
    sku: &'s SkuDef,
    fallback: Option<&str>,
) -> R<Edition<'s>> {
    let given = ev.row.edition.as_deref().filter(|e| !e.trim().is_empty());
    cat.edition(sku, given.or(fallback)).map_err(|accepted| {
        let value = given.unwrap_or("").to_string();
        if accepted.is_empty() {
            fail(
                ev,
                C::BadValue,
                "edition",
                value,
                format!("{code} has no editions; leave edition empty"),
            )
        } else if given.is_none() {
            fail(
                ev,
                C::MissingValue,
                "edition",
                value,
                format!(
                    "edition is empty: {code} needs one of {}",
                    accepted.join(", ")
                ),
            )
        } else {
            fail(
                ev,
                C::BadValue,
                "edition",
                value.clone(),
                format!(
                    "'{value}' is not an edition of {code}; accepted: {}",
                    accepted.join(", ")
                ),
            )
        }
    })
}

/// The row's quantity, at least 1.
pub fn quantity(ev: &Event) -> R<u64> {
    match ev.row.quantity {
        None => Err(fail(
            ev,
            C::MissingValue,
            "quantity",
            "",
            "quantity is empty: a priced line needs how many units it buys",
        )),
        Some(0) => Err(fail(
            ev,
            C::BadValue,
            "quantity",
            "0",
            "quantity is 0: a priced line buys at least one unit",
        )),
        Some(q) if q > crate::model::MAX_QUANTITY => Err(fail(
            ev,
            C::BadValue,
            "quantity",
            q.to_string(),
            format!(
                "quantity {} is more than the {} one line may hold",
                fmt_num(q.into()),
                fmt_num(crate::model::MAX_QUANTITY.into())
            ),
        )),
        Some(q) => Ok(q),
    }
}

/// The row's quantity when it gives one, else `current` (renewals and upgrades keep the
/// subscription's quantity unless the row says otherwise).
pub fn quantity_or(ev: &Event, current: u64) -> R<u64> {
    match ev.row.quantity {
        None | Some(0) => Ok(current),
        Some(_) => quantity(ev),
    }
}

/// The SKU minimum (`BELOW_MINIMUM`); nothing is rounded up silently.
pub fn minimum(ev: &Event, code: &str, e: &Edition, q: u64) -> R<()> {
    match e.def.minimum {
        Some(min) if q < min => Err(fail(
            ev,
            C::BelowMinimum,
            "quantity",
            q.to_string(),
            format!(
                "{code}{} needs at least {} per subscription; the row has {}",
                if e.code.is_empty() {
                    String::new()
                } else {
                    format!(" {}", e.code)
                },
                fmt_num(min.into()),
                fmt_num(q.into())
            ),
        )),
        _ => Ok(()),
    }
}

/// The row's term in months, checked against the vendor's terms: Tencent sells whole years
/// (SSC 1–8), Quick Audience 1–6 months or a year.
pub fn term(cat: &Catalog, ev: &Event, code: &str, sku: &SkuDef) -> R<Term> {
    let Some(t) = ev.row.term else {
        return Err(fail(
            ev,
            C::MissingValue,
            "term",
            "",
            format!("term is empty: {code} is sold for a term (e.g. 1y)"),
        ));
    };
    let shown = t.to_string();
    match sku.vendor {
        Vendor::Tencent => {
            let Some(y) = t.whole_years().filter(|y| *y > 0) else {
                return Err(fail(
                    ev,
                    C::BadTerm,
                    "term",
                    shown,
                    format!("{code} is sold by the year: write 1y, 2y, …"),
                ));
            };
            if let Some(max) = sku.max_term_years
                && y > max
            {
                return Err(fail(
                    ev,
                    C::BadTerm,
                    "term",
                    shown,
                    format!("{code} is sold for 1 to {max} years"),
                ));
            }
            Ok(t)
        }
        Vendor::Alibaba => {
            let allowed = &cat.settings().qa_term_months;
            if let Some(min) = sku.min_term_months
                && t.months < min
            {
                return Err(fail(
                    ev,
                    C::BadTerm,
                    "term",
                    shown,
                    format!("{code} is sold for at least {}", Term { months: min }),
                ));
            }
            if allowed.contains(&t.months) {
                Ok(t)
            } else {
                let list: Vec<String> = allowed
                    .iter()
                    .map(|m| Term { months: *m }.to_string())
                    .collect();
                Err(fail(
                    ev,
                    C::BadTerm,
                    "term",
                    shown,
                    format!("{code} is sold for {}", list.join(", ")),
                ))
            }
        }
    }
}

/// The period price of `units` (see `rules::pricing::base`), as a row exception on failure.
pub fn base(
    ev: &Event,
    code: &str,
    sku: &SkuDef,
    e: &Edition,
    units: u64,
    already: u64,
) -> R<Base> {
    pricing::base(sku, e.def.price, ev.row.unit_price, units, already).map_err(|err| match err {
        BaseError::NoPrice => fail(
            ev,
            C::NoPrice,
            "unit_price",
            "",
            format!(
                "{code}{} has no list price: give unit_price on the row or a price in a user catalog",
                if e.code.is_empty() { String::new() } else { format!(" {}", e.code) }
            ),
        ),
        BaseError::OverMax { max } => fail(
            ev,
            C::LimitExceeded,
            "quantity",
            units.to_string(),
            format!("{code} takes at most {} on one subscription; the row would make {}", fmt_num(max.into()), fmt_num(already.saturating_add(units).into())),
        ),
    })
}

/// Vouchers are refused where the catalog says so (PV packs).
pub fn payment(ev: &Event, code: &str, sku: &SkuDef) -> R<()> {
    match ev.row.voucher {
        Some(v) if v > Decimal::ZERO && !sku.vouchers => Err(fail(
            ev,
            C::BadValue,
            "voucher",
            v.to_string(),
            format!("{code} cannot be paid with vouchers"),
        )),
        _ => Ok(()),
    }
}

/// A rule's refusal as the row's exception.
pub fn refused(ev: &Event, r: Refused) -> Box<RowException> {
    fail(ev, r.code, r.column, r.value, r.message)
}

/// The day a term of `months` from `start` ends; past the calendar's last date is the row's
/// exception.
pub fn end_of(ev: &Event, start: NaiveDate, months: u32) -> R<NaiveDate> {
    add_months(start, months).ok_or_else(|| {
        fail(
            ev,
            C::BadValue,
            "order_date",
            start.to_string(),
            "the term runs past the last date the calendar holds",
        )
    })
}
