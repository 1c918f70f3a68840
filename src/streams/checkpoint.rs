//! Consumer checkpoints: the last processed sequence number per (consumer,
//! shard), in the stream's `checkpoints.meta`, rewritten whole and durably
//! on every change.
//!
//! Body layout: count u32, then per checkpoint: consumer name length u8 and
//! bytes, shard index u32, log sequence u64.

use super::meta::Reader;
use crate::error::{Error, Result};
use crate::storage::io::Io;
use crate::storage::meta::{self, WriteFailure};
use parking_lot::Mutex;
use std::collections::BTreeMap;
use std::path::Path;

const FILE: &str = "checkpoints.meta";
const MAGIC: &[u8; 8] = b"ALITECKP";

/// The checkpoints of one stream.
#[derive(Debug)]
pub(crate) struct Checkpoints {
    map: Mutex<BTreeMap<(String, u32), u64>>,
}

impl Checkpoints {
    /// Reads the stream's checkpoints (none if the file does not exist).
    pub(crate) fn open(dir: &Path) -> Result<Checkpoints> {
        let mut map = BTreeMap::new();
        if let Some(body) = meta::read(dir, FILE, MAGIC)? {
            let mut r = Reader { b: &body, at: 0 };
            let n = r.u32()?;
            for _ in 0..n {
                let len = usize::from(r.u8()?);
                let consumer = String::from_utf8(r.bytes(len)?.to_vec()).map_err(|_| r.bad())?;
                let shard = r.u32()?;
                let seq = r.u64()?;
                map.insert((consumer, shard), seq);
            }
        }
        Ok(Checkpoints {
            map: Mutex::new(map),
        })
    }

    /// Stores `seq` for (`consumer`, `shard`) durably.
    pub(crate) fn set(
        &self,
        io: &Io,
        dir: &Path,
        consumer: &str,
        shard: u32,
        seq: u64,
    ) -> Result<()> {
        let mut map = self.map.lock();
        let mut next = map.clone();
        next.insert((consumer.to_string(), shard), seq);
        let mut body = Vec::with_capacity(4 + next.len() * 32);
        body.extend_from_slice(&(next.len() as u32).to_le_bytes());
        for ((c, s), q) in &next {
            body.push(c.len() as u8);
            body.extend_from_slice(c.as_bytes());
            body.extend_from_slice(&s.to_le_bytes());
            body.extend_from_slice(&q.to_le_bytes());
        }
        match meta::write(io, dir, FILE, MAGIC, &body) {
            Ok(()) => {
                *map = next;
                Ok(())
            }
            Err(WriteFailure::Clean(e)) => Err(e),
            Err(WriteFailure::InDoubt(e)) => {
                // The new file is in place; it may or may not survive a crash.
                *map = next;
                Err(Error::Io(std::io::Error::other(format!(
                    "the checkpoint was written but may not be durable: {e}"
                ))))
            }
        }
    }

    /// The checkpoint of (`consumer`, `shard`).
    pub(crate) fn get(&self, consumer: &str, shard: u32) -> Option<u64> {
        self.map.lock().get(&(consumer.to_string(), shard)).copied()
    }
}
