//! The fixture of `tests/faults.rs`: a database prepared (without faults)
//! so that the operation under test walks the path wanted (a write that must
//! start a new segment, a sealed segment worth defragmenting, a close with a
//! hint file to write), reopened with a `FaultInjector`, and the record of
//! every acknowledged write.

use aerolite::{
    as_bin, as_key, operations, Bin, Bins, Db, Durability, Error, FaultInjector, FileOp, Key,
    Options, ReadPolicy, Value, WritePolicy,
};
use std::collections::HashMap;
use std::sync::Arc;

pub const EIO: i32 = 5;
pub const ENOSPC: i32 = 28;
pub const SEG: u64 = 16 * 1024;
/// Records of the base data set: keys 0..BASE of set "s".
pub const BASE: i64 = 24;
/// The record the record operations target.
pub const TARGET: i64 = 3;
const BLOB: usize = 900;

/// The operations whose failure paths are tested.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Put(Durability),
    Delete(Durability),
    Touch(Durability),
    Operate(Durability),
    Truncate,
    Compact,
    Close,
}

/// A record as read: bins and generation.
pub type Rec = (HashMap<String, Value>, u32);
/// What every key must read as (`None`: absent).
pub type State = HashMap<Key, Option<Rec>>;

pub fn key(i: i64) -> Key {
    as_key!("test", "s", i)
}

pub fn options(faults: Option<&Arc<FaultInjector>>) -> Options {
    let o = Options::default()
        .segment_size(SEG)
        // No background thread: every file operation is the call's own.
        .background_maintenance(false);
    match faults {
        Some(f) => o.fault_injector(Arc::clone(f)),
        None => o,
    }
}

pub fn policy(d: Durability) -> WritePolicy {
    WritePolicy {
        durability: Some(d),
        ..WritePolicy::default()
    }
}

pub fn read(db: &Db, k: &Key) -> Option<Rec> {
    match db.get(&ReadPolicy::default(), k, Bins::All) {
        Ok(r) => Some((r.bins, r.generation)),
        Err(Error::KeyNotFound) => None,
        Err(e) => panic!("read of {k:?} failed: {e:?}"),
    }
}

/// Where the active segment's data ends.
fn active_end(db: &Db) -> u64 {
    let s = db.namespace_stats("test").unwrap();
    s.capacity_used_bytes - (s.segments - 1) * SEG
}

/// Writes a record to set "fill" so that exactly 8 bytes of the active
/// segment stay free: the next write of any kind must start a new segment.
pub fn fill_segment(db: &Db, k: i64) {
    let mut free = SEG - active_end(db);
    if free < 88 {
        db.put(
            &WritePolicy::default(),
            &as_key!("test", "fill", k + 1),
            &[as_bin!("p", vec![1u8; 2000])],
        )
        .unwrap();
        free = SEG - active_end(db);
    }
    // Entry: 64 header + 4 set + payload (2 count + 2 name + 5 type/length + n).
    let n = (free - 8 - 80) as usize;
    db.put(
        &WritePolicy::default(),
        &as_key!("test", "fill", k),
        &[as_bin!("p", vec![2u8; n])],
    )
    .unwrap();
    assert_eq!(active_end(db), SEG - 8, "the filler must leave 8 bytes");
}

pub struct Fixture {
    pub dir: tempfile::TempDir,
    pub faults: Arc<FaultInjector>,
    pub db: Option<Db>,
    /// Every acknowledged write: what each key must read as.
    pub acked: State,
}

impl Fixture {
    /// A database prepared for `kind`, reopened with a fault injector.
    pub fn new(kind: Kind) -> Fixture {
        let dir = tempfile::tempdir().unwrap();
        let faults = FaultInjector::new();
        let mut acked = State::new();
        {
            let db = Db::open_with(dir.path(), options(None)).unwrap();
            let n = if kind == Kind::Compact {
                2 * BASE
            } else {
                BASE
            };
            for i in 0..n {
                let bins = [as_bin!("v", i), as_bin!("p", vec![i as u8; BLOB])];
                db.put(&WritePolicy::default(), &key(i), &bins).unwrap();
            }
            if kind == Kind::Compact {
                // The first segment becomes mostly dead.
                for i in 0..14 {
                    assert!(db.delete(&WritePolicy::default(), &key(i)).unwrap());
                }
            } else if kind != Kind::Close {
                fill_segment(&db, 1000);
            }
            db.close().unwrap();
        }
        let db = Db::open_with(dir.path(), options(Some(&faults))).unwrap();
        if kind == Kind::Close {
            prepare_close(&db, &faults);
        }
        let fill = [as_key!("test", "fill", 3000), as_key!("test", "fill", 3001)];
        for k in (0..2 * BASE).map(key).chain(fill) {
            let r = read(&db, &k);
            acked.insert(k, r);
        }
        Fixture {
            dir,
            faults,
            db: Some(db),
            acked,
        }
    }

