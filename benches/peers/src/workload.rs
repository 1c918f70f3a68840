//! redb's benchmark workload: random 24-byte keys and 150-byte random values
//! from a fixed seed, and the timed phases every engine goes through.

use crate::engines::Engine;
use std::path::Path;
use std::time::Instant;

/// Bytes of a key.
pub const KEY_LEN: usize = 24;
/// Bytes of a value.
pub const VALUE_LEN: usize = 150;
/// Durable single writes.
pub const SINGLE_WRITES: usize = 1000;
/// Durable batches, and records per batch.
pub const BATCHES: usize = 100;
pub const BATCH_LEN: usize = 1000;
/// Threads of the parallel read phase.
pub const READ_THREADS: usize = 2;
/// Seed of the keys, values and read order: the same in every process.
const SEED: u64 = 0x5eed_ae01_0011;

/// splitmix64: a fixed-seed generator, cheap and with no dependency.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn fill(&mut self, out: &mut [u8]) {
        for chunk in out.chunks_mut(8) {
            let bytes = self.next_u64().to_le_bytes();
            chunk.copy_from_slice(&bytes[..chunk.len()]);
        }
    }
}

/// The records of a run: `loaded` bulk-loaded ones, then the single writes,
/// then the batches. Keys are kept (24 bytes each); values are derived from
/// their index when needed, so the data set costs no memory of its own.
pub struct Data {
    keys: Vec<[u8; KEY_LEN]>,
    pub loaded: usize,
}

impl Data {
    pub fn new(loaded: usize) -> Data {
        let total = loaded + SINGLE_WRITES + BATCHES * BATCH_LEN;
        let mut rng = Rng::new(SEED);
        let keys = (0..total)
            .map(|_| {
                let mut k = [0u8; KEY_LEN];
                rng.fill(&mut k);
                k
            })
            .collect();
        Data { keys, loaded }
    }

    pub fn total(&self) -> usize {
        self.keys.len()
    }

    pub fn key(&self, i: usize) -> &[u8] {
        &self.keys[i]
    }

    /// The value of record `i` (the same in every process).
    pub fn value(&self, i: usize) -> [u8; VALUE_LEN] {
        let mut v = [0u8; VALUE_LEN];
        Rng::new(SEED ^ (i as u64).wrapping_mul(0x2545_f491_4f6c_dd1d)).fill(&mut v);
        v
    }

    pub fn value_len(&self) -> usize {
        VALUE_LEN
    }

    /// `n` random indices of loaded records.
    pub fn random_order(&self, n: usize) -> Vec<u32> {
        let mut rng = Rng::new(SEED.rotate_left(17));
        (0..n)
            .map(|_| (rng.next_u64() % self.loaded as u64) as u32)
            .collect()
    }
}

/// The value of field `name` (e.g. `"MemTotal:"`) in a `/proc` file's
/// text, in KiB: the form of `/proc/meminfo` and `/proc/self/status`.
pub fn kib_field(text: &str, name: &str) -> Option<u64> {
    text.lines()
        .find_map(|l| l.strip_prefix(name))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
}

/// Anonymous resident memory of this process, in bytes (`RssAnon`).
pub fn anon_bytes() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").expect("read /proc/self/status");
    kib_field(&status, "RssAnon:").expect("RssAnon in /proc/self/status") * 1024
}

/// Bytes of disk the files under `dir` take (like `du`: allocated blocks).
pub fn disk_bytes(dir: &Path) -> u64 {
    use std::os::unix::fs::MetadataExt;
    let mut total = 0;
    for entry in std::fs::read_dir(dir).expect("read directory") {
        let entry = entry.expect("directory entry");
        let meta = entry.metadata().expect("file metadata");
        total += if meta.is_dir() {
            disk_bytes(&entry.path())
        } else {
            meta.blocks() * 512
        };
    }
    total
}

/// One measured result, printed by the child as `RESULT <phase> <value>`.
fn report(phase: &str, value: f64) {
    println!("RESULT {phase} {value}");
}

fn timed<T>(phase: &str, f: impl FnOnce() -> T) -> T {
    let start = Instant::now();
    let out = f();
    let secs = start.elapsed().as_secs_f64();
    report(phase, secs);
    eprintln!("  {phase:<10} {secs:>9.3} s");
    out
}

fn expect_found(engine: &str, phase: &str, found: usize, wanted: usize) {
    assert_eq!(
        found, wanted,
        "{engine}: {phase} found {found} of {wanted} records"
    );
}

