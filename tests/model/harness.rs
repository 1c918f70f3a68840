//! Runs ops against the real database and the model side by side.

use crate::batch::{run_batch, BatchEffect};
use crate::model::{BinsSel, MOp, Model, ModelRecord, ReadView, WriteArgs, CITRUS_EPOCH};
use crate::ops::{key_space, Case, Op, K, NS, START_UNIX};
use aerolite::{
    operations, Bins, Clock, Db, Durability, ManualClock, NamespaceConfig, Options, PowerLossSim,
    ReadPolicy, Record, RecordExistsAction, ResultCode, Value, WritePolicy,
};
use proptest::prelude::*;
use proptest::test_runner::TestCaseError;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::time::{Duration, UNIX_EPOCH};

/// The real database and the model, side by side.
pub struct Harness {
    dir: tempfile::TempDir,
    options: Options,
    pub clock: Arc<ManualClock>,
    db: Option<Db>,
    pub model: Model,
    /// The simulated disk under the database, for `Op::PowerLoss`.
    sim: Arc<PowerLossSim>,
    durability: Durability,
    /// Per key, every state it was in since it was last known durable: a
    /// power loss may leave any of them.
    since_durable: BTreeMap<(String, Value), Vec<Option<ModelRecord>>>,
    /// Keys a `Buffered` batch wrote in a `Sync` case since the last reopen:
    /// a later `Sync` step does not make them durable by itself.
    unsynced: BTreeSet<(String, Value)>,
    /// What the current step's batch wrote (`Op::Batch` only).
    batch: BatchEffect,
}

impl Harness {
    pub fn new(default_ttl: Option<u32>, segment_size: u64, durability: Durability) -> Harness {
        let dir = tempfile::tempdir().expect("tempdir");
        let sim = PowerLossSim::new(dir.path(), 0).expect("power-loss simulator");
        let clock = Arc::new(ManualClock::new(
            UNIX_EPOCH + Duration::from_secs(START_UNIX),
        ));
        let options = Options::default()
            .segment_size(segment_size)
            .durability(durability)
            .clock(clock.clone())
            .namespace(
                NamespaceConfig::new(NS)
                    .default_ttl(default_ttl.map(|s| Duration::from_secs(u64::from(s)))),
            )
            .power_loss_sim(Arc::clone(&sim));
        let db = Db::open_with(dir.path(), options.clone()).expect("open");
        Harness {
            dir,
            options,
            clock,
            db: Some(db),
            model: Model::new(default_ttl),
            sim,
            durability,
            since_durable: BTreeMap::new(),
            unsynced: BTreeSet::new(),
            batch: BatchEffect::default(),
        }
    }

    /// After a step: remembers each key's state among those a power loss may
    /// leave. Everything is durable after a reopen, and after every step
    /// when writes are `Sync` (except the keys a `Buffered` batch wrote); a
    /// truncation is durable for its set, a `Sync` batch for the keys it
    /// wrote. A batch that is not durable may leave the state after any of
    /// its entries.
    fn track(&mut self, op: &Op) {
        let reopen = matches!(op, Op::Reopen { .. } | Op::ReopenRebuild);
        let buffered_batch = matches!(
            op,
            Op::Batch {
                durability: Durability::Buffered,
                ..
            }
        );
        let sync_step = self.durability == Durability::Sync && !buffered_batch;
        let batch = std::mem::take(&mut self.batch);
        if reopen {
            self.unsynced.clear();
        }
        if self.durability == Durability::Sync && buffered_batch {
            self.unsynced
                .extend(batch.states.iter().map(|(mk, _)| mk.clone()));
        }
        for k in (0..key_space().len()).map(K) {
            let mk = k.model_key();
            let now = self.model.records.get(&mk).cloned();
            let truncated = matches!(op, Op::Truncate { set } if set.is_none_or(|s| s == mk.0));
            if truncated || batch.synced.contains(&mk) {
                self.unsynced.remove(&mk);
            }
            let durable = reopen
                || truncated
                || batch.synced.contains(&mk)
                || sync_step && !self.unsynced.contains(&mk);
            let states = self
                .since_durable
                .entry(mk.clone())
                .or_insert_with(|| vec![None]);
            if durable {
                *states = vec![now];
                continue;
            }
            let during = batch.states.iter().filter(|(bk, _)| *bk == mk);
            for st in during.map(|(_, st)| st.clone()).chain([now]) {
                if !states.contains(&st) {
                    states.push(st);
                }
            }
        }
    }

