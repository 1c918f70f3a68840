//! `client.kinesis()` / `aerolite.kinesis(config)`: boto3's Kinesis client
//! (keyword arguments, response dicts, `exceptions.<Name>`) over the
//! database's streams. Every database call runs with the GIL released.

use crate::errors::{kinesis_db_error, kinesis_error};
use crate::kinesis_dicts::{datetime, description, enc, shard_dict, stream_summary, timestamp};
use crate::kwargs::Kwargs;
use engine::{Db, PutRecord, PutRecordsEntry, ShardIteratorType};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};
use std::sync::Arc;

/// A Kinesis client with boto3's methods over an embedded aerolite database.
#[pyclass(module = "aerolite", frozen)]
pub(crate) struct Kinesis {
    db: Arc<Db>,
}

impl Kinesis {
    pub(crate) fn new(db: Arc<Db>) -> Kinesis {
        Kinesis { db }
    }

    /// Runs `f` on the database with the GIL released, mapping errors to
    /// `kinesis.exceptions`.
    fn call<T: Send>(
        &self,
        py: Python<'_>,
        op: &str,
        f: impl FnOnce(&Db) -> engine::Result<T> + Send,
    ) -> PyResult<T> {
        let db = &self.db;
        py.allow_threads(|| f(db))
            .map_err(|e| kinesis_db_error(e, op))
    }

    /// `StreamName` or `StreamARN` (both must agree).
    fn stream(&self, py: Python<'_>, a: &mut Kwargs<'_>, op: &str) -> PyResult<String> {
        let name = a.opt_str("StreamName")?;
        let arn = a.opt_str("StreamARN")?;
        match (name, arn) {
            (Some(n), None) => Ok(n),
            (None, Some(arn)) => Ok(arn),
            (Some(n), Some(arn)) => {
                let d = self.call(py, op, |db| db.describe_stream(&n))?;
                if d.stream_arn != arn {
                    return Err(kinesis_error(
                        py,
                        "InvalidArgumentException",
                        &format!(
                            "StreamARN {arn} does not match StreamName {n} (whose ARN is {})",
                            d.stream_arn
                        ),
                        op,
                    ));
                }
                Ok(n)
            }
            (None, None) => Err(kinesis_error(
                py,
                "InvalidArgumentException",
                "Either StreamName or StreamARN must be provided",
                op,
            )),
        }
    }
}

