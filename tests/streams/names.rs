//! Stream names and ARNs, describe/list, shard ids, unknown streams and
//! shards, shard limits, and deleting streams.

use crate::util::*;
use aerolite::{Db, PutRecord, PutRecordsEntry, ShardIteratorType, StreamConfig, StreamStatus};
use std::time::{Duration, UNIX_EPOCH};

const ARN: &str = "arn:aws:kinesis:local:000000000000:stream/orders";

#[test]
fn describe_stream_reports_the_arn_and_settings() {
    let dir = tempfile::tempdir().unwrap();
    let (db, clock) = open_clocked(dir.path());
    clock.advance(Duration::from_millis(1234));
    db.create_stream("orders", 2).unwrap();
    let d = db.describe_stream("orders").unwrap();
    assert_eq!(d.stream_name, "orders");
    assert_eq!(d.stream_arn, ARN);
    assert_eq!(d.stream_status, StreamStatus::Active);
    assert_eq!(d.retention_period_hours, 24);
    assert_eq!(d.shards.len(), 2);
    assert_eq!(d.shards, db.list_shards("orders").unwrap());
    assert_eq!(d.open_shard_count, 2);
    assert!(!d.enforce_throughput_limits);
    assert_eq!(
        d.stream_creation_timestamp,
        UNIX_EPOCH + Duration::from_millis(T0 * 1000 + 1234)
    );
}

#[test]
fn arn_with_configured_region_and_account() {
    let dir = tempfile::tempdir().unwrap();
    let db = Db::open_with(
        dir.path(),
        opts()
            .aws_region("eu-west-1")
            .aws_account_id("123456789012"),
    )
    .unwrap();
    db.create_stream("orders", 1).unwrap();
    let arn = "arn:aws:kinesis:eu-west-1:123456789012:stream/orders";
    assert_eq!(db.describe_stream("orders").unwrap().stream_arn, arn);
    assert_eq!(db.describe_stream(arn).unwrap().stream_name, "orders");
    put(&db, arn, b"x", "k");
    let m = not_found(db.describe_stream("nope"));
    assert!(m.contains("nope") && m.contains("not found"), "{m}");
}

#[test]
fn arns_are_accepted_wherever_names_are() {
    let dir = tempfile::tempdir().unwrap();
    let db = open(dir.path());
    db.create_stream("orders", 2).unwrap();
    assert_eq!(db.describe_stream(ARN).unwrap().stream_name, "orders");
    assert_eq!(db.list_shards(ARN).unwrap().len(), 2);
    let out = db
        .put_record(PutRecord::new(ARN, b"one".to_vec(), "k"))
        .unwrap();
    let out2 = db
        .put_records(ARN, &[PutRecordsEntry::new(b"two".to_vec(), "k")])
        .unwrap();
    assert_eq!(out2.records[0].shard_id.as_ref(), Some(&out.shard_id));
    let it = db
        .get_shard_iterator(ARN, &out.shard_id, ShardIteratorType::TrimHorizon)
        .unwrap();
    let recs = db.get_records(&it, None).unwrap().records;
    assert_eq!(recs.len(), 2);
    assert_eq!(recs[0].data, b"one");
    // The same iterator kinds by name give the same records.
    assert_eq!(shard_data(&db, "orders", &out.shard_id).len(), 2);
    // Another region and account: the name inside decides.
    let foreign = "arn:aws:kinesis:us-east-1:123456789012:stream/orders";
    assert_eq!(db.describe_stream(foreign).unwrap().stream_name, "orders");
    db.increase_stream_retention_period(ARN, 48).unwrap();
    db.decrease_stream_retention_period(ARN, 36).unwrap();
    assert_eq!(
        db.describe_stream("orders").unwrap().retention_period_hours,
        36
    );
    db.checkpoint(ARN, "app", &out.shard_id, &out.sequence_number)
        .unwrap();
    assert_eq!(
        db.get_checkpoint(ARN, "app", &out.shard_id).unwrap(),
        Some(out.sequence_number.clone())
    );
    db.split_shard(ARN, &sid(0), &(1u128 << 126).to_string())
        .unwrap();
    db.merge_shards(ARN, &sid(2), &sid(3)).unwrap();
    db.update_shard_count(ARN, 4).unwrap();
    assert_eq!(db.describe_stream("orders").unwrap().open_shard_count, 4);
    // An ARN of a stream that does not exist.
    not_found(db.describe_stream("arn:aws:kinesis:local:000000000000:stream/missing"));
    db.delete_stream(ARN).unwrap();
    assert!(db.list_streams().unwrap().is_empty());
}

