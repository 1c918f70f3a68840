//! Fault injection (docs/format.md, "Writing and the fsync protocol"): every
//! file operation on the path of each kind of write is made to fail in turn,
//! with EIO and with ENOSPC, through `aerolite::FaultInjector`.
//!
//! For each operation (put Buffered/Sync, delete, touch, operate, truncate,
//! compact, close) the path is discovered with `FaultInjector::count`, then
//! for every file operation on it, on a fresh database:
//! - the call fails, and unless the database is poisoned it changed nothing
//!   visible (bins, generation, `stats.objects`);
//! - a failed msync (`FileOp::Flush`) or directory fsync of a new segment
//!   poisons: every later write fails with `Error::Poisoned`, reads work;
//! - ENOSPC when a segment is created is `Error::StopWrites` (code 8);
//! - after clearing the fault and reopening, every acknowledged write is
//!   intact.
//!
//! Records are ~1 KiB and segments 16 KiB, and the fixture leaves the active
//! segment full, so every record write starts a new segment.

#[path = "faults/fixture.rs"]
mod fixture;

use aerolite::{as_bin, Db, Durability, Error, FileOp, ReadPolicy, WritePolicy};
use fixture::*;
use std::sync::Arc;

/// Whether failing the `k`-th `op` of `kind`'s path must poison the
/// database (`None`: not specified).
fn must_poison(kind: Kind, op: FileOp, k: u64) -> Option<bool> {
    match kind {
        Kind::Put(_) | Kind::Delete(_) | Kind::Touch(_) | Kind::Operate(_) => Some(match op {
            // msync of the written entry.
            FileOp::Flush => true,
            // #0: fsync of the new segment's header (the segment is removed
            // again); #1: fsync of the directory after creating it.
            FileOp::Sync => k >= 1,
            _ => false,
        }),
        // The copies' msync must succeed before the old segment goes.
        Kind::Compact => (op == FileOp::Flush).then_some(true),
        Kind::Truncate | Kind::Close => None,
    }
}

/// Runs `kind` once without faults: its file operations and what it changes.
fn discover(kind: Kind) -> (Vec<(FileOp, u64)>, State) {
    let mut fx = Fixture::new(kind);
    let faults = Arc::clone(&fx.faults);
    let mut result = None;
    let path = count_ops(&faults, || result = Some(fx.perform(kind)));
    let changed = result
        .unwrap()
        .expect("without faults the operation succeeds");
    assert!(!path.is_empty(), "{kind:?} performs no file operation");
    (path, changed)
}

