//! [`Operation`]s for `Db::operate`: bin reads and writes, plus the list
//! operations of [`lists`] and the map operations of [`maps`].
//!
//! An `operate` call applies its operations in order, atomically, to one
//! record; a read sees the effect of earlier operations in the same call.

pub(crate) mod exec;
mod list_ranges;
mod list_select;
pub mod lists;
mod map_select;
mod map_values;
pub mod maps;
mod operand;
mod select;

use crate::bin::Bin;
use crate::codec::{self, MAX_DEPTH};
use crate::value::Value;

/// A copy of `bin` for an operation. A value nested deeper than a record
/// may hold is copied only down to one level past the limit (deeper parts
/// become nil), so building the operation never recurses without bound;
/// `Db::operate` then refuses it with `ParameterError`.
fn operand(bin: &Bin) -> Bin {
    if codec::check_depth(&bin.value).is_ok() {
        return bin.clone();
    }
    fn cut(v: &Value, depth: usize) -> Value {
        if depth > MAX_DEPTH + 1 {
            return Value::Nil;
        }
        match v {
            Value::List(items) => Value::List(items.iter().map(|i| cut(i, depth + 1)).collect()),
            Value::Map(m) => Value::Map(
                m.iter()
                    .map(|(k, v)| (cut(k, depth + 1), cut(v, depth + 1)))
                    .collect(),
            ),
            scalar => scalar.clone(),
        }
    }
    Bin {
        name: bin.name.clone(),
        value: cut(&bin.value, 1),
    }
}

/// How [`maps::put_with`] treats an existing or missing map key.
///
/// # Examples
/// ```
/// use aerolite::MapWriteMode;
/// assert_eq!(MapWriteMode::default(), MapWriteMode::Update);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum MapWriteMode {
    /// Create the key or overwrite its value (the default).
    #[default]
    Update,
    /// Overwrite an existing key; a missing key (or missing bin) is
    /// [`Error::ElementNotFound`](crate::Error::ElementNotFound).
    UpdateOnly,
    /// Create a new key; an existing key is
    /// [`Error::ElementExists`](crate::Error::ElementExists).
    CreateOnly,
}

/// What an [`Operation`] does.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum OpKind {
    /// Set a bin; a nil value deletes it.
    Put(Bin),
    /// Read every bin.
    Get,
    /// Read one bin.
    GetBin(String),
    /// Read the header only.
    GetHeader,
    /// Add an int or float.
    Add(Bin),
    /// Append a string or blob.
    Append(Bin),
    /// Prepend a string or blob.
    Prepend(Bin),
    /// Bump generation and TTL.
    Touch,
    /// Remove every bin.
    Delete,
    /// A list operation on one bin.
    List {
        /// The bin.
        bin: String,
        /// The operation.
        op: lists::ListOp,
    },
    /// A map operation on one bin.
    Map {
        /// The bin.
        bin: String,
        /// The operation.
        op: maps::MapOp,
    },
}

/// One step of a `Db::operate` call, built by the functions of this module,
/// of [`lists`] and of [`maps`].
///
/// # Examples
/// ```
/// use aerolite::operations;
/// use aerolite::Bin;
/// let ops = [operations::add(&Bin::new("n", 1)), operations::get_bin("n")];
/// assert_ne!(ops[0], ops[1]);
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Operation {
    pub(crate) kind: OpKind,
}

impl Drop for Operation {
    /// An operation owns the values the user gave it, which may nest far
    /// deeper than aerolite accepts (such an operation is refused): they are
    /// dropped without recursion.
    fn drop(&mut self) {
        self.take_operands(&mut crate::value::drop_iteratively);
    }
}

impl Operation {
    fn new(kind: OpKind) -> Operation {
        Operation { kind }
    }

    /// The bin of a plain `put` operation.
    pub(crate) fn as_put(&self) -> Option<&crate::bin::Bin> {
        match &self.kind {
            OpKind::Put(b) => Some(b),
            _ => None,
        }
    }

    /// Whether the operation writes: the record then gets generation + 1 and
    /// a new TTL, even when the bins end up unchanged.
    pub(crate) fn is_write(&self) -> bool {
        match &self.kind {
            OpKind::Get | OpKind::GetBin(_) | OpKind::GetHeader => false,
            OpKind::Put(_)
            | OpKind::Add(_)
            | OpKind::Append(_)
            | OpKind::Prepend(_)
            | OpKind::Touch
            | OpKind::Delete => true,
            OpKind::List { op, .. } => op.is_write(),
            OpKind::Map { op, .. } => op.is_write(),
        }
    }

    /// Calls `f` on every operand value, stopping at the first error.
    pub(crate) fn try_for_each_operand<E>(
        &self,
        mut f: impl FnMut(&Value) -> Result<(), E>,
    ) -> Result<(), E> {
        match &self.kind {
            OpKind::Put(b) | OpKind::Add(b) | OpKind::Append(b) | OpKind::Prepend(b) => f(&b.value),
            OpKind::List { op, .. } => op.try_for_each_operand(f),
            OpKind::Map { op, .. } => op.try_for_each_operand(f),
            OpKind::Get
            | OpKind::GetBin(_)
            | OpKind::GetHeader
            | OpKind::Touch
            | OpKind::Delete => Ok(()),
        }
    }

