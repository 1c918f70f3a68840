//! Stream benchmarks of aerolite (Kinesis-style `put_record`,
//! `put_records`, `get_records`).
//!
//! Run with `cargo bench --bench streams` (about a minute and a half of
//! measurement on 2 cores) or `cargo bench --bench streams -- <filter>`, e.g. `-- put_record`.
//! See the "Streams" section of `docs/benchmarks.md` for the numbers.
//!
//! Every record carries 1 KiB of data and a short partition key; throughput
//! is reported in **payload bytes** (the data, not the keys or the framing),
//! so Criterion prints MiB/s. Writing benchmarks use a fresh stream for each
//! Criterion sample (created and deleted outside the timed section), so the
//! disk use of a run stays bounded and every sample pays for the fresh
//! segment files it fills, as a real producer does.

use aerolite::{Db, Durability, Options, PutRecord, PutRecordsEntry, ShardIteratorType};
use criterion::{criterion_group, criterion_main, Criterion, SamplingMode, Throughput};
use std::hint::black_box;
use std::time::{Duration, Instant};
use tempfile::TempDir;

#[path = "common/raw_fsync.rs"]
mod raw_fsync;

/// Bytes of data of each record.
const PAYLOAD: usize = 1024;
/// Distinct partition keys the producers cycle through.
const KEYS: usize = 64;
/// Entries of one `put_records` call (Kinesis's maximum).
const BATCH: usize = 500;
/// Records one `get_records` call returns (Kinesis's maximum limit).
const READ: usize = 10_000;
/// Bytes of one raw append in the fsync baselines: what the stream appends
/// for one record (64-byte entry header, a 6-byte partition key, 1 KiB of
/// data, padded to 8 bytes).
const RAW_APPEND: usize = 1096;

struct Fixture {
    db: Db,
    keys: Vec<String>,
    data: Vec<u8>,
    // Dropped after `db` (fields drop in declaration order).
    _dir: TempDir,
}

fn fixture() -> Fixture {
    let dir = tempfile::tempdir().expect("tempdir");
    let db =
        Db::open_with(dir.path(), Options::default().background_maintenance(false)).expect("open");
    Fixture {
        db,
        keys: (0..KEYS).map(|i| format!("pk-{i:03}")).collect(),
        data: (0..PAYLOAD).map(|i| i as u8).collect(),
        _dir: dir,
    }
}

/// Creates stream `bench-<n>` of `shards` shards, runs `body` on it, timing
/// only `body`, and deletes the stream.
fn on_fresh_stream(
    f: &Fixture,
    round: &mut u64,
    shards: u32,
    body: impl FnOnce(&str) -> Duration,
) -> Duration {
    *round += 1;
    let name = format!("bench-{round}");
    f.db.create_stream(&name, shards).expect("create_stream");
    let t = body(&name);
    f.db.delete_stream(&name).expect("delete_stream");
    t
}

fn put_record(c: &mut Criterion) {
    let f = fixture();
    let mut round = 0u64;
    let mut g = c.benchmark_group("put_record");
    g.throughput(Throughput::Bytes(PAYLOAD as u64));
    g.bench_function("1KiB_buffered", |b| {
        b.iter_custom(|iters| {
            on_fresh_stream(&f, &mut round, 1, |name| {
                let start = Instant::now();
                for i in 0..iters as usize {
                    let r = PutRecord::new(name, f.data.clone(), &f.keys[i % KEYS])
                        .durability(Durability::Buffered);
                    black_box(f.db.put_record(r).expect("put_record"));
                }
                start.elapsed()
            })
        })
    });
    g.finish();
}

/// One durable writer, and the raw append+fdatasync loops of the same disk
/// with the same bytes per write.
///
/// Unlike the buffered groups, all samples share one stream: a stream
/// created and deleted per sample leaves journalled metadata (the segment's
/// allocation, the deleted files) that the next sample's first flush would
/// have to commit, which is a cost of the benchmark's set-up, not of a put.
fn put_record_sync(c: &mut Criterion) {
    let f = fixture();
    f.db.create_stream("sync", 1).expect("create_stream");
    f.db.sync().expect("sync");
    let mut i = 0usize;
    let mut g = c.benchmark_group("put_record_sync");
    g.sampling_mode(SamplingMode::Flat)
        .sample_size(10)
        .throughput(Throughput::Bytes(PAYLOAD as u64));
    g.bench_function("1KiB_1_thread", |b| {
        b.iter(|| {
            i += 1;
            let r = PutRecord::new("sync", f.data.clone(), &f.keys[i % KEYS])
                .durability(Durability::Sync);
            f.db.put_record(r).expect("put_record")
        })
    });

    // The raw limit of the same disk (benches/common/raw_fsync.rs).
    let dir = tempfile::tempdir().expect("tempdir");
    raw_fsync::baselines(&mut g, dir.path(), RAW_APPEND, "1KiB");
    g.finish();
}

