//! Write semantics of put / get / exists / delete / touch, rule by rule from
//! `spec/semantics.md` ("Writes: put / operate", "Deletes").

use aerolite::*;
use std::collections::HashMap;
use std::path::Path;

mod common;
use common::*;

const SEG: u64 = 64 * 1024;

fn open(dir: &Path) -> Db {
    Db::open_with(dir, Options::default().segment_size(SEG)).unwrap()
}

fn bins(pairs: &[(&str, Value)]) -> HashMap<String, Value> {
    pairs
        .iter()
        .map(|(n, v)| (n.to_string(), v.clone()))
        .collect()
}

fn action(a: RecordExistsAction) -> WritePolicy {
    WritePolicy {
        record_exists_action: a,
        ..WritePolicy::default()
    }
}

fn gen_policy(p: GenerationPolicy, generation: u32) -> WritePolicy {
    WritePolicy {
        generation_policy: p,
        generation,
        ..WritePolicy::default()
    }
}

fn get(db: &Db, key: &Key) -> Record {
    db.get(&rp(), key, Bins::All).unwrap()
}

fn objects(db: &Db) -> u64 {
    db.namespace_stats("test").unwrap().objects
}

#[test]
fn exists_actions_on_a_present_record() {
    use RecordExistsAction::*;
    let dir = tempfile::tempdir().unwrap();
    let db = open(dir.path());
    let initial = [as_bin!("a", 1), as_bin!("b", 2)];
    let write = [as_bin!("a", 10), as_bin!("c", 3)];
    let merged = bins(&[("a", 10.into()), ("b", 2.into()), ("c", 3.into())]);
    let replaced = bins(&[("a", 10.into()), ("c", 3.into())]);
    for (i, (act, want)) in [
        (Update, Some(&merged)),
        (UpdateOnly, Some(&merged)),
        (Replace, Some(&replaced)),
        (ReplaceOnly, Some(&replaced)),
        (CreateOnly, None),
    ]
    .into_iter()
    .enumerate()
    {
        let key = as_key!("test", "ea", i as i64);
        db.put(&wp(), &key, &initial).unwrap();
        let before = get(&db, &key);
        assert_eq!(before.generation, 1);
        let res = db.put(&action(act), &key, &write);
        match want {
            Some(want) => {
                res.unwrap();
                let r = get(&db, &key);
                assert_eq!(&r.bins, want, "{act:?}");
                assert_eq!(r.generation, 2, "{act:?}");
            }
            None => {
                let err = res.unwrap_err();
                assert!(matches!(err, Error::KeyExists), "{act:?}: {err:?}");
                assert_eq!(err.result_code() as i32, 5);
                // Unchanged: same bins AND same generation.
                assert_eq!(get(&db, &key), before);
            }
        }
    }
}

#[test]
fn exists_actions_on_an_absent_record() {
    use RecordExistsAction::*;
    let dir = tempfile::tempdir().unwrap();
    let db = open(dir.path());
    let write = [as_bin!("a", 1)];
    for (i, (act, creates)) in [
        (Update, true),
        (UpdateOnly, false),
        (Replace, true),
        (ReplaceOnly, false),
        (CreateOnly, true),
    ]
    .into_iter()
    .enumerate()
    {
        let key = as_key!("test", "ea", i as i64);
        let res = db.put(&action(act), &key, &write);
        if creates {
            res.unwrap();
            let r = get(&db, &key);
            assert_eq!(r.bins, bins(&[("a", 1.into())]), "{act:?}");
            assert_eq!(r.generation, 1, "{act:?}");
        } else {
            let err = res.unwrap_err();
            assert!(matches!(err, Error::KeyNotFound), "{act:?}: {err:?}");
            assert_eq!(err.result_code() as i32, 2);
            assert!(!db.exists(&rp(), &key).unwrap());
            assert!(matches!(
                db.get(&rp(), &key, Bins::All),
                Err(Error::KeyNotFound)
            ));
        }
    }
    assert_eq!(objects(&db), 3);
}

