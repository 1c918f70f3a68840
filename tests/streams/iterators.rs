//! Shard iterators of all five kinds and `get_records`.

use crate::util::*;
use aerolite::{Db, EncryptionType, Error, PutRecord, ShardIteratorType as K, StreamConfig};
use std::time::{Duration, UNIX_EPOCH};

/// A one-shard stream "s" with records "r0".."r{n-1}"; their numbers.
fn stream_with(db: &Db, n: usize) -> Vec<String> {
    db.create_stream("s", 1).unwrap();
    (0..n)
        .map(|i| put(db, "s", format!("r{i}").as_bytes(), "k").1)
        .collect()
}

fn data(recs: &[aerolite::StreamRecord]) -> Vec<String> {
    recs.iter()
        .map(|r| String::from_utf8(r.data.clone()).unwrap())
        .collect()
}

#[test]
fn positioning_by_sequence_number() {
    let dir = tempfile::tempdir().unwrap();
    let db = open(dir.path());
    let seqs = stream_with(&db, 5);
    let at = drain_from(&db, "s", &sid(0), K::AtSequenceNumber(seqs[2].clone())).0;
    assert_eq!(data(&at), ["r2", "r3", "r4"]);
    assert_eq!(at[0].sequence_number, seqs[2]);
    let after = drain_from(&db, "s", &sid(0), K::AfterSequenceNumber(seqs[2].clone())).0;
    assert_eq!(data(&after), ["r3", "r4"]);
    let first = drain_from(&db, "s", &sid(0), K::AtSequenceNumber(seqs[0].clone())).0;
    assert_eq!(first.len(), 5);
    let none = drain_from(&db, "s", &sid(0), K::AfterSequenceNumber(seqs[4].clone())).0;
    assert!(none.is_empty());
    // AFTER the newest, then a new record arrives: it is returned.
    let it = iter(&db, "s", &sid(0), K::AfterSequenceNumber(seqs[4].clone()));
    put(&db, "s", b"r5", "k");
    assert_eq!(data(&db.get_records(&it, None).unwrap().records), ["r5"]);
}

#[test]
fn trim_horizon_and_latest() {
    let dir = tempfile::tempdir().unwrap();
    let db = open(dir.path());
    stream_with(&db, 3);
    let trim = iter(&db, "s", &sid(0), K::TrimHorizon);
    let latest = iter(&db, "s", &sid(0), K::Latest);
    let out = db.get_records(&latest, None).unwrap();
    assert!(out.records.is_empty());
    assert_eq!(out.millis_behind_latest, 0);
    put(&db, "s", b"r3", "k");
    put(&db, "s", b"r4", "k");
    assert_eq!(
        data(&db.get_records(&latest, None).unwrap().records),
        ["r3", "r4"]
    );
    assert_eq!(
        data(&db.get_records(&trim, None).unwrap().records),
        ["r0", "r1", "r2", "r3", "r4"]
    );
    // An empty shard: TRIM_HORIZON and LATEST see later records.
    db.create_stream("e", 1).unwrap();
    let trim = iter(&db, "e", &sid(0), K::TrimHorizon);
    let latest = iter(&db, "e", &sid(0), K::Latest);
    put(&db, "e", b"x", "k");
    assert_eq!(data(&db.get_records(&trim, None).unwrap().records), ["x"]);
    assert_eq!(data(&db.get_records(&latest, None).unwrap().records), ["x"]);
}

#[test]
fn latest_is_per_shard() {
    let dir = tempfile::tempdir().unwrap();
    let db = open(dir.path());
    db.create_stream("two", 2).unwrap();
    put_at(&db, "two", b"old0", 0);
    put_at(&db, "two", b"old1", MAX_HASH);
    let l0 = iter(&db, "two", &sid(0), K::Latest);
    let l1 = iter(&db, "two", &sid(1), K::Latest);
    put_at(&db, "two", b"new1", MAX_HASH);
    assert!(db.get_records(&l0, None).unwrap().records.is_empty());
    assert_eq!(data(&db.get_records(&l1, None).unwrap().records), ["new1"]);
}

