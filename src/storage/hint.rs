//! Hint files: a compact summary of a sealed segment (Bitcask's idea), so
//! that opening a database reads the summaries instead of every data byte.
//!
//! `NNNNNNNN.hint` beside `NNNNNNNN.seg`:
//!
//! | offset | size | field |
//! |---|---|---|
//! | 0 | 8 | magic `ALITEHNT` |
//! | 8 | 4 | format version |
//! | 12 | 4 | segment id |
//! | 16 | 8 | segment file length |
//! | 24 | 4 | data end (offset after the last entry) |
//! | 28 | 4 | entry count |
//! | 32 | … | entries |
//! | end − 4 | 4 | CRC of everything before |
//!
//! Each entry: offset u32, length u32, kind u8, set length u8, generation
//! u16, sequence u64, last update u64, void time u32, digest [20], set name.
//! A hint that is missing, damaged, or does not match its segment is ignored
//! and the segment is walked instead; hints are a cache, never the truth.

use super::crcfile::CrcFile;
use super::entry::{EntryKind, EntryMeta};
use super::io::Io;
use super::segment::{Segment, FORMAT_VERSION};
use crate::error::Result;
use std::path::{Path, PathBuf};

const MAGIC: &[u8; 8] = b"ALITEHNT";
const HEADER: usize = 32;
const FIXED: usize = 4 + 4 + 1 + 1 + 2 + 8 + 8 + 4 + 20;

/// What recovery needs of one entry.
#[derive(Clone, Copy, Debug)]
pub(crate) struct EntryInfo<'a> {
    pub meta: EntryMeta,
    /// Entry length without padding.
    pub len: usize,
    pub set: &'a [u8],
}

/// The hint file of segment `id` in `dir`.
pub(crate) fn path(dir: &Path, id: u32) -> PathBuf {
    dir.join(format!("{id:08}.hint"))
}

/// Writes the hint of a sealed segment from its entries, streaming them to
/// `<id>.hint.tmp` through a fixed buffer: a hint is about a third of its
/// segment's size (hundreds of MiB for a 1 GiB segment), too much to build
/// in memory, and a buffer that large would stay in the allocator's hands
/// after it is freed.
pub(crate) struct HintWriter<'a> {
    out: CrcFile<'a>,
    count: u32,
    seg_id: u32,
    seg_len: u64,
    /// The first write error (`push` cannot return one: it runs inside a
    /// segment walk); reported by `finish`.
    failed: Option<std::io::Error>,
}

/// The buffer is written out when it holds this much.
const FLUSH_AT: usize = 256 * 1024;

