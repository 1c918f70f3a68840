//! List and map operations through `Db::operate` (`spec/semantics.md`, "List
//! and map operations"), and nested values round-tripping through storage.

use aerolite::operations::{self as ops, lists, maps};
use aerolite::*;
use std::path::Path;

mod common;
use common::*;

const SEG: u64 = 64 * 1024;

fn open(dir: &Path) -> Db {
    Db::open_with(dir, Options::default().segment_size(SEG)).unwrap()
}

fn get(db: &Db, key: &Key) -> Record {
    db.get(&ReadPolicy::default(), key, Bins::All).unwrap()
}

/// Runs one operation and returns what it reported for `bin` (None if it
/// reported nothing).
fn run(db: &Db, key: &Key, bin: &str, op: Operation) -> Option<Value> {
    let r = db.operate(&wp(), key, &[op]).unwrap();
    assert!(r.bins.len() <= 1, "{:?}", r.bins);
    r.bins.get(bin).cloned()
}

fn err(db: &Db, key: &Key, op: Operation) -> Error {
    db.operate(&wp(), key, &[op]).unwrap_err()
}

fn list_of(db: &Db, key: &Key) -> Value {
    get(db, key).bins["l"].clone()
}

#[test]
fn list_ops_return_aerospike_values() {
    let dir = tempfile::tempdir().unwrap();
    let db = open(dir.path());
    let k = as_key!("test", "lists", 1);
    // Creates record and bin.
    assert_eq!(
        run(&db, &k, "l", lists::append("l", 1)),
        Some(Value::Int(1))
    );
    assert_eq!(get(&db, &k).generation, 1);
    assert_eq!(
        run(
            &db,
            &k,
            "l",
            lists::append_items("l", vec![Value::Int(2), Value::from("three")])
        ),
        Some(Value::Int(3))
    );
    assert_eq!(list_of(&db, &k), as_list!(1, 2, "three"));
    // insert(-1) goes before the last item.
    assert_eq!(
        run(&db, &k, "l", lists::insert("l", -1, 9)),
        Some(Value::Int(4))
    );
    assert_eq!(list_of(&db, &k), as_list!(1, 2, 9, "three"));
    assert_eq!(
        run(&db, &k, "l", lists::insert("l", 0, 0)),
        Some(Value::Int(5))
    );
    // insert at the size appends.
    assert_eq!(
        run(&db, &k, "l", lists::insert("l", 5, 7)),
        Some(Value::Int(6))
    );
    assert_eq!(list_of(&db, &k), as_list!(0, 1, 2, 9, "three", 7));
    assert_eq!(run(&db, &k, "l", lists::pop("l", -1)), Some(Value::Int(7)));
    assert_eq!(
        run(&db, &k, "l", lists::pop("l", -1)),
        Some(Value::from("three"))
    );
    assert_eq!(run(&db, &k, "l", lists::pop("l", 0)), Some(Value::Int(0)));
    assert_eq!(list_of(&db, &k), as_list!(1, 2, 9));
    assert_eq!(
        run(&db, &k, "l", lists::remove("l", 1)),
        Some(Value::Int(1))
    );
    assert_eq!(list_of(&db, &k), as_list!(1, 9));
    assert_eq!(run(&db, &k, "l", lists::size("l")), Some(Value::Int(2)));
    assert_eq!(run(&db, &k, "l", lists::get("l", -1)), Some(Value::Int(9)));
    assert_eq!(run(&db, &k, "l", lists::get("l", 0)), Some(Value::Int(1)));
    db.operate(
        &wp(),
        &k,
        &[lists::append_items(
            "l",
            vec![Value::Int(5), Value::Int(-3), Value::Int(4)],
        )],
    )
    .unwrap();
    assert_eq!(list_of(&db, &k), as_list!(1, 9, 5, -3, 4));
    assert_eq!(
        run(&db, &k, "l", lists::get_range("l", -2, None)),
        Some(as_list!(-3, 4))
    );
    assert_eq!(
        run(&db, &k, "l", lists::get_range("l", 1, Some(2))),
        Some(as_list!(9, 5))
    );
    assert_eq!(
        run(&db, &k, "l", lists::get_range("l", 3, Some(100))),
        Some(as_list!(-3, 4))
    );
    assert_eq!(
        run(&db, &k, "l", lists::get_range("l", 10, None)),
        Some(as_list!())
    );
    assert_eq!(
        run(&db, &k, "l", lists::increment("l", -1, 10)),
        Some(Value::Int(14))
    );
    assert_eq!(
        run(&db, &k, "l", lists::increment("l", 0, -1)),
        Some(Value::Int(0))
    );
    // sort returns nothing; a later read sees the sorted list.
    assert_eq!(run(&db, &k, "l", lists::sort("l")), None);
    assert_eq!(list_of(&db, &k), as_list!(-3, 0, 5, 9, 14));
    let r = db
        .operate(
            &wp(),
            &k,
            &[lists::clear("l"), lists::size("l"), ops::get_header()],
        )
        .unwrap();
    assert_eq!(r.bins["l"], Value::Int(0));
    let rec = get(&db, &k);
    assert_eq!(rec.bins["l"], as_list!());
    assert_eq!(r.generation, rec.generation);
    // Reads on a missing list bin return nil; they do not write.
    assert_eq!(run(&db, &k, "x", lists::size("x")), Some(Value::Nil));
    assert_eq!(get(&db, &k).generation, rec.generation);
}

