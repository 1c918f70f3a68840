//! A simulated disk for power-loss tests (feature `fault-injection`).
//!
//! Real reads and writes still go to the real files; the simulator watches
//! every operation of the [`Io`](super::io::Io) seam and keeps what a power
//! loss would leave behind:
//!
//! - every file (inode) has a *durable image*: the bytes and length known to
//!   be on disk. `msync` of a range copies that range of the current file
//!   into it, `fsync` of the file copies the whole file (and its length);
//! - *live links* (path → inode, or directory) mirror the file system, and
//!   *durable links* are what surely survives: creating, renaming and
//!   removing change live links and are queued as pending operations of
//!   their directory; `fsync` of a directory makes the live links of its
//!   direct children durable (and forgets removed ones).
//!
//! Files and directories under the root when the simulator is made are
//! durable as they are. Cutting the power ([`PowerLossSim::cut_power`], or
//! automatically at the Nth flush/sync boundary) captures a crash image: a
//! seeded-random prefix of each directory's pending operations is applied
//! to the durable links (a journal commits in order: an unsynced rename may
//! or may not have reached the disk), then for every link whose ancestors
//! survive too, the file's durable bytes plus a seeded-random subset of the
//! 4 KiB pages whose current content differs (torn at page granularity; the
//! length is the durable or the current one).
//! From then on every operation of the seam fails with `EIO`, so the dying
//! database cannot persist anything more. Once the test has dropped the
//! database, [`PowerLossSim::materialize`] rewrites the directory tree to
//! exactly the crash image.

use super::io::FileOp;
use parking_lot::Mutex;
use std::collections::BTreeMap;
use std::fs::File;
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Page size of the torn-write model.
const PAGE: usize = 4096;

