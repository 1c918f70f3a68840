//! The workload of `crash_batch`, shared by both sides: the batches (drawn
//! from a seeded generator, so the parent regenerates exactly what the child
//! ran), the model of one record, and the child process that runs `Sync`
//! batches until it is killed.

use aerolite::*;
use std::collections::BTreeMap;
use std::time::{Duration, Instant};

pub use crate::rng::Rng;

pub const NS: &str = "cbatch";
/// Keys of one round (each round writes its own keys).
pub const KEYS: u64 = 48;
/// Most entries in one batch.
pub const MAX_ENTRIES: u64 = 16;

pub fn options() -> Options {
    Options::default()
        .segment_size(128 * 1024)
        .sweep_interval(Duration::from_millis(20))
}

pub fn record_key(round: u64, idx: u64) -> Key {
    Key::new(NS, &format!("s{}", round % 4), format!("r{round}-k{idx}")).unwrap()
}

/// What a batch entry does to its key.
#[derive(Clone, Debug, PartialEq)]
pub enum Kind {
    /// A write of plain puts: `(bin, nil)`; with `Replace` no bin is nil.
    Put {
        action: RecordExistsAction,
        bins: Vec<(u8, bool)>,
    },
    Delete,
}

/// One entry of a batch: key index, what it does, and the generation it
/// expects (`ExpectGenEqual`), if any.
#[derive(Clone, Debug, PartialEq)]
pub struct Entry {
    pub key: u64,
    pub kind: Kind,
    pub gen: Option<u32>,
}

/// The value entry `entry` of batch `batch` writes to bin `b{bin}` of key
/// `key` (lengths vary, so entries straddle pages).
pub fn bin_value(round: u64, key: u64, batch: u64, entry: u64, bin: u8) -> Value {
    let pad = ".".repeat(((batch * 37 + entry * 11 + u64::from(bin) * 7) % 300) as usize);
    Value::from(format!("r{round}k{key}b{batch}e{entry}x{bin}{pad}"))
}

/// The next batch: 1..=16 entries, half of them on a window of 6 keys so
/// that keys repeat within the batch; about 70 % puts (mostly `Update`, some
/// `Replace`, `CreateOnly` and `UpdateOnly`, some with nil bins, now and
/// then only nil bins) and 30 % deletes; one entry in six with a generation
/// check that may or may not match.
pub fn gen_batch(rng: &mut Rng) -> Vec<Entry> {
    let n = 1 + rng.below(MAX_ENTRIES);
    let hot = rng.below(KEYS);
    (0..n)
        .map(|_| {
            let key = match rng.below(2) {
                0 => (hot + rng.below(6)) % KEYS,
                _ => rng.below(KEYS),
            };
            let gen = (rng.below(6) == 0).then(|| rng.below(4) as u32);
            let kind = match rng.below(10) {
                0..=6 => {
                    let action = match rng.below(10) {
                        0 => RecordExistsAction::Replace,
                        1 => RecordExistsAction::CreateOnly,
                        2 => RecordExistsAction::UpdateOnly,
                        _ => RecordExistsAction::Update,
                    };
                    let mut bins: Vec<(u8, bool)> = (0..4u8)
                        .filter(|_| rng.below(2) == 0)
                        .map(|b| (b, false))
                        .collect();
                    if bins.is_empty() {
                        bins.push((rng.below(4) as u8, false));
                    }
                    if action != RecordExistsAction::Replace {
                        match rng.below(20) {
                            0 => bins.iter_mut().for_each(|b| b.1 = true),
                            1..=4 => bins[0].1 = true,
                            _ => {}
                        }
                    }
                    Kind::Put { action, bins }
                }
                _ => Kind::Delete,
            };
            Entry { key, kind, gen }
        })
        .collect()
}

/// The engine's form of entry `e` (number `entry` of batch `batch`).
pub fn batch_operation(round: u64, batch: u64, entry: u64, e: &Entry) -> BatchOperation {
    let key = record_key(round, e.key);
    let (generation_policy, generation) = match e.gen {
        Some(g) => (GenerationPolicy::ExpectGenEqual, g),
        None => (GenerationPolicy::None, 0),
    };
    match &e.kind {
        Kind::Put { action, bins } => {
            let ops = bins
                .iter()
                .map(|&(b, nil)| {
                    let v = match nil {
                        true => Value::Nil,
                        false => bin_value(round, e.key, batch, entry, b),
                    };
                    operations::put(&Bin::new(&format!("b{b}"), v))
                })
                .collect();
            let policy = BatchWritePolicy {
                record_exists_action: *action,
                generation_policy,
                generation,
                send_key: true,
                ..BatchWritePolicy::default()
            };
            BatchOperation::write(&policy, key, ops)
        }
        Kind::Delete => BatchOperation::delete(
            &BatchDeletePolicy {
                generation_policy,
                generation,
            },
            key,
        ),
    }
}

