//! `Db::operate` with the bin operations: add, append/prepend, get, delete,
//! touch, policies, expiration and durability (`spec/semantics.md`, "Writes:
//! put / operate").

use aerolite::operations as ops;
use aerolite::*;
use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, UNIX_EPOCH};

mod common;
use common::*;

const SEG: u64 = 64 * 1024;
/// Seconds between the Unix epoch and Aerospike's citrus epoch (2010-01-01).
const CITRUS_EPOCH: u64 = 1_262_304_000;
/// A fixed start time for the manual clock (2033-05-18).
const START_UNIX: u64 = 2_000_000_000;

fn open(dir: &Path) -> Db {
    Db::open_with(dir, Options::default().segment_size(SEG)).unwrap()
}

fn open_clock(dir: &Path) -> (Db, Arc<ManualClock>) {
    let clock = Arc::new(ManualClock::new(
        UNIX_EPOCH + Duration::from_secs(START_UNIX),
    ));
    let db = Db::open_with(
        dir,
        Options::default().segment_size(SEG).clock(clock.clone()),
    )
    .unwrap();
    (db, clock)
}

/// The citrus time (void-time units) `secs` after the clock's start.
fn citrus(secs: u64) -> u32 {
    (START_UNIX - CITRUS_EPOCH + secs) as u32
}

fn bins(pairs: &[(&str, Value)]) -> HashMap<String, Value> {
    pairs
        .iter()
        .map(|(n, v)| (n.to_string(), v.clone()))
        .collect()
}

fn get(db: &Db, key: &Key) -> Record {
    db.get(&ReadPolicy::default(), key, Bins::All).unwrap()
}

fn code(e: &Error) -> i32 {
    e.result_code() as i32
}

#[test]
fn add_builds_a_counter_and_reads_see_earlier_ops() {
    let dir = tempfile::tempdir().unwrap();
    let db = open(dir.path());
    let key = as_key!("test", "op", "counter");
    let r = db
        .operate(&wp(), &key, &[ops::add(&Bin::new("n", 10))])
        .unwrap();
    assert!(r.bins.is_empty(), "add returns nothing: {:?}", r.bins);
    assert_eq!(r.generation, 1);
    assert_eq!(get(&db, &key).bins, bins(&[("n", Value::Int(10))]));
    db.operate(&wp(), &key, &[ops::add(&Bin::new("n", 5))])
        .unwrap();
    assert_eq!(get(&db, &key).bins["n"], Value::Int(15));
    let r = db
        .operate(
            &wp(),
            &key,
            &[ops::add(&Bin::new("n", 30)), ops::get_bin("n")],
        )
        .unwrap();
    assert_eq!(r.bins, bins(&[("n", Value::Int(45))]));
    assert_eq!(r.generation, 3);
    // Floats add; ints wrap.
    let r = db
        .operate(
            &wp(),
            &key,
            &[
                ops::add(&Bin::new("f", 1.5)),
                ops::add(&Bin::new("f", 0.25)),
                ops::put(&Bin::new("w", i64::MAX)),
                ops::add(&Bin::new("w", 2)),
                ops::get(),
            ],
        )
        .unwrap();
    let want = bins(&[
        ("n", Value::Int(45)),
        ("f", Value::Float(1.75)),
        ("w", Value::Int(i64::MIN + 1)),
    ]);
    assert_eq!(r.bins, want);
    assert_eq!(get(&db, &key).bins, want);
}

#[test]
fn get_delete_put_returns_old_value_and_leaves_only_new_bin() {
    let dir = tempfile::tempdir().unwrap();
    let db = open(dir.path());
    let key = as_key!("test", "op", 1);
    db.put(&wp(), &key, &[as_bin!("a", "old"), as_bin!("c", 3)])
        .unwrap();
    let r = db
        .operate(
            &wp(),
            &key,
            &[
                ops::get_bin("a"),
                ops::delete(),
                ops::put(&Bin::new("b", 7)),
            ],
        )
        .unwrap();
    assert_eq!(r.bins, bins(&[("a", Value::from("old"))]));
    assert_eq!(r.generation, 2);
    let rec = get(&db, &key);
    assert_eq!(rec.bins, bins(&[("b", Value::Int(7))]));
    assert_eq!(rec.generation, 2);
    // The last read of a bin wins.
    let r = db
        .operate(
            &wp(),
            &key,
            &[
                ops::get_bin("b"),
                ops::add(&Bin::new("b", 1)),
                ops::get_bin("b"),
            ],
        )
        .unwrap();
    assert_eq!(r.bins, bins(&[("b", Value::Int(8))]));
}

