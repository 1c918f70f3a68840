//! Atomicity and linearizability of single-record writes under threads
//! (`spec/semantics.md`: "Every write is atomic per record and linearizable").

use aerolite::*;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Barrier};
use std::thread;

const _: () = {
    const fn send_sync<T: Send + Sync>() {}
    send_sync::<Db>();
    send_sync::<Arc<Db>>();
    send_sync::<Record>();
    send_sync::<Key>();
    send_sync::<Error>();
};

fn open(dir: &std::path::Path) -> Arc<Db> {
    Arc::new(Db::open_with(dir, Options::default().segment_size(1 << 20)).unwrap())
}

#[test]
fn cas_increments_from_8_threads_lose_nothing() {
    const THREADS: usize = 8;
    const PER_THREAD: i64 = 1000;
    let dir = tempfile::tempdir().unwrap();
    let db = open(dir.path());
    let key = as_key!("test", "c", "counter");
    db.put(&WritePolicy::default(), &key, &[as_bin!("n", 0)])
        .unwrap();
    let retries = Arc::new(AtomicU64::new(0));
    let barrier = Arc::new(Barrier::new(THREADS));
    let t = std::time::Instant::now();
    let handles: Vec<_> = (0..THREADS)
        .map(|_| {
            let (db, key, retries, barrier) =
                (db.clone(), key.clone(), retries.clone(), barrier.clone());
            thread::spawn(move || {
                barrier.wait();
                for _ in 0..PER_THREAD {
                    loop {
                        let r = db.get(&ReadPolicy::default(), &key, Bins::All).unwrap();
                        let Value::Int(n) = r.bins["n"] else {
                            panic!("{r:?}")
                        };
                        if n % 4 == 0 {
                            // Widen the read-modify-write window so threads do collide.
                            thread::yield_now();
                        }
                        let cas = WritePolicy {
                            generation_policy: GenerationPolicy::ExpectGenEqual,
                            generation: r.generation,
                            ..WritePolicy::default()
                        };
                        match db.put(&cas, &key, &[as_bin!("n", n + 1)]) {
                            Ok(()) => break,
                            Err(Error::GenerationMismatch { expected, actual }) => {
                                assert_eq!(expected, r.generation);
                                assert!(
                                    actual > expected,
                                    "generation went back: {expected} -> {actual}"
                                );
                                retries.fetch_add(1, Ordering::Relaxed);
                            }
                            Err(e) => panic!("{e:?}"),
                        }
                    }
                }
            })
        })
        .collect();
    for h in handles {
        h.join().unwrap();
    }
    eprintln!(
        "8 x 1000 CAS increments: {:?}, {} retries",
        t.elapsed(),
        retries.load(Ordering::Relaxed)
    );
    let r = db.get(&ReadPolicy::default(), &key, Bins::All).unwrap();
    assert_eq!(r.bins["n"], Value::Int(8000));
    assert_eq!(r.generation, 8001);
    // And the same after a reopen.
    drop(r);
    Arc::try_unwrap(db).unwrap().close().unwrap();
    let db = open(dir.path());
    let r = db.get(&ReadPolicy::default(), &key, Bins::All).unwrap();
    assert_eq!(
        (r.bins["n"].clone(), r.generation),
        (Value::Int(8000), 8001)
    );
}

/// A record whose bins must always agree with each other.
fn consistent_bins(i: i64, v: i64) -> Vec<Bin> {
    vec![
        as_bin!("a", v),
        as_bin!("b", v),
        as_bin!("s", format!("{i}:{v}")),
        as_bin!("blob", vec![(v % 251) as u8; 32 + (v % 200) as usize]),
    ]
}

fn check_consistent(i: i64, r: &Record) -> i64 {
    let Value::Int(a) = r.bins["a"] else {
        panic!("{r:?}")
    };
    assert_eq!(r.bins["b"], Value::Int(a), "torn record {i}: {r:?}");
    assert_eq!(
        r.bins["s"],
        Value::from(format!("{i}:{a}")),
        "torn record {i}"
    );
    assert_eq!(
        r.bins["blob"],
        Value::Blob(vec![(a % 251) as u8; 32 + (a % 200) as usize]),
        "torn record {i}"
    );
    assert_eq!(
        r.generation as i64,
        a + 1,
        "generation of record {i} disagrees with its bins"
    );
    a
}

