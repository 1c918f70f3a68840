//! Entry points for the fuzz targets in `fuzz/` and for the test that replays
//! their corpora (`tests/fuzz_corpus.rs`). Not part of the stable API.
//!
//! Each function feeds arbitrary bytes to an internal decoder and panics only
//! when an invariant breaks (a decoded entry that does not re-encode to the
//! same bytes, a value that does not round-trip), never on bad input.

use crate::bin::Bins;
use crate::codec;
use crate::storage::entry::{self, NewEntry, HEADER_LEN};
use crate::storage::recovery::{self, RecoveryReport};

/// The entry decoder: any bytes either fail to decode or decode to an entry
/// that re-encodes to exactly the same bytes.
pub fn decode_entry(data: &[u8]) {
    let Ok(e) = entry::decode(data) else { return };
    assert!(e.len >= HEADER_LEN && e.len <= data.len());
    let new = NewEntry {
        kind: e.meta.kind,
        generation: e.meta.generation,
        last_update: e.meta.last_update,
        void_time: e.meta.void_time,
        digest: e.meta.digest,
        flags: e.meta.flags,
        set: e.set,
        key: e.key,
        payload: e.payload,
    };
    assert_eq!(new.len(), e.len);
    let mut header = [0u8; HEADER_LEN];
    new.encode_header(e.meta.seq, &mut header);
    assert_eq!(&header[..], &data[..HEADER_LEN]);
    assert_eq!(
        &data[HEADER_LEN..e.len],
        [e.set, e.key, e.payload].concat().as_slice()
    );
}

/// The bin payload decoder: never panics; what decodes re-encodes and
/// decodes to the same values.
pub fn decode_payload(data: &[u8]) {
    let Ok(bins) = codec::decode_bins(data, &Bins::All) else {
        return;
    };
    for value in bins.values() {
        let mut out = Vec::new();
        if codec::check_depth(value).is_err() {
            continue;
        }
        assert!(codec::encode_value(value, &mut out).is_ok());
        let decoded = codec::decode_value(&out);
        assert!(
            decoded.is_ok(),
            "re-encoded value does not decode: {decoded:?}"
        );
        let Ok((back, n)) = decoded else { return };
        assert_eq!(n, out.len());
        assert_eq!(&back, value);
    }
}

/// Recovery's walk over one segment's bytes: never panics, every entry it
/// reports decodes at its offset, and the data end lies inside the segment.
pub fn walk_segment(data: &[u8]) {
    let mut report = RecoveryReport::default();
    let mut seen = Vec::new();
    let end = recovery::walk(data, &mut report, |off, e| seen.push((off as usize, e.len)));
    assert!(end.data_end <= data.len().max(crate::storage::segment::SEGMENT_HEADER_LEN));
    let mut last_end = 0;
    for (off, len) in seen {
        assert!(off >= last_end, "entries overlap");
        assert!(entry::decode(&data[off..]).is_ok());
        last_end = off + len;
    }
}