impl<'a> HintWriter<'a> {
    /// Starts the hint of `seg` in `dir` (creating `<id>.hint.tmp`; the
    /// entries go after the header, which is written last).
    pub(crate) fn new(io: &'a Io, dir: &Path, seg: &Segment) -> Result<HintWriter<'a>> {
        let tmp = path(dir, seg.id()).with_extension("hint.tmp");
        Ok(HintWriter {
            out: CrcFile::create(io, tmp, HEADER as u64, FLUSH_AT + FIXED + 256)?,
            count: 0,
            seg_id: seg.id(),
            seg_len: seg.len() as u64,
            failed: None,
        })
    }

    pub(crate) fn push(&mut self, off: u32, e: &EntryInfo<'_>) {
        let b = &mut self.out.buf;
        b.extend_from_slice(&off.to_le_bytes());
        b.extend_from_slice(&(e.len as u32).to_le_bytes());
        b.push(e.meta.kind as u8);
        b.push(e.set.len() as u8);
        b.extend_from_slice(&e.meta.generation.to_le_bytes());
        b.extend_from_slice(&e.meta.seq.to_le_bytes());
        b.extend_from_slice(&e.meta.last_update.to_le_bytes());
        b.extend_from_slice(&e.meta.void_time.to_le_bytes());
        b.extend_from_slice(&e.meta.digest);
        b.extend_from_slice(e.set);
        self.count += 1;
        if self.failed.is_none() {
            self.failed = self.out.spill(FLUSH_AT).err();
        } else {
            // After an error nothing more is written; `finish` reports it.
            self.out.buf.clear();
        }
    }

    /// Completes the hint durably: the header and CRC are written, the
    /// `.tmp` is fsynced, renamed to `<id>.hint`, and the directory is
    /// fsynced. The caller has made the segment's data durable first.
    pub(crate) fn finish(mut self, dir: &Path, data_end: u32) -> Result<()> {
        if let Some(e) = self.failed.take() {
            return Err(e.into());
        }
        self.out.spill(1)?;
        let mut header = [0u8; HEADER];
        header[0..8].copy_from_slice(MAGIC);
        header[8..12].copy_from_slice(&FORMAT_VERSION.to_le_bytes());
        header[12..16].copy_from_slice(&self.seg_id.to_le_bytes());
        header[16..24].copy_from_slice(&self.seg_len.to_le_bytes());
        header[24..28].copy_from_slice(&data_end.to_le_bytes());
        header[28..32].copy_from_slice(&self.count.to_le_bytes());
        let mut crc = crc32fast::Hasher::new();
        crc.update(&header);
        crc.combine(self.out.crc());
        self.out.write_at(&header, 0)?;
        self.out
            .write_at(&crc.finalize().to_le_bytes(), self.out.end())?;
        self.out.sync()?;
        let io = self.out.io();
        io.rename(self.out.path(), &path(dir, self.seg_id))?;
        io.sync_dir(dir)?;
        Ok(())
    }
}

/// A loaded, verified hint file.
pub(crate) struct Hint {
    bytes: Vec<u8>,
    pub data_end: u32,
}

/// Loads the hint of `seg` if there is a valid one.
pub(crate) fn load(dir: &Path, seg: &Segment) -> Option<Hint> {
    let bytes = std::fs::read(path(dir, seg.id())).ok()?;
    if bytes.len() < HEADER + 4 || &bytes[0..8] != MAGIC {
        return None;
    }
    let (body, crc) = bytes.split_at(bytes.len() - 4);
    if crc32fast::hash(body) != u32::from_le_bytes(crc.try_into().ok()?) {
        return None;
    }
    let u32_at = |o: usize| u32::from_le_bytes([body[o], body[o + 1], body[o + 2], body[o + 3]]);
    let len = u64::from_le_bytes(body[16..24].try_into().ok()?);
    if u32_at(8) != FORMAT_VERSION || u32_at(12) != seg.id() || len != seg.len() as u64 {
        return None;
    }
    let data_end = u32_at(24);
    let count = u32_at(28) as usize;
    if data_end as usize > seg.len() {
        return None;
    }
    let mut bytes = bytes;
    bytes.truncate(bytes.len() - 4);
    let hint = Hint { bytes, data_end };
    // Check that every entry parses before anything is handed to recovery.
    (hint.entries().count() == count).then_some(hint)
}

impl Hint {
    /// The entries, as `(offset, info)`.
    pub(crate) fn entries(&self) -> impl Iterator<Item = (u32, EntryInfo<'_>)> + '_ {
        let b = &self.bytes;
        let mut at = HEADER;
        std::iter::from_fn(move || {
            if at + FIXED > b.len() {
                return None;
            }
            let u32_at = |o: usize| u32::from_le_bytes([b[o], b[o + 1], b[o + 2], b[o + 3]]);
            let u64_at = |o: usize| {
                let mut a = [0u8; 8];
                a.copy_from_slice(&b[o..o + 8]);
                u64::from_le_bytes(a)
            };
            let off = u32_at(at);
            let len = u32_at(at + 4) as usize;
            let kind = match b[at + 8] {
                1 => EntryKind::Record,
                2 => EntryKind::Tombstone,
                3 => EntryKind::Stream,
                _ => return None,
            };
            let set_len = usize::from(b[at + 9]);
            let set_at = at + FIXED;
            if set_at + set_len > b.len() {
                return None;
            }
            let mut digest = [0u8; 20];
            digest.copy_from_slice(&b[at + 32..at + 52]);
            let info = EntryInfo {
                meta: EntryMeta {
                    kind,
                    generation: u16::from_le_bytes([b[at + 10], b[at + 11]]),
                    seq: u64_at(at + 12),
                    last_update: u64_at(at + 20),
                    void_time: u32_at(at + 28),
                    digest,
                    // Hints do not keep flags: the index does not need them
                    // (truncation and defragmentation read the entry itself).
                    flags: 0,
                },
                len,
                set: &b[set_at..set_at + set_len],
            };
            at = set_at + set_len;
            Some((off, info))
        })
    }
}
