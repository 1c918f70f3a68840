//! Crash safety under `kill -9` (`docs/format.md`, "Writing and the fsync
//! protocol": a Buffered write is in the page cache when the call returns and
//! survives a crash of the process).
//!
//! This is a `harness = false` test: the binary re-executes itself as a child
//! (`AEROLITE_CRASH_CHILD=1`) that opens the database and runs a random
//! workload forever, printing an intent line before each call and an
//! acknowledgement line (with the record header read back) after the call
//! returned `Ok`. The parent kills the child with SIGKILL after a seeded
//! delay, reopens the directory and checks, for the round's keys, that the
//! state is exactly the last acknowledged one or the in-flight operation
//! applied on top of it; and that every older round's keys are still exactly
//! as they were last verified. Every round is one kill point.
//!
//! Environment:
//! - `AEROLITE_CRASH_ROUNDS=N`: kill points per workload (default 50; two
//!   workloads, Buffered-heavy and Sync-heavy). E.g. `AEROLITE_CRASH_ROUNDS=1000
//!   cargo test --test crash_kill9` for a long run.
//! - `AEROLITE_CRASH_SEED=S`: replay the operation sequences and kill delays of
//!   a printed seed (the exact kill point still depends on timing).
//! - `AEROLITE_CRASH_WORKLOAD=buffered|sync`: run only one workload.
//!
//! The child's side (workload, operations, line format) is in `crash/mod.rs`.

mod crash;

#[path = "common/history.rs"]
mod history;
#[path = "common/kill.rs"]
mod kill;
#[path = "common/rng.rs"]
mod rng;

use aerolite::*;
use crash::*;
use history::{scan_all, Snap};
use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

// ---------------------------------------------------------------- parent model

/// A record of the model: generation, void time (`Ok(exact)`, or `Err(ttl)`
/// when only `now + ttl` is known), bins as the op numbers that wrote them.
#[derive(Clone, Debug, PartialEq)]
struct St {
    gen: u32,
    void: Result<u32, u32>,
    bins: BTreeMap<u8, u64>,
}

/// The state after `op` (number `opno`) on `old`; `void` is `Err(ttl)` when the
/// op set a TTL (the exact void time is learnt from the read-back).
fn apply(old: &Option<St>, op: &Op, opno: u64) -> Option<St> {
    let next_gen = |s: &Option<St>| s.as_ref().map_or(1, |s| s.gen % 65_535 + 1);
    match op {
        Op::Put {
            replace, ttl, bins, ..
        } => {
            let mut b = match (old, replace) {
                (Some(s), false) => s.bins.clone(),
                _ => BTreeMap::new(),
            };
            for &(bin, nil) in bins {
                if nil {
                    b.remove(&bin);
                } else {
                    b.insert(bin, opno);
                }
            }
            Some(St {
                gen: next_gen(old),
                void: if *ttl > 0 { Err(*ttl) } else { Ok(0) },
                bins: b,
            })
        }
        Op::Delete { .. } => None,
        Op::Touch { ttl, .. } => old.as_ref().map(|s| St {
            gen: next_gen(old),
            void: Err(*ttl),
            bins: s.bins.clone(),
        }),
        Op::Add { .. } | Op::Compact => old.clone(),
    }
}

fn void_matches(expected: Result<u32, u32>, actual: u32) -> bool {
    match expected {
        Ok(v) => v == actual,
        Err(ttl) => (actual as i64 - (citrus_now() + i64::from(ttl))).abs() <= VOID_SLACK,
    }
}

fn expected_bins(round: u64, idx: u64, s: &St) -> HashMap<String, Value> {
    s.bins
        .iter()
        .map(|(&b, &opno)| (format!("b{b}"), bin_value(round, idx, opno, b)))
        .collect()
}

