//! Record-level benchmarks of aerolite.
//!
//! Run with `cargo bench --bench records` (all groups, about 3–4 minutes on
//! 2 cores) or `cargo bench --bench records -- <filter>`, e.g. `-- put_sync`.
//! See `docs/benchmarks.md` for the numbers and how to read them.
//!
//! Every group works on a fresh temporary directory (under `$TMPDIR`) holding
//! `RECORDS` records of two ~100-byte bins. Keys are built (and their
//! RIPEMD-160 digests computed) before the measurement, so the numbers are the
//! engine's cost, not the hash's. Random keys come from a fixed-seed
//! xorshift generator, so runs are repeatable.

use aerolite::{
    operations, BatchOperation, BatchPolicy, BatchWritePolicy, Bin, Bins, Db, Durability, Key,
    Options, ReadPolicy, WritePolicy,
};
use criterion::{
    criterion_group, criterion_main, BatchSize, BenchmarkId, Criterion, SamplingMode, Throughput,
};
use std::hint::black_box;
use std::time::{Duration, Instant};
use tempfile::TempDir;

#[path = "common/raw_fsync.rs"]
mod raw_fsync;

/// Records written before each group.
const RECORDS: usize = 100_000;
/// Bytes of each of the two bins.
const BIN_BYTES: usize = 100;
/// Bytes of one raw append in the fsync baselines (about one aerolite record
/// of two 100-byte bins with its header).
const RAW_APPEND: usize = 200;
/// Writer threads of the group-commit variant.
const SYNC_THREADS: usize = 4;

/// A fixed-seed xorshift64* generator: cheap, deterministic, no dependency.
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Rng {
        Rng(seed | 1)
    }

    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

fn key(i: usize) -> Key {
    Key::new("test", "bench", i as i64).expect("valid key")
}

fn bins(seed: u8) -> [Bin; 2] {
    [
        Bin::new("a", vec![seed; BIN_BYTES]),
        Bin::new("b", vec![seed.wrapping_add(1); BIN_BYTES]),
    ]
}

fn policy(durability: Durability) -> WritePolicy {
    WritePolicy {
        durability: Some(durability),
        ..WritePolicy::default()
    }
}

/// A database of `RECORDS` records in a fresh temporary directory.
struct Fixture {
    db: Db,
    keys: Vec<Key>,
    // Dropped after `db` (fields drop in declaration order).
    _dir: TempDir,
}

fn fixture() -> Fixture {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = Db::open_with(dir.path(), Options::default()).expect("open");
    let keys: Vec<Key> = (0..RECORDS).map(key).collect();
    let write = policy(Durability::Buffered);
    for (i, k) in keys.iter().enumerate() {
        db.put(&write, k, &bins(i as u8)).expect("put");
    }
    db.sync().expect("sync");
    assert_eq!(
        db.namespace_stats("test").expect("stats").objects,
        RECORDS as u64
    );
    Fixture {
        db,
        keys,
        _dir: dir,
    }
}

fn get(c: &mut Criterion) {
    let f = fixture();
    let read = ReadPolicy::default();
    let mut rng = Rng::new(1);
    let mut g = c.benchmark_group("get");
    g.throughput(Throughput::Elements(1));
    g.bench_function("random_100k", |b| {
        b.iter(|| {
            let k = &f.keys[rng.below(RECORDS)];
            let rec = f.db.get(&read, k, Bins::All).expect("get");
            debug_assert_eq!(rec.bins.len(), 2);
            black_box(rec)
        })
    });
    g.finish();
}

fn put_buffered(c: &mut Criterion) {
    let f = fixture();
    let write = policy(Durability::Buffered);
    let values = bins(7);
    let mut rng = Rng::new(2);
    let mut g = c.benchmark_group("put_buffered");
    g.throughput(Throughput::Elements(1));
    g.bench_function("overwrite_random_100k", |b| {
        b.iter(|| {
            let k = &f.keys[rng.below(RECORDS)];
            f.db.put(&write, k, &values).expect("put")
        })
    });
    g.finish();
}

