//! The operations of the model test and the proptest strategies that
//! generate them.

use crate::model::{BinsSel, GenCheck, MOp};
use aerolite::{Durability, Expiration, RecordExistsAction, Value};
use proptest::prelude::*;
use std::fmt;

pub const NS: &str = "test";
pub const BIN_NAMES: [&str; 4] = ["a", "b", "c", "d"];
/// Unix seconds where every run's clock starts.
pub const START_UNIX: u64 = 1_700_000_000;

/// The key space: 8 keys in 2 sets; the same user key in both sets on purpose.
pub fn key_space() -> [(String, Value); 8] {
    [
        ("s1".into(), Value::Int(1)),
        ("s1".into(), Value::Int(2)),
        ("s1".into(), Value::from("a")),
        ("s1".into(), Value::Blob(vec![1])),
        ("s2".into(), Value::Int(1)),
        ("s2".into(), Value::from("a")),
        ("s2".into(), Value::Int(-7)),
        ("s2".into(), Value::from("b")),
    ]
}

/// An index into [`key_space`], printed as the key it names.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct K(pub usize);

impl K {
    pub fn model_key(self) -> (String, Value) {
        key_space()[self.0].clone()
    }
    pub fn key(self) -> aerolite::Key {
        let (set, uk) = self.model_key();
        aerolite::Key::new(NS, &set, uk).expect("valid key")
    }
}

impl fmt::Debug for K {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (set, uk) = self.model_key();
        write!(f, "K({}/{uk:?})", set)
    }
}

/// A bin value in an op; large blobs are described, not printed.
#[derive(Clone, PartialEq)]
pub enum BinVal {
    V(Value),
    Big { fill: u8, len: usize },
}

impl BinVal {
    pub fn value(&self) -> Value {
        match self {
            BinVal::V(v) => v.clone(),
            BinVal::Big { fill, len } => Value::Blob(vec![*fill; *len]),
        }
    }
}

impl fmt::Debug for BinVal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BinVal::V(v) => write!(f, "{v:?}"),
            BinVal::Big { fill, len } => write!(f, "Blob([{fill}; {len}])"),
        }
    }
}

