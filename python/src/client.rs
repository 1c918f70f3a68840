//! `aerolite.Client`: the aerospike client's record API over an embedded
//! `Db`. Every database call runs with the GIL released.

use crate::convert::{self, bin_names, key_tuple, record_tuple, to_key, to_value, type_name};
use crate::errors::{not_connected, param_error, OrRaise};
use crate::kinesis::Kinesis;
use crate::ops;
use crate::policy::{self, apply_meta, apply_read_policy, apply_write_policy, int_arg, Config};
use crate::scan::Scan;
use engine::{operations, Bin, Bins, Db, Error, Key, Options, ReadPolicy, Value, WritePolicy};
use parking_lot::RwLock;
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyByteArray, PyBytes, PyDict, PyFloat, PyInt, PyString, PyTuple};
use std::sync::Arc;
use std::time::{Duration, UNIX_EPOCH};

/// A client of an embedded aerolite database, with the aerospike client's
/// methods. Create it with `aerolite.client({'path': ...})` and `connect()`.
#[pyclass(module = "aerolite", frozen)]
pub(crate) struct Client {
    config: Config,
    db: RwLock<Option<Arc<Db>>>,
}

/// Opens the database of a configuration (with the GIL released).
pub(crate) fn open_db(py: Python<'_>, config: &Config) -> PyResult<Arc<Db>> {
    let mut options = Options::default();
    if let Some(d) = config.durability {
        options = options.durability(d);
    }
    let path = config.path.clone();
    py.allow_threads(move || Db::open_with(path, options))
        .or_raise()
        .map(Arc::new)
}

impl Client {
    pub(crate) fn new(config: Config) -> Client {
        Client {
            config,
            db: RwLock::new(None),
        }
    }

    pub(crate) fn db(&self) -> PyResult<Arc<Db>> {
        self.db.read().clone().ok_or_else(not_connected)
    }

    fn write_policy(
        &self,
        meta: Option<&Bound<'_, PyAny>>,
        policy: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<WritePolicy> {
        let mut wp = self.config.write.clone();
        apply_write_policy(&mut wp, policy, "policy")?;
        apply_meta(&mut wp, meta)?;
        Ok(wp)
    }

    pub(crate) fn read_policy(&self, policy: Option<&Bound<'_, PyAny>>) -> PyResult<ReadPolicy> {
        let mut rp = self.config.read.clone();
        apply_read_policy(&mut rp, policy, "policy")?;
        Ok(rp)
    }

    /// Runs `ops` on `key` with the GIL released.
    fn operate_ops(
        &self,
        py: Python<'_>,
        key: &Key,
        wp: &WritePolicy,
        ops: Vec<engine::Operation>,
    ) -> PyResult<engine::Record> {
        let db = self.db()?;
        py.allow_threads(|| db.operate(wp, key, &ops)).or_raise()
    }

    /// Runs one bin operation on `key` (increment, append, prepend).
    fn single_bin_op(
        &self,
        py: Python<'_>,
        key: &Bound<'_, PyAny>,
        meta: Option<&Bound<'_, PyAny>>,
        policy: Option<&Bound<'_, PyAny>>,
        op: engine::Operation,
    ) -> PyResult<()> {
        let key = to_key(key)?;
        let wp = self.write_policy(meta, policy)?;
        self.operate_ops(py, &key, &wp, vec![op])?;
        Ok(())
    }
}

fn bin_name(ob: &Bound<'_, PyAny>) -> PyResult<String> {
    ob.extract::<String>().map_err(|_| {
        param_error(format!(
            "bin: expected a str bin name, got {}",
            type_name(ob)
        ))
    })
}

/// The bins dict of a put: str names to values.
fn put_bins(bins: &Bound<'_, PyAny>) -> PyResult<Vec<Bin>> {
    let d = bins.downcast::<PyDict>().map_err(|_| {
        param_error(format!(
            "bins: expected a dict of bin name to value, got {}",
            type_name(bins)
        ))
    })?;
    if d.is_empty() {
        return Err(param_error("bins: a put needs at least one bin"));
    }
    let mut out = Vec::with_capacity(d.len());
    for (k, v) in d.iter() {
        let name = k.extract::<String>().map_err(|_| {
            param_error(format!(
                "bins: bin names must be str, got {}",
                type_name(&k)
            ))
        })?;
        let value = to_value(&v, &format!("bin '{name}'"))?;
        out.push(Bin::new(&name, value));
    }
    Ok(out)
}

#[pymethods]
impl Client {
    /// Opens the database directory (the aerospike client connects to a cluster);
    /// returns the client. `username` and `password` are accepted and ignored.
    #[pyo3(signature = (username=None, password=None))]
    fn connect<'py>(
        slf: &Bound<'py, Self>,
        username: Option<&Bound<'py, PyAny>>,
        password: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, Self>> {
        let _ = (username, password);
        let this = slf.get();
        if this.db.read().is_none() {
            let db = open_db(slf.py(), &this.config)?;
            let mut guard = this.db.write();
            if guard.is_none() {
                *guard = Some(db);
            }
        }
        Ok(slf.clone())
    }

