//! [`Value`]: the dynamically typed value stored in bins, used as user keys
//! and as list elements and map keys, plus the `as_val!`, `as_list!` and
//! `as_map!` macros.

use crate::error::Error;
use std::cmp::Ordering;
use std::collections::BTreeMap;
use std::fmt;
use std::hash::{Hash, Hasher};

/// A value held in a bin, a list or a map.
///
/// `Value` is `Eq`, `Ord` and `Hash` with Aerospike's cross-type order:
/// nil < bool < int < string < list < map < blob < float. Within one type the
/// order is the natural one: lists and maps compare lexicographically (maps by
/// their key-ordered `(key, value)` pairs), strings and blobs bytewise, and
/// floats by [`f64::total_cmp`]. So `NaN == NaN` and `-0.0 != 0.0`, which keeps
/// `Eq`, `Ord` and `Hash` consistent and lets floats be map keys.
///
/// # Examples
/// ```
/// use aerolite::Value;
/// assert!(Value::Nil < Value::from(false));
/// assert!(Value::from(i64::MAX) < Value::from(""));
/// assert!(Value::from(vec![1u8]) < Value::from(0.5));
/// assert_eq!(Value::from(f64::NAN), Value::from(f64::NAN));
/// ```
#[derive(Clone, Debug, Default)]
pub enum Value {
    /// No value; writing it to a bin deletes the bin.
    #[default]
    Nil,
    /// A boolean.
    Bool(bool),
    /// A signed 64-bit integer.
    Int(i64),
    /// A 64-bit float.
    Float(f64),
    /// A UTF-8 string.
    String(String),
    /// Raw bytes.
    Blob(Vec<u8>),
    /// An ordered list of values.
    List(Vec<Value>),
    /// A key-ordered map.
    Map(BTreeMap<Value, Value>),
}

impl Value {
    /// Whether this is [`Value::Nil`].
    ///
    /// # Examples
    /// ```
    /// use aerolite::Value;
    /// assert!(Value::Nil.is_nil());
    /// assert!(!Value::from(0).is_nil());
    /// ```
    pub fn is_nil(&self) -> bool {
        matches!(self, Value::Nil)
    }

    /// The name of the value's type: `"nil"`, `"bool"`, `"int"`, `"float"`,
    /// `"string"`, `"blob"`, `"list"` or `"map"`.
    ///
    /// # Examples
    /// ```
    /// use aerolite::Value;
    /// assert_eq!(Value::from("a").type_name(), "string");
    /// assert_eq!(Value::from(1.5).type_name(), "float");
    /// ```
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Nil => "nil",
            Value::Bool(_) => "bool",
            Value::Int(_) => "int",
            Value::Float(_) => "float",
            Value::String(_) => "string",
            Value::Blob(_) => "blob",
            Value::List(_) => "list",
            Value::Map(_) => "map",
        }
    }

    /// Rank of the type in Aerospike's cross-type order.
    fn type_rank(&self) -> u8 {
        match self {
            Value::Nil => 0,
            Value::Bool(_) => 1,
            Value::Int(_) => 2,
            Value::String(_) => 3,
            Value::List(_) => 4,
            Value::Map(_) => 5,
            Value::Blob(_) => 6,
            Value::Float(_) => 7,
        }
    }
}

/// Drops `v` without recursing more than one level, whatever its depth.
///
/// `Value` has no `Drop` of its own (that would forbid moving a `String` or
/// a `Vec` out of a value by pattern, which users of an enum rightly
/// expect); aerolite never builds a value deeper than the nesting limit, and
/// the library types that own user-supplied values (`Operation`) drop them
/// through this function, so a user-built value 100,000 levels deep is
/// refused and dropped without overflowing the stack.
pub(crate) fn drop_iteratively(mut v: Value) {
    if matches!(&v, Value::List(items) if !items.is_empty())
        || matches!(&v, Value::Map(m) if !m.is_empty())
    {
        drop_nested(&mut v);
    }
}

/// Moves every nested child of `v` onto a heap stack, and empties each the
/// same way before it is dropped, so no drop recurses more than one level.
#[inline(never)]
fn drop_nested(v: &mut Value) {
    let mut stack: Vec<Value> = Vec::new();
    take_children(v, &mut stack);
    while let Some(mut child) = stack.pop() {
        take_children(&mut child, &mut stack);
    }
}

/// Whether `v` is a list or a map.
fn is_container(v: &Value) -> bool {
    matches!(v, Value::List(_) | Value::Map(_))
}

/// Moves the nested lists and maps inside `v` onto `stack`.
fn take_children(v: &mut Value, stack: &mut Vec<Value>) {
    match v {
        Value::List(items) => {
            for item in items.iter_mut() {
                if is_container(item) {
                    stack.push(std::mem::take(item));
                }
            }
        }
        Value::Map(m) if m.iter().any(|(k, x)| is_container(k) || is_container(x)) => {
            for (k, item) in std::mem::take(m) {
                stack.extend([k, item].into_iter().filter(is_container));
            }
        }
        _ => {}
    }
}

