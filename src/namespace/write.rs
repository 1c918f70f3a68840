//! Writes: put, delete, touch, and the rules they share (generation, TTL,
//! stored keys, limits).

use super::{Current, Namespace};
use crate::bin::{validate_bin_name, Bin};
use crate::clock::unix_nanos;
use crate::codec::{self, PayloadWriter};
use crate::error::{Error, Result};
use crate::index::{IndexEntry, Step, TOMBSTONE_SET};
use crate::key::{encode_user_key, Key};
use crate::options::{NamespaceConfig, MAX_TTL_SECS};
use crate::policy::{Durability, Expiration, GenerationPolicy, RecordExistsAction, WritePolicy};
use crate::storage::entry::{EntryKind, NewEntry, FLAG_MIXED_SETS};
use crate::storage::log::Location;
use std::borrow::Borrow;
use std::cell::RefCell;

/// Most bins a record can hold.
pub(crate) const MAX_BINS: usize = 32767;

thread_local! {
    /// Reused encode buffers, so a steady stream of writes does not allocate.
    static BUFFERS: RefCell<Vec<Vec<u8>>> = const { RefCell::new(Vec::new()) };
}

/// Runs `f` with a cleared scratch buffer borrowed from this thread's pool.
pub(crate) fn with_buffer<T>(f: impl FnOnce(&mut Vec<u8>) -> T) -> T {
    let mut buf = BUFFERS.with(|b| b.borrow_mut().pop()).unwrap_or_default();
    buf.clear();
    let out = f(&mut buf);
    if buf.capacity() <= 1 << 20 {
        BUFFERS.with(|b| b.borrow_mut().push(buf));
    }
    out
}

/// The generation after a write to a record whose generation is `current`
/// (0 for a record being created): 1, 2, ... 65535, 1, ...
pub(crate) fn next_generation(current: u16) -> u16 {
    if current == u16::MAX {
        1
    } else {
        current + 1
    }
}

/// Checks the policy's generation against the stored one (0 when absent).
pub(crate) fn check_generation(policy: &WritePolicy, stored: u16) -> Result<()> {
    let ok = match policy.generation_policy {
        GenerationPolicy::None => true,
        GenerationPolicy::ExpectGenEqual => policy.generation == u32::from(stored),
        GenerationPolicy::ExpectGenGreater => policy.generation > u32::from(stored),
    };
    if ok {
        Ok(())
    } else {
        Err(Error::GenerationMismatch {
            expected: policy.generation,
            actual: u32::from(stored),
        })
    }
}

/// The record-exists action and the generation check of a write, against the
/// record's live version (`None` when it does not exist or has expired).
pub(crate) fn check_preconditions(policy: &WritePolicy, current: Option<&Current>) -> Result<()> {
    match (policy.record_exists_action, current) {
        (RecordExistsAction::CreateOnly, Some(_)) => return Err(Error::KeyExists),
        (RecordExistsAction::UpdateOnly | RecordExistsAction::ReplaceOnly, None) => {
            return Err(Error::KeyNotFound)
        }
        _ => {}
    }
    check_generation(policy, current.map_or(0, |c| c.entry.generation))
}

/// When a write becomes durable and visible.
#[derive(Clone, Copy)]
pub(crate) enum Commit<'a> {
    /// Visible at once (`Buffered`), or durable then visible (`Sync`).
    Now(Durability),
    /// Appended now; made durable and visible later, all together, by the
    /// batch that collects it (`Db::batch` under `Sync`).
    /// The index entries of the appended versions are collected here.
    Deferred(&'a RefCell<Vec<IndexEntry>>),
}

/// The details of a write, once every check has passed.
pub(crate) struct Write<'a> {
    pub digest: [u8; 20],
    pub set: &'a str,
    pub key: &'a [u8],
    pub payload: &'a [u8],
    pub generation: u16,
    pub void_time: u32,
    /// With `Sync`, the entry is made durable before the index shows it.
    pub commit: Commit<'a>,
}

/// Checks `exp` against the limits of the namespace configured by `config`.
pub(crate) fn check_expiration(config: &NamespaceConfig, exp: Expiration) -> Result<()> {
    if let Expiration::Seconds(n) = exp {
        let max = config.max_ttl.as_secs().min(MAX_TTL_SECS);
        if u64::from(n) > max {
            return Err(Error::ParameterError(format!(
                "TTL of {n} s is above the namespace's max_ttl of {max} s"
            )));
        }
    }
    Ok(())
}

