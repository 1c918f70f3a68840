//! Running a large batch's entries on two threads: the entries are split by
//! index shard, so one record's entries stay in one half, in order.
//!
//! Entries of different records are independent, so running them in two
//! orders changes no result; only the order in which concurrent readers see
//! different records' writes differs (as with Aerospike, whose nodes and
//! service threads run a batch's parts in parallel).

use crate::batch::BatchOperation;
use crate::index::shard_of;
use std::sync::mpsc;

/// Entries a batch needs before its records are split between two threads.
const SPLIT_AT: usize = 256;

/// Whether this machine has a second core for a batch's other half.
fn can_split() -> bool {
    static CORES: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
    *CORES.get_or_init(|| std::thread::available_parallelism().map_or(1, |n| n.get())) > 1
}

/// A batch's entries with their positions in the batch.
pub(super) type Items<'a, 'o> = &'a [(usize, &'o BatchOperation)];

/// Runs `run` on the two halves of `items` on two threads when `split`
/// allows it (`Options::batch_threads(2)`), the batch is large and a second
/// core exists; on the caller's thread alone otherwise, or if the second
/// thread cannot be started.
pub(super) fn split_run<'o, T: Send>(
    split: bool,
    items: Items<'_, 'o>,
    run: impl Fn(Items<'_, 'o>) -> T + Sync,
) -> Vec<T> {
    split_run_then(split, items, |part| (run(part), ()), |_| (), |(), ()| ()).0
}

/// [`split_run`] in two steps. `run` gives each half's result and what it
/// leaves for later; once both halves ran, `join` sees every result on the
/// caller's thread and decides `D`; then `finish` takes each half's
/// leftovers and the decision, on that half's own thread, so the second
/// step runs in parallel too (a `Sync` batch flushes in `join` and
/// publishes its two halves' index entries in `finish`).
///
/// If the caller's half panics, the other half's `finish` is not called.
pub(super) fn split_run_then<'o, T: Send, L: Send, D: Copy + Send>(
    split: bool,
    items: Items<'_, 'o>,
    run: impl Fn(Items<'_, 'o>) -> (T, L) + Sync,
    join: impl FnOnce(&[T]) -> D,
    finish: impl Fn(L, D) + Sync,
) -> (Vec<T>, D) {
    if !split || items.len() < SPLIT_AT || !can_split() {
        return alone(&[items], &run, join, &finish);
    }
    let (odd, even): (Vec<_>, Vec<_>) = items
        .iter()
        .copied()
        .partition(|(_, op)| shard_of(&op.key.digest().0) & 1 == 1);
    let (odd, even) = (&odd[..], &even[..]);
    std::thread::scope(|s| {
        let (run, finish) = (&run, &finish);
        let (give, taken) = mpsc::channel::<T>();
        let (tell, told) = mpsc::channel::<D>();
        let other = std::thread::Builder::new()
            .name("aerolite-batch".into())
            .spawn_scoped(s, move || {
                let (out, left) = run(odd);
                if give.send(out).is_ok() {
                    // No decision: the caller's half panicked.
                    if let Ok(decided) = told.recv() {
                        finish(left, decided);
                    }
                }
            });
        let other = match other {
            Ok(handle) => handle,
            // No thread: the other half runs here.
            Err(_) => return alone(&[even, odd], run, join, finish),
        };
        let (mine, my_left) = run(even);
        let Ok(theirs) = taken.recv() else {
            // The other half panicked (the only way it sends nothing): so
            // does the call, as it would have on one thread.
            let panic = other.join().err();
            std::panic::resume_unwind(
                panic.unwrap_or_else(|| Box::new("a batch half ended without its results")),
            )
        };
        let out = vec![mine, theirs];
        let decided = join(&out);
        // A send fails only if the other thread is gone (it panicked).
        let _ = tell.send(decided);
        finish(my_left, decided);
        if let Err(panic) = other.join() {
            std::panic::resume_unwind(panic);
        }
        (out, decided)
    })
}

