//! The index snapshot (`index.snap`): the digest index of a namespace as it
//! was at a clean close, with what it depends on, so that the next open reads
//! it back in bulk instead of rebuilding it from hints and segments.
//!
//! | offset | size | field |
//! |---|---|---|
//! | 0 | 8 | magic `ALITEIDX` |
//! | 8 | 4 | snapshot version (1) |
//! | 12 | 4 | segment count S |
//! | 16 | 8 | next write sequence |
//! | 24 | 8 | entry count E |
//! | 32 | 4 | sweep mark: through (citrus seconds) |
//! | 36 | 8 | sweep mark: before sequence |
//! | 44 | 4 | set count N |
//! | 48 | 4 | CRC32 of the active segment's bytes before its data end |
//! | 52 | 4 | zero (reserved) |
//! | 56 | 24 × S | segments in id order (the last is the active one): id u32, data end u32, file length u64, live bytes u64 |
//! | … | … | N set names in id order (id 1 first): length u16, UTF-8 bytes |
//! | … | 4 × 16,384 | entries in each shard, u32 |
//! | … | 36 × E | entries, shard by shard, each shard sorted by digest |
//! | end − 4 | 4 | CRC32 of everything before |
//!
//! Each entry: digest [20], segment u32, offset u32, void time u32,
//! generation u16, set id u16 (`0xFFFF`: tombstone). All little-endian.
//!
//! The snapshot is a cache: whatever is wrong with it (missing, damaged,
//! another version, describing other segments) makes open rebuild the
//! index as before. Open deletes it before the namespace takes any write, so
//! it can never describe an older state than the directory's.

use super::expiry::SweepMark;
use crate::error::Result;
use crate::index::{cmp_digest, shard_of, Index, IndexEntry, SHARDS, TOMBSTONE_SET};
use crate::storage::crcfile::CrcFile;
use crate::storage::io::Io;
use crate::storage::log::{LogState, SegmentState};
use crate::storage::segment::SEGMENT_HEADER_LEN;
use std::io::Read;
use std::path::Path;

/// File name in the namespace directory.
pub(crate) const FILE: &str = "index.snap";
const TMP: &str = "index.snap.tmp";
const MAGIC: &[u8; 8] = b"ALITEIDX";
/// The version this code writes and reads.
pub(crate) const VERSION: u32 = 1;
const HEADER: usize = 56;
const SEGMENT: usize = 24;
/// Bytes of one entry.
pub(crate) const ENTRY: usize = 36;

/// A snapshot read back and checked.
pub(crate) struct Snapshot {
    pub log: LogState,
    pub sweep: SweepMark,
    /// Set names in id order (id 1 first).
    pub sets: Vec<String>,
    /// Each shard's entries, sorted by digest.
    pub shards: Vec<Vec<IndexEntry>>,
}

fn encode_entry(e: &IndexEntry, out: &mut Vec<u8>) {
    out.extend_from_slice(&e.digest);
    out.extend_from_slice(&e.seg.to_le_bytes());
    out.extend_from_slice(&e.off.to_le_bytes());
    out.extend_from_slice(&e.void_time.to_le_bytes());
    out.extend_from_slice(&e.generation.to_le_bytes());
    out.extend_from_slice(&e.set_id.to_le_bytes());
}

fn decode_entry(b: &[u8]) -> IndexEntry {
    let u32_at = |o: usize| u32::from_le_bytes([b[o], b[o + 1], b[o + 2], b[o + 3]]);
    let mut digest = [0u8; 20];
    digest.copy_from_slice(&b[..20]);
    IndexEntry {
        digest,
        seg: u32_at(20),
        off: u32_at(24),
        void_time: u32_at(28),
        generation: u16::from_le_bytes([b[32], b[33]]),
        set_id: u16::from_le_bytes([b[34], b[35]]),
    }
}

