//! The exclusive lock on a database directory.

use crate::error::{Error, Result};
use std::fs::{File, OpenOptions};
use std::path::Path;

/// Name of the lock file inside the database directory.
pub(crate) const LOCK_FILE: &str = "aerolite.lock";

/// Holds `flock(LOCK_EX)` on the database directory itself and on its lock
/// file until dropped.
///
/// The directory is the lock that matters: a file can be deleted while
/// locked, and a second process would then create a new one and lock that,
/// but the directory cannot be removed while it holds data. The lock file is
/// still created and locked, so that tools which look for it (and earlier
/// versions) see the database as in use.
#[derive(Debug)]
pub(crate) struct DirLock {
    _dir: File,
    _file: File,
}

fn try_lock(file: &File, path: &Path) -> Result<()> {
    match file.try_lock() {
        Ok(()) => Ok(()),
        Err(std::fs::TryLockError::WouldBlock) => Err(Error::Locked {
            path: path.to_path_buf(),
        }),
        Err(std::fs::TryLockError::Error(e)) => Err(Error::Io(e)),
    }
}

impl DirLock {
    /// Takes the lock, failing at once with `Error::Locked` if it is held.
    pub(crate) fn acquire(dir: &Path) -> Result<DirLock> {
        let dir_file = File::open(dir)?;
        try_lock(&dir_file, dir)?;
        let path = dir.join(LOCK_FILE);
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)?;
        try_lock(&file, &path)?;
        Ok(DirLock {
            _dir: dir_file,
            _file: file,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn second_lock_fails_until_first_is_dropped() {
        let dir = tempfile::tempdir().unwrap();
        let first = DirLock::acquire(dir.path()).unwrap();
        assert!(matches!(
            DirLock::acquire(dir.path()),
            Err(Error::Locked { .. })
        ));
        drop(first);
        DirLock::acquire(dir.path()).unwrap();
    }

    #[test]
    fn deleting_the_lock_file_does_not_release_the_lock() {
        let dir = tempfile::tempdir().unwrap();
        let _first = DirLock::acquire(dir.path()).unwrap();
        std::fs::remove_file(dir.path().join(LOCK_FILE)).unwrap();
        assert!(matches!(
            DirLock::acquire(dir.path()),
            Err(Error::Locked { .. })
        ));
    }
}