    /// `Op::PowerLoss`: cuts the power, opens the crash image and checks that
    /// every key is in one of the states it may be in; the model then
    /// follows the state found.
    fn power_loss(&mut self, i: usize, seed: u64) -> Result<(), TestCaseError> {
        self.sim.reseed(seed);
        self.sim.cut_power();
        drop(self.db.take());
        self.sim.materialize().expect("materialize the crash image");
        self.sim = PowerLossSim::new(self.dir.path(), seed).expect("power-loss simulator");
        self.options = self.options.clone().power_loss_sim(Arc::clone(&self.sim));
        let db = Db::open_with(self.dir.path(), self.options.clone());
        prop_assert!(
            db.is_ok(),
            "step {}: open after power loss: {:?}",
            i,
            db.as_ref().err()
        );
        self.db = db.ok();
        for k in (0..key_space().len()).map(K) {
            let mk = k.model_key();
            let got = self.db_get(k, &BinsSel::All);
            let states = self.since_durable.get(&mk).cloned().unwrap_or(vec![None]);
            let saved = self.model.records.get(&mk).cloned();
            // A record version (possibly expired) before the absence that reads the same.
            let mut found = None;
            for st in states
                .iter()
                .rev()
                .filter(|s| s.is_some())
                .chain(states.iter().filter(|s| s.is_none()))
            {
                match st {
                    Some(r) => self.model.records.insert(mk.clone(), r.clone()),
                    None => self.model.records.remove(&mk),
                };
                if self.model_get(k, &BinsSel::All) == got {
                    found = Some(st.clone());
                    break;
                }
            }
            match &saved {
                Some(r) => self.model.records.insert(mk.clone(), r.clone()),
                None => self.model.records.remove(&mk),
            };
            prop_assert!(
                found.is_some(),
                "step {} (power loss, seed {}): {:?} reads {:?}; allowed states {:?}",
                i,
                seed,
                k,
                got,
                states
            );
            match found.flatten() {
                Some(r) => self.model.records.insert(mk.clone(), r),
                None => self.model.records.remove(&mk),
            };
        }
        // Opening syncs every segment: all is durable again.
        self.track(&Op::Reopen { close: false });
        Ok(())
    }

    pub fn db(&self) -> &Db {
        self.db.as_ref().expect("db is open")
    }

    /// Citrus seconds of the clock now.
    pub fn now(&self) -> u32 {
        let unix = self
            .clock
            .now()
            .duration_since(UNIX_EPOCH)
            .expect("after the epoch")
            .as_secs();
        u32::try_from(unix - CITRUS_EPOCH).expect("citrus seconds fit")
    }

    /// Closes (`close`) or drops the Db and opens it again, reading the
    /// index back from the snapshot the close wrote (`snapshot`) or, with
    /// the snapshot deleted, rebuilding it.
    pub fn reopen(&mut self, close: bool, snapshot: bool) -> Result<(), TestCaseError> {
        let db = self.db.take().expect("db is open");
        if close {
            let r = db.close();
            prop_assert!(r.is_ok(), "close failed: {r:?}");
        } else {
            drop(db);
        }
        let snap = self
            .dir
            .path()
            .join("namespaces")
            .join(NS)
            .join("index.snap");
        let had = snap.exists();
        if !snapshot && had {
            std::fs::remove_file(&snap).expect("remove the index snapshot");
        }
        let db = Db::open_with(self.dir.path(), self.options.clone());
        prop_assert!(db.is_ok(), "reopen failed: {:?}", db.as_ref().err());
        self.db = db.ok();
        let rec = self.db().namespace_stats(NS).expect("stats").recovery;
        prop_assert_eq!(rec.index_from_snapshot, snapshot && had, "{:?}", rec);
        prop_assert!(!snap.exists(), "the snapshot outlived the open");
        Ok(())
    }

