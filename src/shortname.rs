//! Namespace and set names held inside a [`Key`](crate::Key) without a heap
//! allocation when they fit (namespaces always do, sets up to their limit),
//! so building, cloning and returning keys allocates nothing for them.

use std::hash::{Hash, Hasher};

/// A name of at most `N` bytes kept inline, or a longer one on the heap.
#[derive(Clone)]
pub(crate) enum ShortName<const N: usize> {
    Inline { len: u8, bytes: [u8; N] },
    Heap(Box<str>),
}

impl<const N: usize> ShortName<N> {
    pub(crate) fn new(s: &str) -> Self {
        match u8::try_from(s.len()) {
            Ok(len) if s.len() <= N => {
                let mut bytes = [0u8; N];
                bytes[..s.len()].copy_from_slice(s.as_bytes());
                ShortName::Inline { len, bytes }
            }
            _ => ShortName::Heap(s.into()),
        }
    }

    #[inline]
    pub(crate) fn as_str(&self) -> &str {
        match self {
            // Built from a `&str` cut at its end, so always valid UTF-8;
            // the check costs a few nanoseconds and keeps this safe code.
            ShortName::Inline { len, bytes } => {
                std::str::from_utf8(&bytes[..usize::from(*len)]).unwrap_or_default()
            }
            ShortName::Heap(s) => s,
        }
    }
}

impl<const N: usize> PartialEq for ShortName<N> {
    fn eq(&self, other: &Self) -> bool {
        self.as_str() == other.as_str()
    }
}

impl<const N: usize> Eq for ShortName<N> {}

impl<const N: usize> Hash for ShortName<N> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.as_str().hash(state);
    }
}

impl<const N: usize> std::fmt::Debug for ShortName<N> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(self.as_str(), f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_and_long_names_round_trip_and_compare_by_text() {
        for s in [
            "",
            "test",
            "exactly-eight",
            &"x".repeat(31),
            &"é".repeat(20),
        ] {
            let n = ShortName::<31>::new(s);
            assert_eq!(n.as_str(), s);
            assert_eq!(n, ShortName::<31>::new(s));
            assert_eq!(
                matches!(n, ShortName::Inline { .. }),
                s.len() <= 31,
                "{s:?}"
            );
            assert_eq!(format!("{n:?}"), format!("{s:?}"));
        }
        assert_ne!(ShortName::<31>::new("a"), ShortName::<31>::new("a\0"));
    }
}
