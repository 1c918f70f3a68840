//! Map operations on a bin holding a [`Value::Map`]; aerolite maps are
//! key-ordered.
//!
//! Map keys must be ints, strings or blobs (Aerospike's rule); any other key
//! is a `ParameterError`. On a missing bin the read operations return
//! [`Value::Nil`], `remove_by_key` and the `remove_by_*` family (with a
//! [`MapReturnType`]) return nil and `clear` does nothing; the other writes
//! (`put`, `put_with`, `put_items`, `put_items_with`, `increment`) create
//! the map. Any map operation on a bin of another type is
//! [`Error::BinTypeMismatch`].

use super::map_select::{self, MapSelectOp};
use super::operand::{add_values, check_numeric_operand, count_value, Budget};
use super::{MapWriteMode, OpKind, Operation};
use crate::error::Error;
use crate::value::Value;
use std::collections::BTreeMap;
use std::ops::Bound;

pub use super::map_select::{
    get_by_index, get_by_index_range, get_by_index_range_from, get_by_key_list, get_by_rank,
    get_by_rank_range, get_by_rank_range_from, get_by_value, put_items_with, remove_by_index,
    remove_by_index_range, remove_by_index_range_from, remove_by_key_list, remove_by_rank,
    remove_by_rank_range, remove_by_rank_range_from, remove_by_value, MapReturnType,
};
pub use super::map_values::{
    get_by_value_list, get_by_value_range, remove_by_value_list, remove_by_value_range,
};

/// A map operation.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum MapOp {
    Put(Value, Value, MapWriteMode),
    PutItems(Vec<(Value, Value)>),
    GetByKey(Value),
    RemoveByKey(Value),
    Increment(Value, Value),
    Size,
    Clear,
    GetByKeyRange(Value, Value),
    /// `put_items_with` and the `get_by_*` / `remove_by_*` family.
    Select(MapSelectOp),
}

fn map_op(bin: &str, op: MapOp) -> Operation {
    Operation {
        kind: OpKind::Map {
            bin: bin.to_owned(),
            op,
        },
    }
}

/// Sets `key` to `value`, creating the key or overwriting it; returns the map
/// size after the put.
///
/// # Examples
/// ```
/// use aerolite::operations::maps;
/// let op = maps::put("scores", "ann", 10);
/// assert_ne!(op, maps::put("scores", "bob", 10));
/// ```
pub fn put(bin: &str, key: impl Into<Value>, value: impl Into<Value>) -> Operation {
    put_with(bin, key, value, MapWriteMode::Update)
}

/// Like [`put`], under `mode`: [`MapWriteMode::CreateOnly`] on an existing
/// key is `ElementExists`, [`MapWriteMode::UpdateOnly`] on a missing key (or
/// a missing bin) is `ElementNotFound`. Returns the map size after the put.
///
/// # Examples
/// ```
/// use aerolite::operations::maps;
/// use aerolite::MapWriteMode;
/// let op = maps::put_with("m", 1, "one", MapWriteMode::CreateOnly);
/// assert_ne!(op, maps::put("m", 1, "one"));
/// ```
pub fn put_with(
    bin: &str,
    key: impl Into<Value>,
    value: impl Into<Value>,
    mode: MapWriteMode,
) -> Operation {
    map_op(bin, MapOp::Put(key.into(), value.into(), mode))
}

/// Puts every `(key, value)` pair, in order, creating or overwriting keys;
/// returns the map size after.
pub fn put_items(bin: &str, items: Vec<(Value, Value)>) -> Operation {
    map_op(bin, MapOp::PutItems(items))
}

/// Returns the value at `key`, or nil if the key is absent.
pub fn get_by_key(bin: &str, key: impl Into<Value>) -> Operation {
    map_op(bin, MapOp::GetByKey(key.into()))
}

/// Removes `key`; returns its value, or nil if the key was absent.
pub fn remove_by_key(bin: &str, key: impl Into<Value>) -> Operation {
    map_op(bin, MapOp::RemoveByKey(key.into()))
}

