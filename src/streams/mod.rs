//! Streams: partitioned, append-only logs with Amazon Kinesis semantics, on
//! the same storage layer as the record namespaces (segments, entry framing,
//! recovery, group commit) but with their own directory, metadata and
//! per-shard indexes; stream data never goes through the record index.
//!
//! Layout: `<db>/streams/<name>.stream/` holds the stream's metadata file
//! (`stream.meta`), its consumer checkpoints (`checkpoints.meta`) and its
//! segment and hint files. `docs/streams.md` describes the design.

mod api;
mod checkpoint;
mod hashkey;
mod iterator;
mod meta;
mod names;
mod put;
mod read;
mod reshard;
mod retention;
mod seqno;
mod shard;
mod stream;
mod throughput;
mod types;
mod verify;

pub(crate) use api::{Streams, StreamsConfig};
pub use types::{
    ChildShard, EncryptionType, GetRecordsOutput, HashKeyRange, PutRecord, PutRecordOutput,
    PutRecordsEntry, PutRecordsOutput, PutRecordsResultEntry, SequenceNumberRange, Shard,
    ShardIteratorType, StreamConfig, StreamDescription, StreamRecord, StreamStats, StreamStatus,
    DEFAULT_MAX_RECORD_SIZE, DEFAULT_RETENTION_HOURS, MAX_RECORD_SIZE_LIMIT, MAX_RETENTION_HOURS,
};
