//! The stream API of [`Db`]: Kinesis's calls, with the names of the Rust
//! `aws-sdk-kinesis` crate in snake_case. Every `stream` or `name` parameter
//! takes the stream's name or its ARN. See `docs/streams.md`.

use super::Db;
use crate::error::Result;
use crate::streams::{
    GetRecordsOutput, PutRecord, PutRecordOutput, PutRecordsEntry, PutRecordsOutput, Shard,
    ShardIteratorType, StreamConfig, StreamDescription, StreamStats,
};

impl Db {
    /// Creates a stream of `shard_count` shards with uniform hash ranges and
    /// the defaults of [`StreamConfig::new`]; it is `Active` at once.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`](crate::Error::InvalidArgument) for a name
    /// that is not 1..=128 of `[a-zA-Z0-9_.-]` or a shard count of 0;
    /// [`Error::ResourceInUse`](crate::Error::ResourceInUse) if it exists;
    /// [`Error::LimitExceeded`](crate::Error::LimitExceeded) past
    /// [`Options::stream_shard_limit`](crate::Options::stream_shard_limit).
    ///
    /// # Examples
    /// ```
    /// use aerolite::Db;
    /// # let dir = tempfile::tempdir()?;
    /// let db = Db::open(dir.path())?;
    /// db.create_stream("clicks", 3)?;
    /// assert_eq!(db.list_shards("clicks")?.len(), 3);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn create_stream(&self, name: &str, shard_count: u32) -> Result<()> {
        self.streams
            .create(StreamConfig::new(name).shard_count(shard_count))
    }

    /// Creates a stream with every setting of `config`.
    ///
    /// # Errors
    /// As [`Db::create_stream`], and `InvalidArgument` for a retention
    /// outside 24..=8760 hours or a record size outside 1 KiB..=10 MiB.
    pub fn create_stream_with(&self, config: StreamConfig) -> Result<()> {
        self.streams.create(config)
    }

    /// Deletes a stream and its files. Iterators of it then give
    /// `ResourceNotFound`.
    ///
    /// # Errors
    /// `ResourceNotFound` for an unknown stream; I/O errors.
    pub fn delete_stream(&self, name: &str) -> Result<()> {
        self.streams.delete(name)
    }

    /// The names of all streams, sorted.
    ///
    /// # Errors
    /// None today.
    pub fn list_streams(&self) -> Result<Vec<String>> {
        Ok(self.streams.list())
    }

    /// The stream's name, ARN, status, shards and settings.
    ///
    /// # Errors
    /// `ResourceNotFound`; `InvalidArgument` for a malformed name or ARN.
    pub fn describe_stream(&self, name: &str) -> Result<StreamDescription> {
        self.streams.describe(name)
    }

    /// Every shard of the stream, open and closed, in id order.
    ///
    /// # Errors
    /// As [`Db::describe_stream`].
    pub fn list_shards(&self, name: &str) -> Result<Vec<Shard>> {
        self.streams.list_shards(name)
    }

    /// Writes one record to the open shard its hash key falls in (the MD5
    /// of the partition key, or the explicit hash key). Durable when the
    /// call returns under `Durability::Sync` (the request's, else the
    /// database's).
    ///
    /// # Errors
    /// `InvalidArgument` for a partition key of 0 or more than 256
    /// characters, data plus key above the stream's max record size, a
    /// malformed or out-of-range explicit hash key, or a
    /// `sequence_number_for_ordering` that is not a number of this stream;
    /// `ResourceNotFound`; `ProvisionedThroughputExceeded` when the stream
    /// enforces limits; I/O errors. A failed put writes nothing.
    pub fn put_record(&self, request: PutRecord) -> Result<PutRecordOutput> {
        self.streams.put_record(request)
    }

    /// Writes 1..=500 records (at most 10 MiB of data and partition keys)
    /// in order. Each entry succeeds or fails on its own
    /// (`ProvisionedThroughputExceededException` or `InternalFailure`);
    /// entries landing on one shard get increasing numbers in request order.
    ///
    /// # Errors
    /// `InvalidArgument` for an empty or oversized request or any invalid
    /// entry (then nothing is written); `ResourceNotFound`.
    pub fn put_records(
        &self,
        stream: &str,
        entries: &[PutRecordsEntry],
    ) -> Result<PutRecordsOutput> {
        self.streams.put_records(stream, entries)
    }

    /// An iterator of shard `shard_id` (lenient: `shardId-000000000001`,
    /// `shardId-1` and `1` are the same shard), valid for 5 minutes of
    /// database-clock time and reusable.
    ///
    /// # Errors
    /// `ResourceNotFound` for an unknown stream or shard; `InvalidArgument`
    /// for a sequence number of another shard or not handed out yet, or a
    /// timestamp in the future.
    pub fn get_shard_iterator(
        &self,
        stream: &str,
        shard_id: &str,
        kind: ShardIteratorType,
    ) -> Result<String> {
        self.streams.get_shard_iterator(stream, shard_id, kind)
    }

    /// Up to `limit` (1..=10000, default 10000) records from the iterator's
    /// position, at most 10 MiB of data, in sequence order, with the next
    /// iterator (`None` once a closed shard is read to its end, with its
    /// children in `child_shards`).
    ///
    /// # Errors
    /// `InvalidArgument` for a malformed iterator or a bad limit;
    /// `ExpiredIterator` after 5 minutes; `ResourceNotFound` for a deleted
    /// stream; `ProvisionedThroughputExceeded` when limits are enforced.
    pub fn get_records(
        &self,
        shard_iterator: &str,
        limit: Option<u32>,
    ) -> Result<GetRecordsOutput> {
        self.streams.get_records(shard_iterator, limit)
    }

    /// Raises the retention period to `hours` (24..=8760, not below the
    /// current one). As in Kinesis, records already past the current period
    /// stay expired: only records still retained are kept longer.
    ///
    /// # Errors
    /// `InvalidArgument` with Kinesis's wording; `ResourceNotFound`.
    pub fn increase_stream_retention_period(&self, name: &str, hours: u32) -> Result<()> {
        self.streams.set_retention(name, hours, true)
    }

    /// Lowers the retention period to `hours` (24..=8760, not above the
    /// current one). Records older than the new period are no longer
    /// returned.
    ///
    /// # Errors
    /// `InvalidArgument` with Kinesis's wording; `ResourceNotFound`.
    pub fn decrease_stream_retention_period(&self, name: &str, hours: u32) -> Result<()> {
        self.streams.set_retention(name, hours, false)
    }

    /// Closes open shard `shard_to_split` and opens two children: its hash
    /// keys below `new_starting_hash_key` (decimal) and those from it on.
    ///
    /// # Errors
    /// `InvalidArgument` unless start + 1 < key < end of the shard;
    /// `ResourceInUse` for a closed shard; `ResourceNotFound`;
    /// `LimitExceeded` past the shard limit.
    pub fn split_shard(
        &self,
        name: &str,
        shard_to_split: &str,
        new_starting_hash_key: &str,
    ) -> Result<()> {
        self.streams
            .split_shard(name, shard_to_split, new_starting_hash_key)
    }

    /// Closes two adjacent open shards and opens one child covering both.
    ///
    /// # Errors
    /// `InvalidArgument` if they are not adjacent; `ResourceInUse` for a
    /// closed shard; `ResourceNotFound`.
    pub fn merge_shards(
        &self,
        name: &str,
        shard_to_merge: &str,
        adjacent_shard_to_merge: &str,
    ) -> Result<()> {
        self.streams
            .merge_shards(name, shard_to_merge, adjacent_shard_to_merge)
    }

    /// Rescales to `target_shard_count` open shards of uniform hash ranges
    /// (within half to double the current count) through splits and merges.
    ///
    /// # Errors
    /// `InvalidArgument` outside ½×..2×; `LimitExceeded`; `ResourceNotFound`.
    pub fn update_shard_count(&self, name: &str, target_shard_count: u32) -> Result<()> {
        self.streams.update_shard_count(name, target_shard_count)
    }

    /// Durably stores `sequence_number` as `consumer`'s checkpoint in shard
    /// `shard_id`.
    ///
    /// # Errors
    /// `InvalidArgument` for a bad consumer name or a number that is not of
    /// this shard; `ResourceNotFound`; I/O errors.
    pub fn checkpoint(
        &self,
        stream: &str,
        consumer: &str,
        shard_id: &str,
        sequence_number: &str,
    ) -> Result<()> {
        self.streams
            .checkpoint(stream, consumer, shard_id, sequence_number)
    }

    /// `consumer`'s checkpoint in shard `shard_id`, if any.
    ///
    /// # Errors
    /// As [`Db::checkpoint`].
    pub fn get_checkpoint(
        &self,
        stream: &str,
        consumer: &str,
        shard_id: &str,
    ) -> Result<Option<String>> {
        self.streams.get_checkpoint(stream, consumer, shard_id)
    }

    /// Deletes, in every stream, the segment files whose records are all
    /// past the retention period; returns how many. The background thread
    /// does this on its own; reads never return expired records either way.
    ///
    /// # Errors
    /// I/O failures.
    pub fn enforce_stream_retention(&self) -> Result<u64> {
        self.streams.enforce_retention()
    }

    /// Records, segment files and disk bytes of a stream, and what recovery
    /// found damaged when it was opened.
    ///
    /// # Errors
    /// As [`Db::describe_stream`].
    pub fn stream_stats(&self, name: &str) -> Result<StreamStats> {
        self.streams.stats(name)
    }
}
