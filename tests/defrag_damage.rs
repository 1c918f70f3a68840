//! Defragmentation meets what it cannot simply copy: damaged entries that
//! the index still points at, and entries larger than today's segments.

use aerolite::*;
use std::path::{Path, PathBuf};

mod common;

const SEG: u64 = 64 * 1024;

fn options(seg: u64) -> Options {
    Options::default()
        .segment_size(seg)
        .background_maintenance(false)
}

fn key(name: &str) -> Key {
    as_key!("test", "s", name)
}

fn put(db: &Db, k: &Key, v: i64) {
    db.put(
        &WritePolicy::default(),
        k,
        &[as_bin!("v", v), as_bin!("pad", vec![1u8; 900])],
    )
    .unwrap();
}

fn get(db: &Db, k: &Key) -> Result<Option<i64>> {
    match db.get(&ReadPolicy::default(), k, Bins::All) {
        Ok(r) => match r.bins["v"] {
            Value::Int(v) => Ok(Some(v)),
            ref other => panic!("{other:?}"),
        },
        Err(Error::KeyNotFound) => Ok(None),
        Err(e) => Err(e),
    }
}

fn segments(db: &Db) -> u64 {
    db.namespace_stats("test").unwrap().segments
}

/// Puts records `{prefix}0`, `{prefix}1`, ... (value = index) until the
/// namespace has `n` segments; returns how many it put.
fn fill_until_segments(db: &Db, n: u64, prefix: &str) -> i64 {
    let mut i = 0;
    while segments(db) < n {
        put(db, &key(&format!("{prefix}{i}")), i);
        i += 1;
    }
    i
}

fn seg_path(dir: &Path, id: u32) -> PathBuf {
    dir.join("namespaces/test").join(format!("{id:08}.seg"))
}

/// Breaks the CRC of every entry of `digest` in segment file `path`.
fn damage_entries_of(path: &Path, digest: &Digest) -> usize {
    let mut bytes = std::fs::read(path).unwrap();
    let mut hits = 0;
    let mut at = 64;
    while at + 64 <= bytes.len() {
        // An entry starts at a multiple of 8 with its digest at +40.
        if bytes[at + 4..at + 8] == 0x4C45_4E54u32.to_le_bytes()
            && bytes[at + 40..at + 60] == digest.0
        {
            bytes[at] ^= 0xff;
            hits += 1;
        }
        at += 8;
    }
    std::fs::write(path, bytes).unwrap();
    hits
}

/// Defect 2: defragmenting a segment with damaged regions moved only what
/// the walk could validate and deleted the file while the index (built from
/// the hint file) still pointed into it: get/put/delete of those digests
/// failed until reopen while `exists` said true, and after reopen an older
/// version behind a damaged tombstone came back.
#[test]
fn defrag_resolves_damaged_entries_the_index_still_points_at() {
    let dir = tempfile::tempdir().unwrap();
    let db = Db::open_with(dir.path(), options(SEG)).unwrap();
    let deleted = key("deleted");
    let damaged = key("damaged");
    // Segment 1: the first version of `deleted`, and records that stay.
    put(&db, &deleted, 1);
    fill_until_segments(&db, 2, "keep");
    // Segment 2: the tombstone of `deleted`, the record `damaged`, and
    // fillers that are overwritten later so the segment gets sparse.
    assert!(db.delete(&WritePolicy::default(), &deleted).unwrap());
    put(&db, &damaged, 2);
    let fillers = fill_until_segments(&db, 3, "fill");
    db.close().unwrap(); // writes the hint files of segments 1 and 2
    let seg2 = seg_path(dir.path(), 2);
    assert_eq!(damage_entries_of(&seg2, deleted.digest()), 1);
    assert_eq!(damage_entries_of(&seg2, damaged.digest()), 1);

    // The open reads the index snapshot of the clean close (hints without
    // it): it does not walk segment 2, so the damage is not seen yet.
    let db = Db::open_with(dir.path(), options(SEG)).unwrap();
    assert!(
        db.namespace_stats("test")
            .unwrap()
            .recovery
            .index_from_snapshot
    );
    assert!(matches!(get(&db, &damaged), Err(Error::Corruption { .. })));
    for f in 0..fillers {
        put(&db, &key(&format!("fill{f}")), f + 1000);
    }
    let st = db.compact().unwrap();
    assert!(st.segments_compacted >= 1, "{st:?}");
    assert!(!seg2.exists(), "segment 2 was defragmented");
    // The damaged record is lost, reported, and consistently absent.
    assert_eq!(get(&db, &damaged).unwrap(), None);
    assert!(!db.exists(&ReadPolicy::default(), &damaged).unwrap());
    assert_eq!(db.namespace_stats("test").unwrap().lost_records, 1);
    // The deleted record stays deleted, and both keys take writes again.
    assert_eq!(get(&db, &deleted).unwrap(), None);
    assert!(!db.delete(&WritePolicy::default(), &deleted).unwrap());
    put(&db, &damaged, 3);
    assert_eq!(get(&db, &damaged).unwrap(), Some(3));
    assert!(db.delete(&WritePolicy::default(), &damaged).unwrap());
    db.close().unwrap();

    let db = Db::open_with(dir.path(), options(SEG)).unwrap();
    assert_eq!(
        get(&db, &deleted).unwrap(),
        None,
        "the version behind the damaged tombstone came back"
    );
    assert_eq!(get(&db, &damaged).unwrap(), None);
    assert_eq!(get(&db, &key("keep0")).unwrap(), Some(0));
    for f in 0..fillers {
        assert_eq!(get(&db, &key(&format!("fill{f}"))).unwrap(), Some(f + 1000));
    }
}

