//! The map operations that select entries by key list, index (key order),
//! rank (value order) or value and return what [`MapReturnType`] asks for
//! (Aerospike's `maps::get_by_*` / `maps::remove_by_*`), and `put_items`
//! with a write mode. Re-exported from [`maps`](super::maps).

use super::maps::{check_key, MapOp};
use super::operand::{count_value, Budget};
use super::select::{build, marks, pick, Container, Ret, Selector};
use super::{MapWriteMode, OpKind, Operation};
use crate::error::Error;
use crate::value::Value;
use std::collections::BTreeMap;

/// What a map `get_by_*` / `remove_by_*` operation returns.
///
/// Single-entry operations (`*_by_index`, `*_by_rank`) return one value
/// (one key, one index, …; [`MapReturnType::KeyValue`] is a one-entry
/// map); the others return a list, in key order (rank ranges: in rank
/// order), or a map for `KeyValue`.
///
/// # Examples
/// ```
/// use aerolite::operations::maps::{self, MapReturnType};
/// let op = maps::get_by_index("m", 0, MapReturnType::Key);
/// assert_ne!(op, maps::get_by_index("m", 0, MapReturnType::Value));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MapReturnType {
    /// Nothing: the operation adds no result.
    None,
    /// The position in key order of each selected entry.
    Index,
    /// The position counted from the last key (the last is 0).
    ReverseIndex,
    /// The rank (position in value order) of each selected entry.
    Rank,
    /// The rank counted from the highest value (the highest is 0).
    ReverseRank,
    /// The number of selected entries.
    Count,
    /// The keys of the selected entries.
    Key,
    /// The values of the selected entries.
    Value,
    /// The selected entries, as a map.
    KeyValue,
    /// Whether any entry was selected (a bool).
    Exists,
}

impl MapReturnType {
    fn ret(self) -> Ret {
        match self {
            MapReturnType::None => Ret::None,
            MapReturnType::Index => Ret::Index,
            MapReturnType::ReverseIndex => Ret::ReverseIndex,
            MapReturnType::Rank => Ret::Rank,
            MapReturnType::ReverseRank => Ret::ReverseRank,
            MapReturnType::Count => Ret::Count,
            MapReturnType::Key => Ret::Keys,
            MapReturnType::Value => Ret::Values,
            MapReturnType::KeyValue => Ret::KeyValues,
            MapReturnType::Exists => Ret::Exists,
        }
    }
}

/// A map operation of this module.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum MapSelectOp {
    /// `put_items` under a write mode.
    PutItems(Vec<(Value, Value)>, MapWriteMode),
    /// The `get_by_*` / `remove_by_*` family.
    Select {
        sel: Selector,
        ret: MapReturnType,
        remove: bool,
    },
}

fn map_op(bin: &str, op: MapSelectOp) -> Operation {
    Operation {
        kind: OpKind::Map {
            bin: bin.to_owned(),
            op: MapOp::Select(op),
        },
    }
}

pub(super) fn op(bin: &str, sel: Selector, ret: MapReturnType, remove: bool) -> Operation {
    map_op(bin, MapSelectOp::Select { sel, ret, remove })
}

/// Puts every `(key, value)` pair, in order, under `mode`; returns the map
/// size after. [`MapWriteMode::Update`] is [`put_items`](super::maps::put_items).
///
/// # Errors
/// `Db::operate` fails, changing nothing, with `ElementExists` if a key
/// exists under [`MapWriteMode::CreateOnly`] (also a key given twice),
/// `ElementNotFound` if a key (or the bin) is missing under
/// [`MapWriteMode::UpdateOnly`], and `ParameterError` for a key that is not
/// an int, string or blob.
///
/// # Examples
/// ```
/// use aerolite::operations::maps;
/// use aerolite::{MapWriteMode, Value};
/// let items = vec![(Value::from("a"), Value::Int(1))];
/// let op = maps::put_items_with("m", items.clone(), MapWriteMode::CreateOnly);
/// assert_ne!(op, maps::put_items("m", items));
/// ```
pub fn put_items_with(bin: &str, items: Vec<(Value, Value)>, mode: MapWriteMode) -> Operation {
    map_op(bin, MapSelectOp::PutItems(items, mode))
}

/// Returns the entries whose keys are in `keys`, in key order, shaped by
/// `return_type`; absent keys are skipped.
///
/// # Errors
/// `Db::operate` fails with `ParameterError` for a key that is not an int,
/// string or blob.
///
/// # Examples
/// ```
/// use aerolite::operations::maps::{self, MapReturnType};
/// use aerolite::Value;
/// let op = maps::get_by_key_list("m", vec![Value::from("a")], MapReturnType::Value);
/// assert_eq!(op, op.clone());
/// ```
pub fn get_by_key_list(bin: &str, keys: Vec<Value>, return_type: MapReturnType) -> Operation {
    op(bin, Selector::KeyList(keys), return_type, false)
}