/// Fails the `k`-th `op` of `kind`'s path with `errno` and checks the
/// outcome. Returns whether the operation failed.
fn check_point(kind: Kind, intended: &State, op: FileOp, k: u64, errno: i32) -> bool {
    let ctx = format!("{kind:?}: {op:?} #{k} failing with errno {errno}");
    let mut fx = Fixture::new(kind);
    let before = fx.snapshot();
    let objects = fx.objects();
    fx.faults.fail(Some(op), k, 1, errno);
    let result = fx.perform(kind);
    let hit = fx.faults.pending() == 0;
    fx.faults.clear();
    let err = match result {
        Ok(changed) => {
            // Only a close may succeed through a failure: of its optional
            // work (hint files), after the data was made durable.
            assert!(
                !hit || kind == Kind::Close,
                "{ctx}: succeeded through the failure"
            );
            fx.acked.extend(changed);
            let acked = fx.acked.clone();
            assert_eq!(
                fx.reopen(),
                acked,
                "{ctx}: acknowledged writes after reopen"
            );
            return hit;
        }
        Err(e) => e,
    };
    assert!(
        hit,
        "{ctx}: failed without the failure being injected: {err:?}"
    );
    // (A truncate creates only its marker file, not a segment.)
    let creating = matches!(op, FileOp::Create | FileOp::Allocate) && kind != Kind::Truncate;
    if errno == ENOSPC && creating {
        assert!(matches!(err, Error::StopWrites { .. }), "{ctx}: {err:?}");
        assert_eq!(err.result_code() as i32, 8, "{ctx}");
    } else {
        assert!(
            matches!(
                err,
                Error::Io(_) | Error::Poisoned { .. } | Error::StopWrites { .. }
            ),
            "{ctx}: unexpected error {err:?}"
        );
    }

    let mut in_doubt = false;
    if fx.db.is_some() {
        let after = fx.snapshot();
        let objects_after = fx.objects();
        let poisoned = fx.poisoned();
        match must_poison(kind, op, k) {
            Some(expected) => assert_eq!(poisoned, expected, "{ctx}: poisoned? ({err:?})"),
            None => eprintln!("{ctx}: {err}; poisoned: {poisoned}"),
        }
        if poisoned {
            // The entry may already be written and visible: the call is
            // in doubt, old or new state, and nothing else moved.
            in_doubt = true;
            for (key, now) in &after {
                let old = &before[key];
                let new = intended.get(key).unwrap_or(old);
                assert!(now == old || now == new, "{ctx}: {key:?} reads {now:?}");
            }
        } else {
            assert_eq!(after, before, "{ctx}: a failed call changed records");
            assert_eq!(
                objects_after, objects,
                "{ctx}: a failed call changed stats.objects"
            );
        }
    }
    // Metadata replaced by rename is in doubt once the rename is done.
    in_doubt |= kind == Kind::Truncate && op == FileOp::Sync && k >= 1;

    let reopened = fx.reopen();
    if reopened != fx.acked {
        eprintln!("{ctx}: the failed call took effect after reopen");
    }
    for (key, now) in &reopened {
        let acked = &fx.acked[key];
        let new = intended.get(key).unwrap_or(acked);
        assert!(
            now == acked || (in_doubt && now == new),
            "{ctx}: after reopen {key:?} reads {now:?}, acknowledged {acked:?}"
        );
    }
    true
}

fn exercise(kind: Kind) {
    let (path, intended) = discover(kind);
    eprintln!("{kind:?}: file operations {path:?}");
    for &(op, n) in &path {
        for k in 0..n {
            let mut failed = false;
            for errno in [EIO, ENOSPC] {
                failed |= check_point(kind, &intended, op, k, errno);
            }
            // The fixture runs without the background thread, so every file
            // operation on the path is the call's own (a close succeeds
            // through failures of its hint files).
            assert!(failed, "{kind:?}: failing {op:?} #{k} was never reached");
        }
    }
}

#[test]
fn put_buffered_failure_points() {
    exercise(Kind::Put(Durability::Buffered));
}

#[test]
fn put_sync_failure_points() {
    exercise(Kind::Put(Durability::Sync));
}

#[test]
fn delete_failure_points() {
    exercise(Kind::Delete(Durability::Buffered));
    exercise(Kind::Delete(Durability::Sync));
}

#[test]
fn touch_failure_points() {
    exercise(Kind::Touch(Durability::Sync));
}

#[test]
fn operate_failure_points() {
    exercise(Kind::Operate(Durability::Sync));
}

#[test]
fn truncate_failure_points() {
    exercise(Kind::Truncate);
}

#[test]
fn compact_failure_points() {
    exercise(Kind::Compact);
}

#[test]
fn close_failure_points() {
    exercise(Kind::Close);
}

