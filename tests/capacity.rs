//! Capacity (spec/semantics.md, "Capacity"): with `max_disk_bytes`, records
//! with a TTL are evicted nearest-to-expiry first so writes keep flowing;
//! records without a TTL are never evicted, so the namespace reaches
//! stop-writes (`Error::StopWrites`, result code 8), where reads and deletes
//! still work, a failed write changes nothing, and writes resume once space
//! is reclaimed.

use aerolite::*;
use std::collections::HashSet;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

mod common;
use common::*;

const NS: &str = "test";
const MAX: u64 = 2 << 20;
const SEG: u64 = 64 * 1024;

fn clock() -> Arc<ManualClock> {
    clock_at(1_700_000_000)
}

fn open(dir: &Path, clock: &Arc<ManualClock>) -> Db {
    let opts = Options::default()
        .segment_size(SEG)
        .clock(clock.clone())
        .sweep_interval(Duration::from_secs(3600))
        .namespace(NamespaceConfig::new(NS).max_disk_bytes(MAX));
    Db::open_with(dir, opts).unwrap()
}

fn key(i: i64) -> Key {
    as_key!(NS, "s", i)
}

/// About 1 KiB on disk.
fn rec(i: i64) -> [Bin; 2] {
    [as_bin!("v", i), as_bin!("pad", vec![(i % 256) as u8; 900])]
}

fn stats(db: &Db) -> NamespaceStats {
    ns_stats(db, NS)
}

fn present(db: &Db, i: i64) -> bool {
    match db.get(&ReadPolicy::default(), &key(i), Bins::All) {
        Ok(r) => {
            assert_eq!(r.bins["v"], Value::Int(i));
            true
        }
        Err(Error::KeyNotFound) => false,
        Err(e) => panic!("key {i}: {e}"),
    }
}

/// Statistics once the background thread has stopped evicting (no change
/// over 200 ms, at most 10 s).
fn settle(db: &Db) -> NamespaceStats {
    let mut last = stats(db);
    for _ in 0..50 {
        std::thread::sleep(std::time::Duration::from_millis(200));
        let now = stats(db);
        if (now.evicted, now.objects) == (last.evicted, last.objects) {
            return now;
        }
        last = now;
    }
    last
}

/// A permutation of 0..n for a prime n other than 7919.
fn perm(i: i64, n: i64) -> i64 {
    (i * 7919) % n
}

#[test]
fn ttl_records_are_evicted_nearest_to_expiry_first() {
    let dir = tempfile::tempdir().unwrap();
    let clock = clock();
    let db = open(dir.path(), &clock);
    // Phase 1, up to 70 % (below the high-water mark): TTLs scrambled.
    let mut ttls = Vec::new();
    let mut n1 = 0;
    while stats(&db).capacity_used_bytes < MAX * 70 / 100 {
        let t = 10_000 + perm(n1, 1499) as u32;
        ttls.push(t);
        db.put(&ttl(t), &key(n1), &rec(n1)).unwrap();
        n1 += 1;
    }
    assert!(n1 < 1499, "TTLs must stay distinct");
    assert_eq!(
        stats(&db).evicted,
        0,
        "no eviction below the high-water mark"
    );
    // Phase 2: three times the capacity again, TTLs growing, all accepted.
    let n2 = 3 * n1;
    for i in n1..n1 + n2 {
        let t = 100_000 + i as u32;
        ttls.push(t);
        db.put(&ttl(t), &key(i), &rec(i))
            .unwrap_or_else(|e| panic!("write {i} refused: {e}"));
    }
    // The background thread may still be evicting down to the high-water
    // mark: let it finish before comparing counts with what is present.
    let s = settle(&db);
    println!("{n1} + {n2} records written: {s:?}");
    assert!(s.evicted > 0);
    assert!(s.capacity_used_bytes <= MAX * 90 / 100 + SEG, "{s:?}");
    let total = n1 + n2;
    let gone: HashSet<i64> = (0..total).filter(|&i| !present(&db, i)).collect();
    assert_eq!(
        gone.len() as u64,
        s.evicted,
        "every missing record was evicted"
    );
    assert_eq!(s.objects, (total as usize - gone.len()) as u64);
    // Nearest to expiry first: rank every record by TTL; the evicted ones
    // are the lowest ranks (the queue's shards give up their entries
    // earliest first across all of them; a record written later never has
    // a lower TTL here, so the cut is exact, with a little slack).
    let mut order: Vec<i64> = (0..total).collect();
    order.sort_by_key(|&i| (ttls[i as usize], i));
    let worst_rank = order
        .iter()
        .enumerate()
        .filter(|(_, i)| gone.contains(i))
        .map(|(rank, _)| rank)
        .max()
        .unwrap();
    println!(
        "{} evicted; highest TTL rank among them {worst_rank}",
        gone.len()
    );
    assert!(
        worst_rank < gone.len() + gone.len() / 100 + 8,
        "evicted record of TTL rank {worst_rank} while only {} were evicted",
        gone.len()
    );
    // The newest records are all there.
    for i in total - 200..total {
        assert!(present(&db, i), "recent record {i} evicted");
    }
    db.close().unwrap();
    let db = open(dir.path(), &clock);
    for i in 0..total {
        assert_eq!(present(&db, i), !gone.contains(&i), "key {i} after reopen");
    }
    db.close().unwrap();
}

