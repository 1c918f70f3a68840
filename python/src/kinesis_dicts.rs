//! The response dicts of the Kinesis API (boto3's keys and value types):
//! shards, stream descriptions, timezone-aware timestamps.

use engine::{EncryptionType, Shard, StreamDescription, StreamStatus};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

pub(crate) fn enc(e: EncryptionType) -> &'static str {
    match e {
        EncryptionType::Kms => "KMS",
        _ => "NONE",
    }
}

pub(crate) fn status(s: StreamStatus) -> &'static str {
    match s {
        StreamStatus::Creating => "CREATING",
        StreamStatus::Updating => "UPDATING",
        StreamStatus::Deleting => "DELETING",
        _ => "ACTIVE",
    }
}

/// A timezone-aware UTC `datetime`.
pub(crate) fn datetime<'py>(py: Python<'py>, t: SystemTime) -> PyResult<Bound<'py, PyAny>> {
    let dt = py.import("datetime")?;
    let utc = dt.getattr("timezone")?.getattr("utc")?;
    let epoch = dt
        .getattr("datetime")?
        .call1((1970, 1, 1, 0, 0, 0, 0, utc))?;
    let since = t.duration_since(UNIX_EPOCH).unwrap_or(Duration::ZERO);
    let delta = dt
        .getattr("timedelta")?
        .call1((0, since.as_secs(), since.subsec_micros()))?;
    epoch.call_method1("__add__", (delta,))
}

/// A `Timestamp` argument: a `datetime` (naive = UTC) or seconds since the epoch.
pub(crate) fn timestamp(py: Python<'_>, v: &Bound<'_, PyAny>) -> PyResult<SystemTime> {
    let dt = py.import("datetime")?;
    if v.is_instance(&dt.getattr("datetime")?)? {
        let utc = dt.getattr("timezone")?.getattr("utc")?;
        let aware = if v.getattr("tzinfo")?.is_none() {
            let kw = PyDict::new(py);
            kw.set_item("tzinfo", &utc)?;
            v.call_method("replace", (), Some(&kw))?
        } else {
            v.clone()
        };
        let epoch = dt
            .getattr("datetime")?
            .call1((1970, 1, 1, 0, 0, 0, 0, utc))?;
        let delta = aware.call_method1("__sub__", (epoch,))?;
        let days: i64 = delta.getattr("days")?.extract()?;
        let secs: i64 = delta.getattr("seconds")?.extract()?;
        let micros: i64 = delta.getattr("microseconds")?.extract()?;
        let total = days * 86_400_000_000 + secs * 1_000_000 + micros;
        return Ok(UNIX_EPOCH + Duration::from_micros(u64::try_from(total).unwrap_or(0)));
    }
    let secs: f64 = v.extract().map_err(|_| {
        crate::errors::param_validation(
            "Invalid type for parameter Timestamp: expected a datetime or epoch seconds",
        )
    })?;
    Ok(UNIX_EPOCH + Duration::from_secs_f64(secs.max(0.0)))
}

pub(crate) fn shard_dict<'py>(py: Python<'py>, s: &Shard) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    d.set_item("ShardId", &s.shard_id)?;
    if let Some(p) = &s.parent_shard_id {
        d.set_item("ParentShardId", p)?;
    }
    if let Some(p) = &s.adjacent_parent_shard_id {
        d.set_item("AdjacentParentShardId", p)?;
    }
    let h = PyDict::new(py);
    h.set_item("StartingHashKey", &s.hash_key_range.starting_hash_key)?;
    h.set_item("EndingHashKey", &s.hash_key_range.ending_hash_key)?;
    d.set_item("HashKeyRange", h)?;
    let r = PyDict::new(py);
    r.set_item(
        "StartingSequenceNumber",
        &s.sequence_number_range.starting_sequence_number,
    )?;
    if let Some(e) = &s.sequence_number_range.ending_sequence_number {
        r.set_item("EndingSequenceNumber", e)?;
    }
    d.set_item("SequenceNumberRange", r)?;
    Ok(d)
}

pub(crate) fn mode<'py>(py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
    let m = PyDict::new(py);
    m.set_item("StreamMode", "PROVISIONED")?;
    Ok(m)
}

pub(crate) fn monitoring<'py>(py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
    let em = PyDict::new(py);
    em.set_item("ShardLevelMetrics", PyList::empty(py))?;
    PyList::new(py, [em])
}

pub(crate) fn description<'py>(
    py: Python<'py>,
    d: &StreamDescription,
    shards: Option<(&[Shard], bool)>,
) -> PyResult<Bound<'py, PyDict>> {
    let out = PyDict::new(py);
    out.set_item("StreamName", &d.stream_name)?;
    out.set_item("StreamARN", &d.stream_arn)?;
    out.set_item("StreamStatus", status(d.stream_status))?;
    out.set_item("StreamModeDetails", mode(py)?)?;
    if let Some((shards, more)) = shards {
        let list = PyList::empty(py);
        for s in shards {
            list.append(shard_dict(py, s)?)?;
        }
        out.set_item("Shards", list)?;
        out.set_item("HasMoreShards", more)?;
    }
    out.set_item("RetentionPeriodHours", d.retention_period_hours)?;
    out.set_item(
        "StreamCreationTimestamp",
        datetime(py, d.stream_creation_timestamp)?,
    )?;
    out.set_item("EnhancedMonitoring", monitoring(py)?)?;
    out.set_item("EncryptionType", enc(d.encryption_type))?;
    Ok(out)
}

/// One entry of `ListStreams`' `StreamSummaries`.
pub(crate) fn stream_summary<'py>(
    py: Python<'py>,
    d: &StreamDescription,
) -> PyResult<Bound<'py, PyDict>> {
    let s = PyDict::new(py);
    s.set_item("StreamName", &d.stream_name)?;
    s.set_item("StreamARN", &d.stream_arn)?;
    s.set_item("StreamStatus", status(d.stream_status))?;
    s.set_item("StreamModeDetails", mode(py)?)?;
    s.set_item(
        "StreamCreationTimestamp",
        datetime(py, d.stream_creation_timestamp)?,
    )?;
    Ok(s)
}
