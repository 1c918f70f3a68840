//! Every limit of the table in `spec/semantics.md` ("Limits"), with its
//! error variant and result code, and "a failed call changes nothing".

use aerolite::*;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, UNIX_EPOCH};

mod common;
use common::*;

const TEN_YEARS: u32 = 315_360_000;

fn open_seg(dir: &Path, seg: u64) -> Db {
    Db::open_with(dir, Options::default().segment_size(seg)).unwrap()
}

fn code(e: &Error) -> i32 {
    e.result_code() as i32
}

/// Everything a failed call must leave as it was.
#[derive(Debug, PartialEq)]
struct Snapshot {
    record: Option<Record>,
    objects: u64,
    tombstones: u64,
    disk_live_bytes: u64,
}

fn snapshot(db: &Db, key: &Key) -> Snapshot {
    let s = db.namespace_stats(key.namespace()).unwrap();
    Snapshot {
        record: db.get(&rp(), key, Bins::All).ok(),
        objects: s.objects,
        tombstones: s.tombstones,
        disk_live_bytes: s.disk_live_bytes,
    }
}

#[test]
fn namespace_name_is_1_to_31_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let db = open_seg(dir.path(), 64 * 1024);
    for bad in [String::new(), "n".repeat(32), "a\0b".to_string()] {
        let err = Key::new(&bad, "s", 1).unwrap_err();
        assert!(
            matches!(err, Error::InvalidNamespace(_)),
            "{bad:?}: {err:?}"
        );
        assert_eq!(code(&err), 20);
        let err = Key::from_digest(&bad, "s", Digest([1; 20])).unwrap_err();
        assert!(matches!(err, Error::InvalidNamespace(_)), "{err:?}");
        let err = db.namespace_stats(&bad).unwrap_err();
        assert!(matches!(err, Error::InvalidNamespace(_)), "{err:?}");
        // A bad namespace in the options is refused at open.
        let d2 = tempfile::tempdir().unwrap();
        let err = Db::open_with(
            d2.path(),
            Options::default().namespace(NamespaceConfig::new(&bad)),
        )
        .unwrap_err();
        assert_eq!(code(&err), 20, "{err:?}");
    }
    for good in ["n", &"n".repeat(31), "with.dots/and%"] {
        let key = Key::new(good, "s", 1).unwrap();
        db.put(&wp(), &key, &[as_bin!("a", 1)]).unwrap();
        assert_eq!(
            db.get(&rp(), &key, Bins::All).unwrap().bins["a"],
            Value::Int(1)
        );
    }
    db.close().unwrap();
    let db = open_seg(dir.path(), 64 * 1024);
    assert_eq!(db.namespaces().len(), 3);
    let key = Key::new(&"n".repeat(31), "s", 1).unwrap();
    assert!(db.exists(&rp(), &key).unwrap());
}

#[test]
fn set_name_is_0_to_63_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let db = open_seg(dir.path(), 64 * 1024);
    let err = Key::new("test", &"s".repeat(64), 1).unwrap_err();
    assert!(matches!(err, Error::ParameterError(_)), "{err:?}");
    assert_eq!(code(&err), 4);
    let err = Key::from_digest("test", &"s".repeat(64), Digest([0; 20])).unwrap_err();
    assert_eq!(code(&err), 4);
    for set in [String::new(), "s".repeat(63)] {
        let key = Key::new("test", &set, 1).unwrap();
        db.put(&wp(), &key, &[as_bin!("a", 1)]).unwrap();
        assert_eq!(
            db.get(&rp(), &key, Bins::All)
                .unwrap()
                .key
                .unwrap()
                .set_name(),
            set
        );
    }
}

