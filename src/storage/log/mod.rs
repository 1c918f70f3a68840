//! A namespace's log: its segments and the appender (this file), opening
//! and recovery (`open.rs`), group commit (`commit.rs`), and the files beside
//! the segments: hints, removal, length checks (`files.rs`).

use super::entry::{self, EntryKind, NewEntry, FLAG_MIXED_SETS, HEADER_LEN};
use super::hint::{self, EntryInfo, HintWriter};
use super::io::Io;
use super::recovery::{self, RecoveryReport};
use super::segment::{self, AppendRight, Segment, SEGMENT_HEADER_LEN};
use crate::error::{Error, Result};
use parking_lot::{Condvar, Mutex};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

/// Where an entry lives.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) struct Location {
    pub seg: u32,
    pub off: u32,
}

struct Appender {
    active: Arc<Segment>,
    /// The right to append to `active`.
    right: AppendRight,
    next_seq: u64,
    next_id: u32,
}

#[derive(Clone, Copy)]
struct SyncState {
    /// Everything before this position is durable.
    durable: (u32, usize),
    /// A leader is flushing right now.
    flushing: bool,
}

/// The segments of one namespace and the machinery to append to them.
pub(crate) struct Log {
    io: Io,
    dir: PathBuf,
    segment_size: u64,
    segments: table::SegmentTable,
    appender: Mutex<Appender>,
    sync_state: Mutex<SyncState>,
    synced: Condvar,
    poisoned: AtomicBool,
    poison_message: Mutex<String>,
    /// Serialises writing a hint with removing its segment, so that no hint
    /// outlives its segment.
    hints: Mutex<()>,
}

impl std::fmt::Debug for Log {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Log")
            .field("dir", &self.dir)
            .finish_non_exhaustive()
    }
}

mod commit;
mod files;
mod open;
mod state;
mod table;

pub(crate) use open::MAX_SEQ;
pub(crate) use state::{LogState, SegmentState, StateCheck};

impl Log {
    /// The file-system seam.
    pub(crate) fn io(&self) -> &Io {
        &self.io
    }

    /// Largest entry (without padding) that fits in one segment.
    pub(crate) fn max_entry_len(&self) -> u64 {
        self.segment_size - SEGMENT_HEADER_LEN as u64
    }

    /// The segment with this id, if it still exists.
    pub(crate) fn segment(&self, id: u32) -> Option<Arc<Segment>> {
        self.segments.read().get(&id).cloned()
    }

    /// Runs `f` on the segment with this id, if it still exists, without
    /// taking a reference to it (the read path: no shared count to bump).
    /// `f` must not touch the log's segments itself.
    #[inline]
    pub(crate) fn with_segment<R>(&self, id: u32, f: impl FnOnce(&Arc<Segment>) -> R) -> Option<R> {
        self.segments.read().get(&id).map(f)
    }

    /// Loads the first byte of each entry at `locs`, back to back, under one
    /// read lock of the segment table: a reader about to read several
    /// entries lets their cache misses overlap (the index's `warm` explains
    /// why one lock, and why plain loads). The caller looks the locations
    /// up before: an index lookup under the table's lock would take the
    /// locks in the wrong order.
    pub(crate) fn warm_entries(&self, locs: impl Iterator<Item = Location>) {
        let table = self.segments.read();
        let bytes = locs.fold(0u8, |acc, loc| {
            let byte = table
                .get(&loc.seg)
                .and_then(|seg| seg.published().get(loc.off as usize).copied());
            acc ^ byte.unwrap_or(0)
        });
        std::hint::black_box(bytes);
    }

    /// Fails with `Error::Poisoned` once a flush or fsync has failed.
    pub(crate) fn check_poison(&self) -> Result<()> {
        if self.poisoned.load(Ordering::Acquire) {
            return Err(Error::Poisoned {
                message: self.poison_message.lock().clone(),
            });
        }
        Ok(())
    }

