//! Reads: get and exists.

use super::{Current, Namespace};
use crate::bin::Bins;
use crate::codec;
use crate::error::{Error, Result};
use crate::index::{IndexEntry, TOMBSTONE_SET, WARM_MAX};
use crate::key::{decode_user_key, Digest, Key};
use crate::record::Record;
use crate::storage::segment::Segment;

impl Namespace {
    /// `Db::get` for this namespace.
    ///
    /// One index probe, then the record is decoded straight from its
    /// segment, which is borrowed, not referenced: no shared counter is
    /// written, so readers on several cores do not slow each other down.
    ///
    /// The clock is read only for a record that can expire (a system clock
    /// read costs tens of nanoseconds, a tenth of a cached read); a record
    /// without a void time is returned with its read time unknown, which
    /// nothing looks at ([`Record::time_to_live`] is `None` for it).
    pub(crate) fn get(&self, digest: &[u8; 20], bins: &Bins) -> Result<Record> {
        // The record is built in place in `out`: handing a `Record` (232
        // bytes) back through the closure's `Option` and `Result` layers
        // would copy it at each one.
        let mut out = Err(Error::KeyNotFound);
        self.with_entry(digest, |entry, seg| {
            if let Some(now) = self.read_time(entry) {
                out = self.record_from(seg, entry, bins, now);
            }
        })?;
        out
    }

    /// `None` when `entry` is not readable (a tombstone, or expired);
    /// otherwise the read time to stamp on its `Record`: citrus seconds now
    /// if the record has a void time, else 0 ("unknown"), without reading
    /// the clock.
    fn read_time(&self, entry: &IndexEntry) -> Option<u32> {
        if entry.set_id == TOMBSTONE_SET {
            return None;
        }
        let now = match entry.void_time {
            0 => 0,
            _ => self.now_citrus(),
        };
        (!entry.is_expired(now)).then_some(now)
    }

    /// Before the records of `digests` (at most [`WARM_MAX`]) are read one
    /// by one: loads their index slots back to back, then the first line of
    /// each one's entry, so that the reads find both in cache and the
    /// group's misses overlap instead of adding up.
    pub(crate) fn warm_reads(&self, digests: &[&[u8; 20]]) {
        self.index.warm(digests.iter().copied());
        let mut locs = [None; WARM_MAX];
        for (loc, d) in locs.iter_mut().zip(digests) {
            *loc = self.index.get(d).map(|e| e.loc());
        }
        self.log.warm_entries(locs.into_iter().flatten());
    }

    /// `Db::exists` for this namespace.
    pub(crate) fn exists(&self, digest: &[u8; 20]) -> Result<bool> {
        Ok(self
            .index
            .get(digest)
            .is_some_and(|e| self.read_time(&e).is_some()))
    }

    /// Builds the `Record` of a live version, decoding the bins `bins` selects.
    pub(crate) fn record_of(&self, current: &Current, bins: &Bins, now: u32) -> Result<Record> {
        self.record_from(&current.seg, &current.entry, bins, now)
    }

    /// Builds the `Record` of the version `entry` points at in `seg`.
    fn record_from(
        &self,
        seg: &Segment,
        entry: &IndexEntry,
        bins: &Bins,
        now: u32,
    ) -> Result<Record> {
        let view = Current::view_in(seg, entry)?;
        let bins = codec::decode_bins(view.payload, bins)?;
        let user_key = if view.key.is_empty() {
            None
        } else {
            decode_user_key(view.key)
        };
        let set = String::from_utf8_lossy(view.set);
        let key = Key::with_user_key(&self.name, &set, Digest(entry.digest), user_key);
        Ok(Record::read(
            key,
            bins,
            u32::from(entry.generation),
            entry.void_time,
            now,
        ))
    }
}
