//! aerolite: one bin holding the 150-byte value, key = ("bench", "", blob).

use super::Engine;
use crate::workload::Data;
use aerolite::{
    operations, BatchOperation, BatchPolicy, BatchWritePolicy, Bin, Bins, Db, Durability, Key,
    ReadPolicy, Value, WritePolicy,
};
use std::ops::Range;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

const NAMESPACE: &str = "bench";
const BIN: &str = "v";

pub struct Aerolite {
    db: Db,
    buffered: WritePolicy,
    sync: WritePolicy,
    read: ReadPolicy,
    /// Nanoseconds the caller spent building batch operations, in
    /// `Db::batch`, and dropping the operations and results.
    split: [AtomicU64; 3],
}

fn key(k: &[u8]) -> Key {
    Key::new(NAMESPACE, "", k).expect("valid aerolite key")
}

fn policy(durability: Durability) -> WritePolicy {
    WritePolicy {
        durability: Some(durability),
        ..WritePolicy::default()
    }
}

impl Aerolite {
    fn put(&self, policy: &WritePolicy, k: &[u8], v: &[u8]) {
        self.db
            .put(policy, &key(k), &[Bin::new(BIN, v)])
            .expect("aerolite put");
    }

    fn sync(&self) {
        self.db.sync().expect("aerolite sync");
    }

    /// One `Db::batch` of puts over `range`; the time of its three parts
    /// (building the operations, the call, dropping) goes to `split`.
    fn batch(&self, durability: Durability, data: &Data, range: Range<usize>) {
        let start = Instant::now();
        let write = BatchWritePolicy::default();
        let ops: Vec<BatchOperation> = range
            .map(|i| {
                let put = operations::put(&Bin::new(BIN, &data.value(i)[..]));
                BatchOperation::write(&write, key(data.key(i)), vec![put])
            })
            .collect();
        let policy = BatchPolicy {
            durability: Some(durability),
        };
        let called = Instant::now();
        let out = self.db.batch(&policy, &ops).expect("aerolite batch");
        let returned = Instant::now();
        assert!(
            out.iter().all(|r| r.result_code.is_none()),
            "a batch entry failed"
        );
        drop((out, ops));
        for (part, t) in
            self.split
                .iter()
                .zip([called - start, returned - called, returned.elapsed()])
        {
            part.fetch_add(t.as_nanos() as u64, Ordering::Relaxed);
        }
    }
}

impl Engine for Aerolite {
    /// Reports how the phase's batches divided their time (nothing for a
    /// phase without batches), and starts counting again.
    fn phase_done(&self, what: &str) {
        let [build, call, drop] = self.split.each_ref().map(|t| t.swap(0, Ordering::Relaxed));
        if call == 0 {
            return;
        }
        eprintln!(
            "  (aerolite {what}: building the batch operations, values included {:.3} s, Db::batch {:.3} s, \
             dropping operations and results {:.3} s)",
            build as f64 / 1e9,
            call as f64 / 1e9,
            drop as f64 / 1e9
        );
    }

    fn open(dir: &Path) -> Self {
        Aerolite {
            db: Db::open(dir).expect("open aerolite"),
            buffered: policy(Durability::Buffered),
            sync: policy(Durability::Sync),
            read: ReadPolicy::default(),
            split: Default::default(),
        }
    }

    fn bulk_load(&mut self, data: &Data, range: Range<usize>) {
        // Through `Db::batch`, 1000 puts per batch, then one sync.
        let mut start = range.start;
        while start < range.end {
            let end = (start + 1000).min(range.end);
            self.batch(Durability::Buffered, data, start..end);
            start = end;
        }
        self.sync();
    }

    fn write_durable(&mut self, k: &[u8], v: &[u8]) {
        self.put(&self.sync, k, v);
    }

    fn write_batch_durable(&mut self, data: &Data, range: Range<usize>) {
        // One `Db::batch` under Sync: one flush for the whole batch.
        self.batch(Durability::Sync, data, range);
    }

    fn read(&self, data: &Data, order: &[u32]) -> usize {
        let mut found = 0;
        for &i in order {
            let k = key(data.key(i as usize));
            if let Ok(record) = self.db.get(&self.read, &k, Bins::All) {
                if matches!(record.bin(BIN), Some(Value::Blob(b)) if b.len() == data.value_len()) {
                    found += 1;
                }
            }
        }
        found
    }

    fn remove(&mut self, data: &Data, order: &[u32]) {
        for &i in order {
            let removed = self
                .db
                .delete(&self.buffered, &key(data.key(i as usize)))
                .expect("aerolite delete");
            assert!(removed, "aerolite: record {i} was missing");
        }
        self.sync();
    }

    fn compact(&mut self) -> bool {
        let stats = self.db.compact().expect("aerolite compact");
        eprintln!(
            "  (aerolite compact: {} segments rewritten, {} entries moved, {} MiB reclaimed)",
            stats.segments_compacted,
            stats.entries_moved,
            stats.bytes_reclaimed >> 20
        );
        true
    }

    fn close(self) {
        self.db.close().expect("aerolite close");
    }
}
