//! `get` and `scan`: records as JSON.

use crate::fail::{emit, Fail, Outcome};
use crate::open::{close, open, Mode};
use crate::{json, KeyType};
use aerolite::{Bins, Error, Key, ReadPolicy, Value};
use std::io::Write;
use std::path::Path;

/// The user key `text` read as `kind` says.
pub fn parse_key(text: &str, kind: KeyType) -> Outcome<Value> {
    match kind {
        KeyType::Auto => Ok(text
            .parse::<i64>()
            .map_or_else(|_| Value::from(text), Value::Int)),
        KeyType::Int => text.parse::<i64>().map(Value::Int).map_err(|_| {
            Fail::new(format!(
                "key {text:?} is not a 64-bit integer; drop --key-type int to look it up as a string"
            ))
        }),
        KeyType::Str => Ok(Value::from(text)),
        KeyType::BlobHex => parse_hex(text).map(Value::Blob).ok_or_else(|| {
            Fail::new(format!(
                "key {text:?} is not hex (an even number of 0-9a-f digits), as --key-type blob-hex needs"
            ))
        }),
    }
}

fn parse_hex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok())
        .collect()
}

/// `aerolite get DIR NS SET KEY`.
pub fn get(dir: &Path, namespace: &str, set: &str, key: &str, kind: KeyType) -> Outcome {
    let user_key = parse_key(key, kind)?;
    let key =
        Key::new(namespace, set, user_key).map_err(|e| Fail::db("invalid key".to_string(), e))?;
    let db = open(dir, Mode::Existing)?;
    let rec = match db.get(&ReadPolicy::default(), &key, Bins::All) {
        Ok(rec) => rec,
        Err(Error::KeyNotFound) => {
            let _ = close(db);
            return Err(Fail::damage(format!(
                "no record with key {} in set {set:?} of namespace {namespace:?} (it does not exist or has expired)",
                key.user_key().map_or(String::new(), |k| json::value(k).to_string())
            )));
        }
        Err(e) => {
            return Err(Fail::db(
                format!("reading the record from {}", dir.display()),
                e,
            ))
        }
    };
    let line = json::record(&rec).to_string();
    close(db)?;
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    emit(&mut out, &line)
}

/// `aerolite scan DIR NS [SET]`.
pub fn scan(dir: &Path, namespace: &str, set: Option<&str>) -> Outcome {
    let db = open(dir, Mode::Existing)?;
    crate::open::require_namespace(&db, namespace)?;
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let records = db
        .scan(namespace, set, Bins::All)
        .map_err(|e| Fail::db("cannot scan", e))?;
    for rec in records {
        let rec = rec.map_err(|e| {
            Fail::db(
                format!(
                    "scanning namespace {namespace:?} (run `aerolite verify {}`)",
                    dir.display()
                ),
                e,
            )
        })?;
        emit(&mut out, &json::record(&rec).to_string())?;
    }
    out.flush().map_err(crate::fail::stdout_error)?;
    drop(out);
    close(db)
}
