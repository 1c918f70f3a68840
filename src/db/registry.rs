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
        Registry::with_slots(MAX_NAMESPACES)
    }

    fn with_slots(n: usize) -> Registry {
        Registry {
            slots: (0..n).map(|_| OnceLock::new()).collect(),
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
                "namespace {name:?} would be one more than the {} this database can hold: \
                 store more sets in fewer namespaces",
                self.slots.len()
            )));
        };
        let ns = open()?;
        Ok(slot.get_or_init(|| ns))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::options::Options;

    fn open(dir: &std::path::Path, name: &str) -> Result<Arc<Namespace>> {
        let options = Options::default().segment_size(16 * 1024);
        let config = options.namespace_config(name);
        Namespace::open(&dir.join(name), config, &options).map(Arc::new)
    }

    #[test]
    fn adds_in_order_finds_by_name_and_refuses_beyond_its_slots() {
        let dir = tempfile::tempdir().unwrap();
        let r = Registry::with_slots(2);
        assert!(r.get("a").is_none());
        let a = r.get_or_add("a", || open(dir.path(), "a")).unwrap();
        assert_eq!(a.name(), "a");
        // Present: `open` is not called again.
        r.get_or_add("a", || panic!("opened twice")).unwrap();
        // A failed open takes no slot.
        let failed = r.get_or_add("b", || Err(Error::ParameterError("no".into())));
        assert!(matches!(failed, Err(Error::ParameterError(_))));
        assert!(r.get("b").is_none());
        r.get_or_add("b", || open(dir.path(), "b")).unwrap();
        let names: Vec<&str> = r.iter().map(|ns| ns.name()).collect();
        assert_eq!(names, ["a", "b"]);
        assert_eq!(r.get("b").unwrap().name(), "b");
        // Full: refused before anything is opened.
        match r.get_or_add("c", || panic!("opened past the limit")) {
            Err(Error::ParameterError(m)) => assert!(m.contains("the 2 this database"), "{m}"),
            other => panic!("{other:?}"),
        }
        assert_eq!(Registry::new().slots.len(), MAX_NAMESPACES);
    }
}
