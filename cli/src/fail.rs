//! Run-time errors: one line a person can act on, and the exit code.

use aerolite::Error;
use std::fmt;
use std::path::Path;

/// Exit code: `verify` found damage, `get` found no record, or a record or
/// file read back damaged.
pub const EXIT_DAMAGE_OR_MISSING: i32 = 1;
/// Exit code of usage errors (clap's).
pub const EXIT_USAGE: i32 = 2;
/// Exit code of every other run-time error (cannot open, locked, I/O, a
/// malformed backup file, ...).
pub const EXIT_ERROR: i32 = 3;

/// A run-time error of the tool.
#[derive(Debug)]
pub struct Fail {
    pub message: String,
    pub code: i32,
}

impl Fail {
    /// An error with exit code [`EXIT_ERROR`].
    pub fn new(message: impl Into<String>) -> Fail {
        Fail {
            message: message.into(),
            code: EXIT_ERROR,
        }
    }

    /// An error with exit code [`EXIT_DAMAGE_OR_MISSING`].
    pub fn damage(message: impl Into<String>) -> Fail {
        Fail {
            message: message.into(),
            code: EXIT_DAMAGE_OR_MISSING,
        }
    }

    /// `context: error`, with the code the library error calls for.
    pub fn db(context: impl fmt::Display, e: Error) -> Fail {
        let code = match e {
            Error::Corruption { .. } | Error::KeyNotFound => EXIT_DAMAGE_OR_MISSING,
            _ => EXIT_ERROR,
        };
        Fail {
            message: format!("{context}: {e}"),
            code,
        }
    }

    /// `context: error` for an I/O error on `path`.
    pub fn io(what: &str, path: &Path, e: std::io::Error) -> Fail {
        Fail::new(format!("{what} {}: {e}", path.display()))
    }

    /// The message on one line.
    pub fn line(&self) -> String {
        self.message
            .split(['\n', '\r'])
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .collect::<Vec<_>>()
            .join(" ")
    }
}

impl fmt::Display for Fail {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.line())
    }
}

/// The result of a subcommand.
pub type Outcome<T = ()> = Result<T, Fail>;

/// Writes `line` and a newline to `out` (stdout): a closed pipe stops the
/// subcommand quietly with exit code 0 (`aerolite scan ... | head`).
pub fn emit(out: &mut dyn std::io::Write, line: &str) -> Outcome {
    let written = out
        .write_all(line.as_bytes())
        .and_then(|()| out.write_all(b"\n"));
    written.map_err(stdout_error)
}

/// The error of a failed write to stdout.
pub fn stdout_error(e: std::io::Error) -> Fail {
    match e.kind() {
        std::io::ErrorKind::BrokenPipe => Fail {
            message: String::new(),
            code: 0,
        },
        _ => Fail::new(format!("writing to stdout: {e}")),
    }
}
