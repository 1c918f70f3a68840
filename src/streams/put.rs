//! Writing records: validation, routing, sequence numbers and the lease,
//! throughput limits, and per-entry results.

use super::hashkey;
use super::names::shard_id;
use super::seqno;
use super::shard::Slot;
use super::stream::{entry_digest, Stream};
use super::types::{PutRecordsResultEntry, MAX_RECORD_SIZE_LIMIT};
use crate::error::{Error, Result};
use crate::policy::Durability;
use crate::storage::entry::{EntryKind, NewEntry};
use crate::storage::log::Location;

/// Most entries in one `put_records` call.
pub(crate) const MAX_PUT_RECORDS: usize = 500;
/// Most bytes (data plus partition keys) in one `put_records` call.
pub(crate) const MAX_PUT_RECORDS_BYTES: u64 = MAX_RECORD_SIZE_LIMIT as u64;
/// Longest partition key, in characters.
pub(crate) const MAX_PARTITION_KEY_CHARS: usize = 256;

/// A validated record on its way into the log.
pub(crate) struct Pending<'a> {
    pub data: &'a [u8],
    pub partition_key: &'a str,
    pub hash: u128,
}

/// Checks a partition key's length (1..=256 characters).
pub(crate) fn check_partition_key(key: &str) -> Result<()> {
    let chars = key.chars().count();
    if (1..=MAX_PARTITION_KEY_CHARS).contains(&chars) {
        return Ok(());
    }
    Err(Error::InvalidArgument(format!(
        "1 validation error detected: Value '{key}' at 'partitionKey' failed to satisfy \
         constraint: Member must have length {}",
        if chars == 0 {
            "greater than or equal to 1".to_string()
        } else {
            format!("less than or equal to {MAX_PARTITION_KEY_CHARS}")
        }
    )))
}

impl Stream {
    /// The stream's largest record (data plus partition key) in bytes.
    pub(crate) fn max_record_size(&self) -> u64 {
        u64::from(self.state.read().meta.max_record_size)
    }

