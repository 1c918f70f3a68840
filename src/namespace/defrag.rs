//! Defragmentation: rewriting the live entries of sparse sealed segments and
//! deleting the files.
//!
//! An entry is live when the index points at it. Live record versions are
//! copied to the active segment (with a fresh sequence number, which keeps
//! them the newest version of their digest) under their record lock, so a
//! concurrent write either happens before the copy (and the entry is no
//! longer live) or after it. Entries the index does not point at are dropped:
//! overwritten versions, and versions removed by truncation (a truncation
//! marker covers every older version of the digest too, because last-update
//! times only grow).
//!
//! Tombstones need care: an older version of the digest may still lie in
//! another segment, and dropping the tombstone would let it come back. A
//! tombstone remembers its *horizon*, the id of the segment it was first
//! written to (kept in its void-time field when it is copied). Older versions
//! of its digest can only lie in segments with ids up to the horizon, so the
//! tombstone is dropped only when no such segment remains besides the one
//! being defragmented; otherwise it is copied forward.

use super::Namespace;
use crate::clock::unix_nanos;
use crate::error::Result;
use crate::index::{IndexEntry, SHARDS, TOMBSTONE_SET};
use crate::storage::entry::{EntryKind, EntryRef, NewEntry, FLAG_MIXED_SETS};
use crate::storage::log::Location;
use crate::storage::recovery::{self, RecoveryReport};
use crate::storage::segment::{Segment, SEGMENT_HEADER_LEN};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

/// Segments whose live bytes are below this percentage of their written
/// bytes are defragmented (Aerospike's `defrag-lwm-pct`).
pub(crate) const DEFRAG_LWM_PCT: u64 = 50;

/// What a compaction did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CompactStats {
    /// Segment files rewritten and deleted.
    pub segments_compacted: u64,
    /// Live entries copied to the active segment.
    pub entries_moved: u64,
    /// Tombstones dropped because no older version of their record remains.
    pub tombstones_dropped: u64,
    /// Bytes of segment files deleted.
    pub bytes_reclaimed: u64,
}

impl CompactStats {
    pub(crate) fn add(&mut self, o: &CompactStats) {
        self.segments_compacted += o.segments_compacted;
        self.entries_moved += o.entries_moved;
        self.tombstones_dropped += o.tombstones_dropped;
        self.bytes_reclaimed += o.bytes_reclaimed;
    }
}

/// Defragmented segments whose copies share one flush and whose files share
/// one directory fsync. Bounds the disk space held by finished segments
/// waiting for that flush.
const RETIRE_BATCH: usize = 32;

impl Namespace {
    /// Defragments every sealed segment whose live fraction is below the
    /// low-water mark. Stops early (leaving segments in place) when `stop` is set.
    ///
    /// The live entries of up to [`RETIRE_BATCH`] segments are copied, then
    /// one flush makes the copies durable and the emptied files are deleted
    /// with one directory fsync: a background thread that keeps up with a
    /// fast writer cannot afford three fsyncs per segment.
    pub(crate) fn compact(&self, stop: &AtomicBool) -> Result<CompactStats> {
        let _one_at_a_time = self.compact_lock.lock();
        let mut stats = CompactStats::default();
        // A defragmentation reads whole files: check first that no other
        // process truncated one (which would be SIGBUS, not an error).
        if !self.log.verify_sizes() {
            self.log.check_poison()?;
        }
        let mut emptied: Vec<Arc<Segment>> = Vec::new();
        let mut result = Ok(());
        for seg in self.log.sealed_segments() {
            if stop.load(Ordering::Relaxed) {
                break;
            }
            let written = seg.end().saturating_sub(SEGMENT_HEADER_LEN) as u64;
            if seg.live_bytes() * 100 >= written * DEFRAG_LWM_PCT && written > 0 {
                continue;
            }
            match self.move_live_entries(&seg, stop) {
                Ok(Some(s)) => {
                    stats.add(&s);
                    emptied.push(seg);
                }
                Ok(None) => break,
                Err(e) => {
                    result = Err(e);
                    break;
                }
            }
            if emptied.len() >= RETIRE_BATCH {
                self.retire(&mut emptied, &mut stats)?;
            }
        }
        // Segments emptied before an error are still retired: their live
        // entries live elsewhere now.
        self.retire(&mut emptied, &mut stats)?;
        result.map(|()| stats)
    }

    /// Makes the copies out of `emptied` durable, then deletes the files.
    fn retire(&self, emptied: &mut Vec<Arc<Segment>>, stats: &mut CompactStats) -> Result<()> {
        if emptied.is_empty() {
            return Ok(());
        }
        // The copies must be durable before the originals disappear.
        self.log.sync()?;
        let ids: Vec<u32> = emptied.iter().map(|s| s.id()).collect();
        self.log.remove_segments(&ids)?;
        for seg in emptied.drain(..) {
            stats.segments_compacted += 1;
            stats.bytes_reclaimed += seg.len() as u64;
        }
        Ok(())
    }

    /// Moves the live entries out of `seg`, leaving nothing in it the index
    /// points at; `None` if stopped first.
    fn move_live_entries(
        &self,
        seg: &Arc<Segment>,
        stop: &AtomicBool,
    ) -> Result<Option<CompactStats>> {
        let mut stats = CompactStats::default();
        let mut failed = None;
        let mut stopped = false;
        let mut scratch = RecoveryReport::default();
        let end = recovery::walk(seg.published(), &mut scratch, |off, e| {
            if failed.is_some() || stopped {
                return;
            }
            if stop.load(Ordering::Relaxed) {
                stopped = true;
                return;
            }
            match self.move_entry(seg, off, e) {
                Ok(Moved::Copied) => stats.entries_moved += 1,
                Ok(Moved::Dropped) => stats.tombstones_dropped += 1,
                Ok(Moved::Dead) => {}
                Err(err) => failed = Some(err),
            }
        });
        if let Some(err) = failed {
            return Err(err);
        }
        if stopped {
            return Ok(None);
        }
        if scratch.corrupt_regions > 0 || end.tail_bytes > 0 {
            // The walk skipped damaged bytes: the index (built from the hint
            // file, or before the damage happened) may still point at
            // entries it could not read. Each is resolved before the file
            // goes, or it would dangle.
            self.resolve_damaged_entries(seg, &mut stats)?;
        }
        Ok(Some(stats))
    }

