//! `increment` (Aerospike's add) cases from
//! aerospike/aerospike-client-python, test/new_tests/test_increment.py, class
//! TestIncrement. The fixture puts ("test", "demo", i) = {"name": "name<i>",
//! "age": i} for i in 0..5 and ("test", "demo", 6) = {"age": 6.5}.

use crate::common::*;
use aerolite::operations as ops;
use aerolite::*;
use tempfile::TempDir;

fn fixture() -> (TempDir, Db) {
    let dir = tempfile::tempdir().unwrap();
    let db = Db::open_with(dir.path(), Options::default().background_maintenance(false)).unwrap();
    for i in 0..5 {
        let key = as_key!("test", "demo", i);
        db.put(
            &wp(),
            &key,
            &[as_bin!("name", format!("name{i}")), as_bin!("age", i)],
        )
        .unwrap();
    }
    db.put(&wp(), &as_key!("test", "demo", 6), &[as_bin!("age", 6.5)])
        .unwrap();
    (dir, db)
}

fn incr(db: &Db, p: &WritePolicy, key: &Key, bin: &str, by: impl Into<Value>) -> Result<Record> {
    db.operate(p, key, &[ops::add(&as_bin!(bin, by))])
}

fn bins(db: &Db, key: &Key) -> Vec<(String, Value)> {
    let rec = db.get(&rp(), key, Bins::All).unwrap();
    let mut v: Vec<_> = rec.bins.into_iter().collect();
    v.sort_by(|a, b| a.0.cmp(&b.0));
    v
}

fn expect(items: &[(&str, Value)]) -> Vec<(String, Value)> {
    let mut v: Vec<_> = items
        .iter()
        .map(|(k, v)| ((*k).to_owned(), v.clone()))
        .collect();
    v.sort_by(|a, b| a.0.cmp(&b.0));
    v
}

fn gen_policy(gp: GenerationPolicy, generation: u32) -> WritePolicy {
    WritePolicy {
        generation_policy: gp,
        generation,
        expiration: Expiration::Seconds(1200),
        ..wp()
    }
}

// test_increment_with_correct_parameters: age 1 + 5 = 6.
#[test]
fn python_increment_with_correct_parameters() {
    let (_d, db) = fixture();
    let key = as_key!("test", "demo", 1);
    incr(&db, &wp(), &key, "age", 5).unwrap();
    assert_eq!(
        bins(&db, &key),
        expect(&[("age", Value::Int(6)), ("name", "name1".into())])
    );
}

// test_increment_with_correct_parameters_float_value: 6.5 + 6.4 = 12.9.
#[test]
fn python_increment_with_correct_parameters_float_value() {
    let (_d, db) = fixture();
    let key = as_key!("test", "demo", 6);
    incr(&db, &wp(), &key, "age", 6.4).unwrap();
    assert_eq!(bins(&db, &key), expect(&[("age", Value::Float(12.9))]));
}

// test_increment_with_policy_key_send: the key comes back without the user
// key but with digest b7f4b83889e2da67de683e1df6919a1eacc446c8 for
// ("test", "demo", 1).
#[test]
fn python_increment_with_policy_key_send() {
    let (_d, db) = fixture();
    let key = as_key!("test", "demo", 1);
    let p = WritePolicy {
        send_key: true,
        ..wp()
    };
    incr(&db, &p, &key, "age", 5).unwrap();
    assert_eq!(
        bins(&db, &key),
        expect(&[("age", Value::Int(6)), ("name", "name1".into())])
    );
    assert_eq!(
        key.digest().0,
        *b"\xb7\xf4\xb88\x89\xe2\xdag\xdeh>\x1d\xf6\x91\x9a\x1e\xac\xc4F\xc8"
    );
}

