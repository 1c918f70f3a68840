//! Runs the steps against the real `Db` and the model side by side and
//! compares every result: errors by kind, records by sequence number,
//! arrival time, data and partition key, iterators by what they return next,
//! shards by id, parents, hash range and open or closed.

use crate::model::*;
use crate::ops::*;
use aerolite::{
    Db, Durability, ManualClock, Options, PowerLossSim, PutRecord, PutRecordsEntry, Shard,
    ShardIteratorType,
};
use std::sync::Arc;
use std::time::{Duration, UNIX_EPOCH};

/// Unix milliseconds where every run's clock starts.
pub const START_MS: u64 = 1_700_000_000_000;
/// Iterators kept for `Op::Read`.
const MAX_ITERS: usize = 24;

pub struct Harness {
    pub dir: tempfile::TempDir,
    pub options: Options,
    pub clock: Arc<ManualClock>,
    pub db: Option<Db>,
    pub model: Model,
    pub iters: Vec<MIter>,
    /// The simulated disk under the database, for `Op::PowerLoss`.
    pub sim: Arc<PowerLossSim>,
    step: usize,
}

pub type Check = Result<(), String>;

/// Compares an engine result with the model's prediction: `Ok(Some(v))`
/// when both succeeded, `Ok(None)` when both failed alike.
pub fn agree<T: std::fmt::Debug, W: std::fmt::Debug>(
    what: &str,
    got: aerolite::Result<T>,
    want: &Result<W, Code>,
) -> Result<Option<T>, String> {
    match (got, want) {
        (Ok(v), Ok(_)) => Ok(Some(v)),
        (Err(e), Err(c)) if code_of(&e) == Some(*c) => Ok(None),
        (got, want) => Err(format!("{what}: engine {got:?}, model {want:?}")),
    }
}

/// The shard a step's index names among `n`: index 11 names none (the
/// next id), the others one of them.
fn pick_shard(i: usize, n: usize) -> u32 {
    match i {
        11 => n as u32,
        _ => (i % n.max(1)) as u32,
    }
}

pub fn range_of(s: &Shard) -> (u128, u128) {
    let h = &s.hash_key_range;
    let p = |x: &str| x.parse::<u128>().unwrap();
    (p(&h.starting_hash_key), p(&h.ending_hash_key))
}

impl Harness {
    pub fn new() -> Harness {
        let dir = tempfile::tempdir().expect("tempdir");
        let clock = Arc::new(ManualClock::new(
            UNIX_EPOCH + Duration::from_millis(START_MS),
        ));
        let sim = PowerLossSim::new(dir.path(), 0).expect("power-loss simulator");
        let options = Options::default()
            .segment_size(16 * 1024)
            .clock(clock.clone())
            .background_maintenance(false)
            .power_loss_sim(Arc::clone(&sim));
        let db = Db::open_with(dir.path(), options.clone()).expect("open");
        Harness {
            dir,
            options,
            clock,
            db: Some(db),
            model: Model::default(),
            iters: Vec::new(),
            sim,
            step: 0,
        }
    }

    pub fn db(&self) -> &Db {
        self.db.as_ref().expect("open")
    }

    pub fn now(&self) -> u64 {
        let t = aerolite::Clock::now(&*self.clock);
        t.duration_since(UNIX_EPOCH).unwrap().as_millis() as u64
    }

    /// Data of entry `i` of the current step, `len` bytes.
    fn data(&self, i: usize, len: usize) -> Vec<u8> {
        let mut d = format!("{}.{i}:", self.step).into_bytes();
        d.truncate(len);
        while d.len() < len {
            d.push(b'a' + (d.len() % 26) as u8);
        }
        d
    }

    fn explicit_key(&self, name: &str, e: &Ehk) -> Option<String> {
        let open = |shard: usize, end: bool| {
            let st = self.model.streams.get(name)?;
            let open = st.open_sorted();
            let s = open[shard % open.len()];
            Some(if end { s.end } else { s.start })
        };
        match e {
            Ehk::None => None,
            Ehk::Random(k) => Some(k.to_string()),
            Ehk::Edge { shard, end } => Some(open(*shard, *end).unwrap_or(0).to_string()),
            Ehk::Max => Some(u128::MAX.to_string()),
            Ehk::TooBig => Some("340282366920938463463374607431768211456".into()),
            Ehk::Malformed => Some("0042".into()),
        }
    }

