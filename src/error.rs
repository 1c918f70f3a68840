//! The one error type of the crate, and Aerospike's result codes.

use std::path::PathBuf;

/// Aerospike's result codes, with Aerospike's names and numbers.
///
/// Every [`Error`] maps to one of them through [`Error::result_code`], so code
/// that switches on Aerospike result codes ports unchanged.
#[repr(i32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ResultCode {
    /// 0: success.
    Ok = 0,
    /// 1: an internal or I/O failure.
    ServerError = 1,
    /// 2: the record does not exist.
    KeyNotFoundError = 2,
    /// 3: generation compare-and-set failed.
    GenerationError = 3,
    /// 4: a parameter was invalid.
    ParameterError = 4,
    /// 5: the record already exists (create-only write).
    KeyExistsError = 5,
    /// 8: the namespace is full (stop-writes).
    ServerMemError = 8,
    /// 9: the call timed out.
    Timeout = 9,
    /// 12: the bin holds a value of another type.
    BinTypeError = 12,
    /// 13: the record is too big.
    RecordTooBig = 13,
    /// 14: the record is busy.
    KeyBusy = 14,
    /// 16: the feature is not supported.
    UnsupportedFeature = 16,
    /// 18: the device is overloaded.
    DeviceOverload = 18,
    /// 19: the stored user key differs from the one sent.
    KeyMismatch = 19,
    /// 20: the namespace is invalid.
    InvalidNamespace = 20,
    /// 21: the bin name is too long (or has a NUL).
    BinNameTooLong = 21,
    /// 22: the operation is forbidden.
    FailForbidden = 22,
    /// 23: a list or map element does not exist.
    ElementNotFound = 23,
    /// 24: a list or map element already exists.
    ElementExists = 24,
    /// 26: the operation cannot be applied to the value it met (a list
    /// index out of range, a pop from an empty list).
    OpNotApplicable = 26,
    /// 83: a quota (throughput or count limit) was exceeded.
    QuotaExceeded = 83,
}

/// Everything that can go wrong in aerolite.
///
/// Each variant carries enough context to act on; [`Error::result_code`] gives
/// Aerospike's numeric code.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The record does not exist (or has expired).
    #[error("key not found: the record does not exist or has expired")]
    KeyNotFound,
    /// A create-only write found an existing record.
    #[error("key exists: the record already exists (RecordExistsAction::CreateOnly)")]
    KeyExists,
    /// A generation compare-and-set failed; the record was not changed.
    #[error("generation mismatch: the policy expected {expected} but the record has generation {actual}; re-read the record and retry")]
    GenerationMismatch {
        /// The generation given in the policy.
        expected: u32,
        /// The generation stored (0 for a record that does not exist).
        actual: u32,
    },
    /// An argument was invalid; the message says which and why.
    #[error("parameter error: {0}")]
    ParameterError(String),
    /// An operation met a bin of the wrong type.
    #[error("bin type mismatch on bin {bin:?}: {message}")]
    BinTypeMismatch {
        /// The bin the operation targeted.
        bin: String,
        /// What was expected and found.
        message: String,
    },
    /// A write sent a user key that differs from the one stored for the digest.
    #[error("key mismatch: the user key sent differs from the key stored with this record")]
    KeyMismatch,
    /// The encoded record exceeds the namespace's record size limit.
    #[error("record too big: {size} bytes encoded, the limit is {limit} bytes (NamespaceConfig::max_record_size and Options::segment_size bound it)")]
    RecordTooBig {
        /// The encoded size of the record.
        size: u64,
        /// The limit in force.
        limit: u64,
    },
    /// A bin name is longer than 15 bytes or contains a NUL byte.
    #[error("bin name {name:?} is invalid: bin names are at most 15 bytes, without NUL")]
    BinNameTooLong {
        /// The offending name.
        name: String,
    },
    /// A namespace name is invalid.
    #[error("invalid namespace: {0}")]
    InvalidNamespace(String),
    /// The namespace passed its stop-writes mark; reads and deletes still work.
    #[error("stop writes: namespace {namespace:?} is full ({used} of {capacity} bytes used); delete records or raise max_disk_bytes")]
    StopWrites {
        /// The namespace.
        namespace: String,
        /// Bytes in use.
        used: u64,
        /// The configured capacity (0 when the file system itself is full).
        capacity: u64,
    },
    /// The call could not complete within the policy's timeout.
    #[error("timeout: the record lock could not be taken within the policy's timeout")]
    Timeout,
    /// The database directory is already open, in this or another process.
    #[error("the database directory {path:?} is locked: it is already open in this or another process; close that Db first")]
    Locked {
        /// The lock file.
        path: PathBuf,
    },
    /// Stored bytes failed their checksum or could not be decoded.
    #[error("corruption: {message}")]
    Corruption {
        /// What was found damaged, and where.
        message: String,
    },
    /// A previous fsync failed; the database refuses writes until it is reopened.
    #[error("the database is poisoned by an earlier failed fsync ({message}); reopen it to recover what is durable")]
    Poisoned {
        /// The original failure.
        message: String,
    },
    /// An I/O error from the operating system.
    #[error("I/O error: {0}")]
    Io(#[from] std::io::Error),
    /// A stream or shard does not exist.
    #[error("{0}")]
    ResourceNotFound(String),
    /// A stream with that name already exists.
    #[error("{0}")]
    ResourceInUse(String),
    /// A stream argument is invalid.
    #[error("{0}")]
    InvalidArgument(String),
    /// A shard's throughput limit was exceeded.
    #[error("rate exceeded: {message}")]
    ProvisionedThroughputExceeded {
        /// Which limit, on which shard.
        message: String,
    },
    /// A shard iterator is older than five minutes.
    #[error("iterator expired: shard iterators are valid for 5 minutes; get a new one")]
    ExpiredIterator,
    /// A configured limit (such as the number of shards) was reached.
    #[error("limit exceeded: {0}")]
    LimitExceeded(String),
    /// A list index or map key does not exist.
    #[error("element not found: {0}")]
    ElementNotFound(String),
    /// A map key already exists (MapWriteMode::CreateOnly).
    #[error("element exists: {0}")]
    ElementExists(String),
    /// The operation cannot be applied: a list index out of range, a pop
    /// or remove on an empty list, an increment past the end (Aerospike's
    /// `OP_NOT_APPLICABLE`, code 26).
    #[error("operation not applicable: {0}")]
    OpNotApplicable(String),
}