    /// Refuses all further writes until reopen (after a failed fsync).
    pub(crate) fn poison(&self, e: &Error) {
        let mut m = self.poison_message.lock();
        if m.is_empty() {
            *m = e.to_string();
        }
        self.poisoned.store(true, Ordering::Release);
        log::error!("fsync failed, refusing further writes until reopen: {e}");
    }

    /// Appends `e` with the next sequence number. Returns where it went and
    /// whether a new segment was started for it.
    ///
    /// # Errors
    /// [`Error::RecordTooBig`] when `e` does not fit in a segment of the
    /// configured size.
    pub(crate) fn append(&self, e: &NewEntry<'_>, now_nanos: u64) -> Result<(Location, bool)> {
        self.append_entry(e, now_nanos, false)
            .map(|(loc, rotated, _)| (loc, rotated))
    }

    /// Appends `e` like [`Log::append_moved`] (an entry too large for a
    /// segment gets one of its own) and returns where it went and its
    /// sequence number.
    pub(crate) fn append_any_size(
        &self,
        e: &NewEntry<'_>,
        now_nanos: u64,
    ) -> Result<(Location, u64)> {
        self.append_entry(e, now_nanos, true)
            .map(|(loc, _, seq)| (loc, seq))
    }

    /// Appends an entry that already exists in the log (a defragmentation
    /// copy). Unlike [`Log::append`] it never refuses an entry for its size:
    /// one written when segments were larger gets a segment of its own,
    /// sized to fit, so its old segment can still be reclaimed.
    pub(crate) fn append_moved(
        &self,
        e: &NewEntry<'_>,
        now_nanos: u64,
    ) -> Result<(Location, bool)> {
        self.append_entry(e, now_nanos, true)
            .map(|(loc, rotated, _)| (loc, rotated))
    }

    fn append_entry(
        &self,
        e: &NewEntry<'_>,
        now_nanos: u64,
        any_size: bool,
    ) -> Result<(Location, bool, u64)> {
        let len = e.len();
        let fits = len as u64 <= self.max_entry_len();
        let own_size = (SEGMENT_HEADER_LEN + entry::padded(len)).next_multiple_of(4096) as u64;
        let may_have_own = any_size && own_size <= segment::MAX_SEGMENT_SIZE;
        if !(fits || may_have_own) {
            return Err(Error::RecordTooBig {
                size: len as u64,
                limit: self.max_entry_len(),
            });
        }
        let padded = entry::padded(len);
        let mut header = [0u8; HEADER_LEN];
        let mut a = self.appender.lock();
        self.check_poison()?;
        let rotated = a.active.end() + padded > a.active.len();
        if rotated {
            let size = match fits {
                true => self.segment_size,
                false => own_size.max(segment::MIN_SEGMENT_SIZE),
            };
            self.rotate(&mut a, now_nanos, size)?;
        }
        let seq = a.next_seq;
        if seq == MAX_SEQ {
            // Unreachable unless a segment was forged: recovery never lets
            // `next_seq` reach MAX_SEQ.
            return Err(Error::Corruption {
                message: format!(
                    "write sequence numbers of {} are exhausted",
                    self.dir.display()
                ),
            });
        }
        a.next_seq = seq + 1;
        e.encode_header(seq, &mut header);
        let appender = &mut *a;
        let (off, new_chunk) = appender.active.append(
            &mut appender.right,
            &[&header, e.set, e.key, e.payload],
            padded,
        )?;
        appender.active.add_live(padded as u64);
        // Offsets fit in u32: segments are at most MAX_SEGMENT_SIZE.
        let loc = Location {
            seg: appender.active.id(),
            off: off as u32,
        };
        // The next chunk's pages are faulted in outside the lock (rarely:
        // once per chunk, so the `Arc` clone is rare too).
        let prefault = new_chunk.then(|| Arc::clone(&appender.active));
        drop(a);
        if let Some(seg) = prefault {
            seg.prefault_after(off + padded);
        }
        Ok((loc, rotated, seq))
    }

