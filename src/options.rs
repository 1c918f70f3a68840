//! Database and namespace configuration.

use crate::clock::{Clock, SystemClock};
use crate::error::{Error, Result};
use crate::policy::Durability;
use crate::storage::io::Io;
use crate::storage::segment::{MAX_SEGMENT_SIZE, MIN_SEGMENT_SIZE};
#[cfg(feature = "fault-injection")]
use crate::storage::{FaultInjector, PowerLossSim};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

/// Ten years, Aerospike's largest TTL.
pub(crate) const MAX_TTL_SECS: u64 = 315_360_000;
/// The largest `max_record_size` aerolite accepts (Aerospike's 8 MiB).
pub(crate) const MAX_RECORD_SIZE_LIMIT: u32 = 8 * 1024 * 1024;

/// Options for [`Db::open_with`](crate::Db::open_with).
///
/// `Options::default()` is a production configuration: 64 MiB segments,
/// buffered durability, a sweep every second, the system clock.
///
/// # Examples
/// ```
/// use aerolite::{Durability, NamespaceConfig, Options};
/// use std::time::Duration;
/// let options = Options::default()
///     .segment_size(8 << 20)
///     .durability(Durability::Sync)
///     .namespace(NamespaceConfig::new("cache").default_ttl(Some(Duration::from_secs(3600))));
/// # let _ = options;
/// ```
#[derive(Clone)]
pub struct Options {
    pub(crate) segment_size: u64,
    pub(crate) durability: Durability,
    pub(crate) sweep_interval: Duration,
    pub(crate) namespaces: HashMap<String, NamespaceConfig>,
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) verify_on_open: bool,
    pub(crate) background: bool,
    pub(crate) batch_threads: usize,
    pub(crate) stream_shard_limit: u32,
    pub(crate) aws_region: String,
    pub(crate) aws_account_id: String,
    #[cfg(feature = "fault-injection")]
    pub(crate) faults: Option<Arc<FaultInjector>>,
    #[cfg(feature = "fault-injection")]
    pub(crate) sim: Option<Arc<PowerLossSim>>,
}

impl std::fmt::Debug for Options {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Options")
            .field("segment_size", &self.segment_size)
            .field("durability", &self.durability)
            .field("sweep_interval", &self.sweep_interval)
            .field("namespaces", &self.namespaces)
            .field("verify_on_open", &self.verify_on_open)
            .field("background_maintenance", &self.background)
            .field("batch_threads", &self.batch_threads)
            .finish_non_exhaustive()
    }
}

/// Shortest allowed `Options::sweep_interval`.
pub(crate) const MIN_SWEEP_INTERVAL: Duration = Duration::from_millis(1);

impl Default for Options {
    fn default() -> Self {
        Options {
            segment_size: 64 << 20,
            durability: Durability::Buffered,
            sweep_interval: Duration::from_secs(1),
            namespaces: HashMap::new(),
            clock: Arc::new(SystemClock),
            verify_on_open: false,
            background: true,
            batch_threads: 1,
            stream_shard_limit: 500,
            aws_region: "local".into(),
            aws_account_id: "000000000000".into(),
            #[cfg(feature = "fault-injection")]
            faults: None,
            #[cfg(feature = "fault-injection")]
            sim: None,
        }
    }
}

impl Options {
    /// Size of one segment file, 16 KiB to 1 GiB (default 64 MiB). A record
    /// that does not fit in one segment is `RecordTooBig`.
    pub fn segment_size(mut self, bytes: u64) -> Self {
        self.segment_size = bytes;
        self
    }

    /// Durability of writes whose policy says `None` (default `Buffered`).
    pub fn durability(mut self, d: Durability) -> Self {
        self.durability = d;
        self
    }

    /// How often the background TTL sweeper runs (default 1 s, at least
    /// 1 ms: a shorter interval is a `ParameterError` at open).
    pub fn sweep_interval(mut self, every: Duration) -> Self {
        self.sweep_interval = every;
        self
    }

    /// Configures one namespace; others get `NamespaceConfig` defaults.
    pub fn namespace(mut self, ns: NamespaceConfig) -> Self {
        self.namespaces.insert(ns.name.clone(), ns);
        self
    }