#[test]
fn append_and_prepend_strings_and_blobs() {
    let dir = tempfile::tempdir().unwrap();
    let db = open(dir.path());
    let key = as_key!("test", "op", "hello");
    db.operate(&wp(), &key, &[ops::append(&Bin::new("s", "lo"))])
        .unwrap();
    db.operate(&wp(), &key, &[ops::append(&Bin::new("s", " World"))])
        .unwrap();
    let r = db
        .operate(
            &wp(),
            &key,
            &[ops::prepend(&Bin::new("s", "Hel")), ops::get_bin("s")],
        )
        .unwrap();
    assert_eq!(r.bins["s"], Value::from("Hello World"));
    db.operate(
        &wp(),
        &key,
        &[
            ops::append(&Bin::new("b", vec![3u8, 4])),
            ops::prepend(&Bin::new("b", vec![0u8, 1, 2])),
            ops::append(&Bin::new("b", vec![255u8])),
        ],
    )
    .unwrap();
    let rec = get(&db, &key);
    assert_eq!(
        rec.bins,
        bins(&[
            ("s", Value::from("Hello World")),
            ("b", Value::Blob(vec![0, 1, 2, 3, 4, 255])),
        ])
    );
    assert_eq!(rec.generation, 4);
    // Mixed string/blob is a type mismatch and changes nothing.
    for op in [
        ops::append(&Bin::new("s", vec![1u8])),
        ops::prepend(&Bin::new("b", "x")),
    ] {
        let e = db.operate(&wp(), &key, &[op]).unwrap_err();
        assert!(matches!(e, Error::BinTypeMismatch { .. }), "{e:?}");
    }
    assert_eq!(get(&db, &key), rec);
}

#[test]
fn type_mismatches_and_bad_operands_change_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let db = open(dir.path());
    let key = as_key!("test", "op", "types");
    db.put(&ttl(1000), &key, &[as_bin!("s", "text"), as_bin!("i", 1)])
        .unwrap();
    db.put(&ttl(1000), &key, &[as_bin!("f", 1.0)]).unwrap();
    let before = get(&db, &key);
    assert_eq!(before.generation, 2);

    let e = db
        .operate(&wp(), &key, &[ops::add(&Bin::new("s", 1))])
        .unwrap_err();
    assert!(
        matches!(&e, Error::BinTypeMismatch { bin, .. } if bin == "s"),
        "{e:?}"
    );
    assert_eq!(code(&e), 12);
    assert_eq!(get(&db, &key), before);

    for (bin, operand) in [("i", Value::Float(1.0)), ("f", Value::Int(1))] {
        let e = db
            .operate(&wp(), &key, &[ops::add(&Bin::new(bin, operand))])
            .unwrap_err();
        assert!(matches!(e, Error::BinTypeMismatch { .. }), "{e:?}");
        assert_eq!(code(&e), 12);
    }
    // A failing op after a good one: the whole call changes nothing.
    let e = db
        .operate(
            &wp(),
            &key,
            &[
                ops::add(&Bin::new("i", 100)),
                ops::put(&Bin::new("new", 1)),
                ops::add(&Bin::new("s", 1)),
            ],
        )
        .unwrap_err();
    assert!(matches!(e, Error::BinTypeMismatch { .. }), "{e:?}");

    let e = db
        .operate(&wp(), &key, &[ops::add(&Bin::new("i", Value::Nil))])
        .unwrap_err();
    assert!(matches!(e, Error::ParameterError(_)), "{e:?}");
    assert_eq!(code(&e), 4);
    assert_eq!(get(&db, &key), before);

    // A nil add on a missing record creates nothing.
    let missing = as_key!("test", "op", "never");
    let e = db
        .operate(&wp(), &missing, &[ops::add(&Bin::new("i", Value::Nil))])
        .unwrap_err();
    assert!(matches!(e, Error::ParameterError(_)), "{e:?}");
    assert!(!db.exists(&ReadPolicy::default(), &missing).unwrap());
}

