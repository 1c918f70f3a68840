//! Streams with Kinesis semantics: produce with `put_records` and
//! `put_record`, consume every shard from `TRIM_HORIZON`, checkpoint each
//! shard, close the database, reopen it, produce more, and resume every shard
//! after its checkpoint — seeing exactly the new records.
//!
//! Run with `cargo run --example streams` (no arguments: it works in a fresh
//! temporary directory, removed at the end). See `docs/streams.md`.

use aerolite::{Db, Durability, PutRecord, PutRecordsEntry, ShardIteratorType, StreamRecord};
use std::collections::BTreeMap;

const STREAM: &str = "orders";
const CONSUMER: &str = "billing";
const SHARDS: u32 = 3;

/// What the producer was told: shard id → (sequence number, data), in the
/// order the records were written.
type Produced = BTreeMap<String, Vec<(String, Vec<u8>)>>;

/// Writes `batch` records of round `round`: most in one `put_records` call,
/// the rest one by one with `put_record` (the last one durable at once).
fn produce(db: &Db, round: u32, batch: u32) -> Result<Produced, Box<dyn std::error::Error>> {
    let mut produced = Produced::new();
    let bulk = batch - 3;
    let data: Vec<String> = (0..bulk)
        .map(|i| format!("round {round} order {i}"))
        .collect();
    let entries: Vec<PutRecordsEntry> = data
        .iter()
        .enumerate()
        .map(|(i, d)| PutRecordsEntry::new(d.as_bytes(), &format!("customer-{}", i % 7)))
        .collect();
    let out = db.put_records(STREAM, &entries)?;
    assert_eq!(out.failed_record_count, 0, "no throughput limits are set");
    for (d, result) in data.into_iter().zip(out.records) {
        let (Some(shard), Some(seq)) = (result.shard_id, result.sequence_number) else {
            return Err(format!("entry failed: {:?}", result.error_message).into());
        };
        produced
            .entry(shard)
            .or_default()
            .push((seq, d.into_bytes()));
    }
    println!("  put_records: {bulk} records in one call");
    for i in bulk..batch {
        let data = format!("round {round} order {i}");
        let mut request = PutRecord::new(STREAM, data.clone().into_bytes(), &format!("vip-{i}"));
        if i + 1 == batch {
            // Durable when the call returns, whatever Options::durability says.
            request = request.durability(Durability::Sync);
        }
        let out = db.put_record(request)?;
        println!(
            "  put_record:  {data:?} -> {} seq {}",
            out.shard_id, out.sequence_number
        );
        produced
            .entry(out.shard_id)
            .or_default()
            .push((out.sequence_number, data.into_bytes()));
    }
    Ok(produced)
}

/// Reads shard `shard_id` from `start` until a call returns no records.
fn consume(
    db: &Db,
    shard_id: &str,
    start: ShardIteratorType,
) -> Result<Vec<StreamRecord>, Box<dyn std::error::Error>> {
    let mut iterator = Some(db.get_shard_iterator(STREAM, shard_id, start)?);
    let mut records = Vec::new();
    while let Some(it) = iterator {
        // A small limit, to show paging with `next_shard_iterator`.
        let out = db.get_records(&it, Some(4))?;
        if out.records.is_empty() {
            break;
        }
        records.extend(out.records);
        iterator = out.next_shard_iterator;
    }
    Ok(records)
}

/// Consumes every shard from `start(shard)` and checkpoints the last record
/// read in each; checks that what was read is exactly `expected`.
fn consume_all(
    db: &Db,
    expected: &Produced,
    start: impl Fn(&str) -> Result<ShardIteratorType, Box<dyn std::error::Error>>,
) -> Result<usize, Box<dyn std::error::Error>> {
    let mut total = 0;
    for shard in db.list_shards(STREAM)? {
        let id = shard.shard_id;
        let from = start(&id)?;
        let records = consume(db, &id, from.clone())?;
        let got: Vec<(String, Vec<u8>)> = records
            .iter()
            .map(|r| (r.sequence_number.clone(), r.data.clone()))
            .collect();
        let want = expected.get(&id).cloned().unwrap_or_default();
        assert_eq!(got, want, "{id} from {from:?}");
        assert!(
            got.windows(2).all(|w| w[0].0 < w[1].0),
            "sequence numbers increase within a shard"
        );
        println!("  {id}: read {} records from {from:?}", records.len());
        if let Some(last) = records.last() {
            db.checkpoint(STREAM, CONSUMER, &id, &last.sequence_number)?;
            println!(
                "  {id}: checkpoint of {CONSUMER:?} at {}",
                last.sequence_number
            );
        }
        total += records.len();
    }
    Ok(total)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = tempfile::Builder::new()
        .prefix("aerolite-streams-")
        .tempdir_in(std::env::temp_dir())?;
    let path = dir.path().join("db");

    println!("opening {}", path.display());
    let db = Db::open(&path)?;
    db.create_stream(STREAM, SHARDS)?;
    let description = db.describe_stream(STREAM)?;
    println!(
        "created {} ({}) with {} shards, {} h retention",
        description.stream_name,
        description.stream_arn,
        description.shards.len(),
        description.retention_period_hours
    );

    println!("producing round 1");
    let round1 = produce(&db, 1, 20)?;
    println!("consuming every shard from TRIM_HORIZON");
    let read = consume_all(&db, &round1, |_| Ok(ShardIteratorType::TrimHorizon))?;
    assert_eq!(read, 20);

    println!("closing and reopening");
    db.close()?;
    let db = Db::open(&path)?;

    println!("producing round 2");
    let round2 = produce(&db, 2, 12)?;
    println!("resuming every shard after its checkpoint");
    let read = consume_all(&db, &round2, |id| {
        Ok(match db.get_checkpoint(STREAM, CONSUMER, id)? {
            Some(seq) => ShardIteratorType::AfterSequenceNumber(seq),
            // Nothing consumed from this shard yet: start at its oldest.
            None => ShardIteratorType::TrimHorizon,
        })
    })?;
    assert_eq!(read, 12, "resumed consumers see exactly the new records");

    let stats = db.stream_stats(STREAM)?;
    println!(
        "{} records in {} segment file(s), {} bytes on disk",
        stats.records, stats.segments, stats.disk_bytes
    );
    db.close()?;
    println!("done");
    Ok(())
}
