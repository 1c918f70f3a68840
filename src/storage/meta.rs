//! Small metadata files, replaced atomically and checked by CRC.
//!
//! Layout: 8-byte magic, u32 format version, u32 body length, the body, and a
//! CRC of everything before it. A new version is written to `<name>.tmp`,
//! fsynced, renamed over `<name>`, and the directory is fsynced.

use super::io::Io;
use super::segment::FORMAT_VERSION;
use crate::error::{Error, Result};
use std::path::Path;

/// How writing a metadata file failed.
#[derive(Debug)]
pub(crate) enum WriteFailure {
    /// Before the rename: the old file is untouched.
    Clean(Error),
    /// At the directory fsync after the rename: the new file is in place but
    /// may or may not survive a crash.
    InDoubt(Error),
}

/// Writes `body` as metadata file `name` in `dir`, durably and atomically.
pub(crate) fn write(
    io: &Io,
    dir: &Path,
    name: &str,
    magic: &[u8; 8],
    body: &[u8],
) -> std::result::Result<(), WriteFailure> {
    write_clean(io, dir, name, magic, body).map_err(WriteFailure::Clean)?;
    io.sync_dir(dir)
        .map_err(|e| WriteFailure::InDoubt(Error::Io(e)))
}

fn write_clean(io: &Io, dir: &Path, name: &str, magic: &[u8; 8], body: &[u8]) -> Result<()> {
    let len = u32::try_from(body.len())
        .map_err(|_| Error::ParameterError("metadata too large".into()))?;
    let mut bytes = Vec::with_capacity(body.len() + 20);
    bytes.extend_from_slice(magic);
    bytes.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
    bytes.extend_from_slice(&len.to_le_bytes());
    bytes.extend_from_slice(body);
    let crc = crc32fast::hash(&bytes);
    bytes.extend_from_slice(&crc.to_le_bytes());
    let tmp = dir.join(format!("{name}.tmp"));
    {
        let f = io.create_truncate(&tmp)?;
        io.write_at(&f, &tmp, &bytes, 0)?;
        io.sync_file(&f, &tmp)?;
    }
    io.rename(&tmp, &dir.join(name))?;
    Ok(())
}

/// Reads metadata file `name` in `dir`: `Ok(None)` when it does not exist.
///
/// # Errors
/// [`Error::Corruption`] when the file is damaged.
pub(crate) fn read(dir: &Path, name: &str, magic: &[u8; 8]) -> Result<Option<Vec<u8>>> {
    let path = dir.join(name);
    let bytes = match std::fs::read(&path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e.into()),
    };
    let damaged = || Error::Corruption {
        message: format!("metadata file {} is damaged", path.display()),
    };
    if bytes.len() < 20 || &bytes[0..8] != magic {
        return Err(damaged());
    }
    let (data, crc) = bytes.split_at(bytes.len() - 4);
    if crc32fast::hash(data) != u32::from_le_bytes([crc[0], crc[1], crc[2], crc[3]]) {
        return Err(damaged());
    }
    let len = u32::from_le_bytes([data[12], data[13], data[14], data[15]]) as usize;
    if data.len() != 16 + len {
        return Err(damaged());
    }
    Ok(Some(data[16..].to_vec()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_damage() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(read(dir.path(), "m", b"TESTMETA").unwrap(), None);
        write(&Io::default(), dir.path(), "m", b"TESTMETA", b"hello").unwrap();
        assert_eq!(
            read(dir.path(), "m", b"TESTMETA").unwrap().unwrap(),
            b"hello"
        );
        write(&Io::default(), dir.path(), "m", b"TESTMETA", b"again").unwrap();
        assert_eq!(
            read(dir.path(), "m", b"TESTMETA").unwrap().unwrap(),
            b"again"
        );
        let p = dir.path().join("m");
        let mut b = std::fs::read(&p).unwrap();
        b[17] ^= 1;
        std::fs::write(&p, b).unwrap();
        assert!(matches!(
            read(dir.path(), "m", b"TESTMETA"),
            Err(Error::Corruption { .. })
        ));
    }
}