    /// What the model expects a read to return, TTL included.
    pub fn model_get(&self, k: K, sel: &BinsSel) -> Result<(ReadView, Option<u64>), ResultCode> {
        let now = self.now();
        self.model.get(&k.model_key(), sel, now).map(|v| {
            let ttl =
                (v.expiration != 0).then(|| u64::from(v.expiration.saturating_sub(now).max(1)));
            (v, ttl)
        })
    }

    /// What the database returns for a read, in the model's form.
    pub fn db_get(&self, k: K, sel: &BinsSel) -> Result<(ReadView, Option<u64>), ResultCode> {
        let key = k.key();
        self.db()
            .get(&ReadPolicy::default(), &key, db_bins(sel))
            .map(|r| view_of(&key, r))
            .map_err(|e| e.result_code())
    }

    /// Runs one op on both sides and compares the results.
    pub fn step(&mut self, i: usize, op: &Op) -> Result<(), TestCaseError> {
        let now = self.now();
        match op {
            Op::Put {
                k,
                bins,
                action,
                gen,
                exp,
                send_key,
            } => {
                let mk = k.model_key();
                let (gen_mode, generation) = gen.resolve(self.model.current_generation(&mk, now));
                let w = WriteArgs {
                    action: *action,
                    gen_mode,
                    generation,
                    expiration: *exp,
                    send_key: *send_key,
                };
                let values: Vec<(String, Value)> = bins
                    .iter()
                    .map(|(n, v)| (n.to_string(), v.value()))
                    .collect();
                let expected = self.model.put(&mk, &values, &w, now);
                let db_bins: Vec<aerolite::Bin> = values
                    .iter()
                    .map(|(n, v)| aerolite::Bin::new(n, v.clone()))
                    .collect();
                let got = self
                    .db()
                    .put(&policy(&w), &k.key(), &db_bins)
                    .map_err(|e| e.result_code());
                prop_assert_eq!(got, expected, "step {}: {:?} (policy {:?})", i, op, w);
            }
            Op::Get { k, bins } => {
                let expected = self.model_get(*k, bins);
                let got = self.db_get(*k, bins);
                prop_assert_eq!(got, expected, "step {}: {:?}", i, op);
            }
            Op::Exists { k } => {
                let expected = self.model.exists(&k.model_key(), now);
                let got = self
                    .db()
                    .exists(&ReadPolicy::default(), &k.key())
                    .map_err(|e| e.result_code());
                prop_assert_eq!(got, Ok(expected), "step {}: {:?}", i, op);
            }
            Op::Delete { k, gen } => {
                let mk = k.model_key();
                let (gen_mode, generation) = gen.resolve(self.model.current_generation(&mk, now));
                let expected = self.model.delete(&mk, gen_mode, generation, now);
                let p = WritePolicy {
                    generation_policy: gen_mode,
                    generation,
                    ..WritePolicy::default()
                };
                let got = self.db().delete(&p, &k.key()).map_err(|e| e.result_code());
                prop_assert_eq!(
                    got,
                    expected,
                    "step {}: {:?} (generation {})",
                    i,
                    op,
                    generation
                );
            }
            Op::Touch {
                k,
                gen,
                exp,
                send_key,
            } => {
                let mk = k.model_key();
                let (gen_mode, generation) = gen.resolve(self.model.current_generation(&mk, now));
                let w = WriteArgs {
                    action: RecordExistsAction::Update,
                    gen_mode,
                    generation,
                    expiration: *exp,
                    send_key: *send_key,
                };
                let expected = self.model.touch(&mk, &w, now);
                let got = self
                    .db()
                    .touch(&policy(&w), &k.key())
                    .map_err(|e| e.result_code());
                prop_assert_eq!(got, expected, "step {}: {:?} (policy {:?})", i, op, w);
            }
            Op::Advance { secs } => self.clock.advance(Duration::from_secs(u64::from(*secs))),
            Op::Reopen { close } => self.reopen(*close, true)?,
            Op::ReopenRebuild => self.reopen(true, false)?,
            Op::Sweep => {
                // The maintenance thread may have swept some of them already;
                // records swept before a restart may be back (see `Model::swept`).
                let restored = self.model.swept.len() as u64;
                let most = self.model.sweep(now) as u64 + restored;
                let got = self.db().sweep_expired().map_err(|e| e.result_code());
                prop_assert!(
                    matches!(got, Ok(n) if n <= most),
                    "step {}: sweep_expired returned {:?}, expected at most {} (expired records)",
                    i,
                    got,
                    most
                );
                // Now nothing expired may be counted; a concurrent background
                // sweep may still be finishing its batch, so allow it a moment.
                let live = self.model.live_count(now) as u64;
                let mut objects = self.objects();
                for _ in 0..200 {
                    if objects == live {
                        break;
                    }
                    std::thread::sleep(Duration::from_millis(5));
                    objects = self.objects();
                }
                prop_assert_eq!(objects, live, "step {}: objects after a sweep", i);
            }
            Op::Compact => {
                let got = self.db().compact();
                prop_assert!(got.is_ok(), "step {}: compact failed: {:?}", i, got.err());
            }
            Op::Operate {
                k,
                ops,
                action,
                gen,
                exp,
                send_key,
            } => {
                let mk = k.model_key();
                let (gen_mode, generation) = gen.resolve(self.model.current_generation(&mk, now));
                let w = WriteArgs {
                    action: *action,
                    gen_mode,
                    generation,
                    expiration: *exp,
                    send_key: *send_key,
                };
                let expected = self.model.operate(&mk, ops, &w, now);
                let db_ops: Vec<aerolite::Operation> = ops.iter().map(operation).collect();
                let got = self
                    .db()
                    .operate(&policy(&w), &k.key(), &db_ops)
                    .map(|r| ReadView {
                        bins: r.bins.into_iter().collect(),
                        generation: r.generation,
                        expiration: r.expiration,
                        user_key: None,
                    })
                    .map_err(|e| e.result_code());
                prop_assert_eq!(got, expected, "step {}: {:?} (policy {:?})", i, op, w);
            }
            Op::BatchGet { keys, bins } => {
                let expected: Vec<_> = keys.iter().map(|k| self.model_get(*k, bins).ok()).collect();
                let db_keys: Vec<aerolite::Key> = keys.iter().map(|k| k.key()).collect();
                let got = self
                    .db()
                    .batch_get(&ReadPolicy::default(), &db_keys, db_bins(bins))
                    .map_err(|e| e.result_code());
                prop_assert!(got.is_ok(), "step {}: {:?} failed: {:?}", i, op, got);
                let got: Vec<_> = got
                    .unwrap_or_default()
                    .into_iter()
                    .zip(&db_keys)
                    .map(|(r, key)| r.map(|r| view_of(key, r)))
                    .collect();
                prop_assert_eq!(got, expected, "step {}: {:?}", i, op);
            }
            Op::Scan { set } => {
                let expected = self.model.scan(*set, now);
                let by_digest: BTreeMap<aerolite::Digest, K> = (0..key_space().len())
                    .map(|i| (*K(i).key().digest(), K(i)))
                    .collect();
                let scan = self.db().scan(NS, *set, Bins::All);
                prop_assert!(
                    scan.is_ok(),
                    "step {}: {:?} failed: {:?}",
                    i,
                    op,
                    scan.err()
                );
                let mut got = BTreeMap::new();
                for item in scan.expect("checked") {
                    prop_assert!(item.is_ok(), "step {}: {:?} item: {:?}", i, op, item);
                    let r = item.expect("checked");
                    let rk = r.key.clone();
                    prop_assert!(rk.is_some(), "step {}: scan record without a key", i);
                    let rk = rk.expect("checked");
                    let k = by_digest.get(rk.digest()).copied();
                    prop_assert!(
                        k.is_some(),
                        "step {}: scan returned an unknown digest {:?}",
                        i,
                        rk
                    );
                    let k = k.expect("checked");
                    let (view, _) = view_of(&k.key(), r);
                    let dup = got.insert(k.model_key(), view);
                    prop_assert!(dup.is_none(), "step {}: {:?} returned {:?} twice", i, op, k);
                }
                prop_assert_eq!(got, expected, "step {}: {:?}", i, op);
            }
            Op::PowerLoss { seed } => self.power_loss(i, *seed)?,
            Op::Batch {
                durability,
                entries,
            } => self.batch = run_batch(self, i, *durability, entries)?,
            Op::Truncate { set } => {
                let (live, known) = self.model.truncate(*set, now);
                let got = self
                    .db()
                    .truncate(NS, *set, None)
                    .map_err(|e| e.result_code());
                prop_assert!(
                    matches!(got, Ok(n) if (live as u64..=known as u64).contains(&n)),
                    "step {}: {:?} returned {:?}, expected {}..={} (live..=known)",
                    i,
                    op,
                    got,
                    live,
                    known
                );
            }
        }
        if !matches!(op, Op::PowerLoss { .. }) {
            self.track(op);
        }
        self.check_all(i, op)
    }

