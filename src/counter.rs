//! A counter that several threads change often and that is read rarely.
//!
//! One `AtomicU64` that every write adds to is one cache line that the cores
//! pass back and forth: with a batch running on two threads, each insert
//! waited for the other core's copy of the index length and of the record
//! counts. A [`StripedCounter`] keeps one counter per stripe, each on its own
//! cache lines; a writer adds to the stripe of the index shard it changes
//! (the two halves of a batch own different shards, so different stripes),
//! and a reader sums the stripes.
//!
//! The value is the wrapping sum of every delta ever added, exactly what one
//! counter would hold: wrapping addition is associative, so it does not
//! matter which stripe a delta went to (a stripe alone may wrap "below
//! zero"). A sum taken while writers run may mix stripes from slightly
//! different moments, as a read of one counter races with the writes after
//! it; each single delta is still seen whole or not at all.

use std::sync::atomic::{AtomicU64, Ordering};

/// Stripes: a power of two, more than the cores we expect to write at once.
const STRIPES: usize = 8;

/// One stripe, alone on its cache lines (128 bytes: adjacent-line prefetch).
#[repr(align(128))]
#[derive(Default)]
struct Stripe(AtomicU64);

/// A counter split over [`STRIPES`] cache lines.
#[derive(Default)]
pub(crate) struct StripedCounter {
    stripes: [Stripe; STRIPES],
}

impl StripedCounter {
    /// Adds `delta` (wrapping) to the stripe of `key` (an index shard).
    #[inline]
    pub(crate) fn add(&self, key: usize, delta: u64) {
        self.stripes[key % STRIPES]
            .0
            .fetch_add(delta, Ordering::Relaxed);
    }

    /// The wrapping sum of the stripes.
    pub(crate) fn get(&self) -> u64 {
        self.stripes
            .iter()
            .fold(0u64, |sum, s| sum.wrapping_add(s.0.load(Ordering::Relaxed)))
    }

    /// Sets the value (while no writer runs: at open).
    pub(crate) fn set(&self, value: u64) {
        for (i, s) in self.stripes.iter().enumerate() {
            s.0.store(if i == 0 { value } else { 0 }, Ordering::Relaxed);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sum_is_exact_whichever_stripes_the_deltas_went_to() {
        let c = StripedCounter::default();
        c.set(10);
        // Up in one stripe, down in another: that stripe wraps below zero.
        c.add(3, 5);
        c.add(6, 2u64.wrapping_neg());
        c.add(11, 1);
        assert_eq!(c.get(), 14);
        c.set(7);
        assert_eq!(c.get(), 7);
    }

    #[test]
    fn packed_pairs_add_up_as_in_one_counter() {
        // Records in the high half, tombstones in the low half, as the
        // namespace packs them: a record becoming a tombstone in one stripe
        // and a tombstone dropped in another.
        let pack = |r: i64, t: i64| (r << 32).wrapping_add(t) as u64;
        let c = StripedCounter::default();
        c.set(pack(3, 1));
        c.add(1, pack(-1, 1));
        c.add(2, pack(0, -2));
        assert_eq!(c.get(), pack(2, 0));
    }

    #[test]
    fn threads_adding_to_their_own_stripes_lose_nothing() {
        let c = StripedCounter::default();
        std::thread::scope(|s| {
            for t in 0..4 {
                let c = &c;
                s.spawn(move || (0..10_000).for_each(|i| c.add(t + i, 1)));
            }
        });
        assert_eq!(c.get(), 40_000);
    }
}
