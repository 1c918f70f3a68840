//! Partition keys, record sizes, explicit hash keys and `put_records`
//! request limits. A refused put writes nothing.

use crate::util::*;
use aerolite::{Db, PutRecord, PutRecordsEntry, StreamConfig};

const MIB: usize = 1 << 20;

/// Records in every shard of `stream`.
fn total(db: &Db, stream: &str) -> usize {
    db.list_shards(stream)
        .unwrap()
        .iter()
        .map(|s| shard_data(db, stream, &s.shard_id).len())
        .sum()
}

#[test]
fn partition_key_length_in_characters() {
    let dir = tempfile::tempdir().unwrap();
    let db = open(dir.path());
    db.create_stream("pk", 2).unwrap();
    invalid(db.put_record(PutRecord::new("pk", b"x".to_vec(), "")));
    invalid(db.put_record(PutRecord::new("pk", b"x".to_vec(), &"k".repeat(257))));
    invalid(db.put_records("pk", &[PutRecordsEntry::new(b"x".to_vec(), "")]));
    invalid(db.put_records(
        "pk",
        &[PutRecordsEntry::new(b"x".to_vec(), &"k".repeat(257))],
    ));
    assert_eq!(total(&db, "pk"), 0);
    put(&db, "pk", b"x", &"k".repeat(256));
    put(&db, "pk", b"x", "k");
    // Characters, not bytes: 256 two-byte and four-byte characters pass.
    put(&db, "pk", b"x", &"é".repeat(256));
    put(&db, "pk", b"x", &"😀".repeat(256));
    invalid(db.put_record(PutRecord::new("pk", b"x".to_vec(), &"é".repeat(257))));
    invalid(db.put_record(PutRecord::new("pk", b"x".to_vec(), &"😀".repeat(257))));
    assert_eq!(total(&db, "pk"), 4);
    let keys: Vec<String> = (0..2)
        .flat_map(|s| drain_from(&db, "pk", &sid(s), aerolite::ShardIteratorType::TrimHorizon).0)
        .map(|r| r.partition_key)
        .collect();
    assert!(keys.contains(&"😀".repeat(256)));
    assert!(keys.contains(&"é".repeat(256)));
}

#[test]
fn empty_data_is_accepted() {
    let dir = tempfile::tempdir().unwrap();
    let db = open(dir.path());
    db.create_stream("empty", 1).unwrap();
    put(&db, "empty", b"", "k");
    let out = db
        .put_records("empty", &[PutRecordsEntry::new(Vec::new(), "k")])
        .unwrap();
    assert_eq!(out.failed_record_count, 0);
    assert_eq!(shard_data(&db, "empty", &sid(0)), vec![Vec::<u8>::new(); 2]);
}

/// Data of exactly `max` bytes with its key is accepted, one byte more is
/// not, for put_record and put_records.
fn check_max_record_size(db: &Db, stream: &str, max: usize) {
    for key in ["k", "key-0123456789", "ключ"] {
        let data = vec![7u8; max - key.len()];
        let out = db
            .put_record(PutRecord::new(stream, data.clone(), key))
            .unwrap();
        let recs = drain_from(
            db,
            stream,
            &out.shard_id,
            aerolite::ShardIteratorType::AtSequenceNumber(out.sequence_number.clone()),
        )
        .0;
        assert_eq!(recs[0].data.len(), max - key.len());
        let out = db
            .put_records(stream, &[PutRecordsEntry::new(data.clone(), key)])
            .unwrap();
        assert_eq!(out.failed_record_count, 0);
        let mut big = data;
        big.push(0);
        invalid(db.put_record(PutRecord::new(stream, big.clone(), key)));
        invalid(db.put_records(stream, &[PutRecordsEntry::new(big, key)]));
    }
    assert_eq!(total(db, stream), 6);
}

#[test]
fn max_record_size_default_one_mib() {
    let dir = tempfile::tempdir().unwrap();
    let db = open(dir.path());
    db.create_stream("big", 1).unwrap();
    assert_eq!(
        db.describe_stream("big").unwrap().max_record_size_bytes,
        1_048_576
    );
    check_max_record_size(&db, "big", MIB);
}