#[test]
fn at_most_4095_sets_per_namespace() {
    let dir = tempfile::tempdir().unwrap();
    let db = open_seg(dir.path(), 1 << 20);
    // The empty set does not count.
    db.put(&wp(), &as_key!("test", "", 0), &[as_bin!("a", 1)])
        .unwrap();
    for i in 0..4095 {
        db.put(
            &wp(),
            &as_key!("test", &format!("set{i}"), 1),
            &[as_bin!("a", 1)],
        )
        .unwrap();
    }
    let key = as_key!("test", "one-too-many", 1);
    let before = snapshot(&db, &key);
    let err = db.put(&wp(), &key, &[as_bin!("a", 1)]).unwrap_err();
    assert!(matches!(err, Error::ParameterError(_)), "{err:?}");
    assert_eq!(code(&err), 4);
    assert_eq!(snapshot(&db, &key), before);
    assert!(!db.exists(&rp(), &key).unwrap());
    assert_eq!(before.objects, 4096);
    // Existing sets still take writes.
    db.put(&wp(), &as_key!("test", "set7", 2), &[as_bin!("a", 1)])
        .unwrap();
    db.put(&wp(), &as_key!("test", "", 2), &[as_bin!("a", 1)])
        .unwrap();
}

#[test]
fn bin_names_are_1_to_15_bytes_without_nul() {
    let dir = tempfile::tempdir().unwrap();
    let db = open_seg(dir.path(), 64 * 1024);
    let key = as_key!("test", "b", 1);
    db.put(&wp(), &key, &[as_bin!("keep", 1)]).unwrap();
    let before = snapshot(&db, &key);
    let sixteen = "b".repeat(16);
    let two_byte_chars = "é".repeat(8); // 16 bytes
    for bad in [sixteen.as_str(), "a\0b", two_byte_chars.as_str()] {
        // Alone, and after a valid bin (no partial write).
        for bins in [
            vec![as_bin!(bad, 1)],
            vec![as_bin!("ok", 1), as_bin!(bad, 2)],
        ] {
            let err = db.put(&wp(), &key, &bins).unwrap_err();
            assert!(
                matches!(&err, Error::BinNameTooLong { name } if name == bad),
                "{bad:?}: {err:?}"
            );
            assert_eq!(code(&err), 21);
            assert_eq!(snapshot(&db, &key), before);
        }
        let missing = as_key!("test", "b", 2);
        assert_eq!(
            code(&db.put(&wp(), &missing, &[as_bin!(bad, 1)]).unwrap_err()),
            21
        );
        assert!(!db.exists(&rp(), &missing).unwrap());
    }
    let fifteen = "b".repeat(15);
    let seven = "é".repeat(7);
    db.put(&wp(), &key, &[as_bin!(&fifteen, 15), as_bin!(&seven, 14)])
        .unwrap();
    let r = db.get(&rp(), &key, Bins::All).unwrap();
    assert_eq!(r.bins[&fifteen], Value::Int(15));
    assert_eq!(r.bins[&seven], Value::Int(14));
    assert_eq!(r.generation, 2);
}

#[test]
fn at_most_32767_bins_per_record() {
    let dir = tempfile::tempdir().unwrap();
    let db = open_seg(dir.path(), 2 << 20);
    let names: Vec<String> = (0..32768).map(|i| format!("b{i}")).collect();
    let full: Vec<Bin> = names[..32767].iter().map(|n| as_bin!(n, 1)).collect();
    let over: Vec<Bin> = names.iter().map(|n| as_bin!(n, 1)).collect();

    let key = as_key!("test", "many", 1);
    let err = db.put(&wp(), &key, &over).unwrap_err();
    assert!(matches!(err, Error::ParameterError(_)), "{err:?}");
    assert_eq!(code(&err), 4);
    assert!(!db.exists(&rp(), &key).unwrap());

    db.put(&wp(), &key, &full).unwrap();
    let r = db.get(&rp(), &key, Bins::All).unwrap();
    assert_eq!(r.bins.len(), 32767);
    assert_eq!(r.bins["b32766"], Value::Int(1));

    // A merge that would leave 32768 bins fails and changes nothing.
    let before = snapshot(&db, &key);
    let err = db.put(&wp(), &key, &[as_bin!("b32767", 1)]).unwrap_err();
    assert!(matches!(err, Error::ParameterError(_)), "{err:?}");
    assert_eq!(snapshot(&db, &key), before);
    // Replacing one bin by another keeps the count at 32767: fine.
    db.put(&wp(), &key, &[as_bin!("b0"), as_bin!("b32767", 2)])
        .unwrap();
    let r = db.get(&rp(), &key, Bins::All).unwrap();
    assert_eq!(r.bins.len(), 32767);
    assert_eq!(r.generation, 2);
}

