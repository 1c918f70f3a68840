//! List operations on a range of positions: `insert_items`, `pop_range`,
//! `remove_range`, `trim`, and `set` (Aerospike's `lists::*` of the same
//! names). Re-exported from [`lists`](super::lists).
//!
//! Ranges are clamped to the items that exist; a single position (the
//! insert point of `insert_items`, the index of `set`) that is negative and
//! before the start is [`Error::OpNotApplicable`]; a positive one past the
//! end pads with nils, as Aerospike's unordered lists do.

use super::lists::{ListOp, MAX_INSERT_PADDING};
use super::operand::{count_value, Budget};
use super::select::{single_index, window};
use super::{OpKind, Operation};
use crate::error::Error;
use crate::value::Value;

/// A list operation on a range of positions.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum RangeOp {
    InsertItems(i64, Vec<Value>),
    PopRange(i64, Option<u64>),
    RemoveRange(i64, Option<u64>),
    Set(i64, Value),
    Trim(i64, u64),
}

fn op(bin: &str, op: RangeOp) -> Operation {
    Operation {
        kind: OpKind::List {
            bin: bin.to_owned(),
            op: ListOp::Range(op),
        },
    }
}

/// Inserts every item of `values`, in order, before the item at `index`;
/// returns the new size. A missing bin is created; `index` past the end
/// pads with nils first.
///
/// # Errors
/// `Db::operate` fails with `ParameterError` for an empty `values`, and
/// `OpNotApplicable` for a negative `index` before the start.
///
/// # Examples
/// ```
/// use aerolite::operations::lists;
/// use aerolite::Value;
/// let op = lists::insert_items("l", 1, vec![Value::Int(5), Value::Int(6)]);
/// assert_eq!(op, op.clone());
/// ```
pub fn insert_items(bin: &str, index: i64, values: Vec<Value>) -> Operation {
    op(bin, RangeOp::InsertItems(index, values))
}

/// Removes up to `count` items from `index` (clamped to the list) and
/// returns them as a list.
///
/// # Errors
/// None of its own: a range outside the list removes nothing and returns
/// an empty list (a missing bin gives nil).
///
/// # Examples
/// ```
/// use aerolite::operations::lists;
/// let op = lists::pop_range("l", 0, 2);
/// assert_ne!(op, lists::pop_range_from("l", 0));
/// ```
pub fn pop_range(bin: &str, index: i64, count: u64) -> Operation {
    op(bin, RangeOp::PopRange(index, Some(count)))
}

/// Removes every item from `index` to the end and returns them as a list.
///
/// # Errors
/// None of its own (see [`pop_range`]).
///
/// # Examples
/// ```
/// use aerolite::operations::lists;
/// let last_two = lists::pop_range_from("l", -2);
/// assert_eq!(last_two, last_two.clone());
/// ```
pub fn pop_range_from(bin: &str, index: i64) -> Operation {
    op(bin, RangeOp::PopRange(index, None))
}

/// Removes up to `count` items from `index` (clamped to the list); returns
/// the number removed.
///
/// # Errors
/// None of its own (a missing bin gives nil).
///
/// # Examples
/// ```
/// use aerolite::operations::lists;
/// let op = lists::remove_range("l", 1, 3);
/// assert_ne!(op, lists::remove_range_from("l", 1));
/// ```
pub fn remove_range(bin: &str, index: i64, count: u64) -> Operation {
    op(bin, RangeOp::RemoveRange(index, Some(count)))
}

/// Removes every item from `index` to the end; returns the number removed.
///
/// # Errors
/// None of its own (a missing bin gives nil).
///
/// # Examples
/// ```
/// use aerolite::operations::lists;
/// let op = lists::remove_range_from("l", -1);
/// assert_eq!(op, op.clone());
/// ```
pub fn remove_range_from(bin: &str, index: i64) -> Operation {
    op(bin, RangeOp::RemoveRange(index, None))
}

/// Sets the item at `index` to `value`; returns nothing. A missing bin is
/// created; `index` past the end pads with nils first.
///
/// # Errors
/// `Db::operate` fails with `OpNotApplicable` for a negative `index` before
/// the start.
///
/// # Examples
/// ```
/// use aerolite::operations::lists;
/// let op = lists::set("l", -1, "last");
/// assert_eq!(op, op.clone());
/// ```
pub fn set(bin: &str, index: i64, value: impl Into<Value>) -> Operation {
    op(bin, RangeOp::Set(index, value.into()))
}

