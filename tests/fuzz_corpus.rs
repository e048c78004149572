//! The fuzz targets' bodies (billrun::fuzzing) on stable, so CI catches a regression fast:
//! every file of the committed corpus (`fuzz/corpus/TARGET/`) and every input that once
//! crashed (`fuzz/regressions/TARGET/`), then a short random smoke per target. The long runs
//! are `cargo +nightly fuzz run TARGET` (docs/RELIABILITY.md).

use billrun::fuzzing;
use proptest::prelude::*;
use std::path::{Path, PathBuf};

type Target = fn(&[u8]);

const TARGETS: &[(&str, Target)] = &[
    ("orders_csv", |d| fuzzing::orders(d, "csv")),
    ("usage_csv", |d| fuzzing::usage(d, "csv")),
    ("orders_xlsx", |d| fuzzing::orders(d, "xlsx")),
    ("xlsx_parts", fuzzing::xlsx_parts),
    ("parsers", fuzzing::parsers),
    ("catalog", fuzzing::catalog),
    ("tables", fuzzing::tables),
];

fn files(dir: &Path) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = match std::fs::read_dir(dir) {
        Ok(entries) => entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.is_file())
            .collect(),
        Err(_) => Vec::new(),
    };
    out.sort();
    out
}

#[test]
fn every_corpus_and_regression_input_keeps_the_promises() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz");
    let mut seen = 0;
    for (name, target) in TARGETS {
        let corpus = files(&root.join("corpus").join(name));
        assert!(!corpus.is_empty(), "fuzz/corpus/{name} has no seed");
        for f in corpus
            .iter()
            .chain(files(&root.join("regressions").join(name)).iter())
        {
            let data = std::fs::read(f).unwrap();
            let outcome = std::panic::catch_unwind(|| target(&data));
            assert!(outcome.is_ok(), "{name}: {} breaks a promise", f.display());
            seen += 1;
        }
    }
    assert!(seen > 0);
}

/// Random bytes around a CSV header: most rows are garbage, some are near misses.
fn csv_like(header: &'static str) -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(
        prop_oneof![
            "[-a-z0-9,.:/%¥\"\\n\\r =+@年个月]{0,40}",
            Just(String::from("\n")),
            Just(String::from(",")),
            Just(String::from("\"")),
        ],
        0..40,
    )
    .prop_map(move |parts| format!("{header}\n{}", parts.concat()).into_bytes())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn random_orders_csv(data in csv_like("order_id,account_id,order_date,type,product,edition,quantity,term,unit_price,discount,voucher,billed_amount,region,ref_order_id,reason,invoiced,bonus_quantity,start_date")) {
        fuzzing::orders(&data, "csv");
    }

    #[test]
    fn random_usage_csv(data in csv_like("account_id,date,metric,quantity,order_id")) {
        fuzzing::usage(&data, "csv");
    }

    #[test]
    fn random_bytes_as_any_input(data in prop::collection::vec(any::<u8>(), 0..512)) {
        for (_, target) in TARGETS {
            target(&data);
        }
    }
}