    /// The time source for TTLs and last-update times (default: system clock).
    pub fn clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// Walk and CRC-check every segment at open instead of reading the index
    /// snapshot of the last clean close or the hint files of sealed segments
    /// (default `false`: they make restarts fast; damage in a segment that
    /// was not walked is then found when the record is read, as
    /// [`Error::Corruption`]).
    pub fn verify_on_open(mut self, verify: bool) -> Self {
        self.verify_on_open = verify;
        self
    }

    /// Whether a background thread sweeps, evicts, defragments and writes
    /// hint files (default `true`). With `false` nothing happens behind the
    /// caller's back: call [`Db::sweep_expired`](crate::Db::sweep_expired) and
    /// [`Db::compact`](crate::Db::compact) yourself (writes still evict and
    /// defragment when they would otherwise hit stop-writes, and `close`
    /// still writes hint files). Reads never return expired records either way.
    pub fn background_maintenance(mut self, on: bool) -> Self {
        self.background = on;
        self
    }

    /// Threads one large [`Db::batch`](crate::Db::batch) runs on: 1 (the
    /// default) runs every entry on the caller's thread; 2 runs a batch of
    /// 256 entries or more in two halves, split by record, the second half
    /// on a helper thread started for the call (when the machine has a
    /// second core). A value other than 1 or 2 is a `ParameterError` at
    /// open.
    ///
    /// Results are the same either way: each record's entries stay in
    /// order in one half, and a `Sync` batch still shares one flush. Two
    /// halves pay for starting the helper and for cache lines passed
    /// between the cores (the append lock, the log's end, the segment's
    /// fresh lines): on the 2-vCPU machines of `docs/benchmarks.md` they
    /// used about a third more CPU for a batch that was no faster, or
    /// slower. Measure on your machine before choosing 2.
    pub fn batch_threads(mut self, threads: usize) -> Self {
        self.batch_threads = threads;
        self
    }

    /// Most open shards over all streams of the database (default 500, the
    /// Kinesis default shard quota); creating or resharding past it is
    /// `LimitExceeded`.
    pub fn stream_shard_limit(mut self, shards: u32) -> Self {
        self.stream_shard_limit = shards;
        self
    }

    /// The region in stream ARNs (default `local`).
    pub fn aws_region(mut self, region: &str) -> Self {
        self.aws_region = region.to_string();
        self
    }

    /// The 12-digit account id in stream ARNs and messages (default
    /// `000000000000`).
    pub fn aws_account_id(mut self, account: &str) -> Self {
        self.aws_account_id = account.to_string();
        self
    }

    /// What every stream shares from these options.
    pub(crate) fn streams_config(&self) -> crate::streams::StreamsConfig {
        crate::streams::StreamsConfig {
            segment_size: self.segment_size,
            verify_on_open: self.verify_on_open,
            durability: self.durability,
            region: self.aws_region.clone(),
            account: self.aws_account_id.clone(),
            shard_limit: self.stream_shard_limit,
        }
    }

    /// Routes every file operation through `faults`, so tests can make
    /// chosen operations fail. Not part of the stable API (feature
    /// `fault-injection`).
    #[cfg(feature = "fault-injection")]
    #[doc(hidden)]
    pub fn fault_injector(mut self, faults: Arc<FaultInjector>) -> Self {
        self.faults = Some(faults);
        self
    }

    /// Routes every file operation through the simulated disk `sim`, so
    /// tests can cut the power. Not part of the stable API (feature
    /// `fault-injection`).
    #[cfg(feature = "fault-injection")]
    #[doc(hidden)]
    pub fn power_loss_sim(mut self, sim: Arc<PowerLossSim>) -> Self {
        self.sim = Some(sim);
        self
    }

    /// The file-system seam these options ask for.
    pub(crate) fn io(&self) -> Io {
        #[cfg(feature = "fault-injection")]
        return Io::new(self.faults.clone(), self.sim.clone());
        #[cfg(not(feature = "fault-injection"))]
        Io::default()
    }

