//! How long opening a database takes, with hint files and with a full walk.
//!
//! ```text
//! cargo run --release --example open_time -- [N=5000000]
//! ```
//!
//! Writes N small records (two integer bins, keys 0..N, default 64 MiB
//! segments) into a temporary directory and closes it (which writes the
//! hint files of the sealed segments). Then measures, three times each,
//! interleaved:
//!
//! - `open`: `Db::open_with` with default options (sealed segments are read
//!   from their hint files; the active one is walked);
//! - `verify`: `Db::open_with` with `verify_on_open(true)` (every segment is
//!   walked and every entry CRC-checked);
//! - `read`: reading every segment file once with `std::fs::read`-style
//!   calls into one reused buffer (the floor for anything that looks at
//!   every byte).
//!
//! All runs are warm-cache: the page cache cannot be dropped here, so the
//! files are in memory after the write phase. On a cold cache `read` and
//! `verify` would pay the disk's bandwidth for every byte, `open` only for
//! the hint files.

use aerolite::{as_bin, as_key, Db, Options, WritePolicy};
use std::io::Read;
use std::path::Path;
use std::time::{Duration, Instant};

fn open_once(path: &Path, verify: bool) -> (Duration, aerolite::NamespaceStats) {
    let t = Instant::now();
    let db = Db::open_with(path, Options::default().verify_on_open(verify)).expect("open");
    let took = t.elapsed();
    let stats = db.namespace_stats("test").expect("stats");
    db.close().expect("close");
    (took, stats)
}

fn files_with(dir: &Path, ext: &str) -> Vec<std::path::PathBuf> {
    let mut v: Vec<_> = std::fs::read_dir(dir)
        .expect("read_dir")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == ext))
        .collect();
    v.sort();
    v
}

/// Reads every file once into a reused buffer; returns the time and bytes.
fn read_all(files: &[std::path::PathBuf], buf: &mut Vec<u8>) -> (Duration, u64) {
    let t = Instant::now();
    let mut bytes = 0u64;
    for f in files {
        buf.clear();
        let mut file = std::fs::File::open(f).expect("open segment");
        bytes += file.read_to_end(buf).expect("read segment") as u64;
        // Touch the data so the read cannot be optimised away.
        std::hint::black_box(buf.last());
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
        for i in 0..n as i64 {
            db.put(
                &w,
                &as_key!("test", "s", i),
                &[as_bin!("a", i), as_bin!("b", i ^ 0x5555)],
            )
            .expect("put");
        }
        let s = db.namespace_stats("test").expect("stats");
        println!(
            "wrote {n} records in {:.1} s: {} segments, {:.1} MiB on disk, {:.1} MiB live",
            t.elapsed().as_secs_f64(),
            s.segments,
            s.disk_used_bytes as f64 / 1048576.0,
            s.disk_live_bytes as f64 / 1048576.0
        );
        let t = Instant::now();
        db.close().expect("close");
        println!("close (writes the hint files): {:.0} ms", ms(t.elapsed()));
    }

    let ns_dir = path.join("namespaces").join("test");
    let segs = files_with(&ns_dir, "seg");
    let hints = files_with(&ns_dir, "hint");
    let hint_bytes: u64 = hints
        .iter()
        .map(|h| std::fs::metadata(h).expect("metadata").len())
        .sum();
    println!(
        "{} segment files, {} hint files ({:.1} MiB of hints)",
        segs.len(),
        hints.len(),
        hint_bytes as f64 / 1048576.0
    );

    let mut buf = Vec::new();
    let (mut open, mut verify, mut read) = (Vec::new(), Vec::new(), Vec::new());
    let mut read_bytes = 0;
    let mut hinted = 0;
    for round in 0..3 {
        let (t_open, s_open) = open_once(path, false);
        let (t_verify, s_verify) = open_once(path, true);
        let (t_read, bytes) = read_all(&segs, &mut buf);
        assert_eq!(s_open.objects, n, "open with hints lost records");
        assert_eq!(s_verify.objects, n, "open with verify lost records");
        assert_eq!(s_verify.recovery.hinted_segments, 0);
        hinted = s_open.recovery.hinted_segments;
        read_bytes = bytes;
        println!(
            "round {round}: open {:.0} ms (hinted segments {hinted} of {}), verify {:.0} ms, read {:.0} ms",
            ms(t_open),
            s_open.recovery.segments,
            ms(t_verify),
            ms(t_read)
        );
        open.push(t_open);
        verify.push(t_verify);
        read.push(t_read);
    }
    let (o, v, r) = (median(open), median(verify), median(read));
    println!();
    println!("median of 3 (warm page cache; N = {n}):");
    println!(
        "  open with hints       {:>8.0} ms   ({hinted} hinted segments)",
        ms(o)
    );
    println!("  open verify_on_open   {:>8.0} ms", ms(v));
    println!(
        "  read every segment    {:>8.0} ms   ({:.0} MiB, {:.1} GiB/s)",
        ms(r),
        read_bytes as f64 / 1048576.0,
        read_bytes as f64 / r.as_secs_f64() / (1u64 << 30) as f64
    );
    println!(
        "  verify / hints        {:>8.2}x",
        v.as_secs_f64() / o.as_secs_f64()
    );
    println!(
        "  hints / read-all      {:>8.2}x",
        o.as_secs_f64() / r.as_secs_f64()
    );
    println!(
        "  verify / read-all     {:>8.2}x",
        v.as_secs_f64() / r.as_secs_f64()
    );
}
