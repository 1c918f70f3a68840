//! The in-memory digest index: digest → location and record metadata.
//!
//! The index is split into 16,384 shards by the low 14 bits of the digest
//! (so a shard never spans two Aerospike partitions). Each shard is a sorted
//! vector of 36-byte entries behind its own reader-writer lock: lookups are a
//! binary search, and a scan can resume after the last digest it saw. Vectors
//! grow by an eighth, not by doubling, so memory stays near 36 bytes a record.

use crate::counter::StripedCounter;
use crate::storage::log::Location;
use parking_lot::{RwLock, RwLockReadGuard};

/// Number of shards (a power of two).
pub(crate) const SHARDS: usize = 1 << 14;

/// A shard, read-locked.
type ShardGuard<'a> = RwLockReadGuard<'a, Vec<IndexEntry>>;

/// Most digests [`Index::warm`] takes at once.
pub(crate) const WARM_MAX: usize = 8;

/// `set_id` value marking a tombstone (only present while recovering).
pub(crate) const TOMBSTONE_SET: u16 = u16::MAX;

/// What [`Index::update`] does to an entry.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Step {
    /// Insert the entry, or replace the current one.
    Put(IndexEntry),
    /// Remove the current entry.
    Remove,
}

/// One record in the index: 36 bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct IndexEntry {
    pub digest: [u8; 20],
    pub seg: u32,
    pub off: u32,
    pub void_time: u32,
    pub generation: u16,
    pub set_id: u16,
}

impl IndexEntry {
    /// Where the entry's version lies.
    pub(crate) fn loc(&self) -> Location {
        Location {
            seg: self.seg,
            off: self.off,
        }
    }

    /// Whether the entry points at `at`.
    pub(crate) fn is_at(&self, at: Location) -> bool {
        self.seg == at.seg && self.off == at.off
    }

    /// Whether the record has expired at citrus second `now`.
    pub(crate) fn is_expired(&self, now: u32) -> bool {
        self.void_time != 0 && now >= self.void_time
    }
}

/// The digest index of one namespace.
pub(crate) struct Index {
    shards: Box<[RwLock<Vec<IndexEntry>>]>,
    /// Entries, counted per stripe of shards (see [`StripedCounter`]).
    len: StripedCounter,
}

impl std::fmt::Debug for Index {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Index")
            .field("len", &self.len())
            .finish_non_exhaustive()
    }
}

/// The order of digests within a shard: a total order that compares machine
/// words instead of calling `memcmp` (bytes 0..2 select the shard, so the
/// words start at byte 2). Every search and sort of a shard uses it.
#[inline]
pub(crate) fn cmp_digest(a: &[u8; 20], b: &[u8; 20]) -> std::cmp::Ordering {
    let word = word_at;
    let tail = |d: &[u8; 20]| u32::from_be_bytes([d[18], d[19], d[0], d[1]]);
    word(a, 2)
        .cmp(&word(b, 2))
        .then_with(|| word(a, 10).cmp(&word(b, 10)))
        .then_with(|| tail(a).cmp(&tail(b)))
}

/// The big-endian machine word at byte `at` of a digest.
#[inline]
fn word_at(d: &[u8; 20], at: usize) -> u64 {
    let mut w = [0u8; 8];
    w.copy_from_slice(&d[at..at + 8]);
    u64::from_be_bytes(w)
}

