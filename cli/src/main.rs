//! `aerolite`: the command-line tool of the aerolite storage engine.
//!
//! Every subcommand opens the database directory itself (so it fails at
//! once, with one line, when a running service holds it) with background
//! maintenance off. Records and stream records are printed as JSON lines;
//! run-time errors are one line on stderr. `docs/cli.md` describes every
//! subcommand, its output and its exit codes.

#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]

mod fail;
mod info;
mod json;
mod open;
mod progress;
mod records;
mod tail;
mod transfer;
mod verify;

use clap::{Parser, Subcommand, ValueEnum};
use fail::{Outcome, EXIT_USAGE};
use std::path::PathBuf;
use std::process::ExitCode;

/// Inspect, back up, restore, verify and compact an aerolite database
/// directory. The database must not be open in another process.
#[derive(Debug, Parser)]
#[command(name = "aerolite", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

/// How `get` reads its KEY argument.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum KeyType {
    /// An integer if KEY parses as one (i64), else a string.
    Auto,
    /// An integer.
    Int,
    /// A string, even when it looks like a number.
    Str,
    /// A blob, given in hex.
    BlobHex,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Namespaces (objects, sets, disk and index bytes) and streams (shards,
    /// retention, records, disk bytes).
    Info {
        /// The database directory.
        dir: PathBuf,
        /// Print one JSON object instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Print one record as a JSON object (exit code 1 if it does not exist).
    Get {
        /// The database directory.
        dir: PathBuf,
        /// The namespace.
        namespace: String,
        /// The set ("" for none).
        set: String,
        /// The user key.
        key: String,
        /// How to read KEY.
        #[arg(long, value_enum, default_value_t = KeyType::Auto)]
        key_type: KeyType,
    },
    /// Print every live record of a namespace (or one set) as JSON lines.
    Scan {
        /// The database directory.
        dir: PathBuf,
        /// The namespace.
        namespace: String,
        /// Only this set.
        set: Option<String>,
    },
    /// Write a namespace (or one set) as an asbackup 3.1 file, which
    /// Aerospike's asrestore reads.
    Backup {
        /// The database directory.
        dir: PathBuf,
        /// The namespace.
        namespace: String,
        /// Only this set.
        #[arg(long)]
        set: Option<String>,
        /// Write to FILE (replacing it) instead of stdout.
        #[arg(short, long, value_name = "FILE")]
        output: Option<PathBuf>,
    },
    /// Restore asbackup 3.0/3.1 files (`-` for stdin) into the database
    /// (created if missing), with asrestore's rules.
    Restore {
        /// The database directory.
        dir: PathBuf,
        /// The backup files, restored in order.
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Restore into this namespace instead of the files'.
        #[arg(long, value_name = "NS")]
        namespace: Option<String>,
        /// Skip records that already exist (asrestore --unique).
        #[arg(long, conflicts_with = "replace")]
        unique: bool,
        /// Replace existing records instead of merging bins (asrestore --replace).
        #[arg(long)]
        replace: bool,
        /// Write records whatever the stored generation (asrestore --no-generation).
        #[arg(long)]
        no_generation: bool,
    },
    /// Check every entry's CRC and the indexes against the files, streams
    /// included (exit code 1 on damage).
    Verify {
        /// The database directory.
        dir: PathBuf,
    },
    /// Remove expired records, defragment the namespaces and delete stream
    /// segments past their retention, now.
    Compact {
        /// The database directory.
        dir: PathBuf,
    },
    /// The streams with their shards and retention.
    Streams {
        /// The database directory.
        dir: PathBuf,
        /// Print one JSON object instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Print the records of a stream as JSON lines.
    Tail {
        /// The database directory.
        dir: PathBuf,
        /// The stream's name or ARN.
        stream: String,
        /// Only this shard (`shardId-000000000001`, `1`).
        #[arg(long, value_name = "ID")]
        shard: Option<String>,
        /// Where to start: `trim-horizon` (the oldest record), `latest`
        /// (only records written later) or a sequence number (with --shard).
        #[arg(long, value_name = "WHERE", default_value = "trim-horizon")]
        from: String,
        /// Keep polling for new records (reopening the directory each time
        /// it is free) until interrupted.
        #[arg(long)]
        follow: bool,
    },
}

fn run(cli: Cli) -> Outcome {
    match cli.command {
        Command::Info { dir, json } => info::info(&dir, json),
        Command::Get {
            dir,
            namespace,
            set,
            key,
            key_type,
        } => records::get(&dir, &namespace, &set, &key, key_type),
        Command::Scan {
            dir,
            namespace,
            set,
        } => records::scan(&dir, &namespace, set.as_deref()),
        Command::Backup {
            dir,
            namespace,
            set,
            output,
        } => transfer::backup(&dir, &namespace, set.as_deref(), output.as_deref()),
        Command::Restore {
            dir,
            files,
            namespace,
            unique,
            replace,
            no_generation,
        } => {
            let existing = match (unique, replace) {
                (true, _) => aerolite::RestoreExisting::Unique,
                (_, true) => aerolite::RestoreExisting::Replace,
                _ => aerolite::RestoreExisting::Update,
            };
            let options = aerolite::RestoreOptions {
                existing,
                check_generation: !no_generation,
                namespace,
            };
            transfer::restore(&dir, &files, &options)
        }
        Command::Verify { dir } => verify::verify(&dir),
        Command::Compact { dir } => verify::compact(&dir),
        Command::Streams { dir, json } => info::streams(&dir, json),
        Command::Tail {
            dir,
            stream,
            shard,
            from,
            follow,
        } => tail::tail(&dir, &stream, shard.as_deref(), &from, follow),
    }
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            // Help and version go to stdout with 0; usage errors to stderr.
            let code = if e.use_stderr() { EXIT_USAGE } else { 0 };
            let _ = e.print();
            return ExitCode::from(code as u8);
        }
    };
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        // The reader of stdout went away (`| head`): stop quietly.
        Err(fail) if fail.code == 0 => ExitCode::SUCCESS,
        Err(fail) => {
            eprintln!("aerolite: {}", fail.line());
            ExitCode::from(fail.code as u8)
        }
    }
}
