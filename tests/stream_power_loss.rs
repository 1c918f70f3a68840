//! Power loss under streams: a deterministic stream workload (puts under
//! `Sync` and `Buffered`, `put_records`, a split, a rescale, a merge, a
//! checkpoint, a retention change, `Db::sync`, a clean close and reopen)
//! runs on a `PowerLossSim` that cuts the power just before its Nth flush or
//! fsync, for every N, keeping a seeded-random subset of the unflushed pages.
//! The crash image is opened with plain options and must hold every record
//! acknowledged as durable (a `Sync` put, or anything before a `sync()` or a
//! clean close), exactly, and nothing that was never written; metadata as
//! its last acknowledged change left it (or with the change in flight); and
//! the next put must number above every number handed out before the cut,
//! durable or not (sequence numbers are never reused, streams.md).
//!
//! `AEROLITE_POWER_SEEDS` (default 2) sets the page-subset seeds per
//! boundary.

use aerolite::*;
use std::collections::{BTreeMap, HashSet};
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, UNIX_EPOCH};

const S: &str = "pl";
const STEPS: u64 = 80;

#[derive(Clone, Debug)]
struct Acked {
    shard: String,
    pk: String,
    data: Vec<u8>,
    durable: bool,
}

/// What the workload saw before the power went.
#[derive(Default, Debug)]
struct Seen {
    created: bool,
    /// By sequence number.
    records: BTreeMap<String, Acked>,
    /// Data of puts whose call failed (they may or may not be there).
    in_flight: HashSet<Vec<u8>>,
    /// Shards after the last acknowledged metadata change, and whether a
    /// change was in flight.
    shards: Vec<Shard>,
    meta_in_flight: bool,
    checkpoint: Option<(String, String)>,
    /// A checkpoint whose call failed: it may have been stored.
    checkpoint_in_flight: Option<(String, String)>,
    retention: u32,
}

fn data(i: u64, j: u64) -> Vec<u8> {
    format!("step{i}.{j}:")
        .repeat(1 + (i as usize * 7 + j as usize) % 40)
        .into_bytes()
}

fn options(clock: &Arc<ManualClock>) -> Options {
    Options::default()
        .segment_size(16 * 1024)
        .background_maintenance(false)
        .clock(clock.clone())
}

