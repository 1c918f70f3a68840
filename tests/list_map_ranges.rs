//! The list range / selection operations and the map selection operations
//! of issue 9 (`lists::insert_items`, `pop_range`, `remove_range`, `set`,
//! `trim`, `get_by_*` / `remove_by_*` with `ListReturnType`;
//! `maps::put_items_with`, `get_by_*` / `remove_by_*` with `MapReturnType`)
//! through `Db::operate` on stored records, with Aerospike server 8's
//! return values and result codes.

use aerolite::operations::lists::{self, ListReturnType as L};
use aerolite::operations::maps::{self, MapReturnType as M};
use aerolite::operations::Operation;
use aerolite::*;
use std::path::Path;

mod common;
use common::*;

fn open(dir: &Path) -> Db {
    Db::open_with(
        dir,
        Options::default()
            .segment_size(64 * 1024)
            .background_maintenance(false),
    )
    .unwrap()
}

/// Runs one operation; returns what it reported for `bin`.
fn run(db: &Db, key: &Key, bin: &str, op: Operation) -> Option<Value> {
    let r = db.operate(&wp(), key, &[op]).unwrap();
    r.bins.get(bin).cloned()
}

fn code(db: &Db, key: &Key, op: Operation) -> i32 {
    db.operate(&wp(), key, &[op]).unwrap_err().result_code() as i32
}

fn stored(db: &Db, key: &Key, bin: &str) -> Value {
    db.get(&rp(), key, Bins::All).unwrap().bins[bin].clone()
}

fn put(db: &Db, key: &Key, bin: &str, v: Value) {
    db.put(&wp(), key, &[Bin::new(bin, v)]).unwrap();
}

fn ints(v: &[i64]) -> Vec<Value> {
    v.iter().map(|&i| Value::Int(i)).collect()
}

#[test]
fn list_range_operations_on_stored_records() {
    let dir = tempfile::tempdir().unwrap();
    let db = open(dir.path());
    let k = as_key!("test", "lr", 1);
    // insert_items creates the bin and returns the size.
    let r = run(&db, &k, "l", lists::insert_items("l", 0, ints(&[1, 2, 3])));
    assert_eq!(r, Some(Value::Int(3)));
    assert_eq!(
        run(&db, &k, "l", lists::insert_items("l", -1, ints(&[8, 9]))),
        Some(Value::Int(5))
    );
    assert_eq!(stored(&db, &k, "l"), as_list!(1, 2, 8, 9, 3));
    // A negative index before the start: OP_NOT_APPLICABLE (26), no change.
    assert_eq!(code(&db, &k, lists::insert_items("l", -6, ints(&[0]))), 26);
    assert_eq!(code(&db, &k, lists::insert_items("l", 0, vec![])), 4);
    // set: no result; pads past the end.
    assert_eq!(run(&db, &k, "l", lists::set("l", 6, "x")), None);
    assert_eq!(
        stored(&db, &k, "l"),
        as_list!(1, 2, 8, 9, 3, Value::Nil, "x")
    );
    assert_eq!(run(&db, &k, "l", lists::set("l", -2, 0)), None);
    assert_eq!(code(&db, &k, lists::set("l", -8, 0)), 26);
    // pop_range returns the items; ranges clamp.
    assert_eq!(
        run(&db, &k, "l", lists::pop_range("l", -2, 5)),
        Some(as_list!(0, "x"))
    );
    assert_eq!(
        run(&db, &k, "l", lists::pop_range("l", 10, 1)),
        Some(as_list!())
    );
    assert_eq!(
        run(&db, &k, "l", lists::pop_range_from("l", 3)),
        Some(as_list!(9, 3))
    );
    assert_eq!(stored(&db, &k, "l"), as_list!(1, 2, 8));
    // remove_range returns the count.
    assert_eq!(
        run(&db, &k, "l", lists::remove_range("l", -9, 8)),
        Some(Value::Int(2))
    );
    assert_eq!(stored(&db, &k, "l"), as_list!(8));
    put(&db, &k, "l", as_list!(0, 1, 2, 3, 4, 5));
    assert_eq!(
        run(&db, &k, "l", lists::remove_range_from("l", -2)),
        Some(Value::Int(2))
    );
    // trim keeps [index, index + count) and returns the count removed.
    assert_eq!(
        run(&db, &k, "l", lists::trim("l", 1, 2)),
        Some(Value::Int(2))
    );
    assert_eq!(stored(&db, &k, "l"), as_list!(1, 2));
    assert_eq!(
        run(&db, &k, "l", lists::get_range_from("l", -1)),
        Some(as_list!(2))
    );
    // An empty list stays empty; a missing bin reads nil.
    assert_eq!(
        run(&db, &k, "l", lists::trim("l", 5, 1)),
        Some(Value::Int(2))
    );
    assert_eq!(stored(&db, &k, "l"), as_list!());
    assert_eq!(
        run(&db, &k, "l", lists::pop_range_from("l", 0)),
        Some(as_list!())
    );
    for op in [
        lists::pop_range("none", 0, 1),
        lists::remove_range_from("none", 0),
        lists::trim("none", 0, 1),
    ] {
        assert_eq!(run(&db, &k, "none", op), Some(Value::Nil));
    }
    // A list op on a map bin: BIN_TYPE_ERROR (12).
    put(&db, &k, "m", as_map!(1 => 1));
    assert_eq!(code(&db, &k, lists::pop_range("m", 0, 1)), 12);
    db.close().unwrap();
}

