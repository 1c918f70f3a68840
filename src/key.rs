//! [`Key`] and [`Digest`]: how records are addressed, identical to Aerospike.
//!
//! A record is addressed by `(namespace, set, user key)`; the storage engine
//! only ever sees the RIPEMD-160 [`Digest`] of `(set, user key)`.

use crate::error::Error;
use crate::ripemd160::ripemd160;
use crate::shortname::ShortName;
use crate::value::Value;
use std::fmt;

/// Particle type of an integer user key.
const PARTICLE_INTEGER: u8 = 1;
/// Particle type of a string user key.
const PARTICLE_STRING: u8 = 3;
/// Particle type of a blob user key.
const PARTICLE_BLOB: u8 = 4;

/// Longest namespace name, in bytes.
const MAX_NAMESPACE_LEN: usize = 31;
/// Longest set name, in bytes.
const MAX_SET_LEN: usize = 63;

/// The 20-byte RIPEMD-160 digest that identifies a record within a namespace.
///
/// It is identical to the digest Aerospike computes for the same set and user
/// key. `Debug` and `Display` print it as 40 lowercase hex digits.
///
/// # Examples
/// ```
/// use aerolite::{Digest, Value};
/// let d = Digest::compute("demo", &Value::from("key1")).unwrap();
/// assert_eq!(d.to_hex(), "ec91192d4b7f8ce35d5d78d34bca65cbaaaac960");
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Digest(pub [u8; 20]);

impl Digest {
    /// Computes the digest of `user_key` in set `set_name`.
    ///
    /// RIPEMD-160 over the set name's UTF-8 bytes, one particle-type byte
    /// (1 integer, 3 string, 4 blob) and the key bytes (integers as 8 bytes
    /// big-endian, strings as UTF-8, blobs raw). The namespace is not hashed.
    ///
    /// # Errors
    /// [`Error::ParameterError`] when `user_key` is not an `Int`, `String` or
    /// `Blob`.
    ///
    /// # Examples
    /// ```
    /// use aerolite::{Digest, Value};
    /// let d = Digest::compute("set", &Value::Int(1)).unwrap();
    /// assert_eq!(d.to_hex(), "82d7213b469812947c109a6d341e3b5b1dedec1f");
    /// assert!(Digest::compute("set", &Value::Float(1.0)).is_err());
    /// ```
    pub fn compute(set_name: &str, user_key: &Value) -> Result<Digest, Error> {
        with_key_bytes(user_key, |particle, bytes| {
            Digest(ripemd160(&[set_name.as_bytes(), &[particle], bytes]))
        })
    }

    /// The partition (0..4096) this digest falls in, as Aerospike derives it:
    /// the first four bytes little-endian, masked to 12 bits.
    ///
    /// # Examples
    /// ```
    /// use aerolite::{Digest, Value};
    /// assert_eq!(Digest::compute("set", &Value::Int(1)).unwrap().partition_id(), 1922);
    /// ```
    pub fn partition_id(&self) -> u16 {
        let d = &self.0;
        // The mask keeps 12 bits, so the value always fits in a u16.
        (u32::from_le_bytes([d[0], d[1], d[2], d[3]]) & 4095) as u16
    }

    /// The digest as 40 lowercase hex digits.
    ///
    /// # Examples
    /// ```
    /// use aerolite::Digest;
    /// assert_eq!(Digest([0xab; 20]).to_hex(), "ab".repeat(20));
    /// ```
    pub fn to_hex(&self) -> String {
        self.to_string()
    }

    /// Parses 40 hex digits (either case) into a digest.
    ///
    /// # Errors
    /// [`Error::ParameterError`] when `s` is not exactly 40 hex digits.
    ///
    /// # Examples
    /// ```
    /// use aerolite::Digest;
    /// let d = Digest::from_hex("EC91192D4B7F8CE35D5D78D34BCA65CBAAAAC960").unwrap();
    /// assert_eq!(d.0[0], 0xec);
    /// assert!(Digest::from_hex("ec91").is_err());
    /// ```
    pub fn from_hex(s: &str) -> Result<Digest, Error> {
        let bad = || {
            Error::ParameterError(format!(
                "invalid digest {s:?}: a digest is 40 hex digits (20 bytes)"
            ))
        };
        let bytes = s.as_bytes();
        if bytes.len() != 40 {
            return Err(bad());
        }
        let mut out = [0u8; 20];
        for (o, pair) in out.iter_mut().zip(bytes.chunks_exact(2)) {
            let hi = hex_nibble(pair[0]).ok_or_else(bad)?;
            let lo = hex_nibble(pair[1]).ok_or_else(bad)?;
            *o = (hi << 4) | lo;
        }
        Ok(Digest(out))
    }
}

