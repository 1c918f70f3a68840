//! The file-system seam: every file operation of the storage layer goes
//! through [`Io`] and names the file it acts on. With the `fault-injection`
//! feature, tests can make the Nth one fail with a chosen error through a
//! [`FaultInjector`] (`Options::fault_injector`) and simulate a power loss
//! through a [`PowerLossSim`](super::sim::PowerLossSim)
//! (`Options::power_loss_sim`). Without the feature the hooks compile to
//! nothing: the production build keeps the plain system calls.

#[cfg(feature = "fault-injection")]
use super::sim::{Event, PowerLossSim};
use memmap2::MmapRaw;
#[cfg(feature = "fault-injection")]
use parking_lot::Mutex;
use std::fs::{File, OpenOptions};
use std::os::unix::fs::FileExt;
use std::os::unix::io::AsRawFd;
use std::path::Path;
#[cfg(feature = "fault-injection")]
use std::sync::atomic::{AtomicU64, Ordering};
#[cfg(feature = "fault-injection")]
use std::sync::Arc;

/// The kinds of file operation the storage layer performs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FileOp {
    /// Creating a file.
    Create,
    /// Allocating a segment's blocks (`posix_fallocate`).
    Allocate,
    /// Mapping a file into memory.
    Map,
    /// Writing bytes with `write` (headers, hint and metadata files).
    Write,
    /// Flushing mapped bytes to disk (`msync`).
    Flush,
    /// `fsync` of a file or directory.
    Sync,
    /// Renaming a file.
    Rename,
    /// Removing a file.
    Remove,
    /// Creating a directory.
    CreateDir,
}

#[cfg(feature = "fault-injection")]
impl FileOp {
    /// Every kind, for tests that fail each in turn.
    pub const ALL: [FileOp; 9] = [
        FileOp::Create,
        FileOp::Allocate,
        FileOp::Map,
        FileOp::Write,
        FileOp::Flush,
        FileOp::Sync,
        FileOp::Rename,
        FileOp::Remove,
        FileOp::CreateDir,
    ];
}

#[cfg(feature = "fault-injection")]
const OPS: usize = 9;

#[cfg(feature = "fault-injection")]
fn slot(op: FileOp) -> usize {
    op as usize
}

#[cfg(feature = "fault-injection")]
#[derive(Debug)]
struct Rule {
    op: Option<FileOp>,
    skip: u64,
    times: u64,
    errno: i32,
}

/// Makes chosen file operations fail, for fault-injection tests.
///
/// Not part of the stable API (feature `fault-injection`).
#[cfg(feature = "fault-injection")]
#[derive(Debug, Default)]
pub struct FaultInjector {
    counts: [AtomicU64; OPS],
    rule: Mutex<Option<Rule>>,
}

#[cfg(feature = "fault-injection")]
impl FaultInjector {
    /// An injector that fails nothing yet.
    pub fn new() -> Arc<FaultInjector> {
        Arc::new(FaultInjector::default())
    }

    /// After `skip` more matching operations succeed, the next `times`
    /// matching operations fail with OS error `errno` (`op: None` matches
    /// every operation). Replaces any earlier rule.
    pub fn fail(&self, op: Option<FileOp>, skip: u64, times: u64, errno: i32) {
        *self.rule.lock() = Some(Rule {
            op,
            skip,
            times,
            errno,
        });
    }

    /// Stops injecting failures.
    pub fn clear(&self) {
        *self.rule.lock() = None;
    }

    /// How many operations of kind `op` were attempted so far.
    pub fn count(&self, op: FileOp) -> u64 {
        self.counts[slot(op)].load(Ordering::Relaxed)
    }

    /// How many operations of any kind were attempted so far.
    pub fn count_all(&self) -> u64 {
        FileOp::ALL.iter().map(|&op| self.count(op)).sum()
    }

    /// How many failures the current rule still has to inject.
    pub fn pending(&self) -> u64 {
        self.rule.lock().as_ref().map_or(0, |r| r.times)
    }

    fn check(&self, op: FileOp) -> std::io::Result<()> {
        self.counts[slot(op)].fetch_add(1, Ordering::Relaxed);
        let mut rule = self.rule.lock();
        let Some(r) = rule.as_mut() else {
            return Ok(());
        };
        if r.op.is_some_and(|o| o != op) || r.times == 0 {
            return Ok(());
        }
        if r.skip > 0 {
            r.skip -= 1;
            return Ok(());
        }
        r.times -= 1;
        Err(std::io::Error::from_raw_os_error(r.errno))
    }
}

