//! Body of the `recover_dir` fuzz target: `Db::open` (with
//! `verify_on_open(true)`) of a namespace directory holding one or two
//! arbitrary segment files.
//!
//! Input layout (split with `arbitrary::Unstructured`):
//!
//! ```text
//! u8 flags     bit 0: two segment files instead of one
//!              bit 1 / bit 2: put a valid 64-byte segment header (docs/format.md)
//!                     in front of file 1 / file 2, so the fuzzer starts behind it
//!              bit 3: pad each file with zeros to the segment size (16 KiB)
//! u16 LE split (only with bit 0) the bytes of file 1 are rest[..split % (rest.len() + 1)]
//! rest         the files' bytes
//! ```
//!
//! What must hold:
//! - `Db::open_with` succeeds: damage is reported and skipped, never fatal
//!   (docs/format.md, "Recovery and damaged bytes"), and nothing panics;
//! - every record the scan returns reads back with `get` (twice) exactly as
//!   the scan returned it, and `exists` says it is there;
//! - a new record can be written and read back, and writing it changes no
//!   record found before;
//! - after a clean close and a reopen (this time reading the index snapshot
//!   written at close), every record is still there, unchanged;
//! - and so after another close, the snapshot deleted, and a reopen that
//!   rebuilds the index from the hint files written at close.

use aerolite::{as_bin, Bins, Clock, Db, ManualClock, Options, ReadPolicy, Record, WritePolicy};
use arbitrary::Unstructured;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, UNIX_EPOCH};

/// Segment size of the database opened (the smallest allowed).
pub const SEGMENT_SIZE: usize = 16 * 1024;
/// Bytes of a segment header.
pub const SEGMENT_HEADER_LEN: usize = 64;
/// Flag: two segment files.
pub const TWO_FILES: u8 = 1;
/// Flag: valid header in front of file 1.
pub const HEADER_1: u8 = 2;
/// Flag: valid header in front of file 2.
pub const HEADER_2: u8 = 4;
/// Flag: pad the files to `SEGMENT_SIZE`.
pub const PAD: u8 = 8;
/// The fixed database time (2030-01-01), so nothing expires during a run.
const NOW_UNIX: u64 = 1_893_456_000;

