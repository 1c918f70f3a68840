//! The index snapshot (`index.snap`, docs/format.md "Index snapshot"): a
//! clean close writes it, the next open reads the index back from it, and a
//! snapshot that is missing, damaged, truncated, of another version or stale
//! is ignored: the open rebuilds the index and gives the same records.

use aerolite::*;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

mod common;
use common::*;

const SEG: u64 = 64 * 1024;
const N: i64 = 600;

fn options(clock: &Arc<ManualClock>) -> Options {
    Options::default()
        .segment_size(SEG)
        .background_maintenance(false)
        .clock(dyn_clock(clock))
}

fn clock() -> Arc<ManualClock> {
    clock_at(1_800_000_000)
}

fn ns_dir(dir: &Path) -> PathBuf {
    dir.join("namespaces").join("test")
}

fn snap_path(dir: &Path) -> PathBuf {
    ns_dir(dir).join("index.snap")
}

fn set_of(i: i64) -> &'static str {
    ["a", "b", ""][(i % 3) as usize]
}

fn key(i: i64) -> Key {
    as_key!("test", set_of(i), i)
}

/// Records in three sets, some stored keys, some TTLs, overwrites (higher
/// generations), deletes (tombstones) and touches, over several segments.
fn load(db: &Db, from: i64, to: i64) {
    let pad = "x".repeat(150);
    for i in from..to {
        let policy = WritePolicy {
            send_key: i % 2 == 0,
            expiration: match i % 5 {
                0 => Expiration::Seconds(1000 + i as u32),
                _ => Expiration::NamespaceDefault,
            },
            ..WritePolicy::default()
        };
        db.put(
            &policy,
            &key(i),
            &[as_bin!("v", i), as_bin!("pad", pad.as_str())],
        )
        .unwrap();
    }
    for i in (from..to).step_by(7) {
        db.put(&wp(), &key(i), &[as_bin!("v", i * 10)]).unwrap();
    }
    for i in (from..to).step_by(11) {
        db.delete(&wp(), &key(i)).unwrap();
    }
    for i in (from + 3..to).step_by(13) {
        let _ = db.touch(&ttl(5000), &key(i));
    }
}

/// A set member as a scan returns it: digest, generation, stored key.
type Member = (Vec<u8>, u32, Option<Value>);

/// Everything a reader can see: each key's record (bins, generation, void
/// time, stored key) and each set's members.
#[derive(Debug, PartialEq)]
struct State {
    records: BTreeMap<i64, Option<Record>>,
    sets: BTreeMap<String, Vec<Member>>,
}

fn state(db: &Db, upto: i64) -> State {
    let records = (0..upto)
        .map(|i| {
            let r = match db.get(&rp(), &key(i), Bins::All) {
                Ok(r) => Some(r),
                Err(Error::KeyNotFound) => None,
                Err(e) => panic!("get {i}: {e:?}"),
            };
            (i, r)
        })
        .collect();
    let mut sets = BTreeMap::new();
    for set in ["a", "b", ""] {
        let mut members: Vec<_> = db
            .scan("test", Some(set), Bins::All)
            .unwrap()
            .map(|r| {
                let r = r.unwrap();
                let k = r.key.clone().unwrap();
                (k.digest().0.to_vec(), r.generation, k.user_key().cloned())
            })
            .collect();
        members.sort_by(|a, b| a.0.cmp(&b.0));
        sets.insert(set.to_string(), members);
    }
    State { records, sets }
}

/// The statistics without the recovery report (which says how the index
/// was built, so it differs by design).
fn stats(db: &Db) -> NamespaceStats {
    let mut s = ns_stats(db, "test");
    s.recovery = RecoveryReport::default();
    s
}

/// What opening a copy of `dir` without its snapshot gives (the rebuild).
fn rebuilt(dir: &Path, clock: &Arc<ManualClock>, upto: i64) -> (State, NamespaceStats) {
    let tmp = tempfile::tempdir().unwrap();
    copy_dir(dir, tmp.path());
    let _ = std::fs::remove_file(snap_path(tmp.path()));
    let db = Db::open_with(tmp.path(), options(clock)).unwrap();
    let r = ns_stats(&db, "test").recovery;
    assert!(!r.index_from_snapshot && r.snapshot_entries == 0, "{r:?}");
    (state(&db, upto), stats(&db))
}

/// A database of `N` records closed cleanly (so with a snapshot).
fn fixture(clock: &Arc<ManualClock>) -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    let db = Db::open_with(tmp.path(), options(clock)).unwrap();
    load(&db, 0, N);
    db.close().unwrap();
    assert!(snap_path(tmp.path()).exists());
    tmp
}

