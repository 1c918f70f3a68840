//! Map operations from aerospike/aerospike-client-java,
//! test/src/com/aerospike/test/sync/basic/TestOperateMap.java. The sources
//! run several map ops in one operate call and read a list of results; here
//! each op runs in its own call (aerolite reports one result per bin,
//! docs/semantics.md, "Differences from Aerospike" → "operate and CDT operations") and each result is checked as the source
//! states it.

use crate::common::*;
use aerolite::operations::{self as ops, maps};
use aerolite::*;
use tempfile::TempDir;

const BIN: &str = "opmapbin";

fn open() -> (TempDir, Db) {
    let dir = tempfile::tempdir().unwrap();
    let db = Db::open_with(dir.path(), Options::default().background_maintenance(false)).unwrap();
    (dir, db)
}

fn one(db: &Db, key: &Key, op: Operation) -> Option<Value> {
    db.operate(&wp(), key, &[op])
        .unwrap()
        .bins
        .get(BIN)
        .cloned()
}

fn items(pairs: &[(&str, i64)]) -> Vec<(Value, Value)> {
    pairs
        .iter()
        .map(|(k, v)| (Value::from(*k), Value::Int(*v)))
        .collect()
}

fn scores7() -> Vec<(Value, Value)> {
    items(&[
        ("Charlie", 55),
        ("Jim", 98),
        ("John", 76),
        ("Harry", 82),
        ("Sally", 79),
        ("Lenny", 84),
        ("Abe", 88),
    ])
}

// operateMapPut: put 11 → 789 (size 1), put 10 → 999 (2), CREATE_ONLY 12 →
// 500 (3), CREATE_ONLY 15 → 1000 (4), UPDATE_ONLY 10 → 1 (4), UPDATE_ONLY
// 15 → 5 (4); the map has 4 entries and 10 → 1.
#[test]
fn java_operate_map_put() {
    let (_d, db) = open();
    let key = as_key!("test", "java", "opmkey1");
    let steps = [
        (maps::put(BIN, 11, 789), 1),
        (maps::put(BIN, 10, 999), 2),
        (maps::put_with(BIN, 12, 500, MapWriteMode::CreateOnly), 3),
        (maps::put_with(BIN, 15, 1000, MapWriteMode::CreateOnly), 4),
        (maps::put_with(BIN, 10, 1, MapWriteMode::UpdateOnly), 4),
        (maps::put_with(BIN, 15, 5, MapWriteMode::UpdateOnly), 4),
    ];
    for (op, size) in steps {
        assert_eq!(one(&db, &key, op), Some(Value::Int(size)));
    }
    let Value::Map(m) = db.get(&rp(), &key, [BIN]).unwrap().bins[BIN].clone() else {
        panic!("not a map")
    };
    assert_eq!(m.len(), 4);
    assert_eq!(m[&Value::Int(10)], Value::Int(1));
}

// operateMapMixed: putItems of 4 entries with a normal put of "otherbin" in
// the same call: the map result is the size, 4; then append "goodbye" to
// "otherbin" and get it: "hellogoodbye". (The getByKey(12, INDEX) = 3 step
// needs MapReturnType; see maps.rs `pending`.)
#[test]
fn java_operate_map_mixed() {
    let (_d, db) = open();
    let key = as_key!("test", "java", "opmkey2");
    let item_map = vec![
        (Value::Int(12), Value::from("myval")),
        (Value::Int(-8734), Value::from("str2")),
        (Value::Int(1), Value::from("my default")),
        (Value::Int(7), Value::Int(1)),
    ];
    let rec = db
        .operate(
            &wp(),
            &key,
            &[
                maps::put_items(BIN, item_map),
                ops::put(&as_bin!("otherbin", "hello")),
            ],
        )
        .unwrap();
    assert_eq!(rec.bins[BIN], Value::Int(4));
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
}

// operateMapSwitch, second call (aerolite maps are always key-ordered, so
// setMapPolicy(KEY_ORDERED) has nothing to do): on {1: 1, 2: 2, 3: 3, 4: 4},
// getByKeyRange(3, 5) counts 2 and getByKeyRange(-5, 2) is the one entry
// 1 → 1. aerolite's get_by_key_range returns the entries as a map.
#[test]
fn java_operate_map_switch_key_ranges() {
    let (_d, db) = open();
    let key = as_key!("test", "java", "opmkey4");
    for k in [4, 3, 2, 1] {
        one(&db, &key, maps::put(BIN, k, k));
    }
    assert_eq!(
        one(&db, &key, maps::get_by_key_range(BIN, 3, 5)),
        Some(as_map!(3 => 3, 4 => 4))
    );
    assert_eq!(
        one(&db, &key, maps::get_by_key_range(BIN, -5, 2)),
        Some(as_map!(1 => 1))
    );
}

