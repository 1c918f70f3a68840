//! Races between maintenance and user calls that once corrupted the
//! bookkeeping (issue 8).

use aerolite::*;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

mod common;
use common::*;

fn open(dir: &Path, clock: &Arc<ManualClock>) -> Db {
    Db::open_with(
        dir,
        Options::default()
            .segment_size(1 << 20)
            .clock(dyn_clock(clock))
            .background_maintenance(false),
    )
    .unwrap()
}

/// Defect 3: a truncation and a sweep turning the same record into a
/// tombstone used to both account for it: the record count dropped twice
/// (the packed counter wrapped), the tombstone count stayed one too high and
/// live bytes were subtracted twice.
#[test]
fn truncate_racing_the_sweeper_counts_each_record_once() {
    const N: i64 = 20_000;
    let dir = tempfile::tempdir().unwrap();
    let clock = clock_at(2_000_000_000);
    let db = Arc::new(open(dir.path(), &clock));
    let wp = ttl(10);
    for round in 0..12i64 {
        for i in 0..N {
            db.put(&wp, &as_key!("test", "s", i), &[as_bin!("i", i)])
                .unwrap();
        }
        // A record without TTL keeps the namespace's bytes non-zero.
        db.put(
            &WritePolicy::default(),
            &as_key!("test", "keep", round),
            &[as_bin!("k", 1)],
        )
        .unwrap();
        clock.advance(Duration::from_secs(20));
        // The truncation prunes shard by shard while the sweeper turns the
        // same records into tombstones.
        let truncation = {
            let db = Arc::clone(&db);
            std::thread::spawn(move || db.truncate("test", Some("s"), None).unwrap())
        };
        std::thread::sleep(Duration::from_micros(300 * (round as u64 % 6)));
        let swept = db.sweep_expired().unwrap();
        let truncated = truncation.join().unwrap();
        let st = db.namespace_stats("test").unwrap();
        assert_eq!(
            st.objects,
            (round + 1) as u64,
            "round {round}: swept {swept}, truncated {truncated}: {st:?}"
        );
        assert!(
            swept + truncated <= N as u64,
            "round {round}: {swept} + {truncated}"
        );
        // Every record of set "s" is gone one way or the other.
        for i in (0..N).step_by(97) {
            assert!(!db
                .exists(&ReadPolicy::default(), &as_key!("test", "s", i))
                .unwrap());
        }
        assert!(
            st.disk_live_bytes > 0 && st.disk_live_bytes < 1 << 30,
            "{st:?}"
        );
    }
    let before = db.namespace_stats("test").unwrap();
    Arc::try_unwrap(db).ok().unwrap().close().unwrap();
    let db = open(dir.path(), &clock);
    let after = db.namespace_stats("test").unwrap();
    assert_eq!(after.objects, before.objects);
    assert_eq!(
        after.disk_live_bytes, before.disk_live_bytes,
        "{before:?} {after:?}"
    );
}
