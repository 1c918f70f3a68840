//! Values, keys and records between Python and the engine.
//!
//! Python → engine: `None` → Nil, bool → Bool, int → Int (64-bit), float →
//! Float, str → String, bytes/bytearray → Blob, list → List, dict → Map;
//! anything else is `ParamError` naming the argument and the type.
//! Engine → Python: the same the other way, with blobs as `bytearray` (as the
//! aerospike client returns them) except as dict keys, where they are `bytes`
//! (a `bytearray` cannot be a dict key).

use crate::errors::param_error;
use engine::{Digest, Key, Record, Value};
use pyo3::prelude::*;
use pyo3::types::{
    PyBool, PyByteArray, PyBytes, PyDict, PyFloat, PyInt, PyList, PyString, PyTuple,
};
use std::collections::BTreeMap;

/// How deep values may nest (the engine's own limit).
const MAX_DEPTH: usize = 64;

/// The Python type name of `ob`, for messages.
pub(crate) fn type_name(ob: &Bound<'_, PyAny>) -> String {
    ob.get_type()
        .name()
        .map(|n| n.to_string())
        .unwrap_or_else(|_| "?".to_owned())
}

/// Converts a Python value; `what` names the argument in error messages.
pub(crate) fn to_value(ob: &Bound<'_, PyAny>, what: &str) -> PyResult<Value> {
    to_value_at(ob, what, 0)
}

fn to_value_at(ob: &Bound<'_, PyAny>, what: &str, depth: usize) -> PyResult<Value> {
    if depth > MAX_DEPTH {
        return Err(param_error(format!(
            "{what}: value nested more than {MAX_DEPTH} levels deep"
        )));
    }
    if ob.is_none() {
        return Ok(Value::Nil);
    }
    if ob.is_instance_of::<PyBool>() {
        return Ok(Value::Bool(ob.extract::<bool>()?));
    }
    if ob.is_instance_of::<PyInt>() {
        return match ob.extract::<i64>() {
            Ok(i) => Ok(Value::Int(i)),
            Err(_) => Err(param_error(format!(
                "{what}: int {} does not fit in 64 bits (aerolite stores signed 64-bit integers)",
                ob.str().map(|s| s.to_string()).unwrap_or_default()
            ))),
        };
    }
    if ob.is_instance_of::<PyFloat>() {
        return Ok(Value::Float(ob.extract::<f64>()?));
    }
    if ob.is_instance_of::<PyString>() {
        return string(ob, what).map(Value::String);
    }
    if let Ok(b) = ob.downcast::<PyBytes>() {
        return Ok(Value::Blob(b.as_bytes().to_vec()));
    }
    if let Ok(b) = ob.downcast::<PyByteArray>() {
        return Ok(Value::Blob(b.to_vec()));
    }
    if let Ok(list) = ob.downcast::<PyList>() {
        let mut out = Vec::with_capacity(list.len());
        for item in list.iter() {
            out.push(to_value_at(&item, what, depth + 1)?);
        }
        return Ok(Value::List(out));
    }
    if let Ok(dict) = ob.downcast::<PyDict>() {
        let mut out = BTreeMap::new();
        for (k, v) in dict.iter() {
            let k = to_value_at(&k, what, depth + 1)?;
            let v = to_value_at(&v, what, depth + 1)?;
            out.insert(k, v);
        }
        return Ok(Value::Map(out));
    }
    Err(param_error(format!(
        "{what}: unsupported type '{}' (supported: None, bool, int, float, str, bytes, bytearray, list, dict)",
        type_name(ob)
    )))
}

/// A Python str as UTF-8. Surrogate pairs written as two escapes (the
/// aerospike documentation's `u"\ud83d\ude04"`) are joined into their code
/// point; a lone surrogate is `ParamError`.
fn string(ob: &Bound<'_, PyAny>, what: &str) -> PyResult<String> {
    if let Ok(s) = ob.extract::<String>() {
        return Ok(s);
    }
    let joined = ob
        .call_method1("encode", ("utf-16", "surrogatepass"))
        .and_then(|b| b.call_method1("decode", ("utf-16",)))
        .and_then(|s| s.extract::<String>());
    joined.map_err(|_| {
        param_error(format!(
            "{what}: str with a lone surrogate cannot be stored as UTF-8"
        ))
    })
}

