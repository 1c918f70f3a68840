//! The files beside the segments' data: hint files, the removal of a
//! defragmented segment, and the check of file lengths against the maps.

use super::*;

impl Log {
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
        // No write-protection (and no TLB shootdown) per page for the flush.
        seg.drop_page_tables();
        if let Err(e) = seg.flush(SEGMENT_HEADER_LEN, seg.end()) {
            // The data of the log could not be made durable: as for any failed flush.
            self.poison(&e);
            return Err(e);
        }
        {
            let mut w = HintWriter::new(&self.io, &self.dir, seg)?;
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
            w.finish(&self.dir, end.data_end as u32)?;
        }
        seg.set_hinted();
        Ok(true)
    }

    /// Deletes sealed segment `id` (whose live entries were moved) and makes
    /// the deletion durable. Readers holding it keep their mapping.
    pub(crate) fn remove_segment(&self, id: u32) -> Result<()> {
        self.remove_segments(&[id])
    }

    /// Deletes the sealed segments `ids` (the active one is skipped) and
    /// makes the deletions durable with one directory fsync for all of them.
    /// Readers holding a segment keep their mapping.
    pub(crate) fn remove_segments(&self, ids: &[u32]) -> Result<()> {
        let _no_hint_writing = self.hints.lock();
        let active = self.appender.lock().active.id();
        let removed = self.segments.remove(ids, |id| id == active);
        if removed.is_empty() {
            return Ok(());
        }
        // Tombstones were dropped on the strength of these segments being
        // gone: if their removal cannot be made durable, stop everything.
        let result = (|| -> std::io::Result<()> {
            for seg in &removed {
                match self.io.remove(&hint::path(&self.dir, seg.id())) {
                    Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(e),
                    _ => {}
                }
                self.io.remove(seg.path())?;
            }
            self.io.sync_dir(&self.dir)
        })();
        if let Err(e) = result {
            let e = Error::Io(e);
            self.poison(&e);
            return Err(e);
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