#[test]
fn list_selection_by_index_rank_and_value() {
    let dir = tempfile::tempdir().unwrap();
    let db = open(dir.path());
    let k = as_key!("test", "ls", 1);
    // The list of aerospike-client-rust tests/src/cdt_list.rs (rank test).
    let list = as_list!("0", 9, 8, 7, 1, 2.1f64, -1);
    put(&db, &k, "l", list.clone());
    let cases = [
        (lists::get_by_index("l", -1, L::Values), Value::Int(-1)),
        (lists::get_by_index("l", 1, L::Rank), Value::Int(4)),
        (lists::get_by_index("l", 1, L::ReverseIndex), Value::Int(5)),
        (lists::get_by_rank("l", 2, L::Values), Value::Int(7)),
        (lists::get_by_rank("l", 0, L::Index), Value::Int(6)),
        (lists::get_by_rank("l", -1, L::ReverseRank), Value::Int(0)),
        (
            lists::get_by_rank_range("l", 4, L::Values),
            as_list!(9, "0", 2.1f64),
        ),
        (
            lists::get_by_index_range_count("l", 2, 3, L::Values),
            as_list!(8, 7, 1),
        ),
        (
            lists::get_by_index_range_count("l", -9, 3, L::Index),
            as_list!(0),
        ),
        (lists::get_by_value("l", 7, L::Index), as_list!(3)),
        (lists::get_by_value("l", 5, L::Exists), Value::Bool(false)),
        (
            lists::get_by_value_list("l", ints(&[1, 9]), L::Values),
            as_list!(9, 1),
        ),
        (
            lists::get_by_value_range("l", 2, 9, L::Values),
            as_list!(8, 7),
        ),
        (
            lists::get_by_value_range("l", "0", Value::Nil, L::Count),
            Value::Int(2),
        ),
    ];
    for (op, want) in cases {
        let got = run(&db, &k, "l", op.clone());
        assert_eq!(got, Some(want), "{op:?}");
    }
    assert_eq!(
        run(&db, &k, "l", lists::get_by_index("l", 0, L::None)),
        None
    );
    // Single index / rank out of range: OP_NOT_APPLICABLE.
    for op in [
        lists::get_by_index("l", 7, L::Values),
        lists::get_by_index("l", -8, L::Values),
        lists::get_by_rank("l", 7, L::Values),
        lists::remove_by_index("l", 7, L::Values),
        lists::remove_by_rank("l", -8, L::Values),
    ] {
        assert_eq!(code(&db, &k, op), 26);
    }
    let rec = db.get(&rp(), &k, Bins::All).unwrap();
    assert_eq!((rec.bins["l"].clone(), rec.generation), (list, 1));
    // Removals.
    assert_eq!(
        run(&db, &k, "l", lists::remove_by_rank("l", 0, L::Values)),
        Some(Value::Int(-1))
    );
    assert_eq!(
        run(
            &db,
            &k,
            "l",
            lists::remove_by_value_list("l", ints(&[9, 8]), L::Index)
        ),
        Some(as_list!(1, 2))
    );
    assert_eq!(stored(&db, &k, "l"), as_list!("0", 7, 1, 2.1f64));
    assert_eq!(
        run(
            &db,
            &k,
            "l",
            lists::remove_by_value_range("l", L::Count, 0, 10)
        ),
        Some(Value::Int(2))
    );
    assert_eq!(
        run(
            &db,
            &k,
            "l",
            lists::remove_by_index_range_count("l", 0, 1, L::Values)
        ),
        Some(as_list!("0"))
    );
    assert_eq!(
        run(&db, &k, "l", lists::remove_by_value("l", 2.1f64, L::None)),
        None
    );
    assert_eq!(stored(&db, &k, "l"), as_list!());
    assert_eq!(
        run(&db, &k, "l", lists::remove_by_rank_range("l", 0, L::Values)),
        Some(as_list!())
    );
    // Missing bin: nil, or nothing for ListReturnType::None.
    assert_eq!(
        run(&db, &k, "x", lists::get_by_index("x", 0, L::Values)),
        Some(Value::Nil)
    );
    assert_eq!(
        run(&db, &k, "x", lists::remove_by_index("x", 0, L::None)),
        None
    );
    db.close().unwrap();
}

