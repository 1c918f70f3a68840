//! Group commit: one flush shared by every writer waiting at the time.

use super::*;

impl Log {
    /// Returns once the entry at `loc` (and everything before it) is durable,
    /// sharing one flush among all writers waiting at the same time.
    pub(crate) fn wait_durable(&self, loc: Location) -> Result<()> {
        let target = (loc.seg, loc.off as usize + 1);
        let mut st = self.sync_state.lock();
        loop {
            self.check_poison()?;
            if st.durable >= target {
                return Ok(());
            }
            if st.flushing {
                self.synced.wait(&mut st);
                continue;
            }
            st.flushing = true;
            let from = st.durable;
            let result = parking_lot::MutexGuard::unlocked(&mut st, || {
                let to = {
                    let a = self.appender.lock();
                    (a.active.id(), a.active.end())
                };
                self.flush_between(from, to).map(|()| to)
            });
            st.flushing = false;
            match result {
                Ok(to) => st.durable = st.durable.max(to),
                Err(e) => self.poison(&e),
            }
            self.synced.notify_all();
        }
    }

    /// Makes everything appended so far durable.
    pub(crate) fn sync(&self) -> Result<()> {
        let (seg, end) = {
            let a = self.appender.lock();
            (a.active.id(), a.active.end())
        };
        if end <= SEGMENT_HEADER_LEN {
            self.check_poison()?;
            return Ok(());
        }
        self.wait_durable(Location {
            seg,
            off: (end - 1) as u32,
        })
    }

    fn flush_between(&self, from: (u32, usize), to: (u32, usize)) -> Result<()> {
        let segs: Vec<Arc<Segment>> = self
            .segments
            .read()
            .range(from.0..=to.0)
            .map(|(_, s)| Arc::clone(s))
            .collect();
        for s in segs {
            let start = if s.id() == from.0 {
                from.1
            } else {
                SEGMENT_HEADER_LEN
            };
            let end = if s.id() == to.0 { to.1 } else { s.end() };
            s.flush(start, end)?;
        }
        Ok(())
    }
}
