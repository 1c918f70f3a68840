//! Write and read policies, as in Aerospike's client.

use std::time::Duration;

/// When a write returns relative to the disk.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Durability {
    /// The write is in the operating system's page cache when the call
    /// returns: it survives a crash of the process (`kill -9`), not a power
    /// loss until the next sync. The default.
    #[default]
    Buffered,
    /// The write is on disk (`msync`) when the call returns; concurrent
    /// writers share one flush (group commit).
    Sync,
}

/// What a write does depending on whether the record exists.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum RecordExistsAction {
    /// Create or merge: bins in the write are set, other bins kept. The default.
    #[default]
    Update,
    /// Merge into an existing record; a missing record is `KeyNotFound`.
    UpdateOnly,
    /// Create or replace: bins not in the write are dropped.
    Replace,
    /// Replace an existing record; a missing record is `KeyNotFound`.
    ReplaceOnly,
    /// Create only; an existing record is `KeyExists` and stays unchanged.
    CreateOnly,
}

/// How the policy's generation is compared with the record's.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum GenerationPolicy {
    /// No check. The default.
    #[default]
    None,
    /// Write only if `policy.generation == record generation`.
    ExpectGenEqual,
    /// Write only if `policy.generation > record generation`.
    ExpectGenGreater,
}

/// The time to live a write gives its record.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Expiration {
    /// Expire this many seconds from now. `Seconds(0)` means the namespace
    /// default, as a TTL of 0 does in Aerospike.
    Seconds(u32),
    /// The namespace's `default_ttl` (never, if it has none). The default.
    #[default]
    NamespaceDefault,
    /// Never expire.
    Never,
    /// Keep the record's current expiry (the namespace default on a create).
    DontUpdate,
}

/// Policy for writes: put, delete, touch, operate.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct WritePolicy {
    /// What to do when the record does or does not exist.
    pub record_exists_action: RecordExistsAction,
    /// Generation compare-and-set mode.
    pub generation_policy: GenerationPolicy,
    /// The generation compared under `ExpectGenEqual` / `ExpectGenGreater`.
    pub generation: u32,
    /// The record's new time to live.
    pub expiration: Expiration,
    /// Store the user key with the record, so reads and scans return it.
    pub send_key: bool,
    /// Durability of this write; `None` uses the database's default.
    pub durability: Option<Durability>,
    /// Bound on waiting for the record lock; `Error::Timeout` past it.
    pub timeout: Option<Duration>,
}

/// Policy for reads.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ReadPolicy {
    /// Reserved: reads never wait on locks held across I/O.
    pub timeout: Option<Duration>,
}
