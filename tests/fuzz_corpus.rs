//! Replays the fuzz targets' seed corpora (`fuzz/seeds/<target>/`) and saved
//! crash reproductions (`fuzz/regressions/<target>/`) through the targets'
//! bodies (`fuzz/bodies/<target>.rs`), so that stable-Rust CI runs every
//! target on every seed without cargo-fuzz. See docs/testing.md.
//!
//! The seeds are made by the real engine: `cargo test --test fuzz_corpus --
//! --ignored regenerate_seeds` rewrites them.

#[path = "../fuzz/bodies/entry_decode.rs"]
mod entry_decode;
#[path = "../fuzz/bodies/ops_model.rs"]
mod ops_model;
#[path = "../fuzz/bodies/payload_decode.rs"]
mod payload_decode;
#[path = "../fuzz/bodies/recover_dir.rs"]
mod recover_dir;

use aerolite::{as_bin, Bin, Clock, Db, Expiration, ManualClock, Options, Value, WritePolicy};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, UNIX_EPOCH};

fn fuzz_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz")
}

/// Every file of `fuzz/seeds/<target>/` and `fuzz/regressions/<target>/`.
fn inputs(target: &str) -> Vec<(PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    for kind in ["seeds", "regressions"] {
        let dir = fuzz_dir().join(kind).join(target);
        let Ok(items) = std::fs::read_dir(&dir) else {
            continue;
        };
        for item in items {
            let path = item.expect("directory entry").path();
            if path.is_file() {
                let bytes = std::fs::read(&path).expect("readable seed");
                out.push((path, bytes));
            }
        }
    }
    out.sort();
    out
}

fn replay(target: &str, run: fn(&[u8])) {
    let inputs = inputs(target);
    assert!(
        inputs.len() >= 3,
        "{target}: only {} seed files; run the regenerate_seeds test",
        inputs.len()
    );
    for (path, bytes) in inputs {
        let result = std::panic::catch_unwind(|| run(&bytes));
        assert!(result.is_ok(), "{target}: input {} fails", path.display());
    }
}

#[test]
fn entry_decode_corpus() {
    replay("entry_decode", entry_decode::run);
}

#[test]
fn payload_decode_corpus() {
    replay("payload_decode", payload_decode::run);
}

#[test]
fn recover_dir_corpus() {
    replay("recover_dir", recover_dir::run);
}

#[test]
fn ops_model_corpus() {
    replay("ops_model", ops_model::run);
}

/// Regression (found by the `entry_decode` fuzzer): the decoder accepted
/// entries whose reserved flags were not zero, although the encoder always
/// writes 0 there; `aerolite::fuzzing::decode_entry` then found that they do
/// not re-encode to their own bytes. Such entries are now invalid.
#[test]
fn entry_decode_regressions() {
    let dir = fuzz_dir().join("regressions").join("entry_decode");
    let mut n = 0;
    for item in std::fs::read_dir(dir).unwrap() {
        let path = item.unwrap().path();
        let bytes = std::fs::read(&path).unwrap();
        let result = std::panic::catch_unwind(|| entry_decode::run(&bytes));
        assert!(result.is_ok(), "{} fails", path.display());
        n += 1;
    }
    assert!(n >= 1);
}

/// The header CRC the fuzz bodies compute is the engine's.
#[test]
fn segment_header_matches_the_engine() {
    let (segments, _) = engine_segments();
    let first = &segments[0];
    let len = first.len() as u64;
    assert_eq!(
        recover_dir::segment_header(1, len, 1)[..],
        first[..recover_dir::SEGMENT_HEADER_LEN],
        "header of a fresh first segment"
    );
}

/// A small xorshift generator for deterministic garbage.
fn garbage(seed: u64, len: usize) -> Vec<u8> {
    let mut x = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x as u8
        })
        .collect()
}

/// Segment files written by the engine (two of them, 16 KiB each), and the
/// offset where each one's data ends.
fn engine_segments() -> (Vec<Vec<u8>>, Vec<usize>) {
    let dir = tempfile::tempdir().unwrap();
    // Base sequence 1 and a creation time of 0 make the header reproducible.
    let clock = Arc::new(ManualClock::new(UNIX_EPOCH));
    let c: Arc<dyn Clock> = clock.clone();
    let db = Db::open_with(
        dir.path(),
        Options::default().segment_size(16 * 1024).clock(c),
    )
    .unwrap();
    let key = |set: &str, k: i64| aerolite::Key::new("test", set, k).unwrap();
    let keyed = WritePolicy {
        send_key: true,
        ..WritePolicy::default()
    };
    let ttl = WritePolicy {
        expiration: Expiration::Seconds(3600),
        ..WritePolicy::default()
    };
    let mut map = BTreeMap::new();
    map.insert(
        Value::from("k"),
        Value::List(vec![Value::Int(1), Value::Nil]),
    );
    map.insert(Value::Int(2), Value::Float(0.5));
    let rich = [
        as_bin!("i", -5),
        as_bin!("s", "text"),
        as_bin!("b", vec![0u8, 1, 2]),
        Bin::new("f", 2.5),
        Bin::new("t", true),
        Bin::new("l", Value::List(vec![Value::Int(1), Value::from("x")])),
        Bin::new("m", Value::Map(map)),
    ];
    db.put(&keyed, &key("s1", 1), &rich).unwrap();
    // The first segment was created by the put above, at time 0.
    clock.set(UNIX_EPOCH + Duration::from_secs(1_700_000_000));
    db.put(&WritePolicy::default(), &key("", 2), &[as_bin!("n", 1)])
        .unwrap();
    db.put(
        &ttl,
        &aerolite::Key::new("test", "s2", "str").unwrap(),
        &[as_bin!("n", 2)],
    )
    .unwrap();
    db.put(&WritePolicy::default(), &key("s1", 1), &[as_bin!("i", 6)])
        .unwrap();
    db.delete(&WritePolicy::default(), &key("", 2)).unwrap();
    db.touch(&ttl, &key("s1", 1)).unwrap();
    for i in 0..4 {
        db.put(&keyed, &key("big", i), &[as_bin!("p", vec![i as u8; 5000])])
            .unwrap();
    }
    db.close().unwrap();
    let ns = dir.path().join("namespaces").join("test");
    let mut segments = Vec::new();
    let mut ends = Vec::new();
    for id in 1..=2 {
        let bytes = std::fs::read(ns.join(format!("{id:08}.seg"))).unwrap();
        ends.push(entries(&bytes).last().map_or(64, |&(off, len)| off + len));
        segments.push(bytes);
    }
    (segments, ends)
}

