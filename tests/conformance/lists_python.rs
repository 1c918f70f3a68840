//! List cases from aerospike/aerospike-client-python, test/new_tests
//! (test_list_get.py, test_list_pop.py, test_list_remove.py,
//! test_list_insert.py, test_list_set.py and test_operate.py).

use crate::common::*;
use aerolite::operations::lists;
use aerolite::*;
use tempfile::TempDir;

fn open() -> (TempDir, Db) {
    let dir = tempfile::tempdir().unwrap();
    let db = Db::open_with(dir.path(), Options::default().background_maintenance(false)).unwrap();
    (dir, db)
}

fn read(db: &Db, key: &Key, bin: &str) -> Value {
    db.get(&rp(), key, Bins::All).unwrap().bins[bin].clone()
}

// ---- aerospike/aerospike-client-python, test/new_tests ----

/// The fixture of test_list_get.py / test_list_pop.py / test_list_remove.py /
/// test_list_set.py: ("test", "demo", i) = {"name", "contact_no": [i, i+1],
/// "city": ["Pune", "Dehli"]}; key 2 gets [45, 50, 80] appended to contact_no.
fn python_list_fixture() -> (TempDir, Db) {
    let (d, db) = open();
    for i in 0..5i64 {
        let key = as_key!("test", "demo", i);
        db.put(
            &wp(),
            &key,
            &[
                as_bin!("name", format!("name{i}")),
                as_bin!("contact_no", as_list!(i, i + 1)),
                as_bin!("city", as_list!("Pune", "Dehli")),
            ],
        )
        .unwrap();
    }
    let k2 = as_key!("test", "demo", 2);
    db.operate(
        &wp(),
        &k2,
        &[lists::append("contact_no", as_list!(45, 50, 80))],
    )
    .unwrap();
    (d, db)
}

// test_list_get.py, test_pos_list_get_with_correct_paramters: city[0] = "Pune".
#[test]
fn python_list_get_with_correct_paramters() {
    let (_d, db) = python_list_fixture();
    let key = as_key!("test", "demo", 1);
    let rec = db.operate(&wp(), &key, &[lists::get("city", 0)]).unwrap();
    assert_eq!(rec.bins["city"], Value::from("Pune"));
}

// test_list_get.py, test_pos_list_get_with_correct_policy: contact_no[2] of
// key 2 is [45, 50, 80].
#[test]
fn python_list_get_with_correct_policy() {
    let (_d, db) = python_list_fixture();
    let key = as_key!("test", "demo", 2);
    let rec = db
        .operate(&wp(), &key, &[lists::get("contact_no", 2)])
        .unwrap();
    assert_eq!(rec.bins["contact_no"], as_list!(45, 50, 80));
}

// test_list_get.py, test_neg_list_get_with_nonexistent_key: code 2.
#[test]
fn python_list_get_with_nonexistent_key() {
    let (_d, db) = python_list_fixture();
    let key = as_key!("test", "demo", "nonexistent.com");
    let err = db
        .operate(&wp(), &key, &[lists::get("contact_no", 0)])
        .unwrap_err();
    assert_eq!(err.result_code(), ResultCode::KeyNotFoundError);
}

/// Expected by the Python suite for an out-of-range index: OpNotApplicable.
fn assert_op_not_applicable(r: Result<Record>) {
    let err = r.unwrap_err();
    assert_eq!(err.result_code(), ResultCode::OpNotApplicable, "{err:?}");
}

// test_list_get.py, test_neg_list_get_with_negative_index: get(-56) on a
// 2-item list is OpNotApplicable, code 26.
#[test]
fn python_list_get_with_negative_index() {
    let (_d, db) = python_list_fixture();
    let key = as_key!("test", "demo", 1);
    assert_op_not_applicable(db.operate(&wp(), &key, &[lists::get("contact_no", -56)]));
}

// test_list_pop.py, test_neg_list_pop_with_negative_index: code 26.
#[test]
fn python_list_pop_with_negative_index() {
    let (_d, db) = python_list_fixture();
    let key = as_key!("test", "demo", 1);
    assert_op_not_applicable(db.operate(&wp(), &key, &[lists::pop("contact_no", -56)]));
}

