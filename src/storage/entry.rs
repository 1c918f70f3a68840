//! The entry codec: how one log entry is framed on disk (see `docs/format.md`).
//!
//! This module knows lengths, checksums and header fields; it treats the set
//! name, user key and payload as opaque bytes.

/// Length of the fixed entry header.
pub(crate) const HEADER_LEN: usize = 64;
/// Entries start at multiples of this.
pub(crate) const ALIGN: usize = 8;
/// Marks the start of an entry.
pub(crate) const MAGIC: u32 = 0x4C45_4E54;
/// Longest set name an entry can carry.
pub(crate) const MAX_SET_LEN: usize = 63;

const OFF_CRC: usize = 0;
const OFF_MAGIC: usize = 4;
const OFF_LEN: usize = 8;
const OFF_KIND: usize = 12;
const OFF_SET_LEN: usize = 13;
const OFF_GENERATION: usize = 14;
const OFF_SEQ: usize = 16;
const OFF_LUT: usize = 24;
const OFF_VOID: usize = 32;
const OFF_KEY_LEN: usize = 36;
const OFF_DIGEST: usize = 40;
const OFF_FLAGS: usize = 60;

/// Flag: an older version of this digest may belong to another set (the
/// digest was written under more than one set name, or behind a tombstone
/// of unknown lineage). A truncation of this version must then leave a
/// tombstone behind instead of dropping it, because the older version is not
/// covered by the truncation's set.
pub(crate) const FLAG_MIXED_SETS: u32 = 1;
/// Every flag this format version knows; an entry with another is invalid.
const KNOWN_FLAGS: u32 = FLAG_MIXED_SETS;

/// What an entry records.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum EntryKind {
    /// A version of a record.
    Record = 1,
    /// The deletion of a record.
    Tombstone = 2,
    /// A record of a stream (in a stream's log, never a namespace's).
    Stream = 3,
}

impl EntryKind {
    fn from_byte(b: u8) -> Option<EntryKind> {
        match b {
            1 => Some(EntryKind::Record),
            2 => Some(EntryKind::Tombstone),
            3 => Some(EntryKind::Stream),
            _ => None,
        }
    }
}

/// The fixed fields of an entry.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct EntryMeta {
    pub kind: EntryKind,
    pub generation: u16,
    pub seq: u64,
    pub last_update: u64,
    pub void_time: u32,
    pub digest: [u8; 20],
    /// `FLAG_*` bits.
    pub flags: u32,
}

/// An entry to be written: the fixed fields and the variable parts.
#[derive(Debug)]
pub(crate) struct NewEntry<'a> {
    pub kind: EntryKind,
    pub generation: u16,
    pub last_update: u64,
    pub void_time: u32,
    pub digest: [u8; 20],
    /// `FLAG_*` bits.
    pub flags: u32,
    pub set: &'a [u8],
    pub key: &'a [u8],
    pub payload: &'a [u8],
}

impl NewEntry<'_> {
    /// Entry length without padding.
    pub(crate) fn len(&self) -> usize {
        HEADER_LEN + self.set.len() + self.key.len() + self.payload.len()
    }

    /// Fills `header` with this entry's header for sequence `seq`.
    ///
    /// The CRC covers the header after its CRC field, then set, key and
    /// payload, hashed in that order: for entries of a few hundred bytes one
    /// pass is cheaper than hashing the body apart and combining the two.
    pub(crate) fn encode_header(&self, seq: u64, header: &mut [u8; HEADER_LEN]) {
        // The limits are checked by the caller; lengths that do not fit are a bug.
        let len = u32::try_from(self.len()).unwrap_or(u32::MAX);
        let key_len = u32::try_from(self.key.len()).unwrap_or(u32::MAX);
        let set_len = u8::try_from(self.set.len()).unwrap_or(u8::MAX);
        header[OFF_MAGIC..OFF_MAGIC + 4].copy_from_slice(&MAGIC.to_le_bytes());
        header[OFF_LEN..OFF_LEN + 4].copy_from_slice(&len.to_le_bytes());
        header[OFF_KIND] = self.kind as u8;
        header[OFF_SET_LEN] = set_len;
        header[OFF_GENERATION..OFF_GENERATION + 2].copy_from_slice(&self.generation.to_le_bytes());
        header[OFF_SEQ..OFF_SEQ + 8].copy_from_slice(&seq.to_le_bytes());
        header[OFF_LUT..OFF_LUT + 8].copy_from_slice(&self.last_update.to_le_bytes());
        header[OFF_VOID..OFF_VOID + 4].copy_from_slice(&self.void_time.to_le_bytes());
        header[OFF_KEY_LEN..OFF_KEY_LEN + 4].copy_from_slice(&key_len.to_le_bytes());
        header[OFF_DIGEST..OFF_DIGEST + 20].copy_from_slice(&self.digest);
        header[OFF_FLAGS..OFF_FLAGS + 4].copy_from_slice(&self.flags.to_le_bytes());
        let mut crc = crc32fast::Hasher::new();
        crc.update(&header[OFF_MAGIC..]);
        crc.update(self.set);
        crc.update(self.key);
        crc.update(self.payload);
        header[OFF_CRC..OFF_CRC + 4].copy_from_slice(&crc.finalize().to_le_bytes());
    }
}