    fn move_entry(&self, seg: &Segment, off: u32, e: &EntryRef<'_>) -> Result<Moved> {
        // After a failed fsync nothing may change, not even the index.
        self.log.check_poison()?;
        let digest = e.meta.digest;
        let _guard = self.lock_record_blocking(&digest);
        let Some(ie) = self.index.get(&digest) else {
            return Ok(Moved::Dead);
        };
        if ie.seg != seg.id() || ie.off != off {
            return Ok(Moved::Dead);
        }
        let tombstone = ie.set_id == TOMBSTONE_SET;
        let horizon = if tombstone && ie.void_time != 0 {
            ie.void_time
        } else {
            seg.id()
        };
        if tombstone && !self.log.has_segment_at_or_below(horizon, seg.id()) {
            let here = Location { seg: seg.id(), off };
            return Ok(match self.remove_at(&digest, here) {
                true => Moved::Dropped,
                false => Moved::Dead,
            });
        }
        let copy = if tombstone {
            NewEntry {
                kind: EntryKind::Tombstone,
                generation: 0,
                last_update: e.meta.last_update,
                void_time: horizon,
                digest,
                flags: e.meta.flags,
                set: e.set,
                key: &[],
                payload: &[],
            }
        } else {
            NewEntry {
                kind: e.meta.kind,
                generation: e.meta.generation,
                last_update: e.meta.last_update,
                void_time: e.meta.void_time,
                digest,
                flags: e.meta.flags,
                set: e.set,
                key: e.key,
                payload: e.payload,
            }
        };
        let (loc, rotated) = self
            .log
            .append_moved(&copy, e.meta.last_update)
            .map_err(|err| self.storage_full(err))?;
        if rotated {
            self.wake_maintenance();
        }
        let moved = IndexEntry {
            seg: loc.seg,
            off: loc.off,
            void_time: if tombstone { horizon } else { ie.void_time },
            ..ie
        };
        if !self.replace_at(Location { seg: seg.id(), off }, moved) {
            // Cannot happen under the record lock; account the copy as dead.
            self.log.release(loc);
        }
        Ok(Moved::Copied)
    }
}

impl Namespace {
    /// Resolves every index entry that still points into `seg` after its
    /// valid entries were moved, i.e. entries whose bytes are damaged.
    ///
    /// A tombstone (or a record the sweeper expired) needs nothing from its
    /// bytes: a fresh tombstone with the same horizon replaces it, so it still
    /// keeps every older version dead. A record version whose only copy is
    /// damaged is lost: it is replaced by a tombstone too (never by an older
    /// version that the damaged one had overwritten), reported with
    /// `log::warn!` and counted in `NamespaceStats::lost_records`.
    fn resolve_damaged_entries(&self, seg: &Segment, stats: &mut CompactStats) -> Result<()> {
        let mut batch: Vec<IndexEntry> = Vec::new();
        for shard in 0..SHARDS {
            self.index.shard_entries_after(shard, None, &mut batch);
            for e in batch.iter().filter(|e| e.seg == seg.id()) {
                self.log.check_poison()?;
                let _guard = self.lock_record_blocking(&e.digest);
                let at = e.loc();
                let Some(cur) = self.index.get(&e.digest).filter(|c| c.is_at(at)) else {
                    continue;
                };
                let was_record = cur.set_id != TOMBSTONE_SET;
                let horizon = if !was_record && cur.void_time != 0 {
                    cur.void_time
                } else {
                    seg.id()
                };
                if was_record {
                    self.lost.fetch_add(1, Ordering::Relaxed);
                    log::warn!(
                        "namespace {:?}: record {} at segment {} offset {} is damaged and \
                         has no other copy; it is lost and now reads as not found",
                        self.name,
                        crate::key::Digest(e.digest),
                        at.seg,
                        at.off
                    );
                }
                if !self.log.has_segment_at_or_below(horizon, seg.id()) {
                    // No older version can exist: nothing to keep dead.
                    if self.remove_at(&e.digest, at) && !was_record {
                        stats.tombstones_dropped += 1;
                    }
                    continue;
                }
                let tomb = NewEntry {
                    kind: EntryKind::Tombstone,
                    generation: 0,
                    last_update: unix_nanos(self.clock.now()),
                    void_time: horizon,
                    digest: e.digest,
                    // Its lineage is unknown (the damaged bytes held it).
                    flags: FLAG_MIXED_SETS,
                    set: &[],
                    key: &[],
                    payload: &[],
                };
                let (loc, rotated) = self
                    .log
                    .append(&tomb, tomb.last_update)
                    .map_err(|err| self.storage_full(err))?;
                if rotated {
                    self.wake_maintenance();
                }
                let new = IndexEntry {
                    seg: loc.seg,
                    off: loc.off,
                    void_time: horizon,
                    generation: 0,
                    set_id: TOMBSTONE_SET,
                    ..cur
                };
                if self.replace_at(at, new) {
                    stats.entries_moved += 1;
                } else {
                    self.log.release(loc);
                }
            }
        }
        Ok(())
    }
}

enum Moved {
    Copied,
    Dropped,
    Dead,
}