    pub(crate) fn validate(&self) -> Result<()> {
        if !(MIN_SEGMENT_SIZE..=MAX_SEGMENT_SIZE).contains(&self.segment_size)
            || !self.segment_size.is_multiple_of(8)
        {
            return Err(Error::ParameterError(format!(
                "segment_size {} must be a multiple of 8 between {MIN_SEGMENT_SIZE} and {MAX_SEGMENT_SIZE} bytes",
                self.segment_size
            )));
        }
        if !(1..=2).contains(&self.batch_threads) {
            return Err(Error::ParameterError(format!(
                "batch_threads {} must be 1 (the caller's thread only) or 2 (a helper thread for large batches)",
                self.batch_threads
            )));
        }
        if self.sweep_interval < MIN_SWEEP_INTERVAL {
            return Err(Error::ParameterError(format!(
                "sweep_interval {:?} is below the minimum of {MIN_SWEEP_INTERVAL:?} (a zero interval would keep the maintenance thread spinning)",
                self.sweep_interval
            )));
        }
        for ns in self.namespaces.values() {
            ns.validate()?;
        }
        let region_ok = !self.aws_region.is_empty()
            && self
                .aws_region
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        if !region_ok {
            return Err(Error::ParameterError(format!(
                "aws_region {:?} must be non-empty lower-case letters, digits and '-'",
                self.aws_region
            )));
        }
        if self.aws_account_id.len() != 12
            || !self.aws_account_id.bytes().all(|b| b.is_ascii_digit())
        {
            return Err(Error::ParameterError(format!(
                "aws_account_id {:?} must be 12 digits",
                self.aws_account_id
            )));
        }
        Ok(())
    }

    pub(crate) fn namespace_config(&self, name: &str) -> NamespaceConfig {
        self.namespaces
            .get(name)
            .cloned()
            .unwrap_or_else(|| NamespaceConfig::new(name))
    }
}

/// Configuration of one namespace.
///
/// # Examples
/// ```
/// use aerolite::NamespaceConfig;
/// use std::time::Duration;
/// let ns = NamespaceConfig::new("sessions")
///     .default_ttl(Some(Duration::from_secs(1800)))
///     .max_record_size(128 * 1024);
/// # let _ = ns;
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NamespaceConfig {
    pub(crate) name: String,
    pub(crate) default_ttl: Option<Duration>,
    pub(crate) max_ttl: Duration,
    pub(crate) max_record_size: u32,
    pub(crate) max_disk_bytes: Option<u64>,
}

impl NamespaceConfig {
    /// Defaults for namespace `name`: no default TTL, max TTL 10 years,
    /// 1 MiB records, no disk limit.
    pub fn new(name: &str) -> Self {
        NamespaceConfig {
            name: name.to_string(),
            default_ttl: None,
            max_ttl: Duration::from_secs(MAX_TTL_SECS),
            max_record_size: 1024 * 1024,
            max_disk_bytes: None,
        }
    }

    /// TTL of writes with `Expiration::NamespaceDefault`; `None` = never expire.
    pub fn default_ttl(mut self, ttl: Option<Duration>) -> Self {
        self.default_ttl = ttl;
        self
    }

    /// Largest TTL a write may ask for (default and upper bound: 10 years).
    pub fn max_ttl(mut self, ttl: Duration) -> Self {
        self.max_ttl = ttl;
        self
    }

    /// Largest encoded record, in bytes (default 1 MiB, at most 8 MiB).
    pub fn max_record_size(mut self, bytes: u32) -> Self {
        self.max_record_size = bytes;
        self
    }

    /// Disk capacity of the namespace; drives eviction and stop-writes.
    pub fn max_disk_bytes(mut self, bytes: u64) -> Self {
        self.max_disk_bytes = Some(bytes);
        self
    }

    pub(crate) fn validate(&self) -> Result<()> {
        crate::key::validate_namespace(&self.name)?;
        if self.max_ttl.as_secs() > MAX_TTL_SECS || self.max_ttl.is_zero() {
            return Err(Error::ParameterError(format!(
                "max_ttl of namespace {:?} must be 1 s to 10 years ({MAX_TTL_SECS} s)",
                self.name
            )));
        }
        if let Some(ttl) = self.default_ttl {
            if ttl > self.max_ttl || ttl.as_secs() == 0 {
                return Err(Error::ParameterError(format!(
                    "default_ttl of namespace {:?} must be 1 s up to max_ttl",
                    self.name
                )));
            }
        }
        if self.max_record_size == 0 || self.max_record_size > MAX_RECORD_SIZE_LIMIT {
            return Err(Error::ParameterError(format!(
                "max_record_size of namespace {:?} must be 1 to {MAX_RECORD_SIZE_LIMIT} bytes",
                self.name
            )));
        }
        Ok(())
    }
}
