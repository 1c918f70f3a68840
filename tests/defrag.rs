//! Defragmentation: space amplification under heavy overwrites (with an
//! explicit `compact()` and with the background thread alone), correctness
//! after compaction and reopen, compaction racing with writers and readers,
//! and exact `CompactStats`.

use aerolite::*;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

mod common;
use common::*;

const NS: &str = "test";

fn key(i: i64) -> Key {
    as_key!(NS, "s", i)
}

fn stats(db: &Db) -> NamespaceStats {
    ns_stats(db, NS)
}

fn get_v(db: &Db, k: &Key) -> Option<i64> {
    match db.get(&ReadPolicy::default(), k, Bins::All) {
        Ok(r) => match r.bins.get("v") {
            Some(Value::Int(v)) => Some(*v),
            other => panic!("{k:?}: unexpected bins {other:?}"),
        },
        Err(Error::KeyNotFound) => None,
        Err(e) => panic!("{k:?}: {e}"),
    }
}

/// SplitMix64's finalizer: a well-spread hash of `x`.
fn mix(mut x: u64) -> u64 {
    x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}

/// `capacity_used_bytes / disk_live_bytes`.
fn amplification(s: &NamespaceStats) -> f64 {
    s.capacity_used_bytes as f64 / s.disk_live_bytes as f64
}

const RECORDS: i64 = 100_000;
const ROUNDS: i64 = 20;

/// Overwrites `RECORDS` tiny records `ROUNDS` times; returns the stats at
/// the end of the loop.
fn overwrite_loop(db: &Db) -> NamespaceStats {
    let w = WritePolicy::default();
    let keys: Vec<Key> = (0..RECORDS).map(key).collect();
    let started = Instant::now();
    let mut worst: f64 = 0.0;
    for round in 0..ROUNDS {
        for k in &keys {
            db.put(&w, k, &[as_bin!("v", round)]).unwrap();
        }
        worst = worst.max(amplification(&stats(db)));
    }
    let s = stats(db);
    println!(
        "{} puts in {:?}; worst amplification at a round's end {worst:.2}",
        RECORDS * ROUNDS,
        started.elapsed()
    );
    s
}

fn check_all(db: &Db, want: i64) {
    for i in 0..RECORDS {
        assert_eq!(get_v(db, &key(i)), Some(want), "key {i}");
    }
}

#[test]
fn explicit_compact_keeps_space_amplification_at_most_2_5() {
    let dir = tempfile::tempdir().unwrap();
    let opts = || {
        Options::default()
            .segment_size(1 << 20)
            .sweep_interval(Duration::from_secs(3600))
    };
    let db = Db::open_with(dir.path(), opts()).unwrap();
    let end = overwrite_loop(&db);
    let t = Instant::now();
    let c = db.compact().unwrap();
    let s = stats(&db);
    let ratio = amplification(&s);
    println!(
        "(a) explicit compact in {:?}: {c:?}\n    before: used {} live {} ratio {:.2}\n    after:  used {} live {} segments {} ratio {ratio:.2}",
        t.elapsed(),
        end.capacity_used_bytes,
        end.disk_live_bytes,
        amplification(&end),
        s.capacity_used_bytes,
        s.disk_live_bytes,
        s.segments
    );
    assert!(
        ratio <= 2.5,
        "space amplification after compact() is {ratio:.2}"
    );
    assert_eq!(s.objects, RECORDS as u64);
    assert_eq!(s.tombstones, 0);
    check_all(&db, ROUNDS - 1);
    db.close().unwrap();

    let db = Db::open_with(dir.path(), opts()).unwrap();
    let s2 = stats(&db);
    assert_eq!(s2.objects, RECORDS as u64);
    assert_eq!(
        s2.disk_live_bytes, s.disk_live_bytes,
        "live bytes rebuilt at open"
    );
    check_all(&db, ROUNDS - 1);
    db.close().unwrap();
}

/// The background thread alone (no `compact()`) reclaims the overwritten
/// versions. While a writer runs flat out it may fall behind (on a loaded
/// 2-core CI machine it once ended the loop at 7.4); what must hold is that
/// it catches up on its own once the writer pauses, within a bound.
#[test]
fn background_defrag_keeps_space_amplification_at_most_4() {
    let dir = tempfile::tempdir().unwrap();
    let opts = Options::default()
        .segment_size(1 << 20)
        .sweep_interval(Duration::from_millis(10));
    let db = Db::open_with(dir.path(), opts).unwrap();
    let end = overwrite_loop(&db);
    let paused = Instant::now();
    let end_ratio = amplification(&end);
    let mut s = end;
    while amplification(&s) > 4.0 && paused.elapsed() < Duration::from_secs(60) {
        std::thread::sleep(Duration::from_millis(20));
        s = stats(&db);
    }
    let ratio = amplification(&s);
    println!(
        "(b) background only: at the loop's end ratio {:.2}; {:?} later used {} live {} segments {} ratio {ratio:.2}",
        end_ratio,
        paused.elapsed(),
        s.capacity_used_bytes,
        s.disk_live_bytes,
        s.segments
    );
    assert!(
        ratio <= 4.0,
        "space amplification with background defrag is still {ratio:.2} a minute after the writes"
    );
    check_all(&db, ROUNDS - 1);
    db.close().unwrap();
}

