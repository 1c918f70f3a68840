//! Concurrent `operate` calls on one record never lose an update
//! (`spec/semantics.md`: "concurrent adds from many threads never lose an
//! update").

use aerolite::operations::{self as ops, lists};
use aerolite::*;
use std::collections::HashSet;
use std::sync::{Arc, Barrier};
use std::thread;

const THREADS: usize = 8;
const PER_THREAD: usize = 1000;

fn open(dir: &std::path::Path) -> Arc<Db> {
    Arc::new(Db::open_with(dir, Options::default().segment_size(256 * 1024)).unwrap())
}

#[test]
fn eight_threads_of_adds_end_at_exactly_8000() {
    let dir = tempfile::tempdir().unwrap();
    let db = open(dir.path());
    let key = as_key!("test", "hot", "counter");
    let barrier = Arc::new(Barrier::new(THREADS));
    let handles: Vec<_> = (0..THREADS)
        .map(|_| {
            let (db, key, barrier) = (Arc::clone(&db), key.clone(), Arc::clone(&barrier));
            thread::spawn(move || {
                barrier.wait();
                let mut seen = Vec::with_capacity(PER_THREAD);
                for _ in 0..PER_THREAD {
                    let r = db
                        .operate(
                            &WritePolicy::default(),
                            &key,
                            &[ops::add(&Bin::new("n", 1)), ops::get_bin("n")],
                        )
                        .unwrap();
                    let Value::Int(n) = r.bins["n"] else {
                        panic!("{:?}", r.bins)
                    };
                    // Each call sees its own add: value == generation.
                    assert_eq!(n, i64::from(r.generation));
                    seen.push(n);
                }
                seen
            })
        })
        .collect();
    let mut all = HashSet::new();
    for h in handles {
        for n in h.join().unwrap() {
            assert!(all.insert(n), "value {n} returned twice");
        }
    }
    let total = (THREADS * PER_THREAD) as i64;
    // Every intermediate value was seen exactly once: the adds serialised.
    assert_eq!(all, (1..=total).collect::<HashSet<_>>());
    let rec = db.get(&ReadPolicy::default(), &key, Bins::All).unwrap();
    assert_eq!(rec.bins["n"], Value::Int(total));
    assert_eq!(rec.generation, 8000);

    // And after a restart.
    let db = Arc::into_inner(db).unwrap();
    db.close().unwrap();
    let db = open(dir.path());
    let rec = db.get(&ReadPolicy::default(), &key, Bins::All).unwrap();
    assert_eq!(rec.bins["n"], Value::Int(total));
    assert_eq!(rec.generation, 8000);
}

#[test]
fn concurrent_list_appends_keep_every_item() {
    let dir = tempfile::tempdir().unwrap();
    let db = open(dir.path());
    let key = as_key!("test", "hot", "list");
    let per_thread = 250;
    let handles: Vec<_> = (0..4)
        .map(|t| {
            let (db, key) = (Arc::clone(&db), key.clone());
            thread::spawn(move || {
                for i in 0..per_thread {
                    db.operate(
                        &WritePolicy::default(),
                        &key,
                        &[lists::append("l", (t * 1000 + i) as i64)],
                    )
                    .unwrap();
                }
            })
        })
        .collect();
    for h in handles {
        h.join().unwrap();
    }
    let r = db
        .operate(
            &WritePolicy::default(),
            &key,
            &[lists::size("l"), ops::get_header()],
        )
        .unwrap();
    assert_eq!(r.bins["l"], Value::Int(1000));
    assert_eq!(r.generation, 1000);
    let rec = db.get(&ReadPolicy::default(), &key, Bins::All).unwrap();
    let Value::List(items) = &rec.bins["l"] else {
        panic!("{:?}", rec.bins)
    };
    // Each thread's items appear in its own order, none lost.
    for t in 0..4i64 {
        let mine: Vec<i64> = items
            .iter()
            .filter_map(|v| match v {
                Value::Int(n) if n / 1000 == t => Some(*n),
                _ => None,
            })
            .collect();
        assert_eq!(
            mine,
            (0..per_thread as i64)
                .map(|i| t * 1000 + i)
                .collect::<Vec<_>>()
        );
    }
}