/// A full file system stops writes that need a new segment with
/// `StopWrites`; writes resume, without a reopen, once space is back.
#[test]
fn enospc_stops_writes_until_space_returns() {
    let mut fx = Fixture::new(Kind::Put(Durability::Buffered));
    fx.faults.fail(Some(FileOp::Allocate), 0, u64::MAX, ENOSPC);
    let wp = WritePolicy::default();
    for i in 0..5 {
        let r = fx
            .db()
            .put(&wp, &key(100 + i), &[as_bin!("p", vec![1u8; 4000])]);
        assert!(
            matches!(r, Err(Error::StopWrites { capacity: 0, .. })),
            "{r:?}"
        );
        assert_eq!(read(fx.db(), &key(100 + i)), None);
    }
    // Reads and deletes of what is there still work.
    assert_eq!(read(fx.db(), &key(TARGET)), fx.acked[&key(TARGET)]);
    assert_eq!(fx.faults.count(FileOp::Allocate), 5);
    fx.faults.clear();
    fx.db().put(&wp, &key(100), &[as_bin!("p", 1)]).unwrap();
    fx.acked.insert(key(100), read(fx.db(), &key(100)));
    let acked = fx.acked.clone();
    assert_eq!(fx.reopen(), acked);
}

/// A failed msync poisons the namespace until reopen; reads keep working
/// and the reopened database accepts writes again.
#[test]
fn failed_msync_poisons_until_reopen() {
    let mut fx = Fixture::new(Kind::Put(Durability::Sync));
    let sync = policy(Durability::Sync);
    fx.faults.fail(Some(FileOp::Flush), 0, 1, EIO);
    let r = fx.db().put(&sync, &key(200), &[as_bin!("v", 1)]);
    assert!(matches!(r, Err(Error::Poisoned { .. })), "{r:?}");
    fx.faults.clear();
    // Later writes fail though the disk is fine again; reads work.
    assert!(fx.poisoned());
    let r = fx.db().put(&sync, &key(201), &[as_bin!("v", 1)]);
    assert!(
        matches!(r, Err(Error::Poisoned { ref message }) if message.contains("I/O")),
        "{r:?}"
    );
    assert_eq!(read(fx.db(), &key(TARGET)), fx.acked[&key(TARGET)]);
    assert!(fx.db().exists(&ReadPolicy::default(), &key(0)).unwrap());
    let acked = fx.acked.clone();
    let reopened = fx.reopen();
    for (k, v) in &acked {
        assert_eq!(&reopened[k], v, "{k:?}");
    }
    fx.db().put(&sync, &key(201), &[as_bin!("v", 2)]).unwrap();
}

/// Regression (found by this file): a Sync put whose msync failed returned
/// an error, but its new version was already in the index, so readers of the
/// poisoned database saw a write that had failed. Sync writes now reach the
/// index only after their flush. After a reopen the write is "in doubt": its
/// bytes may or may not have reached the disk, so the record is either the
/// old or the new version, never anything else.
#[test]
fn failed_sync_put_changes_nothing_visible() {
    let mut fx = Fixture::new(Kind::Put(Durability::Sync));
    let generation = |db: &aerolite::Db| read(db, &key(TARGET)).map(|r| r.1);
    let before = generation(fx.db());
    assert_eq!(before, Some(1));
    fx.faults.fail(Some(FileOp::Flush), 0, 1, EIO);
    let r = fx.db().put(
        &policy(Durability::Sync),
        &key(TARGET),
        &[as_bin!("v", 777)],
    );
    assert!(matches!(r, Err(Error::Poisoned { .. })), "{r:?}");
    assert_eq!(generation(fx.db()), before, "the failed put is visible");
    assert!(fx.poisoned());
    let after = fx.reopen();
    let g = after[&key(TARGET)].as_ref().map(|r| r.1);
    assert!(g == before || g == Some(2), "in-doubt write became {g:?}");
}

