//! Throughput limits (off by default) and consumer checkpoints.

use crate::common::clock_at;
use crate::util::*;
use aerolite::{Db, PutRecord, PutRecordsEntry, ShardIteratorType as K, StreamConfig};

fn entries(n: usize, tag: &str) -> Vec<PutRecordsEntry> {
    (0..n)
        .map(|i| PutRecordsEntry::new(format!("{tag}{i}").into_bytes(), "k"))
        .collect()
}

#[test]
fn write_records_per_second() {
    let dir = tempfile::tempdir().unwrap();
    let (db, clock) = open_clocked(dir.path());
    db.create_stream_with(
        StreamConfig::new("t")
            .shard_count(2)
            .enforce_throughput_limits(true),
    )
    .unwrap();
    assert!(db.describe_stream("t").unwrap().enforce_throughput_limits);
    // 1000 records into shard 0 within one second pass.
    let out = db.put_records("t", &entries(500, "a")).unwrap();
    assert_eq!(out.failed_record_count, 0);
    let out = db.put_records("t", &entries(499, "b")).unwrap();
    assert_eq!(out.failed_record_count, 0);
    advance_ms(&clock, 999);
    let shard = put(&db, "t", b"1000th", "k").0;
    // The 1001st is refused, for put_record ...
    throttled(db.put_record(PutRecord::new("t", b"no".to_vec(), "k")));
    // ... and per entry for put_records, while other shards still take writes.
    let other = if shard == sid(0) { MAX_HASH } else { 0 };
    let mixed = [
        PutRecordsEntry::new(b"no1".to_vec(), "k"),
        PutRecordsEntry::new(b"other".to_vec(), "k").explicit_hash_key(&other.to_string()),
        PutRecordsEntry::new(b"no2".to_vec(), "k"),
    ];
    let out = db.put_records("t", &mixed).unwrap();
    assert_eq!(out.failed_record_count, 2);
    assert_eq!(out.records.len(), 3);
    for i in [0, 2] {
        let r = &out.records[i];
        assert_eq!(
            r.error_code.as_deref(),
            Some("ProvisionedThroughputExceededException")
        );
        assert!(r.error_message.as_ref().is_some_and(|m| !m.is_empty()));
        assert_eq!(r.shard_id, None);
        assert_eq!(r.sequence_number, None);
    }
    assert!(out.records[1].error_code.is_none());
    assert!(out.records[1].sequence_number.is_some());
    // The refused entries wrote nothing.
    let data = shard_data(&db, "t", &shard);
    assert_eq!(data.len(), 1000);
    assert!(!data.iter().any(|d| d.starts_with(b"no")));
    // The next second: accepted again.
    advance_ms(&clock, 1);
    put(&db, "t", b"next", "k");
    let out = db.put_records("t", &entries(3, "c")).unwrap();
    assert_eq!(out.failed_record_count, 0);
    assert_eq!(shard_data(&db, "t", &shard).len(), 1004);
}

#[test]
fn write_bytes_per_second_configured() {
    let dir = tempfile::tempdir().unwrap();
    let (db, clock) = open_clocked(dir.path());
    db.create_stream_with(
        StreamConfig::new("b")
            .enforce_throughput_limits(true)
            .write_bytes_per_sec(1000)
            .write_records_per_sec(100),
    )
    .unwrap();
    put(&db, "b", &[0; 399], "k");
    put(&db, "b", &[0; 399], "k");
    throttled(db.put_record(PutRecord::new("b", vec![0; 399], "k")));
    put(&db, "b", &[0; 199], "k"); // exactly 1000 bytes with the keys
    throttled(db.put_record(PutRecord::new("b", Vec::new(), "k")));
    advance_ms(&clock, 1000);
    put(&db, "b", &[0; 399], "k");
    assert_eq!(shard_data(&db, "b", &sid(0)).len(), 4);
    // Records per second configured.
    db.create_stream_with(
        StreamConfig::new("r")
            .enforce_throughput_limits(true)
            .write_records_per_sec(3),
    )
    .unwrap();
    let out = db.put_records("r", &entries(5, "x")).unwrap();
    assert_eq!(out.failed_record_count, 2);
    let codes: Vec<Option<&str>> = out
        .records
        .iter()
        .map(|r| r.error_code.as_deref())
        .collect();
    let t = Some("ProvisionedThroughputExceededException");
    assert_eq!(codes, [None, None, None, t, t]);
}

