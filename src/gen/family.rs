//! The product families `gen` writes, the one place it tells them apart: which family a SKU
//! code belongs to, how likely an account is to use each, and which ones an account uses.
//! No I/O.

use super::rng::SplitMix64;

/// A product family: SKUs sold together, whose episodes `gen` writes in one file each
/// (`account/qcs.rs`, …).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Family {
    /// Customer Service (Tencent): `qcs-…`.
    Qcs,
    /// CDP (Tencent): `cdp`, `cdp-…`.
    Cdp,
    /// SSC (Tencent): `ssc-…`.
    Ssc,
    /// QDM (Tencent): `qdm-pv`, `qdm-wecom`.
    Qdm,
    /// Quick Audience (Alibaba): `qa`, `qa-…`. Terms in months, a grace period in days.
    Qa,
}

impl Family {
    /// Every family, in the order an account draws them: the order is part of every seed's
    /// output, and of the order in which episodes are offered.
    pub const ALL: [Family; 5] = [
        Family::Qcs,
        Family::Cdp,
        Family::Ssc,
        Family::Qdm,
        Family::Qa,
    ];

    /// How likely (per mille) an account uses the family.
    fn odds(self) -> u64 {
        match self {
            Family::Qcs => 550,
            Family::Cdp => 300,
            Family::Ssc => 250,
            Family::Qdm => 550,
            Family::Qa => 350,
        }
    }

    /// The family of a SKU code, by the code's first word; `None` for a line that names no
    /// product (a refund request) or a code of no family.
    pub fn of(code: &str) -> Option<Family> {
        match code.split('-').next() {
            Some("qcs") => Some(Family::Qcs),
            Some("cdp") => Some(Family::Cdp),
            Some("ssc") => Some(Family::Ssc),
            Some("qdm") => Some(Family::Qdm),
            Some("qa") => Some(Family::Qa),
            _ => None,
        }
    }
}

/// The families one account uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Families([bool; Family::ALL.len()]);

impl Families {
    /// Draws each family by its odds, in [`Family::ALL`] order; an account that draws none
    /// uses QDM.
    pub fn draw(rng: &mut SplitMix64) -> Families {
        let mut uses = [false; Family::ALL.len()];
        for f in Family::ALL {
            uses[f as usize] = rng.chance(f.odds());
        }
        if !uses.contains(&true) {
            uses[Family::Qdm as usize] = true;
        }
        Families(uses)
    }

    pub fn uses(self, f: Family) -> bool {
        self.0[f as usize]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::{Catalog, Vendor};
    use crate::r#gen::account::SKUS;

    #[test]
    fn every_sku_has_a_family_and_only_quick_audience_is_alibaba_s() {
        let cat = Catalog::builtin();
        for sku in SKUS {
            let family = Family::of(sku);
            assert!(family.is_some(), "{sku}");
            let alibaba = cat.sku_by_code(sku).unwrap().vendor == Vendor::Alibaba;
            assert_eq!(family == Some(Family::Qa), alibaba, "{sku}");
        }
        assert_eq!(Family::of(""), None);
        assert_eq!(Family::of("qax"), None);
    }

    #[test]
    fn families_index_their_own_slot() {
        for (i, f) in Family::ALL.into_iter().enumerate() {
            assert_eq!(f as usize, i);
        }
    }

    #[test]
    fn every_account_uses_a_family() {
        for seed in 0..2_000 {
            let fs = Families::draw(&mut SplitMix64::new(seed));
            assert!(Family::ALL.into_iter().any(|f| fs.uses(f)), "{seed}");
        }
    }
}
