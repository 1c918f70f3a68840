//! The plain in-memory model of streams: per stream a list of shards (hash
//! range, parents, open or closed) with their records in write order, the
//! retention period and what it has hidden, and the iterators handed out as
//! (shard, position). Positions are ordinals of the model's global write
//! order; sequence numbers are the engine's (the model only requires that
//! they grow), everything else is computed here from streams.md.

use md5::{Digest as _, Md5};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

/// Iterators expire this long after they were issued.
pub const ITERATOR_TTL_MS: u64 = 5 * 60 * 1000;
pub const HOUR_MS: u64 = 3_600_000;

/// The error kinds the model predicts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Code {
    NotFound,
    InUse,
    Invalid,
    Expired,
}

/// The kind of an engine error, or `None` for one the model never predicts.
pub fn code_of(e: &aerolite::Error) -> Option<Code> {
    use aerolite::Error::*;
    match e {
        ResourceNotFound(_) => Some(Code::NotFound),
        ResourceInUse(_) => Some(Code::InUse),
        InvalidArgument(_) => Some(Code::Invalid),
        ExpiredIterator => Some(Code::Expired),
        _ => None,
    }
}

/// The hash key of a partition key: its MD5, big-endian (streams.md).
pub fn hash_of(pk: &str) -> u128 {
    u128::from_be_bytes(Md5::digest(pk.as_bytes()).into())
}

/// Shard `i` of `n` uniform shards: h = floor(2^128 / n), [i·h, (i+1)·h − 1],
/// the last one ending at 2^128 − 1 (streams.md).
pub fn uniform_range(i: u32, n: u32) -> (u128, u128) {
    if n == 1 {
        return (0, u128::MAX);
    }
    let (i, n) = (u128::from(i), u128::from(n));
    // 2^128 = n·q + r with q = floor(2^128 / n); 2^128 − 1 = n·q + (r − 1)
    // when r > 0, else n·(q − 1) + (n − 1).
    let q = u128::MAX / n;
    let h = if u128::MAX % n == n - 1 { q + 1 } else { q };
    let end = if i + 1 == n {
        u128::MAX
    } else {
        (i + 1) * h - 1
    };
    (i * h, end)
}

/// Numeric order of decimal strings without leading zeros.
pub fn seq_lt(a: &str, b: &str) -> bool {
    (a.len(), a) < (b.len(), b)
}

pub fn shard_id(i: u32) -> String {
    format!("shardId-{i:012}")
}

#[derive(Clone, PartialEq)]
pub struct MRec {
    /// Position in the model's global write order.
    pub ord: u64,
    pub seq: String,
    pub arrival_ms: u64,
    pub pk: String,
    pub data: Vec<u8>,
}

impl fmt::Debug for MRec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "#{} {} @{} {:?} {}B",
            self.ord,
            self.seq,
            self.arrival_ms,
            self.pk,
            self.data.len()
        )
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct MShard {
    pub id: u32,
    pub parent: Option<u32>,
    pub adjacent: Option<u32>,
    pub start: u128,
    pub end: u128,
    pub open: bool,
    pub recs: Vec<MRec>,
}

#[derive(Clone, Debug)]
pub struct MStream {
    /// Tells a stream from an earlier one of the same name.
    pub incarnation: u64,
    /// Indexed by shard id (ids are handed out in order).
    pub shards: Vec<MShard>,
    pub retention_h: u32,
    /// Records that arrived before this were hidden by the retention period
    /// once; a longer period does not bring them back (Kinesis's
    /// `IncreaseStreamRetentionPeriod`: "it does not make previous, expired
    /// data ... accessible").
    pub floor_ms: u64,
    pub last_arrival: u64,
    pub last_seq: Option<String>,
    /// Records ever written.
    pub written: u64,
    /// Consumer checkpoints: (consumer, shard) to sequence number.
    pub checkpoints: BTreeMap<(String, u32), String>,
    /// Records known durable (a power loss keeps them): those before this
    /// ordinal (written before a clean close) and those acknowledged under
    /// `Durability::Sync`.
    pub durable_before: u64,
    pub synced: BTreeSet<u64>,
}

