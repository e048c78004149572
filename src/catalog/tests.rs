use super::*;
use rust_decimal_macros::dec;

#[test]
fn builtin_has_every_sku_of_the_spec() {
    let c = Catalog::builtin();
    for code in [
        "cdp",
        "cdp-booster",
        "cdp-service",
        "qdm-pv",
        "qdm-wecom",
        "qcs-online",
        "qcs-phone",
        "qcs-robot",
        "qcs-sessions",
        "qcs-knowledge",
        "qcs-coldstart",
        "ssc-employees",
        "ssc-experts",
        "ssc-tickets",
        "ssc-robot",
        "ssc-knowledge",
        "ssc-sessions",
        "ssc-coldstart",
        "qa",
        "qa-marketing",
        "qa-automation",
        "qa-collection",
        "qa-social",
        "qa-guide",
        "qa-member",
        "qa-retail",
        "qa-social-service",
        "qa-backflow",
        "qa-adb",
        "qa-dataphin",
        "qa-sms",
    ] {
        assert!(c.sku_by_code(code).is_some(), "missing {code}");
    }
    let qa = c.sku_by_code("qa").unwrap();
    assert!(
        qa.editions.values().all(|e| e.price.is_none()),
        "Quick Audience has no list price"
    );
}

#[test]
fn printed_catalog_loads_back_identical() {
    let c = Catalog::builtin();
    let text = c.to_toml();
    let back = Catalog::from_texts(Some(("printed.toml", &text))).unwrap();
    assert_eq!(back.file, c.file);
    // And the printed text alone (not merged) is a complete catalog.
    let alone: CatalogFile = toml::from_str(text.as_str()).unwrap();
    assert_eq!(alone, c.file);
}

#[test]
fn refund_types_are_catalog_data_printed_and_overridable() {
    use crate::model::OrderType::*;
    let c = Catalog::builtin();
    let types = |c: &Catalog, code: &str| c.sku_by_code(code).unwrap().refund_types.clone();
    for code in ["cdp", "cdp-booster", "qdm-pv", "qcs-online", "qcs-phone"] {
        assert_eq!(types(&c, code), Some(vec![New]), "{code}");
    }
    assert_eq!(types(&c, "qa"), None, "every type");
    assert!(c.to_toml().contains("refund_types = [\"new\"]"));
    let user = "[skus.qcs-online]\nrefund_types = [\"new\", \"renewal\"]\n";
    let u = Catalog::from_texts(Some(("user.toml", user))).unwrap();
    assert_eq!(types(&u, "qcs-online"), Some(vec![New, Renewal]));
}

#[test]
fn user_catalog_overrides_a_price_and_adds_a_sku() {
    let user = r#"
[skus.qcs-online.editions.basic]
price = 1099.5
[skus.my-addon]
name = "Custom service"
vendor = "tencent"
model = "one-time"
price = "250"
refund = "none"
"#;
    let c = Catalog::from_texts(Some(("user.toml", user))).unwrap();
    let sku = c.sku_by_code("qcs-online").unwrap();
    let e = c.edition(sku, Some("basic")).unwrap();
    assert_eq!(e.def.price, Some(dec!(1099.5)));
    assert_eq!(
        e.def.minimum,
        Some(3),
        "untouched keys keep their built-in values"
    );
    assert!(c.sku("MY-ADDON").is_some());
}

#[test]
fn unknown_key_is_named() {
    let user = "[skus.qcs-online.editions.basic]\nprise = \"1\"\n";
    let err = Catalog::from_texts(Some(("u.toml", user)))
        .unwrap_err()
        .to_string();
    assert!(err.contains("u.toml"), "{err}");
    assert!(err.contains("skus.qcs-online.editions.basic"), "{err}");
    assert!(err.contains("prise"), "{err}");
}