#[test]
fn generation_counts_writes_and_touches() {
    let dir = tempfile::tempdir().unwrap();
    let db = open(dir.path());
    let key = as_key!("test", "g", "k");
    db.put(&wp(), &key, &[as_bin!("a", 1)]).unwrap();
    assert_eq!(get(&db, &key).generation, 1);
    db.put(&wp(), &key, &[as_bin!("a", 2)]).unwrap();
    assert_eq!(get(&db, &key).generation, 2);
    db.touch(&wp(), &key).unwrap();
    assert_eq!(get(&db, &key).generation, 3);
    // Reads and failed writes do not count.
    let _ = db.get(&rp(), &key, Bins::None).unwrap();
    assert!(db
        .put(
            &action(RecordExistsAction::CreateOnly),
            &key,
            &[as_bin!("a", 9)]
        )
        .is_err());
    let r = get(&db, &key);
    assert_eq!(r.generation, 3);
    assert_eq!(r.bins, bins(&[("a", 2.into())]));
    // Bins::None returns the header only.
    let h = db.get(&rp(), &key, Bins::None).unwrap();
    assert!(h.bins.is_empty());
    assert_eq!(h.generation, 3);
    // Touch on a missing record.
    let missing = as_key!("test", "g", "missing");
    let err = db.touch(&wp(), &missing).unwrap_err();
    assert!(matches!(err, Error::KeyNotFound));
    assert!(!db.exists(&rp(), &missing).unwrap());
}

#[test]
fn expect_gen_equal_and_greater() {
    use GenerationPolicy::*;
    let dir = tempfile::tempdir().unwrap();
    let db = open(dir.path());
    let key = as_key!("test", "g", 1);
    db.put(&wp(), &key, &[as_bin!("a", 1)]).unwrap();

    // ExpectGenEqual passes on the stored generation.
    db.put(&gen_policy(ExpectGenEqual, 1), &key, &[as_bin!("a", 2)])
        .unwrap();
    let before = get(&db, &key);
    assert_eq!(before.generation, 2);
    // ... and fails on any other, leaving the record unchanged.
    for g in [0, 1, 3, 70000] {
        let err = db
            .put(&gen_policy(ExpectGenEqual, g), &key, &[as_bin!("a", 99)])
            .unwrap_err();
        assert!(
            matches!(err, Error::GenerationMismatch { expected, actual: 2 } if expected == g),
            "{err:?}"
        );
        assert_eq!(err.result_code() as i32, 3);
        assert_eq!(get(&db, &key), before);
    }
    // ExpectGenGreater: equal or lower fails, greater passes; the stored
    // generation still only goes up by one.
    for g in [0, 1, 2] {
        let err = db
            .put(&gen_policy(ExpectGenGreater, g), &key, &[as_bin!("a", 99)])
            .unwrap_err();
        assert!(
            matches!(err, Error::GenerationMismatch { actual: 2, .. }),
            "{err:?}"
        );
        assert_eq!(err.result_code() as i32, 3);
        assert_eq!(get(&db, &key), before);
    }
    db.put(&gen_policy(ExpectGenGreater, 3), &key, &[as_bin!("a", 3)])
        .unwrap();
    let r = get(&db, &key);
    assert_eq!((r.generation, &r.bins["a"]), (3, &Value::Int(3)));
    db.put(
        &gen_policy(ExpectGenGreater, 1000),
        &key,
        &[as_bin!("a", 4)],
    )
    .unwrap();
    assert_eq!(get(&db, &key).generation, 4);

    // GenerationPolicy::None ignores policy.generation.
    db.put(&gen_policy(None, 12345), &key, &[as_bin!("a", 5)])
        .unwrap();
    assert_eq!(get(&db, &key).generation, 5);

    // Touch honours the generation check too.
    let before = get(&db, &key);
    let err = db.touch(&gen_policy(ExpectGenEqual, 4), &key).unwrap_err();
    assert!(
        matches!(
            err,
            Error::GenerationMismatch {
                expected: 4,
                actual: 5
            }
        ),
        "{err:?}"
    );
    assert_eq!(get(&db, &key), before);
    db.touch(&gen_policy(ExpectGenEqual, 5), &key).unwrap();
    assert_eq!(get(&db, &key).generation, 6);
}