#[test]
fn list_insert_pads_and_float_increment() {
    let dir = tempfile::tempdir().unwrap();
    let db = open(dir.path());
    let k = as_key!("test", "lists", 2);
    db.put(&wp(), &k, &[as_bin!("l", as_list!("a", "b"))])
        .unwrap();
    assert_eq!(
        run(&db, &k, "l", lists::insert("l", 4, "x")),
        Some(Value::Int(5))
    );
    assert_eq!(
        list_of(&db, &k),
        as_list!("a", "b", Value::Nil, Value::Nil, "x")
    );
    db.put(&wp(), &k, &[as_bin!("l", as_list!(1.5, 2))])
        .unwrap();
    assert_eq!(
        run(&db, &k, "l", lists::increment("l", 0, 0.25)),
        Some(Value::Float(1.75))
    );
    let e = err(&db, &k, lists::increment("l", 0, 1));
    assert!(matches!(e, Error::BinTypeMismatch { .. }), "{e:?}");
    let e = err(&db, &k, lists::increment("l", 1, 1.0));
    assert!(matches!(e, Error::BinTypeMismatch { .. }), "{e:?}");
    let e = err(&db, &k, lists::append_items("l", vec![]));
    assert!(matches!(e, Error::ParameterError(_)), "{e:?}");
    assert_eq!(list_of(&db, &k), as_list!(1.75, 2));
}

#[test]
fn list_index_out_of_range_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let db = open(dir.path());
    let k = as_key!("test", "lists", 3);
    db.put(
        &wp(),
        &k,
        &[as_bin!("l", as_list!(1, 2, 3)), as_bin!("n", 1)],
    )
    .unwrap();
    let before = get(&db, &k);
    for op in [
        lists::get("l", 3),
        lists::get("l", -4),
        lists::pop("l", 3),
        lists::pop("l", -4),
        lists::remove("l", 10),
        lists::increment("l", -4, 1),
        lists::insert("l", -4, 0),
    ] {
        let e = err(&db, &k, op.clone());
        assert!(matches!(e, Error::OpNotApplicable(_)), "{op:?}: {e:?}");
        assert_eq!(e.result_code() as i32, 26);
        assert_eq!(get(&db, &k), before, "{op:?}");
    }
    // Earlier ops in the same call are rolled back too.
    let e = db
        .operate(
            &wp(),
            &k,
            &[
                lists::append("l", 4),
                ops::add(&Bin::new("n", 1)),
                lists::pop("l", 10),
            ],
        )
        .unwrap_err();
    assert!(matches!(e, Error::OpNotApplicable(_)), "{e:?}");
    assert_eq!(get(&db, &k), before);
    // Pop and get on an empty list.
    db.operate(&wp(), &k, &[lists::clear("l")]).unwrap();
    for op in [lists::pop("l", 0), lists::get("l", -1)] {
        assert!(matches!(err(&db, &k, op), Error::OpNotApplicable(_)));
    }
}

