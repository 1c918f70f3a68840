//! `verify` and `compact`.

use crate::fail::{emit, Fail, Outcome};
use crate::open::{close, open, Mode};
use crate::progress::bar;
use std::io::IsTerminal;
use std::path::Path;

/// `aerolite verify DIR`: opens the database walking and CRC-checking every
/// segment, then reads every indexed entry back ([`aerolite::Db::verify`]).
/// Prints the report; exit code 1 when anything is damaged.
pub fn verify(dir: &Path) -> Outcome {
    let db = open(dir, Mode::Verify)?;
    let mut total = 0u64;
    for ns in db.namespaces() {
        if let Ok(s) = db.namespace_stats(&ns) {
            total += s.objects + s.tombstones;
        }
    }
    for name in db.list_streams().unwrap_or_default() {
        if let Ok(s) = db.stream_stats(&name) {
            total += s.records;
        }
    }
    let pb = bar(Some(total), "entries", std::io::stderr().is_terminal());
    pb.set_message("verifying");
    let report = db.verify_with_progress(&mut |n| pb.inc(n));
    pb.finish_and_clear();
    let report = report.map_err(|e| Fail::db(format!("verifying {}", dir.display()), e))?;
    close(db)?;
    let r = &report.recovery;
    let mut lines = vec![
        format!(
            "namespaces {}  streams {}  segments {} (walked {})  entries walked {}",
            report.namespaces,
            report.streams,
            r.segments,
            r.segments - r.hinted_segments,
            r.entries
        ),
        format!(
            "index entries checked {}  stream records checked {}  damaged entries {}",
            report.entries_checked, report.stream_records_checked, report.damaged_entries
        ),
        format!(
            "damaged regions {} ({} bytes)  damaged segment headers {}  torn tail bytes {}",
            r.corrupt_regions, r.corrupt_bytes, r.bad_headers, r.torn_tail_bytes
        ),
    ];
    lines.extend(report.problems.iter().map(|p| format!("damage: {p}")));
    let clean = report.is_clean();
    lines.push(if clean { "ok" } else { "DAMAGED" }.to_string());
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    emit(&mut out, &lines.join("\n"))?;
    if clean {
        Ok(())
    } else {
        Err(Fail::damage(format!(
            "{} is damaged: {} damaged entries, {} damaged regions, {} damaged segment headers, {} torn tail bytes (see the lines above)",
            dir.display(),
            report.damaged_entries,
            r.corrupt_regions,
            r.bad_headers,
            r.torn_tail_bytes
        )))
    }
}

/// `aerolite compact DIR`: a TTL sweep, a defragmentation of every
/// namespace and the deletion of stream segments past their retention, now.
pub fn compact(dir: &Path) -> Outcome {
    let db = open(dir, Mode::Existing)?;
    let what = || format!("compacting {}", dir.display());
    let expired = db.sweep_expired().map_err(|e| Fail::db(what(), e))?;
    let stats = db.compact().map_err(|e| Fail::db(what(), e))?;
    let stream_segments = db
        .enforce_stream_retention()
        .map_err(|e| Fail::db(what(), e))?;
    close(db)?;
    let line = format!(
        "expired records removed {expired}  segments compacted {}  entries moved {}  tombstones dropped {}  bytes reclaimed {}  stream segments deleted {stream_segments}",
        stats.segments_compacted, stats.entries_moved, stats.tombstones_dropped, stats.bytes_reclaimed
    );
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    emit(&mut out, &line)
}
