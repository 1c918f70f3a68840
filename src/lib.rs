//! # aerolite
//!
//! An embedded key-value storage engine with Aerospike's data model and write
//! semantics, on local disk.
//!
//! Records are addressed by `(namespace, set, user key)`, hashed to a 20-byte
//! RIPEMD-160 [`Digest`] exactly as Aerospike does, and hold named [`Bin`]s of
//! [`Value`]s. Writes follow Aerospike's rules: bins merge, a nil bin deletes
//! a bin, generation compare-and-set, record-exists actions, per-record TTL.
//! Each namespace lives in memory-mapped, append-only, CRC-framed segment
//! files with an in-memory digest index; restart rebuilds the index and cuts
//! off a torn tail.
//!
//! ```
//! use aerolite::{as_bin, as_key, Bins, Db, Error, GenerationPolicy, ReadPolicy, Value, WritePolicy};
//! # let dir = tempfile::tempdir()?;
//! let db = Db::open(dir.path())?;
//! let key = as_key!("test", "counters", "visits");
//! db.put(&WritePolicy::default(), &key, &[as_bin!("n", 1)])?;
//!
//! // Compare-and-set on the generation.
//! let rec = db.get(&ReadPolicy::default(), &key, Bins::All)?;
//! let cas = WritePolicy {
//!     generation_policy: GenerationPolicy::ExpectGenEqual,
//!     generation: rec.generation,
//!     ..WritePolicy::default()
//! };
//! db.put(&cas, &key, &[as_bin!("n", 2)])?;
//! assert!(matches!(db.put(&cas, &key, &[as_bin!("n", 3)]), Err(Error::GenerationMismatch { .. })));
//! assert_eq!(db.get(&ReadPolicy::default(), &key, Bins::All)?.bins["n"], Value::Int(2));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! See `docs/architecture.md`, `docs/format.md` and `docs/semantics.md` in the
//! repository for the design, the byte layout and the exact semantics.

#![deny(missing_docs)]
#![deny(unsafe_code)]
#![deny(unsafe_op_in_unsafe_fn)]
#![warn(missing_debug_implementations)]
#![deny(clippy::undocumented_unsafe_blocks)]
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

mod backup;
mod batch;
mod bin;
mod clock;
mod codec;
mod counter;
mod db;
mod error;
#[cfg(feature = "fuzzing")]
#[doc(hidden)]
pub mod fuzzing;
mod index;
mod key;
mod maintenance;
mod namespace;
pub mod operations;
mod options;
mod policy;
mod record;
mod ripemd160;
mod shortname;
mod storage;
mod streams;
mod value;

pub use backup::{BackupStats, RestoreExisting, RestoreOptions, RestoreStats};
pub use batch::{
    BatchDeletePolicy, BatchOperation, BatchPolicy, BatchReadPolicy, BatchRecord, BatchWritePolicy,
    MAX_BATCH_ENTRIES,
};
pub use bin::{Bin, Bins};
pub use clock::{Clock, ManualClock, SystemClock};
pub use db::{Db, VerifyReport};
pub use error::{Error, Result, ResultCode};
pub use key::{Digest, Key};
pub use namespace::{CompactStats, NamespaceStats};
pub use operations::{MapWriteMode, Operation};
pub use options::{NamespaceConfig, Options};
pub use policy::{
    Durability, Expiration, GenerationPolicy, ReadPolicy, RecordExistsAction, WritePolicy,
};
pub use record::Record;
pub use storage::RecoveryReport;
#[cfg(feature = "fault-injection")]
#[doc(hidden)]
pub use storage::{FaultInjector, FileOp, PowerLossSim};
pub use streams::{
    ChildShard, EncryptionType, GetRecordsOutput, HashKeyRange, PutRecord, PutRecordOutput,
    PutRecordsEntry, PutRecordsOutput, PutRecordsResultEntry, SequenceNumberRange, Shard,
    ShardIteratorType, StreamConfig, StreamDescription, StreamRecord, StreamStats, StreamStatus,
    DEFAULT_MAX_RECORD_SIZE, DEFAULT_RETENTION_HOURS, MAX_RECORD_SIZE_LIMIT, MAX_RETENTION_HOURS,
};
pub use value::Value;

/// The README's examples, run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
