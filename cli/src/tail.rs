//! `tail`: the records of a stream as JSON lines, optionally following.

use crate::fail::{emit, Fail, Outcome, EXIT_USAGE};
use crate::json;
use crate::open::{close, open, Mode};
use aerolite::{Db, Error, ShardIteratorType};
use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;
use std::time::{Duration, SystemTime};

/// How often `--follow` looks for new records.
const POLL: Duration = Duration::from_secs(1);

/// The canonical id of a shard given as `shardId-000000000001`, `shardId-1` or `1`.
fn canonical(id: &str) -> Option<String> {
    let n: u32 = id.strip_prefix("shardId-").unwrap_or(id).parse().ok()?;
    Some(format!("shardId-{n:012}"))
}

/// Reads shard `shard` of `stream` from `start` to its end, printing each
/// record; returns the sequence number of the last one printed.
fn drain(
    db: &Db,
    stream: &str,
    shard: &str,
    start: ShardIteratorType,
    out: &mut dyn Write,
) -> Outcome<Option<String>> {
    let what = || format!("reading shard {shard} of stream {stream:?}");
    let mut it = db
        .get_shard_iterator(stream, shard, start)
        .map_err(|e| Fail::db(what(), e))?;
    let mut last = None;
    loop {
        let page = db.get_records(&it, None).map_err(|e| Fail::db(what(), e))?;
        for r in &page.records {
            emit(out, &json::stream_record(shard, r).to_string())?;
        }
        if let Some(r) = page.records.last() {
            last = Some(r.sequence_number.clone());
        }
        let caught_up = page.records.is_empty() && page.millis_behind_latest == 0;
        match page.next_shard_iterator {
            Some(next) if !caught_up => it = next,
            _ => return Ok(last),
        }
    }
}

/// Where each shard is read from next.
type Positions = BTreeMap<String, ShardIteratorType>;

/// One pass over the shards: prints what is new and moves the positions.
fn pass(
    db: &Db,
    stream: &str,
    only: Option<&str>,
    first: Option<&ShardIteratorType>,
    positions: &mut Positions,
    out: &mut dyn Write,
) -> Outcome {
    let shards = db
        .list_shards(stream)
        .map_err(|e| Fail::db(format!("stream {stream:?}"), e))?;
    let mut found = false;
    for s in shards {
        if only.is_some_and(|o| o != s.shard_id) {
            continue;
        }
        found = true;
        // Shards created after the first pass (`first` is `None` then, by
        // resharding) are new: everything in them is read.
        let start = match (positions.get(&s.shard_id), first) {
            (Some(p), _) => p.clone(),
            (None, Some(f)) => f.clone(),
            (None, None) => ShardIteratorType::TrimHorizon,
        };
        let start = match start {
            // Nothing is written while this process holds the database, so
            // `latest` is "what arrives from now on".
            ShardIteratorType::Latest => {
                positions.insert(
                    s.shard_id.clone(),
                    ShardIteratorType::AtTimestamp(SystemTime::now()),
                );
                continue;
            }
            other => other,
        };
        let last = drain(db, stream, &s.shard_id, start.clone(), out)?;
        let next = match last {
            Some(seq) => ShardIteratorType::AfterSequenceNumber(seq),
            None => start,
        };
        positions.insert(s.shard_id.clone(), next);
    }
    if let (Some(id), false) = (only, found) {
        return Err(Fail::new(format!(
            "stream {stream:?} has no shard {id}; `aerolite streams DIR` lists them"
        )));
    }
    out.flush().map_err(crate::fail::stdout_error)
}

/// Opens `dir`, waiting while another process holds it.
fn reopen(dir: &Path) -> Outcome<Db> {
    loop {
        match open(dir, Mode::Existing) {
            Ok(db) => return Ok(db),
            Err(f) if f.message.contains(crate::open::LOCKED) => std::thread::sleep(POLL),
            Err(f) => return Err(f),
        }
    }
}

/// `aerolite tail DIR STREAM [--shard ID] [--from trim-horizon|latest|SEQ] [--follow]`.
pub fn tail(dir: &Path, stream: &str, shard: Option<&str>, from: &str, follow: bool) -> Outcome {
    let only = match shard {
        Some(id) => Some(canonical(id).ok_or_else(|| Fail {
            message: format!("--shard {id:?} is not a shard id (shardId-000000000001, or 1)"),
            code: EXIT_USAGE,
        })?),
        None => None,
    };
    let first = match from {
        "trim-horizon" | "TRIM_HORIZON" => ShardIteratorType::TrimHorizon,
        "latest" | "LATEST" => ShardIteratorType::Latest,
        seq if !seq.is_empty() && seq.bytes().all(|b| b.is_ascii_digit()) => {
            if only.is_none() {
                return Err(Fail {
                    message: "--from SEQUENCE_NUMBER needs --shard: a sequence number belongs to one shard".into(),
                    code: EXIT_USAGE,
                });
            }
            ShardIteratorType::AtSequenceNumber(seq.to_string())
        }
        other => {
            return Err(Fail {
                message: format!(
                    "--from {other:?}: expected trim-horizon, latest or a sequence number"
                ),
                code: EXIT_USAGE,
            })
        }
    };
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let mut positions = Positions::new();
    let mut db = open(dir, Mode::Existing)?;
    if let Err(Error::ResourceNotFound(m)) = db.describe_stream(stream) {
        let _ = close(db);
        return Err(Fail::new(format!(
            "{}; `aerolite streams {}` lists the streams",
            m.trim_end_matches('.'),
            dir.display()
        )));
    }
    let mut first_pass = true;
    loop {
        let start = first_pass.then_some(&first);
        first_pass = false;
        let result = pass(
            &db,
            stream,
            only.as_deref(),
            start,
            &mut positions,
            &mut out,
        );
        if let Err(f) = result {
            let _ = close(db);
            return Err(f);
        }
        if !follow {
            return close(db);
        }
        // Free the directory for writers between passes.
        close(db)?;
        std::thread::sleep(POLL);
        db = reopen(dir)?;
    }
}
