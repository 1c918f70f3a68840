//! Truncate: aerospike/aerospike-client-python, test/new_tests/test_truncate.py
//! (class TestTruncate) and aerospike/aerospike-client-rust,
//! tests/src/truncate.rs. The Python fixture puts 45 records in set
//! "truncate" ({"field": i}) and 45 in "un_trunc" ({"removed": i}), waits
//! 1.1 s and takes the threshold "now"; here the wait is a `ManualClock`.

use crate::common::*;
use aerolite::*;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use tempfile::TempDir;

/// 2026-01-01T00:00:00Z.
const START: u64 = 1_767_225_600;

struct F {
    _dir: TempDir,
    db: Db,
    clock: Arc<ManualClock>,
    threshold: SystemTime,
}

fn fixture() -> F {
    let dir = tempfile::tempdir().unwrap();
    let clock = clock_at(START);
    let db = Db::open_with(
        dir.path(),
        Options::default()
            .background_maintenance(false)
            .clock(dyn_clock(&clock)),
    )
    .unwrap();
    for i in 0..45 {
        db.put(
            &wp(),
            &as_key!("test", "truncate", i),
            &[as_bin!("field", i)],
        )
        .unwrap();
        db.put(
            &wp(),
            &as_key!("test", "un_trunc", i),
            &[as_bin!("removed", i)],
        )
        .unwrap();
    }
    clock.advance(Duration::from_millis(1100));
    let threshold = clock.now();
    F {
        _dir: dir,
        db,
        clock,
        threshold,
    }
}

impl F {
    fn count(&self, set: &str, range: std::ops::Range<i64>) -> usize {
        range
            .filter(|&i| self.db.exists(&rp(), &as_key!("test", set, i)).unwrap())
            .count()
    }
}

// test_whole_set_truncation: truncate("test", "truncate", 0) removes the set.
#[test]
fn python_whole_set_truncation() {
    let f = fixture();
    assert_eq!(f.db.truncate("test", Some("truncate"), None).unwrap(), 45);
    assert_eq!(f.count("truncate", 0..45), 0);
}

// test_truncate_does_not_change_entire_namespace: "un_trunc" stays.
#[test]
fn python_truncate_does_not_change_entire_namespace() {
    let f = fixture();
    f.db.truncate("test", Some("truncate"), None).unwrap();
    assert_eq!(f.count("un_trunc", 0..45), 45);
}

// test_truncate_entire_namespace: set None truncates both sets.
#[test]
fn python_truncate_entire_namespace() {
    let f = fixture();
    assert_eq!(f.db.truncate("test", None, None).unwrap(), 90);
    assert_eq!(f.count("truncate", 0..45), 0);
    assert_eq!(f.count("un_trunc", 0..45), 0);
}

// test_whole_set_truncation_with_created_threshold: records 45..90 written
// after the threshold survive, 0..45 are gone.
#[test]
fn python_whole_set_truncation_with_created_threshold() {
    let f = fixture();
    f.clock.advance(Duration::from_secs(5));
    let threshold = f.clock.now();
    f.clock.advance(Duration::from_secs(5));
    for i in 45..90 {
        f.db.put(
            &wp(),
            &as_key!("test", "truncate", i),
            &[as_bin!("field", i)],
        )
        .unwrap();
    }
    f.db.truncate("test", Some("truncate"), Some(threshold))
        .unwrap();
    assert_eq!(f.count("truncate", 0..45), 0);
    assert_eq!(f.count("truncate", 45..90), 45);
}

// test_truncate_with_lut_before_all_records: threshold - 100 s keeps all.
#[test]
fn python_truncate_with_lut_before_all_records() {
    let f = fixture();
    let before = f.threshold - Duration::from_secs(100);
    assert_eq!(
        f.db.truncate("test", Some("truncate"), Some(before))
            .unwrap(),
        0
    );
    assert_eq!(f.count("truncate", 0..45), 45);
}