/// Converts an engine value to Python.
pub(crate) fn from_value<'py>(py: Python<'py>, v: &Value) -> PyResult<Bound<'py, PyAny>> {
    Ok(match v {
        Value::Nil => py.None().into_bound(py),
        Value::Bool(b) => PyBool::new(py, *b).to_owned().into_any(),
        Value::Int(i) => i.into_pyobject(py)?.into_any(),
        Value::Float(f) => PyFloat::new(py, *f).into_any(),
        Value::String(s) => PyString::new(py, s).into_any(),
        Value::Blob(b) => PyByteArray::new(py, b).into_any(),
        Value::List(items) => {
            let list = PyList::empty(py);
            for item in items {
                list.append(from_value(py, item)?)?;
            }
            list.into_any()
        }
        Value::Map(map) => {
            let dict = PyDict::new(py);
            for (k, v) in map {
                dict.set_item(map_key(py, k)?, from_value(py, v)?)?;
            }
            dict.into_any()
        }
        // `Value` is non-exhaustive in spirit: anything new shows as its debug form.
        #[allow(unreachable_patterns)]
        other => PyString::new(py, &format!("{other:?}")).into_any(),
    })
}

/// A map key as a hashable Python value (blobs as bytes, lists as tuples).
fn map_key<'py>(py: Python<'py>, v: &Value) -> PyResult<Bound<'py, PyAny>> {
    match v {
        Value::Blob(b) => Ok(PyBytes::new(py, b).into_any()),
        Value::List(items) => {
            let mut out = Vec::with_capacity(items.len());
            for item in items {
                out.push(map_key(py, item)?);
            }
            Ok(PyTuple::new(py, out)?.into_any())
        }
        other => from_value(py, other),
    }
}

/// A user key (str, int, bytes or bytearray).
fn user_key(ob: &Bound<'_, PyAny>, what: &str) -> PyResult<Value> {
    if ob.is_instance_of::<PyBool>() {
        return Err(param_error(format!(
            "{what}: the user key must be a str, int, bytes or bytearray, not bool"
        )));
    }
    let v = to_value(ob, what)?;
    match v {
        Value::Int(_) | Value::String(_) | Value::Blob(_) => Ok(v),
        _ => Err(param_error(format!(
            "{what}: the user key must be a str, int, bytes or bytearray, not {}",
            type_name(ob)
        ))),
    }
}

/// A digest argument (20 bytes as bytes or bytearray).
fn digest(ob: &Bound<'_, PyAny>, what: &str) -> PyResult<Digest> {
    let bytes = match to_value(ob, what)? {
        Value::Blob(b) => b,
        _ => {
            return Err(param_error(format!(
                "{what}: the digest must be bytes or bytearray, not {}",
                type_name(ob)
            )))
        }
    };
    let arr: [u8; 20] = bytes.as_slice().try_into().map_err(|_| {
        param_error(format!(
            "{what}: the digest must be 20 bytes, not {}",
            bytes.len()
        ))
    })?;
    Ok(Digest(arr))
}

/// A set argument: a str, or None for no set.
pub(crate) fn set_name(ob: &Bound<'_, PyAny>, what: &str) -> PyResult<String> {
    if ob.is_none() {
        return Ok(String::new());
    }
    ob.extract::<String>().map_err(|_| {
        param_error(format!(
            "{what}: the set must be a str or None, not {}",
            type_name(ob)
        ))
    })
}

/// A namespace argument.
pub(crate) fn namespace(ob: &Bound<'_, PyAny>, what: &str) -> PyResult<String> {
    ob.extract::<String>().map_err(|_| {
        param_error(format!(
            "{what}: the namespace must be a str, not {}",
            type_name(ob)
        ))
    })
}

/// A key tuple `(namespace, set, user key)` or `(namespace, set, user key or
/// None, digest)`.
pub(crate) fn to_key(ob: &Bound<'_, PyAny>) -> PyResult<Key> {
    to_key_named(ob, "key")
}

/// [`to_key`] with the argument's name for messages.
pub(crate) fn to_key_named(ob: &Bound<'_, PyAny>, what: &str) -> PyResult<Key> {
    let t = ob.downcast::<PyTuple>().map_err(|_| {
        param_error(format!(
            "{what}: expected a tuple (namespace, set, primary key[, digest]), got {}",
            type_name(ob)
        ))
    })?;
    if t.len() != 3 && t.len() != 4 {
        return Err(param_error(format!(
            "{what}: expected a tuple of 3 or 4 items (namespace, set, primary key[, digest]), got {} items",
            t.len()
        )));
    }
    let ns = namespace(&t.get_item(0)?, what)?;
    let set = set_name(&t.get_item(1)?, what)?;
    let pk = t.get_item(2)?;
    let dg = if t.len() == 4 {
        Some(t.get_item(3)?)
    } else {
        None
    };
    let key = if !pk.is_none() {
        Key::new(&ns, &set, user_key(&pk, what)?)
    } else {
        match dg {
            Some(d) if !d.is_none() => Key::from_digest(&ns, &set, digest(&d, what)?),
            _ => {
                return Err(param_error(format!(
                    "{what}: the primary key is None and no digest was given"
                )))
            }
        }
    };
    key.map_err(|e| param_error(format!("{what}: {e}")))
}

