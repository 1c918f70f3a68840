//! operate cases from aerospike/aerospike-client-python,
//! test/new_tests/test_operate.py, class TestOperate. The fixture puts
//! ("test", "demo", i) = {"name": "name<i>", "age": i} for i in 0..5,
//! key 6 = {"age": 6.3}, "bytearray_key" = {"bytearray_bin": b"asd;as[d'as;d"},
//! "list_key" = {"int_bin": [1, 2, 3, 4], "string_bin": ["a", "b", "c", "d"]}
//! and "existing_key" = {"dict": {"a": 1}, "bytearray": b"abc", "float": 3.4,
//! "list": ["a"]}.

use crate::common::*;
use aerolite::operations as ops;
use aerolite::*;
use tempfile::TempDir;

const BYTES: &[u8] = b"asd;as[d'as;d";

pub(crate) fn fixture() -> (TempDir, Db) {
    let dir = tempfile::tempdir().unwrap();
    let db = Db::open_with(dir.path(), Options::default().background_maintenance(false)).unwrap();
    for i in 0..5i64 {
        let k = as_key!("test", "demo", i);
        db.put(
            &wp(),
            &k,
            &[as_bin!("name", format!("name{i}")), as_bin!("age", i)],
        )
        .unwrap();
    }
    db.put(&wp(), &as_key!("test", "demo", 6), &[as_bin!("age", 6.3)])
        .unwrap();
    db.put(
        &wp(),
        &as_key!("test", "demo", "bytearray_key"),
        &[as_bin!("bytearray_bin", BYTES)],
    )
    .unwrap();
    db.put(
        &wp(),
        &as_key!("test", "demo", "list_key"),
        &[
            as_bin!("int_bin", as_list!(1, 2, 3, 4)),
            as_bin!("string_bin", as_list!("a", "b", "c", "d")),
        ],
    )
    .unwrap();
    db.put(
        &wp(),
        &as_key!("test", "demo", "existing_key"),
        &[
            as_bin!("dict", as_map!("a" => 1)),
            as_bin!("bytearray", &b"abc"[..]),
            as_bin!("float", 3.4),
            as_bin!("list", as_list!("a")),
        ],
    )
    .unwrap();
    (dir, db)
}

pub(crate) fn sorted(rec: &Record) -> Vec<(String, Value)> {
    let mut v: Vec<_> = rec
        .bins
        .iter()
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    v.sort_by(|a, b| a.0.cmp(&b.0));
    v
}

pub(crate) fn exp(items: &[(&str, Value)]) -> Vec<(String, Value)> {
    let mut v: Vec<_> = items
        .iter()
        .map(|(k, v)| ((*k).to_owned(), v.clone()))
        .collect();
    v.sort_by(|a, b| a.0.cmp(&b.0));
    v
}

pub(crate) fn op(db: &Db, key: &Key, o: &[Operation]) -> Record {
    db.operate(&wp(), key, o).unwrap()
}

pub(crate) fn get(db: &Db, key: &Key) -> Record {
    db.get(&rp(), key, Bins::All).unwrap()
}

/// [append "aa" to name, incr age by 3, read name] → {"name": "name1aa"}.
fn name_aa() -> Vec<Operation> {
    vec![
        ops::append(&as_bin!("name", "aa")),
        ops::add(&as_bin!("age", 3)),
        ops::get_bin("name"),
    ]
}

// test_pos_operate_with_correct_paramters[prepend "ram", incr age 3, read
// name]: {"name": "ramname1"}.
#[test]
fn python_operate_prepend_incr_read() {
    let (_d, db) = fixture();
    let key = as_key!("test", "demo", 1);
    let rec = op(
        &db,
        &key,
        &[
            ops::prepend(&as_bin!("name", "ram")),
            ops::add(&as_bin!("age", 3)),
            ops::get_bin("name"),
        ],
    );
    assert_eq!(sorted(&rec), exp(&[("name", "ramname1".into())]));
}