fn empty(py: Python<'_>) -> Bound<'_, PyDict> {
    PyDict::new(py)
}

#[pymethods]
impl Kinesis {
    /// `<aerolite.Kinesis path=...>`.
    fn __repr__(&self) -> String {
        format!("<aerolite.Kinesis path={:?}>", self.db.path())
    }

    /// `kinesis.exceptions.<Name>`: the error classes, as on a boto3 client.
    #[getter]
    fn exceptions<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        py.import("aerolite._kinesis_errors")?
            .getattr("KinesisExceptions")
    }

    /// CreateStream: `StreamName`, `ShardCount` (default 1); `StreamModeDetails`
    /// and `Tags` are accepted and ignored. Returns `{}`.
    #[pyo3(signature = (**kwargs))]
    fn create_stream<'py>(
        &self,
        py: Python<'py>,
        kwargs: Option<&Bound<'py, PyDict>>,
    ) -> PyResult<Bound<'py, PyDict>> {
        let mut a = Kwargs::new(kwargs);
        let name = a.req_str("StreamName")?;
        let shards = a.opt_u32("ShardCount")?.unwrap_or(1);
        a.raw("StreamModeDetails")?;
        a.raw("Tags")?;
        a.finish()?;
        self.call(py, "CreateStream", |db| db.create_stream(&name, shards))?;
        Ok(empty(py))
    }

    /// DeleteStream: `StreamName` or `StreamARN`; `EnforceConsumerDeletion` is
    /// accepted and ignored. Returns `{}`.
    #[pyo3(signature = (**kwargs))]
    fn delete_stream<'py>(
        &self,
        py: Python<'py>,
        kwargs: Option<&Bound<'py, PyDict>>,
    ) -> PyResult<Bound<'py, PyDict>> {
        let mut a = Kwargs::new(kwargs);
        let s = self.stream(py, &mut a, "DeleteStream")?;
        a.raw("EnforceConsumerDeletion")?;
        a.finish()?;
        self.call(py, "DeleteStream", |db| db.delete_stream(&s))?;
        Ok(empty(py))
    }

    /// ListStreams: `Limit`, `ExclusiveStartStreamName`, `NextToken`. Returns
    /// `{'StreamNames', 'HasMoreStreams', 'StreamSummaries'[, 'NextToken']}`.
    #[pyo3(signature = (**kwargs))]
    fn list_streams<'py>(
        &self,
        py: Python<'py>,
        kwargs: Option<&Bound<'py, PyDict>>,
    ) -> PyResult<Bound<'py, PyDict>> {
        let mut a = Kwargs::new(kwargs);
        let limit = a.opt_u32("Limit")?.unwrap_or(100).max(1) as usize;
        let start = a
            .opt_str("NextToken")?
            .or(a.opt_str("ExclusiveStartStreamName")?);
        a.finish()?;
        let (page, more, descs) = self.call(py, "ListStreams", |db| {
            let mut names = db.list_streams()?;
            names.sort();
            let rest: Vec<String> = names
                .into_iter()
                .filter(|n| start.as_ref().is_none_or(|s| n > s))
                .collect();
            let more = rest.len() > limit;
            let page: Vec<String> = rest.into_iter().take(limit).collect();
            let mut descs = Vec::new();
            for n in &page {
                descs.push(db.describe_stream(n)?);
            }
            Ok((page, more, descs))
        })?;
        let out = PyDict::new(py);
        out.set_item("StreamNames", PyList::new(py, &page)?)?;
        out.set_item("HasMoreStreams", more)?;
        let sums = PyList::empty(py);
        for d in &descs {
            sums.append(stream_summary(py, d)?)?;
        }
        out.set_item("StreamSummaries", sums)?;
        if more {
            if let Some(last) = page.last() {
                out.set_item("NextToken", last)?;
            }
        }
        Ok(out)
    }

    /// DescribeStream: `StreamName`/`StreamARN`, `Limit`, `ExclusiveStartShardId`.
    /// Returns `{'StreamDescription': {...}}`.
    #[pyo3(signature = (**kwargs))]
    fn describe_stream<'py>(
        &self,
        py: Python<'py>,
        kwargs: Option<&Bound<'py, PyDict>>,
    ) -> PyResult<Bound<'py, PyDict>> {
        let mut a = Kwargs::new(kwargs);
        let s = self.stream(py, &mut a, "DescribeStream")?;
        let limit = a.opt_u32("Limit")?.unwrap_or(100).max(1) as usize;
        let start = a.opt_str("ExclusiveStartShardId")?;
        a.finish()?;
        let d = self.call(py, "DescribeStream", |db| db.describe_stream(&s))?;
        let from = match &start {
            Some(id) => d
                .shards
                .iter()
                .position(|x| &x.shard_id == id)
                .map(|i| i + 1)
                .unwrap_or(d.shards.len()),
            None => 0,
        };
        let rest = &d.shards[from.min(d.shards.len())..];
        let page = &rest[..rest.len().min(limit)];
        let out = PyDict::new(py);
        out.set_item(
            "StreamDescription",
            description(py, &d, Some((page, rest.len() > limit)))?,
        )?;
        Ok(out)
    }

    /// DescribeStreamSummary: `StreamName`/`StreamARN`. Returns
    /// `{'StreamDescriptionSummary': {..., 'OpenShardCount', 'ConsumerCount'}}`.
    #[pyo3(signature = (**kwargs))]
    fn describe_stream_summary<'py>(
        &self,
        py: Python<'py>,
        kwargs: Option<&Bound<'py, PyDict>>,
    ) -> PyResult<Bound<'py, PyDict>> {
        let mut a = Kwargs::new(kwargs);
        let s = self.stream(py, &mut a, "DescribeStreamSummary")?;
        a.finish()?;
        let d = self.call(py, "DescribeStreamSummary", |db| db.describe_stream(&s))?;
        let sum = description(py, &d, None)?;
        sum.set_item("OpenShardCount", d.open_shard_count)?;
        sum.set_item("ConsumerCount", 0)?;
        let out = PyDict::new(py);
        out.set_item("StreamDescriptionSummary", sum)?;
        Ok(out)
    }

    /// ListShards: `StreamName`/`StreamARN`, `ExclusiveStartShardId`,
    /// `MaxResults`, `NextToken`; `ShardFilter` is accepted and ignored.
    /// Returns `{'Shards': [...][, 'NextToken']}`.
    #[pyo3(signature = (**kwargs))]
    fn list_shards<'py>(
        &self,
        py: Python<'py>,
        kwargs: Option<&Bound<'py, PyDict>>,
    ) -> PyResult<Bound<'py, PyDict>> {
        let mut a = Kwargs::new(kwargs);
        let token = a.opt_str("NextToken")?;
        let (s, start) = match &token {
            Some(t) => match t.rsplit_once('|') {
                Some((s, id)) => (s.to_owned(), Some(id.to_owned())),
                None => {
                    return Err(kinesis_error(
                        py,
                        "InvalidArgumentException",
                        "NextToken is invalid",
                        "ListShards",
                    ))
                }
            },
            None => {
                let s = self.stream(py, &mut a, "ListShards")?;
                (s, a.opt_str("ExclusiveStartShardId")?)
            }
        };
        let max = a.opt_u32("MaxResults")?.unwrap_or(1000).max(1) as usize;
        a.raw("ShardFilter")?;
        a.raw("StreamCreationTimestamp")?;
        a.finish()?;
        let shards = self.call(py, "ListShards", |db| db.list_shards(&s))?;
        let from = match &start {
            Some(id) => shards
                .iter()
                .position(|x| &x.shard_id == id)
                .map(|i| i + 1)
                .unwrap_or(shards.len()),
            None => 0,
        };
        let rest = &shards[from.min(shards.len())..];
        let page = &rest[..rest.len().min(max)];
        let list = PyList::empty(py);
        for sh in page {
            list.append(shard_dict(py, sh)?)?;
        }
        let out = PyDict::new(py);
        out.set_item("Shards", list)?;
        if rest.len() > max {
            if let Some(last) = page.last() {
                out.set_item("NextToken", format!("{s}|{}", last.shard_id))?;
            }
        }
        Ok(out)
    }

    /// PutRecord: `StreamName`/`StreamARN`, `Data` (bytes), `PartitionKey`,
    /// `ExplicitHashKey`, `SequenceNumberForOrdering`. Returns
    /// `{'ShardId', 'SequenceNumber', 'EncryptionType': 'NONE'}`.
    #[pyo3(signature = (**kwargs))]
    fn put_record<'py>(
        &self,
        py: Python<'py>,
        kwargs: Option<&Bound<'py, PyDict>>,
    ) -> PyResult<Bound<'py, PyDict>> {
        let mut a = Kwargs::new(kwargs);
        let s = self.stream(py, &mut a, "PutRecord")?;
        let data = a.req_blob("Data")?;
        let pk = a.req_str("PartitionKey")?;
        let ehk = a.opt_str("ExplicitHashKey")?;
        let seq = a.opt_str("SequenceNumberForOrdering")?;
        a.finish()?;
        let mut req = PutRecord::new(&s, data, &pk);
        if let Some(h) = &ehk {
            req = req.explicit_hash_key(h);
        }
        if let Some(q) = &seq {
            req = req.sequence_number_for_ordering(q);
        }
        let r = self.call(py, "PutRecord", |db| db.put_record(req))?;
        let out = PyDict::new(py);
        out.set_item("ShardId", r.shard_id)?;
        out.set_item("SequenceNumber", r.sequence_number)?;
        out.set_item("EncryptionType", enc(r.encryption_type))?;
        Ok(out)
    }

    /// PutRecords: `Records` (dicts with `Data`, `PartitionKey`,
    /// `ExplicitHashKey`), `StreamName`/`StreamARN`. Returns
    /// `{'FailedRecordCount', 'Records', 'EncryptionType'}`.
    #[pyo3(signature = (**kwargs))]
    fn put_records<'py>(
        &self,
        py: Python<'py>,
        kwargs: Option<&Bound<'py, PyDict>>,
    ) -> PyResult<Bound<'py, PyDict>> {
        let mut a = Kwargs::new(kwargs);
        let s = self.stream(py, &mut a, "PutRecords")?;
        let records = a.raw("Records")?.ok_or_else(|| {
            crate::errors::param_validation("Missing required parameter in input: \"Records\"")
        })?;
        a.finish()?;
        let mut entries = Vec::new();
        for (i, r) in records.try_iter()?.enumerate() {
            let r = r?;
            let d = r.downcast::<PyDict>().map_err(|_| {
                crate::errors::param_validation(&format!(
                    "Invalid type for parameter Records[{i}]: expected a dict"
                ))
            })?;
            let mut ra = Kwargs::new(Some(d));
            let data = ra.req_blob("Data")?;
            let pk = ra.req_str("PartitionKey")?;
            let ehk = ra.opt_str("ExplicitHashKey")?;
            ra.finish()?;
            let mut e = PutRecordsEntry::new(data, &pk);
            if let Some(h) = &ehk {
                e = e.explicit_hash_key(h);
            }
            entries.push(e);
        }
        let r = self.call(py, "PutRecords", |db| db.put_records(&s, &entries))?;
        let list = PyList::empty(py);
        for e in &r.records {
            let d = PyDict::new(py);
            if let Some(q) = &e.sequence_number {
                d.set_item("SequenceNumber", q)?;
            }
            if let Some(sh) = &e.shard_id {
                d.set_item("ShardId", sh)?;
            }
            if let Some(c) = &e.error_code {
                d.set_item("ErrorCode", c)?;
            }
            if let Some(m) = &e.error_message {
                d.set_item("ErrorMessage", m)?;
            }
            list.append(d)?;
        }
        let out = PyDict::new(py);
        out.set_item("FailedRecordCount", r.failed_record_count)?;
        out.set_item("Records", list)?;
        out.set_item("EncryptionType", enc(r.encryption_type))?;
        Ok(out)
    }

    /// GetShardIterator: `StreamName`/`StreamARN`, `ShardId`, `ShardIteratorType`
    /// (`TRIM_HORIZON`, `LATEST`, `AT_SEQUENCE_NUMBER`, `AFTER_SEQUENCE_NUMBER`,
    /// `AT_TIMESTAMP`), `StartingSequenceNumber`, `Timestamp`. Returns `{'ShardIterator'}`.
    #[pyo3(signature = (**kwargs))]
    fn get_shard_iterator<'py>(
        &self,
        py: Python<'py>,
        kwargs: Option<&Bound<'py, PyDict>>,
    ) -> PyResult<Bound<'py, PyDict>> {
        let op = "GetShardIterator";
        let mut a = Kwargs::new(kwargs);
        let s = self.stream(py, &mut a, op)?;
        let shard = a.req_str("ShardId")?;
        let kind = a.req_str("ShardIteratorType")?;
        let seq = a.opt_str("StartingSequenceNumber")?;
        let ts = a.raw("Timestamp")?;
        a.finish()?;
        let need_seq = || {
            seq.clone().ok_or_else(|| {
                kinesis_error(
                    py,
                    "InvalidArgumentException",
                    &format!("StartingSequenceNumber is required with {kind}"),
                    op,
                )
            })
        };
        let kind = match kind.as_str() {
            "TRIM_HORIZON" => ShardIteratorType::TrimHorizon,
            "LATEST" => ShardIteratorType::Latest,
            "AT_SEQUENCE_NUMBER" => ShardIteratorType::AtSequenceNumber(need_seq()?),
            "AFTER_SEQUENCE_NUMBER" => ShardIteratorType::AfterSequenceNumber(need_seq()?),
            "AT_TIMESTAMP" => match &ts {
                Some(t) => ShardIteratorType::AtTimestamp(timestamp(py, t)?),
                None => return Err(kinesis_error(py, "InvalidArgumentException", "Timestamp is required with AT_TIMESTAMP", op)),
            },
            other => {
                return Err(kinesis_error(
                    py,
                    "InvalidArgumentException",
                    &format!("ShardIteratorType {other:?} is not one of TRIM_HORIZON, LATEST, AT_SEQUENCE_NUMBER, AFTER_SEQUENCE_NUMBER, AT_TIMESTAMP"),
                    op,
                ))
            }
        };
        let it = self.call(py, op, |db| db.get_shard_iterator(&s, &shard, kind))?;
        let out = PyDict::new(py);
        out.set_item("ShardIterator", it)?;
        Ok(out)
    }

    /// GetRecords: `ShardIterator`, `Limit`; `StreamARN` is accepted. Returns
    /// `{'Records': [...], 'NextShardIterator', 'MillisBehindLatest'[, 'ChildShards']}`.
    #[pyo3(signature = (**kwargs))]
    fn get_records<'py>(
        &self,
        py: Python<'py>,
        kwargs: Option<&Bound<'py, PyDict>>,
    ) -> PyResult<Bound<'py, PyDict>> {
        let mut a = Kwargs::new(kwargs);
        let it = a.req_str("ShardIterator")?;
        let limit = a.opt_u32("Limit")?;
        a.raw("StreamARN")?;
        a.finish()?;
        let r = self.call(py, "GetRecords", |db| db.get_records(&it, limit))?;
        let records = PyList::empty(py);
        for rec in &r.records {
            let d = PyDict::new(py);
            d.set_item("SequenceNumber", &rec.sequence_number)?;
            d.set_item(
                "ApproximateArrivalTimestamp",
                datetime(py, rec.approximate_arrival_timestamp)?,
            )?;
            d.set_item("Data", pyo3::types::PyBytes::new(py, &rec.data))?;
            d.set_item("PartitionKey", &rec.partition_key)?;
            d.set_item("EncryptionType", enc(rec.encryption_type))?;
            records.append(d)?;
        }
        let out = PyDict::new(py);
        out.set_item("Records", records)?;
        if let Some(n) = &r.next_shard_iterator {
            out.set_item("NextShardIterator", n)?;
        }
        out.set_item("MillisBehindLatest", r.millis_behind_latest)?;
        if !r.child_shards.is_empty() {
            let cs = PyList::empty(py);
            for c in &r.child_shards {
                let d = PyDict::new(py);
                d.set_item("ShardId", &c.shard_id)?;
                d.set_item("ParentShards", PyList::new(py, &c.parent_shards)?)?;
                let h = PyDict::new(py);
                h.set_item("StartingHashKey", &c.hash_key_range.starting_hash_key)?;
                h.set_item("EndingHashKey", &c.hash_key_range.ending_hash_key)?;
                d.set_item("HashKeyRange", h)?;
                cs.append(d)?;
            }
            out.set_item("ChildShards", cs)?;
        }
        Ok(out)
    }

    /// IncreaseStreamRetentionPeriod: `StreamName`/`StreamARN`, `RetentionPeriodHours`. Returns `{}`.
    #[pyo3(signature = (**kwargs))]
    fn increase_stream_retention_period<'py>(
        &self,
        py: Python<'py>,
        kwargs: Option<&Bound<'py, PyDict>>,
    ) -> PyResult<Bound<'py, PyDict>> {
        let mut a = Kwargs::new(kwargs);
        let s = self.stream(py, &mut a, "IncreaseStreamRetentionPeriod")?;
        let h = a.req_u32("RetentionPeriodHours")?;
        a.finish()?;
        self.call(py, "IncreaseStreamRetentionPeriod", |db| {
            db.increase_stream_retention_period(&s, h)
        })?;
        Ok(empty(py))
    }

    /// DecreaseStreamRetentionPeriod: `StreamName`/`StreamARN`, `RetentionPeriodHours`. Returns `{}`.
    #[pyo3(signature = (**kwargs))]
    fn decrease_stream_retention_period<'py>(
        &self,
        py: Python<'py>,
        kwargs: Option<&Bound<'py, PyDict>>,
    ) -> PyResult<Bound<'py, PyDict>> {
        let mut a = Kwargs::new(kwargs);
        let s = self.stream(py, &mut a, "DecreaseStreamRetentionPeriod")?;
        let h = a.req_u32("RetentionPeriodHours")?;
        a.finish()?;
        self.call(py, "DecreaseStreamRetentionPeriod", |db| {
            db.decrease_stream_retention_period(&s, h)
        })?;
        Ok(empty(py))
    }

    /// SplitShard: `StreamName`/`StreamARN`, `ShardToSplit`, `NewStartingHashKey`. Returns `{}`.
    #[pyo3(signature = (**kwargs))]
    fn split_shard<'py>(
        &self,
        py: Python<'py>,
        kwargs: Option<&Bound<'py, PyDict>>,
    ) -> PyResult<Bound<'py, PyDict>> {
        let mut a = Kwargs::new(kwargs);
        let s = self.stream(py, &mut a, "SplitShard")?;
        let shard = a.req_str("ShardToSplit")?;
        let key = a.req_str("NewStartingHashKey")?;
        a.finish()?;
        self.call(py, "SplitShard", |db| db.split_shard(&s, &shard, &key))?;
        Ok(empty(py))
    }

    /// MergeShards: `StreamName`/`StreamARN`, `ShardToMerge`, `AdjacentShardToMerge`. Returns `{}`.
    #[pyo3(signature = (**kwargs))]
    fn merge_shards<'py>(
        &self,
        py: Python<'py>,
        kwargs: Option<&Bound<'py, PyDict>>,
    ) -> PyResult<Bound<'py, PyDict>> {
        let mut a = Kwargs::new(kwargs);
        let s = self.stream(py, &mut a, "MergeShards")?;
        let one = a.req_str("ShardToMerge")?;
        let two = a.req_str("AdjacentShardToMerge")?;
        a.finish()?;
        self.call(py, "MergeShards", |db| db.merge_shards(&s, &one, &two))?;
        Ok(empty(py))
    }

    /// UpdateShardCount: `StreamName`/`StreamARN`, `TargetShardCount`,
    /// `ScalingType` (accepted). Returns `{'StreamName', 'StreamARN',
    /// 'CurrentShardCount', 'TargetShardCount'}`.
    #[pyo3(signature = (**kwargs))]
    fn update_shard_count<'py>(
        &self,
        py: Python<'py>,
        kwargs: Option<&Bound<'py, PyDict>>,
    ) -> PyResult<Bound<'py, PyDict>> {
        let op = "UpdateShardCount";
        let mut a = Kwargs::new(kwargs);
        let s = self.stream(py, &mut a, op)?;
        let target = a.req_u32("TargetShardCount")?;
        a.opt_str("ScalingType")?;
        a.finish()?;
        let (before, d) = self.call(py, op, |db| {
            let before = db.describe_stream(&s)?.open_shard_count;
            db.update_shard_count(&s, target)?;
            Ok((before, db.describe_stream(&s)?))
        })?;
        let out = PyDict::new(py);
        out.set_item("StreamName", &d.stream_name)?;
        out.set_item("StreamARN", &d.stream_arn)?;
        out.set_item("CurrentShardCount", before)?;
        out.set_item("TargetShardCount", target)?;
        Ok(out)
    }

    /// aerolite's consumer checkpoint: `StreamName`/`StreamARN`, `ConsumerName`,
    /// `ShardId`, `SequenceNumber`. Returns `{}`.
    #[pyo3(signature = (**kwargs))]
    fn checkpoint<'py>(
        &self,
        py: Python<'py>,
        kwargs: Option<&Bound<'py, PyDict>>,
    ) -> PyResult<Bound<'py, PyDict>> {
        let mut a = Kwargs::new(kwargs);
        let s = self.stream(py, &mut a, "Checkpoint")?;
        let consumer = a.req_str("ConsumerName")?;
        let shard = a.req_str("ShardId")?;
        let seq = a.req_str("SequenceNumber")?;
        a.finish()?;
        self.call(py, "Checkpoint", |db| {
            db.checkpoint(&s, &consumer, &shard, &seq)
        })?;
        Ok(empty(py))
    }

    /// The checkpoint of a consumer on a shard: `StreamName`/`StreamARN`,
    /// `ConsumerName`, `ShardId`. Returns `{'SequenceNumber': str or None}`.
    #[pyo3(signature = (**kwargs))]
    fn get_checkpoint<'py>(
        &self,
        py: Python<'py>,
        kwargs: Option<&Bound<'py, PyDict>>,
    ) -> PyResult<Bound<'py, PyDict>> {
        let mut a = Kwargs::new(kwargs);
        let s = self.stream(py, &mut a, "GetCheckpoint")?;
        let consumer = a.req_str("ConsumerName")?;
        let shard = a.req_str("ShardId")?;
        a.finish()?;
        let seq = self.call(py, "GetCheckpoint", |db| {
            db.get_checkpoint(&s, &consumer, &shard)
        })?;
        let out = PyDict::new(py);
        out.set_item("SequenceNumber", seq)?;
        Ok(out)
    }
}