#[test]
fn a_clean_close_is_reopened_from_the_snapshot_with_the_same_state() {
    let clock = clock();
    let tmp = fixture(&clock);
    let dir = tmp.path();
    let (want, want_stats) = rebuilt(dir, &clock, N);
    assert!(want_stats.segments >= 3, "{want_stats:?}");
    assert!(want_stats.tombstones > 0, "{want_stats:?}");

    let db = Db::open_with(dir, options(&clock)).unwrap();
    let r = ns_stats(&db, "test").recovery;
    assert!(r.index_from_snapshot, "{r:?}");
    assert_eq!(
        r.snapshot_entries,
        want_stats.objects + want_stats.tombstones
    );
    assert_eq!((r.entries, r.hinted_segments), (0, 0));
    assert_eq!(r.segments, want_stats.segments);
    // Gone before any write could make it stale.
    assert!(!snap_path(dir).exists());
    assert_eq!(state(&db, N), want);
    assert_eq!(stats(&db), want_stats);
    // Deleted records stay deleted, and the namespace takes writes as usual.
    assert!(matches!(
        db.get(&rp(), &key(11), Bins::All),
        Err(Error::KeyNotFound)
    ));
    load(&db, N, N + 200);
    let after = state(&db, N + 200);
    let after_stats = stats(&db);
    db.close().unwrap();

    // The next snapshot describes the new state, and so does the rebuild.
    let db = Db::open_with(dir, options(&clock)).unwrap();
    assert!(ns_stats(&db, "test").recovery.index_from_snapshot);
    assert_eq!(state(&db, N + 200), after);
    let snap_stats = stats(&db);
    // (The running database's shards had growth slack; reopened ones have none.)
    assert_eq!(
        without_index_bytes(snap_stats.clone()),
        without_index_bytes(after_stats)
    );
    drop(db);
    let (again, again_stats) = rebuilt(dir, &clock, N + 200);
    assert_eq!(again, after);
    assert_eq!(again_stats, snap_stats);
}

fn without_index_bytes(mut s: NamespaceStats) -> NamespaceStats {
    s.index_bytes = 0;
    s
}

/// The statistics that describe the data (not what happened since open).
fn data_stats(s: &NamespaceStats) -> (u64, u64, u64, u64, u64) {
    (
        s.objects,
        s.tombstones,
        s.disk_live_bytes,
        s.segments,
        s.capacity_used_bytes,
    )
}

#[test]
fn expiry_sweeps_and_truncations_survive_the_snapshot() {
    for (truncate, sweep) in [(true, false), (false, true), (true, true)] {
        let ctx = format!("truncate {truncate}, sweep {sweep}");
        let clock = clock();
        let tmp = fixture(&clock);
        let dir = tmp.path();
        let db = Db::open_with(dir, options(&clock)).unwrap();
        if truncate {
            db.truncate("test", Some("b"), None).unwrap();
        }
        if sweep {
            clock.advance(Duration::from_secs(1300));
            assert!(db.sweep_expired().unwrap() > 0, "{ctx}");
        }
        let before = state(&db, N);
        let before_stats = stats(&db);
        db.close().unwrap();
        let (want, want_stats) = rebuilt(dir, &clock, N);
        assert_eq!(want, before, "{ctx}");
        let db = Db::open_with(dir, options(&clock)).unwrap();
        assert!(ns_stats(&db, "test").recovery.index_from_snapshot, "{ctx}");
        assert_eq!(state(&db, N), before, "{ctx}");
        // The snapshot gives exactly the state of the close.
        assert_eq!(data_stats(&stats(&db)), data_stats(&before_stats), "{ctx}");
        if truncate && sweep {
            // The rebuild's one known difference, older than the snapshot:
            // a version both truncated and covered by the sweep mark comes
            // back as a tombstone (the mark is applied before the markers),
            // where the running database had removed it.
            let (mut a, mut b) = (stats(&db), want_stats.clone());
            assert!(b.tombstones >= a.tombstones, "{ctx}");
            (a.tombstones, b.tombstones, a.index_bytes, b.index_bytes) = (0, 0, 0, 0);
            assert_eq!(a, b, "{ctx}");
        } else if truncate {
            // The rebuild applied the markers by pruning its shards, which
            // leaves growth slack; the snapshot's shards have none.
            assert!(stats(&db).index_bytes <= want_stats.index_bytes, "{ctx}");
            assert_eq!(
                without_index_bytes(stats(&db)),
                without_index_bytes(want_stats),
                "{ctx}"
            );
        } else {
            assert_eq!(stats(&db), want_stats, "{ctx}");
        }
        if truncate {
            assert!(state(&db, N).sets["b"].is_empty(), "{ctx}");
        }
        // The expiry queue was rebuilt: what expires later is swept later.
        clock.advance(Duration::from_secs(10_000));
        assert!(db.sweep_expired().unwrap() > 0, "{ctx}");
        assert_eq!(
            state(&db, N).records.values().flatten().count() as u64,
            stats(&db).objects,
            "{ctx}"
        );
    }
}

