//! A stream's metadata file, `stream.meta`: its configuration, its shards
//! and the sequence lease. Written whole through `storage::meta` (temporary
//! file, fsync, rename, directory fsync), so it is always either the old or
//! the new version.
//!
//! Body layout, integers little-endian: name length u8 and bytes,
//! incarnation u64, created ms u64, retention hours u32, max record size
//! u32, limits flag u8 and four u32 rates, sequence lease u64, next shard
//! index u32, shard count u32, then per shard: index u32, parent u32,
//! adjacent parent u32 (`u32::MAX` for none), hash range start and end
//! (u128 each), start log sequence u64, end log sequence u64 (0 while open);
//! then, optionally (files written before it have none; 0 when absent), the
//! expired-before time u64 (ms).

use super::types::StreamConfig;
use crate::error::{Error, Result};

/// The metadata file's name in a stream's directory.
pub(crate) const FILE: &str = "stream.meta";
/// Its magic.
pub(crate) const MAGIC: &[u8; 8] = b"ALITESTM";

const NONE: u32 = u32::MAX;

/// One shard's durable state.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct ShardMeta {
    pub index: u32,
    pub parent: Option<u32>,
    pub adjacent_parent: Option<u32>,
    pub start_hash: u128,
    pub end_hash: u128,
    /// Log sequence of the stream when the shard opened: its records' are
    /// at or above it.
    pub start_seq: u64,
    /// Log sequence when it closed (its records' are below it); `None` while
    /// open.
    pub end_seq: Option<u64>,
}

impl ShardMeta {
    pub(crate) fn is_open(&self) -> bool {
        self.end_seq.is_none()
    }

    pub(crate) fn contains(&self, hash: u128) -> bool {
        self.start_hash <= hash && hash <= self.end_hash
    }
}

/// A stream's durable state.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct StreamMeta {
    pub name: String,
    /// Distinguishes this stream from an earlier one of the same name, so
    /// that iterators of a deleted stream do not read a new one.
    pub incarnation: u64,
    pub created_ms: u64,
    pub retention_hours: u32,
    pub max_record_size: u32,
    pub enforce_limits: bool,
    pub write_records_per_sec: u32,
    pub write_bytes_per_sec: u32,
    pub read_calls_per_sec: u32,
    pub read_bytes_per_sec: u32,
    /// Log sequence numbers below this may have been handed out; the log
    /// never hands out one below it after a restart.
    pub seq_lease: u64,
    pub next_shard: u32,
    /// In index order.
    pub shards: Vec<ShardMeta>,
    /// Records that arrived before this (ms since the Unix epoch) expired
    /// under an earlier, shorter retention period: a longer period does not
    /// make them readable again (Kinesis's `IncreaseStreamRetentionPeriod`).
    pub expired_before_ms: u64,
}

impl StreamMeta {
    /// The metadata of a new stream.
    pub(crate) fn new(config: &StreamConfig, incarnation: u64, created_ms: u64) -> StreamMeta {
        let n = config.shard_count;
        let shards = (0..n)
            .map(|i| {
                let (start_hash, end_hash) = super::hashkey::uniform_range(i, n);
                ShardMeta {
                    index: i,
                    parent: None,
                    adjacent_parent: None,
                    start_hash,
                    end_hash,
                    start_seq: 1,
                    end_seq: None,
                }
            })
            .collect();
        StreamMeta {
            name: config.name.clone(),
            incarnation,
            created_ms,
            retention_hours: config.retention_hours,
            max_record_size: config.max_record_size,
            enforce_limits: config.enforce_throughput_limits,
            write_records_per_sec: config.write_records_per_sec,
            write_bytes_per_sec: config.write_bytes_per_sec,
            read_calls_per_sec: config.read_calls_per_sec,
            read_bytes_per_sec: config.read_bytes_per_sec,
            seq_lease: 1,
            next_shard: n,
            shards,
            expired_before_ms: 0,
        }
    }

    /// The shard with this index.
    pub(crate) fn shard(&self, index: u32) -> Option<&ShardMeta> {
        self.shards
            .binary_search_by_key(&index, |s| s.index)
            .ok()
            .map(|i| &self.shards[i])
    }

    /// The open shard whose range holds `hash`.
    pub(crate) fn route(&self, hash: u128) -> Option<u32> {
        self.shards
            .iter()
            .find(|s| s.is_open() && s.contains(hash))
            .map(|s| s.index)
    }

    pub(crate) fn open_shards(&self) -> impl Iterator<Item = &ShardMeta> {
        self.shards.iter().filter(|s| s.is_open())
    }

