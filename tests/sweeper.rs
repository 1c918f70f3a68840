//! The TTL sweeper: `Db::sweep_expired` and the background maintenance thread
//! remove expired records, at a cost proportional to what expires, never
//! records whose TTL was extended, and removed records stay removed after a
//! restart. All time comes from a `ManualClock`.

use aerolite::*;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

mod common;
use common::*;

const NS: &str = "test";
const START_UNIX: u64 = 1_700_000_000;

fn clock() -> Arc<ManualClock> {
    clock_at(START_UNIX)
}

/// Options whose background thread only runs when a segment fills.
fn quiet(clock: &Arc<ManualClock>) -> Options {
    Options::default()
        .segment_size(64 * 1024)
        .clock(clock.clone())
        .sweep_interval(Duration::from_secs(3600))
}

fn key(i: i64) -> Key {
    as_key!(NS, "s", i)
}

fn put(db: &Db, p: &WritePolicy, i: i64, v: i64) {
    db.put(p, &key(i), &[as_bin!("v", v)]).unwrap();
}

fn get_v(db: &Db, i: i64) -> Option<i64> {
    match db.get(&ReadPolicy::default(), &key(i), Bins::All) {
        Ok(r) => match r.bins["v"] {
            Value::Int(v) => Some(v),
            ref other => panic!("key {i}: unexpected value {other:?}"),
        },
        Err(Error::KeyNotFound) => None,
        Err(e) => panic!("key {i}: {e}"),
    }
}

fn stats(db: &Db) -> NamespaceStats {
    ns_stats(db, NS)
}

fn advance(clock: &ManualClock, secs: u64) {
    clock.advance(Duration::from_secs(secs));
}

/// Polls `cond` every 5 ms until it holds; panics after `limit`.
fn wait_for(limit: Duration, what: &str, mut cond: impl FnMut() -> bool) {
    let start = Instant::now();
    while !cond() {
        assert!(start.elapsed() < limit, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(5));
    }
}

#[test]
fn sweep_expired_removes_exactly_the_expired_records() {
    let dir = tempfile::tempdir().unwrap();
    let clock = clock();
    let db = Db::open_with(dir.path(), quiet(&clock)).unwrap();
    for i in 0..50 {
        put(&db, &ttl(10), i, i);
    }
    for i in 50..80 {
        put(&db, &ttl(100), i, i);
    }
    for i in 80..100 {
        put(&db, &WritePolicy::default(), i, i);
    }
    let s0 = stats(&db);
    assert_eq!((s0.objects, s0.tombstones, s0.expired), (100, 0, 0));
    assert_eq!(db.sweep_expired().unwrap(), 0, "nothing is due yet");
    assert_eq!(stats(&db).sweep_examined, 0);

    advance(&clock, 10);
    // Expired records are gone for reads before any sweep...
    assert_eq!(get_v(&db, 0), None);
    assert_eq!(get_v(&db, 50), Some(50));
    // ...but still counted as objects until the sweeper removes them.
    assert_eq!(stats(&db).objects, 100);
    assert_eq!(db.sweep_expired().unwrap(), 50);
    let s1 = stats(&db);
    assert_eq!(
        (s1.objects, s1.tombstones, s1.expired, s1.sweep_examined),
        (50, 50, 50, 50)
    );
    assert_eq!(
        db.sweep_expired().unwrap(),
        0,
        "a second sweep finds nothing"
    );
    assert_eq!(stats(&db).sweep_examined, 50);

    advance(&clock, 90);
    assert_eq!(db.sweep_expired().unwrap(), 30);
    let s2 = stats(&db);
    assert_eq!(
        (s2.objects, s2.tombstones, s2.expired, s2.sweep_examined),
        (20, 80, 80, 80)
    );
    for i in 0..100 {
        assert_eq!(get_v(&db, i), (i >= 80).then_some(i), "key {i}");
    }
    // A swept record can be written again: a new record, generation 1.
    put(&db, &WritePolicy::default(), 3, 33);
    let r = db.get(&ReadPolicy::default(), &key(3), Bins::All).unwrap();
    assert_eq!((r.generation, r.expiration), (1, 0));
    let s3 = stats(&db);
    assert_eq!((s3.objects, s3.tombstones), (21, 79));
    db.close().unwrap();
}

