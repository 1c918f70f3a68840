//! Record locks: a fixed set of mutex stripes chosen by digest bits.
//!
//! Writers of one record are serialised by its stripe; readers never take
//! one. Truncation takes every stripe once to wait for the writes in flight.

use crate::error::{Error, Result};
use parking_lot::{Mutex, MutexGuard};
use std::time::Duration;

/// Number of record lock stripes.
const STRIPES: usize = 4096;

/// The striped record locks of one namespace.
/// The stripe of a digest.
fn stripe_index(digest: &[u8; 20]) -> usize {
    usize::from(u16::from_le_bytes([digest[2], digest[3]])) % STRIPES
}

pub(crate) struct RecordLocks {
    stripes: Box<[Mutex<()>]>,
}

impl std::fmt::Debug for RecordLocks {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RecordLocks")
            .field("stripes", &self.stripes.len())
            .finish()
    }
}

impl RecordLocks {
    pub(crate) fn new() -> RecordLocks {
        RecordLocks {
            stripes: (0..STRIPES).map(|_| Mutex::new(())).collect(),
        }
    }

    fn stripe(&self, digest: &[u8; 20]) -> &Mutex<()> {
        // Bytes 2..4: bytes 0..2 choose the index shard, so the records of
        // one shard spread over many stripes.
        &self.stripes[usize::from(u16::from_le_bytes([digest[2], digest[3]])) % STRIPES]
    }

    /// Takes the lock of a record, waiting at most `timeout` (`None`: as long
    /// as it takes).
    ///
    /// # Errors
    /// [`Error::Timeout`] when the wait exceeds `timeout`.
    pub(crate) fn lock(
        &self,
        digest: &[u8; 20],
        timeout: Option<Duration>,
    ) -> Result<MutexGuard<'_, ()>> {
        let m = self.stripe(digest);
        match timeout {
            None => Ok(m.lock()),
            Some(t) => m.try_lock_for(t).ok_or(Error::Timeout),
        }
    }

    /// Takes the lock of a record, however long it takes (maintenance).
    pub(crate) fn lock_blocking(&self, digest: &[u8; 20]) -> MutexGuard<'_, ()> {
        self.stripe(digest).lock()
    }

    /// Takes every stripe (in order, so two callers cannot deadlock) and
    /// holds them until the returned guards are dropped.
    /// Locks the stripes of all `digests`, each once, in stripe order (the
    /// order `lock_all` uses too, so two callers cannot deadlock).
    pub(crate) fn lock_many<'d>(
        &self,
        digests: impl Iterator<Item = &'d [u8; 20]>,
    ) -> Vec<MutexGuard<'_, ()>> {
        let mut stripes: Vec<usize> = digests.map(stripe_index).collect();
        stripes.sort_unstable();
        stripes.dedup();
        stripes
            .into_iter()
            .map(|i| self.stripes[i].lock())
            .collect()
    }

    pub(crate) fn lock_all(&self) -> Vec<MutexGuard<'_, ()>> {
        self.stripes.iter().map(|m| m.lock()).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_digest_same_stripe_and_timeout() {
        let locks = RecordLocks::new();
        let d = [7u8; 20];
        let g = locks.lock(&d, None).unwrap();
        assert!(matches!(
            locks.lock(&d, Some(Duration::from_millis(5))),
            Err(Error::Timeout)
        ));
        let mut other = d;
        other[2] ^= 1;
        drop(locks.lock(&other, Some(Duration::from_millis(5))).unwrap());
        drop(g);
        drop(locks.lock(&d, Some(Duration::from_millis(5))).unwrap());
        assert_eq!(locks.lock_all().len(), STRIPES);
    }
}
