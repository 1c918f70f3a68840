//! Capacity: stop-writes, eviction, and a full file system.

use super::Namespace;
use crate::error::{Error, Result};
use crate::index::TOMBSTONE_SET;
use std::sync::atomic::{AtomicBool, Ordering};

/// Eviction starts above this percentage of `max_disk_bytes`.
pub(crate) const HIGH_WATER_PCT: u64 = 80;
/// Writes fail with `StopWrites` above this percentage.
pub(crate) const STOP_WRITES_PCT: u64 = 90;
/// Most records evicted per slice.
const EVICT_SLICE: usize = 256;
/// Fewest records evicted per slice.
const MIN_EVICT_SLICE: usize = 8;

impl Namespace {
    /// Turns a full file system into `StopWrites`; other errors pass through.
    pub(crate) fn storage_full(&self, e: Error) -> Error {
        match e {
            Error::Io(io) if io.kind() == std::io::ErrorKind::StorageFull => Error::StopWrites {
                namespace: self.name.clone(),
                used: self.log.used_bytes(),
                capacity: 0,
            },
            other => other,
        }
    }

    /// Asks the maintenance thread to look at this namespace soon.
    pub(crate) fn wake_maintenance(&self) {
        if let Some(tx) = self.wake.get() {
            let _ = tx.try_send(());
        }
    }

    fn over(&self, pct: u64) -> Option<(u64, u64)> {
        let max = self.config.max_disk_bytes?;
        let used = self.log.used_bytes();
        (u128::from(used) * 100 >= u128::from(max) * u128::from(pct)).then_some((used, max))
    }

    /// Fails with `StopWrites` when the namespace is past its stop-writes
    /// mark, after trying once to make room by eviction and defragmentation.
    /// Called before a write takes its record lock.
    pub(crate) fn check_capacity(&self) -> Result<()> {
        if self.config.max_disk_bytes.is_none() {
            return Ok(());
        }
        if self.over(HIGH_WATER_PCT).is_some() {
            self.wake_maintenance();
        }
        if self.over(STOP_WRITES_PCT).is_none() {
            return Ok(());
        }
        let never = AtomicBool::new(false);
        self.relieve_pressure(&never)?;
        match self.over(STOP_WRITES_PCT) {
            None => Ok(()),
            Some((used, capacity)) => Err(Error::StopWrites {
                namespace: self.name.clone(),
                used,
                capacity,
            }),
        }
    }

    /// While above the high-water mark: evicts a slice of the records nearest
    /// to expiry (never records without a TTL) and defragments. Returns how
    /// many records it evicted.
    ///
    /// One thread at a time: the used bytes fall only once defragmentation
    /// has reclaimed the segments of the evicted records, so a writer that
    /// found the namespace past stop-writes while the maintenance thread was
    /// between its eviction and its defragmentation would evict a slice of
    /// its own on top, for space already on its way back. It waits instead
    /// and looks again. (Callers hold no record lock.)
    pub(crate) fn relieve_pressure(&self, stop: &AtomicBool) -> Result<u64> {
        let _one_at_a_time = self.relieve_lock.lock();
        let mut evicted = 0;
        let mut rounds = 0;
        while let Some((used, max)) = self.over(HIGH_WATER_PCT) {
            if stop.load(Ordering::Relaxed) || rounds >= 64 {
                break;
            }
            rounds += 1;
            let mark = u128::from(max) * u128::from(HIGH_WATER_PCT) / 100;
            let excess = u64::try_from(u128::from(used).saturating_sub(mark)).unwrap_or(u64::MAX);
            let n = self.evict_slice(self.slice_for(excess))?;
            evicted += n;
            let compacted = self.compact(stop)?;
            if n == 0 && compacted.segments_compacted == 0 {
                break;
            }
        }
        Ok(evicted)
    }

    /// How many records to evict next: enough, at the namespace's mean
    /// entry size, to free the `excess` bytes above the high-water mark,
    /// from [`MIN_EVICT_SLICE`] to [`EVICT_SLICE`]. Evicted records give
    /// their space back only when defragmentation reclaims their segments,
    /// so the caller may come back for more; a fixed slice would evict up to
    /// [`EVICT_SLICE`] records more than a small namespace needs.
    fn slice_for(&self, excess: u64) -> usize {
        let counts = self.counts.get();
        let entries = (counts >> 32) + (counts & u64::from(u32::MAX));
        let mean = (self.log.live_bytes() / entries.max(1)).max(1);
        usize::try_from(excess.div_ceil(mean))
            .unwrap_or(EVICT_SLICE)
            .clamp(MIN_EVICT_SLICE, EVICT_SLICE)
    }

    /// Deletes (with tombstones) up to `slice` of the records nearest to
    /// expiry.
    fn evict_slice(&self, slice: usize) -> Result<u64> {
        let mut due = Vec::with_capacity(slice);
        let mut evicted = 0;
        let mut expired_here = false;
        self.expiry.pop_due(u32::MAX, slice, &mut due);
        let now = self.now_citrus();
        for (_, digest) in due {
            let _guard = self.lock_record_blocking(&digest);
            let Some(current) = self.lookup(&digest)? else {
                continue;
            };
            let e = current.entry;
            if e.set_id == TOMBSTONE_SET || e.void_time == 0 {
                continue;
            }
            if e.is_expired(now) {
                // Already expired: the sweeper's job, done here at no cost.
                if self.to_tombstone(&e) {
                    self.expired.fetch_add(1, Ordering::Relaxed);
                    expired_here = true;
                }
                continue;
            }
            let set = String::from_utf8_lossy(current.view()?.set).into_owned();
            drop(current);
            self.write_tombstone(
                digest,
                &set,
                super::write::Commit::Now(crate::policy::Durability::Buffered),
            )?;
            self.evicted.fetch_add(1, Ordering::Relaxed);
            evicted += 1;
        }
        if expired_here {
            // Expiring is the sweeper's job and it persists what it expired
            // (the sweep mark), so that the records stay tombstones after a
            // restart even if the clock is set back: finish the job the same
            // way.
            self.sweep_and_mark(&AtomicBool::new(false), true);
        }
        Ok(evicted)
    }
}
