//! Sequence numbers: how a record's number encodes its shard and its place
//! in the stream's log.
//!
//! A number is the decimal form of the 128-bit value
//! `2^127 | tag << 96 | log_seq << 32 | shard_index`, where `log_seq` is the
//! storage log's write sequence number of the record (unique and increasing
//! in the stream, never reused: see `Stream`'s sequence lease) and `tag` is
//! 31 bits derived from the stream's incarnation, so a number of another
//! stream (or of an earlier stream of the same name) is refused. Every
//! number thus has 39 digits, so numbers compare the same as strings and as
//! integers; numbers grow with write order across the whole stream, and the
//! low 32 bits name the shard.

use crate::error::{Error, Result};

const TOP: u128 = 1 << 127;

/// The 31-bit tag of a stream's numbers, from its incarnation.
pub(crate) fn tag_of(incarnation: u64) -> u32 {
    let mixed = incarnation.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    (mixed >> 33) as u32
}

/// The sequence number of the record with log sequence `log_seq` in shard
/// `shard` of the stream tagged `tag`.
pub(crate) fn encode(tag: u32, log_seq: u64, shard: u32) -> String {
    let tag = u128::from(tag & 0x7FFF_FFFF);
    (TOP | tag << 96 | u128::from(log_seq) << 32 | u128::from(shard)).to_string()
}

/// A parsed sequence number.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct SeqNo {
    pub log_seq: u64,
    pub shard: u32,
}

/// Parses a sequence number of the stream tagged `tag`.
///
/// # Errors
/// [`Error::InvalidArgument`] when `s` is not one (naming `what`).
pub(crate) fn decode(what: &str, s: &str, tag: u32) -> Result<SeqNo> {
    let bad = || {
        Error::InvalidArgument(format!(
            "1 validation error detected: Value '{s}' at '{what}' failed to satisfy constraint: \
             Member must satisfy regular expression pattern: 0|([1-9]\\d{{0,128}}) and be a \
             sequence number of this stream"
        ))
    };
    if s.len() != 39 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad());
    }
    let v: u128 = s.parse().map_err(|_| bad())?;
    if v & TOP == 0 || (v >> 96) as u32 & 0x7FFF_FFFF != tag & 0x7FFF_FFFF {
        return Err(bad());
    }
    Ok(SeqNo {
        log_seq: (v >> 32) as u64,
        shard: v as u32,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_order() {
        for tag in [0, 1, 0x7FFF_FFFF, tag_of(12345)] {
            let a = encode(tag, 1, 0);
            let b = encode(tag, 2, 0);
            let c = encode(tag, 2, 7);
            let d = encode(tag, u64::MAX, u32::MAX);
            for s in [&a, &b, &c, &d] {
                assert_eq!(s.len(), 39);
            }
            assert!(a < b && b < c && c < d);
            let seq = |log_seq, shard| SeqNo { log_seq, shard };
            assert_eq!(decode("x", &c, tag).unwrap(), seq(2, 7));
            assert_eq!(decode("x", &d, tag).unwrap(), seq(u64::MAX, u32::MAX));
            // Another stream's number is refused.
            assert!(decode("x", &c, tag ^ 1).is_err());
            for bad in ["", "1", "abc", &"9".repeat(39), &"1".repeat(40)] {
                assert!(decode("x", bad, tag).is_err(), "{bad}");
            }
        }
    }
}