#[test]
fn max_record_size_configured() {
    let dir = tempfile::tempdir().unwrap();
    let db = open(dir.path());
    db.create_stream_with(StreamConfig::new("small").max_record_size_kib(4))
        .unwrap();
    check_max_record_size(&db, "small", 4096);
    db.create_stream_with(StreamConfig::new("huge").max_record_size_kib(2048))
        .unwrap();
    check_max_record_size(&db, "huge", 2 * MIB);
    // Up to 10 MiB, the maximum of the PutRecord documentation.
    db.create_stream_with(StreamConfig::new("max").max_record_size_kib(10240))
        .unwrap();
    assert_eq!(
        db.describe_stream("max").unwrap().max_record_size_bytes,
        10_485_760
    );
    let data = vec![1u8; 10 * MIB - 1];
    put(&db, "max", &data, "k");
    invalid(db.put_record(PutRecord::new("max", vec![1u8; 10 * MIB], "k")));
    invalid(db.create_stream_with(StreamConfig::new("over").max_record_size_kib(10241)));
    invalid(db.create_stream_with(StreamConfig::new("zero").max_record_size_kib(0)));
    assert!(!db.list_streams().unwrap().contains(&"over".to_string()));
}

#[test]
fn max_record_size_survives_reopen() {
    let dir = tempfile::tempdir().unwrap();
    {
        let db = open(dir.path());
        db.create_stream_with(StreamConfig::new("cfg").max_record_size_kib(3))
            .unwrap();
        db.close().unwrap();
    }
    let db = open(dir.path());
    assert_eq!(
        db.describe_stream("cfg").unwrap().max_record_size_bytes,
        3072
    );
    put(&db, "cfg", &[0; 3071], "k");
    invalid(db.put_record(PutRecord::new("cfg", vec![0; 3072], "k")));
}

#[test]
fn explicit_hash_key_out_of_range_or_malformed() {
    let dir = tempfile::tempdir().unwrap();
    let db = open(dir.path());
    db.create_stream("x", 3).unwrap();
    let two_128 = "340282366920938463463374607431768211456";
    for bad in [
        two_128,
        "340282366920938463463374607431768211457",
        "999999999999999999999999999999999999999",
        "1000000000000000000000000000000000000000",
        "01",
        "00",
        "-1",
        "abc",
        "",
        " 1",
        "1.5",
        "+1",
    ] {
        invalid(db.put_record(PutRecord::new("x", b"v".to_vec(), "k").explicit_hash_key(bad)));
        // One bad entry fails the whole call: nothing is written.
        let entries = [
            PutRecordsEntry::new(b"ok".to_vec(), "k"),
            PutRecordsEntry::new(b"ok".to_vec(), "k").explicit_hash_key("0"),
            PutRecordsEntry::new(b"bad".to_vec(), "k").explicit_hash_key(bad),
            PutRecordsEntry::new(b"ok".to_vec(), "k"),
        ];
        invalid(db.put_records("x", &entries));
    }
    assert_eq!(total(&db, "x"), 0);
    // 2^128 − 1 and 0 are valid.
    assert_eq!(put_at(&db, "x", b"v", MAX_HASH).0, sid(2));
    assert_eq!(put_at(&db, "x", b"v", 0).0, sid(0));
    assert_eq!(
        db.put_record(
            PutRecord::new("x", b"v".to_vec(), "k")
                .explicit_hash_key("340282366920938463463374607431768211455")
        )
        .unwrap()
        .shard_id,
        sid(2)
    );
}

