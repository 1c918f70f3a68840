//! `truncate`: dropping every record of a set (or namespace) last updated
//! before a cut-off, without writing one tombstone per record.
//!
//! A truncation is stored as a marker in the namespace's `truncations`
//! metadata file: the set (or all sets), a last-update cut-off and a sequence
//! cut-off. A record version is truncated when its set matches, its sequence
//! is below the sequence cut-off (it was written before the call) and its
//! last-update time is below the time cut-off. The marker is durable before
//! any record disappears from the index; at open, markers are applied again
//! to the rebuilt index, so truncated records never come back.

use super::Namespace;
use crate::clock::unix_nanos;
use crate::error::{Error, Result};
use crate::index::{IndexEntry, Step, SHARDS, TOMBSTONE_SET};
use crate::storage::entry::{EntryRef, FLAG_MIXED_SETS};
use crate::storage::meta;
use std::path::Path;
use std::time::SystemTime;

/// File name of the truncation markers.
pub(crate) const TRUNCATIONS_FILE: &str = "truncations";
const MAGIC: &[u8; 8] = b"ALITETRN";

/// One truncation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Marker {
    /// The set, or `None` for the whole namespace.
    pub set: Option<String>,
    /// Versions last updated before this (Unix nanoseconds) are truncated...
    pub before_nanos: u64,
    /// ...if they were written before the truncation (sequence below this).
    pub before_seq: u64,
}

impl Marker {
    /// Whether `e` (a record version) is truncated by this marker.
    pub(crate) fn covers(&self, e: &EntryRef<'_>) -> bool {
        e.meta.seq < self.before_seq
            && e.meta.last_update < self.before_nanos
            && self.set.as_deref().is_none_or(|s| s.as_bytes() == e.set)
    }
}

fn encode(markers: &[Marker]) -> Vec<u8> {
    let mut b = Vec::new();
    b.extend_from_slice(&(markers.len() as u32).to_le_bytes());
    for m in markers {
        b.extend_from_slice(&m.before_nanos.to_le_bytes());
        b.extend_from_slice(&m.before_seq.to_le_bytes());
        match &m.set {
            None => b.push(0xff),
            Some(s) => {
                b.push(s.len() as u8);
                b.extend_from_slice(s.as_bytes());
            }
        }
    }
    b
}

fn decode(b: &[u8]) -> Option<Vec<Marker>> {
    let n = u32::from_le_bytes(b.get(0..4)?.try_into().ok()?) as usize;
    let mut at = 4;
    let mut out = Vec::with_capacity(n.min(b.len()));
    for _ in 0..n {
        let before_nanos = u64::from_le_bytes(b.get(at..at + 8)?.try_into().ok()?);
        let before_seq = u64::from_le_bytes(b.get(at + 8..at + 16)?.try_into().ok()?);
        let sl = *b.get(at + 16)?;
        at += 17;
        let set = if sl == 0xff {
            None
        } else {
            let s = std::str::from_utf8(b.get(at..at + usize::from(sl))?).ok()?;
            at += usize::from(sl);
            Some(s.to_string())
        };
        out.push(Marker {
            set,
            before_nanos,
            before_seq,
        });
    }
    Some(out)
}

/// Loads the markers of the namespace in `dir`.
///
/// # Errors
/// [`Error::Corruption`] when the file is damaged: opening without the
/// markers could bring truncated records back, so the namespace is not
/// opened; the message says how to accept that and go on.
pub(crate) fn load(dir: &Path) -> Result<Vec<Marker>> {
    let damaged = || Error::Corruption {
        message: format!(
            "the truncation markers {} are damaged; without them truncated records would \
             come back, so the namespace is not opened. Restore the file from a backup, or \
             delete it to open the namespace with every truncation undone",
            dir.join(TRUNCATIONS_FILE).display()
        ),
    };
    match meta::read(dir, TRUNCATIONS_FILE, MAGIC) {
        Ok(None) => Ok(Vec::new()),
        Ok(Some(body)) => decode(&body).ok_or_else(damaged),
        Err(Error::Corruption { .. }) => Err(damaged()),
        Err(e) => Err(e),
    }
}

