//! The JSON shapes of records, values and stream records (`docs/cli.md`).
//!
//! Values map to JSON directly where JSON has the type; the rest are
//! one-member objects whose name starts with `$`, so nothing is ambiguous:
//! - nil: `null`; booleans, integers, strings, lists: as themselves;
//! - floats: JSON numbers (always with a fraction or exponent, `1.0`), and
//!   NaN and the infinities as `{"$float": "NaN" | "Infinity" | "-Infinity"}`;
//! - blobs: `{"$blob": "<standard base64>"}`;
//! - maps: a JSON object when every key is a string not starting with `$`,
//!   else `{"$map": [[key, value], ...]}` in the map's key order.

use aerolite::{Record, StreamRecord, Value};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use serde_json::{json, Map, Value as Json};
use std::time::UNIX_EPOCH;

/// The JSON form of a value.
pub fn value(v: &Value) -> Json {
    match v {
        Value::Nil => Json::Null,
        Value::Bool(b) => Json::Bool(*b),
        Value::Int(i) => json!(i),
        Value::Float(f) => float(*f),
        Value::String(s) => Json::String(s.clone()),
        Value::Blob(b) => json!({ "$blob": STANDARD.encode(b) }),
        Value::List(items) => Json::Array(items.iter().map(value).collect()),
        Value::Map(m) => {
            let plain = m
                .keys()
                .all(|k| matches!(k, Value::String(s) if !s.starts_with('$')));
            if plain {
                let mut obj = Map::new();
                for (k, v) in m {
                    if let Value::String(s) = k {
                        obj.insert(s.clone(), value(v));
                    }
                }
                Json::Object(obj)
            } else {
                let pairs = m
                    .iter()
                    .map(|(k, v)| Json::Array(vec![value(k), value(v)]))
                    .collect();
                json!({ "$map": Json::Array(pairs) })
            }
        }
    }
}

fn float(f: f64) -> Json {
    match serde_json::Number::from_f64(f) {
        Some(n) => Json::Number(n),
        None if f.is_nan() => json!({ "$float": "NaN" }),
        None if f > 0.0 => json!({ "$float": "Infinity" }),
        None => json!({ "$float": "-Infinity" }),
    }
}

/// Lower-case hex of `bytes`.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// One record: digest, set, user key (when stored), generation, TTL
/// (seconds left, `null` for never) and bins (sorted by name).
pub fn record(rec: &Record) -> Json {
    let mut obj = Map::new();
    if let Some(key) = &rec.key {
        obj.insert("digest".into(), Json::String(hex(&key.digest().0)));
        obj.insert("set".into(), Json::String(key.set_name().to_string()));
        if let Some(k) = key.user_key() {
            obj.insert("key".into(), value(k));
        }
    }
    obj.insert("generation".into(), json!(rec.generation));
    obj.insert(
        "ttl".into(),
        rec.time_to_live()
            .map_or(Json::Null, |d| json!(d.as_secs())),
    );
    let mut names: Vec<&String> = rec.bins.keys().collect();
    names.sort();
    let mut bins = Map::new();
    for name in names {
        bins.insert(name.clone(), value(&rec.bins[name]));
    }
    obj.insert("bins".into(), Json::Object(bins));
    Json::Object(obj)
}

/// One stream record of shard `shard`: its data as `data` when it is UTF-8,
/// else as `data_base64`.
pub fn stream_record(shard: &str, r: &StreamRecord) -> Json {
    let arrival_ms = r
        .approximate_arrival_timestamp
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64);
    let mut obj = Map::new();
    obj.insert("shard".into(), Json::String(shard.to_string()));
    obj.insert(
        "sequence_number".into(),
        Json::String(r.sequence_number.clone()),
    );
    obj.insert("arrival_ms".into(), json!(arrival_ms));
    obj.insert(
        "partition_key".into(),
        Json::String(r.partition_key.clone()),
    );
    match std::str::from_utf8(&r.data) {
        Ok(s) => obj.insert("data".into(), Json::String(s.to_string())),
        Err(_) => obj.insert("data_base64".into(), Json::String(STANDARD.encode(&r.data))),
    };
    Json::Object(obj)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    #[test]
    fn values() {
        assert_eq!(value(&Value::Float(1.0)).to_string(), "1.0");
        assert_eq!(value(&Value::Int(1)).to_string(), "1");
        assert_eq!(value(&Value::Float(f64::NAN)), json!({"$float": "NaN"}));
        assert_eq!(
            value(&Value::Float(f64::NEG_INFINITY)),
            json!({"$float": "-Infinity"})
        );
        assert_eq!(value(&Value::Blob(vec![1, 2, 3])), json!({"$blob": "AQID"}));
        let mut m = BTreeMap::new();
        m.insert(Value::from("a"), Value::from(1));
        assert_eq!(value(&Value::Map(m.clone())), json!({"a": 1}));
        m.insert(Value::from(2), Value::Nil);
        assert_eq!(
            value(&Value::Map(m)),
            json!({"$map": [[2, null], ["a", 1]]})
        );
        let mut m = BTreeMap::new();
        m.insert(Value::from("$blob"), Value::from("x"));
        assert_eq!(value(&Value::Map(m)), json!({"$map": [["$blob", "x"]]}));
    }
}