/// Writers overwrite and readers read while another thread compacts in a
/// loop. Each round overwrites only about 30 % of the keys, so segments stay
/// partly live and compaction really moves records under the readers. A
/// reader never sees a missing record, a value older than one it knows was
/// written, a torn record (bins from two versions), a generation that does
/// not match the number of writes, or a deleted record.
#[test]
fn writers_and_readers_during_compaction_never_see_wrong_data() {
    const KEYS: i64 = 2000;
    const WRITERS: i64 = 2;
    const WROUNDS: i64 = 30;
    let dir = tempfile::tempdir().unwrap();
    let opts = Options::default()
        .segment_size(64 * 1024)
        .sweep_interval(Duration::from_millis(5));
    let db = Arc::new(Db::open_with(dir.path(), opts).unwrap());
    let w = WritePolicy::default();
    // v: the round that wrote it; n: how many writes the key had before.
    let rec = |k: i64, round: i64, n: i64| {
        [
            as_bin!("v", round),
            as_bin!("n", n),
            as_bin!("chk", k * 1000 + round),
            as_bin!("pad", vec![(round % 251) as u8; 100]),
        ]
    };
    // About 30 % of the keys per round, pseudo-randomly, so that segments
    // decay slowly and are compacted while about half of them is live.
    let written_in =
        |k: i64, round: i64| round == WROUNDS || mix((k as u64) << 8 | round as u64) % 100 < 30;
    for k in 0..KEYS {
        db.put(&w, &key(k), &rec(k, 0, 0)).unwrap();
    }
    // Deleted before the race starts: must stay deleted throughout.
    for k in 0..KEYS / 10 {
        db.put(&w, &as_key!(NS, "gone", k), &[as_bin!("v", 1)])
            .unwrap();
    }
    for k in 0..KEYS / 10 {
        assert!(db.delete(&w, &as_key!(NS, "gone", k)).unwrap());
    }
    // last[k]: the round of the last write to k that has returned.
    let last: Arc<Vec<AtomicI64>> = Arc::new((0..KEYS).map(|_| AtomicI64::new(0)).collect());
    let stop = Arc::new(AtomicBool::new(false));
    let compactor = {
        let (db, stop) = (Arc::clone(&db), Arc::clone(&stop));
        std::thread::spawn(move || {
            let mut total = CompactStats::default();
            let mut calls = 0;
            while !stop.load(Ordering::Relaxed) {
                let c = db.compact().unwrap();
                total.segments_compacted += c.segments_compacted;
                total.entries_moved += c.entries_moved;
                total.tombstones_dropped += c.tombstones_dropped;
                total.bytes_reclaimed += c.bytes_reclaimed;
                calls += 1;
            }
            (total, calls)
        })
    };
    let writers: Vec<_> = (0..WRITERS)
        .map(|wi| {
            let (db, last) = (Arc::clone(&db), Arc::clone(&last));
            std::thread::spawn(move || {
                let w = WritePolicy::default();
                let mine: Vec<i64> = (wi..KEYS).step_by(WRITERS as usize).collect();
                let mut count = vec![1i64; mine.len()];
                for round in 1..=WROUNDS {
                    for (j, &k) in mine.iter().enumerate() {
                        if written_in(k, round) {
                            db.put(&w, &key(k), &rec(k, round, count[j])).unwrap();
                            count[j] += 1;
                            last[k as usize].store(round, Ordering::Release);
                        }
                    }
                }
            })
        })
        .collect();
    let readers: Vec<_> = (0..2)
        .map(|ri| {
            let (db, last, stop) = (Arc::clone(&db), Arc::clone(&last), Arc::clone(&stop));
            std::thread::spawn(move || {
                let mut reads = 0u64;
                let mut k = ri * 7;
                while !stop.load(Ordering::Relaxed) {
                    k = (k * 31 + 17) % KEYS;
                    let floor = last[k as usize].load(Ordering::Acquire);
                    let r = db
                        .get(&ReadPolicy::default(), &key(k), Bins::All)
                        .unwrap_or_else(|e| panic!("key {k} missing during compaction: {e}"));
                    let (v, n) = match (&r.bins["v"], &r.bins["n"]) {
                        (Value::Int(v), Value::Int(n)) => (*v, *n),
                        o => panic!("{o:?}"),
                    };
                    assert!(
                        v >= floor && v <= WROUNDS,
                        "key {k}: round {v}, floor {floor}"
                    );
                    assert_eq!(r.bins["chk"], Value::Int(k * 1000 + v), "torn record {k}");
                    assert_eq!(r.bins["pad"], Value::Blob(vec![(v % 251) as u8; 100]));
                    assert_eq!(i64::from(r.generation), n + 1, "key {k}");
                    let g = as_key!(NS, "gone", k % (KEYS / 10));
                    assert!(
                        !db.exists(&ReadPolicy::default(), &g).unwrap(),
                        "{g:?} came back"
                    );
                    reads += 1;
                }
                reads
            })
        })
        .collect();
    for t in writers {
        t.join().unwrap();
    }
    stop.store(true, Ordering::Relaxed);
    let reads: u64 = readers.into_iter().map(|t| t.join().unwrap()).sum();
    let (total, calls) = compactor.join().unwrap();
    let s = stats(&db);
    println!("{reads} reads, {calls} compact() calls, {total:?}\n{s:?}");
    assert!(reads > 1000);
    // The background thread defragments too (and may move every live record
    // itself), so only ask that the explicit calls really ran.
    assert!(
        total.segments_compacted > 0,
        "compaction never ran: {total:?}"
    );
    assert_eq!(s.objects, KEYS as u64);
    let expect_final = |db: &Db| {
        for k in 0..KEYS {
            let r = db.get(&ReadPolicy::default(), &key(k), Bins::All).unwrap();
            assert_eq!(r.bins["v"], Value::Int(WROUNDS), "key {k}");
            assert_eq!(r.bins["chk"], Value::Int(k * 1000 + WROUNDS), "key {k}");
            let writes = 1 + (1..=WROUNDS).filter(|&r| written_in(k, r)).count() as u32;
            assert_eq!(r.generation, writes, "key {k}");
        }
        for k in 0..KEYS / 10 {
            assert_eq!(get_v(db, &as_key!(NS, "gone", k)), None);
        }
    };
    expect_final(&db);
    let db = Arc::into_inner(db).unwrap();
    db.close().unwrap();
    let db = Db::open_with(dir.path(), Options::default().segment_size(64 * 1024)).unwrap();
    expect_final(&db);
    db.close().unwrap();
}

