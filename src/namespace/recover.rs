//! Opening a namespace: rebuilding the index from the segments.

use super::sets::Sets;
use super::{Namespace, LOCK_STRIPES};
use crate::clock::unix_nanos;
use crate::error::Result;
use crate::index::{Index, IndexEntry, TOMBSTONE_SET};
use crate::options::{NamespaceConfig, Options};
use crate::storage::entry::{padded, EntryKind};
use crate::storage::log::{Location, Log};
use parking_lot::Mutex;
use std::path::Path;
use std::sync::atomic::AtomicU64;
use std::sync::Arc;

impl Namespace {
    /// Opens the namespace stored in `dir` (creating it if empty).
    ///
    /// For every digest the entry with the highest write sequence wins,
    /// wherever it lies; a winning tombstone stays in the index as a
    /// tombstone, so an older version can never come back.
    pub(crate) fn open(
        dir: &Path,
        config: NamespaceConfig,
        options: &Options,
    ) -> Result<Namespace> {
        let clock = Arc::clone(&options.clock);
        let index = Index::new();
        let sets = Sets::default();
        let mut set_error = None;
        let (log, recovery) = Log::open(
            &options.io(),
            dir,
            options.segment_size,
            unix_nanos(clock.now()),
            options.verify_on_open,
            |loc, e, view| {
                let set_id = match e.meta.kind {
                    EntryKind::Tombstone => TOMBSTONE_SET,
                    EntryKind::Record => {
                        let name = String::from_utf8_lossy(e.set);
                        match sets.id_of(&name) {
                            Ok(id) => id,
                            Err(err) => {
                                set_error.get_or_insert(err);
                                0
                            }
                        }
                    }
                };
                let new = IndexEntry {
                    digest: e.meta.digest,
                    seg: loc.seg,
                    off: loc.off,
                    void_time: e.meta.void_time,
                    generation: e.meta.generation,
                    set_id,
                };
                let newer = match index.get(&e.meta.digest) {
                    None => true,
                    Some(old) => {
                        let old_loc = Location {
                            seg: old.seg,
                            off: old.off,
                        };
                        match view.seq_and_len_at(old_loc) {
                            Some((seq, _)) if seq >= e.meta.seq => false,
                            Some((_, len)) => {
                                view.debit(old_loc.seg, padded(len));
                                true
                            }
                            None => true,
                        }
                    }
                };
                if newer {
                    index.insert(new);
                    view.credit(loc.seg, padded(e.len));
                }
            },
        )?;
        let truncations = super::truncate::load(dir)?;
        if let Some(err) = set_error {
            log::warn!(
                "namespace {:?}: {err}; those records are listed under the empty set",
                config.name
            );
        }
        if recovery.corrupt_regions > 0 || recovery.bad_headers > 0 || recovery.torn_tail_bytes > 0
        {
            log::warn!(
                "namespace {:?} recovered with damage: {recovery:?}",
                config.name
            );
        }
        let ns = Namespace {
            name: config.name.clone(),
            dir: dir.to_path_buf(),
            truncations: Mutex::new(truncations),
            config,
            log,
            index,
            sets,
            locks: (0..LOCK_STRIPES).map(|_| Mutex::new(())).collect(),
            clock,
            durability: options.durability,
            recovery,
            tombstones: AtomicU64::new(0),
            expired: AtomicU64::new(0),
            evicted: AtomicU64::new(0),
            expiry: super::expiry::ExpiryQueue::new(),
            sweep_examined: AtomicU64::new(0),
            compact_lock: Mutex::new(()),
            wake: std::sync::OnceLock::new(),
        };
        ns.apply_truncations();
        let mut tombstones = 0u64;
        ns.index.for_each(|e| {
            if e.set_id == TOMBSTONE_SET {
                tombstones += 1;
            } else if e.void_time != 0 {
                ns.expiry.push(e.void_time, e.digest);
            }
        });
        ns.tombstones
            .store(tombstones, std::sync::atomic::Ordering::Relaxed);
        Ok(ns)
    }
}
