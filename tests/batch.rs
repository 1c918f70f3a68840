//! `Db::batch`: entries in order, each atomic for its own record, per-entry
//! result codes, and one flush for a whole `Sync` batch, which no reader
//! sees before it is durable.

mod common;

use aerolite::*;
use common::*;
use std::sync::Arc;

fn write(key: Key, bins: &[(&str, i64)]) -> BatchOperation {
    let ops = bins
        .iter()
        .map(|(n, v)| operations::put(&Bin::new(n, *v)))
        .collect();
    BatchOperation::write(&BatchWritePolicy::default(), key, ops)
}

fn read(key: Key) -> BatchOperation {
    BatchOperation::read(&BatchReadPolicy::default(), key, Bins::All)
}

fn delete(key: Key) -> BatchOperation {
    BatchOperation::delete(&BatchDeletePolicy::default(), key)
}

fn k(i: i64) -> Key {
    Key::new("test", "b", i).unwrap()
}

fn quiet(dir: &std::path::Path) -> Db {
    quiet_on(dir, 1)
}

/// A database without background maintenance whose large batches run on
/// `threads` (`Options::batch_threads`).
fn quiet_on(dir: &std::path::Path, threads: usize) -> Db {
    let options = Options::default()
        .background_maintenance(false)
        .batch_threads(threads);
    Db::open_with(dir, options).unwrap()
}

fn with(durability: Durability) -> BatchPolicy {
    BatchPolicy {
        durability: Some(durability),
    }
}

fn both() -> [BatchPolicy; 2] {
    [with(Durability::Buffered), with(Durability::Sync)]
}

/// Both settings of `Options::batch_threads`: the caller's thread only, and
/// large batches in two halves on two threads.
const THREADS: [usize; 2] = [1, 2];

#[test]
fn batch_threads_must_be_one_or_two() {
    let dir = tempfile::tempdir().unwrap();
    for threads in [0, 3] {
        match Db::open_with(dir.path(), Options::default().batch_threads(threads)) {
            Err(Error::ParameterError(m)) => assert!(m.contains("batch_threads"), "{m}"),
            other => panic!("batch_threads({threads}): {other:?}"),
        }
    }
    for threads in THREADS {
        let db = Db::open_with(dir.path(), Options::default().batch_threads(threads)).unwrap();
        db.close().unwrap();
    }
}

#[test]
fn entries_run_in_order_and_see_each_other() {
    for policy in both() {
        let dir = tempfile::tempdir().unwrap();
        let db = quiet(dir.path());
        let add = BatchOperation::write(
            &BatchWritePolicy::default(),
            k(1),
            vec![
                operations::add(&Bin::new("n", 10)),
                operations::get_bin("n"),
            ],
        );
        let out = db
            .batch(
                &policy,
                &[
                    write(k(1), &[("n", 1)]),
                    read(k(1)),
                    add,
                    read(k(1)),
                    delete(k(1)),
                    read(k(1)),
                    write(k(2), &[("n", 2)]),
                ],
            )
            .unwrap();
        assert_eq!(out.len(), 7);
        assert!(out.iter().all(|r| !r.in_doubt));
        assert_eq!(out[0].result_code, None, "{policy:?}");
        assert_eq!(out[1].record.as_ref().unwrap().bins["n"], Value::Int(1));
        assert_eq!(out[2].record.as_ref().unwrap().bins["n"], Value::Int(11));
        assert_eq!(out[3].record.as_ref().unwrap().generation, 2);
        assert_eq!(out[4].result_code, None);
        assert_eq!(out[5].result_code, Some(ResultCode::KeyNotFoundError));
        assert_eq!(out[6].key, k(2));
        assert!(matches!(
            db.get(&rp(), &k(1), Bins::All),
            Err(Error::KeyNotFound)
        ));
        assert_eq!(
            db.get(&rp(), &k(2), Bins::All).unwrap().bins["n"],
            Value::Int(2)
        );
    }
}