#[test]
fn generation_check_on_a_record_being_created() {
    use GenerationPolicy::*;
    let dir = tempfile::tempdir().unwrap();
    let db = open(dir.path());
    // A record being created has stored generation 0.
    let k1 = as_key!("test", "g", "eq0");
    db.put(&gen_policy(ExpectGenEqual, 0), &k1, &[as_bin!("a", 1)])
        .unwrap();
    assert_eq!(get(&db, &k1).generation, 1);

    let k2 = as_key!("test", "g", "eq1");
    let err = db
        .put(&gen_policy(ExpectGenEqual, 1), &k2, &[as_bin!("a", 1)])
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::GenerationMismatch {
                expected: 1,
                actual: 0
            }
        ),
        "{err:?}"
    );
    assert!(!db.exists(&rp(), &k2).unwrap());

    let k3 = as_key!("test", "g", "gt0");
    let err = db
        .put(&gen_policy(ExpectGenGreater, 0), &k3, &[as_bin!("a", 1)])
        .unwrap_err();
    assert!(
        matches!(err, Error::GenerationMismatch { actual: 0, .. }),
        "{err:?}"
    );
    assert!(!db.exists(&rp(), &k3).unwrap());
    db.put(&gen_policy(ExpectGenGreater, 1), &k3, &[as_bin!("a", 1)])
        .unwrap();
    assert_eq!(get(&db, &k3).generation, 1);
    assert_eq!(objects(&db), 2);
}

#[test]
fn generation_wraps_after_65535_to_1() {
    let dir = tempfile::tempdir().unwrap();
    // Big segments: this test is about generations, not segment rolls.
    let db = Db::open_with(dir.path(), Options::default().segment_size(16 << 20)).unwrap();
    let key = as_key!("test", "wrap", 1);
    let t = std::time::Instant::now();
    for i in 0..65535i64 {
        db.put(&wp(), &key, &[as_bin!("n", i)]).unwrap();
    }
    let r = get(&db, &key);
    assert_eq!(r.generation, 65535);
    assert_eq!(r.bins["n"], Value::Int(65534));
    // The 65536th write wraps to 1 (0 is never stored).
    db.put(
        &gen_policy(GenerationPolicy::ExpectGenEqual, 65535),
        &key,
        &[as_bin!("n", -1)],
    )
    .unwrap();
    eprintln!("65536 puts on one key: {:?}", t.elapsed());
    let r = get(&db, &key);
    assert_eq!(r.generation, 1);
    assert_eq!(r.bins["n"], Value::Int(-1));
    db.touch(&wp(), &key).unwrap();
    assert_eq!(get(&db, &key).generation, 2);
    db.close().unwrap();
    let db = Db::open_with(dir.path(), Options::default().segment_size(16 << 20)).unwrap();
    assert_eq!(get(&db, &key).generation, 2);
    assert_eq!(get(&db, &key).bins["n"], Value::Int(-1));
}

