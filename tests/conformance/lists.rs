//! List operations: aerospike/aerospike-client-rust tests/src/cdt_list.rs
//! (fn cdt_list, split into one test per step, each starting from the list
//! the source has at that step), and the Python client's list tests.
//!
//! aerolite reports one result per bin (the last op's; docs/semantics.md, "Differences from
//! Aerospike" → "operate and CDT operations") where the Rust client returns a MultiResult for several ops on one
//! bin, so `[op, get_bin]` pairs are checked as the op's result plus a read.

use crate::common::*;
use aerolite::operations::lists;
use aerolite::*;
use tempfile::TempDir;

fn open() -> (TempDir, Db) {
    let dir = tempfile::tempdir().unwrap();
    let db = Db::open_with(dir.path(), Options::default().background_maintenance(false)).unwrap();
    (dir, db)
}

/// A record ("test", "cdt", -1) with `bin` = `list`.
fn with_list(list: Value) -> (TempDir, Db, Key) {
    let (d, db) = open();
    let key = as_key!("test", "cdt", -1);
    db.put(&wp(), &key, &[as_bin!("bin", list)]).unwrap();
    (d, db, key)
}

fn run(db: &Db, key: &Key, op: Operation) -> Option<Value> {
    db.operate(&wp(), key, &[op])
        .unwrap()
        .bins
        .get("bin")
        .cloned()
}

fn read(db: &Db, key: &Key, bin: &str) -> Value {
    db.get(&rp(), key, Bins::All).unwrap().bins[bin].clone()
}

fn seven() -> Value {
    as_list!("0", 9, 8, 7, 1, 2.1f64, -1)
}

// ---- aerospike/aerospike-client-rust, tests/src/cdt_list.rs, fn cdt_list ----

// put ["0", 1, 2.1] and read it back; lists::size is 3.
#[test]
fn rust_cdt_list_put_get_size() {
    let (_d, db, key) = with_list(as_list!("0", 1, 2.1f64));
    assert_eq!(read(&db, &key, "bin"), as_list!("0", 1, 2.1f64));
    assert_eq!(run(&db, &key, lists::size("bin")), Some(Value::Int(3)));
}

// pop(0) on ["0", 9, 8, 7, 1, 2.1] returns "0", leaves [9, 8, 7, 1, 2.1].
#[test]
fn rust_cdt_list_pop() {
    let (_d, db, key) = with_list(as_list!("0", 9, 8, 7, 1, 2.1f64));
    assert_eq!(run(&db, &key, lists::pop("bin", 0)), Some(Value::from("0")));
    assert_eq!(read(&db, &key, "bin"), as_list!(9, 8, 7, 1, 2.1f64));
}

// clear + append_items(["0", 9, 8, 7, 1, 2.1]) returns 6.
#[test]
fn rust_cdt_list_clear_append_items() {
    let (_d, db, key) = with_list(as_list!(7));
    let items = vec![
        Value::from("0"),
        Value::Int(9),
        Value::Int(8),
        Value::Int(7),
        Value::Int(1),
        Value::Float(2.1),
    ];
    let rec = db
        .operate(
            &wp(),
            &key,
            &[lists::clear("bin"), lists::append_items("bin", items)],
        )
        .unwrap();
    assert_eq!(rec.bins["bin"], Value::Int(6));
    assert_eq!(read(&db, &key, "bin"), as_list!("0", 9, 8, 7, 1, 2.1f64));
}

// increment(1, 4) on ["0", 9, ...] returns 13.
#[test]
fn rust_cdt_list_increment() {
    let (_d, db, key) = with_list(as_list!("0", 9, 8, 7, 1, 2.1f64));
    assert_eq!(
        run(&db, &key, lists::increment("bin", 1, 4)),
        Some(Value::Int(13))
    );
}

// remove(1) on ["0", 13, 8, 7, 1, 2.1] returns 1, leaves ["0", 8, 7, 1, 2.1].
#[test]
fn rust_cdt_list_remove() {
    let (_d, db, key) = with_list(as_list!("0", 13, 8, 7, 1, 2.1f64));
    assert_eq!(run(&db, &key, lists::remove("bin", 1)), Some(Value::Int(1)));
    assert_eq!(read(&db, &key, "bin"), as_list!("0", 8, 7, 1, 2.1f64));
}

// get(1) on ["0", 9, 8, 7, 1, 2.1, -1] is 9.
#[test]
fn rust_cdt_list_get() {
    let (_d, db, key) = with_list(seven());
    assert_eq!(run(&db, &key, lists::get("bin", 1)), Some(Value::Int(9)));
}

