//! The operation dicts of `aerolite.operations`, `aerolite.list_operations`
//! and `aerolite.map_operations` (the aerospike_helpers shape) turned into
//! engine operations, and the shaping of their results.

use crate::convert::{from_value, to_value, type_name};
use crate::errors::param_error;
use crate::policy::{int_arg, ttl_expiration};
use engine::operations::maps::MapReturnType;
use engine::operations::{self, lists, maps};
use engine::{Bin, Expiration, Operation, Value};
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDict, PyFloat, PyInt, PyList, PyTuple};
use std::collections::HashMap;

/// How a bin's result is shaped for Python.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Shape {
    /// As the engine returns it.
    Plain,
    /// A map as a list of `(key, value)` tuples.
    Pairs,
    /// A map's keys as a list.
    Keys,
    /// A map's values as a list.
    Values,
    /// A map's size.
    Count,
    /// No result: the bin is left out.
    Drop,
}

/// Parsed operations: the engine operations, the TTL a `touch` asked for,
/// and the shape of each bin's result.
#[derive(Debug, Default)]
pub(crate) struct Parsed {
    pub(crate) ops: Vec<Operation>,
    pub(crate) touch_ttl: Option<Expiration>,
    pub(crate) shapes: HashMap<String, Shape>,
}

struct OpDict<'a, 'py> {
    d: &'a Bound<'py, PyDict>,
    what: String,
}

impl<'py> OpDict<'_, 'py> {
    fn get(&self, key: &str) -> PyResult<Option<Bound<'py, PyAny>>> {
        self.d.get_item(key)
    }
    fn need(&self, key: &str) -> PyResult<Bound<'py, PyAny>> {
        self.get(key)?
            .ok_or_else(|| param_error(format!("{}: missing '{key}'", self.what)))
    }
    fn bin(&self) -> PyResult<String> {
        let b = self.need("bin")?;
        b.extract::<String>().map_err(|_| {
            param_error(format!(
                "{}: 'bin' must be a str, got {}",
                self.what,
                type_name(&b)
            ))
        })
    }
    fn val(&self) -> PyResult<Value> {
        let v = self
            .get("val")?
            .unwrap_or_else(|| self.d.py().None().into_bound(self.d.py()));
        to_value(&v, &format!("{} 'val'", self.what))
    }
    fn int(&self, key: &str) -> PyResult<i64> {
        int_arg(&self.need(key)?, &format!("{} '{key}'", self.what))
    }
    fn key(&self) -> PyResult<Value> {
        to_value(&self.need("key")?, &format!("{} 'key'", self.what))
    }
    fn count(&self) -> PyResult<u64> {
        let c = self.int("val")?;
        u64::try_from(c)
            .map_err(|_| param_error(format!("{}: count must be >= 0, got {c}", self.what)))
    }
    fn number(&self) -> PyResult<Value> {
        let v = self.need("val")?;
        if v.is_instance_of::<PyBool>()
            || !(v.is_instance_of::<PyInt>() || v.is_instance_of::<PyFloat>())
        {
            return Err(param_error(format!(
                "{} 'val': expected an int or float, got {}",
                self.what,
                type_name(&v)
            )));
        }
        self.val()
    }
    fn return_type(&self) -> PyResult<i64> {
        match self.get("return_type")? {
            Some(v) if !v.is_none() => int_arg(&v, &format!("{} 'return_type'", self.what)),
            _ => Ok(7),
        }
    }
}

fn map_return_type(rt: i64, what: &str) -> PyResult<MapReturnType> {
    Ok(match rt {
        0 => MapReturnType::None,
        1 => MapReturnType::Index,
        2 => MapReturnType::ReverseIndex,
        3 => MapReturnType::Rank,
        4 => MapReturnType::ReverseRank,
        5 => MapReturnType::Count,
        6 => MapReturnType::Key,
        7 => MapReturnType::Value,
        8 => MapReturnType::KeyValue,
        13 => MapReturnType::Exists,
        x => {
            return Err(param_error(format!(
                "{what} 'return_type': unknown value {x}"
            )))
        }
    })
}

