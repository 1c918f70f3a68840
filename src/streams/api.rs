//! The registry of a database's streams and the calls of the stream API
//! (`Db`'s stream methods delegate here).

use super::iterator::ShardIterator;
use super::meta::StreamMeta;
use super::names::{self, parse_shard_id, shard_id};
use super::put::{result_entry, MAX_PUT_RECORDS, MAX_PUT_RECORDS_BYTES};
use super::stream::{unix_ms, Stream};
use super::types::*;
use crate::clock::Clock;
use crate::error::{Error, Result};
use crate::policy::Durability;
use crate::storage::io::Io;
use crate::storage::nsdir;
use parking_lot::{Mutex, RwLock};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// What every stream of a database shares from `Options`.
#[derive(Debug)]
pub(crate) struct StreamsConfig {
    pub segment_size: u64,
    pub verify_on_open: bool,
    pub durability: Durability,
    pub region: String,
    pub account: String,
    /// Most open shards over all streams.
    pub shard_limit: u32,
}

/// Suffix of a stream's directory name.
const DIR_SUFFIX: &str = ".stream";

/// The streams of a database.
pub(crate) struct Streams {
    root: PathBuf,
    io: Io,
    clock: Arc<dyn Clock>,
    config: Arc<StreamsConfig>,
    map: RwLock<HashMap<String, Arc<Stream>>>,
    /// Serialises creating, deleting and resharding, so the shard limit
    /// holds.
    admin: Mutex<()>,
}

impl std::fmt::Debug for Streams {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Streams")
            .field("root", &self.root)
            .field("streams", &self.list())
            .finish_non_exhaustive()
    }
}

impl Streams {
    /// Opens every stream under `root`, removing directories left by a
    /// creation or deletion that was cut short.
    pub(crate) fn open(
        root: &Path,
        io: &Io,
        clock: Arc<dyn Clock>,
        config: StreamsConfig,
    ) -> Result<Streams> {
        io.create_dir_all(root)?;
        let config = Arc::new(config);
        let mut map = HashMap::new();
        for item in std::fs::read_dir(root)? {
            let item = item?;
            let file_name = item.file_name();
            let name = file_name.to_str().and_then(|n| n.strip_suffix(DIR_SUFFIX));
            let Some(name) = name.filter(|n| names::validate_name("streamName", n).is_ok()) else {
                log::warn!("ignoring {:?}: not a stream directory", item.path());
                continue;
            };
            if !item.file_type()?.is_dir() {
                continue;
            }
            if !item.path().join(super::meta::FILE).exists() {
                log::info!(
                    "removing {:?}: a stream creation or deletion was cut short",
                    item.path()
                );
                nsdir::remove_dir(io, &item.path())?;
                continue;
            }
            let s = Stream::open(&item.path(), Arc::clone(&config), io, Arc::clone(&clock))?;
            map.insert(name.to_string(), Arc::new(s));
        }
        Ok(Streams {
            root: root.to_path_buf(),
            io: io.clone(),
            clock,
            config,
            map: RwLock::new(map),
            admin: Mutex::new(()),
        })
    }

    fn not_found(&self, name: &str) -> Error {
        Error::ResourceNotFound(format!(
            "Stream {name} under account {} not found.",
            self.config.account
        ))
    }

    /// The stream a name or ARN names.
    pub(crate) fn get(&self, stream: &str) -> Result<Arc<Stream>> {
        let name = names::resolve(stream)?;
        self.map
            .read()
            .get(name)
            .cloned()
            .ok_or_else(|| self.not_found(name))
    }

    /// Every open stream.
    pub(crate) fn all(&self) -> Vec<Arc<Stream>> {
        self.map.read().values().cloned().collect()
    }

    fn open_shard_total(&self) -> u64 {
        self.all()
            .iter()
            .map(|s| s.state.read().meta.open_shards().count() as u64)
            .sum()
    }

    /// Fails with `LimitExceeded` if `more` open shards would pass the limit.
    /// The caller holds `admin`.
    fn check_shard_limit(&self, more: u64) -> Result<()> {
        let current = self.open_shard_total();
        let limit = u64::from(self.config.shard_limit);
        if current + more > limit {
            return Err(Error::LimitExceeded(format!(
                "This request would exceed the shard limit for the account {} in {}. Current \
                 shard count for the account: {current}. Limit: {limit}. Number of additional \
                 shards that would have resulted from this request: {more}. Raise the limit \
                 with Options::stream_shard_limit.",
                self.config.account, self.config.region
            )));
        }
        Ok(())
    }

