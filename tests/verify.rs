//! `Db::verify`: every indexed entry and stream record read back, and what
//! the open found damaged, in one report.

use aerolite::*;
use std::path::{Path, PathBuf};

fn options(seg: u64) -> Options {
    Options::default()
        .segment_size(seg)
        .background_maintenance(false)
}

fn key(i: u32) -> Key {
    as_key!("test", "s", format!("k{i}"))
}

/// Puts records k0.. with a 900-byte marker blob each until the namespace
/// has `segments` segment files; returns how many.
fn fill(db: &Db, segments: u64) -> u32 {
    let mut i = 0;
    while db.namespace_stats("test").unwrap().segments < segments {
        db.put(
            &WritePolicy::default(),
            &key(i),
            &[as_bin!("v", i), as_bin!("pad", vec![0xA5u8; 900])],
        )
        .unwrap();
        i += 1;
    }
    i
}

fn seg_files(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "seg"))
        .collect();
    v.sort();
    v
}

/// Flips one byte in the body of the entry of `digest` in `path`.
fn flip_in_entry(path: &Path, digest: &Digest) {
    let mut bytes = std::fs::read(path).unwrap();
    let at = (64..bytes.len() - 64)
        .step_by(8)
        .find(|&at| bytes[at + 40..at + 60] == digest.0)
        .expect("entry of the digest in the file");
    // Inside the 900-byte blob, well past the header.
    bytes[at + 300] ^= 0x01;
    std::fs::write(path, bytes).unwrap();
}

#[test]
fn clean_database_verifies_with_every_entry_counted() {
    let dir = tempfile::tempdir().unwrap();
    let db = Db::open_with(dir.path(), options(64 * 1024)).unwrap();
    let n = fill(&db, 3);
    assert!(db.delete(&WritePolicy::default(), &key(0)).unwrap());
    db.create_stream("events", 2).unwrap();
    for i in 0..10 {
        db.put_record(PutRecord::new(
            "events",
            format!("data {i}"),
            &format!("p{i}"),
        ))
        .unwrap();
    }
    let report = db.verify().unwrap();
    assert!(report.is_clean(), "{report:?}");
    assert_eq!(report.namespaces, 1);
    assert_eq!(report.streams, 1);
    // Every record plus the tombstone of k0.
    assert_eq!(report.entries_checked, u64::from(n));
    let st = db.namespace_stats("test").unwrap();
    assert_eq!(report.entries_checked, st.objects + st.tombstones);
    assert_eq!(report.stream_records_checked, 10);
    assert_eq!(report.damaged_entries, 0);
    assert!(report.problems.is_empty());
    db.close().unwrap();

    // Reopened with every segment walked: still clean, nothing hinted.
    let db = Db::open_with(dir.path(), options(64 * 1024).verify_on_open(true)).unwrap();
    let report = db.verify().unwrap();
    assert!(report.is_clean(), "{report:?}");
    assert_eq!(report.recovery.hinted_segments, 0);
    assert!(report.recovery.segments >= 4);
}

#[test]
fn flipped_byte_is_found_by_the_walk_at_open() {
    let dir = tempfile::tempdir().unwrap();
    let db = Db::open_with(dir.path(), options(64 * 1024)).unwrap();
    fill(&db, 3);
    db.close().unwrap();
    let files = seg_files(&dir.path().join("namespaces/test"));
    flip_in_entry(&files[0], key(1).digest());

    let db = Db::open_with(dir.path(), options(64 * 1024).verify_on_open(true)).unwrap();
    let report = db.verify().unwrap();
    assert!(!report.is_clean());
    assert_eq!(report.recovery.corrupt_regions, 1, "{report:?}");
    assert!(
        report.problems[0].contains("namespace \"test\""),
        "{:?}",
        report.problems
    );
    assert!(
        report.problems[0].contains("damaged region"),
        "{:?}",
        report.problems
    );
    // The damaged record's only version is gone from the index.
    assert!(matches!(
        db.get(&ReadPolicy::default(), &key(1), Bins::All),
        Err(Error::KeyNotFound)
    ));
}

#[test]
fn flipped_byte_in_a_hinted_segment_is_found_when_read_back() {
    let dir = tempfile::tempdir().unwrap();
    let db = Db::open_with(dir.path(), options(64 * 1024)).unwrap();
    fill(&db, 3);
    db.close().unwrap();
    let files = seg_files(&dir.path().join("namespaces/test"));
    flip_in_entry(&files[0], key(1).digest());

    // The index snapshot of the clean close (or, without it, the hint
    // files): the open does not walk the sealed segments.
    let db = Db::open_with(dir.path(), options(64 * 1024)).unwrap();
    let report = db.verify().unwrap();
    assert!(report.recovery.index_from_snapshot, "{report:?}");
    assert_eq!(report.recovery.corrupt_regions, 0);
    assert!(!report.is_clean());
    assert_eq!(report.damaged_entries, 1, "{report:?}");
    let hex: String = key(1)
        .digest()
        .0
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert!(report.problems[0].contains(&hex), "{:?}", report.problems);
    assert!(
        report.problems[0].contains("fails validation"),
        "{:?}",
        report.problems
    );
}

