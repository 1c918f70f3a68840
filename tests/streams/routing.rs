//! Hash ranges, MD5 routing, explicit hash keys, sequence numbers and
//! `put_records` results.

use crate::util::*;
use aerolite::{EncryptionType, PutRecord, PutRecordsEntry, ShardIteratorType};
use std::collections::{HashMap, HashSet};

#[test]
fn three_shard_hash_boundaries() {
    let dir = tempfile::tempdir().unwrap();
    let db = open(dir.path());
    db.create_stream("s3", 3).unwrap();
    let shards = db.list_shards("s3").unwrap();
    let ids: Vec<&str> = shards.iter().map(|s| s.shard_id.as_str()).collect();
    assert_eq!(ids, [sid(0), sid(1), sid(2)]);
    let ranges: Vec<(&str, &str)> = shards
        .iter()
        .map(|s| {
            (
                s.hash_key_range.starting_hash_key.as_str(),
                s.hash_key_range.ending_hash_key.as_str(),
            )
        })
        .collect();
    assert_eq!(
        ranges,
        [
            ("0", "113427455640312821154458202477256070484"),
            (
                "113427455640312821154458202477256070485",
                "226854911280625642308916404954512140969"
            ),
            (
                "226854911280625642308916404954512140970",
                "340282366920938463463374607431768211455"
            ),
        ]
    );
    for s in &shards {
        assert_eq!(s.parent_shard_id, None);
        assert_eq!(s.adjacent_parent_shard_id, None);
        assert_eq!(s.sequence_number_range.ending_sequence_number, None);
    }
}

#[test]
fn two_and_one_shard_hash_boundaries() {
    let dir = tempfile::tempdir().unwrap();
    let db = open(dir.path());
    db.create_stream("s2", 2).unwrap();
    let s = db.list_shards("s2").unwrap();
    assert_eq!(range(&s[0]), (0, (1u128 << 127) - 1));
    assert_eq!(range(&s[1]), (1u128 << 127, MAX_HASH));
    assert_eq!(
        s[0].hash_key_range.ending_hash_key,
        "170141183460469231731687303715884105727"
    );
    assert_eq!(
        s[1].hash_key_range.starting_hash_key,
        "170141183460469231731687303715884105728"
    );
    db.create_stream("s1", 1).unwrap();
    let s = db.list_shards("s1").unwrap();
    assert_eq!(range(&s[0]), (0, MAX_HASH));
    for n in [4u32, 5, 7, 16] {
        let name = format!("n{n}");
        db.create_stream(&name, n).unwrap();
        assert_uniform(&db, &name, n);
        assert_covered(&db, &name);
    }
}

#[test]
fn routing_vectors_of_the_spec() {
    let dir = tempfile::tempdir().unwrap();
    let db = open(dir.path());
    db.create_stream("r", 3).unwrap();
    for (key, shard) in [("a", 0), ("b", 1), ("e", 2), ("f", 1)] {
        assert_eq!(put(&db, "r", b"x", key).0, sid(shard), "key {key}");
    }
    let two_h = 2 * h(3);
    for (hash, shard) in [
        (MAX_HASH, 2),
        (two_h - 1, 1),
        (two_h, 2),
        (0, 0),
        (h(3) - 1, 0),
        (h(3), 1),
    ] {
        assert_eq!(put_at(&db, "r", b"x", hash).0, sid(shard), "hash {hash}");
    }
    assert_eq!(
        put_at(&db, "r", b"x", 226854911280625642308916404954512140969).0,
        sid(1)
    );
}

#[test]
fn routing_follows_md5_of_the_partition_key() {
    let dir = tempfile::tempdir().unwrap();
    let db = open(dir.path());
    db.create_stream("m", 5).unwrap();
    let shards = db.list_shards("m").unwrap();
    for i in 0..300 {
        // ASCII and multibyte keys: MD5 of the UTF-8 bytes.
        let key = if i % 3 == 0 {
            format!("ключ-{i}")
        } else {
            format!("user-{i}")
        };
        let hash = md5_hash(&key);
        let expected = shards
            .iter()
            .find(|s| {
                let (lo, hi) = range(s);
                lo <= hash && hash <= hi
            })
            .unwrap();
        assert_eq!(put(&db, "m", b"x", &key).0, expected.shard_id, "key {key}");
    }
}

#[test]
fn explicit_hash_key_overrides_routing_and_keeps_the_partition_key() {
    let dir = tempfile::tempdir().unwrap();
    let db = open(dir.path());
    db.create_stream("e", 3).unwrap();
    // "a" hashes into shard 0; the explicit key sends it to shard 2.
    let out = db
        .put_record(
            PutRecord::new("e", b"v".to_vec(), "a").explicit_hash_key(&MAX_HASH.to_string()),
        )
        .unwrap();
    assert_eq!(out.shard_id, sid(2));
    let recs = drain_from(&db, "e", &sid(2), ShardIteratorType::TrimHorizon).0;
    assert_eq!(recs.len(), 1);
    assert_eq!(recs[0].partition_key, "a");
    assert_eq!(recs[0].data, b"v");
    assert_eq!(recs[0].sequence_number, out.sequence_number);
    assert!(shard_data(&db, "e", &sid(0)).is_empty());
}

