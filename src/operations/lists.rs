//! List operations on a bin holding a [`Value::List`].
//!
//! Indexes may be negative: -1 is the last item, -2 the one before, and so
//! on. On a missing bin the read operations return [`Value::Nil`]; `append`,
//! `append_items`, `insert` and `increment` create the list, while `pop` and
//! `remove` return nil and `clear` and `sort` do nothing. Any list operation
//! on a bin of another type is
//! [`Error::BinTypeMismatch`].
//!
//! The range operations (`insert_items`, `set`, `pop_range`, `remove_range`,
//! `trim`; `insert_items` and `set` create the list) and the `get_by_*` /
//! `remove_by_*` family with a [`ListReturnType`] (nil on a missing bin) are
//! documented with their functions.

use super::list_ranges::{self, RangeOp};
use super::list_select::{self, SelectOp};
use super::operand::{add_values, check_numeric_operand, count_value, Budget};
use super::{OpKind, Operation};
use crate::error::Error;
use crate::value::Value;
use std::collections::BTreeMap;

pub use super::list_ranges::{
    get_range_from, insert_items, pop_range, pop_range_from, remove_range, remove_range_from, set,
    trim,
};
pub use super::list_select::{
    get_by_index, get_by_index_range, get_by_index_range_count, get_by_rank, get_by_rank_range,
    get_by_rank_range_count, get_by_value, get_by_value_list, get_by_value_range, remove_by_index,
    remove_by_index_range, remove_by_index_range_count, remove_by_rank, remove_by_rank_range,
    remove_by_rank_range_count, remove_by_value, remove_by_value_list, remove_by_value_range,
    ListReturnType,
};

/// Most nil items `insert` pads with when its index is past the end. Every
/// item takes at least one encoded byte, so a longer list could not fit in a
/// record of the default 1 MiB size anyway.
pub(super) const MAX_INSERT_PADDING: usize = 1 << 20;

/// A list operation.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum ListOp {
    Append(Value),
    AppendItems(Vec<Value>),
    Insert(i64, Value),
    Pop(i64),
    Remove(i64),
    Size,
    Get(i64),
    GetRange(i64, Option<u64>),
    Clear,
    Increment(i64, Value),
    Sort,
    /// `insert_items`, `pop_range`, `remove_range`, `set`, `trim`.
    Range(RangeOp),
    /// The `get_by_*` / `remove_by_*` family.
    Select(SelectOp),
}

fn list_op(bin: &str, op: ListOp) -> Operation {
    Operation {
        kind: OpKind::List {
            bin: bin.to_owned(),
            op,
        },
    }
}

/// Appends `value` to the list; returns the new size.
///
/// # Examples
/// ```
/// use aerolite::operations::lists;
/// let op = lists::append("tags", "new");
/// assert_ne!(op, lists::append("tags", "old"));
/// ```
pub fn append(bin: &str, value: impl Into<Value>) -> Operation {
    list_op(bin, ListOp::Append(value.into()))
}

/// Appends every item of `values`, in order; returns the new size. An empty
/// `values` is a `ParameterError`.
pub fn append_items(bin: &str, values: Vec<Value>) -> Operation {
    list_op(bin, ListOp::AppendItems(values))
}

/// Inserts `value` before the item at `index`; returns the new size. `index`
/// equal to the size appends; a larger positive index pads with nils first.
/// A negative index before the start, or an index above `i32::MAX`, is
/// [`Error::OpNotApplicable`] (Aerospike's code 26).
///
/// # Examples
/// ```
/// use aerolite::operations::lists;
/// let op = lists::insert("l", -1, 7);
/// assert_eq!(op, lists::insert("l", -1, 7));
/// ```
pub fn insert(bin: &str, index: i64, value: impl Into<Value>) -> Operation {
    list_op(bin, ListOp::Insert(index, value.into()))
}

/// Removes the item at `index` and returns it. An index outside the list
/// (any index on an empty list) is [`Error::OpNotApplicable`].
pub fn pop(bin: &str, index: i64) -> Operation {
    list_op(bin, ListOp::Pop(index))
}

/// Removes the item at `index`; returns the count removed (1). An index
/// outside the list is [`Error::OpNotApplicable`].
pub fn remove(bin: &str, index: i64) -> Operation {
    list_op(bin, ListOp::Remove(index))
}

/// Returns the number of items.
pub fn size(bin: &str) -> Operation {
    list_op(bin, ListOp::Size)
}

/// Returns the item at `index`. An index outside the list is
/// [`Error::OpNotApplicable`].
pub fn get(bin: &str, index: i64) -> Operation {
    list_op(bin, ListOp::Get(index))
}

/// Returns a list of up to `count` items starting at `index` (`None`: to the
/// end). Only the part of the range inside the list is returned, so an index
/// past the end gives an empty list.
///
/// # Examples
/// ```
/// use aerolite::operations::lists;
/// let last_two = lists::get_range("l", -2, None);
/// assert_ne!(last_two, lists::get_range("l", -2, Some(1)));
/// ```
pub fn get_range(bin: &str, index: i64, count: Option<u64>) -> Operation {
    list_op(bin, ListOp::GetRange(index, count))
}