// test_increment_with_policy_key_gen_EQ_positive: EQ with the current
// generation succeeds, age 6.
#[test]
fn python_increment_with_policy_key_gen_eq_positive() {
    let (_d, db) = fixture();
    let key = as_key!("test", "demo", 1);
    let gen = db.get(&rp(), &key, Bins::None).unwrap().generation;
    incr(
        &db,
        &gen_policy(GenerationPolicy::ExpectGenEqual, gen),
        &key,
        "age",
        5,
    )
    .unwrap();
    assert_eq!(
        bins(&db, &key),
        expect(&[("age", Value::Int(6)), ("name", "name1".into())])
    );
}

// test_increment_with_policy_key_gen_EQ_not_equal: gen + 5 with EQ is
// AEROSPIKE_ERR_RECORD_GENERATION (3), age stays 1.
#[test]
fn python_increment_with_policy_key_gen_eq_not_equal() {
    let (_d, db) = fixture();
    let key = as_key!("test", "demo", 1);
    let gen = db.get(&rp(), &key, Bins::None).unwrap().generation;
    let err = incr(
        &db,
        &gen_policy(GenerationPolicy::ExpectGenEqual, gen + 5),
        &key,
        "age",
        5,
    )
    .unwrap_err();
    assert_eq!(err.result_code(), ResultCode::GenerationError);
    assert_eq!(
        db.get(&rp(), &key, Bins::All).unwrap().bins["age"],
        Value::Int(1)
    );
}

// test_increment_with_policy_key_gen_GT_lesser: GT with the current
// generation is AEROSPIKE_ERR_RECORD_GENERATION, age stays 1.
#[test]
fn python_increment_with_policy_key_gen_gt_lesser() {
    let (_d, db) = fixture();
    let key = as_key!("test", "demo", 1);
    let gen = db.get(&rp(), &key, Bins::None).unwrap().generation;
    let err = incr(
        &db,
        &gen_policy(GenerationPolicy::ExpectGenGreater, gen),
        &key,
        "age",
        5,
    )
    .unwrap_err();
    assert_eq!(err.result_code(), ResultCode::GenerationError);
    assert_eq!(
        db.get(&rp(), &key, Bins::All).unwrap().bins["age"],
        Value::Int(1)
    );
}

// test_increment_with_policy_key_gen_GT_positive: GT with gen + 5 succeeds.
#[test]
fn python_increment_with_policy_key_gen_gt_positive() {
    let (_d, db) = fixture();
    let key = as_key!("test", "demo", 1);
    let gen = db.get(&rp(), &key, Bins::None).unwrap().generation;
    incr(
        &db,
        &gen_policy(GenerationPolicy::ExpectGenGreater, gen + 5),
        &key,
        "age",
        5,
    )
    .unwrap();
    assert_eq!(
        bins(&db, &key),
        expect(&[("age", Value::Int(6)), ("name", "name1".into())])
    );
}

// test_increment_with_nonexistent_key: creates {"age": 5}.
#[test]
fn python_increment_with_nonexistent_key() {
    let (_d, db) = fixture();
    let key = as_key!("test", "demo", "non-existentkey");
    incr(&db, &wp(), &key, "age", 5).unwrap();
    assert_eq!(bins(&db, &key), expect(&[("age", Value::Int(5))]));
}

// test_increment_with_nonexistent_bin: adds "age1": 5 next to the others.
#[test]
fn python_increment_with_nonexistent_bin() {
    let (_d, db) = fixture();
    let key = as_key!("test", "demo", 1);
    incr(&db, &wp(), &key, "age1", 5).unwrap();
    assert_eq!(
        bins(&db, &key),
        expect(&[
            ("age1", Value::Int(5)),
            ("name", "name1".into()),
            ("age", Value::Int(1))
        ])
    );
}

// test_increment_with_unicode_bin: age 1 + 10 = 11.
#[test]
fn python_increment_with_unicode_bin() {
    let (_d, db) = fixture();
    let key = as_key!("test", "demo", 1);
    incr(&db, &wp(), &key, "age", 10).unwrap();
    assert_eq!(
        bins(&db, &key),
        expect(&[("age", Value::Int(11)), ("name", "name1".into())])
    );
}

