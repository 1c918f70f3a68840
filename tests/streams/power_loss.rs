//! Power loss at every flush or fsync of a stream workload (Sync and
//! Buffered puts, put_records, a split, a merge, checkpoints, a retention
//! change, segment rotations and lease extensions), keeping a seeded-random
//! subset of the unsynced pages: the crash image holds every record
//! acknowledged as durable with its number, nothing that was never written,
//! and the next number is greater than every number ever acknowledged (also
//! those of Buffered records that were lost).

use crate::util::*;
use aerolite::{
    Db, Durability, Options, PowerLossSim, PutRecord, PutRecordsEntry, ShardIteratorType,
    StreamConfig,
};
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

#[derive(Default, Debug)]
struct Model {
    /// Data -> (shard, sequence number, durable) of acknowledged records.
    acked: BTreeMap<Vec<u8>, (String, String, bool)>,
    /// Data of the records of the operation cut short.
    in_flight: Vec<Vec<u8>>,
    checkpoints: BTreeMap<String, String>,
    /// Open shard count after the last acknowledged reshard.
    open_shards: Option<usize>,
    retention: Option<u32>,
    created: bool,
}

fn data(n: usize) -> Vec<u8> {
    let mut d = format!("d{n}:").into_bytes();
    d.resize(900, b'.');
    d
}

/// Runs the workload until the power is cut.
fn workload(db: &Db, sim: &PowerLossSim) -> Model {
    let mut m = Model::default();
    let cut = || sim.is_cut();
    if db
        .create_stream_with(StreamConfig::new("s").shard_count(2))
        .is_err()
        || cut()
    {
        return m;
    }
    m.created = true;
    m.open_shards = Some(2);
    let mut n = 0;
    for i in 0..50 {
        match i % 10 {
            0..=4 => {
                let d = data(n);
                n += 1;
                let durable = i % 2 == 0;
                let dur = if durable {
                    Durability::Sync
                } else {
                    Durability::Buffered
                };
                let r =
                    db.put_record(PutRecord::new("s", d.clone(), &format!("k{i}")).durability(dur));
                if cut() {
                    m.in_flight.push(d);
                    return m;
                }
                let out = r.unwrap();
                m.acked
                    .insert(d, (out.shard_id, out.sequence_number, durable));
            }
            5 | 6 => {
                let ds: Vec<Vec<u8>> = (0..5).map(|j| data(n + j)).collect();
                n += 5;
                let entries: Vec<PutRecordsEntry> = ds
                    .iter()
                    .enumerate()
                    .map(|(j, d)| PutRecordsEntry::new(d.clone(), &format!("e{j}")))
                    .collect();
                let r = db.put_records("s", &entries);
                if cut() {
                    m.in_flight.extend(ds);
                    return m;
                }
                // The database's durability (Sync) applies to put_records.
                for (d, e) in ds.into_iter().zip(r.unwrap().records) {
                    let (shard, seq) = (e.shard_id.unwrap(), e.sequence_number.unwrap());
                    m.acked.insert(d, (shard, seq, true));
                }
            }
            7 => {
                let r = match i {
                    7 => db
                        .split_shard("s", &sid(0), &(1u128 << 126).to_string())
                        .map(|_| 3),
                    27 => db.merge_shards("s", &sid(2), &sid(3)).map(|_| 2),
                    _ => Ok(m.open_shards.unwrap_or(2)),
                };
                if cut() {
                    m.open_shards = None; // in doubt
                    return m;
                }
                m.open_shards = Some(r.unwrap());
            }
            8 => {
                let last = m
                    .acked
                    .values()
                    .max_by_key(|(_, seq, _)| seq_key(seq))
                    .cloned();
                if let Some((shard, seq, _)) = last {
                    let r = db.checkpoint("s", "app", &shard, &seq);
                    if cut() {
                        m.checkpoints.remove(&shard);
                        return m;
                    }
                    r.unwrap();
                    m.checkpoints.insert(shard, seq);
                }
            }
            _ if i == 19 => {
                let r = db.increase_stream_retention_period("s", 30);
                if cut() {
                    return m;
                }
                r.unwrap();
                m.retention = Some(30);
            }
            _ => {}
        }
    }
    m
}

