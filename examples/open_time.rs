//! How long opening a database takes after a clean close: from the index
//! snapshot, by rebuilding the index from the hint files, and by walking
//! every segment; against reading the data files once.
//!
//! ```text
//! cargo run --release --example open_time -- [N=5000000]
//! ```
//!
//! Writes N records of redb's benchmark shape (random 24-byte keys, one bin
//! holding a random 150-byte value, namespace "bench", set "", default
//! 64 MiB segments) into a temporary directory (`TMPDIR` to choose the
//! disk) and closes it (which writes the hint files and the index snapshot).
//! Then measures, three times each, interleaved:
//!
//! - `snapshot`: `Db::open_with` with default options after a clean close
//!   (the index is read back from `index.snap`);
//! - `rebuild`: the same after deleting `index.snap` (sealed segments are
//!   read from their hint files, the active one is walked, the index is
//!   sorted together shard by shard);
//! - `verify`: `verify_on_open(true)` (every segment walked and CRC-checked);
//! - `read`: reading every segment file once with `read` calls into one
//!   reused buffer (what `cat dir/*.seg > /dev/null` does).
//!
//! Each open is followed by a clean close (not timed; it writes the next
//! snapshot). All runs are warm-cache: the page cache cannot be dropped
//! here, so the files are in memory after the write phase. On a cold cache
//! `read` and `verify` pay the disk's bandwidth for every byte, `rebuild`
//! for the hint files, `snapshot` for the snapshot (36 bytes a record).

use aerolite::{Bin, Db, Key, NamespaceStats, Options, Value, WritePolicy};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

const NS: &str = "bench";

/// A small xorshift generator: the same keys and values on every run.
struct Rng(u64);

impl Rng {
    fn fill(&mut self, out: &mut [u8]) {
        for chunk in out.chunks_mut(8) {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            chunk.copy_from_slice(&self.0.to_le_bytes()[..chunk.len()]);
        }
    }
}

fn open_once(path: &Path, verify: bool) -> (Duration, Duration, NamespaceStats) {
    let t = Instant::now();
    let db = Db::open_with(path, Options::default().verify_on_open(verify)).expect("open");
    let took = t.elapsed();
    let stats = db.namespace_stats(NS).expect("stats");
    let t = Instant::now();
    db.close().expect("close");
    (took, t.elapsed(), stats)
}

fn files_with(dir: &Path, ext: &str) -> Vec<PathBuf> {
    let mut v: Vec<_> = std::fs::read_dir(dir)
        .expect("read_dir")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == ext))
        .collect();
    v.sort();
    v
}

/// Reads every file once into a reused buffer; returns the time and bytes.
fn read_all(files: &[PathBuf], buf: &mut [u8]) -> (Duration, u64) {
    let t = Instant::now();
    let mut bytes = 0u64;
    for f in files {
        let mut file = std::fs::File::open(f).expect("open segment");
        loop {
            let n = file.read(buf).expect("read segment");
            if n == 0 {
                break;
            }
            bytes += n as u64;
            std::hint::black_box(&buf[..n]);
        }
    }
    (t.elapsed(), bytes)
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn main() {
    let n: u64 = std::env::args()
        .nth(1)
        .map(|s| s.replace('_', "").parse().expect("N must be a number"))
        .unwrap_or(5_000_000);
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path();

    let t = Instant::now();
    {
        let db = Db::open_with(path, Options::default()).expect("open");
        let w = WritePolicy::default();
        let mut rng = Rng(0x2545_F491_4F6C_DD1D);
        let (mut k, mut v) = ([0u8; 24], [0u8; 150]);
        for _ in 0..n {
            rng.fill(&mut k);
            rng.fill(&mut v);
            let key = Key::new(NS, "", Value::Blob(k.to_vec())).expect("key");
            db.put(&w, &key, &[Bin::new("v", Value::Blob(v.to_vec()))])
                .expect("put");
        }
        let s = db.namespace_stats(NS).expect("stats");
        println!(
            "wrote {n} records in {:.1} s: {} segments, {:.1} MiB on disk, {:.1} MiB live",
            t.elapsed().as_secs_f64(),
            s.segments,
            s.disk_used_bytes as f64 / 1048576.0,
            s.disk_live_bytes as f64 / 1048576.0
        );
        let t = Instant::now();
        db.close().expect("close");
        println!(
            "close (writes the hint files and the index snapshot): {:.0} ms",
            ms(t.elapsed())
        );
    }

    let ns_dir = path.join("namespaces").join(NS);
    let snap = ns_dir.join("index.snap");
    let segs = files_with(&ns_dir, "seg");
    let hint_bytes: u64 = files_with(&ns_dir, "hint")
        .iter()
        .map(|h| std::fs::metadata(h).expect("metadata").len())
        .sum();
    println!(
        "{} segment files, {:.1} MiB of hint files, index snapshot {:.1} MiB",
        segs.len(),
        hint_bytes as f64 / 1048576.0,
        std::fs::metadata(&snap).expect("snapshot").len() as f64 / 1048576.0
    );

    let mut buf = vec![0u8; 1 << 20];
    let (mut snapshot, mut rebuild, mut verify, mut read, mut close) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let mut read_bytes = 0;
    for round in 0..3 {
        let (t_snap, t_close, s_snap) = open_once(path, false);
        assert!(
            s_snap.recovery.index_from_snapshot,
            "the snapshot was not used"
        );
        std::fs::remove_file(&snap).expect("remove the snapshot");
        let (t_rebuild, _, s_rebuild) = open_once(path, false);
        assert!(!s_rebuild.recovery.index_from_snapshot);
        let (t_verify, _, s_verify) = open_once(path, true);
        let (t_read, bytes) = read_all(&segs, &mut buf);
        for s in [&s_snap, &s_rebuild, &s_verify] {
            assert_eq!(s.objects, n, "records lost");
        }
        read_bytes = bytes;
        println!(
            "round {round}: snapshot {:.0} ms, rebuild {:.0} ms ({} hinted segments), verify {:.0} ms, read {:.0} ms; close {:.0} ms",
            ms(t_snap),
            ms(t_rebuild),
            s_rebuild.recovery.hinted_segments,
            ms(t_verify),
            ms(t_read),
            ms(t_close)
        );
        snapshot.push(t_snap);
        rebuild.push(t_rebuild);
        verify.push(t_verify);
        read.push(t_read);
        close.push(t_close);
    }
    let (s, b, v, r) = (
        median(snapshot),
        median(rebuild),
        median(verify),
        median(read),
    );
    println!();
    println!("median of 3 (warm page cache; N = {n}):");
    println!("  open from the snapshot  {:>8.0} ms", ms(s));
    println!("  open rebuilding (hints) {:>8.0} ms", ms(b));
    println!("  open verify_on_open     {:>8.0} ms", ms(v));
    println!(
        "  read every segment      {:>8.0} ms   ({:.0} MiB, {:.1} GiB/s)",
        ms(r),
        read_bytes as f64 / 1048576.0,
        read_bytes as f64 / r.as_secs_f64() / (1u64 << 30) as f64
    );
    println!("  close (with snapshot)   {:>8.0} ms", ms(median(close)));
    let ratio = |a: Duration| a.as_secs_f64() / r.as_secs_f64();
    println!("  snapshot / read-all     {:>8.2}x", ratio(s));
    println!("  rebuild / read-all      {:>8.2}x", ratio(b));
    println!("  verify / read-all       {:>8.2}x", ratio(v));
}
