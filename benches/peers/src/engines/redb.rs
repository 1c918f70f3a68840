//! redb 4: default settings (durability `Immediate`: each commit is on disk
//! when it returns), one table of raw bytes.

use super::Engine;
use crate::workload::Data;
use redb::{Database, ReadableDatabase, TableDefinition};
use std::ops::Range;
use std::path::Path;

const TABLE: TableDefinition<&[u8], &[u8]> = TableDefinition::new("bench");

pub struct Redb {
    db: Database,
}

impl Redb {
    fn write_all(&self, data: &Data, range: Range<usize>) {
        let txn = self.db.begin_write().expect("redb write txn");
        {
            let mut table = txn.open_table(TABLE).expect("redb open table");
            for i in range {
                table
                    .insert(data.key(i), &data.value(i)[..])
                    .expect("redb insert");
            }
        }
        txn.commit().expect("redb commit");
    }
}

impl Engine for Redb {
    fn open(dir: &Path) -> Self {
        std::fs::create_dir_all(dir).expect("create redb directory");
        let db = Database::create(dir.join("bench.redb")).expect("open redb");
        Redb { db }
    }

    fn bulk_load(&mut self, data: &Data, range: Range<usize>) {
        self.write_all(data, range);
    }

    fn write_durable(&mut self, key: &[u8], value: &[u8]) {
        let txn = self.db.begin_write().expect("redb write txn");
        {
            let mut table = txn.open_table(TABLE).expect("redb open table");
            table.insert(key, value).expect("redb insert");
        }
        txn.commit().expect("redb commit");
    }

    fn write_batch_durable(&mut self, data: &Data, range: Range<usize>) {
        self.write_all(data, range);
    }

    fn read(&self, data: &Data, order: &[u32]) -> usize {
        let txn = self.db.begin_read().expect("redb read txn");
        let table = txn.open_table(TABLE).expect("redb open table");
        let mut found = 0;
        for &i in order {
            let value = table.get(data.key(i as usize)).expect("redb get");
            if value.is_some_and(|v| v.value().len() == data.value_len()) {
                found += 1;
            }
        }
        found
    }

    fn remove(&mut self, data: &Data, order: &[u32]) {
        let txn = self.db.begin_write().expect("redb write txn");
        {
            let mut table = txn.open_table(TABLE).expect("redb open table");
            for &i in order {
                let removed = table.remove(data.key(i as usize)).expect("redb remove");
                assert!(removed.is_some(), "redb: record {i} was missing");
            }
        }
        txn.commit().expect("redb commit");
    }

    fn compact(&mut self) -> bool {
        self.db.compact().expect("redb compact");
        true
    }

    fn close(self) {
        drop(self.db);
    }
}
