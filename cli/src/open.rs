//! Opening the database directory.

use crate::fail::{Fail, Outcome};
use aerolite::{Db, Error, Options};
use std::path::Path;

/// How a subcommand opens the directory.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// An existing database; every segment read through its hint file
    /// where it has one (fast).
    Existing,
    /// An existing database, with every segment walked and CRC-checked.
    Verify,
    /// A database that may not exist yet (created by the open).
    Create,
}

/// Opens `dir` with background maintenance off (nothing happens behind the
/// subcommand's back). An existing database is one with a `namespaces` or
/// `streams` directory in it: anything else is refused rather than turned
/// into a database.
pub fn open(dir: &Path, mode: Mode) -> Outcome<Db> {
    let shown = dir.display();
    if mode == Mode::Create {
        refuse_foreign(dir)?;
    } else {
        match std::fs::metadata(dir) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(Fail::new(format!(
                    "no database at {shown}: the directory does not exist"
                )))
            }
            Err(e) => return Err(Fail::io("cannot read", dir, e)),
            Ok(m) if !m.is_dir() => {
                return Err(Fail::new(format!(
                    "{shown} is not a directory; pass the database directory"
                )))
            }
            Ok(_) => {}
        }
        if !dir.join("namespaces").is_dir() && !dir.join("streams").is_dir() {
            return Err(Fail::new(format!(
                "{shown} is not an aerolite database (it has no namespaces/ or streams/ directory)"
            )));
        }
    }
    let options = Options::default()
        .background_maintenance(false)
        .verify_on_open(mode == Mode::Verify);
    Db::open_with(dir, options).map_err(|e| match e {
        Error::Locked { .. } => Fail::new(format!(
            "{shown} {LOCKED} (a running service?) has the database open; \
             stop it, or run the tool on a copy of the directory"
        )),
        e => Fail::db(format!("cannot open the database at {shown}"), e),
    })
}

/// The start of the message of a locked directory (`tail --follow` waits
/// on it).
pub const LOCKED: &str = "is locked: another process";

/// A directory to create a database in must be missing, empty or a
/// database already: the tool does not scatter a database's files into an
/// unrelated directory.
fn refuse_foreign(dir: &Path) -> Outcome {
    let mut items = match std::fs::read_dir(dir) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(Fail::io("cannot read", dir, e)),
        Ok(items) => items,
    };
    let is_db = dir.join("namespaces").is_dir() || dir.join("streams").is_dir();
    if !is_db && items.next().is_some() {
        return Err(Fail::new(format!(
            "{} is neither an aerolite database nor empty; restore into a new or empty directory",
            dir.display()
        )));
    }
    Ok(())
}

/// Fails unless namespace `ns` holds data in `db`.
pub fn require_namespace(db: &Db, ns: &str) -> Outcome {
    let names = db.namespaces();
    if names.iter().any(|n| n == ns) {
        return Ok(());
    }
    let known = match names.is_empty() {
        true => "it has none".to_string(),
        false => format!("it has {}", names.join(", ")),
    };
    Err(Fail::new(format!(
        "no namespace {ns:?} in the database at {} ({known})",
        db.path().display()
    )))
}

/// Closes `db`, making everything durable.
pub fn close(db: Db) -> Outcome {
    let dir = db.path().display().to_string();
    db.close()
        .map_err(|e| Fail::db(format!("closing the database at {dir}"), e))
}
