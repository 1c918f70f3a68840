//! Splitting, merging and uniform rescaling: parents close, children take
//! the writes at once, parents stay readable and lead to their children.

use crate::util::*;
use aerolite::{ChildShard, Db, HashKeyRange, ShardIteratorType as K};

fn hkr(lo: u128, hi: u128) -> HashKeyRange {
    HashKeyRange {
        starting_hash_key: lo.to_string(),
        ending_hash_key: hi.to_string(),
    }
}

/// Reads `shard` from TRIM_HORIZON to its end: its records' data and the
/// last output (whose next iterator is `None` for a closed shard).
fn read_to_end(db: &Db, stream: &str, shard: &str) -> (Vec<Vec<u8>>, aerolite::GetRecordsOutput) {
    let (recs, last) = drain_from(db, stream, shard, K::TrimHorizon);
    (recs.into_iter().map(|r| r.data).collect(), last)
}

#[test]
fn split_shard() {
    let dir = tempfile::tempdir().unwrap();
    let db = open(dir.path());
    db.create_stream("s", 2).unwrap();
    let (_, before) = put_at(&db, "s", b"p0", 10);
    put_at(&db, "s", b"p1", 5000);
    put_at(&db, "s", b"other", MAX_HASH);
    let end0 = (1u128 << 127) - 1;
    let k = 1000;
    db.split_shard("s", &sid(0), &k.to_string()).unwrap();
    let shards = db.list_shards("s").unwrap();
    assert_eq!(shards.len(), 4);
    let parent = &shards[0];
    let ending = parent
        .sequence_number_range
        .ending_sequence_number
        .clone()
        .expect("closed");
    assert!(!seq_lt(&ending, &before), "{ending} < {before}");
    assert_eq!(range(&shards[2]), (0, k - 1));
    assert_eq!(range(&shards[3]), (k, end0));
    for c in &shards[2..] {
        assert_eq!(c.parent_shard_id.as_deref(), Some(sid(0).as_str()));
        assert_eq!(c.adjacent_parent_shard_id, None);
        assert_eq!(c.sequence_number_range.ending_sequence_number, None);
        assert!(
            seq_lt(&ending, &c.sequence_number_range.starting_sequence_number)
                || ending == c.sequence_number_range.starting_sequence_number
        );
    }
    assert_eq!(shards[1].sequence_number_range.ending_sequence_number, None);
    assert_covered(&db, "s");
    // Writes go to the children at once.
    let (c_lo, seq_lo) = put_at(&db, "s", b"c-lo", 10);
    let (c_hi, seq_hi) = put_at(&db, "s", b"c-hi", 5000);
    assert_eq!((c_lo, c_hi), (sid(2), sid(3)));
    assert_eq!(put_at(&db, "s", b"c-lo2", k - 1).0, sid(2));
    assert_eq!(put_at(&db, "s", b"c-hi2", k).0, sid(3));
    assert_eq!(
        put(&db, "s", b"x", "a").0,
        if md5_hash("a") < k { sid(2) } else { sid(3) }
    );
    assert!(seq_lt(&ending, &seq_lo) && seq_lt(&ending, &seq_hi));
    assert_sequence_ranges(&db, "s");
    // The parent holds only what came before, then ends with its children.
    let (data, last) = read_to_end(&db, "s", &sid(0));
    assert_eq!(data, [b"p0".to_vec(), b"p1".to_vec()]);
    assert_eq!(last.next_shard_iterator, None);
    assert_eq!(last.millis_behind_latest, 0);
    assert_eq!(
        last.child_shards,
        [
            ChildShard {
                shard_id: sid(2),
                parent_shards: vec![sid(0)],
                hash_key_range: hkr(0, k - 1)
            },
            ChildShard {
                shard_id: sid(3),
                parent_shards: vec![sid(0)],
                hash_key_range: hkr(k, end0)
            },
        ]
    );
    // Read with a limit: the end shows only once the last record is read.
    let it = iter(&db, "s", &sid(0), K::TrimHorizon);
    let first = db.get_records(&it, Some(1)).unwrap();
    assert_eq!(first.records.len(), 1);
    assert!(first.child_shards.is_empty());
    let second = db
        .get_records(first.next_shard_iterator.as_ref().unwrap(), Some(1))
        .unwrap();
    assert_eq!(second.records[0].data, b"p1");
    let end = match second.next_shard_iterator {
        None => second,
        Some(n) => db.get_records(&n, Some(1)).unwrap(),
    };
    assert_eq!(end.next_shard_iterator, None);
    assert_eq!(end.child_shards.len(), 2);
    // AFTER its last record: at its end as well.
    let last_seq = shard_seqs(&db, "s", &sid(0)).pop().unwrap();
    let after = iter(&db, "s", &sid(0), K::AfterSequenceNumber(last_seq));
    let out = db.get_records(&after, None).unwrap();
    assert!(out.records.is_empty());
    assert_eq!(out.next_shard_iterator, None);
    assert_eq!(out.child_shards, last.child_shards);
    // LATEST on a closed shard: at its end.
    let latest = iter(&db, "s", &sid(0), K::Latest);
    let out = db.get_records(&latest, None).unwrap();
    assert!(out.records.is_empty());
    assert_eq!(out.next_shard_iterator, None);
    assert_eq!(out.child_shards.len(), 2);
    // The untouched shard and the children read normally.
    assert_eq!(shard_data(&db, "s", &sid(1)), [b"other".to_vec()]);
    assert_eq!(
        shard_data(&db, "s", &sid(2)),
        [b"c-lo".to_vec(), b"c-lo2".to_vec()]
    );
    let (_, open_last) = drain_from(&db, "s", &sid(3), K::TrimHorizon);
    assert!(open_last.next_shard_iterator.is_some());
    assert!(open_last.child_shards.is_empty());
}

