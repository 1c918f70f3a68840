//! List operations from aerospike/aerospike-client-go, cdt_list_test.go,
//! Describe("CDT List Test"). Inside Describe("CDT List Operations") each
//! case starts from a list built by appending 1..=10 one at a time.

use crate::common::*;
use aerolite::operations::lists;
use aerolite::*;
use tempfile::TempDir;

const BIN: &str = "cdtBin";
const LIST_SIZE: i64 = 10;

fn open() -> (TempDir, Db, Key) {
    let dir = tempfile::tempdir().unwrap();
    let db = Db::open_with(dir.path(), Options::default().background_maintenance(false)).unwrap();
    (dir, db, as_key!("test", "golist", "k"))
}

fn one(db: &Db, key: &Key, op: Operation) -> Value {
    db.operate(&wp(), key, &[op]).unwrap().bins[BIN].clone()
}

fn ints(v: impl IntoIterator<Item = i64>) -> Value {
    Value::List(v.into_iter().map(Value::Int).collect())
}

/// The BeforeEach of "CDT List Operations": append 1..=10, each append
/// returning the new size.
fn ten() -> (TempDir, Db, Key) {
    let (d, db, key) = open();
    for i in 1..=LIST_SIZE {
        assert_eq!(one(&db, &key, lists::append(BIN, i)), Value::Int(i));
    }
    (d, db, key)
}

// It("should create a valid CDT List"): get on a missing record is
// ErrKeyNotFound; appends 1..=100 return the size, as does size; the range
// (0, 100) is the list; appending the 100 items again gives 200.
#[test]
fn go_should_create_a_valid_cdt_list() {
    let (_d, db, key) = open();
    let err = db.operate(&wp(), &key, &[lists::get(BIN, 0)]).unwrap_err();
    assert_eq!(err.result_code(), ResultCode::KeyNotFoundError);
    for i in 1..=100 {
        assert_eq!(one(&db, &key, lists::append(BIN, i)), Value::Int(i));
        assert_eq!(one(&db, &key, lists::size(BIN)), Value::Int(i));
    }
    assert_eq!(
        one(&db, &key, lists::get_range(BIN, 0, Some(100))),
        ints(1..=100)
    );
    let items: Vec<Value> = (1..=100).map(Value::Int).collect();
    assert_eq!(
        one(&db, &key, lists::append_items(BIN, items)),
        Value::Int(200)
    );
}

// It("should Get the last element"): get(-1) is 10.
#[test]
fn go_should_get_the_last_element() {
    let (_d, db, key) = ten();
    assert_eq!(one(&db, &key, lists::get(BIN, -1)), Value::Int(LIST_SIZE));
}

// It("should Get the last element again"): the same op twice, 10 both times.
#[test]
fn go_should_get_the_last_element_again() {
    let (_d, db, key) = ten();
    let op = lists::get(BIN, -1);
    assert_eq!(one(&db, &key, op.clone()), Value::Int(LIST_SIZE));
    assert_eq!(one(&db, &key, op), Value::Int(LIST_SIZE));
}

// It("should Get the last 3 element"): get_range(-3, 3) is [8, 9, 10].
#[test]
fn go_should_get_the_last_3_elements() {
    let (_d, db, key) = ten();
    assert_eq!(
        one(&db, &key, lists::get_range(BIN, -3, Some(3))),
        ints([8, 9, 10])
    );
}

// It("should Get the from element #7 till the end of list"): [8, 9, 10].
#[test]
fn go_should_get_from_element_7_till_the_end() {
    let (_d, db, key) = ten();
    assert_eq!(
        one(&db, &key, lists::get_range(BIN, 7, None)),
        ints([8, 9, 10])
    );
}

// It("should append an element to the tail"): append MaxInt64 → 11, get(10)
// is MaxInt64.
#[test]
fn go_should_append_an_element_to_the_tail() {
    let (_d, db, key) = ten();
    assert_eq!(
        one(&db, &key, lists::append(BIN, i64::MAX)),
        Value::Int(LIST_SIZE + 1)
    );
    assert_eq!(
        one(&db, &key, lists::get(BIN, LIST_SIZE)),
        Value::Int(i64::MAX)
    );
}

// It("should append the same cached element to the tail"): 11, then 12.
#[test]
fn go_should_append_the_same_cached_element() {
    let (_d, db, key) = ten();
    let op = lists::append(BIN, i64::MAX);
    assert_eq!(one(&db, &key, op.clone()), Value::Int(LIST_SIZE + 1));
    assert_eq!(
        one(&db, &key, lists::get(BIN, LIST_SIZE)),
        Value::Int(i64::MAX)
    );
    assert_eq!(one(&db, &key, op), Value::Int(LIST_SIZE + 2));
    assert_eq!(
        one(&db, &key, lists::get(BIN, LIST_SIZE)),
        Value::Int(i64::MAX)
    );
}

fn maxes() -> Vec<Value> {
    vec![
        Value::Int(i64::MAX),
        Value::Int(i64::MAX - 1),
        Value::Int(i64::MAX - 2),
    ]
}

// It("should append a few elements to the tail"): 13, range(10, 3) is them.
#[test]
fn go_should_append_a_few_elements_to_the_tail() {
    let (_d, db, key) = ten();
    assert_eq!(
        one(&db, &key, lists::append_items(BIN, maxes())),
        Value::Int(LIST_SIZE + 3)
    );
    assert_eq!(
        one(&db, &key, lists::get_range(BIN, LIST_SIZE, Some(3))),
        Value::List(maxes())
    );
}