/// Runs the workload until its first failure (the power cut).
fn workload(dir: &Path, clock: &Arc<ManualClock>, sim: &Arc<PowerLossSim>) -> Seen {
    let opts = options(clock).power_loss_sim(Arc::clone(sim));
    let mut seen = Seen {
        retention: 24,
        ..Seen::default()
    };
    let Ok(mut db) = Db::open_with(dir, opts.clone()) else {
        return seen;
    };
    seen.meta_in_flight = true;
    if db.create_stream(S, 2).is_err() {
        return seen;
    }
    seen.created = true;
    seen.shards = db.list_shards(S).unwrap();
    seen.meta_in_flight = false;
    for i in 0..STEPS {
        let ok = match i % 10 {
            0..=3 => {
                let (pk, d) = (format!("k{i}"), data(i, 0));
                let sync = i % 2 == 0;
                let mut req = PutRecord::new(S, d.clone(), &pk);
                if sync {
                    req = req.durability(Durability::Sync);
                }
                seen.in_flight.insert(d.clone());
                match db.put_record(req) {
                    Ok(o) => {
                        let a = Acked {
                            shard: o.shard_id,
                            pk,
                            data: d,
                            durable: sync,
                        };
                        seen.records.insert(o.sequence_number, a);
                        true
                    }
                    Err(_) => false,
                }
            }
            4 | 5 => {
                let entries: Vec<PutRecordsEntry> = (0..3)
                    .map(|j| PutRecordsEntry::new(data(i, j), &format!("m{i}.{j}")))
                    .collect();
                seen.in_flight.extend((0..3).map(|j| data(i, j)));
                match db.put_records(S, &entries) {
                    Ok(o) if o.failed_record_count == 0 => {
                        for (j, r) in o.records.into_iter().enumerate() {
                            let a = Acked {
                                shard: r.shard_id.unwrap(),
                                pk: format!("m{i}.{j}"),
                                data: data(i, j as u64),
                                durable: false,
                            };
                            seen.records.insert(r.sequence_number.unwrap(), a);
                        }
                        true
                    }
                    _ => false,
                }
            }
            6 => {
                seen.meta_in_flight = true;
                let open: Vec<Shard> = seen
                    .shards
                    .iter()
                    .filter(|s| s.sequence_number_range.ending_sequence_number.is_none())
                    .cloned()
                    .collect();
                let r = match i {
                    6 => {
                        let h = &open[0].hash_key_range;
                        let (lo, hi): (u128, u128) = (
                            h.starting_hash_key.parse().unwrap(),
                            h.ending_hash_key.parse().unwrap(),
                        );
                        db.split_shard(S, &open[0].shard_id, &(lo + (hi - lo) / 2).to_string())
                    }
                    16 => db.update_shard_count(S, 4),
                    26 => db.merge_shards(S, &open[0].shard_id, &open[1].shard_id),
                    _ => db.increase_stream_retention_period(S, 48),
                };
                if r.is_ok() {
                    seen.shards = db.list_shards(S).unwrap();
                    seen.meta_in_flight = false;
                    if i == 36 {
                        seen.retention = 48;
                    }
                }
                r.is_ok()
            }
            7 => match seen.records.iter().next_back() {
                Some((seq, a)) => {
                    let (seq, shard) = (seq.clone(), a.shard.clone());
                    let r = db.checkpoint(S, "app", &shard, &seq);
                    match r.is_ok() {
                        true => seen.checkpoint = Some((shard, seq)),
                        false => seen.checkpoint_in_flight = Some((shard, seq)),
                    }
                    r.is_ok()
                }
                None => true,
            },
            8 => {
                let r = db.sync();
                if r.is_ok() {
                    seen.records.values_mut().for_each(|a| a.durable = true);
                }
                r.is_ok()
            }
            _ if i == 19 || i == 59 => {
                if db.close().is_err() {
                    return seen;
                }
                seen.records.values_mut().for_each(|a| a.durable = true);
                match Db::open_with(dir, opts.clone()) {
                    Ok(d) => {
                        db = d;
                        true
                    }
                    Err(_) => return seen,
                }
            }
            _ => {
                clock.advance(Duration::from_secs(1));
                true
            }
        };
        if !ok {
            return seen;
        }
        seen.in_flight.clear();
    }
    seen
}

