//! Helpers of the stream tests.
#![allow(dead_code)]

use crate::common::{clock_at, dyn_clock};
use aerolite::{
    Db, Error, GetRecordsOutput, ManualClock, Options, PutRecord, Shard, ShardIteratorType,
    StreamRecord,
};
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

/// 2^128 − 1.
pub const MAX_HASH: u128 = u128::MAX;

/// A start time for manual clocks (2026-01-01T00:00:00Z).
pub const T0: u64 = 1_767_225_600;

/// floor(2^128 / n), computed independently of the library.
pub fn h(n: u128) -> u128 {
    // 2^128 = MAX + 1: one more than floor(MAX / n) exactly when n divides it.
    u128::MAX / n + u128::from(u128::MAX % n == n - 1)
}

/// The uniform range of shard `i` of `n`.
pub fn uniform(i: u128, n: u128) -> (u128, u128) {
    if n == 1 {
        return (0, MAX_HASH);
    }
    let hh = h(n);
    let end = if i + 1 == n {
        MAX_HASH
    } else {
        (i + 1) * hh - 1
    };
    (i * hh, end)
}

/// The MD5 of a partition key as a big-endian u128 (independent of the
/// library's routing code).
pub fn md5_hash(key: &str) -> u128 {
    use md5::{Digest, Md5};
    u128::from_be_bytes(Md5::digest(key.as_bytes()).into())
}

/// Options without background maintenance.
pub fn opts() -> Options {
    Options::default().background_maintenance(false)
}

/// Options without background maintenance and with a manual clock.
pub fn opts_clock(clock: &Arc<ManualClock>) -> Options {
    opts().clock(dyn_clock(clock))
}

/// Opens `dir` without background maintenance.
pub fn open(dir: &Path) -> Db {
    Db::open_with(dir, opts()).unwrap()
}

/// A manual clock at T0 and a database on it.
pub fn open_clocked(dir: &Path) -> (Db, Arc<ManualClock>) {
    let clock = clock_at(T0);
    let db = Db::open_with(dir, opts_clock(&clock)).unwrap();
    (db, clock)
}

/// `shardId-` and 12 digits.
pub fn sid(i: u32) -> String {
    format!("shardId-{i:012}")
}

/// Puts one record; returns (shard id, sequence number).
pub fn put(db: &Db, stream: &str, data: &[u8], key: &str) -> (String, String) {
    let out = db
        .put_record(PutRecord::new(stream, data.to_vec(), key))
        .unwrap();
    (out.shard_id, out.sequence_number)
}

/// Puts one record with an explicit hash key.
pub fn put_at(db: &Db, stream: &str, data: &[u8], hash: u128) -> (String, String) {
    let out = db
        .put_record(
            PutRecord::new(stream, data.to_vec(), "pk").explicit_hash_key(&hash.to_string()),
        )
        .unwrap();
    (out.shard_id, out.sequence_number)
}

/// An iterator of `shard`.
pub fn iter(db: &Db, stream: &str, shard: &str, kind: ShardIteratorType) -> String {
    db.get_shard_iterator(stream, shard, kind).unwrap()
}

/// Everything from `kind` on in `shard` until caught up (or the end of a
/// closed shard); the last output is returned too.
pub fn drain_from(
    db: &Db,
    stream: &str,
    shard: &str,
    kind: ShardIteratorType,
) -> (Vec<StreamRecord>, GetRecordsOutput) {
    drain(db, iter(db, stream, shard, kind))
}

/// Reads an iterator until a call returns no records or no next iterator.
pub fn drain(db: &Db, mut it: String) -> (Vec<StreamRecord>, GetRecordsOutput) {
    let mut all = Vec::new();
    for _ in 0..10_000 {
        let out = db.get_records(&it, None).unwrap();
        all.extend(out.records.iter().cloned());
        match &out.next_shard_iterator {
            Some(next) if !out.records.is_empty() => it = next.clone(),
            _ => return (all, out),
        }
    }
    panic!("the shard never ran dry");
}

/// The data of every retained record of `shard`, from TRIM_HORIZON.
pub fn shard_data(db: &Db, stream: &str, shard: &str) -> Vec<Vec<u8>> {
    drain_from(db, stream, shard, ShardIteratorType::TrimHorizon)
        .0
        .into_iter()
        .map(|r| r.data)
        .collect()
}

/// Sequence numbers of every retained record of `shard`.
pub fn shard_seqs(db: &Db, stream: &str, shard: &str) -> Vec<String> {
    drain_from(db, stream, shard, ShardIteratorType::TrimHorizon)
        .0
        .into_iter()
        .map(|r| r.sequence_number)
        .collect()
}

