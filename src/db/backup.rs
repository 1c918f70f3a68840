//! Backup and restore in Aerospike's `asbackup` text format.

use super::Db;
use crate::backup::reader::{FileRecord, Item, Reader};
use crate::backup::{writer, BackupStats, RestoreExisting, RestoreOptions, RestoreStats};
use crate::bin::{Bin, Bins};
use crate::clock::citrus_secs;
use crate::error::{Error, Result};
use crate::key::{Digest, Key};
use crate::policy::{Expiration, GenerationPolicy, RecordExistsAction, WritePolicy};
use std::io::{BufRead, Write};

impl Db {
    /// Streams every live record of `namespace` (or of one set of it) to
    /// `out` as an asbackup Version 3.1 file, which Aerospike's `asrestore`
    /// reads. Memory does not grow with the number of records.
    ///
    /// Records are written with their digest, set, stored user key (when it
    /// was stored), generation, void time and bins; lists and maps as
    /// Aerospike's msgpack particles in base64.
    ///
    /// # Errors
    /// `InvalidNamespace` / `ParameterError` for invalid names; I/O errors
    /// from `out`; `Corruption` for a damaged record.
    ///
    /// # Examples
    /// ```
    /// use aerolite::{as_bin, as_key, Db, RestoreOptions, WritePolicy};
    /// # let dir = tempfile::tempdir()?;
    /// let db = Db::open(dir.path())?;
    /// db.put(&WritePolicy::default(), &as_key!("test", "demo", 1), &[as_bin!("a", 1)])?;
    /// let mut file = Vec::new();
    /// let stats = db.backup("test", None, &mut file)?;
    /// assert_eq!(stats.records, 1);
    /// assert!(file.starts_with(b"Version 3.1\n"));
    /// # let dir2 = tempfile::tempdir()?;
    /// let other = Db::open(dir2.path())?;
    /// let restored = other.restore(&mut &file[..], &RestoreOptions::default())?;
    /// assert_eq!(restored.written, 1);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn backup(
        &self,
        namespace: &str,
        set: Option<&str>,
        out: &mut dyn Write,
    ) -> Result<BackupStats> {
        let mut stats = BackupStats {
            records: 0,
            bytes: writer::header(namespace, out)?,
        };
        let mut buf = Vec::with_capacity(4096);
        for rec in self.scan(namespace, set, Bins::All)? {
            let rec = rec?;
            let Some(key) = &rec.key else { continue };
            buf.clear();
            writer::record(namespace, &rec, key, &mut buf);
            out.write_all(&buf)?;
            stats.records += 1;
            stats.bytes += buf.len() as u64;
        }
        out.flush()?;
        Ok(stats)
    }

    /// Reads an asbackup 3.0 or 3.1 file and writes its records, as
    /// `asrestore` does: the digest in the file is the record's identity (a
    /// key line is stored as its user key); records whose void time has
    /// passed are skipped; by default a record is written only if it is
    /// missing or its stored generation is lower than the file's, and its
    /// bins merge into an existing record (see [`RestoreOptions`]).
    ///
    /// # Errors
    /// `ParameterError` naming the line and what was expected for a
    /// malformed file: the records before it stay written, nothing of the
    /// bad record is. A record the database refuses (a bin name over 15
    /// bytes, a TTL over the namespace's maximum) fails the same way, with
    /// its line. I/O errors from `input`.
    pub fn restore(
        &self,
        input: &mut dyn BufRead,
        options: &RestoreOptions,
    ) -> Result<RestoreStats> {
        if let Some(ns) = &options.namespace {
            crate::key::validate_namespace(ns)?;
        }
        let mut stats = RestoreStats::default();
        let mut reader = Reader::new(input);
        while let Some(item) = reader.next_item()? {
            match item {
                Item::SecondaryIndex => stats.secondary_indexes += 1,
                Item::Udf => stats.udfs += 1,
                Item::Record(r) => {
                    stats.records += 1;
                    self.restore_record(r, options, &mut stats)?;
                }
            }
        }
        Ok(stats)
    }

    fn restore_record(
        &self,
        r: FileRecord,
        options: &RestoreOptions,
        stats: &mut RestoreStats,
    ) -> Result<()> {
        let line = r.line;
        // What is wrong with the file's record becomes a parameter error
        // naming its line; failures of the database itself stay as they are.
        let at_line = |e: Error| match e {
            Error::ParameterError(_)
            | Error::InvalidNamespace(_)
            | Error::BinNameTooLong { .. }
            | Error::RecordTooBig { .. }
            | Error::KeyMismatch => Error::ParameterError(format!(
                "the record at line {line} of the backup file cannot be restored: {e}"
            )),
            other => other,
        };
        let now = citrus_secs(self.options.clock.now());
        if r.void_time != 0 && r.void_time <= now {
            stats.expired += 1;
            return Ok(());
        }
        let namespace = options.namespace.as_deref().unwrap_or(&r.namespace);
        crate::key::validate_namespace(namespace).map_err(at_line)?;
        crate::key::validate_set(&r.set).map_err(at_line)?;
        let send_key = r.key.is_some();
        let key = Key::with_user_key(namespace, &r.set, Digest(r.digest), r.key);
        let bins: Vec<Bin> = r.bins.into_iter().map(|(n, v)| Bin::new(&n, v)).collect();
        let record_exists_action = match options.existing {
            RestoreExisting::Update => RecordExistsAction::Update,
            RestoreExisting::Replace => RecordExistsAction::Replace,
            RestoreExisting::Unique => RecordExistsAction::CreateOnly,
        };
        let (generation_policy, record_exists_action) =
            match (options.check_generation, r.generation) {
                (false, _) => (GenerationPolicy::None, record_exists_action),
                // Every stored generation is at least 1: "lower than 0" means
                // only a missing record qualifies.
                (true, 0) => (GenerationPolicy::None, RecordExistsAction::CreateOnly),
                (true, _) => (GenerationPolicy::ExpectGenGreater, record_exists_action),
            };
        let policy = WritePolicy {
            record_exists_action,
            generation_policy,
            generation: r.generation,
            expiration: match r.void_time {
                0 => Expiration::Never,
                v => Expiration::Seconds(v - now),
            },
            send_key,
            ..WritePolicy::default()
        };
        match self.put(&policy, &key, &bins) {
            Ok(()) => stats.written += 1,
            Err(Error::KeyExists) if options.existing == RestoreExisting::Unique => {
                stats.existed += 1
            }
            Err(Error::KeyExists) | Err(Error::GenerationMismatch { .. }) => stats.fresher += 1,
            Err(e) => return Err(at_line(e)),
        }
        Ok(())
    }
}