    pub(crate) fn encode(&self) -> Vec<u8> {
        let mut b = Vec::with_capacity(64 + self.shards.len() * 60);
        b.push(self.name.len() as u8);
        b.extend_from_slice(self.name.as_bytes());
        b.extend_from_slice(&self.incarnation.to_le_bytes());
        b.extend_from_slice(&self.created_ms.to_le_bytes());
        for v in [self.retention_hours, self.max_record_size] {
            b.extend_from_slice(&v.to_le_bytes());
        }
        b.push(u8::from(self.enforce_limits));
        for v in [
            self.write_records_per_sec,
            self.write_bytes_per_sec,
            self.read_calls_per_sec,
            self.read_bytes_per_sec,
        ] {
            b.extend_from_slice(&v.to_le_bytes());
        }
        b.extend_from_slice(&self.seq_lease.to_le_bytes());
        b.extend_from_slice(&self.next_shard.to_le_bytes());
        b.extend_from_slice(&(self.shards.len() as u32).to_le_bytes());
        for s in &self.shards {
            for v in [
                s.index,
                s.parent.unwrap_or(NONE),
                s.adjacent_parent.unwrap_or(NONE),
            ] {
                b.extend_from_slice(&v.to_le_bytes());
            }
            b.extend_from_slice(&s.start_hash.to_le_bytes());
            b.extend_from_slice(&s.end_hash.to_le_bytes());
            b.extend_from_slice(&s.start_seq.to_le_bytes());
            b.extend_from_slice(&s.end_seq.unwrap_or(0).to_le_bytes());
        }
        if self.expired_before_ms != 0 {
            b.extend_from_slice(&self.expired_before_ms.to_le_bytes());
        }
        b
    }

    pub(crate) fn decode(b: &[u8]) -> Result<StreamMeta> {
        let mut r = Reader { b, at: 0 };
        let name_len = usize::from(r.u8()?);
        let name = String::from_utf8(r.bytes(name_len)?.to_vec()).map_err(|_| r.bad())?;
        let incarnation = r.u64()?;
        let created_ms = r.u64()?;
        let retention_hours = r.u32()?;
        let max_record_size = r.u32()?;
        let enforce_limits = r.u8()? != 0;
        let write_records_per_sec = r.u32()?;
        let write_bytes_per_sec = r.u32()?;
        let read_calls_per_sec = r.u32()?;
        let read_bytes_per_sec = r.u32()?;
        let seq_lease = r.u64()?;
        let next_shard = r.u32()?;
        let count = r.u32()? as usize;
        let mut shards = Vec::with_capacity(count.min(1 << 16));
        for _ in 0..count {
            let opt = |v: u32| (v != NONE).then_some(v);
            let index = r.u32()?;
            let parent = opt(r.u32()?);
            let adjacent_parent = opt(r.u32()?);
            let start_hash = r.u128()?;
            let end_hash = r.u128()?;
            let start_seq = r.u64()?;
            let end_seq = r.u64()?;
            shards.push(ShardMeta {
                index,
                parent,
                adjacent_parent,
                start_hash,
                end_hash,
                start_seq,
                end_seq: (end_seq != 0).then_some(end_seq),
            });
        }
        let expired_before_ms = if r.at < b.len() { r.u64()? } else { 0 };
        if r.at != b.len() || !shards.windows(2).all(|w| w[0].index < w[1].index) {
            return Err(r.bad());
        }
        Ok(StreamMeta {
            name,
            incarnation,
            created_ms,
            retention_hours,
            max_record_size,
            enforce_limits,
            write_records_per_sec,
            write_bytes_per_sec,
            read_calls_per_sec,
            read_bytes_per_sec,
            seq_lease,
            next_shard,
            shards,
            expired_before_ms,
        })
    }
}

/// Reads little-endian fields, failing on a short body.
pub(crate) struct Reader<'a> {
    pub b: &'a [u8],
    pub at: usize,
}

impl<'a> Reader<'a> {
    pub(crate) fn bad(&self) -> Error {
        Error::Corruption {
            message: format!("stream metadata is malformed at byte {}", self.at),
        }
    }

    pub(crate) fn bytes(&mut self, n: usize) -> Result<&'a [u8]> {
        let end = self.at.checked_add(n).filter(|&e| e <= self.b.len());
        let Some(end) = end else {
            return Err(self.bad());
        };
        let s = &self.b[self.at..end];
        self.at = end;
        Ok(s)
    }

    pub(crate) fn u8(&mut self) -> Result<u8> {
        Ok(self.bytes(1)?[0])
    }

    pub(crate) fn u32(&mut self) -> Result<u32> {
        let mut a = [0u8; 4];
        a.copy_from_slice(self.bytes(4)?);
        Ok(u32::from_le_bytes(a))
    }

    pub(crate) fn u64(&mut self) -> Result<u64> {
        let mut a = [0u8; 8];
        a.copy_from_slice(self.bytes(8)?);
        Ok(u64::from_le_bytes(a))
    }

    pub(crate) fn u128(&mut self) -> Result<u128> {
        let mut a = [0u8; 16];
        a.copy_from_slice(self.bytes(16)?);
        Ok(u128::from_le_bytes(a))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip() {
        let mut m = StreamMeta::new(&StreamConfig::new("s").shard_count(3), 7, 1000);
        m.shards[1].end_seq = Some(55);
        m.shards.push(ShardMeta {
            index: 3,
            parent: Some(1),
            adjacent_parent: Some(2),
            start_hash: 5,
            end_hash: u128::MAX,
            start_seq: 55,
            end_seq: None,
        });
        m.seq_lease = 1 << 40;
        let b = m.encode();
        assert_eq!(StreamMeta::decode(&b).unwrap(), m);
        for cut in 0..b.len() {
            assert!(StreamMeta::decode(&b[..cut]).is_err());
        }
        m.expired_before_ms = 1_700_000_000_000;
        let b2 = m.encode();
        assert_eq!(b2.len(), b.len() + 8);
        assert_eq!(StreamMeta::decode(&b2).unwrap(), m);
        for cut in b.len() + 1..b2.len() {
            assert!(StreamMeta::decode(&b2[..cut]).is_err());
        }
    }
}