/// Eviction frees about what the namespace needs to get back under its
/// high-water mark, not a fixed slice: with 8 KiB records a namespace of
/// 2 MiB holds about 230, and a slice of 256 would empty it.
#[test]
fn eviction_takes_what_is_needed_not_a_fixed_slice() {
    let dir = tempfile::tempdir().unwrap();
    let clock = clock();
    let opts = Options::default()
        .segment_size(SEG)
        .clock(clock.clone())
        .background_maintenance(false)
        .namespace(NamespaceConfig::new(NS).max_disk_bytes(MAX));
    let db = Db::open_with(dir.path(), opts).unwrap();
    let big = |i: i64| [as_bin!("v", i), as_bin!("pad", vec![7u8; 8000])];
    // TTLs grow with the key: the oldest records are the nearest to expiry.
    let mut n = 0;
    while stats(&db).evicted == 0 {
        // Past stop-writes, the write itself evicts (no background thread).
        db.put(&ttl(10_000 + n as u32), &key(n), &big(n)).unwrap();
        n += 1;
        assert!(n < 1000, "nothing was evicted: {:?}", stats(&db));
    }
    let s = stats(&db);
    println!("{n} written: {s:?}");
    assert!(s.capacity_used_bytes < MAX * 80 / 100, "{s:?}");
    // From 90 % to under 80 % is about a tenth of the records; defragmenting
    // the emptied segments may take a few more rounds.
    assert!(s.evicted <= n as u64 / 4, "{} of {n} evicted", s.evicted);
    let gone: Vec<i64> = (0..n).filter(|&i| !present(&db, i)).collect();
    assert_eq!(gone.len() as u64, s.evicted);
    // Nearest to expiry first (per shard of the expiry queue, so not exactly
    // in order): all from the older half.
    assert!(gone.iter().all(|&i| i < n / 2), "evicted: {gone:?}");
    db.close().unwrap();
}

/// Expired records take no capacity that eviction cannot give back: once
/// everything written has expired, new writes must still be accepted.
#[test]
fn expired_records_do_not_cause_stop_writes() {
    let dir = tempfile::tempdir().unwrap();
    let clock = clock();
    let db = open(dir.path(), &clock);
    let mut i = 0;
    // Fill to 75 %: below the high-water mark, so nothing is evicted yet and
    // all `i` records really take the space.
    while stats(&db).capacity_used_bytes < MAX * 75 / 100 {
        db.put(&ttl(100), &key(i), &rec(i)).unwrap();
        i += 1;
    }
    assert_eq!(stats(&db).evicted, 0);
    clock.advance(Duration::from_secs(101));
    let first_new = i;
    // Nine tenths as much new, never-expiring data as the expired data took
    // must fit. (Not quite all of it: the swept records leave small
    // tombstones until no older segment remains, and whole sealed segments
    // count against the capacity.)
    // A write may meet stop-writes while the background thread is halfway
    // through sweeping what it already took off the expiry queue; like a
    // client, retry after a moment. It must not stay refused.
    for j in first_new..first_new + i * 9 / 10 {
        let mut tries = 0;
        while let Err(e) = db.put(&WritePolicy::default(), &key(j), &rec(j)) {
            tries += 1;
            assert!(
                matches!(e, Error::StopWrites { .. }) && tries < 100,
                "write {} after all {i} TTL records expired: {e}; {:?}",
                j - first_new,
                stats(&db)
            );
            std::thread::sleep(Duration::from_millis(10));
        }
    }
    db.close().unwrap();
}