#[test]
fn map_selection_and_put_items_with() {
    let dir = tempfile::tempdir().unwrap();
    let db = open(dir.path());
    let k = as_key!("test", "ms", 1);
    let items: Vec<(Value, Value)> = [("a", 3), ("b", 1), ("c", 2), ("d", 1)]
        .into_iter()
        .map(|(k, v)| (Value::from(k), Value::Int(v)))
        .collect();
    let mode = MapWriteMode::UpdateOnly;
    // On a missing bin (here a missing record) UpdateOnly finds no key.
    assert_eq!(
        code(&db, &k, maps::put_items_with("m", items.clone(), mode)),
        23
    );
    assert!(!db.exists(&rp(), &k).unwrap());
    let mode = MapWriteMode::CreateOnly;
    assert_eq!(
        run(&db, &k, "m", maps::put_items_with("m", items.clone(), mode)),
        Some(Value::Int(4))
    );
    // ELEMENT_EXISTS (24) / ELEMENT_NOT_FOUND (23), changing nothing.
    assert_eq!(
        code(&db, &k, maps::put_items_with("m", items.clone(), mode)),
        24
    );
    let new_key = vec![(Value::from("e"), Value::Int(5))];
    let upd = MapWriteMode::UpdateOnly;
    assert_eq!(code(&db, &k, maps::put_items_with("m", new_key, upd)), 23);
    let m = as_map!("a" => 3, "b" => 1, "c" => 2, "d" => 1);
    assert_eq!(stored(&db, &k, "m"), m);
    let cases = [
        (maps::get_by_index("m", -1, M::Key), Value::from("d")),
        (maps::get_by_index("m", 0, M::KeyValue), as_map!("a" => 3)),
        (maps::get_by_rank("m", -1, M::Key), Value::from("a")),
        (maps::get_by_rank("m", 1, M::Key), Value::from("d")),
        (
            maps::get_by_rank_range("m", 0, 3, M::Value),
            as_list!(1, 1, 2),
        ),
        (
            maps::get_by_index_range("m", 1, 2, M::Key),
            as_list!("b", "c"),
        ),
        (
            maps::get_by_index_range("m", -9, 5, M::Count),
            Value::Int(0),
        ),
        (maps::get_by_value("m", 1, M::Key), as_list!("b", "d")),
        (maps::get_by_value("m", 1, M::ReverseIndex), as_list!(2, 0)),
        (
            maps::get_by_key_list("m", vec![Value::from("d"), Value::from("a")], M::KeyValue),
            as_map!("a" => 3, "d" => 1),
        ),
        (
            maps::get_by_key_list("m", vec![Value::from("z")], M::Exists),
            Value::Bool(false),
        ),
    ];
    for (op, want) in cases {
        let got = run(&db, &k, "m", op.clone());
        assert_eq!(got, Some(want), "{op:?}");
    }
    for op in [
        maps::get_by_index("m", 4, M::Key),
        maps::get_by_rank("m", -5, M::Value),
        maps::remove_by_rank("m", 4, M::Value),
    ] {
        assert_eq!(code(&db, &k, op), 26);
    }
    assert_eq!(
        code(
            &db,
            &k,
            maps::get_by_key_list("m", vec![Value::Float(1.0)], M::Key)
        ),
        4
    );
    assert_eq!(stored(&db, &k, "m"), m);
    // Removals.
    assert_eq!(
        run(
            &db,
            &k,
            "m",
            maps::remove_by_key_list("m", vec![Value::from("b")], M::Value)
        ),
        Some(as_list!(1))
    );
    assert_eq!(
        run(&db, &k, "m", maps::remove_by_value("m", 2, M::Count)),
        Some(Value::Int(1))
    );
    assert_eq!(
        run(&db, &k, "m", maps::remove_by_rank("m", 0, M::KeyValue)),
        Some(as_map!("d" => 1))
    );
    assert_eq!(stored(&db, &k, "m"), as_map!("a" => 3));
    assert_eq!(
        run(&db, &k, "m", maps::remove_by_index("m", 0, M::None)),
        None
    );
    assert_eq!(stored(&db, &k, "m"), as_map!());
    assert_eq!(
        run(
            &db,
            &k,
            "m",
            maps::remove_by_rank_range_from("m", 0, M::Key)
        ),
        Some(as_list!())
    );
    assert_eq!(
        run(
            &db,
            &k,
            "m",
            maps::remove_by_index_range_from("m", 0, M::Count)
        ),
        Some(Value::Int(0))
    );
    // Missing bin reads nil; a map op on a list bin is BIN_TYPE_ERROR.
    assert_eq!(
        run(&db, &k, "x", maps::get_by_rank("x", 0, M::Key)),
        Some(Value::Nil)
    );
    put(&db, &k, "l", as_list!(1));
    assert_eq!(code(&db, &k, maps::get_by_index("l", 0, M::Key)), 12);
    db.close().unwrap();
}

