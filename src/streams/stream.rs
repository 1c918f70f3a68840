//! One open stream: its log, its metadata and its per-shard indexes;
//! creating and opening (recovery).

use super::checkpoint::Checkpoints;
use super::meta::{self, ShardMeta, StreamMeta};
use super::shard::ShardIndex;
use super::StreamsConfig;
use crate::clock::Clock;
use crate::error::{Error, Result};
use crate::storage::entry::EntryKind;
use crate::storage::io::Io;
use crate::storage::log::{Location, Log};
use crate::storage::meta::WriteFailure;
use crate::storage::RecoveryReport;
use parking_lot::{Mutex, RwLock};
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

/// Log sequence numbers reserved per metadata write: the lease is extended
/// this far ahead, so the metadata file is rewritten once per this many
/// records.
pub(crate) const LEASE_CHUNK: u64 = 1 << 20;

/// Where the shard of a stream entry and its hash key sit in the entry's
/// 20-byte digest field: shard index (u32) then hash key (u128), LE.
pub(crate) fn entry_digest(shard: u32, hash: u128) -> [u8; 20] {
    let mut d = [0u8; 20];
    d[..4].copy_from_slice(&shard.to_le_bytes());
    d[4..].copy_from_slice(&hash.to_le_bytes());
    d
}

/// The shard index stored in a stream entry's digest field.
pub(crate) fn shard_of_digest(d: &[u8; 20]) -> u32 {
    u32::from_le_bytes([d[0], d[1], d[2], d[3]])
}

/// Milliseconds since the Unix epoch.
pub(crate) fn unix_ms(t: SystemTime) -> u64 {
    t.duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

/// What changes together under the stream's state lock.
#[derive(Debug)]
pub(crate) struct State {
    pub meta: StreamMeta,
    /// One index per shard in `meta`, open or closed.
    pub shards: HashMap<u32, Arc<ShardIndex>>,
}

/// What the writers serialise on.
#[derive(Debug)]
pub(crate) struct WriteState {
    /// The newest arrival time handed out: arrival times never go back, so
    /// log order is arrival order (a clock stepping back does not reorder).
    pub last_arrival_ms: u64,
    /// Set by `delete_stream`: no more appends.
    pub deleted: bool,
}

/// An open stream.
pub(crate) struct Stream {
    pub(crate) dir: PathBuf,
    pub(crate) log: Log,
    pub(crate) io: Io,
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) config: Arc<StreamsConfig>,
    pub(crate) state: RwLock<State>,
    /// Held by puts across routing and appending, and by resharding and
    /// lease extensions: per-shard order follows log order.
    pub(crate) write: Mutex<WriteState>,
    /// Newest arrival time (ms) in each segment, for retention.
    pub(crate) segment_arrivals: Mutex<BTreeMap<u32, u64>>,
    pub(crate) checkpoints: Checkpoints,
    pub(crate) recovery: RecoveryReport,
    /// The highest retention cutoff (ms) applied so far: reads never go
    /// below it, so a clock set back does not bring expired records back.
    /// Persisted as `trim_before_ms` at a clean close and before retention
    /// deletes files.
    pub(crate) cutoff_floor: AtomicU64,
}

impl std::fmt::Debug for Stream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Stream")
            .field("dir", &self.dir)
            .finish_non_exhaustive()
    }
}

impl Stream {
    /// Creates the stream in `dir` (which must not exist yet) and opens it.
    pub(crate) fn create(
        dir: &Path,
        meta: StreamMeta,
        config: Arc<StreamsConfig>,
        io: &Io,
        clock: Arc<dyn Clock>,
    ) -> Result<Stream> {
        io.create_dir_all(dir)?;
        if let Some(parent) = dir.parent() {
            io.sync_dir(parent)?;
        }
        write_meta(io, dir, &meta)?;
        Stream::open(dir, config, io, clock)
    }

