//! Persistence: what survives close/reopen and drop, the directory lock, and
//! recovery from damaged segment bytes (layout in `docs/format.md`).

use aerolite::*;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, UNIX_EPOCH};

mod common;
use common::*;

const SEG: u64 = 64 * 1024;
const SEG_HEADER: usize = 64;
const ENTRY_MAGIC: u32 = 0x4C45_4E54;

fn open(dir: &Path) -> Db {
    Db::open_with(dir, Options::default().segment_size(SEG)).unwrap()
}

fn send() -> WritePolicy {
    WritePolicy {
        send_key: true,
        ..WritePolicy::default()
    }
}

fn get(db: &Db, key: &Key) -> Option<Record> {
    match db.get(&rp(), key, Bins::All) {
        Ok(r) => Some(r),
        Err(Error::KeyNotFound) => None,
        Err(e) => panic!("get {key:?}: {e:?}"),
    }
}

fn key(i: i64) -> Key {
    as_key!("test", "r", i)
}

/// Every record of `keys`, as read now.
fn snapshot(db: &Db, keys: impl IntoIterator<Item = i64>) -> HashMap<i64, Option<Record>> {
    keys.into_iter().map(|i| (i, get(db, &key(i)))).collect()
}

fn segment_files(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir.join("namespaces").join("test"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "seg"))
        .collect();
    v.sort();
    v
}

fn u32_at(b: &[u8], off: usize) -> u32 {
    u32::from_le_bytes(b[off..off + 4].try_into().unwrap())
}

/// (offset, unpadded length, digest) of each entry of a segment file.
fn entries(bytes: &[u8]) -> Vec<(usize, usize, [u8; 20])> {
    let mut out = Vec::new();
    let mut p = SEG_HEADER;
    while p + 64 <= bytes.len() && u32_at(bytes, p + 4) == ENTRY_MAGIC {
        let len = u32_at(bytes, p + 8) as usize;
        assert!(len >= 64);
        out.push((p, len, bytes[p + 40..p + 60].try_into().unwrap()));
        p += len.div_ceil(8) * 8;
    }
    out
}

/// A copy of `src` with `damage` applied to the copy of segment file `seg`.
fn damaged_copy(src: &Path, to: &Path, seg: &Path, damage: impl FnOnce(&mut Vec<u8>)) {
    let _ = std::fs::remove_dir_all(to);
    copy_dir(src, to);
    let target = to.join(seg.strip_prefix(src).unwrap());
    let mut bytes = std::fs::read(&target).unwrap();
    damage(&mut bytes);
    std::fs::write(&target, bytes).unwrap();
}

fn rich_bins(i: i64) -> Vec<Bin> {
    vec![
        as_bin!("i", i),
        as_bin!("s", format!("value-{i}")),
        as_bin!("f", i as f64 / 3.0),
        as_bin!("b", i % 2 == 0),
        as_bin!("blob", vec![i as u8; (i % 50) as usize]),
        as_bin!("l", as_list!(i, "x", as_list!(1.5, Value::Nil))),
        as_bin!("m", as_map!("k" => i, 7 => "seven")),
    ]
}

#[test]
fn data_survives_close_and_drop() {
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(ManualClock::new(
        UNIX_EPOCH + Duration::from_secs(1_700_000_000),
    ));
    let opts = || Options::default().segment_size(SEG).clock(clock.clone());
    let n = 1500;
    let expected = {
        let db = Db::open_with(dir.path(), opts()).unwrap();
        for i in 0..n {
            let p = WritePolicy {
                send_key: i % 3 == 0,
                expiration: if i % 4 == 0 {
                    Expiration::Seconds(1000 + i as u32)
                } else {
                    Expiration::Never
                },
                ..WritePolicy::default()
            };
            db.put(&p, &key(i), &rich_bins(i)).unwrap();
            let keep_ttl = WritePolicy {
                expiration: Expiration::DontUpdate,
                ..WritePolicy::default()
            };
            for g in 0..(i % 5) {
                db.put(&keep_ttl, &key(i), &[as_bin!("g", g)]).unwrap();
            }
        }
        let s = snapshot(&db, 0..n);
        assert!(s.values().all(Option::is_some));
        assert_eq!(s[&5].as_ref().unwrap().generation, 1);
        assert_eq!(s[&9].as_ref().unwrap().generation, 5);
        db.close().unwrap();
        s
    };
    let db = Db::open_with(dir.path(), opts()).unwrap();
    assert_eq!(snapshot(&db, 0..n), expected);
    assert_eq!(db.namespace_stats("test").unwrap().objects, n as u64);
    assert_eq!(get(&db, &key(3)).unwrap().key.as_ref(), Some(&key(3)));
    assert_eq!(get(&db, &key(4)).unwrap().key.unwrap().user_key(), None);
    assert_eq!(
        get(&db, &key(4)).unwrap().expiration,
        (1_700_000_000 - 1_262_304_000) + 1004
    );

    // More writes, then drop without close.
    for i in (0..n).step_by(7) {
        db.put(&send(), &key(i), &[as_bin!("late", i)]).unwrap();
    }
    db.touch(&wp(), &key(1)).unwrap();
    let expected = snapshot(&db, 0..n);
    drop(db);
    let db = Db::open_with(dir.path(), opts()).unwrap();
    assert_eq!(snapshot(&db, 0..n), expected);
    assert_eq!(get(&db, &key(7)).unwrap().key.as_ref(), Some(&key(7)));
    let r = db.namespace_stats("test").unwrap().recovery;
    assert_eq!(
        (r.corrupt_regions, r.torn_tail_bytes, r.bad_headers),
        (0, 0, 0)
    );
}

