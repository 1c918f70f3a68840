//! Scans: streaming every live record of a namespace or set.
//!
//! A scan walks the index shard by shard, copying one shard's entries at a
//! time (about `records / 16384` entries), so memory does not grow with the
//! namespace and writers are blocked only while one shard is copied. Each
//! digest lies in exactly one shard and each shard is copied once, so no
//! record is returned twice; each record is read at its newest version when
//! the scan reaches it, and records deleted before then are skipped.

use super::Namespace;
use crate::bin::Bins;
use crate::error::Result;
use crate::index::{IndexEntry, SHARDS, TOMBSTONE_SET};
use crate::record::Record;
use std::sync::Arc;

/// An iterator over the live records of a namespace (or one set).
#[derive(Debug)]
pub(crate) struct Scan {
    ns: Option<Arc<Namespace>>,
    set_id: Option<u16>,
    bins: Bins,
    shard: usize,
    batch: Vec<IndexEntry>,
    pos: usize,
    /// The database clock when the current batch was taken.
    now: u32,
}

impl Scan {
    /// A scan of `set` (all sets when `None`) of `ns` (nothing when `None`).
    pub(crate) fn new(ns: Option<Arc<Namespace>>, set: Option<&str>, bins: Bins) -> Scan {
        let (ns, set_id) = match (ns, set) {
            (Some(ns), Some(name)) => match ns.sets.find(name) {
                Some(id) => (Some(ns), Some(id)),
                None => (None, None),
            },
            (ns, _) => (ns, None),
        };
        Scan {
            ns,
            set_id,
            bins,
            shard: 0,
            batch: Vec::new(),
            pos: 0,
            now: 0,
        }
    }
}

impl Iterator for Scan {
    type Item = Result<Record>;

    fn next(&mut self) -> Option<Result<Record>> {
        let ns = self.ns.as_ref()?;
        loop {
            while self.pos >= self.batch.len() {
                if self.shard >= SHARDS {
                    return None;
                }
                ns.index
                    .shard_entries_after(self.shard, None, &mut self.batch);
                self.shard += 1;
                self.pos = 0;
                self.now = ns.now_citrus();
            }
            let e = self.batch[self.pos];
            self.pos += 1;
            if e.set_id == TOMBSTONE_SET || self.set_id.is_some_and(|id| id != e.set_id) {
                continue;
            }
            let now = self.now;
            match ns.live(&e.digest, now) {
                Err(err) => return Some(Err(err)),
                Ok(None) => continue,
                Ok(Some(current)) => {
                    if self.set_id.is_some_and(|id| id != current.entry.set_id) {
                        continue;
                    }
                    return Some(ns.record_of(&current, &self.bins, now));
                }
            }
        }
    }
}