/// A valid entry as found in a segment.
#[derive(Clone, Copy, Debug)]
pub(crate) struct EntryRef<'a> {
    pub meta: EntryMeta,
    pub set: &'a [u8],
    pub key: &'a [u8],
    pub payload: &'a [u8],
    /// Entry length without padding.
    pub len: usize,
}

/// Why bytes do not form a valid entry.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Invalid {
    /// Too few bytes remain for a header.
    Short,
    /// The magic does not match.
    Magic,
    /// The length field is impossible.
    Length,
    /// The kind, set length or key length is impossible.
    Field,
    /// The checksum does not match.
    Crc,
    /// The segment file was truncated by another process.
    Truncated,
}

/// Length of an entry including padding.
pub(crate) fn padded(len: usize) -> usize {
    (len + ALIGN - 1) & !(ALIGN - 1)
}

fn u16_at(b: &[u8], off: usize) -> u16 {
    u16::from_le_bytes([b[off], b[off + 1]])
}

fn u32_at(b: &[u8], off: usize) -> u32 {
    u32::from_le_bytes([b[off], b[off + 1], b[off + 2], b[off + 3]])
}

fn u64_at(b: &[u8], off: usize) -> u64 {
    let mut a = [0u8; 8];
    a.copy_from_slice(&b[off..off + 8]);
    u64::from_le_bytes(a)
}

/// Reads the kind of the entry at the start of `bytes`, without checking the
/// rest (for entries already validated).
pub(crate) fn kind_of(bytes: &[u8]) -> Option<EntryKind> {
    bytes.get(OFF_KIND).copied().and_then(EntryKind::from_byte)
}

/// Reads the sequence number of the entry at the start of `bytes`, without
/// checking it (for entries already validated).
pub(crate) fn seq_of(bytes: &[u8]) -> u64 {
    u64_at(bytes, OFF_SEQ)
}

/// Reads the last-update field of the entry at the start of `bytes`, without
/// checking it (for entries already validated).
pub(crate) fn last_update_of(bytes: &[u8]) -> u64 {
    u64_at(bytes, OFF_LUT)
}

/// Reads the flags and the set name of the entry at the start of `bytes`,
/// without checking them (for entries already validated; `None` if the
/// bytes end too early).
pub(crate) fn flags_and_set_of(bytes: &[u8]) -> Option<(u32, &[u8])> {
    let set_len = usize::from(*bytes.get(OFF_SET_LEN)?);
    let set = bytes.get(HEADER_LEN..HEADER_LEN + set_len)?;
    Some((u32_at(bytes.get(..HEADER_LEN)?, OFF_FLAGS), set))
}

/// Reads the length field of the entry at the start of `bytes`, without
/// checking it (for entries already validated).
pub(crate) fn len_of(bytes: &[u8]) -> usize {
    u32_at(bytes, OFF_LEN) as usize
}