// test_pos_operate_with_correct_paramters[with_write_float_value].
#[test]
fn python_operate_write_float_value() {
    let (_d, db) = fixture();
    let key = as_key!("test", "demo", 1);
    let rec = op(
        &db,
        &key,
        &[
            ops::put(&as_bin!("write_bin", as_map!("no" => 89.8))),
            ops::get_bin("write_bin"),
        ],
    );
    assert_eq!(sorted(&rec), exp(&[("write_bin", as_map!("no" => 89.8))]));
}

// test_pos_operate_with_correct_paramters[write positive].
#[test]
fn python_operate_write_positive() {
    let (_d, db) = fixture();
    let key = as_key!("test", "demo", 1);
    let rec = op(
        &db,
        &key,
        &[
            ops::put(&as_bin!("write_bin", as_map!("no" => 89))),
            ops::get_bin("write_bin"),
        ],
    );
    assert_eq!(sorted(&rec), exp(&[("write_bin", as_map!("no" => 89))]));
}

// Skipped: [write_tuple_positive] (Python tuples are a client-side
// serialization) and [with_bin_bytearray] (a bytearray bin name).

// test_pos_operate_with_correct_paramters[append_val bytearray].
#[test]
fn python_operate_append_bytearray() {
    let (_d, db) = fixture();
    let key = as_key!("test", "demo", "bytearray_key");
    let rec = op(
        &db,
        &key,
        &[
            ops::append(&as_bin!("bytearray_bin", &b"abc"[..])),
            ops::get_bin("bytearray_bin"),
        ],
    );
    assert_eq!(
        rec.bins["bytearray_bin"],
        Value::Blob(b"asd;as[d'as;dabc".to_vec())
    );
}

// test_pos_operate_with_correct_paramters[append_val bytearray_newrecord].
#[test]
fn python_operate_append_bytearray_new_record() {
    let (_d, db) = fixture();
    let key = as_key!("test", "demo", "bytearray_new");
    let rec = op(
        &db,
        &key,
        &[
            ops::append(&as_bin!("bytearray_bin", BYTES)),
            ops::get_bin("bytearray_bin"),
        ],
    );
    assert_eq!(rec.bins["bytearray_bin"], Value::Blob(BYTES.to_vec()));
}

// test_pos_operate_with_correct_paramters[prepend_valbytearray].
#[test]
fn python_operate_prepend_bytearray() {
    let (_d, db) = fixture();
    let key = as_key!("test", "demo", "bytearray_key");
    let rec = op(
        &db,
        &key,
        &[
            ops::prepend(&as_bin!("bytearray_bin", &b"abc"[..])),
            ops::get_bin("bytearray_bin"),
        ],
    );
    assert_eq!(
        rec.bins["bytearray_bin"],
        Value::Blob(b"abcasd;as[d'as;d".to_vec())
    );
}

// test_pos_operate_with_correct_paramters[prepend_valbytearray_newrecord].
#[test]
fn python_operate_prepend_bytearray_new_record() {
    let (_d, db) = fixture();
    let key = as_key!("test", "demo", "bytearray_new");
    let rec = op(
        &db,
        &key,
        &[
            ops::prepend(&as_bin!("bytearray_bin", BYTES)),
            ops::get_bin("bytearray_bin"),
        ],
    );
    assert_eq!(rec.bins["bytearray_bin"], Value::Blob(BYTES.to_vec()));
}

// test_pos_operate_with_increment_positive_float_value: 6.3 + 3.5 = 9.8.
#[test]
fn python_operate_increment_positive_float_value() {
    let (_d, db) = fixture();
    let key = as_key!("test", "demo", 6);
    let rec = op(
        &db,
        &key,
        &[ops::add(&as_bin!("age", 3.5)), ops::get_bin("age")],
    );
    assert_eq!(sorted(&rec), exp(&[("age", Value::Float(9.8))]));
}