/// The void time a write with `exp` gives a record whose current void time
/// is `current` (`None` when the record is being created), at citrus time
/// `now`.
///
/// # Errors
/// [`Error::ParameterError`] when the void time does not fit in 32 bits
/// (past early 2146): it would otherwise be cut short silently.
pub(crate) fn void_time(
    config: &NamespaceConfig,
    exp: Expiration,
    current: Option<u32>,
    now: u32,
) -> Result<u32> {
    let default = || config.default_ttl.map(|d| d.as_secs());
    let ttl = match exp {
        Expiration::Seconds(0) | Expiration::NamespaceDefault => default(),
        Expiration::Seconds(n) => Some(u64::from(n)),
        Expiration::Never => None,
        Expiration::DontUpdate => match current {
            Some(v) => return Ok(v),
            None => default(),
        },
    };
    match ttl {
        None => Ok(0),
        Some(t) => u32::try_from(u64::from(now) + t.max(1)).map_err(|_| {
            Error::ParameterError(format!(
                "a TTL of {t} s from now ends after the last expiration time that can be \
                 stored (2146-02-07, 2^32 - 1 s after 2010-01-01): use Expiration::Never or a shorter TTL"
            ))
        }),
    }
}

impl Namespace {
    /// Checks `policy.expiration` against the namespace's limits (no state needed).
    pub(crate) fn check_expiration(&self, exp: Expiration) -> Result<()> {
        check_expiration(&self.config, exp)
    }

    /// [`void_time`] for this namespace.
    pub(crate) fn void_time(&self, exp: Expiration, current: Option<u32>, now: u32) -> Result<u32> {
        void_time(&self.config, exp, current, now)
    }