#[test]
fn split_key_bounds() {
    let dir = tempfile::tempdir().unwrap();
    let db = open(dir.path());
    db.create_stream("b", 3).unwrap();
    let (start, end) = uniform(1, 3);
    invalid(db.split_shard("b", &sid(1), &start.to_string()));
    invalid(db.split_shard("b", &sid(1), &(start + 1).to_string()));
    invalid(db.split_shard("b", &sid(1), &end.to_string()));
    invalid(db.split_shard("b", &sid(1), &(end + 1).to_string()));
    invalid(db.split_shard("b", &sid(1), "0"));
    for bad in [
        "",
        "abc",
        "-1",
        "01",
        "340282366920938463463374607431768211456",
    ] {
        invalid(db.split_shard("b", &sid(1), bad));
    }
    assert_eq!(db.list_shards("b").unwrap().len(), 3);
    db.split_shard("b", &sid(1), &(start + 2).to_string())
        .unwrap();
    let shards = db.list_shards("b").unwrap();
    assert_eq!(range(&shards[3]), (start, start + 1));
    assert_eq!(range(&shards[4]), (start + 2, end));
    // end − 1 is the other extreme that works.
    db.split_shard("b", &sid(4), &(end - 1).to_string())
        .unwrap();
    let shards = db.list_shards("b").unwrap();
    assert_eq!(range(&shards[6]), (end - 1, end));
    assert_covered(&db, "b");
    // The first shard at 2, the last at 2^128 − 2.
    db.split_shard("b", &sid(0), "2").unwrap();
    db.split_shard("b", &sid(2), &(MAX_HASH - 1).to_string())
        .unwrap();
    assert_covered(&db, "b");
}

#[test]
fn closed_shards_cannot_be_split_or_merged_again() {
    let dir = tempfile::tempdir().unwrap();
    let db = open(dir.path());
    db.create_stream("c", 3).unwrap();
    db.split_shard("c", &sid(0), "1000").unwrap();
    in_use(db.split_shard("c", &sid(0), "500"));
    in_use(db.split_shard("c", &sid(0), "2000"));
    in_use(db.merge_shards("c", &sid(0), &sid(1)));
    db.merge_shards("c", &sid(1), &sid(2)).unwrap();
    in_use(db.merge_shards("c", &sid(1), &sid(2)));
    in_use(db.split_shard("c", &sid(2), &(MAX_HASH - 10).to_string()));
    in_use(db.merge_shards("c", &sid(4), &sid(1)));
    assert_eq!(db.list_shards("c").unwrap().len(), 6);
    assert_covered(&db, "c");
}

