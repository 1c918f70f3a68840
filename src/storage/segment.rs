//! One segment file: a preallocated, memory-mapped, append-only region.
//!
//! The mapped memory is touched here only (the other `unsafe` of the
//! storage layer is the `posix_fallocate` call in `io.rs`), each block with
//! its argument.
//!
//! Invariant that makes the mapping sound: bytes below `end` (the published
//! length) are never written again while the `Segment` lives, and bytes at or
//! above `end` are only written by the holder of the segment's unique
//! [`AppendRight`] (which `append` takes as `&mut`). Readers only form slices
//! below `end`. Recovery's `zero_tail` takes `&mut self`. The directory is
//! locked against other aerolite processes (`DirLock`). A segment file may be
//! deleted (after defragmentation) while readers still hold an
//! `Arc<Segment>`: on POSIX the mapping stays valid until it is dropped. A
//! foreign process truncating or writing the files breaks these guarantees
//! (a read past a truncated end is SIGBUS), as it would for any mmap-based
//! store.

// The mapped memory is the reason for this module's `unsafe`.
#![allow(unsafe_code)]

use super::entry::{self, EntryRef, Invalid};
use super::io::Io;
use crate::error::{Error, Result};
use memmap2::MmapRaw;
use std::fs::{File, OpenOptions};
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};

/// Length of the segment file header.
pub(crate) const SEGMENT_HEADER_LEN: usize = 64;
/// First bytes of every segment file.
pub(crate) const SEGMENT_MAGIC: &[u8; 8] = b"ALITESEG";
/// On-disk format version.
pub(crate) const FORMAT_VERSION: u32 = 1;
/// Smallest allowed segment.
pub(crate) const MIN_SEGMENT_SIZE: u64 = 16 * 1024;
/// The appender maps the pages of the next chunk of this many bytes ahead
/// of itself (see `Segment::prefault_after`).
const PREFAULT_CHUNK: usize = 256 * 1024;
/// Largest allowed segment (offsets are 32-bit).
pub(crate) const MAX_SEGMENT_SIZE: u64 = 1 << 30;

/// What a segment header says.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct SegmentHeader {
    pub id: u32,
    pub len: u64,
    pub base_seq: u64,
    pub created: u64,
}

impl SegmentHeader {
    fn encode(&self) -> [u8; SEGMENT_HEADER_LEN] {
        let mut h = [0u8; SEGMENT_HEADER_LEN];
        h[0..8].copy_from_slice(SEGMENT_MAGIC);
        h[8..12].copy_from_slice(&FORMAT_VERSION.to_le_bytes());
        h[12..16].copy_from_slice(&(SEGMENT_HEADER_LEN as u32).to_le_bytes());
        h[16..20].copy_from_slice(&self.id.to_le_bytes());
        h[24..32].copy_from_slice(&self.len.to_le_bytes());
        h[32..40].copy_from_slice(&self.base_seq.to_le_bytes());
        h[40..48].copy_from_slice(&self.created.to_le_bytes());
        let crc = crc32fast::hash(&h[0..60]);
        h[60..64].copy_from_slice(&crc.to_le_bytes());
        h
    }

    fn decode(h: &[u8]) -> Option<SegmentHeader> {
        if h.len() < SEGMENT_HEADER_LEN || &h[0..8] != SEGMENT_MAGIC {
            return None;
        }
        let u32_at = |o: usize| u32::from_le_bytes([h[o], h[o + 1], h[o + 2], h[o + 3]]);
        let u64_at = |o: usize| {
            let mut a = [0u8; 8];
            a.copy_from_slice(&h[o..o + 8]);
            u64::from_le_bytes(a)
        };
        if u32_at(60) != crc32fast::hash(&h[0..60])
            || u32_at(8) != FORMAT_VERSION
            || u32_at(12) as usize != SEGMENT_HEADER_LEN
        {
            return None;
        }
        Some(SegmentHeader {
            id: u32_at(16),
            len: u64_at(24),
            base_seq: u64_at(32),
            created: u64_at(40),
        })
    }
}