#[test]
fn each_entry_fails_on_its_own_and_changes_nothing() {
    for policy in both() {
        let dir = tempfile::tempdir().unwrap();
        let db = quiet(dir.path());
        db.put(&wp(), &k(1), &[Bin::new("n", 1)]).unwrap();
        let create_only = BatchWritePolicy {
            record_exists_action: RecordExistsAction::CreateOnly,
            ..Default::default()
        };
        let gen_eq = BatchWritePolicy {
            generation_policy: GenerationPolicy::ExpectGenEqual,
            generation: 7,
            ..Default::default()
        };
        let del_gen = BatchDeletePolicy {
            generation_policy: GenerationPolicy::ExpectGenEqual,
            generation: 9,
        };
        let ops = [
            BatchOperation::write(&create_only, k(1), vec![operations::put(&Bin::new("n", 5))]),
            BatchOperation::write(&gen_eq, k(1), vec![operations::put(&Bin::new("n", 6))]),
            BatchOperation::delete(&del_gen, k(1)),
            BatchOperation::read_ops(
                &BatchReadPolicy::default(),
                k(1),
                vec![operations::put(&Bin::new("n", 7))],
            ),
            BatchOperation::write(
                &BatchWritePolicy::default(),
                k(1),
                vec![operations::append(&Bin::new("n", "x"))],
            ),
            BatchOperation::write(&BatchWritePolicy::default(), k(1), vec![]),
            delete(k(3)),
            read(Key::new("nowhere", "b", 1).unwrap()),
            write(k(2), &[("n", 2)]),
        ];
        let out = db.batch(&policy, &ops).unwrap();
        let codes: Vec<Option<ResultCode>> = out.iter().map(|r| r.result_code).collect();
        assert_eq!(
            codes,
            vec![
                Some(ResultCode::KeyExistsError),
                Some(ResultCode::GenerationError),
                Some(ResultCode::GenerationError),
                Some(ResultCode::ParameterError),
                Some(ResultCode::BinTypeError),
                Some(ResultCode::ParameterError),
                Some(ResultCode::KeyNotFoundError),
                Some(ResultCode::KeyNotFoundError),
                None,
            ],
            "{policy:?}"
        );
        let r = db.get(&rp(), &k(1), Bins::All).unwrap();
        assert_eq!((r.generation, &r.bins["n"]), (1, &Value::Int(1)));
        assert_eq!(db.namespaces(), vec!["test".to_string()]);
    }
}

#[test]
fn empty_and_oversized_batches_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let db = quiet(dir.path());
    assert!(matches!(
        db.batch(&BatchPolicy::default(), &[]),
        Err(Error::ParameterError(_))
    ));
    let many: Vec<BatchOperation> = (0..10_001).map(|i| read(k(i))).collect();
    assert!(matches!(
        db.batch(&BatchPolicy::default(), &many),
        Err(Error::ParameterError(_))
    ));
    assert_eq!(
        db.batch(&BatchPolicy::default(), &many[..10_000])
            .unwrap()
            .len(),
        10_000
    );
}

#[test]
fn a_sync_batch_shares_one_flush() {
    for threads in THREADS {
        a_sync_batch_shares_one_flush_on(threads);
    }
}

fn a_sync_batch_shares_one_flush_on(threads: usize) {
    let dir = tempfile::tempdir().unwrap();
    let (db, faults) = open_with_faults_and(dir.path(), Options::default().batch_threads(threads));
    db.put(&wp(), &k(0), &[Bin::new("n", 0)]).unwrap();
    let ops: Vec<BatchOperation> = (1..=500).map(|i| write(k(i), &[("n", i)])).collect();
    let before = faults.count(FileOp::Flush);
    let out = db.batch(&with(Durability::Sync), &ops).unwrap();
    assert!(out.iter().all(|r| r.result_code.is_none()));
    assert_eq!(faults.count(FileOp::Flush) - before, 1);
    // With two threads, 500 entries run in two halves, which publish on
    // their own threads after the flush: every record is shown and counted
    // once, as on one thread.
    for i in 1..=500 {
        let r = db.get(&rp(), &k(i), Bins::All).unwrap();
        assert_eq!(r.bins["n"], Value::Int(i), "record {i}");
    }
    assert_eq!(db.namespace_stats(k(0).namespace()).unwrap().objects, 501);
    // Single Sync puts flush once each.
    let before = faults.count(FileOp::Flush);
    let sync = WritePolicy {
        durability: Some(Durability::Sync),
        ..wp()
    };
    for i in 1..=10 {
        db.put(&sync, &k(i), &[Bin::new("n", -i)]).unwrap();
    }
    assert_eq!(faults.count(FileOp::Flush) - before, 10);
}

#[test]
fn a_sync_batch_whose_flush_fails_shows_nothing_and_reports_in_doubt() {
    let dir = tempfile::tempdir().unwrap();
    let (db, faults) = open_with_faults(dir.path());
    db.put(&wp(), &k(1), &[Bin::new("n", 1)]).unwrap();
    faults.fail(Some(FileOp::Flush), 0, 1, EIO);
    let out = db
        .batch(
            &with(Durability::Sync),
            &[
                write(k(1), &[("n", 2)]),
                write(k(2), &[("n", 2)]),
                read(k(1)),
            ],
        )
        .unwrap();
    assert!(out[..2]
        .iter()
        .all(|r| r.in_doubt && r.result_code == Some(ResultCode::ServerError)));
    // The read ran before the flush: it saw the old version.
    assert_eq!(out[2].record.as_ref().unwrap().bins["n"], Value::Int(1));
    // The index never showed the batch's versions.
    assert_eq!(
        db.get(&rp(), &k(1), Bins::All).unwrap().bins["n"],
        Value::Int(1)
    );
    assert!(matches!(
        db.get(&rp(), &k(2), Bins::All),
        Err(Error::KeyNotFound)
    ));
    assert!(matches!(
        db.put(&wp(), &k(3), &[Bin::new("n", 3)]),
        Err(Error::Poisoned { .. })
    ));
}

