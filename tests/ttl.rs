//! TTL and expiration rules of `spec/semantics.md` ("TTL and expiration"),
//! all driven by a `ManualClock`.

use aerolite::*;
use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, UNIX_EPOCH};

mod common;
use common::*;

const START_UNIX: u64 = 1_700_000_000;
/// Citrus seconds (since 2010-01-01) of `START_UNIX`.
const START: u32 = (START_UNIX - 1_262_304_000) as u32;
const DEFAULT_TTL: u32 = 3600;

fn clock() -> Arc<ManualClock> {
    clock_at(START_UNIX)
}

fn options(clock: &Arc<ManualClock>) -> Options {
    Options::default()
        .segment_size(64 * 1024)
        .clock(clock.clone())
        .namespace(
            NamespaceConfig::new("dflt")
                .default_ttl(Some(Duration::from_secs(u64::from(DEFAULT_TTL)))),
        )
}

fn open(dir: &Path, clock: &Arc<ManualClock>) -> Db {
    Db::open_with(dir, options(clock)).unwrap()
}

fn advance(clock: &ManualClock, secs: u64) {
    clock.advance(Duration::from_secs(secs));
}

fn exp(e: Expiration) -> WritePolicy {
    WritePolicy {
        expiration: e,
        ..WritePolicy::default()
    }
}

fn secs(n: u32) -> WritePolicy {
    exp(Expiration::Seconds(n))
}

fn action(a: RecordExistsAction) -> WritePolicy {
    WritePolicy {
        record_exists_action: a,
        ..WritePolicy::default()
    }
}

fn get(db: &Db, key: &Key) -> Record {
    db.get(&rp(), key, Bins::All).unwrap()
}

fn bins(pairs: &[(&str, i64)]) -> HashMap<String, Value> {
    pairs
        .iter()
        .map(|(n, v)| (n.to_string(), Value::Int(*v)))
        .collect()
}

fn assert_gone(db: &Db, key: &Key) {
    assert!(matches!(
        db.get(&rp(), key, Bins::All),
        Err(Error::KeyNotFound)
    ));
    assert!(matches!(
        db.get(&rp(), key, Bins::None),
        Err(Error::KeyNotFound)
    ));
    assert!(!db.exists(&rp(), key).unwrap());
}

#[test]
fn seconds_sets_the_void_time_and_the_record_vanishes_at_it() {
    let dir = tempfile::tempdir().unwrap();
    let clock = clock();
    let db = open(dir.path(), &clock);
    let key = as_key!("test", "t", 1);
    db.put(&secs(100), &key, &[as_bin!("a", 1)]).unwrap();
    let r = get(&db, &key);
    assert_eq!(r.expiration, START + 100);
    assert_eq!(r.time_to_live(), Some(Duration::from_secs(100)));

    advance(&clock, 99);
    let r = get(&db, &key);
    assert_eq!(r.bins, bins(&[("a", 1)]));
    assert_eq!(r.time_to_live(), Some(Duration::from_secs(1)));
    assert!(db.exists(&rp(), &key).unwrap());

    // At now + n the record does not exist, with no sweep having run.
    advance(&clock, 1);
    assert_gone(&db, &key);
    assert!(matches!(db.touch(&wp(), &key), Err(Error::KeyNotFound)));
    for a in [
        RecordExistsAction::UpdateOnly,
        RecordExistsAction::ReplaceOnly,
    ] {
        let err = db.put(&action(a), &key, &[as_bin!("b", 2)]).unwrap_err();
        assert!(matches!(err, Error::KeyNotFound), "{a:?}: {err:?}");
    }
    assert_gone(&db, &key);
    assert!(!db.delete(&wp(), &key).unwrap());
    assert!(!db.delete(&wp(), &key).unwrap());
    assert_gone(&db, &key);
}