    /// `NamespaceStats::objects` (panics if the stats cannot be read).
    pub fn objects(&self) -> u64 {
        self.db()
            .namespace_stats(NS)
            .expect("namespace_stats")
            .objects
    }

    /// Every key of the key space reads the same on both sides, and the
    /// object count is within what the model allows.
    pub fn check_all(&self, i: usize, op: &Op) -> Result<(), TestCaseError> {
        let now = self.now();
        for k in (0..key_space().len()).map(K) {
            let expected = self.model_get(k, &BinsSel::All);
            let got = self.db_get(k, &BinsSel::All);
            prop_assert_eq!(got, expected, "state of {:?} after step {}: {:?}", k, i, op);
            let exists = self
                .db()
                .exists(&ReadPolicy::default(), &k.key())
                .map_err(|e| e.result_code());
            prop_assert_eq!(
                exists,
                Ok(self.model.exists(&k.model_key(), now)),
                "exists {:?} after step {}",
                k,
                i
            );
        }
        let objects = self.objects();
        let (live, known) = (
            self.model.live_count(now) as u64,
            (self.model.records.len() + self.model.swept.len()) as u64,
        );
        prop_assert!(
            (live..=known).contains(&objects),
            "after step {} ({:?}): objects {} not in {}..={} (live..=live+expired+swept)",
            i,
            op,
            objects,
            live,
            known
        );
        Ok(())
    }
}