fn hex_nibble(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    }
}

impl fmt::Display for Digest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.iter().try_for_each(|b| write!(f, "{b:02x}"))
    }
}

impl fmt::Debug for Digest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

/// Calls `f` with the particle type and key bytes of a user key.
fn with_key_bytes<R>(v: &Value, f: impl FnOnce(u8, &[u8]) -> R) -> Result<R, Error> {
    match v {
        Value::Int(i) => Ok(f(PARTICLE_INTEGER, &i.to_be_bytes())),
        Value::String(s) => Ok(f(PARTICLE_STRING, s.as_bytes())),
        Value::Blob(b) => Ok(f(PARTICLE_BLOB, b)),
        other => Err(Error::ParameterError(format!(
            "Data type is not supported as Key value. (got {}; user keys are int, string or blob)",
            other.type_name()
        ))),
    }
}

/// Writes `[particle type][key bytes]` of a user key, exactly as hashed.
///
/// Writes nothing for a value that is not a valid user key (callers only pass
/// keys that went through [`Key::new`]).
pub(crate) fn encode_user_key(v: &Value, out: &mut Vec<u8>) {
    let _ = with_key_bytes(v, |particle, bytes| {
        out.push(particle);
        out.extend_from_slice(bytes);
    });
}

/// Reads back what [`encode_user_key`] wrote; `None` if malformed.
pub(crate) fn decode_user_key(bytes: &[u8]) -> Option<Value> {
    let (&particle, rest) = bytes.split_first()?;
    match particle {
        PARTICLE_INTEGER => Some(Value::Int(i64::from_be_bytes(rest.try_into().ok()?))),
        PARTICLE_STRING => Some(Value::String(String::from_utf8(rest.to_vec()).ok()?)),
        PARTICLE_BLOB => Some(Value::Blob(rest.to_vec())),
        _ => None,
    }
}

pub(crate) fn validate_namespace(namespace: &str) -> Result<(), Error> {
    if namespace.is_empty() || namespace.len() > MAX_NAMESPACE_LEN || namespace.contains('\0') {
        return Err(Error::InvalidNamespace(format!(
            "namespace {namespace:?} is invalid: namespace names are 1 to {MAX_NAMESPACE_LEN} bytes without NUL"
        )));
    }
    Ok(())
}

pub(crate) fn validate_set(set: &str) -> Result<(), Error> {
    if set.len() > MAX_SET_LEN || set.contains('\0') {
        return Err(Error::ParameterError(format!(
            "set name {set:?} is invalid: set names are 0 to {MAX_SET_LEN} bytes without NUL"
        )));
    }
    Ok(())
}

/// The address of a record: namespace, set, optional user key and digest.
///
/// # Examples
/// ```
/// use aerolite::{Key, Value};
/// let key = Key::new("test", "demo", "key1").unwrap();
/// assert_eq!(key.namespace(), "test");
/// assert_eq!(key.set_name(), "demo");
/// assert_eq!(key.user_key(), Some(&Value::from("key1")));
/// assert_eq!(key.digest().to_hex(), "ec91192d4b7f8ce35d5d78d34bca65cbaaaac960");
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Key {
    namespace: ShortName<MAX_NAMESPACE_LEN>,
    set_name: ShortName<MAX_SET_LEN>,
    user_key: Option<Value>,
    digest: Digest,
}

impl Key {
    /// A key from a user key (an integer, string or blob).
    ///
    /// # Errors
    /// - [`Error::InvalidNamespace`] when `namespace` is empty, longer than
    ///   31 bytes or contains NUL.
    /// - [`Error::ParameterError`] when `set` is longer than 63 bytes or
    ///   contains NUL, or when `user_key` is not an `Int`, `String` or `Blob`.
    ///
    /// # Examples
    /// ```
    /// use aerolite::{Error, Key};
    /// let k = Key::new("test", "", 1).unwrap();
    /// assert_eq!(k.partition_id(), k.digest().partition_id());
    /// assert!(matches!(Key::new("", "demo", 1), Err(Error::InvalidNamespace(_))));
    /// assert!(matches!(Key::new("test", "demo", 1.5), Err(Error::ParameterError(_))));
    /// ```
    pub fn new(namespace: &str, set: &str, user_key: impl Into<Value>) -> Result<Key, Error> {
        validate_namespace(namespace)?;
        validate_set(set)?;
        let user_key = user_key.into();
        let digest = match Digest::compute(set, &user_key) {
            Ok(d) => d,
            Err(e) => {
                // A refused key may be a list nested arbitrarily deep.
                crate::value::drop_iteratively(user_key);
                return Err(e);
            }
        };
        Ok(Key {
            namespace: ShortName::new(namespace),
            set_name: ShortName::new(set),
            user_key: Some(user_key),
            digest,
        })
    }

