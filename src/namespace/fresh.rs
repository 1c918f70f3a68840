//! The checks of a write to a namespace that does not exist yet. `Db` runs
//! them before it creates the namespace, so a write that is going to fail
//! (a TTL above `max_ttl`, `UpdateOnly` on a missing record, a record too
//! big, ...) creates no directory and no segment file.
//!
//! A missing namespace holds no record, so each check is the one the
//! namespace itself would run with no current record.

use super::write::{check_expiration, check_preconditions, void_time, NameSet, MAX_BINS};
use super::Namespace;
use crate::bin::Bin;
use crate::codec::{self, PayloadWriter};
use crate::error::{Error, Result};
use crate::key::Key;
use crate::operations::{exec, Operation};
use crate::options::NamespaceConfig;
use crate::policy::WritePolicy;
use crate::storage::entry::HEADER_LEN;
use crate::storage::segment::SEGMENT_HEADER_LEN;
use crate::value::Value;
use std::borrow::Borrow;
use std::collections::BTreeMap;

/// A namespace about to be created by a write.
pub(crate) struct Fresh<'a> {
    pub config: &'a NamespaceConfig,
    pub segment_size: u64,
    /// Citrus seconds now.
    pub now: u32,
}

impl Fresh<'_> {
    /// Whether `Namespace::put` would succeed on the empty namespace
    /// (`validate_put` has passed).
    pub(crate) fn check_put<B: Borrow<Bin>>(
        &self,
        policy: &WritePolicy,
        key: &Key,
        bins: &[B],
    ) -> Result<()> {
        self.check_header(policy)?;
        let names = NameSet::new(bins);
        let mut payload = Vec::new();
        let mut w = PayloadWriter::new(&mut payload);
        for (i, bin) in bins.iter().enumerate() {
            let bin = bin.borrow();
            if !bin.value.is_nil() && names.is_last(i, &bin.name) {
                w.push(&bin.name, &bin.value)?;
            }
        }
        if w.finish() == 0 {
            // Only nil bins: deleting bins of a record that does not exist.
            return Err(Error::KeyNotFound);
        }
        self.check_size(policy, key, &payload)
    }

    /// Whether `Namespace::operate` would succeed on the empty namespace
    /// (`exec::validate` has passed and some operation writes).
    pub(crate) fn check_operate(
        &self,
        policy: &WritePolicy,
        key: &Key,
        ops: &[Operation],
    ) -> Result<()> {
        self.check_header(policy)?;
        let mut bins: BTreeMap<String, Value> = BTreeMap::new();
        exec::execute(ops, &mut bins, self.config.max_record_size)?;
        if bins.is_empty() {
            return Err(Error::KeyNotFound);
        }
        if bins.len() > MAX_BINS {
            return Err(Error::ParameterError(format!(
                "a record holds at most {MAX_BINS} bins; this operate would leave {}",
                bins.len()
            )));
        }
        let mut payload = Vec::new();
        let mut w = PayloadWriter::new(&mut payload);
        for (name, value) in &bins {
            codec::check_depth(value)?;
            w.push(name, value)?;
        }
        w.finish();
        self.check_size(policy, key, &payload)
    }

    /// TTL, record-exists action and generation check, void time.
    fn check_header(&self, policy: &WritePolicy) -> Result<()> {
        check_expiration(self.config, policy.expiration)?;
        check_preconditions(policy, None)?;
        void_time(self.config, policy.expiration, None, self.now)?;
        Ok(())
    }

    /// The record size limit `Namespace::write_entry` applies.
    fn check_size(&self, policy: &WritePolicy, key: &Key, payload: &[u8]) -> Result<()> {
        let mut keybuf = Vec::new();
        let key_bytes = Namespace::key_bytes(policy, key, None, &mut keybuf)?;
        let len = (HEADER_LEN + key.set_name().len() + key_bytes.len() + payload.len()) as u64;
        let limit = u64::from(self.config.max_record_size)
            .min(self.segment_size - SEGMENT_HEADER_LEN as u64);
        if len > limit {
            return Err(Error::RecordTooBig { size: len, limit });
        }
        Ok(())
    }
}