/// Finds `digest` in a sorted shard: `Ok(position)`, or `Err(insertion
/// point)`, as `slice::binary_search` does.
///
/// Digests are uniformly random, and within a shard they are ordered first
/// by their word at byte 2, so that word predicts the position: the search
/// starts at `len × word / 2^64` and gallops from there (steps 1, 2, 4, …),
/// finishing with a binary search of the bracket. A lookup in a shard of a
/// few dozen entries then touches one or two cache lines instead of the five
/// or six a plain binary search misses on, each a dependent load (with a TLB
/// miss) once the index outgrows the caches.
#[inline]
pub(crate) fn search(shard: &[IndexEntry], digest: &[u8; 20]) -> Result<usize, usize> {
    use std::cmp::Ordering::{Equal, Greater, Less};
    let n = shard.len();
    let cmp = |i: usize| cmp_digest(&shard[i].digest, digest);
    let within = |lo: usize, hi: usize| {
        shard[lo..hi]
            .binary_search_by(|e| cmp_digest(&e.digest, digest))
            .map(|i| i + lo)
            .map_err(|i| i + lo)
    };
    if n < 8 {
        return within(0, n);
    }
    // < n, since word < 2^64.
    let guess = ((u128::from(word_at(digest, 2)) * n as u128) >> 64) as usize;
    match cmp(guess) {
        Equal => Ok(guess),
        Less => {
            // shard[below] < digest; look above it.
            let mut below = guess;
            let mut step = 1;
            loop {
                let probe = below + step;
                if probe >= n {
                    return within(below + 1, n);
                }
                match cmp(probe) {
                    Equal => return Ok(probe),
                    Less => below = probe,
                    Greater => return within(below + 1, probe),
                }
                step *= 2;
            }
        }
        Greater => {
            // shard[above] > digest; look below it.
            let mut above = guess;
            let mut step = 1;
            loop {
                if above < step {
                    return within(0, above);
                }
                let probe = above - step;
                match cmp(probe) {
                    Equal => return Ok(probe),
                    Greater => above = probe,
                    Less => return within(probe + 1, above),
                }
                step *= 2;
            }
        }
    }
}

/// The shard of a digest.
pub(crate) fn shard_of(digest: &[u8; 20]) -> usize {
    usize::from(u16::from_le_bytes([digest[0], digest[1]])) & (SHARDS - 1)
}

impl Index {
    pub(crate) fn new() -> Index {
        Index {
            shards: (0..SHARDS).map(|_| RwLock::new(Vec::new())).collect(),
            len: StripedCounter::default(),
        }
    }

    /// Number of entries.
    pub(crate) fn len(&self) -> u64 {
        self.len.get()
    }

    /// The entry of `digest`.
    pub(crate) fn get(&self, digest: &[u8; 20]) -> Option<IndexEntry> {
        let shard = self.shards[shard_of(digest)].read();
        search(&shard, digest).ok().map(|i| shard[i])
    }

