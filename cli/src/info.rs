//! `info` and `streams`: what the database holds.

use crate::fail::{emit, Fail, Outcome};
use crate::open::{close, open, Mode};
use aerolite::{Bins, Db, StreamDescription};
use indicatif::HumanBytes;
use serde_json::{json, Value as Json};
use std::collections::BTreeMap;
use std::path::Path;
use std::time::UNIX_EPOCH;

/// Records per set of a namespace (`""` for records in no set), counted by
/// a scan of the record headers.
fn set_counts(db: &Db, ns: &str) -> Outcome<BTreeMap<String, u64>> {
    let mut sets = BTreeMap::new();
    let scan = db
        .scan(ns, None, Bins::None)
        .map_err(|e| Fail::db(format!("scanning namespace {ns:?}"), e))?;
    for rec in scan {
        let rec = rec.map_err(|e| Fail::db(format!("scanning namespace {ns:?}"), e))?;
        let set = rec
            .key
            .map(|k| k.set_name().to_string())
            .unwrap_or_default();
        *sets.entry(set).or_insert(0) += 1;
    }
    Ok(sets)
}

fn namespace_json(db: &Db, ns: &str) -> Outcome<Json> {
    let st = db
        .namespace_stats(ns)
        .map_err(|e| Fail::db(format!("namespace {ns:?}"), e))?;
    let sets = set_counts(db, ns)?;
    Ok(json!({
        "name": ns,
        "objects": st.objects,
        "tombstones": st.tombstones,
        "sets": sets,
        "segments": st.segments,
        "disk_used_bytes": st.disk_used_bytes,
        "disk_live_bytes": st.disk_live_bytes,
        "index_bytes": st.index_bytes,
    }))
}

fn ms(t: std::time::SystemTime) -> u64 {
    t.duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
}

fn shards_json(d: &StreamDescription) -> Json {
    Json::Array(
        d.shards
            .iter()
            .map(|s| {
                json!({
                    "shard_id": s.shard_id,
                    "open": s.sequence_number_range.ending_sequence_number.is_none(),
                    "parent_shard_id": s.parent_shard_id,
                    "adjacent_parent_shard_id": s.adjacent_parent_shard_id,
                    "starting_hash_key": s.hash_key_range.starting_hash_key,
                    "ending_hash_key": s.hash_key_range.ending_hash_key,
                    "starting_sequence_number": s.sequence_number_range.starting_sequence_number,
                    "ending_sequence_number": s.sequence_number_range.ending_sequence_number,
                })
            })
            .collect(),
    )
}

fn stream_json(db: &Db, name: &str, with_shards: bool) -> Outcome<Json> {
    let what = || format!("stream {name:?}");
    let d = db.describe_stream(name).map_err(|e| Fail::db(what(), e))?;
    let st = db.stream_stats(name).map_err(|e| Fail::db(what(), e))?;
    let mut j = json!({
        "name": d.stream_name,
        "arn": d.stream_arn,
        "shards": d.shards.len(),
        "open_shards": d.open_shard_count,
        "retention_hours": d.retention_period_hours,
        "created_ms": ms(d.stream_creation_timestamp),
        "max_record_size_bytes": d.max_record_size_bytes,
        "records": st.records,
        "segments": st.segments,
        "disk_bytes": st.disk_bytes,
    });
    if with_shards {
        j["shards"] = shards_json(&d);
    }
    Ok(j)
}

fn streams_of(db: &Db) -> Outcome<Vec<String>> {
    db.list_streams()
        .map_err(|e| Fail::db("listing the streams", e))
}

/// `aerolite info DIR [--json]`.
pub fn info(dir: &Path, as_json: bool) -> Outcome {
    let db = open(dir, Mode::Existing)?;
    let mut namespaces = Vec::new();
    for ns in db.namespaces() {
        namespaces.push(namespace_json(&db, &ns)?);
    }
    let mut streams = Vec::new();
    for name in streams_of(&db)? {
        streams.push(stream_json(&db, &name, false)?);
    }
    close(db)?;
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    if as_json {
        let all = json!({ "namespaces": namespaces, "streams": streams });
        return emit(&mut out, &all.to_string());
    }
    let mut text = Vec::new();
    if namespaces.is_empty() && streams.is_empty() {
        text.push("no namespaces, no streams".to_string());
    }
    for n in &namespaces {
        text.push(format!("namespace {}", n["name"].as_str().unwrap_or("")));
        text.push(format!(
            "  objects {}  tombstones {}  segments {}  disk {} ({} live)  index {}",
            n["objects"],
            n["tombstones"],
            n["segments"],
            HumanBytes(n["disk_used_bytes"].as_u64().unwrap_or(0)),
            HumanBytes(n["disk_live_bytes"].as_u64().unwrap_or(0)),
            HumanBytes(n["index_bytes"].as_u64().unwrap_or(0)),
        ));
        if let Some(sets) = n["sets"].as_object() {
            for (set, count) in sets {
                let name = if set.is_empty() { "(no set)" } else { set };
                text.push(format!("  set {name}: {count} records"));
            }
        }
    }
    for s in &streams {
        text.push(stream_line(s));
    }
    emit(&mut out, &text.join("\n"))
}

fn stream_line(s: &Json) -> String {
    format!(
        "stream {}\n  shards {} ({} open)  retention {} h  records {}  segments {}  disk {}",
        s["name"].as_str().unwrap_or(""),
        s["shards"]
            .as_array()
            .map_or(s["shards"].clone(), |a| json!(a.len())),
        s["open_shards"],
        s["retention_hours"],
        s["records"],
        s["segments"],
        HumanBytes(s["disk_bytes"].as_u64().unwrap_or(0)),
    )
}

/// `aerolite streams DIR [--json]`.
pub fn streams(dir: &Path, as_json: bool) -> Outcome {
    let db = open(dir, Mode::Existing)?;
    let mut streams = Vec::new();
    for name in streams_of(&db)? {
        streams.push(stream_json(&db, &name, true)?);
    }
    close(db)?;
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    if as_json {
        return emit(&mut out, &json!({ "streams": streams }).to_string());
    }
    let mut text = Vec::new();
    if streams.is_empty() {
        text.push("no streams".to_string());
    }
    for s in &streams {
        text.push(stream_line(s));
        text.push(format!("  arn {}", s["arn"].as_str().unwrap_or("")));
        for sh in s["shards"].as_array().into_iter().flatten() {
            let state = match sh["open"].as_bool() {
                Some(true) => "open",
                _ => "closed",
            };
            let mut line = format!(
                "  {} {state}  hash keys {}..{}  sequence numbers from {}",
                sh["shard_id"].as_str().unwrap_or(""),
                sh["starting_hash_key"].as_str().unwrap_or(""),
                sh["ending_hash_key"].as_str().unwrap_or(""),
                sh["starting_sequence_number"].as_str().unwrap_or(""),
            );
            if let Some(end) = sh["ending_sequence_number"].as_str() {
                line.push_str(&format!(" to {end}"));
            }
            if let Some(p) = sh["parent_shard_id"].as_str() {
                line.push_str(&format!("  parent {p}"));
            }
            if let Some(p) = sh["adjacent_parent_shard_id"].as_str() {
                line.push_str(&format!(" and {p}"));
            }
            text.push(line);
        }
    }
    emit(&mut out, &text.join("\n"))
}