    /// Validates one record against `max` (from [`Stream::max_record_size`],
    /// read once per call) and computes its hash key.
    pub(crate) fn validate<'a>(
        &self,
        max: u64,
        data: &'a [u8],
        partition_key: &'a str,
        explicit_hash_key: Option<&str>,
    ) -> Result<Pending<'a>> {
        check_partition_key(partition_key)?;
        let size = data.len() as u64 + partition_key.len() as u64;
        if size > max {
            return Err(Error::InvalidArgument(format!(
                "1 validation error detected: Value at 'data' failed to satisfy constraint: \
                 Member must have length less than or equal to {max} (the record's data and \
                 partition key take {size} bytes; StreamConfig::max_record_size_kib raises the \
                 limit up to 10 MiB)"
            )));
        }
        let hash = match explicit_hash_key {
            Some(k) => hashkey::parse("explicitHashKey", k)?,
            None => hashkey::of_partition_key(partition_key),
        };
        Ok(Pending {
            data,
            partition_key,
            hash,
        })
    }

    /// Checks a `sequence_number_for_ordering`: a number this stream has
    /// handed out (or could have: at most the newest).
    pub(crate) fn check_ordering_number(&self, s: &str) -> Result<()> {
        let n = seqno::decode("sequenceNumberForOrdering", s, self.seq_tag())?;
        let known = self.state.read().meta.shard(n.shard).is_some();
        if !known || n.log_seq >= self.log.next_seq() {
            return Err(Error::InvalidArgument(format!(
                "ExclusiveMinimumSequenceNumber {s} used in PutRecord on stream {} under account \
                 {} is invalid.",
                self.name(),
                self.config.account
            )));
        }
        // Every number handed out from now on is greater: log sequence
        // numbers only grow, and they are the numbers' high bits.
        Ok(())
    }

    /// Appends validated records in order; one result per record: where it
    /// went, or the error that kept it out (nothing of it was written).
    /// Under `Durability::Sync` returns after one flush for all of them.
    pub(crate) fn append(
        &self,
        records: &[Pending<'_>],
        durability: Option<Durability>,
    ) -> Result<Vec<Result<(String, String), Error>>> {
        self.log.check_poison()?;
        let mut results = Vec::with_capacity(records.len());
        let mut last: Option<Location> = None;
        {
            let mut w = self.write.lock();
            if w.deleted {
                return Err(Error::ResourceNotFound(format!(
                    "Stream {} under account {} not found.",
                    self.name(),
                    self.config.account
                )));
            }
            let now = self.now_ms().max(w.last_arrival_ms);
            w.last_arrival_ms = now;
            self.ensure_lease(records.len() as u64)?;
            let st = self.state.read();
            let meta = &st.meta;
            let tag = meta.seq_tag();
            let mut arrivals = self.segment_arrivals.lock();
            // The id of the shard of the previous record: consecutive
            // records often share a shard, and the id is made only once.
            let mut last_id: Option<(u32, String)> = None;
            for r in records {
                let Some(shard) = meta.route(r.hash) else {
                    // Unreachable: the open shards always cover the space.
                    results.push(Err(Error::Corruption {
                        message: format!("no open shard holds hash key {}", r.hash),
                    }));
                    continue;
                };
                let Some(index) = st.shards.get(&shard) else {
                    results.push(Err(Error::Corruption {
                        message: format!("shard {shard} has no index"),
                    }));
                    continue;
                };
                if meta.enforce_limits {
                    let bytes = r.data.len() as u64 + r.partition_key.len() as u64;
                    let admitted = index.throttle.lock().admit_write(
                        now,
                        bytes,
                        meta.write_records_per_sec,
                        meta.write_bytes_per_sec,
                    );
                    if !admitted {
                        results.push(Err(Error::ProvisionedThroughputExceeded {
                            message: format!(
                                "Rate exceeded for shard {} in stream {} under account {}.",
                                shard_id(shard),
                                meta.name,
                                self.config.account
                            ),
                        }));
                        continue;
                    }
                }
                let e = NewEntry {
                    kind: EntryKind::Stream,
                    generation: 0,
                    last_update: now,
                    void_time: 0,
                    digest: entry_digest(shard, r.hash),
                    flags: 0,
                    set: b"",
                    key: r.partition_key.as_bytes(),
                    payload: r.data,
                };
                match self.log.append_any_size(&e, now.saturating_mul(1_000_000)) {
                    Ok((loc, seq)) => {
                        index.push(Slot {
                            seq,
                            arrival_ms: now,
                            loc,
                        });
                        // One arrival time per call: a segment's newest is
                        // set once, when the call first writes to it.
                        if last.map(|l| l.seg) != Some(loc.seg) {
                            let a = arrivals.entry(loc.seg).or_insert(0);
                            *a = (*a).max(now);
                        }
                        last = Some(loc);
                        let id = match &last_id {
                            Some((s, id)) if *s == shard => id.clone(),
                            _ => last_id.insert((shard, shard_id(shard))).1.clone(),
                        };
                        results.push(Ok((id, seqno::encode(tag, seq, shard))));
                    }
                    Err(e) => results.push(Err(e)),
                }
            }
        }
        let durability = durability.unwrap_or(self.config.durability);
        if let (Durability::Sync, Some(loc)) = (durability, last) {
            self.log.wait_durable(loc)?;
        }
        Ok(results)
    }

    /// Makes sure `n` more log sequence numbers are below the durable lease,
    /// extending it (one metadata write per `LEASE_CHUNK` records) if not.
    /// The caller holds the write lock.
    fn ensure_lease(&self, n: u64) -> Result<()> {
        let need = self.log.next_seq().saturating_add(n);
        let mut meta = {
            let st = self.state.read();
            if need < st.meta.seq_lease {
                return Ok(());
            }
            st.meta.clone()
        };
        meta.seq_lease = need.saturating_add(super::stream::LEASE_CHUNK);
        self.commit_meta(meta)
    }
}

/// The `put_records` result entry of one outcome.
pub(crate) fn result_entry(r: Result<(String, String), Error>) -> PutRecordsResultEntry {
    match r {
        Ok((shard, seq)) => PutRecordsResultEntry {
            shard_id: Some(shard),
            sequence_number: Some(seq),
            error_code: None,
            error_message: None,
        },
        Err(e) => {
            let code = match e {
                Error::ProvisionedThroughputExceeded { .. } => {
                    "ProvisionedThroughputExceededException"
                }
                _ => "InternalFailure",
            };
            let message = match e {
                Error::ProvisionedThroughputExceeded { message } => message,
                other => format!("Internal service failure: {other}"),
            };
            PutRecordsResultEntry {
                shard_id: None,
                sequence_number: None,
                error_code: Some(code.to_string()),
                error_message: Some(message),
            }
        }
    }
}
