//! Batch reads and scans: aerospike/aerospike-client-rust tests/src/batch.rs
//! and tests/src/scan.rs, aerospike/aerospike-client-java
//! test/src/com/aerospike/test/sync/basic/TestBatch.java.

use crate::common::*;
use aerolite::*;
use tempfile::TempDir;

fn open() -> (TempDir, Db) {
    let dir = tempfile::tempdir().unwrap();
    let db = Db::open_with(dir.path(), Options::default().background_maintenance(false)).unwrap();
    (dir, db)
}

// ---- Rust batch.rs, fn batch_get: keys 1, 2, 3 hold {a: "a value",
// b: "another value", c: 42}; key -1 does not exist. ----

fn rust_batch_fixture() -> (TempDir, Db, Vec<Key>) {
    let (d, db) = open();
    let bins = [
        as_bin!("a", "a value"),
        as_bin!("b", "another value"),
        as_bin!("c", 42),
    ];
    let keys: Vec<Key> = [1, 2, 3, -1]
        .iter()
        .map(|&i| as_key!("test", "batch", i))
        .collect();
    for k in &keys[..3] {
        db.put(&wp(), k, &bins).unwrap();
    }
    (d, db, keys)
}

// BatchRead(key1, ["a"]): 1 bin.
#[test]
fn rust_batch_get_selected_bins() {
    let (_d, db, keys) = rust_batch_fixture();
    let r = db.batch_get(&rp(), &keys[..1], ["a"]).unwrap();
    let rec = r[0].as_ref().unwrap();
    assert_eq!(rec.bins.len(), 1);
    assert_eq!(rec.bins["a"], Value::from("a value"));
}

// BatchRead(key2, Bins::All): 3 bins.
#[test]
fn rust_batch_get_all_bins() {
    let (_d, db, keys) = rust_batch_fixture();
    let r = db.batch_get(&rp(), &keys[1..2], Bins::All).unwrap();
    assert_eq!(r[0].as_ref().unwrap().bins.len(), 3);
}

// BatchRead(key3, Bins::None): found, 0 bins.
#[test]
fn rust_batch_get_no_bins() {
    let (_d, db, keys) = rust_batch_fixture();
    let r = db.batch_get(&rp(), &keys[2..3], Bins::None).unwrap();
    let rec = r[0].as_ref().unwrap();
    assert_eq!(rec.bins.len(), 0);
    assert_eq!(rec.generation, 1);
}

// BatchRead(key4 = -1, Bins::None): "key does not exist", record is None;
// results come back in input order.
#[test]
fn rust_batch_get_missing_key() {
    let (_d, db, keys) = rust_batch_fixture();
    let r = db.batch_get(&rp(), &keys, Bins::None).unwrap();
    assert_eq!(r.len(), 4);
    assert!(r[..3].iter().all(Option::is_some));
    assert!(r[3].is_none());
}

// ---- Java TestBatch.java: writeRecords() puts batchkey1..8 with
// bbin = "batchvalue<i>" (an int, 6, for i = 6), lbin = [0, i, 2i, ...]
// (i items) and lbin2 = [0, 1], expiration 2592000 s. ----

fn java_batch_fixture() -> (TempDir, Db, Vec<Key>) {
    let (d, db) = open();
    let p = ttl(2_592_000);
    let mut keys = Vec::new();
    for i in 1..=8i64 {
        let key = as_key!("test", "java", format!("batchkey{i}"));
        let bbin = if i != 6 {
            as_bin!("bbin", format!("batchvalue{i}"))
        } else {
            as_bin!("bbin", i)
        };
        let list: Vec<Value> = (0..i).map(|j| Value::Int(j * i)).collect();
        db.put(
            &p,
            &key,
            &[
                bbin,
                as_bin!("lbin", list),
                as_bin!("lbin2", as_list!(0, 1)),
            ],
        )
        .unwrap();
        keys.push(key);
    }
    (d, db, keys)
}

// batchExists: all 8 exist.
#[test]
fn java_batch_exists() {
    let (_d, db, keys) = java_batch_fixture();
    let r = db.batch_get(&rp(), &keys, Bins::None).unwrap();
    assert_eq!(r.len(), 8);
    assert!(r.iter().all(Option::is_some));
}

// batchReads: bbin is "batchvalue<i+1>", except index 5, which is 6.
#[test]
fn java_batch_reads() {
    let (_d, db, keys) = java_batch_fixture();
    let r = db.batch_get(&rp(), &keys, ["bbin"]).unwrap();
    assert_eq!(r.len(), 8);
    for (i, rec) in r.iter().enumerate() {
        let v = &rec.as_ref().unwrap().bins["bbin"];
        if i != 5 {
            assert_eq!(*v, Value::from(format!("batchvalue{}", i + 1)));
        } else {
            assert_eq!(*v, Value::Int(i as i64 + 1));
        }
    }
}

// batchReadHeaders: every record found, generation != 0, expiration != 0.
#[test]
fn java_batch_read_headers() {
    let (_d, db, keys) = java_batch_fixture();
    let r = db.batch_get(&rp(), &keys, Bins::None).unwrap();
    for rec in &r {
        let rec = rec.as_ref().unwrap();
        assert_ne!(rec.generation, 0);
        assert_ne!(rec.expiration, 0);
        assert!(rec.bins.is_empty());
    }
}

// batchReadComplex, the parts aerolite can express (its batch_get takes one
// bin selection for all keys, and has no expressions): batchkey8 read for
// "binnotfound" is found without that bin; "keynotfound" is not found.
#[test]
fn java_batch_read_complex_bin_not_found_and_key_not_found() {
    let (_d, db, keys) = java_batch_fixture();
    let ks = vec![keys[7].clone(), as_key!("test", "java", "keynotfound")];
    let r = db.batch_get(&rp(), &ks, ["binnotfound"]).unwrap();
    let found = r[0].as_ref().unwrap();
    assert!(!found.bins.contains_key("binnotfound"));
    assert!(r[1].is_none());
}

// Skipped from TestBatch.java: batchListReadOperate, batchListWriteOperate,
// batchReadAllBins, batchWriteComplex and batchDelete need batch operate /
// batch write / batch delete, which aerolite does not have (batch_get only).

// ---- Rust scan.rs ----

// fn scan_single_consumer: 1000 records {bin: i} in a fresh set; the scan
// returns 1000 Ok records.
#[test]
fn rust_scan_single_consumer() {
    let (_d, db) = open();
    for i in 0..1000i64 {
        let key = as_key!("test", "scanset", i);
        db.delete(&wp(), &key).unwrap();
        db.put(&wp(), &key, &[as_bin!("bin", i)]).unwrap();
    }
    // A record in another set must not be counted.
    db.put(&wp(), &as_key!("test", "other", 1), &[as_bin!("bin", 1)])
        .unwrap();
    let count = db
        .scan("test", Some("scanset"), Bins::All)
        .unwrap()
        .filter(Result::is_ok)
        .count();
    assert_eq!(count, 1000);
}

// Skipped from scan.rs: scan_multi_consumer (8 threads sharing one
// Recordset) and scan_node (per-node scans): aerolite's scan is one iterator
// on one node.
