//! `Db::batch` under `Durability::Sync` for one namespace: the record locks
//! of every written record are taken once, in stripe order; the entries run
//! in order, appending their versions without waiting; one flush then makes
//! all of them durable, and only then does the index show them. No reader
//! sees a version of the batch before it is durable, as with a single Sync
//! write.

use super::split::{split_run, split_run_then};
use super::write::Commit;
use super::Namespace;
use crate::batch::{BatchKind, BatchOperation, BatchRecord};
use crate::bin::Bin;
use crate::error::{Error, Result};
use crate::index::{IndexEntry, Step, WARM_MAX};
use crate::operations::Operation;
use crate::policy::Durability;
use crate::record::Record;
use crate::ResultCode;
use std::cell::RefCell;
use std::collections::{HashMap, HashSet};

/// The outcome of one entry as a `BatchRecord`.
pub(crate) fn batch_record(op: &BatchOperation, r: Result<Option<Record>>) -> BatchRecord {
    match r {
        Ok(record) => BatchRecord::ok(&op.key, record),
        Err(e) => BatchRecord::failed(&op.key, e.result_code()),
    }
}

/// Runs one entry with the record lock held by the caller (`commit` says
/// when a write becomes durable and visible).
fn run_locked(ns: &Namespace, op: &BatchOperation, commit: Commit<'_>) -> Result<Option<Record>> {
    match &op.kind {
        BatchKind::Read(bins) => ns.get(&op.key.digest().0, bins).map(Some),
        BatchKind::ReadOps(ops) => {
            crate::operations::exec::validate(ops)?;
            read_only(ops)?;
            ns.operate_locked(&Default::default(), &op.key, ops, commit)
                .map(Some)
        }
        BatchKind::Write(policy, ops) => {
            crate::operations::exec::validate(ops)?;
            with_put_bins(ops, |puts| match puts {
                // Only puts: the put path, which copies the bins it keeps
                // without decoding them; the same outcome as `operate`.
                Some(bins) => {
                    let (generation, void_time, now) =
                        ns.put_locked(policy, &op.key, bins, commit)?;
                    // The TTL is read against the time the write used.
                    Ok(Some(Record::read(
                        op.key.clone(),
                        HashMap::new(),
                        u32::from(generation),
                        void_time,
                        now,
                    )))
                }
                None => ns.operate_locked(policy, &op.key, ops, commit).map(Some),
            })
        }
        BatchKind::Delete(policy) => match ns.delete_locked(policy, &op.key, commit)? {
            true => Ok(None),
            false => Err(Error::KeyNotFound),
        },
    }
}

/// Hashes a digest by its bytes 8..16: digests are already uniformly random
/// (RIPEMD-160), so SipHash's work buys nothing in a batch's own set.
#[derive(Clone, Copy, Default)]
struct DigestHash;

impl std::hash::BuildHasher for DigestHash {
    type Hasher = DigestHasher;
    fn build_hasher(&self) -> DigestHasher {
        DigestHasher(0)
    }
}

/// See [`DigestHash`].
struct DigestHasher(u64);

impl std::hash::Hasher for DigestHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        // `[u8; 20]` hashes as one `write` of its 20 bytes (after its
        // length, which arrives through `write_usize`).
        match bytes.get(8..16) {
            Some(word) => {
                let mut w = [0u8; 8];
                w.copy_from_slice(word);
                self.0 ^= u64::from_le_bytes(w);
            }
            None => {
                for &b in bytes {
                    self.0 = self.0.rotate_left(8) ^ u64::from(b);
                }
            }
        }
    }

    fn write_usize(&mut self, _: usize) {}
}

/// Stands in for the unused places of a short bin list.
static NO_BIN: Bin = Bin {
    name: String::new(),
    value: crate::value::Value::Nil,
};

