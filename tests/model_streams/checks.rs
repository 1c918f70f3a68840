//! The harness's reads and comparisons: `get_records` against the model,
//! whole-stream reads, rescaling (whose intermediate shards are the
//! engine's choice, checked and then adopted), power losses (what survived
//! is checked and then adopted), and the shapes of streams and shards after
//! every step.

use crate::harness::{agree, range_of, Check, Harness};
use crate::model::*;
use crate::ops::STREAMS;
use aerolite::{Db, PowerLossSim, ShardIteratorType};
use std::sync::Arc;
use std::time::UNIX_EPOCH;

impl Harness {
    /// One `get_records` call through `it`; returns the next iterator.
    pub fn read(&mut self, it: &MIter, limit: Option<u32>) -> Result<Option<MIter>, String> {
        let now = self.now();
        let want = self.model.read(it, limit, now);
        let what = format!(
            "get_records(shard {}, pos {}, limit {limit:?})",
            it.shard, it.pos
        );
        let Some(out) = agree(&what, self.db().get_records(&it.token, limit), &want)? else {
            return Ok(None);
        };
        let want = want.unwrap();
        let got: Vec<(String, u64, Vec<u8>, String)> = out
            .records
            .iter()
            .map(|r| {
                let t = r
                    .approximate_arrival_timestamp
                    .duration_since(UNIX_EPOCH)
                    .unwrap();
                (
                    r.sequence_number.clone(),
                    t.as_millis() as u64,
                    r.data.clone(),
                    r.partition_key.clone(),
                )
            })
            .collect();
        let expected: Vec<(String, u64, Vec<u8>, String)> = want
            .recs
            .iter()
            .map(|r| (r.seq.clone(), r.arrival_ms, r.data.clone(), r.pk.clone()))
            .collect();
        if got != expected {
            // Data shown by length and first bytes: records may be 1 MiB.
            let short = |v: &[(String, u64, Vec<u8>, String)]| -> Vec<String> {
                v.iter()
                    .map(|(seq, at, d, pk)| {
                        let head = String::from_utf8_lossy(&d[..d.len().min(12)]);
                        format!("{seq} @{at} {pk:?} {}B {head:?}", d.len())
                    })
                    .collect()
            };
            return Err(format!(
                "{what} at {now}: engine {:?}\nmodel {:?}",
                short(&got),
                short(&expected)
            ));
        }
        if out.millis_behind_latest != want.behind_ms {
            return Err(format!(
                "{what}: {} ms behind, model {}",
                out.millis_behind_latest, want.behind_ms
            ));
        }
        let children: Vec<(u32, Vec<u32>, u128, u128)> = out
            .child_shards
            .iter()
            .map(|c| {
                let id = |s: &str| s.trim_start_matches("shardId-").parse::<u32>().unwrap();
                let h = &c.hash_key_range;
                let parents = c.parent_shards.iter().map(|p| id(p)).collect();
                (
                    id(&c.shard_id),
                    parents,
                    h.starting_hash_key.parse().unwrap(),
                    h.ending_hash_key.parse().unwrap(),
                )
            })
            .collect();
        if children != want.children {
            return Err(format!(
                "{what}: children {children:?}, model {:?}",
                want.children
            ));
        }
        match (out.next_shard_iterator, want.next) {
            (None, None) => Ok(None),
            (Some(token), Some(pos)) => Ok(Some(MIter {
                token,
                pos,
                issued_ms: now,
                ..it.clone()
            })),
            (got, want) => Err(format!(
                "{what}: next iterator {got:?}, model position {want:?}"
            )),
        }
    }

