//! Body of the `ops_model` fuzz target: a sequence of operations decoded
//! from the input with `arbitrary::Unstructured` (put, get, delete, touch,
//! operate-add, clock moves, close-and-reopen) over four keys, run against
//! the real `Db` and against a plain `BTreeMap` model of the record
//! semantics (docs/semantics.md). Every result must agree (errors by result
//! code; reads by bins, generation and void time), and at the end of the
//! sequence and after every reopen, so must every key of the key space.
//!
//! Blob values up to 6 KiB with 16 KiB segments make segment rotation (and
//! reading across segments after a reopen) part of what is fuzzed.

use aerolite::{
    operations, Bin, Bins, Clock, Db, Expiration, ManualClock, Options, ReadPolicy, ResultCode,
    Value, WritePolicy,
};
use arbitrary::{Result, Unstructured};
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, UNIX_EPOCH};

const KEYS: usize = 4;
const BINS: [&str; 2] = ["a", "b"];
/// Seconds from the Unix epoch to 2010-01-01T00:00:00Z.
const CITRUS_EPOCH: u64 = 1_262_304_000;
const START_UNIX: u64 = 1_700_000_000;
const MAX_OPS: usize = 200;

#[derive(Clone, Debug)]
enum Op {
    /// Put one bin; `None` is a nil bin (deletes the bin).
    Put {
        k: usize,
        bin: usize,
        value: Option<Value>,
        ttl: Option<u32>,
    },
    Get(usize),
    Delete(usize),
    Touch {
        k: usize,
        ttl: Option<u32>,
    },
    Add {
        k: usize,
        bin: usize,
        by: i64,
    },
    Advance(u64),
    Reopen {
        verify: bool,
    },
}

fn op(u: &mut Unstructured<'_>) -> Result<Op> {
    let k = u.int_in_range(0..=KEYS - 1)?;
    let ttl = |u: &mut Unstructured<'_>| -> Result<Option<u32>> {
        Ok(match u.int_in_range(0u8..=3)? {
            0 | 1 => None,
            n => Some(u32::from(n) * 2 - 3),
        })
    };
    Ok(match u.int_in_range(0u8..=9)? {
        0..=2 => Op::Put {
            k,
            bin: u.int_in_range(0..=BINS.len() - 1)?,
            value: match u.int_in_range(0u8..=5)? {
                0 => None,
                1 => Some(Value::Blob(vec![k as u8; u.int_in_range(0..=6000)?])),
                2 => Some(Value::from("s")),
                _ => Some(Value::Int(i64::from(u.arbitrary::<i8>()?))),
            },
            ttl: ttl(u)?,
        },
        3 => Op::Get(k),
        4 => Op::Delete(k),
        5 => Op::Touch { k, ttl: ttl(u)? },
        6 | 7 => Op::Add {
            k,
            bin: u.int_in_range(0..=BINS.len() - 1)?,
            by: match u.int_in_range(0u8..=2)? {
                0 => i64::MAX,
                _ => i64::from(u.arbitrary::<i8>()?),
            },
        },
        8 => Op::Advance(u.int_in_range(0..=3)?),
        _ => Op::Reopen {
            verify: u.arbitrary()?,
        },
    })
}

#[derive(Clone, Debug, PartialEq)]
struct Rec {
    bins: BTreeMap<String, Value>,
    generation: u32,
    void_time: u32,
}

/// The model: key index → record (expired records are dropped lazily).
#[derive(Default)]
struct Model {
    records: BTreeMap<usize, Rec>,
}

fn next_gen(g: u32) -> u32 {
    if g >= 65535 {
        1
    } else {
        g + 1
    }
}

fn void_time(ttl: Option<u32>, now: u32) -> u32 {
    ttl.map_or(0, |t| now + t)
}

fn expiration(ttl: Option<u32>) -> Expiration {
    ttl.map_or(Expiration::NamespaceDefault, Expiration::Seconds)
}

impl Model {
    fn live(&self, k: usize, now: u32) -> Option<&Rec> {
        self.records
            .get(&k)
            .filter(|r| r.void_time == 0 || now < r.void_time)
    }

    fn put(
        &mut self,
        k: usize,
        bin: &str,
        value: &Option<Value>,
        ttl: Option<u32>,
        now: u32,
    ) -> std::result::Result<(), ResultCode> {
        let current = self.live(k, now).cloned();
        let mut bins = current.as_ref().map(|c| c.bins.clone()).unwrap_or_default();
        match value {
            None => {
                bins.remove(bin);
            }
            Some(v) => {
                bins.insert(bin.to_string(), v.clone());
            }
        }
        match (current, bins.is_empty()) {
            (None, true) => Err(ResultCode::KeyNotFoundError),
            (Some(_), true) => {
                self.records.remove(&k);
                Ok(())
            }
            (c, false) => {
                let generation = next_gen(c.map_or(0, |c| c.generation));
                let void_time = void_time(ttl, now);
                self.records.insert(
                    k,
                    Rec {
                        bins,
                        generation,
                        void_time,
                    },
                );
                Ok(())
            }
        }
    }

