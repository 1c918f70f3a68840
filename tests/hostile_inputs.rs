//! Inputs a careless or hostile user (or a damaged disk) can produce, and the
//! defects of issue 8 they exposed: each is refused cleanly, changes nothing,
//! and never panics, aborts or wraps.

use aerolite::operations::{self, lists, maps};
use aerolite::*;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, UNIX_EPOCH};

fn quiet() -> Options {
    Options::default().background_maintenance(false)
}

fn wp() -> WritePolicy {
    WritePolicy::default()
}

fn ttl(secs: u32) -> WritePolicy {
    WritePolicy {
        expiration: Expiration::Seconds(secs),
        ..WritePolicy::default()
    }
}

fn ns_dir(root: &Path, ns: &str) -> PathBuf {
    root.join("namespaces").join(ns)
}

fn param_error<T: std::fmt::Debug>(r: Result<T>) -> String {
    match r {
        Err(Error::ParameterError(m)) => m,
        other => panic!("expected ParameterError, got {other:?}"),
    }
}

/// Overwrites bytes `at..` of a segment file's header with `new` and
/// recomputes the header CRC, so the header stays valid.
fn patch_header(path: &Path, at: usize, new: &[u8]) {
    let mut bytes = std::fs::read(path).unwrap();
    bytes[at..at + new.len()].copy_from_slice(new);
    let crc = crc32fast::hash(&bytes[0..60]);
    bytes[60..64].copy_from_slice(&crc.to_le_bytes());
    std::fs::write(path, bytes).unwrap();
}

/// Overwrites bytes `at..` of the entry at offset `off` of a segment file
/// with `new` and recomputes the entry CRC (bytes 4..len of the entry), so
/// the forged entry is valid.
fn patch_entry(path: &Path, off: usize, at: usize, new: &[u8]) {
    let mut bytes = std::fs::read(path).unwrap();
    let len = u32::from_le_bytes(bytes[off + 8..off + 12].try_into().unwrap()) as usize;
    bytes[off + at..off + at + new.len()].copy_from_slice(new);
    let crc = crc32fast::hash(&bytes[off + 4..off + len]);
    bytes[off..off + 4].copy_from_slice(&crc.to_le_bytes());
    std::fs::write(path, bytes).unwrap();
}

fn remove_hints(dir: &Path) {
    for item in std::fs::read_dir(dir).unwrap() {
        let path = item.unwrap().path();
        if path.extension().is_some_and(|e| e == "hint") {
            std::fs::remove_file(path).unwrap();
        }
    }
}

/// Defect 4: a segment id past 8 digits gets a 9-digit name; open used to
/// ignore it (its data was lost, then writes stopped).
#[test]
fn segment_ids_past_eight_digits_are_opened_and_written() {
    let dir = tempfile::tempdir().unwrap();
    let opts = || quiet().segment_size(16 * 1024);
    let db = Db::open_with(dir.path(), opts()).unwrap();
    let first = Key::new("test", "s", "first").unwrap();
    db.put(&wp(), &first, &[Bin::new("v", 1)]).unwrap();
    db.close().unwrap();
    // As if 10^8 segments had come and gone: segment 1 becomes 100000000.
    let nsd = ns_dir(dir.path(), "test");
    remove_hints(&nsd);
    let seg = nsd.join("100000000.seg");
    std::fs::rename(nsd.join("00000001.seg"), &seg).unwrap();
    patch_header(&seg, 16, &100_000_000u32.to_le_bytes());

    let db = Db::open_with(dir.path(), opts()).unwrap();
    let rec = db.get(&ReadPolicy::default(), &first, Bins::All).unwrap();
    assert_eq!(rec.bins["v"], Value::Int(1));
    // Enough data to roll over into segment 100000001 and beyond.
    let blob = vec![7u8; 1000];
    for i in 0..40 {
        let key = Key::new("test", "s", i).unwrap();
        db.put(&wp(), &key, &[Bin::new("b", blob.clone())]).unwrap();
    }
    db.close().unwrap();
    assert!(nsd.join("100000001.seg").exists());

    let db = Db::open_with(dir.path(), opts()).unwrap();
    assert_eq!(db.namespace_stats("test").unwrap().objects, 41);
    let rec = db.get(&ReadPolicy::default(), &first, Bins::All).unwrap();
    assert_eq!(rec.bins["v"], Value::Int(1));
    for i in 0..40 {
        let key = Key::new("test", "s", i).unwrap();
        let rec = db.get(&ReadPolicy::default(), &key, Bins::All).unwrap();
        assert_eq!(rec.bins["b"], Value::Blob(blob.clone()));
    }
    db.close().unwrap();
}