/// Writes the snapshot of `index` (with the log state, sets and sweep mark it
/// goes with) as `index.snap` in `dir`: the temporary file is written and
/// fsynced, `still_valid` is asked whether nothing changed meanwhile, then
/// the file is renamed into place and the directory fsynced. Returns the
/// number of entries written, `None` when `still_valid` said no.
pub(crate) fn write(
    io: &Io,
    dir: &Path,
    log: &LogState,
    sets: &[String],
    sweep: SweepMark,
    index: &Index,
    still_valid: impl FnOnce() -> bool,
) -> Result<Option<u64>> {
    let tmp = dir.join(TMP);
    let written = write_tmp(io, &tmp, log, sets, sweep, index);
    let keep = match written {
        Ok(Some(total)) if still_valid() => Some(total),
        Ok(_) => None,
        Err(e) => {
            // Best effort: a leftover temporary file is removed at open too.
            let _ = io.remove(&tmp);
            return Err(e);
        }
    };
    let Some(total) = keep else {
        io.remove(&tmp)?;
        return Ok(None);
    };
    if let Err(e) = io.rename(&tmp, &dir.join(FILE)) {
        let _ = io.remove(&tmp);
        return Err(e.into());
    }
    io.sync_dir(dir)?;
    Ok(Some(total))
}

/// Writes and fsyncs the temporary file; `None` if the index changed meanwhile.
fn write_tmp(
    io: &Io,
    tmp: &Path,
    log: &LogState,
    sets: &[String],
    sweep: SweepMark,
    index: &Index,
) -> Result<Option<u64>> {
    let mut counts = Vec::with_capacity(SHARDS * 4);
    let mut total = 0u64;
    index.for_each_shard(|_, entries| -> Result<()> {
        counts.extend_from_slice(&(entries.len() as u32).to_le_bytes());
        total += entries.len() as u64;
        Ok(())
    })?;
    let mut w = CrcFile::create(io, tmp.to_path_buf(), 0, 1 << 20)?;
    let b = &mut w.buf;
    b.extend_from_slice(MAGIC);
    b.extend_from_slice(&VERSION.to_le_bytes());
    b.extend_from_slice(&(log.segments.len() as u32).to_le_bytes());
    b.extend_from_slice(&log.next_seq.to_le_bytes());
    b.extend_from_slice(&total.to_le_bytes());
    b.extend_from_slice(&sweep.through.to_le_bytes());
    b.extend_from_slice(&sweep.before_seq.to_le_bytes());
    b.extend_from_slice(&(sets.len() as u32).to_le_bytes());
    b.extend_from_slice(&log.active_crc.to_le_bytes());
    b.extend_from_slice(&[0u8; 4]);
    for s in &log.segments {
        b.extend_from_slice(&s.id.to_le_bytes());
        b.extend_from_slice(&s.data_end.to_le_bytes());
        b.extend_from_slice(&s.len.to_le_bytes());
        b.extend_from_slice(&s.live.to_le_bytes());
    }
    for name in sets {
        b.extend_from_slice(&(name.len() as u16).to_le_bytes());
        b.extend_from_slice(name.as_bytes());
    }
    b.extend_from_slice(&counts);
    let mut changed = false;
    index.for_each_shard(|i, entries| -> Result<()> {
        // The counts were taken under earlier locks: if a shard changed
        // since, the file would not parse, so it is not finished.
        let counted = u32::from_le_bytes([
            counts[i * 4],
            counts[i * 4 + 1],
            counts[i * 4 + 2],
            counts[i * 4 + 3],
        ]);
        if counted as usize != entries.len() {
            changed = true;
            return Ok(());
        }
        for e in entries {
            encode_entry(e, &mut w.buf);
        }
        Ok(w.spill(1 << 20)?)
    })?;
    w.spill(1)?;
    let crc = w.crc().clone().finalize();
    w.write_at(&crc.to_le_bytes(), w.end())?;
    w.sync()?;
    Ok((!changed).then_some(total))
}

impl super::Namespace {
    /// Writes the index snapshot (at a clean close, after the final sync:
    /// nothing may be written to the namespace any more). Returns the entries
    /// written, `None` if the namespace changed while it was written (then no
    /// snapshot is left).
    ///
    /// # Errors
    /// The I/O error that stopped it; a snapshot is a cache, so callers log
    /// it and go on.
    pub(crate) fn write_snapshot(&self) -> Result<Option<u64>> {
        self.log.check_poison()?;
        let before = self.log.state();
        let sweep = *self.sweep_mark.lock();
        write(
            self.log.io(),
            &self.dir,
            &before,
            &self.sets.names(),
            sweep,
            &self.index,
            || self.log.state() == before && *self.sweep_mark.lock() == sweep,
        )
    }
}

