//! boto3-style keyword arguments: required and optional ones with their
//! types, and botocore's `ParamValidationError` for missing, unknown or
//! mistyped ones.

use crate::convert::type_name;
use crate::errors::param_validation;
use pyo3::prelude::*;
use pyo3::types::{PyByteArray, PyBytes, PyDict, PyString};
use std::collections::HashSet;

/// The keyword arguments of one call.
pub(crate) struct Kwargs<'py> {
    dict: Option<Bound<'py, PyDict>>,
    seen: HashSet<&'static str>,
}

impl<'py> Kwargs<'py> {
    pub(crate) fn new(kwargs: Option<&Bound<'py, PyDict>>) -> Kwargs<'py> {
        Kwargs {
            dict: kwargs.cloned(),
            seen: HashSet::new(),
        }
    }

    /// The raw value of `name`, if given (and not None).
    pub(crate) fn raw(&mut self, name: &'static str) -> PyResult<Option<Bound<'py, PyAny>>> {
        self.seen.insert(name);
        match &self.dict {
            Some(d) => Ok(d.get_item(name)?.filter(|v| !v.is_none())),
            None => Ok(None),
        }
    }

    fn missing(name: &str) -> PyErr {
        param_validation(&format!("Missing required parameter in input: \"{name}\""))
    }

    fn mistyped(name: &str, v: &Bound<'_, PyAny>, want: &str) -> PyErr {
        param_validation(&format!(
            "Invalid type for parameter {name}, value: {}, type: <class '{}'>, valid types: {want}",
            v.repr().map(|r| r.to_string()).unwrap_or_default(),
            type_name(v)
        ))
    }

    pub(crate) fn opt_str(&mut self, name: &'static str) -> PyResult<Option<String>> {
        match self.raw(name)? {
            None => Ok(None),
            Some(v) if v.is_instance_of::<PyString>() => Ok(Some(v.extract()?)),
            Some(v) => Err(Self::mistyped(name, &v, "<class 'str'>")),
        }
    }

    pub(crate) fn req_str(&mut self, name: &'static str) -> PyResult<String> {
        self.opt_str(name)?.ok_or_else(|| Self::missing(name))
    }

    pub(crate) fn opt_int(&mut self, name: &'static str) -> PyResult<Option<i64>> {
        match self.raw(name)? {
            None => Ok(None),
            Some(v)
                if v.is_instance_of::<pyo3::types::PyInt>()
                    && !v.is_instance_of::<pyo3::types::PyBool>() =>
            {
                v.extract::<i64>()
                    .map(Some)
                    .map_err(|_| Self::mistyped(name, &v, "<class 'int'>"))
            }
            Some(v) => Err(Self::mistyped(name, &v, "<class 'int'>")),
        }
    }

    /// A u32 argument (`ShardCount`, `Limit`, hours, ...).
    pub(crate) fn opt_u32(&mut self, name: &'static str) -> PyResult<Option<u32>> {
        match self.opt_int(name)? {
            None => Ok(None),
            Some(i) => u32::try_from(i).map(Some).map_err(|_| {
                param_validation(&format!(
                    "Invalid value for parameter {name}, value: {i}, valid min value: 0"
                ))
            }),
        }
    }

    pub(crate) fn req_u32(&mut self, name: &'static str) -> PyResult<u32> {
        self.opt_u32(name)?.ok_or_else(|| Self::missing(name))
    }

    /// A blob argument (`Data`): bytes, bytearray, memoryview or str (encoded as UTF-8, as boto3 does).
    pub(crate) fn blob(v: &Bound<'_, PyAny>, name: &str) -> PyResult<Vec<u8>> {
        if let Ok(b) = v.downcast::<PyBytes>() {
            return Ok(b.as_bytes().to_vec());
        }
        if let Ok(b) = v.downcast::<PyByteArray>() {
            return Ok(b.to_vec());
        }
        if let Ok(s) = v.downcast::<PyString>() {
            return Ok(s.to_string().into_bytes());
        }
        if type_name(v) == "memoryview" {
            let b = v.call_method0("tobytes")?;
            return Ok(b.downcast::<PyBytes>()?.as_bytes().to_vec());
        }
        Err(Self::mistyped(
            name,
            v,
            "<class 'bytes'>, <class 'bytearray'>, file-like object",
        ))
    }

    pub(crate) fn req_blob(&mut self, name: &'static str) -> PyResult<Vec<u8>> {
        match self.raw(name)? {
            None => Err(Self::missing(name)),
            Some(v) => Self::blob(&v, name),
        }
    }

    /// Fails on any keyword not read by the call.
    pub(crate) fn finish(self) -> PyResult<()> {
        if let Some(d) = &self.dict {
            for k in d.keys() {
                let k: String = k.extract()?;
                if !self.seen.contains(k.as_str()) {
                    let mut valid: Vec<&str> = self.seen.iter().copied().collect();
                    valid.sort_unstable();
                    return Err(param_validation(&format!(
                        "Unknown parameter in input: \"{k}\", must be one of: {}",
                        valid.join(", ")
                    )));
                }
            }
        }
        Ok(())
    }
}