#[test]
fn map_ops_return_aerospike_values() {
    let dir = tempfile::tempdir().unwrap();
    let db = open(dir.path());
    let k = as_key!("test", "maps", 1);
    assert_eq!(
        run(&db, &k, "m", maps::put("m", "b", 2)),
        Some(Value::Int(1))
    );
    assert_eq!(get(&db, &k).generation, 1);
    assert_eq!(
        run(&db, &k, "m", maps::put("m", "a", 1)),
        Some(Value::Int(2))
    );
    // Overwriting keeps the size.
    assert_eq!(
        run(&db, &k, "m", maps::put("m", "a", 10)),
        Some(Value::Int(2))
    );
    assert_eq!(
        run(
            &db,
            &k,
            "m",
            maps::put_with("m", "c", 3, MapWriteMode::CreateOnly)
        ),
        Some(Value::Int(3))
    );
    assert_eq!(
        run(
            &db,
            &k,
            "m",
            maps::put_with("m", "a", 1, MapWriteMode::UpdateOnly)
        ),
        Some(Value::Int(3))
    );
    assert_eq!(
        run(
            &db,
            &k,
            "m",
            maps::put_items(
                "m",
                vec![
                    (Value::from("d"), Value::Int(4)),
                    (Value::from("e"), Value::Float(5.5)),
                    (Value::from("b"), Value::Int(20)),
                ]
            )
        ),
        Some(Value::Int(5))
    );
    let full = as_map!("a" => 1, "b" => 20, "c" => 3, "d" => 4, "e" => 5.5);
    assert_eq!(get(&db, &k).bins["m"], full);
    assert_eq!(
        run(&db, &k, "m", maps::get_by_key("m", "b")),
        Some(Value::Int(20))
    );
    assert_eq!(
        run(&db, &k, "m", maps::get_by_key("m", "zz")),
        Some(Value::Nil)
    );
    assert_eq!(run(&db, &k, "m", maps::size("m")), Some(Value::Int(5)));
    assert_eq!(
        run(&db, &k, "m", maps::get_by_key_range("m", "b", "d")),
        Some(as_map!("b" => 20, "c" => 3))
    );
    assert_eq!(
        run(&db, &k, "m", maps::get_by_key_range("m", "c", Value::Nil)),
        Some(as_map!("c" => 3, "d" => 4, "e" => 5.5))
    );
    assert_eq!(
        run(&db, &k, "m", maps::get_by_key_range("m", Value::Nil, "b")),
        Some(as_map!("a" => 1))
    );
    assert_eq!(
        run(&db, &k, "m", maps::increment("m", "a", 41)),
        Some(Value::Int(42))
    );
    assert_eq!(
        run(&db, &k, "m", maps::increment("m", "e", 0.5)),
        Some(Value::Float(6.0))
    );
    // increment creates a missing key.
    assert_eq!(
        run(&db, &k, "m", maps::increment("m", "new", 7)),
        Some(Value::Int(7))
    );
    assert_eq!(
        run(&db, &k, "m", maps::remove_by_key("m", "b")),
        Some(Value::Int(20))
    );
    assert_eq!(
        run(&db, &k, "m", maps::remove_by_key("m", "b")),
        Some(Value::Nil)
    );
    assert_eq!(
        get(&db, &k).bins["m"],
        as_map!("a" => 42, "c" => 3, "d" => 4, "e" => 6.0, "new" => 7)
    );
    let gen = get(&db, &k).generation;
    assert_eq!(run(&db, &k, "m", maps::clear("m")), None);
    assert_eq!(run(&db, &k, "m", maps::size("m")), Some(Value::Int(0)));
    let rec = get(&db, &k);
    assert_eq!(rec.bins["m"], as_map!());
    assert_eq!(rec.generation, gen + 1);
}

#[test]
fn map_write_modes_fail_with_element_codes() {
    let dir = tempfile::tempdir().unwrap();
    let db = open(dir.path());
    let k = as_key!("test", "maps", 2);
    db.put(
        &wp(),
        &k,
        &[as_bin!("m", as_map!(1 => "one")), as_bin!("n", 0)],
    )
    .unwrap();
    let before = get(&db, &k);

    let e = err(
        &db,
        &k,
        maps::put_with("m", 1, "uno", MapWriteMode::CreateOnly),
    );
    assert!(matches!(e, Error::ElementExists(_)), "{e:?}");
    assert_eq!(e.result_code() as i32, 24);
    assert_eq!(get(&db, &k), before);

    let e = err(
        &db,
        &k,
        maps::put_with("m", 2, "two", MapWriteMode::UpdateOnly),
    );
    assert!(matches!(e, Error::ElementNotFound(_)), "{e:?}");
    assert_eq!(e.result_code() as i32, 23);
    assert_eq!(get(&db, &k), before);

    // With earlier writes in the same call: nothing is applied.
    let e = db
        .operate(
            &wp(),
            &k,
            &[
                ops::add(&Bin::new("n", 5)),
                maps::put("m", 3, "three"),
                maps::put_with("m", 1, "x", MapWriteMode::CreateOnly),
            ],
        )
        .unwrap_err();
    assert!(matches!(e, Error::ElementExists(_)), "{e:?}");
    assert_eq!(get(&db, &k), before);

    // UpdateOnly on a missing record creates nothing.
    let missing = as_key!("test", "maps", "missing");
    let e = err(
        &db,
        &missing,
        maps::put_with("m", 1, 1, MapWriteMode::UpdateOnly),
    );
    assert!(matches!(e, Error::ElementNotFound(_)), "{e:?}");
    assert!(!db.exists(&ReadPolicy::default(), &missing).unwrap());
}

