//! The child side of `crash_streams`: opens the database, creates or reuses
//! the stream, and puts records (and reshards) until it is killed, printing
//! one line per acknowledged record; and what both sides share.

use aerolite::*;
use md5::{Digest as _, Md5};
use std::sync::Arc;
use std::time::Duration;

pub const STREAM: &str = "crashy";
pub const WRITERS: u64 = 3;

pub use crate::rng::Rng;

pub fn options() -> Options {
    Options::default()
        .segment_size(64 * 1024)
        .durability(Durability::Sync)
}

/// The data of the record tagged `tag`, `len` bytes long: the tag, `|`, then
/// bytes derived from the tag, so a record found after the crash that was
/// never acknowledged can still be checked for damage.
pub fn data_of(tag: &str, len: usize) -> Vec<u8> {
    let mut d = format!("{tag}|").into_bytes();
    let salt = tag
        .bytes()
        .fold(7u32, |a, b| a.wrapping_mul(31).wrapping_add(u32::from(b)));
    let mut i = 0u32;
    while d.len() < len {
        d.push(b'a' + (salt.wrapping_add(i.wrapping_mul(7)) % 26) as u8);
        i += 1;
    }
    d
}

/// The hash key of a record: its explicit hash key, else the MD5 of its
/// partition key as a big-endian 128-bit number (streams.md).
pub fn hash_of(pk: &str, ehk: Option<&str>) -> u128 {
    match ehk {
        Some(k) => k.parse().unwrap(),
        None => u128::from_be_bytes(Md5::digest(pk.as_bytes()).into()),
    }
}

fn die(what: &str) -> ! {
    crate::kill::tell_parent(&format!("ERR {what}"));
    std::process::exit(3);
}

fn writer(db: &Db, round: u64, t: u64, seed: u64) -> ! {
    let mut rng = Rng(seed ^ (t + 1).wrapping_mul(0xA24B_AED4_963E_E407));
    let mut n = 0u64;
    let mut last_seq: Option<String> = None;
    loop {
        let batch = if rng.below(3) == 0 {
            1 + rng.below(40)
        } else {
            0
        };
        let mut recs = Vec::new();
        for _ in 0..batch.max(1) {
            let tag = format!("r{round}.t{t}.{n}");
            n += 1;
            let pk = format!("k{}", rng.below(1000));
            let ehk = (rng.below(4) == 0).then(|| rng.u128().to_string());
            let len = 8 + rng.below(1500) as usize;
            recs.push((tag, pk, ehk, len));
        }
        let acks: Vec<(String, String)> = if batch == 0 {
            let (tag, pk, ehk, len) = &recs[0];
            let mut req = PutRecord::new(STREAM, data_of(tag, *len), pk);
            if let Some(k) = ehk {
                req = req.explicit_hash_key(k);
            }
            if rng.below(2) == 0 {
                req = req.durability(Durability::Sync);
            }
            if let (Some(s), true) = (&last_seq, rng.below(3) == 0) {
                req = req.sequence_number_for_ordering(s);
            }
            match db.put_record(req) {
                Ok(o) => vec![(o.shard_id, o.sequence_number)],
                Err(e) => die(&format!("put_record {tag}: {e:?}")),
            }
        } else {
            let entries: Vec<PutRecordsEntry> = recs
                .iter()
                .map(|(tag, pk, ehk, len)| {
                    let e = PutRecordsEntry::new(data_of(tag, *len), pk);
                    match ehk {
                        Some(k) => e.explicit_hash_key(k),
                        None => e,
                    }
                })
                .collect();
            match db.put_records(STREAM, &entries) {
                Ok(o) if o.failed_record_count == 0 => o
                    .records
                    .into_iter()
                    .map(|r| (r.shard_id.unwrap(), r.sequence_number.unwrap()))
                    .collect(),
                Ok(o) => die(&format!("put_records: failed entries {:?}", o.records)),
                Err(e) => die(&format!("put_records: {e:?}")),
            }
        };
        for ((tag, pk, ehk, len), (shard, seq)) in recs.iter().zip(acks) {
            // One thread's calls follow each other: its numbers grow.
            if last_seq.as_ref().is_some_and(|l| *l >= seq) {
                die(&format!("{tag}: number {seq} not above {last_seq:?}"));
            }
            last_seq = Some(seq.clone());
            let ehk = ehk.as_deref().unwrap_or("-");
            crate::kill::tell_parent(&format!("A {shard} {seq} {pk} {ehk} {tag} {len} ."));
        }
    }
}