#[test]
fn at_timestamp() {
    let dir = tempfile::tempdir().unwrap();
    let (db, clock) = open_clocked(dir.path());
    db.create_stream("s", 1).unwrap();
    let t = |ms: u64| UNIX_EPOCH + Duration::from_millis(T0 * 1000 + ms);
    put(&db, "s", b"a", "k");
    put(&db, "s", b"b", "k");
    advance_ms(&clock, 1000);
    put(&db, "s", b"c", "k");
    advance_ms(&clock, 1000);
    put(&db, "s", b"d", "k");
    let at = |ts| data(&drain_from(&db, "s", &sid(0), K::AtTimestamp(ts)).0);
    assert_eq!(at(UNIX_EPOCH), ["a", "b", "c", "d"]);
    assert_eq!(at(t(0)), ["a", "b", "c", "d"]);
    assert_eq!(at(t(1)), ["c", "d"]);
    assert_eq!(at(t(1000)), ["c", "d"]);
    assert_eq!(at(t(1001)), ["d"]);
    assert_eq!(at(t(2000)), ["d"]);
    let recs = drain_from(&db, "s", &sid(0), K::TrimHorizon).0;
    let arrivals: Vec<_> = recs
        .iter()
        .map(|r| r.approximate_arrival_timestamp)
        .collect();
    assert_eq!(arrivals, [t(0), t(0), t(1000), t(2000)]);
    // At the current time with nothing after it: later records are returned.
    advance_ms(&clock, 500);
    let it = iter(&db, "s", &sid(0), K::AtTimestamp(t(2500)));
    assert!(db.get_records(&it, None).unwrap().records.is_empty());
    put(&db, "s", b"e", "k");
    assert_eq!(data(&db.get_records(&it, None).unwrap().records), ["e"]);
    // A time in the future.
    invalid(db.get_shard_iterator("s", &sid(0), K::AtTimestamp(t(2501))));
    invalid(db.get_shard_iterator("s", &sid(0), K::AtTimestamp(t(10_000_000))));
}

#[test]
fn iterators_are_reusable() {
    let dir = tempfile::tempdir().unwrap();
    let db = open(dir.path());
    let seqs = stream_with(&db, 10);
    let it = iter(&db, "s", &sid(0), K::AtSequenceNumber(seqs[3].clone()));
    let a = db.get_records(&it, Some(4)).unwrap();
    let b = db.get_records(&it, Some(4)).unwrap();
    assert_eq!(a.records, b.records);
    assert_eq!(data(&a.records), ["r3", "r4", "r5", "r6"]);
    // The next iterator is reusable as well.
    let next = a.next_shard_iterator.unwrap();
    let c = db.get_records(&next, Some(2)).unwrap();
    let d = db.get_records(&next, Some(2)).unwrap();
    assert_eq!(c.records, d.records);
    assert_eq!(data(&c.records), ["r7", "r8"]);
    // More records written meanwhile do not change what a limited read sees.
    put(&db, "s", b"r10", "k");
    assert_eq!(db.get_records(&it, Some(4)).unwrap().records, a.records);
    let trim = iter(&db, "s", &sid(0), K::TrimHorizon);
    assert_eq!(
        db.get_records(&trim, None).unwrap().records,
        db.get_records(&trim, None).unwrap().records
    );
}

#[test]
fn iterators_expire_after_five_minutes() {
    let dir = tempfile::tempdir().unwrap();
    let (db, clock) = open_clocked(dir.path());
    stream_with(&db, 3);
    let it = iter(&db, "s", &sid(0), K::TrimHorizon);
    advance_ms(&clock, 4 * 60_000 + 59_000);
    let out = db.get_records(&it, Some(1)).unwrap();
    assert_eq!(data(&out.records), ["r0"]);
    // The next iterator is new: valid for 5 minutes from now.
    let next = out.next_shard_iterator.unwrap();
    advance_ms(&clock, 2_000);
    assert!(matches!(
        db.get_records(&it, None),
        Err(Error::ExpiredIterator)
    ));
    assert_eq!(
        data(&db.get_records(&next, None).unwrap().records),
        ["r1", "r2"]
    );
    advance_ms(&clock, 5 * 60_000);
    assert!(matches!(
        db.get_records(&next, None),
        Err(Error::ExpiredIterator)
    ));
    // A fresh iterator works.
    assert_eq!(shard_data(&db, "s", &sid(0)).len(), 3);
}

