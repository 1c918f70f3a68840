//! Retention: expired records are never returned, whole segment files are
//! reclaimed, and the period's validation and durability.

use crate::common::clock_at;
use crate::util::*;
use aerolite::{Db, ShardIteratorType as K, StreamConfig};
use std::path::Path;
use std::time::{Duration, UNIX_EPOCH};

const HOUR_MS: u64 = 3_600_000;
/// The smallest segment size.
const SEGMENT: u64 = 16 * 1024;

fn seg_files(dir: &Path, stream: &str) -> Vec<String> {
    let sdir = dir.join("streams").join(format!("{stream}.stream"));
    let mut v: Vec<String> = std::fs::read_dir(&sdir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n.ends_with(".seg"))
        .collect();
    v.sort();
    v
}

fn tagged(db: &Db, stream: &str, tag: &str, n: usize) {
    for i in 0..n {
        let mut d = format!("{tag}-{i:04}-").into_bytes();
        d.resize(1000, b'.');
        put(db, stream, &d, "k");
    }
}

fn tags(db: &Db, stream: &str) -> Vec<String> {
    shard_data(db, stream, &sid(0))
        .into_iter()
        .map(|d| {
            String::from_utf8(d[..d.iter().position(|&b| b == b'-').unwrap()].to_vec()).unwrap()
        })
        .collect()
}

#[test]
fn expired_records_are_not_returned_and_their_segments_are_deleted() {
    let dir = tempfile::tempdir().unwrap();
    let clock = clock_at(T0);
    let db = Db::open_with(dir.path(), opts_clock(&clock).segment_size(SEGMENT)).unwrap();
    db.create_stream("r", 1).unwrap();
    tagged(&db, "r", "old", 100);
    clock.advance(Duration::from_millis(12 * HOUR_MS));
    tagged(&db, "r", "mid", 100);
    let files = seg_files(dir.path(), "r");
    let stats = db.stream_stats("r").unwrap();
    assert_eq!(stats.records, 200);
    assert_eq!(stats.segments, files.len() as u64);
    assert!(files.len() >= 10, "{files:?}");
    let old_seq = shard_seqs(&db, "r", &sid(0))[0].clone();

    // Exactly 24 hours old: still retained.
    clock.advance(Duration::from_millis(12 * HOUR_MS));
    assert_eq!(tags(&db, "r").len(), 200);
    assert_eq!(db.enforce_stream_retention().unwrap(), 0);
    assert_eq!(seg_files(dir.path(), "r"), files);

    // A millisecond later the old ones are gone from reads at once.
    clock.advance(Duration::from_millis(1));
    assert_eq!(tags(&db, "r"), vec!["mid".to_string(); 100]);
    let from_old = drain_from(&db, "r", &sid(0), K::AtSequenceNumber(old_seq)).0;
    assert_eq!(from_old.len(), 100);
    let at_t0 = drain_from(
        &db,
        "r",
        &sid(0),
        K::AtTimestamp(UNIX_EPOCH + Duration::from_secs(T0)),
    )
    .0;
    assert_eq!(at_t0.len(), 100);
    // Enforcement deletes the segment files holding only old records.
    let removed = db.enforce_stream_retention().unwrap();
    let left = seg_files(dir.path(), "r");
    assert!(removed >= 5, "{removed}");
    assert_eq!(left.len() as u64, files.len() as u64 - removed);
    assert!(left.iter().all(|f| files.contains(f)));
    assert_eq!(
        &left[..],
        &files[removed as usize..],
        "the oldest files go first"
    );
    let stats = db.stream_stats("r").unwrap();
    assert_eq!(stats.segments, left.len() as u64);
    assert!((100..200).contains(&stats.records), "{}", stats.records);
    assert_eq!(tags(&db, "r"), vec!["mid".to_string(); 100]);

    // 12 hours later the middle batch expires too; only the active
    // segment file stays.
    clock.advance(Duration::from_millis(12 * HOUR_MS));
    assert!(tags(&db, "r").is_empty());
    db.enforce_stream_retention().unwrap();
    assert_eq!(seg_files(dir.path(), "r").len(), 1);
    assert_eq!(db.stream_stats("r").unwrap().segments, 1);
    // New writes are readable; the stream goes on.
    tagged(&db, "r", "new", 3);
    assert_eq!(tags(&db, "r"), vec!["new".to_string(); 3]);
    // And after a reopen nothing old comes back.
    db.close().unwrap();
    let db = Db::open_with(dir.path(), opts_clock(&clock).segment_size(SEGMENT)).unwrap();
    assert_eq!(tags(&db, "r"), vec!["new".to_string(); 3]);
}

