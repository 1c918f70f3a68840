//! Selection shared by the list and map "by index / by rank / by value /
//! by key list" operations, and the shaping of their results by return type
//! (Aerospike's `ListReturnType` / `MapReturnType`).
//!
//! Positions are list positions, or map positions in key order. Ranks are
//! positions in value order (ties keep position order). Ranges are clamped
//! to the items that exist (Aerospike's multi-item semantics); a single
//! index or rank out of range is [`Error::OpNotApplicable`].

use super::operand::{count_value, Budget};
use crate::error::Error;
use crate::value::Value;
use std::collections::BTreeSet;

/// What a selecting operation returns (both return-type enums map to it).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Ret {
    None,
    Index,
    ReverseIndex,
    Rank,
    ReverseRank,
    Count,
    Values,
    Exists,
    Keys,
    KeyValues,
}

/// Which items an operation selects.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Selector {
    /// One item by position (negative: from the end).
    Index(i64),
    /// Up to `count` items from a position (`None`: to the end).
    IndexRange(i64, Option<u64>),
    /// One item by rank (negative: from the highest).
    Rank(i64),
    /// Up to `count` items from a rank (`None`: to the highest).
    RankRange(i64, Option<u64>),
    /// Every item equal to the value.
    Value(Value),
    /// Every item equal to one of the values.
    ValueList(Vec<Value>),
    /// Every item in `[begin, end)`; a nil bound is open.
    ValueRange(Value, Value),
    /// Every map entry whose key is one of the values.
    KeyList(Vec<Value>),
}

impl Selector {
    /// Whether at most one item is selected (the result is then not a list).
    pub(crate) fn single(&self) -> bool {
        matches!(self, Selector::Index(_) | Selector::Rank(_))
    }

    /// Calls `f` on every operand value.
    pub(crate) fn try_for_each_operand<E>(
        &self,
        mut f: impl FnMut(&Value) -> Result<(), E>,
    ) -> Result<(), E> {
        match self {
            Selector::Value(v) => f(v),
            Selector::ValueList(vs) | Selector::KeyList(vs) => vs.iter().try_for_each(f),
            Selector::ValueRange(a, b) => {
                f(a)?;
                f(b)
            }
            Selector::Index(_)
            | Selector::IndexRange(..)
            | Selector::Rank(_)
            | Selector::RankRange(..) => Ok(()),
        }
    }

    /// Moves every operand value out (leaving nil), for an iterative drop.
    pub(crate) fn take_operands(&mut self, out: &mut impl FnMut(Value)) {
        match self {
            Selector::Value(v) => out(std::mem::take(v)),
            Selector::ValueList(vs) | Selector::KeyList(vs) => vs.drain(..).for_each(out),
            Selector::ValueRange(a, b) => {
                out(std::mem::take(a));
                out(std::mem::take(b));
            }
            Selector::Index(_)
            | Selector::IndexRange(..)
            | Selector::Rank(_)
            | Selector::RankRange(..) => {}
        }
    }
}

/// The clamped window `[start, end)` of `count` items from `index`
/// (negative: from the end) in `len` items: only the part inside exists.
pub(crate) fn window(len: usize, index: i64, count: Option<u64>) -> (usize, usize) {
    let len_i = i64::try_from(len).unwrap_or(i64::MAX);
    let start = if index < 0 {
        index.saturating_add(len_i)
    } else {
        index
    };
    let end = match count {
        None => len_i,
        Some(c) => start.saturating_add(i64::try_from(c).unwrap_or(i64::MAX)),
    };
    let s = usize::try_from(start.clamp(0, len_i)).unwrap_or(0);
    let e = usize::try_from(end.clamp(0, len_i)).unwrap_or(0).max(s);
    (s, e)
}

/// Resolves one index or rank (negative: from the end) in `len` items.
///
/// # Errors
/// [`Error::OpNotApplicable`] when it is out of range.
pub(crate) fn single_index(bin: &str, what: &str, index: i64, len: usize) -> Result<usize, Error> {
    let len_i = i64::try_from(len).unwrap_or(i64::MAX);
    let i = if index < 0 {
        index.saturating_add(len_i)
    } else {
        index
    };
    usize::try_from(i).ok().filter(|&i| i < len).ok_or_else(|| {
        Error::OpNotApplicable(format!(
            "{what} {index} is out of range for bin {bin:?}: it has {len} items"
        ))
    })
}

