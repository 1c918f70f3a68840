//! The public request and response types of the stream API. Names follow the
//! Rust `aws-sdk-kinesis` crate in snake_case.

use crate::policy::Durability;
use std::time::SystemTime;

/// Default largest record (data plus partition key): 1 MiB, as Kinesis.
pub const DEFAULT_MAX_RECORD_SIZE: u32 = 1 << 20;
/// Largest configurable record size: 10 MiB, the maximum the `PutRecord`
/// documentation states.
pub const MAX_RECORD_SIZE_LIMIT: u32 = 10 << 20;
/// Default retention period in hours.
pub const DEFAULT_RETENTION_HOURS: u32 = 24;
/// Longest retention period in hours (one year).
pub const MAX_RETENTION_HOURS: u32 = 8760;

/// How a new stream is configured; [`StreamConfig::new`] gives Kinesis's
/// defaults: 1 shard, 24 hours of retention, 1 MiB records, no throughput
/// limits.
///
/// # Examples
/// ```
/// use aerolite::{Db, StreamConfig};
/// # let dir = tempfile::tempdir()?;
/// let db = Db::open(dir.path())?;
/// db.create_stream_with(StreamConfig::new("orders").shard_count(4).retention_hours(48))?;
/// assert_eq!(db.describe_stream("orders")?.retention_period_hours, 48);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StreamConfig {
    pub(crate) name: String,
    pub(crate) shard_count: u32,
    pub(crate) retention_hours: u32,
    pub(crate) max_record_size: u32,
    pub(crate) enforce_throughput_limits: bool,
    pub(crate) write_records_per_sec: u32,
    pub(crate) write_bytes_per_sec: u32,
    pub(crate) read_calls_per_sec: u32,
    pub(crate) read_bytes_per_sec: u32,
}

impl StreamConfig {
    /// A stream named `name` with the defaults.
    pub fn new(name: &str) -> StreamConfig {
        StreamConfig {
            name: name.to_string(),
            shard_count: 1,
            retention_hours: DEFAULT_RETENTION_HOURS,
            max_record_size: DEFAULT_MAX_RECORD_SIZE,
            enforce_throughput_limits: false,
            write_records_per_sec: 1000,
            write_bytes_per_sec: 1 << 20,
            read_calls_per_sec: 5,
            read_bytes_per_sec: 2 << 20,
        }
    }

    /// Number of shards, at least 1 (default 1).
    pub fn shard_count(mut self, n: u32) -> StreamConfig {
        self.shard_count = n;
        self
    }

    /// Retention period in hours, 24..=8760 (default 24).
    pub fn retention_hours(mut self, hours: u32) -> StreamConfig {
        self.retention_hours = hours;
        self
    }

    /// Largest record (data plus partition key) in KiB, 1..=10240
    /// (default 1024).
    pub fn max_record_size_kib(mut self, kib: u32) -> StreamConfig {
        self.max_record_size = kib.saturating_mul(1024);
        self
    }

    /// Whether each shard refuses writes and reads beyond Kinesis's rates
    /// with `ProvisionedThroughputExceeded` (default `false`).
    pub fn enforce_throughput_limits(mut self, on: bool) -> StreamConfig {
        self.enforce_throughput_limits = on;
        self
    }

    /// Records per second a shard accepts when limits are enforced
    /// (default 1000).
    pub fn write_records_per_sec(mut self, n: u32) -> StreamConfig {
        self.write_records_per_sec = n;
        self
    }

    /// Bytes of data plus partition keys per second a shard accepts when
    /// limits are enforced (default 1 MiB).
    pub fn write_bytes_per_sec(mut self, n: u32) -> StreamConfig {
        self.write_bytes_per_sec = n;
        self
    }

    /// `get_records` calls per second a shard serves when limits are
    /// enforced (default 5).
    pub fn read_calls_per_sec(mut self, n: u32) -> StreamConfig {
        self.read_calls_per_sec = n;
        self
    }

