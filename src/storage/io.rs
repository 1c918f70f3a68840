//! The file-system seam: every file operation of the storage layer goes
//! through [`Io`], so tests can make the Nth one fail with a chosen error
//! through a [`FaultInjector`] (`Options::fault_injector`).

use memmap2::MmapRaw;
use parking_lot::Mutex;
use std::fs::{File, OpenOptions};
use std::os::unix::fs::FileExt;
use std::os::unix::io::AsRawFd;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
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
}

const OPS: usize = 8;

fn slot(op: FileOp) -> usize {
    op as usize
}

#[derive(Debug)]
struct Rule {
    op: Option<FileOp>,
    skip: u64,
    times: u64,
    errno: i32,
}

/// Makes chosen file operations fail, for fault-injection tests.
///
/// Not part of the stable API; hidden from the documentation.
#[derive(Debug, Default)]
pub struct FaultInjector {
    counts: [AtomicU64; OPS],
    rule: Mutex<Option<Rule>>,
}

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
    faults: Option<Arc<FaultInjector>>,
}

impl Io {
    pub(crate) fn new(faults: Option<Arc<FaultInjector>>) -> Io {
        Io { faults }
    }

    fn check(&self, op: FileOp) -> std::io::Result<()> {
        match &self.faults {
            Some(f) => f.check(op),
            None => Ok(()),
        }
    }

    /// Creates a new file for reading and writing; fails if it exists.
    pub(crate) fn create_new(&self, path: &Path) -> std::io::Result<File> {
        self.check(FileOp::Create)?;
        OpenOptions::new()
            .read(true)
            .write(true)
            .create_new(true)
            .open(path)
    }

    /// Allocates the blocks of `[0, len)` so that writes through a map
    /// cannot meet a full disk.
    #[allow(unsafe_code)] // a libc call
    pub(crate) fn allocate(&self, file: &File, len: u64) -> std::io::Result<()> {
        self.check(FileOp::Allocate)?;
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

    /// Maps `file` (shared, read-write).
    pub(crate) fn map(&self, file: &File) -> std::io::Result<MmapRaw> {
        self.check(FileOp::Map)?;
        MmapRaw::map_raw(file)
    }

    /// Writes `buf` at `offset` of `file`.
    pub(crate) fn write_at(&self, file: &File, buf: &[u8], offset: u64) -> std::io::Result<()> {
        self.check(FileOp::Write)?;
        file.write_all_at(buf, offset)
    }

    /// Writes a whole small file.
    pub(crate) fn write_file(&self, path: &Path, bytes: &[u8]) -> std::io::Result<()> {
        self.check(FileOp::Write)?;
        std::fs::write(path, bytes)
    }

    /// `msync(MS_SYNC)` of `[off, off + len)` of a map.
    pub(crate) fn flush(&self, map: &MmapRaw, off: usize, len: usize) -> std::io::Result<()> {
        self.check(FileOp::Flush)?;
        map.flush_range(off, len)
    }

    /// `fsync` of a file.
    pub(crate) fn sync_file(&self, file: &File) -> std::io::Result<()> {
        self.check(FileOp::Sync)?;
        file.sync_all()
    }

    /// `fsync` of a directory, after creating, renaming or removing in it.
    pub(crate) fn sync_dir(&self, dir: &Path) -> std::io::Result<()> {
        self.check(FileOp::Sync)?;
        File::open(dir)?.sync_all()
    }

    pub(crate) fn rename(&self, from: &Path, to: &Path) -> std::io::Result<()> {
        self.check(FileOp::Rename)?;
        std::fs::rename(from, to)
    }

    pub(crate) fn remove(&self, path: &Path) -> std::io::Result<()> {
        self.check(FileOp::Remove)?;
        std::fs::remove_file(path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fails_the_chosen_operations() {
        let f = FaultInjector::new();
        let io = Io::new(Some(Arc::clone(&f)));
        let dir = tempfile::tempdir().unwrap();
        f.fail(Some(FileOp::Sync), 1, 2, libc::EIO);
        io.sync_dir(dir.path()).unwrap();
        assert_eq!(
            io.sync_dir(dir.path()).unwrap_err().raw_os_error(),
            Some(libc::EIO)
        );
        io.write_file(&dir.path().join("x"), b"1").unwrap();
        assert!(io.sync_dir(dir.path()).is_err());
        io.sync_dir(dir.path()).unwrap();
        assert_eq!(f.count(FileOp::Sync), 4);
        assert_eq!(f.count(FileOp::Write), 1);
        assert_eq!(f.pending(), 0);
    }
}
