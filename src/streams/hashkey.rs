//! The 128-bit hash key space: MD5 routing, decimal hash keys, and the
//! uniform split of the space into shards.

use crate::error::{Error, Result};
use md5::{Digest as _, Md5};

/// The hash key of a partition key: its UTF-8 bytes' MD5, big-endian.
pub(crate) fn of_partition_key(key: &str) -> u128 {
    let d = Md5::digest(key.as_bytes());
    let mut b = [0u8; 16];
    b.copy_from_slice(&d);
    u128::from_be_bytes(b)
}

/// Parses a decimal hash key (`0|([1-9]\d{0,38})`, at most 2^128 − 1).
///
/// # Errors
/// [`Error::InvalidArgument`] naming `what` and the value.
pub(crate) fn parse(what: &str, s: &str) -> Result<u128> {
    let pattern_ok = s == "0"
        || (!s.is_empty()
            && s.len() <= 39
            && !s.starts_with('0')
            && s.bytes().all(|b| b.is_ascii_digit()));
    if !pattern_ok {
        return Err(Error::InvalidArgument(format!(
            "1 validation error detected: Value '{s}' at '{what}' failed to satisfy constraint: \
             Member must satisfy regular expression pattern: 0|([1-9]\\d{{0,38}})"
        )));
    }
    s.parse::<u128>().map_err(|_| {
        Error::InvalidArgument(format!(
            "Invalid {what}. {what} {s} is outside the hash key range [0, {}].",
            u128::MAX
        ))
    })
}

/// The inclusive range of shard `i` of `n` uniform shards: with
/// h = floor(2^128 / n), shard i covers [i·h, (i+1)·h − 1] and the last one
/// ends at 2^128 − 1.
pub(crate) fn uniform_range(i: u32, n: u32) -> (u128, u128) {
    if n <= 1 {
        return (0, u128::MAX);
    }
    let n = u128::from(n);
    let i = u128::from(i);
    // floor(2^128 / n) without overflow: (2^128 − 1) / n, plus one when n
    // divides 2^128 exactly (n a power of two).
    let h = u128::MAX / n + u128::from(n.is_power_of_two());
    let start = i * h;
    let end = if i + 1 == n {
        u128::MAX
    } else {
        (i + 1) * h - 1
    };
    (start, end)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn three_shard_boundaries() {
        assert_eq!(
            uniform_range(0, 3).1,
            113427455640312821154458202477256070484
        );
        assert_eq!(
            uniform_range(1, 3).0,
            113427455640312821154458202477256070485
        );
        assert_eq!(
            uniform_range(1, 3).1,
            226854911280625642308916404954512140969
        );
        assert_eq!(
            uniform_range(2, 3).0,
            226854911280625642308916404954512140970
        );
        assert_eq!(uniform_range(2, 3).1, u128::MAX);
        assert_eq!(uniform_range(0, 2), (0, (1u128 << 127) - 1));
        assert_eq!(uniform_range(1, 2), (1u128 << 127, u128::MAX));
        assert_eq!(uniform_range(0, 1), (0, u128::MAX));
    }

    #[test]
    fn parsing() {
        assert_eq!(parse("k", "0").unwrap(), 0);
        assert_eq!(parse("k", &u128::MAX.to_string()).unwrap(), u128::MAX);
        for bad in [
            "",
            "01",
            "-1",
            "1a",
            "340282366920938463463374607431768211456",
        ] {
            assert!(
                matches!(parse("k", bad), Err(Error::InvalidArgument(_))),
                "{bad}"
            );
        }
    }

    #[test]
    fn md5_routing_values() {
        // MD5("a") = 0cc175b9c0f1b6a831c399e269772661
        assert_eq!(of_partition_key("a"), 0x0cc175b9c0f1b6a831c399e269772661);
    }
}