pub fn db_bins(sel: &BinsSel) -> Bins {
    match sel {
        BinsSel::All => Bins::All,
        BinsSel::None => Bins::None,
        BinsSel::Some(names) => Bins::Some(names.clone()),
    }
}

/// The engine's form of a model operate op.
pub fn operation(op: &MOp) -> aerolite::Operation {
    match op {
        MOp::Add(b, n) => operations::add(&aerolite::Bin::new(b, *n)),
        MOp::PutBin(b, v) => operations::put(&aerolite::Bin::new(b, v.clone())),
        MOp::GetBin(b) => operations::get_bin(b),
        MOp::Get => operations::get(),
        MOp::Touch => operations::touch(),
        MOp::Delete => operations::delete(),
        MOp::ListAppend(b, n) => operations::lists::append(b, *n),
    }
}

pub fn policy(w: &WriteArgs) -> WritePolicy {
    WritePolicy {
        record_exists_action: w.action,
        generation_policy: w.gen_mode,
        generation: w.generation,
        expiration: w.expiration,
        send_key: w.send_key,
        ..WritePolicy::default()
    }
}

/// A `Record` in the model's form (the key's digest and set are checked here).
pub fn view_of(key: &aerolite::Key, r: Record) -> (ReadView, Option<u64>) {
    let rk = r.key.as_ref().expect("a read returns the record's key");
    assert_eq!(rk.digest(), key.digest(), "returned key has another digest");
    assert_eq!(
        rk.set_name(),
        key.set_name(),
        "returned key has another set"
    );
    assert_eq!(
        rk.namespace(),
        key.namespace(),
        "returned key has another namespace"
    );
    let ttl = r.time_to_live().map(|d| d.as_secs());
    let view = ReadView {
        bins: r.bins.into_iter().collect::<BTreeMap<_, _>>(),
        generation: r.generation,
        expiration: r.expiration,
        user_key: rk.user_key().cloned(),
    };
    (view, ttl)
}

pub fn run_case(case: &Case) -> Result<(), TestCaseError> {
    let mut h = Harness::new(case.default_ttl, case.segment_size, case.durability);
    h.check_all(usize::MAX, &Op::Advance { secs: 0 })?;
    for (i, op) in case.ops.iter().enumerate() {
        h.step(i, op)?;
    }
    // Everything must also survive a final clean close and reopen.
    h.reopen(true, true)?;
    h.check_all(case.ops.len(), &Op::Reopen { close: true })
}
