//! `Db::truncate` (`spec/semantics.md`, "Deletes, truncate, durability of
//! absence"): what it removes, what it keeps, and that it survives restarts.

use aerolite::*;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

mod common;
use common::*;

const SEG: u64 = 64 * 1024;
const T0: u64 = 2_000_000_000;

fn open(dir: &Path) -> Db {
    Db::open_with(dir, Options::default().segment_size(SEG)).unwrap()
}

fn at(secs: u64) -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(secs)
}

fn open_clock(dir: &Path, clock: &Arc<ManualClock>) -> Db {
    let clock: Arc<dyn Clock> = clock.clone();
    Db::open_with(dir, Options::default().segment_size(SEG).clock(clock)).unwrap()
}

fn key(set: &str, i: i64) -> Key {
    as_key!("test", set, i)
}

fn put(db: &Db, set: &str, i: i64) {
    db.put(
        &wp(),
        &key(set, i),
        &[as_bin!("i", i), as_bin!("pad", "x".repeat(200))],
    )
    .unwrap();
}

fn exists(db: &Db, set: &str, i: i64) -> bool {
    db.exists(&ReadPolicy::default(), &key(set, i)).unwrap()
}

fn count(db: &Db, set: &str, range: std::ops::Range<i64>) -> usize {
    range.filter(|&i| exists(db, set, i)).count()
}

fn stats(db: &Db) -> NamespaceStats {
    ns_stats(db, "test")
}

fn scan_count(db: &Db, set: Option<&str>) -> usize {
    db.scan("test", set, Bins::None)
        .unwrap()
        .inspect(|r| assert!(r.is_ok(), "{r:?}"))
        .count()
}

/// Writes 300 records in set "a", 200 in "b", 100 in "c".
fn populate(db: &Db) {
    for i in 0..300 {
        put(db, "a", i);
    }
    for i in 0..200 {
        put(db, "b", i);
    }
    for i in 0..100 {
        put(db, "c", i);
    }
}

#[test]
fn truncate_one_set_is_durable_and_leaves_others() {
    let dir = tempfile::tempdir().unwrap();
    let db = open(dir.path());
    populate(&db);
    // Overwritten and deleted records: the count is of live records.
    put(&db, "a", 0);
    assert!(db.delete(&wp(), &key("a", 1)).unwrap());
    let before = stats(&db);
    assert_eq!(before.objects, 599);
    assert!(before.segments > 1, "{before:?}");

    assert_eq!(db.truncate("test", Some("a"), None).unwrap(), 299);
    assert_eq!(count(&db, "a", 0..300), 0);
    assert_eq!(count(&db, "b", 0..200), 200);
    assert_eq!(count(&db, "c", 0..100), 100);
    assert_eq!(scan_count(&db, Some("a")), 0);
    assert_eq!(scan_count(&db, None), 300);
    let after = stats(&db);
    assert_eq!(after.objects, 300);
    assert!(
        after.disk_live_bytes < before.disk_live_bytes * 6 / 10,
        "live bytes {} -> {}",
        before.disk_live_bytes,
        after.disk_live_bytes
    );
    // A second truncate finds nothing.
    assert_eq!(db.truncate("test", Some("a"), None).unwrap(), 0);

    db.close().unwrap();
    let db = open(dir.path());
    assert_eq!(count(&db, "a", 0..300), 0);
    assert_eq!(count(&db, "b", 0..200), 200);
    assert_eq!(stats(&db).objects, 300);
    assert_eq!(stats(&db).disk_live_bytes, after.disk_live_bytes);
    // Further writes to other keys (same set and others), another restart.
    for i in 1000..1100 {
        put(&db, "a", i);
        put(&db, "b", i);
    }
    db.close().unwrap();
    let db = open(dir.path());
    assert_eq!(count(&db, "a", 0..300), 0, "a truncated record came back");
    assert_eq!(count(&db, "a", 1000..1100), 100);
    assert_eq!(count(&db, "b", 0..200), 200);
    assert_eq!(count(&db, "b", 1000..1100), 100);
    assert_eq!(scan_count(&db, Some("a")), 100);
    assert_eq!(stats(&db).objects, 500);
}

#[test]
fn writes_after_truncate_are_kept_and_truncated_keys_can_be_rewritten() {
    let dir = tempfile::tempdir().unwrap();
    // A manual clock that never moves: records written after the truncate at
    // the same instant must still be kept.
    let clock = Arc::new(ManualClock::new(at(T0)));
    let db = open_clock(dir.path(), &clock);
    populate(&db);
    assert_eq!(db.truncate("test", Some("b"), None).unwrap(), 200);
    // Rewrite some truncated keys and add new ones, same set.
    for i in 0..50 {
        put(&db, "b", i);
    }
    for i in 500..520 {
        put(&db, "b", i);
    }
    let r = db
        .get(&ReadPolicy::default(), &key("b", 7), Bins::All)
        .unwrap();
    assert_eq!(
        r.generation, 1,
        "a truncated record is gone: a rewrite starts over"
    );
    assert_eq!(r.bins["i"], Value::Int(7));
    assert_eq!(count(&db, "b", 0..200), 50);
    db.close().unwrap();

    let db = open_clock(dir.path(), &clock);
    assert_eq!(count(&db, "b", 0..50), 50);
    assert_eq!(count(&db, "b", 50..200), 0);
    assert_eq!(count(&db, "b", 500..520), 20);
    assert_eq!(count(&db, "a", 0..300), 300);
    let r = db
        .get(&ReadPolicy::default(), &key("b", 7), Bins::All)
        .unwrap();
    assert_eq!(r.generation, 1);
    assert_eq!(stats(&db).objects, 300 + 100 + 70);
    // A rewritten key truncated again goes away again, durably.
    assert_eq!(db.truncate("test", Some("b"), None).unwrap(), 70);
    put(&db, "b", 3);
    db.close().unwrap();
    let db = open_clock(dir.path(), &clock);
    assert_eq!(count(&db, "b", 0..600), 1);
    assert!(exists(&db, "b", 3));
}

