//! aerolite side by side with LMDB (heed), redb, fjall and sled on redb's
//! published benchmark workload: random 24-byte keys, 150-byte random values.
//!
//! ```text
//! cargo run --release --manifest-path benches/peers/Cargo.toml -- --records 1000000 --out docs/
//! ```
//!
//! The parent process re-executes itself once per engine (`--engine NAME`),
//! so that each engine's memory and page cache are its own, then prints a
//! markdown table (each peer's time also as a ratio of aerolite's) and
//! writes it to `OUT/peers.md`, with a bar chart in `OUT/peers.svg`. With
//! `--rounds N` it does all that N times and reports medians (`rounds.rs`).
//! See `docs/benchmarks.md`, section "Side by side".

mod chart;
mod engines;
mod report;
mod rounds;
mod settle;
mod workload;

use report::{Results, RunInfo};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

const USAGE: &str = "\
usage: aerolite-peers [--records N] [--rounds N] [--out DIR] [--svg PATH] [--engines a,b,..] [--dir DIR] [--keep] [--no-settle]
  --records N     records bulk-loaded (default 1000000)
  --rounds N      run everything N times, the engines in turn (default 1); the
                  table gives each value's median, and a second table
                  aerolite's value against the best peer's in each round
  --out DIR       where peers.md and peers.svg go (default: the current directory)
  --svg PATH      the chart's path instead of DIR/peers.svg
  --engines LIST  comma-separated subset of aerolite,lmdb,redb,fjall,sled (default: all)
  --dir DIR       where the databases are made (default: a new directory under $TMPDIR)
  --keep          keep the databases afterwards
  --no-settle     start each engine at once, without a sync and a wait for
                  the previous engine's write-back to finish";

struct Args {
    records: usize,
    rounds: usize,
    out: PathBuf,
    svg: Option<PathBuf>,
    engines: Vec<String>,
    dir: Option<PathBuf>,
    keep: bool,
    settle: bool,
    engine: Option<String>,
}

fn parse_args() -> Args {
    let mut args = Args {
        records: 1_000_000,
        rounds: 1,
        out: PathBuf::from("."),
        svg: None,
        engines: engines::NAMES.iter().map(|s| s.to_string()).collect(),
        dir: None,
        keep: false,
        settle: true,
        engine: None,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || {
            it.next().unwrap_or_else(|| {
                eprintln!("{flag} needs a value\n{USAGE}");
                std::process::exit(2)
            })
        };
        match flag.as_str() {
            "--records" => {
                args.records = value().replace('_', "").parse().unwrap_or_else(|_| {
                    eprintln!("--records: not a number\n{USAGE}");
                    std::process::exit(2)
                })
            }
            "--rounds" => {
                args.rounds = value().parse().unwrap_or_else(|_| {
                    eprintln!("--rounds: not a number\n{USAGE}");
                    std::process::exit(2)
                })
            }
            "--out" => args.out = PathBuf::from(value()),
            "--svg" => args.svg = Some(PathBuf::from(value())),
            "--engines" => args.engines = value().split(',').map(str::to_string).collect(),
            "--dir" => args.dir = Some(PathBuf::from(value())),
            "--engine" => args.engine = Some(value()),
            "--keep" => args.keep = true,
            "--no-settle" => args.settle = false,
            "-h" | "--help" => {
                println!("{USAGE}");
                std::process::exit(0)
            }
            other => {
                eprintln!("unknown argument {other:?}\n{USAGE}");
                std::process::exit(2)
            }
        }
    }
    for name in args.engines.iter().chain(args.engine.iter()) {
        if !engines::NAMES.contains(&name.as_str()) && name != "raw" {
            eprintln!("unknown engine {name:?}\n{USAGE}");
            std::process::exit(2)
        }
    }
    if args.records < 2 {
        eprintln!("--records must be at least 2");
        std::process::exit(2)
    }
    if args.rounds == 0 {
        eprintln!("--rounds must be at least 1");
        std::process::exit(2)
    }
    args
}

/// Child mode: runs one engine's phases in `dir`.
fn run_engine(name: &str, records: usize, dir: &Path) {
    if name == "raw" {
        workload::raw_limit(dir);
        return;
    }
    let data = workload::Data::new(records);
    match name {
        "aerolite" => workload::run::<engines::aerolite::Aerolite>(name, dir, &data),
        "lmdb" => workload::run::<engines::lmdb::Lmdb>(name, dir, &data),
        "redb" => workload::run::<engines::redb::Redb>(name, dir, &data),
        "fjall" => workload::run::<engines::fjall::Fjall>(name, dir, &data),
        "sled" => workload::run::<engines::sled::Sled>(name, dir, &data),
        _ => unreachable!("engine names are checked when parsing"),
    }
}

