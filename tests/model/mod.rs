//! A plain in-memory model of aerolite's single-record semantics
//! (/work/shared/spec/semantics.md), used by `tests/model.rs`.
//!
//! The model keeps every record it was told about in a `BTreeMap`, including
//! expired ones (they are treated exactly like absent ones), so it can also
//! bound what `NamespaceStats::objects` may report.

use aerolite::{Expiration, GenerationPolicy, RecordExistsAction, ResultCode, Value};
use std::collections::{BTreeMap, BTreeSet};

/// Seconds from the Unix epoch to 2010-01-01T00:00:00Z.
pub const CITRUS_EPOCH: u64 = 1_262_304_000;

/// One record of the model.
#[derive(Clone, Debug, PartialEq)]
pub struct ModelRecord {
    pub bins: BTreeMap<String, Value>,
    pub generation: u32,
    pub void_time: u32,
    pub stored_key: bool,
}

impl ModelRecord {
    /// Whether the record is live at citrus second `now`.
    pub fn is_live(&self, now: u32) -> bool {
        self.void_time == 0 || now < self.void_time
    }
}

/// The generation check of a write, relative to the record's generation at
/// the time the step runs, so that both passing and failing checks happen.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GenCheck {
    None,
    /// `ExpectGenEqual` with `generation = current + delta` (floored at 0).
    Equal(i8),
    /// `ExpectGenGreater` with `generation = current + delta` (floored at 0).
    Greater(i8),
}

impl GenCheck {
    /// The policy's generation mode and value for a record whose current
    /// generation is `current` (0 when absent or expired).
    pub fn resolve(self, current: u32) -> (GenerationPolicy, u32) {
        let at = |d: i8| (i64::from(current) + i64::from(d)).max(0) as u32;
        match self {
            GenCheck::None => (GenerationPolicy::None, 0),
            GenCheck::Equal(d) => (GenerationPolicy::ExpectGenEqual, at(d)),
            GenCheck::Greater(d) => (GenerationPolicy::ExpectGenGreater, at(d)),
        }
    }
}

/// What a read returns, in the form both sides are compared in.
#[derive(Clone, Debug, PartialEq)]
pub struct ReadView {
    pub bins: BTreeMap<String, Value>,
    pub generation: u32,
    pub expiration: u32,
    /// The user key returned with the record (only when it was stored).
    pub user_key: Option<Value>,
}

/// Which bins a get asks for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BinsSel {
    All,
    None,
    Some(Vec<String>),
}