#[test]
fn deleted_records_stay_gone_across_segments() {
    let dir = tempfile::tempdir().unwrap();
    let keys = 0..200i64;
    {
        // Without the background thread, so that the segment count checked
        // below is the writes' own: defragmentation (now quick to retire
        // segments) could otherwise fold them into one before the check.
        let quiet = Options::default()
            .segment_size(SEG)
            .background_maintenance(false);
        let db = Db::open_with(dir.path(), quiet).unwrap();
        for round in 0..15 {
            for i in keys.clone() {
                db.put(
                    &wp(),
                    &key(i),
                    &[as_bin!("v", vec![round as u8; 40]), as_bin!("r", round)],
                )
                .unwrap();
            }
        }
        // Delete every third, recreate-and-delete some, and then keep
        // overwriting the others so the tombstones end up in old segments.
        for i in keys.clone().step_by(3) {
            assert!(db.delete(&wp(), &key(i)).unwrap());
        }
        for i in keys.clone().step_by(6) {
            db.put(&wp(), &key(i), &[as_bin!("again", 1)]).unwrap();
            assert!(db.delete(&wp(), &key(i)).unwrap());
        }
        // Deleted by nil bins.
        db.put(&wp(), &key(1), &[as_bin!("v"), as_bin!("r")])
            .unwrap();
        for round in 15..25 {
            for i in keys.clone().filter(|i| i % 3 != 0 && *i != 1) {
                db.put(&wp(), &key(i), &[as_bin!("r", round)]).unwrap();
            }
        }
        // Tombstones in several segments.
        assert!(db.namespace_stats("test").unwrap().segments >= 2);
        db.close().unwrap();
    }
    for round in 0..2 {
        // With the background thread; the second time also after an
        // explicit defragmentation, which drops or moves tombstones.
        let db = open(dir.path());
        if round == 1 {
            db.compact().unwrap();
        }
        for i in keys.clone() {
            let r = get(&db, &key(i));
            if i % 3 == 0 || i == 1 {
                assert_eq!(r, None, "key {i} came back");
            } else {
                let r = r.unwrap();
                assert_eq!(r.bins["r"], Value::Int(24));
                assert_eq!(r.bins["v"], Value::Blob(vec![14; 40]));
                assert_eq!(r.generation, 25);
            }
        }
        let s = db.namespace_stats("test").unwrap();
        assert_eq!(s.objects, 200 - 67 - 1);
        // 68 deletes; background defragmentation may already have dropped
        // tombstones that no older segment needs any more.
        assert!(s.tombstones <= 68, "{s:?}");
    }
}

#[test]
fn a_directory_is_opened_once_at_a_time() {
    let dir = tempfile::tempdir().unwrap();
    let db = open(dir.path());
    db.put(&wp(), &key(1), &[as_bin!("a", 1)]).unwrap();
    for second in [
        Db::open(dir.path()),
        Db::open_with(dir.path(), Options::default().segment_size(SEG)),
    ] {
        let err = second.unwrap_err();
        assert!(matches!(err, Error::Locked { .. }), "{err:?}");
        assert_eq!(err.result_code() as i32, 1);
    }
    // The refused open did not disturb the open one.
    assert_eq!(get(&db, &key(1)).unwrap().bins["a"], Value::Int(1));
    db.close().unwrap();
    let db = open(dir.path());
    assert_eq!(get(&db, &key(1)).unwrap().bins["a"], Value::Int(1));
    drop(db);
    let db = open(dir.path());
    assert!(matches!(Db::open(dir.path()), Err(Error::Locked { .. })));
    drop(db);
}

