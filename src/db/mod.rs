//! [`Db`]: an open database directory and the record API.

use crate::bin::{Bin, Bins};
use crate::clock::citrus_secs;
use crate::error::{Error, Result};
use crate::key::{validate_namespace, validate_set, Key};
use crate::maintenance::{Maintenance, Namespaces};
use crate::namespace::{CompactStats, Fresh, Namespace, NamespaceStats, Scan};
use crate::operations::Operation;
use crate::options::Options;
use crate::policy::{ReadPolicy, WritePolicy};
use crate::record::Record;
use crate::storage::lock::DirLock;
use crate::storage::nsdir;
use crate::streams::Streams;
use dirnames::{escape, unescape};
pub(crate) use registry::Registry;
use std::borrow::Borrow;
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Sub-directory of the database directory holding the namespaces.
const NAMESPACES_DIR: &str = "namespaces";
/// Sub-directory of the database directory holding the streams.
const STREAMS_DIR: &str = "streams";

mod backup;
mod batch;
mod dirnames;
mod registry;
mod streams;
mod verify;

pub use verify::VerifyReport;

/// An open database: a directory of namespaces.
///
/// `Db` is `Send + Sync`; share it between threads as `Arc<Db>`. Dropping it
/// shuts down cleanly (like [`Db::close`], ignoring errors).
///
/// # Examples
/// ```
/// use aerolite::{as_bin, as_key, Bins, Db, ReadPolicy, Value, WritePolicy};
/// # let dir = tempfile::tempdir()?;
/// let db = Db::open(dir.path())?;
/// let key = as_key!("test", "users", "alice");
/// db.put(&WritePolicy::default(), &key, &[as_bin!("age", 30), as_bin!("city", "Oslo")])?;
/// let record = db.get(&ReadPolicy::default(), &key, Bins::All)?;
/// assert_eq!(record.bins["age"], Value::Int(30));
/// assert_eq!(record.generation, 1);
/// db.close()?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct Db {
    root: PathBuf,
    options: Options,
    namespaces: Namespaces,
    streams: Arc<Streams>,
    maintenance: Option<Maintenance>,
    lock: Option<DirLock>,
}

impl std::fmt::Debug for Db {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Db")
            .field("root", &self.root)
            .field(
                "namespaces",
                &self
                    .namespaces
                    .iter()
                    .map(|ns| ns.name())
                    .collect::<Vec<_>>(),
            )
            .finish_non_exhaustive()
    }
}

impl Db {
    /// Opens (creating if missing) the database in directory `path` with
    /// default [`Options`].
    ///
    /// # Errors
    /// [`Error::Locked`] if the directory is already open in this or another
    /// process; [`Error::Io`] if it cannot be created or read.
    pub fn open(path: impl AsRef<Path>) -> Result<Db> {
        Db::open_with(path, Options::default())
    }

