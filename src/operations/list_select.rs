//! The list operations that select items by index, rank or value and
//! return what [`ListReturnType`] asks for (Aerospike's
//! `lists::get_by_*` / `lists::remove_by_*`). Re-exported from
//! [`lists`](super::lists).

use super::lists::ListOp;
use super::operand::Budget;
use super::select::{build, marks, pick, Container, Ret, Selector};
use super::{OpKind, Operation};
use crate::error::Error;
use crate::value::Value;

/// What a list `get_by_*` / `remove_by_*` operation returns.
///
/// Single-item operations (`*_by_index`, `*_by_rank`) return one value;
/// the others return a list. Several indexes and ranks come in ascending
/// order (an index range's ranks follow its items); values in list order,
/// except for rank ranges, which give them in the order Aerospike server
/// 8's heap selection leaves them: descending rank order when the range is
/// at least as near the lowest rank as the highest
/// (`rank <= size - rank - count`), ascending otherwise.
///
/// # Examples
/// ```
/// use aerolite::operations::lists::{self, ListReturnType};
/// let op = lists::get_by_index("l", 0, ListReturnType::Values);
/// assert_ne!(op, lists::get_by_index("l", 0, ListReturnType::Index));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ListReturnType {
    /// Nothing: the operation adds no result.
    None,
    /// The position of each selected item.
    Index,
    /// The position counted from the end (the last item is 0).
    ReverseIndex,
    /// The rank (position in value order) of each selected item.
    Rank,
    /// The rank counted from the highest value (the highest is 0).
    ReverseRank,
    /// The number of selected items.
    Count,
    /// The selected items.
    Values,
    /// Whether any item was selected (a bool).
    Exists,
}

impl ListReturnType {
    fn ret(self) -> Ret {
        match self {
            ListReturnType::None => Ret::None,
            ListReturnType::Index => Ret::Index,
            ListReturnType::ReverseIndex => Ret::ReverseIndex,
            ListReturnType::Rank => Ret::Rank,
            ListReturnType::ReverseRank => Ret::ReverseRank,
            ListReturnType::Count => Ret::Count,
            ListReturnType::Values => Ret::Values,
            ListReturnType::Exists => Ret::Exists,
        }
    }
}

/// A selecting list operation.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct SelectOp {
    pub(crate) sel: Selector,
    pub(crate) ret: ListReturnType,
    pub(crate) remove: bool,
}

impl SelectOp {
    /// What the operation reports on a missing bin: nil, or nothing for
    /// [`ListReturnType::None`].
    pub(crate) fn missing_bin_result(&self) -> Option<Value> {
        (self.ret != ListReturnType::None).then_some(Value::Nil)
    }
}

fn op(bin: &str, sel: Selector, ret: ListReturnType, remove: bool) -> Operation {
    Operation {
        kind: OpKind::List {
            bin: bin.to_owned(),
            op: ListOp::Select(SelectOp { sel, ret, remove }),
        },
    }
}

/// Returns the item at `index` (negative: from the end), shaped by
/// `return_type`.
///
/// # Errors
/// `Db::operate` fails with `OpNotApplicable` if `index` is out of range
/// (a missing bin gives nil).
///
/// # Examples
/// ```
/// use aerolite::operations::lists::{self, ListReturnType};
/// let last = lists::get_by_index("l", -1, ListReturnType::Values);
/// assert_eq!(last, last.clone());
/// ```
pub fn get_by_index(bin: &str, index: i64, return_type: ListReturnType) -> Operation {
    op(bin, Selector::Index(index), return_type, false)
}

/// Returns the items from index `index` (negative: from the end) to the end, as a list
/// shaped by `return_type`. An index outside the list selects nothing.
///
/// # Errors
/// None of its own.
///
/// # Examples
/// ```
/// use aerolite::operations::lists::{self, ListReturnType};
/// let op = lists::get_by_index_range("l", -2, ListReturnType::Values);
/// assert_ne!(op, lists::get_by_index_range_count("l", -2, 1, ListReturnType::Values));
/// ```
pub fn get_by_index_range(bin: &str, index: i64, return_type: ListReturnType) -> Operation {
    op(bin, Selector::IndexRange(index, None), return_type, false)
}

