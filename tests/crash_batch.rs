//! Crash safety of `Sync` batches under `kill -9` (issue 11): every entry of
//! a batch that `Db::batch` acknowledged under `Durability::Sync` is durable,
//! and a batch cut short by the kill is atomic per record, not as a whole
//! (docs/semantics.md, "Batches"): each key it touched holds the state that
//! some prefix of the batch's entries for that key produces.
//!
//! This is a `harness = false` test, like `crash_kill9`: the binary
//! re-executes itself as a child (`AEROLITE_CRASH_BATCH_CHILD=1`) that opens
//! the database and runs `Sync` batches of 1..=16 writes and deletes over the
//! round's 48 keys (keys repeat within a batch; some entries carry
//! `CreateOnly`/`UpdateOnly`/`Replace`, nil bins or a generation check),
//! printing `I n` before batch `n` and `A n` with every entry's outcome after
//! the call returned (`crash_batch/workload.rs`). The batches come from a
//! seeded generator, so the parent regenerates them. It kills the child with
//! SIGKILL after a seeded delay (sometimes before it finished opening),
//! reopens the directory and checks that:
//! - every acknowledged entry's outcome (result code, generation) is the
//!   model's;
//! - every key is exactly the model's state after the acknowledged batches,
//!   except the keys of the batch in flight, which may hold the state after
//!   any prefix of that batch's entries for that key;
//! - every older round's keys are as they were verified, and a scan finds
//!   exactly the verified records;
//! - recovery found no damage.
//!
//! Every round is one kill point and continues on the same directory.
//!
//! Environment:
//! - `AEROLITE_CRASH_ROUNDS=N`: kill points (default 60). E.g.
//!   `AEROLITE_CRASH_ROUNDS=1000 cargo test --release --test crash_batch`.
//! - `AEROLITE_CRASH_SEED=S`: replay the batches and kill delays of a printed
//!   seed (the exact kill point still depends on timing).

#[path = "common/history.rs"]
mod history;
#[path = "common/kill.rs"]
mod kill;
#[path = "common/rng.rs"]
mod rng;
#[path = "crash_batch/workload.rs"]
mod workload;

use aerolite::*;
use history::{scan_all, Snap};
use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};
use workload::*;

/// What a record reads as (see [`Snap`]).
fn read(db: &Db, key: &Key) -> Snap {
    match db.get(&ReadPolicy::default(), key, Bins::All) {
        Ok(r) => Some((r.generation, r.expiration, r.bins)),
        Err(Error::KeyNotFound) => None,
        Err(e) => panic!("get {key:?}: {e:?}"),
    }
}

/// How state `s` of key `idx` reads.
fn snap_of(round: u64, idx: u64, s: &Option<St>) -> Snap {
    s.as_ref().map(|s| {
        let bins = s
            .bins
            .iter()
            .map(|(&b, &(batch, entry))| (format!("b{b}"), bin_value(round, idx, batch, entry, b)))
            .collect();
        (s.gen, 0, bins)
    })
}

/// The model of one round, from the child's output.
struct Round {
    records: Vec<Option<St>>,
    acked: u64,
    entries: u64,
    /// The batch that was started but not acknowledged.
    in_flight: Option<(u64, Vec<Entry>)>,
}

fn replay(seed: u64, lines: &[String], errors: &mut Vec<String>) -> Round {
    let mut m = Round {
        records: vec![None; KEYS as usize],
        acked: 0,
        entries: 0,
        in_flight: None,
    };
    let mut rng = Rng(seed);
    for line in lines.iter().filter(|l| *l != "READY") {
        let mut words = line.split(' ');
        let tag = words.next().unwrap_or("");
        let n: u64 = words.next().and_then(|w| w.parse().ok()).unwrap_or(0);
        match (tag, &m.in_flight) {
            ("I", None) if n == m.acked + 1 => m.in_flight = Some((n, gen_batch(&mut rng))),
            ("A", Some((f, entries))) if *f == n => {
                let printed: Vec<&str> = words.collect();
                if printed.len() != entries.len() {
                    errors.push(format!(
                        "batch {n}: {} entries, printed {line:?}",
                        entries.len()
                    ));
                }
                for (j, (e, got)) in (0..).zip(entries.iter().zip(printed)) {
                    let slot = &mut m.records[e.key as usize];
                    let (next, want) = apply(slot, n, j, e);
                    if got != want {
                        errors.push(format!(
                            "batch {n} entry {j} {e:?}: returned {got}, model {want} (before: {slot:?})"
                        ));
                    }
                    *slot = next;
                }
                m.entries += entries.len() as u64;
                m.acked = n;
                m.in_flight = None;
            }
            _ => errors.push(format!(
                "unexpected line {line:?} (acknowledged {}, in flight {:?})",
                m.acked,
                m.in_flight.as_ref().map(|f| f.0)
            )),
        }
    }
    m
}

