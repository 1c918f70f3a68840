//! asrestore's write rules: generation check, --unique, --replace,
//! --no-generation, expiry.

use super::*;

fn file_with(gen: u32, bins: &str, count: usize) -> String {
    format!(
        "Version 3.1\n# namespace test\n+ k I 1\n+ n test\n+ d {}\n+ s s\n+ g {gen}\n+ t 0\n+ b {count}\n{bins}",
        {
            use base64::Engine as _;
            base64::engine::general_purpose::STANDARD.encode(Key::new("test", "s", 1).unwrap().digest().0)
        }
    )
}

fn setup() -> (tempfile::TempDir, Db, Key) {
    let dir = tempfile::tempdir().unwrap();
    let db = Db::open(dir.path()).unwrap();
    let key = Key::new("test", "s", 1).unwrap();
    // Generation 3, bins a and b.
    db.put(&wp(), &key, &[Bin::new("a", 1), Bin::new("b", 1)])
        .unwrap();
    db.put(&wp(), &key, &[Bin::new("a", 2)]).unwrap();
    db.put(&wp(), &key, &[Bin::new("a", 3)]).unwrap();
    (dir, db, key)
}

#[test]
fn a_record_is_written_only_if_the_stored_generation_is_lower() {
    let (_d, db, key) = setup();
    let s = db
        .restore(
            &mut file_with(3, "- I a 10\n", 1).as_bytes(),
            &RestoreOptions::default(),
        )
        .unwrap();
    assert_eq!((s.written, s.fresher), (0, 1));
    assert_eq!(
        db.get(&rp(), &key, Bins::All).unwrap().bins["a"],
        Value::Int(3)
    );
    let s = db
        .restore(
            &mut file_with(4, "- I a 10\n", 1).as_bytes(),
            &RestoreOptions::default(),
        )
        .unwrap();
    assert_eq!((s.written, s.fresher), (1, 0));
    let r = db.get(&rp(), &key, Bins::All).unwrap();
    // Bins merge by default: b is kept.
    assert_eq!(r.bins["a"], Value::Int(10));
    assert_eq!(r.bins["b"], Value::Int(1));
}

#[test]
fn no_generation_writes_whatever_the_stored_generation() {
    let (_d, db, key) = setup();
    let opts = RestoreOptions {
        check_generation: false,
        ..RestoreOptions::default()
    };
    let s = db
        .restore(&mut file_with(1, "- I a 10\n", 1).as_bytes(), &opts)
        .unwrap();
    assert_eq!(s.written, 1);
    assert_eq!(
        db.get(&rp(), &key, Bins::All).unwrap().bins["a"],
        Value::Int(10)
    );
}

#[test]
fn replace_drops_bins_not_in_the_file() {
    let (_d, db, key) = setup();
    let opts = RestoreOptions {
        existing: RestoreExisting::Replace,
        ..RestoreOptions::default()
    };
    db.restore(&mut file_with(9, "- I a 10\n", 1).as_bytes(), &opts)
        .unwrap();
    let r = db.get(&rp(), &key, Bins::All).unwrap();
    assert_eq!(r.bins.len(), 1);
    assert_eq!(r.bins["a"], Value::Int(10));
}

#[test]
fn unique_skips_records_that_exist() {
    let (_d, db, key) = setup();
    let opts = RestoreOptions {
        existing: RestoreExisting::Unique,
        ..RestoreOptions::default()
    };
    let s = db
        .restore(&mut file_with(9, "- I a 10\n", 1).as_bytes(), &opts)
        .unwrap();
    assert_eq!((s.written, s.existed), (0, 1));
    assert_eq!(
        db.get(&rp(), &key, Bins::All).unwrap().bins["a"],
        Value::Int(3)
    );
    let fresh = tempfile::tempdir().unwrap();
    let db2 = Db::open(fresh.path()).unwrap();
    let s = db2
        .restore(&mut file_with(9, "- I a 10\n", 1).as_bytes(), &opts)
        .unwrap();
    assert_eq!((s.written, s.existed), (1, 0));
}

#[test]
fn the_digest_is_the_identity_and_the_key_line_is_stored() {
    let dir = tempfile::tempdir().unwrap();
    let db = Db::open(dir.path()).unwrap();
    // A key line that does not hash to the digest: the digest wins.
    let file = file_with(1, "- I a 1\n", 1).replace("+ k I 1", "+ k I 2");
    db.restore(&mut file.as_bytes(), &RestoreOptions::default())
        .unwrap();
    let digest = *Key::new("test", "s", 1).unwrap().digest();
    let r = db
        .get(
            &rp(),
            &Key::from_digest("test", "s", digest).unwrap(),
            Bins::All,
        )
        .unwrap();
    assert_eq!(r.key.unwrap().user_key(), Some(&Value::Int(2)));
    // A float key restores by digest without a stored key.
    let file = file_with(1, "- I a 1\n", 1).replace("+ k I 1", "+ k D 1.5");
    let dir2 = tempfile::tempdir().unwrap();
    let db2 = Db::open(dir2.path()).unwrap();
    db2.restore(&mut file.as_bytes(), &RestoreOptions::default())
        .unwrap();
    let r = db2
        .get(&rp(), &Key::new("test", "s", 1).unwrap(), Bins::All)
        .unwrap();
    assert_eq!(r.key.unwrap().user_key(), None);
}

#[test]
fn a_record_the_database_refuses_fails_with_its_line_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let db = Db::open(dir.path()).unwrap();
    let file = file_with(1, "- I a_bin_name_too_long 1\n", 1);
    let err = db
        .restore(&mut file.as_bytes(), &RestoreOptions::default())
        .unwrap_err();
    assert!(matches!(err, Error::ParameterError(_)), "{err:?}");
    assert!(err.to_string().contains("line 3"), "{err}");
    assert!(err.to_string().contains("at most 15 bytes"), "{err}");
    assert!(
        db.namespace_stats("test").is_err() || db.namespace_stats("test").unwrap().objects == 0
    );
}