impl PartialEq for Value {
    fn eq(&self, other: &Value) -> bool {
        match (self, other) {
            (Value::Nil, Value::Nil) => true,
            (Value::Bool(a), Value::Bool(b)) => a == b,
            (Value::Int(a), Value::Int(b)) => a == b,
            (Value::Float(a), Value::Float(b)) => a.total_cmp(b) == Ordering::Equal,
            (Value::String(a), Value::String(b)) => a == b,
            (Value::Blob(a), Value::Blob(b)) => a == b,
            (Value::List(a), Value::List(b)) => a == b,
            (Value::Map(a), Value::Map(b)) => a == b,
            _ => false,
        }
    }
}

impl Eq for Value {}

impl PartialOrd for Value {
    fn partial_cmp(&self, other: &Value) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Value {
    fn cmp(&self, other: &Value) -> Ordering {
        match (self, other) {
            (Value::Nil, Value::Nil) => Ordering::Equal,
            (Value::Bool(a), Value::Bool(b)) => a.cmp(b),
            (Value::Int(a), Value::Int(b)) => a.cmp(b),
            (Value::Float(a), Value::Float(b)) => a.total_cmp(b),
            (Value::String(a), Value::String(b)) => a.as_bytes().cmp(b.as_bytes()),
            (Value::Blob(a), Value::Blob(b)) => a.cmp(b),
            (Value::List(a), Value::List(b)) => a.cmp(b),
            (Value::Map(a), Value::Map(b)) => a.iter().cmp(b.iter()),
            _ => self.type_rank().cmp(&other.type_rank()),
        }
    }
}

impl Hash for Value {
    fn hash<H: Hasher>(&self, state: &mut H) {
        state.write_u8(self.type_rank());
        match self {
            Value::Nil => {}
            Value::Bool(b) => b.hash(state),
            Value::Int(i) => i.hash(state),
            Value::Float(f) => f.to_bits().hash(state),
            Value::String(s) => s.hash(state),
            Value::Blob(b) => b.hash(state),
            Value::List(l) => l.hash(state),
            Value::Map(m) => m.hash(state),
        }
    }
}

impl fmt::Display for Value {
    /// Human-readable form: strings unquoted at the top level and quoted inside
    /// lists and maps, blobs as lowercase hex (`0x0102`), floats with a
    /// fractional part (`1.0`), lists as `[1, "a"]`, maps as `{"a": 1}`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::String(s) => f.write_str(s),
            other => fmt_nested(other, f),
        }
    }
}

fn fmt_nested(v: &Value, f: &mut fmt::Formatter<'_>) -> fmt::Result {
    match v {
        Value::Nil => f.write_str("nil"),
        Value::Bool(b) => write!(f, "{b}"),
        Value::Int(i) => write!(f, "{i}"),
        Value::Float(x) => write!(f, "{x:?}"),
        Value::String(s) => write!(f, "{s:?}"),
        Value::Blob(b) => {
            f.write_str("0x")?;
            b.iter().try_for_each(|byte| write!(f, "{byte:02x}"))
        }
        Value::List(items) => {
            f.write_str("[")?;
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    f.write_str(", ")?;
                }
                fmt_nested(item, f)?;
            }
            f.write_str("]")
        }
        Value::Map(map) => {
            f.write_str("{")?;
            for (i, (k, val)) in map.iter().enumerate() {
                if i > 0 {
                    f.write_str(", ")?;
                }
                fmt_nested(k, f)?;
                f.write_str(": ")?;
                fmt_nested(val, f)?;
            }
            f.write_str("}")
        }
    }
}

macro_rules! from_via {
    ($($t:ty => $variant:ident as $inner:ty),* $(,)?) => {
        $(
            impl From<$t> for Value {
                fn from(v: $t) -> Value {
                    Value::$variant(<$inner>::from(v))
                }
            }
        )*
    };
}

from_via! {
    bool => Bool as bool,
    i8 => Int as i64,
    i16 => Int as i64,
    i32 => Int as i64,
    i64 => Int as i64,
    u8 => Int as i64,
    u16 => Int as i64,
    u32 => Int as i64,
    f32 => Float as f64,
    f64 => Float as f64,
    &str => String as String,
    String => String as String,
    &String => String as String,
    Vec<u8> => Blob as Vec<u8>,
    &[u8] => Blob as Vec<u8>,
    Vec<Value> => List as Vec<Value>,
    BTreeMap<Value, Value> => Map as BTreeMap<Value, Value>,
}