#[test]
fn malformed_arns_are_invalid_argument() {
    let dir = tempfile::tempdir().unwrap();
    let db = open(dir.path());
    db.create_stream("orders", 1).unwrap();
    for bad in [
        "arn:aws:kinesis:local:000000000000:orders",
        "arn:aws:kinesis:local:0000:stream/orders",
        "arn:aws:sqs:local:000000000000:stream/orders",
        "arn:aws:kinesis:local:000000000000:stream/",
        "arn:aws:kinesis:local:000000000000:stream/bad name",
        "arn:aws:kinesis:local:00000000000a:stream/orders",
        "arn:",
    ] {
        invalid(db.describe_stream(bad));
        invalid(db.put_record(PutRecord::new(bad, b"x".to_vec(), "k")));
        invalid(db.put_records(bad, &[PutRecordsEntry::new(b"x".to_vec(), "k")]));
        invalid(db.get_shard_iterator(bad, &sid(0), ShardIteratorType::Latest));
        invalid(db.delete_stream(bad));
    }
    assert_eq!(db.list_streams().unwrap(), ["orders"]);
    assert!(shard_data(&db, "orders", &sid(0)).is_empty());
}

#[test]
fn stream_names() {
    let dir = tempfile::tempdir().unwrap();
    let db = open(dir.path());
    let longest = "n".repeat(128);
    for good in ["a", "A-b_c.9", longest.as_str(), "...", "-_-"] {
        db.create_stream(good, 1).unwrap();
        put(&db, good, b"x", "k");
    }
    for bad in ["", &"n".repeat(129), "a b", "a/b", "é", "a:b", "a*", "arn"] {
        if bad == "arn" {
            continue; // a valid name
        }
        invalid(db.create_stream(bad, 1));
        invalid(db.describe_stream(bad));
    }
    let mut expected = vec![
        "-_-".to_string(),
        "...".into(),
        "A-b_c.9".into(),
        "a".into(),
        longest,
    ];
    expected.sort();
    assert_eq!(db.list_streams().unwrap(), expected);
}

#[test]
fn create_existing_is_resource_in_use() {
    let dir = tempfile::tempdir().unwrap();
    let db = open(dir.path());
    db.create_stream("dup", 2).unwrap();
    put(&db, "dup", b"keep", "k");
    let m = in_use(db.create_stream("dup", 3));
    assert!(m.contains("dup"), "{m}");
    in_use(db.create_stream_with(StreamConfig::new("dup")));
    assert_eq!(db.list_shards("dup").unwrap().len(), 2);
    let n: usize = (0..2).map(|s| shard_data(&db, "dup", &sid(s)).len()).sum();
    assert_eq!(n, 1);
}

#[test]
fn unknown_stream_is_resource_not_found_everywhere() {
    let dir = tempfile::tempdir().unwrap();
    let db = open(dir.path());
    let s = "ghost";
    let m = not_found(db.describe_stream(s));
    assert!(
        m.starts_with("Stream ghost") && m.ends_with("not found."),
        "{m}"
    );
    not_found(db.list_shards(s));
    not_found(db.put_record(PutRecord::new(s, b"x".to_vec(), "k")));
    not_found(db.put_records(s, &[PutRecordsEntry::new(b"x".to_vec(), "k")]));
    not_found(db.get_shard_iterator(s, &sid(0), ShardIteratorType::TrimHorizon));
    not_found(db.delete_stream(s));
    not_found(db.increase_stream_retention_period(s, 48));
    not_found(db.decrease_stream_retention_period(s, 24));
    not_found(db.split_shard(s, &sid(0), "100"));
    not_found(db.merge_shards(s, &sid(0), &sid(1)));
    not_found(db.update_shard_count(s, 2));
    not_found(db.checkpoint(s, "c", &sid(0), "1"));
    not_found(db.get_checkpoint(s, "c", &sid(0)));
    not_found(db.stream_stats(s));
}

