//! sled 0.34: default settings; durable writes are made so with `flush`.

use super::Engine;
use crate::workload::Data;
use std::ops::Range;
use std::path::Path;

pub struct Sled {
    db: sled::Db,
}

impl Sled {
    fn flush(&self) {
        self.db.flush().expect("sled flush");
    }
}

impl Engine for Sled {
    fn open(dir: &Path) -> Self {
        Sled {
            db: sled::open(dir).expect("open sled"),
        }
    }

    fn bulk_load(&mut self, data: &Data, range: Range<usize>) {
        for i in range {
            self.db
                .insert(data.key(i), &data.value(i)[..])
                .expect("sled insert");
        }
        self.flush();
    }

    fn write_durable(&mut self, key: &[u8], value: &[u8]) {
        self.db.insert(key, value).expect("sled insert");
        self.flush();
    }

    fn write_batch_durable(&mut self, data: &Data, range: Range<usize>) {
        let mut batch = sled::Batch::default();
        for i in range {
            batch.insert(data.key(i), &data.value(i)[..]);
        }
        self.db.apply_batch(batch).expect("sled apply batch");
        self.flush();
    }

    fn read(&self, data: &Data, order: &[u32]) -> usize {
        let mut found = 0;
        for &i in order {
            let value = self.db.get(data.key(i as usize)).expect("sled get");
            if value.is_some_and(|v| v.len() == data.value_len()) {
                found += 1;
            }
        }
        found
    }

    fn remove(&mut self, data: &Data, order: &[u32]) {
        for &i in order {
            let removed = self.db.remove(data.key(i as usize)).expect("sled remove");
            assert!(removed.is_some(), "sled: record {i} was missing");
        }
        self.flush();
    }

    fn compact(&mut self) -> bool {
        // sled 0.34 has no compaction call (its segment cleaner runs on its own).
        false
    }

    fn close(self) {
        self.flush();
        drop(self.db);
    }
}