#[test]
fn put_records_with_one_invalid_entry_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let db = open(dir.path());
    db.create_stream("all", 2).unwrap();
    let mut entries: Vec<PutRecordsEntry> = (0..10)
        .map(|i| PutRecordsEntry::new(vec![i], &format!("k{i}")))
        .collect();
    entries.push(PutRecordsEntry::new(vec![0; MIB], "k"));
    invalid(db.put_records("all", &entries));
    entries.pop();
    entries.push(PutRecordsEntry::new(vec![0], ""));
    invalid(db.put_records("all", &entries));
    assert_eq!(total(&db, "all"), 0);
    entries.pop();
    assert_eq!(
        db.put_records("all", &entries).unwrap().failed_record_count,
        0
    );
    assert_eq!(total(&db, "all"), 10);
}

#[test]
fn put_records_entry_count() {
    let dir = tempfile::tempdir().unwrap();
    let db = open(dir.path());
    db.create_stream("n", 2).unwrap();
    invalid(db.put_records("n", &[]));
    let entries: Vec<PutRecordsEntry> = (0..501)
        .map(|i| PutRecordsEntry::new(vec![1], &format!("k{i}")))
        .collect();
    invalid(db.put_records("n", &entries));
    assert_eq!(total(&db, "n"), 0);
    let out = db.put_records("n", &entries[..500]).unwrap();
    assert_eq!(out.failed_record_count, 0);
    assert_eq!(out.records.len(), 500);
    assert_eq!(total(&db, "n"), 500);
    // Results are in request order: entry i went to the shard of k{i}.
    for (i, r) in out.records.iter().enumerate() {
        let hash = md5_hash(&format!("k{i}"));
        let shard = u32::from(hash >= 1u128 << 127);
        assert_eq!(r.shard_id.as_deref(), Some(sid(shard).as_str()));
    }
}

#[test]
fn put_records_total_size() {
    let dir = tempfile::tempdir().unwrap();
    let db = open(dir.path());
    db.create_stream("t", 2).unwrap();
    // Exactly 10 MiB of data and partition keys: accepted.
    let exact: Vec<PutRecordsEntry> = (0..10)
        .map(|i| {
            let key = format!("k{i}");
            PutRecordsEntry::new(vec![i as u8; MIB - key.len()], &key)
        })
        .collect();
    let out = db.put_records("t", &exact).unwrap();
    assert_eq!(out.failed_record_count, 0);
    assert_eq!(total(&db, "t"), 10);
    // One byte more (in a partition key): refused, nothing written.
    let mut over = exact.clone();
    over.push(PutRecordsEntry::new(Vec::new(), "z"));
    invalid(db.put_records("t", &over));
    // Many small entries over 10 MiB, each valid.
    let over: Vec<PutRecordsEntry> = (0..11)
        .map(|i| PutRecordsEntry::new(vec![0; MIB - 10], &format!("k{i}")))
        .collect();
    invalid(db.put_records("t", &over));
    // Entries within a large max record size but over 10 MiB together.
    db.create_stream_with(StreamConfig::new("large").max_record_size_kib(8192))
        .unwrap();
    let two = [
        PutRecordsEntry::new(vec![0; 6 * MIB], "a"),
        PutRecordsEntry::new(vec![0; 6 * MIB], "b"),
    ];
    invalid(db.put_records("large", &two));
    assert_eq!(total(&db, "large"), 0);
    assert_eq!(total(&db, "t"), 10);
}

#[test]
fn records_larger_than_a_segment() {
    let dir = tempfile::tempdir().unwrap();
    let options = opts().segment_size(16 * 1024);
    {
        let db = Db::open_with(dir.path(), options.clone()).unwrap();
        db.create_stream("big", 1).unwrap();
        for i in 0..3u8 {
            put(&db, "big", &vec![i; MIB - 1], "k");
            put(&db, "big", &[i; 10], "k");
        }
        let data = shard_data(&db, "big", &sid(0));
        assert_eq!(data.len(), 6);
        assert_eq!(data[4], vec![2u8; MIB - 1]);
        db.close().unwrap();
    }
    let db = Db::open_with(dir.path(), options).unwrap();
    let data = shard_data(&db, "big", &sid(0));
    assert_eq!(data.len(), 6);
    assert_eq!(data[2], vec![1u8; MIB - 1]);
    assert_eq!(data[5], vec![2u8; 10]);
}
