//! Power loss under streams (docs/testing.md): a stream workload (creation,
//! Buffered and Sync puts, `put_records`, a split, a merge, checkpoints, a
//! retention change) runs on a `PowerLossSim` cut just before its Nth flush
//! or fsync, for every N. The crash image must hold every record and every
//! checkpoint acknowledged as durable, every completed reshard, and the next
//! put must get a sequence number above every one ever handed out, lost or
//! not.
//!
//! `AEROLITE_POWER_SEEDS` (default 2) sets the page-subset seeds per boundary.

use aerolite::{
    Db, Durability, Options, PowerLossSim, PutRecord, PutRecordsEntry, ShardIteratorType,
};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

const SEG: u64 = 64 * 1024;

fn seeds() -> u64 {
    std::env::var("AEROLITE_POWER_SEEDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(2)
}

fn opts() -> Options {
    Options::default()
        .segment_size(SEG)
        .background_maintenance(false)
}

/// What the workload was told.
#[derive(Default)]
struct Acked {
    /// Durable records: sequence number → (shard, data).
    durable: BTreeMap<String, (String, Vec<u8>)>,
    /// Every sequence number handed out.
    all: BTreeSet<String>,
    /// Completed reshards: the number of shards after each.
    shards: usize,
    checkpoint: Option<String>,
    stream: bool,
}

fn put(db: &Db, a: &mut Acked, i: u32, sync: bool) -> Result<(), aerolite::Error> {
    let d = if sync {
        Durability::Sync
    } else {
        Durability::Buffered
    };
    let data = format!("record {i}").into_bytes();
    let out = db.put_record(PutRecord::new("s", data.clone(), &format!("k{i}")).durability(d))?;
    a.all.insert(out.sequence_number.clone());
    if sync {
        a.durable.insert(out.sequence_number, (out.shard_id, data));
    }
    Ok(())
}

/// The workload; stops at the first error (the power is cut).
fn workload(db: &Db, a: &mut Acked) -> Result<(), aerolite::Error> {
    db.create_stream("s", 2)?;
    a.stream = true;
    a.shards = 2;
    for i in 0..40 {
        put(db, a, i, i % 3 == 0)?;
    }
    let entries: Vec<PutRecordsEntry> = (0..30)
        .map(|i| PutRecordsEntry::new(vec![i as u8; 700], &format!("b{i}")))
        .collect();
    let out = db.put_records("s", &entries)?;
    for r in &out.records {
        a.all.insert(r.sequence_number.clone().unwrap_or_default());
    }
    db.sync()?;
    for (r, e) in out.records.iter().zip(&entries) {
        if let (Some(s), Some(q)) = (&r.shard_id, &r.sequence_number) {
            a.durable.insert(q.clone(), (s.clone(), e_data(e)));
        }
    }
    db.split_shard(
        "s",
        "shardId-000000000000",
        "1000000000000000000000000000000000000",
    )?;
    a.shards = 4;
    for i in 40..120 {
        put(db, a, i, i % 4 == 0)?;
    }
    let newest = a.durable.keys().next_back().cloned().unwrap_or_default();
    let shard = a.durable[&newest].0.clone();
    db.checkpoint("s", "app", &shard, &newest)?;
    a.checkpoint = Some(newest);
    db.merge_shards("s", "shardId-000000000002", "shardId-000000000003")?;
    a.shards = 5;
    db.increase_stream_retention_period("s", 48)?;
    for i in 120..200 {
        put(db, a, i, i % 5 == 0)?;
    }
    Ok(())
}

fn e_data(e: &PutRecordsEntry) -> Vec<u8> {
    // PutRecordsEntry keeps its fields private: the workload's data is
    // rebuilt from its index (the partition key "b<i>").
    let dbg = format!("{e:?}");
    let i: u8 = dbg
        .split("partition_key: \"b")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    vec![i; 700]
}

fn read_all(db: &Db) -> BTreeMap<String, (String, Vec<u8>)> {
    let mut out = BTreeMap::new();
    for shard in db.list_shards("s").unwrap() {
        let it = db
            .get_shard_iterator("s", &shard.shard_id, ShardIteratorType::TrimHorizon)
            .unwrap();
        let r = db.get_records(&it, None).unwrap();
        for rec in r.records {
            let dup = out.insert(
                rec.sequence_number.clone(),
                (shard.shard_id.clone(), rec.data),
            );
            assert!(dup.is_none(), "{} returned twice", rec.sequence_number);
        }
    }
    out
}

fn check(dir: &std::path::Path, a: &Acked, what: &str) {
    let db = Db::open_with(dir, opts()).unwrap();
    if !a.stream {
        return;
    }
    let shards = db
        .list_shards("s")
        .unwrap_or_else(|e| panic!("{what}: {e}"));
    assert!(
        shards.len() >= a.shards,
        "{what}: {} shards, {} acked",
        shards.len(),
        a.shards
    );
    let got = read_all(&db);
    for (seq, rec) in &a.durable {
        assert_eq!(
            got.get(seq),
            Some(rec),
            "{what}: durable record {seq} lost or changed"
        );
    }
    // A record whose call failed at the cut is in doubt: it may be there,
    // but only as the newest (the workload stops at the first error).
    let newest_acked = a.all.iter().next_back().cloned().unwrap_or_default();
    for seq in got.keys() {
        assert!(
            a.all.contains(seq) || *seq > newest_acked,
            "{what}: {seq} was never handed out"
        );
    }
    if let Some(c) = &a.checkpoint {
        let shard = &a.durable[c].0;
        assert_eq!(
            db.get_checkpoint("s", "app", shard).unwrap().as_ref(),
            Some(c),
            "{what}"
        );
    }
    let next = db
        .put_record(PutRecord::new("s", b"after".to_vec(), "k0"))
        .unwrap();
    let Some(newest) = a.all.iter().chain(got.keys()).max() else {
        return;
    };
    assert!(
        &next.sequence_number > newest,
        "{what}: {} handed out again after {newest}",
        next.sequence_number
    );
}

#[test]
fn every_flush_boundary_of_a_stream_workload_survives_power_loss() {
    // Count the boundaries of an uncut run.
    let dir = tempfile::tempdir().unwrap();
    let sim = PowerLossSim::new(dir.path(), 0).unwrap();
    let db = Db::open_with(dir.path(), opts().power_loss_sim(Arc::clone(&sim))).unwrap();
    let mut a = Acked::default();
    workload(&db, &mut a).unwrap();
    drop(db);
    let total = sim.boundaries();
    assert!(total > 20, "only {total} boundaries");
    for cut in 0..=total {
        for seed in 0..seeds() {
            let dir = tempfile::tempdir().unwrap();
            let sim = PowerLossSim::new(dir.path(), seed).unwrap();
            sim.cut_at_boundary(cut);
            let mut a = Acked::default();
            // Opening flushes too: the cut may come before it is done.
            if let Ok(db) = Db::open_with(dir.path(), opts().power_loss_sim(Arc::clone(&sim))) {
                let _ = workload(&db, &mut a);
                sim.cut_power();
                drop(db);
            }
            sim.materialize().unwrap();
            check(dir.path(), &a, &format!("cut at {cut}, seed {seed}"));
        }
    }
}

#[test]
fn stream_sequence_numbers_are_never_reused_after_power_loss() {
    let mut lost = 0;
    for seed in 0..8 {
        let dir = tempfile::tempdir().unwrap();
        let sim = PowerLossSim::new(dir.path(), seed).unwrap();
        let db = Db::open_with(dir.path(), opts().power_loss_sim(Arc::clone(&sim))).unwrap();
        db.create_stream("s", 1).unwrap();
        let mut newest = String::new();
        for i in 0..50 {
            newest = db
                .put_record(PutRecord::new("s", vec![7u8; 300], &format!("k{i}")))
                .unwrap()
                .sequence_number;
        }
        sim.cut_power();
        drop(db);
        sim.materialize().unwrap();
        let db = Db::open_with(dir.path(), opts()).unwrap();
        lost += 50 - read_all(&db).len();
        let next = db
            .put_record(PutRecord::new("s", b"x".to_vec(), "k"))
            .unwrap();
        assert!(
            next.sequence_number > newest,
            "seed {seed}: {} reused",
            next.sequence_number
        );
    }
    assert!(
        lost > 0,
        "no seed lost the unsynced records: the test shows nothing"
    );
}