/// Defect 5: a CRC-valid entry with sequence u64::MAX used to set the next
/// sequence to u64::MAX, and the next write overflowed it.
#[test]
fn an_entry_with_the_largest_sequence_is_corruption_not_an_overflow() {
    let dir = tempfile::tempdir().unwrap();
    let key = Key::new("test", "s", "k").unwrap();
    let db = Db::open_with(dir.path(), quiet()).unwrap();
    db.put(&wp(), &key, &[Bin::new("v", "forged")]).unwrap();
    db.close().unwrap();
    // The first entry starts after the 64-byte segment header; its CRC
    // covers bytes 4.. of the entry (header and body).
    let nsd = ns_dir(dir.path(), "test");
    remove_hints(&nsd);
    // The sequence is at bytes 16..24 of the entry.
    patch_entry(&nsd.join("00000001.seg"), 64, 16, &u64::MAX.to_le_bytes());

    let db = Db::open_with(dir.path(), quiet()).unwrap();
    let stats = db.namespace_stats("test").unwrap();
    assert_eq!(stats.recovery.corrupt_regions, 1, "{stats:?}");
    assert_eq!(stats.objects, 0);
    assert!(matches!(
        db.get(&ReadPolicy::default(), &key, Bins::All),
        Err(Error::KeyNotFound)
    ));
    db.put(&wp(), &key, &[Bin::new("v", "real")]).unwrap();
    db.put(&wp(), &key, &[Bin::new("v", "newer")]).unwrap();
    db.close().unwrap();
    // The forged entry never wins over real writes.
    let db = Db::open_with(dir.path(), quiet()).unwrap();
    let rec = db.get(&ReadPolicy::default(), &key, Bins::All).unwrap();
    assert_eq!(rec.bins["v"], Value::from("newer"));
    db.close().unwrap();
}

/// Defect 5, through the segment header: a CRC-valid base sequence of
/// u64::MAX left no sequence for the next write.
#[test]
fn a_segment_header_with_the_largest_base_sequence_counts_as_damaged() {
    let dir = tempfile::tempdir().unwrap();
    let key = Key::new("test", "s", "k").unwrap();
    let db = Db::open_with(dir.path(), quiet()).unwrap();
    db.put(&wp(), &key, &[Bin::new("v", "old")]).unwrap();
    db.close().unwrap();
    let nsd = ns_dir(dir.path(), "test");
    remove_hints(&nsd);
    // The base sequence is at bytes 32..40 of the header.
    patch_header(&nsd.join("00000001.seg"), 32, &u64::MAX.to_le_bytes());

    let db = Db::open_with(dir.path(), quiet()).unwrap();
    assert_eq!(db.namespace_stats("test").unwrap().recovery.bad_headers, 1);
    let rec = db.get(&ReadPolicy::default(), &key, Bins::All).unwrap();
    assert_eq!(rec.bins["v"], Value::from("old"));
    db.put(&wp(), &key, &[Bin::new("v", "new")]).unwrap();
    db.close().unwrap();
    let db = Db::open_with(dir.path(), quiet()).unwrap();
    let rec = db.get(&ReadPolicy::default(), &key, Bins::All).unwrap();
    assert_eq!(rec.bins["v"], Value::from("new"));
    db.close().unwrap();
}

