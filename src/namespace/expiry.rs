//! The expiry queue and the TTL sweep.
//!
//! Every record with a TTL has an entry `(t, digest)` in the queue with
//! `t <= its void time` (the invariant). A write that moves a void time later
//! adds nothing: the old entry fires first and is re-queued at the new void
//! time. A write that moves it earlier (or gives a TTL to a record that had
//! none) adds an entry. A sweep pops only the entries that are due, so its
//! cost is proportional to what expires, not to the size of the index.

use super::Namespace;
use crate::index::{IndexEntry, Step, TOMBSTONE_SET};
use crate::storage::meta;
use parking_lot::Mutex;
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};

const QUEUE_SHARDS: usize = 16;

/// Metadata file holding the void time up to which every record was swept.
pub(crate) const SWEPT_FILE: &str = "swept";
pub(crate) const SWEPT_MAGIC: &[u8; 8] = b"ALITESWP";

/// What the last recorded sweep expired: every record version with a void
/// time up to `through` that was written before `before_seq`.
///
/// The sequence bound matters when the clock is set back after a sweep: a
/// record written afterwards may get a void time at or below `through`
/// without having expired, and the mark must not touch it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct SweepMark {
    pub through: u32,
    pub before_seq: u64,
}

impl SweepMark {
    /// Whether the mark expired this record version.
    pub(crate) fn covers(&self, void_time: u32, seq: u64) -> bool {
        void_time != 0 && void_time <= self.through && seq < self.before_seq
    }

    fn encode(&self) -> [u8; 12] {
        let mut b = [0u8; 12];
        b[..4].copy_from_slice(&self.through.to_le_bytes());
        b[4..].copy_from_slice(&self.before_seq.to_le_bytes());
        b
    }

    fn decode(b: &[u8]) -> Option<SweepMark> {
        let through = u32::from_le_bytes(b.get(..4)?.try_into().ok()?);
        let before_seq = match b.len() {
            // A mark written before the sequence bound existed.
            4 => u64::MAX,
            12 => u64::from_le_bytes(b.get(4..12)?.try_into().ok()?),
            _ => return None,
        };
        Some(SweepMark {
            through,
            before_seq,
        })
    }
}

/// Loads the sweep mark of the namespace in `dir` (none when absent or damaged).
pub(crate) fn load_sweep_mark(dir: &std::path::Path) -> SweepMark {
    match meta::read(dir, SWEPT_FILE, SWEPT_MAGIC) {
        Ok(Some(b)) => SweepMark::decode(&b).unwrap_or_else(|| {
            log::warn!("ignoring a sweep mark of unexpected length {}", b.len());
            SweepMark::default()
        }),
        Ok(None) => SweepMark::default(),
        Err(e) => {
            log::warn!("ignoring the sweep mark: {e}");
            SweepMark::default()
        }
    }
}

/// Digests due at each citrus second.
type Buckets = BTreeMap<u32, Vec<[u8; 20]>>;

/// Digests by the citrus second at which to look at them again.
#[derive(Debug)]
pub(crate) struct ExpiryQueue {
    shards: Box<[Mutex<Buckets>]>,
}

impl ExpiryQueue {
    pub(crate) fn new() -> ExpiryQueue {
        ExpiryQueue {
            shards: (0..QUEUE_SHARDS)
                .map(|_| Mutex::new(BTreeMap::new()))
                .collect(),
        }
    }

    /// Queues `digest` to be looked at at citrus second `at`.
    pub(crate) fn push(&self, at: u32, digest: [u8; 20]) {
        let shard = usize::from(digest[4]) % QUEUE_SHARDS;
        self.shards[shard]
            .lock()
            .entry(at)
            .or_default()
            .push(digest);
    }

    /// Moves up to `max` entries due at or before `now` into `out`, earliest
    /// first across all shards (with `now` = `u32::MAX`: the `max` nearest to
    /// expiry, which eviction needs exactly; per shard, a small slice would
    /// take each shard's earliest, however late).
    pub(crate) fn pop_due(&self, now: u32, max: usize, out: &mut Vec<(u32, [u8; 20])>) {
        // All shards at once, always in the same order; nothing else holds
        // two of them.
        let mut shards: Vec<_> = self.shards.iter().map(|s| s.lock()).collect();
        let mut taken = 0;
        while taken < max {
            let earliest = shards
                .iter_mut()
                .filter_map(|q| q.first_key_value().map(|(&at, _)| at).zip(Some(q)))
                .min_by_key(|(at, _)| *at);
            let Some((at, q)) = earliest else { break };
            if at > now {
                break;
            }
            let Some(mut first) = q.first_entry() else {
                break;
            };
            let digests = first.get_mut();
            while taken < max {
                let Some(d) = digests.pop() else { break };
                out.push((at, d));
                taken += 1;
            }
            if digests.is_empty() {
                first.remove();
            }
        }
    }
}