/// Entries for shards [0,1,2,1,2,1,2] of a 3-shard stream.
const PATTERN: [u32; 7] = [0, 1, 2, 1, 2, 1, 2];

fn check_seven(db: &aerolite::Db, stream: &str, out: &aerolite::PutRecordsOutput) {
    assert_eq!(out.failed_record_count, 0);
    assert_eq!(out.records.len(), 7);
    let mut last: HashMap<String, String> = HashMap::new();
    for (i, r) in out.records.iter().enumerate() {
        assert_eq!(
            r.shard_id.as_deref(),
            Some(sid(PATTERN[i]).as_str()),
            "entry {i}"
        );
        assert_eq!(r.error_code, None);
        assert_eq!(r.error_message, None);
        let seq = r.sequence_number.clone().unwrap();
        let shard = r.shard_id.clone().unwrap();
        if let Some(prev) = last.get(&shard) {
            assert!(seq_lt(prev, &seq), "entry {i}: {prev} then {seq}");
        }
        last.insert(shard, seq);
    }
    // Each shard holds its entries in request order, with those numbers.
    for shard in 0..3u32 {
        let recs = drain_from(db, stream, &sid(shard), ShardIteratorType::TrimHorizon).0;
        let expected: Vec<(Vec<u8>, String)> = out
            .records
            .iter()
            .enumerate()
            .filter(|(i, _)| PATTERN[*i] == shard)
            .map(|(i, r)| (vec![i as u8], r.sequence_number.clone().unwrap()))
            .collect();
        let got: Vec<(Vec<u8>, String)> = recs
            .into_iter()
            .map(|r| (r.data, r.sequence_number))
            .collect();
        assert_eq!(got, expected, "shard {shard}");
    }
}

#[test]
fn put_records_of_seven_with_explicit_keys_lands_on_0121212() {
    let dir = tempfile::tempdir().unwrap();
    let db = open(dir.path());
    db.create_stream("seven", 3).unwrap();
    let hs = h(3);
    let keys = [0, hs, 2 * hs, hs + 5, MAX_HASH, 2 * hs - 1, 2 * hs + 7];
    let entries: Vec<PutRecordsEntry> = keys
        .iter()
        .enumerate()
        .map(|(i, k)| PutRecordsEntry::new(vec![i as u8], "pk").explicit_hash_key(&k.to_string()))
        .collect();
    let out = db.put_records("seven", &entries).unwrap();
    assert_eq!(out.encryption_type, EncryptionType::None);
    check_seven(&db, "seven", &out);
}

#[test]
fn put_records_of_seven_with_partition_keys_lands_on_0121212() {
    let dir = tempfile::tempdir().unwrap();
    let db = open(dir.path());
    db.create_stream("seven", 3).unwrap();
    // Find partition keys for each shard by their MD5.
    let mut by_shard: HashMap<u32, Vec<String>> = HashMap::new();
    for i in 0.. {
        let key = format!("k{i}");
        let shard = (0..3u32)
            .find(|&s| {
                let (lo, hi) = uniform(u128::from(s), 3);
                (lo..=hi).contains(&md5_hash(&key))
            })
            .unwrap();
        by_shard.entry(shard).or_default().push(key);
        if (0..3).all(|s| by_shard.get(&s).map_or(0, Vec::len) >= 3) {
            break;
        }
    }
    let mut used: HashMap<u32, usize> = HashMap::new();
    let entries: Vec<PutRecordsEntry> = PATTERN
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let n = used.entry(*s).or_insert(0);
            *n += 1;
            PutRecordsEntry::new(vec![i as u8], &by_shard[s][*n - 1])
        })
        .collect();
    let out = db.put_records("seven", &entries).unwrap();
    check_seven(&db, "seven", &out);
}