#[derive(Clone, Debug)]
pub enum Op {
    Put {
        k: K,
        bins: Vec<(&'static str, BinVal)>,
        action: RecordExistsAction,
        gen: GenCheck,
        exp: Expiration,
        send_key: bool,
    },
    Get {
        k: K,
        bins: BinsSel,
    },
    Exists {
        k: K,
    },
    Delete {
        k: K,
        gen: GenCheck,
    },
    Touch {
        k: K,
        gen: GenCheck,
        exp: Expiration,
        send_key: bool,
    },
    Advance {
        secs: u32,
    },
    /// Closes (`close: true`) or drops the Db and opens it again.
    Reopen {
        close: bool,
    },
    /// Closes the Db, deletes the index snapshots it wrote and opens it
    /// again, so the index is rebuilt from hints and segments (a `Reopen`
    /// reads it back from the snapshot).
    ReopenRebuild,
    /// `Db::sweep_expired`; afterwards no expired record may be counted.
    Sweep,
    /// `Db::compact` (defragmentation), checked by the reads that follow.
    Compact,
    /// `Db::operate` with the policy fields of a put.
    Operate {
        k: K,
        ops: Vec<MOp>,
        action: RecordExistsAction,
        gen: GenCheck,
        exp: Expiration,
        send_key: bool,
    },
    /// `Db::batch_get`; keys may repeat.
    BatchGet {
        keys: Vec<K>,
        bins: BinsSel,
    },
    /// `Db::scan` of one set (or the namespace) with `Bins::All`.
    Scan {
        set: Option<&'static str>,
    },
    /// `Db::truncate` of one set (or the namespace) with `before = None`.
    Truncate {
        set: Option<&'static str>,
    },
    /// The power is cut (a `PowerLossSim` keeps the pages and directory
    /// operations chosen by `seed`), the database dropped and opened again.
    PowerLoss {
        seed: u64,
    },
    /// `Db::batch` with `BatchPolicy::durability`; keys repeat, and each
    /// entry sees what the earlier ones did.
    Batch {
        durability: Durability,
        entries: Vec<BEntry>,
    },
}

/// The policy fields of a batch write (`BatchWritePolicy`); the generation
/// check is resolved against the record as the earlier entries left it.
#[derive(Clone, Debug)]
pub struct BPolicy {
    pub action: RecordExistsAction,
    pub gen: GenCheck,
    pub exp: Expiration,
    pub send_key: bool,
}

/// One entry of an [`Op::Batch`].
#[derive(Clone, Debug)]
pub enum BEntry {
    /// `BatchOperation::read`.
    Read { k: K, bins: BinsSel },
    /// `BatchOperation::read_ops`; a write among the ops fails the entry
    /// with `ParameterError`.
    ReadOps { k: K, ops: Vec<MOp> },
    /// `BatchOperation::write` of plain puts (the engine's put path; nil
    /// bins delete bins).
    Puts {
        k: K,
        bins: Vec<(&'static str, BinVal)>,
        w: BPolicy,
    },
    /// `BatchOperation::write` of operate ops.
    Write { k: K, ops: Vec<MOp>, w: BPolicy },
    /// `BatchOperation::delete` with a `BatchDeletePolicy`.
    Delete { k: K, gen: GenCheck },
}

impl BEntry {
    pub fn key(&self) -> K {
        match self {
            BEntry::Read { k, .. }
            | BEntry::ReadOps { k, .. }
            | BEntry::Puts { k, .. }
            | BEntry::Write { k, .. }
            | BEntry::Delete { k, .. } => *k,
        }
    }
}

#[derive(Clone, Debug)]
pub struct Case {
    pub default_ttl: Option<u32>,
    pub segment_size: u64,
    pub durability: Durability,
    pub ops: Vec<Op>,
}

pub fn key() -> impl Strategy<Value = K> {
    (0..key_space().len()).prop_map(K)
}

pub fn leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::Int),
        prop_oneof![Just(0i64), Just(-1), Just(i64::MIN), Just(i64::MAX)].prop_map(Value::Int),
        any::<f64>().prop_map(Value::Float),
        ".{0,12}".prop_map(Value::String),
        proptest::collection::vec(any::<u8>(), 0..48).prop_map(Value::Blob),
    ]
}

pub fn nested() -> impl Strategy<Value = Value> {
    let inner_leaf = prop_oneof![1 => Just(Value::Nil), 6 => leaf()];
    inner_leaf.prop_recursive(3, 24, 4, |inner| {
        let map_key = prop_oneof![
            any::<i64>().prop_map(Value::Int),
            "[a-z]{0,4}".prop_map(Value::String),
        ];
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..4).prop_map(Value::List),
            proptest::collection::btree_map(map_key, inner, 0..4).prop_map(Value::Map),
        ]
    })
}

pub fn bin_val() -> impl Strategy<Value = BinVal> {
    prop_oneof![
        1 => Just(BinVal::V(Value::Nil)),
        8 => leaf().prop_map(BinVal::V),
        3 => nested().prop_map(BinVal::V),
        8 => (any::<u8>(), 1000usize..3500).prop_map(|(fill, len)| BinVal::Big { fill, len }),
    ]
}

pub fn bins() -> impl Strategy<Value = Vec<(&'static str, BinVal)>> {
    let count = prop_oneof![1 => Just(0usize), 30 => 1..=BIN_NAMES.len()];
    count
        .prop_flat_map(|n| proptest::sample::subsequence(BIN_NAMES.to_vec(), n))
        .prop_flat_map(|names| {
            names
                .into_iter()
                .map(|n| (Just(n), bin_val()))
                .collect::<Vec<_>>()
        })
        .prop_shuffle()
}

pub fn action() -> impl Strategy<Value = RecordExistsAction> {
    prop_oneof![
        4 => Just(RecordExistsAction::Update),
        1 => Just(RecordExistsAction::UpdateOnly),
        2 => Just(RecordExistsAction::Replace),
        1 => Just(RecordExistsAction::ReplaceOnly),
        2 => Just(RecordExistsAction::CreateOnly),
    ]
}

