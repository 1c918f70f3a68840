//! fjall 3: default settings, one keyspace; durable writes are made so with
//! `PersistMode::SyncAll` (fsync of the journal).

use super::Engine;
use crate::workload::Data;
use fjall::{Database, Keyspace, KeyspaceCreateOptions, PersistMode};
use std::ops::Range;
use std::path::Path;

pub struct Fjall {
    db: Database,
    ks: Keyspace,
}

impl Fjall {
    fn persist(&self) {
        self.db
            .persist(PersistMode::SyncAll)
            .expect("fjall persist");
    }
}

impl Engine for Fjall {
    fn open(dir: &Path) -> Self {
        let db = Database::builder(dir).open().expect("open fjall");
        let ks = db
            .keyspace("bench", KeyspaceCreateOptions::default)
            .expect("fjall keyspace");
        Fjall { db, ks }
    }

    fn bulk_load(&mut self, data: &Data, range: Range<usize>) {
        for i in range {
            self.ks
                .insert(data.key(i), &data.value(i)[..])
                .expect("fjall insert");
        }
        self.persist();
    }

    fn write_durable(&mut self, key: &[u8], value: &[u8]) {
        self.ks.insert(key, value).expect("fjall insert");
        self.persist();
    }

    fn write_batch_durable(&mut self, data: &Data, range: Range<usize>) {
        let mut batch = self.db.batch().durability(Some(PersistMode::SyncAll));
        for i in range {
            batch.insert(&self.ks, data.key(i), &data.value(i)[..]);
        }
        batch.commit().expect("fjall batch commit");
    }

    fn read(&self, data: &Data, order: &[u32]) -> usize {
        let mut found = 0;
        for &i in order {
            let value = self.ks.get(data.key(i as usize)).expect("fjall get");
            if value.is_some_and(|v| v.len() == data.value_len()) {
                found += 1;
            }
        }
        found
    }

    fn remove(&mut self, data: &Data, order: &[u32]) {
        for &i in order {
            self.ks.remove(data.key(i as usize)).expect("fjall remove");
        }
        self.persist();
    }

    fn compact(&mut self) -> bool {
        self.ks.major_compact().expect("fjall major compaction");
        true
    }

    fn close(self) {
        let Fjall { db, ks } = self;
        drop(ks);
        drop(db);
    }
}
