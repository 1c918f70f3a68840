use aerolite::*;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

#[test]
fn overwrite_compact_reopen() {
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(ManualClock::new(SystemTime::now()));
    // No background thread: this test is about what an explicit compact does.
    let opts = || {
        Options::default()
            .segment_size(64 * 1024)
            .clock(clock.clone())
            .background_maintenance(false)
    };
    let w = WritePolicy::default();
    {
        let db = Db::open_with(dir.path(), opts()).unwrap();
        for round in 0..10 {
            for i in 0..1000 {
                db.put(
                    &w,
                    &as_key!("test", "s", i),
                    &[as_bin!("v", round), as_bin!("pad", vec![0u8; 50])],
                )
                .unwrap();
            }
        }
        for i in 0..100 {
            db.delete(&w, &as_key!("test", "s", i)).unwrap();
        }
        let ttl = WritePolicy {
            expiration: Expiration::Seconds(10),
            ..WritePolicy::default()
        };
        for i in 100..200 {
            db.put(&ttl, &as_key!("test", "s", i), &[as_bin!("v", -1)])
                .unwrap();
        }
        clock.advance(Duration::from_secs(11));
        assert_eq!(db.sweep_expired().unwrap(), 100);
        let before = db.namespace_stats("test").unwrap();
        let c = db.compact().unwrap();
        let after = db.namespace_stats("test").unwrap();
        println!("{before:?}\n{c:?}\n{after:?}");
        assert!(after.disk_used_bytes < before.disk_used_bytes);
        assert_eq!(after.objects, 800);
        db.close().unwrap();
    }
    let db = Db::open_with(dir.path(), opts()).unwrap();
    for i in 0..1000 {
        let r = db.get(&ReadPolicy::default(), &as_key!("test", "s", i), Bins::All);
        if i < 200 {
            assert!(matches!(r, Err(Error::KeyNotFound)), "{i} came back");
        } else {
            assert_eq!(r.unwrap().bins["v"], Value::Int(9));
        }
    }
    let c = db.compact().unwrap();
    println!("{c:?} {:?}", db.namespace_stats("test").unwrap());
}

#[test]
fn hint_files_make_open_skip_data_and_agree_with_a_full_walk() {
    let dir = tempfile::tempdir().unwrap();
    let opts = || Options::default().segment_size(64 * 1024);
    let w = WritePolicy::default();
    {
        let db = Db::open_with(dir.path(), opts()).unwrap();
        for i in 0..3000 {
            db.put(
                &w,
                &as_key!("test", if i % 2 == 0 { "a" } else { "b" }, i),
                &[as_bin!("v", i)],
            )
            .unwrap();
        }
        for i in 0..300 {
            db.delete(&w, &as_key!("test", "a", i * 2)).unwrap();
        }
        db.close().unwrap();
    }
    // Without the index snapshot of the clean close (tests/index_snapshot.rs),
    // as after a crash: the index is rebuilt from the hints.
    let no_snapshot = || {
        let _ = std::fs::remove_file(dir.path().join("namespaces/test/index.snap"));
    };
    no_snapshot();
    let hinted = Db::open_with(dir.path(), opts()).unwrap();
    let hs = hinted.namespace_stats("test").unwrap();
    assert!(hs.recovery.hinted_segments >= 3, "{hs:?}");
    assert_eq!(hs.recovery.hinted_segments + 1, hs.segments);
    let hinted_records = scan_all(&hinted);
    drop(hinted);
    // Damage a hint: open falls back to walking that segment.
    let hint = std::fs::read_dir(dir.path().join("namespaces/test"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|e| e == "hint"))
        .unwrap();
    let mut bytes = std::fs::read(&hint).unwrap();
    bytes[40] ^= 0xff;
    std::fs::write(&hint, bytes).unwrap();
    no_snapshot();
    let fallback = Db::open_with(dir.path(), opts()).unwrap();
    let fs = fallback.namespace_stats("test").unwrap();
    assert_eq!(
        fs.recovery.hinted_segments + 2,
        fs.segments,
        "the damaged hint is ignored"
    );
    assert_eq!(scan_all(&fallback), hinted_records);
    drop(fallback);
    let walked = Db::open_with(dir.path(), opts().verify_on_open(true)).unwrap();
    let ws = walked.namespace_stats("test").unwrap();
    assert_eq!(ws.recovery.hinted_segments, 0);
    assert_eq!(
        (ws.objects, ws.tombstones, ws.disk_live_bytes),
        (hs.objects, hs.tombstones, hs.disk_live_bytes)
    );
    assert_eq!(scan_all(&walked), hinted_records);
    assert_eq!(hinted_records.len(), 2700);
}

