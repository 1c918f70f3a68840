//! The built `aerolite` binary run on temporary databases made with the
//! library: every subcommand, its output, its exit code and its errors.

use aerolite::*;
use serde_json::{json, Value as Json};
use std::collections::BTreeSet;
use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

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
fn backup_to_stdout_and_to_a_file_restore_to_the_same_records() {
    let dir = sample_dir();
    let out = aerolite(&["backup", p(dir.path()), "test"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(out.stdout.starts_with(b"Version 3.1\n"));
    let err = stderr(&out);
    assert!(err.contains("backed up 5 records"), "{err}");

    let files = tempfile::tempdir().unwrap();
    let file = files.path().join("test.asb");
    let o = aerolite(&["backup", p(dir.path()), "test", "-o", p(&file)]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(o.stdout.is_empty());
    assert_eq!(std::fs::read(&file).unwrap(), out.stdout);

    // Restore the file into a new directory.
    let target = tempfile::tempdir().unwrap();
    let restored = target.path().join("db");
    let o = aerolite(&["restore", p(&restored), p(&file)]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(
        stdout(&o).trim(),
        format!(
            "{}: records 5 written 5 expired 0 existed 0 fresher 0 secondary_indexes 0 udfs 0",
            file.display()
        )
    );
    assert_eq!(records(&restored, "test"), records(dir.path(), "test"));

    // Stdout piped into restore's stdin, into another namespace.
    let other = target.path().join("db2");
    let mut child = Command::new(BIN)
        .args(["restore", p(&other), "-", "--namespace", "copy"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(&out.stdout).unwrap();
    let o = child.wait_with_output().unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stdout(&o).starts_with("stdin: records 5 written 5"));
    assert_eq!(records(&other, "copy").len(), 5);

    // One set only.
    let o = aerolite(&["backup", p(dir.path()), "test", "--set", "users"]);
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(
        String::from_utf8_lossy(&o.stdout)
            .matches("\n+ n test\n")
            .count(),
        3
    );
}

#[test]
fn restore_flags_map_to_the_restore_options() {
    let dir = sample_dir();
    let files = tempfile::tempdir().unwrap();
    let file = files.path().join("test.asb");
    let o = aerolite(&["backup", p(dir.path()), "test", "-o", p(&file)]);
    assert_eq!(o.status.code(), Some(0));
    // Into the same database: every record is there with the same generation.
    let o = aerolite(&["restore", p(dir.path()), p(&file)]);
    assert!(
        stdout(&o).contains("written 0 expired 0 existed 0 fresher 5"),
        "{}",
        stdout(&o)
    );
    let o = aerolite(&["restore", p(dir.path()), p(&file), "--unique"]);
    assert!(
        stdout(&o).contains("written 0 expired 0 existed 5"),
        "{}",
        stdout(&o)
    );
    let o = aerolite(&[
        "restore",
        p(dir.path()),
        p(&file),
        "--no-generation",
        "--replace",
    ]);
    assert!(stdout(&o).contains("written 5"), "{}", stdout(&o));
    // Two files: a line each and a total.
    let o = aerolite(&[
        "restore",
        p(dir.path()),
        p(&file),
        p(&file),
        "--no-generation",
    ]);
    let text = stdout(&o);
    assert_eq!(text.lines().count(), 3, "{text}");
    assert!(text
        .lines()
        .last()
        .unwrap()
        .starts_with("total: records 10 written 10"));
    // --unique and --replace together are a usage error.
    let o = aerolite(&["restore", p(dir.path()), p(&file), "--unique", "--replace"]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn restore_of_a_malformed_file_fails_with_its_line() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("bad.asb");
    std::fs::write(
        &file,
        "Version 3.1\n# namespace test\n+ n test\n+ x nonsense\n",
    )
    .unwrap();
    let o = aerolite(&["restore", p(&dir.path().join("db")), p(&file)]);
    assert_error(&o, 3, "line 4");
    let o = aerolite(&[
        "restore",
        p(&dir.path().join("db")),
        p(&dir.path().join("none.asb")),
    ]);
    assert_error(&o, 3, "cannot open");
}

/// Flips one byte of the only segment of namespace `test` inside the bytes
/// `marker`.
fn flip(dir: &Path, marker: &[u8]) {
    let ns = dir.join("namespaces/test");
    let seg = std::fs::read_dir(&ns)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|e| e == "seg"))
        .unwrap();
    let mut bytes = std::fs::read(&seg).unwrap();
    let at = bytes
        .windows(marker.len())
        .position(|w| w == marker)
        .unwrap();
    bytes[at + 2] ^= 0x01;
    std::fs::write(&seg, bytes).unwrap();
}

#[test]
fn verify_passes_on_a_clean_database_and_finds_a_flipped_byte() {
    let dir = tempfile::tempdir().unwrap();
    let db = Db::open(dir.path()).unwrap();
    for i in 0..10 {
        let marker = format!("marker-{i:02}-of-this-record");
        db.put(
            &WritePolicy::default(),
            &as_key!("test", "s", i),
            &[as_bin!("m", marker.as_str())],
        )
        .unwrap();
    }
    db.create_stream("events", 1).unwrap();
    db.put_record(PutRecord::new("events", "x", "p")).unwrap();
    db.close().unwrap();

    let o = aerolite(&["verify", p(dir.path())]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let text = stdout(&o);
    assert!(text.contains("namespaces 1  streams 1"), "{text}");
    assert!(
        text.contains("index entries checked 10  stream records checked 1  damaged entries 0"),
        "{text}"
    );
    assert!(text.ends_with("ok\n"), "{text}");
    assert!(o.stderr.is_empty());

    flip(dir.path(), b"marker-04-of-this-record");
    let o = aerolite(&["verify", p(dir.path())]);
    assert_error(&o, 1, "is damaged");
    let text = stdout(&o);
    assert!(text.contains("damaged regions 1"), "{text}");
    assert!(text.contains("damage: namespace \"test\""), "{text}");
    assert!(text.ends_with("DAMAGED\n"), "{text}");
}

#[test]
fn compact_reports_what_it_did() {
    let dir = tempfile::tempdir().unwrap();
    let db = Db::open_with(dir.path(), Options::default().segment_size(64 * 1024)).unwrap();
    for i in 0..300 {
        db.put(
            &WritePolicy::default(),
            &as_key!("test", "s", i),
            &[as_bin!("pad", vec![7u8; 900])],
        )
        .unwrap();
    }
    for i in 0..280 {
        db.delete(&WritePolicy::default(), &as_key!("test", "s", i))
            .unwrap();
    }
    db.close().unwrap();
    let o = aerolite(&["compact", p(dir.path())]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let text = stdout(&o);
    assert!(
        text.starts_with("expired records removed 0  segments compacted "),
        "{text}"
    );
    let compacted: u64 = text
        .split("segments compacted ")
        .nth(1)
        .unwrap()
        .split(' ')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    assert!(compacted >= 1, "{text}");
    assert_eq!(records(dir.path(), "test").len(), 20);
    assert_eq!(aerolite(&["verify", p(dir.path())]).status.code(), Some(0));
}

#[test]
fn streams_lists_shards_and_retention() {
    let dir = sample_dir();
    let o = aerolite(&["streams", p(dir.path())]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let text = stdout(&o);
    assert!(
        text.contains("stream events\n  shards 2 (2 open)  retention 24 h"),
        "{text}"
    );
    assert!(
        text.contains("  shardId-000000000000 open  hash keys 0.."),
        "{text}"
    );
    assert!(text.contains("  shardId-000000000001 open"), "{text}");
    let j = json_lines(&aerolite(&["streams", p(dir.path()), "--json"]));
    let s = &j[0]["streams"][0];
    assert_eq!(s["retention_hours"], 24);
    assert_eq!(s["shards"].as_array().unwrap().len(), 2);
    assert_eq!(s["shards"][1]["shard_id"], "shardId-000000000001");
    assert_eq!(s["shards"][1]["open"], true);
    assert_eq!(
        s["shards"][1]["ending_hash_key"],
        "340282366920938463463374607431768211455"
    );
}

#[test]
fn tail_prints_stream_records_as_json_lines() {
    let dir = sample_dir();
    let j = json_lines(&aerolite(&["tail", p(dir.path()), "events"]));
    assert_eq!(j.len(), 7);
    let mut data: Vec<String> = j
        .iter()
        .filter_map(|r| r["data"].as_str().map(String::from))
        .collect();
    data.sort();
    assert_eq!(
        data,
        (0..6).map(|i| format!("event {i}")).collect::<Vec<_>>()
    );
    let bin: Vec<&Json> = j
        .iter()
        .filter(|r| r.get("data_base64").is_some())
        .collect();
    assert_eq!(bin.len(), 1);
    assert_eq!(bin[0]["data_base64"], "//4=");
    assert_eq!(bin[0]["partition_key"], "binary");
    for r in &j {
        assert!(r["shard"].as_str().unwrap().starts_with("shardId-"));
        assert!(r["sequence_number"]
            .as_str()
            .unwrap()
            .parse::<u128>()
            .is_ok());
        assert!(r["arrival_ms"].as_u64().unwrap() > 1_600_000_000_000);
    }
    // One shard; from a sequence number of it (7 records in 2 shards: one
    // of them has at least 4).
    let one = json_lines(&aerolite(&[
        "tail",
        p(dir.path()),
        "events",
        "--shard",
        "1",
    ]));
    assert!(one.iter().all(|r| r["shard"] == "shardId-000000000001"));
    let zero = json_lines(&aerolite(&[
        "tail",
        p(dir.path()),
        "events",
        "--shard",
        "shardId-0",
    ]));
    assert!(zero.iter().all(|r| r["shard"] == "shardId-000000000000"));
    assert_eq!(one.len() + zero.len(), 7);
    let (id, recs) = match one.len() >= 4 {
        true => ("shardId-000000000001", one),
        false => ("shardId-000000000000", zero),
    };
    let seq = recs[2]["sequence_number"].as_str().unwrap();
    let from = json_lines(&aerolite(&[
        "tail",
        p(dir.path()),
        "events",
        "--shard",
        id,
        "--from",
        seq,
    ]));
    assert_eq!(from, recs[2..].to_vec());
    // Latest: only what arrives later (nothing, without --follow).
    assert!(json_lines(&aerolite(&[
        "tail",
        p(dir.path()),
        "events",
        "--from",
        "latest"
    ]))
    .is_empty());
    // Errors.
    assert_error(&aerolite(&["tail", p(dir.path()), "nope"]), 3, "nope");
    assert_error(
        &aerolite(&["tail", p(dir.path()), "events", "--shard", "9"]),
        3,
        "no shard shardId-000000000009",
    );
    assert_error(
        &aerolite(&["tail", p(dir.path()), "events", "--from", "123"]),
        2,
        "needs --shard",
    );
}

#[test]
fn tail_follow_prints_records_written_later() {
    let dir = sample_dir();
    let mut child = Command::new(BIN)
        .args([
            "tail",
            p(dir.path()),
            "events",
            "--from",
            "latest",
            "--follow",
        ])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    let out = child.stdout.take().unwrap();
    std::thread::spawn(move || {
        for line in BufReader::new(out).lines() {
            if tx.send(line.unwrap()).is_err() {
                break;
            }
        }
    });
    // Let the tool take its first position, then write between its polls.
    std::thread::sleep(Duration::from_millis(500));
    let deadline = Instant::now() + Duration::from_secs(20);
    let db = loop {
        match Db::open(dir.path()) {
            Ok(db) => break db,
            Err(Error::Locked { .. }) if Instant::now() < deadline => {
                std::thread::sleep(Duration::from_millis(20))
            }
            Err(e) => panic!("{e}"),
        }
    };
    db.put_record(PutRecord::new("events", "later", "k"))
        .unwrap();
    db.close().unwrap();
    let line = rx.recv_timeout(Duration::from_secs(20));
    child.kill().unwrap();
    child.wait().unwrap();
    let r: Json = serde_json::from_str(&line.expect("a line from tail --follow")).unwrap();
    assert_eq!(r["data"], "later");
    assert_eq!(r["partition_key"], "k");
    assert!(rx.recv_timeout(Duration::from_millis(200)).is_err());
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