    /// Bytes per second a shard returns when limits are enforced
    /// (default 2 MiB).
    pub fn read_bytes_per_sec(mut self, n: u32) -> StreamConfig {
        self.read_bytes_per_sec = n;
        self
    }
}

/// One `put_record` request.
///
/// # Examples
/// ```
/// use aerolite::{Db, PutRecord};
/// # let dir = tempfile::tempdir()?;
/// let db = Db::open(dir.path())?;
/// db.create_stream("events", 2)?;
/// let out = db.put_record(PutRecord::new("events", b"hello".to_vec(), "user-1"))?;
/// assert!(out.shard_id.starts_with("shardId-"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PutRecord {
    pub(crate) stream: String,
    pub(crate) data: Vec<u8>,
    pub(crate) partition_key: String,
    pub(crate) explicit_hash_key: Option<String>,
    pub(crate) sequence_number_for_ordering: Option<String>,
    pub(crate) durability: Option<Durability>,
}

impl PutRecord {
    /// A record for `stream` (a name or an ARN).
    pub fn new(stream: &str, data: impl Into<Vec<u8>>, partition_key: &str) -> PutRecord {
        PutRecord {
            stream: stream.to_string(),
            data: data.into(),
            partition_key: partition_key.to_string(),
            explicit_hash_key: None,
            sequence_number_for_ordering: None,
            durability: None,
        }
    }

    /// Routes by this decimal hash key instead of the partition key's MD5.
    pub fn explicit_hash_key(mut self, key: &str) -> PutRecord {
        self.explicit_hash_key = Some(key.to_string());
        self
    }

    /// The new record's sequence number will be greater than this one.
    pub fn sequence_number_for_ordering(mut self, seq: &str) -> PutRecord {
        self.sequence_number_for_ordering = Some(seq.to_string());
        self
    }

    /// Durability of this put (default: the database's, see
    /// [`Options::durability`](crate::Options::durability)).
    pub fn durability(mut self, d: Durability) -> PutRecord {
        self.durability = Some(d);
        self
    }
}

/// Whether stored records are encrypted; aerolite stores them unencrypted.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum EncryptionType {
    /// Not encrypted (always, in aerolite).
    None,
    /// Encrypted with a KMS key (never produced by aerolite).
    Kms,
}

/// The result of `put_record`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PutRecordOutput {
    /// The shard the record went to.
    pub shard_id: String,
    /// Its sequence number.
    pub sequence_number: String,
    /// Always [`EncryptionType::None`].
    pub encryption_type: EncryptionType,
}

/// One entry of a `put_records` request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PutRecordsEntry {
    pub(crate) data: Vec<u8>,
    pub(crate) partition_key: String,
    pub(crate) explicit_hash_key: Option<String>,
}

impl PutRecordsEntry {
    /// An entry with `data` and `partition_key`.
    pub fn new(data: impl Into<Vec<u8>>, partition_key: &str) -> PutRecordsEntry {
        PutRecordsEntry {
            data: data.into(),
            partition_key: partition_key.to_string(),
            explicit_hash_key: None,
        }
    }

    /// Routes by this decimal hash key instead of the partition key's MD5.
    pub fn explicit_hash_key(mut self, key: &str) -> PutRecordsEntry {
        self.explicit_hash_key = Some(key.to_string());
        self
    }
}

/// The result of `put_records`: one entry per request entry, in order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PutRecordsOutput {
    /// How many entries failed.
    pub failed_record_count: u32,
    /// The per-entry results.
    pub records: Vec<PutRecordsResultEntry>,
    /// Always [`EncryptionType::None`].
    pub encryption_type: EncryptionType,
}

/// The result of one `put_records` entry: a shard and sequence number, or an
/// error code and message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PutRecordsResultEntry {
    /// Where the entry went (on success).
    pub shard_id: Option<String>,
    /// Its sequence number (on success).
    pub sequence_number: Option<String>,
    /// `ProvisionedThroughputExceededException` or `InternalFailure`.
    pub error_code: Option<String>,
    /// What went wrong.
    pub error_message: Option<String>,
}