// test_increment_non_numeric_value: incrementing the string bin "name" by 1
// is AEROSPIKE_ERR_BIN_INCOMPATIBLE_TYPE (12).
#[test]
fn python_increment_non_numeric_value() {
    let (_d, db) = fixture();
    let key = as_key!("test", "demo", 1);
    let err = incr(&db, &wp(), &key, "name", 1).unwrap_err();
    assert_eq!(err.result_code(), ResultCode::BinTypeError);
}

// test_increment_float_value_by_int: float bin + int is BinIncompatibleType.
#[test]
fn python_increment_float_value_by_int() {
    let (_d, db) = fixture();
    let key = as_key!("test", "demo", 6);
    let err = incr(&db, &wp(), &key, "age", 1).unwrap_err();
    assert_eq!(err.result_code(), ResultCode::BinTypeError);
}

// test_increment_int_value_by_float: int bin + 1.5 is BinIncompatibleType.
#[test]
fn python_increment_int_value_by_float() {
    let (_d, db) = fixture();
    let key = as_key!("test", "demo", 1);
    let err = incr(&db, &wp(), &key, "age", 1.5).unwrap_err();
    assert_eq!(err.result_code(), ResultCode::BinTypeError);
}

// test_increment_by_float_val_causing_greater_than_max: twice f64::MAX gives
// inf.
#[test]
fn python_increment_by_float_val_causing_greater_than_max() {
    let (_d, db) = fixture();
    let key = as_key!("test", "demo", 6);
    incr(&db, &wp(), &key, "age", f64::MAX).unwrap();
    incr(&db, &wp(), &key, "age", f64::MAX).unwrap();
    assert_eq!(
        db.get(&rp(), &key, Bins::All).unwrap().bins["age"],
        Value::Float(f64::INFINITY)
    );
}

// test_increment_float_value_by_infinity: 6.5 + inf = inf.
#[test]
fn python_increment_float_value_by_infinity() {
    let (_d, db) = fixture();
    let key = as_key!("test", "demo", 6);
    incr(&db, &wp(), &key, "age", f64::INFINITY).unwrap();
    assert_eq!(
        db.get(&rp(), &key, Bins::All).unwrap().bins["age"],
        Value::Float(f64::INFINITY)
    );
}

// test_increment_float_value_by_negative_infinity: 6.5 + -inf = -inf.
#[test]
fn python_increment_float_value_by_negative_infinity() {
    let (_d, db) = fixture();
    let key = as_key!("test", "demo", 6);
    incr(&db, &wp(), &key, "age", f64::NEG_INFINITY).unwrap();
    assert_eq!(
        db.get(&rp(), &key, Bins::All).unwrap().bins["age"],
        Value::Float(f64::NEG_INFINITY)
    );
}

// test_increment_by_non_numeric_value[None]: a nil operand is a parameter
// error (AEROSPIKE_ERR_PARAM in the client; the server says 4 as well).
#[test]
fn python_increment_by_non_numeric_value_none() {
    let (_d, db) = fixture();
    let key = as_key!("test", "demo", 1);
    let err = incr(&db, &wp(), &key, "age", Value::Nil).unwrap_err();
    assert_eq!(err.result_code(), ResultCode::ParameterError);
}

// test_increment_by_non_numeric_value[string] / [bytes]: the Python client
// refuses a str or bytearray operand itself (ParamError, never sent). The
// server, given the (int bin, string operand) pair, answers BIN_TYPE_ERROR
// (12, issue 9 item 2); that is what aerolite must return.
#[test]
fn python_increment_by_non_numeric_value_string() {
    let (_d, db) = fixture();
    let key = as_key!("test", "demo", 1);
    let err = incr(&db, &wp(), &key, "age", "a").unwrap_err();
    assert_eq!(err.result_code(), ResultCode::BinTypeError);
    let err = incr(&db, &wp(), &key, "age", vec![b'a', b'b', b'c']).unwrap_err();
    assert_eq!(err.result_code(), ResultCode::BinTypeError);
}