    /// Reads every shard of a stream from `TRIM_HORIZON` to its end.
    pub fn read_all(&mut self, name: &str) -> Check {
        let Ok(st) = self.model.stream(name) else {
            let got = self
                .db()
                .get_shard_iterator(name, "0", ShardIteratorType::TrimHorizon);
            return agree("get_shard_iterator", got, &Err::<(), _>(Code::NotFound)).map(|_| ());
        };
        let (n, incarnation) = (st.shards.len() as u32, st.incarnation);
        for shard in 0..n {
            let token = self
                .db()
                .get_shard_iterator(name, &shard_id(shard), ShardIteratorType::TrimHorizon)
                .map_err(|e| format!("get_shard_iterator: {e:?}"))?;
            let issued_ms = self.now();
            let mut it = MIter {
                token,
                stream: name.to_string(),
                incarnation,
                shard,
                pos: 0,
                issued_ms,
            };
            for _ in 0..10_000 {
                let before = it.pos;
                match self.read(&it, Some(7))? {
                    Some(next) if next.pos != before => it = next,
                    _ => break,
                }
            }
        }
        Ok(())
    }

    pub fn rescale(&mut self, name: &str, target: u32) -> Check {
        let Ok(st) = self.model.stream(name) else {
            let got = self.db().update_shard_count(name, target.max(1));
            return agree("update_shard_count", got, &Err::<(), _>(Code::NotFound)).map(|_| ());
        };
        let want = if st.rescale_ok(target) {
            Ok(())
        } else {
            Err(Code::Invalid)
        };
        let got = self.db().update_shard_count(name, target);
        if agree("update_shard_count", got, &want)?.is_none() {
            return Ok(());
        }
        let shards = self.db().list_shards(name).unwrap();
        let mut st = st.clone();
        let old = st.shards.len();
        let mut open: Vec<(u128, u128)> = Vec::new();
        for (i, s) in shards.iter().enumerate() {
            let is_open = s.sequence_number_range.ending_sequence_number.is_none();
            if is_open {
                open.push(range_of(s));
            }
            if i < old {
                if st.shards[i].open != is_open && is_open {
                    return Err(format!("update_shard_count reopened {}", s.shard_id));
                }
                st.shards[i].open = is_open;
                continue;
            }
            let id = |p: &Option<String>| {
                p.as_ref()
                    .map(|p| p.trim_start_matches("shardId-").parse::<u32>().unwrap())
            };
            let (start, end) = range_of(s);
            let parent = id(&s.parent_shard_id);
            if s.shard_id != shard_id(i as u32) || parent.is_none_or(|p| p as usize >= i) {
                return Err(format!("update_shard_count made {s:?}"));
            }
            st.shards.push(MShard {
                id: i as u32,
                parent,
                adjacent: id(&s.adjacent_parent_shard_id),
                start,
                end,
                open: is_open,
                recs: Vec::new(),
            });
        }
        open.sort();
        let uniform: Vec<(u128, u128)> = (0..target).map(|i| uniform_range(i, target)).collect();
        if open != uniform {
            return Err(format!("update_shard_count({target}) left open {open:?}"));
        }
        self.model.streams.insert(name.to_string(), st);
        Ok(())
    }

    /// Streams, shards and record counts agree with the model.
    pub fn check_shapes(&self) -> Check {
        let names: Vec<String> = self.model.streams.keys().cloned().collect();
        if self.db().list_streams().unwrap() != names {
            return Err(format!(
                "list_streams {:?}, model {names:?}",
                self.db().list_streams()
            ));
        }
        let now = self.now();
        for (name, st) in &self.model.streams {
            let shards = self.db().list_shards(name).unwrap();
            if shards.len() != st.shards.len() {
                return Err(format!(
                    "{name}: {} shards, model {}",
                    shards.len(),
                    st.shards.len()
                ));
            }
            for (s, m) in shards.iter().zip(&st.shards) {
                let id = |i: Option<u32>| i.map(shard_id);
                let seqs = &s.sequence_number_range;
                let same = s.shard_id == shard_id(m.id)
                    && s.parent_shard_id == id(m.parent)
                    && s.adjacent_parent_shard_id == id(m.adjacent)
                    && range_of(s) == (m.start, m.end)
                    && seqs.ending_sequence_number.is_none() == m.open
                    && m.recs
                        .first()
                        .is_none_or(|r| !seq_lt(&r.seq, &seqs.starting_sequence_number))
                    && m.recs.last().is_none_or(|r| {
                        seqs.ending_sequence_number
                            .as_ref()
                            .is_none_or(|e| !seq_lt(e, &r.seq))
                    });
                if !same {
                    return Err(format!("{name}: shard {s:?}, model {m:?}"));
                }
            }
            let stats = self.db().stream_stats(name).unwrap();
            let visible = st.visible_count(now);
            if stats.records < visible || stats.records > st.written {
                return Err(format!(
                    "{name}: stream_stats counts {} records; {visible} visible, {} written",
                    stats.records, st.written
                ));
            }
        }
        Ok(())
    }