// test_list_remove.py, test_neg_list_remove_with_negative_index: code 26.
#[test]
fn python_list_remove_with_negative_index() {
    let (_d, db) = python_list_fixture();
    let key = as_key!("test", "demo", 1);
    assert_op_not_applicable(db.operate(&wp(), &key, &[lists::remove("contact_no", -56)]));
}

/// The fixture of test_list_insert.py: ("test", "demo", i) = {"name",
/// "age": [i, i+1], "city": ["Pune", "Dehli"]}.
fn python_insert_fixture() -> (TempDir, Db) {
    let (d, db) = open();
    for i in 0..5i64 {
        let key = as_key!("test", "demo", i);
        db.put(
            &wp(),
            &key,
            &[
                as_bin!("name", format!("name{i}")),
                as_bin!("age", as_list!(i, i + 1)),
                as_bin!("city", as_list!("Pune", "Dehli")),
            ],
        )
        .unwrap();
    }
    (d, db)
}

fn insert_case(key: i64, bin: &str, index: i64, value: Value, expected_bin: Value) {
    let (_d, db) = python_insert_fixture();
    let key = as_key!("test", "demo", key);
    db.operate(&wp(), &key, &[lists::insert(bin, index, value)])
        .unwrap();
    assert_eq!(read(&db, &key, bin), expected_bin);
}

// test_list_insert.py, test_pos_list_insert_value[insert_integer].
#[test]
fn python_list_insert_integer() {
    insert_case(1, "age", 0, Value::Int(999), as_list!(999, 1, 2));
}

// test_list_insert.py, test_pos_list_insert_value[inserts string].
#[test]
fn python_list_insert_string() {
    insert_case(
        1,
        "city",
        0,
        "Chennai".into(),
        as_list!("Chennai", "Pune", "Dehli"),
    );
}

// test_list_insert.py, test_pos_list_insert_value[insert unicode string]:
// index 3 of a 2-item list pads with one nil.
#[test]
fn python_list_insert_unicode_string_pads() {
    insert_case(
        1,
        "city",
        3,
        "Mumbai".into(),
        Value::List(vec![
            "Pune".into(),
            "Dehli".into(),
            Value::Nil,
            "Mumbai".into(),
        ]),
    );
}

// test_list_insert.py, test_pos_list_insert_value[Insert float]: index 7.
#[test]
fn python_list_insert_float_pads() {
    let mut v = vec![Value::Int(2), Value::Int(3)];
    v.extend(std::iter::repeat_n(Value::Nil, 5));
    v.push(Value::Float(85.12));
    insert_case(2, "age", 7, Value::Float(85.12), Value::List(v));
}

// test_list_insert.py, test_pos_list_insert_value[insert map].
#[test]
fn python_list_insert_map() {
    insert_case(
        3,
        "age",
        1,
        as_map!("k1" => 29),
        as_list!(3, as_map!("k1" => 29), 4),
    );
}

// test_list_insert.py, test_pos_list_insert_value[insert bytearray].
#[test]
fn python_list_insert_bytearray() {
    let b = Value::Blob(b"asd;as[d'as;d".to_vec());
    insert_case(
        1,
        "age",
        2,
        b.clone(),
        Value::List(vec![Value::Int(1), Value::Int(2), b]),
    );
}

// test_list_insert.py, test_pos_list_insert_value[insert boolean]: the
// source expects False stored as 0 (old servers had no boolean particle).
// Server 8 stores a boolean; aerolite keeps Value::Bool (docs/semantics.md
// has no boolean-to-int rule), so the padded list ends in false.
#[test]
fn python_list_insert_boolean() {
    let mut v = vec![Value::Int(1), Value::Int(2)];
    v.extend(std::iter::repeat_n(Value::Nil, 4));
    v.push(Value::Bool(false));
    insert_case(1, "age", 6, Value::Bool(false), Value::List(v));
}

// test_list_insert.py, test_pos_list_insert_list_with_correct_policy.
#[test]
fn python_list_insert_list_with_correct_policy() {
    let mut v = vec![Value::Int(2), Value::Int(3)];
    v.extend(std::iter::repeat_n(Value::Nil, 3));
    v.push(as_list!(45, 50, 80));
    insert_case(2, "age", 5, as_list!(45, 50, 80), Value::List(v));
}

