//! Helpers shared by the integration tests (`mod common;` in each file that
//! uses them). Each test binary uses a different subset.
#![allow(dead_code)]

use aerolite::{Clock, Db, Expiration, ManualClock, NamespaceStats, ReadPolicy, WritePolicy};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, UNIX_EPOCH};

/// The default write policy.
pub fn wp() -> WritePolicy {
    WritePolicy::default()
}

/// The default read policy.
pub fn rp() -> ReadPolicy {
    ReadPolicy::default()
}

/// A write policy with a TTL of `secs` seconds.
pub fn ttl(secs: u32) -> WritePolicy {
    WritePolicy {
        expiration: Expiration::Seconds(secs),
        ..WritePolicy::default()
    }
}

/// A manual clock at `unix_secs` seconds after the Unix epoch.
pub fn clock_at(unix_secs: u64) -> Arc<ManualClock> {
    Arc::new(ManualClock::new(
        UNIX_EPOCH + Duration::from_secs(unix_secs),
    ))
}

/// The clock as `Options::clock` takes it.
pub fn dyn_clock(clock: &Arc<ManualClock>) -> Arc<dyn Clock> {
    clock.clone()
}

/// Statistics of namespace `ns`.
pub fn ns_stats(db: &Db, ns: &str) -> NamespaceStats {
    db.namespace_stats(ns).unwrap()
}

/// The path of segment file `id` of namespace `ns` (a plain name).
pub fn segment_path(dir: &Path, ns: &str, id: u32) -> PathBuf {
    dir.join("namespaces").join(ns).join(format!("{id:08}.seg"))
}

/// A database in `dir` without background maintenance whose file
/// operations go through a fresh fault injector (feature `fault-injection`).
pub fn open_with_faults(dir: &Path) -> (Db, Arc<aerolite::FaultInjector>) {
    open_with_faults_and(dir, aerolite::Options::default())
}

/// [`open_with_faults`] with `options` (background maintenance off and the
/// fault injector are added to them).
pub fn open_with_faults_and(
    dir: &Path,
    options: aerolite::Options,
) -> (Db, Arc<aerolite::FaultInjector>) {
    let faults = aerolite::FaultInjector::new();
    let opts = options
        .background_maintenance(false)
        .fault_injector(Arc::clone(&faults));
    (Db::open_with(dir, opts).unwrap(), faults)
}

/// `EIO`: the error the fault injector returns for a failed flush.
pub const EIO: i32 = 5;

/// Copies directory `from` (recursively) to `to`.
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let target = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), target).unwrap();
        }
    }
}

/// Waits until segment `id` of the segment directory `dir` has its hint
/// file: the last thing the background thread does in the cycle that the
/// segment's sealing started.
pub fn wait_hinted(dir: &Path, id: u32) {
    let path = dir.join(format!("{id:08}.hint"));
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    while !path.exists() {
        assert!(
            std::time::Instant::now() < deadline,
            "no hint for segment {id} in {}",
            dir.display()
        );
        std::thread::sleep(Duration::from_millis(2));
    }
}

/// Waits until every sealed segment in `dir` (all but the highest id) has
/// its hint file. The maintenance thread writes a hint by walking the
/// segment's mapped bytes after checking the file's length; a test that
/// truncates a segment file behind the database's back waits for this
/// first, or the truncation can land inside that walk (a SIGBUS no check
/// can prevent, as for any mmap store).
pub fn wait_for_hints(dir: &Path) {
    let mut ids: Vec<u32> = std::fs::read_dir(dir)
        .unwrap()
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter_map(|n| n.strip_suffix(".seg")?.parse().ok())
        .collect();
    ids.sort_unstable();
    ids.pop();
    assert!(!ids.is_empty(), "the writes sealed no segment");
    for id in ids {
        wait_hinted(dir, id);
    }
}
