//! The segments of a log by id, readable by many threads without contention.
//!
//! Every read of a record looks its segment up. Behind one `RwLock`, each
//! lookup writes the lock's word (and cloning the `Arc` writes its count), so
//! readers on different cores pass those cache lines back and forth and two
//! threads read little faster than one. The table is therefore kept in
//! several copies, each behind its own lock on its own cache line; a thread
//! always reads the copy it was given on first use (threads are spread over
//! the copies in turn). Segments come and go rarely (a new active segment, a
//! defragmented one removed): those changes take every copy's write lock, in
//! order.

use super::Segment;
use parking_lot::{RwLock, RwLockReadGuard};
use std::cell::Cell;
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

/// Copies of the table: more than the cores of the machines we run on is
/// pointless, fewer makes threads share.
const COPIES: usize = 8;

type Map = BTreeMap<u32, Arc<Segment>>;

/// One copy, alone on its cache lines (128 bytes: adjacent-line prefetch).
#[repr(align(128))]
struct Copy(RwLock<Map>);

/// Segments by id.
pub(crate) struct SegmentTable {
    copies: Box<[Copy]>,
}

/// Hands out copies to threads in turn.
static NEXT_COPY: AtomicUsize = AtomicUsize::new(0);

thread_local! {
    /// The copy this thread reads (`usize::MAX`: none yet).
    static MY_COPY: Cell<usize> = const { Cell::new(usize::MAX) };
}

fn my_copy() -> usize {
    MY_COPY.with(|c| {
        if c.get() == usize::MAX {
            c.set(NEXT_COPY.fetch_add(1, Ordering::Relaxed) % COPIES);
        }
        c.get()
    })
}

impl SegmentTable {
    pub(crate) fn new(map: Map) -> SegmentTable {
        SegmentTable {
            copies: (0..COPIES)
                .map(|_| Copy(RwLock::new(map.clone())))
                .collect(),
        }
    }

    /// The table, read-locked (this thread's copy). Hold it briefly: a
    /// segment change waits for it, and taking it again on the same thread
    /// while a change waits would deadlock.
    #[inline]
    pub(crate) fn read(&self) -> RwLockReadGuard<'_, Map> {
        self.copies[my_copy()].0.read()
    }

    /// Adds segment `seg` under `id`.
    pub(crate) fn insert(&self, id: u32, seg: &Arc<Segment>) {
        let mut guards: Vec<_> = self.copies.iter().map(|c| c.0.write()).collect();
        for g in guards.iter_mut() {
            g.insert(id, Arc::clone(seg));
        }
    }

    /// Removes the segments `ids` for which `keep` is false; returns them.
    pub(crate) fn remove(&self, ids: &[u32], keep: impl Fn(u32) -> bool) -> Vec<Arc<Segment>> {
        let mut guards: Vec<_> = self.copies.iter().map(|c| c.0.write()).collect();
        let mut removed = Vec::new();
        for &id in ids.iter().filter(|&&id| !keep(id)) {
            let mut found = None;
            for g in guards.iter_mut() {
                found = g.remove(&id).or(found);
            }
            removed.extend(found);
        }
        removed
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn threads_spread_over_the_copies() {
        let mine = my_copy();
        assert_eq!(my_copy(), mine, "a thread keeps its copy");
        let others: Vec<usize> = (0..COPIES)
            .map(|_| std::thread::spawn(my_copy).join().unwrap())
            .collect();
        let mut distinct = others.clone();
        distinct.sort_unstable();
        distinct.dedup();
        assert!(distinct.len() > 1, "copies handed out in turn: {others:?}");
    }
}