    /// Opens (creating if missing) the database in `path` with `options`.
    ///
    /// Every namespace found is recovered: after a clean close its index is
    /// read back from the index snapshot the close wrote; otherwise (after a
    /// crash, or with [`Options::verify_on_open`]) it is rebuilt from the
    /// hint and segment files, a torn tail is cut off and damaged entries are
    /// skipped (see [`NamespaceStats::recovery`]).
    ///
    /// # Errors
    /// [`Error::ParameterError`] for invalid options or an empty path,
    /// [`Error::Locked`] if the directory is already open, [`Error::Io`] for
    /// file system failures, [`Error::Corruption`] for a segment file larger
    /// than the largest segment (1 GiB).
    pub fn open_with(path: impl AsRef<Path>, options: Options) -> Result<Db> {
        options.validate()?;
        let root = path.as_ref().to_path_buf();
        if root.as_os_str().is_empty() {
            return Err(Error::ParameterError(
                "the database path is empty; pass a directory (\".\" for the current one)".into(),
            ));
        }
        let io = options.io();
        io.create_dir_all(&root)?;
        let lock = DirLock::acquire(&root)?;
        let ns_root = root.join(NAMESPACES_DIR);
        io.create_dir_all(&ns_root)?;
        let namespaces: Namespaces = Arc::new(Registry::new());
        for item in std::fs::read_dir(&ns_root)? {
            let item = item?;
            if !item.file_type()?.is_dir() {
                continue;
            }
            let dir_name = item.file_name();
            let Some(name) = dir_name.to_str().and_then(unescape) else {
                log::warn!("ignoring {:?}: not a namespace directory", item.path());
                continue;
            };
            if validate_namespace(&name).is_err()
                || escape(&name) != dir_name.to_str().unwrap_or("")
            {
                log::warn!("ignoring {:?}: not a namespace directory", item.path());
                continue;
            }
            if nsdir::holds_no_data(&io, &item.path())? {
                // Left by a namespace creation that failed or was cut short
                // (a full disk, a crash): it holds nothing, so it goes.
                log::info!("removing empty namespace directory {:?}", item.path());
                if let Err(e) = nsdir::remove_dir(&io, &item.path()) {
                    log::warn!("could not remove {:?}: {e}", item.path());
                }
                continue;
            }
            namespaces.get_or_add(&name, || {
                let ns = Namespace::open(&item.path(), options.namespace_config(&name), &options)?;
                Ok(Arc::new(ns))
            })?;
        }
        let streams = Arc::new(Streams::open(
            &root.join(STREAMS_DIR),
            &io,
            Arc::clone(&options.clock),
            options.streams_config(),
        )?);
        let maintenance = match options.background {
            true => Some(Maintenance::start(
                Arc::clone(&namespaces),
                Arc::clone(&streams),
                options.sweep_interval,
            )?),
            false => None,
        };
        if let Some(m) = &maintenance {
            for ns in namespaces.iter() {
                ns.set_wake(m.waker());
            }
        }
        Ok(Db {
            root,
            options,
            namespaces,
            streams,
            maintenance,
            lock: Some(lock),
        })
    }

    /// Stops background work, makes every write durable and releases the
    /// directory.
    ///
    /// # Errors
    /// [`Error::Io`] or [`Error::Poisoned`] if the final sync fails.
    pub fn close(mut self) -> Result<()> {
        if let Some(mut m) = self.maintenance.take() {
            m.stop();
        }
        let result = self.shutdown();
        // The namespaces (and their mappings) go before the directory lock:
        // the maintenance thread, which shared them, has stopped.
        self.namespaces = Arc::new(Registry::new());
        self.lock.take();
        result
    }

    /// The database directory.
    pub fn path(&self) -> &Path {
        &self.root
    }

    #[inline]
    fn namespace(&self, name: &str) -> Option<&Arc<Namespace>> {
        self.namespaces.get(name)
    }