/// Returns up to `count` items from index `index`, clamped to the list, as
/// a list shaped by `return_type`.
///
/// # Errors
/// None of its own: a range outside the list selects nothing.
///
/// # Examples
/// ```
/// use aerolite::operations::lists::{self, ListReturnType};
/// let op = lists::get_by_index_range_count("l", 0, 3, ListReturnType::Count);
/// assert_eq!(op, op.clone());
/// ```
pub fn get_by_index_range_count(
    bin: &str,
    index: i64,
    count: u64,
    return_type: ListReturnType,
) -> Operation {
    op(
        bin,
        Selector::IndexRange(index, Some(count)),
        return_type,
        false,
    )
}

/// Returns the item of rank `rank` (0: the lowest value; negative: from
/// the highest), shaped by `return_type`.
///
/// # Errors
/// `Db::operate` fails with `OpNotApplicable` if `rank` is out of range.
///
/// # Examples
/// ```
/// use aerolite::operations::lists::{self, ListReturnType};
/// let highest = lists::get_by_rank("l", -1, ListReturnType::Values);
/// assert_eq!(highest, highest.clone());
/// ```
pub fn get_by_rank(bin: &str, rank: i64, return_type: ListReturnType) -> Operation {
    op(bin, Selector::Rank(rank), return_type, false)
}

/// Returns the items from rank `rank` (negative: from the highest) to the highest, as a list in the server's order (see [`ListReturnType`])
/// shaped by `return_type`. A rank outside the list selects nothing.
///
/// # Errors
/// None of its own.
///
/// # Examples
/// ```
/// use aerolite::operations::lists::{self, ListReturnType};
/// let op = lists::get_by_rank_range("l", -2, ListReturnType::Values);
/// assert_ne!(op, lists::get_by_rank_range_count("l", -2, 1, ListReturnType::Values));
/// ```
pub fn get_by_rank_range(bin: &str, rank: i64, return_type: ListReturnType) -> Operation {
    op(bin, Selector::RankRange(rank, None), return_type, false)
}

/// Returns up to `count` items from rank `rank`, clamped to the list, as
/// a list in the server's order (see [`ListReturnType`]) shaped by `return_type`.
///
/// # Errors
/// None of its own: a range outside the list selects nothing.
///
/// # Examples
/// ```
/// use aerolite::operations::lists::{self, ListReturnType};
/// let op = lists::get_by_rank_range_count("l", 0, 3, ListReturnType::Count);
/// assert_eq!(op, op.clone());
/// ```
pub fn get_by_rank_range_count(
    bin: &str,
    rank: i64,
    count: u64,
    return_type: ListReturnType,
) -> Operation {
    op(
        bin,
        Selector::RankRange(rank, Some(count)),
        return_type,
        false,
    )
}

/// Returns every item equal to `value`, as a list shaped by `return_type`.
///
/// # Errors
/// None of its own.
///
/// # Examples
/// ```
/// use aerolite::operations::lists::{self, ListReturnType};
/// let op = lists::get_by_value("l", 7, ListReturnType::Count);
/// assert_ne!(op, lists::get_by_value("l", 8, ListReturnType::Count));
/// ```
pub fn get_by_value(bin: &str, value: impl Into<Value>, return_type: ListReturnType) -> Operation {
    op(bin, Selector::Value(value.into()), return_type, false)
}

/// Returns every item equal to one of `values`, as a list shaped by
/// `return_type`.
///
/// # Errors
/// None of its own.
///
/// # Examples
/// ```
/// use aerolite::operations::lists::{self, ListReturnType};
/// use aerolite::Value;
/// let op = lists::get_by_value_list("l", vec![Value::Int(1), Value::from("a")], ListReturnType::Index);
/// assert_eq!(op, op.clone());
/// ```
pub fn get_by_value_list(bin: &str, values: Vec<Value>, return_type: ListReturnType) -> Operation {
    op(bin, Selector::ValueList(values), return_type, false)
}