#[test]
fn sequence_number_of_another_shard_is_rejected() {
    let dir = tempfile::tempdir().unwrap();
    let db = open(dir.path());
    db.create_stream("two", 2).unwrap();
    let (s0, n0) = put_at(&db, "two", b"x", 0);
    let (s1, n1) = put_at(&db, "two", b"y", MAX_HASH);
    assert_eq!(
        (s0.as_str(), s1.as_str()),
        (sid(0).as_str(), sid(1).as_str())
    );
    invalid(db.get_shard_iterator("two", &sid(1), K::AtSequenceNumber(n0.clone())));
    invalid(db.get_shard_iterator("two", &sid(1), K::AfterSequenceNumber(n0.clone())));
    invalid(db.get_shard_iterator("two", &sid(0), K::AtSequenceNumber(n1.clone())));
    invalid(db.get_shard_iterator("two", &sid(0), K::AfterSequenceNumber(n1)));
    for bad in ["", "abc", "-5", "0", "1", "01", &"9".repeat(130)] {
        invalid(db.get_shard_iterator("two", &sid(0), K::AtSequenceNumber(bad.to_string())));
        invalid(db.get_shard_iterator("two", &sid(0), K::AfterSequenceNumber(bad.to_string())));
    }
    // A well-formed number of this shard that was never handed out.
    db.create_stream("busy", 2).unwrap();
    for _ in 0..10 {
        put_at(&db, "busy", b"z", 0);
    }
    let (_, future) = put_at(&db, "busy", b"z", 0);
    invalid(db.get_shard_iterator("two", &sid(0), K::AtSequenceNumber(future)));
    assert_eq!(
        data(&drain_from(&db, "two", &sid(0), K::AtSequenceNumber(n0)).0),
        ["x"]
    );
}

#[test]
fn malformed_iterators() {
    let dir = tempfile::tempdir().unwrap();
    let db = open(dir.path());
    stream_with(&db, 1);
    let it = iter(&db, "s", &sid(0), K::TrimHorizon);
    assert!(it.len() <= 512, "{}", it.len());
    let mut flipped = it.clone().into_bytes();
    let i = flipped.len() / 2;
    flipped[i] = if flipped[i] == b'0' { b'1' } else { b'0' };
    let flipped = String::from_utf8(flipped).unwrap();
    let truncated = &it[..it.len() - 2];
    let long = "a".repeat(513);
    let upper = it.to_uppercase();
    for bad in [
        "",
        "x",
        "Invalid",
        truncated,
        &flipped,
        &long,
        &format!("{it}00"),
        &upper,
    ] {
        if bad == it {
            continue;
        }
        let m = invalid(db.get_records(bad, None));
        assert_eq!(m, "Invalid ShardIterator.", "{bad}");
    }
    // A 128-character stream name still gives an iterator of at most 512.
    let name = "n".repeat(128);
    db.create_stream(&name, 1).unwrap();
    assert!(iter(&db, &name, &sid(0), K::TrimHorizon).len() <= 512);
}

#[test]
fn limit_bounds_and_respect() {
    let dir = tempfile::tempdir().unwrap();
    let db = open(dir.path());
    stream_with(&db, 25);
    let it = iter(&db, "s", &sid(0), K::TrimHorizon);
    invalid(db.get_records(&it, Some(0)));
    invalid(db.get_records(&it, Some(10_001)));
    assert_eq!(db.get_records(&it, Some(10_000)).unwrap().records.len(), 25);
    assert_eq!(db.get_records(&it, None).unwrap().records.len(), 25);
    let mut it = it;
    let mut got = Vec::new();
    for _ in 0..3 {
        let out = db.get_records(&it, Some(10)).unwrap();
        assert!(out.records.len() <= 10);
        got.extend(data(&out.records));
        it = out.next_shard_iterator.unwrap();
    }
    let expected: Vec<String> = (0..25).map(|i| format!("r{i}")).collect();
    assert_eq!(got, expected);
    // Caught up: no records, still a next iterator, again and again.
    for _ in 0..3 {
        let out = db.get_records(&it, Some(10)).unwrap();
        assert!(out.records.is_empty());
        assert!(out.child_shards.is_empty());
        it = out
            .next_shard_iterator
            .expect("an open shard always has a next iterator");
    }
    put(&db, "s", b"late", "k");
    assert_eq!(data(&db.get_records(&it, None).unwrap().records), ["late"]);
}

