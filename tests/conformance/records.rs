//! Record semantics: put/get/merge, nil bins, generation, exists actions,
//! TTL, touch, delete and basic operate, from the Rust, Java and Python
//! clients' suites. TTL cases run on a `ManualClock` instead of sleeping.

use crate::common::*;
use aerolite::operations as ops;
use aerolite::*;
use std::sync::Arc;
use std::time::Duration;
use tempfile::TempDir;

/// 2026-01-01T00:00:00Z.
const START: u64 = 1_767_225_600;

struct T {
    _dir: TempDir,
    db: Db,
    clock: Arc<ManualClock>,
}

fn open_with(ns: Option<NamespaceConfig>) -> T {
    let dir = tempfile::tempdir().unwrap();
    let clock = clock_at(START);
    let mut o = Options::default()
        .background_maintenance(false)
        .clock(dyn_clock(&clock));
    if let Some(ns) = ns {
        o = o.namespace(ns);
    }
    let db = Db::open_with(dir.path(), o).unwrap();
    T {
        _dir: dir,
        db,
        clock,
    }
}

fn open() -> T {
    open_with(None)
}

impl T {
    fn get(&self, key: &Key) -> Result<Record> {
        self.db.get(&rp(), key, Bins::All)
    }
    fn advance(&self, secs: u64) {
        self.clock.advance(Duration::from_secs(secs));
    }
}

fn bins_of(rec: &Record) -> Vec<(String, Value)> {
    let mut v: Vec<_> = rec
        .bins
        .iter()
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    v.sort_by(|a, b| a.0.cmp(&b.0));
    v
}

fn pairs(items: &[(&str, Value)]) -> Vec<(String, Value)> {
    let mut v: Vec<_> = items
        .iter()
        .map(|(k, v)| ((*k).to_owned(), v.clone()))
        .collect();
    v.sort_by(|a, b| a.0.cmp(&b.0));
    v
}

// ---- aerospike/aerospike-client-rust, tests/src/kv.rs, fn connect ----

/// The bins of `connect`, without "bin Geo" (aerolite has no GeoJSON type).
fn connect_bins() -> Vec<Bin> {
    vec![
        as_bin!("bin999", "test string"),
        as_bin!("bin vec![int]", as_list!(1u32, 2u32, 3u32)),
        as_bin!("bin vec![u8]", vec![1u8, 2u8, 3u8]),
        as_bin!("bin map", as_map!(1 => 1, 2 => 2, 3 => "hi!")),
        as_bin!("bin f64", 1.64f64),
        as_bin!("bin Nil", Value::Nil),
        as_bin!("bin-name-len-15", "max. bin name length is 15 chars"),
    ]
}

// Rust kv.rs `connect`: put then get(Bins::All). The source expects 7 bins
// (its 8 minus the nil one); without the Geo bin that is 6.
#[test]
fn rust_kv_connect_put_get_all() {
    let t = open();
    let key = as_key!("test", "kv", -1);
    t.db.put(&wp(), &key, &connect_bins()).unwrap();
    let rec = t.get(&key).unwrap();
    assert_eq!(rec.bins.len(), 6);
    assert_eq!(rec.bins["bin999"], Value::from("test string"));
    assert_eq!(rec.bins["bin vec![int]"], as_list!(1u32, 2u32, 3u32));
    assert_eq!(rec.bins["bin vec![u8]"], Value::Blob(vec![1, 2, 3]));
    assert_eq!(rec.bins["bin map"], as_map!(1 => 1, 2 => 2, 3 => "hi!"));
    assert_eq!(rec.bins["bin f64"], Value::from(1.64f64));
    assert_eq!(
        rec.bins["bin-name-len-15"],
        Value::from("max. bin name length is 15 chars")
    );
    assert!(!rec.bins.contains_key("bin Nil"));
}

// Rust kv.rs `connect`: touch, then get of two named bins returns 2 bins.
#[test]
fn rust_kv_connect_touch_then_get_selected_bins() {
    let t = open();
    let key = as_key!("test", "kv", -1);
    t.db.put(&wp(), &key, &connect_bins()).unwrap();
    t.db.touch(&wp(), &key).unwrap();
    let rec = t.db.get(&rp(), &key, ["bin999", "bin f64"]).unwrap();
    assert_eq!(rec.bins.len(), 2);
    assert_eq!(rec.generation, 2);
}