#[test]
fn background_thread_sweeps_on_its_own() {
    let dir = tempfile::tempdir().unwrap();
    let clock = clock();
    let opts = quiet(&clock).sweep_interval(Duration::from_millis(10));
    let db = Db::open_with(dir.path(), opts).unwrap();
    for i in 0..200 {
        put(&db, &ttl(if i < 150 { 30 } else { 1000 }), i, i);
    }
    assert_eq!(stats(&db).expired, 0);
    assert_eq!(stats(&db).objects, 200);

    advance(&clock, 30);
    wait_for(Duration::from_secs(10), "the background sweep", || {
        stats(&db).expired == 150
    });
    let s = stats(&db);
    assert_eq!((s.objects, s.tombstones, s.expired), (50, 150, 150));
    assert!(s.sweep_examined >= 150, "{s:?}");
    for i in 0..200 {
        assert_eq!(get_v(&db, i), (i >= 150).then_some(i), "key {i}");
    }
    assert_eq!(
        db.sweep_expired().unwrap(),
        0,
        "nothing left for a manual sweep"
    );
    db.close().unwrap();
}

/// Writes `n` records without a TTL (tiny bins) and 10 with one; one sweep
/// after they expire examines exactly those 10 queue entries.
fn sweep_cost_with(n: i64) {
    let dir = tempfile::tempdir().unwrap();
    let clock = clock();
    // One segment holds everything, so no segment fills and the background
    // thread (interval one hour) never runs: the counts below are exact.
    let opts = quiet(&clock).segment_size(256 << 20);
    let db = Db::open_with(dir.path(), opts).unwrap();
    let w = WritePolicy::default();
    let started = Instant::now();
    for i in 0..n {
        db.put(&w, &key(i), &[as_bin!("v", 1)]).unwrap();
    }
    for i in n..n + 10 {
        put(&db, &ttl(60), i, i);
    }
    println!("wrote {} records in {:?}", n + 10, started.elapsed());
    let before = stats(&db);
    assert_eq!(before.objects, n as u64 + 10);
    assert_eq!(before.segments, 1, "the test needs a single segment");
    advance(&clock, 61);
    let t = Instant::now();
    assert_eq!(db.sweep_expired().unwrap(), 10);
    let took = t.elapsed();
    let after = stats(&db);
    println!(
        "sweep of 10 expiring among {n}: {took:?}, examined {}",
        after.sweep_examined
    );
    assert_eq!(after.sweep_examined - before.sweep_examined, 10);
    assert_eq!(after.expired, 10);
    assert_eq!(after.objects, n as u64);
    // A sweep with nothing due examines nothing at all.
    assert_eq!(db.sweep_expired().unwrap(), 0);
    assert_eq!(stats(&db).sweep_examined, after.sweep_examined);
    for i in [0, n / 2, n - 1] {
        assert_eq!(get_v(&db, i), Some(1));
    }
    for i in n..n + 10 {
        assert_eq!(get_v(&db, i), None);
    }
    drop(db);
}

#[test]
fn sweep_cost_is_proportional_to_expiring_records() {
    // About 4 s in the test profile.
    sweep_cost_with(1_000_000);
}