/// Opens a copy of the fixture whose snapshot `spoil` changed, and checks
/// that it was ignored, deleted, and that the open gave the rebuilt state.
fn ignored_after(name: &str, spoil: impl FnOnce(&Path)) {
    let clock = clock();
    let tmp = fixture(&clock);
    let dir = tmp.path();
    let (want, want_stats) = rebuilt(dir, &clock, N);
    spoil(&snap_path(dir));
    let db = Db::open_with(dir, options(&clock)).unwrap();
    let r = ns_stats(&db, "test").recovery;
    assert!(!r.index_from_snapshot, "{name}: {r:?}");
    assert!(r.entries > 0, "{name}: {r:?}");
    assert!(!snap_path(dir).exists(), "{name}");
    assert_eq!(state(&db, N), want, "{name}");
    assert_eq!(stats(&db), want_stats, "{name}");
}

fn rewrite(path: &Path, f: impl FnOnce(&mut Vec<u8>)) {
    let mut b = std::fs::read(path).unwrap();
    f(&mut b);
    std::fs::write(path, b).unwrap();
}

/// Replaces the CRC at the end so that only the change itself is wrong.
fn fix_crc(b: &mut [u8]) {
    let n = b.len() - 4;
    let crc = crc32fast::hash(&b[..n]);
    b[n..].copy_from_slice(&crc.to_le_bytes());
}

#[test]
fn a_flipped_byte_anywhere_is_detected() {
    let len = std::fs::metadata(snap_path(fixture(&clock()).path()))
        .unwrap()
        .len() as usize;
    // Header, segment table, set names, shard counts, entries, the CRC.
    for at in [0, 9, 20, 50, 60, 130, 200, len / 2, len - 40, len - 1] {
        ignored_after(&format!("flip at {at}"), |p| rewrite(p, |b| b[at] ^= 0x10));
    }
}

#[test]
fn a_truncated_or_empty_snapshot_is_detected() {
    for keep in [0usize, 7, 56, 1000, 70_000] {
        ignored_after(&format!("cut to {keep}"), |p| {
            rewrite(p, |b| b.truncate(keep.min(b.len() - 1)))
        });
    }
    ignored_after("last byte cut", |p| {
        rewrite(p, |b| {
            b.pop();
        })
    });
    ignored_after("a byte added", |p| rewrite(p, |b| b.push(0)));
}

#[test]
fn a_snapshot_of_another_version_is_ignored() {
    for version in [0u32, 2, u32::MAX] {
        ignored_after(&format!("version {version}"), |p| {
            rewrite(p, |b| {
                b[8..12].copy_from_slice(&version.to_le_bytes());
                fix_crc(b);
            })
        });
    }
}

#[test]
fn a_consistent_but_wrong_entry_is_ignored() {
    // Valid CRC, but an entry pointing outside its segment's data.
    ignored_after("entry offset", |p| {
        rewrite(p, |b| {
            let n = b.len() - 4 - 36;
            b[n + 24..n + 28].copy_from_slice(&u32::MAX.to_le_bytes());
            fix_crc(b);
        })
    });
}

/// A stale snapshot: copied aside, then the database was opened, changed by
/// `change` and closed without a snapshot (as a crash would leave it), then
/// the old snapshot was put back.
fn stale_after(name: &str, change: impl FnOnce(&Db, &ManualClock)) {
    let clock = clock();
    let tmp = fixture(&clock);
    let dir = tmp.path();
    let old = tmp.path().join("old.snap");
    std::fs::copy(snap_path(dir), &old).unwrap();
    let db = Db::open_with(dir, options(&clock)).unwrap();
    change(&db, &clock);
    db.close().unwrap();
    std::fs::remove_file(snap_path(dir)).unwrap();
    let (want, want_stats) = rebuilt(dir, &clock, N + 50);
    std::fs::rename(&old, snap_path(dir)).unwrap();
    let db = Db::open_with(dir, options(&clock)).unwrap();
    let r = ns_stats(&db, "test").recovery;
    assert!(!r.index_from_snapshot, "{name}: {r:?}");
    assert!(!snap_path(dir).exists(), "{name}");
    assert_eq!(state(&db, N + 50), want, "{name}");
    assert_eq!(stats(&db), want_stats, "{name}");
}