    /// A key from a digest alone (no user key).
    ///
    /// # Errors
    /// [`Error::InvalidNamespace`] or [`Error::ParameterError`] for an invalid
    /// namespace or set name, as in [`Key::new`].
    ///
    /// # Examples
    /// ```
    /// use aerolite::{Digest, Key};
    /// let k = Key::from_digest("test", "demo", Digest([7; 20])).unwrap();
    /// assert_eq!(k.user_key(), None);
    /// assert_eq!(k.digest(), &Digest([7; 20]));
    /// ```
    pub fn from_digest(namespace: &str, set: &str, digest: Digest) -> Result<Key, Error> {
        validate_namespace(namespace)?;
        validate_set(set)?;
        Ok(Key {
            namespace: ShortName::new(namespace),
            set_name: ShortName::new(set),
            user_key: None,
            digest,
        })
    }

    /// A key as read back from storage; nothing is validated or recomputed.
    #[inline]
    pub(crate) fn with_user_key(
        namespace: &str,
        set: &str,
        digest: Digest,
        user_key: Option<Value>,
    ) -> Key {
        Key {
            namespace: ShortName::new(namespace),
            set_name: ShortName::new(set),
            user_key,
            digest,
        }
    }

    /// The namespace name.
    pub fn namespace(&self) -> &str {
        self.namespace.as_str()
    }

    /// The set name (empty for no set).
    pub fn set_name(&self) -> &str {
        self.set_name.as_str()
    }

    /// The user key, when known (absent for [`Key::from_digest`] keys and for
    /// records stored without `send_key`).
    pub fn user_key(&self) -> Option<&Value> {
        self.user_key.as_ref()
    }

    /// The record's digest.
    pub fn digest(&self) -> &Digest {
        &self.digest
    }

    /// The partition (0..4096) of the record; see [`Digest::partition_id`].
    pub fn partition_id(&self) -> u16 {
        self.digest.partition_id()
    }
}