// Rust kv.rs `connect`: get with Bins::None returns 0 bins.
#[test]
fn rust_kv_connect_get_bins_none() {
    let t = open();
    let key = as_key!("test", "kv", -1);
    t.db.put(&wp(), &key, &connect_bins()).unwrap();
    let rec = t.db.get(&rp(), &key, Bins::None).unwrap();
    assert_eq!(rec.bins.len(), 0);
    assert_eq!(rec.generation, 1);
}

// Rust kv.rs `connect`: exists is true.
#[test]
fn rust_kv_connect_exists() {
    let t = open();
    let key = as_key!("test", "kv", -1);
    t.db.put(&wp(), &key, &connect_bins()).unwrap();
    assert!(t.db.exists(&rp(), &key).unwrap());
}

// Rust kv.rs `connect`: operate [put(bin999), get()] succeeds.
#[test]
fn rust_kv_connect_operate_put_get() {
    let t = open();
    let key = as_key!("test", "kv", -1);
    t.db.put(&wp(), &key, &connect_bins()).unwrap();
    let bin = as_bin!("bin999", "test string");
    let rec =
        t.db.operate(&wp(), &key, &[ops::put(&bin), ops::get()])
            .unwrap();
    assert_eq!(rec.bins["bin999"], Value::from("test string"));
    assert_eq!(rec.bins.len(), 6);
}

// Rust kv.rs `connect`: delete returns true, then false.
#[test]
fn rust_kv_connect_delete_twice() {
    let t = open();
    let key = as_key!("test", "kv", -1);
    // The source deletes first (a missing record): false.
    assert!(!t.db.delete(&wp(), &key).unwrap());
    t.db.put(&wp(), &key, &connect_bins()).unwrap();
    assert!(t.db.delete(&wp(), &key).unwrap());
    assert!(!t.db.delete(&wp(), &key).unwrap());
}

// ---- aerospike/aerospike-client-java, test/src/com/aerospike/test/sync/basic ----

// TestGeneration.java, generation(): CAS with the read generation succeeds,
// generation 9999 fails with GENERATION_ERROR, value stays "genvalue3".
#[test]
fn java_generation() {
    let t = open();
    let key = as_key!("test", "java", "genkey");
    t.db.put(&wp(), &key, &[as_bin!("genbin", "genvalue1")])
        .unwrap();
    t.db.put(&wp(), &key, &[as_bin!("genbin", "genvalue2")])
        .unwrap();
    let rec = t.get(&key).unwrap();
    assert_eq!(rec.bins["genbin"], Value::from("genvalue2"));
    let mut cas = WritePolicy {
        generation_policy: GenerationPolicy::ExpectGenEqual,
        generation: rec.generation,
        ..wp()
    };
    t.db.put(&cas, &key, &[as_bin!("genbin", "genvalue3")])
        .unwrap();
    cas.generation = 9999;
    let err =
        t.db.put(&cas, &key, &[as_bin!("genbin", "genvalue4")])
            .unwrap_err();
    assert_eq!(err.result_code(), ResultCode::GenerationError);
    assert_eq!(
        t.get(&key).unwrap().bins["genbin"],
        Value::from("genvalue3")
    );
}

// TestReplace.java, replace(): REPLACE drops bin1 and bin2, keeps bin3.
#[test]
fn java_replace() {
    let t = open();
    let key = as_key!("test", "java", "replacekey");
    t.db.put(
        &wp(),
        &key,
        &[as_bin!("bin1", "value1"), as_bin!("bin2", "value2")],
    )
    .unwrap();
    let p = WritePolicy {
        record_exists_action: RecordExistsAction::Replace,
        ..wp()
    };
    t.db.put(&p, &key, &[as_bin!("bin3", "value3")]).unwrap();
    let rec = t.get(&key).unwrap();
    assert_eq!(bins_of(&rec), pairs(&[("bin3", Value::from("value3"))]));
}

// TestReplace.java, replaceOnly(): REPLACE_ONLY on a missing record is
// KEY_NOT_FOUND_ERROR.
#[test]
fn java_replace_only() {
    let t = open();
    let key = as_key!("test", "java", "replaceonlykey");
    t.db.delete(&wp(), &key).unwrap();
    let p = WritePolicy {
        record_exists_action: RecordExistsAction::ReplaceOnly,
        ..wp()
    };
    let err = t.db.put(&p, &key, &[as_bin!("bin", "value")]).unwrap_err();
    assert_eq!(err.result_code(), ResultCode::KeyNotFoundError);
}