/// Parent mode: runs `name` in a child process, after letting the machine
/// settle (unless `--no-settle`), and returns its results; `keep` keeps
/// its database directory.
fn spawn_engine(name: &str, args: &Args, base: &Path, keep: bool) -> BTreeMap<String, f64> {
    let records = args.records;
    let dir = base.join(name);
    if dir.exists() {
        std::fs::remove_dir_all(&dir).expect("remove an old database directory");
    }
    eprintln!("{name}:");
    if args.settle {
        settle::settle();
    }
    let exe = std::env::current_exe().expect("path of this executable");
    let output = Command::new(exe)
        .args(["--engine", name, "--records", &records.to_string(), "--dir"])
        .arg(&dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .output()
        .expect("start the engine's process");
    if !keep && dir.exists() {
        std::fs::remove_dir_all(&dir).expect("remove the database directory");
    }
    assert!(
        output.status.success(),
        "{name}: its process failed ({})",
        output.status
    );
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter_map(|line| {
            let mut parts = line.strip_prefix("RESULT ")?.split(' ');
            let phase = parts.next()?.to_string();
            let value = parts.next()?.parse().ok()?;
            Some((phase, value))
        })
        .collect()
}

fn command_output(cmd: &str, args: &[&str]) -> Option<String> {
    let out = Command::new(cmd).args(args).output().ok()?;
    let text = String::from_utf8(out.stdout).ok()?;
    let text = text.trim();
    (out.status.success() && !text.is_empty()).then(|| text.to_string())
}

fn machine_note() -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("model name"))
                .map(|m| m.trim_start_matches([' ', '\t', ':']).to_string())
        })
        .unwrap_or_else(|| "unknown CPU".into());
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let mem_gib = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|s| workload::kib_field(&s, "MemTotal:"))
        .map_or(0.0, |kb| kb as f64 / (1 << 20) as f64);
    let kernel = command_output("uname", &["-sr"]).unwrap_or_else(|| "unknown kernel".into());
    format!("{cores} cores of {cpu}, {mem_gib:.0} GiB RAM, {kernel}")
}

fn main() {
    let args = parse_args();
    if let Some(name) = &args.engine {
        let dir = args.dir.as_ref().expect("--engine needs --dir");
        run_engine(name, args.records, dir);
        return;
    }

    let base = args.dir.clone().unwrap_or_else(|| {
        std::env::temp_dir().join(format!("aerolite-peers-{}", std::process::id()))
    });
    std::fs::create_dir_all(&base).expect("create the benchmark directory");
    eprintln!(
        "{} records, databases under {}",
        args.records,
        base.display()
    );
    let mut raw_single = Vec::new();
    let mut rounds = Vec::new();
    for round in 1..=args.rounds {
        if args.rounds > 1 {
            eprintln!("round {round} of {}", args.rounds);
        }
        let raw = spawn_engine("raw", &args, &base, false);
        raw_single.extend(raw.get("single").copied());
        let mut results = Results::new();
        for name in engines::NAMES {
            if args.engines.iter().any(|e| e == name) {
                // Only the last round's databases are worth keeping.
                let keep = args.keep && round == args.rounds;
                results.push(name, spawn_engine(name, &args, &base, keep));
            }
        }
        rounds.push(results);
    }
    let results = rounds::median(&rounds);
    if !args.keep && args.dir.is_none() {
        let _ = std::fs::remove_dir(&base);
    }

    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    let info = RunInfo {
        records: args.records,
        rounds: args.rounds,
        raw_single: rounds::median_of(raw_single),
        commit: command_output(
            "git",
            &[
                "-C",
                &manifest.to_string_lossy(),
                "rev-parse",
                "--short",
                "HEAD",
            ],
        )
        .unwrap_or_else(|| "unknown".into()),
        machine: machine_note(),
    };
    let mut table = report::markdown(&results, &info);
    if args.rounds > 1 {
        table.push('\n');
        table.push_str(&rounds::lead_table(&rounds, args.records));
    }
    println!("{table}");
    std::fs::create_dir_all(&args.out).expect("create the output directory");
    let md = args.out.join("peers.md");
    std::fs::write(&md, &table).expect("write the table");
    let svg = args
        .svg
        .clone()
        .unwrap_or_else(|| args.out.join("peers.svg"));
    chart::chart(&results, &info, &svg);
    eprintln!("wrote {} and {}", md.display(), svg.display());
}