#[test]
fn nil_bins_delete_bins_and_records() {
    let dir = tempfile::tempdir().unwrap();
    let db = open(dir.path());
    let key = as_key!("test", "nil", 1);
    db.put(
        &wp(),
        &key,
        &[as_bin!("a", 1), as_bin!("b", 2), as_bin!("c", 3)],
    )
    .unwrap();

    // A nil bin deletes that bin; others are kept.
    db.put(&wp(), &key, &[as_bin!("a")]).unwrap();
    let r = get(&db, &key);
    assert_eq!(r.bins, bins(&[("b", 2.into()), ("c", 3.into())]));
    assert_eq!(r.generation, 2);

    // Nil for an absent bin is a no-op (for that bin).
    db.put(&wp(), &key, &[as_bin!("zz"), as_bin!("b", 20)])
        .unwrap();
    let r = get(&db, &key);
    assert_eq!(r.bins, bins(&[("b", 20.into()), ("c", 3.into())]));
    assert_eq!(r.generation, 3);
    db.put(&wp(), &key, &[as_bin!("zz")]).unwrap();
    assert_eq!(
        get(&db, &key).bins,
        bins(&[("b", 20.into()), ("c", 3.into())])
    );

    // All remaining bins nil: the record is deleted.
    let n = objects(&db);
    db.put(&wp(), &key, &[as_bin!("b"), as_bin!("c")]).unwrap();
    assert!(matches!(
        db.get(&rp(), &key, Bins::All),
        Err(Error::KeyNotFound)
    ));
    assert!(!db.exists(&rp(), &key).unwrap());
    assert_eq!(objects(&db), n - 1);
    assert!(!db.delete(&wp(), &key).unwrap());

    // Nil-only put on a missing record: KeyNotFound, nothing created.
    let err = db.put(&wp(), &key, &[as_bin!("b")]).unwrap_err();
    assert!(matches!(err, Error::KeyNotFound), "{err:?}");
    assert_eq!(err.result_code() as i32, 2);
    let fresh = as_key!("test", "nil", 2);
    let err = db
        .put(&wp(), &fresh, &[as_bin!("x"), as_bin!("y")])
        .unwrap_err();
    assert!(matches!(err, Error::KeyNotFound), "{err:?}");
    assert!(!db.exists(&rp(), &fresh).unwrap());
    assert_eq!(objects(&db), n - 1);

    // Recreating after the nil delete starts again at generation 1.
    db.put(&wp(), &key, &[as_bin!("a", 7)]).unwrap();
    let r = get(&db, &key);
    assert_eq!((r.generation, r.bins), (1, bins(&[("a", 7.into())])));
}

#[test]
fn nil_with_replace_is_a_parameter_error() {
    use RecordExistsAction::*;
    let dir = tempfile::tempdir().unwrap();
    let db = open(dir.path());
    let key = as_key!("test", "nil", "r");
    db.put(&wp(), &key, &[as_bin!("a", 1), as_bin!("b", 2)])
        .unwrap();
    let before = get(&db, &key);
    let missing = as_key!("test", "nil", "missing");
    for act in [Replace, ReplaceOnly] {
        for k in [&key, &missing] {
            let err = db
                .put(&action(act), k, &[as_bin!("a", 5), as_bin!("b")])
                .unwrap_err();
            assert!(matches!(err, Error::ParameterError(_)), "{act:?}: {err:?}");
            assert_eq!(err.result_code() as i32, 4);
        }
    }
    assert_eq!(get(&db, &key), before);
    assert!(!db.exists(&rp(), &missing).unwrap());
    assert_eq!(objects(&db), 1);
}

#[test]
fn put_with_zero_bins_is_a_parameter_error() {
    let dir = tempfile::tempdir().unwrap();
    let db = open(dir.path());
    let key = as_key!("test", "z", 1);
    let none: &[Bin] = &[];
    let err = db.put(&wp(), &key, none).unwrap_err();
    assert!(matches!(err, Error::ParameterError(_)), "{err:?}");
    assert_eq!(err.result_code() as i32, 4);
    assert!(!db.exists(&rp(), &key).unwrap());
    db.put(&wp(), &key, &[as_bin!("a", 1)]).unwrap();
    let before = get(&db, &key);
    for act in [RecordExistsAction::Update, RecordExistsAction::Replace] {
        assert!(matches!(
            db.put(&action(act), &key, none),
            Err(Error::ParameterError(_))
        ));
    }
    assert_eq!(get(&db, &key), before);
}