/// Defect 6: list insert pads with up to 1 Mi nils per operation and one
/// call may carry 32,768 operations: ~3·10^10 values from one call.
#[test]
fn one_operate_call_cannot_build_more_than_its_record_size_allows() {
    let dir = tempfile::tempdir().unwrap();
    let opts = quiet().namespace(NamespaceConfig::new("small").max_record_size(64 * 1024));
    let db = Db::open_with(dir.path(), opts).unwrap();
    let key = Key::new("small", "s", "k").unwrap();
    db.put(&wp(), &key, &[Bin::new("l", as_list!(1))]).unwrap();
    // More items than a 64 KiB record can hold, even if cleared afterwards.
    let r = db.operate(
        &wp(),
        &key,
        &[lists::insert("l", 70_000, 1), lists::clear("l")],
    );
    assert!(matches!(r, Err(Error::RecordTooBig { .. })), "{r:?}");
    // Each insert fits, but together they build far more than a record.
    let mut ops = Vec::new();
    for _ in 0..200 {
        ops.push(lists::insert("l", 60_000, 1));
        ops.push(lists::clear("l"));
    }
    let m = param_error(db.operate(&wp(), &key, &ops));
    assert!(m.contains("max_record_size"), "{m}");
    // Nothing changed.
    let rec = db.get(&ReadPolicy::default(), &key, Bins::All).unwrap();
    assert_eq!((rec.bins["l"].clone(), rec.generation), (as_list!(1), 1));

    // The worst case of the issue is refused after a bounded amount of work.
    let key = Key::new("test", "s", "k").unwrap();
    let ops: Vec<Operation> = (0..32_768)
        .map(|i| lists::insert(&format!("b{i}"), (1 << 20) - 1, 1))
        .collect();
    let m = param_error(db.operate(&wp(), &key, &ops));
    assert!(m.contains("max_record_size"), "{m}");
    assert!(db.namespaces() == ["small"], "{:?}", db.namespaces());
    db.close().unwrap();
}

/// Defect 7: a put that fails on its TTL or its record-exists action used to
/// create its namespace (directory and preallocated segment) anyway.
#[test]
fn a_failed_write_creates_no_namespace() {
    let dir = tempfile::tempdir().unwrap();
    let opts = quiet().namespace(
        NamespaceConfig::new("test")
            .max_ttl(Duration::from_secs(100))
            .max_record_size(1024),
    );
    let db = Db::open_with(dir.path(), opts).unwrap();
    let key = Key::new("test", "s", "k").unwrap();
    let policy = |action| WritePolicy {
        record_exists_action: action,
        ..WritePolicy::default()
    };
    let bin = [Bin::new("v", 1)];
    let failures: Vec<(&str, Result<()>)> = vec![
        ("ttl above max_ttl", db.put(&ttl(1000), &key, &bin)),
        (
            "UpdateOnly",
            db.put(&policy(RecordExistsAction::UpdateOnly), &key, &bin),
        ),
        (
            "ReplaceOnly",
            db.put(&policy(RecordExistsAction::ReplaceOnly), &key, &bin),
        ),
        (
            "generation",
            db.put(
                &WritePolicy {
                    generation_policy: GenerationPolicy::ExpectGenEqual,
                    generation: 3,
                    ..WritePolicy::default()
                },
                &key,
                &bin,
            ),
        ),
        (
            "only nil bins",
            db.put(&wp(), &key, &[Bin::new("v", Value::Nil)]),
        ),
        (
            "too big",
            db.put(&wp(), &key, &[Bin::new("v", vec![0u8; 2000])]),
        ),
        (
            "operate ttl",
            db.operate(&ttl(1000), &key, &[operations::touch()])
                .map(drop),
        ),
        (
            "operate UpdateOnly",
            db.operate(
                &policy(RecordExistsAction::UpdateOnly),
                &key,
                &[operations::put(&Bin::new("v", 1))],
            )
            .map(drop),
        ),
        (
            "operate deletes everything",
            db.operate(&wp(), &key, &[operations::delete()]).map(drop),
        ),
        (
            "operate too big",
            db.operate(&wp(), &key, &[lists::append("l", vec![0u8; 2000])])
                .map(drop),
        ),
        ("touch", db.touch(&wp(), &key)),
        ("read-only operate", {
            db.operate(&wp(), &key, &[operations::get()]).map(drop)
        }),
    ];
    for (what, r) in failures {
        assert!(r.is_err(), "{what}: {r:?}");
    }
    assert!(!db.delete(&wp(), &key).unwrap());
    assert!(db.namespaces().is_empty(), "{:?}", db.namespaces());
    assert!(!ns_dir(dir.path(), "test").exists());
    // A write that succeeds still creates it.
    db.put(&ttl(50), &key, &bin).unwrap();
    assert_eq!(db.namespaces(), ["test"]);
    db.close().unwrap();
}