/// The storage layer's access to the file system.
#[derive(Clone, Debug, Default)]
pub(crate) struct Io {
    #[cfg(feature = "fault-injection")]
    faults: Option<Arc<FaultInjector>>,
    #[cfg(feature = "fault-injection")]
    sim: Option<Arc<PowerLossSim>>,
}

impl Io {
    /// An `Io` with the test hooks `faults` and `sim`.
    #[cfg(feature = "fault-injection")]
    pub(crate) fn new(faults: Option<Arc<FaultInjector>>, sim: Option<Arc<PowerLossSim>>) -> Io {
        Io { faults, sim }
    }

    /// Before operation `op` on `path`: an injected fault, or a simulated
    /// power loss, fails it.
    #[inline(always)]
    fn before(&self, op: FileOp, path: &Path) -> std::io::Result<()> {
        #[cfg(feature = "fault-injection")]
        {
            if let Some(f) = &self.faults {
                f.check(op)?;
            }
            if let Some(s) = &self.sim {
                s.gate(op, path)?;
            }
        }
        #[cfg(not(feature = "fault-injection"))]
        let _ = (op, path);
        Ok(())
    }

    /// Whether a simulated disk decides what is durable: the real flushes
    /// and fsyncs are then skipped (the page cache is coherent with reads).
    #[inline(always)]
    fn simulated(&self) -> bool {
        #[cfg(feature = "fault-injection")]
        return self.sim.is_some();
        #[cfg(not(feature = "fault-injection"))]
        false
    }

    /// After a successful operation: tells the simulator what it did.
    #[cfg(feature = "fault-injection")]
    #[inline(always)]
    fn after(&self, ev: Event<'_>) {
        if let Some(s) = &self.sim {
            s.record(ev);
        }
    }

    /// Creates a new file for reading and writing; fails if it exists.
    pub(crate) fn create_new(&self, path: &Path) -> std::io::Result<File> {
        self.before(FileOp::Create, path)?;
        let f = OpenOptions::new()
            .read(true)
            .write(true)
            .create_new(true)
            .open(path)?;
        #[cfg(feature = "fault-injection")]
        self.after(Event::Created(path));
        Ok(f)
    }

    /// Creates `path` for writing, or empties it if it exists.
    pub(crate) fn create_truncate(&self, path: &Path) -> std::io::Result<File> {
        self.before(FileOp::Create, path)?;
        let f = OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .open(path)?;
        #[cfg(feature = "fault-injection")]
        self.after(Event::Created(path));
        Ok(f)
    }

    /// Allocates the blocks of `[0, len)` of `file` (at `path`) so that
    /// writes through a map cannot meet a full disk.
    #[allow(unsafe_code)] // a libc call
    pub(crate) fn allocate(&self, file: &File, path: &Path, len: u64) -> std::io::Result<()> {
        self.before(FileOp::Allocate, path)?;
        let len = libc::off_t::try_from(len)
            .map_err(|_| std::io::Error::new(std::io::ErrorKind::InvalidInput, "file too large"))?;
        // SAFETY: posix_fallocate only reads its integer arguments; the
        // descriptor is owned by `file`, which outlives the call.
        let rc = unsafe { libc::posix_fallocate(file.as_raw_fd(), 0, len) };
        if rc == 0 {
            Ok(())
        } else {
            Err(std::io::Error::from_raw_os_error(rc))
        }
    }

    /// Maps `file` (at `path`; shared, read-write).
    pub(crate) fn map(&self, file: &File, path: &Path) -> std::io::Result<MmapRaw> {
        self.before(FileOp::Map, path)?;
        MmapRaw::map_raw(file)
    }

    /// Writes `buf` at `offset` of `file` (at `path`).
    pub(crate) fn write_at(
        &self,
        file: &File,
        path: &Path,
        buf: &[u8],
        offset: u64,
    ) -> std::io::Result<()> {
        self.before(FileOp::Write, path)?;
        file.write_all_at(buf, offset)
    }

