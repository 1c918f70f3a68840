//! Time sources and Aerospike's "citrus" epoch.
//!
//! Record expiry is stored as a *void time*: whole seconds since
//! 2010-01-01T00:00:00Z. All time in aerolite comes from a [`Clock`], so tests
//! (and users' own tests) can move time exactly with [`ManualClock`].

use parking_lot::Mutex;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Seconds from the Unix epoch to 2010-01-01T00:00:00Z, Aerospike's epoch.
pub const CITRUS_EPOCH_UNIX_SECS: u64 = 1_262_304_000;

/// A source of wall-clock time for TTLs, last-update times and retention.
pub trait Clock: Send + Sync + 'static {
    /// The current time.
    fn now(&self) -> SystemTime;
}

/// The operating system's clock ([`SystemTime::now`]); the default.
#[derive(Clone, Copy, Debug, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> SystemTime {
        SystemTime::now()
    }
}

/// A clock that moves only when told to; share it as `Arc<ManualClock>`.
///
/// # Examples
/// ```
/// use aerolite::{Clock, ManualClock};
/// use std::time::{Duration, UNIX_EPOCH};
/// let start = UNIX_EPOCH + Duration::from_secs(1_700_000_000);
/// let clock = ManualClock::new(start);
/// clock.advance(Duration::from_secs(10));
/// assert_eq!(clock.now(), start + Duration::from_secs(10));
/// ```
#[derive(Debug)]
pub struct ManualClock {
    now: Mutex<SystemTime>,
}

impl ManualClock {
    /// A clock standing at `start`.
    pub fn new(start: SystemTime) -> ManualClock {
        ManualClock {
            now: Mutex::new(start),
        }
    }

    /// Moves the clock forward by `by`.
    pub fn advance(&self, by: Duration) {
        let mut now = self.now.lock();
        *now += by;
    }

    /// Sets the clock to `to` (which may be earlier than now).
    pub fn set(&self, to: SystemTime) {
        *self.now.lock() = to;
    }
}

impl Clock for ManualClock {
    fn now(&self) -> SystemTime {
        *self.now.lock()
    }
}

/// Whole seconds since the citrus epoch (0 for times before it, saturating at `u32::MAX`).
pub(crate) fn citrus_secs(t: SystemTime) -> u32 {
    let unix = t
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    u32::try_from(unix.saturating_sub(CITRUS_EPOCH_UNIX_SECS)).unwrap_or(u32::MAX)
}

/// Nanoseconds since the Unix epoch (0 before it, saturating at `u64::MAX`).
pub(crate) fn unix_nanos(t: SystemTime) -> u64 {
    t.duration_since(UNIX_EPOCH)
        .map(|d| u64::try_from(d.as_nanos()).unwrap_or(u64::MAX))
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn citrus_epoch_round_trips() {
        let t = UNIX_EPOCH + Duration::from_secs(CITRUS_EPOCH_UNIX_SECS + 428_179_113);
        assert_eq!(citrus_secs(t), 428_179_113);
        assert_eq!(citrus_secs(UNIX_EPOCH), 0);
    }

    #[test]
    fn manual_clock_moves_only_when_told() {
        let start = UNIX_EPOCH + Duration::from_secs(2_000_000_000);
        let c = ManualClock::new(start);
        assert_eq!(c.now(), start);
        c.advance(Duration::from_secs(5));
        assert_eq!(c.now(), start + Duration::from_secs(5));
        c.set(start);
        assert_eq!(c.now(), start);
    }
}