#[test]
fn retention_of_a_stream_is_its_own() {
    let dir = tempfile::tempdir().unwrap();
    let clock = clock_at(T0);
    let db = Db::open_with(dir.path(), opts_clock(&clock).segment_size(SEGMENT)).unwrap();
    db.create_stream("short", 1).unwrap();
    db.create_stream_with(StreamConfig::new("long").retention_hours(48))
        .unwrap();
    tagged(&db, "short", "a", 50);
    tagged(&db, "long", "a", 50);
    let long_files = seg_files(dir.path(), "long");
    clock.advance(Duration::from_millis(30 * HOUR_MS));
    assert!(tags(&db, "short").is_empty());
    assert_eq!(tags(&db, "long").len(), 50);
    assert!(db.enforce_stream_retention().unwrap() >= 1);
    assert_eq!(seg_files(dir.path(), "long"), long_files);
    assert_eq!(seg_files(dir.path(), "short").len(), 1);
    clock.advance(Duration::from_millis(18 * HOUR_MS + 1));
    assert!(tags(&db, "long").is_empty());
    db.enforce_stream_retention().unwrap();
    assert_eq!(seg_files(dir.path(), "long").len(), 1);
}

#[test]
fn retention_period_validation() {
    let dir = tempfile::tempdir().unwrap();
    let db = open(dir.path());
    db.create_stream("p", 1).unwrap();
    let m = invalid(db.increase_stream_retention_period("p", 23));
    assert!(
        m.contains("Minimum allowed retention period is 24 hours"),
        "{m}"
    );
    let m = invalid(db.increase_stream_retention_period("p", 8761));
    assert!(
        m.contains("Maximum allowed retention period is 8760 hours"),
        "{m}"
    );
    invalid(db.decrease_stream_retention_period("p", 23));
    invalid(db.decrease_stream_retention_period("p", 8761));
    invalid(db.increase_stream_retention_period("p", 0));
    // Equal is accepted in both directions.
    db.increase_stream_retention_period("p", 24).unwrap();
    db.decrease_stream_retention_period("p", 24).unwrap();
    db.increase_stream_retention_period("p", 8760).unwrap();
    assert_eq!(
        db.describe_stream("p").unwrap().retention_period_hours,
        8760
    );
    db.increase_stream_retention_period("p", 8760).unwrap();
    db.decrease_stream_retention_period("p", 100).unwrap();
    // The wrong direction, with Kinesis's wording.
    let m = invalid(db.increase_stream_retention_period("p", 99));
    assert_eq!(
        m,
        "Requested retention period (99 hours) for stream p can not be shorter than existing \
         retention period (100 hours). Use DecreaseRetentionPeriod API."
    );
    let m = invalid(db.decrease_stream_retention_period("p", 101));
    assert_eq!(
        m,
        "Requested retention period (101 hours) for stream p can not be longer than existing \
         retention period (100 hours). Use IncreaseRetentionPeriod API."
    );
    assert_eq!(db.describe_stream("p").unwrap().retention_period_hours, 100);
    // At creation.
    invalid(db.create_stream_with(StreamConfig::new("c").retention_hours(23)));
    invalid(db.create_stream_with(StreamConfig::new("c").retention_hours(8761)));
    db.create_stream_with(StreamConfig::new("c").retention_hours(8760))
        .unwrap();
}

#[test]
fn longer_retention_keeps_records_and_survives_reopen() {
    let dir = tempfile::tempdir().unwrap();
    let clock = clock_at(T0);
    {
        let db = Db::open_with(dir.path(), opts_clock(&clock).segment_size(SEGMENT)).unwrap();
        db.create_stream("k", 1).unwrap();
        tagged(&db, "k", "a", 40);
        db.increase_stream_retention_period("k", 72).unwrap();
        db.close().unwrap();
    }
    clock.advance(Duration::from_millis(48 * HOUR_MS));
    let db = Db::open_with(dir.path(), opts_clock(&clock).segment_size(SEGMENT)).unwrap();
    assert_eq!(db.describe_stream("k").unwrap().retention_period_hours, 72);
    assert_eq!(tags(&db, "k").len(), 40);
    assert_eq!(db.enforce_stream_retention().unwrap(), 0);
    // Decreasing hides the records older than the new period at once.
    db.decrease_stream_retention_period("k", 47).unwrap();
    assert!(tags(&db, "k").is_empty());
    db.close().unwrap();
    let db = Db::open_with(dir.path(), opts_clock(&clock).segment_size(SEGMENT)).unwrap();
    assert_eq!(db.describe_stream("k").unwrap().retention_period_hours, 47);
    assert!(tags(&db, "k").is_empty());
    assert!(db.enforce_stream_retention().unwrap() >= 1);
}

