//! `Db::batch_get` and `Db::scan` (`spec/semantics.md`, "Reads").

use aerolite::*;
use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Barrier};
use std::time::{Duration, UNIX_EPOCH};

mod common;
use common::*;

const SEG: u64 = 64 * 1024;

fn open(dir: &Path) -> Db {
    Db::open_with(dir, Options::default().segment_size(SEG)).unwrap()
}

fn open_clock(dir: &Path) -> (Db, Arc<ManualClock>) {
    let clock = Arc::new(ManualClock::new(
        UNIX_EPOCH + Duration::from_secs(2_000_000_000),
    ));
    let options = Options::default().segment_size(SEG).clock(clock.clone());
    (Db::open_with(dir, options).unwrap(), clock)
}

fn send_key() -> WritePolicy {
    WritePolicy {
        send_key: true,
        ..WritePolicy::default()
    }
}

fn bin_i(r: &Record) -> i64 {
    match r.bins.get("i") {
        Some(Value::Int(i)) => *i,
        other => panic!("bin i: {other:?}"),
    }
}

/// Scans and returns the records, failing on any error item.
fn scan_all(db: &Db, ns: &str, set: Option<&str>, bins: Bins) -> Vec<Record> {
    db.scan(ns, set, bins)
        .unwrap()
        .collect::<Result<Vec<_>>>()
        .unwrap()
}

#[test]
fn batch_get_keeps_input_order_with_none_for_missing_and_expired() {
    let dir = tempfile::tempdir().unwrap();
    let (db, clock) = open_clock(dir.path());
    let k: Vec<Key> = (0..4).map(|i| as_key!("test", "b", i)).collect();
    for (i, key) in k.iter().enumerate() {
        let i = i as i64;
        db.put(&wp(), key, &[as_bin!("i", i), as_bin!("sq", i * i)])
            .unwrap();
    }
    let short = WritePolicy {
        expiration: Expiration::Seconds(10),
        ..wp()
    };
    db.put(&short, &k[3], &[as_bin!("i", 3)]).unwrap();
    let other = as_key!("other", "b", 0);
    db.put(&wp(), &other, &[as_bin!("i", 100)]).unwrap();
    clock.advance(Duration::from_secs(11));

    let keys = vec![
        k[2].clone(),
        as_key!("test", "b", "missing"),
        k[0].clone(),
        other.clone(),
        k[3].clone(), // expired
        k[2].clone(), // duplicate
        as_key!("nowhere", "b", 0),
        k[1].clone(),
    ];
    let got = db.batch_get(&rp(), &keys, Bins::All).unwrap();
    assert_eq!(got.len(), keys.len());
    let shape: Vec<Option<i64>> = got.iter().map(|r| r.as_ref().map(bin_i)).collect();
    assert_eq!(
        shape,
        vec![
            Some(2),
            None,
            Some(0),
            Some(100),
            None,
            Some(2),
            None,
            Some(1)
        ]
    );
    let r2 = got[0].as_ref().unwrap();
    assert_eq!(r2.bins.len(), 2);
    assert_eq!(r2.bins["sq"], Value::Int(4));
    assert_eq!(r2.generation, 1);
    assert_eq!(got[0], got[5]);
    assert_eq!(
        got[0].as_ref().unwrap().key.as_ref().unwrap().digest(),
        k[2].digest()
    );
    assert_eq!(
        got[3].as_ref().unwrap().key.as_ref().unwrap().namespace(),
        "other"
    );
    // Each entry matches a plain get.
    for (key, r) in keys.iter().zip(&got) {
        match db.get(&rp(), key, Bins::All) {
            Ok(g) => assert_eq!(Some(&g.bins), r.as_ref().map(|r| &r.bins)),
            Err(Error::KeyNotFound) => assert!(r.is_none()),
            Err(e) => panic!("{e:?}"),
        }
    }

    // Bins::Some selects the bins that exist; Bins::None gives headers.
    let got = db
        .batch_get(&rp(), &keys, Bins::from(["sq", "absent"]))
        .unwrap();
    let r = got[2].as_ref().unwrap();
    assert_eq!(r.bins, HashMap::from([("sq".to_string(), Value::Int(0))]));
    assert!(got[3].as_ref().unwrap().bins.is_empty());
    assert!(got[1].is_none() && got[4].is_none());
    let got = db.batch_get(&rp(), &keys, Bins::None).unwrap();
    assert_eq!(got.iter().filter(|r| r.is_some()).count(), 5);
    for r in got.iter().flatten() {
        assert!(r.bins.is_empty());
        assert_eq!(r.generation, 1);
    }
    assert!(db.batch_get(&rp(), &[], Bins::All).unwrap().is_empty());
}