pub fn gen_check() -> impl Strategy<Value = GenCheck> {
    prop_oneof![
        4 => Just(GenCheck::None),
        2 => (-2i8..=2).prop_map(GenCheck::Equal),
        1 => (-1i8..=2).prop_map(GenCheck::Greater),
    ]
}

pub fn expiration() -> impl Strategy<Value = Expiration> {
    prop_oneof![
        3 => (0u32..40).prop_map(Expiration::Seconds),
        3 => Just(Expiration::NamespaceDefault),
        1 => Just(Expiration::Never),
        2 => Just(Expiration::DontUpdate),
    ]
}

pub fn bins_sel() -> impl Strategy<Value = BinsSel> {
    prop_oneof![
        2 => Just(BinsSel::All),
        1 => Just(BinsSel::None),
        2 => proptest::sample::subsequence(vec!["a", "b", "c", "d", "zz"], 0..=3)
            .prop_map(|v| BinsSel::Some(v.into_iter().map(String::from).collect())),
    ]
}

pub fn bin_name() -> impl Strategy<Value = &'static str> {
    proptest::sample::select(BIN_NAMES.to_vec())
}

/// Bin values of an operate: ints, short strings, short lists of ints, nil.
pub fn simple_value() -> impl Strategy<Value = Value> {
    let int = prop_oneof![
        3 => -3i64..3,
        1 => any::<i64>(),
        1 => prop_oneof![Just(i64::MIN), Just(i64::MAX)],
    ];
    prop_oneof![
        1 => Just(Value::Nil),
        3 => int.prop_map(Value::Int),
        2 => "[a-z]{0,6}".prop_map(Value::String),
        2 => proptest::collection::vec(-3i64..3, 0..4)
            .prop_map(|v| Value::List(v.into_iter().map(Value::Int).collect())),
    ]
}

pub fn m_op() -> impl Strategy<Value = MOp> {
    let operand = prop_oneof![
        3 => -3i64..3,
        1 => any::<i64>(),
        1 => prop_oneof![Just(i64::MIN), Just(i64::MAX)],
    ];
    prop_oneof![
        3 => (bin_name(), operand).prop_map(|(b, n)| MOp::Add(b, n)),
        3 => (bin_name(), simple_value()).prop_map(|(b, v)| MOp::PutBin(b, v)),
        3 => bin_name().prop_map(MOp::GetBin),
        1 => Just(MOp::Get),
        1 => Just(MOp::Touch),
        1 => Just(MOp::Delete),
        2 => (bin_name(), -3i64..3).prop_map(|(b, n)| MOp::ListAppend(b, n)),
    ]
}

/// Ops of a `read_ops` entry: reads, and in about one entry in five a
/// write slipped in among them (the entry must fail).
pub fn read_ops() -> impl Strategy<Value = Vec<MOp>> {
    let read = prop_oneof![3 => bin_name().prop_map(MOp::GetBin), 1 => Just(MOp::Get)];
    let count = prop_oneof![1 => Just(0usize), 12 => 1usize..4];
    let write = proptest::option::weighted(0.2, m_op().prop_filter("a write", MOp::is_write));
    (
        count.prop_flat_map(move |n| proptest::collection::vec(read.clone(), n)),
        write,
        any::<proptest::sample::Index>(),
    )
        .prop_map(|(mut ops, write, at)| {
            if let Some(w) = write {
                let i = at.index(ops.len() + 1);
                ops.insert(i, w);
            }
            ops
        })
}