/// Calls `f` with the bins of `ops` when every one is a plain put (`None`
/// otherwise), without allocating for the usual few bins.
fn with_put_bins<R>(ops: &[Operation], f: impl FnOnce(Option<&[&Bin]>) -> R) -> R {
    const ON_STACK: usize = 8;
    if ops.len() <= ON_STACK {
        let mut bins: [&Bin; ON_STACK] = [&NO_BIN; ON_STACK];
        for (slot, op) in bins.iter_mut().zip(ops) {
            match op.as_put() {
                Some(b) => *slot = b,
                None => return f(None),
            }
        }
        return f(Some(&bins[..ops.len()]));
    }
    let bins: Option<Vec<&Bin>> = ops.iter().map(Operation::as_put).collect();
    f(bins.as_deref())
}

/// Fails a `read_ops` entry that holds a write.
pub(crate) fn read_only(ops: &[Operation]) -> Result<()> {
    match ops.iter().any(Operation::is_write) {
        true => Err(Error::ParameterError(
            "BatchOperation::read_ops takes read operations only; use BatchOperation::write".into(),
        )),
        false => Ok(()),
    }
}

/// One half of a batch: its entries' results (by position in the batch).
type Results = Vec<(usize, BatchRecord)>;

/// What a `Sync` half leaves for the flush: the index entries it wrote and
/// the positions (in its results) of the entries that wait for the flush.
#[derive(Default)]
struct Unsettled {
    pending: Vec<IndexEntry>,
    waiting: Vec<usize>,
}

impl Namespace {
    /// Runs `items` (indexes into `out` and their entries, all of this
    /// namespace) under `Buffered`, filling `out`: each write under its own
    /// record lock, visible at once.
    pub(crate) fn batch_buffered(
        &self,
        items: &[(usize, &BatchOperation)],
        out: &mut [Option<BatchRecord>],
    ) {
        for half in split_run(self.split_batches, items, |part| self.buffered_part(part)) {
            for (i, record) in half {
                out[i] = Some(record);
            }
        }
    }

    fn buffered_part(&self, items: &[(usize, &BatchOperation)]) -> Results {
        let commit = Commit::Now(Durability::Buffered);
        let mut results = Vec::with_capacity(items.len());
        for (n, &(i, op)) in items.iter().enumerate() {
            self.warm_group(items, n);
            let r = match op.writes() {
                false => run_locked(self, op, commit),
                true => self.check_capacity().and_then(|()| {
                    let _guard = self.lock_record(&op.key.digest().0, None)?;
                    run_locked(self, op, commit)
                }),
            };
            results.push((i, batch_record(op, r)));
        }
        results
    }

    /// At the start of each group of [`WARM_MAX`] entries, loads the index
    /// slots of the group's records back to back (see
    /// [`crate::index::Index::warm`]): a batch knows its records ahead, so
    /// their cache misses overlap instead of each entry waiting for its own.
    fn warm_group(&self, items: &[(usize, &BatchOperation)], n: usize) {
        if n.is_multiple_of(WARM_MAX) {
            let group = items.iter().skip(n).take(WARM_MAX);
            self.index.warm(group.map(|(_, op)| &op.key.digest().0));
        }
    }

    /// Runs `items` (indexes into `out` and their entries, all of this
    /// namespace) under `Sync`, filling `out`.
    pub(crate) fn batch_sync(
        &self,
        items: &[(usize, &BatchOperation)],
        out: &mut [Option<BatchRecord>],
    ) {
        let writes = items.iter().any(|(_, op)| op.writes());
        // Before the locks: relieving disk pressure takes record locks.
        let full = match writes {
            true => self.check_capacity().err().map(|e| e.result_code()),
            false => None,
        };
        let _guards = self.locks.lock_many(
            items
                .iter()
                .filter(|(_, op)| op.writes())
                .map(|(_, op)| &op.key.digest().0),
        );
        // Each half runs its entries; then one flush for both halves, on
        // this thread; then each half shows its own entries in the index,
        // on its own thread.
        let (halves, flushed) = split_run_then(
            self.split_batches,
            items,
            |part| {
                let (results, unsettled) = self.sync_part(part, full);
                let unflushed = !(unsettled.waiting.is_empty() && unsettled.pending.is_empty());
                ((results, unsettled.waiting, unflushed), unsettled.pending)
            },
            |halves| match halves.iter().any(|(_, _, unflushed)| *unflushed) {
                true => self.flush_batch(),
                false => Ok(()),
            },
            |pending, flushed| self.publish(pending, flushed),
        );
        for (mut results, waiting, _) in halves {
            if let Err(code) = flushed {
                in_doubt(&mut results, &waiting, code);
            }
            for (i, record) in results {
                out[i] = Some(record);
            }
        }
    }