    /// The shard a valid record goes to, or why it is refused.
    fn route(&self, name: &str, pk: &str, ehk: &Option<String>, len: usize) -> Result<u32, Code> {
        let st = self.model.stream(name)?;
        if pk.is_empty() || pk.chars().count() > 256 || len + pk.len() > 1 << 20 {
            return Err(Code::Invalid);
        }
        let hash = match ehk {
            None => hash_of(pk),
            Some(k) if k.len() > 1 && k.starts_with('0') => return Err(Code::Invalid),
            Some(k) => k.parse::<u128>().map_err(|_| Code::Invalid)?,
        };
        Ok(st.route(hash))
    }

    /// Records an acknowledged write in the model.
    fn append(
        &mut self,
        name: &str,
        shard_id_got: &str,
        want: u32,
        seq: String,
        pk: String,
        data: Vec<u8>,
    ) -> Check {
        if shard_id_got != shard_id(want) {
            return Err(format!(
                "{pk:?} went to {shard_id_got}, model {}",
                shard_id(want)
            ));
        }
        let now = self.now();
        let ord = self.model.next_ord;
        self.model.next_ord += 1;
        let st = self.model.stream_mut(name).unwrap();
        if let Some(last) = &st.last_seq {
            if !seq_lt(last, &seq) {
                return Err(format!("sequence number {seq} after {last}"));
            }
        }
        st.last_seq = Some(seq.clone());
        st.last_arrival = st.last_arrival.max(now);
        st.written += 1;
        let rec = MRec {
            ord,
            seq,
            arrival_ms: st.last_arrival,
            pk,
            data,
        };
        st.shards[want as usize].recs.push(rec);
        Ok(())
    }

    fn checkpoint(&mut self, name: &str, consumer: &str, shard: usize, rec: usize) -> Check {
        let Ok(st) = self.model.stream(name) else {
            return Ok(());
        };
        let recs = st.all_recs();
        if recs.is_empty() {
            return Ok(());
        }
        let (rs, r) = recs[rec % recs.len()];
        // Mostly the record's own shard.
        let idx = match shard {
            0..6 => rs,
            _ => pick_shard(shard, st.shards.len()),
        };
        let seq = r.seq.clone();
        let want = if consumer.contains(' ') {
            Err(Code::Invalid)
        } else if idx as usize >= st.shards.len() {
            Err(Code::NotFound)
        } else if rs != idx {
            Err(Code::Invalid)
        } else {
            Ok(())
        };
        let got = self.db().checkpoint(name, consumer, &shard_id(idx), &seq);
        if agree("checkpoint", got, &want)?.is_some() {
            let st = self.model.stream_mut(name).unwrap();
            st.checkpoints.insert((consumer.to_string(), idx), seq);
        }
        Ok(())
    }

    pub fn get_checkpoint(&self, name: &str, consumer: &str, idx: u32) -> Check {
        let want = if consumer.contains(' ') {
            Err(Code::Invalid)
        } else {
            self.model
                .stream(name)
                .and_then(|st| match idx < st.shards.len() as u32 {
                    true => Ok(st.checkpoints.get(&(consumer.to_string(), idx)).cloned()),
                    false => Err(Code::NotFound),
                })
        };
        let got = self.db().get_checkpoint(name, consumer, &shard_id(idx));
        if let Some(got) = agree("get_checkpoint", got, &want)? {
            if Ok(&got) != want.as_ref() {
                return Err(format!(
                    "get_checkpoint({name}, {consumer}, {idx}): {got:?}, model {want:?}"
                ));
            }
        }
        Ok(())
    }

    fn remember(&mut self, it: MIter) {
        if self.iters.len() >= MAX_ITERS {
            self.iters.remove(0);
        }
        self.iters.push(it);
    }