impl MStream {
    pub fn new(incarnation: u64, n: u32) -> MStream {
        let shards = (0..n)
            .map(|i| {
                let (start, end) = uniform_range(i, n);
                MShard {
                    id: i,
                    parent: None,
                    adjacent: None,
                    start,
                    end,
                    open: true,
                    recs: Vec::new(),
                }
            })
            .collect();
        MStream {
            incarnation,
            shards,
            retention_h: 24,
            floor_ms: 0,
            last_arrival: 0,
            last_seq: None,
            written: 0,
            checkpoints: BTreeMap::new(),
            durable_before: 0,
            synced: BTreeSet::new(),
        }
    }

    /// The open shard holding `hash`.
    pub fn route(&self, hash: u128) -> u32 {
        let s = self
            .shards
            .iter()
            .find(|s| s.open && s.start <= hash && hash <= s.end);
        s.expect("the open shards cover the hash space").id
    }

    /// Open shards by hash range.
    pub fn open_sorted(&self) -> Vec<&MShard> {
        let mut v: Vec<&MShard> = self.shards.iter().filter(|s| s.open).collect();
        v.sort_by_key(|s| s.start);
        v
    }

    /// The oldest arrival time still returned at `now`.
    pub fn cutoff(&self, now: u64) -> u64 {
        now.saturating_sub(u64::from(self.retention_h) * HOUR_MS)
            .max(self.floor_ms)
    }

    /// Whether a power loss must keep the record.
    pub fn is_durable(&self, r: &MRec) -> bool {
        r.ord < self.durable_before || self.synced.contains(&r.ord)
    }

    /// Records of shard `id` at or after position `pos` still retained.
    pub fn visible(&self, id: u32, pos: u64, now: u64) -> Vec<&MRec> {
        let cutoff = self.cutoff(now);
        self.shards[id as usize]
            .recs
            .iter()
            .filter(|r| r.ord >= pos && r.arrival_ms >= cutoff)
            .collect()
    }

    pub fn visible_count(&self, now: u64) -> u64 {
        (0..self.shards.len() as u32)
            .map(|i| self.visible(i, 0, now).len() as u64)
            .sum()
    }

    /// Every record of the stream in write order.
    pub fn all_recs(&self) -> Vec<(u32, &MRec)> {
        let mut v: Vec<(u32, &MRec)> = self
            .shards
            .iter()
            .flat_map(|s| s.recs.iter().map(move |r| (s.id, r)))
            .collect();
        v.sort_by_key(|(_, r)| r.ord);
        v
    }

    /// The children of shard `id` as `get_records` lists them: id, parents,
    /// hash range, in id order.
    pub fn children(&self, id: u32) -> Vec<(u32, Vec<u32>, u128, u128)> {
        self.shards
            .iter()
            .filter(|s| s.parent == Some(id) || s.adjacent == Some(id))
            .map(|s| {
                let parents = s.parent.iter().chain(&s.adjacent).copied().collect();
                (s.id, parents, s.start, s.end)
            })
            .collect()
    }

    fn new_shard(&mut self, parent: u32, adjacent: Option<u32>, start: u128, end: u128) {
        let id = self.shards.len() as u32;
        self.shards.push(MShard {
            id,
            parent: Some(parent),
            adjacent,
            start,
            end,
            open: true,
            recs: Vec::new(),
        });
    }

    /// `split_shard` of shard `id` at hash key `at`, as streams.md rules.
    pub fn split(&mut self, id: u32, at: u128) -> Result<(), Code> {
        let s = self.shards.get(id as usize).ok_or(Code::NotFound)?;
        if !s.open {
            return Err(Code::InUse);
        }
        if !(s.start.saturating_add(1) < at && at < s.end) {
            return Err(Code::Invalid);
        }
        let (start, end) = (s.start, s.end);
        self.shards[id as usize].open = false;
        self.new_shard(id, None, start, at - 1);
        self.new_shard(id, None, at, end);
        Ok(())
    }