/// Removes the snapshot (and a temporary one left by a crash) from `dir`;
/// when one was there, fsyncs the directory so it stays gone.
pub(crate) fn remove(io: &Io, dir: &Path) -> Result<()> {
    let mut removed = false;
    for name in [FILE, TMP] {
        let path = dir.join(name);
        if path.exists() {
            io.remove(&path)?;
            removed = true;
        }
    }
    if removed {
        io.sync_dir(dir)?;
    }
    Ok(())
}

/// Reads exactly what is asked, keeping the CRC of everything read.
struct Reader {
    r: std::io::BufReader<std::fs::File>,
    crc: crc32fast::Hasher,
    left: u64,
}

impl Reader {
    fn take(&mut self, buf: &mut [u8]) -> std::result::Result<(), String> {
        if (buf.len() as u64) > self.left {
            return Err("it is shorter than its header says (truncated)".into());
        }
        self.r
            .read_exact(buf)
            .map_err(|e| format!("reading it failed: {e}"))?;
        self.left -= buf.len() as u64;
        self.crc.update(buf);
        Ok(())
    }

    fn bytes(&mut self, n: usize) -> std::result::Result<Vec<u8>, String> {
        let mut v = vec![0u8; n];
        self.take(&mut v)?;
        Ok(v)
    }
}

fn u32_at(b: &[u8], o: usize) -> u32 {
    u32::from_le_bytes([b[o], b[o + 1], b[o + 2], b[o + 3]])
}

fn u64_at(b: &[u8], o: usize) -> u64 {
    let mut a = [0u8; 8];
    a.copy_from_slice(&b[o..o + 8]);
    u64::from_le_bytes(a)
}