// ---------------------------------------------------------------------------
// Exact CompactStats on a hand-built layout.

/// Bins whose entry is exactly 1000 bytes long in set "s" without a stored
/// key (64-byte header + 1 set byte + 935 payload bytes; docs/format.md).
fn kilo(v: i64) -> [Bin; 2] {
    [as_bin!("v", v), as_bin!("pad", vec![0u8; 913])]
}

const SEG: u64 = 16 * 1024;
/// A tombstone in set "s": header + set name, padded to 8.
const TOMB: u64 = 72;

fn ns_dir(root: &Path) -> PathBuf {
    root.join("namespaces").join(NS)
}

#[test]
fn compact_stats_are_exact() {
    let dir = tempfile::tempdir().unwrap();
    let opts = || {
        Options::default()
            .segment_size(SEG)
            .sweep_interval(Duration::from_secs(3600))
    };
    let db = Db::open_with(dir.path(), opts()).unwrap();
    let w = WritePolicy::default();
    let put = |i: i64, v: i64| db.put(&w, &key(i), &kilo(v)).unwrap();
    put(0, 0);
    assert_eq!(stats(&db).disk_live_bytes, 1000, "entry size assumption");
    for i in 1..16 {
        put(i, 0);
    }
    assert_eq!(stats(&db).segments, 1);
    assert_eq!(
        db.compact().unwrap(),
        CompactStats::default(),
        "the active segment is never compacted"
    );
    put(16, 0); // does not fit: segment 2 starts
    assert_eq!(stats(&db).segments, 2);
    common::wait_hinted(&ns_dir(dir.path()), 1);
    assert_eq!(
        db.compact().unwrap(),
        CompactStats::default(),
        "segment 1 is 100 % live"
    );

    // Segment 1 keeps 5 of its 16 records live (10..15); 15 is deleted.
    for i in 0..10 {
        put(i, 1);
    }
    assert!(db.delete(&w, &key(15)).unwrap());
    let c = db.compact().unwrap();
    assert_eq!(
        c,
        CompactStats {
            segments_compacted: 1,
            entries_moved: 5,
            tombstones_dropped: 0,
            bytes_reclaimed: SEG,
        }
    );
    let s = stats(&db);
    assert_eq!((s.segments, s.objects, s.tombstones), (1, 16, 1));
    assert_eq!(s.disk_used_bytes, SEG);
    assert_eq!(s.disk_live_bytes, 16 * 1000 + TOMB);
    assert_eq!(s.capacity_used_bytes, 64 + 16 * 1000 + TOMB);
    assert_eq!(db.compact().unwrap(), CompactStats::default());

    // Segment 2 is sealed; overwriting 0..9 leaves 16, the copies of 10..14
    // and the tombstone of 15 in it (6 records + 1 tombstone, 37.8 % live).
    put(17, 0); // segment 3 starts
    common::wait_hinted(&ns_dir(dir.path()), 2);
    for i in 0..10 {
        put(i, 2);
    }
    let c = db.compact().unwrap();
    // The tombstone's segment is the oldest left: nothing older can lie
    // anywhere, so it is dropped.
    assert_eq!(
        c,
        CompactStats {
            segments_compacted: 1,
            entries_moved: 6,
            tombstones_dropped: 1,
            bytes_reclaimed: SEG,
        }
    );
    let s = stats(&db);
    // Segment 3 took 11 + 5 entries; the sixth copy started segment 4.
    assert_eq!((s.segments, s.objects, s.tombstones), (2, 17, 0), "{s:?}");
    assert_eq!(s.disk_used_bytes, 2 * SEG);
    assert_eq!(s.disk_live_bytes, 17 * 1000);
    let expect = |db: &Db| {
        for i in 0..18 {
            let want = match i {
                0..10 => Some(2),
                15 => None,
                _ => Some(0),
            };
            assert_eq!(get_v(db, &key(i)), want, "key {i}");
        }
    };
    expect(&db);
    db.close().unwrap();
    let db = Db::open_with(dir.path(), opts()).unwrap();
    expect(&db);
    let s = stats(&db);
    assert_eq!((s.segments, s.objects, s.tombstones), (2, 17, 0));
    assert_eq!(s.disk_live_bytes, 17 * 1000);
    db.close().unwrap();
}