/// Regression (found by this file): a truncate whose directory fsync (after
/// the markers file was renamed into place) failed returned an error without
/// poisoning, and the truncation then took effect at the next open. Now such
/// a failure poisons the namespace (the outcome is in doubt until reopen):
/// nothing changes in this process, and after the reopen the set is either
/// wholly truncated or wholly intact.
#[test]
fn failed_truncate_is_all_or_nothing_and_poisons() {
    let mut fx = Fixture::new(Kind::Truncate);
    fx.faults.fail(Some(FileOp::Sync), 1, 1, EIO);
    let r = fx.db().truncate("test", Some("s"), None);
    assert!(matches!(r, Err(Error::Io(_))), "{r:?}");
    assert!(fx.poisoned());
    assert!(
        read(fx.db(), &key(0)).is_some(),
        "readable after the failed truncate"
    );
    let acked = fx.acked.clone();
    let reopened = fx.reopen();
    let intact = acked.iter().all(|(k, v)| &reopened[k] == v);
    let truncated = acked.keys().all(|k| reopened[k].is_none());
    assert!(intact || truncated, "partly truncated: {reopened:?}");
}

/// Regression (issue 8, defect 13): on a full disk, `close` failed with
/// ENOSPC because the optional hint files could not be written, and skipped
/// its final sync. Now it syncs first and a hint it cannot write is only
/// logged: the close succeeds and every write is there.
#[test]
fn close_on_a_full_disk_skips_hints_but_syncs_and_succeeds() {
    let mut fx = Fixture::new(Kind::Close);
    fx.faults.fail(Some(FileOp::Write), 0, u64::MAX, ENOSPC);
    fx.db.take().unwrap().close().unwrap();
    assert!(fx.faults.pending() < u64::MAX, "no hint file was attempted");
    let acked = fx.acked.clone();
    assert_eq!(fx.reopen(), acked);
}

/// Regression (issue 8, defect 13): a write that needs a new namespace on a
/// full disk returned `Error::Io` (code 1) instead of `StopWrites` (code 8)
/// and left an empty namespace directory behind. Every file operation of
/// the namespace creation is failed in turn with ENOSPC.
#[test]
fn write_needing_a_new_namespace_on_a_full_disk_is_stop_writes_and_leaves_nothing() {
    for op in FileOp::ALL {
        let mut fx = Fixture::new(Kind::Put(Durability::Buffered));
        let ns_dir = fx.dir.path().join("namespaces").join("fresh");
        fx.faults.fail(Some(op), 0, u64::MAX, ENOSPC);
        let k = aerolite::as_key!("fresh", "s", 1);
        match fx.db().put(&WritePolicy::default(), &k, &[as_bin!("v", 1)]) {
            Ok(()) => assert_eq!(fx.faults.pending(), u64::MAX, "{op:?}"),
            Err(e) => {
                assert!(matches!(e, Error::StopWrites { .. }), "{op:?}: {e:?}");
                assert_eq!(e.result_code() as i32, 8, "{op:?}");
                assert!(
                    !ns_dir.exists(),
                    "{op:?}: the failed creation left {ns_dir:?}"
                );
                assert!(!fx.db().namespaces().contains(&"fresh".to_string()));
            }
        }
        let acked = fx.acked.clone();
        let reopened = fx.reopen();
        assert_eq!(reopened, acked, "{op:?}");
    }
}

/// Regression (issue 8, defect 13): a namespace directory left empty, or
/// holding only a segment that was never written, made open create a
/// segment in it, so the database did not open on a full disk. Such a
/// directory holds nothing: open removes it.
#[test]
fn open_tolerates_an_empty_or_half_created_namespace_directory() {
    let dir = tempfile::tempdir().unwrap();
    Db::open_with(dir.path(), options(None))
        .unwrap()
        .close()
        .unwrap();
    let ns = dir.path().join("namespaces");
    std::fs::create_dir(ns.join("empty")).unwrap();
    std::fs::create_dir(ns.join("half")).unwrap();
    std::fs::write(
        ns.join("half").join("00000001.seg"),
        vec![0u8; SEG as usize],
    )
    .unwrap();
    let faults = aerolite::FaultInjector::new();
    faults.fail(Some(FileOp::Allocate), 0, u64::MAX, ENOSPC);
    let db = Db::open_with(dir.path(), options(Some(&faults))).unwrap();
    assert!(db.namespaces().is_empty(), "{:?}", db.namespaces());
    assert!(!ns.join("empty").exists() && !ns.join("half").exists());
    let r = db.put(
        &WritePolicy::default(),
        &aerolite::as_key!("half", "s", 1),
        &[as_bin!("v", 1)],
    );
    assert!(matches!(r, Err(Error::StopWrites { .. })), "{r:?}");
    db.close().unwrap();
}

