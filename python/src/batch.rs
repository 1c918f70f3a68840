//! The batch calls: `get_many`, `select_many`, `exists_many` and
//! `batch_operate` (with the aerospike client's `BatchRecords` shape).

use crate::client::{operate_result, Client};
use crate::convert::{self, key_tuple, keys};
use crate::errors::OrRaise;
use crate::ops;
use engine::{Bins, WritePolicy};
use pyo3::prelude::*;
use pyo3::types::{PyList, PyTuple};

/// The outcome of one key of `batch_operate`.
#[pyclass(module = "aerolite", get_all, frozen)]
pub(crate) struct BatchRecord {
    /// The key tuple.
    key: PyObject,
    /// 0 on success, else the aerospike status code of the failure.
    result: i64,
    /// `(key, meta, bins)` on success, else None.
    record: PyObject,
    /// Whether a failed write may have happened.
    in_doubt: bool,
}

#[pymethods]
impl BatchRecord {
    /// `BatchRecord(key=..., result=..., record=..., in_doubt=...)`.
    fn __repr__(&self, py: Python<'_>) -> String {
        format!(
            "BatchRecord(key={}, result={}, record={}, in_doubt={})",
            self.key
                .bind(py)
                .repr()
                .map(|r| r.to_string())
                .unwrap_or_default(),
            self.result,
            self.record
                .bind(py)
                .repr()
                .map(|r| r.to_string())
                .unwrap_or_default(),
            self.in_doubt
        )
    }
}

/// The result of `batch_operate`: `result` (0 unless the call itself failed)
/// and `batch_records`, one `BatchRecord` per key in order.
#[pyclass(module = "aerolite", get_all, frozen)]
pub(crate) struct BatchRecords {
    /// 0 unless the whole call failed.
    result: i64,
    /// One `BatchRecord` per key, in the order of the keys.
    batch_records: Py<PyList>,
}

pub(crate) fn get_many<'py>(
    client: &Client,
    py: Python<'py>,
    keys_ob: &Bound<'py, PyAny>,
    names: Option<Vec<String>>,
    policy: Option<&Bound<'py, PyAny>>,
) -> PyResult<Bound<'py, PyAny>> {
    let keys = keys(keys_ob)?;
    let rp = client.read_policy(policy)?;
    let db = client.db()?;
    let bins = names.map(Bins::Some).unwrap_or(Bins::All);
    let recs = py
        .allow_threads(|| db.batch_get(&rp, &keys, bins))
        .or_raise()?;
    let out = PyList::empty(py);
    for (key, rec) in keys.iter().zip(recs.iter()) {
        match rec {
            Some(r) => out.append(convert::record_tuple(py, Some(key), r)?)?,
            None => out.append(PyTuple::new(
                py,
                [
                    key_tuple(py, key)?,
                    py.None().into_bound(py),
                    py.None().into_bound(py),
                ],
            )?)?,
        }
    }
    Ok(out.into_any())
}

pub(crate) fn exists_many<'py>(
    client: &Client,
    py: Python<'py>,
    keys_ob: &Bound<'py, PyAny>,
    policy: Option<&Bound<'py, PyAny>>,
) -> PyResult<Bound<'py, PyAny>> {
    let keys = keys(keys_ob)?;
    let rp = client.read_policy(policy)?;
    let db = client.db()?;
    let recs = py
        .allow_threads(|| db.batch_get(&rp, &keys, Bins::None))
        .or_raise()?;
    let out = PyList::empty(py);
    for (key, rec) in keys.iter().zip(recs.iter()) {
        let meta = match rec {
            Some(r) => convert::meta_dict(py, r)?,
            None => py.None().into_bound(py),
        };
        out.append(PyTuple::new(py, [key_tuple(py, key)?, meta])?)?;
    }
    Ok(out.into_any())
}

pub(crate) fn batch_operate(
    client: &Client,
    py: Python<'_>,
    keys_ob: &Bound<'_, PyAny>,
    ops_ob: &Bound<'_, PyAny>,
    mut wp: WritePolicy,
) -> PyResult<BatchRecords> {
    let keys = keys(keys_ob)?;
    let parsed = ops::parse(ops_ob)?;
    if let Some(e) = parsed.touch_ttl {
        wp.expiration = e;
    }
    let db = client.db()?;
    // One `Db::batch`: under Sync durability the whole batch shares one
    // flush.
    let write = engine::BatchWritePolicy {
        record_exists_action: wp.record_exists_action,
        generation_policy: wp.generation_policy,
        generation: wp.generation,
        expiration: wp.expiration,
        send_key: wp.send_key,
    };
    let batch_policy = engine::BatchPolicy {
        durability: wp.durability,
    };
    let entries: Vec<engine::BatchOperation> = keys
        .iter()
        .map(|k| engine::BatchOperation::write(&write, k.clone(), parsed.ops.clone()))
        .collect();
    let results = py
        .allow_threads(|| db.batch(&batch_policy, &entries))
        .map_err(crate::errors::db_error)?;
    let list = PyList::empty(py);
    for (key, res) in keys.iter().zip(results) {
        let rec = match (res.result_code, &res.record) {
            (None, Some(rec)) => BatchRecord {
                key: key_tuple(py, key)?.unbind(),
                result: 0,
                record: operate_result(py, key, rec, &parsed.shapes)?.unbind(),
                in_doubt: false,
            },
            (code, _) => BatchRecord {
                key: key_tuple(py, key)?.unbind(),
                // The engine's codes are Aerospike's, as `classify` gives them.
                result: code.map_or(1, |c| c as i64),
                record: py.None(),
                in_doubt: res.in_doubt,
            },
        };
        list.append(Py::new(py, rec)?)?;
    }
    Ok(BatchRecords {
        result: 0,
        batch_records: list.unbind(),
    })
}