#[test]
fn sequence_numbers_are_unique_increasing_and_short() {
    let dir = tempfile::tempdir().unwrap();
    let db = open(dir.path());
    db.create_stream("q", 4).unwrap();
    let mut all = HashSet::new();
    let mut last: HashMap<String, String> = HashMap::new();
    for i in 0..400 {
        let (shard, seq) = if i % 2 == 0 {
            put(&db, "q", b"d", &format!("p{i}"))
        } else {
            let out = db
                .put_records(
                    "q",
                    &[PutRecordsEntry::new(b"d".to_vec(), &format!("p{i}"))],
                )
                .unwrap();
            let r = &out.records[0];
            (
                r.shard_id.clone().unwrap(),
                r.sequence_number.clone().unwrap(),
            )
        };
        assert!(!seq.is_empty() && seq.len() <= 129, "{seq}");
        assert!(seq.bytes().all(|b| b.is_ascii_digit()), "{seq}");
        assert!(!seq.starts_with('0'), "{seq}");
        assert!(all.insert(seq.clone()), "duplicate {seq}");
        if let Some(prev) = last.get(&shard) {
            assert!(seq_lt(prev, &seq), "{prev} then {seq} in {shard}");
        }
        last.insert(shard, seq);
    }
    // What the reads return is the same set.
    let mut read = HashSet::new();
    for s in 0..4 {
        let seqs = shard_seqs(&db, "q", &sid(s));
        assert!(seqs.windows(2).all(|w| seq_lt(&w[0], &w[1])));
        read.extend(seqs);
    }
    assert_eq!(read, all);
    assert_sequence_ranges(&db, "q");
}

#[test]
fn sequence_numbers_keep_growing_across_reopen() {
    let dir = tempfile::tempdir().unwrap();
    let mut before = Vec::new();
    {
        let db = open(dir.path());
        db.create_stream("g", 2).unwrap();
        for i in 0..50 {
            before.push(put(&db, "g", b"x", &format!("k{i}")));
        }
        db.close().unwrap();
    }
    let db = open(dir.path());
    let max_before = before.iter().map(|(_, s)| seq_key(s)).max().unwrap();
    for i in 0..50 {
        let (_, seq) = put(&db, "g", b"y", &format!("k{i}"));
        assert!(seq_key(&seq) > max_before);
    }
    let mut n = 0;
    for s in 0..2 {
        let seqs = shard_seqs(&db, "g", &sid(s));
        assert!(seqs.windows(2).all(|w| seq_lt(&w[0], &w[1])));
        n += seqs.len();
    }
    assert_eq!(n, 100);
    for (shard, seq) in &before {
        let recs = drain_from(
            &db,
            "g",
            shard,
            ShardIteratorType::AtSequenceNumber(seq.clone()),
        )
        .0;
        assert_eq!(&recs[0].sequence_number, seq);
    }
}

#[test]
fn sequence_number_for_ordering() {
    let dir = tempfile::tempdir().unwrap();
    let db = open(dir.path());
    db.create_stream("o", 2).unwrap();
    db.create_stream("other", 8).unwrap();
    let (_, first) = put(&db, "o", b"1", "k");
    let out = db
        .put_record(PutRecord::new("o", b"2".to_vec(), "k").sequence_number_for_ordering(&first))
        .unwrap();
    assert!(seq_lt(&first, &out.sequence_number));
    // A number of the other shard of this stream is valid too.
    let (_, other_shard) = put_at(&db, "o", b"3", MAX_HASH);
    let out2 = db
        .put_record(
            PutRecord::new("o", b"4".to_vec(), "k").sequence_number_for_ordering(&other_shard),
        )
        .unwrap();
    assert!(seq_lt(&other_shard, &out2.sequence_number));
    assert!(seq_lt(&out.sequence_number, &out2.sequence_number));
    // Malformed numbers.
    for bad in [
        "",
        "abc",
        "-1",
        "01",
        "12345678901234567890123456789012345678901234567890",
    ] {
        invalid(
            db.put_record(
                PutRecord::new("o", b"x".to_vec(), "k").sequence_number_for_ordering(bad),
            ),
        );
    }
    // A number of a shard this stream does not have.
    let (s7, foreign) = put_at(&db, "other", b"x", MAX_HASH);
    assert_eq!(s7, sid(7));
    invalid(db.put_record(
        PutRecord::new("o", b"x".to_vec(), "k").sequence_number_for_ordering(&foreign),
    ));
    // A number not handed out yet.
    for _ in 0..20 {
        put(&db, "other", b"x", "k");
    }
    let (_, ahead) = put_at(&db, "other", b"x", 0);
    invalid(
        db.put_record(PutRecord::new("o", b"x".to_vec(), "k").sequence_number_for_ordering(&ahead)),
    );
    // The failed puts wrote nothing.
    let n: usize = (0..2).map(|s| shard_data(&db, "o", &sid(s)).len()).sum();
    assert_eq!(n, 4);
}