#[test]
fn unknown_shard_is_resource_not_found() {
    let dir = tempfile::tempdir().unwrap();
    let db = open(dir.path());
    db.create_stream("s", 2).unwrap();
    let (_, seq) = put_at(&db, "s", b"x", 0);
    let m = not_found(db.get_shard_iterator("s", &sid(2), ShardIteratorType::TrimHorizon));
    assert!(m.contains(&sid(2)) && m.contains("does not exist"), "{m}");
    for bad in [
        "shardId-x",
        "shardId-",
        "",
        "shardId-99999999999999999999999",
    ] {
        not_found(db.get_shard_iterator("s", bad, ShardIteratorType::TrimHorizon));
    }
    not_found(db.split_shard("s", &sid(7), "100"));
    not_found(db.merge_shards("s", &sid(0), &sid(7)));
    not_found(db.merge_shards("s", &sid(7), &sid(0)));
    not_found(db.checkpoint("s", "c", &sid(9), &seq));
    not_found(db.get_checkpoint("s", "c", &sid(9)));
}

#[test]
fn shard_ids_are_lenient() {
    let dir = tempfile::tempdir().unwrap();
    let db = open(dir.path());
    db.create_stream("l", 6).unwrap();
    let (shard, _) = put_at(&db, "l", b"five", MAX_HASH);
    assert_eq!(shard, sid(5));
    assert_eq!(shard, "shardId-000000000005");
    for id in [
        "shardId-000000000005",
        "shardId-5",
        "shard-5",
        "5",
        "shardId-05",
    ] {
        let recs = drain_from(&db, "l", id, ShardIteratorType::TrimHorizon).0;
        assert_eq!(recs.len(), 1, "{id}");
        assert_eq!(recs[0].data, b"five");
    }
    db.split_shard("l", "5", &(MAX_HASH - 1000).to_string())
        .unwrap();
    let shards = db.list_shards("l").unwrap();
    assert_eq!(shards[6].shard_id, "shardId-000000000006");
    assert_eq!(
        shards[6].parent_shard_id.as_deref(),
        Some("shardId-000000000005")
    );
    db.merge_shards("l", "shardId-6", "7").unwrap();
    assert_eq!(db.list_shards("l").unwrap()[8].shard_id, sid(8));
}

#[test]
fn shard_count_zero_and_the_shard_limit() {
    let dir = tempfile::tempdir().unwrap();
    let db = Db::open_with(dir.path(), opts().stream_shard_limit(6)).unwrap();
    invalid(db.create_stream("zero", 0));
    invalid(db.create_stream_with(StreamConfig::new("zero").shard_count(0)));
    limit_exceeded(db.create_stream("seven", 7));
    db.create_stream("four", 4).unwrap();
    limit_exceeded(db.create_stream("three", 3));
    db.create_stream("two", 2).unwrap();
    assert_eq!(db.list_streams().unwrap(), ["four", "two"]);
    // Resharding past the limit.
    limit_exceeded(db.split_shard("two", &sid(0), "1000"));
    limit_exceeded(db.update_shard_count("two", 3));
    // Merging frees a shard, which a split may take again.
    db.merge_shards("four", &sid(0), &sid(1)).unwrap();
    db.split_shard("two", &sid(0), "1000").unwrap();
    limit_exceeded(db.split_shard("two", &sid(1), &(MAX_HASH - 1000).to_string()));
    // Deleting frees its shards.
    db.delete_stream("four").unwrap();
    db.create_stream("three", 3).unwrap();
    // Default limit: 500.
    let dir2 = tempfile::tempdir().unwrap();
    let db2 = open(dir2.path());
    limit_exceeded(db2.create_stream("x", 501));
    db2.create_stream("x", 500).unwrap();
    limit_exceeded(db2.create_stream("y", 1));
}