/// Removes the entries whose keys are in `keys`; returns them shaped by
/// `return_type`.
///
/// # Errors
/// As [`get_by_key_list`].
///
/// # Examples
/// ```
/// use aerolite::operations::maps::{self, MapReturnType};
/// use aerolite::Value;
/// let op = maps::remove_by_key_list("m", vec![Value::Int(1)], MapReturnType::Count);
/// assert_eq!(op, op.clone());
/// ```
pub fn remove_by_key_list(bin: &str, keys: Vec<Value>, return_type: MapReturnType) -> Operation {
    op(bin, Selector::KeyList(keys), return_type, true)
}

/// Returns the entry at `index` in key order (negative: from the last),
/// shaped by `return_type`.
///
/// # Errors
/// `Db::operate` fails with `OpNotApplicable` if `index` is out of range
/// (a missing bin gives nil).
///
/// # Examples
/// ```
/// use aerolite::operations::maps::{self, MapReturnType};
/// let first_key = maps::get_by_index("m", 0, MapReturnType::Key);
/// assert_eq!(first_key, first_key.clone());
/// ```
pub fn get_by_index(bin: &str, index: i64, return_type: MapReturnType) -> Operation {
    op(bin, Selector::Index(index), return_type, false)
}

/// Returns up to `count` entries from index `index` (negative: from
/// the last key) in key order, clamped to the map, shaped by `return_type`.
///
/// # Errors
/// None of its own: a range outside the map selects nothing.
///
/// # Examples
/// ```
/// use aerolite::operations::maps::{self, MapReturnType};
/// let op = maps::get_by_index_range("m", 0, 2, MapReturnType::KeyValue);
/// assert_ne!(op, maps::get_by_index_range_from("m", 0, MapReturnType::KeyValue));
/// ```
pub fn get_by_index_range(
    bin: &str,
    index: i64,
    count: u64,
    return_type: MapReturnType,
) -> Operation {
    op(
        bin,
        Selector::IndexRange(index, Some(count)),
        return_type,
        false,
    )
}

/// Returns the entries from index `index` to the last key in key order, shaped by
/// `return_type`.
///
/// # Errors
/// None of its own.
///
/// # Examples
/// ```
/// use aerolite::operations::maps::{self, MapReturnType};
/// let op = maps::get_by_index_range_from("m", -3, MapReturnType::Key);
/// assert_eq!(op, op.clone());
/// ```
pub fn get_by_index_range_from(bin: &str, index: i64, return_type: MapReturnType) -> Operation {
    op(bin, Selector::IndexRange(index, None), return_type, false)
}

/// Returns the entry whose value has rank `rank` (0: the lowest value;
/// negative: from the highest; equal values rank in key order), shaped by
/// `return_type`.
///
/// # Errors
/// `Db::operate` fails with `OpNotApplicable` if `rank` is out of range.
///
/// # Examples
/// ```
/// use aerolite::operations::maps::{self, MapReturnType};
/// let top = maps::get_by_rank("scores", -1, MapReturnType::Key);
/// assert_eq!(top, top.clone());
/// ```
pub fn get_by_rank(bin: &str, rank: i64, return_type: MapReturnType) -> Operation {
    op(bin, Selector::Rank(rank), return_type, false)
}

/// Returns up to `count` entries from rank `rank` (negative: from
/// the highest value) in ascending rank order, clamped to the map, shaped by `return_type`.
///
/// # Errors
/// None of its own: a range outside the map selects nothing.
///
/// # Examples
/// ```
/// use aerolite::operations::maps::{self, MapReturnType};
/// let op = maps::get_by_rank_range("m", 0, 2, MapReturnType::KeyValue);
/// assert_ne!(op, maps::get_by_rank_range_from("m", 0, MapReturnType::KeyValue));
/// ```
pub fn get_by_rank_range(
    bin: &str,
    rank: i64,
    count: u64,
    return_type: MapReturnType,
) -> Operation {
    op(
        bin,
        Selector::RankRange(rank, Some(count)),
        return_type,
        false,
    )
}

/// Returns the entries from rank `rank` to the highest value in ascending rank order, shaped by
/// `return_type`.
///
/// # Errors
/// None of its own.
///
/// # Examples
/// ```
/// use aerolite::operations::maps::{self, MapReturnType};
/// let op = maps::get_by_rank_range_from("m", -3, MapReturnType::Key);
/// assert_eq!(op, op.clone());
/// ```
pub fn get_by_rank_range_from(bin: &str, rank: i64, return_type: MapReturnType) -> Operation {
    op(bin, Selector::RankRange(rank, None), return_type, false)
}