// test_list_insert.py, test_pos_list_insert_with_nonexistent_key: a new
// record with {"abc": [None, None, 122]}.
#[test]
fn python_list_insert_with_nonexistent_key() {
    let (_d, db) = python_insert_fixture();
    let key = as_key!("test", "demo", "nonexistent.com");
    db.operate(&wp(), &key, &[lists::insert("abc", 2, 122)])
        .unwrap();
    let rec = db.get(&rp(), &key, Bins::All).unwrap();
    assert_eq!(rec.bins.len(), 1);
    assert_eq!(
        rec.bins["abc"],
        Value::List(vec![Value::Nil, Value::Nil, Value::Int(122)])
    );
}

// test_list_insert.py, test_pos_list_insert_with_nonexistent_bin: [None x3, 585].
#[test]
fn python_list_insert_with_nonexistent_bin() {
    let (_d, db) = python_insert_fixture();
    let key = as_key!("test", "demo", 1);
    db.operate(&wp(), &key, &[lists::insert("x.com", 3, 585)])
        .unwrap();
    let rec = db.get(&rp(), &key, Bins::All).unwrap();
    assert_eq!(rec.bins.len(), 4);
    assert_eq!(
        rec.bins["x.com"],
        Value::List(vec![Value::Nil, Value::Nil, Value::Nil, Value::Int(585)])
    );
}

// test_list_insert.py, test_neg_list_insert_index_negative: insert(-6) on a
// 2-item list is code 26.
#[test]
fn python_list_insert_index_negative() {
    let (_d, db) = python_insert_fixture();
    let key = as_key!("test", "demo", 1);
    assert_op_not_applicable(db.operate(&wp(), &key, &[lists::insert("age", -6, false)]));
}

/// test_operate.py's ("test", "demo", "list_key") = {"int_bin": [1, 2, 3, 4],
/// "string_bin": ["a", "b", "c", "d"]}.
fn python_operate_list_key() -> (TempDir, Db, Key) {
    let (d, db) = open();
    let key = as_key!("test", "demo", "list_key");
    db.put(
        &wp(),
        &key,
        &[
            as_bin!("int_bin", as_list!(1, 2, 3, 4)),
            as_bin!("string_bin", as_list!("a", "b", "c", "d")),
        ],
    )
    .unwrap();
    (d, db, key)
}

// test_operate.py, test_neg_operate_list_invalid_requests[get 7]: code 26.
#[test]
fn python_operate_list_invalid_requests_get() {
    let (_d, db, key) = python_operate_list_key();
    assert_op_not_applicable(db.operate(&wp(), &key, &[lists::get("int_bin", 7)]));
}

// test_operate.py, test_neg_operate_list_invalid_requests[clear, pop 2].
#[test]
fn python_operate_list_invalid_requests_clear_pop() {
    let (_d, db, key) = python_operate_list_key();
    assert_op_not_applicable(db.operate(
        &wp(),
        &key,
        &[lists::clear("int_bin"), lists::pop("int_bin", 2)],
    ));
}

// test_operate.py, test_neg_operate_list_invalid_requests[clear, remove 2].
#[test]
fn python_operate_list_invalid_requests_clear_remove() {
    let (_d, db, key) = python_operate_list_key();
    assert_op_not_applicable(db.operate(
        &wp(),
        &key,
        &[lists::clear("int_bin"), lists::remove("int_bin", 2)],
    ));
}

// test_operate.py, test_neg_operate_list_operation_bin_notlist: list insert
// on the int bin "age" is BinIncompatibleType, code 12.
#[test]
fn python_operate_list_operation_bin_notlist() {
    let (_d, db) = open();
    let key = as_key!("test", "demo", 1);
    db.put(&wp(), &key, &[as_bin!("name", "name1"), as_bin!("age", 1)])
        .unwrap();
    let err = db
        .operate(&wp(), &key, &[lists::insert("age", 2, 9)])
        .unwrap_err();
    assert_eq!(err.result_code(), ResultCode::BinTypeError);
    assert_eq!(read(&db, &key, "age"), Value::Int(1));
}

// Cases using lists::set.
mod client_shaped_ops {
    use super::*;

    // python test_list_set.py, test_neg_list_set_with_negative_index: 26.
    #[test]
    fn python_list_set_with_negative_index() {
        let (_d, db) = python_list_fixture();
        let key = as_key!("test", "demo", 1);
        assert_op_not_applicable(db.operate(&wp(), &key, &[lists::set("contact_no", -56, 12)]));
    }
}
