//! A namespace's log: its segments, the appender and group commit.

use super::entry::{self, EntryKind, NewEntry, FLAG_MIXED_SETS, HEADER_LEN};
use super::hint::{self, EntryInfo, HintWriter};
use super::io::Io;
use super::recovery::{self, RecoveryReport};
use super::segment::{self, AppendRight, Segment, SEGMENT_HEADER_LEN};
use crate::error::{Error, Result};
use parking_lot::{Condvar, Mutex, RwLock};
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
    segments: RwLock<BTreeMap<u32, Arc<Segment>>>,
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

/// The one sequence number never written: an entry claiming it (forged, or
/// damage that kept its CRC valid) is skipped at open, since no write could
/// follow it.
pub(crate) const MAX_SEQ: u64 = u64::MAX;

/// Reports an entry whose sequence number is [`MAX_SEQ`] as damaged.
fn impossible_seq(report: &mut RecoveryReport, seg: &Segment, off: u32, len: u64) {
    report.corrupt_regions += 1;
    report.corrupt_bytes += entry::padded(len as usize) as u64;
    log::warn!(
        "skipping the entry at offset {off} of {}: its sequence number {MAX_SEQ} is impossible",
        seg.path().display()
    );
}

impl Log {
    /// Opens (creating if needed) the log in `dir`, calling `visit` for every
    /// valid entry in segment and offset order.
    ///
    /// Sealed segments with a valid hint file are read from the hint unless
    /// `verify` asks for every segment to be walked and checked.
    pub(crate) fn open(
        io: &Io,
        dir: &Path,
        segment_size: u64,
        now_nanos: u64,
        verify: bool,
        mut visit: impl FnMut(Location, &EntryInfo<'_>),
    ) -> Result<(Log, RecoveryReport)> {
        io.create_dir_all(dir)?;
        let mut ids = Vec::new();
        for item in std::fs::read_dir(dir)? {
            let item = item?;
            if let Some(id) = item.file_name().to_str().and_then(segment::parse_file_name) {
                ids.push(id);
            }
        }
        ids.sort_unstable();
        let mut report = RecoveryReport::default();
        let mut segs = Vec::with_capacity(ids.len());
        let mut good_header = Vec::with_capacity(ids.len());
        let mut next_seq = 1u64;
        for &id in &ids {
            let (mut seg, header) = Segment::open(io, &dir.join(segment::file_name(id)), id)?;
            seg.set_end(seg.len());
            if header.is_none() && recovery::all_zero(seg.published()) {
                // Created but never written (a crash before its header was
                // written): it holds nothing, so it goes.
                log::info!("removing unwritten segment {}", seg.path().display());
                let path = seg.path().to_path_buf();
                drop(seg);
                io.remove(&path)?;
                continue;
            }
            report.segments += 1;
            // A base sequence of u64::MAX (forged, or damage that kept the
            // CRC valid) would leave no sequence for the next write.
            let header = header.filter(|h| h.base_seq < MAX_SEQ);
            match header {
                Some(h) => next_seq = next_seq.max(h.base_seq),
                None => {
                    report.bad_headers += 1;
                    log::warn!(
                        "segment {} has a damaged header; reading its entries anyway",
                        seg.path().display()
                    );
                }
            }
            good_header.push(header.is_some());
            segs.push(seg);
        }
        let mut ends = Vec::with_capacity(segs.len());
        {
            let last_id = segs.last().map(|s| s.id());
            for seg in &segs {
                let id = seg.id();
                let hint = match verify || Some(id) == last_id {
                    true => None,
                    false => hint::load(dir, seg),
                };
                if let Some(hint) = hint {
                    report.hinted_segments += 1;
                    for (off, e) in hint.entries() {
                        if e.meta.seq == MAX_SEQ {
                            impossible_seq(&mut report, seg, off, e.len as u64);
                            continue;
                        }
                        report.entries += 1;
                        next_seq = next_seq.max(e.meta.seq + 1);
                        visit(Location { seg: id, off }, &e);
                    }
                    seg.set_hinted();
                    ends.push(recovery::WalkEnd {
                        data_end: hint.data_end as usize,
                        tail_bytes: 0,
                    });
                    continue;
                }
                let mut impossible = Vec::new();
                let end = recovery::walk(seg.published(), &mut report, |off, e| {
                    if e.meta.seq == MAX_SEQ {
                        impossible.push((off, e.len as u64));
                        return;
                    }
                    next_seq = next_seq.max(e.meta.seq + 1);
                    let info = EntryInfo {
                        meta: e.meta,
                        len: e.len,
                        set: e.set,
                    };
                    visit(Location { seg: id, off }, &info);
                });
                for (off, len) in impossible {
                    report.entries -= 1;
                    impossible_seq(&mut report, seg, off, len);
                }
                ends.push(end);
            }
        }
        let last = segs.len().checked_sub(1);
        for (i, (seg, end)) in segs.iter_mut().zip(&ends).enumerate() {
            if end.tail_bytes > 0 {
                if Some(i) == last {
                    report.torn_tail_bytes += end.tail_bytes as u64;
                    log::warn!(
                        "cutting off a torn tail of {} bytes at offset {} of {}",
                        end.tail_bytes,
                        end.data_end,
                        seg.path().display()
                    );
                    seg.zero_tail(end.data_end)?;
                } else {
                    report.corrupt_regions += 1;
                    report.corrupt_bytes += end.tail_bytes as u64;
                    log::warn!(
                        "{} damaged bytes at the end of sealed segment {}",
                        end.tail_bytes,
                        seg.path().display()
                    );
                }
            }
            seg.set_end(end.data_end);
            // Writes of an earlier process may still be only in the page cache.
            seg.sync_file()?;
        }
        let next_id = ids.last().map_or(1, |&id| id.saturating_add(1));
        let reuse_last = match last {
            Some(i) => good_header[i] && segs[i].len() as u64 >= segment::MIN_SEGMENT_SIZE,
            None => false,
        };
        let reused = match (reuse_last, segs.last_mut()) {
            (true, Some(s)) => s.append_right(),
            _ => None,
        };
        let segs: Vec<Arc<Segment>> = segs.into_iter().map(Arc::new).collect();
        let (active, right, next_id) = match (reused, segs.last()) {
            (Some(right), Some(s)) => (Arc::clone(s), right, next_id),
            _ => {
                let mut s = Segment::create(io, dir, next_id, segment_size, next_seq, now_nanos)?;
                let right = s.append_right().ok_or_else(|| Error::Corruption {
                    message: "internal error: a new segment's append right was taken".into(),
                })?;
                io.sync_dir(dir)?;
                (Arc::new(s), right, next_id.saturating_add(1))
            }
        };
        let mut map: BTreeMap<u32, Arc<Segment>> = segs.into_iter().map(|s| (s.id(), s)).collect();
        map.insert(active.id(), Arc::clone(&active));
        let durable = (active.id(), active.end());
        Ok((
            Log {
                io: io.clone(),
                dir: dir.to_path_buf(),
                segment_size,
                segments: RwLock::new(map),
                appender: Mutex::new(Appender {
                    active,
                    right,
                    next_seq,
                    next_id,
                }),
                sync_state: Mutex::new(SyncState {
                    durable,
                    flushing: false,
                }),
                synced: Condvar::new(),
                poisoned: AtomicBool::new(false),
                poison_message: Mutex::new(String::new()),
                hints: Mutex::new(()),
            },
            report,
        ))
    }

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
    }

