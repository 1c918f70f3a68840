//! `operate`: several operations on one record, applied atomically.

use super::write::{check_preconditions, next_generation, with_buffer, Commit, Write, MAX_BINS};
use super::Namespace;
use crate::bin::Bins;
use crate::codec::{self, PayloadWriter};
use crate::error::{Error, Result};
use crate::key::Key;
use crate::operations::exec;
use crate::operations::Operation;
use crate::policy::{RecordExistsAction, WritePolicy};
use crate::record::Record;
use crate::storage::entry::EntryKind;
use crate::value::Value;
use std::collections::BTreeMap;

impl Namespace {
    /// `Db::operate` for this namespace.
    pub(crate) fn operate(
        &self,
        policy: &WritePolicy,
        key: &Key,
        ops: &[Operation],
    ) -> Result<Record> {
        // `Db::operate` has validated `ops`.
        self.check_expiration(policy.expiration)?;
        if ops.iter().any(Operation::is_write) {
            self.check_capacity()?;
        }
        let digest = key.digest().0;
        let _guard = self.lock_record(&digest, policy.timeout)?;
        self.operate_locked(policy, key, ops, Commit::Now(self.durability_of(policy)))
    }

    /// [`Namespace::operate`] with the record lock held by the caller (and
    /// capacity checked by it).
    pub(crate) fn operate_locked(
        &self,
        policy: &WritePolicy,
        key: &Key,
        ops: &[Operation],
        commit: Commit<'_>,
    ) -> Result<Record> {
        self.check_expiration(policy.expiration)?;
        let digest = key.digest().0;
        // Also the read time of the returned record: its TTL is read
        // against the time the write used.
        let now = self.now_citrus();
        let record = {
            let current = self.live(&digest, now)?;
            let writes = ops.iter().any(Operation::is_write);
            if !writes && current.is_none() {
                return Err(Error::KeyNotFound);
            }
            if writes {
                check_preconditions(policy, current.as_ref())?;
            }
            // Replace drops the bins a write does not set; reads alone ignore
            // the record-exists action, as in Aerospike.
            let replace = writes
                && matches!(
                    policy.record_exists_action,
                    RecordExistsAction::Replace | RecordExistsAction::ReplaceOnly
                );
            let mut bins: BTreeMap<String, Value> = match (&current, replace) {
                (Some(c), false) => codec::decode_bins(c.view()?.payload, &Bins::All)?
                    .into_iter()
                    .collect(),
                _ => BTreeMap::new(),
            };
            let outcome = exec::execute(ops, &mut bins, self.config.max_record_size)?;
            let (generation, expiration) = current
                .as_ref()
                .map_or((0, 0), |c| (c.entry.generation, c.entry.void_time));
            if !outcome.wrote {
                return Ok(Record::read(
                    key.clone(),
                    outcome.results,
                    u32::from(generation),
                    expiration,
                    now,
                ));
            }
            if bins.is_empty() {
                // Every bin is gone: the operation deletes the record.
                let Some(_) = current else {
                    return Err(Error::KeyNotFound);
                };
                self.write_tombstone(digest, key.set_name(), commit)?;
                Record::read(key.clone(), outcome.results, 0, 0, now)
            } else {
                if bins.len() > MAX_BINS {
                    return Err(Error::ParameterError(format!(
                        "a record holds at most {MAX_BINS} bins; this operate would leave {}",
                        bins.len()
                    )));
                }
                for value in bins.values() {
                    codec::check_depth(value)?;
                }
                let generation = next_generation(generation);
                let void_time =
                    self.void_time(policy.expiration, current.as_ref().map(|_| expiration), now)?;
                let view = current.as_ref().map(|c| c.view()).transpose()?;
                with_buffer(|payload| {
                    with_buffer(|keybuf| {
                        let key_bytes =
                            Self::key_bytes(policy, key, view.as_ref().map(|v| v.key), keybuf)?;
                        let mut w = PayloadWriter::new(payload);
                        for (name, value) in &bins {
                            w.push(name, value)?;
                        }
                        w.finish();
                        self.write_entry(
                            EntryKind::Record,
                            &Write {
                                digest,
                                set: key.set_name(),
                                key: key_bytes,
                                payload,
                                generation,
                                void_time,
                                commit,
                            },
                        )
                    })
                })?;
                Record::read(
                    key.clone(),
                    outcome.results,
                    u32::from(generation),
                    void_time,
                    now,
                )
            }
        };
        Ok(record)
    }
}
