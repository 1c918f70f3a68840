//! A namespace: the record semantics of Aerospike on top of a log and an index.
//!
//! Writes to one record are serialised by a striped record lock; reads take
//! no record lock, only a shard's read lock for the index lookup, and copy
//! the record out of the mapped segment after checking its CRC.

mod batch;
mod capacity;
mod defrag;
mod expiry;
mod fresh;
mod locks;
mod operate;
mod read;
mod recover;
mod scan;
mod sets;
mod snapshot;
mod split;
mod transition;
mod truncate;
mod verify;
mod write;

pub(crate) use batch::{batch_record, read_only};
pub use defrag::CompactStats;
pub(crate) use fresh::Fresh;
pub(crate) use scan::Scan;
pub(crate) use write::validate_put;

use crate::clock::{citrus_secs, Clock};
use crate::counter::StripedCounter;
use crate::error::{Error, Result};
use crate::index::{shard_of, Index, IndexEntry, TOMBSTONE_SET};
use crate::options::NamespaceConfig;
use crate::policy::Durability;
use crate::storage::entry::{EntryKind, EntryRef};
use crate::storage::log::Log;
use crate::storage::segment::Segment;
use crate::storage::RecoveryReport;
use parking_lot::{Mutex, MutexGuard};
use sets::Sets;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

/// Statistics of one namespace, from [`Db::namespace_stats`](crate::Db::namespace_stats).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct NamespaceStats {
    /// Records in the index (including expired ones the sweeper has not removed yet).
    pub objects: u64,
    /// Tombstones that are the newest version of their digest.
    pub tombstones: u64,
    /// Records removed by the TTL sweeper since open.
    pub expired: u64,
    /// Records evicted under disk pressure since open.
    pub evicted: u64,
    /// Bytes of memory held by the digest index.
    pub index_bytes: u64,
    /// Bytes of segment files on disk.
    pub disk_used_bytes: u64,
    /// Bytes of live record versions in the segments.
    pub disk_live_bytes: u64,
    /// Number of segment files.
    pub segments: u64,
    /// What the last open found damaged.
    pub recovery: RecoveryReport,
    /// Expiry-queue entries the TTL sweeper examined since open (its cost).
    pub sweep_examined: u64,
    /// Bytes counted against `max_disk_bytes`: whole sealed segments plus the
    /// written part of the active one.
    pub capacity_used_bytes: u64,
    /// Records lost since open because their only copy was damaged on disk
    /// (found when defragmentation met them; they now read as not found).
    pub lost_records: u64,
}

/// One namespace of an open database.
pub(crate) struct Namespace {
    name: String,
    dir: PathBuf,
    truncations: Mutex<Vec<truncate::Marker>>,
    config: NamespaceConfig,
    log: Log,
    index: Index,
    sets: Sets,
    locks: locks::RecordLocks,
    clock: Arc<dyn Clock>,
    durability: Durability,
    /// Large batches run in two halves on two threads
    /// (`Options::batch_threads(2)`).
    split_batches: bool,
    recovery: RecoveryReport,
    /// Records (high 32 bits) and tombstones (low 32 bits) in the index,
    /// packed so that each change of both is one atomic step and statistics
    /// never see half of it; striped by index shard.
    counts: StripedCounter,
    expired: AtomicU64,
    evicted: AtomicU64,
    /// Records whose damaged only copy defragmentation resolved as lost.
    lost: AtomicU64,
    expiry: expiry::ExpiryQueue,
    sweep_examined: AtomicU64,
    compact_lock: Mutex<()>,
    /// Held while evicting (see `Namespace::relieve_pressure`).
    relieve_lock: Mutex<()>,
    /// What the last persisted sweep expired.
    sweep_mark: Mutex<expiry::SweepMark>,
    wake: OnceLock<crossbeam_channel::Sender<()>>,
}

impl std::fmt::Debug for Namespace {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Namespace")
            .field("name", &self.name)
            .field("objects", &self.index.len())
            .finish_non_exhaustive()
    }
}

/// The version of a record the index points at, with its segment pinned.
pub(crate) struct Current {
    pub entry: IndexEntry,
    seg: Arc<Segment>,
}

impl Current {
    /// The entry's bytes, checked against their CRC.
    pub(crate) fn view(&self) -> Result<EntryRef<'_>> {
        Current::view_in(&self.seg, &self.entry)
    }

    /// The bytes `entry` points at in `seg`, checked against their CRC.
    pub(crate) fn view_in<'s>(seg: &'s Segment, entry: &IndexEntry) -> Result<EntryRef<'s>> {
        seg.read(entry.off).map_err(|why| Error::Corruption {
            message: format!(
                "entry at segment {} offset {} failed validation ({why:?})",
                entry.seg, entry.off
            ),
        })
    }

    /// Whether this is a live (not deleted, not expired) record at `now`.
    pub(crate) fn is_live(&self, now: u32) -> bool {
        self.entry.set_id != TOMBSTONE_SET && !self.entry.is_expired(now)
    }
}