#[test]
fn extended_ttls_are_not_swept() {
    let dir = tempfile::tempdir().unwrap();
    let clock = clock();
    let db = Db::open_with(dir.path(), quiet(&clock)).unwrap();
    for i in 0..40 {
        put(&db, &ttl(10), i, i);
    }
    advance(&clock, 5);
    // 0..10: touched with a longer TTL; 10..20: overwritten with a longer
    // TTL; 20..30: overwritten to never expire; 30..40 left alone.
    for i in 0..10 {
        db.touch(&ttl(100), &key(i)).unwrap();
    }
    for i in 10..20 {
        put(&db, &ttl(100), i, i + 1000);
    }
    for i in 20..30 {
        let never = WritePolicy {
            expiration: Expiration::Never,
            ..WritePolicy::default()
        };
        put(&db, &never, i, i + 1000);
    }
    // A shortened TTL is honoured too: 40..45 get a TTL only now, earlier
    // than the others.
    for i in 40..45 {
        put(&db, &WritePolicy::default(), i, i);
        put(&db, &ttl(3), i, i);
    }
    advance(&clock, 5); // 10 s after the first writes: 30..45 expired.
    assert_eq!(db.sweep_expired().unwrap(), 15);
    for i in 0..45 {
        let want = match i {
            0..10 => Some(i),
            10..30 => Some(i + 1000),
            _ => None,
        };
        assert_eq!(get_v(&db, i), want, "key {i}");
    }
    let touched = db.get(&ReadPolicy::default(), &key(0), Bins::None).unwrap();
    assert_eq!(touched.generation, 2);
    advance(&clock, 100);
    assert_eq!(
        db.sweep_expired().unwrap(),
        20,
        "the extended ones expire later"
    );
    for i in 0..45 {
        assert_eq!(get_v(&db, i), (20..30).contains(&i).then_some(i + 1000));
    }
    let s = stats(&db);
    assert_eq!((s.objects, s.expired, s.tombstones), (10, 35, 35));
    db.close().unwrap();
}

fn open(dir: &Path, clock: &Arc<ManualClock>) -> Db {
    Db::open_with(dir, quiet(clock)).unwrap()
}

#[test]
fn swept_records_stay_gone_after_reopen() {
    let dir = tempfile::tempdir().unwrap();
    let clock = clock();
    {
        let db = open(dir.path(), &clock);
        // Enough data for several segments; half the records expire.
        for i in 0..600 {
            let p = if i % 2 == 0 {
                ttl(10)
            } else {
                WritePolicy::default()
            };
            db.put(
                &p,
                &key(i),
                &[as_bin!("v", i), as_bin!("pad", vec![7u8; 300])],
            )
            .unwrap();
        }
        advance(&clock, 11);
        assert_eq!(db.sweep_expired().unwrap(), 300);
        db.close().unwrap();
    }
    for round in 0..2 {
        let db = open(dir.path(), &clock);
        for i in 0..600 {
            assert_eq!(
                get_v(&db, i),
                (i % 2 == 1).then_some(i),
                "round {round} key {i}"
            );
        }
        // Rebuilt from disk, expired versions count as objects until swept
        // again (unless defragmentation already reclaimed them and dropped
        // their tombstones); sweeping again must not bring anything back.
        let s = stats(&db);
        assert!(s.objects >= 300 && s.objects + s.tombstones <= 600, "{s:?}");
        db.sweep_expired().unwrap();
        db.compact().unwrap();
        let s = stats(&db);
        assert_eq!(s.objects, 300, "{s:?}");
        for i in 0..600 {
            assert_eq!(
                get_v(&db, i),
                (i % 2 == 1).then_some(i),
                "round {round} key {i}"
            );
        }
        db.close().unwrap();
    }
}

/// Segments full of swept records must be reclaimed: the sweeper "reclaims
/// their space" (spec, "TTL and expiration").
#[test]
fn space_of_swept_records_is_reclaimed_by_compaction() {
    let dir = tempfile::tempdir().unwrap();
    let clock = clock();
    let db = open(dir.path(), &clock);
    for i in 0..1000 {
        db.put(
            &ttl(10),
            &key(i),
            &[as_bin!("v", i), as_bin!("pad", vec![1u8; 400])],
        )
        .unwrap();
    }
    let full = stats(&db);
    assert!(full.segments >= 6, "{full:?}");
    advance(&clock, 11);
    assert_eq!(db.sweep_expired().unwrap(), 1000);
    db.compact().unwrap();
    let s = stats(&db);
    println!("before {full:?}\nafter  {s:?}");
    assert_eq!(s.objects, 0);
    assert!(
        s.segments <= 2,
        "segments holding only expired records were not reclaimed: {} of {} remain, \
         disk_live_bytes {} (the expired records still count as live)",
        s.segments,
        full.segments,
        s.disk_live_bytes
    );
    db.close().unwrap();
}