#[test]
fn default_limit_is_ten_thousand() {
    let dir = tempfile::tempdir().unwrap();
    let db = open(dir.path());
    db.create_stream("many", 1).unwrap();
    let entries: Vec<aerolite::PutRecordsEntry> = (0..500)
        .map(|i| aerolite::PutRecordsEntry::new(vec![i as u8], "k"))
        .collect();
    for _ in 0..21 {
        db.put_records("many", &entries).unwrap();
    }
    let it = iter(&db, "many", &sid(0), K::TrimHorizon);
    let out = db.get_records(&it, None).unwrap();
    assert_eq!(out.records.len(), 10_000);
    let rest = db
        .get_records(out.next_shard_iterator.as_ref().unwrap(), None)
        .unwrap();
    assert_eq!(rest.records.len(), 500);
}

#[test]
fn records_carry_their_fields() {
    let dir = tempfile::tempdir().unwrap();
    let (db, clock) = open_clocked(dir.path());
    db.create_stream("f", 1).unwrap();
    advance_ms(&clock, 42);
    let out = db
        .put_record(PutRecord::new("f", b"payload".to_vec(), "the-key"))
        .unwrap();
    let recs = drain_from(&db, "f", &sid(0), K::TrimHorizon).0;
    assert_eq!(recs.len(), 1);
    let r = &recs[0];
    assert_eq!(r.sequence_number, out.sequence_number);
    assert_eq!(r.data, b"payload");
    assert_eq!(r.partition_key, "the-key");
    assert_eq!(r.encryption_type, EncryptionType::None);
    assert_eq!(
        r.approximate_arrival_timestamp,
        UNIX_EPOCH + Duration::from_millis(T0 * 1000 + 42)
    );
}

#[test]
fn millis_behind_latest() {
    let dir = tempfile::tempdir().unwrap();
    let (db, clock) = open_clocked(dir.path());
    stream_with(&db, 3);
    advance_ms(&clock, 10_000);
    let it = iter(&db, "s", &sid(0), K::TrimHorizon);
    let out = db.get_records(&it, Some(1)).unwrap();
    assert_eq!(data(&out.records), ["r0"]);
    assert!(out.millis_behind_latest > 0, "{}", out.millis_behind_latest);
    assert!(
        out.millis_behind_latest <= 10_000,
        "{}",
        out.millis_behind_latest
    );
    let out = db
        .get_records(out.next_shard_iterator.as_ref().unwrap(), None)
        .unwrap();
    assert_eq!(data(&out.records), ["r1", "r2"]);
    assert_eq!(out.millis_behind_latest, 0);
    let out = db
        .get_records(out.next_shard_iterator.as_ref().unwrap(), None)
        .unwrap();
    assert_eq!(out.millis_behind_latest, 0);
}

#[test]
fn ten_mib_per_call_cap() {
    let dir = tempfile::tempdir().unwrap();
    let db = open(dir.path());
    db.create_stream_with(StreamConfig::new("cap").max_record_size_kib(1100))
        .unwrap();
    let mib = 1usize << 20;
    for i in 0..12u8 {
        put(&db, "cap", &vec![i; mib], "k");
    }
    let it = iter(&db, "cap", &sid(0), K::TrimHorizon);
    let out = db.get_records(&it, None).unwrap();
    // Exactly 10 MiB of data fit; the 11th record would pass the cap.
    assert_eq!(out.records.len(), 10);
    assert_eq!(
        out.records.iter().map(|r| r.data.len()).sum::<usize>(),
        10 * mib
    );
    assert!(out
        .records
        .iter()
        .enumerate()
        .all(|(i, r)| r.data[0] == i as u8));
    let rest = db
        .get_records(out.next_shard_iterator.as_ref().unwrap(), None)
        .unwrap();
    assert_eq!(rest.records.len(), 2);
    assert_eq!(rest.records[0].data[0], 10);
    // Larger records: each call returns at least one, and never more than
    // 10 MiB.
    db.create_stream_with(StreamConfig::new("cap3").max_record_size_kib(4096))
        .unwrap();
    for i in 0..4u8 {
        put(&db, "cap3", &vec![i; 3 * mib + 1], "k");
    }
    let mut it = iter(&db, "cap3", &sid(0), K::TrimHorizon);
    let mut sizes = Vec::new();
    loop {
        let out = db.get_records(&it, None).unwrap();
        if out.records.is_empty() {
            break;
        }
        sizes.push(out.records.len());
        assert!(out.records.iter().map(|r| r.data.len()).sum::<usize>() <= 10 * mib);
        it = out.next_shard_iterator.unwrap();
    }
    assert_eq!(sizes, [3, 1]);
}