#[test]
fn reads_per_second() {
    let dir = tempfile::tempdir().unwrap();
    let (db, clock) = open_clocked(dir.path());
    db.create_stream_with(
        StreamConfig::new("r")
            .shard_count(2)
            .enforce_throughput_limits(true),
    )
    .unwrap();
    put_at(&db, "r", b"x", 0);
    let it = iter(&db, "r", &sid(0), K::TrimHorizon);
    for _ in 0..5 {
        assert_eq!(db.get_records(&it, None).unwrap().records.len(), 1);
    }
    throttled(db.get_records(&it, None));
    // Another shard has its own budget.
    let other = iter(&db, "r", &sid(1), K::TrimHorizon);
    db.get_records(&other, None).unwrap();
    advance_ms(&clock, 1000);
    assert_eq!(db.get_records(&it, None).unwrap().records.len(), 1);
}

#[test]
fn read_bytes_per_second_configured() {
    let dir = tempfile::tempdir().unwrap();
    let (db, clock) = open_clocked(dir.path());
    db.create_stream_with(
        StreamConfig::new("rb")
            .enforce_throughput_limits(true)
            .read_bytes_per_sec(1000)
            .read_calls_per_sec(100),
    )
    .unwrap();
    put(&db, "rb", &[1; 1500], "k");
    let it = iter(&db, "rb", &sid(0), K::TrimHorizon);
    // One read may pass the byte rate; the next in that second is refused.
    assert_eq!(db.get_records(&it, None).unwrap().records.len(), 1);
    throttled(db.get_records(&it, None));
    advance_ms(&clock, 1000);
    assert_eq!(db.get_records(&it, None).unwrap().records.len(), 1);
}

#[test]
fn limits_are_off_by_default() {
    let dir = tempfile::tempdir().unwrap();
    let (db, _clock) = open_clocked(dir.path());
    db.create_stream("free", 1).unwrap();
    assert!(
        !db.describe_stream("free")
            .unwrap()
            .enforce_throughput_limits
    );
    for i in 0..6 {
        let out = db
            .put_records("free", &entries(500, &format!("{i}-")))
            .unwrap();
        assert_eq!(out.failed_record_count, 0);
    }
    for _ in 0..3 {
        put(&db, "free", &vec![0; (1 << 20) - 1], "k");
    }
    let it = iter(&db, "free", &sid(0), K::TrimHorizon);
    for _ in 0..20 {
        db.get_records(&it, Some(1)).unwrap();
    }
    assert_eq!(shard_data(&db, "free", &sid(0)).len(), 3003);
}

#[test]
fn limits_setting_survives_reopen() {
    let dir = tempfile::tempdir().unwrap();
    let clock = clock_at(T0);
    {
        let db = Db::open_with(dir.path(), opts_clock(&clock)).unwrap();
        db.create_stream_with(
            StreamConfig::new("p")
                .enforce_throughput_limits(true)
                .write_records_per_sec(2),
        )
        .unwrap();
        db.close().unwrap();
    }
    let db = Db::open_with(dir.path(), opts_clock(&clock)).unwrap();
    assert!(db.describe_stream("p").unwrap().enforce_throughput_limits);
    put(&db, "p", b"1", "k");
    put(&db, "p", b"2", "k");
    throttled(db.put_record(PutRecord::new("p", b"3".to_vec(), "k")));
}

