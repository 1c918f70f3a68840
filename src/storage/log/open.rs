//! Opening a log: mapping its segments and recovering their entries.

use super::*;

/// The one sequence number never written: an entry claiming it (forged, or
/// damage that kept its CRC valid) is skipped at open, since no write could
/// follow it.
pub(crate) const MAX_SEQ: u64 = u64::MAX;

/// Reports an entry whose sequence number is [`MAX_SEQ`] as damaged.
fn impossible_seq(report: &mut RecoveryReport, seg: &Segment, off: u32, len: u64) {
    report.corrupt_regions += 1;
    report.corrupt_bytes += entry::padded(len as usize) as u64;
    log::warn!(
        "skipping the entry at offset {off} of {}: its sequence number {MAX_SEQ} is impossible",
        seg.path().display()
    );
}

impl Log {
    /// Opens (creating if needed) the log in `dir`, calling `visit` for every
    /// valid entry in segment and offset order.
    ///
    /// Sealed segments with a valid hint file are read from the hint unless
    /// `verify` asks for every segment to be walked and checked.
    pub(crate) fn open(
        io: &Io,
        dir: &Path,
        segment_size: u64,
        now_nanos: u64,
        verify: bool,
        visit: impl FnMut(Location, &EntryInfo<'_>),
    ) -> Result<(Log, RecoveryReport)> {
        Log::open_with_state(io, dir, segment_size, now_nanos, verify, None, visit)
            .map(|(log, report, _)| (log, report))
    }

    /// [`Log::open`], offered the state an index snapshot recorded at the
    /// last clean close. If the directory holds exactly that state (see
    /// [`state::matches`]) and `verify` is off, no segment is read and
    /// `visit` is never called: data ends, live bytes and the next sequence
    /// come from the state. Otherwise the log opens as [`Log::open`] does.
    pub(crate) fn open_with_state(
        io: &Io,
        dir: &Path,
        segment_size: u64,
        now_nanos: u64,
        verify: bool,
        offered: Option<&LogState>,
        mut visit: impl FnMut(Location, &EntryInfo<'_>),
    ) -> Result<(Log, RecoveryReport, StateCheck)> {
        io.create_dir_all(dir)?;
        let mut ids = Vec::new();
        for item in std::fs::read_dir(dir)? {
            let item = item?;
            if let Some(id) = item.file_name().to_str().and_then(segment::parse_file_name) {
                ids.push(id);
            }
        }
        ids.sort_unstable();
        let mut report = RecoveryReport::default();
        let mut segs = Vec::with_capacity(ids.len());
        let mut good_header = Vec::with_capacity(ids.len());
        let mut next_seq = 1u64;
        for &id in &ids {
            let (mut seg, header) = Segment::open(io, &dir.join(segment::file_name(id)), id)?;
            seg.set_end(seg.len());
            if header.is_none() && recovery::all_zero(seg.published()) {
                // Created but never written (a crash before its header was
                // written): it holds nothing, so it goes.
                log::info!("removing unwritten segment {}", seg.path().display());
                let path = seg.path().to_path_buf();
                drop(seg);
                io.remove(&path)?;
                continue;
            }
            report.segments += 1;
            // A base sequence of u64::MAX (forged, or damage that kept the
            // CRC valid) would leave no sequence for the next write.
            let header = header.filter(|h| h.base_seq < MAX_SEQ);
            match header {
                Some(h) => next_seq = next_seq.max(h.base_seq),
                None => {
                    report.bad_headers += 1;
                    log::warn!(
                        "segment {} has a damaged header; reading its entries anyway",
                        seg.path().display()
                    );
                }
            }
            good_header.push(header.is_some());
            segs.push(seg);
        }
        let check = match offered {
            None => StateCheck::NotOffered,
            Some(_) if verify => StateCheck::NotOffered,
            Some(st) => match state::matches(&segs, st) {
                Ok(()) => StateCheck::Used,
                Err(why) => StateCheck::Rejected(why),
            },
        };
        let mut ends = Vec::with_capacity(segs.len());
        if let (StateCheck::Used, Some(st)) = (&check, offered) {
            for (seg, s) in segs.iter().zip(&st.segments) {
                seg.add_live(s.live);
                if hint::path(dir, seg.id()).exists() {
                    seg.set_hinted();
                }
                ends.push(recovery::WalkEnd {
                    data_end: s.data_end as usize,
                    tail_bytes: 0,
                });
            }
            next_seq = next_seq.max(st.next_seq);
        } else {
            let last_id = segs.last().map(|s| s.id());
            for seg in &segs {
                let id = seg.id();
                let hint = match verify || Some(id) == last_id {
                    true => None,
                    false => hint::load(dir, seg),
                };
                if let Some(hint) = hint {
                    report.hinted_segments += 1;
                    for (off, e) in hint.entries() {
                        if e.meta.seq == MAX_SEQ {
                            impossible_seq(&mut report, seg, off, e.len as u64);
                            continue;
                        }
                        report.entries += 1;
                        next_seq = next_seq.max(e.meta.seq + 1);
                        visit(Location { seg: id, off }, &e);
                    }
                    seg.set_hinted();
                    ends.push(recovery::WalkEnd {
                        data_end: hint.data_end as usize,
                        tail_bytes: 0,
                    });
                    continue;
                }
                let mut impossible = Vec::new();
                let end = recovery::walk(seg.published(), &mut report, |off, e| {
                    if e.meta.seq == MAX_SEQ {
                        impossible.push((off, e.len as u64));
                        return;
                    }
                    next_seq = next_seq.max(e.meta.seq + 1);
                    let info = EntryInfo {
                        meta: e.meta,
                        len: e.len,
                        set: e.set,
                    };
                    visit(Location { seg: id, off }, &info);
                });
                for (off, len) in impossible {
                    report.entries -= 1;
                    impossible_seq(&mut report, seg, off, len);
                }
                ends.push(end);
            }
        }
        let last = segs.len().checked_sub(1);
        for (i, (seg, end)) in segs.iter_mut().zip(&ends).enumerate() {
            if end.tail_bytes > 0 {
                if Some(i) == last {
                    report.torn_tail_bytes += end.tail_bytes as u64;
                    log::warn!(
                        "cutting off a torn tail of {} bytes at offset {} of {}",
                        end.tail_bytes,
                        end.data_end,
                        seg.path().display()
                    );
                    seg.zero_tail(end.data_end)?;
                } else {
                    report.corrupt_regions += 1;
                    report.corrupt_bytes += end.tail_bytes as u64;
                    log::warn!(
                        "{} damaged bytes at the end of sealed segment {}",
                        end.tail_bytes,
                        seg.path().display()
                    );
                }
            }
            seg.set_end(end.data_end);
            // Writes of an earlier process may still be only in the page cache.
            seg.sync_file()?;
        }
        let next_id = ids.last().map_or(1, |&id| id.saturating_add(1));
        let reuse_last = match last {
            Some(i) => good_header[i] && segs[i].len() as u64 >= segment::MIN_SEGMENT_SIZE,
            None => false,
        };
        let reused = match (reuse_last, segs.last_mut()) {
            (true, Some(s)) => s.append_right(),
            _ => None,
        };
        let segs: Vec<Arc<Segment>> = segs.into_iter().map(Arc::new).collect();
        let (active, right, next_id) = match (reused, segs.last()) {
            (Some(right), Some(s)) => (Arc::clone(s), right, next_id),
            _ => {
                let mut s = Segment::create(io, dir, next_id, segment_size, next_seq, now_nanos)?;
                let right = s.append_right().ok_or_else(|| Error::Corruption {
                    message: "internal error: a new segment's append right was taken".into(),
                })?;
                io.sync_dir(dir)?;
                (Arc::new(s), right, next_id.saturating_add(1))
            }
        };
        let mut map: BTreeMap<u32, Arc<Segment>> = segs.into_iter().map(|s| (s.id(), s)).collect();
        map.insert(active.id(), Arc::clone(&active));
        let durable = (active.id(), active.end());
        Ok((
            Log {
                io: io.clone(),
                dir: dir.to_path_buf(),
                segment_size,
                segments: table::SegmentTable::new(map),
                appender: Mutex::new(Appender {
                    active,
                    right,
                    next_seq,
                    next_id,
                }),
                sync_state: Mutex::new(SyncState {
                    durable,
                    flushing: false,
                }),
                synced: Condvar::new(),
                poisoned: AtomicBool::new(false),
                poison_message: Mutex::new(String::new()),
                hints: Mutex::new(()),
            },
            report,
            check,
        ))
    }
}
