//! Map operations: aerospike/aerospike-client-rust, tests/src/cdt_map.rs,
//! fn map_operations, split into one test per step, each starting from the
//! map the source has at that step.
//!
//! aerolite reports one result per bin (the last op's; docs/semantics.md, "Differences from
//! Aerospike" → "operate and CDT operations") where the Rust client returns a list of results for several ops on one
//! bin.

use crate::common::*;
use aerolite::operations::maps;
use aerolite::*;
use tempfile::TempDir;

fn with_map(map: Value) -> (TempDir, Db, Key) {
    let dir = tempfile::tempdir().unwrap();
    let db = Db::open_with(dir.path(), Options::default().background_maintenance(false)).unwrap();
    let key = as_key!("test", "cdtmap", "k");
    db.put(&wp(), &key, &[as_bin!("bin", map)]).unwrap();
    (dir, db, key)
}

fn ab() -> Value {
    as_map!("a" => 1, "b" => 2)
}

fn abcde() -> Value {
    as_map!("a" => 1, "b" => 2, "c" => 3, "d" => 4, "e" => 5)
}

fn run(db: &Db, key: &Key, op: Operation) -> Option<Value> {
    db.operate(&wp(), key, &[op])
        .unwrap()
        .bins
        .get("bin")
        .cloned()
}

fn read(db: &Db, key: &Key) -> Value {
    db.get(&rp(), key, Bins::All).unwrap().bins["bin"].clone()
}

// put_item("c", 3) on {a: 1, b: 2} "returns size of map after put": 3.
#[test]
fn rust_map_put_item_returns_size() {
    let (_d, db, key) = with_map(ab());
    assert_eq!(
        run(&db, &key, maps::put("bin", "c", 3)),
        Some(Value::Int(3))
    );
}

// size "returns size of map": 3; get returns {a: 1, b: 2, c: 3}.
#[test]
fn rust_map_size_and_get() {
    let (_d, db, key) = with_map(as_map!("a" => 1, "b" => 2, "c" => 3));
    assert_eq!(run(&db, &key, maps::size("bin")), Some(Value::Int(3)));
    assert_eq!(read(&db, &key), as_map!("a" => 1, "b" => 2, "c" => 3));
}

// put_items({d: 4, e: 5}) "returns size of map after put": 5.
#[test]
fn rust_map_put_items_returns_size() {
    let (_d, db, key) = with_map(as_map!("a" => 1, "b" => 2, "c" => 3));
    let items = vec![("d".into(), Value::Int(4)), ("e".into(), Value::Int(5))];
    assert_eq!(
        run(&db, &key, maps::put_items("bin", items)),
        Some(Value::Int(5))
    );
}

// remove_by_key("e", MapReturnType::Value) returns 5.
#[test]
fn rust_map_remove_by_key_value() {
    let (_d, db, key) = with_map(abcde());
    assert_eq!(
        run(&db, &key, maps::remove_by_key("bin", "e")),
        Some(Value::Int(5))
    );
    assert_eq!(
        read(&db, &key),
        as_map!("a" => 1, "b" => 2, "c" => 3, "d" => 4)
    );
}

// increment_value("a", 19) "returns value of the key after increment": 20.
#[test]
fn rust_map_increment_value() {
    let (_d, db, key) = with_map(as_map!("a" => 1, "b" => 2, "c" => 3, "d" => 4));
    assert_eq!(
        run(&db, &key, maps::increment("bin", "a", 19)),
        Some(Value::Int(20))
    );
}

// decrement_value("a", 10) "returns value of the key after decrement": 10.
// aerolite has no decrement: increment by -10.
#[test]
fn rust_map_decrement_value() {
    let (_d, db, key) = with_map(as_map!("a" => 20, "b" => 2));
    assert_eq!(
        run(&db, &key, maps::increment("bin", "a", -10)),
        Some(Value::Int(10))
    );
}

// [decrement("a", 5), increment("a", 7)] on a = 10: the source gets [5, 12]
// ("values from multiple ops returned as list"); aerolite reports the last
// result per bin (docs/semantics.md, "Differences from Aerospike" → "operate and CDT operations"), 12, and stores 12.
#[test]
fn rust_map_multiple_ops_on_one_bin() {
    let (_d, db, key) = with_map(as_map!("a" => 10, "b" => 2));
    let rec = db
        .operate(
            &wp(),
            &key,
            &[
                maps::increment("bin", "a", -5),
                maps::increment("bin", "a", 7),
            ],
        )
        .unwrap();
    assert_eq!(rec.bins["bin"], Value::Int(12));
    assert_eq!(read(&db, &key), as_map!("a" => 12, "b" => 2));
}

// clear: "map_clear returns no result".
#[test]
fn rust_map_clear_returns_no_result() {
    let (_d, db, key) = with_map(ab());
    assert_eq!(run(&db, &key, maps::clear("bin")), None);
    assert_eq!(read(&db, &key), Value::Map(Default::default()));
}