fn scan_all(db: &Db) -> Vec<(Option<Value>, u32)> {
    let mut v: Vec<_> = db
        .scan("test", None, Bins::All)
        .unwrap()
        .map(|r| r.unwrap())
        .map(|r| (r.bins.get("v").cloned(), r.generation))
        .collect();
    v.sort_by(|a, b| a.0.cmp(&b.0));
    v
}

/// Regression (found by the model test): deleting a record that the sweeper
/// had already expired wrote no tombstone, because in memory it was one
/// already. After a restart the expired version was back in the index and
/// counted in `objects`, and a clock set back would have revived it.
#[test]
fn delete_after_sweep_writes_a_durable_tombstone() {
    let dir = tempfile::tempdir().unwrap();
    let start = SystemTime::now();
    let clock = Arc::new(ManualClock::new(start));
    let opts = || {
        Options::default()
            .clock(clock.clone())
            .sweep_interval(Duration::from_secs(3600))
    };
    let key = as_key!("test", "s", 1);
    {
        let db = Db::open_with(dir.path(), opts()).unwrap();
        let ttl = WritePolicy {
            expiration: Expiration::Seconds(5),
            ..WritePolicy::default()
        };
        db.put(&ttl, &key, &[as_bin!("v", 1)]).unwrap();
        clock.advance(Duration::from_secs(6));
        assert_eq!(db.sweep_expired().unwrap(), 1);
        assert!(!db.delete(&WritePolicy::default(), &key).unwrap());
        db.close().unwrap();
    }
    clock.set(start);
    let db = Db::open_with(dir.path(), opts()).unwrap();
    assert!(!db.exists(&ReadPolicy::default(), &key).unwrap());
    let s = db.namespace_stats("test").unwrap();
    assert_eq!((s.objects, s.tombstones), (0, 1));
}

/// A crash between creating a segment file and writing its header leaves an
/// all-zero file (found by the kill -9 harness); open removes it instead of
/// reporting a damaged header at every start.
#[test]
fn unwritten_segment_file_is_removed_at_open() {
    let dir = tempfile::tempdir().unwrap();
    let opts = || Options::default().segment_size(64 * 1024);
    {
        let db = Db::open_with(dir.path(), opts()).unwrap();
        db.put(
            &WritePolicy::default(),
            &as_key!("test", "", 1),
            &[as_bin!("a", 1)],
        )
        .unwrap();
        db.close().unwrap();
    }
    let ns = dir.path().join("namespaces/test");
    std::fs::write(ns.join("00000002.seg"), vec![0u8; 64 * 1024]).unwrap();
    let db = Db::open_with(dir.path(), opts()).unwrap();
    let s = db.namespace_stats("test").unwrap();
    assert_eq!(s.recovery.bad_headers, 0);
    assert!(!ns.join("00000002.seg").exists());
    assert!(db
        .exists(&ReadPolicy::default(), &as_key!("test", "", 1))
        .unwrap());
    db.put(
        &WritePolicy::default(),
        &as_key!("test", "", 2),
        &[as_bin!("a", 2)],
    )
    .unwrap();
    drop(db);
    let db = Db::open_with(dir.path(), opts()).unwrap();
    assert!(db
        .exists(&ReadPolicy::default(), &as_key!("test", "", 2))
        .unwrap());
}