impl Namespace {
    /// `Db::truncate` for this namespace: how many records it removed.
    pub(crate) fn truncate(&self, set: Option<&str>, before: Option<SystemTime>) -> Result<u64> {
        let now = self.clock.now();
        if before.is_some_and(|b| b > now) {
            return Err(Error::ParameterError(
                "truncate cut-off is in the future; pass None to truncate everything written so far".into(),
            ));
        }
        let set_id = match set {
            None => None,
            Some(name) => match self.sets.find(name) {
                Some(id) => Some(id),
                // No record was ever written to this set.
                None => return Ok(0),
            },
        };
        // No defragmentation while the index is pruned: a copy would get a
        // fresh sequence number and escape the marker.
        let _no_defrag = self.compact_lock.lock();
        // Every write that got a sequence number below the cut-off must have
        // reached the index before the index is pruned: wait for the writes
        // in flight by taking every record lock once.
        let before_seq = {
            let _all = self.locks.lock_all();
            self.log.next_seq()
        };
        let marker = Marker {
            set: set.map(str::to_string),
            before_nanos: before.map_or(u64::MAX, unix_nanos),
            before_seq,
        };
        {
            let mut markers = self.truncations.lock();
            markers.push(marker.clone());
            match meta::write(
                self.log.io(),
                &self.dir,
                TRUNCATIONS_FILE,
                MAGIC,
                &encode(&markers),
            ) {
                Ok(()) => {}
                Err(meta::WriteFailure::Clean(e)) => {
                    markers.pop();
                    return Err(e);
                }
                Err(meta::WriteFailure::InDoubt(e)) => {
                    // The marker may or may not survive a crash: stop all
                    // writes until reopen, which decides from the disk.
                    self.log.poison(&e);
                    return Err(e);
                }
            }
        }
        let mut removed = 0u64;
        let mut batch: Vec<IndexEntry> = Vec::new();
        for shard in 0..SHARDS {
            self.index.shard_entries_after(shard, None, &mut batch);
            for e in &batch {
                if e.set_id == TOMBSTONE_SET || set_id.is_some_and(|id| id != e.set_id) {
                    continue;
                }
                let Some(seg) = self.log.segment(e.seg) else {
                    continue;
                };
                // `Some(mixed)` when the marker covers this version.
                let verdict = seg
                    .read(e.off)
                    .ok()
                    .filter(|v| marker.covers(v))
                    .map(|v| v.meta.flags & FLAG_MIXED_SETS != 0);
                let Some(mixed) = verdict else {
                    continue;
                };
                // The transition re-checks under the shard lock that the
                // entry is still this record version: a sweep that turned it
                // into a tombstone meanwhile is not undone or counted twice.
                let at = e.loc();
                let changed = self.transition(&e.digest, |cur| {
                    cur.filter(|c| c.is_at(at) && c.set_id != TOMBSTONE_SET)
                        .map(|c| truncated(c, mixed))
                });
                if changed.is_some() {
                    removed += 1;
                }
            }
        }
        Ok(removed)
    }

    /// Drops from the rebuilt index the record versions that `markers`
    /// truncate (at open), leaving a tombstone where older versions may lie
    /// in other sets, as [`Namespace::truncate`] does.
    pub(crate) fn apply_truncations(&self) {
        let markers = self.truncations.lock().clone();
        if markers.is_empty() {
            return;
        }
        let mut mixed = Vec::new();
        self.index.retain(|e| {
            if e.set_id == TOMBSTONE_SET {
                return true;
            }
            let Some(seg) = self.log.segment(e.seg) else {
                return true;
            };
            let verdict = seg
                .read(e.off)
                .ok()
                .filter(|v| markers.iter().any(|m| m.covers(v)))
                .map(|v| v.meta.flags & FLAG_MIXED_SETS != 0);
            match verdict {
                None => true,
                Some(true) => {
                    mixed.push(*e);
                    true
                }
                Some(false) => {
                    self.log.release(e.loc());
                    false
                }
            }
        });
        for e in mixed {
            let at = e.loc();
            self.index.update(
                &e.digest,
                |cur| cur.filter(|c| c.is_at(at)).map(|c| truncated(c, true)),
                |_, _| self.log.release(at),
            );
        }
    }
}

/// What a truncation does to the index entry of a version it covers: removes
/// it, or, when an older version of the digest may belong to another set
/// (which the marker does not cover), turns it into a tombstone whose horizon
/// is the version's segment, so defragmentation keeps that older version dead
/// as it does for deletes.
fn truncated(cur: &IndexEntry, mixed_sets: bool) -> Step {
    match mixed_sets {
        false => Step::Remove,
        true => Step::Put(IndexEntry {
            set_id: TOMBSTONE_SET,
            void_time: 0,
            ..*cur
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markers_round_trip() {
        let m = vec![
            Marker {
                set: Some("users".into()),
                before_nanos: 5,
                before_seq: 9,
            },
            Marker {
                set: None,
                before_nanos: u64::MAX,
                before_seq: 1,
            },
        ];
        assert_eq!(decode(&encode(&m)), Some(m));
        assert_eq!(decode(&[1, 0, 0, 0, 1]), None);
    }
}
