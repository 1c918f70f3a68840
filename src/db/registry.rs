//! The namespaces of an open database, found by name without taking a lock.
//!
//! Every record operation starts by finding its namespace. With a
//! `RwLock<HashMap>` and an `Arc` clone per lookup, two threads reading in
//! parallel spend their time passing the lock's and the reference count's
//! cache lines back and forth. Namespaces are only ever added while a
//! database is open (never removed), so they live in write-once slots
//! filled in order: a lookup reads the filled slots and compares names,
//! writing nothing shared.

use crate::error::{Error, Result};
use crate::namespace::Namespace;
use parking_lot::Mutex;
use std::sync::{Arc, OnceLock};

/// Namespaces one database can hold. Aerospike allows 32 per cluster; the
/// margin is for users who map tenants onto namespaces.
pub(crate) const MAX_NAMESPACES: usize = 1024;

/// The namespaces of a database, shared with the maintenance thread.
pub(crate) struct Registry {
    /// Filled in order, under `adding`; the filled ones form a prefix.
    slots: Box<[OnceLock<Arc<Namespace>>]>,
    adding: Mutex<()>,
}

impl std::fmt::Debug for Registry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list()
            .entries(self.iter().map(|ns| ns.name()))
            .finish()
    }
}

impl Registry {
    pub(crate) fn new() -> Registry {
        Registry {
            slots: (0..MAX_NAMESPACES).map(|_| OnceLock::new()).collect(),
            adding: Mutex::new(()),
        }
    }

    /// The namespaces, in the order they were added.
    pub(crate) fn iter(&self) -> impl Iterator<Item = &Arc<Namespace>> {
        self.slots.iter().map_while(OnceLock::get)
    }

    /// The namespace called `name`.
    #[inline]
    pub(crate) fn get(&self, name: &str) -> Option<&Arc<Namespace>> {
        self.iter().find(|ns| ns.name() == name)
    }

    /// The namespace called `name`, added with `open` if there is none yet.
    /// At most one `open` runs at a time.
    ///
    /// # Errors
    /// `open`'s errors; [`Error::ParameterError`] when the database already
    /// holds [`MAX_NAMESPACES`].
    pub(crate) fn get_or_add(
        &self,
        name: &str,
        open: impl FnOnce() -> Result<Arc<Namespace>>,
    ) -> Result<&Arc<Namespace>> {
        if let Some(ns) = self.get(name) {
            return Ok(ns);
        }
        let _one_at_a_time = self.adding.lock();
        if let Some(ns) = self.get(name) {
            return Ok(ns);
        }
        let Some(slot) = self.slots.iter().find(|s| s.get().is_none()) else {
            return Err(Error::ParameterError(format!(
                "namespace {name:?} would be this database's {}th; at most {MAX_NAMESPACES} \
                 are supported: store more sets in fewer namespaces",
                MAX_NAMESPACES + 1
            )));
        };
        let ns = open()?;
        Ok(slot.get_or_init(|| ns))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slots_fill_in_order_and_have_room() {
        let r = Registry::new();
        assert!(r.get("test").is_none());
        assert_eq!(r.iter().count(), 0);
        assert_eq!(r.slots.len(), MAX_NAMESPACES);
    }
}
