//! `Op::Batch` of the model test: the model applies the entries in order,
//! each through its own single-record function (`get`, `operate` for every
//! batch write, plain puts included, `delete`), a failed entry changing
//! nothing; the harness builds the `BatchOperation`s on the way (generation
//! checks resolved against the record as the earlier entries left it), runs
//! `Db::batch` and compares every entry's result code and returned record.

use crate::harness::{db_bins, operation, view_of, Harness};
use crate::model::{MOp, ModelRecord, ReadView, WriteArgs};
use crate::ops::{BEntry, BPolicy, K};
use aerolite::{
    BatchDeletePolicy, BatchOperation, BatchPolicy, BatchReadPolicy, BatchRecord, BatchWritePolicy,
    Durability, ResultCode, Value,
};
use proptest::prelude::*;
use proptest::test_runner::TestCaseError;
use std::collections::BTreeSet;

/// What a batch step leaves for the power-loss bookkeeping.
#[derive(Debug, Default)]
pub struct BatchEffect {
    /// The state of the written key after each write or delete entry, in
    /// order: a power loss after a `Buffered` batch may leave any of them.
    pub states: Vec<((String, Value), Option<ModelRecord>)>,
    /// Keys that a `Sync` batch wrote or deleted: durable in their state
    /// after the batch.
    pub synced: BTreeSet<(String, Value)>,
}

/// An entry's outcome: the record returned (with its TTL for reads), or the
/// entry's result code.
type Outcome = Result<Option<(ReadView, Option<u64>)>, ResultCode>;

/// The write arguments of `w` for key `k` as the model stands now.
fn write_args(h: &Harness, k: K, w: &BPolicy) -> WriteArgs {
    let (gen_mode, generation) = w
        .gen
        .resolve(h.model.current_generation(&k.model_key(), h.now()));
    WriteArgs {
        action: w.action,
        gen_mode,
        generation,
        expiration: w.exp,
        send_key: w.send_key,
    }
}

fn batch_write_policy(w: &WriteArgs) -> BatchWritePolicy {
    BatchWritePolicy {
        record_exists_action: w.action,
        generation_policy: w.gen_mode,
        generation: w.generation,
        expiration: w.expiration,
        send_key: w.send_key,
    }
}

/// A batch write entry on both sides: the model's `operate`, and the
/// engine's `BatchOperation::write`.
fn write_entry(
    h: &mut Harness,
    k: K,
    ops: &[MOp],
    w: &BPolicy,
) -> (BatchOperation, Outcome, String) {
    let args = write_args(h, k, w);
    let now = h.now();
    let out = h
        .model
        .operate(&k.model_key(), ops, &args, now)
        .map(|v| Some((v, None)));
    let db_ops = ops.iter().map(operation).collect();
    let op = BatchOperation::write(&batch_write_policy(&args), k.key(), db_ops);
    (op, out, format!("{args:?}"))
}

/// The engine's outcome of entry `e`, in the model's form.
fn outcome_of(e: &BEntry, r: &BatchRecord) -> Outcome {
    match r.result_code {
        Some(code) => Err(code),
        None => Ok(r.record.clone().map(|rec| match e {
            BEntry::Read { k, .. } => view_of(&k.key(), rec),
            _ => (
                ReadView {
                    bins: rec.bins.into_iter().collect(),
                    generation: rec.generation,
                    expiration: rec.expiration,
                    user_key: None,
                },
                None,
            ),
        })),
    }
}

/// Runs `Op::Batch` on both sides and compares every entry.
pub fn run_batch(
    h: &mut Harness,
    i: usize,
    durability: Durability,
    entries: &[BEntry],
) -> Result<BatchEffect, TestCaseError> {
    let now = h.now();
    let mut effect = BatchEffect::default();
    let mut expected = Vec::new();
    let mut ops = Vec::new();
    let mut policies = Vec::new();
    for e in entries {
        let k = e.key();
        let mk = k.model_key();
        let (op, out, policy) = match e {
            BEntry::Read { bins, .. } => {
                let out = h.model_get(k, bins).map(Some);
                let op = BatchOperation::read(&BatchReadPolicy::default(), k.key(), db_bins(bins));
                (op, out, String::new())
            }
            BEntry::ReadOps { ops, .. } => {
                let out = h.model.read_ops(&mk, ops, now).map(|v| Some((v, None)));
                let db_ops = ops.iter().map(operation).collect();
                let op = BatchOperation::read_ops(&BatchReadPolicy::default(), k.key(), db_ops);
                (op, out, String::new())
            }
            BEntry::Puts { bins, w, .. } => {
                let puts: Vec<MOp> = bins
                    .iter()
                    .map(|(n, v)| MOp::PutBin(n, v.value()))
                    .collect();
                write_entry(h, k, &puts, w)
            }
            BEntry::Write { ops, w, .. } => write_entry(h, k, ops, w),
            BEntry::Delete { gen, .. } => {
                let (generation_policy, generation) =
                    gen.resolve(h.model.current_generation(&mk, now));
                let out = match h.model.delete(&mk, generation_policy, generation, now) {
                    Ok(true) => Ok(None),
                    Ok(false) => Err(ResultCode::KeyNotFoundError),
                    Err(code) => Err(code),
                };
                let p = BatchDeletePolicy {
                    generation_policy,
                    generation,
                };
                let op = BatchOperation::delete(&p, k.key());
                (op, out, format!("{p:?}"))
            }
        };
        let changes = match e {
            BEntry::Read { .. } | BEntry::ReadOps { .. } => false,
            BEntry::Write { ops, .. } => ops.iter().any(MOp::is_write),
            BEntry::Puts { .. } | BEntry::Delete { .. } => true,
        };
        if changes {
            effect
                .states
                .push((mk.clone(), h.model.records.get(&mk).cloned()));
            // A Sync batch makes what it wrote durable; a delete that found
            // nothing waits for the flush as well (semantics.md, "Batches").
            let durable = out.is_ok()
                || matches!(e, BEntry::Delete { .. }) && out == Err(ResultCode::KeyNotFoundError);
            if durability == Durability::Sync && durable {
                effect.synced.insert(mk);
            }
        }
        expected.push(out);
        ops.push(op);
        policies.push(policy);
    }
    let policy = BatchPolicy {
        durability: Some(durability),
    };
    let got = h.db().batch(&policy, &ops);
    prop_assert!(got.is_ok(), "step {}: batch failed: {:?}", i, got.err());
    let got = got.unwrap_or_default();
    prop_assert_eq!(got.len(), entries.len(), "step {}: one record per entry", i);
    for (j, ((e, r), want)) in entries.iter().zip(&got).zip(&expected).enumerate() {
        prop_assert_eq!(&r.key, &e.key().key(), "step {}, entry {}: key", i, j);
        prop_assert!(!r.in_doubt, "step {}, entry {}: in doubt: {:?}", i, j, r);
        prop_assert!(
            r.result_code.is_none() || r.record.is_none(),
            "step {}, entry {}: a failed entry returned a record: {:?}",
            i,
            j,
            r
        );
        prop_assert_eq!(
            &outcome_of(e, r),
            want,
            "step {} ({:?} batch), entry {}: {:?} (resolved policy {})",
            i,
            durability,
            j,
            e,
            &policies[j]
        );
    }
    Ok(effect)
}