/// Returns the entries whose value equals `value`, in key order, shaped by
/// `return_type`.
///
/// # Errors
/// None of its own.
///
/// # Examples
/// ```
/// use aerolite::operations::maps::{self, MapReturnType};
/// let op = maps::get_by_value("m", 0, MapReturnType::Key);
/// assert_eq!(op, op.clone());
/// ```
pub fn get_by_value(bin: &str, value: impl Into<Value>, return_type: MapReturnType) -> Operation {
    op(bin, Selector::Value(value.into()), return_type, false)
}

/// Removes the entry at `index` in key order; returns it shaped by
/// `return_type`.
///
/// # Errors
/// `Db::operate` fails with `OpNotApplicable` if `index` is out of range.
///
/// # Examples
/// ```
/// use aerolite::operations::maps::{self, MapReturnType};
/// let op = maps::remove_by_index("m", -1, MapReturnType::KeyValue);
/// assert_eq!(op, op.clone());
/// ```
pub fn remove_by_index(bin: &str, index: i64, return_type: MapReturnType) -> Operation {
    op(bin, Selector::Index(index), return_type, true)
}

/// Removes up to `count` entries from index `index` (negative: from
/// the last key) in key order, clamped to the map; returns them, shaped by `return_type`.
///
/// # Errors
/// None of its own: a range outside the map selects nothing.
///
/// # Examples
/// ```
/// use aerolite::operations::maps::{self, MapReturnType};
/// let op = maps::remove_by_index_range("m", 0, 2, MapReturnType::KeyValue);
/// assert_ne!(op, maps::remove_by_index_range_from("m", 0, MapReturnType::KeyValue));
/// ```
pub fn remove_by_index_range(
    bin: &str,
    index: i64,
    count: u64,
    return_type: MapReturnType,
) -> Operation {
    op(
        bin,
        Selector::IndexRange(index, Some(count)),
        return_type,
        true,
    )
}

/// Removes the entries from index `index` to the last key in key order; returns them, shaped by
/// `return_type`.
///
/// # Errors
/// None of its own.
///
/// # Examples
/// ```
/// use aerolite::operations::maps::{self, MapReturnType};
/// let op = maps::remove_by_index_range_from("m", -3, MapReturnType::Key);
/// assert_eq!(op, op.clone());
/// ```
pub fn remove_by_index_range_from(bin: &str, index: i64, return_type: MapReturnType) -> Operation {
    op(bin, Selector::IndexRange(index, None), return_type, true)
}

/// Removes the entry whose value has rank `rank`; returns it shaped by
/// `return_type`.
///
/// # Errors
/// `Db::operate` fails with `OpNotApplicable` if `rank` is out of range.
///
/// # Examples
/// ```
/// use aerolite::operations::maps::{self, MapReturnType};
/// let op = maps::remove_by_rank("m", 0, MapReturnType::Key);
/// assert_eq!(op, op.clone());
/// ```
pub fn remove_by_rank(bin: &str, rank: i64, return_type: MapReturnType) -> Operation {
    op(bin, Selector::Rank(rank), return_type, true)
}

/// Removes up to `count` entries from rank `rank` (negative: from
/// the highest value) in ascending rank order, clamped to the map; returns them, shaped by `return_type`.
///
/// # Errors
/// None of its own: a range outside the map selects nothing.
///
/// # Examples
/// ```
/// use aerolite::operations::maps::{self, MapReturnType};
/// let op = maps::remove_by_rank_range("m", 0, 2, MapReturnType::KeyValue);
/// assert_ne!(op, maps::remove_by_rank_range_from("m", 0, MapReturnType::KeyValue));
/// ```
pub fn remove_by_rank_range(
    bin: &str,
    rank: i64,
    count: u64,
    return_type: MapReturnType,
) -> Operation {
    op(
        bin,
        Selector::RankRange(rank, Some(count)),
        return_type,
        true,
    )
}

/// Removes the entries from rank `rank` to the highest value in ascending rank order; returns them, shaped by
/// `return_type`.
///
/// # Errors
/// None of its own.
///
/// # Examples
/// ```
/// use aerolite::operations::maps::{self, MapReturnType};
/// let op = maps::remove_by_rank_range_from("m", -3, MapReturnType::Key);
/// assert_eq!(op, op.clone());
/// ```
pub fn remove_by_rank_range_from(bin: &str, rank: i64, return_type: MapReturnType) -> Operation {
    op(bin, Selector::RankRange(rank, None), return_type, true)
}