    fn add(
        &mut self,
        k: usize,
        bin: &str,
        by: i64,
        now: u32,
    ) -> std::result::Result<u32, ResultCode> {
        let current = self.live(k, now).cloned();
        let mut bins = current.as_ref().map(|c| c.bins.clone()).unwrap_or_default();
        let new = match bins.get(bin) {
            None => by,
            Some(Value::Int(n)) => n.wrapping_add(by),
            Some(_) => return Err(ResultCode::BinTypeError),
        };
        bins.insert(bin.to_string(), Value::Int(new));
        let generation = next_gen(current.map_or(0, |c| c.generation));
        self.records.insert(
            k,
            Rec {
                bins,
                generation,
                void_time: 0,
            },
        );
        Ok(generation)
    }
}

struct Harness {
    dir: tempfile::TempDir,
    clock: Arc<ManualClock>,
    db: Option<Db>,
    model: Model,
}

impl Harness {
    fn open(&mut self, verify: bool) {
        let clock: Arc<dyn Clock> = self.clock.clone();
        let options = Options::default()
            .segment_size(16 * 1024)
            .clock(clock)
            .verify_on_open(verify)
            .sweep_interval(Duration::from_secs(24 * 3600));
        self.db = Some(Db::open_with(self.dir.path(), options).expect("open"));
    }

    fn db(&self) -> &Db {
        self.db.as_ref().expect("open database")
    }

    fn now(&self) -> u32 {
        let unix = self
            .clock
            .now()
            .duration_since(UNIX_EPOCH)
            .expect("after 1970");
        (unix.as_secs() - CITRUS_EPOCH) as u32
    }

    fn check_key(&self, k: usize, when: &str) {
        let got = self.db().get(&ReadPolicy::default(), &key(k), Bins::All);
        let want = self.model.live(k, self.now());
        match (got, want) {
            (Ok(r), Some(m)) => {
                let bins: BTreeMap<String, Value> = r.bins.into_iter().collect();
                assert_eq!(bins, m.bins, "{when}: bins of key {k}");
                assert_eq!(r.generation, m.generation, "{when}: generation of key {k}");
                assert_eq!(r.expiration, m.void_time, "{when}: void time of key {k}");
            }
            (Err(aerolite::Error::KeyNotFound), None) => {}
            (got, want) => panic!("{when}: key {k}: db {got:?}, model {want:?}"),
        }
    }

    fn check_all(&self, when: &str) {
        for k in 0..KEYS {
            self.check_key(k, when);
        }
    }

    fn step(&mut self, op: &Op) {
        let now = self.now();
        let code = |r: aerolite::Result<()>| r.map_err(|e| e.result_code());
        match op {
            Op::Put { k, bin, value, ttl } => {
                let wp = WritePolicy {
                    expiration: expiration(*ttl),
                    ..WritePolicy::default()
                };
                let v = value.clone().unwrap_or(Value::Nil);
                let got = code(self.db().put(&wp, &key(*k), &[Bin::new(BINS[*bin], v)]));
                let want = self.model.put(*k, BINS[*bin], value, *ttl, now);
                assert_eq!(got, want, "{op:?}");
            }
            Op::Get(k) => self.check_key(*k, &format!("{op:?}")),
            Op::Delete(k) => {
                let got = self
                    .db()
                    .delete(&WritePolicy::default(), &key(*k))
                    .map_err(|e| e.result_code());
                let want = self.model.live(*k, now).is_some();
                self.model.records.remove(k);
                assert_eq!(got, Ok(want), "{op:?}");
            }
            Op::Touch { k, ttl } => {
                let wp = WritePolicy {
                    expiration: expiration(*ttl),
                    ..WritePolicy::default()
                };
                let got = code(self.db().touch(&wp, &key(*k)));
                let want = match self.model.live(*k, now).cloned() {
                    None => Err(ResultCode::KeyNotFoundError),
                    Some(mut r) => {
                        r.generation = next_gen(r.generation);
                        r.void_time = void_time(*ttl, now);
                        self.model.records.insert(*k, r);
                        Ok(())
                    }
                };
                assert_eq!(got, want, "{op:?}");
            }
            Op::Add { k, bin, by } => {
                let ops = [operations::add(&Bin::new(BINS[*bin], *by))];
                let got = self
                    .db()
                    .operate(&WritePolicy::default(), &key(*k), &ops)
                    .map(|r| r.generation)
                    .map_err(|e| e.result_code());
                let want = self.model.add(*k, BINS[*bin], *by, now);
                assert_eq!(got, want, "{op:?}");
            }
            Op::Advance(secs) => self.clock.advance(Duration::from_secs(*secs)),
            Op::Reopen { verify } => {
                self.db
                    .take()
                    .expect("open database")
                    .close()
                    .expect("close");
                self.open(*verify);
                self.check_all("after reopen");
            }
        }
    }
}

fn key(k: usize) -> aerolite::Key {
    aerolite::Key::new("test", "s", k as i64).expect("valid key")
}

/// Runs one input.
pub fn run(data: &[u8]) {
    let mut u = Unstructured::new(data);
    let mut ops = Vec::new();
    while !u.is_empty() && ops.len() < MAX_OPS {
        match op(&mut u) {
            Ok(op) => ops.push(op),
            Err(_) => break,
        }
    }
    let mut h = Harness {
        dir: tempfile::tempdir().expect("temporary directory"),
        clock: Arc::new(ManualClock::new(
            UNIX_EPOCH + Duration::from_secs(START_UNIX),
        )),
        db: None,
        model: Model::default(),
    };
    h.open(false);
    for op in &ops {
        h.step(op);
    }
    h.check_all("at the end");
}
