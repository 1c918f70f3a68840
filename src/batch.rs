//! Batch operations, in the shape of the Aerospike Rust client 2.x:
//! [`BatchOperation`]s run by [`Db::batch`](crate::Db::batch), each atomic
//! for its own record, with a [`BatchRecord`] per entry.

use crate::bin::Bins;
use crate::key::Key;
use crate::operations::Operation;
use crate::policy::{Durability, Expiration, GenerationPolicy, RecordExistsAction, WritePolicy};
use crate::record::Record;
use crate::ResultCode;

/// Most entries in one batch.
pub const MAX_BATCH_ENTRIES: usize = 10_000;

/// Policy of a whole batch.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct BatchPolicy {
    /// Durability of the batch's writes; `None` uses the database's default.
    /// Under `Sync` the whole batch shares one flush, and no write of it is
    /// visible to readers before that flush.
    pub durability: Option<Durability>,
}

/// Policy of a batch read.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct BatchReadPolicy {}

/// Policy of a batch write.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct BatchWritePolicy {
    /// What to do when the record does or does not exist.
    pub record_exists_action: RecordExistsAction,
    /// Generation compare-and-set mode.
    pub generation_policy: GenerationPolicy,
    /// The generation compared.
    pub generation: u32,
    /// The record's new time to live.
    pub expiration: Expiration,
    /// Store the user key with the record.
    pub send_key: bool,
}

/// Policy of a batch delete.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct BatchDeletePolicy {
    /// Generation compare-and-set mode.
    pub generation_policy: GenerationPolicy,
    /// The generation compared.
    pub generation: u32,
}

/// One entry of a batch.
///
/// # Examples
/// ```
/// use aerolite::{as_key, operations, Bin, BatchOperation, BatchPolicy, BatchReadPolicy,
///                BatchWritePolicy, Bins, Db, Value};
/// # let dir = tempfile::tempdir()?;
/// let db = Db::open(dir.path())?;
/// let key = as_key!("test", "demo", 1);
/// let out = db.batch(&BatchPolicy::default(), &[
///     BatchOperation::write(&BatchWritePolicy::default(), key.clone(),
///                           vec![operations::put(&Bin::new("a", 1))]),
///     BatchOperation::read(&BatchReadPolicy::default(), key, Bins::All),
/// ])?;
/// assert_eq!(out[0].result_code, None);
/// assert_eq!(out[1].record.as_ref().unwrap().bins["a"], Value::Int(1));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug)]
pub struct BatchOperation {
    pub(crate) key: Key,
    pub(crate) kind: BatchKind,
}

#[derive(Clone, Debug)]
pub(crate) enum BatchKind {
    Read(Bins),
    ReadOps(Vec<Operation>),
    Write(WritePolicy, Vec<Operation>),
    Delete(WritePolicy),
}

impl BatchOperation {
    /// Reads the bins `bins` selects.
    pub fn read(policy: &BatchReadPolicy, key: Key, bins: impl Into<Bins>) -> BatchOperation {
        let _ = policy;
        BatchOperation {
            key,
            kind: BatchKind::Read(bins.into()),
        }
    }

    /// Runs read-only operations (a write among them fails the entry with
    /// `ParameterError`).
    pub fn read_ops(policy: &BatchReadPolicy, key: Key, ops: Vec<Operation>) -> BatchOperation {
        let _ = policy;
        BatchOperation {
            key,
            kind: BatchKind::ReadOps(ops),
        }
    }

    /// Runs operations like [`Db::operate`](crate::Db::operate).
    pub fn write(policy: &BatchWritePolicy, key: Key, ops: Vec<Operation>) -> BatchOperation {
        let wp = WritePolicy {
            record_exists_action: policy.record_exists_action,
            generation_policy: policy.generation_policy,
            generation: policy.generation,
            expiration: policy.expiration,
            send_key: policy.send_key,
            ..WritePolicy::default()
        };
        BatchOperation {
            key,
            kind: BatchKind::Write(wp, ops),
        }
    }

    /// Deletes the record like [`Db::delete`](crate::Db::delete).
    pub fn delete(policy: &BatchDeletePolicy, key: Key) -> BatchOperation {
        let wp = WritePolicy {
            generation_policy: policy.generation_policy,
            generation: policy.generation,
            ..WritePolicy::default()
        };
        BatchOperation {
            key,
            kind: BatchKind::Delete(wp),
        }
    }

    /// The entry's key.
    pub fn key(&self) -> &Key {
        &self.key
    }

    /// Whether the entry may change its record.
    pub(crate) fn writes(&self) -> bool {
        matches!(self.kind, BatchKind::Write(..) | BatchKind::Delete(_))
    }
}

/// The outcome of one batch entry.
#[derive(Clone, Debug, PartialEq)]
pub struct BatchRecord {
    /// The entry's key.
    pub key: Key,
    /// What a read or write returned (`None` for a delete and for failures).
    pub record: Option<Record>,
    /// `None` on success, else the entry's Aerospike code
    /// (`KeyNotFoundError` for a read or delete of a missing record,
    /// `GenerationError`, `KeyExistsError`, ...).
    pub result_code: Option<ResultCode>,
    /// Whether a failed write may nonetheless have been applied (its flush
    /// failed after it was written).
    pub in_doubt: bool,
}

impl BatchRecord {
    pub(crate) fn ok(key: &Key, record: Option<Record>) -> BatchRecord {
        BatchRecord {
            key: key.clone(),
            record,
            result_code: None,
            in_doubt: false,
        }
    }

    pub(crate) fn failed(key: &Key, code: ResultCode) -> BatchRecord {
        BatchRecord {
            key: key.clone(),
            record: None,
            result_code: Some(code),
            in_doubt: false,
        }
    }
}