#[test]
fn range_and_selection_results_survive_reopen() {
    let dir = tempfile::tempdir().unwrap();
    let k = as_key!("test", "rt", 1);
    {
        let db = open(dir.path());
        let ops = [
            lists::insert_items("l", 0, ints(&[5, 4, 3, 2, 1])),
            lists::remove_by_rank("l", 0, L::None),
            lists::set("l", 0, "first"),
            maps::put_items_with(
                "m",
                vec![
                    (Value::Int(1), Value::from("x")),
                    (Value::Int(2), Value::from("y")),
                ],
                MapWriteMode::CreateOnly,
            ),
            maps::remove_by_index("m", 0, M::None),
        ];
        let r = db.operate(&wp(), &k, &ops).unwrap();
        assert_eq!(r.generation, 1);
        db.close().unwrap();
    }
    let db = open(dir.path());
    let rec = db.get(&rp(), &k, Bins::All).unwrap();
    assert_eq!(rec.bins["l"], as_list!("first", 4, 3, 2));
    assert_eq!(rec.bins["m"], as_map!(2 => "y"));
    let r = db
        .operate(
            &wp(),
            &k,
            &[
                lists::pop_range("l", 1, 2),
                maps::get_by_index("m", 0, M::KeyValue),
            ],
        )
        .unwrap();
    assert_eq!(r.bins["l"], as_list!(4, 3));
    assert_eq!(r.bins["m"], as_map!(2 => "y"));
    db.close().unwrap();
}