/// Durable writes, the raw append+fdatasync limit of the same disk, and
/// concurrent durable writers sharing flushes (group commit).
fn put_sync(c: &mut Criterion) {
    let f = fixture();
    let write = policy(Durability::Sync);
    let values = bins(9);
    let mut g = c.benchmark_group("put_sync");
    g.sampling_mode(SamplingMode::Flat)
        .sample_size(20)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(6))
        .throughput(Throughput::Elements(1));

    let mut rng = Rng::new(3);
    g.bench_function("1_thread", |b| {
        b.iter(|| {
            let k = &f.keys[rng.below(RECORDS)];
            f.db.put(&write, k, &values).expect("put")
        })
    });

    // `iters` writes shared by SYNC_THREADS threads; the time is wall-clock,
    // so the reported time per element is the per-op cost with group commit.
    let mut round = 0u64;
    g.bench_function(BenchmarkId::new("threads", SYNC_THREADS), |b| {
        b.iter_custom(|iters| {
            round += 1;
            let per_thread = iters.div_ceil(SYNC_THREADS as u64);
            let start = Instant::now();
            std::thread::scope(|s| {
                for t in 0..SYNC_THREADS {
                    let (f, write, values) = (&f, &write, &values);
                    let mut rng = Rng::new(round * 64 + t as u64);
                    let n = per_thread.min(iters.saturating_sub(per_thread * t as u64));
                    s.spawn(move || {
                        for _ in 0..n {
                            let k = &f.keys[rng.below(RECORDS)];
                            f.db.put(write, k, values).expect("put");
                        }
                    });
                }
            });
            start.elapsed()
        })
    });

    // The raw limit of the same disk (benches/common/raw_fsync.rs).
    let dir = tempfile::tempdir().expect("tempdir");
    raw_fsync::baselines(&mut g, dir.path(), RAW_APPEND, "200B");
    g.finish();
}

fn operate_add(c: &mut Criterion) {
    let f = fixture();
    let write = policy(Durability::Buffered);
    let ops = [operations::add(&Bin::new("n", 1))];
    let mut rng = Rng::new(4);
    let mut g = c.benchmark_group("operate_add");
    g.throughput(Throughput::Elements(1));
    g.bench_function("random_100k", |b| {
        b.iter(|| {
            let k = &f.keys[rng.below(RECORDS)];
            black_box(f.db.operate(&write, k, &ops).expect("operate"))
        })
    });
    g.finish();
}

fn batch_get_100(c: &mut Criterion) {
    let f = fixture();
    // A shuffled copy of the keys: a random window of 100 is a random batch.
    let mut shuffled = f.keys.clone();
    let mut rng = Rng::new(5);
    for i in (1..shuffled.len()).rev() {
        shuffled.swap(i, rng.below(i + 1));
    }
    let read = ReadPolicy::default();
    let mut g = c.benchmark_group("batch_get_100");
    g.throughput(Throughput::Elements(100));
    g.bench_function("random_100k", |b| {
        b.iter(|| {
            let start = rng.below(RECORDS - 100);
            let out =
                f.db.batch_get(&read, &shuffled[start..start + 100], Bins::All)
                    .expect("batch_get");
            debug_assert!(out.iter().all(Option::is_some));
            black_box(out)
        })
    });
    g.finish();
}

fn scan_full(c: &mut Criterion) {
    let f = fixture();
    let mut g = c.benchmark_group("scan_full");
    g.sampling_mode(SamplingMode::Flat)
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(5))
        .throughput(Throughput::Elements(RECORDS as u64));
    g.bench_function("100k", |b| {
        b.iter(|| {
            let mut n = 0usize;
            for rec in f.db.scan("test", None, Bins::All).expect("scan") {
                black_box(rec.expect("record"));
                n += 1;
            }
            assert_eq!(n, RECORDS);
            n
        })
    });
    g.finish();
}

