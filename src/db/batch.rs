//! `Db::batch` (batch reads, writes and deletes) and `Db::batch_get`.

use super::Db;
use crate::batch::{BatchKind, BatchOperation, BatchPolicy, BatchRecord, MAX_BATCH_ENTRIES};
use crate::bin::Bins;
use crate::error::{Error, Result};
use crate::index::WARM_MAX;
use crate::key::{validate_namespace, Key};
use crate::namespace::{batch_record, read_only};
use crate::policy::{Durability, ReadPolicy, WritePolicy};
use crate::record::Record;

impl Db {
    /// Reads many records: one entry per key, in input order, `None` for a
    /// missing or expired record. Each key costs one index lookup; the keys are
    /// read in groups of 8 whose index slots and entries are loaded back to
    /// back first, so their cache misses overlap.
    ///
    /// # Errors
    /// Only on internal failures (a damaged record).
    pub fn batch_get(
        &self,
        policy: &ReadPolicy,
        keys: &[Key],
        bins: impl Into<Bins>,
    ) -> Result<Vec<Option<Record>>> {
        let _ = policy;
        let bins = bins.into();
        let mut out = Vec::with_capacity(keys.len());
        for group in keys.chunks(WARM_MAX) {
            self.warm_reads(group);
            for key in group {
                let Some(ns) = self.namespace(key.namespace()) else {
                    out.push(None);
                    continue;
                };
                match ns.get(&key.digest().0, &bins) {
                    Ok(r) => out.push(Some(r)),
                    Err(Error::KeyNotFound) => out.push(None),
                    Err(e) => return Err(e),
                }
            }
        }
        Ok(out)
    }

    /// Loads the index slots and entries of a group of keys back to back
    /// before they are read one by one (`Namespace::warm_reads`): the keys
    /// of the first key's namespace, the usual case being all of them.
    fn warm_reads(&self, group: &[Key]) {
        let Some(first) = group.first() else { return };
        let Some(ns) = self.namespace(first.namespace()) else {
            return;
        };
        let mut digests = [&first.digest().0; WARM_MAX];
        let mut n = 0;
        let same = group.iter().filter(|k| k.namespace() == first.namespace());
        for (slot, key) in digests.iter_mut().zip(same) {
            *slot = &key.digest().0;
            n += 1;
        }
        ns.warm_reads(&digests[..n]);
    }

    /// Runs the entries in order; each is atomic for its own record and
    /// succeeds or fails on its own (its [`BatchRecord::result_code`]); a
    /// failed entry changes nothing.
    ///
    /// Under `Durability::Sync` (the policy's, else the database's) the
    /// whole batch shares one flush, and no write of it is visible before
    /// that flush; the record locks of the batch's writes are held until
    /// then, so concurrent writers of those records wait for the batch.
    ///
    /// # Errors
    /// `ParameterError` for an empty batch or more than 10,000 entries.
    /// Everything else is reported per entry.
    ///
    /// # Examples
    /// ```
    /// use aerolite::{as_key, operations, Bin, BatchDeletePolicy, BatchOperation, BatchPolicy,
    ///                BatchWritePolicy, Db, Durability, ResultCode};
    /// # let dir = tempfile::tempdir()?;
    /// let db = Db::open(dir.path())?;
    /// let policy = BatchPolicy { durability: Some(Durability::Sync) };
    /// let ops: Vec<BatchOperation> = (0..100)
    ///     .map(|i| BatchOperation::write(&BatchWritePolicy::default(), as_key!("test", "s", i),
    ///                                    vec![operations::put(&Bin::new("v", i))]))
    ///     .collect();
    /// let out = db.batch(&policy, &ops)?;   // one flush for all 100
    /// assert!(out.iter().all(|r| r.result_code.is_none()));
    /// let gone = db.batch(&policy, &[BatchOperation::delete(&BatchDeletePolicy::default(),
    ///                                                       as_key!("test", "s", 1000))])?;
    /// assert_eq!(gone[0].result_code, Some(ResultCode::KeyNotFoundError));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn batch(&self, policy: &BatchPolicy, ops: &[BatchOperation]) -> Result<Vec<BatchRecord>> {
        if ops.is_empty() || ops.len() > MAX_BATCH_ENTRIES {
            return Err(Error::ParameterError(format!(
                "a batch takes 1 to {MAX_BATCH_ENTRIES} entries, not {}; split larger ones",
                ops.len()
            )));
        }
        let durability = policy.durability.unwrap_or(self.options.durability);
        let mut out: Vec<Option<BatchRecord>> = vec![None; ops.len()];
        self.batch_by_namespace(ops, durability, &mut out);
        Ok(out
            .into_iter()
            .zip(ops)
            .map(|(r, op)| {
                r.unwrap_or_else(|| BatchRecord::failed(&op.key, crate::ResultCode::ServerError))
            })
            .collect())
    }

    /// An entry whose namespace does not exist (yet): reads and deletes
    /// find nothing; a write goes through `Db::operate`, which creates the
    /// namespace only if the write succeeds.
    fn run_without_namespace(
        &self,
        op: &BatchOperation,
        durability: Durability,
    ) -> Result<Option<Record>> {
        validate_namespace(op.key.namespace())?;
        match &op.kind {
            BatchKind::Write(p, ops) => {
                let policy = WritePolicy {
                    durability: Some(durability),
                    ..p.clone()
                };
                self.operate(&policy, &op.key, ops).map(Some)
            }
            BatchKind::ReadOps(ops) => {
                crate::operations::exec::validate(ops)?;
                read_only(ops)?;
                Err(Error::KeyNotFound)
            }
            BatchKind::Read(_) | BatchKind::Delete(_) => Err(Error::KeyNotFound),
        }
    }

    /// Per namespace, in order of first appearance: one
    /// `Namespace::batch_sync` (one flush) or `batch_buffered`. Entries of a
    /// namespace that does not exist yet run one by one until a write
    /// creates it.
    fn batch_by_namespace(
        &self,
        ops: &[BatchOperation],
        durability: Durability,
        out: &mut [Option<BatchRecord>],
    ) {
        let mut names: Vec<&str> = Vec::new();
        for op in ops {
            if !names.contains(&op.key.namespace()) {
                names.push(op.key.namespace());
            }
        }
        for name in names {
            let mut items: Vec<(usize, &BatchOperation)> = ops
                .iter()
                .enumerate()
                .filter(|(_, op)| op.key.namespace() == name)
                .collect();
            if self.namespace(name).is_none() {
                // Until a write creates the namespace, every entry fails as
                // it would alone; the first write that succeeds does so
                // durably, by itself.
                let mut created = None;
                for (n, &(i, op)) in items.iter().enumerate() {
                    let r = self.run_without_namespace(op, durability);
                    let ok = r.is_ok();
                    out[i] = Some(batch_record(op, r));
                    if ok && op.writes() && self.namespace(name).is_some() {
                        created = Some(n + 1);
                        break;
                    }
                }
                match created {
                    Some(next) => items.drain(..next),
                    None => continue,
                };
            }
            if let Some(ns) = self.namespace(name) {
                match durability {
                    Durability::Sync => ns.batch_sync(&items, out),
                    Durability::Buffered => ns.batch_buffered(&items, out),
                }
            }
        }
    }
}