/// Builds a [`Key`](crate::Key) with `Key::new(namespace, set, user_key)`.
///
/// # Panics
/// Panics when the namespace, set or user key is invalid; use
/// [`Key::new`](crate::Key::new) to handle those errors instead.
///
/// # Examples
/// ```
/// use aerolite::as_key;
/// let key = as_key!("test", "demo", "mykey");
/// assert_eq!(key.set_name(), "demo");
/// ```
#[macro_export]
macro_rules! as_key {
    ($ns:expr, $set:expr, $key:expr $(,)?) => {
        $crate::Key::new($ns, $set, $key).expect("as_key!: invalid namespace, set or user key")
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(set: &str, v: impl Into<Value>) -> String {
        Digest::compute(set, &v.into()).unwrap().to_hex()
    }

    #[test]
    fn digest_vectors() {
        assert_eq!(hex("set", 1), "82d7213b469812947c109a6d341e3b5b1dedec1f");
        assert_eq!(hex("set", 0), "93d943aae37b017ad7e011b0c1d2e2143c2fb37d");
        assert_eq!(hex("set", -1), "22116d253745e29fc63fdf760b6e26f7e197e01d");
        assert_eq!(
            hex("set", i64::MIN),
            "7185c2a47fb02c996daed26b4e01b83240aee9d4"
        );
        assert_eq!(
            hex("set", i64::MAX),
            "1698328974afa62c8e069860c1516f780d63dbb8"
        );
        assert_eq!(hex("set", ""), "2819b1ff6e346a43b4f5f6b77a88bc3eaac22a83");
        assert_eq!(
            hex("set", "haha"),
            "36eb02a807dbade8cd784e7800d76308b4e89212"
        );
        assert_eq!(
            hex("set", Vec::<u8>::new()),
            "327e2877b8815c7aeede0d5a8620d4ef8df4a4b4"
        );
        assert_eq!(
            hex("set", &b"s"[..]),
            "ca2d96dc9a184d15a7fa2927565e844e9254e001"
        );
        assert_eq!(hex("", 1), "a443f05d05d962202b59abb402afae1737dbf66a");
        assert_eq!(
            hex("demo", "key1"),
            "ec91192d4b7f8ce35d5d78d34bca65cbaaaac960"
        );
    }

    #[test]
    fn partition_vectors() {
        let p = |v: Value| Digest::compute("set", &v).unwrap().partition_id();
        assert_eq!(p(Value::Int(1)), 1922);
        assert_eq!(p(Value::from("")), 2344);
        assert_eq!(p(Value::Blob(vec![])), 3634);
        assert_eq!(Key::new("test", "set", 1).unwrap().partition_id(), 1922);
    }

    #[test]
    fn int_and_string_keys_differ() {
        let a = Key::new("test", "demo", 99999).unwrap();
        let b = Key::new("test", "demo", "99999").unwrap();
        assert_ne!(a.digest(), b.digest());
        assert_ne!(a, b);
    }

    #[test]
    fn namespace_not_hashed() {
        let a = Key::new("a", "demo", 5).unwrap();
        let b = Key::new("b", "demo", 5).unwrap();
        assert_eq!(a.digest(), b.digest());
    }

    #[test]
    fn validation() {
        assert!(matches!(
            Key::new("", "s", 1),
            Err(Error::InvalidNamespace(_))
        ));
        assert!(matches!(
            Key::new(&"n".repeat(32), "s", 1),
            Err(Error::InvalidNamespace(_))
        ));
        assert!(matches!(
            Key::new("a\0b", "s", 1),
            Err(Error::InvalidNamespace(_))
        ));
        assert!(Key::new(&"n".repeat(31), "s", 1).is_ok());
        assert!(matches!(
            Key::new("ns", &"s".repeat(64), 1),
            Err(Error::ParameterError(_))
        ));
        assert!(matches!(
            Key::new("ns", "s\0", 1),
            Err(Error::ParameterError(_))
        ));
        assert!(Key::new("ns", &"s".repeat(63), 1).is_ok());
        assert!(Key::new("ns", "", 1).is_ok());
        for bad in [
            Value::Nil,
            Value::Bool(true),
            Value::Float(1.0),
            Value::List(vec![]),
            Value::Map(Default::default()),
        ] {
            match Key::new("ns", "s", bad) {
                Err(Error::ParameterError(m)) => {
                    assert!(m.contains("Data type is not supported as Key value."))
                }
                other => panic!("unexpected {other:?}"),
            }
        }
        assert!(matches!(
            Key::from_digest("", "s", Digest([0; 20])),
            Err(Error::InvalidNamespace(_))
        ));
        assert!(matches!(
            Key::from_digest("ns", &"s".repeat(64), Digest([0; 20])),
            Err(Error::ParameterError(_))
        ));
    }

    #[test]
    fn accessors_and_from_digest() {
        let k = Key::new("test", "demo", "key1").unwrap();
        let d = Key::from_digest("test", "demo", *k.digest()).unwrap();
        assert_eq!(d.user_key(), None);
        assert_eq!(d.digest(), k.digest());
        assert_eq!(d.partition_id(), k.partition_id());
        let w = Key::with_user_key("test", "demo", *k.digest(), Some(Value::from("key1")));
        assert_eq!(w, k);
    }

    #[test]
    fn hex_round_trip() {
        let d = Digest::compute("demo", &Value::from("key1")).unwrap();
        assert_eq!(Digest::from_hex(&d.to_hex()).unwrap(), d);
        assert_eq!(format!("{d:?}"), d.to_hex());
        assert_eq!(format!("{d}"), d.to_hex());
        assert!(Digest::from_hex(&"g".repeat(40)).is_err());
        assert!(Digest::from_hex(&"a".repeat(41)).is_err());
        assert!(matches!(
            Digest::from_hex("é".repeat(20).as_str()),
            Err(Error::ParameterError(_))
        ));
    }

    #[test]
    fn user_key_encoding_round_trips() {
        for v in [
            Value::Int(0),
            Value::Int(i64::MIN),
            Value::Int(-1),
            Value::from(""),
            Value::from("héllo"),
            Value::Blob(vec![]),
            Value::Blob(vec![0, 255, 3]),
        ] {
            let mut out = vec![];
            encode_user_key(&v, &mut out);
            assert_eq!(decode_user_key(&out), Some(v));
        }
        let mut out = vec![];
        encode_user_key(&Value::Int(1), &mut out);
        assert_eq!(out, [1, 0, 0, 0, 0, 0, 0, 0, 1]);
        let mut none = vec![];
        encode_user_key(&Value::Float(1.0), &mut none);
        assert!(none.is_empty());
        assert_eq!(decode_user_key(&[]), None);
        assert_eq!(decode_user_key(&[1, 0, 0]), None);
        assert_eq!(decode_user_key(&[3, 0xff]), None);
        assert_eq!(decode_user_key(&[2, 0]), None);
    }

    #[test]
    fn as_key_macro() {
        let k = crate::as_key!("test", "demo", "key1");
        assert_eq!(k, Key::new("test", "demo", "key1").unwrap());
    }

    #[test]
    #[should_panic(expected = "as_key!")]
    fn as_key_macro_panics() {
        let _ = crate::as_key!("", "demo", 1);
    }
}