// get_by_key("b", Value) on {a..e} is 2.
#[test]
fn rust_map_get_by_key() {
    let (_d, db, key) = with_map(abcde());
    assert_eq!(
        run(&db, &key, maps::get_by_key("bin", "b")),
        Some(Value::Int(2))
    );
}

// get_by_key_range("b", "d", Count) is 2. aerolite's get_by_key_range
// returns the entries (there is no return type yet): {b: 2, c: 3}, 2 of them.
#[test]
fn rust_map_get_by_key_range() {
    let (_d, db, key) = with_map(abcde());
    let got = run(&db, &key, maps::get_by_key_range("bin", "b", "d")).unwrap();
    assert_eq!(got, as_map!("b" => 2, "c" => 3));
    let Value::Map(m) = got else { unreachable!() };
    assert_eq!(m.len(), 2);
}

// The ctx step (get_by_key("y") in the nested map "ctxtest" = 8) is skipped:
// aerolite has no CDT contexts (operations on nested lists and maps).

// Cases using the map operations in the shape of the Rust client
// (get_by_index, get_by_rank, get_by_value, *_by_key_list, remove_by_*, with
// MapReturnType).
mod client_shaped_ops {
    use super::*;
    use aerolite::operations::maps::MapReturnType;

    // get_by_index(0, Value) is 1.
    #[test]
    fn rust_map_get_by_index() {
        let (_d, db, key) = with_map(abcde());
        assert_eq!(
            run(
                &db,
                &key,
                maps::get_by_index("bin", 0, MapReturnType::Value)
            ),
            Some(Value::Int(1))
        );
    }

    // get_by_index_range(1, 2, Value) is [2, 3].
    #[test]
    fn rust_map_get_by_index_range() {
        let (_d, db, key) = with_map(abcde());
        assert_eq!(
            run(
                &db,
                &key,
                maps::get_by_index_range("bin", 1, 2, MapReturnType::Value)
            ),
            Some(as_list!(2, 3))
        );
    }

    // get_by_value(5, Index) is [4].
    #[test]
    fn rust_map_get_by_value_index() {
        let (_d, db, key) = with_map(abcde());
        assert_eq!(
            run(
                &db,
                &key,
                maps::get_by_value("bin", 5, MapReturnType::Index)
            ),
            Some(as_list!(4))
        );
    }

    // get_by_rank(2, Value) is 3.
    #[test]
    fn rust_map_get_by_rank() {
        let (_d, db, key) = with_map(abcde());
        assert_eq!(
            run(&db, &key, maps::get_by_rank("bin", 2, MapReturnType::Value)),
            Some(Value::Int(3))
        );
    }

    // get_by_rank_range(2, 3, Value) is [3, 4, 5].
    #[test]
    fn rust_map_get_by_rank_range() {
        let (_d, db, key) = with_map(abcde());
        assert_eq!(
            run(
                &db,
                &key,
                maps::get_by_rank_range("bin", 2, 3, MapReturnType::Value)
            ),
            Some(as_list!(3, 4, 5))
        );
    }

    // get_by_key_list(["b", "d"], Count) is 2.
    #[test]
    fn rust_map_get_by_key_list() {
        let (_d, db, key) = with_map(abcde());
        let keys = vec![Value::from("b"), Value::from("d")];
        assert_eq!(
            run(
                &db,
                &key,
                maps::get_by_key_list("bin", keys, MapReturnType::Count)
            ),
            Some(Value::Int(2))
        );
    }

    // remove_by_key_list(["b", "d"], Count) is 2.
    #[test]
    fn rust_map_remove_by_key_list() {
        let (_d, db, key) = with_map(abcde());
        let keys = vec![Value::from("b"), Value::from("d")];
        assert_eq!(
            run(
                &db,
                &key,
                maps::remove_by_key_list("bin", keys, MapReturnType::Count)
            ),
            Some(Value::Int(2))
        );
        assert_eq!(read(&db, &key), as_map!("a" => 1, "c" => 3, "e" => 5));
    }

    // remove_by_value(5, Count) on {a: 1, c: 3, e: 5}... the source runs it
    // on {c: 3, e: 5} (after remove_by_key_range("a", "c")): 1.
    #[test]
    fn rust_map_remove_by_value() {
        let (_d, db, key) = with_map(as_map!("c" => 3, "e" => 5));
        assert_eq!(
            run(
                &db,
                &key,
                maps::remove_by_value("bin", 5, MapReturnType::Count)
            ),
            Some(Value::Int(1))
        );
    }

    // remove_by_index(1, Value) on {a..e} is 2.
    #[test]
    fn rust_map_remove_by_index() {
        let (_d, db, key) = with_map(abcde());
        assert_eq!(
            run(
                &db,
                &key,
                maps::remove_by_index("bin", 1, MapReturnType::Value)
            ),
            Some(Value::Int(2))
        );
    }

    // remove_by_rank(1, Value) on {a..e} is 2.
    #[test]
    fn rust_map_remove_by_rank() {
        let (_d, db, key) = with_map(abcde());
        assert_eq!(
            run(
                &db,
                &key,
                maps::remove_by_rank("bin", 1, MapReturnType::Value)
            ),
            Some(Value::Int(2))
        );
    }
}
