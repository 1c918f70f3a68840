//! Result codes and behaviours that issue 9 found differing from Aerospike
//! server 8, one regression test per item (see `docs/semantics.md`,
//! "Differences from Aerospike").

use aerolite::operations::{self as ops, lists};
use aerolite::*;
use std::path::Path;
use std::time::{Duration, UNIX_EPOCH};

mod common;
use common::*;

fn open(dir: &Path) -> Db {
    Db::open_with(
        dir,
        Options::default()
            .segment_size(64 * 1024)
            .background_maintenance(false),
    )
    .unwrap()
}

fn get(db: &Db, key: &Key) -> Record {
    db.get(&rp(), key, Bins::All).unwrap()
}

fn code(e: &Error) -> i32 {
    e.result_code() as i32
}

/// Item 1: `lists::get(7)` on a 4-item list, `pop`/`remove` on an empty list
/// or out of range, `insert` or `increment` at a negative index before the
/// start are Aerospike's `OP_NOT_APPLICABLE` (26), not `ParameterError` (4),
/// and change nothing.
#[test]
fn out_of_range_list_index_is_op_not_applicable() {
    let dir = tempfile::tempdir().unwrap();
    let db = open(dir.path());
    let k = as_key!("test", "codes", 1);
    db.put(&wp(), &k, &[as_bin!("l", as_list!(1, 2, 3, 4))])
        .unwrap();
    let before = get(&db, &k);
    for op in [
        lists::get("l", 7),
        lists::get("l", 4),
        lists::get("l", -5),
        lists::pop("l", 4),
        lists::pop("l", -5),
        lists::remove("l", 4),
        lists::remove("l", -5),
        lists::insert("l", -5, 0),
        lists::increment("l", -5, 1),
    ] {
        let e = db
            .operate(&wp(), &k, std::slice::from_ref(&op))
            .unwrap_err();
        assert!(matches!(e, Error::OpNotApplicable(_)), "{op:?}: {e:?}");
        assert_eq!(code(&e), 26, "{op:?}");
        assert_eq!(get(&db, &k), before, "{op:?}");
    }
    db.put(&wp(), &k, &[as_bin!("l", as_list!())]).unwrap();
    for op in [
        lists::pop("l", 0),
        lists::pop("l", -1),
        lists::remove("l", 0),
    ] {
        let e = db
            .operate(&wp(), &k, std::slice::from_ref(&op))
            .unwrap_err();
        assert_eq!(code(&e), 26, "{op:?}: {e:?}");
    }
    // As on the server, an unbounded increment past the end pads with nil
    // and sets the item to the operand (`list_increment` → `list_set`).
    let r = db
        .operate(&wp(), &k, &[lists::increment("l", 1, 5)])
        .unwrap();
    assert_eq!(r.bins["l"], Value::Int(5));
    assert_eq!(get(&db, &k).bins["l"], as_list!(Value::Nil, 5));
}

/// Item 2: `add`/`append`/`prepend` judge the (bin, operand) pair: a string
/// operand on a string bin, a blob on a blob bin, a string on an int bin are
/// `BIN_TYPE_ERROR` (12); only a nil operand is `ParameterError` (4).
#[test]
fn type_errors_are_judged_on_bin_and_operand() {
    let dir = tempfile::tempdir().unwrap();
    let db = open(dir.path());
    let k = as_key!("test", "codes", 2);
    db.put(
        &wp(),
        &k,
        &[
            as_bin!("s", "text"),
            as_bin!("b", vec![1u8, 2]),
            as_bin!("i", 7),
            as_bin!("l", as_list!(1)),
        ],
    )
    .unwrap();
    let before = get(&db, &k);
    for op in [
        ops::add(&Bin::new("s", "x")),
        ops::add(&Bin::new("b", vec![3u8])),
        ops::add(&Bin::new("i", "x")),
        ops::add(&Bin::new("i", as_list!(1))),
        ops::append(&Bin::new("i", "x")),
        ops::append(&Bin::new("s", 1)),
        ops::prepend(&Bin::new("b", as_map!(1 => 2))),
        ops::append(&Bin::new("l", as_list!(2))),
    ] {
        let e = db
            .operate(&wp(), &k, std::slice::from_ref(&op))
            .unwrap_err();
        assert!(matches!(e, Error::BinTypeMismatch { .. }), "{op:?}: {e:?}");
        assert_eq!(code(&e), 12, "{op:?}");
        assert_eq!(get(&db, &k), before, "{op:?}");
    }
    for op in [
        ops::add(&Bin::new("i", Value::Nil)),
        ops::append(&Bin::new("s", Value::Nil)),
        ops::prepend(&Bin::new("missing", Value::Nil)),
    ] {
        let e = db
            .operate(&wp(), &k, std::slice::from_ref(&op))
            .unwrap_err();
        assert!(matches!(e, Error::ParameterError(_)), "{op:?}: {e:?}");
        assert_eq!(code(&e), 4, "{op:?}");
    }
    assert_eq!(get(&db, &k), before);
}