/// The Sync put against the raw loop under the same disk conditions: every
/// iteration does one durable `put_record` and one raw append+fdatasync of
/// the same size, alternating; `stream` times only the puts, `raw_append`
/// only the raw writes. On a disk shared with other work, back-to-back
/// groups can see very different flush latencies; this pairing cannot.
fn sync_interleaved(c: &mut Criterion) {
    let f = fixture();
    f.db.create_stream("pair", 1).expect("create_stream");
    f.db.sync().expect("sync");
    let dir = tempfile::tempdir().expect("tempdir");
    let mut raw = raw_fsync::RawAppend::new(dir.path(), RAW_APPEND);
    let mut i = 0usize;
    let mut g = c.benchmark_group("sync_interleaved");
    g.sampling_mode(SamplingMode::Flat)
        .sample_size(10)
        .throughput(Throughput::Bytes(PAYLOAD as u64));
    for timed_stream in [true, false] {
        let id = if timed_stream { "stream" } else { "raw_append" };
        g.bench_function(id, |b| {
            b.iter_custom(|iters| {
                let (mut t_stream, mut t_raw) = (Duration::ZERO, Duration::ZERO);
                for _ in 0..iters {
                    i += 1;
                    let start = Instant::now();
                    let r = PutRecord::new("pair", f.data.clone(), &f.keys[i % KEYS])
                        .durability(Durability::Sync);
                    black_box(f.db.put_record(r).expect("put_record"));
                    t_stream += start.elapsed();
                    let start = Instant::now();
                    raw.write();
                    t_raw += start.elapsed();
                }
                if timed_stream {
                    t_stream
                } else {
                    t_raw
                }
            })
        });
    }
    g.finish();
}

fn put_records(c: &mut Criterion) {
    let f = fixture();
    let entries: Vec<PutRecordsEntry> = (0..BATCH)
        .map(|i| PutRecordsEntry::new(f.data.clone(), &f.keys[i % KEYS]))
        .collect();
    let mut round = 0u64;
    let mut g = c.benchmark_group("put_records");
    g.sample_size(20)
        .throughput(Throughput::Bytes((BATCH * PAYLOAD) as u64));
    g.bench_function("500x1KiB_buffered", |b| {
        b.iter_custom(|iters| {
            on_fresh_stream(&f, &mut round, 4, |name| {
                let start = Instant::now();
                for _ in 0..iters {
                    let out = f.db.put_records(name, &entries).expect("put_records");
                    debug_assert_eq!(out.failed_record_count, 0);
                    black_box(out);
                }
                start.elapsed()
            })
        })
    });
    g.finish();
}

fn get_records(c: &mut Criterion) {
    let f = fixture();
    f.db.create_stream("read", 1).expect("create_stream");
    let entries: Vec<PutRecordsEntry> = (0..BATCH)
        .map(|i| PutRecordsEntry::new(f.data.clone(), &f.keys[i % KEYS]))
        .collect();
    for _ in 0..READ / BATCH {
        f.db.put_records("read", &entries).expect("put_records");
    }
    f.db.sync().expect("sync");
    let it =
        f.db.get_shard_iterator(
            "read",
            "shardId-000000000000",
            ShardIteratorType::TrimHorizon,
        )
        .expect("iterator");
    let mut g = c.benchmark_group("get_records");
    g.sample_size(20)
        .throughput(Throughput::Bytes((READ * PAYLOAD) as u64));
    g.bench_function("10000x1KiB_trim_horizon", |b| {
        b.iter(|| {
            let out =
                f.db.get_records(&it, Some(READ as u32))
                    .expect("get_records");
            assert_eq!(out.records.len(), READ);
            out
        })
    });
    g.finish();
}

fn config() -> Criterion {
    Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
        .sample_size(20)
}

criterion_group! {
    name = benches;
    config = config();
    targets = put_record, put_records, get_records, put_record_sync, sync_interleaved
}
criterion_main!(benches);