fn options(sim: &Arc<PowerLossSim>) -> Options {
    opts()
        .segment_size(16 * 1024)
        .durability(Durability::Sync)
        .power_loss_sim(Arc::clone(sim))
}

fn run_cut(cut: Option<u64>, seed: u64) -> Result<u64, String> {
    let dir = tempfile::tempdir().unwrap();
    let sim = PowerLossSim::new(dir.path(), seed).unwrap();
    let db = Db::open_with(dir.path(), options(&sim)).unwrap();
    if let Some(n) = cut {
        sim.cut_at_boundary(n);
    }
    let m = workload(&db, &sim);
    let boundaries = sim.boundaries();
    sim.cut_power();
    drop(db);
    sim.materialize().unwrap();
    verify(dir.path(), &m).map_err(|e| format!("cut at boundary {cut:?}, seed {seed}: {e}"))?;
    Ok(boundaries)
}

fn verify(dir: &Path, m: &Model) -> Result<(), String> {
    let db = Db::open_with(dir, opts()).map_err(|e| format!("open: {e}"))?;
    if !db.list_streams().unwrap().contains(&"s".to_string()) {
        return match m.created {
            true => Err("the stream is gone".into()),
            false => Ok(()),
        };
    }
    let mut found = BTreeMap::new();
    for s in db.list_shards("s").unwrap() {
        let recs = drain_from(&db, "s", &s.shard_id, ShardIteratorType::TrimHorizon).0;
        if !recs
            .windows(2)
            .all(|w| seq_lt(&w[0].sequence_number, &w[1].sequence_number))
        {
            return Err(format!("{} is out of order", s.shard_id));
        }
        for r in recs {
            let tag = String::from_utf8_lossy(&r.data[..8]).into_owned();
            match m.acked.get(&r.data) {
                Some((shard, seq, _)) if (shard, seq) != (&s.shard_id, &r.sequence_number) => {
                    return Err(format!(
                        "{tag} came back as {} {}",
                        s.shard_id, r.sequence_number
                    ));
                }
                Some(_) => {}
                None if m.in_flight.contains(&r.data) => {}
                None => return Err(format!("{tag} was never written")),
            }
            found.insert(r.data, r.sequence_number);
        }
    }
    for (d, (_, _, durable)) in &m.acked {
        if *durable && !found.contains_key(d) {
            return Err(format!(
                "durable {} is lost",
                String::from_utf8_lossy(&d[..8])
            ));
        }
    }
    if let Some(n) = m.open_shards {
        let open = open_shards(&db, "s").len();
        if open != n {
            return Err(format!("{open} open shards, acknowledged {n}"));
        }
    }
    if let Some(h) = m.retention {
        let got = db.describe_stream("s").unwrap().retention_period_hours;
        if got != h {
            return Err(format!("retention {got}, acknowledged {h}"));
        }
    }
    for (shard, seq) in &m.checkpoints {
        if db.get_checkpoint("s", "app", shard).unwrap().as_ref() != Some(seq) {
            return Err(format!("checkpoint of {shard} lost"));
        }
    }
    // No number is handed out twice, even those of lost Buffered records.
    let next = db
        .put_record(PutRecord::new("s", b"next".to_vec(), "k"))
        .unwrap()
        .sequence_number;
    let acked_max = m.acked.values().map(|(_, s, _)| s).chain(found.values());
    if let Some(max) = acked_max.max_by_key(|s| seq_key(s)) {
        if !seq_lt(max, &next) {
            return Err(format!("next number {next} is not above {max}"));
        }
    }
    assert_covered(&db, "s");
    Ok(())
}

#[test]
fn every_flush_boundary_of_a_stream_workload_survives_power_loss() {
    let total = run_cut(None, 0).unwrap();
    assert!(total > 30, "only {total} boundaries");
    eprintln!("stream power loss: {total} boundaries");
    let mut failures = Vec::new();
    for n in 1..=total {
        for seed in 0..2 {
            if let Err(e) = run_cut(Some(n), seed * 7919 + n) {
                failures.push(e);
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
