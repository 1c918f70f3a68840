//! Resharding: splitting a shard, merging two, and uniform scaling. Each
//! change closes parents and opens children in one metadata write, under
//! the write lock, so no record lands in a parent after it closed.

use super::hashkey;
use super::meta::{ShardMeta, StreamMeta};
use super::names::shard_id;
use super::stream::Stream;
use crate::error::{Error, Result};

impl Stream {
    /// Splits open shard `index` at hash key `at`.
    pub(crate) fn split_shard(&self, index: u32, id: &str, at: &str) -> Result<()> {
        let at = hashkey::parse("newStartingHashKey", at)?;
        let _w = self.write.lock();
        let mut meta = self.state.read().meta.clone();
        let parent = self.open_shard(&meta, index, id)?;
        if !(parent.start_hash.saturating_add(1) < at && at < parent.end_hash) {
            return Err(Error::InvalidArgument(format!(
                "NewStartingHashKey {at} used in SplitShard() on shard {} in stream {} under \
                 account {} is not both greater than one plus the shard's StartingHashKey {} and \
                 less than the shard's EndingHashKey {}.",
                shard_id(index),
                meta.name,
                self.config.account,
                parent.start_hash,
                parent.end_hash
            )));
        }
        let seq = self.log.next_seq();
        split(&mut meta, index, at, seq);
        self.commit_meta(meta)
    }

    /// Merges open shard `index` with the open shard `adjacent` next to it.
    pub(crate) fn merge_shards(
        &self,
        index: u32,
        id: &str,
        adjacent: u32,
        adjacent_id: &str,
    ) -> Result<()> {
        let _w = self.write.lock();
        let mut meta = self.state.read().meta.clone();
        let a = self.open_shard(&meta, index, id)?;
        let b = self.open_shard(&meta, adjacent, adjacent_id)?;
        let touching = a.end_hash.checked_add(1) == Some(b.start_hash)
            || b.end_hash.checked_add(1) == Some(a.start_hash);
        if !touching {
            return Err(Error::InvalidArgument(format!(
                "Shards {} and {} in stream {} under account {} are not an adjacent pair of \
                 shards eligible for merging",
                shard_id(index),
                shard_id(adjacent),
                meta.name,
                self.config.account
            )));
        }
        let seq = self.log.next_seq();
        merge(&mut meta, index, adjacent, seq);
        self.commit_meta(meta)
    }

    /// Scales the stream to `target` open shards of uniform hash ranges,
    /// through splits and merges (as Kinesis does: the intermediate shards
    /// are opened and closed in the same step and hold no records).
    pub(crate) fn update_shard_count(&self, target: u32) -> Result<()> {
        let _w = self.write.lock();
        let mut meta = self.state.read().meta.clone();
        let open = meta.open_shards().count() as u32;
        if target == 0 || target > open.saturating_mul(2) || target.saturating_mul(2) < open {
            return Err(Error::InvalidArgument(format!(
                "UpdateShardCount cannot scale stream {} from {open} to {target} shards: the \
                 target must be between half and double the current open shard count \
                 ({} to {}).",
                meta.name,
                open.div_ceil(2),
                open.saturating_mul(2)
            )));
        }
        let seq = self.log.next_seq();
        // Split every open shard at each target boundary strictly inside it.
        let boundaries: Vec<u128> = (1..target)
            .map(|i| hashkey::uniform_range(i, target).0)
            .collect();
        for &k in &boundaries {
            let holder = meta
                .open_shards()
                .find(|s| s.start_hash < k && k <= s.end_hash)
                .map(|s| s.index);
            if let Some(h) = holder {
                split(&mut meta, h, k, seq);
            }
        }
        // Merge the pieces of each target range, left to right.
        for i in 0..target {
            let (start, end) = hashkey::uniform_range(i, target);
            loop {
                let pieces: Vec<u32> = meta
                    .open_shards()
                    .filter(|s| s.start_hash >= start && s.end_hash <= end)
                    .map(|s| s.index)
                    .collect();
                if pieces.len() < 2 {
                    break;
                }
                let mut by_start = pieces.clone();
                by_start.sort_by_key(|&p| meta.shard(p).map_or(0, |s| s.start_hash));
                merge(&mut meta, by_start[0], by_start[1], seq);
            }
        }
        self.commit_meta(meta)
    }

    fn open_shard(&self, meta: &StreamMeta, index: u32, id: &str) -> Result<ShardMeta> {
        let s = meta
            .shard(index)
            .cloned()
            .ok_or_else(|| self.shard_not_found(id, &meta.name))?;
        if !s.is_open() {
            return Err(Error::ResourceInUse(format!(
                "Shard {} in stream {} under account {} has already been merged or split, and \
                 thus is not eligible for merging or splitting.",
                shard_id(index),
                meta.name,
                self.config.account
            )));
        }
        Ok(s)
    }
}

/// Closes open shard `index` at log sequence `seq` and opens its two halves
/// `[start, at − 1]` and `[at, end]`.
fn split(meta: &mut StreamMeta, index: u32, at: u128, seq: u64) {
    let Some(pos) = meta.shards.iter().position(|s| s.index == index) else {
        return;
    };
    meta.shards[pos].end_seq = Some(seq.max(1));
    let (start, end) = (meta.shards[pos].start_hash, meta.shards[pos].end_hash);
    for (lo, hi) in [(start, at - 1), (at, end)] {
        let child = meta.next_shard;
        meta.next_shard += 1;
        meta.shards.push(ShardMeta {
            index: child,
            parent: Some(index),
            adjacent_parent: None,
            start_hash: lo,
            end_hash: hi,
            start_seq: seq,
            end_seq: None,
        });
    }
}

/// Closes open shards `a` and `b` (adjacent) at `seq` and opens their union.
fn merge(meta: &mut StreamMeta, a: u32, b: u32, seq: u64) {
    let (mut lo, mut hi) = (u128::MAX, 0u128);
    for s in meta
        .shards
        .iter_mut()
        .filter(|s| s.index == a || s.index == b)
    {
        s.end_seq = Some(seq.max(1));
        lo = lo.min(s.start_hash);
        hi = hi.max(s.end_hash);
    }
    let child = meta.next_shard;
    meta.next_shard += 1;
    meta.shards.push(ShardMeta {
        index: child,
        parent: Some(a),
        adjacent_parent: Some(b),
        start_hash: lo,
        end_hash: hi,
        start_seq: seq,
        end_seq: None,
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::streams::types::StreamConfig;

    fn covered(meta: &StreamMeta) -> bool {
        let mut open: Vec<&ShardMeta> = meta.open_shards().collect();
        open.sort_by_key(|s| s.start_hash);
        open.first().is_some_and(|s| s.start_hash == 0)
            && open.last().is_some_and(|s| s.end_hash == u128::MAX)
            && open
                .windows(2)
                .all(|w| w[0].end_hash + 1 == w[1].start_hash)
    }

    #[test]
    fn split_and_merge_keep_the_space_covered() {
        let mut m = StreamMeta::new(&StreamConfig::new("s").shard_count(2), 1, 0);
        split(&mut m, 0, 1000, 5);
        assert!(covered(&m));
        assert_eq!(m.shards.len(), 4);
        assert_eq!(m.shards[2].end_hash, 999);
        assert_eq!(m.shards[3].start_hash, 1000);
        merge(&mut m, 3, 1, 6);
        assert!(covered(&m));
        assert_eq!(m.open_shards().count(), 2);
    }
}
