//! Retention: records older than the retention period are never returned
//! (reads filter by arrival time), and their space is reclaimed by deleting
//! whole sealed segment files once every record in them has expired.

use super::stream::Stream;
use super::types::MAX_RETENTION_HOURS;
use crate::error::{Error, Result};

/// Shortest retention period in hours.
pub(crate) const MIN_RETENTION_HOURS: u32 = 24;

/// Checks `hours` against Kinesis's bounds.
pub(crate) fn check_hours(hours: u32) -> Result<()> {
    if hours < MIN_RETENTION_HOURS {
        return Err(Error::InvalidArgument(format!(
            "Minimum allowed retention period is {MIN_RETENTION_HOURS} hours. Requested \
             retention period ({hours} hours) is too short."
        )));
    }
    if hours > MAX_RETENTION_HOURS {
        return Err(Error::InvalidArgument(format!(
            "Maximum allowed retention period is {MAX_RETENTION_HOURS} hours. Requested \
             retention period ({hours} hours) is too long."
        )));
    }
    Ok(())
}

impl Stream {
    /// Sets the retention period to `hours`; `increase` says which call
    /// this is, and the other direction is refused as Kinesis does.
    pub(crate) fn set_retention(&self, hours: u32, increase: bool) -> Result<()> {
        check_hours(hours)?;
        let _w = self.write.lock();
        let mut meta = self.state.read().meta.clone();
        let current = meta.retention_hours;
        if increase && hours < current {
            return Err(Error::InvalidArgument(format!(
                "Requested retention period ({hours} hours) for stream {} can not be shorter \
                 than existing retention period ({current} hours). Use DecreaseRetentionPeriod \
                 API.",
                meta.name
            )));
        }
        if !increase && hours > current {
            return Err(Error::InvalidArgument(format!(
                "Requested retention period ({hours} hours) for stream {} can not be longer \
                 than existing retention period ({current} hours). Use IncreaseRetentionPeriod \
                 API.",
                meta.name
            )));
        }
        if hours == current {
            return Ok(());
        }
        // What has expired under the current period stays expired (a longer
        // period does not bring it back): the cutoff so far becomes durable.
        meta.trim_before_ms = meta
            .trim_before_ms
            .max(self.retention_cutoff(self.now_ms()));
        meta.retention_hours = hours;
        self.commit_meta(meta)
    }

    /// Deletes the sealed segment files whose every record is older than
    /// the retention period, and forgets their records. Returns how many
    /// files went.
    pub(crate) fn enforce_retention(&self) -> Result<u64> {
        let cutoff = self.retention_cutoff(self.now_ms());
        let sealed: Vec<u32> = self.log.sealed_segments().iter().map(|s| s.id()).collect();
        let mut removed = 0;
        for id in sealed {
            let expired = {
                let arrivals = self.segment_arrivals.lock();
                // A segment without records (none indexed) is expired too.
                arrivals.get(&id).is_none_or(|&newest| newest < cutoff)
            };
            if !expired {
                // Arrival times grow with segment ids: later ones are newer.
                break;
            }
            if removed == 0 {
                // The cutoff that expires these records is durable before
                // any of them goes, so the records left in later segments
                // stay expired after a restart even with the clock set back.
                self.persist_cutoff()?;
            }
            {
                let st = self.state.read();
                for shard in st.shards.values() {
                    shard.drop_through_segment(id);
                }
            }
            self.log.remove_segment(id)?;
            self.segment_arrivals.lock().remove(&id);
            removed += 1;
        }
        Ok(removed)
    }
}