/// Entry length of a record with set `set`, no stored key and one blob bin
/// named `b` of `n` bytes (docs/format.md: 64-byte header + set + payload of
/// u16 count, u8 name length, name, u8 type, u32 length, bytes).
fn entry_len(set: &str, n: usize) -> u64 {
    (64 + set.len() + 2 + 1 + 1 + 1 + 4 + n) as u64
}

#[test]
fn record_size_is_bounded_by_max_record_size() {
    // Default 1 MiB, with segments big enough not to be the bound.
    let dir = tempfile::tempdir().unwrap();
    let db = open_seg(dir.path(), 4 << 20);
    let key = as_key!("test", "s", 1);
    let err = db
        .put(&wp(), &key, &[as_bin!("b", vec![0u8; 1 << 20])])
        .unwrap_err();
    assert!(
        matches!(err, Error::RecordTooBig { limit: 1048576, .. }),
        "{err:?}"
    );
    assert_eq!(code(&err), 13);
    assert!(!db.exists(&rp(), &key).unwrap());
    let n = (1048576 - entry_len("s", 0)) as usize;
    db.put(&wp(), &key, &[as_bin!("b", vec![1u8; n])]).unwrap();
    drop(db);

    // A small configured limit, checked at the exact boundary.
    let dir = tempfile::tempdir().unwrap();
    let opts = Options::default()
        .segment_size(64 * 1024)
        .namespace(NamespaceConfig::new("test").max_record_size(1000));
    let db = Db::open_with(dir.path(), opts).unwrap();
    let n = (1000 - entry_len("s", 0)) as usize;
    db.put(&wp(), &key, &[as_bin!("b", vec![7u8; n])]).unwrap();
    let before = snapshot(&db, &key);
    let err = db
        .put(&wp(), &key, &[as_bin!("b", vec![7u8; n + 1])])
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::RecordTooBig {
                size: 1001,
                limit: 1000
            }
        ),
        "{err:?}"
    );
    assert_eq!(snapshot(&db, &key), before);
    // A merge that grows the record past the limit fails too.
    let err = db.put(&wp(), &key, &[as_bin!("c", 1)]).unwrap_err();
    assert!(
        matches!(err, Error::RecordTooBig { limit: 1000, .. }),
        "{err:?}"
    );
    assert_eq!(snapshot(&db, &key), before);
    // The limit applies per namespace.
    db.put(
        &wp(),
        &as_key!("other", "s", 1),
        &[as_bin!("b", vec![7u8; 5000])],
    )
    .unwrap();

    // max_record_size is at most 8 MiB.
    let d2 = tempfile::tempdir().unwrap();
    let bad = Options::default()
        .namespace(NamespaceConfig::new("test").max_record_size(8 * 1024 * 1024 + 1));
    assert_eq!(code(&Db::open_with(d2.path(), bad).unwrap_err()), 4);
    let zero = Options::default().namespace(NamespaceConfig::new("test").max_record_size(0));
    assert_eq!(code(&Db::open_with(d2.path(), zero).unwrap_err()), 4);
    let ok =
        Options::default().namespace(NamespaceConfig::new("test").max_record_size(8 * 1024 * 1024));
    Db::open_with(d2.path(), ok).unwrap();
}

