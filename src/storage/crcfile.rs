//! Writing a file front to back through a buffer, keeping the CRC32 of what
//! was written: hint files and the index snapshot are written this way, so
//! neither needs its whole content in memory.

use super::io::Io;
use std::fs::File;
use std::path::{Path, PathBuf};

/// A file being written; the caller appends to [`CrcFile::buf`] and calls
/// [`CrcFile::spill`].
pub(crate) struct CrcFile<'a> {
    io: &'a Io,
    path: PathBuf,
    file: File,
    /// Bytes not written yet.
    pub buf: Vec<u8>,
    /// Where the buffer goes in the file.
    at: u64,
    /// CRC of the bytes written so far (from `at` as first given).
    crc: crc32fast::Hasher,
}

impl<'a> CrcFile<'a> {
    /// Creates (or truncates) `path`; writing starts at offset `at` (what
    /// lies before is the caller's to write, e.g. a header known last).
    pub(crate) fn create(
        io: &'a Io,
        path: PathBuf,
        at: u64,
        capacity: usize,
    ) -> std::io::Result<CrcFile<'a>> {
        let file = io.create_truncate(&path)?;
        Ok(CrcFile {
            io,
            path,
            file,
            buf: Vec::with_capacity(capacity),
            at,
            crc: crc32fast::Hasher::new(),
        })
    }

    /// Writes the buffer out (adding it to the CRC) once it holds at least
    /// `limit` bytes; `spill(1)` writes whatever is left.
    pub(crate) fn spill(&mut self, limit: usize) -> std::io::Result<()> {
        if self.buf.len() >= limit.max(1) {
            self.crc.update(&self.buf);
            self.io
                .write_at(&self.file, &self.path, &self.buf, self.at)?;
            self.at += self.buf.len() as u64;
            self.buf.clear();
        }
        Ok(())
    }

    /// The CRC of everything spilled so far.
    pub(crate) fn crc(&self) -> &crc32fast::Hasher {
        &self.crc
    }

    /// The offset after everything spilled so far.
    pub(crate) fn end(&self) -> u64 {
        self.at
    }

    /// Writes `bytes` at `offset` outside the buffer (not in the CRC).
    pub(crate) fn write_at(&self, bytes: &[u8], offset: u64) -> std::io::Result<()> {
        self.io.write_at(&self.file, &self.path, bytes, offset)
    }

    /// fsyncs the file.
    pub(crate) fn sync(&self) -> std::io::Result<()> {
        self.io.sync_file(&self.file, &self.path)
    }

    /// The file's path.
    pub(crate) fn path(&self) -> &Path {
        &self.path
    }

    /// The file-system seam it writes through.
    pub(crate) fn io(&self) -> &'a Io {
        self.io
    }
}