/// The file name of segment `id`.
pub(crate) fn file_name(id: u32) -> String {
    format!("{id:08}.seg")
}

/// The id in a segment file name, if it is one: the decimal id, zero-padded
/// to 8 digits and wider past 99,999,999 (exactly what [`file_name`] writes).
pub(crate) fn parse_file_name(name: &str) -> Option<u32> {
    let stem = name.strip_suffix(".seg")?;
    if stem.len() < 8 || !stem.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let id: u32 = stem.parse().ok()?;
    // One name per id: "000000012.seg" is not segment 12.
    (file_name(id) == name).then_some(id)
}

/// The right to append to one segment: handed out once per `Segment`
/// ([`Segment::append_right`]), neither `Clone` nor `Copy`, and required as
/// `&mut` by [`Segment::append`]. Whoever holds it is the segment's only
/// writer, so the appends' exclusivity is checked by the type system rather
/// than by a comment (the log keeps it inside its append mutex).
#[derive(Debug)]
pub(crate) struct AppendRight {
    segment_uid: u64,
}

/// Gives every `Segment` value a process-wide unique id, so an
/// `AppendRight` can only ever be used with the segment it came from.
static NEXT_UID: AtomicU64 = AtomicU64::new(1);

/// A mapped segment file.
#[derive(Debug)]
pub(crate) struct Segment {
    id: u32,
    uid: u64,
    right_given: bool,
    path: PathBuf,
    len: usize,
    map: MmapRaw,
    file: File,
    io: Io,
    /// Bytes published: every entry below this offset is complete.
    end: AtomicUsize,
    /// Padded bytes of the entries the index points at in this segment.
    live: AtomicU64,
    /// A hint file describes this (sealed) segment.
    hinted: AtomicBool,
    /// The file was found shorter than the mapping (another process
    /// truncated it): reads are refused instead of risking SIGBUS.
    shrunk: AtomicBool,
}

impl Segment {
    /// Creates segment `id` in `dir` with all its blocks allocated and its
    /// header durable. The caller fsyncs the directory.
    pub(crate) fn create(
        io: &Io,
        dir: &Path,
        id: u32,
        size: u64,
        base_seq: u64,
        now: u64,
    ) -> Result<Segment> {
        let path = dir.join(file_name(id));
        let file = io.create_new(&path)?;
        let made = (|| -> Result<Segment> {
            io.allocate(&file, &path, size)?;
            let header = SegmentHeader {
                id,
                len: size,
                base_seq,
                created: now,
            };
            io.write_at(&file, &path, &header.encode(), 0)?;
            io.sync_file(&file, &path)?;
            let map = io.map(&file, &path)?;
            let len = usize::try_from(size)
                .map_err(|_| Error::ParameterError("segment too large".into()))?;
            Ok(Segment {
                id,
                uid: NEXT_UID.fetch_add(1, Ordering::Relaxed),
                right_given: false,
                path: path.clone(),
                len,
                map,
                file,
                io: io.clone(),
                end: AtomicUsize::new(SEGMENT_HEADER_LEN),
                live: AtomicU64::new(0),
                hinted: AtomicBool::new(false),
                shrunk: AtomicBool::new(false),
            })
        })();
        if made.is_err() {
            // A half-made segment holds no data: remove it so it is not scanned.
            let _ = io.remove(&path);
        }
        made
    }