#[test]
fn a_sync_batch_survives_a_power_loss() {
    for seed in 0..4 {
        let dir = tempfile::tempdir().unwrap();
        let sim = PowerLossSim::new(dir.path(), seed).unwrap();
        let db = Db::open_with(
            dir.path(),
            Options::default()
                .background_maintenance(false)
                .power_loss_sim(Arc::clone(&sim)),
        )
        .unwrap();
        // Created by the first entry, then the rest in one flush.
        let ops: Vec<BatchOperation> = (0..200).map(|i| write(k(i), &[("n", i)])).collect();
        let out = db.batch(&with(Durability::Sync), &ops).unwrap();
        assert!(out.iter().all(|r| r.result_code.is_none()));
        // Buffered writes after it may be lost; the batch may not.
        for i in 200..260 {
            db.put(&wp(), &k(i), &[Bin::new("n", i)]).unwrap();
        }
        sim.cut_power();
        drop(db);
        sim.materialize().unwrap();
        let db = quiet(dir.path());
        for i in 0..200 {
            let r = db.get(&rp(), &k(i), Bins::All);
            assert_eq!(r.unwrap().bins["n"], Value::Int(i), "seed {seed}, key {i}");
        }
    }
}

/// A batch `write` of plain puts takes the put path; its outcome and
/// returned record are those of `operate` with the same operations, for
/// every record-exists action, nil bins and TTLs.
#[test]
fn a_batch_of_puts_behaves_as_operate() {
    let actions = [
        RecordExistsAction::Update,
        RecordExistsAction::UpdateOnly,
        RecordExistsAction::Replace,
        RecordExistsAction::ReplaceOnly,
        RecordExistsAction::CreateOnly,
    ];
    let bin_sets: [Vec<Bin>; 3] = [
        vec![Bin::new("a", 2), Bin::new("c", "x")],
        vec![Bin::new("a", Value::Nil)],
        vec![Bin::new("a", Value::Nil), Bin::new("b", Value::Nil)],
    ];
    for exists in [false, true] {
        for action in actions {
            for bins in &bin_sets {
                for expiration in [Expiration::NamespaceDefault, Expiration::Seconds(100)] {
                    let mut results = Vec::new();
                    for way in 0..3 {
                        let dir = tempfile::tempdir().unwrap();
                        let clock = clock_at(1_800_000_000);
                        let db = Db::open_with(
                            dir.path(),
                            Options::default()
                                .background_maintenance(false)
                                .clock(dyn_clock(&clock)),
                        )
                        .unwrap();
                        if exists {
                            db.put(&wp(), &k(1), &[Bin::new("a", 1), Bin::new("b", 1)])
                                .unwrap();
                        }
                        let ops: Vec<Operation> = bins.iter().map(operations::put).collect();
                        let policy = WritePolicy {
                            record_exists_action: action,
                            expiration,
                            ..wp()
                        };
                        let returned = match way {
                            0 => db
                                .operate(&policy, &k(1), &ops)
                                .map_err(|e| e.result_code()),
                            _ => {
                                let bp = BatchWritePolicy {
                                    record_exists_action: action,
                                    expiration,
                                    ..Default::default()
                                };
                                let durability = [Durability::Buffered, Durability::Sync][way - 1];
                                let out = db
                                    .batch(
                                        &BatchPolicy {
                                            durability: Some(durability),
                                        },
                                        &[BatchOperation::write(&bp, k(1), ops)],
                                    )
                                    .unwrap();
                                match out[0].result_code {
                                    None => Ok(out[0].record.clone().unwrap()),
                                    Some(code) => Err(code),
                                }
                            }
                        };
                        let stored = db
                            .get(&rp(), &k(1), Bins::All)
                            .map(|r| (r.bins, r.generation, r.expiration))
                            .map_err(|e| e.result_code());
                        let returned = returned
                            .map(|r| (r.time_to_live(), r.bins, r.generation, r.expiration));
                        results.push((returned, stored));
                    }
                    let case = format!("exists {exists}, {action:?}, {bins:?}, {expiration:?}");
                    assert_eq!(results[0], results[1], "Buffered batch vs operate: {case}");
                    assert_eq!(results[0], results[2], "Sync batch vs operate: {case}");
                }
            }
        }
    }
}

