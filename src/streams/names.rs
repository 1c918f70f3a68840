//! Stream names, ARNs, shard ids and consumer names: validation and parsing
//! with Kinesis's rules and messages.

use crate::error::{Error, Result};

/// Longest stream (and consumer) name.
pub(crate) const MAX_NAME_LEN: usize = 128;

/// Checks a stream or consumer name: 1..=128 of `[a-zA-Z0-9_.-]`.
pub(crate) fn validate_name(what: &str, name: &str) -> Result<()> {
    let ok = !name.is_empty()
        && name.len() <= MAX_NAME_LEN
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-'));
    if ok {
        return Ok(());
    }
    Err(Error::InvalidArgument(format!(
        "1 validation error detected: Value '{name}' at '{what}' failed to satisfy constraint: \
         Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+ and have length \
         between 1 and {MAX_NAME_LEN}"
    )))
}

/// The stream name a `stream` parameter names: the parameter itself, or the
/// name inside an ARN `arn:aws:kinesis:<region>:<account-id>:stream/<name>`.
///
/// # Errors
/// [`Error::InvalidArgument`] for a malformed ARN or an invalid name.
pub(crate) fn resolve(stream: &str) -> Result<&str> {
    if !stream.starts_with("arn:") {
        validate_name("streamName", stream)?;
        return Ok(stream);
    }
    let bad = || {
        Error::InvalidArgument(format!(
            "1 validation error detected: Value '{stream}' at 'streamARN' failed to satisfy \
             constraint: Member must satisfy regular expression pattern: \
             arn:aws.*:kinesis:.*:\\d{{12}}:stream/\\S+"
        ))
    };
    let mut parts = stream.splitn(6, ':');
    let (Some("arn"), Some(partition), Some("kinesis"), Some(region), Some(account), Some(rest)) = (
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
    ) else {
        return Err(bad());
    };
    let partition_ok = partition.starts_with("aws");
    let region_ok = !region.is_empty()
        && region
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    let account_ok = account.len() == 12 && account.bytes().all(|b| b.is_ascii_digit());
    let name = rest.strip_prefix("stream/").ok_or_else(bad)?;
    if !(partition_ok && region_ok && account_ok) || validate_name("streamName", name).is_err() {
        return Err(bad());
    }
    Ok(name)
}

/// The ARN of stream `name`.
pub(crate) fn arn(region: &str, account: &str, name: &str) -> String {
    format!("arn:aws:kinesis:{region}:{account}:stream/{name}")
}

/// The id of shard `index`: `shardId-` and 12 zero-padded digits.
pub(crate) fn shard_id(index: u32) -> String {
    // `format!("shardId-{index:012}")`, without the formatter (one id is
    // made per record put).
    let mut out = *b"shardId-000000000000";
    let mut n = index;
    for d in out[8..].iter_mut().rev() {
        *d = b'0' + (n % 10) as u8;
        n /= 10;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The index a shard id names. Lenient as Kinesis: the digits after the last
/// `-` decide (`shardId-000000000005`, `shardId-5`, `shard-5` and `5` all
/// name shard 5). `None` if there are no such digits.
pub(crate) fn parse_shard_id(id: &str) -> Option<u32> {
    let digits = id.rsplit('-').next().unwrap_or(id);
    if digits.is_empty() || digits.len() > 20 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits
        .parse::<u64>()
        .ok()
        .and_then(|n| u32::try_from(n).ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert!(validate_name("streamName", "a").is_ok());
        assert!(validate_name("streamName", "A-b_c.9").is_ok());
        assert!(validate_name("streamName", &"x".repeat(128)).is_ok());
        assert!(validate_name("streamName", &"x".repeat(129)).is_err());
        assert!(validate_name("streamName", "").is_err());
        assert!(validate_name("streamName", "a b").is_err());
        assert!(validate_name("streamName", "a/b").is_err());
    }

    #[test]
    fn arns() {
        assert_eq!(
            resolve("arn:aws:kinesis:us-east-1:123456789012:stream/orders").unwrap(),
            "orders"
        );
        assert_eq!(resolve("orders").unwrap(), "orders");
        for bad in [
            "arn:aws:kinesis:us-east-1:123456789012:orders",
            "arn:aws:kinesis:us-east-1:1234:stream/orders",
            "arn:aws:sqs:us-east-1:123456789012:stream/orders",
            "arn:aws:kinesis::123456789012:stream/orders",
            "arn:aws:kinesis:us-east-1:123456789012:stream/",
            "arn:aws:kinesis:us-east-1:123456789012:stream/a b",
            "arn:",
        ] {
            assert!(
                matches!(resolve(bad), Err(Error::InvalidArgument(_))),
                "{bad}"
            );
        }
    }

    #[test]
    fn shard_ids() {
        assert_eq!(shard_id(0), "shardId-000000000000");
        assert_eq!(shard_id(12), "shardId-000000000012");
        assert_eq!(shard_id(u32::MAX), "shardId-004294967295");
        for id in ["shardId-000000000005", "shardId-5", "shard-5", "5"] {
            assert_eq!(parse_shard_id(id), Some(5), "{id}");
        }
        for id in ["", "shardId-", "shardId-x", "shardId-99999999999"] {
            assert_eq!(parse_shard_id(id), None, "{id}");
        }
    }
}