#[test]
fn record_size_is_bounded_by_the_segment() {
    let dir = tempfile::tempdir().unwrap();
    let db = open_seg(dir.path(), 64 * 1024);
    let limit = 64 * 1024 - 64;
    let key = as_key!("test", "s", 1);
    let err = db
        .put(&wp(), &key, &[as_bin!("b", vec![0u8; 70_000])])
        .unwrap_err();
    assert!(
        matches!(err, Error::RecordTooBig { limit: l, .. } if l == limit),
        "{err:?}"
    );
    assert_eq!(code(&err), 13);
    assert!(!db.exists(&rp(), &key).unwrap());
    // One byte over the segment's room, then exactly the room (after a small
    // write, so the big one has to go to a fresh segment).
    db.put(&wp(), &as_key!("test", "s", 0), &[as_bin!("x", 1)])
        .unwrap();
    let n = (limit - entry_len("s", 0)) as usize;
    let err = db
        .put(&wp(), &key, &[as_bin!("b", vec![3u8; n + 1])])
        .unwrap_err();
    assert!(
        matches!(err, Error::RecordTooBig { size, limit: l } if l == limit && size == limit + 1),
        "{err:?}"
    );
    db.put(&wp(), &key, &[as_bin!("b", vec![3u8; n])]).unwrap();
    db.put(&wp(), &as_key!("test", "s", 2), &[as_bin!("x", 2)])
        .unwrap();
    db.close().unwrap();
    let db = open_seg(dir.path(), 64 * 1024);
    assert_eq!(
        db.get(&rp(), &key, Bins::All).unwrap().bins["b"],
        Value::Blob(vec![3u8; n])
    );
    assert!(db.exists(&rp(), &as_key!("test", "s", 2)).unwrap());
    assert_eq!(
        db.namespace_stats("test").unwrap().recovery.corrupt_regions,
        0
    );
}

#[test]
fn ttl_is_at_most_ten_years_or_max_ttl() {
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(ManualClock::new(
        UNIX_EPOCH + Duration::from_secs(1_700_000_000),
    ));
    let opts = Options::default()
        .segment_size(64 * 1024)
        .clock(clock)
        .namespace(NamespaceConfig::new("short").max_ttl(Duration::from_secs(100)));
    let db = Db::open_with(dir.path(), opts).unwrap();
    for (ns, max) in [("test", TEN_YEARS), ("short", 100)] {
        let key = as_key!(ns, "t", 1);
        db.put(&ttl(max), &key, &[as_bin!("a", 1)]).unwrap();
        let before = snapshot(&db, &key);
        for bad in [max + 1, u32::MAX] {
            let err = db.put(&ttl(bad), &key, &[as_bin!("a", 2)]).unwrap_err();
            assert!(
                matches!(err, Error::ParameterError(_)),
                "{ns} {bad}: {err:?}"
            );
            assert_eq!(code(&err), 4);
            let err = db.touch(&ttl(bad), &key).unwrap_err();
            assert!(
                matches!(err, Error::ParameterError(_)),
                "{ns} {bad}: {err:?}"
            );
            assert_eq!(snapshot(&db, &key), before);
            let missing = as_key!(ns, "t", 2);
            assert_eq!(
                code(&db.put(&ttl(bad), &missing, &[as_bin!("a", 2)]).unwrap_err()),
                4
            );
            assert!(!db.exists(&rp(), &missing).unwrap());
        }
        db.touch(&ttl(max), &key).unwrap();
    }
    // Configuring max_ttl above ten years or a default_ttl above max_ttl is refused.
    let d2 = tempfile::tempdir().unwrap();
    let over = NamespaceConfig::new("x").max_ttl(Duration::from_secs(u64::from(TEN_YEARS) + 1));
    assert_eq!(
        code(&Db::open_with(d2.path(), Options::default().namespace(over)).unwrap_err()),
        4
    );
    let default_over = NamespaceConfig::new("x")
        .max_ttl(Duration::from_secs(100))
        .default_ttl(Some(Duration::from_secs(101)));
    assert_eq!(
        code(&Db::open_with(d2.path(), Options::default().namespace(default_over)).unwrap_err()),
        4
    );
}