const TOTAL: i64 = 100_000;
const SETS: [&str; 3] = ["s0", "s1", "s2"];

/// `batch_get` reads its keys in groups of 8 (loading each group's index
/// slots and entries first): across group boundaries, with groups that start
/// with a key of another namespace or of none, every answer is still the one
/// a single `get` gives, in input order.
#[test]
fn batch_get_across_groups_and_namespaces_matches_single_gets() {
    let dir = tempfile::tempdir().unwrap();
    let db = open(dir.path());
    for i in 0..40i64 {
        let ns = if i % 5 == 0 { "other" } else { "test" };
        db.put(&wp(), &as_key!(ns, "g", i), &[as_bin!("i", i)])
            .unwrap();
    }
    // 45 keys: present and missing, three namespaces (one never created),
    // interleaved so that some groups of 8 start with each kind.
    let keys: Vec<Key> = (0..45i64)
        .map(|i| match i % 7 {
            0 => as_key!("nowhere", "g", i),
            3 => as_key!("other", "g", i),
            _ => as_key!("test", "g", i),
        })
        .collect();
    let got = db.batch_get(&rp(), &keys, Bins::All).unwrap();
    assert_eq!(got.len(), keys.len());
    let mut found = 0;
    for (key, r) in keys.iter().zip(&got) {
        let single = db.get(&rp(), key, Bins::All).ok();
        assert_eq!(r.as_ref().map(bin_i), single.as_ref().map(bin_i), "{key:?}");
        found += usize::from(r.is_some());
    }
    assert!(found > 20, "most keys exist: {found}");
}

#[test]
fn scan_100k_records_in_three_sets() {
    let dir = tempfile::tempdir().unwrap();
    // Default (64 MiB) segments: the 100k small records fit in one or two.
    let db = Db::open(dir.path()).unwrap();
    for i in 0..TOTAL {
        let set = SETS[(i % 3) as usize];
        let p = if i % 2 == 0 { send_key() } else { wp() };
        db.put(&p, &as_key!("test", set, i), &[as_bin!("i", i)])
            .unwrap();
    }
    assert_eq!(db.namespace_stats("test").unwrap().objects, TOTAL as u64);
    for (s, set) in SETS.iter().enumerate() {
        let mut seen = HashSet::new();
        let mut digests = HashSet::new();
        for r in db.scan("test", Some(set), Bins::All).unwrap() {
            let r = r.unwrap();
            let i = bin_i(&r);
            assert_eq!(i % 3, s as i64, "record {i} is not in set {set}");
            assert!(seen.insert(i), "record {i} returned twice");
            let key = r.key.as_ref().unwrap();
            assert_eq!(key.namespace(), "test");
            assert_eq!(key.set_name(), *set);
            assert_eq!(key.digest(), as_key!("test", *set, i).digest());
            assert!(digests.insert(key.digest().0));
            if i % 2 == 0 {
                assert_eq!(key.user_key(), Some(&Value::Int(i)), "record {i}");
            } else {
                assert_eq!(key.user_key(), None, "record {i}");
            }
            assert_eq!(r.generation, 1);
        }
        let want: HashSet<i64> = (0..TOTAL).filter(|i| i % 3 == s as i64).collect();
        assert_eq!(seen, want, "set {set}");
    }
    // The whole namespace, header only.
    let mut digests = HashSet::new();
    let mut with_key = 0;
    for r in db.scan("test", None, Bins::None).unwrap() {
        let r = r.unwrap();
        assert!(r.bins.is_empty());
        let key = r.key.unwrap();
        with_key += usize::from(key.user_key().is_some());
        assert!(digests.insert(key.digest().0), "digest returned twice");
    }
    assert_eq!(digests.len(), TOTAL as usize);
    assert_eq!(with_key, (TOTAL / 2) as usize);
    let all: HashSet<[u8; 20]> = (0..TOTAL)
        .map(|i| as_key!("test", SETS[(i % 3) as usize], i).digest().0)
        .collect();
    assert_eq!(digests, all);
}

