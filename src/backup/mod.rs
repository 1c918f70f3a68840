//! The `asbackup` text format, both ways: [`Db::backup`](crate::Db::backup)
//! writes Version 3.1 files that Aerospike's `asrestore` reads, and
//! [`Db::restore`](crate::Db::restore) reads 3.0 and 3.1 files written by
//! `asbackup` (see `docs/backup.md`).
//!
//! - `writer.rs`: the header and record lines, escaping, `%.17g` doubles;
//! - `reader.rs`: a streaming parser with line numbers in its errors;
//! - `msgpack.rs`: Aerospike's msgpack particles for list and map bins.

pub(crate) mod msgpack;
pub(crate) mod reader;
pub(crate) mod writer;

/// What [`Db::backup`](crate::Db::backup) wrote.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct BackupStats {
    /// Records written.
    pub records: u64,
    /// Bytes written.
    pub bytes: u64,
}

/// What a restore does with a record that already exists.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum RestoreExisting {
    /// Merge the file's bins into it (asrestore's default).
    #[default]
    Update,
    /// Replace it: bins not in the file are dropped (`asrestore --replace`).
    Replace,
    /// Leave it alone (`asrestore --unique`).
    Unique,
}

/// How [`Db::restore`](crate::Db::restore) writes; the default is
/// asrestore's.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RestoreOptions {
    /// What to do with records that exist (default `Update`).
    pub existing: RestoreExisting,
    /// Write only if the record is missing or its generation is lower than
    /// the file's (default `true`; `false` is `asrestore --no-generation`).
    pub check_generation: bool,
    /// Restore into this namespace instead of the file's.
    pub namespace: Option<String>,
}

impl Default for RestoreOptions {
    fn default() -> Self {
        RestoreOptions {
            existing: RestoreExisting::Update,
            check_generation: true,
            namespace: None,
        }
    }
}

/// What [`Db::restore`](crate::Db::restore) did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RestoreStats {
    /// Records read from the file, whatever became of them.
    pub records: u64,
    /// Records written.
    pub written: u64,
    /// Skipped: their void time had passed.
    pub expired: u64,
    /// Skipped under `RestoreExisting::Unique`: they existed.
    pub existed: u64,
    /// Skipped: the stored generation was not lower than the file's.
    pub fresher: u64,
    /// Secondary index definitions read (aerolite has no secondary indexes).
    pub secondary_indexes: u64,
    /// UDF files read (aerolite runs no UDFs).
    pub udfs: u64,
}