// test_truncate_non_existent_containers[fake_namespace]: return code 0.
#[test]
fn python_truncate_non_existent_namespace() {
    let f = fixture();
    assert_eq!(
        f.db.truncate("fake_namespace", Some("truncate"), None)
            .unwrap(),
        0
    );
    assert_eq!(f.count("truncate", 0..45), 45);
}

// test_truncate_non_existent_containers[fake_set]: return code 0.
#[test]
fn python_truncate_non_existent_set() {
    let f = fixture();
    assert_eq!(f.db.truncate("test", Some("fake_set"), None).unwrap(), 0);
    assert_eq!(f.count("truncate", 0..45), 45);
}

// test_truncate_empty_container_names[("", "truncate")]: an error, nothing
// truncated. aerolite: InvalidNamespace.
#[test]
fn python_truncate_empty_namespace_name() {
    let f = fixture();
    let err = f.db.truncate("", Some("truncate"), None).unwrap_err();
    assert_eq!(err.result_code(), ResultCode::InvalidNamespace);
    assert_eq!(f.count("truncate", 0..45), 45);
}

// test_truncate_empty_container_names[("test", "")]: the Python client
// refuses the empty set name (ClientError) and nothing is truncated.
// Deliberate difference (issue 9 item 5, listed under "Differences from
// Aerospike" in docs/semantics.md): aerolite's `Some("")` means "the records
// that have no set", so the named sets are untouched here too.
#[test]
fn python_truncate_empty_set_name_is_the_null_set() {
    let f = fixture();
    f.db.put(&wp(), &as_key!("test", "", 1), &[as_bin!("x", 1)])
        .unwrap();
    assert_eq!(f.db.truncate("test", Some(""), None).unwrap(), 1);
    assert!(!f.db.exists(&rp(), &as_key!("test", "", 1)).unwrap());
    assert_eq!(f.count("truncate", 0..45), 45);
    assert_eq!(f.count("un_trunc", 0..45), 45);
}

fn assert_parameter_error(f: &F, before: SystemTime) {
    let err =
        f.db.truncate("test", Some("truncate"), Some(before))
            .unwrap_err();
    assert_eq!(err.result_code(), ResultCode::ParameterError, "{err:?}");
    assert_eq!(f.count("truncate", 0..45), 45);
}

// test_nanos_argument_before_cf_epoch: 1 ns after 1970 is before the
// citrusleaf epoch (2010-01-01): an error; the server says 4.
#[test]
fn python_nanos_argument_before_cf_epoch() {
    let f = fixture();
    assert_parameter_error(&f, UNIX_EPOCH + Duration::from_nanos(1));
}

// test_nanos_argument_between_int32_and_uint32: 2^31 + 1 ns, also before 2010.
#[test]
fn python_nanos_argument_between_int32_and_uint32() {
    let f = fixture();
    assert_parameter_error(&f, UNIX_EPOCH + Duration::from_nanos((1 << 31) + 1));
}

// test_nanos_argument_between_int64_and_uint64: 2^63 + 1 ns is in the
// future ("This may stop raising a client error in 2264").
#[test]
fn python_nanos_argument_between_int64_and_uint64() {
    let f = fixture();
    assert_parameter_error(&f, UNIX_EPOCH + Duration::from_nanos((1 << 63) + 1));
}

// test_nanos_argument_in_future: threshold + 1000 s is an error.
#[test]
fn python_nanos_argument_in_future() {
    let f = fixture();
    assert_parameter_error(&f, f.threshold + Duration::from_secs(1000));
}

// The Python cases with arguments of the wrong type (invalid ns/set/nanos/
// policy, missing arguments, 2**64, negative nanos) are client-side type
// checks that aerolite's typed API cannot express; skipped.

// aerospike/aerospike-client-rust, tests/src/truncate.rs, fn truncate:
// truncating a fresh (random, empty) set with before = 0 ("now") is Ok.
#[test]
fn rust_truncate() {
    let f = fixture();
    assert_eq!(f.db.truncate("test", Some("rAnd0mSet1"), None).unwrap(), 0);
    assert_eq!(f.count("truncate", 0..45), 45);
}
