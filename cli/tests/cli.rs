//! The built `aerolite` binary run on temporary databases made with the
//! library: every subcommand, its output, its exit code and its errors.

use aerolite::*;
use serde_json::{json, Value as Json};
use std::collections::BTreeSet;
use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

#[path = "cli/streams.rs"]
mod streams;
#[path = "cli/transfer.rs"]
mod transfer;

const BIN: &str = env!("CARGO_BIN_EXE_aerolite");

fn aerolite(args: &[&str]) -> Output {
    Command::new(BIN)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .expect("run the aerolite binary")
}

fn p(path: &Path) -> &str {
    path.to_str().unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8(o.stderr.clone()).unwrap()
}

/// Asserts a run-time error: exit code `code`, nothing on stdout, exactly
/// one line on stderr containing `text`.
fn assert_error(o: &Output, code: i32, text: &str) {
    let err = stderr(o);
    assert_eq!(o.status.code(), Some(code), "stderr: {err}");
    assert_eq!(err.lines().count(), 1, "not one line: {err:?}");
    assert!(err.ends_with('\n'));
    assert!(err.contains(text), "{err:?} lacks {text:?}");
}

fn json_lines(o: &Output) -> Vec<Json> {
    assert_eq!(o.status.code(), Some(0), "stderr: {}", stderr(o));
    stdout(o)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{l:?}: {e}")))
        .collect()
}

fn send_key() -> WritePolicy {
    WritePolicy {
        send_key: true,
        ..WritePolicy::default()
    }
}

/// A database with every value type, keys of all three types, a record
/// without a stored key, one with a TTL, and a stream of 2 shards.
fn sample(dir: &Path) {
    let db = Db::open(dir).unwrap();
    let bins = vec![
        as_bin!("int", -7),
        as_bin!("float", 2.5),
        as_bin!("nan", f64::NAN),
        as_bin!("inf", f64::INFINITY),
        as_bin!("str", "héllo"),
        as_bin!("empty", ""),
        as_bin!("blob", vec![0u8, 1, 255]),
        as_bin!("list", as_list!(1, "a", as_list!(2.5))),
        as_bin!("map", as_map!("a" => 1, "b" => as_map!(1 => "x"))),
        as_bin!("bool", true),
    ];
    db.put(&send_key(), &as_key!("test", "users", "alice"), &bins)
        .unwrap();
    db.put(
        &send_key(),
        &as_key!("test", "users", 42),
        &[as_bin!("n", 42)],
    )
    .unwrap();
    db.put(
        &send_key(),
        &as_key!("test", "blobs", vec![0xABu8, 0xCD]),
        &[as_bin!("b", 1)],
    )
    .unwrap();
    db.put(
        &WritePolicy::default(),
        &as_key!("test", "users", "nokey"),
        &[as_bin!("n", 1)],
    )
    .unwrap();
    let ttl = WritePolicy {
        expiration: Expiration::Seconds(3600),
        ..send_key()
    };
    db.put(&ttl, &as_key!("test", "", "short"), &[as_bin!("t", 1)])
        .unwrap();
    db.put(&send_key(), &as_key!("other", "s", 1), &[as_bin!("x", 1)])
        .unwrap();
    db.create_stream("events", 2).unwrap();
    for i in 0..6 {
        db.put_record(PutRecord::new(
            "events",
            format!("event {i}"),
            &format!("p{i}"),
        ))
        .unwrap();
    }
    db.put_record(PutRecord::new("events", vec![0xffu8, 0xfe], "binary"))
        .unwrap();
    db.close().unwrap();
}

fn sample_dir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    sample(dir.path());
    dir
}

