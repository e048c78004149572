use super::*;

#[test]
fn parses_k_of_n() {
    assert_eq!(Shard::parse("2/8"), Ok(Shard { index: 2, count: 8 }));
    assert_eq!(
        Shard::parse(" 1 / 1 ").map(|s| s.to_string()),
        Ok("1/1".into())
    );
    for bad in ["0/4", "5/4", "1/0", "a/b", "3", "-1/4", ""] {
        assert!(Shard::parse(bad).is_err(), "{bad}");
    }
}

#[test]
fn the_hash_is_fixed() {
    // Published FNV-1a 64 test vectors: a change here would move accounts between shards.
    assert_eq!(fnv1a(b""), 0xcbf29ce484222325);
    assert_eq!(fnv1a(b"a"), 0xaf63dc4c8601ec8c);
    assert_eq!(fnv1a(b"foobar"), 0x85944171f73967e8);
}

#[test]
fn shards_partition_the_accounts_exactly() {
    for n in [1u32, 2, 3, 7, 16] {
        let mut owners = vec![0usize; 5000];
        for k in 1..=n {
            let s = Shard { index: k, count: n };
            for (i, o) in owners.iter_mut().enumerate() {
                if s.owns(&format!("ACC-{i}")) {
                    *o += 1;
                }
            }
        }
        assert!(
            owners.iter().all(|o| *o == 1),
            "every account in exactly one of {n}"
        );
    }
}