/// Takes a deep value apart without recursion (what a caller that builds
/// such values does before dropping them on a small stack).
fn dismantle(v: Value) {
    let mut stack = vec![v];
    while let Some(v) = stack.pop() {
        match v {
            Value::List(items) => stack.extend(items),
            Value::Map(m) => stack.extend(m.into_iter().flat_map(|(k, v)| [k, v])),
            _ => {}
        }
    }
}

/// Defect 14: operate copied operands before checking their depth, so a
/// map put with a 10,000-deep value overflowed the stack; dropping a deep
/// value recursed too.
#[test]
fn deeply_nested_values_are_refused_and_dropped_without_overflowing_the_stack() {
    fn deep(levels: usize) -> Value {
        let mut v = Value::Int(1);
        for _ in 0..levels {
            v = Value::List(vec![v]);
        }
        v
    }
    // A small stack, so any recursion over the depth shows.
    let run = std::thread::Builder::new()
        .stack_size(256 * 1024)
        .spawn(|| {
            let dir = tempfile::tempdir().unwrap();
            let db = Db::open_with(dir.path(), quiet()).unwrap();
            let key = Key::new("test", "s", "k").unwrap();
            let deep_bin = Bin::new("b", deep(10_000));
            let ops = [
                maps::put("m", 1, deep(10_000)),
                lists::append("l", deep(10_000)),
                lists::append_items("l", vec![Value::Int(1), deep(10_000)]),
                maps::put_items("m", vec![(Value::Int(1), deep(10_000))]),
                operations::put(&deep_bin),
            ];
            for op in ops {
                let r = db.operate(&wp(), &key, &[op]);
                assert!(param_error(r).contains("nests deeper"));
            }
            dismantle(deep_bin.value);
            let bins = [Bin::new("b", deep(10_000))];
            let r = db.put(&wp(), &key, &bins);
            assert!(param_error(r).contains("nests deeper"));
            // The caller owns that value: like any recursive Rust enum
            // (serde_json::Value too), dropping it recurses, so on this small
            // stack the test takes it apart itself.
            let [Bin { value, .. }] = bins;
            dismantle(value);
            assert!(param_error(Key::new("test", "s", deep(10_000))).contains("Key"));
            // Nothing was created, and the deepest legal value still works.
            assert!(db.namespaces().is_empty());
            let ok = deep(62);
            db.operate(&wp(), &key, &[maps::put("m", 1, ok.clone())])
                .unwrap();
            let rec = db.get(&ReadPolicy::default(), &key, Bins::All).unwrap();
            assert_eq!(rec.bins["m"], as_map!(1 => ok));
            db.close().unwrap();
            // Operations own the values they were given, however deep, and
            // drop them without recursion.
            drop(lists::append("l", deep(100_000)));
            drop(maps::put_items("m", vec![(deep(100_000), deep(100_000))]));
            drop(operations::put(&Bin::new("b", Value::Nil)));
            // Moving a value's contents out by pattern still works (`Value`
            // has no `Drop` of its own).
            let Value::String(s) = Value::from("moved") else {
                unreachable!()
            };
            assert_eq!(s, "moved");
        })
        .unwrap();
    run.join().unwrap();
}