// TestAdd.java, add(): 10 + 5 = 15; operate(add 30, get) = 45.
#[test]
fn java_add() {
    let t = open();
    let key = as_key!("test", "java", "addkey");
    t.db.operate(&wp(), &key, &[ops::add(&as_bin!("addbin", 10))])
        .unwrap();
    t.db.operate(&wp(), &key, &[ops::add(&as_bin!("addbin", 5))])
        .unwrap();
    assert_eq!(t.get(&key).unwrap().bins["addbin"], Value::Int(15));
    let rec =
        t.db.operate(
            &wp(),
            &key,
            &[ops::add(&as_bin!("addbin", 30)), ops::get_bin("addbin")],
        )
        .unwrap();
    assert_eq!(rec.bins["addbin"], Value::Int(45));
}

// TestAdd.java, addNullValue(): add of a null Long is PARAMETER_ERROR.
#[test]
fn java_add_null_value() {
    let t = open();
    let key = as_key!("test", "java", "addkey");
    let err =
        t.db.operate(&wp(), &key, &[ops::add(&as_bin!("addbin", Value::Nil))])
            .unwrap_err();
    assert_eq!(err.result_code(), ResultCode::ParameterError);
}

// TestAppend.java, append(): "Hello" then " World" on a missing record.
#[test]
fn java_append() {
    let t = open();
    let key = as_key!("test", "java", "appendkey");
    t.db.operate(&wp(), &key, &[ops::append(&as_bin!("appendbin", "Hello"))])
        .unwrap();
    t.db.operate(&wp(), &key, &[ops::append(&as_bin!("appendbin", " World"))])
        .unwrap();
    assert_eq!(
        t.get(&key).unwrap().bins["appendbin"],
        Value::from("Hello World")
    );
}

// TestAppend.java, prepend(): "World" then "Hello ".
#[test]
fn java_prepend() {
    let t = open();
    let key = as_key!("test", "java", "prependkey");
    t.db.operate(
        &wp(),
        &key,
        &[ops::prepend(&as_bin!("prependbin", "World"))],
    )
    .unwrap();
    t.db.operate(
        &wp(),
        &key,
        &[ops::prepend(&as_bin!("prependbin", "Hello "))],
    )
    .unwrap();
    assert_eq!(
        t.get(&key).unwrap().bins["prependbin"],
        Value::from("Hello World")
    );
}

// TestDeleteBin.java, deleteBin(): a null bin drops bin1, bin2 stays "value2".
#[test]
fn java_delete_bin() {
    let t = open();
    let key = as_key!("test", "java", "delbinkey");
    t.db.put(
        &wp(),
        &key,
        &[as_bin!("bin1", "value1"), as_bin!("bin2", "value2")],
    )
    .unwrap();
    t.db.put(&wp(), &key, &[as_bin!("bin1", Value::Nil)])
        .unwrap();
    let rec = t.db.get(&rp(), &key, ["bin1", "bin2", "bin3"]).unwrap();
    assert_eq!(bins_of(&rec), pairs(&[("bin2", Value::from("value2"))]));
}

// TestTouch.java, touch(): put with expiration 1, touch with expiration 2;
// after 1 s the header is found with expiration != 0, after 3 s more it is
// gone.
#[test]
fn java_touch() {
    let t = open();
    let key = as_key!("test", "java", "touch");
    t.db.put(&ttl(1), &key, &[as_bin!("touchbin", "touchvalue")])
        .unwrap();
    t.db.touch(&ttl(2), &key).unwrap();
    t.advance(1);
    let rec = t.db.get(&rp(), &key, Bins::None).unwrap();
    assert_ne!(rec.expiration, 0);
    t.advance(3);
    let err = t.db.get(&rp(), &key, Bins::None).unwrap_err();
    assert_eq!(err.result_code(), ResultCode::KeyNotFoundError);
}