/// The digest of `(namespace, set, key)`, as `bytearray`.
pub(crate) fn digest_of<'py>(
    py: Python<'py>,
    ns: &Bound<'py, PyAny>,
    set: &Bound<'py, PyAny>,
    key: &Bound<'py, PyAny>,
) -> PyResult<Bound<'py, PyByteArray>> {
    let ns = namespace(ns, "ns")?;
    let set = set_name(set, "set")?;
    let key =
        Key::new(&ns, &set, user_key(key, "key")?).map_err(|e| param_error(format!("key: {e}")))?;
    Ok(PyByteArray::new(py, &key.digest().0))
}

/// The key tuple the aerospike client returns: `(namespace, set, user key or
/// None, bytearray(digest))`.
pub(crate) fn key_tuple<'py>(py: Python<'py>, key: &Key) -> PyResult<Bound<'py, PyAny>> {
    let set = if key.set_name().is_empty() {
        py.None().into_bound(py)
    } else {
        PyString::new(py, key.set_name()).into_any()
    };
    let pk = match key.user_key() {
        Some(Value::Blob(b)) => PyByteArray::new(py, b).into_any(),
        Some(v) => from_value(py, v)?,
        None => py.None().into_bound(py),
    };
    let items = [
        PyString::new(py, key.namespace()).into_any(),
        set,
        pk,
        PyByteArray::new(py, &key.digest().0).into_any(),
    ];
    Ok(PyTuple::new(py, items)?.into_any())
}

/// The meta dict: `{'gen': generation, 'ttl': seconds left (-1: never)}`.
pub(crate) fn meta_dict<'py>(py: Python<'py>, rec: &Record) -> PyResult<Bound<'py, PyAny>> {
    let meta = PyDict::new(py);
    meta.set_item("gen", rec.generation)?;
    let ttl: i64 = match rec.time_to_live() {
        Some(d) => i64::try_from(d.as_secs()).unwrap_or(i64::MAX),
        None => -1,
    };
    meta.set_item("ttl", ttl)?;
    Ok(meta.into_any())
}

/// The bins dict of a record.
pub(crate) fn bins_dict<'py>(py: Python<'py>, rec: &Record) -> PyResult<Bound<'py, PyDict>> {
    let bins = PyDict::new(py);
    for (name, value) in &rec.bins {
        bins.set_item(name, from_value(py, value)?)?;
    }
    Ok(bins)
}

/// `(key, meta, bins)`; the key is `key` when given (the key the caller
/// sent, as the aerospike client echoes it), else the record's own.
pub(crate) fn record_tuple<'py>(
    py: Python<'py>,
    key: Option<&Key>,
    rec: &Record,
) -> PyResult<Bound<'py, PyAny>> {
    let k = match key.or(rec.key.as_ref()) {
        Some(k) => key_tuple(py, k)?,
        None => py.None().into_bound(py),
    };
    let items = [k, meta_dict(py, rec)?, bins_dict(py, rec)?.into_any()];
    Ok(PyTuple::new(py, items)?.into_any())
}

/// A list of bin names (a list or tuple of str).
pub(crate) fn bin_names(ob: &Bound<'_, PyAny>, what: &str) -> PyResult<Vec<String>> {
    if ob.is_instance_of::<PyString>() {
        return Err(param_error(format!(
            "{what}: expected a list of bin names, got a str"
        )));
    }
    let mut out = Vec::new();
    let iter = ob.try_iter().map_err(|_| {
        param_error(format!(
            "{what}: expected a list of bin names, got {}",
            type_name(ob)
        ))
    })?;
    for item in iter {
        let item = item?;
        out.push(item.extract::<String>().map_err(|_| {
            param_error(format!(
                "{what}: bin names must be str, got {}",
                type_name(&item)
            ))
        })?);
    }
    Ok(out)
}

/// A list of keys (a list or tuple of key tuples).
pub(crate) fn keys(ob: &Bound<'_, PyAny>) -> PyResult<Vec<Key>> {
    if !(ob.is_instance_of::<PyList>() || ob.is_instance_of::<PyTuple>()) {
        return Err(param_error(format!(
            "keys: expected a list of key tuples, got {}",
            type_name(ob)
        )));
    }
    let mut out = Vec::new();
    for (i, item) in ob.try_iter()?.enumerate() {
        out.push(to_key_named(&item?, &format!("keys[{i}]"))?);
    }
    Ok(out)
}