#[test]
fn op_count_limits() {
    let dir = tempfile::tempdir().unwrap();
    let db = open(dir.path());
    let key = as_key!("test", "op", "limits");
    db.put(&wp(), &key, &[as_bin!("a", 1)]).unwrap();
    let e = db.operate(&wp(), &key, &[]).unwrap_err();
    assert!(matches!(e, Error::ParameterError(_)), "{e:?}");
    let too_many = vec![ops::add(&Bin::new("a", 1)); 32769];
    let e = db.operate(&wp(), &key, &too_many).unwrap_err();
    assert!(matches!(e, Error::ParameterError(_)), "{e:?}");
    assert_eq!(get(&db, &key).bins["a"], Value::Int(1));
    assert_eq!(get(&db, &key).generation, 1);
    // Exactly 32768 is allowed, and applies every op.
    let max = vec![ops::add(&Bin::new("a", 1)); 32768];
    db.operate(&wp(), &key, &max).unwrap();
    let rec = get(&db, &key);
    assert_eq!(rec.bins["a"], Value::Int(32769));
    assert_eq!(rec.generation, 2);
}

#[test]
fn reads_on_a_missing_record_are_key_not_found() {
    let dir = tempfile::tempdir().unwrap();
    let db = open(dir.path());
    // Namespace never written.
    let key = as_key!("test", "op", "missing");
    for ops_list in [vec![ops::get()], vec![ops::get_bin("a"), ops::get_header()]] {
        let e = db.operate(&wp(), &key, &ops_list).unwrap_err();
        assert!(matches!(e, Error::KeyNotFound), "{e:?}");
        assert_eq!(code(&e), 2);
    }
    // Namespace exists, record does not.
    db.put(&wp(), &as_key!("test", "op", "other"), &[as_bin!("a", 1)])
        .unwrap();
    let e = db.operate(&wp(), &key, &[ops::get()]).unwrap_err();
    assert!(matches!(e, Error::KeyNotFound), "{e:?}");
    // Removing every bin of a missing record: KeyNotFound, nothing created.
    let e = db.operate(&wp(), &key, &[ops::delete()]).unwrap_err();
    assert!(matches!(e, Error::KeyNotFound), "{e:?}");
    assert!(!db.exists(&ReadPolicy::default(), &key).unwrap());
    assert_eq!(db.namespace_stats("test").unwrap().objects, 1);
}

#[test]
fn returned_header_matches_a_following_get() {
    let dir = tempfile::tempdir().unwrap();
    let (db, clock) = open_clock(dir.path());
    let key = as_key!("test", "op", "hdr");
    let r = db
        .operate(&ttl(100), &key, &[ops::put(&Bin::new("a", 1))])
        .unwrap();
    assert_eq!((r.generation, r.expiration), (1, citrus(100)));
    clock.advance(Duration::from_secs(10));
    let r = db
        .operate(&ttl(500), &key, &[ops::add(&Bin::new("a", 1)), ops::get()])
        .unwrap();
    let g = get(&db, &key);
    assert_eq!((r.generation, r.expiration), (2, citrus(510)));
    assert_eq!((g.generation, g.expiration), (r.generation, r.expiration));
    assert_eq!(r.bins, g.bins);
    assert_eq!(r.time_to_live(), Some(Duration::from_secs(500)));

    // A read-only operate bumps nothing, whatever TTL the policy says.
    clock.advance(Duration::from_secs(10));
    let r = db
        .operate(&ttl(5), &key, &[ops::get_bin("a"), ops::get_header()])
        .unwrap();
    assert_eq!((r.generation, r.expiration), (2, citrus(510)));
    assert_eq!(r.bins, bins(&[("a", Value::Int(2))]));
    let r = db.operate(&ttl(5), &key, &[ops::get_header()]).unwrap();
    assert!(r.bins.is_empty());
    assert_eq!(get(&db, &key), g);
}

#[test]
fn touch_op_bumps_generation_and_resets_ttl() {
    let dir = tempfile::tempdir().unwrap();
    let (db, clock) = open_clock(dir.path());
    let key = as_key!("test", "op", "touch");
    db.put(&ttl(100), &key, &[as_bin!("a", 1)]).unwrap();
    clock.advance(Duration::from_secs(60));
    let r = db.operate(&ttl(100), &key, &[ops::touch()]).unwrap();
    assert!(r.bins.is_empty());
    assert_eq!((r.generation, r.expiration), (2, citrus(160)));
    let g = get(&db, &key);
    assert_eq!((g.generation, g.expiration), (2, citrus(160)));
    assert_eq!(g.bins, bins(&[("a", Value::Int(1))]));
    // Past the original TTL but inside the new one: still alive.
    clock.advance(Duration::from_secs(90));
    assert_eq!(get(&db, &key).generation, 2);
    // The default policy resets the TTL to the namespace default (never).
    let r = db
        .operate(&wp(), &key, &[ops::touch(), ops::get_bin("a")])
        .unwrap();
    assert_eq!((r.generation, r.expiration), (3, 0));
    assert_eq!(r.bins, bins(&[("a", Value::Int(1))]));
    clock.advance(Duration::from_secs(1_000_000));
    assert_eq!(get(&db, &key).expiration, 0);
}

