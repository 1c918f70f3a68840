//! The raw fsync limit of the disk, shared by the benches: what one durable
//! write costs with nothing but `write` + `fdatasync`.

use criterion::measurement::WallTime;
use criterion::BenchmarkGroup;
use std::fs::{File, OpenOptions};
use std::io::{Seek, SeekFrom, Write};
use std::path::Path;

/// Appends `len` bytes to a growing file, then `fdatasync` (the file size
/// changes, so the file system journals metadata too).
pub struct RawAppend {
    file: File,
    payload: Vec<u8>,
}

impl RawAppend {
    pub fn new(dir: &Path, len: usize) -> RawAppend {
        let file = OpenOptions::new()
            .create(true)
            .append(true)
            .open(dir.join("append.raw"))
            .expect("create");
        RawAppend {
            file,
            payload: vec![0x5a; len],
        }
    }

    pub fn write(&mut self) {
        self.file.write_all(&self.payload).expect("write");
        self.file.sync_data().expect("fdatasync");
    }
}

/// Registers the two raw baselines in `g`: `raw_append_fdatasync_<label>`
/// (as [`RawAppend`]) and `raw_prealloc_fdatasync_<label>`, which overwrites
/// `len`-byte slots of a preallocated, already synced 64 MiB file, then
/// `fdatasync`s (no size change: the closest raw equivalent of flushing a
/// preallocated, mapped segment).
pub fn baselines(g: &mut BenchmarkGroup<'_, WallTime>, dir: &Path, len: usize, label: &str) {
    let mut append = RawAppend::new(dir, len);
    g.bench_function(format!("raw_append_fdatasync_{label}"), |b| {
        b.iter(|| append.write())
    });

    const PREALLOC: u64 = 64 << 20;
    let mut file = File::create(dir.join("prealloc.raw")).expect("create");
    file.write_all(&vec![0u8; PREALLOC as usize])
        .expect("preallocate");
    file.sync_all().expect("sync");
    let payload = vec![0x5au8; len];
    let mut pos = 0u64;
    g.bench_function(format!("raw_prealloc_fdatasync_{label}"), |b| {
        b.iter(|| {
            if pos + len as u64 > PREALLOC {
                pos = 0;
            }
            file.seek(SeekFrom::Start(pos)).expect("seek");
            file.write_all(&payload).expect("write");
            file.sync_data().expect("fdatasync");
            pos += len as u64;
        })
    });
}