    /// Maps an existing segment file for recovery. Returns the segment and
    /// its header, `None` when the header is damaged.
    pub(crate) fn open(io: &Io, path: &Path, id: u32) -> Result<(Segment, Option<SegmentHeader>)> {
        let file = OpenOptions::new().read(true).write(true).open(path)?;
        let size = file.metadata()?.len();
        if size > MAX_SEGMENT_SIZE {
            // Entry offsets are 32-bit: such a file was not written by
            // aerolite, and reading it would misplace entries.
            return Err(Error::Corruption {
                message: format!(
                    "segment file {} is {size} bytes, more than the largest segment aerolite \
                     writes ({MAX_SEGMENT_SIZE} bytes): it was not written by aerolite or was \
                     extended by another program; move it out of the namespace directory \
                     (or restore it from a backup) and open again",
                    path.display()
                ),
            });
        }
        let len = usize::try_from(size).map_err(|_| Error::Corruption {
            message: format!("segment {} is too large", path.display()),
        })?;
        let mut buf = [0u8; SEGMENT_HEADER_LEN];
        let header = if size >= SEGMENT_HEADER_LEN as u64 {
            file.read_exact_at(&mut buf, 0)?;
            SegmentHeader::decode(&buf).filter(|h| h.id == id && h.len == size)
        } else {
            None
        };
        let map = io.map(&file, path)?;
        Ok((
            Segment {
                id,
                uid: NEXT_UID.fetch_add(1, Ordering::Relaxed),
                right_given: false,
                path: path.to_path_buf(),
                len,
                map,
                file,
                io: io.clone(),
                end: AtomicUsize::new(SEGMENT_HEADER_LEN.min(len)),
                live: AtomicU64::new(0),
                hinted: AtomicBool::new(false),
                shrunk: AtomicBool::new(false),
            },
            header,
        ))
    }

    pub(crate) fn id(&self) -> u32 {
        self.id
    }

    pub(crate) fn path(&self) -> &Path {
        &self.path
    }

    /// File length.
    pub(crate) fn len(&self) -> usize {
        self.len
    }

    /// Bytes published so far.
    pub(crate) fn end(&self) -> usize {
        self.end.load(Ordering::Acquire)
    }

    pub(crate) fn live_bytes(&self) -> u64 {
        self.live.load(Ordering::Relaxed)
    }

    pub(crate) fn add_live(&self, bytes: u64) {
        self.live.fetch_add(bytes, Ordering::Relaxed);
    }

