//! The state of a log at a clean close, as an index snapshot records it, and
//! the check that a directory still holds exactly that state at open.

use super::*;

/// What an index snapshot records of one segment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct SegmentState {
    pub id: u32,
    /// File length.
    pub len: u64,
    /// Offset after the last entry (the next append offset of the active one).
    pub data_end: u32,
    /// Padded bytes of the entries the index points at.
    pub live: u64,
}

/// The segments, the active one and the next write sequence of a log.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct LogState {
    /// Every segment, in id order; the last one is the active segment.
    pub segments: Vec<SegmentState>,
    pub next_seq: u64,
    /// CRC32 of the active segment's bytes before its data end (header
    /// included): the segment a crash or damage would have touched.
    pub active_crc: u32,
}

/// What [`Log::open_with_state`] did with the state it was offered.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum StateCheck {
    /// None was offered (or `verify` asked for every segment to be walked).
    NotOffered,
    /// The directory matched it: no segment was read, no entry visited.
    Used,
    /// The directory did not match it (why): the segments were read.
    Rejected(String),
}

impl Log {
    /// The current state. Meaningful only while nothing is being written
    /// (the caller compares two calls around its snapshot to make sure).
    pub(crate) fn state(&self) -> LogState {
        let a = self.appender.lock();
        let active_crc = crc32fast::hash(a.active.published());
        let segments = self
            .segments
            .read()
            .values()
            .map(|s| SegmentState {
                id: s.id(),
                len: s.len() as u64,
                data_end: s.end() as u32,
                live: s.live_bytes(),
            })
            .collect();
        LogState {
            segments,
            next_seq: a.next_seq,
            active_crc,
        }
    }
}

/// Whether the segments opened from the directory (in id order, each
/// published up to its file length) are exactly those `state` describes:
/// same ids, same file lengths, data ends inside the files, and nothing but
/// zero bytes after the active segment's data end (any write after the state
/// was taken would have put an entry there, or started a new segment), and
/// the active segment's bytes before it unchanged (its CRC).
pub(super) fn matches(segs: &[Segment], state: &LogState) -> std::result::Result<(), String> {
    if segs.len() != state.segments.len() {
        return Err(format!(
            "it lists {} segments, the directory holds {}",
            state.segments.len(),
            segs.len()
        ));
    }
    for (seg, s) in segs.iter().zip(&state.segments) {
        if seg.id() != s.id {
            return Err(format!(
                "it lists segment {}, the directory holds segment {} instead",
                s.id,
                seg.id()
            ));
        }
        if seg.len() as u64 != s.len {
            return Err(format!(
                "segment {} is {} bytes long, it recorded {}",
                s.id,
                seg.len(),
                s.len
            ));
        }
        let end = s.data_end as usize;
        if end < SEGMENT_HEADER_LEN.min(seg.len()) || end > seg.len() {
            return Err(format!(
                "its data end {end} of segment {} lies outside the file",
                s.id
            ));
        }
    }
    if let (Some(seg), Some(s)) = (segs.last(), state.segments.last()) {
        let (data, tail) = seg.published().split_at(s.data_end as usize);
        if !recovery::all_zero(tail) {
            return Err(format!(
                "segment {} holds bytes after its recorded data end {}",
                s.id, s.data_end
            ));
        }
        if crc32fast::hash(data) != state.active_crc {
            return Err(format!(
                "the bytes of active segment {} changed since it was written",
                s.id
            ));
        }
    }
    Ok(())
}