    pub(crate) fn create(&self, config: StreamConfig) -> Result<()> {
        names::validate_name("streamName", &config.name)?;
        if config.shard_count == 0 {
            return Err(Error::InvalidArgument(
                "1 validation error detected: Value '0' at 'shardCount' failed to satisfy \
                 constraint: Member must have value greater than or equal to 1"
                    .into(),
            ));
        }
        super::retention::check_hours(config.retention_hours)?;
        if !(1..=MAX_RECORD_SIZE_LIMIT).contains(&config.max_record_size) {
            return Err(Error::InvalidArgument(format!(
                "max_record_size_kib must be 1 to {} KiB, not {}",
                MAX_RECORD_SIZE_LIMIT / 1024,
                config.max_record_size / 1024
            )));
        }
        let _admin = self.admin.lock();
        if self.map.read().contains_key(&config.name) {
            return Err(Error::ResourceInUse(format!(
                "Stream {} under account {} already exists.",
                config.name, self.config.account
            )));
        }
        self.check_shard_limit(u64::from(config.shard_count))?;
        let dir = self.root.join(format!("{}{DIR_SUFFIX}", config.name));
        if dir.exists() {
            // Left by a deletion that was cut short.
            nsdir::remove_dir(&self.io, &dir)?;
        }
        let real_now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default();
        let incarnation = u64::try_from(real_now.as_nanos()).unwrap_or(u64::MAX);
        let meta = StreamMeta::new(&config, incarnation, unix_ms(self.clock.now()));
        let created = Stream::create(
            &dir,
            meta,
            Arc::clone(&self.config),
            &self.io,
            Arc::clone(&self.clock),
        );
        let s = match created {
            Ok(s) => s,
            Err(e) => {
                if let Err(e2) = nsdir::remove_dir(&self.io, &dir) {
                    log::warn!("could not remove {dir:?} after a failed creation: {e2}");
                }
                return Err(e);
            }
        };
        self.map.write().insert(config.name.clone(), Arc::new(s));
        Ok(())
    }

    pub(crate) fn delete(&self, stream: &str) -> Result<()> {
        let _admin = self.admin.lock();
        let s = self.get(stream)?;
        let name = s.name();
        {
            // No put is half-way while the files go.
            let mut w = s.write.lock();
            w.deleted = true;
            self.map.write().remove(&name);
        }
        // Without its metadata the directory is no stream: removing that
        // file first makes the deletion durable at once.
        self.io.remove(&s.dir.join(super::meta::FILE))?;
        self.io.sync_dir(&s.dir)?;
        nsdir::remove_dir(&self.io, &s.dir)
    }

    pub(crate) fn list(&self) -> Vec<String> {
        let mut v: Vec<String> = self.map.read().keys().cloned().collect();
        v.sort();
        v
    }

    pub(crate) fn describe(&self, stream: &str) -> Result<StreamDescription> {
        let s = self.get(stream)?;
        let st = s.state.read();
        let m = &st.meta;
        Ok(StreamDescription {
            stream_name: m.name.clone(),
            stream_arn: names::arn(&self.config.region, &self.config.account, &m.name),
            stream_status: StreamStatus::Active,
            shards: m
                .shards
                .iter()
                .map(|s| public_shard(m.seq_tag(), s))
                .collect(),
            retention_period_hours: m.retention_hours,
            stream_creation_timestamp: UNIX_EPOCH + Duration::from_millis(m.created_ms),
            encryption_type: EncryptionType::None,
            max_record_size_bytes: m.max_record_size,
            open_shard_count: m.open_shards().count() as u32,
            enforce_throughput_limits: m.enforce_limits,
        })
    }

    pub(crate) fn list_shards(&self, stream: &str) -> Result<Vec<Shard>> {
        Ok(self.describe(stream)?.shards)
    }