/// Keeps only the `count` items from `index` (clamped to the list) and
/// removes the others; returns the number removed.
///
/// # Errors
/// None of its own (a missing bin gives nil).
///
/// # Examples
/// ```
/// use aerolite::operations::lists;
/// let keep_first_ten = lists::trim("l", 0, 10);
/// assert_eq!(keep_first_ten, keep_first_ten.clone());
/// ```
pub fn trim(bin: &str, index: i64, count: u64) -> Operation {
    op(bin, RangeOp::Trim(index, count))
}

/// Returns the items from `index` to the end as a list (the same as
/// [`get_range`](super::lists::get_range) with no count).
///
/// # Errors
/// None of its own: an index past the end gives an empty list.
///
/// # Examples
/// ```
/// use aerolite::operations::lists;
/// assert_eq!(lists::get_range_from("l", 2), lists::get_range("l", 2, None));
/// ```
pub fn get_range_from(bin: &str, index: i64) -> Operation {
    super::lists::get_range(bin, index, None)
}

impl RangeOp {
    /// Whether the operation creates the list on a missing bin.
    pub(crate) fn creates(&self) -> bool {
        matches!(self, RangeOp::InsertItems(..) | RangeOp::Set(..))
    }

    /// Checks the operands.
    pub(crate) fn validate(&self) -> Result<(), Error> {
        match self {
            RangeOp::InsertItems(_, values) if values.is_empty() => Err(Error::ParameterError(
                "lists::insert_items needs at least one value".to_owned(),
            )),
            _ => Ok(()),
        }
    }

    /// Calls `f` on every operand value.
    pub(crate) fn try_for_each_operand<E>(
        &self,
        mut f: impl FnMut(&Value) -> Result<(), E>,
    ) -> Result<(), E> {
        match self {
            RangeOp::InsertItems(_, values) => values.iter().try_for_each(f),
            RangeOp::Set(_, v) => f(v),
            RangeOp::PopRange(..) | RangeOp::RemoveRange(..) | RangeOp::Trim(..) => Ok(()),
        }
    }

    /// Moves every operand value out (leaving nil), for an iterative drop.
    pub(crate) fn take_operands(&mut self, out: &mut impl FnMut(Value)) {
        match self {
            RangeOp::InsertItems(_, values) => values.drain(..).for_each(out),
            RangeOp::Set(_, v) => out(std::mem::take(v)),
            RangeOp::PopRange(..) | RangeOp::RemoveRange(..) | RangeOp::Trim(..) => {}
        }
    }
}

/// The position a single-position write addresses: a negative index counts
/// from the end and must exist; a positive one may lie past the end.
fn write_position(bin: &str, index: i64, len: usize) -> Result<usize, Error> {
    let pos = if index < 0 {
        single_index(bin, "list index", index, len)?
    } else {
        usize::try_from(index).unwrap_or(usize::MAX)
    };
    if pos > len && pos - len > MAX_INSERT_PADDING {
        return Err(Error::ParameterError(format!(
            "list index {index} for bin {bin:?} is too far past the end of the list ({len} items)"
        )));
    }
    Ok(pos)
}

