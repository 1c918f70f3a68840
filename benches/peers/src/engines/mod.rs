//! The engines under test, behind one small trait. Each engine runs in its
//! own process (see `main.rs`), so nothing here is shared between them.

use crate::workload::Data;
use std::path::Path;

pub mod aerolite;
pub mod fjall;
pub mod lmdb;
pub mod redb;
pub mod sled;

/// One storage engine, opened on a directory of its own.
///
/// Every write method returns only once its writes are durable (on disk),
/// except that `bulk_load` and `remove` may buffer and make everything
/// durable once at their end.
pub trait Engine: Sized + Sync {
    /// Opens (creating if needed) the database under `dir`.
    fn open(dir: &Path) -> Self;
    /// Writes records `range` of `data`, durable when it returns.
    fn bulk_load(&mut self, data: &Data, range: std::ops::Range<usize>);
    /// Writes one record, durable when it returns.
    fn write_durable(&mut self, key: &[u8], value: &[u8]);
    /// Writes records `range` of `data` as one batch (one transaction where
    /// the engine has them), durable when it returns.
    fn write_batch_durable(&mut self, data: &Data, range: std::ops::Range<usize>);
    /// Reads the records `order` (indices into `data`); returns how many were
    /// found with a value of the right length. Called from several threads at
    /// once in the 2-thread phase.
    fn read(&self, data: &Data, order: &[u32]) -> usize;
    /// Removes the records `order`, durable when it returns.
    fn remove(&mut self, data: &Data, order: &[u32]);
    /// Compacts the database; `false` when the engine has no compaction.
    fn compact(&mut self) -> bool;
    /// Closes the database cleanly.
    fn close(self);
    /// Called after each timed phase, outside its timing: an engine may
    /// report on stderr how the phase's time divided.
    fn phase_done(&self, _phase: &str) {}
}

/// Names accepted by `--engine`, in table order (aerolite first: the others
/// are shown as ratios of its times).
pub const NAMES: [&str; 5] = ["aerolite", "lmdb", "redb", "fjall", "sled"];

/// Human-readable name of an engine, with the version measured.
pub fn label(name: &str) -> &'static str {
    match name {
        "aerolite" => "aerolite",
        "lmdb" => "LMDB (heed 0.22)",
        "redb" => "redb 4",
        "fjall" => "fjall 3",
        "sled" => "sled 0.34",
        _ => "?",
    }
}
