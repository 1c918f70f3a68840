//! Namespace directories as a whole: telling an empty one (left by a
//! creation that failed or was cut short) from one holding data, and
//! removing one durably.

use super::io::Io;
use super::recovery;
use super::segment::{self, Segment};
use crate::error::Result;
use std::path::Path;

/// Whether namespace directory `dir` holds no data: no segment file, or only
/// segments created but never written (a crash or a full disk while the
/// namespace was being created).
pub(crate) fn holds_no_data(io: &Io, dir: &Path) -> Result<bool> {
    for item in std::fs::read_dir(dir)? {
        let item = item?;
        let Some(id) = item.file_name().to_str().and_then(segment::parse_file_name) else {
            continue;
        };
        let (mut seg, header) = Segment::open(io, &item.path(), id)?;
        if header.is_some() {
            return Ok(false);
        }
        seg.set_end(seg.len());
        if !recovery::all_zero(seg.published()) {
            return Ok(false);
        }
    }
    Ok(true)
}

/// Removes namespace directory `dir` and every file in it, durably.
pub(crate) fn remove_dir(io: &Io, dir: &Path) -> Result<()> {
    for item in std::fs::read_dir(dir)? {
        let item = item?;
        if item.file_type()?.is_file() {
            io.remove(&item.path())?;
        }
    }
    io.remove_dir(dir)?;
    if let Some(parent) = dir.parent() {
        io.sync_dir(parent)?;
    }
    Ok(())
}
