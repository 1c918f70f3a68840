//! The deterministic workload of `tests/power_loss.rs` and
//! `tests/full_disk.rs`, run against a database whose file operations may
//! fail (a simulated power loss, a full disk), with a model of what every key
//! may read as afterwards.
//!
//! The model keeps, per key, the set of states it may be found in: a write
//! acknowledged as durable (`Sync`, or followed by a completed `sync()` or
//! clean close) leaves only its own state; a write acknowledged without
//! durability, or a call that failed (in flight), adds its state to the set.
//! A state with a TTL counts as "absent" once the clock has passed it.
//!
//! `AEROLITE_TRACE=1` prints every step and every failed call.

#![allow(dead_code)]

use aerolite::{
    as_bin, as_key, Bins, Db, Durability, Error, Expiration, Key, ManualClock, Options, ReadPolicy,
    Value, WritePolicy,
};
use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

pub const SEG: u64 = 32 * 1024;
pub const KEYS: i64 = 60;
const PAD: usize = 1500;
const TTL: u32 = 10;
const START_SECS: u64 = 1_700_000_000;
pub const NAMESPACES: [&str; 2] = ["test", "other"];

/// One step of the workload. Keys of set "b" are those divisible by 4.
#[derive(Clone, Copy, Debug)]
pub enum Step {
    Put {
        ns: usize,
        k: i64,
        sync: bool,
        ttl: bool,
    },
    Delete {
        k: i64,
        sync: bool,
    },
    Sync,
    /// Truncates set "b" of namespace "test".
    Truncate,
    /// Moves the clock 30 s on and sweeps.
    Sweep,
    Compact,
    /// Clean close (hint files) and open again.
    Reopen,
}

/// A key of the model: namespace index and user key.
pub type MKey = (usize, i64);

/// A state a key may be in: the value of bin "v" and when it expires (clock
/// seconds since the start).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct St {
    pub v: Option<i64>,
    pub expires: Option<u64>,
}

const ABSENT: St = St {
    v: None,
    expires: None,
};

pub fn key(ns: usize, k: i64) -> Key {
    let set = if k % 4 == 0 { "b" } else { "a" };
    as_key!(NAMESPACES[ns], set, k)
}

/// The workload: `n` steps from a fixed seed.
pub fn steps(n: usize) -> Vec<Step> {
    let mut x: u64 = 0x5EED_1234;
    let mut rnd = |m: u64| {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x % m
    };
    let mut out = Vec::with_capacity(n);
    for i in 0..n {
        let r = rnd(100);
        let k = rnd(KEYS as u64) as i64;
        // The second namespace is created about a third of the way in.
        let ns = usize::from(i > n / 3 && rnd(4) == 0);
        out.push(match r {
            0..=29 => Step::Put {
                ns,
                k,
                sync: false,
                ttl: false,
            },
            30..=47 => Step::Put {
                ns,
                k,
                sync: true,
                ttl: false,
            },
            48..=55 => Step::Put {
                ns,
                k,
                sync: false,
                ttl: true,
            },
            56..=59 => Step::Put {
                ns,
                k,
                sync: true,
                ttl: true,
            },
            60..=69 => Step::Delete { k, sync: false },
            70..=75 => Step::Delete { k, sync: true },
            76..=81 => Step::Sync,
            82..=88 => Step::Compact,
            89..=93 => Step::Sweep,
            94..=95 => Step::Truncate,
            _ => Step::Reopen,
        });
        if i == n / 2 || i + 1 == n {
            // Unsynced writes that seal segments, then a clean close: it
            // has hint files to write for segments not yet durable.
            for j in 0..30 {
                out.push(Step::Put {
                    ns: 0,
                    k: (j * 7 + i as i64) % KEYS,
                    sync: false,
                    ttl: false,
                });
            }
            out.push(Step::Reopen);
        }
    }
    out
}

/// What the model allows.
#[derive(Debug, Default)]
pub struct Model {
    pub ok: HashMap<MKey, Vec<St>>,
    latest: HashMap<MKey, St>,
    /// Keys whose last call failed: a durable point does not settle them.
    uncertain: std::collections::HashSet<MKey>,
    /// Clock seconds since the start.
    pub now: u64,
    /// Whether a write acknowledged without durability must survive too (no
    /// power loss: the page cache survives).
    pub strict: bool,
    /// Calls that failed.
    pub failures: u64,
}

impl Model {
    fn set(&mut self, k: MKey, st: St, durable: bool) {
        self.latest.insert(k, st);
        self.uncertain.remove(&k);
        let e = self.ok.entry(k).or_insert_with(|| vec![ABSENT]);
        if durable || self.strict {
            *e = vec![st];
        } else if !e.contains(&st) {
            e.push(st);
        }
    }

    /// A call acknowledged that wrote nothing (a delete that found no
    /// record): it does not settle an earlier call in doubt, whose entry may
    /// still surface at the next open (a write in doubt may take effect any
    /// time until then).
    fn noop(&mut self, k: MKey, st: St, durable: bool) {
        if self.uncertain.contains(&k) {
            self.latest.insert(k, st);
            let e = self.ok.entry(k).or_insert_with(|| vec![ABSENT]);
            if !e.contains(&st) {
                e.push(st);
            }
        } else {
            self.set(k, st, durable);
        }
    }

    /// A call that failed may or may not have taken effect.
    fn in_flight(&mut self, k: MKey, st: St) {
        if std::env::var_os("AEROLITE_TRACE").is_some() {
            eprintln!("  failed: {k:?} -> {st:?}");
        }
        self.failures += 1;
        self.latest.insert(k, st);
        self.uncertain.insert(k);
        let e = self.ok.entry(k).or_insert_with(|| vec![ABSENT]);
        if !e.contains(&st) {
            e.push(st);
        }
    }