#[test]
fn writes_on_an_expired_record_create_a_new_one() {
    use RecordExistsAction::*;
    let dir = tempfile::tempdir().unwrap();
    let clock = clock();
    let db = open(dir.path(), &clock);
    let acts = [Update, Replace, CreateOnly];
    for (i, _) in acts.iter().enumerate() {
        let key = as_key!("test", "t", i as i64);
        for _ in 0..3 {
            db.put(&secs(10), &key, &[as_bin!("a", 1), as_bin!("b", 2)])
                .unwrap();
        }
        assert_eq!(get(&db, &key).generation, 3);
    }
    advance(&clock, 10);
    for (i, act) in acts.into_iter().enumerate() {
        let key = as_key!("test", "t", i as i64);
        db.put(&action(act), &key, &[as_bin!("c", 3)]).unwrap();
        let r = get(&db, &key);
        assert_eq!(r.generation, 1, "{act:?}");
        assert_eq!(r.bins, bins(&[("c", 3)]), "{act:?}");
        assert_eq!(r.expiration, 0, "{act:?}");
    }
    // A generation check sees stored generation 0 on an expired record.
    let key = as_key!("test", "t", "gen");
    db.put(&secs(5), &key, &[as_bin!("a", 1)]).unwrap();
    db.put(&secs(5), &key, &[as_bin!("a", 2)]).unwrap();
    advance(&clock, 5);
    let eq = |g| WritePolicy {
        generation_policy: GenerationPolicy::ExpectGenEqual,
        generation: g,
        ..WritePolicy::default()
    };
    let err = db.put(&eq(2), &key, &[as_bin!("a", 3)]).unwrap_err();
    assert!(
        matches!(err, Error::GenerationMismatch { actual: 0, .. }),
        "{err:?}"
    );
    assert_gone(&db, &key);
    db.put(&eq(0), &key, &[as_bin!("z", 3)]).unwrap();
    assert_eq!(
        (get(&db, &key).generation, get(&db, &key).bins),
        (1, bins(&[("z", 3)]))
    );
}

#[test]
fn dont_update_keeps_the_void_time() {
    let dir = tempfile::tempdir().unwrap();
    let clock = clock();
    let db = open(dir.path(), &clock);
    let key = as_key!("test", "t", 1);
    db.put(&secs(100), &key, &[as_bin!("a", 1)]).unwrap();
    advance(&clock, 10);
    db.put(&exp(Expiration::DontUpdate), &key, &[as_bin!("a", 2)])
        .unwrap();
    let r = get(&db, &key);
    assert_eq!((r.expiration, r.generation), (START + 100, 2));
    assert_eq!(r.time_to_live(), Some(Duration::from_secs(90)));
    db.touch(&exp(Expiration::DontUpdate), &key).unwrap();
    let r = get(&db, &key);
    assert_eq!((r.expiration, r.generation), (START + 100, 3));
    // Never-expiring stays never.
    let never = as_key!("dflt", "t", 1);
    db.put(&exp(Expiration::Never), &never, &[as_bin!("a", 1)])
        .unwrap();
    db.put(&exp(Expiration::DontUpdate), &never, &[as_bin!("a", 2)])
        .unwrap();
    assert_eq!(get(&db, &never).expiration, 0);

    // On a create it means the namespace default.
    let now = START + 10;
    let created = as_key!("dflt", "t", 2);
    db.put(&exp(Expiration::DontUpdate), &created, &[as_bin!("a", 1)])
        .unwrap();
    assert_eq!(get(&db, &created).expiration, now + DEFAULT_TTL);
    let created = as_key!("test", "t", 2);
    db.put(&exp(Expiration::DontUpdate), &created, &[as_bin!("a", 1)])
        .unwrap();
    assert_eq!(get(&db, &created).expiration, 0);
}

#[test]
fn every_write_without_explicit_ttl_resets_it_to_the_namespace_default() {
    let dir = tempfile::tempdir().unwrap();
    let clock = clock();
    let db = open(dir.path(), &clock);
    for (ns, default) in [("dflt", Some(DEFAULT_TTL)), ("test", None)] {
        let want = |now: u32| default.map_or(0, |d| now + d);
        let key = as_key!(ns, "t", 1);
        db.put(&secs(100), &key, &[as_bin!("a", 1)]).unwrap();
        advance(&clock, 7);
        let now = START + 7;
        // A plain write (NamespaceDefault, the policy default).
        db.put(&wp(), &key, &[as_bin!("a", 2)]).unwrap();
        assert_eq!(get(&db, &key).expiration, want(now), "{ns}");
        assert_eq!(
            get(&db, &key).time_to_live(),
            default.map(|d| Duration::from_secs(u64::from(d)))
        );
        // Never → 0.
        db.put(&exp(Expiration::Never), &key, &[as_bin!("a", 3)])
            .unwrap();
        assert_eq!(get(&db, &key).expiration, 0, "{ns}");
        assert_eq!(get(&db, &key).time_to_live(), None);
        // Seconds(0) behaves like the namespace default.
        db.put(&secs(100), &key, &[as_bin!("a", 4)]).unwrap();
        db.put(&secs(0), &key, &[as_bin!("a", 5)]).unwrap();
        assert_eq!(get(&db, &key).expiration, want(now), "{ns}");
        // A plain touch resets it too.
        db.put(&secs(100), &key, &[as_bin!("a", 6)]).unwrap();
        db.touch(&wp(), &key).unwrap();
        assert_eq!(get(&db, &key).expiration, want(now), "{ns}");
        // A plain create gets the default.
        let fresh = as_key!(ns, "t", 2);
        db.put(&wp(), &fresh, &[as_bin!("a", 1)]).unwrap();
        assert_eq!(get(&db, &fresh).expiration, want(now), "{ns}");
        clock.set(UNIX_EPOCH + Duration::from_secs(START_UNIX));
    }
    // The default TTL really expires the record.
    let key = as_key!("dflt", "t", 3);
    db.put(&wp(), &key, &[as_bin!("a", 1)]).unwrap();
    advance(&clock, u64::from(DEFAULT_TTL) - 1);
    assert!(db.exists(&rp(), &key).unwrap());
    advance(&clock, 1);
    assert_gone(&db, &key);
}