/// Adds `by` (an int or a float, matching the value's type) to the value at
/// `key`, which is created with `by` if absent; returns the new value.
///
/// # Examples
/// ```
/// use aerolite::operations::maps;
/// let op = maps::increment("counts", "views", 1);
/// assert_eq!(op, maps::increment("counts", "views", 1));
/// ```
pub fn increment(bin: &str, key: impl Into<Value>, by: impl Into<Value>) -> Operation {
    map_op(bin, MapOp::Increment(key.into(), by.into()))
}

/// Returns the number of entries.
pub fn size(bin: &str) -> Operation {
    map_op(bin, MapOp::Size)
}

/// Removes every entry, leaving an empty map; returns nothing.
pub fn clear(bin: &str) -> Operation {
    map_op(bin, MapOp::Clear)
}

/// Returns, as a map, the entries whose keys are in `[begin, end)`. A nil
/// `begin` starts at the first key and a nil `end` runs to the last.
pub fn get_by_key_range(bin: &str, begin: impl Into<Value>, end: impl Into<Value>) -> Operation {
    map_op(bin, MapOp::GetByKeyRange(begin.into(), end.into()))
}

/// Checks that `key` can be a map key: an int, a string or a blob.
pub(super) fn check_key(key: &Value) -> Result<(), Error> {
    match key {
        Value::Int(_) | Value::String(_) | Value::Blob(_) => Ok(()),
        other => Err(Error::ParameterError(format!(
            "map keys must be int, string or blob, got {}",
            other.type_name()
        ))),
    }
}

impl MapOp {
    /// Whether the operation changes the map.
    pub(crate) fn is_write(&self) -> bool {
        match self {
            MapOp::Select(s) => s.is_write(),
            _ => !matches!(
                self,
                MapOp::GetByKey(_) | MapOp::Size | MapOp::GetByKeyRange(..)
            ),
        }
    }

    /// Calls `f` on every key and operand value.
    pub(crate) fn try_for_each_operand<E>(
        &self,
        mut f: impl FnMut(&Value) -> Result<(), E>,
    ) -> Result<(), E> {
        match self {
            MapOp::Put(k, v, _) | MapOp::Increment(k, v) | MapOp::GetByKeyRange(k, v) => {
                f(k)?;
                f(v)
            }
            MapOp::PutItems(items) => items.iter().try_for_each(|(k, v)| {
                f(k)?;
                f(v)
            }),
            MapOp::GetByKey(k) | MapOp::RemoveByKey(k) => f(k),
            MapOp::Select(s) => s.try_for_each_operand(f),
            MapOp::Size | MapOp::Clear => Ok(()),
        }
    }

    /// Moves every operand value out (leaving nil), for an iterative drop.
    pub(crate) fn take_operands(&mut self, out: &mut impl FnMut(Value)) {
        match self {
            MapOp::Put(k, v, _) | MapOp::Increment(k, v) | MapOp::GetByKeyRange(k, v) => {
                out(std::mem::take(k));
                out(std::mem::take(v));
            }
            MapOp::PutItems(items) => {
                for (k, v) in items.drain(..) {
                    out(k);
                    out(v);
                }
            }
            MapOp::GetByKey(k) | MapOp::RemoveByKey(k) => out(std::mem::take(k)),
            MapOp::Select(s) => s.take_operands(out),
            MapOp::Size | MapOp::Clear => {}
        }
    }

    /// Checks keys and operands.
    pub(crate) fn validate(&self) -> Result<(), Error> {
        match self {
            MapOp::Put(key, _, _) | MapOp::GetByKey(key) | MapOp::RemoveByKey(key) => {
                check_key(key)
            }
            MapOp::PutItems(items) => items.iter().try_for_each(|(k, _)| check_key(k)),
            MapOp::Increment(key, by) => {
                check_key(key)?;
                check_numeric_operand("maps::increment", by)
            }
            MapOp::GetByKeyRange(begin, end) => [begin, end]
                .into_iter()
                .filter(|v| !v.is_nil())
                .try_for_each(check_key),
            MapOp::Select(s) => s.validate(),
            MapOp::Size | MapOp::Clear => Ok(()),
        }
    }
}