/// Operands of the new operations count for the depth check (refused
/// before any copy) and are dropped without recursion.
#[test]
fn deep_operands_of_the_new_operations_are_refused() {
    fn deep(levels: usize) -> Value {
        let mut v = Value::Int(1);
        for _ in 0..levels {
            v = Value::List(vec![v]);
        }
        v
    }
    let run = std::thread::Builder::new()
        .stack_size(256 * 1024)
        .spawn(|| {
            let dir = tempfile::tempdir().unwrap();
            let db = open(dir.path());
            let k = as_key!("test", "deep", 1);
            let ops = [
                lists::insert_items("l", 0, vec![deep(10_000)]),
                lists::set("l", 0, deep(10_000)),
                lists::get_by_value("l", deep(10_000), L::Count),
                lists::remove_by_value_list("l", vec![deep(10_000)], L::Count),
                lists::get_by_value_range("l", deep(10_000), Value::Nil, L::Count),
                maps::put_items_with(
                    "m",
                    vec![(Value::Int(1), deep(10_000))],
                    MapWriteMode::Update,
                ),
                maps::remove_by_value("m", deep(10_000), M::Count),
            ];
            for op in ops {
                let e = db.operate(&wp(), &k, &[op]).unwrap_err();
                assert!(e.to_string().contains("nests deeper"), "{e}");
            }
            assert!(db.namespaces().is_empty());
            db.close().unwrap();
            drop(lists::insert_items("l", 0, vec![deep(100_000)]));
            drop(lists::get_by_value_list("l", vec![deep(100_000)], L::Count));
            drop(maps::put_items_with(
                "m",
                vec![(deep(100_000), deep(100_000))],
                MapWriteMode::CreateOnly,
            ));
        })
        .unwrap();
    run.join().unwrap();
}

/// Selections copy and rank items: they are charged to the call's work
/// budget, so one call cannot do unbounded work.
#[test]
fn selections_are_charged_to_the_operate_budget() {
    let dir = tempfile::tempdir().unwrap();
    let opts = Options::default()
        .background_maintenance(false)
        .namespace(NamespaceConfig::new("small").max_record_size(64 * 1024));
    let db = Db::open_with(dir.path(), opts).unwrap();
    let k = as_key!("small", "s", 1);
    let list = Value::List((0..5_000).map(Value::Int).collect());
    put(&db, &k, "l", list.clone());
    // One ranking fits; thousands of them in one call do not.
    let r = run(&db, &k, "l", lists::get_by_rank("l", -1, L::Values));
    assert_eq!(r, Some(Value::Int(4_999)));
    let ops: Vec<Operation> = (0..2_000)
        .map(|_| lists::get_by_rank_range("l", 0, L::Values))
        .collect();
    let e = db.operate(&wp(), &k, &ops).unwrap_err();
    assert_eq!(e.result_code() as i32, 4);
    assert!(e.to_string().contains("max_record_size"), "{e}");
    // insert_items past the record's item limit: RECORD_TOO_BIG.
    let e = db
        .operate(
            &wp(),
            &k,
            &[
                lists::insert_items("l", 70_000, ints(&[1])),
                lists::clear("l"),
            ],
        )
        .unwrap_err();
    assert!(matches!(e, Error::RecordTooBig { .. }), "{e:?}");
    assert_eq!(stored(&db, &k, "l"), list);
    db.close().unwrap();
}