#[test]
fn touch_sets_a_new_ttl_and_bumps_the_generation() {
    let dir = tempfile::tempdir().unwrap();
    let clock = clock();
    let db = open(dir.path(), &clock);
    let key = as_key!("test", "t", 1);
    db.put(&secs(100), &key, &[as_bin!("a", 1), as_bin!("b", 2)])
        .unwrap();
    advance(&clock, 50);
    db.touch(&secs(200), &key).unwrap();
    let r = get(&db, &key);
    assert_eq!(r.expiration, START + 50 + 200);
    assert_eq!(r.generation, 2);
    assert_eq!(r.bins, bins(&[("a", 1), ("b", 2)]));
    assert_eq!(r.time_to_live(), Some(Duration::from_secs(200)));
    // It outlives the old void time, and expires at the new one.
    advance(&clock, 199);
    assert_eq!(get(&db, &key).time_to_live(), Some(Duration::from_secs(1)));
    db.touch(&exp(Expiration::Never), &key).unwrap();
    assert_eq!(get(&db, &key).expiration, 0);
    db.touch(&secs(1), &key).unwrap();
    assert_eq!(get(&db, &key).generation, 4);
    advance(&clock, 1);
    assert_gone(&db, &key);
    assert!(matches!(
        db.touch(&secs(100), &key),
        Err(Error::KeyNotFound)
    ));
    assert_gone(&db, &key);
}

#[test]
fn time_to_live_is_exact_against_the_db_clock() {
    let dir = tempfile::tempdir().unwrap();
    let clock = clock();
    let db = open(dir.path(), &clock);
    let never = as_key!("test", "t", "never");
    db.put(&wp(), &never, &[as_bin!("a", 1)]).unwrap();
    assert_eq!(get(&db, &never).time_to_live(), None);

    let key = as_key!("test", "t", "ttl");
    db.put(&secs(1000), &key, &[as_bin!("a", 1)]).unwrap();
    let held = get(&db, &key);
    for step in [1, 10, 500, 488] {
        advance(&clock, step);
    }
    // 999 s later: 1 s left, exactly; the Record read earlier does not shrink.
    assert_eq!(get(&db, &key).time_to_live(), Some(Duration::from_secs(1)));
    assert_eq!(held.time_to_live(), Some(Duration::from_secs(1000)));
    // Seconds(1): at least one second, then gone.
    let short = as_key!("test", "t", "short");
    db.put(&secs(1), &short, &[as_bin!("a", 1)]).unwrap();
    assert_eq!(
        get(&db, &short).time_to_live(),
        Some(Duration::from_secs(1))
    );
    // Ten years is representable.
    db.put(&secs(315_360_000), &short, &[as_bin!("a", 1)])
        .unwrap();
    assert_eq!(
        get(&db, &short).time_to_live(),
        Some(Duration::from_secs(315_360_000))
    );
    assert_eq!(get(&db, &short).expiration, START + 999 + 315_360_000);
}