// test_pos_operate_with_correct_policy (POLICY_KEY_SEND): {"name":
// "name1aa"}, and the key's digest is b7f4b838...c446c8.
#[test]
fn python_operate_with_correct_policy() {
    let (_d, db) = fixture();
    let key = as_key!("test", "demo", 1);
    let p = WritePolicy {
        send_key: true,
        ..wp()
    };
    let rec = db.operate(&p, &key, &name_aa()).unwrap();
    assert_eq!(sorted(&rec), exp(&[("name", "name1aa".into())]));
    assert_eq!(rec.key.as_ref().unwrap().user_key(), Some(&Value::Int(1)));
    assert_eq!(
        key.digest().to_hex(),
        "b7f4b83889e2da67de683e1df6919a1eacc446c8"
    );
}

fn gen_policy(gp: GenerationPolicy, generation: u32) -> WritePolicy {
    WritePolicy {
        generation_policy: gp,
        generation,
        expiration: Expiration::Seconds(1200),
        send_key: true,
        ..wp()
    }
}

fn current_gen(db: &Db, key: &Key) -> u32 {
    db.get(&rp(), key, Bins::None).unwrap().generation
}

// test_pos_operate_with_policy_gen_ignore: meta gen 10 is ignored.
#[test]
fn python_operate_with_policy_gen_ignore() {
    let (_d, db) = fixture();
    let key = as_key!("test", "demo", 1);
    let rec = db
        .operate(&gen_policy(GenerationPolicy::None, 10), &key, &name_aa())
        .unwrap();
    assert_eq!(sorted(&rec), exp(&[("name", "name1aa".into())]));
}

// test_pos_operate_with_policy_gen_EQ: the current generation succeeds.
#[test]
fn python_operate_with_policy_gen_eq() {
    let (_d, db) = fixture();
    let key = as_key!("test", "demo", 1);
    let g = current_gen(&db, &key);
    let rec = db
        .operate(
            &gen_policy(GenerationPolicy::ExpectGenEqual, g),
            &key,
            &name_aa(),
        )
        .unwrap();
    assert_eq!(sorted(&rec), exp(&[("name", "name1aa".into())]));
}

// test_pos_operate_with_policy_gen_EQ_not_equal: code 3, bins unchanged
// {"age": 1, "name": "name1"}.
#[test]
fn python_operate_with_policy_gen_eq_not_equal() {
    let (_d, db) = fixture();
    let key = as_key!("test", "demo", 1);
    let g = current_gen(&db, &key);
    let err = db
        .operate(
            &gen_policy(GenerationPolicy::ExpectGenEqual, g + 5),
            &key,
            &name_aa(),
        )
        .unwrap_err();
    assert_eq!(err.result_code(), ResultCode::GenerationError);
    assert_eq!(
        sorted(&get(&db, &key)),
        exp(&[("age", Value::Int(1)), ("name", "name1".into())])
    );
}

// test_pos_operate_with_policy_gen_GT_lesser: code 3, bins unchanged.
#[test]
fn python_operate_with_policy_gen_gt_lesser() {
    let (_d, db) = fixture();
    let key = as_key!("test", "demo", 1);
    let g = current_gen(&db, &key);
    let err = db
        .operate(
            &gen_policy(GenerationPolicy::ExpectGenGreater, g),
            &key,
            &name_aa(),
        )
        .unwrap_err();
    assert_eq!(err.result_code(), ResultCode::GenerationError);
    assert_eq!(
        sorted(&get(&db, &key)),
        exp(&[("age", Value::Int(1)), ("name", "name1".into())])
    );
}

// test_pos_operate_with_policy_gen_GT: gen + 5 succeeds.
#[test]
fn python_operate_with_policy_gen_gt() {
    let (_d, db) = fixture();
    let key = as_key!("test", "demo", 1);
    let g = current_gen(&db, &key);
    let rec = db
        .operate(
            &gen_policy(GenerationPolicy::ExpectGenGreater, g + 5),
            &key,
            &name_aa(),
        )
        .unwrap();
    assert_eq!(sorted(&rec), exp(&[("name", "name1aa".into())]));
}