    /// One half of a `Sync` batch, its record locks held by the caller: the
    /// entries append without waiting; what waits for the flush is returned.
    fn sync_part(
        &self,
        items: &[(usize, &BatchOperation)],
        full: Option<ResultCode>,
    ) -> (Results, Unsettled) {
        let pending = RefCell::new(Vec::new());
        let mut results: Results = Vec::with_capacity(items.len());
        // Entries whose success depends on the flush (positions in `results`).
        let mut waiting: Vec<usize> = Vec::new();
        let mut touched: HashSet<[u8; 20], DigestHash> =
            HashSet::with_capacity_and_hasher(items.len(), DigestHash);
        for (n, &(i, op)) in items.iter().enumerate() {
            self.warm_group(items, n);
            let digest = op.key.digest().0;
            if touched.contains(&digest) {
                // An earlier entry of the batch changed this record: it must
                // be visible to this one.
                self.settle(&mut pending.borrow_mut(), &mut waiting, &mut results);
                touched.clear();
            }
            let record = match (op.writes(), full) {
                (true, Some(code)) => BatchRecord::failed(&op.key, code),
                _ => batch_record(op, run_locked(self, op, Commit::Deferred(&pending))),
            };
            // A delete of a record already deleted reports KeyNotFoundError,
            // but that deletion must be durable too (it may be a Buffered
            // one still in the page cache): it waits for the flush as well.
            let deleted = matches!(op.kind, BatchKind::Delete(_))
                && record.result_code == Some(ResultCode::KeyNotFoundError);
            if op.writes() && (record.result_code.is_none() || deleted) {
                waiting.push(results.len());
                touched.insert(digest);
            }
            results.push((i, record));
        }
        let unsettled = Unsettled {
            pending: pending.into_inner(),
            waiting,
        };
        (results, unsettled)
    }

    /// Makes every pending write durable with one flush, then shows it in
    /// the index. If the flush fails, none is shown, and the entries that
    /// waited for it fail in doubt (their bytes may still reach the disk).
    fn settle(
        &self,
        pending: &mut Vec<IndexEntry>,
        waiting: &mut Vec<usize>,
        results: &mut Results,
    ) {
        if waiting.is_empty() && pending.is_empty() {
            return;
        }
        let flushed = self.flush_batch();
        self.publish(std::mem::take(pending), flushed);
        if let Err(code) = flushed {
            in_doubt(results, waiting, code);
        }
        waiting.clear();
    }

    /// The one flush of a batch: the result code its waiting entries fail
    /// with if it fails.
    fn flush_batch(&self) -> std::result::Result<(), ResultCode> {
        self.log.sync().map_err(|e| {
            log::error!("a batch's flush failed: {e}");
            match e {
                Error::Poisoned { .. } | Error::Io(_) => ResultCode::ServerError,
                ref other => other.result_code(),
            }
        })
    }

    /// After the flush: shows `pending` in the index if it succeeded (the
    /// index slots of each group loaded together first), or gives their
    /// space back if it failed.
    fn publish(&self, pending: Vec<IndexEntry>, flushed: std::result::Result<(), ResultCode>) {
        if flushed.is_err() {
            pending.iter().for_each(|e| self.log.release(e.loc()));
            return;
        }
        for group in pending.chunks(WARM_MAX) {
            self.index.warm(group.iter().map(|e| &e.digest));
            for e in group {
                self.transition(&e.digest, |_| Some(Step::Put(*e)));
            }
        }
    }
}

/// Fails the entries at `waiting` (positions in `results`) in doubt with
/// `code`: their flush failed, but their bytes may still reach the disk.
fn in_doubt(results: &mut Results, waiting: &[usize], code: ResultCode) {
    for &w in waiting {
        if let Some((_, r)) = results.get_mut(w) {
            r.record = None;
            r.result_code = Some(code);
            r.in_doubt = true;
        }
    }
}