    /// Runs `check` against namespace `name` as it would be once created
    /// (empty), without creating it: a write that is going to fail must not
    /// create its namespace.
    fn fresh(&self, name: &str, check: impl FnOnce(&Fresh<'_>) -> Result<()>) -> Result<()> {
        validate_namespace(name)?;
        let config = self.options.namespace_config(name);
        config.validate()?;
        check(&Fresh {
            config: &config,
            segment_size: self.options.segment_size,
            now: citrus_secs(self.options.clock.now()),
        })
    }

    /// The namespace `name`, created on first use.
    fn namespace_for_write(&self, name: &str) -> Result<&Arc<Namespace>> {
        if let Some(ns) = self.namespace(name) {
            return Ok(ns);
        }
        validate_namespace(name)?;
        self.namespaces
            .get_or_add(name, || self.create_namespace(name))
    }

    /// Creates (or opens, after a crash cut a creation short) the directory
    /// of namespace `name`.
    fn create_namespace(&self, name: &str) -> Result<Arc<Namespace>> {
        let config = self.options.namespace_config(name);
        config.validate()?;
        let dir = self.root.join(NAMESPACES_DIR).join(escape(name));
        let io = self.options.io();
        let existed = dir.exists();
        let opened = Namespace::open(&dir, config, &self.options).and_then(|ns| {
            // The new namespace directory must survive a crash.
            io.sync_dir(&self.root.join(NAMESPACES_DIR))?;
            Ok(ns)
        });
        let ns = match opened {
            Ok(ns) => Arc::new(ns),
            Err(e) => {
                // A failed creation leaves nothing behind.
                if !existed && dir.exists() {
                    if let Err(e2) = nsdir::remove_dir(&io, &dir) {
                        log::warn!("could not remove {dir:?} after a failed creation: {e2}");
                    }
                }
                return Err(match e {
                    Error::Io(io) if io.kind() == std::io::ErrorKind::StorageFull => {
                        Error::StopWrites {
                            namespace: name.to_string(),
                            used: 0,
                            capacity: 0,
                        }
                    }
                    other => other,
                });
            }
        };
        if let Some(m) = &self.maintenance {
            ns.set_wake(m.waker());
        }
        Ok(ns)
    }

    /// Writes bins to a record: with the default policy, creates the record or
    /// merges the bins into it; a bin with `Value::Nil` deletes that bin, and
    /// a record left with no bins is deleted.
    ///
    /// # Errors
    /// - [`Error::KeyExists`] / [`Error::KeyNotFound`] per the policy's
    ///   `record_exists_action`; `KeyNotFound` also when nil bins would
    ///   delete a record that does not exist.
    /// - [`Error::GenerationMismatch`] when the generation check fails.
    /// - [`Error::ParameterError`] for no bins, a nil bin with `Replace`, a
    ///   TTL above `max_ttl` or ending after 2146 (past 32-bit void times),
    ///   more than 32767 bins, a value nested more than 64 levels deep.
    /// - [`Error::BinNameTooLong`], [`Error::RecordTooBig`],
    ///   [`Error::KeyMismatch`], [`Error::Timeout`].
    ///
    /// A failed put changes nothing.
    pub fn put<B: Borrow<Bin>>(&self, policy: &WritePolicy, key: &Key, bins: &[B]) -> Result<()> {
        // Validated before the namespace is created: a failed put creates nothing.
        crate::namespace::validate_put(policy, bins)?;
        let ns = match self.namespace(key.namespace()) {
            Some(ns) => ns,
            None => {
                self.fresh(key.namespace(), |f| f.check_put(policy, key, bins))?;
                self.namespace_for_write(key.namespace())?
            }
        };
        ns.put(policy, key, bins)
    }

    /// Reads a record, with the bins `bins` selects (`Bins::None` for the
    /// header only).
    ///
    /// # Errors
    /// [`Error::KeyNotFound`] if the record does not exist or has expired.
    pub fn get(&self, policy: &ReadPolicy, key: &Key, bins: impl Into<Bins>) -> Result<Record> {
        let _ = policy;
        let ns = self.namespace(key.namespace()).ok_or(Error::KeyNotFound)?;
        ns.get(&key.digest().0, &bins.into())
    }

    /// Whether a live (not expired) record exists.
    ///
    /// # Errors
    /// Only on internal failures.
    pub fn exists(&self, policy: &ReadPolicy, key: &Key) -> Result<bool> {
        let _ = policy;
        match self.namespace(key.namespace()) {
            Some(ns) => ns.exists(&key.digest().0),
            None => Ok(false),
        }
    }

    /// Deletes a record; returns whether a live record existed. The delete
    /// is durable: the record does not come back after a restart.
    ///
    /// # Errors
    /// [`Error::GenerationMismatch`] when the policy's generation check fails;
    /// [`Error::Timeout`], I/O errors.
    pub fn delete(&self, policy: &WritePolicy, key: &Key) -> Result<bool> {
        match self.namespace(key.namespace()) {
            Some(ns) => ns.delete(policy, key),
            None => {
                validate_namespace(key.namespace())?;
                Ok(false)
            }
        }
    }

    /// Resets a record's TTL from the policy and adds one to its generation.
    ///
    /// # Errors
    /// [`Error::KeyNotFound`] if the record does not exist or has expired;
    /// [`Error::GenerationMismatch`], [`Error::ParameterError`] for a TTL
    /// above `max_ttl`.
    pub fn touch(&self, policy: &WritePolicy, key: &Key) -> Result<()> {
        let ns = self.namespace(key.namespace()).ok_or(Error::KeyNotFound)?;
        ns.touch(policy, key)
    }

    /// Applies `ops` to one record in order, atomically: reads see the
    /// effect of earlier operations. Returns the values read (the last read
    /// of each bin wins) with the record's generation and expiration after
    /// the call.
    ///
    /// # Errors
    /// [`Error::ParameterError`] for no operations or more than 32768, an
    /// operand nested more than 64 levels deep, or operations that together
    /// build or copy more than 64 × the namespace's `max_record_size`;
    /// [`Error::RecordTooBig`] for a list longer than `max_record_size` items;
    /// [`Error::KeyNotFound`] when only reads target a missing record;
    /// [`Error::BinTypeMismatch`] when an operation meets a bin of another
    /// type; the errors of [`Db::put`] for the write part. A failed operate
    /// changes nothing.
    ///
    /// # Examples
    /// ```
    /// use aerolite::{as_key, operations, Bin, Db, Value, WritePolicy};
    /// # let dir = tempfile::tempdir()?;
    /// let db = Db::open(dir.path())?;
    /// let key = as_key!("test", "counters", "hits");
    /// let rec = db.operate(&WritePolicy::default(), &key, &[
    ///     operations::add(&Bin::new("n", 30)),
    ///     operations::get_bin("n"),
    /// ])?;
    /// assert_eq!(rec.bins["n"], Value::Int(30));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn operate(&self, policy: &WritePolicy, key: &Key, ops: &[Operation]) -> Result<Record> {
        // Validated before the namespace is created: a failed call creates nothing.
        crate::operations::exec::validate(ops)?;
        if !ops.iter().any(Operation::is_write) {
            let ns = self.namespace(key.namespace()).ok_or(Error::KeyNotFound)?;
            return ns.operate(policy, key, ops);
        }
        let ns = match self.namespace(key.namespace()) {
            Some(ns) => ns,
            None => {
                self.fresh(key.namespace(), |f| f.check_operate(policy, key, ops))?;
                self.namespace_for_write(key.namespace())?
            }
        };
        ns.operate(policy, key, ops)
    }