/// A string or blob operand for append / prepend.
fn str_or_bytes(o: &OpDict<'_, '_>) -> PyResult<Value> {
    match o.val()? {
        v @ (Value::String(_) | Value::Blob(_)) => Ok(v),
        _ => Err(param_error(format!(
            "{} 'val': expected a str or bytes",
            o.what
        ))),
    }
}

/// Parses a list of operation dicts.
pub(crate) fn parse(list: &Bound<'_, PyAny>) -> PyResult<Parsed> {
    if !(list.is_instance_of::<PyList>() || list.is_instance_of::<PyTuple>()) {
        return Err(param_error(format!(
            "list: expected a list of operations, got {}",
            type_name(list)
        )));
    }
    let mut out = Parsed::default();
    for (i, item) in list.try_iter()?.enumerate() {
        let item = item?;
        let what = format!("operation {i}");
        let d = item.downcast::<PyDict>().map_err(|_| {
            param_error(format!(
                "{what}: expected an operation dict, got {}",
                type_name(&item)
            ))
        })?;
        let o = OpDict { d, what };
        if let Some(ctx) = o.get("ctx")? {
            if !ctx.is_none() {
                return Err(param_error(format!(
                    "{}: 'ctx' (nested contexts) is not supported",
                    o.what
                )));
            }
        }
        let code = o.int("op")?;
        let (op, shape) = one(&o, code, &mut out.touch_ttl)?;
        if let (Some(bin), Some(shape)) = (op.as_ref().and(o.get("bin")?), shape) {
            if let Ok(name) = bin.extract::<String>() {
                out.shapes.insert(name, shape);
            }
        }
        if let Some(op) = op {
            out.ops.push(op);
        }
    }
    if out.ops.is_empty() {
        return Err(param_error("list: at least one operation is required"));
    }
    Ok(out)
}