#[test]
fn no_ttl_records_reach_stop_writes_and_recover_after_deletes() {
    let dir = tempfile::tempdir().unwrap();
    let clock = clock();
    let db = open(dir.path(), &clock);
    let w = WritePolicy::default();
    let mut n = 0;
    let err = loop {
        match db.put(&w, &key(n), &rec(n)) {
            Ok(()) => n += 1,
            Err(e) => break e,
        }
        assert!(n < 10_000, "never reached stop-writes");
    };
    let s = stats(&db);
    println!("stop-writes after {n} records: {err}\n{s:?}");
    match &err {
        Error::StopWrites {
            namespace,
            used,
            capacity,
        } => {
            assert_eq!(namespace, NS);
            assert_eq!(*capacity, MAX);
            assert!(*used * 100 >= MAX * 90, "used {used}");
        }
        other => panic!("expected StopWrites, got {other:?}"),
    }
    assert_eq!(err.result_code(), ResultCode::ServerMemError);
    assert_eq!(err.result_code() as i32, 8);
    assert_eq!(s.evicted, 0, "records without a TTL are never evicted");
    assert_eq!(s.objects, n as u64);

    // Failed writes change nothing: not the records, not the stats.
    let gen_before = db
        .get(&ReadPolicy::default(), &key(0), Bins::None)
        .unwrap()
        .generation;
    let refused = [
        db.put(&w, &key(n), &rec(n)),
        db.put(&w, &key(0), &[as_bin!("v", -1)]),
        db.put(&ttl(50), &key(1), &[as_bin!("v", -1)]),
        db.touch(&w, &key(2)),
        db.operate(&w, &key(3), &[operations::put(&as_bin!("v", -1))])
            .map(|_| ()),
    ];
    for (k, r) in refused.into_iter().enumerate() {
        assert!(
            matches!(r, Err(Error::StopWrites { .. })),
            "write {k}: {r:?}"
        );
    }
    assert_eq!(stats(&db), s, "a refused write changed the stats");
    assert!(!present(&db, n));
    for i in 0..4 {
        let r = db.get(&ReadPolicy::default(), &key(i), Bins::All).unwrap();
        assert_eq!(r.bins["v"], Value::Int(i), "key {i}");
        assert_eq!(r.expiration, 0);
    }
    assert_eq!(
        db.get(&ReadPolicy::default(), &key(0), Bins::None)
            .unwrap()
            .generation,
        gen_before
    );

    // Reads and deletes keep working: delete two thirds, spread over all segments.
    for i in 0..n {
        assert!(present(&db, i));
    }
    for i in (0..n).filter(|i| i % 3 != 0) {
        assert!(db.delete(&w, &key(i)).unwrap(), "delete {i}");
    }
    let c = db.compact().unwrap();
    let after = stats(&db);
    println!("{c:?}\n{after:?}");
    // (The background thread, woken by the deletes' new segments, may have
    // compacted some of it already.)
    assert!(after.segments < s.segments, "{s:?} -> {after:?}");
    assert_eq!(c.bytes_reclaimed, c.segments_compacted * SEG);
    assert!(after.capacity_used_bytes * 100 < MAX * 80, "{after:?}");
    // Writes resume.
    for i in n..n + 100 {
        db.put(&w, &key(i), &rec(i)).unwrap();
    }
    for i in 0..n + 100 {
        assert_eq!(present(&db, i), i >= n || i % 3 == 0, "key {i}");
    }
    db.close().unwrap();
    let db = open(dir.path(), &clock);
    for i in 0..n + 100 {
        assert_eq!(
            present(&db, i),
            i >= n || i % 3 == 0,
            "key {i} after reopen"
        );
    }
    db.close().unwrap();
}

/// A batch meets stop-writes entry by entry: its writes fail with
/// `ServerMemError` (8), its reads still work, and the call itself succeeds;
/// under `Sync` the capacity is checked once, before the batch's locks.
#[test]
fn batches_meet_stop_writes_per_entry() {
    for durability in [Durability::Buffered, Durability::Sync] {
        let dir = tempfile::tempdir().unwrap();
        let clock = clock();
        let db = open(dir.path(), &clock);
        let mut n = 0;
        while db.put(&WritePolicy::default(), &key(n), &rec(n)).is_ok() {
            n += 1;
            assert!(n < 10_000, "never reached stop-writes");
        }
        let objects = stats(&db).objects;
        let write = |i: i64| {
            let ops = rec(i).iter().map(operations::put).collect();
            BatchOperation::write(&BatchWritePolicy::default(), key(i), ops)
        };
        let read = BatchOperation::read(&BatchReadPolicy::default(), key(0), Bins::All);
        let out = db
            .batch(
                &BatchPolicy {
                    durability: Some(durability),
                },
                &[write(n + 1), read, write(n + 2)],
            )
            .unwrap();
        assert_eq!(
            out[0].result_code,
            Some(ResultCode::ServerMemError),
            "{durability:?}"
        );
        assert_eq!(out[1].result_code, None);
        assert_eq!(out[1].record.as_ref().unwrap().bins["v"], Value::Int(0));
        assert_eq!(out[2].result_code, Some(ResultCode::ServerMemError));
        assert_eq!(
            stats(&db).objects,
            objects,
            "a refused batch write wrote something"
        );
    }
}