/// Reads and checks the snapshot in `dir`: `Ok(None)` when there is none,
/// `Err(why)` when it cannot be used (damaged, truncated, another version,
/// inconsistent). Whether it matches the segments is checked at log open.
pub(crate) fn read(dir: &Path) -> std::result::Result<Option<Snapshot>, String> {
    let file = match std::fs::File::open(dir.join(FILE)) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(format!("it cannot be opened: {e}")),
    };
    let size = file
        .metadata()
        .map_err(|e| format!("it cannot be read: {e}"))?
        .len();
    if size < (HEADER + 4 * SHARDS + 4) as u64 {
        return Err(format!("it is only {size} bytes long (truncated)"));
    }
    let mut r = Reader {
        r: std::io::BufReader::with_capacity(1 << 20, file),
        crc: crc32fast::Hasher::new(),
        left: size - 4,
    };
    let h = r.bytes(HEADER)?;
    if &h[..8] != MAGIC {
        return Err("its magic is wrong".into());
    }
    let version = u32_at(&h, 8);
    if version != VERSION {
        return Err(format!(
            "it has version {version}, this build reads version {VERSION}"
        ));
    }
    let seg_count = u32_at(&h, 12) as usize;
    let next_seq = u64_at(&h, 16);
    let total = u64_at(&h, 24);
    let sweep = SweepMark {
        through: u32_at(&h, 32),
        before_seq: u64_at(&h, 36),
    };
    let set_count = u32_at(&h, 44) as usize;
    // Bounds before anything is allocated from a count.
    let entry_bytes = total.saturating_mul(ENTRY as u64);
    let fixed = (seg_count as u64 * SEGMENT as u64)
        .saturating_add(entry_bytes)
        .saturating_add(4 * SHARDS as u64);
    if fixed > r.left || set_count > super::sets::MAX_SETS {
        return Err("its counts do not fit its length (damaged or truncated)".into());
    }
    let segs = r.bytes(seg_count * SEGMENT)?;
    let segments: Vec<SegmentState> = segs
        .chunks_exact(SEGMENT)
        .map(|c| SegmentState {
            id: u32_at(c, 0),
            data_end: u32_at(c, 4),
            len: u64_at(c, 8),
            live: u64_at(c, 16),
        })
        .collect();
    if segments.is_empty() || segments.windows(2).any(|w| w[0].id >= w[1].id) {
        return Err("its segment list is not in id order".into());
    }
    let mut sets = Vec::with_capacity(set_count);
    for _ in 0..set_count {
        let mut len = [0u8; 2];
        r.take(&mut len)?;
        let name = r.bytes(usize::from(u16::from_le_bytes(len)))?;
        sets.push(String::from_utf8(name).map_err(|_| "a set name is not UTF-8".to_string())?);
    }
    let counts = r.bytes(4 * SHARDS)?;
    let counted: u64 = (0..SHARDS).map(|i| u64::from(u32_at(&counts, i * 4))).sum();
    if counted != total || entry_bytes != r.left {
        return Err("its entry counts do not match its length (damaged or truncated)".into());
    }
    let ends: Vec<(u32, u32)> = segments.iter().map(|s| (s.id, s.data_end)).collect();
    let valid = |e: &IndexEntry| {
        let in_seg = ends
            .binary_search_by_key(&e.seg, |&(id, _)| id)
            .is_ok_and(|i| e.off as usize >= SEGMENT_HEADER_LEN && e.off < ends[i].1);
        let set_ok = e.set_id == TOMBSTONE_SET || usize::from(e.set_id) <= sets.len();
        in_seg && set_ok
    };
    let mut shards = Vec::with_capacity(SHARDS);
    let mut buf = Vec::new();
    for shard in 0..SHARDS {
        let n = u32_at(&counts, shard * 4) as usize;
        buf.resize(n * ENTRY, 0);
        r.take(&mut buf)?;
        let mut entries = Vec::with_capacity(n);
        for c in buf.chunks_exact(ENTRY) {
            let e = decode_entry(c);
            if shard_of(&e.digest) != shard || !valid(&e) {
                return Err(format!(
                    "an entry of shard {shard} is inconsistent (damaged)"
                ));
            }
            if entries
                .last()
                .is_some_and(|p: &IndexEntry| !cmp_digest(&p.digest, &e.digest).is_lt())
            {
                return Err(format!("shard {shard} is not sorted (damaged)"));
            }
            entries.push(e);
        }
        shards.push(entries);
    }
    let mut crc = [0u8; 4];
    r.r.read_exact(&mut crc)
        .map_err(|e| format!("reading its CRC failed: {e}"))?;
    if r.crc.finalize() != u32::from_le_bytes(crc) {
        return Err("its CRC does not match (damaged)".into());
    }
    Ok(Some(Snapshot {
        log: LogState {
            segments,
            next_seq,
            active_crc: u32_at(&h, 48),
        },
        sweep,
        sets,
        shards,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A header claiming more entries than any file can hold (with a valid
    /// CRC, as damage or a forged file could) is refused without overflow
    /// or a huge allocation.
    #[test]
    fn absurd_counts_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        for total in [u64::MAX, u64::MAX / 36 + 1, 1 << 40] {
            let mut b = Vec::new();
            b.extend_from_slice(MAGIC);
            b.extend_from_slice(&VERSION.to_le_bytes());
            b.extend_from_slice(&1u32.to_le_bytes());
            b.extend_from_slice(&1u64.to_le_bytes());
            b.extend_from_slice(&total.to_le_bytes());
            b.resize(HEADER + SEGMENT + 4 * SHARDS, 0);
            let crc = crc32fast::hash(&b);
            b.extend_from_slice(&crc.to_le_bytes());
            std::fs::write(dir.path().join(FILE), &b).unwrap();
            assert!(read(dir.path()).is_err(), "{total}");
        }
        std::fs::write(dir.path().join(FILE), b"short").unwrap();
        assert!(read(dir.path()).is_err());
        std::fs::remove_file(dir.path().join(FILE)).unwrap();
        assert!(matches!(read(dir.path()), Ok(None)));
    }

    #[test]
    fn entry_round_trip_is_36_bytes() {
        let e = IndexEntry {
            digest: [7; 20],
            seg: 0x0102_0304,
            off: 0x0506_0708,
            void_time: 0x090a_0b0c,
            generation: 0x0d0e,
            set_id: TOMBSTONE_SET,
        };
        let mut b = Vec::new();
        encode_entry(&e, &mut b);
        assert_eq!(b.len(), ENTRY);
        assert_eq!(&b[20..24], &[4, 3, 2, 1]);
        assert_eq!(decode_entry(&b), e);
    }
}