#[test]
fn iterators_survive_reopen() {
    let dir = tempfile::tempdir().unwrap();
    let clock = crate::common::clock_at(T0);
    let (trim, latest);
    {
        let db = Db::open_with(dir.path(), opts_clock(&clock)).unwrap();
        stream_with(&db, 2);
        trim = iter(&db, "s", &sid(0), K::TrimHorizon);
        latest = iter(&db, "s", &sid(0), K::Latest);
        db.close().unwrap();
    }
    let db = Db::open_with(dir.path(), opts_clock(&clock)).unwrap();
    put(&db, "s", b"after", "k");
    assert_eq!(
        data(&db.get_records(&trim, None).unwrap().records),
        ["r0", "r1", "after"]
    );
    assert_eq!(
        data(&db.get_records(&latest, None).unwrap().records),
        ["after"]
    );
    advance_ms(&clock, 5 * 60_000 + 1);
    assert!(matches!(
        db.get_records(&trim, None),
        Err(Error::ExpiredIterator)
    ));
}

#[test]
fn arrival_times_never_go_back() {
    let dir = tempfile::tempdir().unwrap();
    let (db, clock) = open_clocked(dir.path());
    db.create_stream("s", 1).unwrap();
    advance_ms(&clock, 5000);
    put(&db, "s", b"a", "k");
    clock.set(UNIX_EPOCH + Duration::from_secs(T0));
    put(&db, "s", b"b", "k");
    let recs = drain_from(&db, "s", &sid(0), K::TrimHorizon).0;
    assert_eq!(data(&recs), ["a", "b"]);
    assert!(recs[0].approximate_arrival_timestamp <= recs[1].approximate_arrival_timestamp);
}

#[test]
fn sync_puts_are_readable() {
    let dir = tempfile::tempdir().unwrap();
    let db = open(dir.path());
    db.create_stream("s", 1).unwrap();
    let out = db
        .put_record(
            PutRecord::new("s", b"sync".to_vec(), "k").durability(aerolite::Durability::Sync),
        )
        .unwrap();
    let recs = drain_from(&db, "s", &sid(0), K::AtSequenceNumber(out.sequence_number)).0;
    assert_eq!(data(&recs), ["sync"]);
}

#[test]
fn records_read_the_same_after_reopen_from_hints_or_a_full_walk() {
    let dir = tempfile::tempdir().unwrap();
    let clock = crate::common::clock_at(T0);
    let o = |verify: bool| {
        opts_clock(&clock)
            .segment_size(16 * 1024)
            .verify_on_open(verify)
    };
    let read_all = |db: &Db| -> Vec<Vec<aerolite::StreamRecord>> {
        (0..3)
            .map(|s| drain_from(db, "s", &sid(s), K::TrimHorizon).0)
            .collect()
    };
    let before;
    {
        let db = Db::open_with(dir.path(), o(false)).unwrap();
        db.create_stream("s", 3).unwrap();
        for i in 0..120 {
            advance_ms(&clock, 7);
            put(&db, "s", &vec![i as u8; 500], &format!("key-{i}"));
        }
        before = read_all(&db);
        assert!(db.stream_stats("s").unwrap().segments >= 4);
        db.close().unwrap();
    }
    for verify in [false, true, false] {
        let db = Db::open_with(dir.path(), o(verify)).unwrap();
        assert_eq!(read_all(&db), before, "verify_on_open({verify})");
        assert_eq!(db.stream_stats("s").unwrap().records, 120);
        // AtTimestamp still finds records by their arrival times.
        let t = UNIX_EPOCH + Duration::from_millis(T0 * 1000 + 7 * 100);
        let recs: usize = (0..3)
            .map(|s| drain_from(&db, "s", &sid(s), K::AtTimestamp(t)).0.len())
            .sum();
        assert_eq!(recs, 21);
        drop(db);
    }
}
