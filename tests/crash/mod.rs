//! The child side of `crash_kill9`: the workload's operations, how they are
//! printed and parsed, and the child process that runs them until killed.

use aerolite::*;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

pub const NS: &str = "crash";
pub const KEYS: u64 = 200;
pub const COUNTERS: u64 = 5;
pub const CITRUS_EPOCH: u64 = 1_262_304_000;
/// Tolerance (seconds) when comparing a void time with one computed by the parent.
pub const VOID_SLACK: i64 = 600;

pub use crate::rng::Rng;

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Workload {
    Buffered,
    Sync,
}

impl Workload {
    pub fn name(self) -> &'static str {
        match self {
            Workload::Buffered => "buffered",
            Workload::Sync => "sync",
        }
    }
}

pub fn options() -> Options {
    Options::default()
        .segment_size(128 * 1024)
        .sweep_interval(Duration::from_millis(20))
}

pub fn set_of(round: u64) -> String {
    format!("s{}", round % 8)
}

pub fn record_key(round: u64, idx: u64) -> Key {
    Key::new(NS, &set_of(round), format!("r{round}-k{idx}")).unwrap()
}

pub fn counter_key(round: u64, idx: u64) -> Key {
    Key::new(NS, &set_of(round), format!("r{round}-c{idx}")).unwrap()
}

/// The value a put with op number `opno` writes to bin `b{bin}` of key `idx`.
pub fn bin_value(round: u64, idx: u64, opno: u64, bin: u8) -> Value {
    let pad = ".".repeat(((opno * 31 + u64::from(bin) * 7) % 120) as usize);
    Value::from(format!("r{round}k{idx}o{opno}b{bin}{pad}"))
}

pub fn citrus_now() -> i64 {
    let unix = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs();
    (unix - CITRUS_EPOCH) as i64
}

/// One operation of the child's workload, as printed on its intent line.
#[derive(Clone, Debug, PartialEq)]
pub enum Op {
    /// Put bins (`(bin, nil)`) to key `key`; `ttl` 0 = namespace default (never).
    Put {
        key: u64,
        replace: bool,
        ttl: u32,
        bins: Vec<(u8, bool)>,
        sync: bool,
    },
    Delete {
        key: u64,
        sync: bool,
    },
    Touch {
        key: u64,
        ttl: u32,
        sync: bool,
    },
    /// `operate(add n 1, get_bin n)` on counter `ctr`.
    Add {
        ctr: u64,
        sync: bool,
    },
    Compact,
}

impl Op {
    pub fn encode(&self) -> String {
        let s = |sync: &bool| if *sync { "S" } else { "B" };
        match self {
            Op::Put {
                key,
                replace,
                ttl,
                bins,
                sync,
            } => {
                let bins: Vec<String> = bins
                    .iter()
                    .map(|(b, nil)| format!("{b}{}", if *nil { "-" } else { "+" }))
                    .collect();
                let mode = if *replace { "R" } else { "U" };
                format!("put {key} {mode} {ttl} {} {}", bins.join(","), s(sync))
            }
            Op::Delete { key, sync } => format!("del {key} {}", s(sync)),
            Op::Touch { key, ttl, sync } => format!("touch {key} {ttl} {}", s(sync)),
            Op::Add { ctr, sync } => format!("add {ctr} {}", s(sync)),
            Op::Compact => "compact".to_string(),
        }
    }

    pub fn parse(line: &str) -> Option<Op> {
        let w: Vec<&str> = line.split(' ').collect();
        let sync = w.last() == Some(&"S");
        Some(match *w.first()? {
            "put" => Op::Put {
                key: w.get(1)?.parse().ok()?,
                replace: *w.get(2)? == "R",
                ttl: w.get(3)?.parse().ok()?,
                bins: w
                    .get(4)?
                    .split(',')
                    .map(|b| {
                        let (n, nil) = b.split_at(b.len() - 1);
                        Some((n.parse().ok()?, nil == "-"))
                    })
                    .collect::<Option<_>>()?,
                sync,
            },
            "del" => Op::Delete {
                key: w.get(1)?.parse().ok()?,
                sync,
            },
            "touch" => Op::Touch {
                key: w.get(1)?.parse().ok()?,
                ttl: w.get(2)?.parse().ok()?,
                sync,
            },
            "add" => Op::Add {
                ctr: w.get(1)?.parse().ok()?,
                sync,
            },
            "compact" => Op::Compact,
            _ => return None,
        })
    }

    pub fn random(rng: &mut Rng, wl: Workload) -> Op {
        let sync = match wl {
            Workload::Buffered => rng.below(10) == 0,
            Workload::Sync => rng.below(10) != 0,
        };
        let key = rng.below(KEYS);
        let ttl = || 86_400 + (key as u32 * 977) % 86_400;
        match rng.below(1000) {
            0..=599 => {
                let replace = rng.below(10) == 0;
                let mut bins: Vec<(u8, bool)> = (0..4u8)
                    .filter(|_| rng.below(2) == 0)
                    .map(|b| (b, false))
                    .collect();
                if bins.is_empty() {
                    bins.push((rng.below(4) as u8, false));
                }
                if !replace && bins.len() >= 2 && rng.below(5) == 0 {
                    bins[0].1 = true;
                }
                let ttl = if rng.below(6) == 0 { ttl() } else { 0 };
                Op::Put {
                    key,
                    replace,
                    ttl,
                    bins,
                    sync,
                }
            }
            600..=699 => Op::Delete { key, sync },
            700..=819 => Op::Touch {
                key,
                ttl: ttl(),
                sync,
            },
            820..=997 => Op::Add {
                ctr: rng.below(COUNTERS),
                sync,
            },
            _ => Op::Compact,
        }
    }
}