/// One operation of an `operate` step (a small subset of `aerolite::operations`).
#[derive(Clone, Debug, PartialEq)]
pub enum MOp {
    /// `operations::add` with an int operand.
    Add(&'static str, i64),
    /// `operations::put`; `Value::Nil` deletes the bin.
    PutBin(&'static str, Value),
    /// `operations::get_bin`.
    GetBin(&'static str),
    /// `operations::get`.
    Get,
    /// `operations::touch`.
    Touch,
    /// `operations::delete`.
    Delete,
    /// `operations::lists::append` of an int.
    ListAppend(&'static str, i64),
}

impl MOp {
    /// Whether the op writes (touch and delete count as writes).
    pub fn is_write(&self) -> bool {
        !matches!(self, MOp::GetBin(_) | MOp::Get)
    }
}

/// The model of one namespace: `(set, user key)` → record.
#[derive(Clone, Debug, Default)]
pub struct Model {
    pub records: BTreeMap<(String, Value), ModelRecord>,
    /// Keys whose newest version is an expired record that a sweep removed.
    /// The sweep is not durable (see `swept_record_stays_gone_after_restart`
    /// in tests/model.rs): after a restart such a record is indexed again as
    /// an expired object, so these count towards the upper bound of
    /// `NamespaceStats::objects` until a write or delete supersedes them.
    pub swept: BTreeSet<(String, Value)>,
    /// The namespace's default TTL in seconds.
    pub default_ttl: Option<u32>,
}

type Res<T> = Result<T, ResultCode>;

/// The generation after a write to a record with generation `g` (0 = new).
pub fn next_generation(g: u32) -> u32 {
    if g >= 65535 {
        1
    } else {
        g + 1
    }
}

/// `Some(expected)` if a generation check passes, else the error code.
fn check_generation(mode: GenerationPolicy, expected: u32, stored: u32) -> Res<()> {
    let ok = match mode {
        GenerationPolicy::None => true,
        GenerationPolicy::ExpectGenEqual => expected == stored,
        GenerationPolicy::ExpectGenGreater => expected > stored,
    };
    if ok {
        Ok(())
    } else {
        Err(ResultCode::GenerationError)
    }
}

/// Arguments of a write, resolved against the model's state.
#[derive(Clone, Debug)]
pub struct WriteArgs {
    pub action: RecordExistsAction,
    pub gen_mode: GenerationPolicy,
    pub generation: u32,
    pub expiration: Expiration,
    pub send_key: bool,
}

impl Model {
    pub fn new(default_ttl: Option<u32>) -> Model {
        Model {
            records: BTreeMap::new(),
            swept: BTreeSet::new(),
            default_ttl,
        }
    }

    /// The live record of `key` at `now`.
    pub fn live(&self, key: &(String, Value), now: u32) -> Option<&ModelRecord> {
        self.records.get(key).filter(|r| r.is_live(now))
    }

    /// The generation a check sees: the live record's, or 0.
    pub fn current_generation(&self, key: &(String, Value), now: u32) -> u32 {
        self.live(key, now).map_or(0, |r| r.generation)
    }

    /// The void time a write with `exp` gives a record whose current void
    /// time is `current` (`None` on a create).
    pub fn void_time(&self, exp: Expiration, current: Option<u32>, now: u32) -> u32 {
        let default = self.default_ttl.map_or(0, |t| now + t);
        match exp {
            Expiration::Seconds(0) | Expiration::NamespaceDefault => default,
            Expiration::Seconds(n) => now + n,
            Expiration::Never => 0,
            Expiration::DontUpdate => current.unwrap_or(default),
        }
    }

    /// `Db::put`.
    pub fn put(
        &mut self,
        key: &(String, Value),
        bins: &[(String, Value)],
        w: &WriteArgs,
        now: u32,
    ) -> Res<()> {
        if bins.is_empty() {
            return Err(ResultCode::ParameterError);
        }
        let replace = matches!(
            w.action,
            RecordExistsAction::Replace | RecordExistsAction::ReplaceOnly
        );
        if replace && bins.iter().any(|(_, v)| v.is_nil()) {
            return Err(ResultCode::ParameterError);
        }
        let current = self.live(key, now).cloned();
        match (w.action, &current) {
            (RecordExistsAction::CreateOnly, Some(_)) => return Err(ResultCode::KeyExistsError),
            (RecordExistsAction::UpdateOnly | RecordExistsAction::ReplaceOnly, None) => {
                return Err(ResultCode::KeyNotFoundError)
            }
            _ => {}
        }
        check_generation(
            w.gen_mode,
            w.generation,
            current.as_ref().map_or(0, |c| c.generation),
        )?;
        let mut new_bins = match (&current, replace) {
            (Some(c), false) => c.bins.clone(),
            _ => BTreeMap::new(),
        };
        for (name, value) in bins {
            if value.is_nil() {
                new_bins.remove(name);
            } else {
                new_bins.insert(name.clone(), value.clone());
            }
        }
        if new_bins.is_empty() {
            // Nil bins removed every bin: the write deletes the record.
            return match current {
                Some(_) => {
                    self.records.remove(key);
                    Ok(())
                }
                None => Err(ResultCode::KeyNotFoundError),
            };
        }
        let record = ModelRecord {
            bins: new_bins,
            generation: next_generation(current.as_ref().map_or(0, |c| c.generation)),
            void_time: self.void_time(w.expiration, current.as_ref().map(|c| c.void_time), now),
            stored_key: w.send_key || current.as_ref().is_some_and(|c| c.stored_key),
        };
        self.swept.remove(key);
        self.records.insert(key.clone(), record);
        Ok(())
    }

    /// `Db::get`.
    pub fn get(&self, key: &(String, Value), sel: &BinsSel, now: u32) -> Res<ReadView> {
        let r = self.live(key, now).ok_or(ResultCode::KeyNotFoundError)?;
        let bins = r
            .bins
            .iter()
            .filter(|(name, _)| match sel {
                BinsSel::All => true,
                BinsSel::None => false,
                BinsSel::Some(names) => names.contains(name),
            })
            .map(|(n, v)| (n.clone(), v.clone()))
            .collect();
        Ok(ReadView {
            bins,
            generation: r.generation,
            expiration: r.void_time,
            user_key: r.stored_key.then(|| key.1.clone()),
        })
    }

    /// `Db::exists`.
    pub fn exists(&self, key: &(String, Value), now: u32) -> bool {
        self.live(key, now).is_some()
    }

    /// `Db::delete`: whether a live record existed. The generation check
    /// only applies to a live record.
    pub fn delete(
        &mut self,
        key: &(String, Value),
        gen_mode: GenerationPolicy,
        generation: u32,
        now: u32,
    ) -> Res<bool> {
        // Whatever happens below, a tombstone supersedes a swept version.
        self.swept.remove(key);
        match self.records.get(key) {
            None => Ok(false),
            Some(r) if !r.is_live(now) => {
                self.records.remove(key);
                Ok(false)
            }
            Some(r) => {
                check_generation(gen_mode, generation, r.generation)?;
                self.records.remove(key);
                Ok(true)
            }
        }
    }

    /// `Db::touch`.
    pub fn touch(&mut self, key: &(String, Value), w: &WriteArgs, now: u32) -> Res<()> {
        let current = self
            .live(key, now)
            .cloned()
            .ok_or(ResultCode::KeyNotFoundError)?;
        check_generation(w.gen_mode, w.generation, current.generation)?;
        let record = ModelRecord {
            generation: next_generation(current.generation),
            void_time: self.void_time(w.expiration, Some(current.void_time), now),
            stored_key: w.send_key || current.stored_key,
            bins: current.bins,
        };
        self.records.insert(key.clone(), record);
        Ok(())
    }

    /// `Db::sweep_expired`: drops the records expired at `now`; returns how many.
    pub fn sweep(&mut self, now: u32) -> usize {
        let expired: Vec<_> = self
            .records
            .iter()
            .filter(|(_, r)| !r.is_live(now))
            .map(|(k, _)| k.clone())
            .collect();
        for k in &expired {
            self.records.remove(k);
            self.swept.insert(k.clone());
        }
        expired.len()
    }

    /// `Db::operate`: the bins read (last read of each bin wins), generation
    /// and expiration after the call; `user_key` is left `None`.
    pub fn operate(
        &mut self,
        key: &(String, Value),
        ops: &[MOp],
        w: &WriteArgs,
        now: u32,
    ) -> Res<ReadView> {
        if ops.is_empty() {
            return Err(ResultCode::ParameterError);
        }
        let current = self.live(key, now).cloned();
        let writes = ops.iter().any(MOp::is_write);
        if !writes && current.is_none() {
            return Err(ResultCode::KeyNotFoundError);
        }
        if writes {
            match (w.action, &current) {
                (RecordExistsAction::CreateOnly, Some(_)) => {
                    return Err(ResultCode::KeyExistsError)
                }
                (RecordExistsAction::UpdateOnly | RecordExistsAction::ReplaceOnly, None) => {
                    return Err(ResultCode::KeyNotFoundError)
                }
                _ => {}
            }
            check_generation(
                w.gen_mode,
                w.generation,
                current.as_ref().map_or(0, |c| c.generation),
            )?;
        }
        // The record-exists action only matters to a write: a read-only
        // operate reads the record as it is.
        let replace = writes
            && matches!(
                w.action,
                RecordExistsAction::Replace | RecordExistsAction::ReplaceOnly
            );
        let mut bins = match (&current, replace) {
            (Some(c), false) => c.bins.clone(),
            _ => BTreeMap::new(),
        };
        let mut results = BTreeMap::new();
        for op in ops {
            match op {
                MOp::Add(b, n) => {
                    let v = match bins.get(*b) {
                        None => Value::Int(*n),
                        Some(Value::Int(x)) => Value::Int(x.wrapping_add(*n)),
                        Some(_) => return Err(ResultCode::BinTypeError),
                    };
                    bins.insert(b.to_string(), v);
                }
                MOp::PutBin(b, v) => {
                    if v.is_nil() {
                        bins.remove(*b);
                    } else {
                        bins.insert(b.to_string(), v.clone());
                    }
                }
                MOp::GetBin(b) => {
                    if let Some(v) = bins.get(*b) {
                        results.insert(b.to_string(), v.clone());
                    }
                }
                MOp::Get => {
                    results.extend(bins.iter().map(|(n, v)| (n.clone(), v.clone())));
                }
                MOp::Touch => {}
                MOp::Delete => bins.clear(),
                MOp::ListAppend(b, n) => {
                    let size = match bins.get_mut(*b) {
                        None => {
                            bins.insert(b.to_string(), Value::List(vec![Value::Int(*n)]));
                            1
                        }
                        Some(Value::List(l)) => {
                            l.push(Value::Int(*n));
                            l.len()
                        }
                        Some(_) => return Err(ResultCode::BinTypeError),
                    };
                    results.insert(b.to_string(), Value::Int(size as i64));
                }
            }
        }
        let view = |generation, expiration| ReadView {
            bins: results.clone(),
            generation,
            expiration,
            user_key: None,
        };
        if !writes {
            let c = current.as_ref().expect("checked above");
            return Ok(view(c.generation, c.void_time));
        }
        if bins.is_empty() {
            // The ops removed every bin: the operate deletes the record.
            return match current {
                Some(_) => {
                    self.records.remove(key);
                    self.swept.remove(key);
                    Ok(view(0, 0))
                }
                None => Err(ResultCode::KeyNotFoundError),
            };
        }
        let record = ModelRecord {
            bins,
            generation: next_generation(current.as_ref().map_or(0, |c| c.generation)),
            void_time: self.void_time(w.expiration, current.as_ref().map(|c| c.void_time), now),
            stored_key: w.send_key || current.as_ref().is_some_and(|c| c.stored_key),
        };
        let out = view(record.generation, record.void_time);
        self.swept.remove(key);
        self.records.insert(key.clone(), record);
        Ok(out)
    }

    /// `BatchOperation::read_ops`: `ParameterError` if an op writes, else a
    /// read-only [`Model::operate`].
    pub fn read_ops(&mut self, key: &(String, Value), ops: &[MOp], now: u32) -> Res<ReadView> {
        if ops.iter().any(MOp::is_write) {
            return Err(ResultCode::ParameterError);
        }
        let w = WriteArgs {
            action: RecordExistsAction::Update,
            gen_mode: GenerationPolicy::None,
            generation: 0,
            expiration: Expiration::NamespaceDefault,
            send_key: false,
        };
        self.operate(key, ops, &w, now)
    }

    /// The live records of `set` (or of every set) at `now`.
    pub fn scan(&self, set: Option<&str>, now: u32) -> BTreeMap<(String, Value), ReadView> {
        self.records
            .keys()
            .filter(|k| set.is_none_or(|s| k.0 == s))
            .filter_map(|k| self.get(k, &BinsSel::All, now).ok().map(|v| (k.clone(), v)))
            .collect()
    }

    /// `Db::truncate(ns, set, None)`: removes every record of `set` (or of
    /// every set). Returns the bounds of what the engine may count: the live
    /// records, and every record it may still have indexed (expired and
    /// swept ones included).
    pub fn truncate(&mut self, set: Option<&str>, now: u32) -> (usize, usize) {
        let in_set = |k: &(String, Value)| set.is_none_or(|s| k.0 == s);
        let live = self
            .records
            .iter()
            .filter(|(k, r)| in_set(k) && r.is_live(now))
            .count();
        let before = self.records.len() + self.swept.len();
        self.records.retain(|k, _| !in_set(k));
        self.swept.retain(|k| !in_set(k));
        (live, before - self.records.len() - self.swept.len())
    }

    /// Number of live records at `now`.
    pub fn live_count(&self, now: u32) -> usize {
        self.records.values().filter(|r| r.is_live(now)).count()
    }
}