// get_range(1, -1) is [9, 8, 7, 1, 2.1, -1]: the source's count of -1 reads
// to the end; aerolite's count is unsigned, `None` means "to the end".
#[test]
fn rust_cdt_list_get_range() {
    let (_d, db, key) = with_list(seven());
    assert_eq!(
        run(&db, &key, lists::get_range("bin", 1, None)),
        Some(as_list!(9, 8, 7, 1, 2.1f64, -1))
    );
}

// get_range_from(2) is [8, 7, 1, 2.1, -1].
#[test]
fn rust_cdt_list_get_range_from() {
    let (_d, db, key) = with_list(seven());
    assert_eq!(
        run(&db, &key, lists::get_range("bin", 2, None)),
        Some(as_list!(8, 7, 1, 2.1f64, -1))
    );
}

// sort(Default) then get_bin: [-1, 1, 7, 8, 9, "0", 2.1] — Aerospike orders
// integers before strings before floats.
#[test]
fn rust_cdt_list_sort() {
    let (_d, db, key) = with_list(seven());
    let rec = db.operate(&wp(), &key, &[lists::sort("bin")]).unwrap();
    assert!(rec.bins.is_empty());
    assert_eq!(
        read(&db, &key, "bin"),
        as_list!(-1, 1, 7, 8, 9, "0", 2.1f64)
    );
}

// fn cdt_list_increment_by_one: increment index 1 of [10, 20, 30] by one
// returns 21, the list is [10, 21, 30].
#[test]
fn rust_cdt_list_increment_by_one() {
    let (_d, db, key) = with_list(as_list!(10, 20, 30));
    assert_eq!(
        run(&db, &key, lists::increment("bin", 1, 1)),
        Some(Value::Int(21))
    );
    assert_eq!(read(&db, &key, "bin"), as_list!(10, 21, 30));
}

// fn cdt_list_increment_by_one_with_policy: index 0 of [10, 20, 30] → 11.
#[test]
fn rust_cdt_list_increment_by_one_with_policy() {
    let (_d, db, key) = with_list(as_list!(10, 20, 30));
    assert_eq!(
        run(&db, &key, lists::increment("bin", 0, 1)),
        Some(Value::Int(11))
    );
    assert_eq!(read(&db, &key, "bin"), as_list!(11, 20, 30));
}

// Cases using the list operations in the shape of the Rust client
// (insert_items, pop_range, remove_range, set, trim, get_by_*/remove_by_*
// with ListReturnType).
mod client_shaped_ops {
    use super::*;
    use aerolite::operations::lists::ListReturnType;

    // rust cdt_list: insert_items(1, [9, 8, 7]) on ["0", 1, 2.1] returns 6,
    // the list is ["0", 9, 8, 7, 1, 2.1].
    #[test]
    fn rust_cdt_list_insert_items() {
        let (_d, db, key) = with_list(as_list!("0", 1, 2.1f64));
        let v = vec![Value::Int(9), Value::Int(8), Value::Int(7)];
        assert_eq!(
            run(&db, &key, lists::insert_items("bin", 1, v)),
            Some(Value::Int(6))
        );
        assert_eq!(read(&db, &key, "bin"), as_list!("0", 9, 8, 7, 1, 2.1f64));
    }

    // rust cdt_list: pop_range(0, 2) on [9, 8, 7, 1, 2.1] returns [9, 8].
    #[test]
    fn rust_cdt_list_pop_range() {
        let (_d, db, key) = with_list(as_list!(9, 8, 7, 1, 2.1f64));
        assert_eq!(
            run(&db, &key, lists::pop_range("bin", 0, 2)),
            Some(as_list!(9, 8))
        );
        assert_eq!(read(&db, &key, "bin"), as_list!(7, 1, 2.1f64));
    }

    // rust cdt_list: pop_range_from(1) on [7, 1, 2.1] returns [1, 2.1].
    #[test]
    fn rust_cdt_list_pop_range_from() {
        let (_d, db, key) = with_list(as_list!(7, 1, 2.1f64));
        assert_eq!(
            run(&db, &key, lists::pop_range_from("bin", 1)),
            Some(as_list!(1, 2.1f64))
        );
        assert_eq!(read(&db, &key, "bin"), as_list!(7));
    }

    // rust cdt_list: remove_range(1, 2) on ["0", 8, 7, 1, 2.1] returns 2.
    #[test]
    fn rust_cdt_list_remove_range() {
        let (_d, db, key) = with_list(as_list!("0", 8, 7, 1, 2.1f64));
        assert_eq!(
            run(&db, &key, lists::remove_range("bin", 1, 2)),
            Some(Value::Int(2))
        );
        assert_eq!(read(&db, &key, "bin"), as_list!("0", 1, 2.1f64));
    }

