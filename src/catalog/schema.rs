//! The catalog file format (TOML), as serde types. Unknown keys are errors, so a typo in a
//! user catalog stops the run naming the key instead of being silently ignored.

use crate::model::OrderType;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CatalogFile {
    pub settings: Settings,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub bundles: BTreeMap<String, BundleDef>,
    pub skus: BTreeMap<String, SkuDef>,
    /// Extra input headers per column (`billed_amount = ["现金支付", "应付金额"]`), for a
    /// console's own export headers.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub columns: BTreeMap<String, Vec<String>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MonthRoundingDef {
    Ceil,
    Floor,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    pub addon_months: MonthRoundingDef,
    pub grace_months: u32,
    pub qa_grace_days: u32,
    pub expiring_within_days: u32,
    #[serde(with = "dec")]
    pub pv_unit_value: Decimal,
    pub qa_term_months: Vec<u32>,
    /// Refund window for any reason, in days after activation (inclusive).
    pub refund_any_reason_days: u32,
    /// Refund window for reason `defect`, in days after activation (inclusive).
    pub refund_defect_days: u32,
    /// PV packs are refundable this many calendar months after purchase (inclusive).
    pub pack_refund_months: u32,
    /// Regions Quick Audience is sold in; every Quick Audience line names one.
    pub qa_regions: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BundleDef {
    pub name: String,
    pub mandatory: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Vendor {
    Tencent,
    Alibaba,
}

impl Vendor {
    /// The vendor as the rule texts name it.
    pub fn name(self) -> &'static str {
        match self {
            Vendor::Tencent => "Tencent",
            Vendor::Alibaba => "Alibaba Cloud",
        }
    }

    /// The order types its products are sold by: upgrades are Quick Audience's (SPEC 2.4;
    /// a Tencent product changes edition by a new purchase, and the engine turns a Tencent
    /// upgrade row into an exception).
    pub fn order_types(self) -> &'static [OrderType] {
        use OrderType::*;
        match self {
            Vendor::Tencent => &[New, Addon, Renewal],
            Vendor::Alibaba => &[New, Addon, Upgrade, Renewal],
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Model {
    UnitYear,
    BlockYear,
    TieredYear,
    CapacityYear,
    UnitMonth,
    OneTime,
    Pack,
}

impl Model {
    pub fn as_str(self) -> &'static str {
        match self {
            Model::UnitYear => "unit-year",
            Model::BlockYear => "block-year",
            Model::TieredYear => "tiered-year",
            Model::CapacityYear => "capacity-year",
            Model::UnitMonth => "unit-month",
            Model::OneTime => "one-time",
            Model::Pack => "pack",
        }
    }
    /// Whether lines of this model are subscriptions with a term.
    pub fn has_term(self) -> bool {
        !matches!(self, Model::OneTime | Model::Pack)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TierMode {
    Volume,
    Graduated,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum RefundPolicy {
    Window,
    None,
    PvPack,
    ProRata,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TierDef {
    pub up_to: u64,
    #[serde(with = "dec")]
    pub price: Decimal,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SkuDef {
    pub name: String,
    pub vendor: Vendor,
    pub model: Model,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<String>,
    /// List price for SKUs without editions; `None` = contract price.
    #[serde(default, with = "opt_dec", skip_serializing_if = "Option::is_none")]
    pub price: Option<Decimal>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub minimum: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub block: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tier_mode: Option<TierMode>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tiers: Vec<TierDef>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_quantity: Option<u64>,
    /// Add-ons (and robot lines) co-terminate with the account's subscription of this SKU.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub joins: Option<String>,
    /// Every line of this SKU is an add-on to its `joins` subscription, even one of type
    /// `new` (qcs-robot, cdp-booster).
    #[serde(default, skip_serializing_if = "is_false")]
    pub addon_only: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub booster: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub booster_size: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bundle: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_term_years: Option<u32>,
    /// Usage metric a pack (or a bonus) of this SKU serves.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metric: Option<String>,
    /// Months a pack stays valid after purchase; none = does not expire.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub valid_months: Option<u32>,
    /// Bonus usage granted per unit bought (ssc-robot: 50,000 sessions).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bonus: Option<u64>,
    /// Pay-as-you-go price per unit of usage beyond every pack (SMS); none = no published
    /// rate, so an overage is flagged instead of billed.
    #[serde(default, with = "opt_dec", skip_serializing_if = "Option::is_none")]
    pub overage_price: Option<Decimal>,
    /// Whether vouchers may pay for it (PV packs: no).
    #[serde(default = "yes", skip_serializing_if = "is_true")]
    pub vouchers: bool,
    pub refund: RefundPolicy,
    /// The order types `refund` applies to; a line of another type is not refundable (SPEC 3:
    /// add-ons and renewals of Tencent products, so their refundable SKUs say `["new"]`). A
    /// line of an `addon_only` SKU counts as an add-on. None: every type.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refund_types: Option<Vec<OrderType>>,
    /// What the account must hold, active on the line's date (or buy in the same order),
    /// for a new or add-on line of this SKU (Quick Audience, SPEC 1.5).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub requires: Vec<Requirement>,
    /// The regions this SKU is sold in (empty: every region of its vendor).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub regions: Vec<String>,
    /// The shortest term it is sold for, in months (the social standard service: 12).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_term_months: Option<u32>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub editions: BTreeMap<String, EditionDef>,
}

/// One requirement: an active subscription of `sku` (of one of `editions`, if any), needed
/// only in `region` when that is given.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Requirement {
    pub sku: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub editions: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EditionDef {
    #[serde(default, with = "opt_dec", skip_serializing_if = "Option::is_none")]
    pub price: Option<Decimal>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub minimum: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub capacity: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pack_size: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_active_per_account: Option<u32>,
    /// Regions this edition is not sold in (qa-adb's Dataphin editions: cn-zhangjiakou).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub exclude_regions: Vec<String>,
}

fn yes() -> bool {
    true
}
fn is_true(b: &bool) -> bool {
    *b
}
fn is_false(b: &bool) -> bool {
    !*b
}

/// A decimal written as a string (`"99.9"`, exact), an integer, or a float (read through its
/// shortest decimal form, so `99.9` stays 99.9). Always written back as a string.
mod dec {
    use rust_decimal::Decimal;
    use serde::{Deserialize, Deserializer, Serializer, de::Error};
    use std::str::FromStr;

    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Raw {
        Str(String),
        Int(i64),
        FloatLossy(f64),
    }

    pub fn parse<'de, D: Deserializer<'de>>(d: D) -> Result<Decimal, D::Error> {
        match Raw::deserialize(d)? {
            Raw::Str(s) => Decimal::from_str(s.trim())
                .map_err(|_| D::Error::custom(format!("'{s}' is not a decimal number"))),
            Raw::Int(i) => Ok(Decimal::from(i)),
            Raw::FloatLossy(f) => Decimal::from_str(&format!("{f}"))
                .map_err(|_| D::Error::custom(format!("{f} is not a usable decimal number"))),
        }
    }

    pub fn serialize<S: Serializer>(v: &Decimal, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&v.normalize().to_string())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Decimal, D::Error> {
        parse(d)
    }
}

mod opt_dec {
    use rust_decimal::Decimal;
    use serde::{Deserializer, Serializer};

    pub fn serialize<S: Serializer>(v: &Option<Decimal>, s: S) -> Result<S::Ok, S::Error> {
        match v {
            Some(d) => super::dec::serialize(d, s),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Decimal>, D::Error> {
        super::dec::parse(d).map(Some)
    }
}