/// What an operation of the seam did (reported after it succeeded).
#[derive(Clone, Copy, Debug)]
pub(crate) enum Event<'a> {
    Created(&'a Path),
    Flushed(&'a Path, u64, u64),
    Synced(&'a Path),
    DirSynced(&'a Path),
    Renamed(&'a Path, &'a Path),
    Removed(&'a Path),
    DirCreated(&'a Path),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Node {
    Dir,
    File(usize),
}

#[derive(Debug)]
struct Inode {
    /// Kept open so the current bytes stay readable after an unlink.
    file: Option<File>,
    durable: Vec<u8>,
}

impl Inode {
    fn current(&self) -> Vec<u8> {
        let Some(f) = &self.file else {
            return self.durable.clone();
        };
        let len = f.metadata().map(|m| m.len()).unwrap_or(0);
        let mut buf = vec![0u8; usize::try_from(len).unwrap_or(0)];
        match f.read_exact_at(&mut buf, 0) {
            Ok(()) => buf,
            Err(_) => self.durable.clone(),
        }
    }
}

/// Link changes made atomically (`None`: unlinked).
type LinkOp = Vec<(PathBuf, Option<Node>)>;

/// A file or directory of the crash image.
#[derive(Debug)]
enum Image {
    Dir,
    File(Vec<u8>),
}

#[derive(Debug)]
struct State {
    inodes: Vec<Inode>,
    live: BTreeMap<PathBuf, Node>,
    durable: BTreeMap<PathBuf, Node>,
    /// Per directory, its operations since its last fsync, in order: each
    /// is a list of link changes (`None`: unlinked) made atomically.
    pending: BTreeMap<PathBuf, Vec<LinkOp>>,
    boundaries: u64,
    cut_at: Option<u64>,
    rng: u64,
    image: Option<BTreeMap<PathBuf, Image>>,
}

/// A simulated disk that can lose power; see the module documentation.
///
/// Not part of the stable API (feature `fault-injection`). Install it with
/// `Options::power_loss_sim`.
#[derive(Debug)]
pub struct PowerLossSim {
    root: PathBuf,
    state: Mutex<State>,
}

fn eio() -> std::io::Error {
    std::io::Error::from_raw_os_error(libc::EIO)
}

impl PowerLossSim {
    /// A simulator for the tree under `root` (which must exist): everything
    /// in it now is durable. `seed` chooses which unsynced pages survive.
    ///
    /// # Errors
    /// When the tree cannot be read.
    pub fn new(root: impl AsRef<Path>, seed: u64) -> std::io::Result<Arc<PowerLossSim>> {
        let root = root.as_ref().to_path_buf();
        let mut st = State {
            inodes: Vec::new(),
            live: BTreeMap::new(),
            durable: BTreeMap::new(),
            pending: BTreeMap::new(),
            boundaries: 0,
            cut_at: None,
            rng: seed ^ 0x9E37_79B9_7F4A_7C15,
            image: None,
        };
        let mut stack = vec![root.clone()];
        while let Some(dir) = stack.pop() {
            for item in std::fs::read_dir(&dir)? {
                let path = item?.path();
                let node = if path.is_dir() {
                    stack.push(path.clone());
                    Node::Dir
                } else {
                    st.inodes.push(Inode {
                        file: File::open(&path).ok(),
                        durable: std::fs::read(&path)?,
                    });
                    Node::File(st.inodes.len() - 1)
                };
                st.live.insert(path.clone(), node);
                st.durable.insert(path, node);
            }
        }
        Ok(Arc::new(PowerLossSim {
            root,
            state: Mutex::new(st),
        }))
    }

    /// Cuts the power just before the `n`-th flush or sync (1-based) from
    /// now on, which then fails.
    pub fn cut_at_boundary(&self, n: u64) {
        let mut st = self.state.lock();
        st.cut_at = Some(st.boundaries + n);
    }

    /// Flush and sync operations (`msync`, `fsync` of a file or directory)
    /// performed so far: the boundaries where power can be cut.
    pub fn boundaries(&self) -> u64 {
        self.state.lock().boundaries
    }

    /// Chooses the seed of the unsynced pages and directory operations that
    /// the next power cut keeps.
    pub fn reseed(&self, seed: u64) {
        self.state.lock().rng = seed ^ 0x9E37_79B9_7F4A_7C15;
    }

    /// Whether the power has been cut.
    pub fn is_cut(&self) -> bool {
        self.state.lock().image.is_some()
    }

    /// Cuts the power now (nothing happens if it is already cut).
    pub fn cut_power(&self) {
        let mut st = self.state.lock();
        if st.image.is_none() {
            self.cut(&mut st);
        }
    }

    /// Rewrites the tree under the root to exactly the crash image. Call it
    /// after the database using the simulator is dropped.
    ///
    /// # Errors
    /// When the power was not cut, or the files cannot be written.
    pub fn materialize(&self) -> std::io::Result<()> {
        let mut st = self.state.lock();
        let Some(image) = st.image.take() else {
            return Err(std::io::Error::other("materialize: the power was not cut"));
        };
        st.inodes.clear();
        for item in std::fs::read_dir(&self.root)? {
            let path = item?.path();
            if path.is_dir() {
                std::fs::remove_dir_all(&path)?;
            } else {
                std::fs::remove_file(&path)?;
            }
        }
        // Parents sort before their children.
        for (path, node) in &image {
            match node {
                Image::Dir => std::fs::create_dir(path)?,
                Image::File(bytes) => std::fs::write(path, bytes)?,
            }
        }
        st.image = Some(image);
        Ok(())
    }

    fn under_root(&self, path: &Path) -> bool {
        path.starts_with(&self.root) && path != self.root
    }

    /// Before an operation: fails everything once the power is cut, and
    /// cuts it at the chosen boundary.
    pub(crate) fn gate(&self, op: FileOp, path: &Path) -> std::io::Result<()> {
        let mut st = self.state.lock();
        if st.image.is_some() {
            return Err(eio());
        }
        if matches!(op, FileOp::Flush | FileOp::Sync) && path.starts_with(&self.root) {
            st.boundaries += 1;
            if st.cut_at == Some(st.boundaries) {
                self.cut(&mut st);
                return Err(eio());
            }
        }
        Ok(())
    }

    /// After a successful operation: updates the model.
    pub(crate) fn record(&self, ev: Event<'_>) {
        let mut st = self.state.lock();
        if st.image.is_some() {
            return;
        }
        match ev {
            // Truncating an existing file keeps its inode.
            Event::Created(p)
                if self.under_root(p) && !matches!(st.live.get(p), Some(Node::File(_))) =>
            {
                let ino = new_inode(&mut st, p);
                link(&mut st, vec![(p, Some(Node::File(ino)))]);
            }
            Event::Flushed(p, off, len) if self.under_root(p) => {
                let ino = inode_of(&mut st, p);
                let inode = &mut st.inodes[ino];
                let cur = inode.current();
                let from = usize::try_from(off).unwrap_or(usize::MAX).min(cur.len());
                let to = usize::try_from(off.saturating_add(len))
                    .unwrap_or(usize::MAX)
                    .min(cur.len());
                if inode.durable.len() < to {
                    inode.durable.resize(to, 0);
                }
                inode.durable[from..to].copy_from_slice(&cur[from..to]);
            }
            Event::Synced(p) if self.under_root(p) => {
                let ino = inode_of(&mut st, p);
                let inode = &mut st.inodes[ino];
                inode.durable = inode.current();
            }
            Event::DirSynced(d) => {
                let children = |m: &BTreeMap<PathBuf, Node>| -> Vec<PathBuf> {
                    m.keys()
                        .filter(|k| k.parent() == Some(d))
                        .cloned()
                        .collect()
                };
                for k in children(&st.durable) {
                    if !st.live.contains_key(&k) {
                        st.durable.remove(&k);
                    }
                }
                for k in children(&st.live) {
                    let node = st.live[&k];
                    st.durable.insert(k, node);
                }
                st.pending.remove(d);
            }
            Event::Renamed(from, to) if self.under_root(to) => {
                let node = match st.live.get(from) {
                    Some(n) => *n,
                    None => Node::File(new_inode(&mut st, to)),
                };
                link(&mut st, vec![(from, None), (to, Some(node))]);
            }
            Event::Removed(p) => {
                link(&mut st, vec![(p, None)]);
            }
            Event::DirCreated(p) if self.under_root(p) => {
                link(&mut st, vec![(p, Some(Node::Dir))]);
            }
            _ => {}
        }
    }

    /// Captures the crash image and kills the disk.
    fn cut(&self, st: &mut State) {
        let mut image = BTreeMap::new();
        let mut durable = st.durable.clone();
        let pending = std::mem::take(&mut st.pending);
        for ops in pending.values() {
            let kept = (next_u64(st) % (ops.len() as u64 + 1)) as usize;
            for op in &ops[..kept] {
                for (path, node) in op {
                    match node {
                        Some(n) => durable.insert(path.clone(), *n),
                        None => durable.remove(path),
                    };
                }
            }
        }
        for (path, node) in durable.clone() {
            let reachable = path
                .ancestors()
                .skip(1)
                .take_while(|a| *a != self.root)
                .all(|a| durable.get(a) == Some(&Node::Dir));
            if !reachable {
                continue;
            }
            match node {
                Node::Dir => {
                    image.insert(path, Image::Dir);
                }
                Node::File(ino) => {
                    let bytes = torn(st, ino);
                    image.insert(path, Image::File(bytes));
                }
            }
        }
        st.image = Some(image);
    }
}

fn new_inode(st: &mut State, path: &Path) -> usize {
    st.inodes.push(Inode {
        file: File::open(path).ok(),
        durable: Vec::new(),
    });
    st.inodes.len() - 1
}

fn inode_of(st: &mut State, path: &Path) -> usize {
    match st.live.get(path) {
        Some(Node::File(ino)) => *ino,
        _ => {
            let ino = new_inode(st, path);
            st.live.insert(path.to_path_buf(), Node::File(ino));
            ino
        }
    }
}

/// Applies link changes to the live links and queues them as one pending
/// operation of the directory of the first path.
fn link(st: &mut State, changes: Vec<(&Path, Option<Node>)>) {
    let Some(dir) = changes.first().and_then(|(p, _)| p.parent()) else {
        return;
    };
    let dir = dir.to_path_buf();
    let mut op = Vec::with_capacity(changes.len());
    for (path, node) in changes {
        match node {
            Some(n) => st.live.insert(path.to_path_buf(), n),
            None => st.live.remove(path),
        };
        op.push((path.to_path_buf(), node));
    }
    st.pending.entry(dir).or_default().push(op);
}

fn next_u64(st: &mut State) -> u64 {
    // splitmix64
    st.rng = st.rng.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = st.rng;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

fn next_bit(st: &mut State) -> bool {
    next_u64(st) & 1 == 1
}

/// What a power loss leaves of inode `ino`: its durable bytes plus a random
/// subset of the pages that differ from them.
fn torn(st: &mut State, ino: usize) -> Vec<u8> {
    let cur = st.inodes[ino].current();
    let durable = st.inodes[ino].durable.clone();
    let len = if cur.len() == durable.len() || !next_bit(st) {
        durable.len()
    } else {
        cur.len()
    };
    let mut out = vec![0u8; len];
    let page_of = |v: &[u8], from: usize, to: usize| -> Vec<u8> {
        let mut p = vec![0u8; to - from];
        if from < v.len() {
            let end = to.min(v.len());
            p[..end - from].copy_from_slice(&v[from..end]);
        }
        p
    };
    let mut from = 0;
    while from < len {
        let to = (from + PAGE).min(len);
        let d = page_of(&durable, from, to);
        let c = page_of(&cur, from, to);
        let take = if d != c && next_bit(st) { c } else { d };
        out[from..to].copy_from_slice(&take);
        from = to;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::storage::io::Io;

    #[test]
    fn unsynced_directory_entries_and_pages_are_lost() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        let sim = PowerLossSim::new(root, 1).unwrap();
        let io = Io::new(None, Some(Arc::clone(&sim)));
        let a = root.join("a");
        let f = io.create_new(&a).unwrap();
        io.write_at(&f, &a, &[1u8; 8192], 0).unwrap();
        io.sync_file(&f, &a).unwrap();
        io.sync_dir(root).unwrap();
        let b = root.join("b");
        let g = io.create_new(&b).unwrap();
        io.write_at(&g, &b, b"lost", 0).unwrap();
        io.sync_file(&g, &b).unwrap();
        // `a` changes after its sync; `b` was never linked durably.
        io.write_at(&f, &a, &[2u8; 4096], 4096).unwrap();
        sim.cut_power();
        assert!(io.sync_dir(root).is_err());
        sim.materialize().unwrap();
        // `b`'s creation was never fsynced: it may or may not be there, and
        // its bytes were fsynced.
        assert!(!b.exists() || std::fs::read(&b).unwrap() == b"lost");
        let bytes = std::fs::read(&a).unwrap();
        assert_eq!(bytes.len(), 8192);
        assert!(bytes[..4096].iter().all(|&x| x == 1));
        let tail = &bytes[4096..];
        assert!(tail.iter().all(|&x| x == 1) || tail.iter().all(|&x| x == 2));
    }

    #[test]
    fn cuts_at_the_chosen_boundary() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        let sim = PowerLossSim::new(root, 7).unwrap();
        let io = Io::new(None, Some(Arc::clone(&sim)));
        sim.cut_at_boundary(2);
        io.sync_dir(root).unwrap();
        assert_eq!(
            io.sync_dir(root).unwrap_err().raw_os_error(),
            Some(libc::EIO)
        );
        assert!(sim.is_cut());
        assert!(io.create_new(&root.join("x")).is_err());
    }
}