/// Positions in value order (ties in position order): rank `r` is
/// `order[r]`.
fn rank_order(values: &[&Value], budget: &mut Budget) -> Result<Vec<usize>, Error> {
    budget.charge_items(values.len())?;
    let mut order: Vec<usize> = (0..values.len()).collect();
    order.sort_by(|&a, &b| values[a].cmp(values[b]));
    Ok(order)
}

fn in_range(v: &Value, begin: &Value, end: &Value) -> bool {
    (begin.is_nil() || v >= begin) && (end.is_nil() || v < end)
}

/// Which container the items come from: the order of rank-range values
/// differs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Container {
    List,
    Map,
}

/// The positions `sel` selects, in the order value results report them:
/// position order, except rank ranges, which are in rank order. Aerospike
/// server 8 selects a rank range of an unordered list with a heap and
/// reports its values in the heap's order: descending when the range is at
/// least as near the lowest rank as the highest (`rank <= len - rank -
/// count`), ascending otherwise; maps always report ascending rank order.
/// `keys` are the map keys (for [`Selector::KeyList`]); `values` are what
/// ranks and value selectors compare.
///
/// # Errors
/// [`Error::OpNotApplicable`] for a single index or rank out of range.
pub(crate) fn pick(
    bin: &str,
    sel: &Selector,
    container: Container,
    keys: &[&Value],
    values: &[&Value],
    budget: &mut Budget,
) -> Result<Vec<usize>, Error> {
    let len = values.len();
    let matching = |budget: &mut Budget, of: &[&Value], want: &dyn Fn(&Value) -> bool| {
        budget.charge_items(of.len())?;
        Ok::<_, Error>((0..of.len()).filter(|&i| want(of[i])).collect())
    };
    Ok(match sel {
        Selector::Index(i) => vec![single_index(bin, "index", *i, len)?],
        Selector::IndexRange(i, c) => {
            let (s, e) = window(len, *i, *c);
            (s..e).collect()
        }
        Selector::Rank(r) => {
            let r = single_index(bin, "rank", *r, len)?;
            vec![rank_order(values, budget)?[r]]
        }
        Selector::RankRange(r, c) => {
            let (s, e) = window(len, *r, *c);
            if s == e {
                Vec::new()
            } else {
                let mut picked = rank_order(values, budget)?[s..e].to_vec();
                if container == Container::List && s <= len - e {
                    picked.reverse();
                }
                picked
            }
        }
        Selector::Value(want) => matching(budget, values, &|v| v.cmp(want).is_eq())?,
        Selector::ValueList(wanted) => {
            budget.charge_items(wanted.len())?;
            let set: BTreeSet<&Value> = wanted.iter().collect();
            matching(budget, values, &|v| set.contains(v))?
        }
        Selector::ValueRange(begin, end) => matching(budget, values, &|v| in_range(v, begin, end))?,
        Selector::KeyList(wanted) => {
            budget.charge_items(wanted.len())?;
            let set: BTreeSet<&Value> = wanted.iter().collect();
            matching(budget, keys, &|k| set.contains(k))?
        }
    })
}

/// One value for a single selection, a list otherwise.
fn shape(single: bool, mut items: impl Iterator<Item = Value>) -> Value {
    if single {
        items.next().unwrap_or(Value::Nil)
    } else {
        Value::List(items.collect())
    }
}