/// What a sweep did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct SweepOutcome {
    /// Records removed because they expired.
    pub expired: u64,
    /// Queue entries examined (the cost of the sweep).
    pub examined: u64,
}

/// What [`Namespace::expire_one`] did with a due queue entry.
enum Expire {
    Expired,
    /// Not expired (or nothing to expire); re-queued if still to come.
    Kept,
    /// Expired, but written after the sweep started: due again at this time.
    Later(u32),
}

impl Namespace {
    /// Keeps the expiry queue's invariant after `new` replaced `old` in the index.
    pub(crate) fn queue_expiry(&self, old: Option<&IndexEntry>, new: &IndexEntry) {
        if new.void_time == 0 || new.set_id == TOMBSTONE_SET {
            return;
        }
        let covered = old.is_some_and(|o| {
            o.set_id != TOMBSTONE_SET && o.void_time != 0 && o.void_time <= new.void_time
        });
        if !covered {
            self.expiry.push(new.void_time, new.digest);
        }
    }

    /// Removes the records that have expired by now; returns what it did.
    pub(crate) fn sweep(&self, stop: &AtomicBool) -> SweepOutcome {
        self.sweep_and_mark(stop, false)
    }

    /// A sweep that persists its mark if it expired anything or if `expired_before`
    /// says the caller already expired records outside a sweep (eviction does).
    ///
    /// A pass expires only versions written before it started: its mark
    /// covers no later one, and defragmentation may meanwhile copy an expired
    /// record not swept yet to a fresh sequence number. Such a copy is left
    /// to another pass, run at once (a few at most; then the next sweep).
    pub(crate) fn sweep_and_mark(&self, stop: &AtomicBool, expired_before: bool) -> SweepOutcome {
        const MAX_PASSES: usize = 4;
        let mut out = SweepOutcome::default();
        let mut expired_before = expired_before;
        for _ in 0..MAX_PASSES {
            let deferred = self.sweep_pass(stop, expired_before, &mut out);
            if deferred.is_empty() {
                break;
            }
            for (at, digest) in deferred {
                self.expiry.push(at, digest);
            }
            expired_before = false;
        }
        out
    }

    /// One pass of [`Namespace::sweep_and_mark`]; returns the queue entries
    /// of versions written after the pass started, not expired.
    fn sweep_pass(
        &self,
        stop: &AtomicBool,
        expired_before: bool,
        out: &mut SweepOutcome,
    ) -> Vec<(u32, [u8; 20])> {
        // Taken before anything is popped: every version written before it
        // with a void time up to `now` has an entry due by `now` in the queue.
        let before_seq = self.log.next_seq();
        let now = self.now_citrus();
        let mut expired = 0;
        let mut deferred = Vec::new();
        let mut due = Vec::new();
        loop {
            due.clear();
            self.expiry.pop_due(now, 4096, &mut due);
            if due.is_empty() {
                if expired > 0 || expired_before {
                    self.record_sweep(SweepMark {
                        through: now,
                        before_seq,
                    });
                }
                out.expired += expired;
                return deferred;
            }
            if stop.load(Ordering::Relaxed) {
                // Put the batch back for the next sweep.
                for &(at, d) in due.iter().chain(&deferred) {
                    self.expiry.push(at, d);
                }
                out.expired += expired;
                return Vec::new();
            }
            for &(_, digest) in &due {
                out.examined += 1;
                match self.expire_one(&digest, now, before_seq) {
                    Expire::Expired => expired += 1,
                    Expire::Kept => {}
                    Expire::Later(at) => deferred.push((at, digest)),
                }
            }
            self.sweep_examined
                .fetch_add(due.len() as u64, Ordering::Relaxed);
        }
    }

    /// Persists that every record version written before `mark.before_seq`
    /// with a void time up to `mark.through` has been swept, so that a
    /// restart does not bring them back as expired records (which a clock
    /// set back would even make visible again).
    fn record_sweep(&self, mark: SweepMark) {
        let mut current = self.sweep_mark.lock();
        // A new mark replaces the old one only if it covers all the old one
        // did (after the clock was set back it would not). A mark of the old
        // form (no sequence bound, `u64::MAX`) is replaced by any later one.
        // A second pass of one sweep has the same `through` and a later
        // `before_seq`: it covers more.
        let old_form = current.before_seq == u64::MAX;
        let covers_more = match old_form {
            true => mark.through > current.through,
            false => {
                mark.through >= current.through
                    && mark.before_seq >= current.before_seq
                    && mark != *current
            }
        };
        if !covers_more {
            return;
        }
        match meta::write(
            self.log.io(),
            &self.dir,
            SWEPT_FILE,
            SWEPT_MAGIC,
            &mark.encode(),
        ) {
            Ok(()) => *current = mark,
            // Harmless: the expired records stay invisible; a restart only
            // counts them as objects again until the next sweep.
            Err(meta::WriteFailure::Clean(e) | meta::WriteFailure::InDoubt(e)) => {
                log::warn!("namespace {:?}: could not record the sweep: {e}", self.name);
            }
        }
    }