/// Where a shard iterator starts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ShardIteratorType {
    /// At the oldest record still retained.
    TrimHorizon,
    /// Just after the newest record: only records written later.
    Latest,
    /// At the record with this sequence number.
    AtSequenceNumber(String),
    /// Just after the record with this sequence number.
    AfterSequenceNumber(String),
    /// At the first record that arrived at or after this time.
    AtTimestamp(SystemTime),
}

/// The result of `get_records`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GetRecordsOutput {
    /// Records in sequence order.
    pub records: Vec<StreamRecord>,
    /// Where to continue; `None` once a closed shard has been read to its end.
    pub next_shard_iterator: Option<String>,
    /// How far the reader is behind the newest record of the shard (0 when
    /// caught up).
    pub millis_behind_latest: u64,
    /// The children of a closed shard read to its end.
    pub child_shards: Vec<ChildShard>,
}

/// One record of a stream.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StreamRecord {
    /// Its sequence number.
    pub sequence_number: String,
    /// When it was written (by the database clock, millisecond precision).
    pub approximate_arrival_timestamp: SystemTime,
    /// Its data.
    pub data: Vec<u8>,
    /// Its partition key.
    pub partition_key: String,
    /// Always [`EncryptionType::None`].
    pub encryption_type: EncryptionType,
}

/// A shard of a stream.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Shard {
    /// `shardId-` and a 12-digit index.
    pub shard_id: String,
    /// The shard it was split from, or the lower of the two it merged.
    pub parent_shard_id: Option<String>,
    /// The other shard of a merge.
    pub adjacent_parent_shard_id: Option<String>,
    /// The hash keys it covers.
    pub hash_key_range: HashKeyRange,
    /// Its sequence numbers; the end is set once the shard is closed.
    pub sequence_number_range: SequenceNumberRange,
}

/// An inclusive range of 128-bit hash keys, in decimal.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HashKeyRange {
    /// The first hash key.
    pub starting_hash_key: String,
    /// The last hash key.
    pub ending_hash_key: String,
}

/// The sequence numbers of a shard.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SequenceNumberRange {
    /// At or below its first record's number.
    pub starting_sequence_number: String,
    /// Set once the shard is closed: at or above its last record's number.
    pub ending_sequence_number: Option<String>,
}

/// A child of a closed shard.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChildShard {
    /// The child's id.
    pub shard_id: String,
    /// Its parents (one for a split, two for a merge).
    pub parent_shards: Vec<String>,
    /// The hash keys it covers.
    pub hash_key_range: HashKeyRange,
}

/// The status of a stream. aerolite's changes are immediate, so streams are
/// always `Active`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum StreamStatus {
    /// Being created.
    Creating,
    /// Ready for reads and writes.
    Active,
    /// Being resharded.
    Updating,
    /// Being deleted.
    Deleting,
}

/// What `describe_stream` returns.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StreamDescription {
    /// The stream's name.
    pub stream_name: String,
    /// `arn:aws:kinesis:<region>:<account>:stream/<name>`.
    pub stream_arn: String,
    /// Always `Active`.
    pub stream_status: StreamStatus,
    /// Every shard, open and closed, in id order.
    pub shards: Vec<Shard>,
    /// The retention period.
    pub retention_period_hours: u32,
    /// When the stream was created (database clock).
    pub stream_creation_timestamp: SystemTime,
    /// Always [`EncryptionType::None`].
    pub encryption_type: EncryptionType,
    /// Largest record (data plus partition key) in bytes.
    pub max_record_size_bytes: u32,
    /// Number of open shards.
    pub open_shard_count: u32,
    /// Whether throughput limits are enforced.
    pub enforce_throughput_limits: bool,
}

/// What `Db::stream_stats` reports of one stream.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StreamStats {
    /// Records retained (in every shard, open and closed).
    pub records: u64,
    /// Segment files.
    pub segments: u64,
    /// Bytes of those files.
    pub disk_bytes: u64,
    /// What the last open found damaged.
    pub recovery: crate::storage::RecoveryReport,
}
