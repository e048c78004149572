use super::*;
use crate::catalog::Catalog;

fn regions() -> Vec<String> {
    ["cn-zhangjiakou", "cn-shanghai", "cn-shenzhen"]
        .map(String::from)
        .to_vec()
}

#[test]
fn standard_means_any_standard_edition() {
    let cat = Catalog::builtin();
    let social = cat.sku_by_code("qa-social").unwrap();
    let holds_basic = |sku: &str, eds: &[String]| {
        sku == "qa" && (eds.is_empty() || eds.iter().any(|e| e == "basic"))
    };
    let missing = unmet(social, "cn-shanghai", holds_basic);
    assert_eq!(missing.len(), 1);
    assert_eq!(
        describe(missing[0]),
        "qa (standard-20, standard-50 or standard-100)"
    );
    let holds_std =
        |sku: &str, eds: &[String]| sku == "qa" && eds.iter().any(|e| e == "standard-50");
    assert!(unmet(social, "cn-shanghai", holds_std).is_empty());
}

#[test]
fn dataphin_needs_collection_only_in_shanghai() {
    let cat = Catalog::builtin();
    let dataphin = cat.sku_by_code("qa-dataphin").unwrap();
    let qa_standard_only = |sku: &str, _: &[String]| sku == "qa";
    assert!(unmet(dataphin, "cn-shenzhen", qa_standard_only).is_empty());
    let m = unmet(dataphin, "cn-shanghai", qa_standard_only);
    assert_eq!(describe(m[0]), "qa-collection (required in cn-shanghai)");
}

#[test]
fn region_edges() {
    let cat = Catalog::builtin();
    let sku = |c: &str| cat.sku_by_code(c).unwrap();
    let ed = |c: &str, e: &str| sku(c).editions.get(e).cloned().unwrap_or_default();
    let check = |c: &str, e: &str, r: &str| region_fault(&regions(), c, sku(c), e, &ed(c, e), r);
    assert!(check("qa", "basic", "cn-beijing").is_some());
    assert!(check("qa", "basic", "cn-zhangjiakou").is_none());
    assert!(check("qa-collection", "", "cn-shanghai").is_none());
    assert!(check("qa-collection", "", "cn-zhangjiakou").is_none());
    assert!(check("qa-collection", "", "cn-shenzhen").is_some());
    assert!(check("qa-adb", "elastic", "cn-zhangjiakou").is_none());
    let f = check("qa-adb", "elastic-dataphin", "cn-zhangjiakou").unwrap();
    assert!(
        f.contains("elastic-dataphin is not sold in cn-zhangjiakou"),
        "{f}"
    );
    assert!(check("qa-adb", "reserved-dataphin", "cn-shenzhen").is_none());
    assert!(check("qa-dataphin", "", "cn-zhangjiakou").is_some());
    assert!(check("qa-dataphin", "", "cn-shenzhen").is_none());
}

#[test]
fn a_refusal_names_every_unmet_requirement_and_the_region_is_required_on_new_lines() {
    let cat = Catalog::builtin();
    let social = cat.sku_by_code("qa-social").unwrap();
    let on = chrono::NaiveDate::from_ymd_opt(2025, 3, 1).unwrap();
    let line = LineRef {
        code: "qa-social",
        account: "A-1",
        order: "O-9",
        on,
    };
    let e = check(social, "cn-shanghai", line, |_, _| false).unwrap_err();
    assert_eq!((e.code, e.column), (C::MissingRequirement, "product"));
    assert_eq!(
        e.message,
        "qa-social requires qa (standard-20, standard-50 or standard-100): account A-1 holds none active on 2025-03-01 and order O-9 does not buy it"
    );
    assert!(check(social, "cn-shanghai", line, |_, _| true).is_ok());
    let e = cat.edition(social, Some("fans-1m")).unwrap();
    let err = region(&regions(), "qa-social", social, e.code, &e.def, "", true).unwrap_err();
    assert_eq!(err.code, C::MissingValue);
    assert_eq!(
        region(&regions(), "qa-social", social, e.code, &e.def, "", false),
        Ok("")
    );
    let err = region(
        &regions(),
        "qa-social",
        social,
        e.code,
        &e.def,
        "us-east-1",
        false,
    )
    .unwrap_err();
    assert_eq!((err.code, err.value.as_str()), (C::BadRegion, "us-east-1"));
}

#[test]
fn a_new_ssc_purchase_must_hold_every_mandatory_item() {
    let cat = Catalog::builtin();
    let bundles = &cat.file.bundles;
    let all = ["ssc-employees", "ssc-experts", "ssc-tickets", "ssc-robot"];
    let skus: std::collections::BTreeSet<&str> = all.into_iter().collect();
    assert!(bundle_gaps(bundles, "S-1", &skus).is_empty());
    let without_robot: std::collections::BTreeSet<&str> = all[..3].iter().copied().collect();
    let gaps = bundle_gaps(bundles, "S-1", &without_robot);
    assert_eq!(gaps.len(), 1);
    assert_eq!(gaps[0].0, "ssc");
    assert!(
        gaps[0].1.ends_with("order S-1 lacks ssc-robot"),
        "{}",
        gaps[0].1
    );
    // An order of none of the mandatory items (packs alone) is not a new SSC purchase.
    let packs: std::collections::BTreeSet<&str> = ["ssc-sessions"].into_iter().collect();
    assert!(bundle_gaps(bundles, "S-2", &packs).is_empty());
}