/// The result of a selection of `picked` positions (by `sel`), by return
/// type: `None` for [`Ret::None`] (the operation reports nothing). As the
/// server does, several indexes are reported in ascending order, and
/// several ranks too, except for an index range, whose ranks follow its
/// items.
pub(crate) fn build(
    ret: Ret,
    sel: &Selector,
    picked: &[usize],
    keys: &[&Value],
    values: &[&Value],
    budget: &mut Budget,
) -> Result<Option<Value>, Error> {
    let len = values.len();
    let single = sel.single();
    budget.charge_items(picked.len())?;
    let mut ascending = picked.to_vec();
    ascending.sort_unstable();
    let ranks = |budget: &mut Budget| -> Result<Vec<usize>, Error> {
        let order = rank_order(values, budget)?;
        let mut rank_of = vec![0; len];
        for (r, &i) in order.iter().enumerate() {
            rank_of[i] = r;
        }
        let mut ranks: Vec<usize> = picked.iter().map(|&i| rank_of[i]).collect();
        if !matches!(sel, Selector::IndexRange(..)) {
            ranks.sort_unstable();
        }
        Ok(ranks)
    };
    let reverse = |i: usize| len - 1 - i;
    Ok(Some(match ret {
        Ret::None => return Ok(None),
        Ret::Count => count_value(picked.len()),
        Ret::Exists => Value::Bool(!picked.is_empty()),
        Ret::Index => shape(single, ascending.iter().map(|&i| count_value(i))),
        Ret::ReverseIndex => shape(single, ascending.iter().map(|&i| count_value(reverse(i)))),
        Ret::Rank => shape(single, ranks(budget)?.into_iter().map(count_value)),
        Ret::ReverseRank => shape(
            single,
            ranks(budget)?.into_iter().map(|r| count_value(reverse(r))),
        ),
        Ret::Values => {
            for &i in picked {
                budget.charge_value(values[i])?;
            }
            shape(single, picked.iter().map(|&i| values[i].clone()))
        }
        Ret::Keys => {
            for &i in picked {
                budget.charge_value(keys[i])?;
            }
            shape(single, picked.iter().map(|&i| keys[i].clone()))
        }
        Ret::KeyValues => {
            for &i in picked {
                budget.charge_value(keys[i])?;
                budget.charge_value(values[i])?;
            }
            Value::Map(
                picked
                    .iter()
                    .map(|&i| (keys[i].clone(), values[i].clone()))
                    .collect(),
            )
        }
    }))
}

/// A bitmap of `picked` over `len` positions, for removing them in one pass.
pub(crate) fn marks(picked: &[usize], len: usize) -> Vec<bool> {
    let mut mark = vec![false; len];
    for &i in picked {
        mark[i] = true;
    }
    mark
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::as_list;
    use crate::operations::exec::TEST_MAX_RECORD_SIZE;

    fn budget() -> Budget {
        Budget::new(TEST_MAX_RECORD_SIZE)
    }

    #[test]
    fn window_clamps_like_the_server() {
        assert_eq!(window(5, 1, Some(2)), (1, 3));
        assert_eq!(window(5, -2, None), (3, 5));
        assert_eq!(window(5, 7, Some(1)), (5, 5));
        assert_eq!(window(5, -7, Some(3)), (0, 1));
        assert_eq!(window(5, -7, Some(1)), (0, 0));
        assert_eq!(window(5, i64::MIN, None), (0, 5));
        assert_eq!(window(5, 2, Some(u64::MAX)), (2, 5));
        assert_eq!(window(0, 0, None), (0, 0));
    }

    #[test]
    fn single_out_of_range_is_op_not_applicable() {
        assert_eq!(single_index("b", "index", -1, 3).unwrap(), 2);
        for i in [3, -4, i64::MIN, i64::MAX] {
            let e = single_index("b", "index", i, 3).unwrap_err();
            assert_eq!(e.result_code() as i32, 26, "{e}");
        }
    }

    #[test]
    fn ranks_and_shapes() {
        let items = [
            Value::from("0"),
            Value::Int(9),
            Value::Int(8),
            Value::Int(7),
            Value::Int(1),
            Value::Float(2.1),
            Value::Int(-1),
        ];
        let refs: Vec<&Value> = items.iter().collect();
        let b = &mut budget();
        let picked = pick("b", &Selector::Rank(2), Container::List, &refs, &refs, b).unwrap();
        assert_eq!(picked, vec![3]);
        let picked = pick(
            "b",
            &Selector::RankRange(-2, None),
            Container::List,
            &refs,
            &refs,
            b,
        )
        .unwrap();
        assert_eq!(picked, vec![0, 5]);
        let got = build(
            Ret::Rank,
            &Selector::IndexRange(0, None),
            &[0, 6],
            &refs,
            &refs,
            b,
        )
        .unwrap();
        assert_eq!(got, Some(as_list!(5, 0)));
        let got = build(Ret::ReverseRank, &Selector::Index(6), &[6], &refs, &refs, b).unwrap();
        assert_eq!(got, Some(Value::Int(6)));
        let got = build(
            Ret::ReverseIndex,
            &Selector::Value(Value::Nil),
            &[6, 0],
            &refs,
            &refs,
            b,
        )
        .unwrap();
        assert_eq!(got, Some(as_list!(6, 0)));
        assert_eq!(
            build(Ret::None, &Selector::Index(1), &[1], &refs, &refs, b).unwrap(),
            None
        );
        let got = build(
            Ret::Exists,
            &Selector::Value(Value::Nil),
            &[],
            &refs,
            &refs,
            b,
        )
        .unwrap();
        assert_eq!(got, Some(Value::Bool(false)));
    }
}