    /// `Op::PowerLoss`: cuts the power, opens the crash image and checks
    /// every stream: its shards, retention and checkpoints are there
    /// (metadata is durable when its call returns); every retained record
    /// read back is one the model holds, in its shard, exactly; every
    /// durable one is among them. The model then forgets the records lost,
    /// but not their sequence numbers: later puts must number above them.
    pub fn power_loss(&mut self, seed: u64) -> Check {
        self.sim.reseed(seed);
        self.sim.cut_power();
        drop(self.db.take());
        self.sim.materialize().expect("materialize the crash image");
        self.sim = PowerLossSim::new(self.dir.path(), seed).expect("power-loss simulator");
        self.options = self.options.clone().power_loss_sim(Arc::clone(&self.sim));
        let db = Db::open_with(self.dir.path(), self.options.clone())
            .map_err(|e| format!("open after a power loss: {e:?}"))?;
        self.db = Some(db);
        let now = self.now();
        let names: Vec<String> = self.model.streams.keys().cloned().collect();
        for name in names {
            let st = &self.model.streams[&name];
            let cutoff = st.cutoff(now);
            let mut lost = Vec::new();
            for shard in 0..st.shards.len() as u32 {
                let mut found = Vec::new();
                let mut it = self
                    .db()
                    .get_shard_iterator(&name, &shard_id(shard), ShardIteratorType::TrimHorizon)
                    .map_err(|e| format!("{name} after a power loss: {e:?}"))?;
                loop {
                    let out = self
                        .db()
                        .get_records(&it, None)
                        .map_err(|e| format!("{e:?}"))?;
                    let empty = out.records.is_empty();
                    found.extend(out.records);
                    match out.next_shard_iterator {
                        Some(next) if !empty => it = next,
                        _ => break,
                    }
                }
                let mut found = found.into_iter().peekable();
                for r in st.shards[shard as usize]
                    .recs
                    .iter()
                    .filter(|r| r.arrival_ms >= cutoff)
                {
                    let same = found.peek().is_some_and(|f| {
                        let at = f.approximate_arrival_timestamp.duration_since(UNIX_EPOCH);
                        f.sequence_number == r.seq
                            && f.data == r.data
                            && f.partition_key == r.pk
                            && at.is_ok_and(|t| t.as_millis() as u64 == r.arrival_ms)
                    });
                    if same {
                        found.next();
                    } else if st.is_durable(r) {
                        return Err(format!("{name}: durable record {r:?} lost in a power loss"));
                    } else {
                        lost.push((shard, r.ord));
                    }
                }
                if let Some(f) = found.next() {
                    return Err(format!(
                        "{name} {}: after a power loss, {} ({} bytes) is no record of the model's",
                        shard_id(shard),
                        f.sequence_number,
                        f.data.len()
                    ));
                }
            }
            let st = self.model.streams.get_mut(&name).unwrap();
            for (shard, ord) in lost {
                st.shards[shard as usize].recs.retain(|r| r.ord != ord);
            }
        }
        // Checkpoints survive with their streams.
        self.check_all()
    }

    /// Shapes, and every stream read whole.
    pub fn check_all(&mut self) -> Check {
        self.check_shapes()?;
        for name in STREAMS {
            self.read_all(name)?;
            let keys: Vec<(String, u32)> = self
                .model
                .stream(name)
                .map(|st| st.checkpoints.keys().cloned().collect())
                .unwrap_or_default();
            for (consumer, shard) in keys {
                self.get_checkpoint(name, &consumer, shard)?;
            }
        }
        Ok(())
    }
}
