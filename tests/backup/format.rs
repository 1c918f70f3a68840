//! The writer's bytes against the grammar of asbackup.md.

use super::*;

fn backup_of(db: &Db, ns: &str) -> String {
    let mut file = Vec::new();
    db.backup(ns, None, &mut file).unwrap();
    String::from_utf8(file).unwrap()
}

#[test]
fn header_and_line_order_k_n_d_s_g_t_b() {
    let dir = tempfile::tempdir().unwrap();
    let (db, _c) = db_at(dir.path(), 1_800_000_000);
    let key = Key::new("test", "demo", "key1").unwrap();
    let policy = WritePolicy {
        send_key: true,
        expiration: Expiration::Seconds(100),
        ..wp()
    };
    db.put(
        &policy,
        &key,
        &[
            Bin::new("foo", 123),
            Bin::new("bar", "abc"),
            Bin::new("baz", true),
        ],
    )
    .unwrap();
    let void = (1_800_000_000 - 1_262_304_000 + 100) as u32;
    let expected = format!(
        "Version 3.1\n# namespace test\n# first-file\n\
         + k S 4 key1\n+ n test\n+ d 7JEZLUt/jONdXXjTS8ply6qqyWA=\n+ s demo\n+ g 1\n+ t {void}\n+ b 3\n\
         - S bar 3 abc\n- Z baz T\n- I foo 123\n"
    );
    assert_eq!(backup_of(&db, "test"), expected);
}

#[test]
fn no_key_line_without_a_stored_key_and_no_set_line_for_the_empty_set() {
    let dir = tempfile::tempdir().unwrap();
    let db = Db::open(dir.path()).unwrap();
    db.put(
        &wp(),
        &Key::new("test", "", 5).unwrap(),
        &[Bin::new("a", 1)],
    )
    .unwrap();
    let text = backup_of(&db, "test");
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[3], "+ n test");
    assert!(lines[4].starts_with("+ d "));
    assert_eq!(lines[5], "+ g 1");
    assert_eq!(lines[6], "+ t 0");
    assert_eq!(lines[7], "+ b 1");
    assert_eq!(lines[8], "- I a 1");
    assert_eq!(lines.len(), 9);
}

#[test]
fn names_are_escaped_values_are_not() {
    let dir = tempfile::tempdir().unwrap();
    let db = Db::open(dir.path()).unwrap();
    let key = Key::new("test", "a set\\x", 1).unwrap();
    db.put(&wp(), &key, &[Bin::new("b n", "v a\nl")]).unwrap();
    let text = backup_of(&db, "test");
    assert!(text.contains("\n+ s a\\ set\\\\x\n"), "{text:?}");
    assert!(text.contains("\n- S b\\ n 5 v a\nl\n"), "{text:?}");
}

#[test]
fn base64_lengths_and_msgpack_bytes_of_hand_computed_values() {
    use base64::Engine as _;
    let b64 = |b: &[u8]| base64::engine::general_purpose::STANDARD.encode(b);
    let dir = tempfile::tempdir().unwrap();
    let db = Db::open(dir.path()).unwrap();
    let mut m = BTreeMap::new();
    m.insert(Value::from("a"), Value::Int(1));
    let key = Key::new("test", "s", vec![1u8, 2, 3]).unwrap();
    db.put(
        &WritePolicy {
            send_key: true,
            ..wp()
        },
        &key,
        &[
            Bin::new("l", Value::List(vec![Value::from("a"), Value::Int(1)])),
            Bin::new("m", Value::Map(m)),
            Bin::new("b", Value::Blob(vec![0xde, 0xad])),
            Bin::new("d", 0.1),
            Bin::new("n", f64::NAN),
        ],
    )
    .unwrap();
    let text = backup_of(&db, "test");
    let list = b64(&[0x92, 0xa2, 0x03, b'a', 0x01]);
    let map = b64(&[0x82, 0xc7, 0x00, 0x01, 0xc0, 0xa2, 0x03, b'a', 0x01]);
    assert!(
        text.contains(&format!("\n- L l {} {list}\n", list.len())),
        "{text}"
    );
    assert!(
        text.contains(&format!("\n- M m {} {map}\n", map.len())),
        "{text}"
    );
    assert!(text.contains("\n- B b 4 3q0=\n"), "{text}");
    assert!(text.contains("\n- D d 0.10000000000000001\n"), "{text}");
    assert!(text.contains("\n- D n nan\n"), "{text}");
    assert!(text.contains("\n+ k B 4 AQID\n"), "{text}");
    // Every base64 token has a length that is a multiple of 4 and matches.
    for line in text
        .lines()
        .filter(|l| l.starts_with("- L") || l.starts_with("- M") || l.starts_with("- B"))
    {
        let parts: Vec<&str> = line.split(' ').collect();
        let n: usize = parts[3].parse().unwrap();
        assert_eq!(n, parts[4].len());
        assert_eq!(n % 4, 0);
    }
}