#[test]
fn readers_never_see_a_torn_record() {
    const KEYS: i64 = 16;
    const WRITES: i64 = 1500;
    let dir = tempfile::tempdir().unwrap();
    let db = open(dir.path());
    for i in 0..KEYS {
        db.put(
            &WritePolicy::default(),
            &as_key!("test", "t", i),
            &consistent_bins(i, 0),
        )
        .unwrap();
    }
    let done = Arc::new(AtomicBool::new(false));
    let reads = Arc::new(AtomicU64::new(0));
    // Two writers, each owning half the keys; writes alternate Update and
    // Replace so both paths are covered.
    let writers: Vec<_> = (0..2)
        .map(|w| {
            let db = db.clone();
            thread::spawn(move || {
                for v in 1..=WRITES {
                    for i in (w..KEYS).step_by(2) {
                        let policy = WritePolicy {
                            record_exists_action: if v % 2 == 0 {
                                RecordExistsAction::Replace
                            } else {
                                RecordExistsAction::Update
                            },
                            ..WritePolicy::default()
                        };
                        db.put(&policy, &as_key!("test", "t", i), &consistent_bins(i, v))
                            .unwrap();
                    }
                }
            })
        })
        .collect();
    let readers: Vec<_> = (0..3)
        .map(|_| {
            let (db, done, reads) = (db.clone(), done.clone(), reads.clone());
            thread::spawn(move || {
                let mut last = vec![0i64; KEYS as usize];
                while !done.load(Ordering::Relaxed) {
                    for i in 0..KEYS {
                        let r = db
                            .get(&ReadPolicy::default(), &as_key!("test", "t", i), Bins::All)
                            .unwrap();
                        let v = check_consistent(i, &r);
                        // Per-record linearizability: a reader never goes back in time.
                        assert!(
                            v >= last[i as usize],
                            "record {i} went back from {} to {v}",
                            last[i as usize]
                        );
                        last[i as usize] = v;
                        reads.fetch_add(1, Ordering::Relaxed);
                    }
                }
            })
        })
        .collect();
    for w in writers {
        w.join().unwrap();
    }
    done.store(true, Ordering::Relaxed);
    for r in readers {
        r.join().unwrap();
    }
    assert!(reads.load(Ordering::Relaxed) > 0);
    for i in 0..KEYS {
        let r = db
            .get(&ReadPolicy::default(), &as_key!("test", "t", i), Bins::All)
            .unwrap();
        assert_eq!(check_consistent(i, &r), WRITES);
    }
}

#[test]
fn concurrent_creates_of_one_key_admit_exactly_one() {
    let dir = tempfile::tempdir().unwrap();
    let db = open(dir.path());
    for round in 0..50 {
        let key = as_key!("test", "once", round);
        let barrier = Arc::new(Barrier::new(4));
        let handles: Vec<_> = (0..4)
            .map(|t| {
                let (db, key, barrier) = (db.clone(), key.clone(), barrier.clone());
                thread::spawn(move || {
                    barrier.wait();
                    let p = WritePolicy {
                        record_exists_action: RecordExistsAction::CreateOnly,
                        ..WritePolicy::default()
                    };
                    match db.put(&p, &key, &[as_bin!("t", t)]) {
                        Ok(()) => Some(t),
                        Err(Error::KeyExists) => None,
                        Err(e) => panic!("{e:?}"),
                    }
                })
            })
            .collect();
        let winners: Vec<i64> = handles
            .into_iter()
            .filter_map(|h| h.join().unwrap())
            .collect();
        assert_eq!(winners.len(), 1, "round {round}: {winners:?}");
        let r = db.get(&ReadPolicy::default(), &key, Bins::All).unwrap();
        assert_eq!(
            (r.bins["t"].clone(), r.generation),
            (Value::Int(winners[0]), 1)
        );
    }
}