#[test]
fn flipped_byte_in_a_stream_is_found() {
    let dir = tempfile::tempdir().unwrap();
    let db = Db::open_with(dir.path(), options(1 << 20)).unwrap();
    db.create_stream("events", 1).unwrap();
    for i in 0..20 {
        db.put_record(PutRecord::new(
            "events",
            format!("record-{i:04}-payload"),
            "p",
        ))
        .unwrap();
    }
    db.close().unwrap();
    let files = seg_files(&dir.path().join("streams/events.stream"));
    let mut bytes = std::fs::read(&files[0]).unwrap();
    let marker = b"record-0005-payload";
    let at = bytes
        .windows(marker.len())
        .position(|w| w == marker)
        .unwrap();
    bytes[at + 3] ^= 0x20;
    std::fs::write(&files[0], bytes).unwrap();

    let db = Db::open_with(dir.path(), options(1 << 20).verify_on_open(true)).unwrap();
    let report = db.verify().unwrap();
    assert!(!report.is_clean());
    assert_eq!(report.streams, 1);
    assert_eq!(report.recovery.corrupt_regions, 1, "{report:?}");
    assert_eq!(report.stream_records_checked, 19);
    assert!(report
        .problems
        .iter()
        .any(|p| p.contains("stream \"events\"")));
}

/// A mixed workload (TTLs, touches, operate, deletes, truncation, swept
/// expiries, defragmentation, a reshard) leaves nothing `verify` calls
/// damage, whether the database is verified open, reopened with hints or
/// reopened with every segment walked.
#[test]
fn mixed_workload_has_no_false_positives() {
    use std::sync::Arc;
    use std::time::{Duration, SystemTime};
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(ManualClock::new(SystemTime::now()));
    let opts = || options(64 * 1024).clock(clock.clone());
    let db = Db::open_with(dir.path(), opts()).unwrap();
    let send = WritePolicy {
        send_key: true,
        ..WritePolicy::default()
    };
    let ttl = |secs| WritePolicy {
        expiration: Expiration::Seconds(secs),
        ..send.clone()
    };
    for i in 0..400u32 {
        let policy = if i.is_multiple_of(3) {
            ttl(60)
        } else {
            send.clone()
        };
        let set = if i.is_multiple_of(2) { "even" } else { "odd" };
        db.put(
            &policy,
            &as_key!("test", set, i),
            &[as_bin!("v", i), as_bin!("pad", vec![1u8; 300])],
        )
        .unwrap();
    }
    for i in (0..400u32).step_by(5) {
        let set = if i.is_multiple_of(2) { "even" } else { "odd" };
        let k = as_key!("test", set, i);
        match i % 4 {
            0 => {
                db.delete(&WritePolicy::default(), &k).unwrap();
            }
            1 => db.touch(&ttl(3600), &k).unwrap(),
            2 => {
                db.operate(
                    &WritePolicy::default(),
                    &k,
                    &[operations::add(&as_bin!("v", 1))],
                )
                .unwrap();
            }
            _ => db
                .put(&WritePolicy::default(), &k, &[as_bin!("w", "x")])
                .unwrap(),
        }
    }
    db.truncate("test", Some("odd"), None).unwrap();
    db.put(&send, &as_key!("test", "odd", "after"), &[as_bin!("v", 1)])
        .unwrap();
    clock.advance(Duration::from_secs(120));
    assert!(db.sweep_expired().unwrap() > 0);
    db.compact().unwrap();
    db.create_stream("s", 2).unwrap();
    for i in 0..50 {
        db.put_record(PutRecord::new("s", vec![i as u8; 10], &format!("k{i}")))
            .unwrap();
    }
    db.update_shard_count("s", 3).unwrap();
    for i in 0..50 {
        db.put_record(PutRecord::new("s", vec![i as u8; 10], &format!("k{i}")))
            .unwrap();
    }
    let check = |db: &Db| {
        let report = db.verify().unwrap();
        assert!(report.is_clean(), "{report:?}");
        let st = db.namespace_stats("test").unwrap();
        assert_eq!(report.entries_checked, st.objects + st.tombstones);
        assert_eq!(report.stream_records_checked, 100);
    };
    check(&db);
    db.close().unwrap();
    let db = Db::open_with(dir.path(), opts()).unwrap();
    check(&db);
    db.close().unwrap();
    let db = Db::open_with(dir.path(), opts().verify_on_open(true)).unwrap();
    check(&db);
}

/// Verification alongside writers and defragmentation reports nothing: an
/// entry moved meanwhile is checked at its new place.
#[test]
fn verify_alongside_writers_and_compaction_reports_nothing() {
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::Arc;
    let dir = tempfile::tempdir().unwrap();
    let db = Arc::new(Db::open_with(dir.path(), options(64 * 1024)).unwrap());
    fill(&db, 4);
    let stop = Arc::new(AtomicBool::new(false));
    let writer = {
        let (db, stop) = (Arc::clone(&db), Arc::clone(&stop));
        std::thread::spawn(move || {
            let mut i = 0u32;
            while !stop.load(Ordering::Relaxed) {
                let k = key(i % 200);
                if i.is_multiple_of(3) {
                    db.delete(&WritePolicy::default(), &k).unwrap();
                } else {
                    db.put(
                        &WritePolicy::default(),
                        &k,
                        &[as_bin!("pad", vec![2u8; 900])],
                    )
                    .unwrap();
                }
                if i.is_multiple_of(500) {
                    db.compact().unwrap();
                }
                i += 1;
            }
        })
    };
    for _ in 0..20 {
        let report = db.verify().unwrap();
        assert_eq!(report.damaged_entries, 0, "{:?}", report.problems);
        assert!(report.is_clean());
    }
    stop.store(true, Ordering::Relaxed);
    writer.join().unwrap();
}