#[test]
fn truncate_before_a_time_removes_only_older_records() {
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(ManualClock::new(at(T0)));
    let db = open_clock(dir.path(), &clock);
    for i in 0..100 {
        put(&db, "t", i);
        put(&db, "u", i);
    }
    clock.set(at(T0 + 100));
    // Overwrite 0..20 and add 100..150 after the cut-off.
    for i in (0..20).chain(100..150) {
        put(&db, "t", i);
    }
    clock.set(at(T0 + 200));
    // Exactly at a record's last-update time: not "before" it.
    assert_eq!(db.truncate("test", Some("t"), Some(at(T0))).unwrap(), 0);
    assert_eq!(
        db.truncate("test", Some("t"), Some(at(T0 + 50))).unwrap(),
        80
    );
    assert_eq!(count(&db, "t", 0..20), 20);
    assert_eq!(count(&db, "t", 20..100), 0);
    assert_eq!(count(&db, "t", 100..150), 50);
    assert_eq!(count(&db, "u", 0..100), 100);
    let r = db
        .get(&ReadPolicy::default(), &key("t", 5), Bins::All)
        .unwrap();
    assert_eq!(r.generation, 2);

    // In the future (by the database clock): ParameterError, nothing removed.
    let e = db
        .truncate("test", Some("t"), Some(at(T0 + 201)))
        .unwrap_err();
    assert!(matches!(e, Error::ParameterError(_)), "{e:?}");
    let e = db
        .truncate("test", None, Some(at(T0 + 10_000)))
        .unwrap_err();
    assert!(matches!(e, Error::ParameterError(_)), "{e:?}");
    assert_eq!(count(&db, "t", 0..150), 70);
    assert_eq!(count(&db, "u", 0..100), 100);
    // "now" itself is allowed and removes everything written so far.
    assert_eq!(
        db.truncate("test", Some("u"), Some(at(T0 + 200))).unwrap(),
        100
    );
    for i in 0..10 {
        put(&db, "u", i);
    }

    db.close().unwrap();
    let db = open_clock(dir.path(), &clock);
    assert_eq!(count(&db, "t", 0..20), 20);
    assert_eq!(count(&db, "t", 20..100), 0);
    assert_eq!(count(&db, "t", 100..150), 50);
    assert_eq!(count(&db, "u", 0..100), 10);
    let r = db
        .get(&ReadPolicy::default(), &key("t", 5), Bins::All)
        .unwrap();
    assert_eq!(r.generation, 2);
    assert_eq!(stats(&db).objects, 80);
}

#[test]
fn truncate_whole_namespace() {
    let dir = tempfile::tempdir().unwrap();
    let db = open(dir.path());
    populate(&db);
    db.put(&wp(), &as_key!("other", "a", 1), &[as_bin!("i", 1)])
        .unwrap();
    db.put(&wp(), &as_key!("test", "", 1), &[as_bin!("i", 1)])
        .unwrap();
    let before = stats(&db);
    assert_eq!(db.truncate("test", None, None).unwrap(), 601);
    assert_eq!(scan_count(&db, None), 0);
    let after = stats(&db);
    assert_eq!(after.objects, 0);
    assert!(
        after.disk_live_bytes < before.disk_live_bytes / 10,
        "{after:?}"
    );
    // Other namespaces are untouched.
    assert!(db
        .exists(&ReadPolicy::default(), &as_key!("other", "a", 1))
        .unwrap());
    // Unknown namespace or set: nothing to do.
    assert_eq!(db.truncate("nowhere", None, None).unwrap(), 0);
    assert_eq!(db.truncate("test", Some("never-written"), None).unwrap(), 0);
    put(&db, "c", 5);
    db.close().unwrap();

    let db = open(dir.path());
    assert_eq!(scan_count(&db, None), 1);
    assert!(exists(&db, "c", 5));
    assert_eq!(count(&db, "a", 0..300) + count(&db, "b", 0..200), 0);
    assert!(!db
        .exists(&ReadPolicy::default(), &as_key!("test", "", 1))
        .unwrap());
    assert_eq!(stats(&db).objects, 1);
    assert!(db
        .exists(&ReadPolicy::default(), &as_key!("other", "a", 1))
        .unwrap());
}

#[test]
fn invalid_namespace_name_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let db = open(dir.path());
    let e = db.truncate("", None, None).unwrap_err();
    assert!(
        matches!(e, Error::InvalidNamespace(_) | Error::ParameterError(_)),
        "{e:?}"
    );
}