#[test]
fn expiry_survives_reopen() {
    let dir = tempfile::tempdir().unwrap();
    let clock = clock();
    let short = as_key!("test", "t", "short");
    let long = as_key!("test", "t", "long");
    let never = as_key!("test", "t", "never");
    {
        let db = open(dir.path(), &clock);
        db.put(&secs(10), &short, &[as_bin!("a", 1)]).unwrap();
        db.put(&secs(10), &short, &[as_bin!("a", 2)]).unwrap();
        db.put(&secs(1000), &long, &[as_bin!("a", 1)]).unwrap();
        db.put(&wp(), &never, &[as_bin!("a", 1)]).unwrap();
        // Many more writes so that segments roll.
        for i in 0..2000 {
            db.put(
                &wp(),
                &as_key!("test", "fill", i),
                &[as_bin!("v", vec![1u8; 64])],
            )
            .unwrap();
        }
        advance(&clock, 10);
        assert_gone(&db, &short);
        db.close().unwrap();
    }
    let db = open(dir.path(), &clock);
    assert_gone(&db, &short);
    let r = get(&db, &long);
    assert_eq!((r.expiration, r.generation), (START + 1000, 1));
    assert_eq!(r.time_to_live(), Some(Duration::from_secs(990)));
    assert_eq!(get(&db, &never).expiration, 0);
    // Further on: `long` expires too, and nothing comes back after reopens.
    advance(&clock, 990);
    assert_gone(&db, &long);
    drop(db);
    advance(&clock, 100_000);
    let db = open(dir.path(), &clock);
    assert_gone(&db, &short);
    assert_gone(&db, &long);
    assert_eq!(get(&db, &never).bins, bins(&[("a", 1)]));
    // A write on an expired key after reopen creates a fresh record.
    db.put(&wp(), &short, &[as_bin!("b", 5)]).unwrap();
    let r = get(&db, &short);
    assert_eq!(
        (r.generation, r.bins, r.expiration),
        (1, bins(&[("b", 5)]), 0)
    );
    db.close().unwrap();
    let db = open(dir.path(), &clock);
    assert_eq!(get(&db, &short).generation, 1);
    assert_gone(&db, &long);
}

/// A clock that counts how often it is read, and moves `step` seconds
/// forward on every read.
#[derive(Debug, Default)]
struct CountingClock {
    reads: std::sync::atomic::AtomicU64,
    step: u64,
}

impl Clock for CountingClock {
    fn now(&self) -> std::time::SystemTime {
        let n = self
            .reads
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        UNIX_EPOCH + Duration::from_secs(START_UNIX + n * self.step)
    }
}

#[test]
fn reads_of_records_that_never_expire_do_not_read_the_clock() {
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(CountingClock::default());
    let options = Options::default()
        .background_maintenance(false)
        .clock(clock.clone());
    let db = Db::open_with(dir.path(), options).unwrap();
    let never = as_key!("test", "t", "never");
    let expiring = as_key!("test", "t", "expiring");
    db.put(&wp(), &never, &[as_bin!("a", 1)]).unwrap();
    db.put(&secs(100), &expiring, &[as_bin!("a", 2)]).unwrap();
    let reads = || clock.reads.load(std::sync::atomic::Ordering::Relaxed);

    let before = reads();
    for _ in 0..10 {
        assert_eq!(get(&db, &never).bin("a"), Some(&Value::Int(1)));
        assert!(db.exists(&rp(), &never).unwrap());
    }
    assert_eq!(
        reads(),
        before,
        "a record without a void time needs no clock"
    );

    // One that can expire is checked against the clock on every read.
    let r = get(&db, &expiring);
    assert_eq!(r.time_to_live(), Some(Duration::from_secs(100)));
    assert!(db.exists(&rp(), &expiring).unwrap());
    assert!(reads() >= before + 2);
}

#[test]
fn a_write_reports_the_ttl_it_set_even_if_the_clock_moves_on() {
    // Every clock read is a second later: the TTL of the record a write
    // returns is read against the time the write used, not a later one.
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(CountingClock {
        step: 1,
        ..CountingClock::default()
    });
    let options = Options::default()
        .background_maintenance(false)
        .clock(clock.clone());
    let db = Db::open_with(dir.path(), options).unwrap();
    let key = as_key!("test", "t", "k");
    let r = db
        .operate(&secs(100), &key, &[operations::put(&as_bin!("a", 1))])
        .unwrap();
    assert_eq!(r.time_to_live(), Some(Duration::from_secs(100)));
    let r = db
        .operate(
            &secs(50),
            &key,
            &[operations::add(&as_bin!("a", 1)), operations::get()],
        )
        .unwrap();
    assert_eq!(r.bin("a"), Some(&Value::Int(2)));
    assert_eq!(r.time_to_live(), Some(Duration::from_secs(50)));
    let out = db
        .batch(
            &BatchPolicy::default(),
            &[BatchOperation::write(
                &BatchWritePolicy {
                    expiration: Expiration::Seconds(70),
                    ..BatchWritePolicy::default()
                },
                key.clone(),
                vec![operations::put(&as_bin!("a", 3))],
            )],
        )
        .unwrap();
    let written = out[0].record.as_ref().unwrap();
    assert_eq!(written.time_to_live(), Some(Duration::from_secs(70)));
}