    fn append_entry(
        &self,
        e: &NewEntry<'_>,
        now_nanos: u64,
        any_size: bool,
    ) -> Result<(Location, bool)> {
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
        let body_crc = e.body_crc();
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
        e.encode_header(seq, body_crc, &mut header);
        let a = &mut *a;
        let off = a
            .active
            .append(&mut a.right, &[&header, e.set, e.key, e.payload], padded)?;
        a.active.add_live(padded as u64);
        // Offsets fit in u32: segments are at most MAX_SEGMENT_SIZE.
        Ok((
            Location {
                seg: a.active.id(),
                off: off as u32,
            },
            rotated,
        ))
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
        self.segments.write().insert(id, Arc::clone(&seg));
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

    /// Marks the entry at `loc` dead in its segment's live-byte count.
    pub(crate) fn release(&self, loc: Location) {
        if let Some(seg) = self.segment(loc.seg) {
            if let Some(len) = seg.len_at(loc.off) {
                seg.sub_live(entry::padded(len) as u64);
            }
        }
    }

    /// The kind of the entry at `loc` (read from its header).
    pub(crate) fn kind_at(&self, loc: Location) -> Option<EntryKind> {
        self.segment(loc.seg)?.kind_at(loc.off)
    }

    /// What a new version of a digest needs to know of the previous one at
    /// `loc`: its last-update time, and whether older versions may lie in
    /// other sets than `set` (the previous version's set differs, or it
    /// carries [`FLAG_MIXED_SETS`] itself). `None` if it cannot be read.
    pub(crate) fn lineage_at(&self, loc: Location, set: &[u8]) -> Option<(u64, bool)> {
        let seg = self.segment(loc.seg)?;
        let lut = seg.last_update_at(loc.off)?;
        let (flags, prev_set) = seg.flags_and_set_at(loc.off)?;
        Some((lut, flags & FLAG_MIXED_SETS != 0 || prev_set != set))
    }

    /// Returns once the entry at `loc` (and everything before it) is durable,
    /// sharing one flush among all writers waiting at the same time.
    pub(crate) fn wait_durable(&self, loc: Location) -> Result<()> {
        let target = (loc.seg, loc.off as usize + 1);
        let mut st = self.sync_state.lock();
        loop {
            self.check_poison()?;
            if st.durable >= target {
                return Ok(());
            }
            if st.flushing {
                self.synced.wait(&mut st);
                continue;
            }
            st.flushing = true;
            let from = st.durable;
            let result = parking_lot::MutexGuard::unlocked(&mut st, || {
                let to = {
                    let a = self.appender.lock();
                    (a.active.id(), a.active.end())
                };
                self.flush_between(from, to).map(|()| to)
            });
            st.flushing = false;
            match result {
                Ok(to) => st.durable = st.durable.max(to),
                Err(e) => self.poison(&e),
            }
            self.synced.notify_all();
        }
    }

    /// Makes everything appended so far durable.
    pub(crate) fn sync(&self) -> Result<()> {
        let (seg, end) = {
            let a = self.appender.lock();
            (a.active.id(), a.active.end())
        };
        if end <= SEGMENT_HEADER_LEN {
            self.check_poison()?;
            return Ok(());
        }
        self.wait_durable(Location {
            seg,
            off: (end - 1) as u32,
        })
    }

    fn flush_between(&self, from: (u32, usize), to: (u32, usize)) -> Result<()> {
        let segs: Vec<Arc<Segment>> = self
            .segments
            .read()
            .range(from.0..=to.0)
            .map(|(_, s)| Arc::clone(s))
            .collect();
        for s in segs {
            let start = if s.id() == from.0 {
                from.1
            } else {
                SEGMENT_HEADER_LEN
            };
            let end = if s.id() == to.0 { to.1 } else { s.end() };
            s.flush(start, end)?;
        }
        Ok(())
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

    /// Writes hint files for sealed segments that have none; returns how many.
    pub(crate) fn write_missing_hints(&self) -> Result<u64> {
        let mut written = 0;
        for seg in self.sealed_segments() {
            if self.write_hint(&seg)? {
                written += 1;
            }
        }
        Ok(written)
    }

    /// Writes the hint file of sealed segment `seg` unless it has one or is
    /// gone; returns whether it wrote one.
    ///
    /// The order is the fsync protocol's (docs/format.md): the segment's data
    /// is made durable, then the hint is written, fsynced, renamed into
    /// place and the directory fsynced. A hint can never describe bytes a
    /// power loss could take away.
    fn write_hint(&self, seg: &Arc<Segment>) -> Result<bool> {
        let _no_removal = self.hints.lock();
        if seg.hinted() || !self.segments.read().contains_key(&seg.id()) || !seg.verify_size() {
            // Hinted already, removed since the caller listed it, or
            // truncated by another process (reading it could fault).
            return Ok(false);
        }
        if let Err(e) = seg.flush(SEGMENT_HEADER_LEN, seg.end()) {
            // The data of the log could not be made durable: as for any failed flush.
            self.poison(&e);
            return Err(e);
        }
        {
            let mut w = HintWriter::new(seg);
            let mut scratch = RecoveryReport::default();
            let end = recovery::walk(seg.published(), &mut scratch, |off, e| {
                w.push(
                    off,
                    &EntryInfo {
                        meta: e.meta,
                        len: e.len,
                        set: e.set,
                    },
                );
            });
            // Offsets fit in u32: segments are at most MAX_SEGMENT_SIZE.
            w.finish(&self.io, &self.dir, seg.id(), end.data_end as u32)?;
        }
        seg.set_hinted();
        Ok(true)
    }

    /// Deletes sealed segment `id` (whose live entries were moved) and makes
    /// the deletion durable. Readers holding it keep their mapping.
    pub(crate) fn remove_segment(&self, id: u32) -> Result<()> {
        let _no_hint_writing = self.hints.lock();
        let removed = {
            let active = self.appender.lock().active.id();
            if id == active {
                return Ok(());
            }
            self.segments.write().remove(&id)
        };
        if let Some(seg) = removed {
            // Tombstones were dropped on the strength of this segment being
            // gone: if its removal cannot be made durable, stop everything.
            let result = (|| -> std::io::Result<()> {
                match self.io.remove(&hint::path(&self.dir, id)) {
                    Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(e),
                    _ => {}
                }
                self.io.remove(seg.path())?;
                self.io.sync_dir(&self.dir)
            })();
            if let Err(e) = result {
                let e = Error::Io(e);
                self.poison(&e);
                return Err(e);
            }
        }
        Ok(())
    }

    /// Checks every segment file's length against its mapping (one `fstat`
    /// each). A file truncated by another process poisons the log: its
    /// records are gone, and nothing more should be written on top of that
    /// until a person has looked. Returns whether all files are whole.
    pub(crate) fn verify_sizes(&self) -> bool {
        let segs: Vec<Arc<Segment>> = self.segments.read().values().cloned().collect();
        let mut whole = true;
        for seg in segs {
            if !seg.verify_size() {
                whole = false;
                self.poison(&Error::Corruption {
                    message: format!(
                        "segment {} was truncated by another process; reopen the database \
                         to recover what remains",
                        seg.path().display()
                    ),
                });
            }
        }
        whole
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::storage::entry::NewEntry;

    /// Regression (issue 8, defect 19): `write_missing_hints` listed the
    /// sealed segments, then wrote their hints without `compact_lock`, so a
    /// defragmentation could remove a listed segment first and the hint was
    /// written after it: an orphan `.hint` ("hint 00000005 outlived its
    /// segment" in tests/defrag.rs under load). Writing a hint and removing
    /// its segment now exclude each other, and a hint is only written for a
    /// segment still in the log. This replays the losing interleaving.
    #[test]
    fn hint_never_outlives_its_segment() {
        let dir = tempfile::tempdir().unwrap();
        let io = Io::default();
        let (log, _) = Log::open(
            &io,
            dir.path(),
            segment::MIN_SEGMENT_SIZE,
            0,
            false,
            |_, _| {},
        )
        .unwrap();
        let payload = vec![7u8; 4000];
        let e = NewEntry {
            kind: EntryKind::Record,
            generation: 1,
            last_update: 0,
            void_time: 0,
            digest: [1; 20],
            flags: 0,
            set: b"s",
            key: b"",
            payload: &payload,
        };
        while !log.append(&e, 0).unwrap().1 {}
        // The hint writer lists the sealed segments...
        let listed = log.sealed_segments();
        assert_eq!(listed.len(), 1);
        let id = listed[0].id();
        // ...defragmentation removes one of them meanwhile...
        log.remove_segment(id).unwrap();
        // ...and the hint writer goes on with its list.
        assert!(!log.write_hint(&listed[0]).unwrap());
        assert!(!hint::path(dir.path(), id).exists(), "orphan hint");
        assert!(!dir.path().join(segment::file_name(id)).exists());
        assert_eq!(log.write_missing_hints().unwrap(), 0);
    }
}