#[test]
fn checkpoints() {
    let dir = tempfile::tempdir().unwrap();
    let (s0, s1);
    {
        let db = open(dir.path());
        db.create_stream("c", 2).unwrap();
        db.create_stream("d", 2).unwrap();
        let a = put_at(&db, "c", b"a", 0).1;
        let b = put_at(&db, "c", b"b", 0).1;
        s1 = put_at(&db, "c", b"z", MAX_HASH).1;
        assert_eq!(db.get_checkpoint("c", "app", &sid(0)).unwrap(), None);
        db.checkpoint("c", "app", &sid(0), &a).unwrap();
        assert_eq!(
            db.get_checkpoint("c", "app", &sid(0)).unwrap(),
            Some(a.clone())
        );
        db.checkpoint("c", "app", &sid(0), &b).unwrap();
        s0 = b;
        db.checkpoint("c", "app", "1", &s1).unwrap();
        db.checkpoint("c", "other-app", &sid(0), &a).unwrap();
        // Per consumer and per shard; unknown consumers have none.
        assert_eq!(
            db.get_checkpoint("c", "app", "shardId-0").unwrap(),
            Some(s0.clone())
        );
        assert_eq!(
            db.get_checkpoint("c", "other-app", &sid(0)).unwrap(),
            Some(a.clone())
        );
        assert_eq!(db.get_checkpoint("c", "other-app", &sid(1)).unwrap(), None);
        assert_eq!(db.get_checkpoint("c", "nobody", &sid(0)).unwrap(), None);
        assert_eq!(db.get_checkpoint("d", "app", &sid(0)).unwrap(), None);
        // A number of another shard, malformed, or not handed out yet.
        invalid(db.checkpoint("c", "app", &sid(1), &a));
        invalid(db.checkpoint("c", "app", &sid(0), &s1));
        invalid(db.checkpoint("c", "app", &sid(0), "abc"));
        invalid(db.checkpoint("c", "app", &sid(0), ""));
        for _ in 0..5 {
            put_at(&db, "d", b"x", 0);
        }
        let ahead = put_at(&db, "d", b"x", 0).1;
        invalid(db.checkpoint("c", "app", &sid(0), &ahead));
        // Bad consumer names.
        invalid(db.checkpoint("c", "", &sid(0), &a));
        invalid(db.checkpoint("c", "a b", &sid(0), &a));
        invalid(db.get_checkpoint("c", &"x".repeat(129), &sid(0)));
        assert_eq!(
            db.get_checkpoint("c", "app", &sid(0)).unwrap(),
            Some(s0.clone())
        );
        db.close().unwrap();
    }
    // Durable across a reopen.
    let db = open(dir.path());
    assert_eq!(
        db.get_checkpoint("c", "app", &sid(0)).unwrap(),
        Some(s0.clone())
    );
    assert_eq!(
        db.get_checkpoint("c", "app", &sid(1)).unwrap(),
        Some(s1.clone())
    );
    // A consumer resumes after its checkpoint.
    put_at(&db, "c", b"after", 0);
    let recs = drain_from(&db, "c", &sid(0), K::AfterSequenceNumber(s0.clone())).0;
    assert_eq!(
        recs.into_iter().map(|r| r.data).collect::<Vec<_>>(),
        [b"after".to_vec()]
    );
    // A deleted stream's checkpoints go with it.
    db.delete_stream("c").unwrap();
    db.create_stream("c", 2).unwrap();
    assert_eq!(db.get_checkpoint("c", "app", &sid(0)).unwrap(), None);
}

#[test]
fn checkpoints_on_closed_shards() {
    let dir = tempfile::tempdir().unwrap();
    let db = open(dir.path());
    db.create_stream("c", 1).unwrap();
    let a = put(&db, "c", b"a", "k").1;
    db.split_shard("c", &sid(0), &(1u128 << 127).to_string())
        .unwrap();
    db.checkpoint("c", "app", &sid(0), &a).unwrap();
    assert_eq!(db.get_checkpoint("c", "app", &sid(0)).unwrap(), Some(a));
    let b = put(&db, "c", b"b", "k").1;
    invalid(db.checkpoint("c", "app", &sid(0), &b));
}

#[test]
fn default_read_bytes_per_second() {
    let dir = tempfile::tempdir().unwrap();
    let (db, clock) = open_clocked(dir.path());
    db.create_stream_with(StreamConfig::new("d").enforce_throughput_limits(true))
        .unwrap();
    let mib = 1 << 20;
    for i in 0..3 {
        advance_ms(&clock, 1000); // one record per second: within the write rate
        put(&db, "d", &vec![i; mib - 1], "k");
    }
    let it = iter(&db, "d", &sid(0), K::TrimHorizon);
    // Just under 2 MiB read: the next call is admitted.
    let out = db.get_records(&it, Some(2)).unwrap();
    assert_eq!(out.records.len(), 2);
    let next = out.next_shard_iterator.unwrap();
    let out = db.get_records(&next, Some(1)).unwrap();
    assert_eq!(out.records.len(), 1);
    // Over 2 MiB read in this second: the next call waits for the next one.
    let last = out.next_shard_iterator.unwrap();
    throttled(db.get_records(&last, None));
    advance_ms(&clock, 1000);
    assert!(db.get_records(&last, None).unwrap().records.is_empty());
}