fn read(db: &Db, key: &Key) -> Snap {
    match db.get(&ReadPolicy::default(), key, Bins::All) {
        Ok(r) => Some((r.generation, r.expiration, r.bins)),
        Err(Error::KeyNotFound) => None,
        Err(e) => panic!("get {key:?}: {e:?}"),
    }
}

fn matches(round: u64, idx: u64, cand: &Option<St>, actual: &Snap) -> bool {
    match (cand, actual) {
        (None, None) => true,
        (Some(s), Some((gen, void, bins))) => {
            s.gen == *gen && void_matches(s.void, *void) && expected_bins(round, idx, s) == *bins
        }
        _ => false,
    }
}

/// The model of one round, built from the child's output.
struct Round {
    records: Vec<Option<St>>,
    counters: Vec<u64>,
    acked: u64,
    in_flight: Option<(u64, Op)>,
    /// Clean closes the child made (each writing an index snapshot).
    closes: u64,
    /// The kill came between a close's start and the reopen after it.
    killed_in_close: bool,
}

fn replay(round: u64, lines: &[String], errors: &mut Vec<String>) -> Round {
    let mut m = Round {
        records: vec![None; KEYS as usize],
        counters: vec![0; COUNTERS as usize],
        acked: 0,
        in_flight: None,
        closes: 0,
        killed_in_close: false,
    };
    // "C n" / "R n": the child closed cleanly and reopened before op n
    // (neither changes a record).
    let close_lines = |l: &&String| l.starts_with("C ") || l.starts_with("R ");
    m.killed_in_close = lines
        .iter()
        .rev()
        .find(close_lines)
        .is_some_and(|l| l.starts_with("C "));
    m.closes = lines.iter().filter(|l| l.starts_with("C ")).count() as u64;
    for line in lines.iter().filter(|l| *l != "READY" && !close_lines(l)) {
        let (tag, rest) = line.split_once(' ').unwrap_or((line, ""));
        let (opno, rest) = rest.split_once(' ').unwrap_or((rest, ""));
        let opno: u64 = opno.parse().unwrap_or(0);
        match (tag, &m.in_flight) {
            ("I", None) => match Op::parse(rest) {
                Some(op) => m.in_flight = Some((opno, op)),
                None => errors.push(format!("bad intent line {line:?}")),
            },
            ("A", Some((n, op))) if *n == opno => {
                let v: Vec<i64> = rest.split(' ').filter_map(|x| x.parse().ok()).collect();
                let (gen, void) = (v[0] as u32, v[1] as u32);
                match op {
                    Op::Add { ctr, .. } => {
                        let c = &mut m.counters[*ctr as usize];
                        *c += 1;
                        if u64::from(gen) != *c || v[2] != *c as i64 {
                            errors.push(format!(
                                "op {opno}: counter {ctr} after {c} adds read back {line:?}"
                            ));
                        }
                    }
                    Op::Compact => {}
                    Op::Put { key, .. } | Op::Delete { key, .. } | Op::Touch { key, .. } => {
                        let slot = &mut m.records[*key as usize];
                        let mut next = apply(slot, op, opno);
                        let ok = match &mut next {
                            None => gen == 0,
                            Some(s) => {
                                let ok = s.gen == gen && void_matches(s.void, void);
                                s.void = Ok(void);
                                ok
                            }
                        };
                        if !ok {
                            errors.push(format!("op {opno} {op:?}: read back {line:?}, model {next:?} (round {round})"));
                        }
                        *slot = next;
                    }
                }
                m.acked += 1;
                m.in_flight = None;
            }
            _ => errors.push(format!(
                "unexpected line {line:?} (in flight {:?})",
                m.in_flight
            )),
        }
    }
    m
}

