//! Operand helpers shared by the bin, list and map operations. This module
//! depends on none of them, so `exec` ↔ `lists`/`maps` form no cycle.

use crate::error::Error;
use crate::value::Value;

/// Checks that an `add`/increment operand is an int or a float.
pub(crate) fn check_numeric_operand(what: &str, by: &Value) -> Result<(), Error> {
    match by {
        Value::Int(_) | Value::Float(_) => Ok(()),
        other => Err(Error::ParameterError(format!(
            "{what} needs an int or float operand, got {}",
            other.type_name()
        ))),
    }
}

/// Adds `by` to `current`: int + int (wrapping) or float + float.
///
/// # Errors
/// [`Error::BinTypeMismatch`] on any other combination, including a
/// non-numeric operand (Aerospike judges the (bin, operand) pair).
pub(crate) fn add_values(
    bin: &str,
    what: &str,
    current: &Value,
    by: &Value,
) -> Result<Value, Error> {
    match (current, by) {
        (Value::Int(a), Value::Int(b)) => Ok(Value::Int(a.wrapping_add(*b))),
        (Value::Float(a), Value::Float(b)) => Ok(Value::Float(a + b)),
        (cur, by @ (Value::Int(_) | Value::Float(_))) => Err(Error::BinTypeMismatch {
            bin: bin.to_owned(),
            message: format!(
                "{what} with a {} operand expected a {} value, found {}",
                by.type_name(),
                by.type_name(),
                cur.type_name()
            ),
        }),
        (cur, by) => Err(Error::BinTypeMismatch {
            bin: bin.to_owned(),
            message: format!(
                "{what} adds an int or float to a value of the same type; \
                 a {} operand cannot be added to the {} found",
                by.type_name(),
                cur.type_name()
            ),
        }),
    }
}

/// A value as a list size or count.
pub(crate) fn count_value(n: usize) -> Value {
    Value::Int(i64::try_from(n).unwrap_or(i64::MAX))
}

/// Bytes one [`Value`] takes in memory before its heap data.
const VALUE_BYTES: u64 = std::mem::size_of::<Value>() as u64;

/// How many times the namespace's `max_record_size` one operate call may
/// build or copy, in estimated bytes of memory.
pub(crate) const WORK_FACTOR: u64 = 64;

/// Bounds the work and memory of one operate call by the namespace's
/// `max_record_size`: every operation is charged, before it allocates, for
/// what it builds, copies or shifts (in estimated bytes of memory).
#[derive(Debug)]
pub(crate) struct Budget {
    max_record_size: u64,
    limit: u64,
    used: u64,
}

impl Budget {
    /// The budget of one call to a namespace whose records are at most
    /// `max_record_size` bytes.
    pub(crate) fn new(max_record_size: u32) -> Budget {
        let max_record_size = u64::from(max_record_size);
        Budget {
            max_record_size,
            limit: WORK_FACTOR.saturating_mul(max_record_size.max(1024)),
            used: 0,
        }
    }

    /// Charges `bytes` of work.
    ///
    /// # Errors
    /// [`Error::ParameterError`] once the call has used its budget.
    pub(crate) fn charge(&mut self, bytes: u64) -> Result<(), Error> {
        self.used = self.used.saturating_add(bytes);
        if self.used > self.limit {
            return Err(Error::ParameterError(format!(
                "this operate call builds or copies too much: more than {} bytes \
                 ({WORK_FACTOR} times the namespace's max_record_size); split it into smaller calls",
                self.limit
            )));
        }
        Ok(())
    }

    /// Charges `n` values, without heap data (nils, shifted list items).
    pub(crate) fn charge_items(&mut self, n: usize) -> Result<(), Error> {
        self.charge((n as u64).saturating_mul(VALUE_BYTES))
    }

    /// Charges a copy of `v`.
    pub(crate) fn charge_value(&mut self, v: &Value) -> Result<(), Error> {
        let left = self.limit.saturating_sub(self.used);
        self.charge(mem_size(v, left))
    }

    /// Refuses a list that would hold `items` items: every item takes at
    /// least one byte in a record, so it could never be stored.
    ///
    /// # Errors
    /// [`Error::RecordTooBig`].
    pub(crate) fn check_items(&self, items: usize) -> Result<(), Error> {
        let items = items as u64;
        if items > self.max_record_size {
            return Err(Error::RecordTooBig {
                size: items,
                limit: self.max_record_size,
            });
        }
        Ok(())
    }
}

/// The estimated memory of `v` (values plus their heap data); stops
/// counting once past `cap`. Iterative, so any depth is fine.
pub(crate) fn mem_size(v: &Value, cap: u64) -> u64 {
    let mut total = 0u64;
    let mut stack = vec![v];
    while let Some(v) = stack.pop() {
        total = total.saturating_add(VALUE_BYTES);
        match v {
            Value::String(s) => total = total.saturating_add(s.len() as u64),
            Value::Blob(b) => total = total.saturating_add(b.len() as u64),
            Value::List(items) => {
                for item in items {
                    match item {
                        Value::List(_) | Value::Map(_) => stack.push(item),
                        scalar => total = total.saturating_add(scalar_size(scalar)),
                    }
                }
            }
            Value::Map(m) => {
                for (k, item) in m {
                    stack.push(k);
                    stack.push(item);
                }
            }
            Value::Nil | Value::Bool(_) | Value::Int(_) | Value::Float(_) => {}
        }
        if total > cap {
            break;
        }
    }
    total
}

fn scalar_size(v: &Value) -> u64 {
    VALUE_BYTES
        + match v {
            Value::String(s) => s.len() as u64,
            Value::Blob(b) => b.len() as u64,
            _ => 0,
        }
}