/// Runs every phase on engine `E` in `dir`, printing `RESULT` lines.
pub fn run<E: Engine>(name: &str, dir: &Path, data: &Data) {
    let n = data.loaded;
    let order = data.random_order(n);
    let all: Vec<u32> = (0..data.total() as u32).collect();
    let half: Vec<u32> = all.iter().copied().filter(|i| i % 2 == 0).collect();
    let anon_before = anon_bytes();
    let mut db = E::open(dir);

    timed("load", || db.bulk_load(data, 0..n));
    report(
        "mem",
        (anon_bytes().saturating_sub(anon_before)) as f64 / n as f64,
    );
    report("disk_load", disk_bytes(dir) as f64);
    db.phase_done("bulk load");

    // The raw loop just before and just after the single writes, on the
    // same disk: the load's write-back slows both alike (see `raw_next_to`).
    let raw_before = raw_next_to(dir);
    timed("single", || {
        for i in n..n + SINGLE_WRITES {
            db.write_durable(data.key(i), &data.value(i));
        }
    });
    let raw_after = raw_next_to(dir);
    let raw = (raw_before + raw_after) / 2.0;
    report("raw_adjacent", raw);
    eprintln!(
        "  raw loop   {raw:>9.3} s (mean of {raw_before:.3} s before and {raw_after:.3} s after the single writes)"
    );
    let first = n + SINGLE_WRITES;
    timed("batches", || {
        for b in 0..BATCHES {
            let start = first + b * BATCH_LEN;
            db.write_batch_durable(data, start..start + BATCH_LEN);
        }
    });
    db.phase_done("100 durable batches");

    let found = timed("read1", || db.read(data, &order));
    expect_found(name, "read1", found, n);
    let found = timed("read2", || db.read(data, &order));
    expect_found(name, "read2", found, n);

    let found = timed("read2t", || {
        let db = &db;
        std::thread::scope(|s| {
            let handles: Vec<_> = all
                .chunks(all.len().div_ceil(READ_THREADS))
                .map(|part| s.spawn(move || db.read(data, part)))
                .collect();
            handles
                .into_iter()
                .map(|h| h.join().expect("reader thread"))
                .sum::<usize>()
        })
    });
    expect_found(name, "read2t", found, data.total());

    timed("remove", || db.remove(data, &half));
    let start = Instant::now();
    if db.compact() {
        let secs = start.elapsed().as_secs_f64();
        report("compact", secs);
        eprintln!("  compact    {secs:>9.3} s");
    }

    db.close();
    let db = timed("reopen", || E::open(dir));
    let odd: Vec<u32> = all.iter().copied().filter(|i| i % 2 == 1).collect();
    expect_found(name, "reopen", db.read(data, &odd), odd.len());
    expect_found(
        name,
        "reopen (removed)",
        db.read(data, &half[..1000.min(half.len())]),
        0,
    );
    db.close();
    report("disk_end", disk_bytes(dir) as f64);
}

/// The raw limit of durable single writes, on a quiet disk in a process
/// of its own: `SINGLE_WRITES` appends of one record's bytes (key + value)
/// to a file, each followed by `fdatasync`.
pub fn raw_limit(dir: &Path) {
    std::fs::create_dir_all(dir).expect("create raw directory");
    timed("single", || raw_loop(&dir.join("raw.log")));
}

/// The raw loop of [`raw_limit`] in a new file beside the engine's
/// directory (same file system, outside the engine's files), timed and
/// then deleted. Run right before and after an engine's single writes, it
/// measures the disk as the engine found it: still writing back the bulk
/// load, which a raw loop on a quiet disk does not pay.
fn raw_next_to(dir: &Path) -> f64 {
    let path = dir.with_extension("raw");
    let start = Instant::now();
    raw_loop(&path);
    let secs = start.elapsed().as_secs_f64();
    std::fs::remove_file(&path).expect("remove the raw loop's file");
    secs
}

/// `SINGLE_WRITES` appends of one record's bytes to a new file at `path`,
/// each followed by `fdatasync`.
fn raw_loop(path: &Path) {
    use std::io::Write;
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(true)
        .write(true)
        .open(path)
        .expect("open raw log");
    let record = [0x5au8; KEY_LEN + VALUE_LEN];
    for _ in 0..SINGLE_WRITES {
        file.write_all(&record).expect("raw append");
        file.sync_data().expect("fdatasync");
    }
}

#[cfg(test)]
mod tests {
    use super::kib_field;

    #[test]
    fn kib_field_reads_proc_lines() {
        let text = "MemTotal:       24576000 kB\nDirty:              1234 kB\nRssAnon:\t  512 kB\n";
        assert_eq!(kib_field(text, "MemTotal:"), Some(24_576_000));
        assert_eq!(kib_field(text, "Dirty:"), Some(1234));
        assert_eq!(kib_field(text, "RssAnon:"), Some(512));
        assert_eq!(kib_field(text, "Writeback:"), None);
    }
}
