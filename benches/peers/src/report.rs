//! The results as a markdown table: times, and each peer's as a ratio of
//! aerolite's (`chart.rs` draws the ratios).

use crate::engines;
use crate::workload::{BATCHES, BATCH_LEN, KEY_LEN, SINGLE_WRITES, VALUE_LEN};
use std::collections::BTreeMap;

/// What a row measures, for its formatting.
#[derive(Clone, Copy, PartialEq)]
enum Unit {
    Seconds,
    Bytes,
    MiB,
}

/// One row: the phase key printed by the child, the table's label, the
/// chart's label; `ranked` is false for a reference row (the raw loop),
/// which gets neither a bold best value nor ratios.
pub(crate) struct Row {
    pub key: &'static str,
    pub label: String,
    pub short: &'static str,
    unit: Unit,
    pub ranked: bool,
}

pub(crate) fn rows(records: usize) -> Vec<Row> {
    let n = human(records);
    let total = human(records + SINGLE_WRITES + BATCHES * BATCH_LEN);
    let row = |key, label: String, short, unit| Row {
        key,
        label,
        short,
        unit,
        ranked: true,
    };
    vec![
        row(
            "load",
            format!("bulk load of {n} records (s)"),
            "bulk load",
            Unit::Seconds,
        ),
        row(
            "single",
            format!("{SINGLE_WRITES} durable single writes (s)"),
            "1000 writes",
            Unit::Seconds,
        ),
        Row {
            ranked: false,
            ..row(
                "raw_adjacent",
                format!(
                    "the raw loop of {SINGLE_WRITES} appends + `fdatasync`, just before and \
                     after the single writes (mean, s)"
                ),
                "",
                Unit::Seconds,
            )
        },
        row(
            "batches",
            format!("{BATCHES} durable batches of {BATCH_LEN} (s)"),
            "100 batches",
            Unit::Seconds,
        ),
        row(
            "read1",
            format!("{n} random reads, 1st round (s)"),
            "",
            Unit::Seconds,
        ),
        row(
            "read2",
            format!("{n} random reads, 2nd round (s)"),
            "reads",
            Unit::Seconds,
        ),
        row(
            "read2t",
            format!("all {total} keys read by 2 threads (s)"),
            "2-thr reads",
            Unit::Seconds,
        ),
        row(
            "remove",
            "remove half, durable (s)".into(),
            "remove half",
            Unit::Seconds,
        ),
        row("compact", "compact (s)".into(), "compact", Unit::Seconds),
        row(
            "reopen",
            "reopen after clean close (s)".into(),
            "reopen",
            Unit::Seconds,
        ),
        row(
            "disk_load",
            "disk use after the load (MiB)".into(),
            "",
            Unit::MiB,
        ),
        row(
            "disk_end",
            "disk use at the end (MiB)".into(),
            "disk",
            Unit::MiB,
        ),
        row(
            "mem",
            "anonymous memory per record after the load (B)".into(),
            "memory",
            Unit::Bytes,
        ),
    ]
}

pub(crate) fn human(n: usize) -> String {
    let trim = |s: String| s.trim_end_matches('0').trim_end_matches('.').to_string();
    if n >= 1_000_000 && n.is_multiple_of(1000) {
        format!("{}M", trim(format!("{:.3}", n as f64 / 1e6)))
    } else if n >= 1000 && n.is_multiple_of(100) {
        format!("{}k", trim(format!("{:.1}", n as f64 / 1e3)))
    } else {
        n.to_string()
    }
}

/// Smallest value another is divided by (1 ms, or 0.001 byte).
pub(crate) const MIN_BASE: f64 = 1e-3;

