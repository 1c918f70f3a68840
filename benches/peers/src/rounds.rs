//! Several rounds of the whole run (`--rounds N`): the median of every
//! value, and aerolite's value against the best peer's in each round.
//!
//! On a shared virtual machine one run's ratios move by a third from one
//! run to the next (the same engine, minutes apart), so a verdict taken
//! from one run is a coin toss. Rounds run the engines in turn (all of
//! round 1, then all of round 2, ...), so a slow spell of the machine lands
//! on every engine rather than on one.

use crate::report::{human, rows, Results, MIN_BASE};
use std::collections::BTreeMap;

/// The median of `values` (the mean of the middle two for an even count);
/// `None` when empty.
pub fn median_of(mut values: Vec<f64>) -> Option<f64> {
    values.sort_by(f64::total_cmp);
    let n = values.len();
    match n {
        0 => None,
        _ if n % 2 == 1 => Some(values[n / 2]),
        _ => Some((values[n / 2 - 1] + values[n / 2]) / 2.0),
    }
}

/// The median over `rounds` of every engine's value of every phase, engines
/// in the first round's order. A phase is kept when every round has it.
pub fn median(rounds: &[Results]) -> Results {
    let mut out = Results::new();
    let Some(first) = rounds.first() else {
        return out;
    };
    for e in 0..first.len() {
        let name = first.name(e);
        let mut phases = BTreeMap::new();
        for phase in first.phases(e).keys() {
            let values: Option<Vec<f64>> = rounds
                .iter()
                .map(|r| r.phases(r.index_of(name)?).get(phase).copied())
                .collect();
            if let Some(m) = values.and_then(median_of) {
                phases.insert(phase.clone(), m);
            }
        }
        out.push(name, phases);
    }
    out
}

/// Aerolite's value of `phase` divided by the best (lowest) peer's in
/// `round`: below 1, aerolite leads the row. `None` without values, or
/// when the best peer's value is below `MIN_BASE` (too short to divide by).
fn lead(round: &Results, phase: &str) -> Option<f64> {
    let mut aerolite = None;
    let mut best: Option<f64> = None;
    for e in 0..round.len() {
        let Some(&v) = round.phases(e).get(phase) else {
            continue;
        };
        match round.name(e) {
            "aerolite" => aerolite = Some(v),
            _ => best = Some(best.map_or(v, |b| b.min(v))),
        }
    }
    let best = best.filter(|&b| b >= MIN_BASE)?;
    Some(aerolite? / best)
}

/// Aerolite's single durable writes divided by the raw loop run beside
/// them in its own process.
fn single_to_raw(round: &Results) -> Option<f64> {
    let phases = round.phases(round.index_of("aerolite")?);
    let raw = phases
        .get("raw_adjacent")
        .copied()
        .filter(|&r| r >= MIN_BASE)?;
    Some(phases.get("single")? / raw)
}

/// The markdown table of aerolite's standing in each round: per row,
/// aerolite's value ÷ the best peer's, each round and their median, and
/// its single writes ÷ the raw loop beside them.
pub fn lead_table(rounds: &[Results], records: usize) -> String {
    let n = rounds.len();
    let mut out = format!(
        "Aerolite's value ÷ the best peer's, round by round ({} records; below 1: \
         aerolite leads the row; – where the best peer's value is too small to divide by).\n\n\
         | workload |",
        human(records)
    );
    for r in 1..=n {
        out.push_str(&format!(" round {r} |"));
    }
    out.push_str(" median |\n|---|");
    out.push_str(&"---|".repeat(n + 1));
    out.push('\n');
    let mut line = |label: &str, ratios: Vec<Option<f64>>| {
        let shown = |r: Option<f64>| r.map_or("–".to_string(), |r| format!("{r:.2}×"));
        out.push_str(&format!("| {label} |"));
        for r in &ratios {
            out.push_str(&format!(" {} |", shown(*r)));
        }
        let all: Option<Vec<f64>> = ratios.into_iter().collect();
        out.push_str(&format!(" {} |\n", shown(all.and_then(median_of))));
    };
    for row in rows(records).into_iter().filter(|r| r.ranked) {
        line(
            &row.label,
            rounds.iter().map(|r| lead(r, row.key)).collect(),
        );
    }
    line(
        "single durable writes ÷ the raw loop beside them",
        rounds.iter().map(single_to_raw).collect(),
    );
    out
}