#[test]
fn merge_shards() {
    let dir = tempfile::tempdir().unwrap();
    let db = open(dir.path());
    db.create_stream("m", 3).unwrap();
    let hs = h(3);
    put_at(&db, "m", b"in1", hs);
    put_at(&db, "m", b"in2", 2 * hs);
    put_at(&db, "m", b"in0", 0);
    // Not adjacent: 0 and 2.
    invalid(db.merge_shards("m", &sid(0), &sid(2)));
    invalid(db.merge_shards("m", &sid(2), &sid(0)));
    invalid(db.merge_shards("m", &sid(1), &sid(1)));
    db.merge_shards("m", &sid(1), &sid(2)).unwrap();
    let shards = db.list_shards("m").unwrap();
    assert_eq!(shards.len(), 4);
    let child = &shards[3];
    assert_eq!(child.shard_id, sid(3));
    assert_eq!(range(child), (hs, MAX_HASH));
    assert_eq!(child.parent_shard_id.as_deref(), Some(sid(1).as_str()));
    assert_eq!(
        child.adjacent_parent_shard_id.as_deref(),
        Some(sid(2).as_str())
    );
    assert!(shards[1]
        .sequence_number_range
        .ending_sequence_number
        .is_some());
    assert!(shards[2]
        .sequence_number_range
        .ending_sequence_number
        .is_some());
    assert_covered(&db, "m");
    // Writes go to the child at once.
    assert_eq!(put_at(&db, "m", b"c1", hs).0, sid(3));
    assert_eq!(put_at(&db, "m", b"c2", MAX_HASH).0, sid(3));
    assert_eq!(put_at(&db, "m", b"z", hs - 1).0, sid(0));
    // Both parents end with the same child listing both parents.
    let expected = vec![ChildShard {
        shard_id: sid(3),
        parent_shards: vec![sid(1), sid(2)],
        hash_key_range: hkr(hs, MAX_HASH),
    }];
    for (p, d) in [(1, b"in1"), (2, b"in2")] {
        let (data, last) = read_to_end(&db, "m", &sid(p));
        assert_eq!(data, [d.to_vec()]);
        assert_eq!(last.next_shard_iterator, None);
        assert_eq!(last.child_shards, expected);
    }
    assert_eq!(
        shard_data(&db, "m", &sid(3)),
        [b"c1".to_vec(), b"c2".to_vec()]
    );
    assert_sequence_ranges(&db, "m");
    // Merging the child with shard 0: the whole space in one shard.
    db.merge_shards("m", &sid(0), &sid(3)).unwrap();
    assert_eq!(open_shards(&db, "m").len(), 1);
    assert_eq!(range(&open_shards(&db, "m")[0]), (0, MAX_HASH));
    assert_eq!(put_at(&db, "m", b"all", 77).0, sid(4));
    let (_, last) = read_to_end(&db, "m", &sid(3));
    assert_eq!(last.child_shards[0].parent_shards, [sid(0), sid(3)]);
}

#[test]
fn update_shard_count_scales_uniformly() {
    let dir = tempfile::tempdir().unwrap();
    let db = Db::open_with(dir.path(), opts().stream_shard_limit(1000)).unwrap();
    db.create_stream("u", 2).unwrap();
    let mut written: Vec<(u128, Vec<u8>)> = Vec::new();
    let mut write_round = |db: &Db, round: usize| {
        let open = open_shards(db, "u");
        for j in 0..16u128 {
            let hash = j * (MAX_HASH / 16) + 12345;
            let d = format!("r{round}-{j}").into_bytes();
            let (shard, _) = put_at(db, "u", &d, hash);
            // Routed to the open shard holding the hash key.
            let holder = open.iter().find(|s| {
                let (lo, hi) = range(s);
                lo <= hash && hash <= hi
            });
            assert_eq!(Some(&shard), holder.map(|s| &s.shard_id));
            written.push((hash, d));
        }
    };
    write_round(&db, 0);
    let steps: [(u32, u32); 9] = [
        (2, 4),
        (4, 3),
        (3, 6),
        (6, 3),
        (3, 2),
        (2, 1),
        (1, 2),
        (2, 3),
        (3, 5),
    ];
    for (round, (from, to)) in steps.into_iter().enumerate() {
        assert_eq!(open_shards(&db, "u").len(), from as usize);
        // Outside ½×..2× is refused and changes nothing.
        let shards_before = db.list_shards("u").unwrap();
        invalid(db.update_shard_count("u", from * 2 + 1));
        if from > 1 {
            invalid(db.update_shard_count("u", from.div_ceil(2) - 1));
        }
        invalid(db.update_shard_count("u", 0));
        assert_eq!(db.list_shards("u").unwrap(), shards_before);
        db.update_shard_count("u", to).unwrap();
        assert_uniform(&db, "u", to);
        assert_covered(&db, "u");
        write_round(&db, round + 1);
        assert_sequence_ranges(&db, "u");
    }
    // Every record is still readable from the shard it went to, and new
    // writes follow the uniform layout.
    let mut all: Vec<Vec<u8>> = Vec::new();
    for s in db.list_shards("u").unwrap() {
        all.extend(shard_data(&db, "u", &s.shard_id));
    }
    let mut expected: Vec<Vec<u8>> = written.iter().map(|(_, d)| d.clone()).collect();
    all.sort();
    expected.sort();
    assert_eq!(all, expected);
    // Shard ids are dense and in order.
    let shards = db.list_shards("u").unwrap();
    for (i, s) in shards.iter().enumerate() {
        assert_eq!(s.shard_id, sid(i as u32));
    }
    // The same count (not a rule of streams.md): refused or a no-op.
    match db.update_shard_count("u", 5) {
        Ok(()) | Err(aerolite::Error::InvalidArgument(_)) => {}
        other => panic!("{other:?}"),
    }
    assert_uniform(&db, "u", 5);
}