/// The index snapshot is the last thing a close writes (docs/format.md,
/// fsync protocol item 16). Each of its file operations fails in turn, with
/// EIO and with ENOSPC: the close still succeeds, no temporary file is
/// left, a snapshot exists only when it was renamed into place, and the next
/// open gives every acknowledged write (from the snapshot, or rebuilt).
#[test]
fn every_failure_of_the_index_snapshot_leaves_a_close_that_succeeds() {
    let (path, _) = discover(Kind::Close);
    let n = |op: FileOp| path.iter().find(|p| p.0 == op).map_or(0, |p| p.1);
    // Its temporary file's creation, its two writes (body, then CRC), its
    // fsync, the rename, the directory's fsync (the close's last ones).
    let points = [
        (FileOp::Create, n(FileOp::Create) - 1, false),
        (FileOp::Write, n(FileOp::Write) - 2, false),
        (FileOp::Write, n(FileOp::Write) - 1, false),
        (FileOp::Sync, n(FileOp::Sync) - 2, false),
        (FileOp::Rename, n(FileOp::Rename) - 1, false),
        (FileOp::Sync, n(FileOp::Sync) - 1, true),
    ];
    for (op, k, renamed) in points {
        for errno in [EIO, ENOSPC] {
            let ctx = format!("{op:?} #{k} failing with {errno}");
            let mut fx = Fixture::new(Kind::Close);
            fx.faults.fail(Some(op), k, 1, errno);
            let changed = fx.perform(Kind::Close).unwrap();
            assert_eq!(fx.faults.pending(), 0, "{ctx}: not hit");
            let ns = fx.dir.path().join("namespaces").join("test");
            assert!(!ns.join("index.snap.tmp").exists(), "{ctx}");
            assert_eq!(ns.join("index.snap").exists(), renamed, "{ctx}");
            fx.acked.extend(changed);
            let acked = fx.acked.clone();
            assert_eq!(fx.reopen(), acked, "{ctx}");
            let rec = fx.db().namespace_stats("test").unwrap().recovery;
            assert_eq!(rec.index_from_snapshot, renamed, "{ctx}: {rec:?}");
        }
    }
}

/// Open deletes the snapshot before the namespace can take a write; if it
/// cannot, the open fails (a snapshot left behind could go stale), and the
/// snapshot, still describing the directory, serves the next open.
#[test]
fn an_open_that_cannot_delete_the_index_snapshot_fails() {
    let dir = tempfile::tempdir().unwrap();
    let db = Db::open_with(dir.path(), options(None)).unwrap();
    for i in 0..BASE {
        db.put(&WritePolicy::default(), &key(i), &[as_bin!("v", i)])
            .unwrap();
    }
    let want: Vec<_> = (0..BASE).map(|i| read(&db, &key(i))).collect();
    db.close().unwrap();
    let snap = dir
        .path()
        .join("namespaces")
        .join("test")
        .join("index.snap");
    let faults = aerolite::FaultInjector::new();
    faults.fail(Some(FileOp::Remove), 0, 1, EIO);
    let r = Db::open_with(dir.path(), options(Some(&faults)));
    assert!(matches!(r, Err(Error::Io(_))), "{r:?}");
    assert!(snap.exists());
    let db = Db::open_with(dir.path(), options(None)).unwrap();
    assert!(
        db.namespace_stats("test")
            .unwrap()
            .recovery
            .index_from_snapshot
    );
    assert!(!snap.exists());
    let got: Vec<_> = (0..BASE).map(|i| read(&db, &key(i))).collect();
    assert_eq!(got, want);
}