/// The steps of [`split_run_then`] for `parts` on the caller's thread.
fn alone<'o, T, L, D: Copy>(
    parts: &[Items<'_, 'o>],
    run: &impl Fn(Items<'_, 'o>) -> (T, L),
    join: impl FnOnce(&[T]) -> D,
    finish: &impl Fn(L, D),
) -> (Vec<T>, D) {
    let (out, left): (Vec<T>, Vec<L>) = parts.iter().map(|p| run(p)).unzip();
    let decided = join(&out);
    for l in left {
        finish(l, decided);
    }
    (out, decided)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::batch::{BatchOperation, BatchReadPolicy};
    use crate::key::Key;
    use std::sync::Mutex;

    fn ops(n: usize) -> Vec<BatchOperation> {
        (0..n)
            .map(|i| {
                let key = Key::new("test", "s", i as i64).unwrap();
                BatchOperation::read(&BatchReadPolicy::default(), key, crate::Bins::All)
            })
            .collect()
    }

    /// `Options::batch_threads` reaches the namespace: only 2 lets its
    /// batches split.
    #[test]
    fn batch_threads_decides_whether_a_namespace_splits() {
        let dir = tempfile::tempdir().unwrap();
        for (threads, splits) in [(1, false), (2, true)] {
            let options = crate::Options::default()
                .background_maintenance(false)
                .batch_threads(threads);
            let path = dir.path().join(format!("ns{threads}"));
            let ns =
                crate::namespace::Namespace::open(&path, options.namespace_config("t"), &options)
                    .unwrap();
            assert_eq!(ns.split_batches, splits, "batch_threads({threads})");
        }
        let default = crate::Options::default();
        let ns = crate::namespace::Namespace::open(
            &dir.path().join("default"),
            default.namespace_config("t"),
            &default,
        )
        .unwrap();
        assert!(
            !ns.split_batches,
            "the default runs batches on the caller's thread"
        );
    }

    /// Every entry runs once, `join` sees every half's result before any
    /// `finish`, and each half's leftovers are finished once, with the
    /// decision, whether the batch was split or not; it is split only when
    /// `split` allows it (`Options::batch_threads(2)`).
    #[test]
    fn every_half_runs_then_finishes_with_the_decision() {
        for (n, split) in [3, SPLIT_AT, 2000]
            .into_iter()
            .flat_map(|n| [(n, true), (n, false)])
        {
            let ops = ops(n);
            let items: Vec<(usize, &BatchOperation)> = ops.iter().enumerate().collect();
            let finished = Mutex::new(Vec::new());
            let (out, decided) = split_run_then(
                split,
                &items,
                |part| {
                    let positions: Vec<usize> = part.iter().map(|(i, _)| *i).collect();
                    (positions.clone(), positions)
                },
                |halves| {
                    assert!(
                        finished.lock().unwrap().is_empty(),
                        "join before any finish"
                    );
                    halves.iter().map(Vec::len).sum::<usize>()
                },
                |left, decided| finished.lock().unwrap().push((left, decided)),
            );
            assert_eq!(decided, n);
            let mut seen: Vec<usize> = out.concat();
            seen.sort_unstable();
            assert_eq!(seen, (0..n).collect::<Vec<_>>());
            let finished = finished.into_inner().unwrap();
            assert_eq!(finished.len(), out.len(), "one finish per half");
            assert!(finished.iter().all(|(_, d)| *d == n));
            if !split || n < SPLIT_AT {
                assert_eq!(
                    out.len(),
                    1,
                    "n {n} split {split}: one part, on the caller's thread"
                );
            }
            if split && n >= SPLIT_AT && can_split() {
                assert_eq!(out.len(), 2, "a large batch runs in two halves");
                // One record's entries stay in one half: halves split by shard.
                for half in &out {
                    let parity: Vec<usize> = half
                        .iter()
                        .map(|&i| shard_of(&ops[i].key().digest().0) & 1)
                        .collect();
                    assert!(parity.windows(2).all(|w| w[0] == w[1]));
                }
            }
        }
    }
}
