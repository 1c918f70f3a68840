//! The steps of the stream model test and the proptest strategies that
//! generate them. Steps name streams, shards, records and iterators by
//! small indexes that the harness resolves against the model's state when
//! the step runs, so any sequence is meaningful and shrinks well.

use proptest::prelude::*;

pub const STREAMS: [&str; 2] = ["alpha", "beta"];
/// Partition keys; the last two are invalid (empty, 257 characters).
pub const PKS: [&str; 10] = [
    "a", "b", "e", "f", "k0", "k1", "user-42", "ключ", "", "<long>",
];

pub fn partition_key(i: usize) -> String {
    match PKS[i % PKS.len()] {
        "<long>" => "x".repeat(257),
        k => k.to_string(),
    }
}

/// How an explicit hash key is chosen.
#[derive(Clone, Debug)]
pub enum Ehk {
    None,
    Random(u128),
    /// The first or last hash key of an open shard.
    Edge {
        shard: usize,
        end: bool,
    },
    Max,
    /// 2^128: out of range.
    TooBig,
    /// Not a decimal hash key.
    Malformed,
}

#[derive(Clone, Debug)]
pub enum IterKind {
    TrimHorizon,
    Latest,
    /// At / after the `rec`-th record of the stream (any shard: a record of
    /// another shard is `InvalidArgument`).
    AtSeq {
        rec: usize,
        after: bool,
    },
    /// At a time `back_ms` before now.
    AtTime {
        back_ms: u64,
    },
    /// A time in the future.
    Future,
}

#[derive(Clone, Debug)]
pub enum SplitAt {
    Mid,
    /// The shard's first hash key plus 0, 1 or 2 (only + 2 may be valid).
    StartPlus(u8),
    End,
    Random(u128),
}

#[derive(Clone, Debug)]
pub enum Op {
    Create {
        s: usize,
        shards: u32,
    },
    Delete {
        s: usize,
    },
    Put {
        s: usize,
        pk: usize,
        ehk: Ehk,
        len: usize,
        arn: bool,
        sync: bool,
        ordering: Option<usize>,
    },
    PutRecords {
        s: usize,
        entries: Vec<(usize, Ehk, usize)>,
    },
    /// Gets an iterator (`shard` 11 names no shard; `lenient`
    /// writes the id as bare digits) and remembers it.
    Iter {
        s: usize,
        shard: usize,
        lenient: bool,
        kind: IterKind,
    },
    /// Reads from the `it`-th remembered iterator and remembers the next.
    Read {
        it: usize,
        limit: Option<u32>,
    },
    /// Reads a whole stream from `TRIM_HORIZON` and compares.
    ReadAll {
        s: usize,
    },
    Split {
        s: usize,
        shard: usize,
        at: SplitAt,
    },
    /// Merges an open shard with its right neighbour (`other == None`) or
    /// with any shard.
    Merge {
        s: usize,
        shard: usize,
        other: Option<usize>,
    },
    Rescale {
        s: usize,
        target: u32,
    },
    Retention {
        s: usize,
        increase: bool,
        hours: u32,
    },
    Advance {
        ms: u64,
    },
    Enforce,
    Reopen {
        close: bool,
    },
    /// Cuts the power (`PowerLossSim`, `seed` choosing the unsynced pages
    /// that survive) and reopens the crash image.
    PowerLoss {
        seed: u64,
    },
    /// Stores the `rec`-th record's number as `consumer`'s checkpoint in
    /// its shard (`shard` < 6) or in another (`InvalidArgument`, or
    /// `ResourceNotFound` for 11).
    Checkpoint {
        s: usize,
        consumer: usize,
        shard: usize,
        rec: usize,
    },
    GetCheckpoint {
        s: usize,
        consumer: usize,
        shard: usize,
    },
}

/// Consumer names; the last is invalid.
pub const CONSUMERS: [&str; 3] = ["app-1", "app.2", "no spaces"];

fn stream_ix() -> impl Strategy<Value = usize> {
    prop_oneof![4 => Just(0usize), 1 => Just(1usize)]
}

fn pk() -> impl Strategy<Value = usize> {
    prop_oneof![40 => 0usize..8, 1 => 8usize..10]
}

fn ehk() -> impl Strategy<Value = Ehk> {
    prop_oneof![
        12 => Just(Ehk::None),
        3 => any::<u128>().prop_map(Ehk::Random),
        3 => (0usize..8, any::<bool>()).prop_map(|(shard, end)| Ehk::Edge { shard, end }),
        1 => Just(Ehk::Max),
        1 => Just(Ehk::TooBig),
        1 => Just(Ehk::Malformed),
    ]
}

/// A data length meaning "the largest record the stream takes" (1 MiB with
/// the partition key); `MAX_DATA + 1` is one byte more.
pub const MAX_DATA: usize = usize::MAX - 1;

