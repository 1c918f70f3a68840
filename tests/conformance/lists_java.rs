//! List operations from aerospike/aerospike-client-java,
//! test/src/com/aerospike/test/sync/basic/TestOperateList.java. The sources
//! run several ops in one operate call and read a list of results; here each
//! op runs in its own call (aerolite reports one result per bin,
//! docs/semantics.md, "Differences from Aerospike" → "operate and CDT operations") and each result is checked as the source
//! states it.

use crate::common::*;
use aerolite::operations::{self as ops, lists};
use aerolite::*;
use tempfile::TempDir;

const BIN: &str = "oplistbin";

fn open(name: &str) -> (TempDir, Db, Key) {
    let dir = tempfile::tempdir().unwrap();
    let db = Db::open_with(dir.path(), Options::default().background_maintenance(false)).unwrap();
    (dir, db, as_key!("test", "java", name))
}

fn one(db: &Db, key: &Key, op: Operation) -> Value {
    db.operate(&wp(), key, &[op])
        .unwrap()
        .bins
        .get(BIN)
        .cloned()
        .unwrap_or(Value::Nil)
}

fn strs(v: &[&str]) -> Vec<Value> {
    v.iter().map(|s| Value::from(*s)).collect()
}

// operateList1: append 55 → 1, append 77 → 2, pop(-1) → 77, size → 1.
#[test]
fn java_operate_list1() {
    let (_d, db, key) = open("oplkey1");
    assert_eq!(one(&db, &key, lists::append(BIN, 55)), Value::Int(1));
    assert_eq!(one(&db, &key, lists::append(BIN, 77)), Value::Int(2));
    assert_eq!(one(&db, &key, lists::pop(BIN, -1)), Value::Int(77));
    assert_eq!(one(&db, &key, lists::size(BIN)), Value::Int(1));
}

// operateList2: appendItems [12, -8734, "my string"] with a put of
// "otherbin"; insert(-1, 8) → 4; append "goodbye" + get → "hellogoodbye";
// getRange(0, 4) → [12, -8734, 8, "my string"]; getRange(3) → ["my string"].
#[test]
fn java_operate_list2() {
    let (_d, db, key) = open("oplkey2");
    let items = vec![Value::Int(12), Value::Int(-8734), Value::from("my string")];
    db.operate(
        &wp(),
        &key,
        &[
            lists::append_items(BIN, items),
            ops::put(&as_bin!("otherbin", "hello")),
        ],
    )
    .unwrap();
    assert_eq!(one(&db, &key, lists::insert(BIN, -1, 8)), Value::Int(4));
    let rec = db
        .operate(
            &wp(),
            &key,
            &[
                ops::append(&as_bin!("otherbin", "goodbye")),
                ops::get_bin("otherbin"),
            ],
        )
        .unwrap();
    assert_eq!(rec.bins["otherbin"], Value::from("hellogoodbye"));
    assert_eq!(
        one(&db, &key, lists::get_range(BIN, 0, Some(4))),
        as_list!(12, -8734, 8, "my string")
    );
    assert_eq!(
        one(&db, &key, lists::get_range(BIN, 3, None)),
        as_list!("my string")
    );
}

fn seven_strs() -> Vec<Value> {
    strs(&["str1", "str2", "str3", "str4", "str5", "str6", "str7"])
}

// operateList3 ("Test out of bounds conditions"): appendItems of 7 → 7,
// get(2) → "str3", getRange(6, 4) → ["str7"], getRange(-7, 3) → str1..str3,
// getRange(0, 2) → str1, str2, getRange(-2, 4) → str6, str7.
#[test]
fn java_operate_list3() {
    let (_d, db, key) = open("oplkey3");
    assert_eq!(
        one(&db, &key, lists::append_items(BIN, seven_strs())),
        Value::Int(7)
    );
    assert_eq!(one(&db, &key, lists::get(BIN, 2)), Value::from("str3"));
    assert_eq!(
        one(&db, &key, lists::get_range(BIN, 6, Some(4))),
        Value::List(strs(&["str7"]))
    );
    assert_eq!(
        one(&db, &key, lists::get_range(BIN, -7, Some(3))),
        Value::List(strs(&["str1", "str2", "str3"]))
    );
    assert_eq!(
        one(&db, &key, lists::get_range(BIN, 0, Some(2))),
        Value::List(strs(&["str1", "str2"]))
    );
    assert_eq!(
        one(&db, &key, lists::get_range(BIN, -2, Some(4))),
        Value::List(strs(&["str6", "str7"]))
    );
}