    /// `merge_shards(a, b)`: both open and adjacent.
    pub fn merge(&mut self, a: u32, b: u32) -> Result<(), Code> {
        let get = |i: u32| self.shards.get(i as usize).ok_or(Code::NotFound);
        let (sa, sb) = (get(a)?, get(b)?);
        if !sa.open || !sb.open {
            return Err(Code::InUse);
        }
        let touching =
            sa.end.checked_add(1) == Some(sb.start) || sb.end.checked_add(1) == Some(sa.start);
        if !touching {
            return Err(Code::Invalid);
        }
        let (start, end) = (sa.start.min(sb.start), sa.end.max(sb.end));
        self.shards[a as usize].open = false;
        self.shards[b as usize].open = false;
        self.new_shard(a, Some(b), start, end);
        Ok(())
    }

    /// Whether `update_shard_count(target)` is allowed: ½× to 2× the open
    /// shards.
    pub fn rescale_ok(&self, target: u32) -> bool {
        let open = self.shards.iter().filter(|s| s.open).count() as u32;
        target >= 1 && target <= 2 * open && 2 * target >= open
    }

    /// A retention change; `now` for the records it hides for good.
    pub fn set_retention(&mut self, hours: u32, increase: bool, now: u64) -> Result<(), Code> {
        if !(24..=8760).contains(&hours) {
            return Err(Code::Invalid);
        }
        let cur = self.retention_h;
        if (increase && hours < cur) || (!increase && hours > cur) {
            return Err(Code::Invalid);
        }
        self.floor_ms = self.cutoff(now);
        self.retention_h = hours;
        Ok(())
    }
}

/// An iterator the harness holds: the engine's string and where the model
/// says it stands.
#[derive(Clone, Debug)]
pub struct MIter {
    pub token: String,
    pub stream: String,
    pub incarnation: u64,
    pub shard: u32,
    pub pos: u64,
    pub issued_ms: u64,
}

/// What a `get_records` call must return.
#[derive(Debug)]
pub struct Expected {
    pub recs: Vec<MRec>,
    /// The next iterator's position, `None` at the end of a closed shard.
    pub next: Option<u64>,
    pub behind_ms: u64,
    pub children: Vec<(u32, Vec<u32>, u128, u128)>,
}

#[derive(Debug, Default)]
pub struct Model {
    pub streams: BTreeMap<String, MStream>,
    /// The next write's ordinal.
    pub next_ord: u64,
    pub incarnations: u64,
}

impl Model {
    pub fn stream(&self, name: &str) -> Result<&MStream, Code> {
        self.streams.get(name).ok_or(Code::NotFound)
    }

    pub fn stream_mut(&mut self, name: &str) -> Result<&mut MStream, Code> {
        self.streams.get_mut(name).ok_or(Code::NotFound)
    }

    /// `get_records(it, limit)` at `now`.
    pub fn read(&self, it: &MIter, limit: Option<u32>, now: u64) -> Result<Expected, Code> {
        let s = match self.streams.get(&it.stream) {
            Some(s) if s.incarnation == it.incarnation => s,
            _ => return Err(Code::NotFound),
        };
        let n = limit.unwrap_or(10_000);
        if !(1..=10_000).contains(&n) {
            return Err(Code::Invalid);
        }
        if now > it.issued_ms + ITERATOR_TTL_MS {
            return Err(Code::Expired);
        }
        let vis = s.visible(it.shard, it.pos, now);
        let n = n as usize;
        let recs: Vec<MRec> = vis.iter().take(n).map(|r| (*r).clone()).collect();
        let shard = &s.shards[it.shard as usize];
        Ok(match vis.get(n) {
            Some(more) => Expected {
                recs,
                next: Some(more.ord),
                behind_ms: now - more.arrival_ms,
                children: Vec::new(),
            },
            None if !shard.open => Expected {
                recs,
                next: None,
                behind_ms: 0,
                children: s.children(it.shard),
            },
            None => Expected {
                recs,
                next: Some(self.next_ord),
                behind_ms: 0,
                children: Vec::new(),
            },
        })
    }
}