#[test]
fn encryption_type_is_none() {
    let dir = tempfile::tempdir().unwrap();
    let db = open(dir.path());
    db.create_stream("enc", 1).unwrap();
    let out = db
        .put_record(PutRecord::new("enc", b"x".to_vec(), "k"))
        .unwrap();
    assert_eq!(out.encryption_type, EncryptionType::None);
    let out = db
        .put_records("enc", &[PutRecordsEntry::new(b"y".to_vec(), "k")])
        .unwrap();
    assert_eq!(out.encryption_type, EncryptionType::None);
    let recs = shard_data(&db, "enc", &sid(0));
    assert_eq!(recs, [b"x".to_vec(), b"y".to_vec()]);
    let d = db.describe_stream("enc").unwrap();
    assert_eq!(d.encryption_type, EncryptionType::None);
}

#[test]
fn concurrent_writers_get_unique_per_shard_increasing_numbers() {
    let dir = tempfile::tempdir().unwrap();
    let db = std::sync::Arc::new(open(dir.path()));
    db.create_stream("c", 3).unwrap();
    let threads: Vec<_> = (0..4)
        .map(|t| {
            let db = db.clone();
            std::thread::spawn(move || {
                let mut mine = Vec::new();
                for i in 0..300 {
                    let data = format!("{t}-{i}").into_bytes();
                    let (shard, seq) = if i % 3 == 0 {
                        let out = db
                            .put_records(
                                "c",
                                &[PutRecordsEntry::new(data.clone(), &format!("k{i}"))],
                            )
                            .unwrap();
                        let r = &out.records[0];
                        (
                            r.shard_id.clone().unwrap(),
                            r.sequence_number.clone().unwrap(),
                        )
                    } else {
                        put(&db, "c", &data, &format!("k{i}"))
                    };
                    mine.push((shard, seq, data));
                }
                mine
            })
        })
        .collect();
    let mut acked: HashMap<String, (String, Vec<u8>)> = HashMap::new();
    for t in threads {
        for (shard, seq, data) in t.join().unwrap() {
            assert!(acked.insert(seq, (shard, data)).is_none());
        }
    }
    assert_eq!(acked.len(), 1200);
    let mut n = 0;
    for s in 0..3 {
        let recs = drain_from(&db, "c", &sid(s), ShardIteratorType::TrimHorizon).0;
        assert!(recs
            .windows(2)
            .all(|w| seq_lt(&w[0].sequence_number, &w[1].sequence_number)));
        // Each writer's records appear in its own order.
        let mut last_of: HashMap<String, u32> = HashMap::new();
        for r in &recs {
            let (shard, data) = &acked[&r.sequence_number];
            assert_eq!((shard, data), (&sid(s), &r.data));
            let text = String::from_utf8(r.data.clone()).unwrap();
            let (t, i) = text.split_once('-').unwrap();
            let i: u32 = i.parse().unwrap();
            if let Some(prev) = last_of.insert(t.to_string(), i) {
                assert!(prev < i);
            }
        }
        n += recs.len();
    }
    assert_eq!(n, 1200);
}

/// A sequence number names its stream: one of another stream (or of an
/// earlier stream of the same name) is refused wherever a number is taken,
/// even when that stream has the same shard and has reached its position.
#[test]
fn sequence_numbers_of_another_stream_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let db = aerolite::Db::open(dir.path()).unwrap();
    db.create_stream("a", 1).unwrap();
    db.create_stream("b", 1).unwrap();
    let mut from_a = String::new();
    for i in 0..3 {
        from_a = db
            .put_record(aerolite::PutRecord::new("a", vec![i], "k"))
            .unwrap()
            .sequence_number;
        db.put_record(aerolite::PutRecord::new("b", vec![i], "k"))
            .unwrap();
    }
    let invalid =
        |r: aerolite::Result<String>| matches!(r, Err(aerolite::Error::InvalidArgument(_)));
    let at = aerolite::ShardIteratorType::AtSequenceNumber(from_a.clone());
    assert!(invalid(db.get_shard_iterator(
        "b",
        "shardId-000000000000",
        at
    )));
    let after = aerolite::ShardIteratorType::AfterSequenceNumber(from_a.clone());
    assert!(invalid(db.get_shard_iterator(
        "b",
        "shardId-000000000000",
        after
    )));
    assert!(matches!(
        db.checkpoint("b", "app", "shardId-000000000000", &from_a),
        Err(aerolite::Error::InvalidArgument(_))
    ));
    let ordered = aerolite::PutRecord::new("b", vec![9], "k").sequence_number_for_ordering(&from_a);
    assert!(matches!(
        db.put_record(ordered),
        Err(aerolite::Error::InvalidArgument(_))
    ));
    // A stream deleted and created again is another stream.
    db.delete_stream("a").unwrap();
    db.create_stream("a", 1).unwrap();
    for i in 0..5 {
        db.put_record(aerolite::PutRecord::new("a", vec![i], "k"))
            .unwrap();
    }
    let at = aerolite::ShardIteratorType::AtSequenceNumber(from_a);
    assert!(invalid(db.get_shard_iterator(
        "a",
        "shardId-000000000000",
        at
    )));
}