/// Splits, merges and rescales open shards at random, keeping 2..=6 open.
fn resharder(db: &Db, seed: u64) -> ! {
    let mut rng = Rng(seed ^ 0x5EA5);
    loop {
        std::thread::sleep(Duration::from_millis(rng.below(6)));
        let mut open: Vec<Shard> = match db.list_shards(STREAM) {
            Ok(s) => s,
            Err(e) => die(&format!("list_shards: {e:?}")),
        };
        open.retain(|s| s.sequence_number_range.ending_sequence_number.is_none());
        let range = |s: &Shard| -> (u128, u128) {
            let h = &s.hash_key_range;
            (
                h.starting_hash_key.parse().unwrap(),
                h.ending_hash_key.parse().unwrap(),
            )
        };
        open.sort_by_key(|s| range(s).0);
        let n = open.len() as u32;
        let choice = match n {
            0..=2 => 0,
            6.. => 2,
            _ => rng.below(4),
        };
        let (what, r) = match choice {
            0 => {
                crate::kill::tell_parent("s split");
                let s = &open[rng.below(open.len() as u64) as usize];
                let (lo, hi) = range(s);
                let at = lo + (hi - lo) / 2 + 1;
                let r = db.split_shard(STREAM, &s.shard_id, &at.to_string());
                (format!("split {} at {at}", s.shard_id), r)
            }
            1 => {
                let i = rng.below(open.len() as u64 - 1) as usize;
                let (a, b) = (&open[i].shard_id, &open[i + 1].shard_id);
                crate::kill::tell_parent("s merge");
                (format!("merge {a} {b}"), db.merge_shards(STREAM, a, b))
            }
            _ => {
                let target = if choice == 3 { n + 1 } else { n.div_ceil(2) };
                crate::kill::tell_parent("s update_shard_count");
                let r = db.update_shard_count(STREAM, target);
                (format!("update_shard_count {n} -> {target}"), r)
            }
        };
        match r {
            Ok(()) => crate::kill::tell_parent(&format!("S {what}")),
            Err(e) => die(&format!("{what}: {e:?}")),
        }
    }
}

pub fn child_main() -> ! {
    let var = |k: &str| std::env::var(k).unwrap();
    let dir = var("AEROLITE_STREAM_CRASH_DIR");
    let round: u64 = var("AEROLITE_STREAM_CRASH_ROUND").parse().unwrap();
    let seed: u64 = var("AEROLITE_STREAM_CRASH_ROUND_SEED").parse().unwrap();
    let reshard = var("AEROLITE_STREAM_CRASH_RESHARD") == "1";
    let db = match Db::open_with(&dir, options()) {
        Ok(db) => Arc::new(db),
        Err(e) => die(&format!("open: {e:?}")),
    };
    match db.create_stream(STREAM, 3) {
        Ok(()) | Err(Error::ResourceInUse(_)) => {}
        Err(e) => die(&format!("create_stream: {e:?}")),
    }
    crate::kill::tell_parent("READY");
    let mut threads = Vec::new();
    for t in 0..WRITERS {
        let db = Arc::clone(&db);
        threads.push(std::thread::spawn(move || writer(&db, round, t, seed)));
    }
    if reshard {
        let db = Arc::clone(&db);
        threads.push(std::thread::spawn(move || resharder(&db, seed)));
    }
    for t in threads {
        let _ = t.join();
    }
    die("a thread ended")
}
