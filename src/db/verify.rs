//! [`Db::verify`]: reading every entry the indexes point at back from the
//! segment files.

use super::Db;
use crate::error::Result;
use crate::storage::RecoveryReport;

/// Most problems [`VerifyReport::problems`] lists (all are counted).
const MAX_PROBLEMS: usize = 1000;

/// What [`Db::verify`] found.
///
/// Damage comes from two places: what the open found while walking the
/// segment files ([`VerifyReport::recovery`], summed over the namespaces and
/// streams), and the entries the indexes point at that fail when read back
/// ([`VerifyReport::damaged_entries`]). [`VerifyReport::is_clean`] is true
/// when both are clear.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct VerifyReport {
    /// Namespaces checked.
    pub namespaces: u64,
    /// Streams checked.
    pub streams: u64,
    /// Index entries of the namespaces read back: records (including
    /// expired ones the sweeper has not removed yet) and tombstones.
    pub entries_checked: u64,
    /// Stream records read back (every shard, open and closed).
    pub stream_records_checked: u64,
    /// Entries and stream records among those that failed: a bad CRC, an
    /// entry that does not match its index entry, bins or a key that do not
    /// decode.
    pub damaged_entries: u64,
    /// What the open of the database found, summed over every namespace and
    /// stream: segments read, how many of them only through their hint files
    /// (not walked), damaged regions skipped, damaged segment headers, and
    /// the bytes of a torn tail cut off (the end of a write interrupted by a
    /// crash or power loss).
    pub recovery: RecoveryReport,
    /// One line per problem, naming the namespace or stream, segment and
    /// offset (at most the first 1000; every one is counted above).
    pub problems: Vec<String>,
}

impl VerifyReport {
    /// Whether nothing was found damaged: no entry failed when read back,
    /// and the open skipped no damaged region, found no damaged segment
    /// header and cut off no torn tail.
    pub fn is_clean(&self) -> bool {
        self.damaged_entries == 0
            && self.recovery.corrupt_regions == 0
            && self.recovery.bad_headers == 0
            && self.recovery.torn_tail_bytes == 0
    }

    fn problem(&mut self, line: String) {
        if self.problems.len() < MAX_PROBLEMS {
            self.problems.push(line);
        }
    }

    /// Adds one namespace's or stream's recovery report, with a problem
    /// line for what it found damaged.
    fn add_recovery(&mut self, what: &str, r: &RecoveryReport) {
        let sum = &mut self.recovery;
        sum.segments += r.segments;
        sum.entries += r.entries;
        sum.hinted_segments += r.hinted_segments;
        sum.bad_headers += r.bad_headers;
        sum.corrupt_regions += r.corrupt_regions;
        sum.corrupt_bytes += r.corrupt_bytes;
        sum.torn_tail_bytes += r.torn_tail_bytes;
        sum.index_from_snapshot |= r.index_from_snapshot;
        sum.snapshot_entries += r.snapshot_entries;
        if r.corrupt_regions > 0 {
            self.problem(format!(
                "{what}: {} damaged region(s) of {} bytes skipped when the segment files were read",
                r.corrupt_regions, r.corrupt_bytes
            ));
        }
        if r.bad_headers > 0 {
            self.problem(format!(
                "{what}: {} segment file(s) with a damaged header",
                r.bad_headers
            ));
        }
        if r.torn_tail_bytes > 0 {
            self.problem(format!(
                "{what}: a torn tail of {} bytes (an interrupted write) was cut off",
                r.torn_tail_bytes
            ));
        }
    }
}

impl Db {
    /// Checks the database against its files: every entry the namespace
    /// indexes point at (records, expired records not swept yet,
    /// tombstones) and every stream record of every shard is read back
    /// from its segment, and must pass its CRC, match its index entry
    /// (digest, kind, set, generation, void time; a stream record's
    /// sequence number) and decode. What the open found damaged (see
    /// [`NamespaceStats::recovery`](crate::NamespaceStats::recovery) and
    /// [`StreamStats::recovery`](crate::StreamStats::recovery)) is part of
    /// the report.
    ///
    /// Open the database with [`Options::verify_on_open(true)`](crate::Options::verify_on_open)
    /// to have every segment walked and CRC-checked entry by entry,
    /// including the dead versions no index points at; otherwise the index
    /// is read back from the snapshot of the last clean close, or sealed
    /// segments are read through their hint files, and only the entries the
    /// indexes point at are checked ([`RecoveryReport::index_from_snapshot`]
    /// and [`RecoveryReport::hinted_segments`] of [`VerifyReport::recovery`]
    /// say whether and how many segments were not walked).
    ///
    /// Verification only reads; it runs alongside writers (an entry moved
    /// by a concurrent write or defragmentation is checked at its new place).
    ///
    /// # Errors
    /// None today (damage is reported, not returned); reserved for I/O
    /// failures.
    ///
    /// # Examples
    /// ```
    /// use aerolite::{as_bin, as_key, Db, Options, WritePolicy};
    /// # let dir = tempfile::tempdir()?;
    /// let db = Db::open_with(dir.path(), Options::default().verify_on_open(true))?;
    /// db.put(&WritePolicy::default(), &as_key!("test", "demo", 1), &[as_bin!("a", 1)])?;
    /// let report = db.verify()?;
    /// assert!(report.is_clean());
    /// assert_eq!(report.entries_checked, 1);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn verify(&self) -> Result<VerifyReport> {
        self.verify_with_progress(&mut |_| {})
    }

    /// [`Db::verify`], calling `progress` with the number of entries and
    /// stream records checked since its previous call (for a progress bar:
    /// the total is about the sum of [`NamespaceStats::objects`](crate::NamespaceStats::objects),
    /// [`NamespaceStats::tombstones`](crate::NamespaceStats::tombstones) and
    /// [`StreamStats::records`](crate::StreamStats::records)).
    ///
    /// # Errors
    /// As [`Db::verify`].
    pub fn verify_with_progress(&self, progress: &mut dyn FnMut(u64)) -> Result<VerifyReport> {
        let mut report = VerifyReport::default();
        let mut namespaces = self.all_namespaces();
        namespaces.sort_by(|a, b| a.name().cmp(b.name()));
        for ns in namespaces {
            report.namespaces += 1;
            report.add_recovery(&format!("namespace {:?}", ns.name()), &ns.stats().recovery);
            let mut lines = Vec::new();
            let checked = ns.verify_index(
                &mut |line| {
                    if lines.len() < MAX_PROBLEMS {
                        lines.push(line);
                    }
                },
                progress,
            );
            report.entries_checked += checked.entries;
            report.damaged_entries += checked.damaged;
            for line in lines {
                report.problem(line);
            }
        }
        for name in self.streams.list() {
            // Deleted since it was listed: nothing to check.
            let Ok(stream) = self.streams.get(&name) else {
                continue;
            };
            report.streams += 1;
            report.add_recovery(&format!("stream {name:?}"), &stream.recovery);
            let mut lines = Vec::new();
            let (checked, damaged) = stream.verify_records(
                &mut |line| {
                    if lines.len() < MAX_PROBLEMS {
                        lines.push(line);
                    }
                },
                progress,
            );
            report.stream_records_checked += checked;
            report.damaged_entries += damaged;
            for line in lines {
                report.problem(line);
            }
        }
        Ok(report)
    }
}