// operateMapRank, first steps: increment John by 5 and Jim by -4 (the later
// rank queries expect John = 81 and Jim = 94).
#[test]
fn java_operate_map_rank_increments() {
    let (_d, db) = open();
    let key = as_key!("test", "java", "opmkey6");
    let input = items(&[("Charlie", 55), ("Jim", 98), ("John", 76), ("Harry", 82)]);
    assert_eq!(
        one(&db, &key, maps::put_items(BIN, input)),
        Some(Value::Int(4))
    );
    assert_eq!(
        one(&db, &key, maps::increment(BIN, "John", 5)),
        Some(Value::Int(81))
    );
    assert_eq!(
        one(&db, &key, maps::increment(BIN, "Jim", -4)),
        Some(Value::Int(94))
    );
}

// operateMapRemove, the steps aerolite has: putItems of 7 → 7,
// removeByKey("NOTFOUND", VALUE) → null, removeByKey("Jim", VALUE) → 98.
#[test]
fn java_operate_map_remove_by_key() {
    let (_d, db) = open();
    let key = as_key!("test", "java", "opmkey7");
    assert_eq!(
        one(&db, &key, maps::put_items(BIN, scores7())),
        Some(Value::Int(7))
    );
    assert_eq!(
        one(&db, &key, maps::remove_by_key(BIN, "NOTFOUND")),
        Some(Value::Nil)
    );
    assert_eq!(
        one(&db, &key, maps::remove_by_key(BIN, "Jim")),
        Some(Value::Int(98))
    );
}

// operateMapClear: putItems of 2 → 2; [clear, size] → size 0.
#[test]
fn java_operate_map_clear() {
    let (_d, db) = open();
    let key = as_key!("test", "java", "opmkey9");
    let input = items(&[("Charlie", 55), ("Jim", 98)]);
    assert_eq!(
        one(&db, &key, maps::put_items(BIN, input)),
        Some(Value::Int(2))
    );
    let rec = db
        .operate(&wp(), &key, &[maps::clear(BIN), maps::size(BIN)])
        .unwrap();
    assert_eq!(rec.bins[BIN], Value::Int(0));
}

// Cases using the map operations in the Rust client's shape.
mod client_shaped_ops {
    use super::*;
    use aerolite::operations::maps::MapReturnType;

    // operateMapRemove, rest: after putItems and removeByKey("Jim"),
    // removeByKeyList(["Sally", "UNKNOWN", "Lenny"], COUNT) → 2,
    // removeByValue(55, KEY) → ["Charlie"], size → 3.
    #[test]
    fn java_operate_map_remove_rest() {
        let (_d, db) = open();
        let key = as_key!("test", "java", "opmkey7");
        one(&db, &key, maps::put_items(BIN, scores7()));
        one(&db, &key, maps::remove_by_key(BIN, "Jim"));
        let keys = vec![
            Value::from("Sally"),
            Value::from("UNKNOWN"),
            Value::from("Lenny"),
        ];
        assert_eq!(
            one(
                &db,
                &key,
                maps::remove_by_key_list(BIN, keys, MapReturnType::Count)
            ),
            Some(Value::Int(2))
        );
        assert_eq!(
            one(
                &db,
                &key,
                maps::remove_by_value(BIN, 55, MapReturnType::Key)
            ),
            Some(as_list!("Charlie"))
        );
        assert_eq!(one(&db, &key, maps::size(BIN)), Some(Value::Int(3)));
    }

    // operateMapRank: getByRank(0, VALUE) → 55, getByRank(2, KEY) → "Harry",
    // getByValue(81, RANK) → [1], getByKey("Charlie", RANK) → 0.
    #[test]
    fn java_operate_map_rank() {
        let (_d, db) = open();
        let key = as_key!("test", "java", "opmkey6");
        let input = items(&[("Charlie", 55), ("Jim", 94), ("John", 81), ("Harry", 82)]);
        one(&db, &key, maps::put_items(BIN, input));
        assert_eq!(
            one(&db, &key, maps::get_by_rank(BIN, 0, MapReturnType::Value)),
            Some(Value::Int(55))
        );
        assert_eq!(
            one(&db, &key, maps::get_by_rank(BIN, 2, MapReturnType::Key)),
            Some(Value::from("Harry"))
        );
        assert_eq!(
            one(&db, &key, maps::get_by_value(BIN, 81, MapReturnType::Rank)),
            Some(as_list!(1))
        );
    }
}