/// Returns every item in `[begin, end)` (a nil bound is open), as a list
/// shaped by `return_type`.
///
/// # Errors
/// None of its own.
///
/// # Examples
/// ```
/// use aerolite::operations::lists::{self, ListReturnType};
/// use aerolite::Value;
/// let at_least_10 = lists::get_by_value_range("l", 10, Value::Nil, ListReturnType::Values);
/// assert_eq!(at_least_10, at_least_10.clone());
/// ```
pub fn get_by_value_range(
    bin: &str,
    begin: impl Into<Value>,
    end: impl Into<Value>,
    return_type: ListReturnType,
) -> Operation {
    let sel = Selector::ValueRange(begin.into(), end.into());
    op(bin, sel, return_type, false)
}

/// Removes the item at `index`; returns it shaped by `return_type`.
///
/// # Errors
/// `Db::operate` fails with `OpNotApplicable` if `index` is out of range.
///
/// # Examples
/// ```
/// use aerolite::operations::lists::{self, ListReturnType};
/// let op = lists::remove_by_index("l", 0, ListReturnType::None);
/// assert_eq!(op, op.clone());
/// ```
pub fn remove_by_index(bin: &str, index: i64, return_type: ListReturnType) -> Operation {
    op(bin, Selector::Index(index), return_type, true)
}

/// Removes the items from index `index` (negative: from the end) to the end; returns them, as a list
/// shaped by `return_type`. An index outside the list selects nothing.
///
/// # Errors
/// None of its own.
///
/// # Examples
/// ```
/// use aerolite::operations::lists::{self, ListReturnType};
/// let op = lists::remove_by_index_range("l", -2, ListReturnType::Values);
/// assert_ne!(op, lists::remove_by_index_range_count("l", -2, 1, ListReturnType::Values));
/// ```
pub fn remove_by_index_range(bin: &str, index: i64, return_type: ListReturnType) -> Operation {
    op(bin, Selector::IndexRange(index, None), return_type, true)
}

/// Removes up to `count` items from index `index`, clamped to the list; returns them, as
/// a list shaped by `return_type`.
///
/// # Errors
/// None of its own: a range outside the list selects nothing.
///
/// # Examples
/// ```
/// use aerolite::operations::lists::{self, ListReturnType};
/// let op = lists::remove_by_index_range_count("l", 0, 3, ListReturnType::Count);
/// assert_eq!(op, op.clone());
/// ```
pub fn remove_by_index_range_count(
    bin: &str,
    index: i64,
    count: u64,
    return_type: ListReturnType,
) -> Operation {
    op(
        bin,
        Selector::IndexRange(index, Some(count)),
        return_type,
        true,
    )
}

/// Removes the item of rank `rank`; returns it shaped by `return_type`.
///
/// # Errors
/// `Db::operate` fails with `OpNotApplicable` if `rank` is out of range.
///
/// # Examples
/// ```
/// use aerolite::operations::lists::{self, ListReturnType};
/// let drop_lowest = lists::remove_by_rank("l", 0, ListReturnType::Values);
/// assert_eq!(drop_lowest, drop_lowest.clone());
/// ```
pub fn remove_by_rank(bin: &str, rank: i64, return_type: ListReturnType) -> Operation {
    op(bin, Selector::Rank(rank), return_type, true)
}