#[test]
fn wrong_bin_type_is_bin_type_mismatch() {
    let dir = tempfile::tempdir().unwrap();
    let db = open(dir.path());
    let k = as_key!("test", "types", 1);
    db.put(
        &wp(),
        &k,
        &[
            as_bin!("m", as_map!("a" => 1)),
            as_bin!("l", as_list!(1)),
            as_bin!("i", 5),
        ],
    )
    .unwrap();
    let before = get(&db, &k);
    for op in [
        lists::append("m", 1),
        lists::size("m"),
        lists::get("m", 0),
        lists::clear("m"),
        maps::put("l", "a", 1),
        maps::size("l"),
        maps::get_by_key("l", "a"),
        lists::append("i", 1),
        maps::increment("i", "a", 1),
        maps::increment("m", "a", 1.0),
    ] {
        let e = err(&db, &k, op.clone());
        assert!(matches!(e, Error::BinTypeMismatch { .. }), "{op:?}: {e:?}");
        assert_eq!(e.result_code() as i32, 12);
        assert_eq!(get(&db, &k), before, "{op:?}");
    }
}

fn nested() -> Value {
    as_map!(
        "list" => as_list!(
            as_map!("inner" => as_list!(1, 2, as_list!(3, as_list!()))),
            as_map!(),
            Value::Blob(vec![0, 1, 254, 255]),
            Value::Blob(vec![]),
        ),
        "floats" => as_list!(-0.0, 0.0, 1.5, f64::INFINITY, f64::NEG_INFINITY, f64::MIN_POSITIVE, f64::MAX),
        "bools" => as_list!(true, false),
        "nil" => Value::Nil,
        "str" => "ünïcödé",
        1 => "int key",
        -1 => i64::MIN,
        vec![1u8, 2] => "blob key",
    )
}

fn check_negative_zero(v: &Value) {
    let Value::Map(m) = v else {
        panic!("not a map: {v:?}")
    };
    let Some(Value::List(floats)) = m.get(&Value::from("floats")) else {
        panic!("no floats: {v:?}")
    };
    match (&floats[0], &floats[1]) {
        (Value::Float(neg), Value::Float(pos)) => {
            assert_eq!(neg.to_bits(), (-0.0f64).to_bits());
            assert_eq!(pos.to_bits(), 0.0f64.to_bits());
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn nested_values_round_trip_exactly_including_reopen() {
    let dir = tempfile::tempdir().unwrap();
    let k = as_key!("test", "nested", 1);
    let value = nested();
    let list_of_maps = as_list!(value.clone(), as_map!("x" => as_list!(-0.0)));
    {
        let db = open(dir.path());
        let r = db
            .operate(
                &wp(),
                &k,
                &[
                    ops::put(&Bin::new("v", value.clone())),
                    ops::put(&Bin::new("l", list_of_maps.clone())),
                    maps::put("m", "deep", value.clone()),
                    ops::get_bin("v"),
                ],
            )
            .unwrap();
        assert_eq!(r.bins["v"], value);
        check_negative_zero(&r.bins["v"]);
        let rec = get(&db, &k);
        assert_eq!(rec.bins["v"], value);
        assert_eq!(rec.bins["l"], list_of_maps);
        assert_eq!(rec.bins["m"], as_map!("deep" => value.clone()));
        check_negative_zero(&rec.bins["v"]);
        assert_eq!(
            run(&db, &k, "m", maps::get_by_key("m", "deep")),
            Some(value.clone())
        );
        assert_eq!(run(&db, &k, "l", lists::get("l", 0)), Some(value.clone()));
        assert_eq!(
            run(&db, &k, "l", lists::get_range("l", -1, None)),
            Some(as_list!(as_map!("x" => as_list!(-0.0))))
        );
        db.close().unwrap();
    }
    let db = open(dir.path());
    let rec = get(&db, &k);
    assert_eq!(rec.bins["v"], value);
    assert_eq!(rec.bins["l"], list_of_maps);
    assert_eq!(rec.bins["m"], as_map!("deep" => value.clone()));
    check_negative_zero(&rec.bins["v"]);
    check_negative_zero(&run(&db, &k, "l", lists::pop("l", 0)).unwrap());
    assert_eq!(
        get(&db, &k).bins["l"],
        as_list!(as_map!("x" => as_list!(-0.0)))
    );
}