/// Batches large enough to be split between two threads (by record) give
/// exactly the results of running their entries one by one in order, on
/// one thread or two: entries of one record see each other, results come
/// back in input order.
#[test]
fn large_batches_with_repeated_records_match_running_entries_in_order() {
    use std::collections::HashMap;
    for (policy, threads) in both()
        .into_iter()
        .flat_map(|p| THREADS.map(|t| (p.clone(), t)))
    {
        let dir = tempfile::tempdir().unwrap();
        let db = quiet_on(dir.path(), threads);
        let mut model: HashMap<i64, i64> = HashMap::new();
        let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut next = move |n: u64| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x % n
        };
        let create = BatchWritePolicy {
            record_exists_action: RecordExistsAction::CreateOnly,
            ..BatchWritePolicy::default()
        };
        for _round in 0..3 {
            let mut ops = Vec::new();
            let mut want: Vec<(Option<ResultCode>, Option<i64>)> = Vec::new();
            for _ in 0..2000 {
                let id = next(300) as i64;
                match next(4) {
                    0 => {
                        let add =
                            vec![operations::add(&Bin::new("n", 1)), operations::get_bin("n")];
                        ops.push(BatchOperation::write(
                            &BatchWritePolicy::default(),
                            k(id),
                            add,
                        ));
                        let v = model.entry(id).or_insert(0);
                        *v += 1;
                        want.push((None, Some(*v)));
                    }
                    1 => {
                        ops.push(read(k(id)));
                        want.push(match model.get(&id) {
                            Some(&v) => (None, Some(v)),
                            None => (Some(ResultCode::KeyNotFoundError), None),
                        });
                    }
                    2 => {
                        ops.push(delete(k(id)));
                        want.push(match model.remove(&id) {
                            Some(_) => (None, None),
                            None => (Some(ResultCode::KeyNotFoundError), None),
                        });
                    }
                    _ => {
                        let put = vec![operations::put(&Bin::new("n", 100))];
                        ops.push(BatchOperation::write(&create, k(id), put));
                        want.push(match model.contains_key(&id) {
                            true => (Some(ResultCode::KeyExistsError), None),
                            false => {
                                model.insert(id, 100);
                                (None, None)
                            }
                        });
                    }
                }
            }
            let out = db.batch(&policy, &ops).unwrap();
            assert_eq!(out.len(), ops.len());
            for (i, ((r, op), (code, value))) in out.iter().zip(&ops).zip(&want).enumerate() {
                assert_eq!(&r.key, op.key(), "entry {i}: results in input order");
                assert_eq!(
                    r.result_code, *code,
                    "entry {i} ({policy:?}, {threads} threads)"
                );
                if let Some(v) = value {
                    let rec = r.record.as_ref().unwrap();
                    assert_eq!(rec.bins.get("n"), Some(&Value::Int(*v)), "entry {i}");
                }
            }
            for id in 0..300 {
                let got = match db.get(&rp(), &k(id), Bins::All) {
                    Ok(r) => match r.bins["n"] {
                        Value::Int(v) => Some(v),
                        ref other => panic!("{other:?}"),
                    },
                    Err(Error::KeyNotFound) => None,
                    Err(e) => panic!("{e}"),
                };
                assert_eq!(got, model.get(&id).copied(), "record {id}");
            }
        }
    }
}

/// A `Sync` batch split between two threads (or not) still shares one
/// flush: when it fails, no write of either half is shown and each reports
/// in doubt.
#[test]
fn a_large_sync_batch_whose_flush_fails_shows_nothing() {
    for threads in THREADS {
        a_large_sync_batch_whose_flush_fails_shows_nothing_on(threads);
    }
}

fn a_large_sync_batch_whose_flush_fails_shows_nothing_on(threads: usize) {
    let dir = tempfile::tempdir().unwrap();
    let (db, faults) = open_with_faults_and(dir.path(), Options::default().batch_threads(threads));
    db.put(&wp(), &k(0), &[Bin::new("n", 0)]).unwrap();
    let ops: Vec<BatchOperation> = (1..=600).map(|i| write(k(i), &[("n", i)])).collect();
    faults.fail(Some(FileOp::Flush), 0, 1, EIO);
    let out = db.batch(&with(Durability::Sync), &ops).unwrap();
    assert!(out
        .iter()
        .all(|r| r.in_doubt && r.result_code == Some(ResultCode::ServerError)));
    for i in 1..=600 {
        assert!(
            matches!(db.get(&rp(), &k(i), Bins::All), Err(Error::KeyNotFound)),
            "record {i} shown before its flush"
        );
    }
}
