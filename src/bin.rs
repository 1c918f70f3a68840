//! [`Bin`] (a named value) and [`Bins`] (which bins a read returns), plus the
//! `as_bin!` macro.

use crate::error::Error;
use crate::value::Value;

/// Longest bin name, in bytes.
const MAX_BIN_NAME_LEN: usize = 15;

/// A named value in a record.
///
/// # Examples
/// ```
/// use aerolite::{Bin, Value};
/// let b = Bin::new("age", 42);
/// assert_eq!(b.name, "age");
/// assert_eq!(b.value, Value::Int(42));
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Bin {
    /// The bin name: 0 to 15 bytes without NUL (checked when written); the
    /// empty name is valid, as on Aerospike server 8.
    pub name: String,
    /// The value; [`Value::Nil`] deletes the bin when written.
    pub value: Value,
}

impl Bin {
    /// A bin named `name` holding `value`.
    ///
    /// The name is checked when the bin is written, not here.
    pub fn new(name: &str, value: impl Into<Value>) -> Bin {
        Bin {
            name: name.to_owned(),
            value: value.into(),
        }
    }
}

/// Builds a [`Bin`](crate::Bin): `as_bin!(name, value)` converts `value` with
/// `Value::from`; `as_bin!(name)` holds [`Value::Nil`](crate::Value::Nil),
/// which deletes the bin when put.
///
/// # Examples
/// ```
/// use aerolite::{as_bin, Bin, Value};
/// assert_eq!(as_bin!("name", "John"), Bin::new("name", "John"));
/// assert_eq!(as_bin!("age").value, Value::Nil);
/// ```
#[macro_export]
macro_rules! as_bin {
    ($name:expr) => {
        $crate::Bin::new($name, $crate::Value::Nil)
    };
    ($name:expr, $value:expr $(,)?) => {
        $crate::Bin::new($name, $value)
    };
}

/// Which bins a read returns.
///
/// # Examples
/// ```
/// use aerolite::Bins;
/// assert_eq!(Bins::from(["a", "b"]), Bins::Some(vec!["a".into(), "b".into()]));
/// assert!(Bins::All.selects("x"));
/// assert!(!Bins::None.selects("x"));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Bins {
    /// Every bin.
    All,
    /// No bins: only the record header (generation, expiration).
    None,
    /// The named bins that exist; missing ones are simply absent.
    Some(Vec<String>),
}

impl Bins {
    /// Whether the bin `name` is selected.
    ///
    /// # Examples
    /// ```
    /// use aerolite::Bins;
    /// assert!(Bins::from("a").selects("a"));
    /// assert!(!Bins::from("a").selects("b"));
    /// ```
    pub fn selects(&self, name: &str) -> bool {
        match self {
            Bins::All => true,
            Bins::None => false,
            Bins::Some(names) => names.iter().any(|n| n == name),
        }
    }

    /// Whether this is [`Bins::None`] (header only).
    ///
    /// # Examples
    /// ```
    /// use aerolite::Bins;
    /// assert!(Bins::None.is_none());
    /// assert!(!Bins::All.is_none());
    /// ```
    pub fn is_none(&self) -> bool {
        matches!(self, Bins::None)
    }
}

impl From<&[&str]> for Bins {
    fn from(names: &[&str]) -> Bins {
        Bins::Some(names.iter().map(|&n| n.to_owned()).collect())
    }
}

impl<const N: usize> From<[&str; N]> for Bins {
    fn from(names: [&str; N]) -> Bins {
        Bins::from(&names[..])
    }
}

impl<const N: usize> From<&[&str; N]> for Bins {
    fn from(names: &[&str; N]) -> Bins {
        Bins::from(&names[..])
    }
}

impl From<Vec<String>> for Bins {
    fn from(names: Vec<String>) -> Bins {
        Bins::Some(names)
    }
}

impl From<Vec<&str>> for Bins {
    fn from(names: Vec<&str>) -> Bins {
        Bins::from(names.as_slice())
    }
}

impl From<&str> for Bins {
    /// Selects the one bin `name`.
    fn from(name: &str) -> Bins {
        Bins::Some(vec![name.to_owned()])
    }
}

/// Checks a bin name: at most 15 bytes, without NUL. The empty name is
/// accepted, as Aerospike server 8 accepts it.
#[allow(dead_code)]
pub(crate) fn validate_bin_name(name: &str) -> Result<(), Error> {
    if name.len() > MAX_BIN_NAME_LEN || name.contains('\0') {
        return Err(Error::BinNameTooLong {
            name: name.to_owned(),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bin_new_and_macro() {
        let b = Bin::new("n", "v");
        assert_eq!(b.name, "n");
        assert_eq!(b.value, Value::from("v"));
        assert_eq!(crate::as_bin!("n", "v"), b);
        assert_eq!(crate::as_bin!("n", 1.5).value, Value::Float(1.5));
        assert_eq!(crate::as_bin!("n"), Bin::new("n", Value::Nil));
    }

    #[test]
    fn bins_conversions() {
        let want = Bins::Some(vec!["a".to_owned(), "b".to_owned()]);
        let slice: &[&str] = &["a", "b"];
        assert_eq!(Bins::from(slice), want);
        assert_eq!(Bins::from(["a", "b"]), want);
        assert_eq!(Bins::from(&["a", "b"]), want);
        assert_eq!(Bins::from(vec!["a", "b"]), want);
        assert_eq!(Bins::from(vec!["a".to_owned(), "b".to_owned()]), want);
        assert_eq!(Bins::from("a"), Bins::Some(vec!["a".to_owned()]));
        assert_eq!(Bins::from([] as [&str; 0]), Bins::Some(vec![]));
    }

    #[test]
    fn bins_selects() {
        assert!(Bins::All.selects("x"));
        assert!(!Bins::None.selects("x"));
        let some = Bins::from(["a", "b"]);
        assert!(some.selects("a") && some.selects("b"));
        assert!(!some.selects("c"));
        assert!(Bins::None.is_none());
        assert!(!some.is_none());
        assert!(!Bins::All.is_none());
    }

    #[test]
    fn bin_name_validation() {
        assert!(validate_bin_name("").is_ok());
        assert!(validate_bin_name("a").is_ok());
        assert!(validate_bin_name(&"a".repeat(15)).is_ok());
        for bad in ["a\0", "abcdefghijklmnop"] {
            match validate_bin_name(bad) {
                Err(Error::BinNameTooLong { name }) => assert_eq!(name, bad),
                other => panic!("unexpected {other:?}"),
            }
        }
        // 15 bytes limit is bytes, not chars: 8 two-byte chars = 16 bytes.
        assert!(validate_bin_name(&"é".repeat(8)).is_err());
        assert!(validate_bin_name(&"é".repeat(7)).is_ok());
    }
}