// TestTouch.java, touchOperate(): operate(touch, getHeader) with expiration
// 2; found after 1 s, gone after 3 s more.
#[test]
fn java_touch_operate() {
    let t = open();
    let key = as_key!("test", "java", "touchOperate");
    t.db.put(&ttl(1), &key, &[as_bin!("touchbin", "touchvalue")])
        .unwrap();
    let rec =
        t.db.operate(&ttl(2), &key, &[ops::touch(), ops::get_header()])
            .unwrap();
    assert_ne!(rec.expiration, 0);
    t.advance(1);
    assert_eq!(
        t.get(&key).unwrap().bins["touchbin"],
        Value::from("touchvalue")
    );
    t.advance(3);
    assert_eq!(
        t.get(&key).unwrap_err().result_code(),
        ResultCode::KeyNotFoundError
    );
}

// TestTouch.java, touched(): touched() on a missing record is false (the
// client maps KEY_NOT_FOUND_ERROR to false); after a put it is true.
#[test]
fn java_touched() {
    let t = open();
    let key = as_key!("test", "java", "touched");
    t.db.delete(&wp(), &key).unwrap();
    let err = t.db.touch(&ttl(10), &key).unwrap_err();
    assert_eq!(err.result_code(), ResultCode::KeyNotFoundError);
    t.db.put(&ttl(10), &key, &[as_bin!("touchbin", "touchvalue")])
        .unwrap();
    t.db.touch(&ttl(10), &key).unwrap();
    assert_eq!(t.get(&key).unwrap().generation, 2);
}

// TestExpire.java, expire(): expiration 2, readable at once, gone after 3 s.
#[test]
fn java_expire() {
    let t = open();
    let key = as_key!("test", "java", "expirekey1");
    t.db.put(&ttl(2), &key, &[as_bin!("expirebin", "expirevalue")])
        .unwrap();
    assert_eq!(
        t.get(&key).unwrap().bins["expirebin"],
        Value::from("expirevalue")
    );
    t.advance(3);
    assert_eq!(
        t.get(&key).unwrap_err().result_code(),
        ResultCode::KeyNotFoundError
    );
}

// TestExpire.java, noExpire(): expiration -1 (never) outlives a namespace
// default TTL of 5 s ("We should have set the Namespace TTL at 5 sec.").
#[test]
fn java_no_expire() {
    let t = open_with(Some(
        NamespaceConfig::new("test").default_ttl(Some(Duration::from_secs(5))),
    ));
    let key = as_key!("test", "java", "expirekey2");
    let never = WritePolicy {
        expiration: Expiration::Never,
        ..wp()
    };
    t.db.put(&never, &key, &[as_bin!("expirebin", "noexpirevalue")])
        .unwrap();
    assert_eq!(
        t.get(&key).unwrap().bins["expirebin"],
        Value::from("noexpirevalue")
    );
    t.advance(10);
    let rec = t.get(&key).unwrap();
    assert_eq!(rec.expiration, 0);
    // Contrast: a record on the namespace default is gone after 10 s.
    let k2 = as_key!("test", "java", "default");
    t.db.put(&wp(), &k2, &[as_bin!("expirebin", 1)]).unwrap();
    t.advance(10);
    assert_eq!(
        t.get(&k2).unwrap_err().result_code(),
        ResultCode::KeyNotFoundError
    );
}

// TestExpire.java, resetReadTtl(): skipped — it needs readTouchTtlPercent (a
// read that extends the TTL), which aerolite's ReadPolicy does not have.

// TestOperate.java, operate(): add 4 to 7 and put a new string, then get():
// 11 and "new string".
#[test]
fn java_operate() {
    let t = open();
    let key = as_key!("test", "java", "opkey");
    t.db.put(
        &wp(),
        &key,
        &[
            as_bin!("optintbin", 7),
            as_bin!("optstringbin", "string value"),
        ],
    )
    .unwrap();
    let rec =
        t.db.operate(
            &wp(),
            &key,
            &[
                ops::add(&as_bin!("optintbin", 4)),
                ops::put(&as_bin!("optstringbin", "new string")),
                ops::get(),
            ],
        )
        .unwrap();
    assert_eq!(rec.bins["optintbin"], Value::Int(11));
    assert_eq!(rec.bins["optstringbin"], Value::from("new string"));
}