#[test]
fn compact_totals_match_the_files_on_disk() {
    // Whatever the layout (the background thread may compact part of it
    // first), bytes_reclaimed is whole segments, and the files left are
    // exactly the segments the stats count, with no hint file left behind
    // for a deleted segment.
    const SEG32: u64 = 32 * 1024;
    let dir = tempfile::tempdir().unwrap();
    let db = Db::open_with(
        dir.path(),
        Options::default()
            .segment_size(SEG32)
            .sweep_interval(Duration::from_secs(3600)),
    )
    .unwrap();
    let w = WritePolicy::default();
    for round in 0..4 {
        for i in 0..300 {
            db.put(
                &w,
                &key(i),
                &[as_bin!("v", round), as_bin!("p", vec![1u8; 200])],
            )
            .unwrap();
        }
    }
    for i in (0..300).step_by(3) {
        assert!(db.delete(&w, &key(i)).unwrap());
    }
    let before = stats(&db);
    let c = db.compact().unwrap();
    let after = stats(&db);
    println!("{before:?}\n{c:?}\n{after:?}");
    assert_eq!(c.bytes_reclaimed, c.segments_compacted * SEG32);
    assert_eq!(after.objects, 200);
    assert_eq!(after.disk_used_bytes, after.segments * SEG32);
    // The background thread may have done the compacting already.
    assert!(after.segments <= before.segments, "{before:?} -> {after:?}");
    let mut segs = Vec::new();
    let mut hints = Vec::new();
    let mut bytes = 0;
    for e in std::fs::read_dir(ns_dir(dir.path())).unwrap() {
        let e = e.unwrap();
        let name = e.file_name().into_string().unwrap();
        if let Some(id) = name.strip_suffix(".seg") {
            segs.push(id.to_string());
            bytes += e.metadata().unwrap().len();
        } else if let Some(id) = name.strip_suffix(".hint") {
            hints.push(id.to_string());
        }
    }
    assert_eq!(segs.len() as u64, after.segments);
    assert_eq!(bytes, after.disk_used_bytes);
    for h in &hints {
        assert!(segs.contains(h), "hint {h} outlived its segment");
    }
    for i in 0..300 {
        assert_eq!(get_v(&db, &key(i)), (i % 3 != 0).then_some(3), "key {i}");
    }
    db.close().unwrap();
}
