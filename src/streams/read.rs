//! Reading: shard iterators and `get_records`.

use super::iterator::ShardIterator;
use super::meta::ShardMeta;
use super::names::shard_id;
use super::seqno;
use super::shard::ShardIndex;
use super::stream::{unix_ms, Stream};
use super::types::{
    ChildShard, EncryptionType, GetRecordsOutput, HashKeyRange, ShardIteratorType, StreamRecord,
};
use crate::error::{Error, Result};
use crate::storage::entry::EntryKind;
use crate::storage::segment::Segment;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, UNIX_EPOCH};

/// How long an iterator stays valid.
pub(crate) const ITERATOR_TTL_MS: u64 = 5 * 60 * 1000;
/// Most records one `get_records` call returns.
pub(crate) const MAX_GET_RECORDS: u32 = 10_000;
/// Most bytes of data one `get_records` call returns.
pub(crate) const MAX_GET_BYTES: u64 = 10 << 20;

impl Stream {
    /// Oldest arrival time still retained at `now_ms`.
    pub(crate) fn retention_cutoff(&self, now_ms: u64) -> u64 {
        let cutoff = {
            let st = self.state.read();
            let hours = u64::from(st.meta.retention_hours);
            now_ms
                .saturating_sub(hours * 3_600_000)
                .max(st.meta.trim_before_ms)
        };
        // Never below a cutoff already applied: a clock set back must not
        // make expired records readable again.
        let floor = self.cutoff_floor.fetch_max(cutoff, Ordering::AcqRel);
        cutoff.max(floor)
    }

    /// Issues an iterator for shard `index` (named `id` by the caller).
    pub(crate) fn shard_iterator(
        &self,
        index: u32,
        id: &str,
        kind: &ShardIteratorType,
    ) -> Result<String> {
        let (_, shard) = self.shard(index, id)?;
        let now = self.now_ms();
        // With the write lock held, every record the log has numbered is in
        // its shard's index: `Latest` and `AtTimestamp` cannot skip one that
        // is being appended right now.
        let _writers = self.write.lock();
        let position = match kind {
            ShardIteratorType::TrimHorizon => 0,
            ShardIteratorType::Latest => self.log.next_seq(),
            ShardIteratorType::AtSequenceNumber(s) => {
                self.position_of(index, s, "StartingSequenceNumber")?
            }
            ShardIteratorType::AfterSequenceNumber(s) => {
                self.position_of(index, s, "StartingSequenceNumber")? + 1
            }
            ShardIteratorType::AtTimestamp(t) => {
                let ms = unix_ms(*t);
                if ms > now {
                    return Err(Error::InvalidArgument(format!(
                        "The timestampInMillis parameter cannot be greater than the \
                         currentTimestampInMillis. timestampInMillis: {ms}, \
                         currentTimestampInMillis: {now}"
                    )));
                }
                shard
                    .first_at_or_after(ms)
                    .unwrap_or_else(|| self.log.next_seq())
            }
        };
        let st = self.state.read();
        Ok(ShardIterator {
            stream: st.meta.name.clone(),
            incarnation: st.meta.incarnation,
            shard: index,
            position,
            issued_ms: now,
        }
        .encode())
    }

    /// The log position a sequence number names for shard `index`.
    fn position_of(&self, index: u32, s: &str, what: &str) -> Result<u64> {
        let n = seqno::decode(what, s, self.seq_tag())?;
        // A shard's starting number may equal the next one to be handed out.
        if n.shard != index || n.log_seq > self.log.next_seq() {
            return Err(Error::InvalidArgument(format!(
                "Invalid StartingSequenceNumber. It encodes {}, while it was used in a call to a \
                 shard with {}",
                if n.shard != index {
                    shard_id(n.shard)
                } else {
                    "a number this stream has not handed out".to_string()
                },
                shard_id(index)
            )));
        }
        Ok(n.log_seq)
    }

    /// Shard `index` (named `id` by the caller): its metadata and its index.
    fn shard(&self, index: u32, id: &str) -> Result<(ShardMeta, Arc<ShardIndex>)> {
        let st = self.state.read();
        match (st.meta.shard(index), st.shards.get(&index)) {
            (Some(meta), Some(shard)) => Ok((meta.clone(), Arc::clone(shard))),
            _ => Err(self.shard_not_found(id, &st.meta.name)),
        }
    }