/// Damaged metadata files: a damaged sweep mark is only a cache and is
/// ignored; damaged truncation markers stop the open with an error that says
/// what to do, because opening without them would bring truncated records
/// back.
#[test]
fn damaged_metadata_files() {
    let dir = tempfile::tempdir().unwrap();
    let start = SystemTime::now();
    let clock = Arc::new(ManualClock::new(start));
    let opts = || {
        Options::default()
            .clock(clock.clone())
            .sweep_interval(Duration::from_secs(3600))
    };
    {
        let db = Db::open_with(dir.path(), opts()).unwrap();
        let ttl = WritePolicy {
            expiration: Expiration::Seconds(5),
            ..WritePolicy::default()
        };
        db.put(&ttl, &as_key!("test", "t", 1), &[as_bin!("v", 1)])
            .unwrap();
        db.put(
            &WritePolicy::default(),
            &as_key!("test", "gone", 1),
            &[as_bin!("v", 1)],
        )
        .unwrap();
        db.put(
            &WritePolicy::default(),
            &as_key!("test", "kept", 1),
            &[as_bin!("v", 1)],
        )
        .unwrap();
        clock.advance(Duration::from_secs(6));
        assert_eq!(db.sweep_expired().unwrap(), 1);
        assert_eq!(db.truncate("test", Some("gone"), None).unwrap(), 1);
        db.close().unwrap();
    }
    let ns = dir.path().join("namespaces/test");
    let flip = |name: &str| {
        let p = ns.join(name);
        let mut b = std::fs::read(&p).unwrap();
        let last = b.len() - 1;
        b[last] ^= 0xff;
        std::fs::write(&p, b).unwrap();
    };
    flip("swept");
    {
        let db = Db::open_with(dir.path(), opts()).unwrap();
        let s = db.namespace_stats("test").unwrap();
        // Without the mark the expired record counts until the next sweep.
        assert_eq!(s.objects, 2, "{s:?}");
        assert!(!db
            .exists(&ReadPolicy::default(), &as_key!("test", "t", 1))
            .unwrap());
        assert!(!db
            .exists(&ReadPolicy::default(), &as_key!("test", "gone", 1))
            .unwrap());
        assert!(db
            .exists(&ReadPolicy::default(), &as_key!("test", "kept", 1))
            .unwrap());
        db.close().unwrap();
    }
    flip("truncations");
    match Db::open_with(dir.path(), opts()) {
        Err(e @ Error::Corruption { .. }) => {
            let m = e.to_string();
            assert!(m.contains("truncations") && m.contains("delete it"), "{m}");
        }
        other => panic!("expected Corruption, got {other:?}"),
    }
    std::fs::remove_file(ns.join("truncations")).unwrap();
    let db = Db::open_with(dir.path(), opts()).unwrap();
    assert!(db
        .exists(&ReadPolicy::default(), &as_key!("test", "gone", 1))
        .unwrap());
}

/// With `background_maintenance(false)` nothing is swept or compacted behind
/// the caller's back; the explicit calls still do the work.
#[test]
fn background_maintenance_can_be_turned_off() {
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(ManualClock::new(SystemTime::now()));
    let db = Db::open_with(
        dir.path(),
        Options::default()
            .clock(clock.clone())
            .sweep_interval(Duration::from_millis(5))
            .background_maintenance(false),
    )
    .unwrap();
    let ttl = WritePolicy {
        expiration: Expiration::Seconds(1),
        ..WritePolicy::default()
    };
    db.put(&ttl, &as_key!("test", "", 1), &[as_bin!("v", 1)])
        .unwrap();
    clock.advance(Duration::from_secs(2));
    std::thread::sleep(Duration::from_millis(100));
    let s = db.namespace_stats("test").unwrap();
    assert_eq!((s.objects, s.expired), (1, 0), "swept behind our back");
    assert!(!db
        .exists(&ReadPolicy::default(), &as_key!("test", "", 1))
        .unwrap());
    assert_eq!(db.sweep_expired().unwrap(), 1);
    assert_eq!(db.namespace_stats("test").unwrap().expired, 1);
}