/// Removes the entries whose value equals `value`; returns them shaped by
/// `return_type`.
///
/// # Errors
/// None of its own.
///
/// # Examples
/// ```
/// use aerolite::operations::maps::{self, MapReturnType};
/// let op = maps::remove_by_value("m", "stale", MapReturnType::Count);
/// assert_eq!(op, op.clone());
/// ```
pub fn remove_by_value(
    bin: &str,
    value: impl Into<Value>,
    return_type: MapReturnType,
) -> Operation {
    op(bin, Selector::Value(value.into()), return_type, true)
}

impl MapSelectOp {
    /// Whether the operation changes the map.
    pub(crate) fn is_write(&self) -> bool {
        match self {
            MapSelectOp::PutItems(..) => true,
            MapSelectOp::Select { remove, .. } => *remove,
        }
    }

    /// Checks keys.
    pub(crate) fn validate(&self) -> Result<(), Error> {
        match self {
            MapSelectOp::PutItems(items, _) => items.iter().try_for_each(|(k, _)| check_key(k)),
            MapSelectOp::Select {
                sel: Selector::KeyList(keys),
                ..
            } => keys.iter().try_for_each(check_key),
            MapSelectOp::Select { .. } => Ok(()),
        }
    }

    /// Calls `f` on every key and operand value.
    pub(crate) fn try_for_each_operand<E>(
        &self,
        mut f: impl FnMut(&Value) -> Result<(), E>,
    ) -> Result<(), E> {
        match self {
            MapSelectOp::PutItems(items, _) => items.iter().try_for_each(|(k, v)| {
                f(k)?;
                f(v)
            }),
            MapSelectOp::Select { sel, .. } => sel.try_for_each_operand(f),
        }
    }

    /// Moves every operand value out (leaving nil), for an iterative drop.
    pub(crate) fn take_operands(&mut self, out: &mut impl FnMut(Value)) {
        match self {
            MapSelectOp::PutItems(items, _) => {
                for (k, v) in items.drain(..) {
                    out(k);
                    out(v);
                }
            }
            MapSelectOp::Select { sel, .. } => sel.take_operands(out),
        }
    }

    /// Whether the operation creates the map on a missing bin.
    pub(crate) fn creates(&self) -> bool {
        matches!(self, MapSelectOp::PutItems(..))
    }

    /// What the operation reports on a missing bin it does not create: nil,
    /// or nothing for [`MapReturnType::None`].
    pub(crate) fn missing_bin_result(&self) -> Option<Value> {
        match self {
            MapSelectOp::Select {
                ret: MapReturnType::None,
                ..
            } => None,
            _ => Some(Value::Nil),
        }
    }
}

/// Applies an operation of this module to a map (an empty one for a
/// missing bin the operation creates).
pub(crate) fn modify(
    bin: &str,
    op: &MapSelectOp,
    map: &mut BTreeMap<Value, Value>,
    budget: &mut Budget,
) -> Result<Option<Value>, Error> {
    match op {
        MapSelectOp::PutItems(items, mode) => {
            // Every key is checked before anything is written.
            let mut seen = std::collections::BTreeSet::new();
            for (k, _) in items {
                let exists = map.contains_key(k) || !seen.insert(k);
                match mode {
                    MapWriteMode::CreateOnly if exists => {
                        return Err(Error::ElementExists(format!(
                            "map key {k} already exists in bin {bin:?} (MapWriteMode::CreateOnly)"
                        )));
                    }
                    MapWriteMode::UpdateOnly if !exists => {
                        return Err(Error::ElementNotFound(format!(
                            "map key {k} does not exist in bin {bin:?} (MapWriteMode::UpdateOnly)"
                        )));
                    }
                    _ => {}
                }
            }
            for (k, v) in items {
                budget.charge_value(k)?;
                budget.charge_value(v)?;
                map.insert(k.clone(), v.clone());
            }
            Ok(Some(count_value(map.len())))
        }
        MapSelectOp::Select { sel, ret, remove } => {
            budget.charge_items(map.len().saturating_mul(2))?;
            let keys: Vec<&Value> = map.keys().collect();
            let values: Vec<&Value> = map.values().collect();
            let picked = pick(bin, sel, Container::Map, &keys, &values, budget)?;
            let result = build(ret.ret(), sel, &picked, &keys, &values, budget)?;
            drop((keys, values));
            if *remove && !picked.is_empty() {
                budget.charge_items(map.len())?;
                let mark = marks(&picked, map.len());
                let mut i = 0;
                map.retain(|_, _| {
                    i += 1;
                    !mark[i - 1]
                });
            }
            Ok(result)
        }
    }
}

#[cfg(test)]
#[path = "map_select_tests.rs"]
mod tests;