/// Defect 15: after reopening with a smaller segment size, `compact()`
/// failed forever with `RecordTooBig` for records larger than the new
/// segment size, so their segments' space was never reclaimed. Such a
/// record now moves into a segment of its own, sized to fit.
#[test]
fn compaction_moves_records_larger_than_a_reduced_segment_size() {
    let dir = tempfile::tempdir().unwrap();
    let big = key("big");
    let big_value = vec![9u8; 200 * 1024];
    let db = Db::open_with(dir.path(), options(1 << 20)).unwrap();
    db.put(
        &WritePolicy::default(),
        &big,
        &[as_bin!("v", 1), as_bin!("blob", big_value.clone())],
    )
    .unwrap();
    for i in 0..600 {
        put(&db, &key(&format!("churn{i}")), i);
    }
    db.close().unwrap();

    let db = Db::open_with(dir.path(), options(SEG)).unwrap();
    // The churned records move on, leaving the first segment sparse.
    for i in 0..600 {
        put(&db, &key(&format!("churn{i}")), i + 1);
    }
    let before = db.namespace_stats("test").unwrap();
    let st = db.compact().unwrap();
    assert!(st.segments_compacted >= 1, "{st:?}");
    assert!(
        !seg_path(dir.path(), 1).exists(),
        "the first segment was reclaimed"
    );
    let after = db.namespace_stats("test").unwrap();
    assert!(
        after.disk_used_bytes < before.disk_used_bytes,
        "{before:?} {after:?}"
    );
    let rec = db.get(&ReadPolicy::default(), &big, Bins::All).unwrap();
    assert_eq!(rec.bins["blob"], Value::Blob(big_value.clone()));
    // A second compaction has nothing left that it cannot do.
    db.compact().unwrap();
    // New writes of that size are still refused under the new size...
    let err = db
        .put(
            &WritePolicy::default(),
            &key("big2"),
            &[as_bin!("blob", big_value.clone())],
        )
        .unwrap_err();
    assert!(matches!(err, Error::RecordTooBig { .. }), "{err:?}");
    db.close().unwrap();
    // ...and the moved record survives a restart.
    let db = Db::open_with(dir.path(), options(SEG)).unwrap();
    let rec = db.get(&ReadPolicy::default(), &big, Bins::All).unwrap();
    assert_eq!(rec.bins["blob"], Value::Blob(big_value));
    assert_eq!(get(&db, &key("churn7")).unwrap(), Some(8));
}