/// Applies `op` to the map bin `bin`; returns the result to report, if any.
pub(crate) fn apply(
    bin: &str,
    op: &MapOp,
    bins: &mut BTreeMap<String, Value>,
    budget: &mut Budget,
) -> Result<Option<Value>, Error> {
    match bins.get_mut(bin) {
        Some(Value::Map(map)) => modify(bin, op, map, budget),
        Some(other) => Err(Error::BinTypeMismatch {
            bin: bin.to_owned(),
            message: format!(
                "map operation expected a map bin, found {}",
                other.type_name()
            ),
        }),
        None => match op {
            MapOp::GetByKey(_) | MapOp::Size | MapOp::GetByKeyRange(..) | MapOp::RemoveByKey(_) => {
                Ok(Some(Value::Nil))
            }
            MapOp::Clear => Ok(None),
            MapOp::Select(s) if !s.creates() => Ok(s.missing_bin_result()),
            MapOp::Put(..) | MapOp::PutItems(_) | MapOp::Increment(..) | MapOp::Select(_) => {
                let mut map = BTreeMap::new();
                let result = modify(bin, op, &mut map, budget)?;
                bins.insert(bin.to_owned(), Value::Map(map));
                Ok(result)
            }
        },
    }
}

fn modify(
    bin: &str,
    op: &MapOp,
    map: &mut BTreeMap<Value, Value>,
    budget: &mut Budget,
) -> Result<Option<Value>, Error> {
    let result = match op {
        MapOp::Select(s) => return map_select::modify(bin, s, map, budget),
        MapOp::Put(key, value, mode) => {
            let exists = map.contains_key(key);
            match mode {
                MapWriteMode::CreateOnly if exists => {
                    return Err(Error::ElementExists(format!(
                        "map key {key} already exists in bin {bin:?} (MapWriteMode::CreateOnly)"
                    )));
                }
                MapWriteMode::UpdateOnly if !exists => {
                    return Err(Error::ElementNotFound(format!(
                        "map key {key} does not exist in bin {bin:?} (MapWriteMode::UpdateOnly)"
                    )));
                }
                _ => {}
            }
            budget.charge_value(key)?;
            budget.charge_value(value)?;
            map.insert(key.clone(), value.clone());
            count_value(map.len())
        }
        MapOp::PutItems(items) => {
            for (k, v) in items {
                budget.charge_value(k)?;
                budget.charge_value(v)?;
                map.insert(k.clone(), v.clone());
            }
            count_value(map.len())
        }
        MapOp::GetByKey(key) => match map.get(key) {
            Some(v) => {
                budget.charge_value(v)?;
                v.clone()
            }
            None => Value::Nil,
        },
        MapOp::RemoveByKey(key) => map.remove(key).unwrap_or(Value::Nil),
        MapOp::Increment(key, by) => {
            budget.charge_value(key)?;
            let new = match map.get(key) {
                None => by.clone(),
                Some(cur) => add_values(bin, "maps::increment", cur, by)?,
            };
            map.insert(key.clone(), new.clone());
            new
        }
        MapOp::Size => count_value(map.len()),
        MapOp::Clear => {
            map.clear();
            return Ok(None);
        }
        MapOp::GetByKeyRange(begin, end) => Value::Map(key_range(map, begin, end, budget)?),
    };
    Ok(Some(result))
}