/// Defect 9: a segment file larger than the largest segment was opened
/// with its offsets cast to u32.
#[test]
fn segment_files_above_the_maximum_size_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let db = Db::open_with(dir.path(), quiet()).unwrap();
    db.put(
        &wp(),
        &Key::new("test", "s", 1).unwrap(),
        &[Bin::new("v", 1)],
    )
    .unwrap();
    db.close().unwrap();
    let seg = ns_dir(dir.path(), "test").join("00000001.seg");
    let file = std::fs::OpenOptions::new().write(true).open(&seg).unwrap();
    // Sparse: no disk space is used.
    file.set_len((1 << 30) + 4096).unwrap();
    drop(file);
    match Db::open_with(dir.path(), quiet()) {
        Err(Error::Corruption { message }) => {
            assert!(message.contains("00000001.seg"), "{message}");
            assert!(message.contains("move it out"), "{message}");
        }
        other => panic!("expected Corruption, got {other:?}"),
    }
}

/// Defect 16: a void time past the 32-bit range (early 2146) used to
/// saturate: the write was acknowledged and vanished.
#[test]
fn void_times_past_2146_are_refused() {
    // 2010-01-01, the epoch of 32-bit void times.
    let end = 1_262_304_000 + u64::from(u32::MAX);
    let clock = Arc::new(ManualClock::new(
        UNIX_EPOCH + Duration::from_secs(end - 100),
    ));
    let dir = tempfile::tempdir().unwrap();
    let opts = quiet()
        .clock(clock.clone())
        .namespace(NamespaceConfig::new("dflt").default_ttl(Some(Duration::from_secs(3600))));
    let db = Db::open_with(dir.path(), opts).unwrap();
    let key = Key::new("test", "s", "k").unwrap();
    let bin = [Bin::new("v", 1)];
    assert!(param_error(db.put(&ttl(1000), &key, &bin)).contains("2146"));
    assert!(param_error(db.put(&ttl(315_360_000), &key, &bin)).contains("2146"));
    let dk = Key::new("dflt", "s", "k").unwrap();
    param_error(db.put(&wp(), &dk, &bin));
    assert!(db.namespaces().is_empty());
    // What fits is kept, and expires when it says.
    db.put(&ttl(50), &key, &bin).unwrap();
    param_error(db.touch(&ttl(1000), &key));
    param_error(db.operate(&ttl(1000), &key, &[operations::touch()]));
    let rec = db.get(&ReadPolicy::default(), &key, Bins::All).unwrap();
    assert_eq!(rec.generation, 1);
    clock.advance(Duration::from_secs(60));
    assert!(db.get(&ReadPolicy::default(), &key, Bins::All).is_err());
    db.close().unwrap();
}

/// Defect 17: a zero sweep interval made the maintenance thread spin.
#[test]
fn a_zero_sweep_interval_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let m = param_error(Db::open_with(
        dir.path(),
        Options::default().sweep_interval(Duration::ZERO),
    ));
    assert!(m.contains("sweep_interval"), "{m}");
    let db = Db::open_with(
        dir.path(),
        Options::default().sweep_interval(Duration::from_millis(1)),
    )
    .unwrap();
    db.close().unwrap();
}

/// Defect 17: `Db::open("")` opened the current directory.
#[test]
fn an_empty_database_path_is_refused() {
    let m = param_error(Db::open(""));
    assert!(m.contains("empty"), "{m}");
    assert!(!Path::new("namespaces").exists());
}

/// Defect 17: scan and truncate with an invalid set name returned nothing
/// instead of the `ParameterError` a put gives.
#[test]
fn scan_and_truncate_refuse_invalid_set_names() {
    let dir = tempfile::tempdir().unwrap();
    let db = Db::open_with(dir.path(), quiet()).unwrap();
    db.put(
        &wp(),
        &Key::new("test", "s", 1).unwrap(),
        &[Bin::new("v", 1)],
    )
    .unwrap();
    let long = "x".repeat(64);
    for bad in [long.as_str(), "a\0b"] {
        assert!(matches!(
            Key::new("test", bad, 1),
            Err(Error::ParameterError(_))
        ));
        param_error(db.scan("test", Some(bad), Bins::All).map(|_| ()));
        param_error(db.truncate("test", Some(bad), None));
        param_error(db.scan("absent", Some(bad), Bins::All).map(|_| ()));
        param_error(db.truncate("absent", Some(bad), None));
    }
    assert_eq!(db.scan("test", Some("s"), Bins::All).unwrap().count(), 1);
    db.close().unwrap();
}