#[test]
fn duplicate_bin_names_last_wins() {
    let dir = tempfile::tempdir().unwrap();
    let db = open(dir.path());
    let key = as_key!("test", "dup", 1);
    db.put(&wp(), &key, &[as_bin!("a", 1), as_bin!("a", 2)])
        .unwrap();
    assert_eq!(get(&db, &key).bins, bins(&[("a", 2.into())]));

    db.put(&wp(), &key, &[as_bin!("b", 1)]).unwrap();
    // A later nil deletes, a later value after a nil sets.
    db.put(&wp(), &key, &[as_bin!("a", 5), as_bin!("a")])
        .unwrap();
    assert_eq!(get(&db, &key).bins, bins(&[("b", 1.into())]));
    db.put(&wp(), &key, &[as_bin!("a"), as_bin!("a", 6)])
        .unwrap();
    assert_eq!(
        get(&db, &key).bins,
        bins(&[("a", 6.into()), ("b", 1.into())])
    );

    // Replace with duplicates.
    db.put(
        &action(RecordExistsAction::Replace),
        &key,
        &[as_bin!("c", "x"), as_bin!("c", "y")],
    )
    .unwrap();
    assert_eq!(get(&db, &key).bins, bins(&[("c", "y".into())]));

    // On a missing record, "last is nil" means no bins: KeyNotFound.
    let missing = as_key!("test", "dup", 2);
    let err = db
        .put(&wp(), &missing, &[as_bin!("a", 1), as_bin!("a")])
        .unwrap_err();
    assert!(matches!(err, Error::KeyNotFound), "{err:?}");
    assert!(!db.exists(&rp(), &missing).unwrap());

    // Many bins (more than the small-write path) with duplicates.
    let mut many: Vec<Bin> = (0..40).map(|i| as_bin!(&format!("m{i}"), i)).collect();
    many.extend((0..40).step_by(2).map(|i| as_bin!(&format!("m{i}"), -i)));
    many.push(as_bin!("m1"));
    db.put(&wp(), &missing, &many).unwrap();
    let want: HashMap<String, Value> = (0..40i64)
        .filter(|&i| i != 1)
        .map(|i| (format!("m{i}"), Value::Int(if i % 2 == 0 { -i } else { i })))
        .collect();
    assert_eq!(get(&db, &missing).bins, want);
}

#[test]
fn send_key_stores_and_keeps_the_user_key() {
    let dir = tempfile::tempdir().unwrap();
    let db = open(dir.path());
    let send = WritePolicy {
        send_key: true,
        ..WritePolicy::default()
    };

    // Without send_key: no user key comes back, the digest does.
    let plain = as_key!("test", "sk", "plain");
    db.put(&wp(), &plain, &[as_bin!("a", 1)]).unwrap();
    let k = get(&db, &plain).key.unwrap();
    assert_eq!(k.user_key(), None);
    assert_eq!(k.digest(), plain.digest());
    assert_eq!((k.namespace(), k.set_name()), ("test", "sk"));

    // With send_key: the full key, for each user key type.
    for key in [
        as_key!("test", "sk", 42),
        as_key!("test", "sk", "forty-two"),
        as_key!("test", "sk", vec![4u8, 2]),
        as_key!("test", "", i64::MIN),
    ] {
        db.put(&send, &key, &[as_bin!("a", 1)]).unwrap();
        assert_eq!(get(&db, &key).key.as_ref(), Some(&key));
        // Kept by later writes without send_key: Update, Replace, touch.
        db.put(&wp(), &key, &[as_bin!("b", 2)]).unwrap();
        assert_eq!(get(&db, &key).key.as_ref(), Some(&key));
        db.put(
            &action(RecordExistsAction::Replace),
            &key,
            &[as_bin!("c", 3)],
        )
        .unwrap();
        assert_eq!(get(&db, &key).key.as_ref(), Some(&key));
        db.touch(&wp(), &key).unwrap();
        let r = get(&db, &key);
        assert_eq!(r.key.as_ref(), Some(&key));
        assert_eq!(r.generation, 4);
        // Read by digest alone: the stored key comes back.
        let by_digest = Key::from_digest("test", key.set_name(), *key.digest()).unwrap();
        assert_eq!(get(&db, &by_digest).key.as_ref(), Some(&key));
        // A digest-only write with send_key has no key to send: stored key kept.
        db.put(&send, &by_digest, &[as_bin!("d", 4)]).unwrap();
        assert_eq!(get(&db, &key).key.as_ref(), Some(&key));
    }

    // A record first written without the key gets it on a later send_key write.
    db.put(&send, &plain, &[as_bin!("a", 2)]).unwrap();
    assert_eq!(get(&db, &plain).key.as_ref(), Some(&plain));
    // Sending the same key again is fine (no KeyMismatch).
    db.put(&send, &plain, &[as_bin!("a", 3)]).unwrap();
    assert_eq!(get(&db, &plain).generation, 3);

    // Stored keys survive a reopen.
    db.close().unwrap();
    let db = open(dir.path());
    assert_eq!(get(&db, &plain).key.as_ref(), Some(&plain));

    // KeyMismatch (19) needs a *different* user key with the same digest.
    // The public API cannot build one: `Key::new` always derives the digest
    // from the user key (a RIPEMD-160 collision would be needed) and
    // `Key::from_digest` carries no user key. So only the non-mismatch paths
    // above are testable here.
    assert_eq!(Error::KeyMismatch.result_code() as i32, 19);
}