#[test]
fn the_maintenance_thread_deletes_expired_segments() {
    let dir = tempfile::tempdir().unwrap();
    let clock = clock_at(T0);
    let options = aerolite::Options::default()
        .clock(crate::common::dyn_clock(&clock))
        .segment_size(SEGMENT)
        .sweep_interval(Duration::from_millis(10));
    let db = Db::open_with(dir.path(), options).unwrap();
    db.create_stream("bg", 1).unwrap();
    tagged(&db, "bg", "old", 60);
    assert!(seg_files(dir.path(), "bg").len() >= 4);
    clock.advance(Duration::from_millis(24 * HOUR_MS + 1));
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    while seg_files(dir.path(), "bg").len() > 1 {
        assert!(
            std::time::Instant::now() < deadline,
            "{:?}",
            seg_files(dir.path(), "bg")
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(tags(&db, "bg").is_empty());
}

/// Regression: increasing the retention period made records that had
/// already expired (but whose segment files were not deleted yet) readable
/// again, also after a reopen. Kinesis: increasing the period "does not make previous, expired data
/// (older than the stream's previous retention period) accessible".
#[test]
fn increasing_retention_does_not_resurrect_expired_records() {
    let dir = tempfile::tempdir().unwrap();
    let clock = clock_at(T0);
    let db = Db::open_with(dir.path(), opts_clock(&clock).segment_size(SEGMENT)).unwrap();
    db.create_stream("z", 1).unwrap();
    tagged(&db, "z", "old", 30);
    clock.advance(Duration::from_millis(25 * HOUR_MS));
    tagged(&db, "z", "new", 2);
    assert_eq!(tags(&db, "z"), ["new", "new"]);
    // Not enforced yet: the files of the old records are still there.
    db.increase_stream_retention_period("z", 48).unwrap();
    assert_eq!(tags(&db, "z"), ["new", "new"]);
    db.close().unwrap();
    let db = Db::open_with(dir.path(), opts_clock(&clock).segment_size(SEGMENT)).unwrap();
    assert_eq!(tags(&db, "z"), ["new", "new"]);
    // Decreasing and increasing again does not bring them back either.
    db.create_stream_with(StreamConfig::new("y").retention_hours(48))
        .unwrap();
    tagged(&db, "y", "old", 5);
    clock.advance(Duration::from_millis(30 * HOUR_MS));
    tagged(&db, "y", "new", 1);
    db.decrease_stream_retention_period("y", 24).unwrap();
    assert_eq!(tags(&db, "y"), ["new"]);
    db.increase_stream_retention_period("y", 100).unwrap();
    assert_eq!(tags(&db, "y"), ["new"]);
}

/// Expired records stay expired when the clock is set back: in the running
/// database (the cutoff never goes down) and after a clean close and a
/// reopen (the cutoff is persisted as the trim-before time).
#[test]
fn expired_records_stay_expired_when_the_clock_is_set_back() {
    let dir = tempfile::tempdir().unwrap();
    let (db, clock) = open_clocked(dir.path());
    db.create_stream("s", 1).unwrap();
    for i in 0..10u8 {
        put(&db, "s", &[i], "k");
    }
    let read = |db: &aerolite::Db| {
        let it = db
            .get_shard_iterator("s", &sid(0), aerolite::ShardIteratorType::TrimHorizon)
            .unwrap();
        db.get_records(&it, None).unwrap().records.len()
    };
    assert_eq!(read(&db), 10);
    clock.advance(std::time::Duration::from_secs(25 * 3600));
    assert_eq!(read(&db), 0);
    clock.set(aerolite::Clock::now(&*clock) - std::time::Duration::from_secs(2 * 3600));
    assert_eq!(read(&db), 0, "records came back in the running database");
    db.close().unwrap();
    let db = aerolite::Db::open_with(dir.path(), opts_clock(&clock)).unwrap();
    assert_eq!(read(&db), 0, "records came back after a reopen");
    // New records are still returned.
    put(&db, "s", b"new", "k");
    assert_eq!(read(&db), 1);
}
