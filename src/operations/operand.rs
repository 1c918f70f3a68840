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
/// [`Error::BinTypeMismatch`] on any other combination.
pub(crate) fn add_values(
    bin: &str,
    what: &str,
    current: &Value,
    by: &Value,
) -> Result<Value, Error> {
    match (current, by) {
        (Value::Int(a), Value::Int(b)) => Ok(Value::Int(a.wrapping_add(*b))),
        (Value::Float(a), Value::Float(b)) => Ok(Value::Float(a + b)),
        (cur, by) => Err(Error::BinTypeMismatch {
            bin: bin.to_owned(),
            message: format!(
                "{what} with a {} operand expected a {} value, found {}",
                by.type_name(),
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