    pub(crate) fn put_record(&self, request: PutRecord) -> Result<PutRecordOutput> {
        let s = self.get(&request.stream)?;
        let pending = s.validate(
            s.max_record_size(),
            &request.data,
            &request.partition_key,
            request.explicit_hash_key.as_deref(),
        )?;
        if let Some(n) = &request.sequence_number_for_ordering {
            s.check_ordering_number(n)?;
        }
        let mut results = s.append(std::slice::from_ref(&pending), request.durability)?;
        let (shard_id, sequence_number) = results.pop().ok_or_else(|| Error::Corruption {
            message: "internal error: an append returned no result".into(),
        })??;
        Ok(PutRecordOutput {
            shard_id,
            sequence_number,
            encryption_type: EncryptionType::None,
        })
    }

    pub(crate) fn put_records(
        &self,
        stream: &str,
        entries: &[PutRecordsEntry],
    ) -> Result<PutRecordsOutput> {
        if entries.is_empty() || entries.len() > MAX_PUT_RECORDS {
            return Err(Error::InvalidArgument(format!(
                "1 validation error detected: Value at 'records' failed to satisfy constraint: \
                 Member must have length between 1 and {MAX_PUT_RECORDS} (got {})",
                entries.len()
            )));
        }
        let s = self.get(stream)?;
        let total: u64 = entries
            .iter()
            .map(|e| e.data.len() as u64 + e.partition_key.len() as u64)
            .sum();
        if total > MAX_PUT_RECORDS_BYTES {
            return Err(Error::InvalidArgument(format!(
                "Records size exceeds {} MB limit: the request holds {total} bytes of data and \
                 partition keys",
                MAX_PUT_RECORDS_BYTES >> 20
            )));
        }
        let max = s.max_record_size();
        let pending = entries
            .iter()
            .map(|e| {
                s.validate(
                    max,
                    &e.data,
                    &e.partition_key,
                    e.explicit_hash_key.as_deref(),
                )
            })
            .collect::<Result<Vec<_>>>()?;
        let results = s.append(&pending, None)?;
        let records: Vec<PutRecordsResultEntry> = results.into_iter().map(result_entry).collect();
        Ok(PutRecordsOutput {
            failed_record_count: records.iter().filter(|r| r.error_code.is_some()).count() as u32,
            records,
            encryption_type: EncryptionType::None,
        })
    }

    /// The shard index a shard id names, or `ResourceNotFound`.
    fn shard_index(&self, s: &Stream, id: &str) -> Result<u32> {
        parse_shard_id(id).ok_or_else(|| s.shard_not_found(id, &s.name()))
    }

    pub(crate) fn get_shard_iterator(
        &self,
        stream: &str,
        shard: &str,
        kind: ShardIteratorType,
    ) -> Result<String> {
        let s = self.get(stream)?;
        let index = self.shard_index(&s, shard)?;
        s.shard_iterator(index, shard, &kind)
    }

    pub(crate) fn get_records(
        &self,
        iterator: &str,
        limit: Option<u32>,
    ) -> Result<GetRecordsOutput> {
        let it = ShardIterator::decode(iterator)?;
        let s = self
            .map
            .read()
            .get(&it.stream)
            .cloned()
            .ok_or_else(|| self.not_found(&it.stream))?;
        if s.state.read().meta.incarnation != it.incarnation {
            // The stream was deleted and created again under this name.
            return Err(self.not_found(&it.stream));
        }
        s.get_records(&it, limit)
    }

    pub(crate) fn set_retention(&self, stream: &str, hours: u32, increase: bool) -> Result<()> {
        self.get(stream)?.set_retention(hours, increase)
    }

    pub(crate) fn split_shard(&self, stream: &str, shard: &str, at: &str) -> Result<()> {
        let _admin = self.admin.lock();
        let s = self.get(stream)?;
        let index = self.shard_index(&s, shard)?;
        self.check_shard_limit(1)?;
        s.split_shard(index, shard, at)
    }

    pub(crate) fn merge_shards(&self, stream: &str, shard: &str, adjacent: &str) -> Result<()> {
        let _admin = self.admin.lock();
        let s = self.get(stream)?;
        let a = self.shard_index(&s, shard)?;
        let b = self.shard_index(&s, adjacent)?;
        s.merge_shards(a, shard, b, adjacent)
    }

