//! The results: a markdown table (times, and each peer's as a ratio of
//! aerolite's) and an SVG bar chart of the ratios.

use crate::engines;
use crate::workload::{BATCHES, BATCH_LEN, KEY_LEN, SINGLE_WRITES, VALUE_LEN};
use plotters::prelude::*;
use std::collections::BTreeMap;
use std::path::Path;

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
struct Row {
    key: &'static str,
    label: String,
    short: &'static str,
    unit: Unit,
    ranked: bool,
}

fn rows(records: usize) -> Vec<Row> {
    let n = human(records);
    let total = human(records + SINGLE_WRITES + BATCHES * BATCH_LEN);
    let row = |key, label: String, short, unit| Row {
        key,
        label,
        short,
        unit,
        ranked: key != "raw_adjacent",
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
        row(
            "raw_adjacent",
            format!(
                "the raw loop of {SINGLE_WRITES} appends + `fdatasync`, just before and after \
                 the single writes (mean, s)"
            ),
            "",
            Unit::Seconds,
        ),
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

fn human(n: usize) -> String {
    let trim = |s: String| s.trim_end_matches('0').trim_end_matches('.').to_string();
    if n >= 1_000_000 && n.is_multiple_of(1000) {
        format!("{}M", trim(format!("{:.3}", n as f64 / 1e6)))
    } else if n >= 1000 && n.is_multiple_of(100) {
        format!("{}k", trim(format!("{:.1}", n as f64 / 1e3)))
    } else {
        n.to_string()
    }
}

/// Smallest aerolite value another is divided by (1 ms, or 0.001 byte).
const MIN_BASE: f64 = 1e-3;

/// Each engine's results, by phase, in run order.
pub struct Results(Vec<(&'static str, BTreeMap<String, f64>)>);

impl Results {
    pub fn new() -> Results {
        Results(Vec::new())
    }

    pub fn push(&mut self, name: &'static str, results: BTreeMap<String, f64>) {
        self.0.push((name, results));
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
    fn ratio(&self, engine: usize, key: &str) -> Option<f64> {
        let base = self.0.iter().position(|(n, _)| *n == "aerolite")?;
        let b = *self.0[base].1.get(key)?;
        let v = *self.0[engine].1.get(key)?;
        (b >= MIN_BASE).then(|| v / b)
    }
}

/// What the table and the chart say about the run.
pub struct RunInfo {
    pub records: usize,
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
    let mut out = format!(
        "{} records of a random {KEY_LEN}-byte key and a {VALUE_LEN}-byte random value; \
         commit {}; {}. Lower is better; the best of each row is in bold; \
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
        let aero = results.0.iter().position(|(n, _)| *n == "aerolite");
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

fn color(i: usize) -> RGBColor {
    const COLORS: [RGBColor; 5] = [
        RGBColor(214, 39, 40),
        RGBColor(31, 119, 180),
        RGBColor(44, 160, 44),
        RGBColor(255, 127, 14),
        RGBColor(148, 103, 189),
    ];
    COLORS[i % COLORS.len()]
}

/// Smallest and largest ratio drawn as such.
const FLOOR: f64 = 0.01;
const CAP: f64 = 30.0;

/// A grouped bar chart of every value as a ratio of aerolite's (log scale).
pub fn chart(results: &Results, info: &RunInfo, path: &Path) {
    draw(results, info, path).expect("draw the chart");
}

fn draw(results: &Results, info: &RunInfo, path: &Path) -> Result<(), Box<dyn std::error::Error>> {
    let rows: Vec<Row> = rows(info.records)
        .into_iter()
        .filter(|r| !r.short.is_empty())
        .collect();
    let engines = results.0.len();
    let ratios: Vec<Vec<Option<f64>>> = (0..engines)
        .map(|e| rows.iter().map(|r| results.ratio(e, r.key)).collect())
        .collect();
    // Ratios are drawn between FLOOR and CAP: a bar at FLOOR is a stub (the
    // axis starts below it), a bar cut at CAP carries its value as a label
    // (the axis goes on above CAP to leave room for them).
    let lo = FLOOR / 3.0;
    let hi = CAP * 8.0;
    let root = SVGBackend::new(path, (1100, 560)).into_drawing_area();
    root.fill(&WHITE)?;
    let mut chart = ChartBuilder::on(&root)
        .caption(
            format!(
                "{} records: each engine's value / aerolite's (log scale, lower is better)",
                human(info.records)
            ),
            ("sans-serif", 20),
        )
        .margin(15)
        .x_label_area_size(40)
        .y_label_area_size(70)
        .build_cartesian_2d(-0.5..rows.len() as f64 - 0.5, (lo..hi).log_scale())?;
    let labels: Vec<&str> = rows.iter().map(|r| r.short).collect();
    let label_of = |x: &f64| {
        let i = x.round();
        if (x - i).abs() < 1e-6 && i >= 0.0 && (i as usize) < labels.len() {
            labels[i as usize].to_string()
        } else {
            String::new()
        }
    };
    chart
        .configure_mesh()
        .disable_x_mesh()
        .x_labels(rows.len() + 1)
        .x_label_formatter(&label_of)
        .y_desc("ratio to aerolite")
        .y_label_formatter(&|y| format!("{y}"))
        .label_style(("sans-serif", 13))
        .draw()?;
    let width = 0.8 / engines as f64;
    for (e, engine_ratios) in ratios.iter().enumerate() {
        let c = color(e);
        let bars = engine_ratios.iter().enumerate().filter_map(|(i, r)| {
            let r = (*r)?.clamp(FLOOR, CAP);
            let x0 = i as f64 - 0.4 + e as f64 * width;
            Some(Rectangle::new(
                [(x0, lo), (x0 + width * 0.9, r)],
                c.filled(),
            ))
        });
        chart
            .draw_series(bars)?
            .label(engines::label(results.0[e].0))
            .legend(move |(x, y)| Rectangle::new([(x, y - 5), (x + 12, y + 5)], c.filled()));
        let cut = engine_ratios.iter().enumerate().filter_map(|(i, r)| {
            let r = (*r).filter(|r| *r > CAP)?;
            let x = i as f64 - 0.4 + (e as f64 + 0.45) * width;
            let y = CAP * 1.15 * 1.6f64.powi(e as i32 % 3);
            let style = TextStyle::from(("sans-serif", 11).into_font())
                .color(&c)
                .pos(plotters::style::text_anchor::Pos::new(
                    plotters::style::text_anchor::HPos::Center,
                    plotters::style::text_anchor::VPos::Bottom,
                ));
            Some(Text::new(format!("{r:.0}×"), (x, y), style))
        });
        chart.draw_series(cut)?;
    }
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperRight)
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK)
        .label_font(("sans-serif", 13))
        .draw()?;
    root.present()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::{markdown, Results, RunInfo};
    use std::collections::BTreeMap;

    fn engine(single: f64, raw: f64) -> BTreeMap<String, f64> {
        BTreeMap::from([("single".into(), single), ("raw_adjacent".into(), raw)])
    }

    fn line<'a>(table: &'a str, starts: &str) -> &'a str {
        table
            .lines()
            .find(|l| l.starts_with(starts))
            .expect("the row is in the table")
    }

    #[test]
    fn the_raw_loop_is_a_reference_not_a_contest() {
        let mut results = Results::new();
        results.push("aerolite", engine(0.2, 0.3));
        results.push("lmdb", engine(0.5, 0.25));
        let info = RunInfo {
            records: 1000,
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
