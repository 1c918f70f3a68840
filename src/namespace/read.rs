//! Reads: get and exists.

use super::{Current, Namespace};
use crate::bin::Bins;
use crate::codec;
use crate::error::{Error, Result};
use crate::key::{decode_user_key, Digest, Key};
use crate::record::Record;

impl Namespace {
    /// `Db::get` for this namespace.
    pub(crate) fn get(&self, digest: &[u8; 20], bins: &Bins) -> Result<Record> {
        let now = self.now_citrus();
        let current = self.live(digest, now)?.ok_or(Error::KeyNotFound)?;
        self.record_of(&current, bins, now)
    }

    /// `Db::exists` for this namespace.
    pub(crate) fn exists(&self, digest: &[u8; 20]) -> Result<bool> {
        let now = self.now_citrus();
        Ok(self
            .index
            .get(digest)
            .is_some_and(|e| e.set_id != crate::index::TOMBSTONE_SET && !e.is_expired(now)))
    }

    /// Builds the `Record` of a live version, decoding the bins `bins` selects.
    pub(crate) fn record_of(&self, current: &Current, bins: &Bins, now: u32) -> Result<Record> {
        let view = current.view()?;
        let bins = codec::decode_bins(view.payload, bins)?;
        let user_key = if view.key.is_empty() {
            None
        } else {
            decode_user_key(view.key)
        };
        let set = String::from_utf8_lossy(view.set);
        let key = Key::with_user_key(&self.name, &set, Digest(current.entry.digest), user_key);
        Ok(Record::new(
            Some(key),
            bins,
            u32::from(current.entry.generation),
            current.entry.void_time,
        )
        .with_read_time(now))
    }
}
