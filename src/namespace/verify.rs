//! `Db::verify` for a namespace: every index entry read back from its segment.

use super::Namespace;
use crate::bin::Bins;
use crate::codec;
use crate::index::{IndexEntry, SHARDS, TOMBSTONE_SET};
use crate::key::decode_user_key;
use crate::storage::entry::EntryKind;

/// How many entries a namespace's verification checked and found damaged.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Checked {
    pub entries: u64,
    pub damaged: u64,
}

impl Namespace {
    /// Reads back the entry every index entry (live records, expired ones not
    /// swept yet, tombstones) points at: it must pass its CRC, carry the
    /// index entry's digest, kind, set, generation and void time, and decode
    /// (bins and stored key). `damage` gets a description of each failure;
    /// `progress` the number of entries checked since its last call.
    ///
    /// An entry that fails is looked up again first: a concurrent write or
    /// defragmentation may have moved it, and then its new version is
    /// checked instead.
    pub(crate) fn verify_index(
        &self,
        damage: &mut dyn FnMut(String),
        progress: &mut dyn FnMut(u64),
    ) -> Checked {
        let mut checked = Checked::default();
        let mut batch = Vec::new();
        for shard in 0..SHARDS {
            self.index.shard_entries_after(shard, None, &mut batch);
            for &first in &batch {
                let mut e = first;
                let mut outcome = self.check_entry(&e);
                for _ in 0..4 {
                    if outcome.is_ok() {
                        break;
                    }
                    match self.index.get(&e.digest) {
                        Some(now) if now != e => {
                            e = now;
                            outcome = self.check_entry(&e);
                        }
                        // Deleted meanwhile: nothing left to check.
                        None => {
                            outcome = Ok(());
                        }
                        Some(_) => break,
                    }
                }
                checked.entries += 1;
                if let Err(why) = outcome {
                    checked.damaged += 1;
                    damage(format!(
                        "namespace {:?}: record {} at segment {} offset {}: {why}",
                        self.name,
                        hex(&e.digest),
                        e.seg,
                        e.off
                    ));
                }
            }
            if !batch.is_empty() {
                progress(batch.len() as u64);
            }
        }
        checked
    }

    fn check_entry(&self, e: &IndexEntry) -> Result<(), String> {
        let seg = self
            .log
            .segment(e.seg)
            .ok_or("the index points at a segment file that does not exist")?;
        let v = seg
            .read(e.off)
            .map_err(|why| format!("the entry fails validation ({why:?})"))?;
        if v.meta.digest != e.digest {
            return Err(format!(
                "the index points at an entry of another digest ({})",
                hex(&v.meta.digest)
            ));
        }
        let tombstone = e.set_id == TOMBSTONE_SET;
        match (v.meta.kind, tombstone) {
            (EntryKind::Stream, _) => return Err("the index points at a stream entry".into()),
            (EntryKind::Tombstone, false) => {
                return Err("the index holds a live record where the file has a tombstone".into())
            }
            // A tombstone, or a record the TTL sweeper expired (a tombstone
            // only in the index).
            (_, true) => {}
            (EntryKind::Record, false) => {
                if v.meta.generation != e.generation || v.meta.void_time != e.void_time {
                    return Err(format!(
                        "the index says generation {} and void time {}, the file {} and {}",
                        e.generation, e.void_time, v.meta.generation, v.meta.void_time
                    ));
                }
                let set = String::from_utf8_lossy(v.set);
                if self.sets.find(&set).is_some_and(|id| id != e.set_id) {
                    return Err(format!("the index has it in another set than {set:?}"));
                }
            }
        }
        if v.meta.kind == EntryKind::Record {
            codec::decode_bins(v.payload, &Bins::All)
                .map_err(|err| format!("its bins do not decode ({err})"))?;
            if !v.key.is_empty() && decode_user_key(v.key).is_none() {
                return Err("its stored user key does not decode".into());
            }
        }
        Ok(())
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