/// Checks the round's keys after the crash; returns the verified snapshots.
fn verify_round(db: &Db, round: u64, m: &Round, errors: &mut Vec<String>) -> Vec<(Key, Snap)> {
    let mut out = Vec::new();
    let flight = m.in_flight.as_ref();
    for idx in 0..KEYS {
        let key = record_key(round, idx);
        let actual = read(db, &key);
        let last = &m.records[idx as usize];
        let mut ok = matches(round, idx, last, &actual);
        if let Some((opno, op)) = flight {
            let target = match op {
                Op::Put { key, .. } | Op::Delete { key, .. } | Op::Touch { key, .. } => Some(*key),
                _ => None,
            };
            if !ok && target == Some(idx) {
                ok = matches(round, idx, &apply(last, op, *opno), &actual);
            }
        }
        if !ok {
            errors.push(format!(
                "round {round} key {idx}: found {actual:?}, last acknowledged {last:?}, in flight {flight:?}"
            ));
        }
        out.push((key, actual));
    }
    for ctr in 0..COUNTERS {
        let key = counter_key(round, ctr);
        let actual = read(db, &key);
        let n = m.counters[ctr as usize];
        let inflight = matches!(flight, Some((_, Op::Add { ctr: c, .. })) if *c == ctr);
        let ok_for = |n: u64, a: &Snap| match a {
            None => n == 0,
            Some((g, v, bins)) => {
                u64::from(*g) == n
                    && *v == 0
                    && bins.len() == 1
                    && bins.get("n") == Some(&Value::Int(n as i64))
            }
        };
        if !(ok_for(n, &actual) || inflight && ok_for(n + 1, &actual)) {
            errors.push(format!(
                "round {round} counter {ctr}: found {actual:?}, {n} acknowledged adds, in flight {flight:?}"
            ));
        }
        out.push((key, actual));
    }
    out
}

// ---------------------------------------------------------------- parent driver

#[derive(Default)]
struct Totals {
    passed: u64,
    failed: u64,
    acked: u64,
    in_flight: u64,
    early: u64,
    torn_tail_bytes: u64,
    bad_headers: u64,
    closes: u64,
    killed_in_close: u64,
    from_snapshot: u64,
}

/// Spawns the child, kills it after the seeded delay, returns its output lines.
fn run_child(
    wl: Workload,
    dir: &Path,
    round: u64,
    seed: u64,
    early: bool,
    delay: Duration,
) -> std::result::Result<Vec<String>, String> {
    let mut cmd = Command::new(std::env::current_exe().unwrap());
    cmd.env("AEROLITE_CRASH_CHILD", "1")
        .env("AEROLITE_CRASH_WORKLOAD_CHILD", wl.name())
        .env("AEROLITE_CRASH_ROUND_SEED", seed.to_string())
        .env("AEROLITE_CRASH_ROUND", round.to_string())
        .env("AEROLITE_CRASH_DIR", dir);
    kill::kill_after(cmd, early, delay)
}

