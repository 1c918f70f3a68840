//! The map operations that select entries by a list or range of values
//! (Aerospike's `maps::get_by_value_list`, `get_by_value_range` and their
//! `remove_by_*`). Re-exported from [`maps`](super::maps).

use super::map_select::{op, MapReturnType};
use super::select::Selector;
use super::Operation;
use crate::value::Value;

/// Returns the entries whose value equals one of `values`, in key order,
/// shaped by `return_type`.
///
/// # Errors
/// None of its own.
///
/// # Examples
/// ```
/// use aerolite::operations::maps::{self, MapReturnType};
/// use aerolite::Value;
/// let op = maps::get_by_value_list("m", vec![Value::Int(2), Value::Int(3)], MapReturnType::Count);
/// assert_eq!(op, op.clone());
/// ```
pub fn get_by_value_list(bin: &str, values: Vec<Value>, return_type: MapReturnType) -> Operation {
    op(bin, Selector::ValueList(values), return_type, false)
}

/// Removes the entries whose value equals one of `values`; returns them
/// shaped by `return_type`.
///
/// # Errors
/// None of its own.
///
/// # Examples
/// ```
/// use aerolite::operations::maps::{self, MapReturnType};
/// use aerolite::Value;
/// let op = maps::remove_by_value_list("m", vec![Value::Int(4)], MapReturnType::Key);
/// assert_eq!(op, op.clone());
/// ```
pub fn remove_by_value_list(
    bin: &str,
    values: Vec<Value>,
    return_type: MapReturnType,
) -> Operation {
    op(bin, Selector::ValueList(values), return_type, true)
}

/// Returns the entries whose value is in `[begin, end)` (a nil bound is
/// open), in key order, shaped by `return_type`.
///
/// # Errors
/// None of its own.
///
/// # Examples
/// ```
/// use aerolite::operations::maps::{self, MapReturnType};
/// let op = maps::get_by_value_range("m", 3, 5, MapReturnType::Count);
/// assert_eq!(op, op.clone());
/// ```
pub fn get_by_value_range(
    bin: &str,
    begin: impl Into<Value>,
    end: impl Into<Value>,
    return_type: MapReturnType,
) -> Operation {
    let sel = Selector::ValueRange(begin.into(), end.into());
    op(bin, sel, return_type, false)
}

/// Removes the entries whose value is in `[begin, end)` (a nil bound is
/// open); returns them shaped by `return_type`.
///
/// # Errors
/// None of its own.
///
/// # Examples
/// ```
/// use aerolite::operations::maps::{self, MapReturnType};
/// use aerolite::Value;
/// let op = maps::remove_by_value_range("m", Value::Nil, 0, MapReturnType::Count);
/// assert_eq!(op, op.clone());
/// ```
pub fn remove_by_value_range(
    bin: &str,
    begin: impl Into<Value>,
    end: impl Into<Value>,
    return_type: MapReturnType,
) -> Operation {
    let sel = Selector::ValueRange(begin.into(), end.into());
    op(bin, sel, return_type, true)
}
