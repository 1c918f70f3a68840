//! Body of the `entry_decode` fuzz target: the entry decoder and recovery's
//! segment walk on arbitrary bytes.
//!
//! The input is handed to the decoder as is, and to the walk twice: as a
//! whole segment file (header included) and behind a zeroed 64-byte segment
//! header, so that an input holding bare entries is walked from its first
//! byte. `aerolite::fuzzing` panics only when an invariant breaks (an entry
//! that does not re-encode to its bytes, overlapping entries, a data end
//! outside the segment), never on bad input.

/// Bytes of a segment header (docs/format.md).
const SEGMENT_HEADER_LEN: usize = 64;

/// Runs one input.
pub fn run(data: &[u8]) {
    aerolite::fuzzing::decode_entry(data);
    aerolite::fuzzing::walk_segment(data);
    let mut segment = vec![0u8; SEGMENT_HEADER_LEN];
    segment.extend_from_slice(data);
    aerolite::fuzzing::walk_segment(&segment);
}
