//! List operations through operate, from aerospike/aerospike-client-python,
//! test/new_tests/test_operate.py (fixture: see operate.rs).

use crate::operate::{exp, fixture, get, op, sorted};
use aerolite::operations::lists;
use aerolite::*;

// Skipped: test_pos_operate_incr_with_geospatial_new_record (no GeoJSON).

// test_pos_operate_with_list_addition_operations[append 7, get 4]: 7,
// list [1, 2, 3, 4, 7].
#[test]
fn python_operate_list_append_get() {
    let (_d, db) = fixture();
    let key = as_key!("test", "demo", "list_key");
    let rec = op(
        &db,
        &key,
        &[lists::append("int_bin", 7), lists::get("int_bin", 4)],
    );
    assert_eq!(sorted(&rec), exp(&[("int_bin", Value::Int(7))]));
    assert_eq!(get(&db, &key).bins["int_bin"], as_list!(1, 2, 3, 4, 7));
}

// [append_items [7, 9], get_range(3, 3)]: [4, 7, 9], list [1, 2, 3, 4, 7, 9].
#[test]
fn python_operate_list_append_items_get_range() {
    let (_d, db) = fixture();
    let key = as_key!("test", "demo", "list_key");
    let rec = op(
        &db,
        &key,
        &[
            lists::append_items("int_bin", vec![Value::Int(7), Value::Int(9)]),
            lists::get_range("int_bin", 3, Some(3)),
        ],
    );
    assert_eq!(sorted(&rec), exp(&[("int_bin", as_list!(4, 7, 9))]));
    assert_eq!(get(&db, &key).bins["int_bin"], as_list!(1, 2, 3, 4, 7, 9));
}

// [insert 7 at 2, pop 2]: 7, list [1, 2, 3, 4].
#[test]
fn python_operate_list_insert_pop() {
    let (_d, db) = fixture();
    let key = as_key!("test", "demo", "list_key");
    let rec = op(
        &db,
        &key,
        &[lists::insert("int_bin", 2, 7), lists::pop("int_bin", 2)],
    );
    assert_eq!(sorted(&rec), exp(&[("int_bin", Value::Int(7))]));
    assert_eq!(get(&db, &key).bins["int_bin"], as_list!(1, 2, 3, 4));
}

// Pending (need insert_items/pop_range/set): [insert_items [7, 9] at 2,
// pop_range(2, 2)] = [7, 9]; [set 2 = 18, get 2] = 18; [set 6 = 10, get 6] =
// 10 with list [1, 2, 3, 4, None, None, 10]; remove operations
// [remove_range(2, 2)] = [1, 2] and [trim(2, 2)] = [3, 4].

// test_pos_operate_with_list_remove_operations[remove 2]: [1, 2, 4].
#[test]
fn python_operate_list_remove() {
    let (_d, db) = fixture();
    let key = as_key!("test", "demo", "list_key");
    op(&db, &key, &[lists::remove("int_bin", 2)]);
    assert_eq!(get(&db, &key).bins["int_bin"], as_list!(1, 2, 4));
}

// test_pos_operate_with_list_remove_operations[clear]: [].
#[test]
fn python_operate_list_clear() {
    let (_d, db) = fixture();
    let key = as_key!("test", "demo", "list_key");
    op(&db, &key, &[lists::clear("int_bin")]);
    assert_eq!(get(&db, &key).bins["int_bin"], Value::List(vec![]));
}

// test_pos_operate_with_list_size: {"int_bin": 4}.
#[test]
fn python_operate_list_size() {
    let (_d, db) = fixture();
    let key = as_key!("test", "demo", "list_key");
    let rec = op(&db, &key, &[lists::size("int_bin")]);
    assert_eq!(sorted(&rec), exp(&[("int_bin", Value::Int(4))]));
}

// test_list_increment_with_valid_value: index 2 + 20 = 23, list [1, 2, 23, 4].
#[test]
fn python_list_increment_with_valid_value() {
    let (_d, db) = fixture();
    let key = as_key!("test", "demo", "list_key");
    let rec = op(&db, &key, &[lists::increment("int_bin", 2, 20)]);
    assert_eq!(sorted(&rec), exp(&[("int_bin", Value::Int(23))]));
    assert_eq!(get(&db, &key).bins["int_bin"], as_list!(1, 2, 23, 4));
}