#[test]
fn a_stale_snapshot_is_detected() {
    stale_after("one more record", |db, _| {
        db.put(&wp(), &key(N), &[as_bin!("v", 1)]).unwrap()
    });
    stale_after("many more records (new segments)", |db, _| {
        load(db, N, N + 50)
    });
    stale_after("a delete", |db, _| {
        assert!(db.delete(&wp(), &key(1)).unwrap());
    });
    stale_after("a touch", |db, _| db.touch(&wp(), &key(2)).unwrap());
    stale_after("deletes and a compaction", |db, _| {
        for i in 0..N / 2 {
            let _ = db.delete(&wp(), &key(i));
        }
        db.compact().unwrap();
    });
    stale_after("a sweep (only the sweep mark changes)", |db, clock| {
        clock.advance(Duration::from_secs(1300));
        assert!(db.sweep_expired().unwrap() > 0);
    });
}

#[test]
fn a_truncation_after_the_snapshot_still_applies() {
    // A truncation writes only its marker file: the old snapshot still
    // matches the segments, and the markers are applied to it at open.
    let clock = clock();
    let tmp = fixture(&clock);
    let dir = tmp.path();
    let old = tmp.path().join("old.snap");
    std::fs::copy(snap_path(dir), &old).unwrap();
    let db = Db::open_with(dir, options(&clock)).unwrap();
    db.truncate("test", Some("a"), None).unwrap();
    drop(db);
    std::fs::remove_file(snap_path(dir)).unwrap();
    let (want, want_stats) = rebuilt(dir, &clock, N);
    std::fs::rename(&old, snap_path(dir)).unwrap();
    let db = Db::open_with(dir, options(&clock)).unwrap();
    assert!(state(&db, N).sets["a"].is_empty());
    assert_eq!(state(&db, N), want);
    assert_eq!(stats(&db), want_stats);
}

#[test]
fn verify_on_open_ignores_and_deletes_the_snapshot() {
    let clock = clock();
    let tmp = fixture(&clock);
    let dir = tmp.path();
    let (want, _) = rebuilt(dir, &clock, N);
    let db = Db::open_with(dir, options(&clock).verify_on_open(true)).unwrap();
    assert!(!ns_stats(&db, "test").recovery.index_from_snapshot);
    assert!(!snap_path(dir).exists());
    assert_eq!(state(&db, N), want);
}

#[test]
fn a_snapshot_that_cannot_be_written_does_not_fail_the_close() {
    let clock = clock();
    let tmp = fixture(&clock);
    let dir = tmp.path();
    let db = Db::open_with(dir, options(&clock)).unwrap();
    load(&db, N, N + 50);
    let want = state(&db, N + 50);
    // The temporary file's name is taken by a directory: creating it fails.
    std::fs::create_dir(ns_dir(dir).join("index.snap.tmp")).unwrap();
    db.close().unwrap();
    assert!(!snap_path(dir).exists());
    std::fs::remove_dir(ns_dir(dir).join("index.snap.tmp")).unwrap();
    let db = Db::open_with(dir, options(&clock)).unwrap();
    assert!(!ns_stats(&db, "test").recovery.index_from_snapshot);
    assert_eq!(state(&db, N + 50), want);
}

#[test]
fn a_leftover_temporary_snapshot_is_removed_at_open() {
    let clock = clock();
    let tmp = fixture(&clock);
    let dir = tmp.path();
    std::fs::copy(snap_path(dir), ns_dir(dir).join("index.snap.tmp")).unwrap();
    let db = Db::open_with(dir, options(&clock)).unwrap();
    assert!(ns_stats(&db, "test").recovery.index_from_snapshot);
    assert!(!ns_dir(dir).join("index.snap.tmp").exists());
}

#[test]
fn an_empty_namespace_and_a_dropped_db_round_trip() {
    let clock = clock();
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let db = Db::open_with(dir, options(&clock)).unwrap();
    db.put(&wp(), &key(1), &[as_bin!("v", 1)]).unwrap();
    db.delete(&wp(), &key(1)).unwrap();
    // Drop closes like `close`.
    drop(db);
    assert!(snap_path(dir).exists());
    let db = Db::open_with(dir, options(&clock)).unwrap();
    let s = ns_stats(&db, "test");
    assert!(s.recovery.index_from_snapshot);
    assert_eq!(
        (s.objects, s.tombstones, s.recovery.snapshot_entries),
        (0, 1, 1)
    );
}
