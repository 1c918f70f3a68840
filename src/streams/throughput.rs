//! Per-shard throughput limits (off unless a stream enforces them): writes
//! in records and bytes per second, reads in calls and bytes per second,
//! counted in one-second windows of the database clock.

/// Counters of the current one-second window.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Throttle {
    write_window: u64,
    write_records: u64,
    write_bytes: u64,
    read_window: u64,
    read_calls: u64,
    read_bytes: u64,
}

impl Throttle {
    /// Admits one write of `bytes` at `now_ms` within `records_per_sec` and
    /// `bytes_per_sec`, counting it; `false` if over.
    /// A record larger than the byte rate is admitted into an empty window,
    /// or it could never be written.
    pub(crate) fn admit_write(
        &mut self,
        now_ms: u64,
        bytes: u64,
        records_per_sec: u32,
        bytes_per_sec: u32,
    ) -> bool {
        let window = now_ms / 1000;
        if window != self.write_window {
            self.write_window = window;
            self.write_records = 0;
            self.write_bytes = 0;
        }
        let over_records = self.write_records + 1 > u64::from(records_per_sec);
        let over_bytes =
            self.write_bytes + bytes > u64::from(bytes_per_sec) && self.write_bytes > 0;
        if over_records || over_bytes {
            return false;
        }
        self.write_records += 1;
        self.write_bytes += bytes;
        true
    }

    /// Admits one `get_records` call at `now_ms`: `false` when the window has
    /// had `calls_per_sec` calls or returned `bytes_per_sec` bytes already.
    pub(crate) fn admit_read(
        &mut self,
        now_ms: u64,
        calls_per_sec: u32,
        bytes_per_sec: u32,
    ) -> bool {
        let window = now_ms / 1000;
        if window != self.read_window {
            self.read_window = window;
            self.read_calls = 0;
            self.read_bytes = 0;
        }
        if self.read_calls >= u64::from(calls_per_sec)
            || self.read_bytes >= u64::from(bytes_per_sec)
        {
            return false;
        }
        self.read_calls += 1;
        true
    }

    /// Counts `bytes` returned by an admitted read.
    pub(crate) fn count_read(&mut self, bytes: u64) {
        self.read_bytes += bytes;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows() {
        let mut t = Throttle::default();
        for _ in 0..3 {
            assert!(t.admit_write(1000, 10, 3, 100));
        }
        assert!(!t.admit_write(1999, 10, 3, 100));
        assert!(t.admit_write(2000, 10, 3, 100));
        assert!(!t.admit_write(2000, 95, 3, 100));
        let mut t = Throttle::default();
        assert!(t.admit_write(0, 500, 3, 100)); // too big, but the window was empty
        for _ in 0..5 {
            assert!(t.admit_read(0, 5, 1000));
        }
        assert!(!t.admit_read(999, 5, 1000));
        assert!(t.admit_read(1000, 5, 1000));
        t.count_read(1000);
        assert!(!t.admit_read(1001, 5, 1000));
    }
}