    /// `msync(MS_SYNC)` of `[off, off + len)` of the map of the file at `path`.
    pub(crate) fn flush(
        &self,
        map: &MmapRaw,
        path: &Path,
        off: usize,
        len: usize,
    ) -> std::io::Result<()> {
        self.before(FileOp::Flush, path)?;
        if !self.simulated() {
            map.flush_range(off, len)?;
        }
        #[cfg(feature = "fault-injection")]
        self.after(Event::Flushed(path, off as u64, len as u64));
        Ok(())
    }

    /// `fsync` of `file` (at `path`).
    pub(crate) fn sync_file(&self, file: &File, path: &Path) -> std::io::Result<()> {
        self.before(FileOp::Sync, path)?;
        if !self.simulated() {
            file.sync_all()?;
        }
        #[cfg(feature = "fault-injection")]
        self.after(Event::Synced(path));
        Ok(())
    }

    /// `fsync` of a directory, after creating, renaming or removing in it.
    pub(crate) fn sync_dir(&self, dir: &Path) -> std::io::Result<()> {
        self.before(FileOp::Sync, dir)?;
        let d = File::open(dir)?;
        if !self.simulated() {
            d.sync_all()?;
        }
        #[cfg(feature = "fault-injection")]
        self.after(Event::DirSynced(dir));
        Ok(())
    }

    pub(crate) fn rename(&self, from: &Path, to: &Path) -> std::io::Result<()> {
        self.before(FileOp::Rename, from)?;
        std::fs::rename(from, to)?;
        #[cfg(feature = "fault-injection")]
        self.after(Event::Renamed(from, to));
        Ok(())
    }

    pub(crate) fn remove(&self, path: &Path) -> std::io::Result<()> {
        self.before(FileOp::Remove, path)?;
        std::fs::remove_file(path)?;
        #[cfg(feature = "fault-injection")]
        self.after(Event::Removed(path));
        Ok(())
    }

    /// Removes an empty directory.
    pub(crate) fn remove_dir(&self, path: &Path) -> std::io::Result<()> {
        self.before(FileOp::Remove, path)?;
        std::fs::remove_dir(path)?;
        #[cfg(feature = "fault-injection")]
        self.after(Event::Removed(path));
        Ok(())
    }

    /// Creates `dir` and its missing ancestors, durably: the parent of each
    /// directory created is fsynced, so the new directory survives a crash.
    /// Returns whether `dir` was created.
    pub(crate) fn create_dir_all(&self, dir: &Path) -> std::io::Result<bool> {
        if dir.is_dir() {
            return Ok(false);
        }
        let mut missing = vec![dir];
        while let Some(parent) = missing[missing.len() - 1].parent() {
            if parent.as_os_str().is_empty() || parent.is_dir() {
                break;
            }
            missing.push(parent);
        }
        for d in missing.into_iter().rev() {
            self.before(FileOp::CreateDir, d)?;
            match std::fs::create_dir(d) {
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists && d.is_dir() => continue,
                other => other?,
            }
            #[cfg(feature = "fault-injection")]
            self.after(Event::DirCreated(d));
            if let Some(parent) = d.parent().filter(|p| !p.as_os_str().is_empty()) {
                self.sync_dir(parent)?;
            }
        }
        Ok(true)
    }
}

#[cfg(all(test, feature = "fault-injection"))]
mod tests {
    use super::*;

    #[test]
    fn fails_the_chosen_operations() {
        let f = FaultInjector::new();
        let io = Io::new(Some(Arc::clone(&f)), None);
        let dir = tempfile::tempdir().unwrap();
        f.fail(Some(FileOp::Sync), 1, 2, libc::EIO);
        io.sync_dir(dir.path()).unwrap();
        assert_eq!(
            io.sync_dir(dir.path()).unwrap_err().raw_os_error(),
            Some(libc::EIO)
        );
        let p = dir.path().join("x");
        let file = io.create_new(&p).unwrap();
        io.write_at(&file, &p, b"1", 0).unwrap();
        assert!(io.sync_dir(dir.path()).is_err());
        io.sync_dir(dir.path()).unwrap();
        assert_eq!(f.count(FileOp::Sync), 4);
        assert_eq!(f.count(FileOp::Write), 1);
        assert_eq!(f.pending(), 0);
    }
}
