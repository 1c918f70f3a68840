//! Measures the heap memory per record of aerolite's in-memory index with the
//! real allocator.
//!
//! Run with `cargo run --release --example index_memory -- [N]` (default
//! N = 1,000,000). A counting global allocator wraps the system allocator and
//! tracks live heap bytes. The example opens a fresh database in a temporary
//! directory, writes N records of one tiny integer bin, and prints:
//!
//! - the growth of live heap bytes over the N writes, per record. This is the
//!   whole process heap: besides the index it includes the segment
//!   bookkeeping, set table and anything else the engine keeps (record data
//!   itself lives in memory-mapped files, not on the heap). With tiny bins it
//!   is dominated by the index;
//! - the engine's own count, `namespace_stats().index_bytes / objects`;
//! - the peak heap during the writes (vector growth briefly holds old and new
//!   shard buffers).

use aerolite::{Bin, Db, Durability, Key, Options, WritePolicy};
use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

/// The system allocator, counting live and peak bytes.
struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

fn grow(by: usize) {
    let now = LIVE.fetch_add(by, Ordering::Relaxed) + by;
    PEAK.fetch_max(now, Ordering::Relaxed);
}

// SAFETY: every method forwards to `System` with the caller's arguments
// unchanged and only updates counters, so `System`'s guarantees carry over.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: the caller upholds `GlobalAlloc::alloc`'s contract.
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            grow(layout.size());
        }
        p
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: the caller upholds `GlobalAlloc::alloc_zeroed`'s contract.
        let p = unsafe { System.alloc_zeroed(layout) };
        if !p.is_null() {
            grow(layout.size());
        }
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: the caller upholds `GlobalAlloc::dealloc`'s contract.
        unsafe { System.dealloc(ptr, layout) };
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: the caller upholds `GlobalAlloc::realloc`'s contract.
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        if !p.is_null() {
            LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
            grow(new_size);
        }
        p
    }
}

#[global_allocator]
static ALLOC: Counting = Counting;

fn live() -> usize {
    LIVE.load(Ordering::Relaxed)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let n: u64 = match std::env::args().nth(1) {
        Some(s) => s.replace(['_', ','], "").parse()?,
        None => 1_000_000,
    };
    let dir = tempfile::tempdir()?;
    let db = Db::open_with(dir.path(), Options::default())?;
    let write = WritePolicy {
        durability: Some(Durability::Buffered),
        ..WritePolicy::default()
    };

    let before = live();
    PEAK.store(before, Ordering::Relaxed);
    let started = Instant::now();
    for i in 0..n {
        let key = Key::new("test", "m", i as i64)?;
        db.put(&write, &key, &[Bin::new("v", i as i64)])?;
    }
    let elapsed = started.elapsed();
    let after = live();
    let peak = PEAK.load(Ordering::Relaxed);
    let stats = db.namespace_stats("test")?;

    let heap = after.saturating_sub(before);
    let per = |bytes: usize| bytes as f64 / n.max(1) as f64;
    println!("records written:           {n} (one integer bin each) in {elapsed:.2?}");
    println!("objects in index:          {}", stats.objects);
    println!("heap before writes:        {before} bytes");
    println!("heap after writes:         {after} bytes");
    println!(
        "heap growth:               {heap} bytes = {:.1} bytes/record (whole heap, not only the index)",
        per(heap)
    );
    println!(
        "peak heap growth:          {} bytes = {:.1} bytes/record",
        peak.saturating_sub(before),
        per(peak.saturating_sub(before))
    );
    println!(
        "index_bytes (engine):      {} bytes = {:.1} bytes/object",
        stats.index_bytes,
        stats.index_bytes as f64 / stats.objects.max(1) as f64
    );
    println!(
        "segments on disk:          {} ({} bytes used, {} live)",
        stats.segments, stats.disk_used_bytes, stats.disk_live_bytes
    );
    assert_eq!(stats.objects, n);
    db.close()?;
    Ok(())
}