    /// The user key bytes a write stores: the sent key with `send_key`, else
    /// the key already stored. A different sent key is `KeyMismatch`.
    pub(crate) fn key_bytes<'c>(
        policy: &WritePolicy,
        key: &Key,
        current: Option<&'c [u8]>,
        out: &'c mut Vec<u8>,
    ) -> Result<&'c [u8]> {
        let stored = current.filter(|k| !k.is_empty());
        match (policy.send_key, key.user_key()) {
            (true, Some(uk)) => {
                encode_user_key(uk, out);
                if stored.is_some_and(|s| s != out.as_slice()) {
                    return Err(Error::KeyMismatch);
                }
                Ok(out.as_slice())
            }
            _ => Ok(stored.unwrap_or(&[])),
        }
    }

    /// Appends a record version (or a tombstone when `kind` says so) and
    /// points the index at it. The caller holds the record lock.
    pub(crate) fn write_entry(&self, kind: EntryKind, w: &Write<'_>) -> Result<Location> {
        // Last-update times never go backwards within a digest's versions, so
        // a truncation that covers a version covers every older one too.
        let mut last_update = unix_nanos(self.clock.now());
        // Whether an older version of this digest may be in another set: the
        // flag passes from version to version (see FLAG_MIXED_SETS).
        let mut mixed_sets = false;
        if let Some(prev) = self.index.get(&w.digest) {
            let loc = prev.loc();
            match self.log.lineage_at(loc, w.set.as_bytes()) {
                Some((lut, mixed)) => {
                    last_update = last_update.max(lut.saturating_add(1));
                    mixed_sets = mixed;
                }
                None => mixed_sets = true,
            }
        }
        let entry = NewEntry {
            kind,
            generation: w.generation,
            last_update,
            void_time: w.void_time,
            digest: w.digest,
            flags: if mixed_sets { FLAG_MIXED_SETS } else { 0 },
            set: w.set.as_bytes(),
            key: w.key,
            payload: w.payload,
        };
        let limit = u64::from(self.config.max_record_size).min(self.log.max_entry_len());
        if kind == EntryKind::Record && entry.len() as u64 > limit {
            return Err(Error::RecordTooBig {
                size: entry.len() as u64,
                limit,
            });
        }
        let set_id = match kind {
            EntryKind::Record => self.sets.id_of(w.set)?,
            EntryKind::Tombstone => TOMBSTONE_SET,
            EntryKind::Stream => {
                return Err(Error::ParameterError(
                    "internal error: a stream entry cannot be written to a namespace".into(),
                ))
            }
        };
        let (loc, rotated) = self
            .log
            .append(&entry, last_update)
            .map_err(|e| self.storage_full(e))?;
        if rotated {
            self.wake_maintenance();
        }
        let new = IndexEntry {
            digest: w.digest,
            seg: loc.seg,
            off: loc.off,
            void_time: w.void_time,
            generation: w.generation,
            set_id,
        };
        match w.commit {
            Commit::Now(Durability::Buffered) => {}
            Commit::Now(Durability::Sync) => {
                // Group commit. Under the record lock, so no reader sees the
                // new version before it is durable; if the flush fails the
                // log is poisoned and the index never shows it.
                if let Err(e) = self.log.wait_durable(loc) {
                    self.log.release(loc);
                    return Err(e);
                }
            }
            Commit::Deferred(pending) => {
                // The batch holds the record lock until it publishes.
                pending.borrow_mut().push(new);
                return Ok(loc);
            }
        }
        self.transition(&w.digest, |_| Some(Step::Put(new)));
        Ok(loc)
    }

    /// Writes a tombstone for `digest`. The caller holds the record lock.
    pub(crate) fn write_tombstone(
        &self,
        digest: [u8; 20],
        set: &str,
        commit: Commit<'_>,
    ) -> Result<Location> {
        self.write_entry(
            EntryKind::Tombstone,
            &Write {
                digest,
                set,
                key: &[],
                payload: &[],
                generation: 0,
                void_time: 0,
                commit,
            },
        )
    }

    /// The durability a write with `policy` asks for.
    pub(crate) fn durability_of(&self, policy: &WritePolicy) -> Durability {
        policy.durability.unwrap_or(self.durability)
    }

    /// `Db::put` for this namespace.
    pub(crate) fn put<B: Borrow<Bin>>(
        &self,
        policy: &WritePolicy,
        key: &Key,
        bins: &[B],
    ) -> Result<()> {
        self.check_expiration(policy.expiration)?;
        self.check_capacity()?;
        let digest = key.digest().0;
        let _guard = self.lock_record(&digest, policy.timeout)?;
        self.put_locked(policy, key, bins, Commit::Now(self.durability_of(policy)))?;
        Ok(())
    }

    /// [`Namespace::put`] with the record lock held by the caller (and the
    /// capacity checked by it). Returns the record's new generation and void
    /// time (both 0 when the write deleted it) and the citrus second the
    /// write took as now.
    pub(crate) fn put_locked<B: Borrow<Bin>>(
        &self,
        policy: &WritePolicy,
        key: &Key,
        bins: &[B],
        commit: Commit<'_>,
    ) -> Result<(u16, u32, u32)> {
        self.check_expiration(policy.expiration)?;
        let now = self.now_citrus();
        let current = self.live(&key.digest().0, now)?;
        check_preconditions(policy, current.as_ref())?;
        let merge = matches!(
            policy.record_exists_action,
            RecordExistsAction::Update | RecordExistsAction::UpdateOnly
        );
        with_buffer(|payload| {
            with_buffer(|keybuf| {
                self.write_bins(
                    policy,
                    key,
                    bins,
                    (current.as_ref(), merge, now),
                    commit,
                    payload,
                    keybuf,
                )
            })
        })
        .map(|(generation, void_time)| (generation, void_time, now))
    }

    /// Encodes and writes the record a put leaves: the bins kept from
    /// `current` (when merging) and the new ones.
    #[allow(clippy::too_many_arguments)]
    fn write_bins<B: Borrow<Bin>>(
        &self,
        policy: &WritePolicy,
        key: &Key,
        bins: &[B],
        (current, merge, now): (Option<&Current>, bool, u32),
        commit: Commit<'_>,
        payload: &mut Vec<u8>,
        keybuf: &mut Vec<u8>,
    ) -> Result<(u16, u32)> {
        let view = current.map(|c| c.view()).transpose()?;
        let key_bytes = Self::key_bytes(policy, key, view.as_ref().map(|v| v.key), keybuf)?;
        let new_names = NameSet::new(bins);
        let mut w = PayloadWriter::new(payload);
        if let (true, Some(v)) = (merge, &view) {
            for bin in codec::bins(v.payload)? {
                let (name, raw) = bin?;
                if !new_names.contains(name) {
                    w.push_raw(name, raw);
                }
            }
        }
        for (i, bin) in bins.iter().enumerate() {
            let bin = bin.borrow();
            if !bin.value.is_nil() && new_names.is_last(i, &bin.name) {
                w.push(&bin.name, &bin.value)?;
            }
        }
        if w.count() > MAX_BINS {
            return Err(Error::ParameterError(format!(
                "a record holds at most {MAX_BINS} bins; this write would leave {}",
                w.count()
            )));
        }
        if w.finish() == 0 {
            // Nil bins removed every bin: the write deletes the record.
            return match current {
                Some(_) => self
                    .write_tombstone(key.digest().0, key.set_name(), commit)
                    .map(|_| (0, 0)),
                None => Err(Error::KeyNotFound),
            };
        }
        let generation = next_generation(current.map_or(0, |c| c.entry.generation));
        let void_time =
            self.void_time(policy.expiration, current.map(|c| c.entry.void_time), now)?;
        let w = Write {
            digest: key.digest().0,
            set: key.set_name(),
            key: key_bytes,
            payload,
            generation,
            void_time,
            commit,
        };
        self.write_entry(EntryKind::Record, &w)?;
        Ok((generation, void_time))
    }

    /// `Db::delete` for this namespace: whether a live record existed.
    pub(crate) fn delete(&self, policy: &WritePolicy, key: &Key) -> Result<bool> {
        let digest = key.digest().0;
        let _guard = self.lock_record(&digest, policy.timeout)?;
        self.delete_locked(policy, key, Commit::Now(self.durability_of(policy)))
    }

    /// [`Namespace::delete`] with the record lock held by the caller.
    pub(crate) fn delete_locked(
        &self,
        policy: &WritePolicy,
        key: &Key,
        commit: Commit<'_>,
    ) -> Result<bool> {
        let digest = key.digest().0;
        let now = self.now_citrus();
        let Some(current) = self.lookup(&digest)? else {
            return Ok(false);
        };
        if current.entry.set_id == TOMBSTONE_SET {
            // A record the sweeper expired is a tombstone only in memory:
            // write a real one, so the delete holds after a restart even
            // if the clock is set back.
            if current.view()?.meta.kind == EntryKind::Record {
                self.write_tombstone(digest, key.set_name(), commit)?;
            } else if let Commit::Now(Durability::Sync) = commit {
                // Already deleted, perhaps by a Buffered delete still in
                // the page cache: a Sync delete returns only once the
                // deletion it reports is durable. (A deferred one is made
                // durable by its batch's flush of the whole log.)
                self.log.wait_durable(current.entry.loc())?;
            }
            return Ok(false);
        }
        let live = current.is_live(now);
        if live {
            check_generation(policy, current.entry.generation)?;
        }
        // An expired record also gets a tombstone, so that it cannot come
        // back if the clock is ever set back.
        self.write_tombstone(digest, key.set_name(), commit)?;
        Ok(live)
    }

    /// `Db::touch` for this namespace.
    pub(crate) fn touch(&self, policy: &WritePolicy, key: &Key) -> Result<()> {
        self.check_expiration(policy.expiration)?;
        self.check_capacity()?;
        let digest = key.digest().0;
        let _guard = self.lock_record(&digest, policy.timeout)?;
        let now = self.now_citrus();
        {
            let current = self.live(&digest, now)?.ok_or(Error::KeyNotFound)?;
            check_generation(policy, current.entry.generation)?;
            let view = current.view()?;
            with_buffer(|keybuf| {
                let key_bytes = Self::key_bytes(policy, key, Some(view.key), keybuf)?;
                let set = std::str::from_utf8(view.set).unwrap_or(key.set_name());
                self.write_entry(
                    EntryKind::Record,
                    &Write {
                        digest,
                        set,
                        key: key_bytes,
                        payload: view.payload,
                        generation: next_generation(current.entry.generation),
                        void_time: self.void_time(
                            policy.expiration,
                            Some(current.entry.void_time),
                            now,
                        )?,
                        commit: Commit::Now(self.durability_of(policy)),
                    },
                )
            })?;
        }
        Ok(())
    }
}