    /// Moves every operand value out (leaving nil).
    fn take_operands(&mut self, out: &mut impl FnMut(Value)) {
        match &mut self.kind {
            OpKind::Put(b) | OpKind::Add(b) | OpKind::Append(b) | OpKind::Prepend(b) => {
                out(std::mem::take(&mut b.value))
            }
            OpKind::List { op, .. } => op.take_operands(out),
            OpKind::Map { op, .. } => op.take_operands(out),
            OpKind::Get
            | OpKind::GetBin(_)
            | OpKind::GetHeader
            | OpKind::Touch
            | OpKind::Delete => {}
        }
    }

    /// The bin the operation targets, if it targets one.
    pub(crate) fn bin_name(&self) -> Option<&str> {
        match &self.kind {
            OpKind::Put(b) | OpKind::Add(b) | OpKind::Append(b) | OpKind::Prepend(b) => {
                Some(&b.name)
            }
            OpKind::GetBin(name) => Some(name),
            OpKind::List { bin, .. } | OpKind::Map { bin, .. } => Some(bin),
            OpKind::Get | OpKind::GetHeader | OpKind::Touch | OpKind::Delete => None,
        }
    }
}

/// Sets `bin.name` to `bin.value`; a [`Value::Nil`] value
/// deletes the bin. Returns nothing.
///
/// # Examples
/// ```
/// use aerolite::{operations, Bin};
/// let op = operations::put(&Bin::new("name", "Ann"));
/// assert_eq!(op, op.clone());
/// ```
pub fn put(bin: &Bin) -> Operation {
    Operation::new(OpKind::Put(operand(bin)))
}

/// Reads every bin of the record (as it is at this point of the call).
pub fn get() -> Operation {
    Operation::new(OpKind::Get)
}

/// Reads the bin `name`, if it exists.
///
/// # Examples
/// ```
/// use aerolite::operations;
/// assert_eq!(operations::get_bin("a"), operations::get_bin("a"));
/// assert_ne!(operations::get_bin("a"), operations::get_bin("b"));
/// ```
pub fn get_bin(name: &str) -> Operation {
    Operation::new(OpKind::GetBin(name.to_owned()))
}

/// Reads only the record header (generation and expiration); adds no bins.
pub fn get_header() -> Operation {
    Operation::new(OpKind::GetHeader)
}

/// Adds `bin.value` (an int or a float) to the bin; a missing bin is created
/// with the operand. Int + int wraps; int and float never mix. Returns
/// nothing.
///
/// # Examples
/// ```
/// use aerolite::{operations, Bin};
/// let op = operations::add(&Bin::new("count", 1));
/// assert_ne!(op, operations::add(&Bin::new("count", 2)));
/// ```
pub fn add(bin: &Bin) -> Operation {
    Operation::new(OpKind::Add(operand(bin)))
}

/// Appends `bin.value` to a string bin (string operand) or a blob bin (blob
/// operand); a missing bin is created with the operand. Returns nothing.
pub fn append(bin: &Bin) -> Operation {
    Operation::new(OpKind::Append(operand(bin)))
}

/// Prepends `bin.value` to a string bin (string operand) or a blob bin (blob
/// operand); a missing bin is created with the operand. Returns nothing.
pub fn prepend(bin: &Bin) -> Operation {
    Operation::new(OpKind::Prepend(operand(bin)))
}

/// Counts as a write without changing bins: generation + 1 and a new TTL.
pub fn touch() -> Operation {
    Operation::new(OpKind::Touch)
}

/// Removes every bin; later operations of the same call may add bins again.
/// If no bin remains at the end, the record is deleted.
pub fn delete() -> Operation {
    Operation::new(OpKind::Delete)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::value::Value;

    #[test]
    fn is_write_and_bin_name() {
        let b = Bin::new("a", 1);
        for op in [put(&b), add(&b), append(&b), prepend(&b), touch(), delete()] {
            assert!(op.is_write(), "{op:?}");
        }
        for op in [get(), get_bin("a"), get_header()] {
            assert!(!op.is_write(), "{op:?}");
        }
        assert!(lists::append("l", 1).is_write());
        assert!(!lists::size("l").is_write());
        assert!(maps::put("m", 1, 2).is_write());
        assert!(!maps::get_by_key("m", 1).is_write());
        assert_eq!(put(&b).bin_name(), Some("a"));
        assert_eq!(get_bin("x").bin_name(), Some("x"));
        assert_eq!(lists::size("l").bin_name(), Some("l"));
        assert_eq!(maps::size("m").bin_name(), Some("m"));
        assert_eq!(get().bin_name(), None);
        assert_eq!(delete().bin_name(), None);
    }

    #[test]
    fn constructors_keep_operands() {
        let b = Bin::new("s", "x");
        assert_eq!(put(&b).kind, OpKind::Put(b.clone()));
        assert_eq!(append(&b).kind, OpKind::Append(b.clone()));
        assert_eq!(prepend(&b).kind, OpKind::Prepend(b.clone()));
        assert_eq!(get_bin("s").kind, OpKind::GetBin("s".into()));
        assert_ne!(append(&b), prepend(&b));
        assert_eq!(
            add(&Bin::new("n", Value::Nil)).kind,
            OpKind::Add(Bin::new("n", Value::Nil))
        );
    }
}