impl Namespace {
    /// The namespace's name.
    pub(crate) fn name(&self) -> &str {
        &self.name
    }

    /// Citrus seconds now, by the database clock.
    pub(crate) fn now_citrus(&self) -> u32 {
        citrus_secs(self.clock.now())
    }

    /// The index entry of `digest` with its segment pinned, whatever it is
    /// (tombstone, expired or live).
    pub(crate) fn lookup(&self, digest: &[u8; 20]) -> Result<Option<Current>> {
        self.with_entry(digest, |entry, seg| Current {
            entry: *entry,
            seg: Arc::clone(seg),
        })
    }

    /// Runs `f` on the index entry of `digest` (whatever it is) and the
    /// segment it points into, borrowed from this thread's copy of the
    /// segment table; `None` if the index has no entry. `f` must not touch
    /// the log's segments itself.
    pub(crate) fn with_entry<R>(
        &self,
        digest: &[u8; 20],
        f: impl FnOnce(&IndexEntry, &Arc<Segment>) -> R,
    ) -> Result<Option<R>> {
        let mut f = Some(f);
        // A segment can only vanish after the index stopped pointing into it
        // (defragmentation moves the entry first), so a retry sees the move.
        for _ in 0..8 {
            let Some(entry) = self.index.get(digest) else {
                return Ok(None);
            };
            let found = self
                .log
                .with_segment(entry.seg, |seg| f.take().map(|f| f(&entry, seg)));
            if let Some(out) = found {
                return Ok(out);
            }
        }
        Err(Error::Corruption {
            message: "the index points at a segment that no longer exists".into(),
        })
    }

    /// The live record of `digest` at citrus second `now`.
    pub(crate) fn live(&self, digest: &[u8; 20], now: u32) -> Result<Option<Current>> {
        Ok(self.lookup(digest)?.filter(|c| c.is_live(now)))
    }

    /// Takes the write lock of a record, waiting at most `timeout`.
    pub(crate) fn lock_record(
        &self,
        digest: &[u8; 20],
        timeout: Option<Duration>,
    ) -> Result<MutexGuard<'_, ()>> {
        self.locks.lock(digest, timeout)
    }

    /// Whether the bytes `e` points at count as live in their segment. They
    /// do for records and real tombstones; a record the sweeper expired is a
    /// tombstone only in the index and its bytes are already dead.
    pub(crate) fn counts_live(&self, e: &IndexEntry) -> bool {
        e.set_id != TOMBSTONE_SET || self.log.kind_at(e.loc()) != Some(EntryKind::Record)
    }

    /// Changes the record and tombstone counts by the given amounts, in one
    /// atomic step (each count stays below 2^32: the index cannot hold more).
    pub(crate) fn adjust_counts(&self, digest: &[u8; 20], records: i64, tombstones: i64) {
        let delta = (records << 32).wrapping_add(tombstones) as u64;
        self.counts.add(shard_of(digest), delta);
    }

    /// Takes the write lock of a record, however long it takes (maintenance).
    pub(crate) fn lock_record_blocking(&self, digest: &[u8; 20]) -> MutexGuard<'_, ()> {
        self.locks.lock_blocking(digest)
    }

    /// Writes hint files for sealed segments that have none.
    pub(crate) fn write_missing_hints(&self) -> Result<u64> {
        self.log.write_missing_hints()
    }

    /// Checks the segment files' lengths against their mappings.
    pub(crate) fn verify_files(&self) -> bool {
        self.log.verify_sizes()
    }

    /// Connects the namespace to the maintenance thread's wake-up channel.
    pub(crate) fn set_wake(&self, tx: crossbeam_channel::Sender<()>) {
        let _ = self.wake.set(tx);
    }

    /// Makes everything written so far durable.
    pub(crate) fn sync(&self) -> Result<()> {
        self.log.sync()
    }

    /// Current statistics.
    pub(crate) fn stats(&self) -> NamespaceStats {
        let counts = self.counts.get();
        NamespaceStats {
            objects: counts >> 32,
            tombstones: counts & u64::from(u32::MAX),
            expired: self.expired.load(Ordering::Relaxed),
            evicted: self.evicted.load(Ordering::Relaxed),
            index_bytes: self.index.memory_bytes(),
            disk_used_bytes: self.log.disk_bytes(),
            disk_live_bytes: self.log.live_bytes(),
            segments: self.log.segment_count(),
            recovery: self.recovery,
            sweep_examined: self.sweep_examined.load(Ordering::Relaxed),
            capacity_used_bytes: self.log.used_bytes(),
            lost_records: self.lost.load(Ordering::Relaxed),
        }
    }
}