impl Error {
    /// Aerospike's result code for this error.
    ///
    /// # Examples
    /// ```
    /// use aerolite::{Error, ResultCode};
    /// assert_eq!(Error::KeyNotFound.result_code(), ResultCode::KeyNotFoundError);
    /// assert_eq!(Error::KeyNotFound.result_code() as i32, 2);
    /// ```
    pub fn result_code(&self) -> ResultCode {
        match self {
            Error::KeyNotFound => ResultCode::KeyNotFoundError,
            Error::KeyExists => ResultCode::KeyExistsError,
            Error::GenerationMismatch { .. } => ResultCode::GenerationError,
            Error::ParameterError(_) => ResultCode::ParameterError,
            Error::BinTypeMismatch { .. } => ResultCode::BinTypeError,
            Error::KeyMismatch => ResultCode::KeyMismatch,
            Error::RecordTooBig { .. } => ResultCode::RecordTooBig,
            Error::BinNameTooLong { .. } => ResultCode::BinNameTooLong,
            Error::InvalidNamespace(_) => ResultCode::InvalidNamespace,
            Error::StopWrites { .. } => ResultCode::ServerMemError,
            Error::Timeout => ResultCode::Timeout,
            Error::Locked { .. }
            | Error::Corruption { .. }
            | Error::Poisoned { .. }
            | Error::Io(_) => ResultCode::ServerError,
            Error::ResourceNotFound(_) => ResultCode::KeyNotFoundError,
            Error::ResourceInUse(_) => ResultCode::KeyExistsError,
            Error::InvalidArgument(_) | Error::ExpiredIterator => ResultCode::ParameterError,
            Error::ProvisionedThroughputExceeded { .. } | Error::LimitExceeded(_) => {
                ResultCode::QuotaExceeded
            }
            Error::ElementNotFound(_) => ResultCode::ElementNotFound,
            Error::ElementExists(_) => ResultCode::ElementExists,
            Error::OpNotApplicable(_) => ResultCode::OpNotApplicable,
        }
    }
}

/// Shorthand for `Result<T, aerolite::Error>`.
pub type Result<T, E = Error> = std::result::Result<T, E>;
