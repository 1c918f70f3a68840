//! LMDB through heed 0.22: default flags (a synchronous commit per write
//! transaction), one unnamed database of raw bytes.

use super::Engine;
use crate::workload::Data;
use heed::types::Bytes;
use heed::{Database, Env, EnvOpenOptions};
use std::ops::Range;
use std::path::Path;

/// Address space reserved for the map (a sparse file: disk use is what is
/// written, not this).
const MAP_SIZE: usize = 16 << 30;

pub struct Lmdb {
    env: Env,
    db: Database<Bytes, Bytes>,
}

impl Lmdb {
    fn write_all(&self, data: &Data, range: Range<usize>) {
        let mut txn = self.env.write_txn().expect("lmdb write txn");
        for i in range {
            self.db
                .put(&mut txn, data.key(i), &data.value(i))
                .expect("lmdb put");
        }
        txn.commit().expect("lmdb commit");
    }
}

impl Engine for Lmdb {
    fn open(dir: &Path) -> Self {
        std::fs::create_dir_all(dir).expect("create lmdb directory");
        // SAFETY: the directory is this process's own; nothing else maps it.
        let env = unsafe { EnvOpenOptions::new().map_size(MAP_SIZE).open(dir) }
            .expect("open lmdb environment");
        let mut txn = env.write_txn().expect("lmdb write txn");
        let db = env
            .create_database(&mut txn, None)
            .expect("lmdb create database");
        txn.commit().expect("lmdb commit");
        Lmdb { env, db }
    }

    fn bulk_load(&mut self, data: &Data, range: Range<usize>) {
        self.write_all(data, range);
    }

    fn write_durable(&mut self, key: &[u8], value: &[u8]) {
        let mut txn = self.env.write_txn().expect("lmdb write txn");
        self.db.put(&mut txn, key, value).expect("lmdb put");
        txn.commit().expect("lmdb commit");
    }

    fn write_batch_durable(&mut self, data: &Data, range: Range<usize>) {
        self.write_all(data, range);
    }

    fn read(&self, data: &Data, order: &[u32]) -> usize {
        let txn = self.env.read_txn().expect("lmdb read txn");
        let mut found = 0;
        for &i in order {
            let value = self.db.get(&txn, data.key(i as usize)).expect("lmdb get");
            if value.is_some_and(|v| v.len() == data.value_len()) {
                found += 1;
            }
        }
        found
    }

    fn remove(&mut self, data: &Data, order: &[u32]) {
        let mut txn = self.env.write_txn().expect("lmdb write txn");
        for &i in order {
            let removed = self
                .db
                .delete(&mut txn, data.key(i as usize))
                .expect("lmdb delete");
            assert!(removed, "lmdb: record {i} was missing");
        }
        txn.commit().expect("lmdb commit");
    }

    fn compact(&mut self) -> bool {
        // LMDB reuses freed pages in place; its only compaction is a copy to
        // another file (`mdb_env_copy2` with MDB_CP_COMPACT).
        false
    }

    fn close(self) {
        self.env.prepare_for_closing().wait();
    }
}
