//! asbackup export and import (`Db::backup`, `Db::restore`): the fixture
//! files from Aerospike's tool repository, round trips of every value type,
//! the writer's bytes against the grammar, and asrestore's write rules.

mod common;
#[path = "backup/format.rs"]
mod format;
#[path = "backup/restore_rules.rs"]
mod restore_rules;

use aerolite::*;
use common::*;
use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::time::Duration;

fn fixture(name: &str) -> Vec<u8> {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/fixtures/asbackup")
        .join(name);
    std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// The fixture's void time 428179113 in Unix seconds.
const FIXTURE_VOID_UNIX: u64 = 428_179_113 + 1_262_304_000;

fn db_at(dir: &std::path::Path, unix: u64) -> (Db, std::sync::Arc<ManualClock>) {
    let clock = clock_at(unix);
    let db = Db::open_with(
        dir,
        Options::default()
            .background_maintenance(false)
            .clock(dyn_clock(&clock)),
    )
    .unwrap();
    (db, clock)
}

#[test]
fn the_fixture_record_is_expired_now_and_skipped() {
    let dir = tempfile::tempdir().unwrap();
    let db = Db::open(dir.path()).unwrap();
    let stats = db
        .restore(
            &mut &fixture("test_backup_file.asb")[..],
            &RestoreOptions::default(),
        )
        .unwrap();
    assert_eq!(stats.records, 1);
    assert_eq!(stats.expired, 1);
    assert_eq!(stats.written, 0);
    let key = Key::new("test", "demo", "key1").unwrap();
    assert!(matches!(
        db.get(&rp(), &key, Bins::All),
        Err(Error::KeyNotFound)
    ));
}

#[test]
fn the_fixture_record_restores_before_its_void_time() {
    let dir = tempfile::tempdir().unwrap();
    let (db, _clock) = db_at(dir.path(), FIXTURE_VOID_UNIX - 1000);
    let stats = db
        .restore(
            &mut &fixture("test_backup_file.asb")[..],
            &RestoreOptions::default(),
        )
        .unwrap();
    assert_eq!((stats.records, stats.written, stats.expired), (1, 1, 0));
    let key = Key::new("test", "demo", "key1").unwrap();
    assert_eq!(
        key.digest().to_hex(),
        "ec91192d4b7f8ce35d5d78d34bca65cbaaaac960"
    );
    let rec = db.get(&rp(), &key, Bins::All).unwrap();
    assert_eq!(rec.bins.len(), 3);
    assert_eq!(rec.bins["foo"], Value::Int(123));
    assert_eq!(rec.bins["bar"], Value::from("abc"));
    assert_eq!(rec.bins["baz"], Value::Bool(true));
    assert_eq!(rec.expiration, 428_179_113);
    assert_eq!(rec.time_to_live(), Some(Duration::from_secs(1000)));
    let stored = rec.key.unwrap();
    assert_eq!(stored.user_key(), Some(&Value::from("key1")));
    assert_eq!(stored.digest(), key.digest());
    // Its generation is the target's own, not the file's.
    assert_eq!(rec.generation, 1);
}

#[test]
fn the_bad_fixture_is_rejected_naming_its_last_line() {
    let dir = tempfile::tempdir().unwrap();
    let (db, _clock) = db_at(dir.path(), FIXTURE_VOID_UNIX - 1000);
    let err = db
        .restore(
            &mut &fixture("test_bad_backup_file.asb")[..],
            &RestoreOptions::default(),
        )
        .unwrap_err();
    let msg = err.to_string();
    assert!(matches!(err, Error::ParameterError(_)), "{err:?}");
    assert!(msg.contains("line 13"), "{msg}");
    assert!(msg.contains("bin type"), "{msg}");
    // Nothing of the bad record was written.
    let key = Key::new("test", "demo", "key1").unwrap();
    assert!(matches!(
        db.get(&rp(), &key, Bins::All),
        Err(Error::KeyNotFound)
    ));
}

/// Every value type, nested.
fn every_value() -> Vec<(&'static str, Value)> {
    let mut inner = BTreeMap::new();
    inner.insert(Value::Int(-5), Value::from("neg"));
    inner.insert(Value::from(""), Value::Blob(vec![]));
    inner.insert(
        Value::Blob(vec![0, 255]),
        Value::List(vec![Value::Float(f64::NAN)]),
    );
    let mut map = BTreeMap::new();
    map.insert(Value::from("a"), Value::Int(1));
    map.insert(Value::from("nested"), Value::Map(inner));
    map.insert(Value::Int(7), Value::List(vec![]));
    vec![
        ("int", Value::Int(i64::MIN)),
        ("max", Value::Int(i64::MAX)),
        ("float", Value::Float(0.1)),
        ("nan", Value::Float(f64::NAN)),
        ("inf", Value::Float(f64::INFINITY)),
        ("-inf", Value::Float(f64::NEG_INFINITY)),
        ("tiny", Value::Float(5e-324)),
        ("str", Value::from("line\nbreak and spaces \\ \0 nul")),
        ("empty", Value::from("")),
        ("blob", Value::Blob((0..=255).collect())),
        ("eblob", Value::Blob(vec![])),
        ("t", Value::Bool(true)),
        ("f", Value::Bool(false)),
        (
            "list",
            Value::List(vec![
                Value::from("a"),
                Value::Int(1),
                Value::List(vec![Value::Map(BTreeMap::new()), Value::Nil]),
                Value::Float(-0.5),
                Value::Blob(vec![4, 3]),
                Value::Bool(false),
            ]),
        ),
        ("map", Value::Map(map)),
        ("sp ace\\", Value::Int(3)),
        ("nl\nname", Value::Int(4)),
    ]
}

fn scan_all(db: &Db, ns: &str) -> HashMap<Digest, Record> {
    db.scan(ns, None, Bins::All)
        .unwrap()
        .map(|r| {
            let r = r.unwrap();
            (*r.key.as_ref().unwrap().digest(), r)
        })
        .collect()
}

#[test]
fn round_trip_of_every_value_type_key_type_set_and_ttl() {
    let src_dir = tempfile::tempdir().unwrap();
    let (src, _clock) = db_at(src_dir.path(), 1_800_000_000);
    let keyed = WritePolicy {
        send_key: true,
        ..wp()
    };
    let keys = [
        Key::new("test", "", 1).unwrap(),
        Key::new("test", "my set\\with\nodd", "str key").unwrap(),
        Key::new("test", "s", vec![0u8, 1, 2, 255]).unwrap(),
        Key::new("test", "s", -9).unwrap(),
        Key::new("test", "s", "").unwrap(),
    ];
    let bins: Vec<Bin> = every_value()
        .into_iter()
        .map(|(n, v)| Bin::new(n, v))
        .collect();
    for (i, key) in keys.iter().enumerate() {
        let mut policy = if i % 2 == 0 { keyed.clone() } else { wp() };
        if i == 1 {
            policy.expiration = Expiration::Seconds(3600);
        }
        src.put(&policy, key, &bins).unwrap();
    }
    // A second version, so generations differ from 1.
    src.put(&keyed, &keys[0], &[Bin::new("extra", "x")])
        .unwrap();
    let mut file = Vec::new();
    let stats = src.backup("test", None, &mut file).unwrap();
    assert_eq!(stats.records, keys.len() as u64);
    assert_eq!(stats.bytes, file.len() as u64);

    let dst_dir = tempfile::tempdir().unwrap();
    let (dst, _clock) = db_at(dst_dir.path(), 1_800_000_000);
    let rs = dst
        .restore(&mut &file[..], &RestoreOptions::default())
        .unwrap();
    assert_eq!(
        (rs.records, rs.written),
        (keys.len() as u64, keys.len() as u64)
    );
    let a = scan_all(&src, "test");
    let b = scan_all(&dst, "test");
    assert_eq!(a.len(), b.len());
    for (digest, ra) in &a {
        let rb = &b[digest];
        assert_eq!(ra.bins, rb.bins, "{digest}");
        assert_eq!(ra.expiration, rb.expiration, "{digest}");
        let (ka, kb) = (ra.key.as_ref().unwrap(), rb.key.as_ref().unwrap());
        assert_eq!(ka.user_key(), kb.user_key(), "{digest}");
        assert_eq!(ka.set_name(), kb.set_name(), "{digest}");
    }
    // And the restored database backs up to the same bytes (records come
    // in digest order in both), bar the generations the target assigned.
    let mut again = Vec::new();
    dst.backup("test", None, &mut again).unwrap();
    let without_generations = |f: &[u8]| -> Vec<u8> {
        let mut out = Vec::new();
        for line in f.split_inclusive(|&b| b == b'\n') {
            match line.starts_with(b"+ g ") {
                true => out.extend_from_slice(b"+ g ?\n"),
                false => out.extend_from_slice(line),
            }
        }
        out
    };
    assert_eq!(without_generations(&file), without_generations(&again));
    assert_ne!(
        file, again,
        "the source's generation 2 must show in its backup"
    );
}

#[test]
fn backup_of_one_set_and_restore_into_another_namespace() {
    let dir = tempfile::tempdir().unwrap();
    let db = Db::open_with(dir.path(), Options::default().background_maintenance(false)).unwrap();
    for i in 0..10 {
        let set = if i % 2 == 0 { "even" } else { "odd" };
        db.put(
            &wp(),
            &Key::new("test", set, i).unwrap(),
            &[Bin::new("i", i)],
        )
        .unwrap();
    }
    let mut file = Vec::new();
    assert_eq!(
        db.backup("test", Some("even"), &mut file).unwrap().records,
        5
    );
    let opts = RestoreOptions {
        namespace: Some("copy".into()),
        ..RestoreOptions::default()
    };
    assert_eq!(db.restore(&mut &file[..], &opts).unwrap().written, 5);
    let r = db
        .get(&rp(), &Key::new("copy", "even", 4).unwrap(), Bins::All)
        .unwrap();
    assert_eq!(r.bins["i"], Value::Int(4));
    assert!(db
        .get(&rp(), &Key::new("copy", "odd", 3).unwrap(), Bins::All)
        .is_err());
    assert_eq!(db.namespace_stats("copy").unwrap().objects, 5);
}

#[test]
fn backup_streams_without_holding_the_records() {
    // A writer that counts: the backup of many records is written as it
    // goes (the first bytes arrive before the scan is done) and returns the
    // right totals.
    struct Counting(u64, u64);
    impl std::io::Write for Counting {
        fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
            self.0 += b.len() as u64;
            self.1 += 1;
            Ok(b.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let dir = tempfile::tempdir().unwrap();
    let db = Db::open_with(dir.path(), Options::default().background_maintenance(false)).unwrap();
    for i in 0..5000 {
        db.put(
            &wp(),
            &Key::new("test", "s", i).unwrap(),
            &[Bin::new("v", "x".repeat(100))],
        )
        .unwrap();
    }
    let mut out = Counting(0, 0);
    let stats = db.backup("test", None, &mut out).unwrap();
    assert_eq!(stats.records, 5000);
    assert_eq!(stats.bytes, out.0);
    assert!(out.1 > 5000, "one write per record at least: {}", out.1);
}