fn one(
    o: &OpDict<'_, '_>,
    code: i64,
    touch_ttl: &mut Option<Expiration>,
) -> PyResult<(Option<Operation>, Option<Shape>)> {
    let plain = Some(Shape::Plain);
    let op = match code {
        1 => match o.get("bin")? {
            Some(b) if !b.is_none() => operations::get_bin(&o.bin()?),
            _ => operations::get(),
        },
        2 => operations::put(&Bin::new(&o.bin()?, o.val()?)),
        5 => operations::add(&Bin::new(&o.bin()?, o.number()?)),
        9 => operations::append(&Bin::new(&o.bin()?, str_or_bytes(o)?)),
        10 => operations::prepend(&Bin::new(&o.bin()?, str_or_bytes(o)?)),
        11 => {
            if let Some(v) = o.get("val")? {
                if !v.is_none() {
                    *touch_ttl =
                        ttl_expiration(int_arg(&v, &format!("{} 'val'", o.what))?, &o.what)?;
                }
            }
            operations::touch()
        }
        14 => operations::delete(),
        1001 => lists::append(&o.bin()?, o.val()?),
        1002 => match o.val()? {
            Value::List(items) => lists::append_items(&o.bin()?, items),
            _ => return Err(param_error(format!("{} 'val': expected a list", o.what))),
        },
        1003 => lists::insert(&o.bin()?, o.int("index")?, o.val()?),
        1005 => lists::pop(&o.bin()?, o.int("index")?),
        1007 => lists::remove(&o.bin()?, o.int("index")?),
        1009 => return Ok((Some(lists::clear(&o.bin()?)), Some(Shape::Drop))),
        1010 => {
            return Ok((
                Some(lists::set(&o.bin()?, o.int("index")?, o.val()?)),
                Some(Shape::Drop),
            ))
        }
        1011 => lists::get(&o.bin()?, o.int("index")?),
        1012 => {
            let count = match o.get("val")? {
                Some(v) if !v.is_none() => Some(o.count()?),
                _ => None,
            };
            lists::get_range(&o.bin()?, o.int("index")?, count)
        }
        1013 => lists::trim(&o.bin()?, o.int("index")?, o.count()?),
        1014 => lists::size(&o.bin()?),
        1015 => lists::increment(&o.bin()?, o.int("index")?, o.number()?),
        1102 => maps::put(&o.bin()?, o.key()?, o.val()?),
        1103 => match o.val()? {
            Value::Map(m) => maps::put_items(&o.bin()?, m.into_iter().collect()),
            _ => return Err(param_error(format!("{} 'val': expected a dict", o.what))),
        },
        1104 => maps::increment(&o.bin()?, o.key()?, o.number()?),
        1106 => maps::size(&o.bin()?),
        1107 => return Ok((Some(maps::clear(&o.bin()?)), Some(Shape::Drop))),
        1108 | 1118 => {
            let remove = code == 1108;
            let rt = o.return_type()?;
            let rtype = map_return_type(rt, &o.what)?;
            let (bin, key) = (o.bin()?, o.key()?);
            let op = match (remove, rtype) {
                (false, MapReturnType::Value) => maps::get_by_key(&bin, key),
                (true, MapReturnType::Value) => maps::remove_by_key(&bin, key),
                (false, t) => maps::get_by_key_list(&bin, vec![key], t),
                (true, t) => maps::remove_by_key_list(&bin, vec![key], t),
            };
            let shape = match rtype {
                MapReturnType::None => Shape::Drop,
                MapReturnType::KeyValue => Shape::Pairs,
                _ => Shape::Plain,
            };
            return Ok((Some(op), Some(shape)));
        }
        1119 => {
            if let Some(inv) = o.get("inverted")? {
                if inv.is_truthy()? {
                    return Err(param_error(format!(
                        "{}: inverted=True is not supported",
                        o.what
                    )));
                }
            }
            let end = to_value(&o.need("range")?, &format!("{} 'key_range_end'", o.what))?;
            let shape = match o.return_type()? {
                0 => Shape::Drop,
                5 => Shape::Count,
                6 => Shape::Keys,
                7 => Shape::Values,
                8 => Shape::Pairs,
                x => {
                    return Err(param_error(format!(
                        "{} 'return_type': {x} is not supported by map_get_by_key_range (use MAP_RETURN_NONE, _COUNT, _KEY, _VALUE or _KEY_VALUE)",
                        o.what
                    )))
                }
            };
            return Ok((
                Some(maps::get_by_key_range(&o.bin()?, o.key()?, end)),
                Some(shape),
            ));
        }
        x => {
            return Err(param_error(format!(
                "{}: unknown or unsupported operation code {x}",
                o.what
            )))
        }
    };
    Ok((Some(op), plain))
}

/// A bin's result shaped for Python; `None` when the bin is left out.
pub(crate) fn shaped<'py>(
    py: Python<'py>,
    v: &Value,
    shape: Shape,
) -> PyResult<Option<Bound<'py, PyAny>>> {
    let entries: Vec<(&Value, &Value)> = match v {
        Value::Map(m) => m.iter().collect(),
        _ => Vec::new(),
    };
    let is_map = matches!(v, Value::Map(_));
    Ok(Some(match shape {
        Shape::Drop => return Ok(None),
        Shape::Plain => from_value(py, v)?,
        _ if !is_map => from_value(py, v)?,
        Shape::Count => (entries.len() as i64).into_pyobject(py)?.into_any(),
        Shape::Keys | Shape::Values | Shape::Pairs => {
            let list = PyList::empty(py);
            for (k, val) in entries {
                match shape {
                    Shape::Keys => list.append(from_value(py, k)?)?,
                    Shape::Values => list.append(from_value(py, val)?)?,
                    _ => list.append(PyTuple::new(
                        py,
                        [from_value(py, k)?, from_value(py, val)?],
                    )?)?,
                }
            }
            list.into_any()
        }
    }))
}