    // rust cdt_list: remove_range_from(-1) on ["0", 1, 2.1] returns 1.
    #[test]
    fn rust_cdt_list_remove_range_from() {
        let (_d, db, key) = with_list(as_list!("0", 1, 2.1f64));
        assert_eq!(
            run(&db, &key, lists::remove_range_from("bin", -1)),
            Some(Value::Int(1))
        );
        assert_eq!(read(&db, &key, "bin"), as_list!("0", 1));
    }

    // rust cdt_list: set(-1, 2) on ["0", 1] gives ["0", 2].
    #[test]
    fn rust_cdt_list_set() {
        let (_d, db, key) = with_list(as_list!("0", 1));
        run(&db, &key, lists::set("bin", -1, 2));
        assert_eq!(read(&db, &key, "bin"), as_list!("0", 2));
    }

    // rust cdt_list: trim(1, 1) on the 7 items returns 6, leaves [9].
    #[test]
    fn rust_cdt_list_trim() {
        let (_d, db, key) = with_list(seven());
        assert_eq!(
            run(&db, &key, lists::trim("bin", 1, 1)),
            Some(Value::Int(6))
        );
        assert_eq!(read(&db, &key, "bin"), as_list!(9));
    }

    // rust cdt_list: remove_by_value(9, Count) is 1.
    #[test]
    fn rust_cdt_list_remove_by_value() {
        let (_d, db, key) = with_list(seven());
        assert_eq!(
            run(
                &db,
                &key,
                lists::remove_by_value("bin", 9, ListReturnType::Count)
            ),
            Some(Value::Int(1))
        );
    }

    // rust cdt_list: after sort, remove_by_index(1, Values) is 1.
    #[test]
    fn rust_cdt_list_remove_by_index() {
        let (_d, db, key) = with_list(as_list!(-1, 1, 7, 8, 9, "0", 2.1f64));
        assert_eq!(
            run(
                &db,
                &key,
                lists::remove_by_index("bin", 1, ListReturnType::Values)
            ),
            Some(Value::Int(1))
        );
    }

    // rust cdt_list: remove_by_rank(2, Values) on [8, 7, 1, 2.1, -1] is 7.
    #[test]
    fn rust_cdt_list_remove_by_rank() {
        let (_d, db, key) = with_list(as_list!(8, 7, 1, 2.1f64, -1));
        assert_eq!(
            run(
                &db,
                &key,
                lists::remove_by_rank("bin", 2, ListReturnType::Values)
            ),
            Some(Value::Int(7))
        );
    }

    // rust cdt_list: get_by_value(1, Count) is 1.
    #[test]
    fn rust_cdt_list_get_by_value() {
        let (_d, db, key) = with_list(seven());
        assert_eq!(
            run(
                &db,
                &key,
                lists::get_by_value("bin", 1, ListReturnType::Count)
            ),
            Some(Value::Int(1))
        );
    }

    // rust cdt_list: get_by_index(3, Values) is 7.
    #[test]
    fn rust_cdt_list_get_by_index() {
        let (_d, db, key) = with_list(seven());
        assert_eq!(
            run(
                &db,
                &key,
                lists::get_by_index("bin", 3, ListReturnType::Values)
            ),
            Some(Value::Int(7))
        );
    }

    // rust cdt_list: get_by_index_range(3, Values) is [7, 1, 2.1, -1].
    #[test]
    fn rust_cdt_list_get_by_index_range() {
        let (_d, db, key) = with_list(seven());
        assert_eq!(
            run(
                &db,
                &key,
                lists::get_by_index_range("bin", 3, ListReturnType::Values)
            ),
            Some(as_list!(7, 1, 2.1f64, -1))
        );
    }

    // rust cdt_list: get_by_rank(2, Values) is 7.
    #[test]
    fn rust_cdt_list_get_by_rank() {
        let (_d, db, key) = with_list(seven());
        assert_eq!(
            run(
                &db,
                &key,
                lists::get_by_rank("bin", 2, ListReturnType::Values)
            ),
            Some(Value::Int(7))
        );
    }

    // rust cdt_list: get_by_rank_range(4, Values) is [9, "0", 2.1].
    #[test]
    fn rust_cdt_list_get_by_rank_range() {
        let (_d, db, key) = with_list(seven());
        assert_eq!(
            run(
                &db,
                &key,
                lists::get_by_rank_range("bin", 4, ListReturnType::Values)
            ),
            Some(as_list!(9, "0", 2.1f64))
        );
    }
}