/// Open time of a directory of `RECORDS` records after a clean close; every
/// iteration reopens (the close is not timed).
fn open(c: &mut Criterion) {
    let f = fixture();
    let Fixture {
        db,
        keys,
        _dir: dir,
    } = f;
    drop(keys);
    db.close().expect("close");
    let mut g = c.benchmark_group("open");
    g.sampling_mode(SamplingMode::Flat)
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(5))
        .throughput(Throughput::Elements(RECORDS as u64));
    g.bench_function("100k", |b| {
        b.iter_batched(
            || (),
            |()| Db::open_with(dir.path(), Options::default()).expect("open"),
            // Drop (close) the database outside the timed section.
            BatchSize::PerIteration,
        )
    });
    let db = Db::open_with(dir.path(), Options::default()).expect("open");
    assert_eq!(
        db.namespace_stats("test").expect("stats").objects,
        RECORDS as u64
    );
    db.close().expect("close");
    g.finish();
}

/// `Db::batch` of 1000 writes (`operate` with two puts each) over random
/// existing keys, Buffered and Sync (one flush per batch).
fn batch_write_1000(c: &mut Criterion) {
    let f = fixture();
    let mut rng = Rng::new(5);
    let values = bins(9);
    let ops_for = |rng: &mut Rng| -> Vec<BatchOperation> {
        (0..1000)
            .map(|_| {
                let k = f.keys[rng.below(RECORDS)].clone();
                let ops = values.iter().map(operations::put).collect();
                BatchOperation::write(&BatchWritePolicy::default(), k, ops)
            })
            .collect()
    };
    let mut g = c.benchmark_group("batch_write_1000");
    g.throughput(Throughput::Elements(1000));
    for (name, durability) in [
        ("buffered", Durability::Buffered),
        ("sync", Durability::Sync),
    ] {
        let policy = BatchPolicy {
            durability: Some(durability),
        };
        g.bench_function(name, |b| {
            b.iter_batched(
                || ops_for(&mut rng),
                |ops| {
                    let out = f.db.batch(&policy, &ops).expect("batch");
                    debug_assert!(out.iter().all(|r| r.result_code.is_none()));
                    black_box(out)
                },
                BatchSize::LargeInput,
            )
        });
    }
    g.finish();
}

/// What a caller pays for a batch of 1000 writes before and after the
/// database does anything: building the `BatchOperation`s the way the peers
/// benchmark's bulk load does (`Key::new` of a 24-byte blob, its RIPEMD-160
/// included; a 150-byte blob bin; one `operations::put`), then dropping
/// them. No database is involved: this is the floor under
/// `batch_write_1000` and under a bulk load through `Db::batch`.
fn batch_build_1000(c: &mut Criterion) {
    let mut rng = Rng::new(6);
    let keys: Vec<[u8; 24]> = (0..1000)
        .map(|_| {
            let mut k = [0u8; 24];
            for part in k.chunks_mut(8) {
                part.copy_from_slice(&rng.next().to_le_bytes());
            }
            k
        })
        .collect();
    let value = [7u8; 150];
    let write = BatchWritePolicy::default();
    let mut g = c.benchmark_group("batch_build_1000");
    g.throughput(Throughput::Elements(1000));
    g.bench_function("build_and_drop", |b| {
        b.iter(|| {
            let ops: Vec<BatchOperation> = keys
                .iter()
                .map(|k| {
                    let key = Key::new("test", "", &k[..]).expect("valid key");
                    let put = operations::put(&Bin::new("v", &value[..]));
                    BatchOperation::write(&write, key, vec![put])
                })
                .collect();
            black_box(ops)
        })
    });
    g.finish();
}

fn config() -> Criterion {
    Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(4))
        .sample_size(50)
}

criterion_group! {
    name = benches;
    config = config();
    targets = get, batch_get_100, scan_full, put_buffered, operate_add, batch_write_1000,
        batch_build_1000, put_sync, open
}
criterion_main!(benches);