// test_pos_operate_touch_with_meta: touch with ttl 1200; bins unchanged and
// 800 < ttl <= 1300.
#[test]
fn python_operate_touch_with_meta() {
    let (_d, db) = fixture();
    let key = as_key!("test", "demo", 1);
    db.operate(&ttl(1200), &key, &[ops::touch()]).unwrap();
    let rec = get(&db, &key);
    assert_eq!(
        sorted(&rec),
        exp(&[("age", Value::Int(1)), ("name", "name1".into())])
    );
    let t = rec.time_to_live().unwrap().as_secs();
    assert!(t > 800 && t <= 1300, "{t}");
}

// test_pos_operate_with_nonexistent_key: prepend "mumbai" creates {"loc": "mumbai"}.
#[test]
fn python_operate_with_nonexistent_key() {
    let (_d, db) = fixture();
    let key = as_key!("test", "demo", "key11");
    let rec = op(
        &db,
        &key,
        &[ops::prepend(&as_bin!("loc", "mumbai")), ops::get_bin("loc")],
    );
    assert_eq!(sorted(&rec), exp(&[("loc", "mumbai".into())]));
}

// test_pos_operate_with_nonexistent_bin: append "pune" gives {"addr": "pune"}.
#[test]
fn python_operate_with_nonexistent_bin() {
    let (_d, db) = fixture();
    let key = as_key!("test", "demo", 1);
    let rec = op(
        &db,
        &key,
        &[ops::append(&as_bin!("addr", "pune")), ops::get_bin("addr")],
    );
    assert_eq!(sorted(&rec), exp(&[("addr", "pune".into())]));
}

// test_pos_operate_increment_nonexistent_key: {"age": 5}.
#[test]
fn python_operate_increment_nonexistent_key() {
    let (_d, db) = fixture();
    let key = as_key!("test", "demo", "non_existentkey");
    op(&db, &key, &[ops::add(&as_bin!("age", 5))]);
    assert_eq!(sorted(&get(&db, &key)), exp(&[("age", Value::Int(5))]));
}

// test_pos_operate_increment_nonexistent_bin: {"my_age": 5, "age": 1, "name": "name1"}.
#[test]
fn python_operate_increment_nonexistent_bin() {
    let (_d, db) = fixture();
    let key = as_key!("test", "demo", 1);
    op(&db, &key, &[ops::add(&as_bin!("my_age", 5))]);
    assert_eq!(
        sorted(&get(&db, &key)),
        exp(&[
            ("my_age", Value::Int(5)),
            ("age", Value::Int(1)),
            ("name", "name1".into())
        ])
    );
}

// test_pos_operate_write_set_to_aerospike_null: write nil to "no", read
// "no": {} (the bin is gone).
#[test]
fn python_operate_write_set_to_aerospike_null() {
    let (_d, db) = fixture();
    let key = as_key!("test", "demo", "null_record");
    db.put(&wp(), &key, &[as_bin!("name", "John"), as_bin!("no", 3)])
        .unwrap();
    let rec = op(
        &db,
        &key,
        &[ops::put(&as_bin!("no", Value::Nil)), ops::get_bin("no")],
    );
    assert!(rec.bins.is_empty());
    assert_eq!(sorted(&get(&db, &key)), exp(&[("name", "John".into())]));
}

// test_pos_operate_prepend_set_to_aerospike_null: prepend nil is code 4.
#[test]
fn python_operate_prepend_set_to_aerospike_null() {
    let (_d, db) = fixture();
    let key = as_key!("test", "demo", "null_record");
    db.put(&wp(), &key, &[as_bin!("name", "John"), as_bin!("no", 3)])
        .unwrap();
    let err = db
        .operate(
            &wp(),
            &key,
            &[ops::prepend(&as_bin!("no", Value::Nil)), ops::get_bin("no")],
        )
        .unwrap_err();
    assert_eq!(err.result_code(), ResultCode::ParameterError);
}