#[test]
fn int_and_string_keys_are_different_records() {
    let dir = tempfile::tempdir().unwrap();
    let db = open(dir.path());
    let ki = as_key!("test", "demo", 99999);
    let ks = as_key!("test", "demo", "99999");
    assert_ne!(ki.digest(), ks.digest());
    db.put(&wp(), &ki, &[as_bin!("t", "int")]).unwrap();
    assert!(!db.exists(&rp(), &ks).unwrap());
    db.put(&wp(), &ks, &[as_bin!("t", "str")]).unwrap();
    assert_eq!(get(&db, &ki).bins["t"], Value::from("int"));
    assert_eq!(get(&db, &ks).bins["t"], Value::from("str"));
    assert_eq!((get(&db, &ki).generation, get(&db, &ks).generation), (1, 1));
    assert!(db.delete(&wp(), &ks).unwrap());
    assert_eq!(get(&db, &ki).bins["t"], Value::from("int"));
    assert!(!db.exists(&rp(), &ks).unwrap());
    // A blob with the same bytes as the string is yet another record.
    let kb = as_key!("test", "demo", b"99999".to_vec());
    assert!(!db.exists(&rp(), &kb).unwrap());
}

#[test]
fn delete_returns_whether_a_live_record_existed() {
    use GenerationPolicy::*;
    let dir = tempfile::tempdir().unwrap();
    let db = open(dir.path());
    let key = as_key!("test", "del", 1);
    // Never written, in a namespace with data and in one without.
    db.put(&wp(), &as_key!("test", "del", 0), &[as_bin!("a", 0)])
        .unwrap();
    assert!(!db.delete(&wp(), &key).unwrap());
    assert!(!db.delete(&wp(), &as_key!("other", "del", 1)).unwrap());
    let other = as_key!("other", "del", 1);
    assert!(matches!(
        db.get(&rp(), &other, Bins::All),
        Err(Error::KeyNotFound)
    ));
    assert!(!db.exists(&rp(), &other).unwrap() && db.touch(&wp(), &other).is_err());
    assert_eq!(db.namespace_stats("other").unwrap().objects, 0);

    db.put(&wp(), &key, &[as_bin!("a", 1)]).unwrap();
    db.put(&wp(), &key, &[as_bin!("a", 2)]).unwrap();
    let before = get(&db, &key);

    // A failing generation check: GenerationMismatch and the record is kept.
    for p in [
        gen_policy(ExpectGenEqual, 1),
        gen_policy(ExpectGenGreater, 2),
    ] {
        let err = db.delete(&p, &key).unwrap_err();
        assert!(
            matches!(err, Error::GenerationMismatch { actual: 2, .. }),
            "{err:?}"
        );
        assert_eq!(err.result_code() as i32, 3);
        assert_eq!(get(&db, &key), before);
    }
    assert!(db.delete(&gen_policy(ExpectGenEqual, 2), &key).unwrap());
    assert!(matches!(
        db.get(&rp(), &key, Bins::All),
        Err(Error::KeyNotFound)
    ));
    assert!(!db.exists(&rp(), &key).unwrap());
    assert!(matches!(db.touch(&wp(), &key), Err(Error::KeyNotFound)));
    assert!(!db.delete(&wp(), &key).unwrap());
    let s = db.namespace_stats("test").unwrap();
    assert_eq!((s.objects, s.tombstones), (1, 1));

    // Recreated: a brand-new record at generation 1.
    db.put(&wp(), &key, &[as_bin!("b", 1)]).unwrap();
    let r = get(&db, &key);
    assert_eq!((r.generation, r.bins), (1, bins(&[("b", 1.into())])));
    assert!(db.delete(&wp(), &key).unwrap());
}