    /// Closes the database: flushes it and releases the directory (once
    /// the Kinesis clients and scans made from this client are gone too).
    fn close(&self, py: Python<'_>) -> PyResult<()> {
        let taken = self.db.write().take();
        if let Some(db) = taken {
            if let Ok(db) = Arc::try_unwrap(db) {
                py.allow_threads(move || db.close()).or_raise()?;
            }
        }
        Ok(())
    }

    /// Whether the client is connected (the database is open).
    fn is_connected(&self) -> bool {
        self.db.read().is_some()
    }

    /// `with aerolite.client(config).connect() as client:` closes on exit.
    fn __enter__<'py>(slf: &Bound<'py, Self>) -> Bound<'py, Self> {
        slf.clone()
    }

    /// Closes the client; exceptions propagate.
    #[pyo3(signature = (*_args))]
    fn __exit__(&self, py: Python<'_>, _args: &Bound<'_, PyTuple>) -> PyResult<bool> {
        self.close(py)?;
        Ok(false)
    }

    /// Writes `bins` (a dict) to the record `key`, merging with its bins; a
    /// `None` value deletes that bin. `meta`: `{'ttl': seconds, 'gen': n}`;
    /// `policy`: `'key'`, `'exists'`, `'gen'`, `'commit_level'`, `'total_timeout'`.
    #[pyo3(signature = (key, bins, meta=None, policy=None, serializer=None))]
    fn put(
        &self,
        py: Python<'_>,
        key: &Bound<'_, PyAny>,
        bins: &Bound<'_, PyAny>,
        meta: Option<&Bound<'_, PyAny>>,
        policy: Option<&Bound<'_, PyAny>>,
        serializer: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<()> {
        let _ = serializer;
        let key = to_key(key)?;
        let bins = put_bins(bins)?;
        let wp = self.write_policy(meta, policy)?;
        let db = self.db()?;
        py.allow_threads(|| db.put(&wp, &key, &bins)).or_raise()
    }

    /// Reads a record: returns `(key, meta, bins)`; raises `RecordNotFound`.
    #[pyo3(signature = (key, policy=None))]
    fn get<'py>(
        &self,
        py: Python<'py>,
        key: &Bound<'py, PyAny>,
        policy: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let key = to_key(key)?;
        let rp = self.read_policy(policy)?;
        let db = self.db()?;
        let rec = py
            .allow_threads(|| db.get(&rp, &key, Bins::All))
            .or_raise()?;
        record_tuple(py, Some(&key), &rec)
    }

    /// Reads the bins named in `bins` of a record: returns `(key, meta, bins)`.
    #[pyo3(signature = (key, bins, policy=None))]
    fn select<'py>(
        &self,
        py: Python<'py>,
        key: &Bound<'py, PyAny>,
        bins: &Bound<'py, PyAny>,
        policy: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let key = to_key(key)?;
        let names = bin_names(bins, "bins")?;
        let rp = self.read_policy(policy)?;
        let db = self.db()?;
        let rec = py
            .allow_threads(|| db.get(&rp, &key, Bins::Some(names)))
            .or_raise()?;
        record_tuple(py, Some(&key), &rec)
    }

    /// Whether a record exists: returns `(key, meta)`, `meta` None if it does not.
    #[pyo3(signature = (key, policy=None))]
    fn exists<'py>(
        &self,
        py: Python<'py>,
        key: &Bound<'py, PyAny>,
        policy: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let key = to_key(key)?;
        let rp = self.read_policy(policy)?;
        let db = self.db()?;
        let meta = match py.allow_threads(|| db.get(&rp, &key, Bins::None)) {
            Ok(rec) => convert::meta_dict(py, &rec)?,
            Err(Error::KeyNotFound) => py.None().into_bound(py),
            Err(e) => return Err(crate::errors::db_error(e)),
        };
        Ok(PyTuple::new(py, [key_tuple(py, &key)?, meta])?.into_any())
    }

    /// Deletes a record; raises `RecordNotFound` if it does not exist.
    /// `meta['gen']` with `policy={'gen': POLICY_GEN_EQ}` checks the generation.
    #[pyo3(signature = (key, meta=None, policy=None))]
    fn remove(
        &self,
        py: Python<'_>,
        key: &Bound<'_, PyAny>,
        meta: Option<&Bound<'_, PyAny>>,
        policy: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<()> {
        let key = to_key(key)?;
        let wp = self.write_policy(meta, policy)?;
        let db = self.db()?;
        if py.allow_threads(|| db.delete(&wp, &key)).or_raise()? {
            Ok(())
        } else {
            Err(crate::errors::db_error(Error::KeyNotFound))
        }
    }

    /// Deletes the bins named in `list` from a record.
    #[pyo3(signature = (key, list, meta=None, policy=None))]
    fn remove_bin(
        &self,
        py: Python<'_>,
        key: &Bound<'_, PyAny>,
        list: &Bound<'_, PyAny>,
        meta: Option<&Bound<'_, PyAny>>,
        policy: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<()> {
        let key = to_key(key)?;
        let names = bin_names(list, "list")?;
        if names.is_empty() {
            return Err(param_error("list: at least one bin name is required"));
        }
        let bins: Vec<Bin> = names.iter().map(|n| Bin::new(n, Value::Nil)).collect();
        let wp = self.write_policy(meta, policy)?;
        let db = self.db()?;
        py.allow_threads(|| db.put(&wp, &key, &bins)).or_raise()
    }

    /// Resets a record's TTL to `val` seconds (0: the namespace default) and
    /// adds one to its generation.
    #[pyo3(signature = (key, val=None, meta=None, policy=None))]
    fn touch(
        &self,
        py: Python<'_>,
        key: &Bound<'_, PyAny>,
        val: Option<&Bound<'_, PyAny>>,
        meta: Option<&Bound<'_, PyAny>>,
        policy: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<()> {
        let key = to_key(key)?;
        let mut wp = self.write_policy(meta, policy)?;
        let ttl = match val.filter(|v| !v.is_none()) {
            Some(v) => int_arg(v, "val")?,
            None => 0,
        };
        if let Some(e) = policy::ttl_expiration(ttl, "val")? {
            wp.expiration = e;
        }
        let db = self.db()?;
        py.allow_threads(|| db.touch(&wp, &key)).or_raise()
    }

    /// Adds `offset` (an int or float) to the bin `bin`, creating it if missing.
    #[pyo3(signature = (key, bin, offset, meta=None, policy=None))]
    fn increment(
        &self,
        py: Python<'_>,
        key: &Bound<'_, PyAny>,
        bin: &Bound<'_, PyAny>,
        offset: &Bound<'_, PyAny>,
        meta: Option<&Bound<'_, PyAny>>,
        policy: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<()> {
        if offset.is_instance_of::<PyBool>()
            || !(offset.is_instance_of::<PyInt>() || offset.is_instance_of::<PyFloat>())
        {
            return Err(param_error(format!(
                "offset: expected an int or float, got {}",
                type_name(offset)
            )));
        }
        let value = to_value(offset, "offset")?;
        let op = operations::add(&Bin::new(&bin_name(bin)?, value));
        self.single_bin_op(py, key, meta, policy, op)
    }

    /// Appends `val` (a str, or bytes to a blob bin) to the bin `bin`.
    #[pyo3(signature = (key, bin, val, meta=None, policy=None))]
    fn append(
        &self,
        py: Python<'_>,
        key: &Bound<'_, PyAny>,
        bin: &Bound<'_, PyAny>,
        val: &Bound<'_, PyAny>,
        meta: Option<&Bound<'_, PyAny>>,
        policy: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<()> {
        let value = str_or_bytes(val)?;
        let op = operations::append(&Bin::new(&bin_name(bin)?, value));
        self.single_bin_op(py, key, meta, policy, op)
    }

    /// Prepends `val` (a str, or bytes to a blob bin) to the bin `bin`.
    #[pyo3(signature = (key, bin, val, meta=None, policy=None))]
    fn prepend(
        &self,
        py: Python<'_>,
        key: &Bound<'_, PyAny>,
        bin: &Bound<'_, PyAny>,
        val: &Bound<'_, PyAny>,
        meta: Option<&Bound<'_, PyAny>>,
        policy: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<()> {
        let value = str_or_bytes(val)?;
        let op = operations::prepend(&Bin::new(&bin_name(bin)?, value));
        self.single_bin_op(py, key, meta, policy, op)
    }

    /// Applies the operations of `list` (from `aerolite.operations`,
    /// `list_operations`, `map_operations`) atomically; returns `(key, meta, bins)`
    /// with the values the operations returned.
    #[pyo3(signature = (key, list, meta=None, policy=None))]
    fn operate<'py>(
        &self,
        py: Python<'py>,
        key: &Bound<'py, PyAny>,
        list: &Bound<'py, PyAny>,
        meta: Option<&Bound<'py, PyAny>>,
        policy: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let key = to_key(key)?;
        let parsed = ops::parse(list)?;
        let mut wp = self.write_policy(meta, policy)?;
        if let Some(e) = parsed.touch_ttl {
            wp.expiration = e;
        }
        let rec = self.operate_ops(py, &key, &wp, parsed.ops)?;
        operate_result(py, &key, &rec, &parsed.shapes)
    }

    /// Reads many records: a list of `(key, meta, bins)`, with `meta` and
    /// `bins` None for records that do not exist.
    #[pyo3(signature = (keys, policy=None))]
    fn get_many<'py>(
        &self,
        py: Python<'py>,
        keys: &Bound<'py, PyAny>,
        policy: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        crate::batch::get_many(self, py, keys, None, policy)
    }

    /// Reads the bins named in `bins` of many records, as `get_many`.
    #[pyo3(signature = (keys, bins, policy=None))]
    fn select_many<'py>(
        &self,
        py: Python<'py>,
        keys: &Bound<'py, PyAny>,
        bins: &Bound<'py, PyAny>,
        policy: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let names = bin_names(bins, "bins")?;
        crate::batch::get_many(self, py, keys, Some(names), policy)
    }

    /// Whether many records exist: a list of `(key, meta)`, `meta` None for missing ones.
    #[pyo3(signature = (keys, policy=None))]
    fn exists_many<'py>(
        &self,
        py: Python<'py>,
        keys: &Bound<'py, PyAny>,
        policy: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        crate::batch::exists_many(self, py, keys, policy)
    }

    /// Applies the same operations to every key; returns a `BatchRecords`
    /// whose `batch_records` hold each key's `result` code and `record`.
    #[pyo3(signature = (keys, ops, policy_batch=None, policy_batch_write=None, ttl=None))]
    fn batch_operate(
        &self,
        py: Python<'_>,
        keys: &Bound<'_, PyAny>,
        ops: &Bound<'_, PyAny>,
        policy_batch: Option<&Bound<'_, PyAny>>,
        policy_batch_write: Option<&Bound<'_, PyAny>>,
        ttl: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<crate::batch::BatchRecords> {
        let _ = policy_batch;
        let mut wp = self.write_policy(None, policy_batch_write)?;
        if let Some(t) = ttl.filter(|t| !t.is_none()) {
            if let Some(e) = policy::ttl_expiration(int_arg(t, "ttl")?, "ttl")? {
                wp.expiration = e;
            }
        }
        crate::batch::batch_operate(self, py, keys, ops, wp)
    }

    /// A scan of `namespace` (and of one `set`, or all sets when None).
    #[pyo3(signature = (namespace, set=None))]
    fn scan(&self, namespace: &Bound<'_, PyAny>, set: Option<&Bound<'_, PyAny>>) -> PyResult<Scan> {
        let ns = convert::namespace(namespace, "namespace")?;
        let set = match set {
            Some(s) if !s.is_none() => Some(convert::set_name(s, "set")?),
            _ => None,
        };
        Ok(Scan::new(self.db()?, ns, set))
    }

    /// Removes the records of `set` (or of the whole namespace when None)
    /// last updated before `nanos` (nanoseconds since the Unix epoch; 0:
    /// everything written so far). Returns 0.
    #[pyo3(signature = (namespace, set, nanos, policy=None))]
    fn truncate(
        &self,
        py: Python<'_>,
        namespace: &Bound<'_, PyAny>,
        set: &Bound<'_, PyAny>,
        nanos: &Bound<'_, PyAny>,
        policy: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<i64> {
        let _ = policy;
        let ns = convert::namespace(namespace, "namespace")?;
        let set = if set.is_none() {
            None
        } else {
            Some(convert::set_name(set, "set")?)
        };
        let nanos = int_arg(nanos, "nanos")?;
        let before = match nanos {
            0 => None,
            n if n > 0 => Some(UNIX_EPOCH + Duration::from_nanos(n as u64)),
            n => return Err(param_error(format!("nanos: must be >= 0, got {n}"))),
        };
        let db = self.db()?;
        py.allow_threads(|| db.truncate(&ns, set.as_deref(), before))
            .or_raise()?;
        Ok(0)
    }

    /// The 20-byte RIPEMD-160 digest of `(ns, set, key)`, as Aerospike computes it.
    fn get_key_digest<'py>(
        &self,
        py: Python<'py>,
        ns: &Bound<'py, PyAny>,
        set: &Bound<'py, PyAny>,
        key: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyAny>> {
        Ok(convert::digest_of(py, ns, set, key)?.into_any())
    }

    /// A boto3-style Kinesis client over the same open database.
    fn kinesis(&self) -> PyResult<Kinesis> {
        Ok(Kinesis::new(self.db()?))
    }

    /// `<aerolite.Client path=... connected=...>`.
    fn __repr__(&self) -> String {
        format!(
            "<aerolite.Client path={:?} connected={}>",
            self.config.path,
            self.db.read().is_some()
        )
    }
}

/// The operand of append / prepend: a str, or bytes / bytearray for a blob bin.
fn str_or_bytes(val: &Bound<'_, PyAny>) -> PyResult<Value> {
    let is_text_or_bytes = val.is_instance_of::<PyString>()
        || val.is_instance_of::<PyBytes>()
        || val.is_instance_of::<PyByteArray>();
    if !is_text_or_bytes {
        return Err(param_error(format!(
            "val: expected a str, bytes or bytearray, got {}",
            type_name(val)
        )));
    }
    to_value(val, "val")
}

/// The `(key, meta, bins)` of an operate, with each bin shaped as its
/// operation asks.
pub(crate) fn operate_result<'py>(
    py: Python<'py>,
    key: &Key,
    rec: &engine::Record,
    shapes: &std::collections::HashMap<String, ops::Shape>,
) -> PyResult<Bound<'py, PyAny>> {
    let bins = PyDict::new(py);
    for (name, value) in &rec.bins {
        let shape = shapes.get(name).copied().unwrap_or(ops::Shape::Plain);
        if let Some(v) = ops::shaped(py, value, shape)? {
            bins.set_item(name, v)?;
        }
    }
    let items = [
        key_tuple(py, key)?,
        convert::meta_dict(py, rec)?,
        bins.into_any(),
    ];
    Ok(PyTuple::new(py, items)?.into_any())
}
