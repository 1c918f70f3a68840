//! `Db::verify` for a stream: every record of every shard's index read back
//! from its segment.

use super::shard::Slot;
use super::stream::Stream;
use crate::storage::entry::EntryKind;

/// Slots copied out of a shard's index at a time.
const BATCH: usize = 4096;

impl Stream {
    /// Reads back every record of every shard (open and closed, including
    /// those past the retention period not deleted yet): each must pass its
    /// CRC and be a stream entry with the sequence number the shard's index
    /// gives it. `damage` gets a description of each failure; `progress`
    /// the number of records checked since its last call. Returns the
    /// records checked and the damaged ones.
    pub(crate) fn verify_records(
        &self,
        damage: &mut dyn FnMut(String),
        progress: &mut dyn FnMut(u64),
    ) -> (u64, u64) {
        let (name, shards) = {
            let st = self.state.read();
            let mut shards: Vec<_> = st
                .shards
                .iter()
                .map(|(&i, s)| (i, std::sync::Arc::clone(s)))
                .collect();
            shards.sort_by_key(|&(i, _)| i);
            (st.meta.name.clone(), shards)
        };
        let (mut checked, mut damaged) = (0u64, 0u64);
        let mut slots: Vec<Slot> = Vec::with_capacity(BATCH);
        for (index, shard) in shards {
            let mut from = 0u64;
            loop {
                slots.clear();
                shard.window(from, 0, BATCH, &mut slots);
                let Some(last) = slots.last() else { break };
                from = last.seq + 1;
                for slot in &slots {
                    let problem = match self.log.segment(slot.loc.seg) {
                        // Retention deleted the segment since the copy.
                        None => None,
                        Some(seg) => match seg.read(slot.loc.off) {
                            Err(why) => Some(format!("the entry fails validation ({why:?})")),
                            Ok(e) if e.meta.kind != EntryKind::Stream => {
                                Some("the shard's index points at a record entry".into())
                            }
                            Ok(e) if e.meta.seq != slot.seq => Some(format!(
                                "the shard's index says sequence {}, the file {}",
                                slot.seq, e.meta.seq
                            )),
                            Ok(_) => None,
                        },
                    };
                    checked += 1;
                    if let Some(why) = problem {
                        damaged += 1;
                        damage(format!(
                            "stream {name:?} shard {}: record at segment {} offset {}: {why}",
                            super::names::shard_id(index),
                            slot.loc.seg,
                            slot.loc.off
                        ));
                    }
                }
                progress(slots.len() as u64);
            }
        }
        (checked, damaged)
    }
}
