//! Hint files: a hint far larger than the writer's buffer is written in
//! pieces, read back at open, and gives the records a walk of the segments
//! gives.

use aerolite::*;

fn key(i: i64) -> Key {
    as_key!("test", "r", i)
}

fn send() -> WritePolicy {
    WritePolicy {
        send_key: true,
        ..WritePolicy::default()
    }
}

fn get(db: &Db, key: &Key) -> Option<Record> {
    match db.get(&ReadPolicy::default(), key, Bins::All) {
        Ok(r) => Some(r),
        Err(Error::KeyNotFound) => None,
        Err(e) => panic!("get {key:?}: {e:?}"),
    }
}

/// A hint far larger than the hint writer's buffer (which writes it out in
/// pieces) is read back at open and gives the same records as walking the
/// segments.
#[test]
fn hints_larger_than_the_writer_buffer_round_trip() {
    let dir = tempfile::tempdir().unwrap();
    let opts = || {
        Options::default()
            .segment_size(8 << 20)
            .background_maintenance(false)
    };
    let n = 200_000i64;
    let db = Db::open_with(dir.path(), opts()).unwrap();
    for i in 0..n {
        db.put(&send(), &key(i), &[as_bin!("v", i)]).unwrap();
    }
    db.close().unwrap();
    let hints: Vec<u64> = std::fs::read_dir(dir.path().join("namespaces/test"))
        .unwrap()
        .map(|e| e.unwrap())
        .filter(|e| e.file_name().to_string_lossy().ends_with(".hint"))
        .map(|e| e.metadata().unwrap().len())
        .collect();
    assert!(
        hints.iter().any(|&len| len > 1 << 20),
        "a hint of more than 1 MiB: {hints:?}"
    );
    // Without the index snapshot, so that the open reads the hints.
    std::fs::remove_file(dir.path().join("namespaces/test/index.snap")).unwrap();
    let hinted = Db::open_with(dir.path(), opts()).unwrap();
    let hs = hinted.namespace_stats("test").unwrap();
    assert_eq!(hs.recovery.hinted_segments as usize, hints.len());
    assert_eq!(hs.objects, n as u64);
    for i in (0..n).step_by(997) {
        let r = get(&hinted, &key(i)).unwrap();
        assert_eq!(r.bins["v"], Value::Int(i));
        assert_eq!(r.key.unwrap().user_key(), Some(&Value::Int(i)));
    }
    hinted.close().unwrap();
    let walked = Db::open_with(dir.path(), opts().verify_on_open(true)).unwrap();
    let ws = walked.namespace_stats("test").unwrap();
    assert_eq!(ws.recovery.hinted_segments, 0);
    assert_eq!(
        (ws.objects, ws.disk_live_bytes, ws.index_bytes),
        (hs.objects, hs.disk_live_bytes, hs.index_bytes)
    );
    walked.close().unwrap();
}