    pub fn run(&mut self, op: &Op) -> Check {
        self.step += 1;
        match op {
            Op::Create { s, shards } => {
                let name = STREAMS[*s];
                let want = match self.model.streams.contains_key(name) {
                    true => Err(Code::InUse),
                    false => Ok(()),
                };
                let got = self.db().create_stream(name, *shards);
                if agree("create_stream", got, &want)?.is_some() {
                    self.model.incarnations += 1;
                    let st = MStream::new(self.model.incarnations, *shards);
                    self.model.streams.insert(name.to_string(), st);
                }
            }
            Op::Delete { s } => {
                let name = STREAMS[*s];
                let want = self.model.stream(name).map(|_| ());
                if agree("delete_stream", self.db().delete_stream(name), &want)?.is_some() {
                    self.model.streams.remove(name);
                }
            }
            Op::Put {
                s,
                pk,
                ehk,
                len,
                arn,
                sync,
                ordering,
            } => self.put(*s, *pk, ehk, *len, *arn, *sync, *ordering)?,
            Op::PutRecords { s, entries } => self.put_records(*s, entries)?,
            Op::Iter {
                s,
                shard,
                lenient,
                kind,
            } => self.iter(*s, *shard, *lenient, kind)?,
            Op::Read { it, limit } => {
                if !self.iters.is_empty() {
                    let it = self.iters[it % self.iters.len()].clone();
                    if let Some(next) = self.read(&it, *limit)? {
                        self.remember(next);
                    }
                }
            }
            Op::ReadAll { s } => self.read_all(STREAMS[*s])?,
            Op::Split { s, shard, at } => {
                let name = STREAMS[*s];
                let Ok(st) = self.model.stream(name) else {
                    let got = self.db().split_shard(name, "0", "100");
                    return agree("split_shard", got, &Err::<(), _>(Code::NotFound)).map(|_| ());
                };
                let idx = pick_shard(*shard, st.shards.len());
                let (lo, hi) = st
                    .shards
                    .get(idx as usize)
                    .map_or((0, u128::MAX), |s| (s.start, s.end));
                let key = match at {
                    SplitAt::Mid => lo + (hi - lo) / 2,
                    SplitAt::StartPlus(k) => lo + u128::from(*k),
                    SplitAt::End => hi,
                    SplitAt::Random(k) => *k,
                };
                let mut next = st.clone();
                let want = next.split(idx, key);
                let got = self
                    .db()
                    .split_shard(name, &shard_id(idx), &key.to_string());
                if agree("split_shard", got, &want)?.is_some() {
                    self.model.streams.insert(name.to_string(), next);
                }
            }
            Op::Merge { s, shard, other } => {
                let name = STREAMS[*s];
                let Ok(st) = self.model.stream(name) else {
                    let got = self.db().merge_shards(name, "0", "1");
                    return agree("merge_shards", got, &Err::<(), _>(Code::NotFound)).map(|_| ());
                };
                let (a, b) = match other {
                    None => {
                        let open = st.open_sorted();
                        let i = shard % open.len();
                        (open[i].id, open[(i + 1) % open.len()].id)
                    }
                    Some(o) => {
                        let n = st.shards.len();
                        ((shard % n) as u32, (o % n) as u32)
                    }
                };
                let mut next = st.clone();
                let want = next.merge(a, b);
                let got = self.db().merge_shards(name, &shard_id(a), &shard_id(b));
                if agree("merge_shards", got, &want)?.is_some() {
                    self.model.streams.insert(name.to_string(), next);
                }
            }
            Op::Rescale { s, target } => self.rescale(STREAMS[*s], *target)?,
            Op::Retention { s, increase, hours } => {
                let name = STREAMS[*s];
                let now = self.now();
                let mut next = self.model.stream(name).cloned();
                let want = match &mut next {
                    Ok(st) => st.set_retention(*hours, *increase, now),
                    Err(c) => Err(*c),
                };
                let got = match increase {
                    true => self.db().increase_stream_retention_period(name, *hours),
                    false => self.db().decrease_stream_retention_period(name, *hours),
                };
                if agree("retention", got, &want)?.is_some() {
                    let st = next.unwrap();
                    let d = self.db().describe_stream(name).unwrap();
                    if d.retention_period_hours != st.retention_h {
                        return Err(format!(
                            "retention {} h, model {}",
                            d.retention_period_hours, st.retention_h
                        ));
                    }
                    self.model.streams.insert(name.to_string(), st);
                }
            }
            Op::Advance { ms } => self.clock.advance(Duration::from_millis(*ms)),
            Op::Enforce => {
                self.db()
                    .enforce_stream_retention()
                    .map_err(|e| format!("enforce: {e:?}"))?;
            }
            Op::Checkpoint {
                s,
                consumer,
                shard,
                rec,
            } => self.checkpoint(STREAMS[*s], CONSUMERS[*consumer], *shard, *rec)?,
            Op::GetCheckpoint { s, consumer, shard } => {
                let name = STREAMS[*s];
                let n = self.model.stream(name).map_or(1, |st| st.shards.len());
                self.get_checkpoint(name, CONSUMERS[*consumer], pick_shard(*shard, n))?;
            }
            Op::Reopen { close } => {
                let db = self.db.take().expect("open");
                if *close {
                    db.close().map_err(|e| format!("close: {e:?}"))?;
                    let next = self.model.next_ord;
                    for st in self.model.streams.values_mut() {
                        st.durable_before = next;
                    }
                } else {
                    drop(db);
                }
                let db = Db::open_with(self.dir.path(), self.options.clone())
                    .map_err(|e| format!("reopen: {e:?}"))?;
                self.db = Some(db);
                self.check_all()?;
            }
            Op::PowerLoss { seed } => self.power_loss(*seed)?,
        }
        self.check_shapes()
    }