    pub fn db(&self) -> &Db {
        self.db.as_ref().unwrap()
    }

    /// What every tracked key reads as now.
    pub fn snapshot(&self) -> State {
        self.acked
            .keys()
            .map(|k| (k.clone(), read(self.db(), k)))
            .collect()
    }

    pub fn objects(&self) -> u64 {
        self.db().namespace_stats("test").unwrap().objects
    }

    /// Runs the operation; on success returns the state it acknowledged for
    /// the keys it changed.
    pub fn perform(&mut self, kind: Kind) -> Result<State, Error> {
        let db = self.db.as_ref().unwrap();
        let k = key(TARGET);
        let mut changed = State::new();
        match kind {
            Kind::Put(d) => {
                db.put(&policy(d), &k, &[as_bin!("v", 777)])?;
                changed.insert(k.clone(), read(db, &k));
            }
            Kind::Delete(d) => {
                assert!(db.delete(&policy(d), &k)?);
                changed.insert(k, None);
            }
            Kind::Touch(d) => {
                db.touch(&policy(d), &k)?;
                changed.insert(k.clone(), read(db, &k));
            }
            Kind::Operate(d) => {
                db.operate(&policy(d), &k, &[operations::add(&Bin::new("v", 1))])?;
                changed.insert(k.clone(), read(db, &k));
            }
            Kind::Truncate => {
                assert_eq!(db.truncate("test", Some("s"), None)?, BASE as u64);
                for i in 0..BASE {
                    changed.insert(key(i), None);
                }
            }
            Kind::Compact => {
                assert!(db.compact()?.segments_compacted >= 1);
            }
            Kind::Close => {
                self.db.take().unwrap().close()?;
            }
        }
        Ok(changed)
    }

    /// Whether the database refuses writes with `Poisoned`; if so, checks
    /// that every kind of write does, and `sync` too.
    pub fn poisoned(&self) -> bool {
        let Some(db) = self.db.as_ref() else {
            return false;
        };
        let probe = as_key!("test", "probe", 1);
        let wp = WritePolicy::default();
        match db.put(&wp, &probe, &[as_bin!("x", 1)]) {
            Err(Error::Poisoned { .. }) => {}
            Err(e) => panic!("probe write failed with {e:?}"),
            Ok(()) => {
                assert!(db.delete(&wp, &probe).unwrap());
                return false;
            }
        }
        let k = key(BASE - 1);
        let writes: [(&str, aerolite::Result<()>); 5] = [
            ("put", db.put(&wp, &k, &[as_bin!("v", 1)])),
            ("delete", db.delete(&wp, &k).map(|_| ())),
            ("touch", db.touch(&wp, &k)),
            (
                "operate",
                db.operate(&wp, &k, &[operations::add(&Bin::new("v", 1))])
                    .map(|_| ()),
            ),
            ("sync", db.sync()),
        ];
        for (what, r) in writes {
            assert!(
                matches!(r, Err(Error::Poisoned { .. })),
                "{what} after poison: {r:?}"
            );
        }
        true
    }

    /// Closes (ignoring errors of a poisoned database), reopens without
    /// faults and returns what every tracked key reads as.
    pub fn reopen(&mut self) -> State {
        self.faults.clear();
        if let Some(db) = self.db.take() {
            let _ = db.close();
        }
        let db = Db::open_with(self.dir.path(), options(None)).unwrap();
        self.db = Some(db);
        self.snapshot()
    }
}

/// For `Kind::Close`: a sealed segment without a hint file and unsynced
/// writes, so that close has hint files to write and data to flush (there is
/// no background thread to write the hint first).
fn prepare_close(db: &Db, _faults: &Arc<FaultInjector>) {
    fill_segment(db, 1000);
    db.put(
        &WritePolicy::default(),
        &as_key!("test", "fill", 3000),
        &[as_bin!("p", 1)],
    )
    .unwrap();
}

/// File operations of each kind performed while `f` runs.
pub fn count_ops(faults: &FaultInjector, f: impl FnOnce()) -> Vec<(FileOp, u64)> {
    let before: Vec<u64> = FileOp::ALL.iter().map(|&op| faults.count(op)).collect();
    f();
    FileOp::ALL
        .iter()
        .zip(before)
        .map(|(&op, b)| (op, faults.count(op) - b))
        .filter(|&(_, n)| n > 0)
        .collect()
}
