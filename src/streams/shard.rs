//! The in-memory index of one shard: for every retained record, its log
//! sequence number, arrival time and location, in sequence order. An
//! iterator seeks by binary search on either key; nothing is read from the
//! segment files until records are returned.

use super::throughput::Throttle;
use crate::storage::log::Location;
use parking_lot::{Mutex, RwLock};
use std::collections::VecDeque;

/// One record of the shard.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Slot {
    pub seq: u64,
    pub arrival_ms: u64,
    pub loc: Location,
}

/// A shard's index and its throughput windows.
#[derive(Debug, Default)]
pub(crate) struct ShardIndex {
    slots: RwLock<VecDeque<Slot>>,
    pub(crate) throttle: Mutex<Throttle>,
}

impl ShardIndex {
    /// An index of `(seq, arrival, location)` entries already in log order.
    pub(crate) fn from_entries(entries: Vec<(u64, u64, Location)>) -> ShardIndex {
        let slots = entries
            .into_iter()
            .map(|(seq, arrival_ms, loc)| Slot {
                seq,
                arrival_ms,
                loc,
            })
            .collect();
        ShardIndex {
            slots: RwLock::new(slots),
            throttle: Mutex::new(Throttle::default()),
        }
    }

    /// Adds a record; its sequence number is above every other's (the
    /// stream's write lock orders appends).
    pub(crate) fn push(&self, slot: Slot) {
        self.slots.write().push_back(slot);
    }

    /// Copies up to `max` slots starting at the first with `seq >= from` and
    /// `arrival_ms >= not_before`, and returns them with the slot after the
    /// last copied one (if any) and the newest slot.
    pub(crate) fn window(
        &self,
        from: u64,
        not_before: u64,
        max: usize,
        out: &mut Vec<Slot>,
    ) -> (Option<Slot>, Option<Slot>) {
        let slots = self.slots.read();
        let by_seq = slots.partition_point(|s| s.seq < from);
        let by_time = slots.partition_point(|s| s.arrival_ms < not_before);
        let start = by_seq.max(by_time);
        let end = start.saturating_add(max).min(slots.len());
        out.extend(slots.range(start..end).copied());
        (slots.get(end).copied(), slots.back().copied())
    }

    /// The log sequence number of the first record that arrived at or after
    /// `ms`, if any.
    pub(crate) fn first_at_or_after(&self, ms: u64) -> Option<u64> {
        let slots = self.slots.read();
        let i = slots.partition_point(|s| s.arrival_ms < ms);
        slots.get(i).map(|s| s.seq)
    }

    /// Drops the slots of segments up to and including `seg` (they are a
    /// prefix: segments are written in id order). Returns how many.
    pub(crate) fn drop_through_segment(&self, seg: u32) -> usize {
        let mut slots = self.slots.write();
        let n = slots.partition_point(|s| s.loc.seg <= seg);
        slots.drain(..n);
        if slots.capacity() > 64 && slots.len() < slots.capacity() / 4 {
            let keep = slots.len() * 2;
            slots.shrink_to(keep);
        }
        n
    }

    /// Number of records indexed.
    pub(crate) fn len(&self) -> usize {
        self.slots.read().len()
    }
}
