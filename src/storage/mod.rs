//! The storage layer: segment files, the entry codec, recovery and the
//! per-namespace log with group commit.
//!
//! It stores entries (a digest, a sequence number, a little metadata and
//! opaque bytes) and knows nothing of bins, policies or record semantics;
//! `docs/format.md` describes every byte it writes.

pub(crate) mod crcfile;
pub(crate) mod entry;
pub(crate) mod hint;
pub(crate) mod io;
pub(crate) mod lock;
pub(crate) mod log;
pub(crate) mod meta;
pub(crate) mod nsdir;
pub(crate) mod recovery;
pub(crate) mod segment;
#[cfg(feature = "fault-injection")]
pub(crate) mod sim;

#[cfg(feature = "fault-injection")]
pub use io::{FaultInjector, FileOp};
pub use recovery::RecoveryReport;
#[cfg(feature = "fault-injection")]
pub use sim::PowerLossSim;
