//! Crash safety of streams under `kill -9` (issue 10, acceptance 2): a
//! record acknowledged under `Durability::Sync` is readable after a crash,
//! with exactly its sequence number, shard and data; no record appears twice;
//! numbers grow per shard; and the next put gets a greater number than any
//! handed out before the crash (numbers are never reused).
//!
//! This is a `harness = false` test, like `crash_kill9`: the binary
//! re-executes itself as a child (`AEROLITE_STREAM_CRASH_CHILD=1`) that opens
//! the database with `Options::durability(Sync)`, creates the stream (or
//! reuses it) and puts records from several threads (`put_record`, some with
//! `PutRecord::durability(Sync)` and `sequence_number_for_ordering`, and
//! `put_records` of 1..=40 entries, by partition key or explicit hash key),
//! printing one line per acknowledged record only after the call returned
//! `Ok` (`crash_streams/child.rs`). In about one round in three another
//! thread splits, merges and rescales shards meanwhile. The parent kills the
//! child with SIGKILL after a seeded random delay (sometimes before it
//! finished opening), reopens the directory, reads every shard from
//! `TRIM_HORIZON` and checks the above, plus the shard structure (the open
//! shards tile the hash space; every record lies in its shard's hash and
//! sequence ranges). Every round continues on the same directory, so
//! recovered data is recovered again.
//!
//! Environment:
//! - `AEROLITE_CRASH_ROUNDS=N`: kill points (default 24). E.g.
//!   `AEROLITE_CRASH_ROUNDS=500 cargo test --release --test crash_streams`.
//! - `AEROLITE_CRASH_SEED=S`: replay the delays and workloads of a printed
//!   seed (the exact kill point still depends on timing).

#[path = "crash_streams/child.rs"]
mod child;

#[path = "common/kill.rs"]
mod kill;
#[path = "common/rng.rs"]
mod rng;

use aerolite::*;
use child::*;
use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

// ---------------------------------------------------------------- parent

/// A record the stream must hold: its shard, partition key, explicit hash
/// key (`?` when unknown: found after a kill, never acknowledged) and data.
#[derive(Clone, Debug, PartialEq)]
struct Rec {
    shard: String,
    pk: String,
    ehk: Option<String>,
    data: Vec<u8>,
}

/// What the child printed: acknowledged records by sequence number.
/// Also returns how many reshards completed and whether one was in flight.
fn parse_lines(lines: &[String], errors: &mut Vec<String>) -> (BTreeMap<String, Rec>, u64, bool) {
    let mut acked = BTreeMap::new();
    let mut reshards = 0;
    let mut in_flight = false;
    for (i, line) in lines.iter().enumerate() {
        let f: Vec<&str> = line.split(' ').collect();
        match f.as_slice() {
            ["READY"] => {}
            ["s", ..] => in_flight = true,
            ["S", ..] => {
                reshards += 1;
                in_flight = false;
            }
            ["A", shard, seq, pk, ehk, tag, len, "."] => {
                let Ok(len) = len.parse::<usize>() else {
                    errors.push(format!("bad line {line:?}"));
                    continue;
                };
                let rec = Rec {
                    shard: shard.to_string(),
                    pk: pk.to_string(),
                    ehk: (*ehk != "-").then(|| ehk.to_string()),
                    data: data_of(tag, len),
                };
                if acked.insert(seq.to_string(), rec).is_some() {
                    errors.push(format!("sequence number {seq} acknowledged twice"));
                }
            }
            // A kill cannot cut a line (one atomic write), but be lenient
            // with the very last one.
            _ if i + 1 == lines.len() && !line.starts_with("ERR") => {}
            _ => errors.push(format!("child said {line:?}")),
        }
    }
    (acked, reshards, in_flight)
}

/// Spawns the child, kills it after `delay` (counted from its READY line
/// unless `early`), returns its output.
fn run_child(
    dir: &Path,
    round: u64,
    seed: u64,
    reshard: bool,
    early: bool,
    delay: Duration,
) -> Result<Vec<String>, String> {
    let mut cmd = Command::new(std::env::current_exe().unwrap());
    cmd.env("AEROLITE_STREAM_CRASH_CHILD", "1")
        .env("AEROLITE_STREAM_CRASH_DIR", dir)
        .env("AEROLITE_STREAM_CRASH_ROUND", round.to_string())
        .env("AEROLITE_STREAM_CRASH_ROUND_SEED", seed.to_string())
        .env(
            "AEROLITE_STREAM_CRASH_RESHARD",
            if reshard { "1" } else { "0" },
        );
    kill::kill_after(cmd, early, delay)
}

fn parse_range(s: &Shard) -> (u128, u128) {
    let h = &s.hash_key_range;
    (
        h.starting_hash_key.parse().unwrap(),
        h.ending_hash_key.parse().unwrap(),
    )
}