#[test]
fn scan_skips_deleted_and_expired_and_selects_bins() {
    let dir = tempfile::tempdir().unwrap();
    let (db, clock) = open_clock(dir.path());
    let short = WritePolicy {
        expiration: Expiration::Seconds(10),
        send_key: true,
        ..wp()
    };
    for i in 0..300i64 {
        let p = if i % 5 == 0 {
            short.clone()
        } else {
            send_key()
        };
        db.put(
            &p,
            &as_key!("test", "d", i),
            &[as_bin!("i", i), as_bin!("x", "y")],
        )
        .unwrap();
    }
    for i in (1..300i64).filter(|i| i % 7 == 0) {
        assert!(db.delete(&wp(), &as_key!("test", "d", i)).unwrap());
    }
    // A record whose bins were all removed is deleted too.
    db.put(
        &wp(),
        &as_key!("test", "d", 1),
        &[as_bin!("i"), as_bin!("x")],
    )
    .unwrap();
    clock.advance(Duration::from_secs(11));
    let want: HashSet<i64> = (0..300)
        .filter(|i| i % 5 != 0 && i % 7 != 0 && *i != 1)
        .collect();
    let got = scan_all(&db, "test", Some("d"), Bins::from(["i"]));
    let ids: Vec<i64> = got.iter().map(bin_i).collect();
    assert_eq!(ids.len(), want.len(), "no duplicates");
    assert_eq!(ids.into_iter().collect::<HashSet<_>>(), want);
    for r in &got {
        assert_eq!(r.bins.len(), 1, "Bins::Some selects only i");
        assert_eq!(
            r.key.as_ref().unwrap().user_key(),
            Some(&Value::Int(bin_i(r)))
        );
    }
    // The same after a restart.
    db.close().unwrap();
    let (db, _clock) = {
        let clock = Arc::new(ManualClock::new(
            UNIX_EPOCH + Duration::from_secs(2_000_000_011),
        ));
        let o = Options::default().segment_size(SEG).clock(clock.clone());
        (Db::open_with(dir.path(), o).unwrap(), clock)
    };
    let got = scan_all(&db, "test", None, Bins::All);
    assert_eq!(got.iter().map(bin_i).collect::<HashSet<_>>(), want);
    assert_eq!(got.len(), want.len());
}

#[test]
fn scan_of_unknown_set_or_namespace_yields_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let db = open(dir.path());
    assert_eq!(scan_all(&db, "test", None, Bins::All).len(), 0);
    assert_eq!(scan_all(&db, "test", Some("s"), Bins::All).len(), 0);
    db.put(&wp(), &as_key!("test", "s", 1), &[as_bin!("i", 1)])
        .unwrap();
    db.put(&wp(), &as_key!("test", "", 2), &[as_bin!("i", 2)])
        .unwrap();
    assert_eq!(scan_all(&db, "test", Some("nope"), Bins::All).len(), 0);
    assert_eq!(scan_all(&db, "nope", None, Bins::All).len(), 0);
    assert_eq!(scan_all(&db, "nope", Some("s"), Bins::All).len(), 0);
    let s = scan_all(&db, "test", Some("s"), Bins::All);
    assert_eq!(s.iter().map(bin_i).collect::<Vec<_>>(), vec![1]);
    // The empty set is a set of its own.
    let e = scan_all(&db, "test", Some(""), Bins::All);
    assert_eq!(e.iter().map(bin_i).collect::<Vec<_>>(), vec![2]);
    assert_eq!(scan_all(&db, "test", None, Bins::All).len(), 2);
    let bad = db.scan("", None, Bins::All).err();
    assert!(
        matches!(
            bad,
            Some(Error::InvalidNamespace(_) | Error::ParameterError(_))
        ),
        "{bad:?}"
    );
}