#[test]
fn delete_stream_removes_files_and_iterators() {
    let dir = tempfile::tempdir().unwrap();
    let db = open(dir.path());
    db.create_stream("del", 2).unwrap();
    for i in 0..20 {
        put(&db, "del", b"data", &format!("k{i}"));
    }
    let it = iter(&db, "del", &sid(0), ShardIteratorType::TrimHorizon);
    assert!(!db.get_records(&it, None).unwrap().records.is_empty());
    let sdir = dir.path().join("streams").join("del.stream");
    assert!(sdir.join("stream.meta").exists());
    db.delete_stream("del").unwrap();
    assert!(!sdir.exists(), "{sdir:?} still exists");
    assert!(db.list_streams().unwrap().is_empty());
    not_found(db.get_records(&it, None));
    not_found(db.describe_stream("del"));
    not_found(db.delete_stream("del"));
    // The same name again: a new, empty stream; old iterators stay dead.
    db.create_stream("del", 2).unwrap();
    not_found(db.get_records(&it, None));
    assert!(shard_data(&db, "del", &sid(0)).is_empty());
    assert!(shard_data(&db, "del", &sid(1)).is_empty());
    put(&db, "del", b"new", "k");
    not_found(db.get_records(&it, None));
    // And after a reopen.
    db.close().unwrap();
    let db = open(dir.path());
    not_found(db.get_records(&it, None));
    assert_eq!(db.list_streams().unwrap(), ["del"]);
    let n: usize = (0..2).map(|s| shard_data(&db, "del", &sid(s)).len()).sum();
    assert_eq!(n, 1);
}

#[test]
fn streams_survive_reopen() {
    let dir = tempfile::tempdir().unwrap();
    let before;
    {
        let db = open(dir.path());
        db.create_stream_with(StreamConfig::new("keep").shard_count(3).retention_hours(72))
            .unwrap();
        db.create_stream("other", 1).unwrap();
        for i in 0..30 {
            put(&db, "keep", format!("v{i}").as_bytes(), &format!("k{i}"));
        }
        before = db.describe_stream("keep").unwrap();
        db.close().unwrap();
    }
    let db = open(dir.path());
    assert_eq!(db.list_streams().unwrap(), ["keep", "other"]);
    let after = db.describe_stream("keep").unwrap();
    assert_eq!(after, before);
    let n: usize = (0..3).map(|s| shard_data(&db, "keep", &sid(s)).len()).sum();
    assert_eq!(n, 30);
    assert_eq!(db.stream_stats("keep").unwrap().records, 30);
}

#[test]
fn arns_of_other_partitions() {
    let dir = tempfile::tempdir().unwrap();
    let db = open(dir.path());
    db.create_stream("p", 1).unwrap();
    for arn in [
        "arn:aws-cn:kinesis:cn-north-1:123456789012:stream/p",
        "arn:aws-us-gov:kinesis:us-gov-west-1:123456789012:stream/p",
    ] {
        assert_eq!(db.describe_stream(arn).unwrap().stream_name, "p");
    }
    invalid(db.describe_stream("arn:gcp:kinesis:local:000000000000:stream/p"));
    invalid(db.describe_stream("arn:aws:kinesis:local:000000000000:table/p"));
}

#[test]
fn a_deletion_cut_short_is_finished_at_open() {
    let dir = tempfile::tempdir().unwrap();
    {
        let db = open(dir.path());
        db.create_stream("gone", 1).unwrap();
        db.create_stream("kept", 1).unwrap();
        put(&db, "gone", b"x", "k");
        put(&db, "kept", b"y", "k");
        db.close().unwrap();
    }
    // The metadata file goes first when a stream is deleted: a crash right
    // after that leaves a directory without it.
    let gone = dir.path().join("streams").join("gone.stream");
    std::fs::remove_file(gone.join("stream.meta")).unwrap();
    let db = open(dir.path());
    assert_eq!(db.list_streams().unwrap(), ["kept"]);
    assert!(!gone.exists());
    not_found(db.describe_stream("gone"));
    assert_eq!(shard_data(&db, "kept", &sid(0)), [b"y".to_vec()]);
    db.create_stream("gone", 1).unwrap();
    assert!(shard_data(&db, "gone", &sid(0)).is_empty());
}