fn run_workload(wl: Workload, master: u64, rounds: u64, totals: &mut Totals) {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().to_path_buf();
    // Everything verified in earlier rounds: user key -> (key, snapshot).
    let mut history: BTreeMap<String, (Key, Snap)> = BTreeMap::new();
    let mut rng = Rng(master ^ if wl == Workload::Sync { 0x5EED } else { 0xB0FF });
    for round in 0..rounds {
        let seed = rng.next_u64();
        let early = rng.below(8) == 0;
        let delay = Duration::from_millis(if early {
            rng.below(15)
        } else {
            5 + rng.below(76)
        });
        let check_all = rng.below(4) == 0;
        let mut errors = Vec::new();
        let lines = match run_child(wl, &dir, round, seed, early, delay) {
            Ok(l) => l,
            Err(e) => {
                errors.push(e);
                Vec::new()
            }
        };
        let model = replay(round, &lines, &mut errors);
        totals.acked += model.acked;
        totals.in_flight += u64::from(model.in_flight.is_some());
        totals.early += u64::from(early);
        totals.closes += model.closes;
        totals.killed_in_close += u64::from(model.killed_in_close);
        let db = Db::open_with(&dir, options().verify_on_open(round % 4 == 3)).unwrap();
        let rec = db.namespace_stats(NS).unwrap().recovery;
        totals.torn_tail_bytes += rec.torn_tail_bytes;
        // A snapshot is left only by a close the kill did not interrupt (the
        // child's, or the previous round's when the kill came during the
        // child's first open): an open deletes it before it says READY.
        totals.from_snapshot += u64::from(rec.index_from_snapshot);
        let opened = lines.iter().any(|l| l == "READY");
        if rec.index_from_snapshot && opened && !model.killed_in_close {
            errors.push("the index came from a snapshot after a kill outside a close".into());
        }
        // A kill between a new segment's creation and its header write leaves
        // a headerless, empty file (`docs/format.md`: reported and ignored), so
        // `bad_headers` may be non-zero; damage inside a segment never is.
        totals.bad_headers = totals.bad_headers.max(rec.bad_headers);
        if rec.corrupt_regions != 0 {
            errors.push(format!("recovery after kill -9 found damage: {rec:?}"));
        }
        let verified = verify_round(&db, round, &model, &mut errors);
        // Older rounds: all of them now and then (and when few), else a sample.
        let old: Vec<&(Key, Snap)> = if check_all || history.len() <= 4000 {
            history.values().collect()
        } else {
            let v: Vec<_> = history.values().collect();
            (0..1000)
                .map(|_| v[rng.below(v.len() as u64) as usize])
                .collect()
        };
        for (key, snap) in old {
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
        if check_all || round + 1 == rounds {
            scan_all(&db, NS, &history, &mut errors);
        }
        db.close().unwrap();
        if errors.is_empty() {
            totals.passed += 1;
        } else {
            totals.failed += 1;
            for e in errors.iter().take(20) {
                eprintln!(
                    "crash_kill9 [{} round {round} seed {seed}] VIOLATION: {e}",
                    wl.name()
                );
            }
            let kept = tmp.keep();
            eprintln!(
                "crash_kill9: stopping the {} workload; directory kept at {kept:?}",
                wl.name()
            );
            return;
        }
    }
}

fn main() {
    if std::env::var_os("AEROLITE_CRASH_CHILD").is_some() {
        child_main();
    }
    let master = rng::master_seed();
    let rounds = rng::env_u64("AEROLITE_CRASH_ROUNDS").unwrap_or(50);
    let only = std::env::var("AEROLITE_CRASH_WORKLOAD").ok();
    println!("crash_kill9: seed {master} (AEROLITE_CRASH_SEED={master} replays it), {rounds} kill points per workload");
    let start = Instant::now();
    let mut totals = Totals::default();
    for wl in [Workload::Buffered, Workload::Sync] {
        if only.as_deref().is_some_and(|o| o != wl.name()) {
            continue;
        }
        let t = Instant::now();
        let before = totals.passed + totals.failed;
        run_workload(wl, master, rounds, &mut totals);
        println!(
            "crash_kill9: workload {}: {} kill points in {:.1?}",
            wl.name(),
            totals.passed + totals.failed - before,
            t.elapsed()
        );
    }
    println!(
        "crash_kill9: {} acknowledged operations, {} kills with an operation in flight, {} kills during open, {} torn-tail bytes cut, at most {} headerless segments, {:.1?}",
        totals.acked, totals.in_flight, totals.early, totals.torn_tail_bytes, totals.bad_headers, start.elapsed()
    );
    println!(
        "crash_kill9: {} clean closes by the child, {} kills during a close or the reopen after it, {} opens after a kill that used an index snapshot",
        totals.closes, totals.killed_in_close, totals.from_snapshot
    );
    println!(
        "crash_kill9: {} passed, {} failed",
        totals.passed, totals.failed
    );
    if totals.failed > 0 {
        eprintln!("crash_kill9: FAILED; replay with AEROLITE_CRASH_SEED={master}");
        std::process::exit(1);
    }
}