// test_pos_operate_new_record[prepend_with_int]: on a new record the server
// creates the bin with the operand: {"age": 4}.
#[test]
fn python_operate_new_record_prepend_with_int() {
    let (_d, db) = fixture();
    let key = as_key!("test", "demo", "prepend_int");
    let rec = op(
        &db,
        &key,
        &[ops::prepend(&as_bin!("age", 4)), ops::get_bin("age")],
    );
    assert_eq!(sorted(&rec), exp(&[("age", Value::Int(4))]));
}

// test_pos_operate_new_record[append_with_dict]: {"dict": {"a": 1, "b": 2}}.
#[test]
fn python_operate_new_record_append_with_dict() {
    let (_d, db) = fixture();
    let key = as_key!("test", "demo", "append_dict");
    let rec = op(
        &db,
        &key,
        &[
            ops::append(&as_bin!("dict", as_map!("a" => 1, "b" => 2))),
            ops::get_bin("dict"),
        ],
    );
    assert_eq!(sorted(&rec), exp(&[("dict", as_map!("a" => 1, "b" => 2))]));
}

// test_pos_operate_new_record[incr_with_string]: {"name": "aerospike"}.
#[test]
fn python_operate_new_record_incr_with_string() {
    let (_d, db) = fixture();
    let key = as_key!("test", "demo", "incr_string");
    let rec = op(
        &db,
        &key,
        &[
            ops::add(&as_bin!("name", "aerospike")),
            ops::get_bin("name"),
        ],
    );
    assert_eq!(sorted(&rec), exp(&[("name", "aerospike".into())]));
}

/// test_pos_operate_prepend_with_existing_record: each case expects
/// BinIncompatibleType, code 12.
fn bin_type_error(key: Key, o: Operation) {
    let (_d, db) = fixture();
    let before = get(&db, &key);
    let err = db.operate(&wp(), &key, &[o]).unwrap_err();
    assert_eq!(err.result_code(), ResultCode::BinTypeError, "{err:?}");
    assert_eq!(get(&db, &key), before);
}

// test_pos_operate_prepend_with_existing_record[int]: prepend 4 to the int bin "age".
#[test]
fn python_operate_prepend_existing_int() {
    bin_type_error(as_key!("test", "demo", 1), ops::prepend(&as_bin!("age", 4)));
}

// test_pos_operate_prepend_with_existing_record[Existing list]: prepend ["c"].
#[test]
fn python_operate_prepend_existing_list() {
    bin_type_error(
        as_key!("test", "demo", "existing_key"),
        ops::prepend(&as_bin!("list", as_list!("c"))),
    );
}

// test_pos_operate_prepend_with_existing_record[Existing dict]: append {"c": 2}.
#[test]
fn python_operate_append_existing_dict() {
    bin_type_error(
        as_key!("test", "demo", "existing_key"),
        ops::append(&as_bin!("dict", as_map!("c" => 2))),
    );
}

// test_pos_operate_prepend_with_existing_record[Exiting float]: append 3.4.
#[test]
fn python_operate_append_existing_float() {
    bin_type_error(
        as_key!("test", "demo", "existing_key"),
        ops::append(&as_bin!("float", 3.4)),
    );
}

// test_pos_operate_prepend_with_existing_record[Existing string]: incr "aerospike".
#[test]
fn python_operate_incr_existing_string() {
    bin_type_error(
        as_key!("test", "demo", 1),
        ops::add(&as_bin!("name", "aerospike")),
    );
}

// test_pos_operate_prepend_with_existing_record[Existing Bytearray]: incr b"abc".
#[test]
fn python_operate_incr_existing_bytearray() {
    bin_type_error(
        as_key!("test", "demo", "existing_key"),
        ops::add(&as_bin!("bytearray", &b"abc"[..])),
    );
}