/// Removes every item, leaving an empty list; returns nothing.
pub fn clear(bin: &str) -> Operation {
    list_op(bin, ListOp::Clear)
}

/// Adds `by` (an int or a float, matching the item's type) to the item at
/// `index`; returns the new value. As on Aerospike's server, an index past
/// the end pads the list with nils and sets the item to `by`; a negative
/// index before the start is [`Error::OpNotApplicable`].
pub fn increment(bin: &str, index: i64, by: impl Into<Value>) -> Operation {
    list_op(bin, ListOp::Increment(index, by.into()))
}

/// Sorts the list by [`Value`]'s order; returns nothing.
pub fn sort(bin: &str) -> Operation {
    list_op(bin, ListOp::Sort)
}

impl ListOp {
    /// Whether the operation changes the list.
    pub(crate) fn is_write(&self) -> bool {
        match self {
            ListOp::Select(s) => s.remove,
            _ => !matches!(self, ListOp::Size | ListOp::Get(_) | ListOp::GetRange(..)),
        }
    }

    /// Checks the operands.
    pub(crate) fn validate(&self) -> Result<(), Error> {
        match self {
            ListOp::AppendItems(values) if values.is_empty() => Err(Error::ParameterError(
                "lists::append_items needs at least one value".to_owned(),
            )),
            ListOp::Increment(_, by) => check_numeric_operand("lists::increment", by),
            ListOp::Range(r) => r.validate(),
            _ => Ok(()),
        }
    }

    /// Calls `f` on every operand value.
    pub(crate) fn try_for_each_operand<E>(
        &self,
        mut f: impl FnMut(&Value) -> Result<(), E>,
    ) -> Result<(), E> {
        match self {
            ListOp::Append(v) | ListOp::Insert(_, v) | ListOp::Increment(_, v) => f(v),
            ListOp::AppendItems(values) => values.iter().try_for_each(f),
            ListOp::Range(r) => r.try_for_each_operand(f),
            ListOp::Select(s) => s.sel.try_for_each_operand(f),
            ListOp::Pop(_)
            | ListOp::Remove(_)
            | ListOp::Size
            | ListOp::Get(_)
            | ListOp::GetRange(..)
            | ListOp::Clear
            | ListOp::Sort => Ok(()),
        }
    }

    /// Moves every operand value out (leaving nil), for an iterative drop.
    pub(crate) fn take_operands(&mut self, out: &mut impl FnMut(Value)) {
        match self {
            ListOp::Append(v) | ListOp::Insert(_, v) | ListOp::Increment(_, v) => {
                out(std::mem::take(v))
            }
            ListOp::AppendItems(values) => values.drain(..).for_each(out),
            ListOp::Range(r) => r.take_operands(out),
            ListOp::Select(s) => s.sel.take_operands(out),
            ListOp::Pop(_)
            | ListOp::Remove(_)
            | ListOp::Size
            | ListOp::Get(_)
            | ListOp::GetRange(..)
            | ListOp::Clear
            | ListOp::Sort => {}
        }
    }

    /// Whether the operation creates the list on a missing bin.
    fn creates(&self) -> bool {
        matches!(
            self,
            ListOp::Append(_) | ListOp::AppendItems(_) | ListOp::Insert(..) | ListOp::Increment(..)
        ) || matches!(self, ListOp::Range(r) if r.creates())
    }
}

/// Applies `op` to the list bin `bin`; returns the result to report, if any.
pub(crate) fn apply(
    bin: &str,
    op: &ListOp,
    bins: &mut BTreeMap<String, Value>,
    budget: &mut Budget,
) -> Result<Option<Value>, Error> {
    match bins.get_mut(bin) {
        Some(Value::List(list)) => modify(bin, op, list, budget),
        Some(other) => Err(Error::BinTypeMismatch {
            bin: bin.to_owned(),
            message: format!(
                "list operation expected a list bin, found {}",
                other.type_name()
            ),
        }),
        None if op.creates() => {
            let mut list = Vec::new();
            let result = modify(bin, op, &mut list, budget)?;
            bins.insert(bin.to_owned(), Value::List(list));
            Ok(result)
        }
        None => Ok(match op {
            ListOp::Clear | ListOp::Sort => None,
            ListOp::Select(s) => s.missing_bin_result(),
            _ => Some(Value::Nil),
        }),
    }
}

/// Resolves a possibly negative index against `len`; `None` if out of range.
fn resolve(index: i64, len: usize) -> Option<usize> {
    let len_i = i64::try_from(len).ok()?;
    let i = if index < 0 { index + len_i } else { index };
    usize::try_from(i).ok().filter(|&i| i < len)
}

/// An index outside the list: Aerospike's `OP_NOT_APPLICABLE` (26), as the
/// server returns for `get`, `pop`, `remove`, and for `insert`/`increment`
/// before the start.
fn out_of_range(bin: &str, index: i64, len: usize) -> Error {
    Error::OpNotApplicable(format!(
        "list index {index} is out of range for bin {bin:?}: the list has {len} items"
    ))
}