/// The entries with keys in `[begin, end)`; nil bounds are open.
fn key_range(
    map: &BTreeMap<Value, Value>,
    begin: &Value,
    end: &Value,
    budget: &mut Budget,
) -> Result<BTreeMap<Value, Value>, Error> {
    if !begin.is_nil() && !end.is_nil() && begin >= end {
        return Ok(BTreeMap::new());
    }
    let lo = if begin.is_nil() {
        Bound::Unbounded
    } else {
        Bound::Included(begin)
    };
    let hi = if end.is_nil() {
        Bound::Unbounded
    } else {
        Bound::Excluded(end)
    };
    map.range::<Value, _>((lo, hi))
        .map(|(k, v)| {
            budget.charge_value(k)?;
            budget.charge_value(v)?;
            Ok((k.clone(), v.clone()))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::operations::{get_bin, put as put_bin};
    use crate::{as_list, as_map, Bin};

    use crate::operations::exec::{run_one as run, test_execute as execute};

    #[test]
    fn put_size_increment_remove_clear() {
        let mut bins = BTreeMap::new();
        assert_eq!(
            run(put("m", "b", 1), &mut bins).unwrap(),
            Some(Value::Int(1))
        );
        assert_eq!(
            run(put("m", "a", 2), &mut bins).unwrap(),
            Some(Value::Int(2))
        );
        assert_eq!(
            run(put("m", "a", 3), &mut bins).unwrap(),
            Some(Value::Int(2))
        );
        assert_eq!(run(size("m"), &mut bins).unwrap(), Some(Value::Int(2)));
        assert_eq!(
            run(increment("m", "a", 10), &mut bins).unwrap(),
            Some(Value::Int(13))
        );
        assert_eq!(
            run(increment("m", "c", 0.5), &mut bins).unwrap(),
            Some(Value::Float(0.5))
        );
        assert_eq!(bins["m"], as_map!("a" => 13, "b" => 1, "c" => 0.5));
        assert_eq!(
            run(get_by_key("m", "b"), &mut bins).unwrap(),
            Some(Value::Int(1))
        );
        assert_eq!(
            run(get_by_key("m", "z"), &mut bins).unwrap(),
            Some(Value::Nil)
        );
        assert_eq!(
            run(remove_by_key("m", "b"), &mut bins).unwrap(),
            Some(Value::Int(1))
        );
        assert_eq!(
            run(remove_by_key("m", "b"), &mut bins).unwrap(),
            Some(Value::Nil)
        );
        assert_eq!(run(size("m"), &mut bins).unwrap(), Some(Value::Int(2)));
        assert_eq!(run(clear("m"), &mut bins).unwrap(), None);
        assert_eq!(bins["m"], as_map!());
        assert_eq!(run(size("m"), &mut bins).unwrap(), Some(Value::Int(0)));
    }

    #[test]
    fn increment_type_errors() {
        let mut bins = BTreeMap::new();
        execute(
            &[put_bin(&Bin::new("m", as_map!("i" => 1, "s" => "x")))],
            &mut bins,
        )
        .unwrap();
        for (key, by) in [("i", Value::Float(1.0)), ("s", Value::Int(1))] {
            let r = run(increment("m", key, by), &mut bins);
            assert!(matches!(r, Err(Error::BinTypeMismatch { .. })), "{r:?}");
        }
        for by in [Value::Nil, Value::from("1")] {
            let r = run(increment("m", "i", by), &mut bins);
            assert!(matches!(r, Err(Error::ParameterError(_))), "{r:?}");
        }
        assert_eq!(
            run(increment("m", "i", i64::MAX), &mut bins).unwrap(),
            Some(Value::Int(i64::MIN))
        );
    }

    #[test]
    fn write_modes() {
        let mut bins = BTreeMap::new();
        match run(put_with("m", 1, "x", MapWriteMode::UpdateOnly), &mut bins) {
            Err(e @ Error::ElementNotFound(_)) => {
                assert_eq!(e.result_code() as i32, 23);
            }
            other => panic!("unexpected {other:?}"),
        }
        assert!(bins.is_empty());
        assert_eq!(
            run(put_with("m", 1, "x", MapWriteMode::CreateOnly), &mut bins).unwrap(),
            Some(Value::Int(1))
        );
        match run(put_with("m", 1, "y", MapWriteMode::CreateOnly), &mut bins) {
            Err(e @ Error::ElementExists(_)) => {
                assert_eq!(e.result_code() as i32, 24);
                assert!(e.to_string().contains("CreateOnly"), "{e}");
            }
            other => panic!("unexpected {other:?}"),
        }
        assert!(matches!(
            run(put_with("m", 2, "y", MapWriteMode::UpdateOnly), &mut bins),
            Err(Error::ElementNotFound(_))
        ));
        assert_eq!(
            run(put_with("m", 1, "z", MapWriteMode::UpdateOnly), &mut bins).unwrap(),
            Some(Value::Int(1))
        );
        assert_eq!(bins["m"], as_map!(1 => "z"));
    }

    #[test]
    fn put_items_and_key_range() {
        let mut bins = BTreeMap::new();
        let items = vec![
            (Value::from("b"), Value::Int(2)),
            (Value::from("a"), Value::Int(1)),
            (Value::from("d"), as_list!(4, as_map!("x" => 1.5))),
            (Value::from("a"), Value::Int(0)),
        ];
        assert_eq!(
            run(put_items("m", items), &mut bins).unwrap(),
            Some(Value::Int(3))
        );
        assert_eq!(
            run(put_items("m", vec![]), &mut bins).unwrap(),
            Some(Value::Int(3))
        );
        let cases = [
            ("a", "c", as_map!("a" => 0, "b" => 2)),
            ("b", "b", as_map!()),
            ("c", "a", as_map!()),
            (
                "b",
                "zz",
                as_map!("b" => 2, "d" => as_list!(4, as_map!("x" => 1.5))),
            ),
        ];
        for (begin, end, want) in cases {
            assert_eq!(
                run(get_by_key_range("m", begin, end), &mut bins).unwrap(),
                Some(want),
                "[{begin}, {end})"
            );
        }
        assert_eq!(
            run(get_by_key_range("m", Value::Nil, "b"), &mut bins).unwrap(),
            Some(as_map!("a" => 0))
        );
        assert_eq!(
            run(get_by_key_range("m", "c", Value::Nil), &mut bins).unwrap(),
            Some(as_map!("d" => as_list!(4, as_map!("x" => 1.5))))
        );
    }

    #[test]
    fn key_types_and_missing_bin() {
        let mut bins = BTreeMap::new();
        for op in [
            put("m", 1.5, 1),
            put("m", Value::Nil, 1),
            get_by_key("m", as_list!(1)),
            remove_by_key("m", true),
            increment("m", as_map!(), 1),
            put_items(
                "m",
                vec![
                    (Value::Int(1), Value::Int(1)),
                    (Value::Float(1.0), Value::Int(1)),
                ],
            ),
            get_by_key_range("m", 0.0, Value::Nil),
        ] {
            let r = run(op, &mut bins);
            assert!(matches!(r, Err(Error::ParameterError(_))), "{r:?}");
        }
        for op in [
            size("m"),
            get_by_key("m", 1),
            remove_by_key("m", 1),
            get_by_key_range("m", 1, 2),
        ] {
            assert_eq!(run(op, &mut bins).unwrap(), Some(Value::Nil));
        }
        assert_eq!(run(clear("m"), &mut bins).unwrap(), None);
        assert!(bins.is_empty());
        let blob = Value::Blob(vec![0, 255]);
        assert_eq!(
            run(put("m", blob.clone(), Value::Nil), &mut bins).unwrap(),
            Some(Value::Int(1))
        );
        assert_eq!(
            run(get_by_key("m", blob), &mut bins).unwrap(),
            Some(Value::Nil)
        );
    }

    #[test]
    fn nested_values_round_trip_and_wrong_type() {
        let nested =
            as_map!("l" => as_list!(1, 2.5, vec![9u8], as_map!(-1 => Value::Nil)), "n" => f64::NAN);
        let mut bins = BTreeMap::new();
        let out = execute(
            &[
                put("m", 7, nested.clone()),
                get_by_key("m", 7),
                get_bin("m"),
            ],
            &mut bins,
        )
        .unwrap();
        assert_eq!(out.results["m"], as_map!(7 => nested.clone()));
        assert_eq!(run(get_by_key("m", 7), &mut bins).unwrap(), Some(nested));
        execute(&[put_bin(&Bin::new("s", "str"))], &mut bins).unwrap();
        for op in [put("s", 1, 1), size("s"), clear("s"), remove_by_key("s", 1)] {
            match run(op, &mut bins) {
                Err(Error::BinTypeMismatch { bin, message }) => {
                    assert_eq!(bin, "s");
                    assert!(message.contains("found string"), "{message}");
                }
                other => panic!("unexpected {other:?}"),
            }
        }
    }
}