#[test]
fn operate_honours_exists_action_and_generation() {
    let dir = tempfile::tempdir().unwrap();
    let db = open(dir.path());
    let key = as_key!("test", "op", "policy");
    db.put(&wp(), &key, &[as_bin!("a", 1)]).unwrap();
    db.put(&wp(), &key, &[as_bin!("a", 2)]).unwrap();
    let before = get(&db, &key);
    assert_eq!(before.generation, 2);

    let create_only = WritePolicy {
        record_exists_action: RecordExistsAction::CreateOnly,
        ..wp()
    };
    let e = db
        .operate(&create_only, &key, &[ops::add(&Bin::new("a", 1))])
        .unwrap_err();
    assert!(matches!(e, Error::KeyExists), "{e:?}");
    assert_eq!(code(&e), 5);
    assert_eq!(get(&db, &key), before);
    // CreateOnly on a missing record creates it.
    let fresh = as_key!("test", "op", "fresh");
    let r = db
        .operate(&create_only, &fresh, &[ops::add(&Bin::new("a", 1))])
        .unwrap();
    assert_eq!(r.generation, 1);

    let update_only = WritePolicy {
        record_exists_action: RecordExistsAction::UpdateOnly,
        ..wp()
    };
    let none = as_key!("test", "op", "none");
    let e = db
        .operate(&update_only, &none, &[ops::add(&Bin::new("a", 1))])
        .unwrap_err();
    assert!(matches!(e, Error::KeyNotFound), "{e:?}");
    assert!(!db.exists(&ReadPolicy::default(), &none).unwrap());

    let gen_eq = |g| WritePolicy {
        generation_policy: GenerationPolicy::ExpectGenEqual,
        generation: g,
        ..wp()
    };
    for wrong in [1, 3] {
        let e = db
            .operate(&gen_eq(wrong), &key, &[ops::add(&Bin::new("a", 10))])
            .unwrap_err();
        assert!(matches!(e, Error::GenerationMismatch { .. }), "{e:?}");
        assert_eq!(code(&e), 3);
        assert_eq!(get(&db, &key), before);
    }
    let r = db
        .operate(
            &gen_eq(2),
            &key,
            &[ops::add(&Bin::new("a", 10)), ops::get_bin("a")],
        )
        .unwrap();
    assert_eq!(
        (r.generation, &r.bins),
        (3, &bins(&[("a", Value::Int(12))]))
    );

    // Replace drops the bins the operate does not write.
    db.put(&wp(), &key, &[as_bin!("other", 1)]).unwrap();
    let replace = WritePolicy {
        record_exists_action: RecordExistsAction::Replace,
        ..wp()
    };
    db.operate(&replace, &key, &[ops::add(&Bin::new("a", 1))])
        .unwrap();
    assert_eq!(get(&db, &key).bins, bins(&[("a", Value::Int(1))]));
}

#[test]
fn operate_on_an_expired_record_creates_a_fresh_one() {
    let dir = tempfile::tempdir().unwrap();
    let (db, clock) = open_clock(dir.path());
    let key = as_key!("test", "op", "expired");
    db.put(&ttl(10), &key, &[as_bin!("a", 1), as_bin!("old", "x")])
        .unwrap();
    db.put(&ttl(10), &key, &[as_bin!("a", 2)]).unwrap();
    assert_eq!(get(&db, &key).generation, 2);
    clock.advance(Duration::from_secs(11));
    // Only-read ops: the record does not exist.
    let e = db.operate(&wp(), &key, &[ops::get()]).unwrap_err();
    assert!(matches!(e, Error::KeyNotFound), "{e:?}");
    let r = db
        .operate(&wp(), &key, &[ops::add(&Bin::new("a", 5)), ops::get()])
        .unwrap();
    assert_eq!(r.bins, bins(&[("a", Value::Int(5))]));
    assert_eq!((r.generation, r.expiration), (1, 0));
    let g = get(&db, &key);
    assert_eq!(g.bins, bins(&[("a", Value::Int(5))]));
    assert_eq!(g.generation, 1);
    // ExpectGenEqual 0 passes for a record being re-created after expiry.
    db.put(&ttl(10), &key, &[as_bin!("a", 1)]).unwrap();
    clock.advance(Duration::from_secs(11));
    let p = WritePolicy {
        generation_policy: GenerationPolicy::ExpectGenEqual,
        generation: 0,
        ..wp()
    };
    let r = db
        .operate(&p, &key, &[ops::put(&Bin::new("b", 1))])
        .unwrap();
    assert_eq!(r.generation, 1);
    assert_eq!(get(&db, &key).bins, bins(&[("b", Value::Int(1))]));
}