/// Where `insert` or `increment` at `index` lands: a negative index counts
/// from the end and must fall inside the list; a positive index may lie past
/// the end (the list is then padded with nils), up to the server's
/// `i32::MAX` and aerolite's padding limit.
fn write_position(bin: &str, index: i64, list: &[Value]) -> Result<usize, Error> {
    let len = list.len();
    if index < 0 {
        return index_of(bin, index, list);
    }
    if index > i64::from(i32::MAX) {
        return Err(out_of_range(bin, index, len));
    }
    let pos = usize::try_from(index).unwrap_or(usize::MAX);
    if pos > len && pos - len > MAX_INSERT_PADDING {
        return Err(Error::ParameterError(format!(
            "list index {index} for bin {bin:?} is too far past the end of the list ({len} items)"
        )));
    }
    Ok(pos)
}

/// Pads `list` with nils up to `pos` items, charging the work first.
fn pad_to(list: &mut Vec<Value>, pos: usize, budget: &mut Budget) -> Result<(), Error> {
    if pos > list.len() {
        budget.check_items(pos + 1)?;
        budget.charge_items(pos - list.len())?;
        list.resize(pos, Value::Nil);
    }
    Ok(())
}

fn index_of(bin: &str, index: i64, list: &[Value]) -> Result<usize, Error> {
    resolve(index, list.len()).ok_or_else(|| out_of_range(bin, index, list.len()))
}

fn modify(
    bin: &str,
    op: &ListOp,
    list: &mut Vec<Value>,
    budget: &mut Budget,
) -> Result<Option<Value>, Error> {
    let result = match op {
        ListOp::Range(r) => return list_ranges::modify(bin, r, list, budget),
        ListOp::Select(s) => return list_select::modify(bin, s, list, budget),
        ListOp::Append(v) => {
            budget.charge_value(v)?;
            budget.check_items(list.len() + 1)?;
            list.push(v.clone());
            count_value(list.len())
        }
        ListOp::AppendItems(values) => {
            values.iter().try_for_each(|v| budget.charge_value(v))?;
            budget.check_items(list.len().saturating_add(values.len()))?;
            list.extend(values.iter().cloned());
            count_value(list.len())
        }
        ListOp::Insert(index, v) => {
            let len = list.len();
            let pos = write_position(bin, *index, list)?;
            // Checked before anything is allocated: padding, moving the
            // items after `pos`, and the inserted value.
            let new_len = pos.max(len) + 1;
            budget.check_items(new_len)?;
            budget.charge_items(pos.saturating_sub(len) + len.saturating_sub(pos))?;
            budget.charge_value(v)?;
            if pos > len {
                list.resize(pos, Value::Nil);
            }
            list.insert(pos, v.clone());
            count_value(list.len())
        }
        ListOp::Pop(index) => {
            let i = index_of(bin, *index, list)?;
            budget.charge_items(list.len() - i)?;
            list.remove(i)
        }
        ListOp::Remove(index) => {
            let i = index_of(bin, *index, list)?;
            budget.charge_items(list.len() - i)?;
            list.remove(i);
            Value::Int(1)
        }
        ListOp::Size => count_value(list.len()),
        ListOp::Get(index) => {
            let item = &list[index_of(bin, *index, list)?];
            budget.charge_value(item)?;
            item.clone()
        }
        ListOp::GetRange(index, count) => {
            let items = range(list, *index, *count);
            items.iter().try_for_each(|v| budget.charge_value(v))?;
            Value::List(items.to_vec())
        }
        ListOp::Clear => {
            list.clear();
            return Ok(None);
        }
        ListOp::Increment(index, by) => {
            let i = write_position(bin, *index, list)?;
            // Past the end the server sets the item to the operand, padding
            // with nils, as `insert` does.
            let new = match list.get(i) {
                Some(cur) => add_values(bin, "lists::increment", cur, by)?,
                None => {
                    pad_to(list, i, budget)?;
                    list.push(Value::Nil);
                    by.clone()
                }
            };
            list[i] = new.clone();
            new
        }
        ListOp::Sort => {
            budget.charge_items(list.len())?;
            list.sort();
            return Ok(None);
        }
    };
    Ok(Some(result))
}

/// The part of `[index, index + count)` (index resolved from the end when
/// negative) that lies inside the list.
fn range(list: &[Value], index: i64, count: Option<u64>) -> &[Value] {
    let len = i64::try_from(list.len()).unwrap_or(i64::MAX);
    let start = if index < 0 { index + len } else { index };
    let end = match count {
        None => len,
        Some(c) => start.saturating_add(i64::try_from(c).unwrap_or(i64::MAX)),
    };
    let s = usize::try_from(start.clamp(0, len)).unwrap_or(0);
    let e = usize::try_from(end.clamp(0, len)).unwrap_or(0).max(s);
    &list[s..e]
}

#[cfg(test)]
#[path = "lists_tests.rs"]
mod tests;