    #[allow(clippy::too_many_arguments)]
    fn put(
        &mut self,
        s: usize,
        pk: usize,
        ehk: &Ehk,
        len: usize,
        arn: bool,
        sync: bool,
        ordering: Option<usize>,
    ) -> Check {
        let name = STREAMS[s];
        let pk = partition_key(pk);
        let ehk = self.explicit_key(name, ehk);
        let len = match len {
            MAX_DATA => (1 << 20) - pk.len(),
            l if l == MAX_DATA + 1 => (1 << 20) + 1 - pk.len(),
            l => l,
        };
        let data = self.data(0, len);
        let param = match arn {
            true => format!("arn:aws:kinesis:local:000000000000:stream/{name}"),
            false => name.to_string(),
        };
        let mut req = PutRecord::new(&param, data.clone(), &pk);
        if let Some(k) = &ehk {
            req = req.explicit_hash_key(k);
        }
        if sync {
            req = req.durability(Durability::Sync);
        }
        let mut want = self.route(name, &pk, &ehk, data.len());
        if let Some(i) = ordering {
            let recs = self
                .model
                .stream(name)
                .map(|st| st.all_recs())
                .unwrap_or_default();
            let seq = match recs.is_empty() {
                true => {
                    want = want.and(Err(Code::Invalid));
                    "12345".to_string()
                }
                false => recs[i % recs.len()].1.seq.clone(),
            };
            req = req.sequence_number_for_ordering(&seq);
        }
        if let Some(out) = agree("put_record", self.db().put_record(req), &want)? {
            self.append(
                name,
                &out.shard_id,
                want.unwrap(),
                out.sequence_number,
                pk,
                data,
            )?;
            if sync {
                let ord = self.model.next_ord - 1;
                self.model.stream_mut(name).unwrap().synced.insert(ord);
            }
        }
        Ok(())
    }