    /// Streams the live records of a namespace, or of one set of it. Each
    /// record present for the whole scan is returned exactly once, with its
    /// user key where it was stored; records written or deleted during the
    /// scan may or may not appear. Memory does not grow with the number of
    /// records, and writers are never blocked for the whole scan.
    ///
    /// # Errors
    /// [`Error::InvalidNamespace`] for an invalid namespace name,
    /// [`Error::ParameterError`] for an invalid set name (as in `Key::new`);
    /// items are errors only for damaged records.
    pub fn scan(
        &self,
        namespace: &str,
        set: Option<&str>,
        bins: impl Into<Bins>,
    ) -> Result<impl Iterator<Item = Result<Record>> + '_> {
        validate_namespace(namespace)?;
        if let Some(set) = set {
            validate_set(set)?;
        }
        Ok(Scan::new(
            self.namespace(namespace).cloned(),
            set,
            bins.into(),
        ))
    }

    /// Removes every record of a set (or of the whole namespace when `set`
    /// is `None`) last updated before `before` (default: everything written
    /// before the call). Returns how many records it removed. The truncation
    /// is durable: truncated records do not come back after a restart;
    /// records written after the call are kept.
    ///
    /// # Errors
    /// [`Error::ParameterError`] when `before` is in the future (by the
    /// database clock) or before 2010-01-01T00:00:00Z (the Aerospike epoch,
    /// as the server refuses it), and for an invalid set name; [`Error::InvalidNamespace`];
    /// I/O errors.
    pub fn truncate(
        &self,
        namespace: &str,
        set: Option<&str>,
        before: Option<SystemTime>,
    ) -> Result<u64> {
        validate_namespace(namespace)?;
        if let Some(set) = set {
            validate_set(set)?;
        }
        if before.is_some_and(|b| b > self.options.clock.now()) {
            return Err(Error::ParameterError(
                "truncate cut-off is in the future; pass None to truncate everything written so far".into(),
            ));
        }
        // Aerospike's server refuses a cut-off that is 0 in its
        // last-update-time units (milliseconds since the epoch): it "would
        // truncate to 0".
        let first_ms = UNIX_EPOCH
            + Duration::from_secs(crate::clock::CITRUS_EPOCH_UNIX_SECS)
            + Duration::from_millis(1);
        if before.is_some_and(|b| b < first_ms) {
            return Err(Error::ParameterError(
                "truncate cut-off is before 2010-01-01T00:00:00Z (the Aerospike epoch) and would truncate to 0".into(),
            ));
        }
        match self.namespace(namespace) {
            Some(ns) => ns.truncate(set, before),
            None => Ok(0),
        }
    }

    /// Makes everything written so far durable.
    ///
    /// # Errors
    /// [`Error::Io`] or [`Error::Poisoned`] if a flush fails.
    pub fn sync(&self) -> Result<()> {
        for ns in self.all_namespaces() {
            ns.sync()?;
        }
        self.streams.sync()
    }

    /// Runs one TTL sweep now over every namespace; returns how many expired
    /// records it removed. (The background sweeper does the same every
    /// `Options::sweep_interval`; reads never return expired records either way.)
    ///
    /// # Errors
    /// None today; reserved for I/O failures.
    pub fn sweep_expired(&self) -> Result<u64> {
        let never = AtomicBool::new(false);
        Ok(self
            .all_namespaces()
            .iter()
            .map(|ns| ns.sweep(&never).expired)
            .sum())
    }

    /// Defragments now: every sealed segment whose live data is below the
    /// low-water mark (50%) has its live entries rewritten and its file
    /// deleted. The background thread does the same on its own.
    ///
    /// # Errors
    /// I/O failures; [`Error::StopWrites`] when the disk is too full to
    /// rewrite the live entries.
    pub fn compact(&self) -> Result<CompactStats> {
        let never = AtomicBool::new(false);
        let mut total = CompactStats::default();
        for ns in self.all_namespaces() {
            total.add(&ns.compact(&never)?);
        }
        Ok(total)
    }

    /// The last work of a clean close: a sync of everything, then hint
    /// files for sealed segments. Hints are optional (a cache of the
    /// segments): failing to write them, on a full disk say, is logged and
    /// never fails the close nor comes before the data is durable.
    fn shutdown(&self) -> Result<()> {
        let synced = self.sync();
        if synced.is_ok() {
            for ns in self.all_namespaces() {
                if let Err(e) = ns.write_missing_hints() {
                    log::warn!("namespace {:?}: hint files not written: {e}", ns.name());
                }
                // A cache like the hints: without it the next open rebuilds.
                match ns.write_snapshot() {
                    Ok(Some(_)) => {}
                    Ok(None) => log::warn!(
                        "namespace {:?}: index snapshot not written: it changed meanwhile",
                        ns.name()
                    ),
                    Err(e) => {
                        log::warn!("namespace {:?}: index snapshot not written: {e}", ns.name())
                    }
                }
            }
            self.streams.write_missing_hints();
        }
        let cutoffs = self.streams.persist_cutoffs();
        synced.and(cutoffs)
    }

    fn all_namespaces(&self) -> Vec<Arc<Namespace>> {
        self.namespaces.iter().cloned().collect()
    }

    /// Statistics of a namespace (all zero for a namespace with no data).
    ///
    /// # Errors
    /// [`Error::InvalidNamespace`] for an invalid name.
    pub fn namespace_stats(&self, namespace: &str) -> Result<NamespaceStats> {
        validate_namespace(namespace)?;
        Ok(self
            .namespace(namespace)
            .map(|ns| ns.stats())
            .unwrap_or_default())
    }

    /// Names of the namespaces that hold data.
    pub fn namespaces(&self) -> Vec<String> {
        let mut v: Vec<String> = self
            .namespaces
            .iter()
            .map(|ns| ns.name().to_string())
            .collect();
        v.sort();
        v
    }
}

impl Drop for Db {
    fn drop(&mut self) {
        if let Some(mut m) = self.maintenance.take() {
            m.stop();
        }
        if self.lock.is_some() {
            if let Err(e) = self.shutdown() {
                log::error!("closing {:?}: final sync failed: {e}", self.root);
            }
        }
    }
}
