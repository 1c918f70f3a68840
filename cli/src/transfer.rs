//! `backup` and `restore`: asbackup files, with progress bars.

use crate::fail::{Fail, Outcome};
use crate::open::{close, open, Mode};
use crate::progress::bar;
use aerolite::{RestoreOptions, RestoreStats};
use indicatif::ProgressBar;
use std::fs::File;
use std::io::{BufRead, BufReader, IsTerminal, Read, Write};
use std::path::Path;

/// Counts the records going through an asbackup writer (each has exactly
/// one line starting `+ n `) into a progress bar.
struct Counting<'a> {
    inner: &'a mut dyn Write,
    bar: &'a ProgressBar,
    /// How much of `\n+ n ` the bytes so far end with (starts at 1: the
    /// start of the file is the start of a line).
    matched: usize,
}

impl Write for Counting<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        const PAT: &[u8] = b"\n+ n ";
        let mut records = 0;
        for &b in &buf[..n] {
            self.matched = if b == PAT[self.matched] {
                self.matched + 1
            } else if b == b'\n' {
                1
            } else {
                0
            };
            if self.matched == PAT.len() {
                records += 1;
                self.matched = 0;
            }
        }
        if records > 0 {
            self.bar.inc(records);
        }
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

/// `aerolite backup DIR NS [--set S] [-o FILE]`.
pub fn backup(dir: &Path, namespace: &str, set: Option<&str>, output: Option<&Path>) -> Outcome {
    let db = open(dir, Mode::Existing)?;
    crate::open::require_namespace(&db, namespace)?;
    let total = match set {
        None => db.namespace_stats(namespace).ok().map(|s| s.objects),
        Some(_) => None,
    };
    let pb = bar(total, "records", output.is_some());
    pb.set_message(format!("backing up {namespace}"));
    let result = match output {
        Some(path) => {
            let file = File::create(path).map_err(|e| Fail::io("cannot create", path, e))?;
            let mut file = std::io::BufWriter::with_capacity(1 << 20, file);
            let mut counting = Counting {
                inner: &mut file,
                bar: &pb,
                matched: 1,
            };
            let r = db.backup(namespace, set, &mut counting);
            let r = r.and_then(|stats| {
                file.into_inner()
                    .map_err(|e| e.into_error())
                    .and_then(|f| f.sync_all())
                    .map_err(aerolite::Error::Io)
                    .map(|()| stats)
            });
            if r.is_err() {
                // Half a backup is worse than none.
                let _ = std::fs::remove_file(path);
            }
            r
        }
        None => {
            let stdout = std::io::stdout();
            let mut out = std::io::BufWriter::with_capacity(1 << 20, stdout.lock());
            db.backup(namespace, set, &mut out)
        }
    };
    pb.finish_and_clear();
    let stats = match result {
        Ok(stats) => stats,
        Err(aerolite::Error::Io(e)) if output.is_none() => {
            return Err(crate::fail::stdout_error(e))
        }
        Err(e) => return Err(Fail::db(format!("backing up namespace {namespace:?}"), e)),
    };
    close(db)?;
    let to = output.map_or("stdout".to_string(), |p| p.display().to_string());
    eprintln!(
        "backed up {} records of namespace {namespace:?} ({} bytes) to {to}",
        stats.records, stats.bytes
    );
    Ok(())
}

/// Bytes read between two updates of the restore's progress bar (the
/// reader consumes a few bytes at a time).
const PROGRESS_STEP: u64 = 64 * 1024;

/// Counts the bytes read through a `BufRead` into a progress bar.
struct Progress<'a, R> {
    inner: R,
    bar: &'a ProgressBar,
    /// Read but not yet added to the bar.
    pending: u64,
}

impl<R> Progress<'_, R> {
    fn count(&mut self, n: usize) {
        self.pending += n as u64;
        if self.pending >= PROGRESS_STEP {
            self.bar.inc(self.pending);
            self.pending = 0;
        }
    }
}

impl<R> Drop for Progress<'_, R> {
    fn drop(&mut self) {
        self.bar.inc(self.pending);
    }
}

impl<R: BufRead> Read for Progress<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count(n);
        Ok(n)
    }
}

impl<R: BufRead> BufRead for Progress<'_, R> {
    fn fill_buf(&mut self) -> std::io::Result<&[u8]> {
        self.inner.fill_buf()
    }

    fn consume(&mut self, amt: usize) {
        self.inner.consume(amt);
        self.count(amt);
    }
}

fn add(total: &mut RestoreStats, s: &RestoreStats) {
    total.records += s.records;
    total.written += s.written;
    total.expired += s.expired;
    total.existed += s.existed;
    total.fresher += s.fresher;
    total.secondary_indexes += s.secondary_indexes;
    total.udfs += s.udfs;
}

fn stats_line(what: &str, s: &RestoreStats) -> String {
    format!(
        "{what}: records {} written {} expired {} existed {} fresher {} secondary_indexes {} udfs {}",
        s.records, s.written, s.expired, s.existed, s.fresher, s.secondary_indexes, s.udfs
    )
}

/// `aerolite restore DIR FILE... [--namespace NS] [--unique|--replace] [--no-generation]`.
pub fn restore(dir: &Path, files: &[std::path::PathBuf], options: &RestoreOptions) -> Outcome {
    // Every file is opened before anything is written.
    let mut inputs: Vec<(String, Box<dyn BufRead>, Option<u64>)> = Vec::new();
    for path in files {
        if path.as_os_str() == "-" {
            let stdin = Box::new(BufReader::new(std::io::stdin()));
            inputs.push(("stdin".into(), stdin, None));
            continue;
        }
        let file = File::open(path).map_err(|e| Fail::io("cannot open", path, e))?;
        let len = file.metadata().ok().map(|m| m.len());
        let reader = Box::new(BufReader::with_capacity(1 << 20, file));
        inputs.push((path.display().to_string(), reader, len));
    }
    let total: Option<u64> = inputs.iter().map(|i| i.2).sum();
    let db = open(dir, Mode::Create)?;
    let pb = bar(total, "bytes", std::io::stderr().is_terminal());
    let mut sum = RestoreStats::default();
    let mut lines = Vec::new();
    for (name, reader, _) in inputs {
        pb.set_message(format!("restoring {name}"));
        let mut input = Progress {
            inner: reader,
            bar: &pb,
            pending: 0,
        };
        let stats = db.restore(&mut input, options).map_err(|e| {
            pb.finish_and_clear();
            Fail::db(
                format!("restoring {name} (records before the error stay written)"),
                e,
            )
        })?;
        add(&mut sum, &stats);
        lines.push(stats_line(&name, &stats));
    }
    pb.finish_and_clear();
    close(db)?;
    if lines.len() > 1 {
        lines.push(stats_line("total", &sum));
    }
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    crate::fail::emit(&mut out, &lines.join("\n"))
}