/// CRC-32/ISO-HDLC, as `crc32fast` computes it (bitwise; inputs are small).
pub fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &b in bytes {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

/// A valid segment header (docs/format.md, "Segment header").
pub fn segment_header(id: u32, file_len: u64, base_seq: u64) -> [u8; SEGMENT_HEADER_LEN] {
    let mut h = [0u8; SEGMENT_HEADER_LEN];
    h[0..8].copy_from_slice(b"ALITESEG");
    h[8..12].copy_from_slice(&1u32.to_le_bytes());
    h[12..16].copy_from_slice(&(SEGMENT_HEADER_LEN as u32).to_le_bytes());
    h[16..20].copy_from_slice(&id.to_le_bytes());
    h[24..32].copy_from_slice(&file_len.to_le_bytes());
    h[32..40].copy_from_slice(&base_seq.to_le_bytes());
    let crc = crc32(&h[..60]);
    h[60..64].copy_from_slice(&crc.to_le_bytes());
    h
}

/// The bytes of segment file `id` made of `body`.
fn segment_file(id: u32, header: bool, pad: bool, body: &[u8]) -> Vec<u8> {
    let mut f = Vec::with_capacity(SEGMENT_SIZE.max(body.len() + SEGMENT_HEADER_LEN));
    if header {
        f.resize(SEGMENT_HEADER_LEN, 0);
    }
    f.extend_from_slice(body);
    if pad && f.len() < SEGMENT_SIZE {
        f.resize(SEGMENT_SIZE, 0);
    }
    if header {
        let h = segment_header(id, f.len() as u64, 1);
        f[..SEGMENT_HEADER_LEN].copy_from_slice(&h);
    }
    f
}

/// The segment files an input describes.
pub fn files(data: &[u8]) -> Vec<Vec<u8>> {
    let mut u = Unstructured::new(data);
    let flags: u8 = u.arbitrary().unwrap_or(0);
    let pad = flags & PAD != 0;
    if flags & TWO_FILES == 0 {
        let rest = u.take_rest();
        return vec![segment_file(1, flags & HEADER_1 != 0, pad, rest)];
    }
    let split = u16::from_le_bytes(u.arbitrary().unwrap_or([0, 0])) as usize;
    let rest = u.take_rest();
    let (a, b) = rest.split_at(split % (rest.len() + 1));
    vec![
        segment_file(1, flags & HEADER_1 != 0, pad, a),
        segment_file(2, flags & HEADER_2 != 0, pad, b),
    ]
}

/// The input that [`files`] turns into these file bodies (for seed files).
#[allow(dead_code)]
pub fn encode(flags: u8, first: &[u8], second: Option<&[u8]>) -> Vec<u8> {
    let mut out = Vec::new();
    match second {
        None => {
            out.push(flags & !TWO_FILES);
            out.extend_from_slice(first);
        }
        Some(second) => {
            out.push(flags | TWO_FILES);
            let split = u16::try_from(first.len()).expect("segment body below 64 KiB");
            out.extend_from_slice(&split.to_le_bytes());
            out.extend_from_slice(first);
            out.extend_from_slice(second);
        }
    }
    out
}

fn open(root: &Path, verify: bool) -> aerolite::Result<Db> {
    let clock: Arc<dyn Clock> =
        Arc::new(ManualClock::new(UNIX_EPOCH + Duration::from_secs(NOW_UNIX)));
    Db::open_with(
        root,
        Options::default()
            .segment_size(SEGMENT_SIZE as u64)
            .verify_on_open(verify)
            .clock(clock)
            .sweep_interval(Duration::from_secs(24 * 3600)),
    )
}

/// Reads every record of `expected` with `get` and checks it is unchanged.
fn check_all(db: &Db, expected: &[Record], when: &str) {
    let rp = ReadPolicy::default();
    for r in expected {
        let key = r
            .key
            .as_ref()
            .expect("scan returns the key of every record");
        let first = db.get(&rp, key, Bins::All);
        let second = db.get(&rp, key, Bins::All);
        match (&first, &second) {
            (Ok(a), Ok(b)) => {
                assert_eq!(a, b, "{when}: two reads of {key:?} differ");
                assert_eq!(a, r, "{when}: get of {key:?} differs from the scan");
            }
            _ => panic!("{when}: record {key:?} from the scan reads as {first:?} / {second:?}"),
        }
        assert!(
            db.exists(&rp, key).expect("exists"),
            "{when}: {key:?} does not exist"
        );
    }
}

/// Runs one input.
pub fn run(data: &[u8]) {
    let files = files(data);
    let dir = tempfile::tempdir().expect("temporary directory");
    let ns_dir = dir.path().join("namespaces").join("test");
    std::fs::create_dir_all(&ns_dir).expect("namespace directory");
    for (i, bytes) in files.iter().enumerate() {
        std::fs::write(ns_dir.join(format!("{:08}.seg", i + 1)), bytes).expect("segment file");
    }

    let db = match open(dir.path(), true) {
        Ok(db) => db,
        Err(e) => panic!("open failed on damaged segments: {e:?}"),
    };
    let mut found = Vec::new();
    let mut damaged = 0usize;
    for item in db.scan("test", None, Bins::All).expect("scan") {
        match item {
            Ok(r) => found.push(r),
            // A CRC-valid entry whose payload does not decode.
            Err(aerolite::Error::Corruption { .. }) => damaged += 1,
            Err(e) => panic!("scan failed: {e:?}"),
        }
    }
    check_all(&db, &found, "after open");

    // Appending behind the recovered data must not disturb it.
    let new_key = aerolite::Key::new("test", "fuzz-new", "fresh").expect("key");
    let wp = WritePolicy {
        send_key: true,
        ..WritePolicy::default()
    };
    let fresh = found
        .iter()
        .all(|r| r.key.as_ref().map(|k| k.digest()) != Some(new_key.digest()));
    if fresh {
        db.put(&wp, &new_key, &[as_bin!("v", "new")])
            .expect("put after recovery");
        let rec = db
            .get(&ReadPolicy::default(), &new_key, Bins::All)
            .expect("get of the new record");
        assert_eq!(rec.generation, 1);
        found.push(rec);
    }
    check_all(&db, &found, "after a put");
    db.close().expect("clean close");

    // From the snapshot the close wrote, then without it (the hints serve),
    // with the same records.
    reopen_and_check(dir.path(), &found, damaged, "reopen");
    std::fs::remove_file(ns_dir.join("index.snap")).expect("the close wrote a snapshot");
    reopen_and_check(dir.path(), &found, damaged, "reopen without the snapshot");
}

/// Opens `dir` and checks it holds exactly the records `found`.
fn reopen_and_check(dir: &Path, found: &[Record], damaged: usize, when: &str) {
    let db = open(dir, false).unwrap_or_else(|e| panic!("{when}: {e:?}"));
    check_all(&db, found, when);
    let live = db
        .scan("test", None, Bins::None)
        .expect("scan")
        .filter(|r| r.is_ok())
        .count();
    assert_eq!(
        live,
        found.len(),
        "{when}: records appeared or vanished ({damaged} damaged)"
    );
    db.close().expect("clean close after the check");
}
