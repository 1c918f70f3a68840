//! Walking a segment's bytes at open: valid entries, damaged regions and the
//! torn tail (see "Recovery and damaged bytes" in `docs/format.md`).

use super::entry::{self, EntryRef, ALIGN, HEADER_LEN, MAGIC};
use super::segment::SEGMENT_HEADER_LEN;

/// What recovery found damaged, summed over the segments of a namespace.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RecoveryReport {
    /// Segment files read.
    pub segments: u64,
    /// Valid entries read.
    pub entries: u64,
    /// Sealed segments read from their hint file instead of their data.
    pub hinted_segments: u64,
    /// Segment files whose header was damaged (their entries were still read).
    pub bad_headers: u64,
    /// Damaged regions skipped in the middle of segments.
    pub corrupt_regions: u64,
    /// Bytes in those regions.
    pub corrupt_bytes: u64,
    /// Bytes of torn tail cut off the last segment.
    pub torn_tail_bytes: u64,
    /// The index was read back from the index snapshot of the last clean
    /// close (`index.snap`) instead of being rebuilt from hint files and
    /// segments; `entries` and `hinted_segments` are then 0.
    pub index_from_snapshot: bool,
    /// Index entries (records and tombstones) read from that snapshot.
    pub snapshot_entries: u64,
}

/// How a segment's walk ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct WalkEnd {
    /// Where the segment's data ends (the next append offset).
    pub data_end: usize,
    /// Non-zero bytes found after the last valid entry (a torn tail).
    pub tail_bytes: usize,
}

/// Whether every byte is zero.
pub(crate) fn all_zero(bytes: &[u8]) -> bool {
    let mut chunks = bytes.chunks_exact(64);
    let zero = [0u8; 64];
    chunks.all(|c| c == zero) && chunks.remainder().iter().all(|&b| b == 0)
}

/// Offset just past the last non-zero byte of `bytes`.
fn nonzero_extent(bytes: &[u8]) -> usize {
    bytes.iter().rposition(|&b| b != 0).map_or(0, |i| i + 1)
}

/// The first offset at or after `from` (a multiple of 8) holding a valid entry.
fn resync(bytes: &[u8], mut from: usize) -> Option<usize> {
    let magic = MAGIC.to_le_bytes();
    while from + HEADER_LEN <= bytes.len() {
        if bytes[from + 4..from + 8] == magic && entry::decode(&bytes[from..]).is_ok() {
            return Some(from);
        }
        from += ALIGN;
    }
    None
}

/// Walks the entries of one segment file (`bytes` is the whole file), calling
/// `visit(offset, entry)` for each valid one in offset order, and counting
/// damage into `report`.
pub(crate) fn walk(
    bytes: &[u8],
    report: &mut RecoveryReport,
    mut visit: impl FnMut(u32, &EntryRef<'_>),
) -> WalkEnd {
    let mut p = SEGMENT_HEADER_LEN;
    while p + HEADER_LEN <= bytes.len() {
        match entry::decode(&bytes[p..]) {
            Ok(e) => {
                report.entries += 1;
                // Offsets fit in u32: segments are at most MAX_SEGMENT_SIZE.
                visit(p as u32, &e);
                p += entry::padded(e.len);
            }
            Err(_) => {
                if all_zero(&bytes[p..]) {
                    return WalkEnd {
                        data_end: p,
                        tail_bytes: 0,
                    };
                }
                match resync(bytes, p + ALIGN) {
                    Some(q) => {
                        report.corrupt_regions += 1;
                        report.corrupt_bytes += (q - p) as u64;
                        log::warn!("skipping {} damaged bytes at offset {p}", q - p);
                        p = q;
                    }
                    None => {
                        return WalkEnd {
                            data_end: p,
                            tail_bytes: nonzero_extent(&bytes[p..]),
                        };
                    }
                }
            }
        }
    }
    let p = p.min(bytes.len());
    WalkEnd {
        data_end: p,
        tail_bytes: nonzero_extent(&bytes[p..]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::storage::entry::{EntryKind, NewEntry};

    fn segment_with(payloads: &[&[u8]], size: usize) -> (Vec<u8>, Vec<usize>) {
        let mut bytes = vec![0u8; size];
        let mut offs = Vec::new();
        let mut p = SEGMENT_HEADER_LEN;
        for (i, payload) in payloads.iter().enumerate() {
            let e = NewEntry {
                kind: EntryKind::Record,
                generation: 1,
                last_update: 0,
                void_time: 0,
                digest: [i as u8; 20],
                flags: 0,
                set: b"",
                key: b"",
                payload,
            };
            let mut h = [0u8; HEADER_LEN];
            e.encode_header(i as u64 + 1, &mut h);
            bytes[p..p + HEADER_LEN].copy_from_slice(&h);
            bytes[p + HEADER_LEN..p + e.len()].copy_from_slice(payload);
            offs.push(p);
            p += entry::padded(e.len());
        }
        offs.push(p);
        (bytes, offs)
    }

    fn seqs(bytes: &[u8], report: &mut RecoveryReport) -> (Vec<u64>, WalkEnd) {
        let mut out = Vec::new();
        let end = walk(bytes, report, |_, e| out.push(e.meta.seq));
        (out, end)
    }

    #[test]
    fn clean_segment() {
        let (bytes, offs) = segment_with(&[b"a", b"bb", b"ccc"], 4096);
        let mut r = RecoveryReport::default();
        let (s, end) = seqs(&bytes, &mut r);
        assert_eq!(s, vec![1, 2, 3]);
        assert_eq!(end.data_end, offs[3]);
        assert_eq!(end.tail_bytes, 0);
        assert_eq!(r.corrupt_regions, 0);
    }

    #[test]
    fn truncation_at_every_offset_of_last_entry_keeps_earlier() {
        let (bytes, offs) = segment_with(&[b"first", b"second", b"third entry"], 4096);
        // Cutting anywhere in the entry (not its zero padding) loses it.
        for cut in offs[2]..offs[2] + HEADER_LEN + b"third entry".len() {
            let mut b = bytes.clone();
            b[cut..].fill(0);
            let mut r = RecoveryReport::default();
            let (s, end) = seqs(&b, &mut r);
            assert_eq!(s, vec![1, 2], "cut at {cut}");
            assert_eq!(end.data_end, offs[2]);
        }
    }

    #[test]
    fn flipped_byte_loses_only_that_entry() {
        let (bytes, offs) = segment_with(&[b"one", b"two", b"three"], 4096);
        for i in offs[1]..offs[2] {
            let mut b = bytes.clone();
            b[i] ^= 0x5a;
            let mut r = RecoveryReport::default();
            let (s, _) = seqs(&b, &mut r);
            if b[i] == bytes[i] {
                continue;
            }
            // A flip in the padding is harmless; anywhere else loses entry 2.
            let e_len = HEADER_LEN + 3;
            if i - offs[1] >= e_len {
                assert_eq!(s, vec![1, 2, 3]);
            } else {
                assert_eq!(s, vec![1, 3], "flip at {i}");
                assert_eq!(r.corrupt_regions, 1);
            }
        }
    }

    #[test]
    fn garbage_tail_is_reported() {
        let (mut bytes, offs) = segment_with(&[b"one"], 4096);
        bytes[offs[1] + 3] = 0xff;
        let mut r = RecoveryReport::default();
        let (s, end) = seqs(&bytes, &mut r);
        assert_eq!(s, vec![1]);
        assert_eq!(end.data_end, offs[1]);
        assert_eq!(end.tail_bytes, 4);
    }
}