    pub(crate) fn update_shard_count(&self, stream: &str, target: u32) -> Result<()> {
        let _admin = self.admin.lock();
        let s = self.get(stream)?;
        let open = s.state.read().meta.open_shards().count() as u64;
        self.check_shard_limit(u64::from(target).saturating_sub(open))?;
        s.update_shard_count(target)
    }

    pub(crate) fn checkpoint(
        &self,
        stream: &str,
        consumer: &str,
        shard: &str,
        seq: &str,
    ) -> Result<()> {
        names::validate_name("consumerName", consumer)?;
        let s = self.get(stream)?;
        let index = self.shard_index(&s, shard)?;
        s.shard_meta(index, shard)?;
        let n = super::seqno::decode("sequenceNumber", seq, s.seq_tag())?;
        if n.shard != index || n.log_seq > s.log.next_seq() {
            return Err(Error::InvalidArgument(format!(
                "Sequence number {seq} is not a sequence number of shard {} in stream {}",
                shard_id(index),
                s.name()
            )));
        }
        s.log.check_poison()?;
        s.checkpoints
            .set(&self.io, &s.dir, consumer, index, n.log_seq)
    }

    pub(crate) fn get_checkpoint(
        &self,
        stream: &str,
        consumer: &str,
        shard: &str,
    ) -> Result<Option<String>> {
        names::validate_name("consumerName", consumer)?;
        let s = self.get(stream)?;
        let index = self.shard_index(&s, shard)?;
        s.shard_meta(index, shard)?;
        let tag = s.seq_tag();
        Ok(s.checkpoints
            .get(consumer, index)
            .map(|q| super::seqno::encode(tag, q, index)))
    }

    /// Enforces every stream's retention; returns the segment files deleted.
    pub(crate) fn enforce_retention(&self) -> Result<u64> {
        // Not while a stream is being deleted: its files are going.
        let _admin = self.admin.lock();
        let mut n = 0;
        for s in self.all() {
            n += s.enforce_retention()?;
        }
        Ok(n)
    }

    /// Persists every stream's highest retention cutoff (clean close).
    pub(crate) fn persist_cutoffs(&self) -> Result<()> {
        for s in self.all() {
            s.persist_cutoff()?;
        }
        Ok(())
    }

    /// Syncs every stream (for `Db::sync`).
    pub(crate) fn sync(&self) -> Result<()> {
        for s in self.all() {
            s.log.sync()?;
        }
        Ok(())
    }

    /// Checks every stream segment file's length against its mapping (one
    /// `fstat` each): a file truncated by another process poisons its
    /// stream, and reads of it skip its records instead of faulting.
    pub(crate) fn verify_files(&self) {
        for s in self.all() {
            s.log.verify_sizes();
        }
    }

    /// Writes missing hint files (maintenance).
    pub(crate) fn write_missing_hints(&self) {
        // Not while a stream is being deleted: a hint must not appear in a
        // directory that is being removed.
        let _admin = self.admin.lock();
        for s in self.all() {
            if let Err(e) = s.log.write_missing_hints() {
                log::warn!("stream {}: writing hint files failed: {e}", s.name());
            }
        }
    }

    pub(crate) fn stats(&self, stream: &str) -> Result<StreamStats> {
        let s = self.get(stream)?;
        let st = s.state.read();
        Ok(StreamStats {
            records: st.shards.values().map(|i| i.len() as u64).sum(),
            segments: s.log.segment_count(),
            disk_bytes: s.log.disk_bytes(),
            recovery: s.recovery,
        })
    }
}

fn public_shard(tag: u32, s: &super::meta::ShardMeta) -> Shard {
    let start = super::seqno::encode(tag, s.start_seq, s.index);
    let end = s
        .end_seq
        .map(|e| super::seqno::encode(tag, e.saturating_sub(1).max(s.start_seq), s.index));
    Shard {
        shard_id: shard_id(s.index),
        parent_shard_id: s.parent.map(shard_id),
        adjacent_parent_shard_id: s.adjacent_parent.map(shard_id),
        hash_key_range: HashKeyRange {
            starting_hash_key: s.start_hash.to_string(),
            ending_hash_key: s.end_hash.to_string(),
        },
        sequence_number_range: SequenceNumberRange {
            starting_sequence_number: start,
            ending_sequence_number: end,
        },
    }
}
