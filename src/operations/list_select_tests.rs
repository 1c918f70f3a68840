//! Unit tests of `list_select`.

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
            get_by_index_range_count("l", -3, 2, ListReturnType::Values),
            as_list!(1, 2.1f64),
        ),
        (
            get_by_index_range("l", 5, ListReturnType::Index),
            as_list!(5, 6),
        ),
        (
            get_by_index_range("l", 9, ListReturnType::Values),
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
            get_by_rank_range("l", 4, ListReturnType::Values),
            as_list!(9, "0", 2.1f64),
        ),
        (
            get_by_rank_range_count("l", 0, 2, ListReturnType::Index),
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
            get_by_rank_range_count("l", 2, 2, ListReturnType::Values),
            as_list!(8, 7),
        ),
        (
            get_by_rank_range_count("l", 3, 2, ListReturnType::Values),
            as_list!(8, 9),
        ),
        (
            get_by_rank_range_count("l", 2, 2, ListReturnType::Index),
            as_list!(2, 3),
        ),
        (
            get_by_rank_range_count("l", 2, 2, ListReturnType::Rank),
            as_list!(2, 3),
        ),
        (
            get_by_rank_range_count("l", 2, 2, ListReturnType::ReverseRank),
            as_list!(4, 3),
        ),
        (
            get_by_value_range("l", 7, 10, ListReturnType::Rank),
            as_list!(2, 3, 4),
        ),
        (
            get_by_index_range_count("l", 0, 2, ListReturnType::Rank),
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
        remove_by_rank_range_count("l", 0, 2, ListReturnType::Values),
        &mut bins,
    );
    // The server's heap order: a range near the lowest rank descends.
    assert_eq!(r.unwrap(), Some(as_list!(2, 1)));
    assert_eq!(bins["l"], as_list!(4, 3));
    let r = run(
        remove_by_index_range_count("l", -5, 4, ListReturnType::Count),
        &mut bins,
    );
    // Clamped: of indexes -5..-1 only -2 exists.
    assert_eq!(r.unwrap(), Some(Value::Int(1)));
    assert_eq!(bins["l"], as_list!(3));
    let r = run(
        remove_by_index_range("l", 0, ListReturnType::Values),
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
        remove_by_value_range("l", ListReturnType::Count, Value::Nil, Value::Nil),
        &mut bins,
    );
    assert_eq!(r.unwrap(), Some(Value::Int(0)));
}

#[test]
fn missing_bin_and_wrong_type() {
    let mut bins = BTreeMap::new();
    let r = run(remove_by_index("l", 0, ListReturnType::Values), &mut bins);
    assert_eq!(r.unwrap(), Some(Value::Nil));
    let r = run(get_by_rank_range("l", 0, ListReturnType::None), &mut bins);
    assert_eq!(r.unwrap(), None);
    assert!(bins.is_empty());
    let mut bins = with_list(Value::Int(1));
    let r = run(get_by_value("l", 1, ListReturnType::Count), &mut bins);
    assert!(matches!(r, Err(Error::BinTypeMismatch { .. })), "{r:?}");
}