// operateList3, the commented-out ops: on the 7-item list, get(7), get(-8),
// getRange(7, 1) and getRange(-8, 1) each "causes entire command to fail".
// The Python suite gives the code for a single out-of-range index:
// OP_NOT_APPLICABLE (26). The getRange comment predates the server's
// by-index-range rewrite: server 8 clamps a range to the list
// (`calc_index_count` with `is_multi`, as_particle cdt code), so an
// out-of-range range is an empty list there, and in aerolite
// (docs/semantics.md, "Differences from Aerospike" does not list it: it is
// not a difference from server 8).
#[test]
fn java_operate_list3_out_of_bounds_fail() {
    let (_d, db, key) = open("oplkey3");
    one(&db, &key, lists::append_items(BIN, seven_strs()));
    for op in [lists::get(BIN, 7), lists::get(BIN, -8)] {
        let err = db.operate(&wp(), &key, &[op]).unwrap_err();
        assert_eq!(err.result_code(), ResultCode::OpNotApplicable, "{err:?}");
    }
    for op in [
        lists::get_range(BIN, 7, Some(1)),
        lists::get_range(BIN, -8, Some(1)),
    ] {
        assert_eq!(one(&db, &key, op), Value::List(vec![]));
    }
}

// operateList4 ("Test all value types"), the part aerolite has:
// appendItems of [true, 55, "string value", [12, -8734.81, "my string"],
// b"string bytes", 99.99, {9: "data 9", -2: "data -2"}] → 7, and
// getRange(0, 100) returns them all. (The set/popRange/removeRange steps
// need the list operations branch.)
#[test]
fn java_operate_list4_all_value_types() {
    let (_d, db, key) = open("oplkey4");
    let items = vec![
        Value::Bool(true),
        Value::Int(55),
        Value::from("string value"),
        as_list!(12, -8734.81, "my string"),
        Value::Blob(b"string bytes".to_vec()),
        Value::Float(99.99),
        as_map!(9 => "data 9", -2 => "data -2"),
    ];
    assert_eq!(
        one(&db, &key, lists::append_items(BIN, items.clone())),
        Value::Int(7)
    );
    assert_eq!(
        one(&db, &key, lists::get_range(BIN, 0, Some(100))),
        Value::List(items)
    );
}

// operateList6 ("Test clear"): put otherbin = 11, get → 11; appendItems of 5
// → 5; clear (no result); size → 0.
#[test]
fn java_operate_list6_clear() {
    let (_d, db, key) = open("oplkey6");
    let rec = db
        .operate(
            &wp(),
            &key,
            &[ops::put(&as_bin!("otherbin", 11)), ops::get_bin("otherbin")],
        )
        .unwrap();
    assert_eq!(rec.bins["otherbin"], Value::Int(11));
    let items = strs(&[
        "s11",
        "s22222",
        "s3333333",
        "s4444444444",
        "s5555555555555555",
    ]);
    assert_eq!(
        one(&db, &key, lists::append_items(BIN, items)),
        Value::Int(5)
    );
    assert_eq!(one(&db, &key, lists::clear(BIN)), Value::Nil);
    assert_eq!(one(&db, &key, lists::size(BIN)), Value::Int(0));
}

// operateList7 ("Test null values"): appendItems ["s11", null, "s3333333"]
// → 3; get(0) "s11", get(1) null, get(2) "s3333333".
#[test]
fn java_operate_list7_null_values() {
    let (_d, db, key) = open("oplkey7");
    let items = vec![Value::from("s11"), Value::Nil, Value::from("s3333333")];
    assert_eq!(
        one(&db, &key, lists::append_items(BIN, items)),
        Value::Int(3)
    );
    assert_eq!(one(&db, &key, lists::get(BIN, 0)), Value::from("s11"));
    assert_eq!(one(&db, &key, lists::get(BIN, 1)), Value::Nil);
    assert_eq!(one(&db, &key, lists::get(BIN, 2)), Value::from("s3333333"));
}

// operateList8 ("Test increment"): [1, 2, 3]; increment(2) → 4, again → 5,
// increment(1, 7) → 9, again → 16; get(0) → 1.
#[test]
fn java_operate_list8_increment() {
    let (_d, db, key) = open("oplkey8");
    let items = vec![Value::Int(1), Value::Int(2), Value::Int(3)];
    assert_eq!(
        one(&db, &key, lists::append_items(BIN, items)),
        Value::Int(3)
    );
    assert_eq!(one(&db, &key, lists::increment(BIN, 2, 1)), Value::Int(4));
    assert_eq!(one(&db, &key, lists::increment(BIN, 2, 1)), Value::Int(5));
    assert_eq!(one(&db, &key, lists::increment(BIN, 1, 7)), Value::Int(9));
    assert_eq!(one(&db, &key, lists::increment(BIN, 1, 7)), Value::Int(16));
    assert_eq!(one(&db, &key, lists::get(BIN, 0)), Value::Int(1));
}

// Skipped: operateList5 (trim) and the rest of operateList4 (set, popRange,
// removeRange) need the list operations branch; operateListSwitchSort needs
// ordered lists (setOrder); operateListSort needs ListSortFlags
// DROP_DUPLICATES, which aerolite's sort does not have.