/// The list range and selection steps of aerospike-client-rust
/// tests/src/cdt_list.rs `cdt_list`, with the values it expects from the
/// server (each multi-op step split, as aerolite reports the last result per
/// bin).
#[test]
fn aerospike_rust_client_cdt_list_steps() {
    let dir = tempfile::tempdir().unwrap();
    let db = open(dir.path());
    let k = as_key!("test", "cdt", -1);
    let reset = |db: &Db| put(db, &k, "bin", as_list!("0", 9, 8, 7, 1, 2.1f64, -1));
    put(&db, &k, "bin", as_list!("0", 1, 2.1f64));
    let values = ints(&[9, 8, 7]);
    let r = run(&db, &k, "bin", lists::insert_items("bin", 1, values));
    assert_eq!(r, Some(Value::Int(6)));
    assert_eq!(stored(&db, &k, "bin"), as_list!("0", 9, 8, 7, 1, 2.1f64));
    run(&db, &k, "bin", lists::pop("bin", 0));
    let r = run(&db, &k, "bin", lists::pop_range("bin", 0, 2));
    assert_eq!(r, Some(as_list!(9, 8)));
    let r = run(&db, &k, "bin", lists::pop_range_from("bin", 1));
    assert_eq!(r, Some(as_list!(1, 2.1f64)));
    assert_eq!(stored(&db, &k, "bin"), as_list!(7));
    put(&db, &k, "bin", as_list!("0", 8, 7, 1, 2.1f64));
    let r = run(&db, &k, "bin", lists::remove_range("bin", 1, 2));
    assert_eq!(r, Some(Value::Int(2)));
    let r = run(&db, &k, "bin", lists::remove_range_from("bin", -1));
    assert_eq!(r, Some(Value::Int(1)));
    run(&db, &k, "bin", lists::set("bin", -1, 2));
    assert_eq!(stored(&db, &k, "bin"), as_list!("0", 2));
    reset(&db);
    let r = run(&db, &k, "bin", lists::trim("bin", 1, 1));
    assert_eq!(r, Some(Value::Int(6)));
    assert_eq!(stored(&db, &k, "bin"), as_list!(9));
    reset(&db);
    let r = run(&db, &k, "bin", lists::get_range_from("bin", 2));
    assert_eq!(r, Some(as_list!(8, 7, 1, 2.1f64, -1)));
    let r = run(&db, &k, "bin", lists::remove_by_value("bin", 9, L::Count));
    assert_eq!(r, Some(Value::Int(1)));
    let r = run(
        &db,
        &k,
        "bin",
        lists::remove_by_value_list("bin", ints(&[8, 7]), L::Count),
    );
    assert_eq!(r, Some(Value::Int(2)));
    reset(&db);
    let r = run(
        &db,
        &k,
        "bin",
        lists::remove_by_value_range("bin", L::Count, 7, 9),
    );
    assert_eq!(r, Some(Value::Int(2)));
    reset(&db);
    run(&db, &k, "bin", lists::sort("bin"));
    assert_eq!(
        stored(&db, &k, "bin"),
        as_list!(-1, 1, 7, 8, 9, "0", 2.1f64)
    );
    let r = run(&db, &k, "bin", lists::remove_by_index("bin", 1, L::Values));
    assert_eq!(r, Some(Value::Int(1)));
    let r = run(
        &db,
        &k,
        "bin",
        lists::remove_by_index_range("bin", 4, L::Values),
    );
    assert_eq!(r, Some(as_list!("0", 2.1f64)));
    reset(&db);
    let r = run(
        &db,
        &k,
        "bin",
        lists::remove_by_index_range_count("bin", 0, 2, L::Values),
    );
    assert_eq!(r, Some(as_list!("0", 9)));
    let r = run(&db, &k, "bin", lists::remove_by_rank("bin", 2, L::Values));
    assert_eq!(r, Some(Value::Int(7)));
    let r = run(
        &db,
        &k,
        "bin",
        lists::remove_by_rank_range("bin", 2, L::Values),
    );
    assert_eq!(r, Some(as_list!(8, 2.1f64)));
    reset(&db);
    let r = run(
        &db,
        &k,
        "bin",
        lists::remove_by_rank_range_count("bin", 2, 2, L::Values),
    );
    assert_eq!(r, Some(as_list!(8, 7)));
    reset(&db);
    let cases = [
        (lists::get_by_value("bin", 1, L::Count), Value::Int(1)),
        (
            lists::get_by_value_list("bin", vec![Value::Int(1), Value::from("0")], L::Count),
            Value::Int(2),
        ),
        (
            lists::get_by_value_range("bin", 1, 9, L::Count),
            Value::Int(3),
        ),
        (lists::get_by_index("bin", 3, L::Values), Value::Int(7)),
        (
            lists::get_by_index_range("bin", 3, L::Values),
            as_list!(7, 1, 2.1f64, -1),
        ),
        (
            lists::get_by_index_range_count("bin", 0, 2, L::Values),
            as_list!("0", 9),
        ),
        (lists::get_by_rank("bin", 2, L::Values), Value::Int(7)),
        (
            lists::get_by_rank_range("bin", 4, L::Values),
            as_list!(9, "0", 2.1f64),
        ),
        (
            lists::get_by_rank_range_count("bin", 2, 2, L::Values),
            as_list!(8, 7),
        ),
    ];
    for (op, want) in cases {
        assert_eq!(run(&db, &k, "bin", op.clone()), Some(want), "{op:?}");
    }
    db.close().unwrap();
}

