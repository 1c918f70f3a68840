//! [`Record`]: what reads and `operate` return.

use crate::clock::citrus_secs;
use crate::key::Key;
use crate::value::Value;
use std::collections::HashMap;
use std::time::{Duration, SystemTime};

/// A record as returned by a read or by `operate`.
///
/// Equality compares `key`, `bins`, `generation` and `expiration`; the time the
/// record was read does not take part.
///
/// # Examples
/// ```
/// use aerolite::{Record, Value};
/// use std::collections::HashMap;
/// let mut bins = HashMap::new();
/// bins.insert("a".to_string(), Value::Int(1));
/// let r = Record::new(None, bins, 1, 0);
/// assert_eq!(r.bin("a"), Some(&Value::Int(1)));
/// assert_eq!(r.time_to_live(), None);
/// ```
#[derive(Clone, Debug)]
pub struct Record {
    /// The key, with its user key where the key was stored (`send_key`).
    pub key: Option<Key>,
    /// The bins read.
    pub bins: HashMap<String, Value>,
    /// The generation: 1 after the first write, +1 per write, wrapping after
    /// 65535 to 1.
    pub generation: u32,
    /// The void time: seconds since 2010-01-01T00:00:00Z; 0 = never expires.
    pub expiration: u32,
    /// The database clock's citrus seconds at read time; 0 = unknown.
    read_at: u32,
}

impl PartialEq for Record {
    fn eq(&self, other: &Record) -> bool {
        self.key == other.key
            && self.bins == other.bins
            && self.generation == other.generation
            && self.expiration == other.expiration
    }
}

impl Record {
    /// A record with the given parts; its read time is unknown, so
    /// [`Record::time_to_live`] measures against the system clock.
    pub fn new(
        key: Option<Key>,
        bins: HashMap<String, Value>,
        generation: u32,
        expiration: u32,
    ) -> Record {
        Record {
            key,
            bins,
            generation,
            expiration,
            read_at: 0,
        }
    }

    /// A record the database returns, read (or written) at the database
    /// clock's citrus second `read_at` (0: unknown).
    #[inline]
    pub(crate) fn read(
        key: Key,
        bins: HashMap<String, Value>,
        generation: u32,
        expiration: u32,
        read_at: u32,
    ) -> Record {
        Record {
            key: Some(key),
            bins,
            generation,
            expiration,
            read_at,
        }
    }

    /// The time left before the record expires; `None` if it never expires.
    ///
    /// For records returned by the database this is measured against the
    /// database's [`Clock`](crate::Clock) at the moment of the read (so it is
    /// exact under a [`ManualClock`](crate::ManualClock) and does not shrink
    /// while the `Record` is held). For records built with [`Record::new`] it
    /// is measured against the system clock now. It is at least one second.
    ///
    /// # Examples
    /// ```
    /// use aerolite::Record;
    /// use std::collections::HashMap;
    /// assert_eq!(Record::new(None, HashMap::new(), 1, 0).time_to_live(), None);
    /// // A void time in the past still reports the 1-second minimum.
    /// let r = Record::new(None, HashMap::new(), 1, 1);
    /// assert_eq!(r.time_to_live(), Some(std::time::Duration::from_secs(1)));
    /// ```
    pub fn time_to_live(&self) -> Option<Duration> {
        if self.expiration == 0 {
            return None;
        }
        let base = if self.read_at != 0 {
            self.read_at
        } else {
            citrus_secs(SystemTime::now())
        };
        let left = self.expiration.saturating_sub(base).max(1);
        Some(Duration::from_secs(u64::from(left)))
    }

    /// The value of bin `name`, if the record has it.
    ///
    /// # Examples
    /// ```
    /// use aerolite::{Record, Value};
    /// use std::collections::HashMap;
    /// let bins = HashMap::from([("n".to_string(), Value::from("v"))]);
    /// let r = Record::new(None, bins, 1, 0);
    /// assert_eq!(r.bin("n"), Some(&Value::from("v")));
    /// assert_eq!(r.bin("missing"), None);
    /// ```
    pub fn bin(&self, name: &str) -> Option<&Value> {
        self.bins.get(name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec(expiration: u32) -> Record {
        Record::new(None, HashMap::new(), 1, expiration)
    }

    fn read_at(expiration: u32, now: u32) -> Record {
        let key = Key::new("test", "demo", 1).unwrap();
        Record::read(key, HashMap::new(), 1, expiration, now)
    }

    #[test]
    fn ttl_never() {
        assert_eq!(rec(0).time_to_live(), None);
        assert_eq!(read_at(0, 100).time_to_live(), None);
    }

    #[test]
    fn ttl_against_read_time_is_exact() {
        let r = read_at(1_000, 900);
        assert_eq!(r.time_to_live(), Some(Duration::from_secs(100)));
        let r = read_at(1_000, 1_000);
        assert_eq!(r.time_to_live(), Some(Duration::from_secs(1)));
        let r = read_at(1_000, 5_000);
        assert_eq!(r.time_to_live(), Some(Duration::from_secs(1)));
    }

    #[test]
    fn ttl_against_system_clock() {
        let now = citrus_secs(SystemTime::now());
        let ttl = rec(now + 3_600).time_to_live().unwrap();
        assert!(ttl <= Duration::from_secs(3_600), "{ttl:?}");
        assert!(ttl >= Duration::from_secs(3_590), "{ttl:?}");
        assert_eq!(rec(1).time_to_live(), Some(Duration::from_secs(1)));
    }

    #[test]
    fn bin_and_eq() {
        let key = Key::new("test", "demo", 1).unwrap();
        let bins = HashMap::from([("a".to_owned(), Value::Int(1))]);
        let a = Record::new(Some(key.clone()), bins.clone(), 2, 10);
        assert_eq!(a.bin("a"), Some(&Value::Int(1)));
        assert_eq!(a.bin("b"), None);
        assert_eq!(a.key.as_ref(), Some(&key));
        // The read time takes no part in equality.
        let b = Record::read(key.clone(), bins.clone(), 2, 10, 7);
        assert_eq!(a, b);
        assert_ne!(a, Record::new(Some(key.clone()), bins.clone(), 3, 10));
        assert_ne!(a, Record::new(Some(key), bins, 2, 11));
        assert_ne!(a, Record::new(None, HashMap::new(), 2, 10));
    }
}
