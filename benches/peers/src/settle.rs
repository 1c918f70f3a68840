//! Letting the machine settle before each engine's process starts.
//!
//! Every engine writes several hundred MiB. The kernel writes dirty pages
//! back for seconds after a process ends (and after its directory is
//! deleted), so without a pause the next engine pays for the previous
//! one's write-back: in runs 17 and 18 of `docs/benchmarks.md`, run 18
//! started while run 17's gigabyte was still being written and aerolite,
//! which runs first, lost 1.8 s of its bulk load. Before each process the
//! parent therefore asks for a `sync`, waits until the page cache holds
//! little dirty or in-flight data, then pauses a moment more.

use crate::workload::kib_field;
use std::time::{Duration, Instant};

/// Dirty plus write-back memory (KiB) below which the machine counts as
/// settled.
const QUIET_KIB: u64 = 16 << 10;

/// Longest wait for the page cache to drain (a busy shared machine may
/// never get there; the run goes on and says so).
const MAX_WAIT: Duration = Duration::from_secs(60);

/// Pause after the page cache drained, for the disk's own queue.
const PAUSE: Duration = Duration::from_secs(2);

/// `Dirty` + `Writeback` of `/proc/meminfo`, in KiB (`None` where the file
/// is missing or unreadable, as on systems other than Linux).
fn unwritten_kib() -> Option<u64> {
    let info = std::fs::read_to_string("/proc/meminfo").ok()?;
    Some(kib_field(&info, "Dirty:")? + kib_field(&info, "Writeback:")?)
}

/// Flushes the page cache and waits until it is quiet (see the module
/// docs); prints how long that took when it was more than the pause.
pub fn settle() {
    let start = Instant::now();
    // `sync` is in every POSIX system's base; if it is missing, the wait
    // below still lets the kernel's own write-back finish.
    let _ = std::process::Command::new("sync").status();
    let mut last = unwritten_kib();
    while let Some(kib) = last {
        if kib < QUIET_KIB || start.elapsed() > MAX_WAIT {
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
        last = unwritten_kib();
    }
    std::thread::sleep(PAUSE);
    let waited = start.elapsed();
    match last {
        Some(kib) if kib >= QUIET_KIB => eprintln!(
            "  (still {} MiB dirty or in write-back after {:.1} s; going on)",
            kib >> 10,
            waited.as_secs_f64()
        ),
        _ if waited > PAUSE + Duration::from_secs(1) => {
            eprintln!("  (waited {:.1} s for write-back)", waited.as_secs_f64())
        }
        _ => {}
    }
}