/// Numeric value of a decimal sequence number (they may be up to 129
/// digits: compare as (length, string)).
pub fn seq_key(s: &str) -> (usize, String) {
    (s.len(), s.to_string())
}

/// Whether `a` < `b` as decimal numbers.
pub fn seq_lt(a: &str, b: &str) -> bool {
    seq_key(a) < seq_key(b)
}

/// Parsed hash range of a shard.
pub fn range(s: &Shard) -> (u128, u128) {
    (
        s.hash_key_range.starting_hash_key.parse().unwrap(),
        s.hash_key_range.ending_hash_key.parse().unwrap(),
    )
}

/// Shards without an ending sequence number, sorted by range start.
pub fn open_shards(db: &Db, stream: &str) -> Vec<Shard> {
    let mut v: Vec<Shard> = db
        .list_shards(stream)
        .unwrap()
        .into_iter()
        .filter(|s| s.sequence_number_range.ending_sequence_number.is_none())
        .collect();
    v.sort_by_key(|s| range(s).0);
    v
}

/// Asserts the open shards cover [0, 2^128 − 1] without gaps or overlaps.
pub fn assert_covered(db: &Db, stream: &str) {
    let open = open_shards(db, stream);
    assert!(!open.is_empty());
    assert_eq!(range(&open[0]).0, 0);
    assert_eq!(range(open.last().unwrap()).1, MAX_HASH);
    for w in open.windows(2) {
        assert_eq!(range(&w[0]).1 + 1, range(&w[1]).0, "{:?}", open);
    }
}

/// Asserts the open shards are the uniform split of the space into `n`.
pub fn assert_uniform(db: &Db, stream: &str, n: u32) {
    let open = open_shards(db, stream);
    assert_eq!(open.len(), n as usize);
    for (i, s) in open.iter().enumerate() {
        assert_eq!(
            range(s),
            uniform(i as u128, u128::from(n)),
            "shard {i} of {n}"
        );
    }
}

/// Advances the clock by `ms` milliseconds.
pub fn advance_ms(clock: &ManualClock, ms: u64) {
    clock.advance(Duration::from_millis(ms));
}

/// Asserts `r` is `InvalidArgument` and returns its message.
#[track_caller]
pub fn invalid<T: std::fmt::Debug>(r: Result<T, Error>) -> String {
    match r {
        Err(Error::InvalidArgument(m)) => m,
        other => panic!("expected InvalidArgument, got {}", short(&other)),
    }
}

/// Asserts `r` is `ResourceNotFound` and returns its message.
#[track_caller]
pub fn not_found<T: std::fmt::Debug>(r: Result<T, Error>) -> String {
    match r {
        Err(Error::ResourceNotFound(m)) => m,
        other => panic!("expected ResourceNotFound, got {}", short(&other)),
    }
}

/// Asserts `r` is `ResourceInUse` and returns its message.
#[track_caller]
pub fn in_use<T: std::fmt::Debug>(r: Result<T, Error>) -> String {
    match r {
        Err(Error::ResourceInUse(m)) => m,
        other => panic!("expected ResourceInUse, got {}", short(&other)),
    }
}

/// Asserts `r` is `LimitExceeded`.
#[track_caller]
pub fn limit_exceeded<T: std::fmt::Debug>(r: Result<T, Error>) -> String {
    match r {
        Err(Error::LimitExceeded(m)) => m,
        other => panic!("expected LimitExceeded, got {}", short(&other)),
    }
}

/// Asserts `r` is `ProvisionedThroughputExceeded`.
#[track_caller]
pub fn throttled<T: std::fmt::Debug>(r: Result<T, Error>) {
    assert!(
        matches!(r, Err(Error::ProvisionedThroughputExceeded { .. })),
        "expected ProvisionedThroughputExceeded, got {}",
        short(&r)
    );
}

/// The start of a value's debug form (outputs can hold megabytes of data).
pub fn short<T: std::fmt::Debug>(v: &T) -> String {
    let s = format!("{v:?}");
    match s.char_indices().nth(400) {
        Some((i, _)) => format!("{}...", &s[..i]),
        None => s,
    }
}

/// Asserts every retained record of every shard lies within its shard's
/// sequence number range (the end only once it is closed).
pub fn assert_sequence_ranges(db: &Db, stream: &str) {
    for s in db.list_shards(stream).unwrap() {
        let range = &s.sequence_number_range;
        for seq in shard_seqs(db, stream, &s.shard_id) {
            assert!(
                !seq_lt(&seq, &range.starting_sequence_number),
                "{seq} below {s:?}"
            );
            if let Some(end) = &range.ending_sequence_number {
                assert!(!seq_lt(end, &seq), "{seq} above {s:?}");
            }
        }
    }
}