/// Checks the round's keys after the crash; returns what they read.
/// Also counts the in-flight batch's keys found between its first and last
/// entry for them (`partial`).
fn verify_round(
    db: &Db,
    round: u64,
    m: &Round,
    partial: &mut u64,
    errors: &mut Vec<String>,
) -> Vec<(Key, Snap)> {
    let mut out = Vec::new();
    for idx in 0..KEYS {
        let key = record_key(round, idx);
        let actual = read(db, &key);
        let last = &m.records[idx as usize];
        // The state after the acknowledged batches, then after each prefix of
        // the in-flight batch's entries for this key.
        let mut allowed = vec![last.clone()];
        if let Some((n, entries)) = &m.in_flight {
            let mut s = last.clone();
            for (j, e) in (0..).zip(entries) {
                if e.key == idx {
                    s = apply(&s, *n, j, e).0;
                    allowed.push(s.clone());
                }
            }
        }
        let found = allowed
            .iter()
            .map(|s| snap_of(round, idx, s))
            .position(|s| s == actual);
        let ends = [
            snap_of(round, idx, last),
            snap_of(round, idx, &allowed[allowed.len() - 1]),
        ];
        *partial += u64::from(found.is_some() && !ends.contains(&actual));
        if found.is_none() {
            errors.push(format!(
                "round {round} key {idx}: found {actual:?}; allowed {allowed:?} (acknowledged {}, in flight {:?})",
                m.acked,
                m.in_flight
            ));
        }
        out.push((key, actual));
    }
    out
}

#[derive(Default)]
struct Totals {
    passed: u64,
    failed: u64,
    batches: u64,
    entries: u64,
    in_flight: u64,
    partial: u64,
    early: u64,
    torn_tail_bytes: u64,
}

fn run_child(
    dir: &Path,
    round: u64,
    seed: u64,
    early: bool,
    delay: Duration,
) -> Result<Vec<String>, String> {
    let mut cmd = Command::new(std::env::current_exe().unwrap());
    cmd.env("AEROLITE_CRASH_BATCH_CHILD", "1")
        .env("AEROLITE_CRASH_ROUND_SEED", seed.to_string())
        .env("AEROLITE_CRASH_ROUND", round.to_string())
        .env("AEROLITE_CRASH_DIR", dir);
    kill::kill_after(cmd, early, delay)
}

fn run(master: u64, rounds: u64, totals: &mut Totals) {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().to_path_buf();
    let mut history: BTreeMap<String, (Key, Snap)> = BTreeMap::new();
    let mut rng = Rng(master ^ 0xBA7C);
    for round in 0..rounds {
        let seed = rng.next_u64();
        let early = rng.below(8) == 0;
        let delay = Duration::from_millis(match early {
            true => rng.below(15),
            false => 5 + rng.below(76),
        });
        let mut errors = Vec::new();
        let lines = run_child(&dir, round, seed, early, delay).unwrap_or_else(|e| {
            errors.push(e);
            Vec::new()
        });
        let model = replay(seed, &lines, &mut errors);
        totals.batches += model.acked;
        totals.entries += model.entries;
        totals.in_flight += u64::from(model.in_flight.is_some());
        totals.early += u64::from(early);
        let db = Db::open_with(&dir, options().verify_on_open(round % 4 == 3)).unwrap();
        if let Ok(stats) = db.namespace_stats(NS) {
            let rec = stats.recovery;
            totals.torn_tail_bytes += rec.torn_tail_bytes;
            if rec.corrupt_regions != 0 {
                errors.push(format!("recovery after kill -9 found damage: {rec:?}"));
            }
        }
        let verified = verify_round(&db, round, &model, &mut totals.partial, &mut errors);
        for (key, snap) in history.values() {
            let actual = read(&db, key);
            if actual != *snap {
                errors.push(format!(
                    "round {round}: older {key:?} was {snap:?}, now {actual:?}"
                ));
            }
        }
        for (key, snap) in verified {
            let Some(Value::String(uk)) = key.user_key() else {
                unreachable!()
            };
            history.insert(uk.clone(), (key, snap));
        }
        if db.namespaces().iter().any(|n| n == NS) {
            scan_all(&db, NS, &history, &mut errors);
        }
        db.close().unwrap();
        if errors.is_empty() {
            totals.passed += 1;
            continue;
        }
        totals.failed += 1;
        for e in errors.iter().take(20) {
            eprintln!("crash_batch [round {round} seed {seed}] VIOLATION: {e}");
        }
        let kept = tmp.keep();
        eprintln!("crash_batch: stopping; directory kept at {kept:?}");
        return;
    }
}

fn main() {
    if std::env::var_os("AEROLITE_CRASH_BATCH_CHILD").is_some() {
        child_main();
    }
    let master = rng::master_seed();
    let rounds = rng::env_u64("AEROLITE_CRASH_ROUNDS").unwrap_or(60);
    println!("crash_batch: seed {master} (AEROLITE_CRASH_SEED={master} replays it), {rounds} kill points");
    let start = Instant::now();
    let mut t = Totals::default();
    run(master, rounds, &mut t);
    println!(
        "crash_batch: {} acknowledged Sync batches ({} entries), {} kills with a batch in flight ({} keys found part-way through it), {} kills during open, {} torn-tail bytes cut, {:.1?}",
        t.batches, t.entries, t.in_flight, t.partial, t.early, t.torn_tail_bytes, start.elapsed()
    );
    println!("crash_batch: {} passed, {} failed", t.passed, t.failed);
    if t.failed > 0 {
        eprintln!("crash_batch: FAILED; replay with AEROLITE_CRASH_SEED={master}");
        std::process::exit(1);
    }
}