/// Data lengths of `put_record`: now and then a record of the maximum size
/// (larger than a segment) or one byte more.
fn put_data_len() -> impl Strategy<Value = usize> {
    prop_oneof![
        40 => data_len(),
        1 => Just(MAX_DATA),
        1 => Just(MAX_DATA + 1),
    ]
}

fn data_len() -> impl Strategy<Value = usize> {
    prop_oneof![1 => Just(0usize), 6 => 1usize..64, 2 => 64usize..400]
}

fn iter_kind() -> impl Strategy<Value = IterKind> {
    prop_oneof![
        3 => Just(IterKind::TrimHorizon),
        3 => Just(IterKind::Latest),
        4 => (any::<usize>(), any::<bool>()).prop_map(|(rec, after)| IterKind::AtSeq { rec, after }),
        2 => prop_oneof![0u64..2_000, 0u64..100 * HOUR, Just(24 * HOUR)]
            .prop_map(|back_ms| IterKind::AtTime { back_ms }),
        1 => Just(IterKind::Future),
    ]
}

const HOUR: u64 = 3_600_000;

fn split_at() -> impl Strategy<Value = SplitAt> {
    prop_oneof![
        4 => Just(SplitAt::Mid),
        1 => (0u8..3).prop_map(SplitAt::StartPlus),
        1 => Just(SplitAt::End),
        1 => any::<u128>().prop_map(SplitAt::Random),
    ]
}

/// Clock moves: small steps, the iterator lifetime's edge, hours, the
/// retention period's edge.
fn advance() -> impl Strategy<Value = u64> {
    prop_oneof![
        4 => 1u64..3_000,
        2 => 299_999u64..300_002,
        2 => HOUR..30 * HOUR,
        1 => (24 * HOUR - 1)..(24 * HOUR + 2),
    ]
}

pub fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        3 => (0usize..2, 1u32..5).prop_map(|(s, shards)| Op::Create { s, shards }),
        1 => (0usize..2).prop_map(|s| Op::Delete { s }),
        14 => (stream_ix(), pk(), ehk(), put_data_len(), any::<bool>(), any::<bool>(),
               proptest::option::weighted(0.2, any::<usize>()))
            .prop_map(|(s, pk, ehk, len, arn, sync, ordering)| Op::Put {
                s, pk, ehk, len, arn, sync, ordering
            }),
        6 => (stream_ix(), proptest::collection::vec((pk(), ehk(), data_len()), 1..9))
            .prop_map(|(s, entries)| Op::PutRecords { s, entries }),
        8 => (stream_ix(), 0usize..12, any::<bool>(), iter_kind())
            .prop_map(|(s, shard, lenient, kind)| Op::Iter { s, shard, lenient, kind }),
        10 => (any::<usize>(), prop_oneof![
                3 => Just(None),
                4 => (1u32..4).prop_map(Some),
                1 => prop_oneof![Just(0u32), Just(10_001u32)].prop_map(Some),
            ]).prop_map(|(it, limit)| Op::Read { it, limit }),
        2 => stream_ix().prop_map(|s| Op::ReadAll { s }),
        3 => (stream_ix(), 0usize..12, split_at()).prop_map(|(s, shard, at)| Op::Split { s, shard, at }),
        2 => (stream_ix(), 0usize..12, proptest::option::weighted(0.3, 0usize..12))
            .prop_map(|(s, shard, other)| Op::Merge { s, shard, other }),
        1 => (stream_ix(), 0u32..9).prop_map(|(s, target)| Op::Rescale { s, target }),
        2 => (stream_ix(), any::<bool>(), prop_oneof![
                Just(23u32), Just(24), Just(25), Just(48), Just(8760), Just(8761)
            ]).prop_map(|(s, increase, hours)| Op::Retention { s, increase, hours }),
        5 => advance().prop_map(|ms| Op::Advance { ms }),
        2 => Just(Op::Enforce),
        2 => any::<bool>().prop_map(|close| Op::Reopen { close }),
        2 => any::<u64>().prop_map(|seed| Op::PowerLoss { seed }),
        2 => (stream_ix(), prop_oneof![8 => 0usize..2, 1 => Just(2usize)], 0usize..12, any::<usize>())
            .prop_map(|(s, consumer, shard, rec)| Op::Checkpoint { s, consumer, shard, rec }),
        2 => (stream_ix(), 0usize..3, 0usize..12)
            .prop_map(|(s, consumer, shard)| Op::GetCheckpoint { s, consumer, shard }),
    ]
}

/// A case: a stream is created first, then `steps`.
pub fn case(max_steps: usize) -> impl Strategy<Value = Vec<Op>> {
    (
        1u32..5,
        proptest::collection::vec(op(), (max_steps / 4)..=max_steps),
    )
        .prop_map(|(shards, mut ops)| {
            ops.insert(0, Op::Create { s: 0, shards });
            ops
        })
}