// TestOperate.java, operateDelete(): get(bin1) + delete() returns bin1 = 1 and
// removes the record; get(bin1) + delete() + put(bin2) + get(bin2) leaves a
// record with only bin2 = 2.
#[test]
fn java_operate_delete() {
    let t = open();
    let key = as_key!("test", "java", "opkey");
    t.db.put(&wp(), &key, &[as_bin!("optintbin1", 1)]).unwrap();
    let rec =
        t.db.operate(&wp(), &key, &[ops::get_bin("optintbin1"), ops::delete()])
            .unwrap();
    assert_eq!(rec.bins["optintbin1"], Value::Int(1));
    assert!(!t.db.exists(&rp(), &key).unwrap());
    t.db.put(
        &wp(),
        &key,
        &[as_bin!("optintbin1", 1), as_bin!("optintbin2", 2)],
    )
    .unwrap();
    let rec =
        t.db.operate(
            &wp(),
            &key,
            &[
                ops::get_bin("optintbin1"),
                ops::delete(),
                ops::put(&as_bin!("optintbin2", 2)),
                ops::get_bin("optintbin2"),
            ],
        )
        .unwrap();
    assert_eq!(rec.bins["optintbin1"], Value::Int(1));
    let rec = t.get(&key).unwrap();
    assert_eq!(bins_of(&rec), pairs(&[("optintbin2", Value::Int(2))]));
}

// ---- aerospike/aerospike-client-java, TestPutGet.java ----

// putGet(): both bins come back. The source's second read passes an empty
// bin-name array, which the Java client turns into "all bins"; aerolite's
// `Bins::Some(vec![])` selects no bins (docs/semantics.md, "Reads":
// "`Bins::Some` returns the bins that exist"), so the all-bins read is
// `Bins::All` and the empty selection is a header-only read.
#[test]
fn java_put_get() {
    let t = open();
    let key = as_key!("test", "java", "putgetkey");
    t.db.put(
        &wp(),
        &key,
        &[as_bin!("bin1", "value1"), as_bin!("bin2", "value2")],
    )
    .unwrap();
    let want = pairs(&[("bin1", "value1".into()), ("bin2", "value2".into())]);
    assert_eq!(bins_of(&t.get(&key).unwrap()), want);
    let rec = t.db.get(&rp(), &key, Bins::Some(vec![])).unwrap();
    assert!(rec.bins.is_empty());
    assert_eq!(rec.generation, 1);
}

// getHeader(): the header of a written record has generation > 0.
#[test]
fn java_get_header() {
    let t = open();
    let key = as_key!("test", "java", "getHeader");
    t.db.put(&wp(), &key, &[as_bin!("mybin", "myvalue")])
        .unwrap();
    let rec = t.db.operate(&wp(), &key, &[ops::get_header()]).unwrap();
    assert!(rec.generation > 0);
    assert!(rec.bins.is_empty());
}

// putGetBool(): false, true, 0 and 1 read back as false, true, false, true
// (getBoolean). aerolite keeps the stored types: Bool(false), Bool(true),
// Int(0), Int(1).
#[test]
fn java_put_get_bool() {
    let t = open();
    let key = as_key!("test", "java", "pgb");
    let bins = [
        as_bin!("bin1", false),
        as_bin!("bin2", true),
        as_bin!("bin3", 0),
        as_bin!("bin4", 1),
    ];
    t.db.put(&wp(), &key, &bins).unwrap();
    let rec = t.get(&key).unwrap();
    assert_eq!(rec.bins["bin1"], Value::Bool(false));
    assert_eq!(rec.bins["bin2"], Value::Bool(true));
    assert_eq!(rec.bins["bin3"], Value::Int(0));
    assert_eq!(rec.bins["bin4"], Value::Int(1));
}

// putGetCompress(): a 2000-byte blob (i % 256) reads back byte for byte.
// (Compression is an Enterprise wire option; aerolite stores it plainly.)
#[test]
fn java_put_get_compress() {
    let t = open();
    let key = as_key!("test", "java", "pgc");
    let bytes: Vec<u8> = (0..2000).map(|i| (i % 256) as u8).collect();
    t.db.put(&wp(), &key, &[as_bin!("bb", bytes.clone())])
        .unwrap();
    assert_eq!(t.get(&key).unwrap().bins["bb"], Value::Blob(bytes));
}

// Skipped: putSendKey() checks a client-wide default policy through a
// secondary-index query; aerolite has neither (send_key per call is covered
// by python_operate_with_correct_policy).
