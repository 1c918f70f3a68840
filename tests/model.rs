//! Model-based test: random sequences of put / get / exists / delete / touch /
//! operate / batch_get / batch (`Db::batch`, `model/batch.rs`) / scan /
//! truncate, clock moves, sweeps, compactions, power losses and
//! close-and-reopen, run against the real `Db` and against a
//! plain in-memory model of the record semantics (`tests/model/mod.rs`). After
//! every step the results must agree exactly (errors by `ResultCode`; reads by
//! bins, generation, void time, TTL and stored key), and so must every key of
//! the (small) key space.

//!
//! Layout: `model/mod.rs` is the model, `model/ops.rs` the ops and their
//! strategies, `model/harness.rs` runs a case on both sides, `model/batch.rs`
//! runs a batch step. Long run:
//! `cargo test --test model -- --ignored db_matches_model_long`.

#[path = "model/batch.rs"]
mod batch;
#[path = "model/harness.rs"]
mod harness;
#[path = "model/mod.rs"]
mod model;
#[path = "model/ops.rs"]
mod ops;

use aerolite::{
    Bins, Durability, Expiration, ReadPolicy, RecordExistsAction, ResultCode, Value, WritePolicy,
};
use harness::{run_case, Harness};
use model::{BinsSel, GenCheck, Model, WriteArgs};
use ops::{case, BEntry, BPolicy, BinVal, Case, Op, K, START_UNIX};
use proptest::prelude::*;
use std::time::{Duration, UNIX_EPOCH};

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 64,
        max_shrink_iters: 4096,
        max_shrink_time: 180_000,
        ..ProptestConfig::default()
    })]

    #[test]
    fn db_matches_model(case in case(60)) {
        run_case(&case)?;
    }
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 2000,
        max_shrink_iters: 8192,
        max_shrink_time: 600_000,
        ..ProptestConfig::default()
    })]

    #[test]
    #[ignore = "long run (minutes): cargo test --release --test model -- --ignored db_matches_model_long"]
    fn db_matches_model_long(case in case(200)) {
        run_case(&case)?;
    }
}