/// Checks the crash image against what the workload saw.
fn verify(dir: &Path, clock: &Arc<ManualClock>, seen: &Seen) -> Result<(), String> {
    let db = Db::open_with(dir, options(clock)).map_err(|e| format!("open: {e:?}"))?;
    if !db.list_streams().unwrap().contains(&S.to_string()) {
        return match seen.created {
            true => Err("the stream is gone".into()),
            false => Ok(()),
        };
    }
    let shards = db.list_shards(S).unwrap();
    let grown = seen.meta_in_flight
        && shards.len() > seen.shards.len()
        && seen.shards.iter().all(|s| {
            s.sequence_number_range.ending_sequence_number.is_some()
                || shards.iter().any(|t| t.shard_id == s.shard_id)
        });
    if shards != seen.shards && !grown && !(seen.meta_in_flight && seen.shards.is_empty()) {
        return Err(format!("shards {shards:?}, acknowledged {:?}", seen.shards));
    }
    let retention = db.describe_stream(S).unwrap().retention_period_hours;
    if retention != seen.retention && !(seen.meta_in_flight && retention == 48) {
        return Err(format!(
            "retention {retention} h, acknowledged {}",
            seen.retention
        ));
    }
    if let Some((shard, seq)) = &seen.checkpoint {
        let got = db.get_checkpoint(S, "app", shard).unwrap();
        let flight = seen.checkpoint_in_flight.as_ref();
        let ok = got.as_ref() == Some(seq)
            || flight.is_some_and(|(s, q)| s == shard && got.as_ref() == Some(q));
        if !ok {
            return Err(format!(
                "checkpoint {got:?}, acknowledged {seq}, in flight {flight:?}"
            ));
        }
    }
    let mut found: BTreeMap<String, (String, StreamRecord)> = BTreeMap::new();
    for s in &shards {
        let mut it = db
            .get_shard_iterator(S, &s.shard_id, ShardIteratorType::TrimHorizon)
            .unwrap();
        let mut last: Option<String> = None;
        loop {
            let out = db.get_records(&it, None).unwrap();
            let empty = out.records.is_empty();
            for r in out.records {
                if last.as_ref().is_some_and(|l| *l >= r.sequence_number) {
                    return Err(format!(
                        "{}: {} after {last:?}",
                        s.shard_id, r.sequence_number
                    ));
                }
                last = Some(r.sequence_number.clone());
                found.insert(r.sequence_number.clone(), (s.shard_id.clone(), r));
            }
            match out.next_shard_iterator {
                Some(next) if !empty => it = next,
                _ => break,
            }
        }
    }
    let mut datas = HashSet::new();
    for (seq, (shard, r)) in &found {
        if !datas.insert(r.data.clone()) {
            return Err(format!("{seq}: a record found twice"));
        }
        match seen.records.get(seq) {
            Some(a) if a.shard == *shard && a.pk == r.partition_key && a.data == r.data => {}
            None if seen.in_flight.contains(&r.data) => {}
            other => {
                return Err(format!(
                    "{seq} in {shard}: found {r:?}, acknowledged {other:?}"
                ))
            }
        }
    }
    for (seq, a) in &seen.records {
        if a.durable && !found.contains_key(seq) {
            return Err(format!("durable {seq} ({}) lost", a.pk));
        }
    }
    let newest = seen.records.keys().chain(found.keys()).max();
    let out = db
        .put_record(PutRecord::new(S, b"after".to_vec(), "after"))
        .map_err(|e| format!("put after the power loss: {e:?}"))?;
    if newest.is_some_and(|n| out.sequence_number <= *n) {
        return Err(format!(
            "the first put after the power loss got {}, not above {newest:?}",
            out.sequence_number
        ));
    }
    db.close().map_err(|e| format!("close: {e:?}"))
}

fn run_cut(cut: Option<u64>, seed: u64) -> Result<u64, String> {
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(ManualClock::new(
        UNIX_EPOCH + Duration::from_secs(1_700_000_000),
    ));
    let sim = PowerLossSim::new(dir.path(), seed).unwrap();
    if let Some(n) = cut {
        sim.cut_at_boundary(n);
    }
    let seen = workload(dir.path(), &clock, &sim);
    if cut.is_none() {
        println!(
            "uncut: {} records ({} durable), {} shards, checkpoint {:?}",
            seen.records.len(),
            seen.records.values().filter(|a| a.durable).count(),
            seen.shards.len(),
            seen.checkpoint.is_some()
        );
    }
    let boundaries = sim.boundaries();
    sim.cut_power();
    sim.materialize().unwrap();
    verify(dir.path(), &clock, &seen)
        .map_err(|e| format!("cut at boundary {cut:?}, seed {seed}: {e}"))?;
    Ok(boundaries)
}

#[test]
fn power_cut_at_every_boundary_of_a_stream_workload() {
    let seeds = std::env::var("AEROLITE_POWER_SEEDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(2u64);
    let total = run_cut(None, 0).unwrap();
    println!("{total} flush/sync boundaries, {seeds} seeds each");
    assert!(total > 20, "only {total} flush/sync boundaries");
    let mut failures = Vec::new();
    for n in 1..=total {
        for seed in 0..seeds {
            if let Err(e) = run_cut(Some(n), seed.wrapping_mul(0x9E37) ^ n) {
                failures.push(e);
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} crash images failed: {:#?}",
        failures.len(),
        total * seeds,
        &failures[..failures.len().min(5)]
    );
}