    fn put_records(&mut self, s: usize, entries: &[(usize, Ehk, usize)]) -> Check {
        let name = STREAMS[s];
        let mut reqs = Vec::new();
        let mut want: Result<Vec<u32>, Code> = self.model.stream(name).map(|_| Vec::new());
        let mut recs = Vec::new();
        for (i, (pk, ehk, len)) in entries.iter().enumerate() {
            let pk = partition_key(*pk);
            let ehk = self.explicit_key(name, ehk);
            let data = self.data(i, *len);
            let mut e = PutRecordsEntry::new(data.clone(), &pk);
            if let Some(k) = &ehk {
                e = e.explicit_hash_key(k);
            }
            reqs.push(e);
            let r = self.route(name, &pk, &ehk, data.len());
            want = match (want, r) {
                (Ok(mut v), Ok(shard)) => {
                    v.push(shard);
                    Ok(v)
                }
                (Err(c), _) | (Ok(_), Err(c)) => Err(c),
            };
            recs.push((pk, data));
        }
        let Some(out) = agree("put_records", self.db().put_records(name, &reqs), &want)? else {
            return Ok(());
        };
        let shards = want.unwrap();
        if out.failed_record_count != 0 || out.records.len() != shards.len() {
            return Err(format!("put_records: {out:?}"));
        }
        for ((r, shard), (pk, data)) in out.records.into_iter().zip(shards).zip(recs) {
            let (Some(id), Some(seq)) = (r.shard_id, r.sequence_number) else {
                return Err("put_records: an entry without a result".into());
            };
            self.append(name, &id, shard, seq, pk, data)?;
        }
        Ok(())
    }

    fn iter(&mut self, s: usize, shard: usize, lenient: bool, kind: &IterKind) -> Check {
        let name = STREAMS[s];
        let now = self.now();
        let (n, incarnation) = match self.model.stream(name) {
            Ok(st) => (st.shards.len(), st.incarnation),
            Err(_) => (0, 0),
        };
        let idx = pick_shard(shard, n);
        let id = if lenient {
            idx.to_string()
        } else {
            shard_id(idx)
        };
        let exists = self
            .model
            .stream(name)
            .map(|st| idx < st.shards.len() as u32);
        let mut want: Result<u64, Code> = match exists {
            Err(c) => Err(c),
            Ok(false) => Err(Code::NotFound),
            Ok(true) => Ok(0),
        };
        let at = |ms: u64| UNIX_EPOCH + Duration::from_millis(ms);
        let kind = match kind {
            IterKind::TrimHorizon => ShardIteratorType::TrimHorizon,
            IterKind::Latest => {
                want = want.map(|_| self.model.next_ord);
                ShardIteratorType::Latest
            }
            IterKind::AtSeq { rec, after } => {
                let recs = self
                    .model
                    .stream(name)
                    .map(|st| st.all_recs())
                    .unwrap_or_default();
                if recs.is_empty() {
                    return Ok(());
                }
                let (rs, r) = recs[rec % recs.len()];
                want = want.and_then(|_| match rs == idx {
                    true => Ok(r.ord + u64::from(*after)),
                    false => Err(Code::Invalid),
                });
                match after {
                    true => ShardIteratorType::AfterSequenceNumber(r.seq.clone()),
                    false => ShardIteratorType::AtSequenceNumber(r.seq.clone()),
                }
            }
            IterKind::AtTime { back_ms } => {
                let t = now.saturating_sub(*back_ms);
                want = want.map(|_| {
                    let st = &self.model.streams[name];
                    let first = st.shards[idx as usize]
                        .recs
                        .iter()
                        .find(|r| r.arrival_ms >= t);
                    first.map_or(self.model.next_ord, |r| r.ord)
                });
                ShardIteratorType::AtTimestamp(at(t))
            }
            IterKind::Future => {
                want = want.and(Err(Code::Invalid));
                ShardIteratorType::AtTimestamp(at(now + 1_000))
            }
        };
        let got = self.db().get_shard_iterator(name, &id, kind.clone());
        if let Some(token) = agree(&format!("get_shard_iterator({id}, {kind:?})"), got, &want)? {
            self.remember(MIter {
                token,
                stream: name.to_string(),
                incarnation,
                shard: idx,
                pos: want.unwrap(),
                issued_ms: now,
            });
        }
        Ok(())
    }
}