    pub(crate) fn sub_live(&self, bytes: u64) {
        // Saturating: accounting must never wrap even if a caller double-counts.
        let _ = self
            .live
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |v| {
                Some(v.saturating_sub(bytes))
            });
    }

    /// Whether a hint file describes this segment.
    pub(crate) fn hinted(&self) -> bool {
        self.hinted.load(Ordering::Relaxed)
    }

    /// Records that a hint file now describes this segment.
    pub(crate) fn set_hinted(&self) {
        self.hinted.store(true, Ordering::Relaxed);
    }

    /// The published bytes `[0, end)` (none once the file was found
    /// truncated). During recovery `end` is set to the file length so the
    /// whole file can be walked.
    pub(crate) fn published(&self) -> &[u8] {
        if self.shrunk.load(Ordering::Relaxed) {
            // The file is shorter than the mapping: touching it could fault.
            return &[];
        }
        let end = self.end().min(self.len);
        // SAFETY: the mapping is `self.len` bytes long and lives as long as
        // `self`; bytes below `end` were completely written before `end` was
        // stored with Release (loaded above with Acquire) and are never
        // written again while the segment lives (module invariant), so no
        // mutable access aliases this shared slice.
        unsafe { std::slice::from_raw_parts(self.map.as_ptr(), end) }
    }

    /// Checks the file's length against the mapping (one `fstat`). A file
    /// that another process truncated would turn the next read of the lost
    /// pages into SIGBUS; once found, reads of this segment fail with
    /// `Invalid::Truncated` instead. Returns whether the file is whole.
    pub(crate) fn verify_size(&self) -> bool {
        if self.shrunk.load(Ordering::Relaxed) {
            return false;
        }
        match self.file.metadata() {
            Ok(m) if m.len() >= self.len as u64 => true,
            Ok(m) => {
                self.shrunk.store(true, Ordering::Relaxed);
                log::error!(
                    "segment {} was truncated from {} to {} bytes by another process; \
                     its records can no longer be read",
                    self.path.display(),
                    self.len,
                    m.len()
                );
                false
            }
            // Cannot tell: leave it to the next check.
            Err(_) => true,
        }
    }

    /// The valid entry at `off`, checked against its CRC.
    pub(crate) fn read(&self, off: u32) -> std::result::Result<EntryRef<'_>, Invalid> {
        if self.shrunk.load(Ordering::Relaxed) {
            return Err(Invalid::Truncated);
        }
        let bytes = self.published();
        let off = off as usize;
        if off < SEGMENT_HEADER_LEN || off >= bytes.len() {
            return Err(Invalid::Short);
        }
        entry::decode(&bytes[off..])
    }

    /// Kind of the (already validated) entry at `off`.
    pub(crate) fn kind_at(&self, off: u32) -> Option<entry::EntryKind> {
        let bytes = self.published();
        let off = off as usize;
        if off + entry::HEADER_LEN > bytes.len() {
            return None;
        }
        entry::kind_of(&bytes[off..])
    }

    /// Last-update time of the (already validated) entry at `off`.
    pub(crate) fn last_update_at(&self, off: u32) -> Option<u64> {
        let bytes = self.published();
        let off = off as usize;
        (off + entry::HEADER_LEN <= bytes.len()).then(|| entry::last_update_of(&bytes[off..]))
    }

    /// Sequence number of the (already validated) entry at `off`.
    pub(crate) fn seq_at(&self, off: u32) -> Option<u64> {
        let bytes = self.published();
        let off = off as usize;
        (off + entry::HEADER_LEN <= bytes.len()).then(|| entry::seq_of(&bytes[off..]))
    }

    /// Flags and set name of the (already validated) entry at `off`.
    pub(crate) fn flags_and_set_at(&self, off: u32) -> Option<(u32, &[u8])> {
        entry::flags_and_set_of(self.published().get(off as usize..)?)
    }

    /// Length field of the (already validated) entry at `off`.
    pub(crate) fn len_at(&self, off: u32) -> Option<usize> {
        let bytes = self.published();
        let off = off as usize;
        (off + entry::HEADER_LEN <= bytes.len()).then(|| entry::len_of(&bytes[off..]))
    }

    /// Zeroes `[from, len)` during recovery (a torn tail) and syncs it.
    pub(crate) fn zero_tail(&mut self, from: usize) -> Result<()> {
        if from >= self.len {
            return Ok(());
        }
        // SAFETY: `&mut self` proves exclusive access; `from < self.len` so
        // the range lies inside the mapping.
        unsafe { std::ptr::write_bytes(self.map.as_mut_ptr().add(from), 0, self.len - from) };
        self.io
            .flush(&self.map, &self.path, from, self.len - from)?;
        Ok(())
    }

    /// Sets the published length after recovery.
    pub(crate) fn set_end(&mut self, end: usize) {
        self.end.store(end.min(self.len), Ordering::Release);
    }

    /// The right to append to this segment; `None` once it was handed out.
    pub(crate) fn append_right(&mut self) -> Option<AppendRight> {
        if self.right_given {
            return None;
        }
        self.right_given = true;
        Some(AppendRight {
            segment_uid: self.uid,
        })
    }

    /// Copies `parts` to the end of the published bytes and publishes up to
    /// `padded_len` bytes past the old end (the parts plus zero padding).
    /// Returns the offset the parts were written at, and whether the append
    /// entered a new prefault chunk: then the caller should call
    /// [`Segment::prefault_after`] with the new end, once it has let go of
    /// the append lock, so other appenders do not wait for the page faults.
    pub(crate) fn append(
        &self,
        right: &mut AppendRight,
        parts: &[&[u8]],
        padded_len: usize,
    ) -> Result<(usize, bool)> {
        let off = self.end();
        let total: usize = parts.iter().map(|p| p.len()).sum();
        let new_end = off.saturating_add(padded_len);
        if right.segment_uid != self.uid || new_end > self.len || padded_len < total {
            // Would break the invariant: refuse rather than corrupt.
            return Err(Error::Corruption {
                message: format!(
                    "internal error: append of {total} bytes at {off} refused in segment {} (length {})",
                    self.id, self.len
                ),
            });
        }
        let mut at = off;
        for part in parts {
            // SAFETY: `[at, at + part.len())` lies in `[off, off + total)`,
            // inside the mapping (`new_end <= len`, checked above) and at or
            // above `end`, so no reader has a slice over it. `right` is this
            // segment's unique `AppendRight` (uid checked above), borrowed
            // mutably, so no other append runs concurrently and `end` cannot
            // move under us. `part` is ordinary memory that cannot overlap
            // the mapping's unpublished region.
            unsafe {
                std::ptr::copy_nonoverlapping(
                    part.as_ptr(),
                    self.map.as_mut_ptr().add(at),
                    part.len(),
                );
            }
            at += part.len();
        }
        // Padding bytes are already zero: the file was allocated zeroed and
        // recovery zeroes any torn tail before appending resumes.
        self.end.store(new_end, Ordering::Release);
        let new_chunk =
            off / PREFAULT_CHUNK != new_end / PREFAULT_CHUNK || off == SEGMENT_HEADER_LEN;
        Ok((off, new_chunk))
    }

    /// Maps the pages of the chunk after the one holding `pos` in one
    /// system call, before the appender reaches them. Otherwise every new
    /// 4 KiB page costs a page fault in the middle of an append (a trap and
    /// the file system's zero-fill of an unwritten extent), with the append
    /// lock held. Best effort: where `MADV_POPULATE_WRITE` is unknown (Linux
    /// before 5.14, other systems) the pages fault in as before. Harmless
    /// at any time and from any thread: an appender that gets there first
    /// takes the page faults itself.
    pub(crate) fn prefault_after(&self, pos: usize) {
        #[cfg(target_os = "linux")]
        {
            let start = (pos / PREFAULT_CHUNK + 1) * PREFAULT_CHUNK;
            if start < self.len {
                let len = PREFAULT_CHUNK.min(self.len - start);
                let _ = self
                    .map
                    .advise_range(memmap2::Advice::PopulateWrite, start, len);
            }
        }
        #[cfg(not(target_os = "linux"))]
        let _ = pos;
    }

    /// Drops this process's page-table entries for the segment (the pages
    /// stay in the page cache, and dirty ones stay dirty), before a sealed
    /// segment is flushed. Writeback write-protects every writable entry
    /// that maps a dirty page, each with a TLB shootdown: an interrupt to
    /// the other cores running this process (a VM exit on a virtual
    /// machine), tens of thousands of them for a 64 MiB segment written
    /// through the map, all landing on the writers. With no entries mapped
    /// the flush costs none; later reads fault the pages back in, read-only
    /// (16 pages at a time). Best effort: a failure only leaves them mapped.
    pub(crate) fn drop_page_tables(&self) {
        #[cfg(target_os = "linux")]
        {
            // SAFETY: the mapping is a shared mapping of a file
            // (`MmapRaw::map_raw`: MAP_SHARED). MADV_DONTNEED on it removes
            // only page-table entries: the next access maps the same
            // page-cache page again, with the same bytes, and dirty pages
            // keep their dirty state for writeback. So the bytes seen
            // through any borrow of the mapping never change: MADV_DONTNEED
            // zeroes pages only in private or anonymous mappings, and this
            // is neither. The range is the whole mapping.
            let _ = unsafe {
                self.map
                    .unchecked_advise_range(memmap2::UncheckedAdvice::DontNeed, 0, self.len)
            };
        }
    }

    /// Makes `[from, to)` durable (`msync(MS_SYNC)`).
    pub(crate) fn flush(&self, from: usize, to: usize) -> Result<()> {
        if to > from {
            self.io.flush(&self.map, &self.path, from, to - from)?;
        }
        Ok(())
    }

    /// Syncs the file (data and metadata).
    pub(crate) fn sync_file(&self) -> Result<()> {
        self.io.sync_file(&self.file, &self.path)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_round_trip_and_damage() {
        let h = SegmentHeader {
            id: 7,
            len: 1 << 20,
            base_seq: 99,
            created: 5,
        };
        let b = h.encode();
        assert_eq!(SegmentHeader::decode(&b), Some(h));
        for i in 0..SEGMENT_HEADER_LEN {
            let mut d = b;
            d[i] ^= 0x10;
            assert_eq!(SegmentHeader::decode(&d), None, "byte {i}");
        }
    }

    #[test]
    fn file_names() {
        assert_eq!(file_name(12), "00000012.seg");
        assert_eq!(parse_file_name("00000012.seg"), Some(12));
        assert_eq!(parse_file_name("12.seg"), None);
        assert_eq!(parse_file_name("0000001x.seg"), None);
        for id in [99_999_999, 100_000_000, u32::MAX] {
            assert_eq!(parse_file_name(&file_name(id)), Some(id));
        }
        assert_eq!(file_name(100_000_000), "100000000.seg");
        assert_eq!(parse_file_name("000000012.seg"), None);
        assert_eq!(parse_file_name("4294967296.seg"), None);
    }

    #[test]
    fn create_append_read_reopen() {
        let dir = tempfile::tempdir().unwrap();
        let mut seg =
            Segment::create(&Io::default(), dir.path(), 1, MIN_SEGMENT_SIZE, 10, 0).unwrap();
        let mut right = seg.append_right().unwrap();
        assert!(seg.append_right().is_none(), "the right is handed out once");
        assert_eq!(seg.end(), SEGMENT_HEADER_LEN);
        let e = entry::NewEntry {
            kind: entry::EntryKind::Record,
            generation: 1,
            last_update: 0,
            void_time: 0,
            digest: [1; 20],
            flags: 0,
            set: b"s",
            key: b"",
            payload: b"abc",
        };
        let mut header = [0u8; entry::HEADER_LEN];
        e.encode_header(10, &mut header);
        let padded = entry::padded(e.len());
        let (off, new_chunk) = seg
            .append(&mut right, &[&header, e.set, e.key, e.payload], padded)
            .unwrap();
        assert_eq!(off, SEGMENT_HEADER_LEN);
        assert!(
            new_chunk,
            "the first append asks for the next chunk's pages"
        );
        let new_end = off + padded;
        // Another segment's right is refused.
        let mut other =
            Segment::create(&Io::default(), dir.path(), 2, MIN_SEGMENT_SIZE, 10, 0).unwrap();
        let mut other_right = other.append_right().unwrap();
        assert!(seg.append(&mut other_right, &[b"x"], 8).is_err());
        assert_eq!(seg.end(), new_end);
        let r = seg.read(off as u32).unwrap();
        assert_eq!(r.payload, b"abc");
        // Dropping the page tables changes no byte, neither through a
        // borrow taken before nor in a new read, and the dirty page is
        // still written back by the flush (the reopen below reads it).
        let before = seg.published();
        seg.drop_page_tables();
        assert_eq!(&before[off..new_end], &seg.published()[off..new_end]);
        assert_eq!(seg.read(off as u32).unwrap().payload, b"abc");
        seg.flush(off, new_end).unwrap();
        drop(seg);
        let (mut seg, header) =
            Segment::open(&Io::default(), &dir.path().join(file_name(1)), 1).unwrap();
        assert_eq!(header.unwrap().base_seq, 10);
        seg.set_end(seg.len());
        let bytes = seg.published();
        assert_eq!(entry::decode(&bytes[off..]).unwrap().payload, b"abc");
    }
}
