//! `NamespaceStats` are exact through puts, overwrites, deletes, expiries,
//! sweeps and compactions, and as rebuilt after a reopen; `close()` is
//! prompt even while the background thread is busy.

use aerolite::*;
use std::sync::Arc;
use std::time::{Duration, Instant};

mod common;
use common::*;

const NS: &str = "test";
const SEG: u64 = 16 * 1024;
/// Header of a segment file.
const HDR: u64 = 64;
/// A record `[("v", int)]` in set "s": 64 + 1 + 13 bytes, padded to 80.
const SMALL: u64 = 80;
/// A tombstone in set "s": 64 + 1 bytes, padded to 72.
const TOMB: u64 = 72;

fn clock() -> Arc<ManualClock> {
    clock_at(1_700_000_000)
}

fn options(clock: &Arc<ManualClock>) -> Options {
    Options::default()
        .segment_size(SEG)
        .clock(clock.clone())
        .sweep_interval(Duration::from_secs(3600))
}

fn key(i: i64) -> Key {
    as_key!(NS, "s", i)
}

/// A record whose entry is exactly 1000 bytes (see docs/format.md).
fn kilo(v: i64) -> [Bin; 2] {
    [as_bin!("v", v), as_bin!("pad", vec![0u8; 913])]
}

fn stats(db: &Db) -> NamespaceStats {
    ns_stats(db, NS)
}

/// (objects, tombstones, expired, segments, disk_used_bytes)
fn summary(s: &NamespaceStats) -> (u64, u64, u64, u64, u64) {
    (
        s.objects,
        s.tombstones,
        s.expired,
        s.segments,
        s.disk_used_bytes,
    )
}

fn found(db: &Db, i: i64) -> bool {
    match db.get(&ReadPolicy::default(), &key(i), Bins::None) {
        Ok(_) => true,
        Err(Error::KeyNotFound) => false,
        Err(e) => panic!("{e}"),
    }
}

#[test]
fn stats_through_writes_deletes_expiry_sweeps_and_reopen() {
    let dir = tempfile::tempdir().unwrap();
    let clock = clock();
    let db = Db::open_with(dir.path(), options(&clock)).unwrap();
    let w = WritePolicy::default();
    assert_eq!(stats(&db), NamespaceStats::default(), "no data yet");

    for i in 0..10 {
        db.put(&w, &key(i), &[as_bin!("v", i)]).unwrap();
    }
    for i in 10..15 {
        db.put(&ttl(100), &key(i), &[as_bin!("v", i)]).unwrap();
    }
    let s = stats(&db);
    assert_eq!(summary(&s), (15, 0, 0, 1, SEG));
    assert_eq!(s.disk_live_bytes, 15 * SMALL);
    assert_eq!(s.capacity_used_bytes, HDR + 15 * SMALL);
    assert_eq!(s.evicted, 0);

    for i in 0..5 {
        db.put(&w, &key(i), &[as_bin!("v", i + 100)]).unwrap();
    }
    let s = stats(&db);
    assert_eq!(summary(&s), (15, 0, 0, 1, SEG), "overwrites add no object");
    assert_eq!(s.disk_live_bytes, 15 * SMALL);
    assert_eq!(s.capacity_used_bytes, HDR + 20 * SMALL);

    assert!(db.delete(&w, &key(5)).unwrap());
    assert!(db.delete(&w, &key(6)).unwrap());
    assert!(!db.delete(&w, &key(5)).unwrap());
    assert!(!db.delete(&w, &key(99)).unwrap());
    let s = stats(&db);
    assert_eq!(summary(&s), (13, 2, 0, 1, SEG));
    assert_eq!(s.disk_live_bytes, 13 * SMALL + 2 * TOMB);

    clock.advance(Duration::from_secs(100));
    assert!(!found(&db, 10));
    assert_eq!(
        summary(&stats(&db)),
        (13, 2, 0, 1, SEG),
        "expired but unswept: still objects"
    );
    assert_eq!(db.sweep_expired().unwrap(), 5);
    let s = stats(&db);
    assert_eq!(summary(&s), (8, 7, 5, 1, SEG));
    assert_eq!(s.sweep_examined, 5);

    // Recreating a deleted and an expired record.
    db.put(&w, &key(5), &[as_bin!("v", 5)]).unwrap();
    db.put(&w, &key(10), &[as_bin!("v", 10)]).unwrap();
    assert_eq!(summary(&stats(&db)), (10, 5, 5, 1, SEG));
    // Deleting an expired record the sweeper has not seen yet.
    db.put(&ttl(10), &key(15), &[as_bin!("v", 15)]).unwrap();
    clock.advance(Duration::from_secs(10));
    assert_eq!(summary(&stats(&db)), (11, 5, 5, 1, SEG));
    assert!(!db.delete(&w, &key(15)).unwrap());
    assert_eq!(summary(&stats(&db)), (10, 6, 5, 1, SEG));
    assert_eq!(
        db.sweep_expired().unwrap(),
        0,
        "a deleted record is not expired again"
    );
    let before_close = stats(&db);
    db.close().unwrap();

    // Rebuilt: live records, on-disk tombstones (5: deleted; 15: deleted
    // after expiring) and the swept records 11..14, which the recorded sweep
    // mark turns into tombstones again: the same counts as before the close.
    let db = Db::open_with(dir.path(), options(&clock)).unwrap();
    let s = stats(&db);
    assert_eq!(summary(&s), (10, 6, 0, 1, SEG), "{s:?}");
    assert_eq!(s.recovery.segments, 1);
    assert_eq!(
        s.recovery.hinted_segments, 0,
        "the active segment is always walked"
    );
    assert_eq!(s.capacity_used_bytes, before_close.capacity_used_bytes);
    assert_eq!(s.sweep_examined, 0);
    for i in 11..15 {
        assert!(!found(&db, i), "expired record {i} is back");
    }
    assert_eq!(db.sweep_expired().unwrap(), 0, "nothing left to sweep");
    let s = stats(&db);
    assert_eq!(summary(&s), (10, 6, 0, 1, SEG));
    for i in 0..16 {
        assert_eq!(
            found(&db, i),
            ![6, 11, 12, 13, 14, 15].contains(&i),
            "key {i}"
        );
    }
    db.close().unwrap();
}