/// `(offset, length)` of the entries of a well-formed segment.
fn entries(seg: &[u8]) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut p = 64;
    while p + 64 <= seg.len() && seg[p + 4..p + 8] == 0x4C45_4E54u32.to_le_bytes() {
        let len = u32::from_le_bytes(seg[p + 8..p + 12].try_into().unwrap()) as usize;
        out.push((p, len));
        p += len.div_ceil(8) * 8;
    }
    out
}

fn write_seeds(target: &str, seeds: &[(&str, Vec<u8>)]) {
    let dir = fuzz_dir().join("seeds").join(target);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    for (name, bytes) in seeds {
        std::fs::write(dir.join(name), bytes).unwrap();
    }
}

/// Rewrites `fuzz/seeds/*` from entries and segments the engine writes.
#[test]
#[ignore = "rewrites fuzz/seeds; run by hand after a format change"]
fn regenerate_seeds() {
    use recover_dir::{encode, HEADER_1, HEADER_2, PAD};
    let (segs, ends) = engine_segments();
    let body1 = &segs[0][64..ends[0]];
    let body2 = &segs[1][64..ends[1]];
    let first_entries = entries(&segs[0]);
    assert!(first_entries.len() >= 6);

    let mut entry_seeds = Vec::new();
    let mut payload_seeds = Vec::new();
    for (i, &(off, len)) in first_entries.iter().take(7).enumerate() {
        let e = &segs[0][off..off + len];
        entry_seeds.push((format!("entry{i}"), e.to_vec()));
        let set_len = usize::from(e[13]);
        let key_len = u32::from_le_bytes(e[36..40].try_into().unwrap()) as usize;
        let payload = &e[64 + set_len + key_len..];
        if !payload.is_empty() {
            payload_seeds.push((format!("payload{i}"), payload.to_vec()));
        }
    }
    entry_seeds.push(("segment_head".into(), segs[0][..ends[0].min(2048)].to_vec()));
    entry_seeds.push(("garbage".into(), garbage(1, 256)));
    payload_seeds.push(("garbage".into(), garbage(2, 64)));
    payload_seeds.push(("deep_list".into(), {
        // 70 nested one-element lists: beyond the 64-level limit.
        let mut v = vec![1u8, 0, 1, b'l'];
        for _ in 0..70 {
            v.extend_from_slice(&[6, 0xff, 0xff, 0xff, 0x0f, 1, 0, 0, 0]);
        }
        v
    }));

    let mut torn = body1.to_vec();
    torn.truncate(body1.len() - 20);
    let mut flipped = body1.to_vec();
    flipped[first_entries[2].0 - 64 + 70] ^= 0x40;
    let recover_seeds = vec![
        ("one_segment", encode(HEADER_1 | PAD, body1, None)),
        (
            "two_segments",
            encode(HEADER_1 | HEADER_2 | PAD, body1, Some(body2)),
        ),
        ("raw_segment", encode(0, &segs[0][..ends[0]], None)),
        ("torn_tail", encode(HEADER_1 | PAD, &torn, None)),
        (
            "flipped_byte",
            encode(HEADER_1 | HEADER_2 | PAD, &flipped, Some(body2)),
        ),
        ("no_header_two", encode(PAD, body1, Some(body2))),
        ("garbage", encode(HEADER_1, &garbage(3, 300), None)),
        ("empty", Vec::new()),
    ];

    let entry_seeds: Vec<(&str, Vec<u8>)> = entry_seeds
        .iter()
        .map(|(n, b)| (n.as_str(), b.clone()))
        .collect();
    let payload_seeds: Vec<(&str, Vec<u8>)> = payload_seeds
        .iter()
        .map(|(n, b)| (n.as_str(), b.clone()))
        .collect();
    write_seeds("entry_decode", &entry_seeds);
    write_seeds("payload_decode", &payload_seeds);
    write_seeds("recover_dir", &recover_seeds);
    let ops: Vec<(String, Vec<u8>)> = (0..6u64)
        .map(|i| (format!("ops{i}"), garbage(10 + i, 64 + 48 * i as usize)))
        .collect();
    let ops: Vec<(&str, Vec<u8>)> = ops.iter().map(|(n, b)| (n.as_str(), b.clone())).collect();
    write_seeds("ops_model", &ops);
}