impl<T: Into<Value>> From<Option<T>> for Value {
    /// `None` becomes [`Value::Nil`]; `Some(v)` becomes `v.into()`.
    fn from(v: Option<T>) -> Value {
        v.map_or(Value::Nil, Into::into)
    }
}

impl TryFrom<u64> for Value {
    type Error = Error;

    /// Converts a `u64` to [`Value::Int`].
    ///
    /// # Errors
    /// [`Error::ParameterError`] when `v > i64::MAX`.
    fn try_from(v: u64) -> Result<Value, Error> {
        i64::try_from(v).map(Value::Int).map_err(|_| {
            Error::ParameterError(format!(
                "u64 value {v} does not fit in an integer value (at most i64::MAX = {})",
                i64::MAX
            ))
        })
    }
}

/// Converts an expression to a [`Value`] with `Value::from`.
///
/// # Examples
/// ```
/// use aerolite::{as_val, Value};
/// assert_eq!(as_val!(42), Value::Int(42));
/// assert_eq!(as_val!("a"), Value::String("a".into()));
/// ```
#[macro_export]
macro_rules! as_val {
    ($v:expr) => {
        $crate::Value::from($v)
    };
}

/// Builds a [`Value::List`](crate::Value::List), converting each element with
/// `Value::from`.
///
/// # Examples
/// ```
/// use aerolite::{as_list, Value};
/// let l = as_list!(1, "a", 2.5);
/// assert_eq!(l, Value::List(vec![Value::Int(1), Value::from("a"), Value::Float(2.5)]));
/// assert_eq!(as_list!(), Value::List(vec![]));
/// ```
#[macro_export]
macro_rules! as_list {
    () => {
        $crate::Value::List(::std::vec::Vec::new())
    };
    ($($v:expr),+ $(,)?) => {
        $crate::Value::List(::std::vec![$($crate::Value::from($v)),+])
    };
}