pub fn write_policy(sync: bool, ttl: u32, replace: bool) -> WritePolicy {
    WritePolicy {
        durability: Some(if sync {
            Durability::Sync
        } else {
            Durability::Buffered
        }),
        expiration: if ttl > 0 {
            Expiration::Seconds(ttl)
        } else {
            Expiration::NamespaceDefault
        },
        record_exists_action: if replace {
            RecordExistsAction::Replace
        } else {
            RecordExistsAction::Update
        },
        send_key: true,
        ..WritePolicy::default()
    }
}

// ---------------------------------------------------------------- child

pub fn child_main() -> ! {
    let env = |k: &str| std::env::var(k).unwrap();
    let wl = if env("AEROLITE_CRASH_WORKLOAD_CHILD") == "sync" {
        Workload::Sync
    } else {
        Workload::Buffered
    };
    let seed: u64 = env("AEROLITE_CRASH_ROUND_SEED").parse().unwrap();
    let round: u64 = env("AEROLITE_CRASH_ROUND").parse().unwrap();
    let dir = env("AEROLITE_CRASH_DIR");
    let out = |line: String| crate::kill::tell_parent(&line);
    let open = || match Db::open_with(&dir, options()) {
        Ok(db) => db,
        Err(e) => {
            eprintln!("crash_kill9 child: open failed: {e:?}");
            std::process::exit(3);
        }
    };
    let mut db = open();
    out("READY".into());
    let mut rng = Rng(seed);
    // In a third of the rounds the child also closes cleanly now and then
    // (writing hints and the index snapshot) and reopens (reading it back),
    // so kills land during a close and after an open from a snapshot.
    let closes = round % 3 == 1;
    let start = Instant::now();
    for opno in 1u64.. {
        if start.elapsed() > Duration::from_secs(120) {
            std::process::exit(4); // never killed: the parent is stuck
        }
        if closes && rng.below(25) == 0 {
            out(format!("C {opno}"));
            if let Err(e) = db.close() {
                eprintln!("crash_kill9 child: close failed: {e:?}");
                std::process::exit(3);
            }
            db = open();
            out(format!("R {opno}"));
        }
        let op = Op::random(&mut rng, wl);
        out(format!("I {opno} {}", op.encode()));
        match execute(&db, round, opno, &op) {
            Ok(ack) => out(format!("A {opno} {ack}")),
            Err(e) => {
                eprintln!("crash_kill9 child: op {opno} {op:?} failed: {e:?}");
                std::process::exit(3);
            }
        }
    }
    unreachable!()
}

/// Runs `op`; returns "gen void [value]" read back after the call (gen 0 = absent).
pub fn execute(db: &Db, round: u64, opno: u64, op: &Op) -> Result<String> {
    let key = match op {
        Op::Put {
            key,
            replace,
            ttl,
            bins,
            sync,
        } => {
            let k = record_key(round, *key);
            let bins: Vec<Bin> = bins
                .iter()
                .map(|&(b, nil)| {
                    let v = if nil {
                        Value::Nil
                    } else {
                        bin_value(round, *key, opno, b)
                    };
                    Bin::new(&format!("b{b}"), v)
                })
                .collect();
            db.put(&write_policy(*sync, *ttl, *replace), &k, &bins)?;
            k
        }
        Op::Delete { key, sync } => {
            let k = record_key(round, *key);
            db.delete(&write_policy(*sync, 0, false), &k)?;
            k
        }
        Op::Touch { key, ttl, sync } => {
            let k = record_key(round, *key);
            match db.touch(&write_policy(*sync, *ttl, false), &k) {
                Ok(()) | Err(Error::KeyNotFound) => {}
                Err(e) => return Err(e),
            }
            k
        }
        Op::Add { ctr, sync } => {
            let k = counter_key(round, *ctr);
            let ops = [operations::add(&Bin::new("n", 1)), operations::get_bin("n")];
            let rec = db.operate(&write_policy(*sync, 0, false), &k, &ops)?;
            let Some(Value::Int(n)) = rec.bins.get("n") else {
                return Err(Error::ParameterError(format!("add returned {rec:?}")));
            };
            return Ok(format!("{} {} {n}", rec.generation, rec.expiration));
        }
        Op::Compact => {
            db.compact()?;
            return Ok("0 0".into());
        }
    };
    match db.get(&ReadPolicy::default(), &key, Bins::None) {
        Ok(r) => Ok(format!("{} {}", r.generation, r.expiration)),
        Err(Error::KeyNotFound) => Ok("0 0".into()),
        Err(e) => Err(e),
    }
}
