//! `streams` and `tail`.

use super::*;
use std::io::{BufRead, BufReader};
use std::time::{Duration, Instant};

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