/// Defect 12: deleting `aerolite.lock` let a second `Db` in, and writes
/// through both handles were lost. The directory itself is locked now.
#[test]
fn deleting_the_lock_file_lets_no_second_writer_in() {
    let dir = tempfile::tempdir().unwrap();
    let db = open(dir.path());
    db.put(&wp(), &key(1), &[as_bin!("a", 1)]).unwrap();
    std::fs::remove_file(dir.path().join("aerolite.lock")).unwrap();
    let err = Db::open(dir.path()).unwrap_err();
    assert!(matches!(err, Error::Locked { .. }), "{err:?}");
    db.put(&wp(), &key(2), &[as_bin!("a", 2)]).unwrap();
    db.close().unwrap();
    let db = open(dir.path());
    assert_eq!(get(&db, &key(1)).unwrap().bins["a"], Value::Int(1));
    assert_eq!(get(&db, &key(2)).unwrap().bins["a"], Value::Int(2));
}

#[test]
fn open_creates_a_missing_directory() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("a").join("b").join("db");
    let db = open(&path);
    assert!(path.is_dir());
    assert_eq!(db.path(), path);
    db.put(&wp(), &key(1), &[as_bin!("a", 1)]).unwrap();
    db.close().unwrap();
    assert!(open(&path).exists(&rp(), &key(1)).unwrap());
}

/// Writes records 0..count (small, one segment), closes, returns their records.
fn small_db(dir: &Path, count: i64) -> HashMap<i64, Option<Record>> {
    let db = open(dir);
    for i in 0..count {
        db.put(
            &send(),
            &key(i),
            &[as_bin!("i", i), as_bin!("s", format!("record {i} ....."))],
        )
        .unwrap();
    }
    let s = snapshot(&db, 0..count);
    db.close().unwrap();
    s
}

#[test]
fn a_torn_last_entry_is_cut_off_at_every_offset() {
    let tmp = tempfile::tempdir().unwrap();
    // Two cases: the last entry is a new record, or an overwrite of record 0.
    for overwrite in [false, true] {
        let src = tmp.path().join(format!("src-{overwrite}"));
        let before = small_db(&src, 5);
        let last_key = if overwrite { 0 } else { 5 };
        let old = before.get(&last_key).cloned().flatten();
        let new = {
            let db = open(&src);
            db.put(
                &send(),
                &key(last_key),
                &[as_bin!("i", -1), as_bin!("t", 0)],
            )
            .unwrap();
            let r = get(&db, &key(last_key));
            db.close().unwrap();
            r
        };
        let seg = segment_files(&src).pop().unwrap();
        let bytes = std::fs::read(&seg).unwrap();
        let &(start, len, digest) = entries(&bytes).last().unwrap();
        assert_eq!(&digest, &key(last_key).digest().0);
        let copy = tmp.path().join("copy");
        let mut intact = 0;
        for off in start..start + len {
            damaged_copy(&src, &copy, &seg, |b| b[off..start + len].fill(0));
            let db = open(&copy);
            for (i, want) in &before {
                if *i != last_key {
                    assert_eq!(&get(&db, &key(*i)), want, "offset {off}: record {i}");
                }
            }
            let got = get(&db, &key(last_key));
            assert!(got == old || got == new, "offset {off}: garbage {got:?}");
            intact += usize::from(got == new);
            let rec = db.namespace_stats("test").unwrap().recovery;
            assert_eq!(rec.corrupt_regions, 0, "offset {off}: {rec:?}");
            if got != new && bytes[start..off].iter().any(|&x| x != 0) {
                assert!(rec.torn_tail_bytes > 0, "offset {off}: {rec:?}");
            }
            // Now and then: the database takes new writes and keeps them.
            if off % 16 == 0 {
                db.put(&wp(), &key(100), &[as_bin!("after", off as i64)])
                    .unwrap();
                db.close().unwrap();
                let db = open(&copy);
                assert_eq!(
                    get(&db, &key(100)).unwrap().bins["after"],
                    Value::Int(off as i64)
                );
                assert_eq!(get(&db, &key(last_key)), got);
                let rec = db.namespace_stats("test").unwrap().recovery;
                assert_eq!(
                    (rec.corrupt_regions, rec.torn_tail_bytes),
                    (0, 0),
                    "offset {off}"
                );
            }
        }
        // Only zeroing bytes that were already zero can leave it intact.
        assert!(intact < len / 2, "{intact} of {len}");
    }
}