// ---------------------------------------------------------------- model

/// A record of the model: generation, and per bin the (batch, entry) that
/// wrote it. Void times are always 0 (no TTL anywhere).
#[derive(Clone, Debug, PartialEq)]
pub struct St {
    pub gen: u32,
    pub bins: BTreeMap<u8, (u64, u64)>,
}

/// What entry `e` (number `entry` of batch `batch`) does to `old`: the new
/// state and the printed outcome (`ok/GEN`, or the result code's name); a
/// failed entry leaves `old`. Plain puts in a batch behave as `operate`
/// (semantics.md, "Batches"; `tests/batch.rs`).
pub fn apply(old: &Option<St>, batch: u64, entry: u64, e: &Entry) -> (Option<St>, String) {
    let fail = |code: ResultCode| (old.clone(), format!("{code:?}"));
    let current = old.as_ref().map_or(0, |s| s.gen);
    let gen_ok = e.gen.is_none_or(|g| g == current);
    match &e.kind {
        Kind::Delete => match old {
            None => fail(ResultCode::KeyNotFoundError),
            Some(_) if !gen_ok => fail(ResultCode::GenerationError),
            Some(_) => (None, "ok/0".into()),
        },
        Kind::Put { action, bins } => {
            match (action, old) {
                (RecordExistsAction::CreateOnly, Some(_)) => {
                    return fail(ResultCode::KeyExistsError)
                }
                (RecordExistsAction::UpdateOnly, None) => {
                    return fail(ResultCode::KeyNotFoundError)
                }
                _ => {}
            }
            if !gen_ok {
                return fail(ResultCode::GenerationError);
            }
            let mut b = match (old, action) {
                (Some(s), a) if *a != RecordExistsAction::Replace => s.bins.clone(),
                _ => BTreeMap::new(),
            };
            for &(bin, nil) in bins {
                match nil {
                    true => b.remove(&bin),
                    false => b.insert(bin, (batch, entry)),
                };
            }
            if b.is_empty() {
                // Nil bins removed every bin: the write deletes the record.
                return match old {
                    Some(_) => (None, "ok/0".into()),
                    None => fail(ResultCode::KeyNotFoundError),
                };
            }
            let gen = current % 65_535 + 1;
            (Some(St { gen, bins: b }), format!("ok/{gen}"))
        }
    }
}

/// The printed outcome of one entry.
pub fn outcome(r: &BatchRecord) -> String {
    match r.result_code {
        Some(code) => format!("{code:?}"),
        None => format!("ok/{}", r.record.as_ref().map_or(0, |r| r.generation)),
    }
}

// ---------------------------------------------------------------- child

/// Runs `Sync` batches until killed: `I n` before batch `n`, and after
/// `Db::batch` returned, `A n` and each entry's outcome.
pub fn child_main() -> ! {
    let env = |k: &str| std::env::var(k).unwrap();
    let seed: u64 = env("AEROLITE_CRASH_ROUND_SEED").parse().unwrap();
    let round: u64 = env("AEROLITE_CRASH_ROUND").parse().unwrap();
    let dir = env("AEROLITE_CRASH_DIR");
    let out = |line: String| crate::kill::tell_parent(&line);
    let db = match Db::open_with(&dir, options()) {
        Ok(db) => db,
        Err(e) => {
            eprintln!("crash_batch child: open failed: {e:?}");
            std::process::exit(3);
        }
    };
    out("READY".into());
    let policy = BatchPolicy {
        durability: Some(Durability::Sync),
    };
    let mut rng = Rng(seed);
    let start = Instant::now();
    for n in 1u64.. {
        if start.elapsed() > Duration::from_secs(120) {
            std::process::exit(4); // never killed: the parent is stuck
        }
        let entries = gen_batch(&mut rng);
        let ops: Vec<BatchOperation> = (0..)
            .zip(&entries)
            .map(|(j, e)| batch_operation(round, n, j, e))
            .collect();
        out(format!("I {n}"));
        match db.batch(&policy, &ops) {
            Ok(records) => {
                let outcomes: Vec<String> = records.iter().map(outcome).collect();
                out(format!("A {n} {}", outcomes.join(" ")));
            }
            Err(e) => {
                eprintln!("crash_batch child: batch {n} failed: {e:?}");
                std::process::exit(3);
            }
        }
    }
    unreachable!()
}