#[test]
fn bad_values_are_named() {
    let cases = [
        ("[skus.cdp]\nbooster = \"nope\"\n", "skus.cdp.booster"),
        (
            "[skus.qdm-wecom]\ntiers = [{ up_to = 5, price = \"50\" }, { up_to = 5, price = \"40\" }]\n",
            "skus.qdm-wecom.tiers[1].up_to",
        ),
        (
            "[skus.qcs-phone.editions.standard]\nprice = \"-1\"\n",
            "skus.qcs-phone.editions.standard.price",
        ),
        (
            "[skus.qcs-phone.editions.standard]\nprice = \"abc\"\n",
            "skus.qcs-phone.editions.standard.price",
        ),
        (
            "[skus.qcs-robot]\nmodel = \"weekly\"\n",
            "skus.qcs-robot.model",
        ),
        (
            "[skus.qcs-robot]\naliases = [\"在线客服\"]\n",
            "skus.qcs-robot.aliases",
        ),
        (
            "[settings]\nqa_term_months = []\n",
            "settings.qa_term_months",
        ),
        (
            "[skus.qa-sms]\noverage_price = \"-0.05\"\n",
            "skus.qa-sms.overage_price",
        ),
        (
            "[skus.qa-guide]\nrequires = [{ sku = \"qa-socal\" }]\n",
            "skus.qa-guide.requires[0].sku",
        ),
        (
            "[skus.qa-guide]\nrequires = [{ sku = \"qa\", editions = [\"pro\"] }]\n",
            "skus.qa-guide.requires[0].editions",
        ),
        (
            "[skus.qa-collection]\nregions = [\"cn-beijing\"]\n",
            "skus.qa-collection.regions",
        ),
        (
            "[skus.qa-sms.editions.5k]\npack_size = 10000000000000\n",
            "skus.qa-sms.editions.5k.pack_size",
        ),
        (
            "[settings]\npv_unit_value = \"5000\"\n",
            "settings.pv_unit_value",
        ),
        ("[skus.cdp]\nrefund_types = []\n", "skus.cdp.refund_types"),
        (
            "[skus.cdp]\nrefund_types = [\"refund\"]\n",
            "skus.cdp.refund_types",
        ),
        (
            "[skus.cdp]\nrefund_types = [\"new\", \"new\"]\n",
            "skus.cdp.refund_types[1]",
        ),
        (
            "[skus.cdp]\nrefund_types = [\"add-on\"]\n",
            "skus.cdp.refund_types",
        ),
    ];
    for (text, key) in cases {
        let err = Catalog::from_texts(Some(("u.toml", text)))
            .unwrap_err()
            .to_string();
        assert!(err.contains(key), "expected key {key} in: {err}");
    }
    let err = Catalog::from_texts(Some(("u.toml", "[skus\n")))
        .unwrap_err()
        .to_string();
    assert!(err.contains("not valid TOML"), "{err}");
}

#[test]
fn lookups_accept_aliases_and_case() {
    let c = Catalog::builtin();
    assert_eq!(c.sku("在线客服").unwrap().0, "qcs-online");
    assert_eq!(c.sku(" QCS-Online ").unwrap().0, "qcs-online");
    assert!(c.sku("qcs-offline").is_none());
    let (_, cdp) = c.sku("cdp").unwrap();
    assert_eq!(c.edition(cdp, Some("旗舰版")).unwrap().code, "flagship");
    assert!(c.edition(cdp, Some("gold")).is_err());
    let (_, know) = c.sku("qcs-knowledge").unwrap();
    assert_eq!(c.edition(know, None).unwrap().def.price, Some(dec!(15000)));
}

/// A catalog path that is no catalog: missing, a device that never ends, too large, not
/// text. Each is refused naming the file and why, before memory runs out.
#[test]
fn unreadable_catalogs_are_refused_naming_why() {
    let dir = tempfile::tempdir().unwrap();
    let big = dir.path().join("big.toml");
    let file = std::fs::File::create(&big).unwrap();
    file.set_len(MAX_CATALOG_BYTES + 1).unwrap();
    let binary = dir.path().join("binary.toml");
    std::fs::write(&binary, b"price = \xFF\xFE").unwrap();
    let at_limit = dir.path().join("at-limit.toml");
    std::fs::write(&at_limit, vec![b'\n'; MAX_CATALOG_BYTES as usize]).unwrap();
    let missing = dir.path().join("missing.toml");
    for (path, why) in [
        (missing.as_path(), "No such file"),
        (Path::new("/dev/zero"), "larger than 16 MiB"),
        (&big, "larger than 16 MiB"),
        (&binary, "not UTF-8"),
    ] {
        let e = Catalog::load(Some(path)).unwrap_err();
        assert!(
            matches!(e, CatalogError::Unreadable { .. }) && e.to_string().contains(why),
            "{}: {e}",
            path.display()
        );
    }
    // Exactly at the limit it is read (blank lines: the built-in catalog unchanged).
    assert!(Catalog::load(Some(&at_limit)).is_ok());
}