#[test]
fn a_flipped_byte_loses_only_that_entry() {
    let tmp = tempfile::tempdir().unwrap();
    let src = tmp.path().join("src");
    let mut expected = small_db(&src, 10);
    let old3 = expected[&3].clone();
    {
        // Entry 11: an overwrite of record 3; then more records after it.
        let db = open(&src);
        db.put(&send(), &key(3), &[as_bin!("i", 333)]).unwrap();
        for i in 10..20 {
            db.put(&send(), &key(i), &[as_bin!("i", i)]).unwrap();
        }
        expected = snapshot(&db, 0..20);
        db.close().unwrap();
    }
    let seg = segment_files(&src).pop().unwrap();
    let bytes = std::fs::read(&seg).unwrap();
    let list = entries(&bytes);
    assert_eq!(list.len(), 21);
    // (entry index, damaged key, what it must read as afterwards)
    let cases = [(7usize, 7i64, None), (10, 3, old3)];
    let copy = tmp.path().join("copy");
    for (idx, victim, fallback) in cases {
        let (start, len, digest) = list[idx];
        assert_eq!(digest, key(victim).digest().0);
        for off in start..start + len {
            damaged_copy(&src, &copy, &seg, |b| b[off] ^= 0x5A);
            let db = open(&copy);
            for i in 0..20 {
                let want = if i == victim {
                    &fallback
                } else {
                    &expected[&i]
                };
                assert_eq!(&get(&db, &key(i)), want, "flip at {off}: record {i}");
            }
            let rec = db.namespace_stats("test").unwrap().recovery;
            assert!(rec.corrupt_regions >= 1, "flip at {off}: {rec:?}");
            assert_eq!(rec.torn_tail_bytes, 0, "flip at {off}: {rec:?}");
        }
    }
}

/// A database spanning several segments, closed; returns its records.
fn multi_segment_db(dir: &Path, n: i64) -> HashMap<i64, Option<Record>> {
    let db = open(dir);
    for i in 0..n {
        db.put(&wp(), &key(i), &[as_bin!("v", vec![i as u8; 60])])
            .unwrap();
    }
    let s = snapshot(&db, 0..n);
    db.close().unwrap();
    s
}

#[test]
fn a_flipped_byte_in_a_sealed_segment_loses_only_that_entry() {
    let tmp = tempfile::tempdir().unwrap();
    let src = tmp.path().join("src");
    let n = 2000;
    let expected = multi_segment_db(&src, n);
    let files = segment_files(&src);
    assert!(files.len() >= 3, "{files:?}");
    let seg = files[1].clone();
    let bytes = std::fs::read(&seg).unwrap();
    let list = entries(&bytes);
    let (start, len, digest) = list[list.len() / 2];
    let victim = (0..n).find(|&i| key(i).digest().0 == digest).unwrap();
    let copy = tmp.path().join("copy");
    for off in [
        start,
        start + 13,
        start + 45,
        start + len / 2,
        start + len - 1,
    ] {
        damaged_copy(&src, &copy, &seg, |b| b[off] ^= 0xFF);
        // By default the sealed segment is read from its hint file: the
        // damage is found when the record is read, as Corruption (never as
        // data), and every other record is intact.
        {
            let db = open(&copy);
            for i in 0..n {
                if i == victim {
                    let err = db.get(&rp(), &key(i), Bins::All).unwrap_err();
                    assert!(
                        matches!(err, Error::Corruption { .. }),
                        "flip at {off}: {err:?}"
                    );
                    assert_eq!(err.result_code() as i32, 1);
                } else {
                    assert_eq!(get(&db, &key(i)), expected[&i], "flip at {off}: record {i}");
                }
            }
        }
        // verify_on_open walks every byte: the entry is skipped at open.
        let opts = Options::default().segment_size(SEG).verify_on_open(true);
        let db = Db::open_with(&copy, opts).unwrap();
        for i in 0..n {
            let want = if i == victim {
                None
            } else {
                expected[&i].clone()
            };
            assert_eq!(get(&db, &key(i)), want, "flip at {off}: record {i}");
        }
        let stats = db.namespace_stats("test").unwrap();
        assert!(stats.recovery.corrupt_regions >= 1, "{:?}", stats.recovery);
        assert_eq!(stats.objects, n as u64 - 1);
        // Overwriting the damaged record works and survives a reopen.
        db.put(&wp(), &key(victim), &[as_bin!("fixed", 1)]).unwrap();
        db.close().unwrap();
        let db = open(&copy);
        assert_eq!(get(&db, &key(victim)).unwrap().bins["fixed"], Value::Int(1));
    }
}