/// Item 3: on a missing bin (or record), add/append/prepend create the bin
/// with the operand, whatever its type (server `particle.c`: operations
/// become creates when there is no existing particle).
#[test]
fn add_append_prepend_on_a_missing_bin_create_it_with_any_operand() {
    let dir = tempfile::tempdir().unwrap();
    let db = open(dir.path());
    let k = as_key!("test", "codes", 3);
    let r = db
        .operate(
            &wp(),
            &k,
            &[
                ops::prepend(&Bin::new("p", 5)),
                ops::append(&Bin::new("m", as_map!("a" => 1))),
                ops::add(&Bin::new("s", "str")),
                ops::append(&Bin::new("f", 1.5)),
            ],
        )
        .unwrap();
    assert_eq!(r.generation, 1);
    let rec = get(&db, &k);
    assert_eq!(rec.bins["p"], Value::Int(5));
    assert_eq!(rec.bins["m"], as_map!("a" => 1));
    assert_eq!(rec.bins["s"], Value::from("str"));
    assert_eq!(rec.bins["f"], Value::Float(1.5));
    // The bin now exists, so the pair is checked.
    let e = db
        .operate(&wp(), &k, &[ops::prepend(&Bin::new("p", 5))])
        .unwrap_err();
    assert_eq!(code(&e), 12, "{e:?}");
}

/// Item 4: a truncate cut-off before 2010-01-01T00:00:00Z (the Aerospike
/// epoch) "would truncate to 0": `ParameterError` (4), nothing removed.
#[test]
fn truncate_before_the_aerospike_epoch_is_a_parameter_error() {
    let dir = tempfile::tempdir().unwrap();
    let db = open(dir.path());
    let k = as_key!("test", "codes", 4);
    db.put(&wp(), &k, &[as_bin!("a", 1)]).unwrap();
    let epoch = UNIX_EPOCH + Duration::from_secs(1_262_304_000);
    for before in [
        UNIX_EPOCH,
        UNIX_EPOCH + Duration::from_secs(1_000_000_000),
        epoch - Duration::from_secs(1),
        epoch,
    ] {
        for set in [None, Some("codes")] {
            let e = db.truncate("test", set, Some(before)).unwrap_err();
            assert!(matches!(e, Error::ParameterError(_)), "{before:?}: {e:?}");
            assert_eq!(code(&e), 4);
        }
    }
    assert!(db.exists(&rp(), &k).unwrap());
    // One second after the epoch is a valid (if early) cut-off.
    let early = epoch + Duration::from_secs(1);
    assert_eq!(db.truncate("test", Some("codes"), Some(early)).unwrap(), 0);
    assert!(db.exists(&rp(), &k).unwrap());
}

/// Item 5 (extension): `truncate(ns, Some(""), ..)` removes exactly the
/// records stored without a set, and the removal survives a reopen.
#[test]
fn truncate_with_the_empty_set_removes_only_records_without_a_set() {
    let dir = tempfile::tempdir().unwrap();
    let db = open(dir.path());
    for i in 0..3 {
        db.put(&wp(), &as_key!("test", "", i), &[as_bin!("a", i)])
            .unwrap();
        db.put(&wp(), &as_key!("test", "s", i), &[as_bin!("a", i)])
            .unwrap();
    }
    assert_eq!(db.truncate("test", Some(""), None).unwrap(), 3);
    db.put(&wp(), &as_key!("test", "", 9), &[as_bin!("a", 9)])
        .unwrap();
    db.close().unwrap();
    let db = open(dir.path());
    for i in 0..3 {
        assert!(!db.exists(&rp(), &as_key!("test", "", i)).unwrap());
        assert!(db.exists(&rp(), &as_key!("test", "s", i)).unwrap());
    }
    assert!(db.exists(&rp(), &as_key!("test", "", 9)).unwrap());
}

/// Item 5 (decided: follow the server): the empty bin name is valid, as on
/// Aerospike server 8, in `put`, `get` and `operate`, and survives a reopen.
#[test]
fn empty_bin_name_is_accepted_as_on_server_8() {
    let dir = tempfile::tempdir().unwrap();
    let db = open(dir.path());
    let k = as_key!("test", "codes", 5);
    db.put(&wp(), &k, &[as_bin!("", 1), as_bin!("x", 2)])
        .unwrap();
    let r = db
        .operate(&wp(), &k, &[ops::add(&Bin::new("", 10)), ops::get_bin("")])
        .unwrap();
    assert_eq!(r.bins[""], Value::Int(11));
    let sel = db.get(&rp(), &k, [""]).unwrap();
    assert_eq!(sel.bins.len(), 1);
    assert_eq!(sel.bins[""], Value::Int(11));
    db.close().unwrap();
    let db = open(dir.path());
    let rec = get(&db, &k);
    assert_eq!(rec.bins[""], Value::Int(11));
    assert_eq!(rec.bins["x"], Value::Int(2));
    // Names past 15 bytes are still refused.
    let e = db
        .put(&wp(), &k, &[as_bin!("sixteen-bytes-xx", 1)])
        .unwrap_err();
    assert_eq!(code(&e), 21);
}