/// Checks a put's bins before anything is created, locked or read
/// (`Db::put` calls it before `Namespace::put`).
pub(crate) fn validate_put<B: Borrow<Bin>>(policy: &WritePolicy, bins: &[B]) -> Result<()> {
    if bins.is_empty() {
        return Err(Error::ParameterError("a put needs at least one bin".into()));
    }
    if bins.len() > MAX_BINS {
        return Err(Error::ParameterError(format!(
            "a put takes at most {MAX_BINS} bins, got {}",
            bins.len()
        )));
    }
    let replace = matches!(
        policy.record_exists_action,
        RecordExistsAction::Replace | RecordExistsAction::ReplaceOnly
    );
    for bin in bins {
        let bin = bin.borrow();
        validate_bin_name(&bin.name)?;
        if replace && bin.value.is_nil() {
            return Err(Error::ParameterError(format!(
                "bin {:?} is nil: nil bins delete bins, which a Replace/ReplaceOnly write cannot do",
                bin.name
            )));
        }
        codec::check_depth(&bin.value)?;
    }
    Ok(())
}

/// The bin names of a write, for "is this name overwritten" and "is this the
/// last bin with this name" (the last of duplicate names wins).
pub(crate) enum NameSet<'a, B> {
    /// Few bins: compared in place, nothing allocated.
    Few(&'a [B]),
    Many(std::collections::HashMap<&'a str, usize>),
}

impl<'a, B: Borrow<Bin>> NameSet<'a, B> {
    pub(crate) fn new(bins: &'a [B]) -> NameSet<'a, B> {
        if bins.len() <= 16 {
            NameSet::Few(bins)
        } else {
            NameSet::Many(
                bins.iter()
                    .enumerate()
                    .map(|(i, b)| (b.borrow().name.as_str(), i))
                    .collect(),
            )
        }
    }

    fn contains(&self, name: &str) -> bool {
        match self {
            NameSet::Few(v) => v.iter().any(|b| b.borrow().name == name),
            NameSet::Many(m) => m.contains_key(name),
        }
    }

    pub(crate) fn is_last(&self, i: usize, name: &str) -> bool {
        match self {
            NameSet::Few(v) => !v[i + 1..].iter().any(|b| b.borrow().name == name),
            NameSet::Many(m) => m.get(name) == Some(&i),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::value::Value;

    fn sending(key: &Key) -> (WritePolicy, Key) {
        let policy = WritePolicy {
            send_key: true,
            ..WritePolicy::default()
        };
        (policy, key.clone())
    }

    /// A stored user key that differs from the one sent is `KeyMismatch`. Two
    /// different user keys with one digest need a RIPEMD-160 collision, so
    /// the public API cannot produce this case; the rule is checked here on
    /// the stored bytes directly.
    #[test]
    fn a_different_stored_key_is_key_mismatch() {
        let key = Key::new("test", "s", "alice").unwrap();
        let (policy, key) = sending(&key);
        let mut stored = Vec::new();
        encode_user_key(&Value::from("mallory"), &mut stored);
        let mut buf = Vec::new();
        let r = Namespace::key_bytes(&policy, &key, Some(&stored), &mut buf);
        assert!(matches!(r, Err(Error::KeyMismatch)));
        assert_eq!(Error::KeyMismatch.result_code() as i32, 19);
    }

    #[test]
    fn stored_keys_are_sent_kept_and_never_invented() {
        let key = Key::new("test", "s", 7).unwrap();
        let (policy, key) = sending(&key);
        let mut expected = Vec::new();
        encode_user_key(&Value::Int(7), &mut expected);
        // Sending the same key again is fine.
        let mut buf = Vec::new();
        let r = Namespace::key_bytes(&policy, &key, Some(&expected), &mut buf).unwrap();
        assert_eq!(r, expected.as_slice());
        // Without send_key the stored key is kept.
        let mut buf = Vec::new();
        let plain = WritePolicy::default();
        let r = Namespace::key_bytes(&plain, &key, Some(&expected), &mut buf).unwrap();
        assert_eq!(r, expected.as_slice());
        // Without send_key and nothing stored, nothing is stored.
        let mut buf = Vec::new();
        assert!(Namespace::key_bytes(&plain, &key, None, &mut buf)
            .unwrap()
            .is_empty());
        // A digest-only key sends nothing, even with send_key.
        let digest_only = Key::from_digest("test", "s", *key.digest()).unwrap();
        let mut buf = Vec::new();
        assert!(Namespace::key_bytes(&policy, &digest_only, None, &mut buf)
            .unwrap()
            .is_empty());
    }

    #[test]
    fn generation_wraps_from_65535_to_1() {
        assert_eq!(next_generation(0), 1);
        assert_eq!(next_generation(1), 2);
        assert_eq!(next_generation(65534), 65535);
        assert_eq!(next_generation(65535), 1);
    }
}