/// Parses and verifies the entry at the start of `bytes` (which runs to the
/// end of the segment).
pub(crate) fn decode(bytes: &[u8]) -> Result<EntryRef<'_>, Invalid> {
    if bytes.len() < HEADER_LEN {
        return Err(Invalid::Short);
    }
    if u32_at(bytes, OFF_MAGIC) != MAGIC {
        return Err(Invalid::Magic);
    }
    let len = u32_at(bytes, OFF_LEN) as usize;
    if len < HEADER_LEN || len > bytes.len() {
        return Err(Invalid::Length);
    }
    let kind = EntryKind::from_byte(bytes[OFF_KIND]).ok_or(Invalid::Field)?;
    let set_len = bytes[OFF_SET_LEN] as usize;
    let key_len = u32_at(bytes, OFF_KEY_LEN) as usize;
    if set_len > MAX_SET_LEN
        || HEADER_LEN + set_len + key_len > len
        || u32_at(bytes, OFF_FLAGS) & !KNOWN_FLAGS != 0
    {
        return Err(Invalid::Field);
    }
    let stored = u32_at(bytes, OFF_CRC);
    if crc32fast::hash(&bytes[OFF_MAGIC..len]) != stored {
        return Err(Invalid::Crc);
    }
    let mut digest = [0u8; 20];
    digest.copy_from_slice(&bytes[OFF_DIGEST..OFF_DIGEST + 20]);
    let set_end = HEADER_LEN + set_len;
    let key_end = set_end + key_len;
    Ok(EntryRef {
        meta: EntryMeta {
            kind,
            generation: u16_at(bytes, OFF_GENERATION),
            seq: u64_at(bytes, OFF_SEQ),
            last_update: u64_at(bytes, OFF_LUT),
            void_time: u32_at(bytes, OFF_VOID),
            digest,
            flags: u32_at(bytes, OFF_FLAGS),
        },
        set: &bytes[HEADER_LEN..set_end],
        key: &bytes[set_end..key_end],
        payload: &bytes[key_end..len],
        len,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample<'a>(payload: &'a [u8]) -> NewEntry<'a> {
        NewEntry {
            kind: EntryKind::Record,
            generation: 7,
            last_update: 123_456_789,
            void_time: 42,
            digest: [9; 20],
            flags: 0,
            set: b"demo",
            key: b"\x03key1",
            payload,
        }
    }

    fn encode(e: &NewEntry<'_>, seq: u64) -> Vec<u8> {
        let mut header = [0u8; HEADER_LEN];
        e.encode_header(seq, &mut header);
        let mut out = header.to_vec();
        out.extend_from_slice(e.set);
        out.extend_from_slice(e.key);
        out.extend_from_slice(e.payload);
        out.resize(padded(out.len()), 0);
        out
    }

    #[test]
    fn round_trip() {
        let e = sample(b"hello bins");
        let bytes = encode(&e, 99);
        assert_eq!(bytes.len() % ALIGN, 0);
        let d = decode(&bytes).unwrap();
        assert_eq!(d.meta.seq, 99);
        assert_eq!(d.meta.generation, 7);
        assert_eq!(d.meta.void_time, 42);
        assert_eq!(d.meta.last_update, 123_456_789);
        assert_eq!(d.meta.kind, EntryKind::Record);
        assert_eq!(d.meta.digest, [9; 20]);
        assert_eq!(d.set, b"demo");
        assert_eq!(d.key, b"\x03key1");
        assert_eq!(d.payload, b"hello bins");
        assert_eq!(d.len, e.len());
    }

    #[test]
    fn every_flipped_bit_is_detected() {
        let e = sample(b"payload!");
        let bytes = encode(&e, 5);
        for i in 0..e.len() {
            for bit in 0..8 {
                let mut b = bytes.clone();
                b[i] ^= 1 << bit;
                assert!(
                    decode(&b).is_err(),
                    "flip of byte {i} bit {bit} not detected"
                );
            }
        }
    }

    #[test]
    fn every_truncation_is_detected() {
        let e = sample(b"some payload bytes");
        let bytes = encode(&e, 5);
        for cut in 0..e.len() {
            assert!(decode(&bytes[..cut]).is_err(), "cut at {cut} accepted");
        }
    }

    #[test]
    fn zeroes_are_not_an_entry() {
        assert_eq!(decode(&[0u8; 128]).unwrap_err(), Invalid::Magic);
    }
}
