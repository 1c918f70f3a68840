//! Opening a namespace: reading the index back from its snapshot, or
//! rebuilding it from the segments.

use super::sets::Sets;
use super::snapshot::{self, Snapshot};
use super::Namespace;
use crate::clock::unix_nanos;
use crate::counter::StripedCounter;
use crate::error::Result;
use crate::index::{cmp_digest, shard_of, Index, IndexEntry, SHARDS, TOMBSTONE_SET};
use crate::options::{NamespaceConfig, Options};
use crate::storage::entry::{padded, EntryKind};
use crate::storage::log::{Log, StateCheck};
use parking_lot::Mutex;
use std::path::Path;
use std::sync::atomic::AtomicU64;
use std::sync::Arc;

/// One version of a record seen while recovering.
struct Version {
    entry: IndexEntry,
    seq: u64,
    len: u32,
}

impl Namespace {
    /// Opens the namespace stored in `dir` (creating it if empty).
    ///
    /// For every digest the entry with the highest write sequence wins,
    /// wherever it lies; a winning tombstone stays in the index as a
    /// tombstone, so an older version can never come back.
    ///
    /// After a clean close the index is instead read back from the index
    /// snapshot when it matches the directory exactly; either way the
    /// snapshot is deleted (durably) before the namespace exists, so it can
    /// never be used once a write may have followed it.
    pub(crate) fn open(
        dir: &Path,
        config: NamespaceConfig,
        options: &Options,
    ) -> Result<Namespace> {
        let clock = Arc::clone(&options.clock);
        let sweep_mark = super::expiry::load_sweep_mark(dir);
        let offered = offered_snapshot(dir, &config.name, options.verify_on_open, sweep_mark);
        snapshot::remove(&options.io(), dir)?;
        let sets = Sets::default();
        let mut set_error = None;
        let mut last_set: Option<(Vec<u8>, u16)> = None;
        // Every version goes into its shard's pile; each pile is sorted and
        // reduced to the newest version per digest at the end, which is much
        // cheaper than a search and a sorted insert per entry.
        let mut piles: Vec<Vec<Version>> = (0..SHARDS).map(|_| Vec::new()).collect();
        let (log, mut recovery, check) = Log::open_with_state(
            &options.io(),
            dir,
            options.segment_size,
            unix_nanos(clock.now()),
            options.verify_on_open,
            offered.as_ref().map(|(s, _)| &s.log),
            |loc, e| {
                let set_id = match e.meta.kind {
                    EntryKind::Stream => {
                        // A stream's entry has no place in a namespace: it is
                        // not a record version, so it is left alone.
                        log::warn!(
                            "ignoring a stream entry at {loc:?} in namespace directory {}",
                            dir.display()
                        );
                        return;
                    }
                    EntryKind::Tombstone => TOMBSTONE_SET,
                    EntryKind::Record => match &last_set {
                        Some((name, id)) if name.as_slice() == e.set => *id,
                        _ => {
                            let id = match sets.id_of(&String::from_utf8_lossy(e.set)) {
                                Ok(id) => id,
                                Err(err) => {
                                    set_error.get_or_insert(err);
                                    0
                                }
                            };
                            last_set = Some((e.set.to_vec(), id));
                            id
                        }
                    },
                };
                piles[shard_of(&e.meta.digest)].push(Version {
                    entry: IndexEntry {
                        digest: e.meta.digest,
                        seg: loc.seg,
                        off: loc.off,
                        void_time: e.meta.void_time,
                        generation: e.meta.generation,
                        set_id,
                    },
                    seq: e.meta.seq,
                    len: e.len as u32,
                });
            },
        )?;
        let index = Index::new();
        let mut sets = sets;
        match (check, offered) {
            (StateCheck::Used, Some((snap, snap_sets))) => {
                // Live bytes, data ends and the next sequence came with the
                // log state; the entries go in as they were at the close.
                for (shard, entries) in snap.shards.into_iter().enumerate() {
                    index.load_shard(shard, entries);
                }
                sets = snap_sets;
                recovery.index_from_snapshot = true;
                recovery.snapshot_entries = index.len();
                piles.clear();
                log::info!(
                    "namespace {:?}: index read from its snapshot ({} entries)",
                    config.name,
                    index.len()
                );
            }
            (StateCheck::Rejected(why), _) => log::warn!(
                "namespace {:?}: index snapshot ignored, rebuilding the index: {why}",
                config.name
            ),
            _ => {}
        }
        // Versions the last persisted sweep expired are tombstones again, as
        // they were before the restart (their bytes are dead).
        let mut seg_cache: Option<Arc<crate::storage::segment::Segment>> = None;
        for (shard, mut pile) in piles.into_iter().enumerate() {
            if pile.is_empty() {
                continue;
            }
            // Newest version of each digest first, then keep only it.
            pile.sort_unstable_by(|a, b| {
                cmp_digest(&a.entry.digest, &b.entry.digest).then(b.seq.cmp(&a.seq))
            });
            pile.dedup_by(|later, first| {
                cmp_digest(&later.entry.digest, &first.entry.digest).is_eq()
            });
            for v in pile.iter_mut() {
                if v.entry.set_id != TOMBSTONE_SET && sweep_mark.covers(v.entry.void_time, v.seq) {
                    v.entry.set_id = TOMBSTONE_SET;
                    v.entry.void_time = 0;
                    continue;
                }
                if seg_cache.as_ref().is_none_or(|s| s.id() != v.entry.seg) {
                    seg_cache = log.segment(v.entry.seg);
                }
                if let Some(seg) = &seg_cache {
                    seg.add_live(padded(v.len as usize) as u64);
                }
            }
            index.load_shard(shard, pile.into_iter().map(|v| v.entry).collect());
        }
        let truncations = super::truncate::load(dir)?;
        // Sequence numbers never go back below a durable truncation's or
        // sweep mark's cut-off (the writes below it may have been lost in a
        // power loss, and a later write must not fall under the cut-off).
        // A sweep mark of the old form has no real cut-off (u64::MAX).
        let sweep_cut = Some(sweep_mark.before_seq).filter(|&s| s != u64::MAX);
        if let Some(seq) = truncations
            .iter()
            .map(|m| m.before_seq)
            .chain(sweep_cut)
            .max()
        {
            log.advance_next_seq(seq);
        }
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
            locks: super::locks::RecordLocks::new(),
            clock,
            durability: options.durability,
            split_batches: options.batch_threads == 2,
            recovery,
            counts: StripedCounter::default(),
            expired: AtomicU64::new(0),
            evicted: AtomicU64::new(0),
            lost: AtomicU64::new(0),
            expiry: super::expiry::ExpiryQueue::new(),
            sweep_examined: AtomicU64::new(0),
            compact_lock: Mutex::new(()),
            relieve_lock: Mutex::new(()),
            sweep_mark: Mutex::new(sweep_mark),
            wake: std::sync::OnceLock::new(),
        };
        ns.apply_truncations();
        let mut tombstones = 0u64;
        ns.index.for_each_mut(|e| {
            if e.set_id == TOMBSTONE_SET {
                tombstones += 1;
            } else if e.void_time != 0 {
                ns.expiry.push(e.void_time, e.digest);
            }
        });
        let records = ns.index.len().saturating_sub(tombstones);
        ns.counts.set((records << 32) | tombstones);
        Ok(ns)
    }
}

/// The snapshot of `dir` (with its sets) if there is one that may be offered
/// to the log: readable, of this version, and taken under the sweep mark the
/// directory holds now. Why not is logged.
fn offered_snapshot(
    dir: &Path,
    name: &str,
    verify: bool,
    sweep_mark: super::expiry::SweepMark,
) -> Option<(Snapshot, Sets)> {
    let why = match snapshot::read(dir) {
        Ok(None) => return None,
        Ok(Some(_)) if verify => {
            log::info!(
                "namespace {name:?}: index snapshot not used: verify_on_open walks every segment"
            );
            return None;
        }
        Ok(Some(snap)) if snap.sweep != sweep_mark => {
            "the sweep mark changed after it was written".to_string()
        }
        Ok(Some(mut snap)) => match Sets::from_names(std::mem::take(&mut snap.sets)) {
            Some(sets) => return Some((snap, sets)),
            None => "its set names are invalid".to_string(),
        },
        Err(why) => why,
    };
    log::warn!("namespace {name:?}: index snapshot ignored, rebuilding the index: {why}");
    None
}