/// Applies a range operation to a list (an empty one for a missing bin the
/// operation creates).
pub(crate) fn modify(
    bin: &str,
    op: &RangeOp,
    list: &mut Vec<Value>,
    budget: &mut Budget,
) -> Result<Option<Value>, Error> {
    let len = list.len();
    let result = match op {
        RangeOp::InsertItems(index, values) => {
            let pos = write_position(bin, *index, len)?;
            let new_len = pos.max(len).saturating_add(values.len());
            budget.check_items(new_len)?;
            budget.charge_items(pos.saturating_sub(len) + len.saturating_sub(pos))?;
            values.iter().try_for_each(|v| budget.charge_value(v))?;
            if pos > len {
                list.resize(pos, Value::Nil);
            }
            list.splice(pos..pos, values.iter().cloned());
            count_value(list.len())
        }
        RangeOp::Set(index, value) => {
            let pos = write_position(bin, *index, len)?;
            budget.check_items(pos.max(len.saturating_sub(1)) + 1)?;
            budget.charge_items(pos.saturating_sub(len))?;
            budget.charge_value(value)?;
            if pos >= len {
                list.resize(pos + 1, Value::Nil);
            }
            list[pos] = value.clone();
            return Ok(None);
        }
        RangeOp::PopRange(index, count) => {
            let (s, e) = window(len, *index, *count);
            budget.charge_items(len)?;
            Value::List(list.drain(s..e).collect())
        }
        RangeOp::RemoveRange(index, count) => {
            let (s, e) = window(len, *index, *count);
            budget.charge_items(len)?;
            list.drain(s..e);
            count_value(e - s)
        }
        RangeOp::Trim(index, count) => {
            let (s, e) = window(len, *index, Some(*count));
            budget.charge_items(len)?;
            list.truncate(e);
            list.drain(..s);
            count_value(len - (e - s))
        }
    };
    Ok(Some(result))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::as_list;
    use crate::operations::exec::run_one as run;
    use std::collections::BTreeMap;

    fn with_list(items: Value) -> BTreeMap<String, Value> {
        BTreeMap::from([("l".to_owned(), items)])
    }

    fn ints(v: &[i64]) -> Vec<Value> {
        v.iter().map(|&i| Value::Int(i)).collect()
    }

    #[test]
    fn insert_items_positions() {
        let mut bins = with_list(as_list!(1, 2, 3));
        assert_eq!(
            run(insert_items("l", 1, ints(&[8, 9])), &mut bins).unwrap(),
            Some(Value::Int(5))
        );
        assert_eq!(bins["l"], as_list!(1, 8, 9, 2, 3));
        run(insert_items("l", -1, ints(&[7])), &mut bins).unwrap();
        assert_eq!(bins["l"], as_list!(1, 8, 9, 2, 7, 3));
        run(insert_items("l", 7, ints(&[0])), &mut bins).unwrap();
        assert_eq!(bins["l"], as_list!(1, 8, 9, 2, 7, 3, Value::Nil, 0));
        let e = run(insert_items("l", -9, ints(&[0])), &mut bins).unwrap_err();
        assert!(matches!(e, Error::OpNotApplicable(_)), "{e:?}");
        let e = run(insert_items("l", 0, vec![]), &mut bins).unwrap_err();
        assert!(matches!(e, Error::ParameterError(_)), "{e:?}");
        let mut bins = BTreeMap::new();
        assert_eq!(
            run(insert_items("l", 0, ints(&[4, 5])), &mut bins).unwrap(),
            Some(Value::Int(2))
        );
        assert_eq!(bins["l"], as_list!(4, 5));
    }

    #[test]
    fn pop_and_remove_ranges_clamp() {
        let mut bins = with_list(as_list!(0, 1, 2, 3, 4, 5));
        assert_eq!(
            run(pop_range("l", 1, 2), &mut bins).unwrap(),
            Some(as_list!(1, 2))
        );
        assert_eq!(
            run(pop_range_from("l", -2), &mut bins).unwrap(),
            Some(as_list!(4, 5))
        );
        assert_eq!(bins["l"], as_list!(0, 3));
        assert_eq!(
            run(pop_range("l", 5, 1), &mut bins).unwrap(),
            Some(as_list!())
        );
        assert_eq!(
            run(remove_range("l", -3, 2), &mut bins).unwrap(),
            Some(Value::Int(1))
        );
        assert_eq!(bins["l"], as_list!(3));
        assert_eq!(
            run(remove_range_from("l", 0), &mut bins).unwrap(),
            Some(Value::Int(1))
        );
        assert_eq!(
            run(remove_range_from("l", 0), &mut bins).unwrap(),
            Some(Value::Int(0))
        );
        assert_eq!(bins["l"], as_list!());
    }

    #[test]
    fn set_and_trim() {
        let mut bins = with_list(as_list!(0, 1, 2, 3, 4));
        assert_eq!(run(set("l", -1, "x"), &mut bins).unwrap(), None);
        assert_eq!(run(set("l", 6, "y"), &mut bins).unwrap(), None);
        assert_eq!(bins["l"], as_list!(0, 1, 2, 3, "x", Value::Nil, "y"));
        let e = run(set("l", -8, 0), &mut bins).unwrap_err();
        assert!(matches!(e, Error::OpNotApplicable(_)), "{e:?}");
        assert_eq!(
            run(trim("l", 1, 3), &mut bins).unwrap(),
            Some(Value::Int(4))
        );
        assert_eq!(bins["l"], as_list!(1, 2, 3));
        assert_eq!(
            run(trim("l", 5, 1), &mut bins).unwrap(),
            Some(Value::Int(3))
        );
        assert_eq!(bins["l"], as_list!());
        let mut bins = BTreeMap::new();
        assert_eq!(run(set("l", 1, 7), &mut bins).unwrap(), None);
        assert_eq!(bins["l"], as_list!(Value::Nil, 7));
    }

    #[test]
    fn missing_bin_reads_nil() {
        let mut bins = BTreeMap::new();
        for op in [
            pop_range("l", 0, 1),
            remove_range_from("l", 0),
            trim("l", 0, 1),
        ] {
            assert_eq!(run(op, &mut bins).unwrap(), Some(Value::Nil));
        }
        assert!(bins.is_empty());
    }
}