/// Each engine's results, by phase, in run order.
pub struct Results(Vec<(&'static str, BTreeMap<String, f64>)>);

impl Results {
    pub fn new() -> Results {
        Results(Vec::new())
    }

    pub fn push(&mut self, name: &'static str, results: BTreeMap<String, f64>) {
        self.0.push((name, results));
    }

    /// Number of engines.
    pub(crate) fn len(&self) -> usize {
        self.0.len()
    }

    /// The name of engine `engine` (in run order).
    pub(crate) fn name(&self, engine: usize) -> &'static str {
        self.0[engine].0
    }

    /// The position of engine `name` (in run order), if it ran.
    pub(crate) fn index_of(&self, name: &str) -> Option<usize> {
        self.0.iter().position(|(n, _)| *n == name)
    }

    /// The phases of engine `engine` and their values.
    pub(crate) fn phases(&self, engine: usize) -> &BTreeMap<String, f64> {
        &self.0[engine].1
    }

    fn get(&self, engine: usize, key: &str, unit: Unit) -> Option<f64> {
        let v = *self.0[engine].1.get(key)?;
        Some(if unit == Unit::MiB {
            v / (1 << 20) as f64
        } else {
            v
        })
    }

    /// The peer's value as a ratio of aerolite's: `None` without both, or
    /// when aerolite's is below `MIN_BASE` (a time too short to divide by,
    /// e.g. a compaction that found nothing to do).
    pub(crate) fn ratio(&self, engine: usize, key: &str) -> Option<f64> {
        let base = self.index_of("aerolite")?;
        let b = *self.0[base].1.get(key)?;
        let v = *self.0[engine].1.get(key)?;
        (b >= MIN_BASE).then(|| v / b)
    }
}

/// What the table and the chart say about the run.
pub struct RunInfo {
    pub records: usize,
    /// Rounds of the whole run: above 1, every value is their median.
    pub rounds: usize,
    pub raw_single: Option<f64>,
    pub commit: String,
    pub machine: String,
}

fn format_value(v: f64, unit: Unit) -> String {
    match unit {
        Unit::Seconds if v < 10.0 => format!("{v:.3}"),
        Unit::Seconds => format!("{v:.2}"),
        Unit::Bytes => format!("{v:.0} B"),
        Unit::MiB => format!("{v:.0}"),
    }
}

/// The markdown table, with a line on the workload before it and the raw
/// fsync limit after it.
pub fn markdown(results: &Results, info: &RunInfo) -> String {
    let median = match info.rounds {
        1 => String::new(),
        n => format!(" Each value is the median of {n} rounds."),
    };
    let mut out = format!(
        "{} records of a random {KEY_LEN}-byte key and a {VALUE_LEN}-byte random value; \
         commit {}; {}.{median} Lower is better; the best of each row is in bold; \
         peers also as a ratio of aerolite's value (not for the raw loop, a reference).\n\n",
        human(info.records),
        info.commit,
        info.machine
    );
    out.push_str("| workload |");
    for (name, _) in &results.0 {
        out.push_str(&format!(" {} |", engines::label(name)));
    }
    out.push_str("\n|---|");
    out.push_str(&"---|".repeat(results.0.len()));
    out.push('\n');
    for row in rows(info.records) {
        out.push_str(&format!("| {} |", row.label));
        let values: Vec<Option<f64>> = (0..results.0.len())
            .map(|e| results.get(e, row.key, row.unit))
            .collect();
        let shown: Vec<Option<String>> = values
            .iter()
            .map(|v| v.map(|v| format_value(v, row.unit)))
            .collect();
        let best = values
            .iter()
            .flatten()
            .copied()
            .fold(f64::INFINITY, f64::min);
        for (e, (v, s)) in values.iter().zip(&shown).enumerate() {
            let cell = match (v, s) {
                (Some(v), Some(s)) => {
                    let unique = shown.iter().flatten().filter(|x| *x == s).count() == 1;
                    let s = if row.ranked && unique && *v <= best {
                        format!("**{s}**")
                    } else {
                        s.clone()
                    };
                    match results.ratio(e, row.key) {
                        Some(r) if row.ranked && results.0[e].0 != "aerolite" => {
                            format!("{s} ({r:.2}×)")
                        }
                        _ => s,
                    }
                }
                _ => "n/a".to_string(),
            };
            out.push_str(&format!(" {cell} |"));
        }
        out.push('\n');
    }
    if let Some(raw) = info.raw_single {
        out.push_str(&format!(
            "\nRaw limit of durable single writes: {SINGLE_WRITES} appends of {} bytes, \
             each followed by `fdatasync`, took {raw:.3} s",
            KEY_LEN + VALUE_LEN
        ));
        let aero = results.index_of("aerolite");
        let aero_single = aero.and_then(|a| results.get(a, "single", Unit::Seconds));
        if let Some(a) = aero_single {
            out.push_str(&format!(" (aerolite's {a:.3} s is {:.2}× that)", a / raw));
        }
        out.push('.');
        let adjacent = aero.and_then(|a| results.get(a, "raw_adjacent", Unit::Seconds));
        if let (Some(a), Some(adj)) = (aero_single, adjacent) {
            out.push_str(&format!(
                " In aerolite's process, the same loop run just before and just after \
                 its single writes (on a disk still writing back the bulk load) took \
                 {adj:.3} s on average: its single writes are {:.2}× that.",
                a / adj
            ));
        }
        out.push('\n');
    }
    out
}

#[cfg(test)]
pub(crate) mod tests {
    use super::{markdown, Results, RunInfo};
    use std::collections::BTreeMap;

    fn engine(single: f64, raw: f64) -> BTreeMap<String, f64> {
        BTreeMap::from([("single".into(), single), ("raw_adjacent".into(), raw)])
    }

    /// The line of markdown `table` that starts with `starts` (tests of
    /// this module and of `rounds.rs`).
    pub(crate) fn line<'a>(table: &'a str, starts: &str) -> &'a str {
        table
            .lines()
            .find(|l| l.starts_with(starts))
            .unwrap_or_else(|| panic!("no row {starts:?} in\n{table}"))
    }

    #[test]
    fn the_raw_loop_is_a_reference_not_a_contest() {
        let mut results = Results::new();
        results.push("aerolite", engine(0.2, 0.3));
        results.push("lmdb", engine(0.5, 0.25));
        let info = RunInfo {
            records: 1000,
            rounds: 1,
            raw_single: None,
            commit: "abc".into(),
            machine: "test".into(),
        };
        let table = markdown(&results, &info);
        let single = line(&table, "| 1000 durable single writes");
        assert!(single.contains("**0.200**"), "{single}");
        assert!(single.contains("0.500 (2.50×)"), "{single}");
        let raw = line(&table, "| the raw loop");
        assert!(!raw.contains("**"), "{raw}");
        assert!(!raw.contains('×'), "{raw}");
        assert!(raw.contains("0.300") && raw.contains("0.250"), "{raw}");
    }
}
