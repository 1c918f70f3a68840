//! Shard iterators: opaque, self-contained strings.
//!
//! An iterator holds everything a `get_records` call needs, so it can be
//! reused and needs no server-side state: the stream's name and incarnation,
//! the shard, the log sequence number to continue from, and when it was
//! issued. Layout (then lower-case hex, at most 2 · (29 + 128 + 4) = 322
//! characters): version `1` (u8), incarnation (u64), shard index (u32),
//! position (u64), issued at in ms since the Unix epoch (u64), the name's
//! bytes, and a CRC-32 of everything before it (u32), integers little-endian.

use crate::error::{Error, Result};

const VERSION: u8 = 1;
const FIXED: usize = 1 + 8 + 4 + 8 + 8;

/// A decoded shard iterator.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct ShardIterator {
    pub stream: String,
    pub incarnation: u64,
    pub shard: u32,
    /// The first log sequence number the next read may return.
    pub position: u64,
    pub issued_ms: u64,
}

fn invalid() -> Error {
    Error::InvalidArgument("Invalid ShardIterator.".into())
}

impl ShardIterator {
    /// The opaque string form.
    pub(crate) fn encode(&self) -> String {
        let mut b = Vec::with_capacity(FIXED + self.stream.len() + 4);
        b.push(VERSION);
        b.extend_from_slice(&self.incarnation.to_le_bytes());
        b.extend_from_slice(&self.shard.to_le_bytes());
        b.extend_from_slice(&self.position.to_le_bytes());
        b.extend_from_slice(&self.issued_ms.to_le_bytes());
        b.extend_from_slice(self.stream.as_bytes());
        let crc = crc32fast::hash(&b);
        b.extend_from_slice(&crc.to_le_bytes());
        let mut s = String::with_capacity(b.len() * 2);
        for byte in b {
            s.push(char::from(HEX[usize::from(byte >> 4)]));
            s.push(char::from(HEX[usize::from(byte & 15)]));
        }
        s
    }

    /// Parses an iterator string.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] ("Invalid ShardIterator.") for anything
    /// this function did not produce.
    pub(crate) fn decode(s: &str) -> Result<ShardIterator> {
        let s = s.as_bytes();
        if !s.len().is_multiple_of(2) || s.len() < 2 * (FIXED + 5) || s.len() > 512 {
            return Err(invalid());
        }
        let mut b = Vec::with_capacity(s.len() / 2);
        for pair in s.chunks_exact(2) {
            let hi = nibble(pair[0]).ok_or_else(invalid)?;
            let lo = nibble(pair[1]).ok_or_else(invalid)?;
            b.push(hi << 4 | lo);
        }
        let (body, crc) = b.split_at(b.len() - 4);
        if crc32fast::hash(body).to_le_bytes() != crc || body[0] != VERSION {
            return Err(invalid());
        }
        let u64_at = |o: usize| {
            let mut a = [0u8; 8];
            a.copy_from_slice(&body[o..o + 8]);
            u64::from_le_bytes(a)
        };
        let mut shard = [0u8; 4];
        shard.copy_from_slice(&body[9..13]);
        let stream = std::str::from_utf8(&body[FIXED..]).map_err(|_| invalid())?;
        Ok(ShardIterator {
            stream: stream.to_string(),
            incarnation: u64_at(1),
            shard: u32::from_le_bytes(shard),
            position: u64_at(13),
            issued_ms: u64_at(21),
        })
    }
}

const HEX: &[u8; 16] = b"0123456789abcdef";

fn nibble(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_damage() {
        let it = ShardIterator {
            stream: "x".repeat(128),
            incarnation: 42,
            shard: 3,
            position: 99,
            issued_ms: 1_700_000_000_000,
        };
        let s = it.encode();
        assert!(s.len() <= 512);
        assert_eq!(ShardIterator::decode(&s).unwrap(), it);
        let mut bad = s.clone().into_bytes();
        bad[10] = if bad[10] == b'0' { b'1' } else { b'0' };
        let bad = String::from_utf8(bad).unwrap();
        assert!(matches!(
            ShardIterator::decode(&bad),
            Err(Error::InvalidArgument(_))
        ));
        for junk in ["", "zz", "AAAA", &s[..s.len() - 2]] {
            assert!(ShardIterator::decode(junk).is_err());
        }
    }
}
