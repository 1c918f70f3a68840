//! `client.scan(ns, set)`: `select`, `foreach(callback)` (streamed: one
//! record at a time, the GIL released while the engine reads) and `results()`.

use crate::convert::{bin_names, record_tuple};
use crate::errors::OrRaise;
use engine::{Bins, Db};
use parking_lot::Mutex;
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyList, PyTuple};
use std::sync::Arc;

/// A scan of a namespace or of one set. Records present for the whole scan
/// are returned exactly once; memory does not grow with the number of records.
#[pyclass(module = "aerolite", frozen)]
pub(crate) struct Scan {
    db: Arc<Db>,
    namespace: String,
    set: Option<String>,
    bins: Mutex<Option<Vec<String>>>,
}

impl Scan {
    pub(crate) fn new(db: Arc<Db>, namespace: String, set: Option<String>) -> Scan {
        Scan {
            db,
            namespace,
            set,
            bins: Mutex::new(None),
        }
    }

    /// Streams the records to `f`; `f` returns false to stop.
    fn each(
        &self,
        py: Python<'_>,
        mut f: impl FnMut(Bound<'_, PyAny>) -> PyResult<bool>,
    ) -> PyResult<()> {
        let bins = match self.bins.lock().clone() {
            Some(names) => Bins::Some(names),
            None => Bins::All,
        };
        let db = Arc::clone(&self.db);
        let (ns, set) = (&self.namespace, self.set.as_deref());
        let mut it = py.allow_threads(|| db.scan(ns, set, bins)).or_raise()?;
        loop {
            let next = py.allow_threads(|| it.next());
            let Some(rec) = next else { return Ok(()) };
            let rec = rec.or_raise()?;
            let tuple = record_tuple(py, None, &rec)?;
            if !f(tuple)? {
                return Ok(());
            }
        }
    }
}

#[pymethods]
impl Scan {
    /// Restricts the scan to the named bins: `scan.select('a', 'b')`.
    #[pyo3(signature = (*bins))]
    fn select(&self, bins: &Bound<'_, PyTuple>) -> PyResult<()> {
        let names =
            if bins.len() == 1 && !bins.get_item(0)?.is_instance_of::<pyo3::types::PyString>() {
                bin_names(&bins.get_item(0)?, "bins")?
            } else {
                bin_names(bins.as_any(), "bins")?
            };
        *self.bins.lock() = Some(names);
        Ok(())
    }

    /// Calls `callback((key, meta, bins))` for each record as it is read;
    /// a callback returning `False` stops the scan, and an exception raised
    /// by the callback stops it and propagates.
    #[pyo3(signature = (callback, policy=None, options=None, nodename=None))]
    fn foreach(
        &self,
        py: Python<'_>,
        callback: &Bound<'_, PyAny>,
        policy: Option<&Bound<'_, PyAny>>,
        options: Option<&Bound<'_, PyAny>>,
        nodename: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<()> {
        let _ = (policy, options, nodename);
        if !callback.is_callable() {
            return Err(crate::errors::param_error("callback: expected a callable"));
        }
        self.each(py, |rec| {
            let r = callback.call1((rec,))?;
            Ok(!r.is_instance_of::<PyBool>() || r.is_truthy()?)
        })
    }

    /// Every record of the scan, as a list of `(key, meta, bins)`.
    #[pyo3(signature = (policy=None, nodename=None))]
    fn results<'py>(
        &self,
        py: Python<'py>,
        policy: Option<&Bound<'py, PyAny>>,
        nodename: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyList>> {
        let _ = (policy, nodename);
        let out = PyList::empty(py);
        self.each(py, |rec| {
            out.append(rec)?;
            Ok(true)
        })?;
        Ok(out)
    }
}