#[test]
fn a_damaged_hint_file_is_ignored() {
    let tmp = tempfile::tempdir().unwrap();
    let src = tmp.path().join("src");
    let n = 2000;
    let expected = multi_segment_db(&src, n);
    let ns_dir = src.join("namespaces").join("test");
    let hints: Vec<PathBuf> = segment_files(&src)
        .iter()
        .map(|s| s.with_extension("hint"))
        .filter(|h| h.exists())
        .collect();
    assert!(!hints.is_empty(), "no hint files in {ns_dir:?}");
    let hint = hints[0].clone();
    let hint_len = std::fs::metadata(&hint).unwrap().len() as usize;
    let copy = tmp.path().join("copy");
    for off in [0, 20, 40, hint_len / 2, hint_len - 1] {
        damaged_copy(&src, &copy, &hint, |b| b[off] ^= 0x10);
        let db = open(&copy);
        assert_eq!(snapshot(&db, 0..n), expected, "hint flip at {off}");
        let rec = db.namespace_stats("test").unwrap().recovery;
        assert_eq!(
            (rec.corrupt_regions, rec.torn_tail_bytes),
            (0, 0),
            "{rec:?}"
        );
    }
    // A truncated or missing hint: the same.
    damaged_copy(&src, &copy, &hint, |b| b.truncate(hint_len / 3));
    assert_eq!(snapshot(&open(&copy), 0..n), expected);
    damaged_copy(&src, &copy, &hint, |_| {});
    std::fs::remove_file(copy.join(hint.strip_prefix(&src).unwrap())).unwrap();
    assert_eq!(snapshot(&open(&copy), 0..n), expected);
}

#[test]
fn garbage_after_the_last_entry_is_a_torn_tail() {
    let tmp = tempfile::tempdir().unwrap();
    let src = tmp.path().join("src");
    let expected = small_db(&src, 8);
    let seg = segment_files(&src).pop().unwrap();
    let bytes = std::fs::read(&seg).unwrap();
    let &(start, len, _) = entries(&bytes).last().unwrap();
    let end = (start + len).div_ceil(8) * 8;
    let copy = tmp.path().join("copy");
    // A copy of the last entry with a bad CRC: looks like an entry.
    let mut bad_copy = bytes[start..start + len].to_vec();
    bad_copy[0] ^= 1;
    // (where, bytes) written after the last entry.
    let garbage: [(usize, Vec<u8>); 3] =
        [(end, vec![0xA5; 300]), (end + 8, vec![1]), (end, bad_copy)];
    for (case, (at, junk)) in garbage.iter().enumerate() {
        damaged_copy(&src, &copy, &seg, |b| {
            b[*at..at + junk.len()].copy_from_slice(junk)
        });
        {
            let db = open(&copy);
            let rec = db.namespace_stats("test").unwrap().recovery;
            assert!(rec.torn_tail_bytes > 0, "case {case}: {rec:?}");
            assert_eq!(rec.corrupt_regions, 0, "case {case}: {rec:?}");
            assert_eq!(snapshot(&db, 0..8), expected, "case {case}");
            // New writes after the cut, over the old garbage.
            for i in 8..40 {
                db.put(&send(), &key(i), &[as_bin!("i", i * 10)]).unwrap();
            }
            db.put(&send(), &key(0), &[as_bin!("i", -5)]).unwrap();
            db.close().unwrap();
        }
        let db = open(&copy);
        let rec = db.namespace_stats("test").unwrap().recovery;
        assert_eq!(
            (rec.torn_tail_bytes, rec.corrupt_regions),
            (0, 0),
            "case {case}: {rec:?}"
        );
        for i in 1..8 {
            assert_eq!(get(&db, &key(i)), expected[&i], "case {case}");
        }
        let r0 = get(&db, &key(0)).unwrap();
        assert_eq!((r0.bins["i"].clone(), r0.generation), (Value::Int(-5), 2));
        for i in 8..40 {
            assert_eq!(
                get(&db, &key(i)).unwrap().bins["i"],
                Value::Int(i * 10),
                "case {case}"
            );
        }
    }
}