fn put(
    k: usize,
    bins: &[(&'static str, Value)],
    action: RecordExistsAction,
    exp: Expiration,
) -> Op {
    Op::Put {
        k: K(k),
        bins: bins
            .iter()
            .map(|(n, v)| (*n, BinVal::V(v.clone())))
            .collect(),
        action,
        gen: GenCheck::None,
        exp,
        send_key: false,
    }
}

/// A fixed walk through the rules the random runs rely on: the expiry
/// boundary (`now == void_time` is gone), re-creation at generation 1,
/// `DontUpdate` on a create, nil bins deleting the record, generation checks
/// on delete and touch, and both kinds of reopen.
#[test]
fn scripted_sequence_agrees_with_model() {
    use RecordExistsAction::*;
    let ops = vec![
        put(0, &[("a", Value::Int(1))], Update, Expiration::Seconds(5)),
        Op::Advance { secs: 4 },
        Op::Get {
            k: K(0),
            bins: BinsSel::All,
        },
        Op::Advance { secs: 1 },
        Op::Exists { k: K(0) },
        put(0, &[("b", Value::Int(2))], UpdateOnly, Expiration::Never),
        put(
            0,
            &[("b", Value::Int(2))],
            CreateOnly,
            Expiration::DontUpdate,
        ),
        put(
            4,
            &[("a", Value::from("x")), ("b", Value::Nil)],
            Update,
            Expiration::Never,
        ),
        Op::Touch {
            k: K(4),
            gen: GenCheck::Equal(1),
            exp: Expiration::Seconds(3),
            send_key: true,
        },
        Op::Touch {
            k: K(4),
            gen: GenCheck::Equal(0),
            exp: Expiration::Seconds(3),
            send_key: true,
        },
        Op::Reopen { close: false },
        Op::Get {
            k: K(4),
            bins: BinsSel::Some(vec!["a".into(), "zz".into()]),
        },
        put(4, &[("a", Value::Nil)], Update, Expiration::Never),
        put(4, &[("a", Value::Nil)], Update, Expiration::Never),
        put(
            1,
            &[("c", Value::List(vec![Value::Nil, Value::Float(f64::NAN)]))],
            Replace,
            Expiration::Seconds(0),
        ),
        Op::Delete {
            k: K(1),
            gen: GenCheck::Greater(0),
        },
        Op::Delete {
            k: K(1),
            gen: GenCheck::Greater(1),
        },
        Op::Reopen { close: true },
        Op::Advance { secs: 30 },
        Op::Delete {
            k: K(0),
            gen: GenCheck::Equal(5),
        },
    ];
    let case = Case {
        default_ttl: Some(20),
        segment_size: 16 * 1024,
        durability: Durability::Sync,
        ops,
    };
    run_case(&case).unwrap();
}

/// A fixed batch through the rules the random batch steps rely on, under
/// both durabilities and across reopens and a power loss: later entries see
/// earlier ones, `CreateOnly` on an existing record, `UpdateOnly` on a
/// missing one, right and wrong generations, nil bins deleting the record,
/// a write inside `read_ops`, and a failed entry changing nothing.
#[test]
fn scripted_batch_agrees_with_model() {
    use model::MOp;
    use RecordExistsAction::*;
    let w = |action, gen| BPolicy {
        action,
        gen,
        exp: Expiration::NamespaceDefault,
        send_key: false,
    };
    let int = |n: i64| BinVal::V(Value::Int(n));
    let entries = vec![
        BEntry::Puts {
            k: K(0),
            bins: vec![("a", int(1)), ("b", int(2))],
            w: w(CreateOnly, GenCheck::None),
        },
        BEntry::Puts {
            k: K(0),
            bins: vec![("a", int(3))],
            w: w(CreateOnly, GenCheck::None),
        },
        BEntry::Puts {
            k: K(1),
            bins: vec![("a", int(3))],
            w: w(UpdateOnly, GenCheck::None),
        },
        BEntry::Write {
            k: K(0),
            ops: vec![MOp::Add("a", 5), MOp::GetBin("a")],
            w: w(Update, GenCheck::Equal(0)),
        },
        BEntry::Write {
            k: K(0),
            ops: vec![MOp::ListAppend("c", 1)],
            w: w(Update, GenCheck::Equal(1)),
        },
        BEntry::ReadOps {
            k: K(0),
            ops: vec![MOp::Get, MOp::PutBin("a", Value::Int(9))],
        },
        BEntry::Read {
            k: K(0),
            bins: BinsSel::All,
        },
        BEntry::Delete {
            k: K(0),
            gen: GenCheck::Equal(-1),
        },
        BEntry::Puts {
            k: K(0),
            bins: vec![("a", BinVal::V(Value::Nil)), ("b", BinVal::V(Value::Nil))],
            w: w(Update, GenCheck::None),
        },
        BEntry::Read {
            k: K(0),
            bins: BinsSel::Some(vec!["b".into()]),
        },
        BEntry::Delete {
            k: K(0),
            gen: GenCheck::None,
        },
        BEntry::Puts {
            k: K(0),
            bins: vec![("d", int(4))],
            w: w(UpdateOnly, GenCheck::None),
        },
    ];
    for durability in [Durability::Buffered, Durability::Sync] {
        for batch in [Durability::Buffered, Durability::Sync] {
            let ops = vec![
                Op::Batch {
                    durability: batch,
                    entries: entries.clone(),
                },
                Op::Reopen { close: false },
                Op::Batch {
                    durability: batch,
                    entries: entries.clone(),
                },
                Op::PowerLoss { seed: 7 },
                Op::Batch {
                    durability: batch,
                    entries: entries.clone(),
                },
            ];
            let case = Case {
                default_ttl: None,
                segment_size: 16 * 1024,
                durability,
                ops,
            };
            run_case(&case).unwrap();
        }
    }
}

/// The model itself against numbers from semantics.md, so that the random
/// runs compare the engine with the spec and not with a copy of its bugs.
#[test]
fn model_follows_the_spec() {
    let k = ("s".to_string(), Value::Int(1));
    let now = 1_000;
    let w = |action, exp| WriteArgs {
        action,
        gen_mode: aerolite::GenerationPolicy::None,
        generation: 0,
        expiration: exp,
        send_key: false,
    };
    let mut m = Model::new(Some(20));
    let bins = |v: i64| vec![("a".to_string(), Value::Int(v))];
    m.put(
        &k,
        &bins(1),
        &w(RecordExistsAction::Update, Expiration::DontUpdate),
        now,
    )
    .unwrap();
    let r = m.get(&k, &BinsSel::All, now).unwrap();
    assert_eq!(
        (r.generation, r.expiration),
        (1, 1_020),
        "DontUpdate on a create = namespace default"
    );
    m.put(
        &k,
        &bins(2),
        &w(RecordExistsAction::Update, Expiration::Seconds(0)),
        now + 1,
    )
    .unwrap();
    assert_eq!(
        m.get(&k, &BinsSel::None, now + 1).unwrap().expiration,
        1_021,
        "Seconds(0) = default"
    );
    assert_eq!(m.get(&k, &BinsSel::None, 1_020).unwrap().generation, 2);
    assert_eq!(
        m.get(&k, &BinsSel::None, 1_021),
        Err(ResultCode::KeyNotFoundError),
        "gone at void time"
    );
    assert_eq!(
        m.touch(&k, &w(RecordExistsAction::Update, Expiration::Never), 1_021),
        Err(ResultCode::KeyNotFoundError)
    );
    assert_eq!(
        m.delete(&k, aerolite::GenerationPolicy::ExpectGenEqual, 9, 1_021),
        Ok(false)
    );
    m.put(
        &k,
        &bins(3),
        &w(RecordExistsAction::CreateOnly, Expiration::Never),
        1_021,
    )
    .unwrap();
    assert_eq!(
        m.get(&k, &BinsSel::All, 1_021).unwrap().generation,
        1,
        "re-created at generation 1"
    );
    let nil = vec![("a".to_string(), Value::Nil)];
    assert_eq!(
        m.put(
            &k,
            &nil,
            &w(RecordExistsAction::Replace, Expiration::Never),
            1_021
        ),
        Err(ResultCode::ParameterError)
    );
    assert_eq!(
        m.put(
            &k,
            &nil,
            &w(RecordExistsAction::Update, Expiration::Never),
            1_021
        ),
        Ok(())
    );
    assert!(!m.exists(&k, 1_021), "nil bins removed the last bin");
    assert_eq!(
        m.put(
            &k,
            &nil,
            &w(RecordExistsAction::Update, Expiration::Never),
            1_021
        ),
        Err(ResultCode::KeyNotFoundError)
    );
    assert_eq!(model::next_generation(65_535), 1);
    assert_eq!(
        GenCheck::Equal(-2).resolve(1),
        (aerolite::GenerationPolicy::ExpectGenEqual, 0)
    );
}

/// Regression (found by this test, fixed in c18bb59): deleting a record the
/// sweeper had already expired wrote no tombstone, so after a restart the
/// expired version was back in the index and counted in `objects`.
#[test]
fn delete_after_sweep_then_reopen() {
    let ops = vec![
        put(
            2,
            &[("a", Value::Int(1))],
            RecordExistsAction::Update,
            Expiration::Seconds(5),
        ),
        Op::Advance { secs: 6 },
        Op::Sweep,
        Op::Delete {
            k: K(2),
            gen: GenCheck::None,
        },
        Op::Reopen { close: false },
        Op::Reopen { close: true },
    ];
    for durability in [Durability::Buffered, Durability::Sync] {
        let case = Case {
            default_ttl: None,
            segment_size: 16 * 1024,
            durability,
            ops: ops.clone(),
        };
        run_case(&case).unwrap();
    }
}

/// Regression (found by this model test): a sweep was not durable. It turned
/// the expired record into a tombstone in the index only, so a restart indexed
/// the expired version again: `objects` went from 0 to 1, and with the clock
/// set back (NTP step, VM restore) the record was readable again, which
/// semantics.md forbids. The sweep now records the void time it swept
/// through, and recovery applies it.
#[test]
fn swept_record_stays_gone_after_restart() {
    let start = UNIX_EPOCH + Duration::from_secs(START_UNIX);
    let mut h = Harness::new(None, 16 * 1024, Durability::Buffered);
    let key = K(0).key();
    let p = WritePolicy {
        expiration: Expiration::Seconds(5),
        ..WritePolicy::default()
    };
    h.db().put(&p, &key, &[aerolite::Bin::new("a", 1)]).unwrap();
    h.clock.advance(Duration::from_secs(6));
    assert_eq!(h.db().sweep_expired().unwrap(), 1);
    assert_eq!(h.objects(), 0);
    // Without a restart, a set-back clock does not bring it back.
    h.clock.set(start);
    assert!(matches!(
        h.db().get(&ReadPolicy::default(), &key, Bins::All),
        Err(aerolite::Error::KeyNotFound)
    ));
    h.clock.advance(Duration::from_secs(6));
    h.reopen(true, true).unwrap();
    assert_eq!(
        h.objects(),
        0,
        "the swept record is indexed again after a restart"
    );
    h.clock.set(start);
    assert!(
        matches!(
            h.db().get(&ReadPolicy::default(), &key, Bins::All),
            Err(aerolite::Error::KeyNotFound)
        ),
        "the swept record is readable again after a restart and a clock set back"
    );
}

/// Regression (found by this test): an operate whose ops only read, run with
/// a `Replace` or `ReplaceOnly` write policy, read the record as if it had no
/// bins (`get_bin`/`get` returned nothing) although nothing was written and
/// the record kept its bins. The record-exists action only concerns writes
/// (semantics.md: "Replace: create or replace: bins not in the write are
/// dropped"); a read-only operate must read the record as `get` does.
#[test]
fn read_only_operate_with_replace_policy() {
    use aerolite::operations;
    let h = Harness::new(None, 16 * 1024, Durability::Buffered);
    let key = K(0).key();
    h.db()
        .put(&WritePolicy::default(), &key, &[aerolite::Bin::new("b", 7)])
        .unwrap();
    for action in [RecordExistsAction::Replace, RecordExistsAction::ReplaceOnly] {
        let p = WritePolicy {
            record_exists_action: action,
            ..WritePolicy::default()
        };
        let r = h
            .db()
            .operate(&p, &key, &[operations::get_bin("b"), operations::get()])
            .unwrap();
        assert_eq!(r.generation, 1, "{action:?}: nothing was written");
        assert_eq!(
            r.bins.get("b"),
            Some(&Value::Int(7)),
            "{action:?}: a read-only operate must read the record's bins"
        );
    }
}
