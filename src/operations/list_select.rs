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
/// the others return a list, in list order (rank ranges: in rank order).
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

/// Returns up to `count` items from `index` (`None`: to the end), clamped
/// to the list, as a list shaped by `return_type`.
///
/// # Errors
/// None of its own: a range outside the list selects nothing.
///
/// # Examples
/// ```
/// use aerolite::operations::lists::{self, ListReturnType};
/// let op = lists::get_by_index_range("l", 1, Some(2), ListReturnType::Values);
/// assert_ne!(op, lists::get_by_index_range("l", 1, None, ListReturnType::Values));
/// ```
pub fn get_by_index_range(
    bin: &str,
    index: i64,
    count: Option<u64>,
    return_type: ListReturnType,
) -> Operation {
    op(bin, Selector::IndexRange(index, count), return_type, false)
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

/// Returns up to `count` items from rank `rank` (`None`: to the highest),
/// clamped to the list, as a list in rank order shaped by `return_type`.
///
/// # Errors
/// None of its own: a range outside the list selects nothing.
///
/// # Examples
/// ```
/// use aerolite::operations::lists::{self, ListReturnType};
/// let top3 = lists::get_by_rank_range("l", -3, Some(3), ListReturnType::Values);
/// assert_eq!(top3, top3.clone());
/// ```
pub fn get_by_rank_range(
    bin: &str,
    rank: i64,
    count: Option<u64>,
    return_type: ListReturnType,
) -> Operation {
    op(bin, Selector::RankRange(rank, count), return_type, false)
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

/// Removes up to `count` items from `index` (`None`: to the end), clamped
/// to the list; returns them shaped by `return_type`.
///
/// # Errors
/// None of its own: a range outside the list removes nothing.
///
/// # Examples
/// ```
/// use aerolite::operations::lists::{self, ListReturnType};
/// let op = lists::remove_by_index_range("l", -2, None, ListReturnType::Count);
/// assert_eq!(op, op.clone());
/// ```
pub fn remove_by_index_range(
    bin: &str,
    index: i64,
    count: Option<u64>,
    return_type: ListReturnType,
) -> Operation {
    op(bin, Selector::IndexRange(index, count), return_type, true)
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

/// Removes up to `count` items from rank `rank` (`None`: to the highest);
/// returns them in rank order shaped by `return_type`.
///
/// # Errors
/// None of its own: a range outside the list removes nothing.
///
/// # Examples
/// ```
/// use aerolite::operations::lists::{self, ListReturnType};
/// let op = lists::remove_by_rank_range("l", 0, Some(2), ListReturnType::Values);
/// assert_eq!(op, op.clone());
/// ```
pub fn remove_by_rank_range(
    bin: &str,
    rank: i64,
    count: Option<u64>,
    return_type: ListReturnType,
) -> Operation {
    op(bin, Selector::RankRange(rank, count), return_type, true)
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
/// them shaped by `return_type`.
///
/// # Errors
/// None of its own.
///
/// # Examples
/// ```
/// use aerolite::operations::lists::{self, ListReturnType};
/// let op = lists::remove_by_value_range("l", 0, 10, ListReturnType::Count);
/// assert_eq!(op, op.clone());
/// ```
pub fn remove_by_value_range(
    bin: &str,
    begin: impl Into<Value>,
    end: impl Into<Value>,
    return_type: ListReturnType,
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
mod tests {
    use super::*;
    use crate::as_list;
    use crate::operations::exec::run_one as run;
    use std::collections::BTreeMap;

    fn with_list(items: Value) -> BTreeMap<String, Value> {
        BTreeMap::from([("l".to_owned(), items)])
    }

    /// The list of the Rust client's `cdt_list` rank test.
    fn ranked() -> BTreeMap<String, Value> {
        with_list(as_list!("0", 9, 8, 7, 1, 2.1f64, -1))
    }

    #[test]
    fn by_index_shapes() {
        let mut bins = ranked();
        let cases = [
            (get_by_index("l", 1, ListReturnType::Values), Value::Int(9)),
            (get_by_index("l", -1, ListReturnType::Index), Value::Int(6)),
            (
                get_by_index("l", 0, ListReturnType::ReverseIndex),
                Value::Int(6),
            ),
            (get_by_index("l", 0, ListReturnType::Rank), Value::Int(5)),
            (
                get_by_index("l", 0, ListReturnType::ReverseRank),
                Value::Int(1),
            ),
            (get_by_index("l", 2, ListReturnType::Count), Value::Int(1)),
            (
                get_by_index("l", 2, ListReturnType::Exists),
                Value::Bool(true),
            ),
            (
                get_by_index_range("l", -3, Some(2), ListReturnType::Values),
                as_list!(1, 2.1f64),
            ),
            (
                get_by_index_range("l", 5, None, ListReturnType::Index),
                as_list!(5, 6),
            ),
            (
                get_by_index_range("l", 9, None, ListReturnType::Values),
                as_list!(),
            ),
        ];
        for (op, want) in cases {
            assert_eq!(run(op.clone(), &mut bins).unwrap(), Some(want), "{op:?}");
        }
        assert_eq!(
            run(get_by_index("l", 0, ListReturnType::None), &mut bins).unwrap(),
            None
        );
        for op in [
            get_by_index("l", 7, ListReturnType::Values),
            get_by_index("l", -8, ListReturnType::Values),
            get_by_rank("l", 7, ListReturnType::Values),
            remove_by_index("l", 7, ListReturnType::Values),
        ] {
            let e = run(op, &mut bins).unwrap_err();
            assert!(matches!(e, Error::OpNotApplicable(_)), "{e:?}");
        }
        assert_eq!(bins, ranked());
    }

    #[test]
    fn by_rank_and_value() {
        let mut bins = ranked();
        let cases = [
            (get_by_rank("l", 2, ListReturnType::Values), Value::Int(7)),
            (
                get_by_rank("l", -1, ListReturnType::Values),
                Value::Float(2.1),
            ),
            (
                get_by_rank_range("l", 4, None, ListReturnType::Values),
                as_list!(9, "0", 2.1f64),
            ),
            (
                get_by_rank_range("l", 0, Some(2), ListReturnType::Index),
                as_list!(4, 6),
            ),
            (get_by_value("l", 8, ListReturnType::Index), as_list!(2)),
            (get_by_value("l", 5, ListReturnType::Values), as_list!()),
            (
                get_by_value_list(
                    "l",
                    vec![Value::Int(1), Value::from("0")],
                    ListReturnType::Index,
                ),
                as_list!(0, 4),
            ),
            (
                get_by_value_range("l", 1, 8, ListReturnType::Values),
                as_list!(7, 1),
            ),
            (
                get_by_value_range("l", 8, Value::Nil, ListReturnType::Count),
                Value::Int(4),
            ),
        ];
        for (op, want) in cases {
            assert_eq!(run(op.clone(), &mut bins).unwrap(), Some(want), "{op:?}");
        }
    }

    /// aerospike-client-rust tests/src/cdt_list.rs `cdt_list`: rank ranges
    /// of an unordered list come in the server's heap order.
    #[test]
    fn rank_range_value_order_follows_the_server() {
        let mut bins = ranked();
        let cases = [
            (
                get_by_rank_range("l", 2, Some(2), ListReturnType::Values),
                as_list!(8, 7),
            ),
            (
                get_by_rank_range("l", 3, Some(2), ListReturnType::Values),
                as_list!(8, 9),
            ),
            (
                get_by_rank_range("l", 2, Some(2), ListReturnType::Index),
                as_list!(2, 3),
            ),
            (
                get_by_rank_range("l", 2, Some(2), ListReturnType::Rank),
                as_list!(2, 3),
            ),
            (
                get_by_rank_range("l", 2, Some(2), ListReturnType::ReverseRank),
                as_list!(4, 3),
            ),
            (
                get_by_value_range("l", 7, 10, ListReturnType::Rank),
                as_list!(2, 3, 4),
            ),
            (
                get_by_index_range("l", 0, Some(2), ListReturnType::Rank),
                as_list!(5, 4),
            ),
        ];
        for (op, want) in cases {
            assert_eq!(run(op.clone(), &mut bins).unwrap(), Some(want), "{op:?}");
        }
    }

    #[test]
    fn removals() {
        let mut bins = with_list(as_list!(3, 1, 3, 2, 5));
        let r = run(remove_by_value("l", 3, ListReturnType::Index), &mut bins);
        assert_eq!(r.unwrap(), Some(as_list!(0, 2)));
        assert_eq!(bins["l"], as_list!(1, 2, 5));
        let r = run(remove_by_rank("l", -1, ListReturnType::Values), &mut bins);
        assert_eq!(r.unwrap(), Some(Value::Int(5)));
        let r = run(remove_by_index("l", 0, ListReturnType::None), &mut bins);
        assert_eq!(r.unwrap(), None);
        assert_eq!(bins["l"], as_list!(2));
        let mut bins = with_list(as_list!(4, 3, 2, 1));
        let r = run(
            remove_by_rank_range("l", 0, Some(2), ListReturnType::Values),
            &mut bins,
        );
        // The server's heap order: a range near the lowest rank descends.
        assert_eq!(r.unwrap(), Some(as_list!(2, 1)));
        assert_eq!(bins["l"], as_list!(4, 3));
        let r = run(
            remove_by_index_range("l", -5, Some(4), ListReturnType::Count),
            &mut bins,
        );
        // Clamped: of indexes -5..-1 only -2 exists.
        assert_eq!(r.unwrap(), Some(Value::Int(1)));
        assert_eq!(bins["l"], as_list!(3));
        let r = run(
            remove_by_index_range("l", 0, None, ListReturnType::Values),
            &mut bins,
        );
        assert_eq!(r.unwrap(), Some(as_list!(3)));
        assert_eq!(bins["l"], as_list!());
        let r = run(
            remove_by_value_list("l", vec![Value::Int(1)], ListReturnType::Exists),
            &mut bins,
        );
        assert_eq!(r.unwrap(), Some(Value::Bool(false)));
        let r = run(
            remove_by_value_range("l", Value::Nil, Value::Nil, ListReturnType::Count),
            &mut bins,
        );
        assert_eq!(r.unwrap(), Some(Value::Int(0)));
    }

    #[test]
    fn missing_bin_and_wrong_type() {
        let mut bins = BTreeMap::new();
        let r = run(remove_by_index("l", 0, ListReturnType::Values), &mut bins);
        assert_eq!(r.unwrap(), Some(Value::Nil));
        let r = run(
            get_by_rank_range("l", 0, None, ListReturnType::None),
            &mut bins,
        );
        assert_eq!(r.unwrap(), None);
        assert!(bins.is_empty());
        let mut bins = with_list(Value::Int(1));
        let r = run(get_by_value("l", 1, ListReturnType::Count), &mut bins);
        assert!(matches!(r, Err(Error::BinTypeMismatch { .. })), "{r:?}");
    }
}