// It("should append a few elements to the tail with policy"): 13, then
// append 0 → 14; range(10, 4) is the three and 0.
#[test]
fn go_should_append_a_few_elements_with_policy() {
    let (_d, db, key) = ten();
    assert_eq!(
        one(&db, &key, lists::append_items(BIN, maxes())),
        Value::Int(LIST_SIZE + 3)
    );
    assert_eq!(
        one(&db, &key, lists::append(BIN, 0)),
        Value::Int(LIST_SIZE + 4)
    );
    let mut want = maxes();
    want.push(Value::Int(0));
    assert_eq!(
        one(&db, &key, lists::get_range(BIN, LIST_SIZE, Some(4))),
        Value::List(want)
    );
}

// It("should prepend an element to the head via ListInsertOp"): 11, get(0)
// is MaxInt64.
#[test]
fn go_should_prepend_an_element_via_insert() {
    let (_d, db, key) = ten();
    assert_eq!(
        one(&db, &key, lists::insert(BIN, 0, i64::MAX)),
        Value::Int(LIST_SIZE + 1)
    );
    assert_eq!(one(&db, &key, lists::get(BIN, 0)), Value::Int(i64::MAX));
}

// It("should pop element range from the index"): pop(0) ten times returns
// 1, 2, ...; the rest of the list is what remains.
#[test]
fn go_should_pop_elements_one_by_one() {
    let (_d, db, key) = ten();
    for i in 1..=LIST_SIZE {
        assert_eq!(one(&db, &key, lists::pop(BIN, 0)), Value::Int(i));
        if i < LIST_SIZE {
            assert_eq!(
                one(&db, &key, lists::get_range(BIN, 0, None)),
                ints(i + 1..=LIST_SIZE)
            );
        }
    }
}

// It("should remove elements from the head"): remove(0) ten times returns 1
// (the count) each time.
#[test]
fn go_should_remove_elements_from_the_head() {
    let (_d, db, key) = ten();
    for i in 1..=LIST_SIZE {
        assert_eq!(one(&db, &key, lists::remove(BIN, 0)), Value::Int(1));
        if i < LIST_SIZE {
            assert_eq!(
                one(&db, &key, lists::get_range(BIN, 0, None)),
                ints(i + 1..=LIST_SIZE)
            );
        }
    }
}

// Cases using the list operations in the Rust client's shape.
mod client_shaped_ops {
    use super::*;
    use aerolite::operations::lists::ListReturnType;

    // It("should pop elements from the head"): pop_range(0, 3) is [1, 2, 3].
    #[test]
    fn go_should_pop_elements_from_the_head() {
        let (_d, db, key) = ten();
        assert_eq!(one(&db, &key, lists::pop_range(BIN, 0, 3)), ints([1, 2, 3]));
        assert_eq!(one(&db, &key, lists::get_range(BIN, 0, None)), ints(4..=10));
    }

    // It("should pop elements from element #7 to the end of list").
    #[test]
    fn go_should_pop_range_from_7() {
        let (_d, db, key) = ten();
        assert_eq!(
            one(&db, &key, lists::pop_range_from(BIN, 7)),
            ints([8, 9, 10])
        );
        assert_eq!(one(&db, &key, lists::get_range(BIN, 0, None)), ints(1..=7));
    }

    // It("should remove elements from element #7 to the end of list"): 3.
    #[test]
    fn go_should_remove_range_from_7() {
        let (_d, db, key) = ten();
        assert_eq!(
            one(&db, &key, lists::remove_range_from(BIN, 7)),
            Value::Int(3)
        );
        assert_eq!(one(&db, &key, lists::get_range(BIN, 0, None)), ints(1..=7));
    }

    // It("should Get by index"): get_by_index(7, VALUE) is 8.
    #[test]
    fn go_should_get_by_index() {
        let (_d, db, key) = ten();
        assert_eq!(
            one(
                &db,
                &key,
                lists::get_by_index(BIN, 7, ListReturnType::Values)
            ),
            Value::Int(8)
        );
    }

    // It("should Get by rank"): get_by_rank(7, VALUE) is 8.
    #[test]
    fn go_should_get_by_rank() {
        let (_d, db, key) = ten();
        assert_eq!(
            one(
                &db,
                &key,
                lists::get_by_rank(BIN, 7, ListReturnType::Values)
            ),
            Value::Int(8)
        );
    }

    // It("should Get by value"): get_by_value(7, VALUE) is [7].
    #[test]
    fn go_should_get_by_value() {
        let (_d, db, key) = ten();
        assert_eq!(
            one(
                &db,
                &key,
                lists::get_by_value(BIN, 7, ListReturnType::Values)
            ),
            ints([7])
        );
    }

    // It("should prepend a few elements to the tail via ListInsertOp"): 13.
    #[test]
    fn go_should_insert_a_few_elements() {
        let (_d, db, key) = ten();
        assert_eq!(
            one(&db, &key, lists::insert_items(BIN, 0, maxes())),
            Value::Int(13)
        );
        assert_eq!(
            one(&db, &key, lists::get_range(BIN, 0, Some(3))),
            Value::List(maxes())
        );
    }
}