#[test]
fn removing_every_bin_deletes_the_record() {
    let dir = tempfile::tempdir().unwrap();
    let db = open(dir.path());
    let k1 = as_key!("test", "op", "del1");
    let k2 = as_key!("test", "op", "del2");
    for k in [&k1, &k2] {
        db.put(&wp(), k, &[as_bin!("a", 1), as_bin!("b", 2)])
            .unwrap();
    }
    assert_eq!(db.namespace_stats("test").unwrap().objects, 2);
    let r = db
        .operate(
            &wp(),
            &k1,
            &[
                ops::get_bin("a"),
                ops::put(&Bin::new("a", Value::Nil)),
                ops::put(&Bin::new("b", Value::Nil)),
            ],
        )
        .unwrap();
    assert_eq!(r.bins, bins(&[("a", Value::Int(1))]));
    let r = db
        .operate(&wp(), &k2, &[ops::get(), ops::delete()])
        .unwrap();
    assert_eq!(r.bins.len(), 2);
    for k in [&k1, &k2] {
        assert!(!db.exists(&ReadPolicy::default(), k).unwrap());
        let e = db.get(&ReadPolicy::default(), k, Bins::All).unwrap_err();
        assert!(matches!(e, Error::KeyNotFound), "{e:?}");
    }
    assert_eq!(db.namespace_stats("test").unwrap().objects, 0);
    // The deletes are durable.
    db.close().unwrap();
    let db = open(dir.path());
    for k in [&k1, &k2] {
        assert!(!db.exists(&ReadPolicy::default(), k).unwrap());
    }
    // A later write re-creates from generation 1.
    let r = db
        .operate(&wp(), &k1, &[ops::add(&Bin::new("n", 1))])
        .unwrap();
    assert_eq!(r.generation, 1);
}

#[test]
fn sync_durability_operate_survives_reopen() {
    let dir = tempfile::tempdir().unwrap();
    let key = as_key!("test", "op", "sync");
    {
        let db = Db::open_with(
            dir.path(),
            Options::default()
                .segment_size(SEG)
                .durability(Durability::Sync),
        )
        .unwrap();
        for _ in 0..20 {
            db.operate(&wp(), &key, &[ops::add(&Bin::new("n", 2))])
                .unwrap();
        }
        let per_call = WritePolicy {
            durability: Some(Durability::Sync),
            send_key: true,
            ..wp()
        };
        let r = db
            .operate(
                &per_call,
                &key,
                &[ops::append(&Bin::new("s", "x")), ops::get()],
            )
            .unwrap();
        assert_eq!(
            r.bins,
            bins(&[("n", Value::Int(40)), ("s", Value::from("x"))])
        );
        // Dropped without close: Sync writes are on disk already.
        drop(db);
    }
    let db = open(dir.path());
    let rec = get(&db, &key);
    assert_eq!(
        rec.bins,
        bins(&[("n", Value::Int(40)), ("s", Value::from("x"))])
    );
    assert_eq!(rec.generation, 21);
    assert_eq!(
        rec.key.as_ref().and_then(|k| k.user_key()),
        Some(&Value::from("sync"))
    );
}

#[test]
fn operate_growing_past_max_record_size_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let db = Db::open_with(
        dir.path(),
        Options::default()
            .segment_size(SEG)
            .namespace(NamespaceConfig::new("test").max_record_size(2048)),
    )
    .unwrap();
    let key = as_key!("test", "op", "big");
    let chunk = "x".repeat(500);
    let mut ok = 0;
    let err = loop {
        match db.operate(&wp(), &key, &[ops::append(&Bin::new("s", chunk.as_str()))]) {
            Ok(_) => ok += 1,
            Err(e) => break e,
        }
        assert!(ok < 10, "2 KiB records should not hold 5000 bytes");
    };
    assert!(matches!(err, Error::RecordTooBig { .. }), "{err:?}");
    assert_eq!(code(&err), 13);
    let rec = get(&db, &key);
    assert_eq!(rec.generation, ok);
    assert_eq!(rec.bins["s"], Value::from(chunk.repeat(ok as usize)));
}