/// Every record of every shard, by sequence number, read from
/// `TRIM_HORIZON`; checks the shard structure and per-shard order.
fn read_all(db: &Db, errors: &mut Vec<String>) -> BTreeMap<String, Rec> {
    let shards = db.list_shards(STREAM).unwrap();
    let mut open: Vec<(u128, u128)> = shards
        .iter()
        .filter(|s| s.sequence_number_range.ending_sequence_number.is_none())
        .map(parse_range)
        .collect();
    open.sort();
    let tiles = open.first().is_some_and(|r| r.0 == 0)
        && open.last().is_some_and(|r| r.1 == u128::MAX)
        && open
            .windows(2)
            .all(|w| w[0].1.checked_add(1) == Some(w[1].0));
    if !tiles {
        errors.push(format!(
            "the open shards do not tile the hash space: {open:?}"
        ));
    }
    let mut found = BTreeMap::new();
    for s in &shards {
        let seqs = &s.sequence_number_range;
        let closed = seqs.ending_sequence_number.is_some();
        let mut it = db
            .get_shard_iterator(STREAM, &s.shard_id, ShardIteratorType::TrimHorizon)
            .unwrap();
        let mut last: Option<String> = None;
        loop {
            let out = db.get_records(&it, None).unwrap();
            let empty = out.records.is_empty();
            for r in out.records {
                if last.as_ref().is_some_and(|l| *l >= r.sequence_number) {
                    errors.push(format!(
                        "{}: {} after {last:?}",
                        s.shard_id, r.sequence_number
                    ));
                }
                let in_seq_range = r.sequence_number >= seqs.starting_sequence_number
                    && seqs
                        .ending_sequence_number
                        .as_ref()
                        .is_none_or(|e| r.sequence_number <= *e);
                if !in_seq_range {
                    errors.push(format!(
                        "{}: {} outside {seqs:?}",
                        s.shard_id, r.sequence_number
                    ));
                }
                last = Some(r.sequence_number.clone());
                let rec = Rec {
                    shard: s.shard_id.clone(),
                    pk: r.partition_key,
                    ehk: None,
                    data: r.data,
                };
                if let Some(old) = found.insert(r.sequence_number.clone(), rec) {
                    errors.push(format!(
                        "{} read twice (also in {})",
                        r.sequence_number, old.shard
                    ));
                }
            }
            match out.next_shard_iterator {
                None => {
                    if !closed || out.child_shards.is_empty() {
                        errors.push(format!(
                            "{}: iterator ended (closed {closed}, children {:?})",
                            s.shard_id, out.child_shards
                        ));
                    }
                    break;
                }
                Some(_) if empty && out.millis_behind_latest == 0 => break,
                Some(next) => it = next,
            }
        }
    }
    found
}

#[derive(Default)]
struct Totals {
    acked: u64,
    unacked_found: u64,
    reshards: u64,
    reshard_kills: u64,
    early: u64,
    torn_tail_bytes: u64,
    /// Time spent running children and checking after them.
    child_time: Duration,
    check_time: Duration,
}

/// One kill point and its checks; `known` holds every record verified so far.
fn round(
    dir: &Path,
    round: u64,
    rng: &mut Rng,
    known: &mut BTreeMap<String, Rec>,
    totals: &mut Totals,
) -> Vec<String> {
    let seed = rng.next_u64();
    let reshard = rng.below(3) == 0;
    let early = rng.below(8) == 0;
    let delay = Duration::from_millis(if early { rng.below(20) } else { rng.below(150) });
    totals.early += u64::from(early);
    let t = Instant::now();
    let lines = run_child(dir, round, seed, reshard, early, delay);
    totals.child_time += t.elapsed();
    let t = Instant::now();
    let errors = check(dir, round, lines, known, totals);
    totals.check_time += t.elapsed();
    errors
}