/// Bins of a put that only deletes bins (nil values), or mixes both.
pub fn nil_bins() -> impl Strategy<Value = Vec<(&'static str, BinVal)>> {
    (
        proptest::sample::subsequence(BIN_NAMES.to_vec(), 1..=2),
        proptest::option::of((bin_name(), leaf())),
    )
        .prop_map(|(names, extra)| {
            let mut bins: Vec<(&'static str, BinVal)> = names
                .into_iter()
                .map(|n| (n, BinVal::V(Value::Nil)))
                .collect();
            if let Some((n, v)) = extra {
                if !bins.iter().any(|(b, _)| *b == n) {
                    bins.push((n, BinVal::V(v)));
                }
            }
            bins
        })
}

pub fn b_policy() -> impl Strategy<Value = BPolicy> {
    (action(), gen_check(), expiration(), any::<bool>()).prop_map(|(action, gen, exp, send_key)| {
        BPolicy {
            action,
            gen,
            exp,
            send_key,
        }
    })
}

pub fn batch_entry() -> impl Strategy<Value = BEntry> {
    prop_oneof![
        3 => (key(), bins_sel()).prop_map(|(k, bins)| BEntry::Read { k, bins }),
        2 => (key(), read_ops()).prop_map(|(k, ops)| BEntry::ReadOps { k, ops }),
        4 => (key(), prop_oneof![3 => bins(), 1 => nil_bins()], b_policy())
            .prop_map(|(k, bins, w)| BEntry::Puts { k, bins, w }),
        4 => (key(), prop_oneof![1 => Just(0usize), 12 => 1usize..5]
                .prop_flat_map(|n| proptest::collection::vec(m_op(), n)), b_policy())
            .prop_map(|(k, ops, w)| BEntry::Write { k, ops, w }),
        2 => (key(), gen_check()).prop_map(|(k, gen)| BEntry::Delete { k, gen }),
    ]
}

pub fn set_sel() -> impl Strategy<Value = Option<&'static str>> {
    prop_oneof![
        2 => Just(Some("s1")),
        2 => Just(Some("s2")),
        1 => Just(None),
    ]
}

pub fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        10 => (key(), bins(), action(), gen_check(), expiration(), any::<bool>()).prop_map(
            |(k, bins, action, gen, exp, send_key)| Op::Put { k, bins, action, gen, exp, send_key }
        ),
        3 => (key(), bins_sel()).prop_map(|(k, bins)| Op::Get { k, bins }),
        1 => key().prop_map(|k| Op::Exists { k }),
        2 => (key(), gen_check()).prop_map(|(k, gen)| Op::Delete { k, gen }),
        2 => (key(), gen_check(), expiration(), any::<bool>())
            .prop_map(|(k, gen, exp, send_key)| Op::Touch { k, gen, exp, send_key }),
        2 => prop_oneof![0u32..=3, 0u32..=30].prop_map(|secs| Op::Advance { secs }),
        1 => any::<bool>().prop_map(|close| Op::Reopen { close }),
        1 => Just(Op::ReopenRebuild),
        1 => Just(Op::Sweep),
        1 => Just(Op::Compact),
        6 => (
            key(),
            proptest::collection::vec(m_op(), 1..5),
            action(),
            gen_check(),
            expiration(),
            any::<bool>(),
        )
            .prop_map(|(k, ops, action, gen, exp, send_key)| {
                Op::Operate { k, ops, action, gen, exp, send_key }
            }),
        1 => (proptest::collection::vec(key(), 1..6), bins_sel())
            .prop_map(|(keys, bins)| Op::BatchGet { keys, bins }),
        1 => set_sel().prop_map(|set| Op::Scan { set }),
        1 => set_sel().prop_map(|set| Op::Truncate { set }),
        1 => any::<u64>().prop_map(|seed| Op::PowerLoss { seed }),
        4 => (
            prop_oneof![Just(Durability::Buffered), Just(Durability::Sync)],
            proptest::collection::vec(batch_entry(), 1..10),
        )
            .prop_map(|(durability, entries)| Op::Batch { durability, entries }),
    ]
}

pub fn case(max_steps: usize) -> impl Strategy<Value = Case> {
    (
        prop_oneof![Just(None), Just(Some(20u32)), (1u32..40).prop_map(Some)],
        prop_oneof![2 => Just(16 * 1024u64), 1 => Just(64 * 1024u64)],
        prop_oneof![Just(Durability::Buffered), Just(Durability::Sync)],
        proptest::collection::vec(op(), (max_steps / 4)..=max_steps),
    )
        .prop_map(|(default_ttl, segment_size, durability, ops)| Case {
            default_ttl,
            segment_size,
            durability,
            ops,
        })
}