#[test]
fn info_lists_namespaces_sets_and_streams() {
    let dir = sample_dir();
    let o = aerolite(&["info", p(dir.path())]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let text = stdout(&o);
    assert!(text.contains("namespace test\n  objects 5 "), "{text}");
    assert!(text.contains("set users: 3 records"), "{text}");
    assert!(text.contains("set (no set): 1 records"), "{text}");
    assert!(text.contains("namespace other"), "{text}");
    assert!(
        text.contains("stream events\n  shards 2 (2 open)  retention 24 h  records 7"),
        "{text}"
    );

    let j = json_lines(&aerolite(&["info", p(dir.path()), "--json"]));
    assert_eq!(j.len(), 1);
    let ns = &j[0]["namespaces"];
    assert_eq!(ns[0]["name"], "other");
    assert_eq!(ns[1]["name"], "test");
    assert_eq!(ns[1]["objects"], 5);
    assert_eq!(ns[1]["sets"], json!({"": 1, "blobs": 1, "users": 3}));
    assert!(ns[1]["disk_used_bytes"].as_u64().unwrap() > 0);
    assert!(ns[1]["index_bytes"].as_u64().unwrap() > 0);
    let s = &j[0]["streams"][0];
    assert_eq!(s["name"], "events");
    assert_eq!(s["records"], 7);
    assert_eq!(s["retention_hours"], 24);
    assert_eq!(s["open_shards"], 2);
}

#[test]
fn get_prints_one_record_as_json() {
    let dir = sample_dir();
    let j = json_lines(&aerolite(&["get", p(dir.path()), "test", "users", "alice"]));
    assert_eq!(j.len(), 1);
    let r = &j[0];
    let digest = as_key!("test", "users", "alice").digest().0;
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    assert_eq!(r["digest"], hex);
    assert_eq!(r["set"], "users");
    assert_eq!(r["key"], "alice");
    assert_eq!(r["generation"], 1);
    assert_eq!(r["ttl"], Json::Null);
    assert_eq!(
        r["bins"],
        json!({
            "int": -7, "float": 2.5, "nan": {"$float": "NaN"}, "inf": {"$float": "Infinity"},
            "str": "héllo", "empty": "", "blob": {"$blob": "AAH/"},
            "list": [1, "a", [2.5]], "map": {"a": 1, "b": {"$map": [[1, "x"]]}}, "bool": true
        })
    );
    // Integer keys by default, strings with --key-type str.
    let j = json_lines(&aerolite(&["get", p(dir.path()), "test", "users", "42"]));
    assert_eq!(j[0]["key"], 42);
    assert_eq!(j[0]["bins"], json!({"n": 42}));
    let o = aerolite(&[
        "get",
        p(dir.path()),
        "test",
        "users",
        "42",
        "--key-type",
        "str",
    ]);
    assert_error(
        &o,
        1,
        "no record with key \"42\" in set \"users\" of namespace \"test\"",
    );
    let j = json_lines(&aerolite(&[
        "get",
        p(dir.path()),
        "test",
        "blobs",
        "abcd",
        "--key-type",
        "blob-hex",
    ]));
    assert_eq!(j[0]["key"], json!({"$blob": "q80="}));
    // A record stored without its key has none in the output.
    let j = json_lines(&aerolite(&["get", p(dir.path()), "test", "users", "nokey"]));
    assert!(j[0].get("key").is_none(), "{}", j[0]);
    // TTL in seconds.
    let j = json_lines(&aerolite(&["get", p(dir.path()), "test", "", "short"]));
    let ttl = j[0]["ttl"].as_u64().unwrap();
    assert!((3590..=3600).contains(&ttl), "{ttl}");
}

#[test]
fn get_of_a_missing_record_fails_with_one_line() {
    let dir = sample_dir();
    let o = aerolite(&["get", p(dir.path()), "test", "users", "bob"]);
    assert_error(&o, 1, "no record with key \"bob\"");
    assert!(o.stdout.is_empty());
    let o = aerolite(&[
        "get",
        p(dir.path()),
        "test",
        "users",
        "x",
        "--key-type",
        "int",
    ]);
    assert_error(&o, 3, "not a 64-bit integer");
}

#[test]
fn scan_prints_one_json_line_per_record() {
    let dir = sample_dir();
    let j = json_lines(&aerolite(&["scan", p(dir.path()), "test"]));
    assert_eq!(j.len(), 5);
    let keys: BTreeSet<String> = j.iter().map(|r| r["key"].to_string()).collect();
    let expected: BTreeSet<String> = [
        "\"alice\"",
        "42",
        "{\"$blob\":\"q80=\"}",
        "null",
        "\"short\"",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    assert_eq!(keys, expected);
    for r in &j {
        assert_eq!(r["digest"].as_str().unwrap().len(), 40);
        assert_eq!(r["generation"], 1);
        assert!(r["bins"].is_object());
    }
    let j = json_lines(&aerolite(&["scan", p(dir.path()), "test", "users"]));
    assert_eq!(j.len(), 3);
    assert!(j.iter().all(|r| r["set"] == "users"));
    let j = json_lines(&aerolite(&["scan", p(dir.path()), "test", "nosuchset"]));
    assert!(j.is_empty());
}

/// The records of a namespace as scan prints them, without the TTL (it
/// counts down) but with whether there is one.
fn records(dir: &Path, ns: &str) -> BTreeSet<String> {
    json_lines(&aerolite(&["scan", p(dir), ns]))
        .into_iter()
        .map(|mut r| {
            let has_ttl = !r["ttl"].is_null();
            r["ttl"] = json!(has_ttl);
            r.to_string()
        })
        .collect()
}

#[test]
fn missing_locked_and_foreign_directories_fail_with_one_line() {
    let dir = sample_dir();
    let missing = dir.path().join("nothing-here");
    for cmd in ["info", "verify", "compact", "streams"] {
        let o = aerolite(&[cmd, p(&missing)]);
        assert_error(&o, 3, "does not exist");
    }
    assert_error(
        &aerolite(&["scan", p(&missing), "test"]),
        3,
        "does not exist",
    );
    assert!(!missing.exists(), "a read must not create the directory");

    let empty = tempfile::tempdir().unwrap();
    assert_error(
        &aerolite(&["info", p(empty.path())]),
        3,
        "is not an aerolite database",
    );

    let db = Db::open(dir.path()).unwrap();
    for args in [
        vec!["info", p(dir.path())],
        vec!["get", p(dir.path()), "test", "users", "alice"],
        vec!["verify", p(dir.path())],
        vec!["backup", p(dir.path()), "test"],
        vec!["tail", p(dir.path()), "events"],
    ] {
        let o = aerolite(&args);
        assert_error(&o, 3, "is locked: another process");
        assert!(o.stdout.is_empty());
    }
    drop(db);
    assert_eq!(aerolite(&["info", p(dir.path())]).status.code(), Some(0));
}

#[test]
fn usage_errors_exit_2() {
    assert_eq!(aerolite(&[]).status.code(), Some(2));
    assert_eq!(aerolite(&["info"]).status.code(), Some(2));
    assert_eq!(aerolite(&["frobnicate", "x"]).status.code(), Some(2));
    let help = aerolite(&["--help"]);
    assert_eq!(help.status.code(), Some(0));
    for cmd in [
        "info", "get", "scan", "backup", "restore", "verify", "compact", "streams", "tail",
    ] {
        assert!(stdout(&help).contains(cmd), "{cmd}");
    }
}