#[test]
fn scan_while_another_thread_writes() {
    const N: i64 = 20_000;
    const OVERWRITTEN: i64 = 4_000;
    let dir = tempfile::tempdir().unwrap();
    let db = Arc::new(open(dir.path()));
    for i in 0..N {
        db.put(&send_key(), &as_key!("test", "c", i), &[as_bin!("i", i)])
            .unwrap();
    }
    let stop = Arc::new(AtomicBool::new(false));
    let writes = Arc::new(AtomicU64::new(0));
    let started = Arc::new(Barrier::new(2));
    let writer = {
        let (db, stop, writes, started) = (
            Arc::clone(&db),
            Arc::clone(&stop),
            Arc::clone(&writes),
            Arc::clone(&started),
        );
        std::thread::spawn(move || {
            let mut n = 0i64;
            let mut signalled = false;
            while !stop.load(Ordering::Relaxed) {
                // Overwrite an old key, then add a new one.
                let old = n % OVERWRITTEN;
                db.put(&send_key(), &as_key!("test", "c", old), &[as_bin!("v", n)])
                    .unwrap();
                db.put(
                    &send_key(),
                    &as_key!("test", "c", N + n),
                    &[as_bin!("i", N + n)],
                )
                .unwrap();
                n += 1;
                writes.store(n as u64, Ordering::Relaxed);
                if !signalled {
                    started.wait();
                    signalled = true;
                }
            }
            n
        })
    };
    started.wait();
    let mut seen = HashSet::new();
    let mut scanned = 0u64;
    let before = writes.load(Ordering::Relaxed);
    for r in db.scan("test", Some("c"), Bins::All).unwrap() {
        let r = r.unwrap();
        let key = r.key.as_ref().unwrap();
        assert!(
            seen.insert(key.digest().0),
            "record {:?} returned twice",
            key.user_key()
        );
        let Some(Value::Int(i)) = key.user_key() else {
            panic!("no user key: {r:?}")
        };
        if (OVERWRITTEN..N).contains(i) {
            assert_eq!(r.bins["i"], Value::Int(*i));
        }
        scanned += 1;
        if scanned == (N / 2) as u64 {
            // Mid-scan, make sure the writer gets real work in.
            while writes.load(Ordering::Relaxed) < before + 500 {
                std::thread::yield_now();
            }
        }
    }
    let during = writes.load(Ordering::Relaxed) - before;
    stop.store(true, Ordering::Relaxed);
    let total_writes = writer.join().unwrap();
    for i in OVERWRITTEN..N {
        assert!(
            seen.contains(&as_key!("test", "c", i).digest().0),
            "untouched record {i} missing from the scan"
        );
    }
    assert!(scanned >= (N - OVERWRITTEN) as u64);
    assert!(
        during >= 500,
        "the writer made {during} writes during the scan"
    );
    // A scan after the writer stopped sees everything exactly once.
    let after = scan_all(&db, "test", Some("c"), Bins::None);
    let digests: HashSet<[u8; 20]> = after
        .iter()
        .map(|r| r.key.as_ref().unwrap().digest().0)
        .collect();
    assert_eq!(digests.len(), after.len());
    assert_eq!(after.len() as i64, N + total_writes);
}