#[test]
fn user_keys_are_int_string_or_blob() {
    let bad: Vec<Value> = vec![
        Value::Float(1.5),
        as_list!(1, 2),
        as_map!("a" => 1),
        Value::Bool(true),
        Value::Nil,
    ];
    for v in bad {
        let err = Key::new("test", "s", v.clone()).unwrap_err();
        assert!(matches!(err, Error::ParameterError(_)), "{v:?}: {err:?}");
        assert_eq!(code(&err), 4);
        assert_eq!(code(&Digest::compute("s", &v).unwrap_err()), 4);
    }
    // u64 above i64::MAX cannot become an integer value.
    assert_eq!(code(&Value::try_from(u64::MAX).unwrap_err()), 4);
    assert_eq!(
        Value::try_from(i64::MAX as u64).unwrap(),
        Value::Int(i64::MAX)
    );
    for v in [Value::Int(-1), Value::from(""), Value::Blob(vec![])] {
        Key::new("test", "s", v).unwrap();
    }
}

#[test]
fn a_failed_call_changes_nothing() {
    use GenerationPolicy::*;
    use RecordExistsAction::*;
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(ManualClock::new(
        UNIX_EPOCH + Duration::from_secs(1_700_000_000),
    ));
    let opts = Options::default()
        .segment_size(64 * 1024)
        .clock(clock.clone())
        .namespace(NamespaceConfig::new("test").max_record_size(4096));
    let db = Db::open_with(dir.path(), opts).unwrap();
    let key = as_key!("test", "f", 1);
    let missing = as_key!("test", "f", 2);
    let send = WritePolicy {
        send_key: true,
        expiration: Expiration::Seconds(1000),
        ..WritePolicy::default()
    };
    db.put(&send, &key, &[as_bin!("a", 1), as_bin!("s", "x")])
        .unwrap();
    db.put(&ttl(1000), &key, &[as_bin!("a", 2)]).unwrap();
    clock.advance(Duration::from_secs(10));
    let before = snapshot(&db, &key);
    let rec = before.record.clone().unwrap();
    assert_eq!(rec.generation, 2);
    assert_ne!(rec.expiration, 0);
    let before_missing = snapshot(&db, &missing);

    let p = |f: fn(&mut WritePolicy)| {
        let mut w = WritePolicy::default();
        f(&mut w);
        w
    };
    let big = vec![0u8; 5000];
    let failures: Vec<(&str, Result<(), Error>, i32)> = vec![
        (
            "create-only",
            db.put(
                &p(|w| w.record_exists_action = CreateOnly),
                &key,
                &[as_bin!("a", 9)],
            ),
            5,
        ),
        (
            "gen-eq",
            db.put(
                &p(|w| w.generation_policy = ExpectGenEqual),
                &key,
                &[as_bin!("a", 9)],
            ),
            3,
        ),
        (
            "gen-gt",
            db.put(
                &p(|w| w.generation_policy = ExpectGenGreater),
                &key,
                &[as_bin!("a", 9)],
            ),
            3,
        ),
        (
            "touch-gen",
            db.touch(&p(|w| w.generation_policy = ExpectGenEqual), &key),
            3,
        ),
        (
            "delete-gen",
            db.delete(&p(|w| w.generation_policy = ExpectGenEqual), &key)
                .map(|_| ()),
            3,
        ),
        (
            "bin-name",
            db.put(
                &wp(),
                &key,
                &[as_bin!("a", 9), as_bin!("0123456789abcdef", 1)],
            ),
            21,
        ),
        (
            "too-big",
            db.put(&wp(), &key, &[as_bin!("a", 9), as_bin!("big", big.clone())]),
            13,
        ),
        (
            "ttl",
            db.put(&ttl(TEN_YEARS + 1), &key, &[as_bin!("a", 9)]),
            4,
        ),
        ("touch-ttl", db.touch(&ttl(TEN_YEARS + 1), &key), 4),
        (
            "replace-nil",
            db.put(
                &p(|w| w.record_exists_action = Replace),
                &key,
                &[as_bin!("a", 9), as_bin!("s")],
            ),
            4,
        ),
        ("no-bins", db.put(&wp(), &key, &[] as &[Bin]), 4),
        ("bad-key-ns", Key::new("", "f", 1).map(|_| ()), 20),
    ];
    for (what, res, want) in failures {
        let err = res.expect_err(what);
        assert_eq!(code(&err), want, "{what}: {err:?}");
        assert_eq!(snapshot(&db, &key), before, "{what}");
        assert_eq!(
            db.get(&rp(), &key, Bins::All).unwrap().key.as_ref(),
            Some(&key),
            "{what}"
        );
    }
    // Failures on a missing record leave nothing behind.
    let missing_failures: Vec<(&str, Result<(), Error>, i32)> = vec![
        (
            "update-only",
            db.put(
                &p(|w| w.record_exists_action = UpdateOnly),
                &missing,
                &[as_bin!("a", 1)],
            ),
            2,
        ),
        (
            "replace-only",
            db.put(
                &p(|w| w.record_exists_action = ReplaceOnly),
                &missing,
                &[as_bin!("a", 1)],
            ),
            2,
        ),
        ("nil-only", db.put(&wp(), &missing, &[as_bin!("a")]), 2),
        ("touch", db.touch(&wp(), &missing), 2),
        (
            "gen",
            db.put(
                &p(|w| {
                    w.generation_policy = ExpectGenEqual;
                    w.generation = 5
                }),
                &missing,
                &[as_bin!("a", 1)],
            ),
            3,
        ),
        (
            "too-big",
            db.put(&wp(), &missing, &[as_bin!("big", big)]),
            13,
        ),
    ];
    for (what, res, want) in missing_failures {
        let err = res.expect_err(what);
        assert_eq!(code(&err), want, "{what}: {err:?}");
        assert_eq!(snapshot(&db, &missing), before_missing, "{what}");
        assert!(!db.exists(&rp(), &missing).unwrap(), "{what}");
    }

    // And all of it across a reopen: the record is exactly as before.
    db.close().unwrap();
    let db = Db::open_with(
        dir.path(),
        Options::default()
            .segment_size(64 * 1024)
            .clock(clock)
            .namespace(NamespaceConfig::new("test").max_record_size(4096)),
    )
    .unwrap();
    assert_eq!(db.get(&rp(), &key, Bins::All).unwrap(), rec);
    assert!(!db.exists(&rp(), &missing).unwrap());
}

/// A failed write to a namespace that does not exist yet must not create it
/// (nor its directory and preallocated segment file).
#[test]
fn a_failed_write_does_not_create_its_namespace() {
    let dir = tempfile::tempdir().unwrap();
    let db = Db::open(dir.path()).unwrap();
    let key = as_key!("fresh", "s", 1);
    let bad_bin = db.put(&WritePolicy::default(), &key, &[as_bin!("a\0", 1)]);
    assert!(
        matches!(bad_bin, Err(Error::BinNameTooLong { .. })),
        "{bad_bin:?}"
    );
    let no_bins = db.put::<Bin>(&WritePolicy::default(), &key, &[]);
    assert!(
        matches!(no_bins, Err(Error::ParameterError(_))),
        "{no_bins:?}"
    );
    let no_ops = db.operate(&WritePolicy::default(), &key, &[]);
    assert!(
        matches!(no_ops, Err(Error::ParameterError(_))),
        "{no_ops:?}"
    );
    assert!(db.namespaces().is_empty(), "{:?}", db.namespaces());
    assert!(!dir.path().join("namespaces/fresh").exists());
}