/// Removes the items from rank `rank` (negative: from the highest) to the highest; returns them, as a list in the server's order (see [`ListReturnType`])
/// shaped by `return_type`. A rank outside the list selects nothing.
///
/// # Errors
/// None of its own.
///
/// # Examples
/// ```
/// use aerolite::operations::lists::{self, ListReturnType};
/// let op = lists::remove_by_rank_range("l", -2, ListReturnType::Values);
/// assert_ne!(op, lists::remove_by_rank_range_count("l", -2, 1, ListReturnType::Values));
/// ```
pub fn remove_by_rank_range(bin: &str, rank: i64, return_type: ListReturnType) -> Operation {
    op(bin, Selector::RankRange(rank, None), return_type, true)
}

/// Removes up to `count` items from rank `rank`, clamped to the list; returns them, as
/// a list in the server's order (see [`ListReturnType`]) shaped by `return_type`.
///
/// # Errors
/// None of its own: a range outside the list selects nothing.
///
/// # Examples
/// ```
/// use aerolite::operations::lists::{self, ListReturnType};
/// let op = lists::remove_by_rank_range_count("l", 0, 3, ListReturnType::Count);
/// assert_eq!(op, op.clone());
/// ```
pub fn remove_by_rank_range_count(
    bin: &str,
    rank: i64,
    count: u64,
    return_type: ListReturnType,
) -> Operation {
    op(
        bin,
        Selector::RankRange(rank, Some(count)),
        return_type,
        true,
    )
}

/// Removes every item equal to `value`; returns them shaped by
/// `return_type`.
///
/// # Errors
/// None of its own.
///
/// # Examples
/// ```
/// use aerolite::operations::lists::{self, ListReturnType};
/// let op = lists::remove_by_value("l", "x", ListReturnType::Count);
/// assert_eq!(op, op.clone());
/// ```
pub fn remove_by_value(
    bin: &str,
    value: impl Into<Value>,
    return_type: ListReturnType,
) -> Operation {
    op(bin, Selector::Value(value.into()), return_type, true)
}

/// Removes every item equal to one of `values`; returns them shaped by
/// `return_type`.
///
/// # Errors
/// None of its own.
///
/// # Examples
/// ```
/// use aerolite::operations::lists::{self, ListReturnType};
/// use aerolite::Value;
/// let op = lists::remove_by_value_list("l", vec![Value::Int(1)], ListReturnType::None);
/// assert_eq!(op, op.clone());
/// ```
pub fn remove_by_value_list(
    bin: &str,
    values: Vec<Value>,
    return_type: ListReturnType,
) -> Operation {
    op(bin, Selector::ValueList(values), return_type, true)
}

/// Removes every item in `[begin, end)` (a nil bound is open); returns
/// them shaped by `return_type`. The arguments come in the Rust client's
/// order (return type before the bounds).
///
/// # Errors
/// None of its own.
///
/// # Examples
/// ```
/// use aerolite::operations::lists::{self, ListReturnType};
/// let op = lists::remove_by_value_range("l", ListReturnType::Count, 0, 10);
/// assert_eq!(op, op.clone());
/// ```
pub fn remove_by_value_range(
    bin: &str,
    return_type: ListReturnType,
    begin: impl Into<Value>,
    end: impl Into<Value>,
) -> Operation {
    let sel = Selector::ValueRange(begin.into(), end.into());
    op(bin, sel, return_type, true)
}

/// Applies a selecting operation to an existing list.
pub(crate) fn modify(
    bin: &str,
    op: &SelectOp,
    list: &mut Vec<Value>,
    budget: &mut Budget,
) -> Result<Option<Value>, Error> {
    budget.charge_items(list.len())?;
    let refs: Vec<&Value> = list.iter().collect();
    let picked = pick(bin, &op.sel, Container::List, &refs, &refs, budget)?;
    let result = build(op.ret.ret(), &op.sel, &picked, &refs, &refs, budget)?;
    drop(refs);
    if op.remove && !picked.is_empty() {
        budget.charge_items(list.len())?;
        let mark = marks(&picked, list.len());
        let mut i = 0;
        list.retain(|_| {
            i += 1;
            !mark[i - 1]
        });
    }
    Ok(result)
}

#[cfg(test)]
#[path = "list_select_tests.rs"]
mod tests;
