//! Set names ↔ the 16-bit set ids kept in the index.

use crate::error::{Error, Result};
use parking_lot::RwLock;
use std::collections::HashMap;

/// Most sets a namespace can hold (Aerospike's limit).
pub(crate) const MAX_SETS: usize = 4095;

#[derive(Debug, Default)]
struct Inner {
    /// `names[i]` is the set with id `i + 1`; id 0 is the empty set name.
    names: Vec<String>,
    ids: HashMap<String, u16>,
}

/// The sets of a namespace. Ids live only in memory: entries on disk carry
/// the set name, and ids are assigned again at every open.
#[derive(Debug, Default)]
pub(crate) struct Sets {
    inner: RwLock<Inner>,
}

impl Sets {
    /// The id of set `name`, assigning one if it is new.
    ///
    /// # Errors
    /// `ParameterError` when the namespace already has 4095 sets.
    pub(crate) fn id_of(&self, name: &str) -> Result<u16> {
        if name.is_empty() {
            return Ok(0);
        }
        if let Some(&id) = self.inner.read().ids.get(name) {
            return Ok(id);
        }
        let mut inner = self.inner.write();
        if let Some(&id) = inner.ids.get(name) {
            return Ok(id);
        }
        if inner.names.len() >= MAX_SETS {
            return Err(Error::ParameterError(format!(
                "namespace already has {MAX_SETS} sets, the most it can hold; set {name:?} cannot be added"
            )));
        }
        inner.names.push(name.to_string());
        let id = inner.names.len() as u16;
        inner.ids.insert(name.to_string(), id);
        Ok(id)
    }

    /// Every set name, in id order (the name of id `i + 1` at `i`).
    pub(crate) fn names(&self) -> Vec<String> {
        self.inner.read().names.clone()
    }

    /// The sets `names` (as [`Sets::names`] lists them) with the same ids.
    /// `None` for a list no namespace could hold (too long, an empty or
    /// repeated name).
    pub(crate) fn from_names(names: Vec<String>) -> Option<Sets> {
        if names.len() > MAX_SETS {
            return None;
        }
        let mut ids = HashMap::with_capacity(names.len());
        for (i, name) in names.iter().enumerate() {
            if name.is_empty() || ids.insert(name.clone(), i as u16 + 1).is_some() {
                return None;
            }
        }
        Some(Sets {
            inner: RwLock::new(Inner { names, ids }),
        })
    }

    /// The id of `name` if the set is known.
    pub(crate) fn find(&self, name: &str) -> Option<u16> {
        if name.is_empty() {
            return Some(0);
        }
        self.inner.read().ids.get(name).copied()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_stable_and_bounded() {
        let s = Sets::default();
        assert_eq!(s.id_of("").unwrap(), 0);
        assert_eq!(s.id_of("a").unwrap(), 1);
        assert_eq!(s.id_of("b").unwrap(), 2);
        assert_eq!(s.id_of("a").unwrap(), 1);
        assert_eq!(s.find("b"), Some(2));
        assert_eq!(s.find("c"), None);
        for i in 3..=MAX_SETS {
            s.id_of(&format!("set{i}")).unwrap();
        }
        assert!(matches!(
            s.id_of("one-too-many"),
            Err(Error::ParameterError(_))
        ));
        let back = Sets::from_names(s.names()).unwrap();
        assert_eq!(back.find("b"), Some(2));
        assert_eq!(back.find("set9"), Some(9));
        assert!(Sets::from_names(vec!["a".into(), "a".into()]).is_none());
        assert!(Sets::from_names(vec![String::new()]).is_none());
    }
}