    fn rotate(&self, a: &mut Appender, now_nanos: u64, size: u64) -> Result<()> {
        let id = a.next_id;
        // Ids are never reused, even after a failed creation.
        a.next_id = id.saturating_add(1);
        let mut seg = Segment::create(&self.io, &self.dir, id, size, a.next_seq, now_nanos)?;
        let right = seg.append_right().ok_or_else(|| Error::Corruption {
            message: "internal error: a new segment's append right was taken".into(),
        })?;
        let seg = Arc::new(seg);
        if let Err(e) = self.io.sync_dir(&self.dir) {
            let e = Error::Io(e);
            self.poison(&e);
            return Err(e);
        }
        self.segments.insert(id, &seg);
        a.active = seg;
        a.right = right;
        Ok(())
    }

    /// Makes the next sequence number at least `seq`. Recovery calls it with
    /// the cut-offs of durable metadata (truncation markers): writes lost in
    /// a power loss must not have their sequence numbers handed out again
    /// below a cut-off that survived, or new writes would fall under it.
    pub(crate) fn advance_next_seq(&self, seq: u64) {
        let mut a = self.appender.lock();
        a.next_seq = a.next_seq.max(seq);
    }

    /// The next sequence number (everything written so far is below it).
    pub(crate) fn next_seq(&self) -> u64 {
        self.appender.lock().next_seq
    }

    // The lookups below borrow the segment (no `Arc` clone): they run on
    // every write, some inside an index transition.

    /// Marks the entry at `loc` dead in its segment's live-byte count.
    pub(crate) fn release(&self, loc: Location) {
        self.with_segment(loc.seg, |seg| {
            if let Some(len) = seg.len_at(loc.off) {
                seg.sub_live(entry::padded(len) as u64);
            }
        });
    }

    /// The sequence number of the entry at `loc` (read from its header).
    pub(crate) fn seq_at(&self, loc: Location) -> Option<u64> {
        self.with_segment(loc.seg, |seg| seg.seq_at(loc.off))?
    }

    /// The kind of the entry at `loc` (read from its header).
    pub(crate) fn kind_at(&self, loc: Location) -> Option<EntryKind> {
        self.with_segment(loc.seg, |seg| seg.kind_at(loc.off))?
    }

    /// What a new version of a digest needs to know of the previous one at
    /// `loc`: its last-update time, and whether older versions may lie in
    /// other sets than `set` (the previous version's set differs, or it
    /// carries [`FLAG_MIXED_SETS`] itself). `None` if it cannot be read.
    pub(crate) fn lineage_at(&self, loc: Location, set: &[u8]) -> Option<(u64, bool)> {
        self.with_segment(loc.seg, |seg| {
            let lut = seg.last_update_at(loc.off)?;
            let (flags, prev_set) = seg.flags_and_set_at(loc.off)?;
            Some((lut, flags & FLAG_MIXED_SETS != 0 || prev_set != set))
        })?
    }

    /// The sealed segments (all but the one being appended to), in id order.
    pub(crate) fn sealed_segments(&self) -> Vec<Arc<Segment>> {
        let active = self.appender.lock().active.id();
        self.segments
            .read()
            .values()
            .filter(|s| s.id() != active)
            .cloned()
            .collect()
    }

    /// Whether any segment other than `except` has an id at or below `id`.
    pub(crate) fn has_segment_at_or_below(&self, id: u32, except: u32) -> bool {
        self.segments.read().range(..=id).any(|(&k, _)| k != except)
    }

    /// Bytes of disk the namespace's data takes: whole sealed segments plus
    /// the written part of the active one.
    pub(crate) fn used_bytes(&self) -> u64 {
        let active = self.appender.lock().active.id();
        self.segments
            .read()
            .values()
            .map(|s| if s.id() == active { s.end() } else { s.len() } as u64)
            .sum()
    }

    /// Bytes of all segment files.
    pub(crate) fn disk_bytes(&self) -> u64 {
        self.segments.read().values().map(|s| s.len() as u64).sum()
    }

    /// Bytes of live record versions.
    pub(crate) fn live_bytes(&self) -> u64 {
        self.segments.read().values().map(|s| s.live_bytes()).sum()
    }

    /// Number of segment files.
    pub(crate) fn segment_count(&self) -> u64 {
        self.segments.read().len() as u64
    }
}