    /// Everything acknowledged so far is durable.
    fn durable_point(&mut self) {
        for (k, st) in &self.latest {
            if !self.uncertain.contains(k) {
                self.ok.insert(*k, vec![*st]);
            }
        }
    }

    fn live(&self, st: &St) -> Option<i64> {
        match st.expires {
            Some(t) if self.now >= t => None,
            _ => st.v,
        }
    }

    /// Checks what key `k` reads as; `Err` describes a violation.
    pub fn check(&self, k: MKey, got: Option<i64>) -> Result<(), String> {
        let allowed = self.ok.get(&k).map_or(&[ABSENT][..], |v| v.as_slice());
        if allowed.iter().any(|st| self.live(st) == got) {
            Ok(())
        } else {
            Err(format!(
                "{k:?} reads {got:?}; allowed {allowed:?} at {}",
                self.now
            ))
        }
    }
}

/// Runs the workload on the database in `dir`, opened with `opts(clock)`.
/// Failed calls are recorded as in flight and the workload goes on.
pub fn run(
    dir: &Path,
    steps: &[Step],
    strict: bool,
    opts: impl Fn(Arc<ManualClock>) -> Options,
) -> (Model, Arc<ManualClock>) {
    let clock = Arc::new(ManualClock::new(
        SystemTime::UNIX_EPOCH + Duration::from_secs(START_SECS),
    ));
    let mut m = Model {
        strict,
        ..Model::default()
    };
    let trace = std::env::var_os("AEROLITE_TRACE").is_some();
    let mut db = Db::open_with(dir, opts(Arc::clone(&clock))).ok();
    for (i, step) in steps.iter().enumerate() {
        let Some(d) = db.as_ref() else {
            // Opening failed: nothing more happens, and nothing was acknowledged.
            break;
        };
        let value = i as i64;
        if trace {
            eprintln!("step {i}: {step:?}");
        }
        match *step {
            Step::Put { ns, k, sync, ttl } => {
                let wp = WritePolicy {
                    durability: Some(if sync {
                        Durability::Sync
                    } else {
                        Durability::Buffered
                    }),
                    expiration: if ttl {
                        Expiration::Seconds(TTL)
                    } else {
                        Expiration::Never
                    },
                    ..WritePolicy::default()
                };
                let st = St {
                    v: Some(value),
                    expires: ttl.then_some(m.now + u64::from(TTL)),
                };
                let bins = [as_bin!("v", value), as_bin!("p", vec![k as u8; PAD])];
                match d.put(&wp, &key(ns, k), &bins) {
                    Ok(()) => m.set((ns, k), st, sync),
                    Err(_) => m.in_flight((ns, k), st),
                }
            }
            Step::Delete { k, sync } => {
                let wp = WritePolicy {
                    durability: Some(if sync {
                        Durability::Sync
                    } else {
                        Durability::Buffered
                    }),
                    ..WritePolicy::default()
                };
                match d.delete(&wp, &key(0, k)) {
                    // A Sync delete is durable whether or not it found a
                    // live record (one that found an unsynced tombstone
                    // flushes it), unless an earlier call is in doubt.
                    Ok(true) => m.set((0, k), ABSENT, sync),
                    Ok(false) => m.noop((0, k), ABSENT, sync),
                    Err(_) => m.in_flight((0, k), ABSENT),
                }
            }
            Step::Sync => match d.sync() {
                Ok(()) => m.durable_point(),
                Err(_) => m.failures += 1,
            },
            Step::Truncate => {
                let r = d.truncate("test", Some("b"), None);
                for k in (0..KEYS).filter(|k| k % 4 == 0) {
                    match r {
                        // A truncation is durable once acknowledged.
                        Ok(_) => m.set((0, k), ABSENT, true),
                        Err(_) => m.in_flight((0, k), ABSENT),
                    }
                }
            }
            Step::Sweep => {
                clock.advance(Duration::from_secs(30));
                m.now += 30;
                if d.sweep_expired().is_err() {
                    m.failures += 1;
                }
            }
            Step::Compact => {
                if d.compact().is_err() {
                    m.failures += 1;
                }
            }
            Step::Reopen => {
                if let Some(d) = db.take() {
                    match d.close() {
                        Ok(()) => m.durable_point(),
                        Err(_) => m.failures += 1,
                    }
                }
                db = Db::open_with(dir, opts(Arc::clone(&clock))).ok();
            }
        }
    }
    if let Some(d) = db.take() {
        match d.close() {
            Ok(()) => m.durable_point(),
            Err(_) => m.failures += 1,
        }
    }
    (m, clock)
}

/// Opens `dir` with plain options (and the workload's clock) and checks
/// every key against the model. `Err` describes the first violation.
pub fn verify(dir: &Path, m: &Model, clock: &Arc<ManualClock>) -> Result<(), String> {
    let opts = Options::default()
        .segment_size(SEG)
        .background_maintenance(false)
        .clock(Arc::clone(clock) as Arc<dyn aerolite::Clock>);
    let db = Db::open_with(dir, opts).map_err(|e| format!("open failed: {e:?}"))?;
    for ns in 0..NAMESPACES.len() {
        for k in 0..KEYS {
            let got = match db.get(&ReadPolicy::default(), &key(ns, k), Bins::All) {
                Ok(r) => match r.bins.get("v") {
                    Some(Value::Int(v)) => Some(*v),
                    other => return Err(format!("({ns}, {k}) has bin v = {other:?}")),
                },
                Err(Error::KeyNotFound) => None,
                Err(e) => return Err(format!("({ns}, {k}): read failed: {e:?}")),
            };
            m.check((ns, k), got)?;
        }
    }
    db.close()
        .map_err(|e| format!("close after verify: {e:?}"))?;
    Ok(())
}