    /// Loads, back to back, the slots of the shards of `digests` (at most
    /// [`WARM_MAX`]) where lookups of them will start: a caller about to
    /// look up several digests lets their cache and TLB misses overlap,
    /// where lookups one after the other would wait for each in turn. Safe
    /// Rust has no prefetch instruction, so these are plain loads, kept by
    /// `std::hint::black_box` (their words are returned for tests).
    ///
    /// The shards' read locks are all taken first and the slots read after:
    /// on x86 a locked instruction (taking a lock) waits for every earlier
    /// load, so reading each slot between two lock operations would
    /// serialise the misses again. The locks are only tried (a shard being
    /// written is skipped), so holding several never blocks.
    pub(crate) fn warm<'d>(&self, digests: impl Iterator<Item = &'d [u8; 20]>) -> u32 {
        let mut held: [Option<(ShardGuard<'_>, &[u8; 20])>; WARM_MAX] = Default::default();
        for (slot, d) in held.iter_mut().zip(digests) {
            *slot = self.shards[shard_of(d)].try_read().map(|g| (g, d));
        }
        let words = held.iter().flatten().fold(0u32, |acc, (shard, d)| {
            // The guess `search` starts from (< len, since word < 2^64).
            let guess = ((u128::from(word_at(d, 2)) * shard.len() as u128) >> 64) as usize;
            acc ^ shard.get(guess).map_or(0, |e| e.off)
        });
        std::hint::black_box(words)
    }

    /// The one way the running engine changes an entry: under the shard's
    /// write lock, `decide` sees the current entry of `digest` and returns
    /// what to do (`None`: nothing); when something changes, `changed` runs
    /// with the old and new entries *while the lock is still held*, so
    /// bookkeeping derived from the index (counts, live bytes, the expiry
    /// queue) changes in the same step as the entry. Returns whether
    /// anything changed.
    pub(crate) fn update(
        &self,
        digest: &[u8; 20],
        decide: impl FnOnce(Option<&IndexEntry>) -> Option<Step>,
        changed: impl FnOnce(Option<&IndexEntry>, Option<&IndexEntry>),
    ) -> bool {
        let at = shard_of(digest);
        let mut shard = self.shards[at].write();
        let pos = search(&shard, digest);
        let Some(step) = decide(pos.ok().map(|i| &shard[i])) else {
            return false;
        };
        match (pos, step) {
            (Ok(i), Step::Put(e)) => {
                debug_assert_eq!(&e.digest, digest);
                let old = std::mem::replace(&mut shard[i], e);
                changed(Some(&old), Some(&e));
            }
            (Err(i), Step::Put(e)) => {
                debug_assert_eq!(&e.digest, digest);
                if shard.len() == shard.capacity() {
                    let extra = growth(shard.capacity());
                    shard.reserve_exact(extra);
                }
                shard.insert(i, e);
                self.len.add(at, 1);
                changed(None, Some(&e));
            }
            (Ok(i), Step::Remove) => {
                let old = shard.remove(i);
                shrink(&mut shard);
                self.len.add(at, 1u64.wrapping_neg());
                changed(Some(&old), None);
            }
            (Err(_), Step::Remove) => return false,
        }
        true
    }

    /// Keeps only the entries for which `keep` returns true, one shard at a time.
    pub(crate) fn retain(&self, mut keep: impl FnMut(&IndexEntry) -> bool) {
        for (at, shard) in self.shards.iter().enumerate() {
            let mut shard = shard.write();
            let before = shard.len();
            shard.retain(|e| keep(e));
            let removed = before - shard.len();
            if removed > 0 {
                shrink(&mut shard);
                self.len.add(at, (removed as u64).wrapping_neg());
            }
        }
    }

    /// Replaces shard `shard` with `entries`, which must be sorted by digest
    /// and belong to that shard (used when the index is rebuilt at open).
    pub(crate) fn load_shard(&self, shard: usize, mut entries: Vec<IndexEntry>) {
        debug_assert!(entries
            .windows(2)
            .all(|w| cmp_digest(&w[0].digest, &w[1].digest).is_lt()));
        debug_assert!(entries.iter().all(|e| shard_of(&e.digest) == shard));
        entries.shrink_to_fit();
        let mut s = self.shards[shard].write();
        let old = s.len() as u64;
        self.len
            .add(shard, (entries.len() as u64).wrapping_sub(old));
        *s = entries;
    }

    /// Lets `f` read each shard in turn (`f(shard, entries)`, sorted by
    /// digest), under that shard's read lock.
    pub(crate) fn for_each_shard<E>(
        &self,
        mut f: impl FnMut(usize, &[IndexEntry]) -> Result<(), E>,
    ) -> Result<(), E> {
        for (i, shard) in self.shards.iter().enumerate() {
            f(i, &shard.read())?;
        }
        Ok(())
    }

    /// Lets `f` change every entry in place (not its digest), one shard at a time.
    pub(crate) fn for_each_mut(&self, mut f: impl FnMut(&mut IndexEntry)) {
        for shard in self.shards.iter() {
            for e in shard.write().iter_mut() {
                let digest = e.digest;
                f(e);
                e.digest = digest;
            }
        }
    }

    /// Copies into `out` the entries of shard `shard` whose digest is greater
    /// than `after` (all of them when `None`). Used by scans, which resume
    /// after the last digest they returned.
    pub(crate) fn shard_entries_after(
        &self,
        shard: usize,
        after: Option<&[u8; 20]>,
        out: &mut Vec<IndexEntry>,
    ) {
        out.clear();
        let shard = self.shards[shard].read();
        let start = match after {
            None => 0,
            Some(d) => match search(&shard, d) {
                Ok(i) => i + 1,
                Err(i) => i,
            },
        };
        out.extend_from_slice(&shard[start..]);
    }

    /// Heap and table bytes held by the index.
    pub(crate) fn memory_bytes(&self) -> u64 {
        let table = std::mem::size_of::<RwLock<Vec<IndexEntry>>>() * SHARDS;
        let entries: usize = self
            .shards
            .iter()
            .map(|s| s.read().capacity() * std::mem::size_of::<IndexEntry>())
            .sum();
        (table + entries) as u64
    }
}

/// Entries a full shard of `capacity` entries grows by: an eighth, so that
/// the slack stays near 6 % of the entries on average, and at least 8; the
/// new capacity is a multiple of 8 entries (288 bytes), so the blocks that
/// shards give up as they grow are the sizes other shards grow into, and
/// the allocator reuses them instead of leaving holes.
fn growth(capacity: usize) -> usize {
    let target = (capacity + (capacity / 8).max(8)).next_multiple_of(8);
    target - capacity
}

fn shrink(shard: &mut Vec<IndexEntry>) {
    if shard.capacity() > 8 && shard.len() < shard.capacity() / 2 {
        let target = shard.len() + shard.len() / 4;
        shard.shrink_to(target.max(4));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(d: u8, seg: u32) -> IndexEntry {
        let mut digest = [0u8; 20];
        digest[0] = d;
        digest[19] = d;
        IndexEntry {
            digest,
            seg,
            off: 64,
            void_time: 0,
            generation: 1,
            set_id: 0,
        }
    }

    /// `warm` only reads: it returns the offset of the slot a lookup starts
    /// from (0 for an empty shard) and changes nothing.
    #[test]
    fn warm_reads_the_slot_a_lookup_starts_from() {
        let index = Index::new();
        let probe = entry(7, 1).digest;
        assert_eq!(index.warm([probe].iter()), 0, "empty shard");
        // Twenty entries in the shard of `probe` (same bytes 0..2), each
        // with its own offset.
        for i in 0..20u32 {
            let mut e = entry(7, 1);
            e.digest[2] = (i * 12) as u8;
            e.off = 1000 + i;
            index.update(&e.digest, |_| Some(Step::Put(e)), |_, _| {});
        }
        let before: Vec<IndexEntry> = index.shards[shard_of(&probe)].read().clone();
        let mut d = probe;
        d[2] = 120; // word at byte 2 ~ 0.47 of the range: slot 9 of 20
        assert_eq!(index.warm([d].iter()), 1009);
        // Several at once: an empty shard adds nothing; one shard twice
        // is read twice (its read lock taken again), and nothing blocks.
        let mut other = d;
        other[0] = 9;
        assert_eq!(index.warm([d, other].iter()), 1009);
        assert_eq!(index.warm([d, other, d].iter()), 1009 ^ 1009);
        assert_eq!(*index.shards[shard_of(&probe)].read(), before);
        assert_eq!(index.len(), 20);
    }

    #[test]
    fn digest_order_is_total_and_consistent_with_equality() {
        let mut ds: Vec<[u8; 20]> = (0..200u32)
            .map(|i| {
                let mut d = [0u8; 20];
                for (j, b) in d.iter_mut().enumerate() {
                    *b = (i.wrapping_mul(2_654_435_761).rotate_left(j as u32) & 0xff) as u8;
                }
                d
            })
            .collect();
        ds.push(ds[3]);
        for a in &ds {
            for b in &ds {
                assert_eq!(cmp_digest(a, b).is_eq(), a == b);
                assert_eq!(cmp_digest(a, b), cmp_digest(b, a).reverse());
            }
        }
        ds.sort_by(cmp_digest);
        assert!(ds.windows(2).all(|w| cmp_digest(&w[0], &w[1]).is_le()));
    }

    #[test]
    fn search_agrees_with_binary_search() {
        let mut x: u64 = 0x2545_f491_4f6c_dd1d;
        let mut next = move || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        for n in [0usize, 1, 2, 7, 8, 9, 30, 61, 200, 1000] {
            for skew in 0..3 {
                let mut shard: Vec<IndexEntry> = (0..n)
                    .map(|_| {
                        let mut e = entry(0, 1);
                        for b in e.digest[2..].iter_mut() {
                            *b = next() as u8;
                        }
                        // Skewed shards (all words small, or all large)
                        // defeat the guess and exercise the gallop.
                        match skew {
                            1 => e.digest[2] = 0,
                            2 => e.digest[2] = 0xff,
                            _ => {}
                        }
                        e
                    })
                    .collect();
                shard.sort_by(|a, b| cmp_digest(&a.digest, &b.digest));
                shard.dedup_by(|a, b| a.digest == b.digest);
                let mut probes: Vec<[u8; 20]> = shard.iter().map(|e| e.digest).collect();
                for _ in 0..200 {
                    let mut d = [0u8; 20];
                    for b in d[2..].iter_mut() {
                        *b = next() as u8;
                    }
                    probes.push(d);
                }
                probes.push([0; 20]);
                probes.push([0xff; 20]);
                for d in &probes {
                    let want = shard.binary_search_by(|e| cmp_digest(&e.digest, d));
                    assert_eq!(search(&shard, d), want, "n {n} skew {skew}");
                }
            }
        }
    }

    #[test]
    fn shards_grow_by_an_eighth_to_multiples_of_8() {
        assert_eq!(growth(0), 8);
        assert_eq!(growth(8), 8);
        assert_eq!(growth(61), 11);
        assert_eq!(growth(64), 8);
        assert_eq!(growth(640), 80);
        for cap in 0..5000 {
            let g = growth(cap);
            assert!(g >= 8 && g <= cap / 8 + 15, "{cap}: {g}");
            assert_eq!((cap + g) % 8, 0);
        }
    }

    #[test]
    fn entry_is_36_bytes() {
        assert_eq!(std::mem::size_of::<IndexEntry>(), 36);
    }

    fn put(idx: &Index, e: IndexEntry) -> Option<IndexEntry> {
        let mut old = None;
        idx.update(&e.digest, |_| Some(Step::Put(e)), |o, _| old = o.copied());
        old
    }

    #[test]
    fn update_inserts_replaces_and_removes() {
        let idx = Index::new();
        assert_eq!(put(&idx, entry(1, 1)), None);
        assert_eq!(put(&idx, entry(1, 2)), Some(entry(1, 1)));
        assert_eq!(idx.get(&entry(1, 0).digest), Some(entry(1, 2)));
        assert_eq!(idx.len(), 1);
        let d = entry(1, 0).digest;
        // `decide` sees the current entry and may leave it alone.
        let at_seg = |seg: u32, step: Step| {
            move |cur: Option<&IndexEntry>| cur.filter(|c| c.seg == seg).map(|_| step)
        };
        let mut calls = 0;
        assert!(!idx.update(&d, at_seg(1, Step::Remove), |_, _| calls += 1));
        assert_eq!(calls, 0);
        assert!(idx.update(&d, at_seg(2, Step::Put(entry(1, 3))), |o, n| {
            assert_eq!((o.map(|e| e.seg), n.map(|e| e.seg)), (Some(2), Some(3)));
            calls += 1;
        }));
        assert!(idx.update(&d, at_seg(3, Step::Remove), |o, n| {
            assert_eq!((o.map(|e| e.seg), n), (Some(3), None));
            calls += 1;
        }));
        assert_eq!(calls, 2);
        assert!(!idx.update(&d, |_| Some(Step::Remove), |_, _| calls += 1));
        assert_eq!(idx.get(&d), None);
        assert_eq!(idx.len(), 0);
    }

    #[test]
    fn shard_resume_sees_each_entry_once() {
        let idx = Index::new();
        for i in 0..50u8 {
            let mut e = entry(0, 1);
            e.digest[5] = i;
            put(&idx, e);
        }
        let mut out = Vec::new();
        idx.shard_entries_after(0, None, &mut out);
        assert_eq!(out.len(), 50);
        let mid = out[20].digest;
        idx.shard_entries_after(0, Some(&mid), &mut out);
        assert_eq!(out.len(), 29);
        assert!(out
            .windows(2)
            .all(|w| cmp_digest(&w[0].digest, &w[1].digest).is_lt()));
    }

    #[test]
    fn retain_counts() {
        let idx = Index::new();
        for d in 0..100u8 {
            put(&idx, entry(d, u32::from(d % 2)));
        }
        idx.retain(|e| e.seg == 0);
        assert_eq!(idx.len(), 50);
        let mut n = 0;
        idx.for_each_mut(|e| {
            assert_eq!(e.seg, 0);
            e.digest = [0xff; 20]; // ignored: digests cannot change
            n += 1;
        });
        assert!(idx.get(&entry(0, 0).digest).is_some());
        assert_eq!(n, 50);
    }
}