/// Defect 10: a record rewritten with `Key::from_digest` under another set,
/// then truncated by its new set and compacted, came back after a restart
/// with its old bins: the truncation covered only the new set's version.
/// Also through a delete in between (the tombstone is superseded by the new
/// version and dropped, leaving the first version uncovered).
#[test]
fn a_truncation_keeps_older_versions_in_other_sets_dead() {
    let dir = tempfile::tempdir().unwrap();
    let db = Db::open_with(dir.path(), options(SEG)).unwrap();
    let plain = key("moved");
    let deleted = key("moved-after-delete");
    put(&db, &plain, 1);
    put(&db, &deleted, 1);
    // Keep their first segment dense: it is never defragmented.
    fill_until_segments(&db, 2, "keep");
    assert!(db.delete(&WritePolicy::default(), &deleted).unwrap());
    for k in [&plain, &deleted] {
        let other = Key::from_digest("test", "b", *k.digest()).unwrap();
        put(&db, &other, 2);
    }
    let fillers = fill_until_segments(&db, 3, "fill");
    assert_eq!(db.truncate("test", Some("b"), None).unwrap(), 2);
    for k in [&plain, &deleted] {
        assert_eq!(get(&db, k).unwrap(), None);
    }
    // The segment of the set-b versions becomes sparse and is compacted.
    for f in 0..fillers {
        put(&db, &key(&format!("fill{f}")), f + 1000);
    }
    assert!(db.compact().unwrap().segments_compacted >= 1);
    assert!(!seg_path(dir.path(), 2).exists());
    for k in [&plain, &deleted] {
        assert_eq!(get(&db, k).unwrap(), None);
    }
    db.close().unwrap();
    for _ in 0..2 {
        let db = Db::open_with(dir.path(), options(SEG)).unwrap();
        for k in [&plain, &deleted] {
            assert_eq!(
                get(&db, k).unwrap(),
                None,
                "an older version in set \"s\" came back"
            );
        }
        assert_eq!(get(&db, &key("keep0")).unwrap(), Some(0));
        // Compaction after the restart keeps them dead too.
        db.compact().unwrap();
        db.close().unwrap();
    }
}

/// Defect 18: a segment file truncated by another process while the
/// database is open killed the process with SIGBUS on the next read of the
/// lost pages. Every mmap store has this exposure (docs/architecture.md);
/// aerolite checks file lengths where that is cheap (before compaction reads
/// whole files, and on every maintenance round), and from then on refuses
/// reads of that segment with an error and writes until reopen.
#[test]
fn a_segment_truncated_by_another_process_gives_errors_not_sigbus() {
    let dir = tempfile::tempdir().unwrap();
    let db = Db::open_with(dir.path(), options(SEG)).unwrap();
    let first = key("first");
    put(&db, &first, 1);
    let i = fill_until_segments(&db, 3, "x");
    let f = std::fs::OpenOptions::new()
        .write(true)
        .open(seg_path(dir.path(), 1))
        .unwrap();
    f.set_len(4096).unwrap();
    let err = db.compact().unwrap_err();
    assert!(
        matches!(err, Error::Poisoned { .. } | Error::Corruption { .. }),
        "{err:?}"
    );
    assert!(err.to_string().contains("truncated"), "{err}");
    let err = db
        .get(&ReadPolicy::default(), &first, Bins::All)
        .unwrap_err();
    assert!(matches!(err, Error::Corruption { .. }), "{err:?}");
    assert!(matches!(
        db.put(&WritePolicy::default(), &key("new"), &[as_bin!("v", 1)]),
        Err(Error::Poisoned { .. })
    ));
    // Records in whole segments still read.
    assert_eq!(get(&db, &key(&format!("x{}", i - 1))).unwrap(), Some(i - 1));
    drop(db);
    // Reopening reads what remains.
    let db = Db::open_with(dir.path(), options(SEG)).unwrap();
    assert_eq!(get(&db, &key(&format!("x{}", i - 1))).unwrap(), Some(i - 1));
}

/// Defect 18, the other place the check runs: the background thread checks
/// file lengths on every round, so a truncated segment file is found without
/// a compaction, and from then on writes are refused and reads of that file
/// are errors.
#[test]
fn the_maintenance_thread_finds_a_truncated_segment_file() {
    let dir = tempfile::tempdir().unwrap();
    let opts = || {
        Options::default()
            .segment_size(SEG)
            .sweep_interval(std::time::Duration::from_millis(10))
    };
    let db = Db::open_with(dir.path(), opts()).unwrap();
    let first = key("first");
    put(&db, &first, 1);
    fill_until_segments(&db, 3, "x");
    common::wait_for_hints(&dir.path().join("namespaces/test"));
    std::fs::OpenOptions::new()
        .write(true)
        .open(seg_path(dir.path(), 1))
        .unwrap()
        .set_len(4096)
        .unwrap();
    // Writes keep working until the thread's next round has looked.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    let err = loop {
        match db.put(&WritePolicy::default(), &key("probe"), &[as_bin!("v", 1)]) {
            Ok(()) => {}
            Err(e) => break e,
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the truncation was never noticed"
        );
        std::thread::sleep(std::time::Duration::from_millis(5));
    };
    assert!(matches!(err, Error::Poisoned { .. }), "{err:?}");
    assert!(err.to_string().contains("truncated"), "{err}");
    let err = db
        .get(&ReadPolicy::default(), &first, Bins::All)
        .unwrap_err();
    assert!(matches!(err, Error::Corruption { .. }), "{err:?}");
}