#[test]
fn stats_through_compaction_and_reopen() {
    let dir = tempfile::tempdir().unwrap();
    let clock = clock();
    let db = Db::open_with(dir.path(), options(&clock)).unwrap();
    let w = WritePolicy::default();
    // Segment 1: 0..8 and 12..16 without TTL, 8..12 with one.
    for i in 0..16 {
        let p = if (8..12).contains(&i) {
            ttl(100)
        } else {
            w.clone()
        };
        db.put(&p, &key(i), &kilo(i)).unwrap();
    }
    let s = stats(&db);
    assert_eq!(summary(&s), (16, 0, 0, 1, SEG));
    assert_eq!(s.disk_live_bytes, 16_000);
    assert_eq!(s.capacity_used_bytes, HDR + 16_000);
    db.put(&w, &key(16), &kilo(16)).unwrap(); // starts segment 2
    let s = stats(&db);
    assert_eq!(summary(&s), (17, 0, 0, 2, 2 * SEG));
    assert_eq!(s.capacity_used_bytes, SEG + HDR + 1000);
    common::wait_hinted(&dir.path().join("namespaces").join(NS), 1);

    clock.advance(Duration::from_secs(100));
    assert_eq!(db.sweep_expired().unwrap(), 4);
    assert_eq!(summary(&stats(&db)), (13, 4, 4, 2, 2 * SEG));
    // Overwrite all of segment 1 but 15 and the swept 8..12; delete 16.
    for i in (0..8).chain(12..15) {
        db.put(&w, &key(i), &kilo(i + 100)).unwrap();
    }
    assert!(db.delete(&w, &key(16)).unwrap());
    assert_eq!(summary(&stats(&db)), (12, 5, 4, 2, 2 * SEG));

    let c = db.compact().unwrap();
    // 15 moves; the swept records' tombstones lie in the oldest segment, so
    // nothing older can exist: dropped. 16's tombstone stays (active segment).
    assert_eq!(
        c,
        CompactStats {
            segments_compacted: 1,
            entries_moved: 1,
            tombstones_dropped: 4,
            bytes_reclaimed: SEG,
        }
    );
    let s = stats(&db);
    assert_eq!(summary(&s), (12, 1, 4, 1, SEG));
    assert_eq!(s.disk_live_bytes, 12 * 1000 + TOMB);
    assert_eq!(s.capacity_used_bytes, HDR + 13 * 1000 + TOMB);
    assert_eq!(db.compact().unwrap(), CompactStats::default());
    db.close().unwrap();

    let db = Db::open_with(dir.path(), options(&clock)).unwrap();
    let s = stats(&db);
    assert_eq!(summary(&s), (12, 1, 0, 1, SEG), "{s:?}");
    assert_eq!(s.disk_live_bytes, 12 * 1000 + TOMB);
    // From the index snapshot of the clean close: 12 records, 1 tombstone.
    assert_eq!((s.recovery.segments, s.recovery.snapshot_entries), (1, 13));
    for i in 0..17 {
        assert_eq!(found(&db, i), !(8..12).contains(&i) && i != 16, "key {i}");
    }
    // Two more segments; at close every sealed one gets its hint, and the
    // next open reads the hints instead of the data.
    for i in 100..132 {
        db.put(&w, &key(i), &kilo(i)).unwrap();
    }
    let before = stats(&db);
    assert_eq!(before.segments, 3);
    db.close().unwrap();
    let db = Db::open_with(dir.path(), options(&clock)).unwrap();
    let s = stats(&db);
    assert_eq!(summary(&s), summary(&before));
    assert_eq!(s.disk_live_bytes, before.disk_live_bytes);
    assert!(s.recovery.index_from_snapshot);
    db.close().unwrap();
    // Without the index snapshot (as after a crash), the hints serve.
    std::fs::remove_file(dir.path().join("namespaces/test/index.snap")).unwrap();
    let db = Db::open_with(dir.path(), options(&clock)).unwrap();
    let s = stats(&db);
    assert_eq!(summary(&s), summary(&before));
    assert_eq!(s.disk_live_bytes, before.disk_live_bytes);
    assert_eq!((s.recovery.segments, s.recovery.hinted_segments), (3, 2));
    db.close().unwrap();
}