    /// Opens the stream in `dir`: reads its metadata, walks its log (or the
    /// hints of sealed segments) and rebuilds the shard indexes.
    pub(crate) fn open(
        dir: &Path,
        config: Arc<StreamsConfig>,
        io: &Io,
        clock: Arc<dyn Clock>,
    ) -> Result<Stream> {
        let body = crate::storage::meta::read(dir, meta::FILE, meta::MAGIC)?.ok_or_else(|| {
            Error::Corruption {
                message: format!("stream directory {} has no metadata file", dir.display()),
            }
        })?;
        let meta = StreamMeta::decode(&body)?;
        let mut entries: HashMap<u32, Vec<(u64, u64, Location)>> =
            meta.shards.iter().map(|s| (s.index, Vec::new())).collect();
        let mut arrivals: BTreeMap<u32, u64> = BTreeMap::new();
        let mut foreign = 0u64;
        let mut last_arrival = 0u64;
        let (log, recovery) = Log::open(
            io,
            dir,
            config.segment_size,
            crate::clock::unix_nanos(clock.now()),
            config.verify_on_open,
            |loc, e| {
                let shard = shard_of_digest(&e.meta.digest);
                let pile = match (e.meta.kind, entries.get_mut(&shard)) {
                    (EntryKind::Stream, Some(pile)) => pile,
                    _ => {
                        foreign += 1;
                        return;
                    }
                };
                let arrival = e.meta.last_update;
                pile.push((e.meta.seq, arrival, loc));
                let a = arrivals.entry(loc.seg).or_insert(0);
                *a = (*a).max(arrival);
                last_arrival = last_arrival.max(arrival);
            },
        )?;
        if foreign > 0 {
            log::warn!(
                "stream {}: ignored {foreign} entries that belong to no shard of it",
                dir.display()
            );
        }
        // Numbers below the lease may have been handed out before a crash
        // (and lost with unflushed pages): never hand them out again.
        log.advance_next_seq(meta.seq_lease);
        let shards = entries
            .into_iter()
            .map(|(i, pile)| (i, Arc::new(ShardIndex::from_entries(pile))))
            .collect();
        let checkpoints = Checkpoints::open(dir)?;
        let meta_trim = meta.trim_before_ms;
        Ok(Stream {
            dir: dir.to_path_buf(),
            log,
            io: io.clone(),
            clock,
            config,
            state: RwLock::new(State { meta, shards }),
            write: Mutex::new(WriteState {
                last_arrival_ms: last_arrival,
                deleted: false,
            }),
            segment_arrivals: Mutex::new(arrivals),
            cutoff_floor: AtomicU64::new(meta_trim),
            checkpoints,
            recovery,
        })
    }

    /// The stream's name.
    pub(crate) fn name(&self) -> String {
        self.state.read().meta.name.clone()
    }

    /// Persists the highest retention cutoff applied so far as the
    /// metadata's trim-before time, if it moved: expirations then hold
    /// across a restart even if the clock is set back.
    pub(crate) fn persist_cutoff(&self) -> Result<()> {
        let _w = self.write.lock();
        let floor = self.cutoff_floor.load(Ordering::Acquire);
        let mut meta = {
            let st = self.state.read();
            if floor <= st.meta.trim_before_ms {
                return Ok(());
            }
            st.meta.clone()
        };
        meta.trim_before_ms = floor;
        self.commit_meta(meta)
    }

    /// The tag of this stream's sequence numbers.
    pub(crate) fn seq_tag(&self) -> u32 {
        self.state.read().meta.seq_tag()
    }

    /// The current time by the database clock, in ms.
    pub(crate) fn now_ms(&self) -> u64 {
        unix_ms(self.clock.now())
    }

    /// Replaces the metadata durably, then in memory. The caller holds the
    /// write lock. New shards get empty indexes.
    pub(crate) fn commit_meta(&self, meta: StreamMeta) -> Result<()> {
        // After a failed fsync the stream takes no change at all until it is
        // reopened, as a namespace does.
        self.log.check_poison()?;
        write_meta(&self.io, &self.dir, &meta).inspect_err(|e| {
            if matches!(e, Error::Poisoned { .. }) {
                self.log.poison(e);
            }
        })?;
        let mut st = self.state.write();
        for s in &meta.shards {
            st.shards
                .entry(s.index)
                .or_insert_with(|| Arc::new(ShardIndex::default()));
        }
        st.meta = meta;
        Ok(())
    }

    /// A copy of the shard's metadata, or `ResourceNotFound`.
    pub(crate) fn shard_meta(&self, index: u32, shard_id: &str) -> Result<ShardMeta> {
        let st = self.state.read();
        st.meta
            .shard(index)
            .cloned()
            .ok_or_else(|| self.shard_not_found(shard_id, &st.meta.name))
    }

    /// Kinesis's message for an unknown shard.
    pub(crate) fn shard_not_found(&self, shard_id: &str, stream: &str) -> Error {
        Error::ResourceNotFound(format!(
            "Shard {shard_id} in stream {stream} under account {} does not exist",
            self.config.account
        ))
    }
}

/// Writes `meta` durably. A failure after the rename (the directory fsync)
/// leaves the file's state unknown: reported as `Poisoned`.
fn write_meta(io: &Io, dir: &Path, meta: &StreamMeta) -> Result<()> {
    match crate::storage::meta::write(io, dir, meta::FILE, meta::MAGIC, &meta.encode()) {
        Ok(()) => Ok(()),
        Err(WriteFailure::Clean(e)) => Err(e),
        Err(WriteFailure::InDoubt(e)) => Err(Error::Poisoned {
            message: format!(
                "stream metadata of {} may not be durable: {e}",
                dir.display()
            ),
        }),
    }
}
