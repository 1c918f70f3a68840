//! The one place where the running engine changes the index.
//!
//! Every change of a record's index entry (a write, an expiry, a truncation,
//! a defragmentation move or drop, the resolution of a damaged entry) goes
//! through [`Namespace::transition`], which applies it under the index
//! shard's write lock and, in the same critical section, updates everything
//! derived from the index: the record and tombstone counts, the live bytes of
//! the segments, and the expiry queue. Two threads racing on one entry (a
//! truncation and the sweeper, say) therefore see each other's result and can
//! never both account for the same version.

use super::Namespace;
use crate::index::{IndexEntry, Step, TOMBSTONE_SET};
use crate::storage::log::Location;

/// The record and tombstone counts an entry contributes.
fn counted(e: Option<&IndexEntry>) -> (i64, i64) {
    match e {
        None => (0, 0),
        Some(e) if e.set_id == TOMBSTONE_SET => (0, 1),
        Some(_) => (1, 0),
    }
}

impl Namespace {
    /// Applies what `decide` returns for the current entry of `digest`
    /// (`None`: leave it) and the bookkeeping that goes with it, atomically.
    /// Returns the old entry (`Some(None)` when there was none) if anything
    /// changed.
    pub(crate) fn transition(
        &self,
        digest: &[u8; 20],
        decide: impl FnOnce(Option<&IndexEntry>) -> Option<Step>,
    ) -> Option<Option<IndexEntry>> {
        let mut old_entry = None;
        self.index.update(digest, decide, |old, new| {
            self.account(digest, old, new);
            old_entry = Some(old.copied());
        });
        old_entry
    }

    /// Replaces the entry of `digest` with `new` only if it still points at
    /// `at`; returns whether it did.
    pub(crate) fn replace_at(&self, at: Location, new: IndexEntry) -> bool {
        self.transition(&new.digest, |cur| {
            cur.filter(|c| c.is_at(at)).map(|_| Step::Put(new))
        })
        .is_some()
    }

    /// Removes the entry of `digest` only if it still points at `at`;
    /// returns whether it did.
    pub(crate) fn remove_at(&self, digest: &[u8; 20], at: Location) -> bool {
        self.transition(digest, |cur| {
            cur.filter(|c| c.is_at(at)).map(|_| Step::Remove)
        })
        .is_some()
    }

    /// The bookkeeping of `old` becoming `new` (runs under the shard lock).
    fn account(&self, digest: &[u8; 20], old: Option<&IndexEntry>, new: Option<&IndexEntry>) {
        let (r_old, t_old) = counted(old);
        let (r_new, t_new) = counted(new);
        if (r_old, t_old) != (r_new, t_new) {
            self.adjust_counts(digest, r_new - r_old, t_new - t_old);
        }
        if let Some(o) = old.filter(|o| self.counts_live(o)) {
            // The old version's bytes stay live only when the new entry is
            // the same bytes, still counted live (a moved or rewritten entry
            // counted its new bytes when it was appended).
            let still_live =
                new.is_some_and(|n| n.seg == o.seg && n.off == o.off && self.counts_live(n));
            if !still_live {
                self.log.release(o.loc());
            }
        }
        if let Some(n) = new {
            self.queue_expiry(old, n);
        }
    }
}