/// Builds a [`Value::Map`](crate::Value::Map) from `key => value` pairs,
/// converting both with `Value::from`. A repeated key keeps its last value.
///
/// # Examples
/// ```
/// use aerolite::{as_map, Value};
/// let m = as_map!("a" => 1, "b" => 2);
/// if let Value::Map(m) = &m {
///     assert_eq!(m.get(&Value::from("b")), Some(&Value::Int(2)));
/// }
/// assert_eq!(as_map!(), Value::Map(Default::default()));
/// ```
#[macro_export]
macro_rules! as_map {
    ($($k:expr => $v:expr),* $(,)?) => {{
        #[allow(unused_mut)]
        let mut map = ::std::collections::BTreeMap::<$crate::Value, $crate::Value>::new();
        $( map.insert($crate::Value::from($k), $crate::Value::from($v)); )*
        $crate::Value::Map(map)
    }};
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::hash_map::DefaultHasher;

    fn h(v: &Value) -> u64 {
        let mut s = DefaultHasher::new();
        v.hash(&mut s);
        s.finish()
    }

    #[test]
    fn cross_type_order() {
        let ordered = vec![
            Value::Nil,
            Value::Bool(false),
            Value::Bool(true),
            Value::Int(i64::MIN),
            Value::Int(i64::MAX),
            Value::from(""),
            Value::from("zzz"),
            crate::as_list!(),
            crate::as_list!(i64::MAX, "x"),
            crate::as_map!(),
            crate::as_map!("z" => 1),
            Value::Blob(vec![]),
            Value::Blob(vec![0xff; 3]),
            Value::Float(f64::NEG_INFINITY),
            Value::Float(-0.0),
            Value::Float(0.0),
            Value::Float(f64::INFINITY),
            Value::Float(f64::NAN),
        ];
        for (i, a) in ordered.iter().enumerate() {
            for (j, b) in ordered.iter().enumerate() {
                assert_eq!(a.cmp(b), i.cmp(&j), "{a:?} vs {b:?}");
                assert_eq!(a == b, i == j, "{a:?} vs {b:?}");
            }
        }
        let mut shuffled = ordered.clone();
        shuffled.reverse();
        shuffled.sort();
        assert_eq!(shuffled, ordered);
    }

    #[test]
    fn within_type_order() {
        assert!(Value::from("a") < Value::from("ab"));
        assert!(Value::from("b") > Value::from("ab"));
        assert!(Value::from("Z") < Value::from("a"));
        assert!(Value::from(vec![1u8]) < Value::from(vec![1u8, 0]));
        assert!(crate::as_list!(1, 2) < crate::as_list!(1, 2, 0));
        assert!(crate::as_list!(2) > crate::as_list!(1, 9));
        assert!(crate::as_list!(1, "a") > crate::as_list!(1, 5));
        assert!(crate::as_map!(1 => 2) < crate::as_map!(1 => 3));
        assert!(crate::as_map!(1 => 9) < crate::as_map!(2 => 0));
        assert!(crate::as_map!(1 => 2) < crate::as_map!(1 => 2, 3 => 4));
    }

    #[test]
    fn float_eq_hash_consistent() {
        let nan = Value::Float(f64::NAN);
        assert_eq!(nan, nan.clone());
        assert_eq!(h(&nan), h(&nan.clone()));
        assert_ne!(Value::Float(0.0), Value::Float(-0.0));
        assert_ne!(Value::Float(1.0), Value::Int(1));
        assert_eq!(h(&Value::Float(2.5)), h(&Value::from(2.5f32)));
        let mut m = BTreeMap::new();
        m.insert(nan.clone(), Value::Int(1));
        assert_eq!(m.get(&nan), Some(&Value::Int(1)));
    }

    #[test]
    fn hash_consistent_for_nested() {
        let a = crate::as_map!("k" => crate::as_list!(1, 2.0, vec![1u8]));
        let b = crate::as_map!("k" => crate::as_list!(1, 2.0, vec![1u8]));
        assert_eq!(a, b);
        assert_eq!(h(&a), h(&b));
        assert_ne!(h(&Value::Int(0)), h(&Value::Bool(false)));
        let set: std::collections::HashSet<Value> =
            [Value::Nil, Value::Int(1), Value::Int(1), Value::from("1")]
                .into_iter()
                .collect();
        assert_eq!(set.len(), 3);
    }

    #[test]
    fn conversions() {
        assert_eq!(Value::from(true), Value::Bool(true));
        assert_eq!(Value::from(-3i8), Value::Int(-3));
        assert_eq!(Value::from(-3i16), Value::Int(-3));
        assert_eq!(Value::from(-3i32), Value::Int(-3));
        assert_eq!(Value::from(u8::MAX), Value::Int(255));
        assert_eq!(Value::from(u16::MAX), Value::Int(65535));
        assert_eq!(Value::from(u32::MAX), Value::Int(4_294_967_295));
        assert_eq!(Value::from(1.5f32), Value::Float(1.5));
        let s = String::from("x");
        assert_eq!(Value::from(&s), Value::String("x".into()));
        assert_eq!(Value::from(s), Value::String("x".into()));
        assert_eq!(Value::from(&b"ab"[..]), Value::Blob(b"ab".to_vec()));
        assert_eq!(Value::from(vec![Value::Nil]), Value::List(vec![Value::Nil]));
        assert_eq!(Value::from(BTreeMap::new()), Value::Map(BTreeMap::new()));
        assert_eq!(Value::from(None::<i64>), Value::Nil);
        assert_eq!(Value::from(Some("a")), Value::from("a"));
        assert_eq!(Value::default(), Value::Nil);
    }

    #[test]
    fn try_from_u64() {
        assert_eq!(
            Value::try_from(i64::MAX as u64).ok(),
            Some(Value::Int(i64::MAX))
        );
        let err = Value::try_from(i64::MAX as u64 + 1);
        assert!(matches!(err, Err(Error::ParameterError(_))));
    }

    #[test]
    fn helpers() {
        assert!(Value::Nil.is_nil());
        assert!(!Value::Int(0).is_nil());
        let names: Vec<_> = [
            Value::Nil,
            Value::Bool(true),
            Value::Int(1),
            Value::Float(1.0),
            Value::from("s"),
            Value::Blob(vec![]),
            crate::as_list!(),
            crate::as_map!(),
        ]
        .iter()
        .map(Value::type_name)
        .collect();
        assert_eq!(
            names,
            ["nil", "bool", "int", "float", "string", "blob", "list", "map"]
        );
    }

    #[test]
    fn macros() {
        assert_eq!(crate::as_val!(7u8), Value::Int(7));
        assert_eq!(crate::as_list!(1, "a",), crate::as_list!(1, "a"));
        let m = crate::as_map!("a" => 1, 2 => "b",);
        let mut expect = BTreeMap::new();
        expect.insert(Value::from("a"), Value::Int(1));
        expect.insert(Value::Int(2), Value::from("b"));
        assert_eq!(m, Value::Map(expect));
    }

    #[test]
    fn display() {
        assert_eq!(Value::Nil.to_string(), "nil");
        assert_eq!(Value::from("hi").to_string(), "hi");
        assert_eq!(Value::Float(1.0).to_string(), "1.0");
        assert_eq!(Value::Blob(vec![1, 0xab]).to_string(), "0x01ab");
        assert_eq!(
            crate::as_list!(1, "a", true, crate::as_list!()).to_string(),
            "[1, \"a\", true, []]"
        );
        assert_eq!(
            crate::as_map!("a" => 1, "b" => Value::Nil).to_string(),
            "{\"a\": 1, \"b\": nil}"
        );
    }
}
