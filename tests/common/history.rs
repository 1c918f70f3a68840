//! What a kill -9 harness has verified of each record, and a scan checked
//! against it (`crash_kill9`, `crash_batch`).

use aerolite::{Bins, Db, Key, Value};
use std::collections::{BTreeMap, HashMap};

/// A record's verified state: `None` when absent, else (generation, void
/// time, bins).
pub type Snap = Option<(u32, u32, HashMap<String, Value>)>;

/// Every record a scan of namespace `ns` returns must be one `history`
/// verified (by its string user key), with that content, and the scan must
/// return as many records as `history` holds present ones. Mismatches go
/// to `errors`.
pub fn scan_all(
    db: &Db,
    ns: &str,
    history: &BTreeMap<String, (Key, Snap)>,
    errors: &mut Vec<String>,
) {
    let mut seen = 0usize;
    for r in db.scan(ns, None, Bins::All).unwrap() {
        let r = r.unwrap();
        seen += 1;
        let uk = match r.key.as_ref().and_then(|k| k.user_key()) {
            Some(Value::String(s)) => s.clone(),
            other => {
                errors.push(format!("scan: record without its key: {other:?} {r:?}"));
                continue;
            }
        };
        let found = Some((r.generation, r.expiration, r.bins));
        match history.get(&uk) {
            Some((_, snap)) if *snap == found => {}
            other => errors.push(format!("scan: {uk}: found {found:?}, verified {other:?}")),
        }
    }
    let live = history.values().filter(|(_, s)| s.is_some()).count();
    if seen != live {
        errors.push(format!("scan returned {seen} records, verified {live}"));
    }
}