    /// Handles one due queue entry: expires the record if its void time has
    /// passed, re-queues it if its void time moved later; leaves a version
    /// written at or after `before_seq` to the caller (`Expire::Later`).
    fn expire_one(&self, digest: &[u8; 20], now: u32, before_seq: u64) -> Expire {
        let _guard = self.lock_record_blocking(digest);
        let Some(e) = self.index.get(digest) else {
            return Expire::Kept;
        };
        if e.set_id == TOMBSTONE_SET || e.void_time == 0 {
            return Expire::Kept;
        }
        if !e.is_expired(now) {
            self.expiry.push(e.void_time, *digest);
            return Expire::Kept;
        }
        if self
            .log
            .seq_at(e.loc())
            .is_some_and(|seq| seq >= before_seq)
        {
            return Expire::Later(e.void_time);
        }
        // The expired version stays on disk, and the index keeps it as a
        // tombstone until defragmentation can prove no older version of the
        // digest remains: only then may it disappear.
        if self.to_tombstone(&e) {
            self.expired.fetch_add(1, Ordering::Relaxed);
            Expire::Expired
        } else {
            Expire::Kept
        }
    }

    /// Turns the index entry `e` into a tombstone in place (same location).
    pub(crate) fn to_tombstone(&self, e: &IndexEntry) -> bool {
        // Void time 0: the tombstone's horizon is the segment it points into.
        let tomb = IndexEntry {
            set_id: TOMBSTONE_SET,
            void_time: 0,
            ..*e
        };
        // Only if the index still points at this record version: the
        // transition re-checks it under the shard lock, so a racing
        // truncation or write is never undone or counted twice.
        let at = e.loc();
        self.transition(&e.digest, |cur| {
            cur.filter(|c| c.is_at(at) && c.set_id != TOMBSTONE_SET)
                .map(|_| Step::Put(tomb))
        })
        .is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pops_only_what_is_due() {
        let q = ExpiryQueue::new();
        for i in 0..100u8 {
            q.push(u32::from(i), [i; 20]);
        }
        let mut out = Vec::new();
        q.pop_due(9, 1000, &mut out);
        assert_eq!(out.len(), 10);
        assert!(out.iter().all(|(t, _)| *t <= 9));
        out.clear();
        q.pop_due(9, 1000, &mut out);
        assert!(out.is_empty());
        q.pop_due(u32::MAX, 1000, &mut out);
        assert_eq!(out.len(), 90);
    }

    #[test]
    fn pops_the_earliest_across_shards() {
        let q = ExpiryQueue::new();
        // Digest byte 4 picks the shard: 200 entries over all 16 shards,
        // due times scrambled against the shards.
        for i in 0..200u32 {
            let mut d = [0u8; 20];
            d[4] = (i * 7) as u8;
            d[5] = i as u8;
            q.push(1000 + (i * 37) % 200, d);
        }
        let mut out = Vec::new();
        q.pop_due(u32::MAX, 5, &mut out);
        let times: Vec<u32> = out.iter().map(|(t, _)| *t).collect();
        assert_eq!(
            times,
            [1000, 1001, 1002, 1003, 1004],
            "exactly 5, earliest first"
        );
        out.clear();
        q.pop_due(u32::MAX, 1000, &mut out);
        assert_eq!(out.len(), 195);
        assert!(out.windows(2).all(|w| w[0].0 <= w[1].0));
    }

    #[test]
    fn sweep_mark_round_trip_and_old_form() {
        let m = SweepMark {
            through: 77,
            before_seq: 1234,
        };
        assert_eq!(SweepMark::decode(&m.encode()), Some(m));
        let old = SweepMark::decode(&77u32.to_le_bytes()).unwrap();
        assert_eq!(old.before_seq, u64::MAX);
        assert_eq!(SweepMark::decode(&[1, 2, 3]), None);
        assert!(m.covers(77, 1233) && !m.covers(77, 1234) && !m.covers(78, 1) && !m.covers(0, 1));
    }
}