/// Reopens after a kill and checks the stream against what the child
/// acknowledged and what earlier rounds verified.
fn check(
    dir: &Path,
    round: u64,
    lines: Result<Vec<String>, String>,
    known: &mut BTreeMap<String, Rec>,
    totals: &mut Totals,
) -> Vec<String> {
    let mut errors = Vec::new();
    let lines = match lines {
        Ok(l) => l,
        Err(e) => return vec![e],
    };
    let (acked, reshards, reshard_in_flight) = parse_lines(&lines, &mut errors);
    totals.acked += acked.len() as u64;
    totals.reshards += reshards;
    totals.reshard_kills += u64::from(reshard_in_flight);
    let db = Db::open_with(
        dir,
        options()
            .background_maintenance(false)
            .verify_on_open(round % 3 == 2),
    )
    .unwrap();
    if !db.list_streams().unwrap().contains(&STREAM.to_string()) {
        if !known.is_empty() || !acked.is_empty() {
            errors.push("the stream is gone".into());
        }
        db.close().unwrap();
        return errors;
    }
    let stats = db.stream_stats(STREAM).unwrap();
    totals.torn_tail_bytes += stats.recovery.torn_tail_bytes;
    if stats.recovery.corrupt_regions != 0 {
        errors.push(format!(
            "recovery after kill -9 found damage: {:?}",
            stats.recovery
        ));
    }
    let found = read_all(&db, &mut errors);
    if stats.records != found.len() as u64 {
        errors.push(format!(
            "stream_stats counts {} records, the shards hold {}",
            stats.records,
            found.len()
        ));
    }
    let shards: HashMap<String, (u128, u128)> = db
        .list_shards(STREAM)
        .unwrap()
        .iter()
        .map(|s| (s.shard_id.clone(), parse_range(s)))
        .collect();
    let expected = known.iter().chain(acked.iter());
    for (seq, want) in expected {
        match found.get(seq) {
            Some(got) if got.shard == want.shard && got.pk == want.pk && got.data == want.data => {}
            got => errors.push(format!(
                "acknowledged {seq} ({} in {}): found {:?}",
                want.pk,
                want.shard,
                got.map(|g| (
                    &g.shard,
                    &g.pk,
                    String::from_utf8_lossy(&g.data[..g.data.len().min(40)])
                ))
            )),
        }
        if want.ehk.as_deref() == Some("?") {
            continue; // found after an earlier kill, never acknowledged
        }
        let h = hash_of(&want.pk, want.ehk.as_deref());
        if !shards
            .get(&want.shard)
            .is_some_and(|r| r.0 <= h && h <= r.1)
        {
            errors.push(format!("{seq}: hash key {h} outside {}", want.shard));
        }
    }
    // Records found but never acknowledged (in flight at the kill) must be
    // whole records of this round, each once.
    let mut tags = HashMap::new();
    for (seq, got) in &found {
        let tag = got.data.split(|&b| b == b'|').next().unwrap_or_default();
        let tag = String::from_utf8_lossy(tag).into_owned();
        if got.data != data_of(&tag, got.data.len()) {
            errors.push(format!(
                "{seq}: damaged data {:?}",
                String::from_utf8_lossy(&got.data)
            ));
        }
        if let Some(other) = tags.insert(tag.clone(), seq.clone()) {
            errors.push(format!("record {tag} found twice: {other} and {seq}"));
        }
        if !known.contains_key(seq) && !acked.contains_key(seq) {
            totals.unacked_found += 1;
            if !tag.starts_with(&format!("r{round}.")) {
                errors.push(format!("{seq}: unknown record {tag} appeared"));
            }
        }
    }
    // The next put is numbered above everything handed out before the kill.
    let newest = found.keys().chain(acked.keys()).max().cloned();
    let probe = format!("probe{round}");
    let out = db
        .put_record(PutRecord::new(STREAM, data_of(&probe, 20), &probe))
        .unwrap();
    if newest.as_ref().is_some_and(|n| out.sequence_number <= *n) {
        errors.push(format!(
            "the first put after the kill got {} in {}, not above {newest:?}",
            out.sequence_number, out.shard_id
        ));
    }
    db.close().unwrap();
    // Everything found is now part of what must stay.
    for (seq, mut rec) in found {
        rec.ehk = match acked.get(&seq).or_else(|| known.get(&seq)) {
            Some(a) => a.ehk.clone(),
            None => Some("?".into()),
        };
        known.insert(seq, rec);
    }
    let rec = Rec {
        shard: out.shard_id,
        pk: probe.clone(),
        ehk: None,
        data: data_of(&probe, 20),
    };
    known.insert(out.sequence_number, rec);
    errors
}

fn main() {
    if std::env::var_os("AEROLITE_STREAM_CRASH_CHILD").is_some() {
        child_main();
    }
    let master = rng::master_seed();
    let rounds = rng::env_u64("AEROLITE_CRASH_ROUNDS").unwrap_or(24);
    println!("crash_streams: seed {master} (AEROLITE_CRASH_SEED={master} replays it), {rounds} kill points");
    let start = Instant::now();
    let tmp = tempfile::tempdir().unwrap();
    let mut rng = Rng(master);
    let mut known = BTreeMap::new();
    let mut totals = Totals::default();
    for r in 0..rounds {
        let errors = round(tmp.path(), r, &mut rng, &mut known, &mut totals);
        if !errors.is_empty() {
            for e in errors.iter().take(20) {
                eprintln!("crash_streams [round {r}] VIOLATION: {e}");
            }
            let kept = tmp.keep();
            eprintln!("crash_streams: FAILED; directory kept at {kept:?}; replay with AEROLITE_CRASH_SEED={master}");
            std::process::exit(1);
        }
    }
    println!(
        "crash_streams: {rounds} kill points passed in {:.1?}: {} acknowledged records, {} more found \
         (in flight), {} reshards, {} kills during one, {} kills during open, {} torn-tail bytes cut, {} records at the end; {:.1?} in children, {:.1?} checking",
        start.elapsed(),
        totals.acked,
        totals.unacked_found,
        totals.reshards,
        totals.reshard_kills,
        totals.early,
        totals.torn_tail_bytes,
        known.len(),
        totals.child_time,
        totals.check_time
    );
}