#[test]
fn reader_takes_compact_forms_version_3_0_and_the_global_section() {
    let dir = tempfile::tempdir().unwrap();
    let db = Db::open(dir.path()).unwrap();
    let digest = *Key::new("test", "s", "k").unwrap().digest();
    use base64::Engine as _;
    let d = base64::engine::general_purpose::STANDARD.encode(digest.0);
    let packed = [0x92u8, 0xa2, 0x03, b'a', 0x01];
    let mut file: Vec<u8> = format!(
        "Version 3.1\n# namespace test\n# first-file\n\
         * i test s idx N 1 bin S\n\
         * u L my\\ udf.lua 5 ab\ncd\n\
         + k X 4 aw==\n+ n test\n+ d {d}\n+ s s\n+ g 3\n+ t 0\n+ b 6\n\
         - B! raw 3 a b\n- X x 4 aGk=\n- G geo 2 {{}}\n- Y hll 4 AAEC\n- D e 1E+2\n"
    )
    .into_bytes();
    file.extend_from_slice(format!("- L! list {} ", packed.len()).as_bytes());
    file.extend_from_slice(&packed);
    file.push(b'\n');
    let stats = db.restore(&mut &file[..], &RestoreOptions::default());
    // "1E+2": only a lowercase e is accepted. (Line 18: the UDF's bytes
    // hold a line feed, and every line feed counts.)
    let err = stats.unwrap_err().to_string();
    assert!(err.contains("line 18"), "{err}");
    let at = file.windows(4).position(|w| w == b"1E+2").unwrap();
    file[at + 1] = b'e';
    let stats = db
        .restore(&mut &file[..], &RestoreOptions::default())
        .unwrap();
    assert_eq!(
        (
            stats.records,
            stats.written,
            stats.secondary_indexes,
            stats.udfs
        ),
        (1, 1, 1, 1)
    );
    let r = db
        .get(&rp(), &Key::new("test", "s", "k").unwrap(), Bins::All)
        .unwrap();
    assert_eq!(r.bins["raw"], Value::Blob(b"a b".to_vec()));
    assert_eq!(r.bins["x"], Value::from("hi"));
    assert_eq!(r.bins["geo"], Value::from("{}"));
    assert_eq!(r.bins["hll"], Value::Blob(vec![0, 1, 2]));
    assert_eq!(r.bins["e"], Value::Float(100.0));
    assert_eq!(
        r.bins["list"],
        Value::List(vec![Value::from("a"), Value::Int(1)])
    );
    assert_eq!(r.key.unwrap().user_key(), Some(&Value::from("k")));

    // Version 3.0 does not unescape: a backslash is a plain byte.
    let v30 = format!("Version 3.0\n+ n test\n+ d {d}\n+ s s\n+ g 1\n+ t 0\n+ b 1\n- I a\\b 1\n");
    db.restore(
        &mut v30.as_bytes(),
        &RestoreOptions {
            check_generation: false,
            ..Default::default()
        },
    )
    .unwrap();
    let r = db
        .get(&rp(), &Key::new("test", "s", "k").unwrap(), Bins::All)
        .unwrap();
    assert_eq!(r.bins["a\\b"], Value::Int(1));
}

#[test]
fn malformed_files_name_the_line_and_what_was_expected() {
    let dir = tempfile::tempdir().unwrap();
    let db = Db::open(dir.path()).unwrap();
    let good =
        "+ n test\n+ d 7JEZLUt/jONdXXjTS8ply6qqyWA=\n+ s demo\n+ g 1\n+ t 0\n+ b 1\n- I a 1\n";
    for (file, line, what) in [
        ("Version 3.2\n", 1, "version"),
        ("Version 3.1\r\n", 1, "end of the line"),
        (
            &format!("Version 3.1\n{good}+ n test\n+ d short\n") as &str,
            10,
            "digest",
        ),
        (
            &format!("Version 3.1\n{}", good.replace("+ g 1", "+ g 65536")),
            5,
            "generation",
        ),
        (
            &format!(
                "Version 3.1\n{}",
                good.replace("- I a 1", "- I a 9223372036854775808")
            ),
            8,
            "integer",
        ),
        (
            &format!("Version 3.1\n{}", good.replace("+ b 1", "+ b 2")),
            9,
            "bin line",
        ),
        (
            &format!("Version 3.1\n{}", good.replace("- I a 1", "- U a 1")),
            8,
            "U",
        ),
        (
            &format!("Version 3.1\n{}", good.replace("- I a 1", "- B a 3 AAAA")),
            8,
            "base64",
        ),
        (
            &format!("Version 3.1\n{}", good.replace("+ s demo\n", "")).replace("+ g", "+ x"),
            4,
            "+ g",
        ),
        (
            &format!("Version 3.1\n{}", good.replace("- I a 1", "- I a  1")),
            8,
            "integer",
        ),
        ("Version 3.1\n\n", 2, "record line"),
    ] {
        let err = db
            .restore(&mut file.as_bytes(), &RestoreOptions::default())
            .unwrap_err();
        let msg = err.to_string();
        assert!(matches!(err, Error::ParameterError(_)), "{msg}");
        assert!(msg.contains(&format!("line {line}")), "{file:?}: {msg}");
        assert!(msg.contains(what), "{file:?}: {msg}");
    }
    // The first, good record of the file with the bad second one stayed written.
    assert_eq!(db.namespace_stats("test").unwrap().objects, 1);
}
