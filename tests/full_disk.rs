//! Full-disk harness (docs/testing.md): the workload of `tests/power_loss.rs`
//! (puts, deletes, syncs, truncate, sweeps, compaction, clean closes with
//! hint files, a second namespace created on the way) runs with every file
//! operation failing with ENOSPC from the Nth one on, for every N (the disk
//! fills up and stays full). Then space is freed, the directory is opened
//! with plain options and every acknowledged write must be there (there is
//! no power loss, so a `Buffered` write acknowledged is a write kept), and
//! nothing deleted, expired or truncated comes back.
//!
//! A `PowerLossSim` that never cuts the power is installed too, only so that
//! the runs skip the real fsyncs. `AEROLITE_FULL_DISK_STEPS` (default 120)
//! sets the workload length.

#[path = "power/workload.rs"]
mod workload;

use aerolite::{FaultInjector, Options, PowerLossSim};
use std::sync::Arc;
use workload::*;

const ENOSPC: i32 = 28;

/// Runs the workload with ENOSPC from file operation `full_from` on
/// (`None`: never); returns how many file operations it attempted.
fn run_full(steps: &[Step], full_from: Option<u64>) -> Result<u64, String> {
    let dir = tempfile::tempdir().unwrap();
    let faults = FaultInjector::new();
    let sim = PowerLossSim::new(dir.path(), 0).unwrap();
    if let Some(n) = full_from {
        faults.fail(None, n, u64::MAX, ENOSPC);
    }
    let (model, clock) = run(dir.path(), steps, true, |clock| {
        Options::default()
            .segment_size(SEG)
            .background_maintenance(false)
            .clock(clock)
            .fault_injector(Arc::clone(&faults))
            .power_loss_sim(Arc::clone(&sim))
    });
    faults.clear();
    let ops = faults.count_all();
    verify(dir.path(), &model, &clock).map_err(|e| {
        format!(
            "disk full from file operation {full_from:?} ({} calls failed): {e}",
            model.failures
        )
    })?;
    Ok(ops)
}

#[test]
fn every_acknowledged_write_survives_a_disk_filling_up_at_any_point() {
    let n = std::env::var("AEROLITE_FULL_DISK_STEPS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(120);
    let steps = steps(n);
    let started = std::time::Instant::now();
    let total = run_full(&steps, None).unwrap();
    let mut failures = Vec::new();
    for k in 0..=total {
        if let Err(e) = run_full(&steps, Some(k)) {
            failures.push(e);
        }
    }
    eprintln!(
        "full disk: {total} file operations in {:.1?}, {} failures",
        started.elapsed(),
        failures.len()
    );
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