#[test]
fn reading_through_the_lineage_returns_everything_once() {
    let dir = tempfile::tempdir().unwrap();
    let db = open(dir.path());
    db.create_stream("l", 2).unwrap();
    let mut n = 0;
    let mut write = |db: &Db| {
        for i in 0..20 {
            put(db, "l", format!("{n}").as_bytes(), &format!("key{i}"));
            n += 1;
        }
    };
    write(&db);
    db.update_shard_count("l", 4).unwrap();
    write(&db);
    db.merge_shards(
        "l",
        &open_shards(&db, "l")[0].shard_id,
        &open_shards(&db, "l")[1].shard_id,
    )
    .unwrap();
    write(&db);
    db.update_shard_count("l", 2).unwrap();
    write(&db);
    // Follow child_shards from the roots, reading each shard to its end.
    let mut queue: Vec<String> = vec![sid(0), sid(1)];
    let mut seen = std::collections::HashSet::new();
    let mut got = Vec::new();
    while let Some(s) = queue.pop() {
        if !seen.insert(s.clone()) {
            continue;
        }
        let (recs, last) = drain_from(&db, "l", &s, K::TrimHorizon);
        got.extend(recs.into_iter().map(|r| String::from_utf8(r.data).unwrap()));
        queue.extend(last.child_shards.into_iter().map(|c| c.shard_id));
    }
    assert_eq!(seen.len(), db.list_shards("l").unwrap().len());
    assert_sequence_ranges(&db, "l");
    got.sort_by_key(|s| s.parse::<u32>().unwrap());
    let expected: Vec<String> = (0..80).map(|i| i.to_string()).collect();
    assert_eq!(got, expected);
}

#[test]
fn resharding_survives_reopen() {
    let dir = tempfile::tempdir().unwrap();
    let (shards_before, last_seq);
    {
        let db = open(dir.path());
        db.create_stream("r", 2).unwrap();
        put_at(&db, "r", b"p0", 5);
        put_at(&db, "r", b"p1", MAX_HASH);
        db.split_shard("r", &sid(0), "1000").unwrap();
        db.merge_shards("r", &sid(3), &sid(1)).unwrap();
        put_at(&db, "r", b"c2", 5);
        last_seq = put_at(&db, "r", b"c4", MAX_HASH).1;
        shards_before = db.list_shards("r").unwrap();
        db.close().unwrap();
    }
    let db = open(dir.path());
    assert_eq!(db.list_shards("r").unwrap(), shards_before);
    assert_covered(&db, "r");
    assert_eq!(shard_data(&db, "r", &sid(0)), [b"p0".to_vec()]);
    assert_eq!(shard_data(&db, "r", &sid(1)), [b"p1".to_vec()]);
    assert_eq!(shard_data(&db, "r", &sid(2)), [b"c2".to_vec()]);
    assert_eq!(shard_data(&db, "r", &sid(4)), [b"c4".to_vec()]);
    let (_, last) = drain_from(&db, "r", &sid(1), K::TrimHorizon);
    assert_eq!(last.next_shard_iterator, None);
    assert_eq!(last.child_shards[0].shard_id, sid(4));
    assert_eq!(last.child_shards[0].parent_shards, [sid(3), sid(1)]);
    // New writes go to the children, with greater numbers.
    let (s, seq) = put_at(&db, "r", b"more", MAX_HASH);
    assert_eq!(s, sid(4));
    assert!(seq_lt(&last_seq, &seq));
    assert_sequence_ranges(&db, "r");
    in_use(db.split_shard("r", &sid(0), "500"));
    db.split_shard("r", &sid(4), &(MAX_HASH / 2).to_string())
        .unwrap();
    assert_eq!(db.list_shards("r").unwrap().len(), 7);
}

#[test]
fn update_shard_count_from_a_non_uniform_layout() {
    let dir = tempfile::tempdir().unwrap();
    let db = open(dir.path());
    db.create_stream("n", 3).unwrap();
    let hs = h(3);
    db.split_shard("n", &sid(1), &(hs + 12345).to_string())
        .unwrap(); // 3, 4
    db.merge_shards("n", &sid(0), &sid(3)).unwrap(); // 5
    db.split_shard("n", &sid(2), &(MAX_HASH - 7).to_string())
        .unwrap(); // 6, 7
    assert_eq!(open_shards(&db, "n").len(), 4);
    assert_covered(&db, "n");
    for i in 0..40 {
        put(&db, "n", format!("{i}").as_bytes(), &format!("k{i}"));
    }
    db.update_shard_count("n", 5).unwrap();
    assert_uniform(&db, "n", 5);
    db.update_shard_count("n", 3).unwrap();
    assert_uniform(&db, "n", 3);
    let n: usize = db
        .list_shards("n")
        .unwrap()
        .iter()
        .map(|s| shard_data(&db, "n", &s.shard_id).len())
        .sum();
    assert_eq!(n, 40);
}