/// The map selection steps of aerospike-client-rust tests/src/cdt_map.rs
/// `map_operations`, with the values it expects from the server (the
/// relative-rank/index and key-range steps are not implemented).
#[test]
fn aerospike_rust_client_cdt_map_steps() {
    let dir = tempfile::tempdir().unwrap();
    let db = open(dir.path());
    let k = as_key!("test", "cdt", "map");
    let reset = |db: &Db| {
        let m = as_map!("a" => 1, "b" => 2, "c" => 3, "d" => 4, "e" => 5);
        put(db, &k, "bin", m)
    };
    reset(&db);
    let s = |v: &str| Value::from(v);
    let cases = [
        (maps::get_by_index("bin", 0, M::Value), Value::Int(1)),
        (
            maps::get_by_index_range("bin", 1, 2, M::Value),
            as_list!(2, 3),
        ),
        (
            maps::get_by_index_range_from("bin", 3, M::Value),
            as_list!(4, 5),
        ),
        (maps::get_by_value("bin", 5, M::Index), as_list!(4)),
        (
            maps::get_by_value_range("bin", 3, 5, M::Count),
            Value::Int(2),
        ),
        (maps::get_by_rank("bin", 2, M::Value), Value::Int(3)),
        (
            maps::get_by_rank_range("bin", 2, 3, M::Value),
            as_list!(3, 4, 5),
        ),
        (
            maps::get_by_rank_range_from("bin", 2, M::Count),
            Value::Int(3),
        ),
        (
            maps::get_by_key_list("bin", vec![s("b"), s("d")], M::Count),
            Value::Int(2),
        ),
        (
            maps::get_by_value_list("bin", ints(&[2, 3]), M::Count),
            Value::Int(2),
        ),
    ];
    for (op, want) in cases {
        assert_eq!(run(&db, &k, "bin", op.clone()), Some(want), "{op:?}");
    }
    let r = run(
        &db,
        &k,
        "bin",
        maps::remove_by_key_list("bin", vec![s("b"), s("d")], M::Count),
    );
    assert_eq!(r, Some(Value::Int(2)));
    // (remove_by_key_range "a".."c" removes "a": 1 in the source.)
    run(
        &db,
        &k,
        "bin",
        maps::remove_by_key_list("bin", vec![s("a")], M::None),
    );
    let r = run(&db, &k, "bin", maps::remove_by_value("bin", 5, M::Count));
    assert_eq!(r, Some(Value::Int(1)));
    assert_eq!(stored(&db, &k, "bin"), as_map!("c" => 3));
    reset(&db);
    let r = run(
        &db,
        &k,
        "bin",
        maps::remove_by_value_list("bin", ints(&[4, 5]), M::Count),
    );
    assert_eq!(r, Some(Value::Int(2)));
    let r = run(
        &db,
        &k,
        "bin",
        maps::remove_by_value_range("bin", 1, 3, M::Count),
    );
    assert_eq!(r, Some(Value::Int(2)));
    reset(&db);
    let r = run(&db, &k, "bin", maps::remove_by_index("bin", 1, M::Value));
    assert_eq!(r, Some(Value::Int(2)));
    let r = run(
        &db,
        &k,
        "bin",
        maps::remove_by_index_range("bin", 1, 2, M::Value),
    );
    assert_eq!(r, Some(as_list!(3, 4)));
    let r = run(
        &db,
        &k,
        "bin",
        maps::remove_by_index_range_from("bin", 1, M::Value),
    );
    assert_eq!(r, Some(as_list!(5)));
    reset(&db);
    let r = run(&db, &k, "bin", maps::remove_by_rank("bin", 1, M::Value));
    assert_eq!(r, Some(Value::Int(2)));
    let r = run(
        &db,
        &k,
        "bin",
        maps::remove_by_rank_range("bin", 1, 2, M::Value),
    );
    assert_eq!(r, Some(as_list!(3, 4)));
    reset(&db);
    let r = run(
        &db,
        &k,
        "bin",
        maps::remove_by_rank_range_from("bin", 3, M::Value),
    );
    assert_eq!(r, Some(as_list!(4, 5)));
    db.close().unwrap();
}
