//! Unit tests of `lists.rs`.

use super::*;
use crate::as_list;
use crate::operations::{get_bin, put};
use crate::Bin;

use crate::operations::exec::{run_one as run, test_execute as execute};

fn with_list(items: Value) -> BTreeMap<String, Value> {
    let mut bins = BTreeMap::new();
    bins.insert("l".to_owned(), items);
    bins
}

#[test]
fn append_creates_and_returns_size() {
    let mut bins = BTreeMap::new();
    assert_eq!(run(append("l", 1), &mut bins).unwrap(), Some(Value::Int(1)));
    assert_eq!(
        run(
            append_items("l", vec![Value::from("a"), as_list!(2.5)]),
            &mut bins
        )
        .unwrap(),
        Some(Value::Int(3))
    );
    assert_eq!(bins["l"], as_list!(1, "a", as_list!(2.5)));
    assert!(matches!(
        run(append_items("l", vec![]), &mut bins),
        Err(Error::ParameterError(_))
    ));
    let out = execute(&[append("l", 9), get_bin("l")], &mut bins).unwrap();
    assert_eq!(out.results["l"], as_list!(1, "a", as_list!(2.5), 9));
}

#[test]
fn insert_with_negative_and_padding() {
    let mut bins = with_list(as_list!(1, 2, 3));
    assert_eq!(
        run(insert("l", -1, 9), &mut bins).unwrap(),
        Some(Value::Int(4))
    );
    assert_eq!(bins["l"], as_list!(1, 2, 9, 3));
    assert_eq!(
        run(insert("l", 0, 0), &mut bins).unwrap(),
        Some(Value::Int(5))
    );
    assert_eq!(
        run(insert("l", 5, 4), &mut bins).unwrap(),
        Some(Value::Int(6))
    );
    assert_eq!(bins["l"], as_list!(0, 1, 2, 9, 3, 4));
    assert_eq!(
        run(insert("l", -6, "x"), &mut bins).unwrap(),
        Some(Value::Int(7))
    );
    assert_eq!(bins["l"], as_list!("x", 0, 1, 2, 9, 3, 4));
    assert!(matches!(
        run(insert("l", -8, 1), &mut bins),
        Err(Error::OpNotApplicable(_))
    ));
    let mut bins = BTreeMap::new();
    assert_eq!(
        run(insert("l", 2, 7), &mut bins).unwrap(),
        Some(Value::Int(3))
    );
    assert_eq!(bins["l"], as_list!(Value::Nil, Value::Nil, 7));
    assert!(matches!(
        run(insert("l", i64::MAX, 1), &mut bins),
        Err(Error::OpNotApplicable(_))
    ));
    assert!(matches!(
        run(insert("l", i64::MIN, 1), &mut bins),
        Err(Error::OpNotApplicable(_))
    ));
    // Past the padding limit (but within the server's i32 range).
    assert!(matches!(
        run(insert("l", 1 << 30, 1), &mut bins),
        Err(Error::ParameterError(_))
    ));
}

#[test]
fn pop_remove_get() {
    let mut bins = with_list(as_list!("a", "b", "c", "d"));
    assert_eq!(
        run(pop("l", -1), &mut bins).unwrap(),
        Some(Value::from("d"))
    );
    assert_eq!(run(pop("l", 0), &mut bins).unwrap(), Some(Value::from("a")));
    assert_eq!(bins["l"], as_list!("b", "c"));
    assert_eq!(
        run(get("l", -2), &mut bins).unwrap(),
        Some(Value::from("b"))
    );
    assert_eq!(run(get("l", 1), &mut bins).unwrap(), Some(Value::from("c")));
    assert_eq!(
        run(remove("l", -2), &mut bins).unwrap(),
        Some(Value::Int(1))
    );
    assert_eq!(bins["l"], as_list!("c"));
    assert_eq!(run(size("l"), &mut bins).unwrap(), Some(Value::Int(1)));
    for op in [
        get("l", 1),
        get("l", -2),
        pop("l", 5),
        remove("l", i64::MIN),
    ] {
        match run(op, &mut bins) {
            Err(Error::OpNotApplicable(m)) => assert!(m.contains("1 items"), "{m}"),
            other => panic!("unexpected {other:?}"),
        }
    }
    assert_eq!(bins["l"], as_list!("c"));
}

#[test]
fn get_range_windows() {
    let mut bins = with_list(as_list!(0, 1, 2, 3, 4));
    let cases: [(i64, Option<u64>, Value); 9] = [
        (0, None, as_list!(0, 1, 2, 3, 4)),
        (1, Some(2), as_list!(1, 2)),
        (-2, None, as_list!(3, 4)),
        (-3, Some(2), as_list!(2, 3)),
        (3, Some(10), as_list!(3, 4)),
        (5, None, as_list!()),
        (9, Some(1), as_list!()),
        (-7, Some(3), as_list!(0)),
        (2, Some(0), as_list!()),
    ];
    for (index, count, want) in cases {
        assert_eq!(
            run(get_range("l", index, count), &mut bins).unwrap(),
            Some(want),
            "index {index} count {count:?}"
        );
    }
}

#[test]
fn missing_bin() {
    let mut bins = BTreeMap::new();
    for op in [
        size("l"),
        get("l", 0),
        get_range("l", 0, None),
        pop("l", 0),
        remove("l", 0),
    ] {
        assert_eq!(run(op, &mut bins).unwrap(), Some(Value::Nil));
    }
    assert_eq!(run(clear("l"), &mut bins).unwrap(), None);
    assert_eq!(run(sort("l"), &mut bins).unwrap(), None);
    assert!(bins.is_empty());
    // As on the server, increment creates the list and the item.
    assert_eq!(
        run(increment("l", 1, 5), &mut bins).unwrap(),
        Some(Value::Int(5))
    );
    assert_eq!(bins["l"], as_list!(Value::Nil, 5));
}

#[test]
fn increment_clear_sort() {
    let mut bins = with_list(as_list!(3, 1.5, "s", 2));
    assert_eq!(
        run(increment("l", 0, 4), &mut bins).unwrap(),
        Some(Value::Int(7))
    );
    assert_eq!(
        run(increment("l", -3, 1.0), &mut bins).unwrap(),
        Some(Value::Float(2.5))
    );
    for (index, by) in [
        (0, Value::Float(1.0)),
        (1, Value::Int(1)),
        (2, Value::Int(1)),
    ] {
        let r = run(increment("l", index, by), &mut bins);
        assert!(matches!(r, Err(Error::BinTypeMismatch { .. })), "{r:?}");
    }
    assert!(matches!(
        run(increment("l", 0, "1"), &mut bins),
        Err(Error::ParameterError(_))
    ));
    assert_eq!(run(sort("l"), &mut bins).unwrap(), None);
    assert_eq!(bins["l"], as_list!(2, 7, "s", 2.5));
    assert_eq!(run(clear("l"), &mut bins).unwrap(), None);
    assert_eq!(bins["l"], as_list!());
    assert_eq!(run(size("l"), &mut bins).unwrap(), Some(Value::Int(0)));
}

#[test]
fn wrong_bin_type() {
    let mut bins = BTreeMap::new();
    execute(&[put(&Bin::new("l", crate::as_map!(1 => 2)))], &mut bins).unwrap();
    for op in [append("l", 1), size("l"), clear("l"), get("l", 0)] {
        match run(op, &mut bins) {
            Err(Error::BinTypeMismatch { bin, message }) => {
                assert_eq!(bin, "l");
                assert!(message.contains("found map"), "{message}");
            }
            other => panic!("unexpected {other:?}"),
        }
    }
}