    /// `get_records` for a decoded iterator of this stream.
    pub(crate) fn get_records(
        &self,
        it: &ShardIterator,
        limit: Option<u32>,
    ) -> Result<GetRecordsOutput> {
        let limit = limit.unwrap_or(MAX_GET_RECORDS);
        if !(1..=MAX_GET_RECORDS).contains(&limit) {
            return Err(Error::InvalidArgument(format!(
                "1 validation error detected: Value '{limit}' at 'limit' failed to satisfy \
                 constraint: Member must have value between 1 and {MAX_GET_RECORDS}"
            )));
        }
        let now = self.now_ms();
        if now > it.issued_ms.saturating_add(ITERATOR_TTL_MS) {
            return Err(Error::ExpiredIterator);
        }
        let id = shard_id(it.shard);
        let (meta, shard) = self.shard(it.shard, &id)?;
        let (enforce, calls, read_bytes) = {
            let st = self.state.read();
            (
                st.meta.enforce_limits,
                st.meta.read_calls_per_sec,
                st.meta.read_bytes_per_sec,
            )
        };
        if enforce && !shard.throttle.lock().admit_read(now, calls, read_bytes) {
            return Err(Error::ProvisionedThroughputExceeded {
                message: format!(
                    "Rate exceeded for shard {id} in stream {} under account {}.",
                    it.stream, self.config.account
                ),
            });
        }
        let cutoff = self.retention_cutoff(now);
        let tag = self.seq_tag();
        let mut slots = Vec::with_capacity((limit as usize).min(1024));
        let (mut after, newest) = shard.window(it.position, cutoff, limit as usize, &mut slots);
        let mut records = Vec::with_capacity(slots.len());
        let mut bytes = 0u64;
        let mut next = it.position;
        let mut segment: Option<Arc<Segment>> = None;
        for slot in &slots {
            let seg = match &segment {
                Some(s) if s.id() == slot.loc.seg => s,
                _ => match self.log.segment(slot.loc.seg) {
                    Some(s) => segment.insert(s),
                    // Dropped by retention since the window was taken.
                    None => {
                        next = slot.seq + 1;
                        continue;
                    }
                },
            };
            let e = match seg.read(slot.loc.off) {
                Ok(e) if e.meta.kind == EntryKind::Stream && e.meta.seq == slot.seq => e,
                Ok(_) | Err(_) => {
                    log::error!(
                        "stream {}: the record at offset {} of {} is damaged; skipping it",
                        it.stream,
                        slot.loc.off,
                        seg.path().display()
                    );
                    next = slot.seq + 1;
                    continue;
                }
            };
            let size = e.payload.len() as u64;
            if bytes + size > MAX_GET_BYTES && !records.is_empty() {
                after = Some(*slot);
                break;
            }
            bytes += size;
            records.push(StreamRecord {
                sequence_number: seqno::encode(tag, slot.seq, it.shard),
                approximate_arrival_timestamp: UNIX_EPOCH + Duration::from_millis(slot.arrival_ms),
                data: e.payload.to_vec(),
                partition_key: String::from_utf8_lossy(e.key).into_owned(),
                encryption_type: EncryptionType::None,
            });
            next = slot.seq + 1;
        }
        if enforce {
            shard.throttle.lock().count_read(bytes);
        }
        let next = match after {
            Some(s) => s.seq,
            None => next.max(newest.map_or(0, |s| s.seq + 1)).max(it.position),
        };
        let millis_behind_latest = match after {
            Some(s) => now.saturating_sub(s.arrival_ms),
            None => 0,
        };
        let at_end = after.is_none() && meta.end_seq.is_some();
        let (next_shard_iterator, child_shards) = match at_end {
            true => (None, self.children_of(it.shard)),
            false => (
                Some(
                    ShardIterator {
                        position: next,
                        issued_ms: now,
                        ..it.clone()
                    }
                    .encode(),
                ),
                Vec::new(),
            ),
        };
        Ok(GetRecordsOutput {
            records,
            next_shard_iterator,
            millis_behind_latest,
            child_shards,
        })
    }

    /// The shards split or merged from shard `index`.
    fn children_of(&self, index: u32) -> Vec<ChildShard> {
        let st = self.state.read();
        st.meta
            .shards
            .iter()
            .filter(|s| s.parent == Some(index) || s.adjacent_parent == Some(index))
            .map(|s| ChildShard {
                shard_id: shard_id(s.index),
                parent_shards: s
                    .parent
                    .iter()
                    .chain(&s.adjacent_parent)
                    .map(|&p| shard_id(p))
                    .collect(),
                hash_key_range: HashKeyRange {
                    starting_hash_key: s.start_hash.to_string(),
                    ending_hash_key: s.end_hash.to_string(),
                },
            })
            .collect()
    }
}