#[cfg(test)]
mod tests {
    use super::{lead_table, median, median_of, Results};
    use crate::report::tests::line;
    use std::collections::BTreeMap;

    fn round(values: &[(&'static str, &[(&str, f64)])]) -> Results {
        let mut r = Results::new();
        for (name, phases) in values {
            let map: BTreeMap<String, f64> =
                phases.iter().map(|(k, v)| (k.to_string(), *v)).collect();
            r.push(name, map);
        }
        r
    }

    #[test]
    fn median_of_odd_even_and_empty() {
        assert_eq!(median_of(vec![3.0, 1.0, 2.0]), Some(2.0));
        assert_eq!(median_of(vec![4.0, 1.0, 3.0, 2.0]), Some(2.5));
        assert_eq!(median_of(Vec::new()), None);
    }

    #[test]
    fn median_takes_each_value_across_rounds() {
        let rounds = [
            round(&[
                ("aerolite", &[("read2", 1.0), ("load", 9.0)]),
                ("lmdb", &[("read2", 2.0)]),
            ]),
            // Engines in another order, and one phase missing.
            round(&[("lmdb", &[("read2", 4.0)]), ("aerolite", &[("read2", 3.0)])]),
            round(&[
                ("aerolite", &[("read2", 2.0), ("load", 1.0)]),
                ("lmdb", &[("read2", 3.0)]),
            ]),
        ];
        let m = median(&rounds);
        assert_eq!(m.name(0), "aerolite");
        assert_eq!(m.phases(0).get("read2"), Some(&2.0));
        // Not in every round: left out rather than a median of two.
        assert_eq!(m.phases(0).get("load"), None);
        assert_eq!(m.name(1), "lmdb");
        assert_eq!(m.phases(1).get("read2"), Some(&3.0));
    }

    #[test]
    fn lead_table_divides_by_the_best_peer() {
        // A round: aerolite's, LMDB's and redb's 2nd read round, and
        // aerolite's single writes and the raw loop beside them.
        let reads = |[a, lmdb, redb]: [f64; 3], single, raw| {
            round(&[
                (
                    "aerolite",
                    &[
                        ("read2", a),
                        ("single", single),
                        ("raw_adjacent", raw),
                        ("reopen", 0.1),
                    ],
                ),
                ("lmdb", &[("read2", lmdb), ("reopen", 0.0)]),
                ("redb", &[("read2", redb)]),
            ])
        };
        let rounds = [
            reads([2.0, 1.0, 4.0], 0.2, 0.25),
            reads([1.0, 2.0, 0.5], 0.3, 0.2),
        ];
        let table = lead_table(&rounds, 1000);
        let row = |starts| line(&table, starts);
        // Round 1: 2.0 ÷ min(1.0, 4.0); round 2: 1.0 ÷ min(2.0, 0.5); median of 2 and 2.
        assert_eq!(
            row("| 1k random reads, 2nd round"),
            "| 1k random reads, 2nd round (s) | 2.00× | 2.00× | 2.00× |"
        );
        // LMDB's 0.000 s reopen is too short to divide by.
        assert_eq!(
            row("| reopen"),
            "| reopen after clean close (s) | – | – | – |"
        );
        assert_eq!(
            row("| single durable"),
            "| single durable writes ÷ the raw loop beside them | 0.80× | 1.50× | 1.15× |"
        );
        // The raw loop itself is a reference, not a row of its own.
        assert!(!table.contains("the raw loop of"), "{table}");
    }
}
