//! Body of the `payload_decode` fuzz target: the bin payload decoder on
//! arbitrary bytes (docs/format.md, "payload"). Whatever decodes must
//! re-encode and decode to the same values; nothing may panic, recurse
//! without bound or allocate by an untrusted length.

/// Runs one input.
pub fn run(data: &[u8]) {
    aerolite::fuzzing::decode_payload(data);
}