/// `close()` stops the background thread promptly even in the middle of a
/// large sweep and defragmentation.
#[test]
fn close_is_prompt_while_the_background_thread_is_busy() {
    let dir = tempfile::tempdir().unwrap();
    let clock = clock();
    let opts = Options::default()
        .segment_size(1 << 20)
        .clock(clock.clone())
        .sweep_interval(Duration::from_millis(1));
    let db = Db::open_with(dir.path(), opts.clone()).unwrap();
    let w = WritePolicy::default();
    const N: i64 = 300_000;
    for i in 0..N {
        db.put(&ttl(10), &key(i), &[as_bin!("v", i)]).unwrap();
    }
    // Overwrite 60 % so that every segment written so far is worth
    // defragmenting (40 % live), and let every TTL record expire.
    for i in (0..N).filter(|i| i % 5 < 3) {
        db.put(&w, &key(i), &[as_bin!("v", -i)]).unwrap();
    }
    clock.advance(Duration::from_secs(11));
    // Give the thread a moment to get going, then close mid-work.
    let start = Instant::now();
    while stats(&db).expired == 0 && start.elapsed() < Duration::from_secs(5) {
        std::thread::sleep(Duration::from_millis(1));
    }
    let busy = stats(&db);
    let t = Instant::now();
    db.close().unwrap();
    let took = t.elapsed();
    println!(
        "close took {took:?}; at close: expired {} of {}, {} segments",
        busy.expired,
        N * 2 / 5,
        busy.segments
    );
    assert!(took < Duration::from_secs(1), "close took {took:?}");

    let db = Db::open_with(dir.path(), opts.sweep_interval(Duration::from_secs(3600))).unwrap();
    for i in (0..N).step_by(997) {
        let r = db.get(&ReadPolicy::default(), &key(i), Bins::All);
        if i % 5 < 3 {
            assert_eq!(r.unwrap().bins["v"], Value::Int(-i), "key {i}");
        } else {
            assert!(
                matches!(r, Err(Error::KeyNotFound)),
                "key {i} should have expired"
            );
        }
    }
    db.close().unwrap();
}
