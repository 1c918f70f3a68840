//! The storage-independent part of `Db::operate`: validating operations and
//! applying them, in order, to a record's bins.

use super::operand::{add_values, Budget};
use super::{lists, maps, OpKind, Operation};
use crate::bin::{validate_bin_name, Bin};
use crate::codec;
use crate::error::Error;
use crate::value::Value;
use std::collections::{BTreeMap, HashMap};

/// Most operations in one `operate` call (Aerospike's limit).
pub(crate) const MAX_OPS: usize = 32768;

/// What applying a list of operations produced.
#[derive(Debug, Default)]
pub(crate) struct Outcome {
    /// Values read or returned, by bin; the last result for a bin wins.
    pub results: HashMap<String, Value>,
    /// Whether any operation is a write (including `touch()` and `delete()`):
    /// the record then gets generation + 1 and a new TTL.
    pub wrote: bool,
}

/// Checks everything that can be checked without the record: the number of
/// operations, bin names and operand types. Call it before taking any lock.
///
/// # Errors
/// [`Error::ParameterError`] for 0 or more than 32768 operations, a nil
/// `add`/`append`/`prepend` operand, a nil or non-numeric list/map increment
/// operand, an empty `lists::append_items`, or an invalid map key;
/// [`Error::BinNameTooLong`] for an invalid bin name. Other operand types of
/// `add`/`append`/`prepend` are judged against the bin by [`execute`].
pub(crate) fn validate(ops: &[Operation]) -> Result<(), Error> {
    if ops.is_empty() || ops.len() > MAX_OPS {
        return Err(Error::ParameterError(format!(
            "operate needs 1 to {MAX_OPS} operations, got {}",
            ops.len()
        )));
    }
    ops.iter().try_for_each(validate_one)
}

fn validate_one(op: &Operation) -> Result<(), Error> {
    if let Some(name) = op.bin_name() {
        validate_bin_name(name)?;
    }
    // Before anything compares, clones or encodes an operand.
    op.try_for_each_operand(codec::check_depth)?;
    match &op.kind {
        OpKind::Add(b) => check_not_nil("add", b),
        OpKind::Append(b) => check_not_nil("append", b),
        OpKind::Prepend(b) => check_not_nil("prepend", b),
        OpKind::List { op, .. } => op.validate(),
        OpKind::Map { op, .. } => op.validate(),
        OpKind::Put(_)
        | OpKind::Get
        | OpKind::GetBin(_)
        | OpKind::GetHeader
        | OpKind::Touch
        | OpKind::Delete => Ok(()),
    }
}

/// Refuses a nil `add`/`append`/`prepend` operand. Any other operand is
/// judged with the bin it meets (as Aerospike's server does): on a missing
/// bin it creates the bin, on an existing bin the (bin, operand) pair must
/// fit, or it is [`Error::BinTypeMismatch`].
fn check_not_nil(what: &str, bin: &Bin) -> Result<(), Error> {
    if bin.value.is_nil() {
        return Err(Error::ParameterError(format!(
            "{what} on bin {:?} needs a non-nil operand",
            bin.name
        )));
    }
    Ok(())
}

/// Applies `ops` in order to `bins` (empty if the record does not exist).
///
/// On `Err` the caller must discard `bins`: earlier operations may have been
/// applied.
///
/// The caller must have run [`validate`] on `ops` first.
///
/// # Errors
/// [`Error::BinTypeMismatch`] (including an `add`/`append`/`prepend` whose
/// operand does not fit the existing bin),
/// [`Error::OpNotApplicable`] (list index out of range),
/// [`Error::ElementExists`] and [`Error::ElementNotFound`] from the
/// operations themselves.
pub(crate) fn execute(
    ops: &[Operation],
    bins: &mut BTreeMap<String, Value>,
    max_record_size: u32,
) -> Result<Outcome, Error> {
    let mut results = HashMap::new();
    let budget = &mut Budget::new(max_record_size);
    for op in ops {
        budget.charge_items(1)?;
        match &op.kind {
            OpKind::Put(b) => {
                budget.charge_value(&b.value)?;
                if b.value.is_nil() {
                    bins.remove(&b.name);
                } else {
                    bins.insert(b.name.clone(), b.value.clone());
                }
            }
            OpKind::Get => {
                for (name, value) in bins.iter() {
                    budget.charge_value(value)?;
                    results.insert(name.clone(), value.clone());
                }
            }
            OpKind::GetBin(name) => {
                if let Some(value) = bins.get(name) {
                    budget.charge_value(value)?;
                    results.insert(name.clone(), value.clone());
                }
            }
            OpKind::GetHeader | OpKind::Touch => {}
            OpKind::Delete => bins.clear(),
            OpKind::Add(b) => {
                let new = match bins.get(&b.name) {
                    // Any operand type creates the bin, as on the server.
                    None => {
                        budget.charge_value(&b.value)?;
                        b.value.clone()
                    }
                    Some(cur) => add_values(&b.name, "add", cur, &b.value)?,
                };
                bins.insert(b.name.clone(), new);
            }
            OpKind::Append(b) => concat(bins, b, false, budget)?,
            OpKind::Prepend(b) => concat(bins, b, true, budget)?,
            OpKind::List { bin, op } => {
                if let Some(v) = lists::apply(bin, op, bins, budget)? {
                    results.insert(bin.clone(), v);
                }
            }
            OpKind::Map { bin, op } => {
                if let Some(v) = maps::apply(bin, op, bins, budget)? {
                    results.insert(bin.clone(), v);
                }
            }
        }
    }
    let wrote = ops.iter().any(Operation::is_write);
    Ok(Outcome { results, wrote })
}

fn concat(
    bins: &mut BTreeMap<String, Value>,
    b: &Bin,
    prepend: bool,
    budget: &mut Budget,
) -> Result<(), Error> {
    let what = if prepend { "prepend" } else { "append" };
    // Appending copies the operand; prepending also moves the current bytes.
    budget.charge_value(&b.value)?;
    if prepend {
        if let Some(Value::String(s)) = bins.get(&b.name) {
            budget.charge(s.len() as u64)?;
        } else if let Some(Value::Blob(s)) = bins.get(&b.name) {
            budget.charge(s.len() as u64)?;
        }
    }
    match (bins.get_mut(&b.name), &b.value) {
        (None, _) => {
            bins.insert(b.name.clone(), b.value.clone());
        }
        (Some(Value::String(s)), Value::String(o)) => {
            if prepend {
                s.insert_str(0, o);
            } else {
                s.push_str(o);
            }
        }
        (Some(Value::Blob(s)), Value::Blob(o)) => {
            if prepend {
                s.splice(0..0, o.iter().copied());
            } else {
                s.extend_from_slice(o);
            }
        }
        (Some(cur), operand @ (Value::String(_) | Value::Blob(_))) => {
            return Err(Error::BinTypeMismatch {
                bin: b.name.clone(),
                message: format!(
                    "{what} with a {} operand expected a {} bin, found {}",
                    operand.type_name(),
                    operand.type_name(),
                    cur.type_name()
                ),
            });
        }
        (Some(cur), operand) => {
            return Err(Error::BinTypeMismatch {
                bin: b.name.clone(),
                message: format!(
                    "{what} joins a string to a string bin or a blob to a blob bin; \
                     a {} operand cannot be joined to the {} found",
                    operand.type_name(),
                    cur.type_name()
                ),
            });
        }
    }
    Ok(())
}

/// The `max_record_size` unit tests run with (the default, 1 MiB).
#[cfg(test)]
pub(crate) const TEST_MAX_RECORD_SIZE: u32 = 1 << 20;

/// [`execute`] with the default `max_record_size`.
#[cfg(test)]
pub(crate) fn test_execute(
    ops: &[Operation],
    bins: &mut BTreeMap<String, Value>,
) -> Result<Outcome, Error> {
    execute(ops, bins, TEST_MAX_RECORD_SIZE)
}

/// Validates and runs one op on `bins`; returns its result for its bin.
#[cfg(test)]
pub(crate) fn run_one(
    op: Operation,
    bins: &mut BTreeMap<String, Value>,
) -> Result<Option<Value>, Error> {
    let name = op.bin_name().unwrap_or_default().to_owned();
    validate(std::slice::from_ref(&op))?;
    execute(&[op], bins, TEST_MAX_RECORD_SIZE).map(|mut out| out.results.remove(&name))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What `Db::operate` does: validate, then execute.
    fn execute(ops: &[Operation], bins: &mut BTreeMap<String, Value>) -> Result<Outcome, Error> {
        validate(ops)?;
        super::execute(ops, bins, TEST_MAX_RECORD_SIZE)
    }
    use crate::operations::{self as ops, lists, maps};

    fn bins_of(pairs: &[(&str, Value)]) -> BTreeMap<String, Value> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), v.clone()))
            .collect()
    }

    fn results_of(pairs: &[(&str, Value)]) -> HashMap<String, Value> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), v.clone()))
            .collect()
    }

    #[test]
    fn add_builds_up_and_reads_see_it() {
        let mut bins = BTreeMap::new();
        let out = execute(&[ops::add(&Bin::new("n", 10))], &mut bins).unwrap();
        assert!(out.results.is_empty());
        assert!(out.wrote);
        assert_eq!(bins, bins_of(&[("n", Value::Int(10))]));
        execute(&[ops::add(&Bin::new("n", 5))], &mut bins).unwrap();
        assert_eq!(bins, bins_of(&[("n", Value::Int(15))]));
        let out = execute(
            &[ops::add(&Bin::new("n", 30)), ops::get_bin("n")],
            &mut bins,
        )
        .unwrap();
        assert_eq!(out.results, results_of(&[("n", Value::Int(45))]));
    }

    #[test]
    fn add_wraps_and_adds_floats() {
        let mut bins = bins_of(&[("i", Value::Int(i64::MAX)), ("f", Value::Float(1.5))]);
        execute(
            &[ops::add(&Bin::new("i", 1)), ops::add(&Bin::new("f", 0.25))],
            &mut bins,
        )
        .unwrap();
        assert_eq!(
            bins,
            bins_of(&[("i", Value::Int(i64::MIN)), ("f", Value::Float(1.75))])
        );
    }

    #[test]
    fn add_type_errors() {
        let mut bins = bins_of(&[
            ("s", Value::from("x")),
            ("i", Value::Int(1)),
            ("f", Value::Float(1.0)),
        ]);
        for (bin, operand, found) in [
            ("s", Value::Int(1), "string"),
            ("i", Value::Float(1.0), "int"),
            ("f", Value::Int(1), "float"),
        ] {
            match execute(&[ops::add(&Bin::new(bin, operand))], &mut bins) {
                Err(Error::BinTypeMismatch { bin: b, message }) => {
                    assert_eq!(b, bin);
                    assert!(message.contains(found), "{message}");
                }
                other => panic!("unexpected {other:?}"),
            }
        }
        for operand in [Value::from("1"), crate::as_list!(1)] {
            let r = execute(&[ops::add(&Bin::new("i", operand))], &mut bins);
            assert!(matches!(r, Err(Error::BinTypeMismatch { .. })), "{r:?}");
        }
        let r = execute(&[ops::add(&Bin::new("i", Value::Nil))], &mut bins);
        assert!(matches!(r, Err(Error::ParameterError(_))), "{r:?}");
        // On a missing bin any operand creates the bin.
        execute(&[ops::add(&Bin::new("new", "s"))], &mut bins).unwrap();
        assert_eq!(bins["new"], Value::from("s"));
    }

    #[test]
    fn read_delete_put_in_order() {
        let mut bins = bins_of(&[("a", Value::Int(1)), ("c", Value::Int(3))]);
        let out = execute(
            &[
                ops::get_bin("a"),
                ops::delete(),
                ops::put(&Bin::new("b", "new")),
            ],
            &mut bins,
        )
        .unwrap();
        assert_eq!(out.results, results_of(&[("a", Value::Int(1))]));
        assert_eq!(bins, bins_of(&[("b", Value::from("new"))]));
        assert!(out.wrote);
    }

    #[test]
    fn get_and_put_nil() {
        let mut bins = bins_of(&[("a", Value::Int(1)), ("b", Value::Int(2))]);
        let out = execute(
            &[
                ops::put(&Bin::new("a", Value::Nil)),
                ops::put(&Bin::new("x", Value::Nil)),
                ops::get(),
                ops::get_bin("missing"),
                ops::get_header(),
            ],
            &mut bins,
        )
        .unwrap();
        assert_eq!(out.results, results_of(&[("b", Value::Int(2))]));
        assert_eq!(bins, bins_of(&[("b", Value::Int(2))]));
    }

    #[test]
    fn read_only_and_touch_flags() {
        let mut bins = bins_of(&[("a", Value::Int(1))]);
        let out = execute(
            &[ops::get(), ops::get_header(), lists::size("a")],
            &mut bins,
        );
        assert!(matches!(out, Err(Error::BinTypeMismatch { .. })));
        let out = execute(&[ops::get(), ops::get_header()], &mut bins).unwrap();
        assert!(!out.wrote);
        let out = execute(&[ops::touch()], &mut bins).unwrap();
        assert!(out.wrote && out.results.is_empty());
        assert_eq!(bins, bins_of(&[("a", Value::Int(1))]));
        let out = execute(&[maps::size("m"), lists::get("l", 0)], &mut bins).unwrap();
        assert!(!out.wrote);
        assert_eq!(
            out.results,
            results_of(&[("m", Value::Nil), ("l", Value::Nil)])
        );
    }

    #[test]
    fn append_prepend_strings_and_blobs() {
        let mut bins = BTreeMap::new();
        execute(
            &[
                ops::append(&Bin::new("s", "lo")),
                ops::append(&Bin::new("s", " World")),
                ops::prepend(&Bin::new("s", "Hel")),
                ops::prepend(&Bin::new("b", vec![3u8])),
                ops::append(&Bin::new("b", vec![4u8])),
                ops::prepend(&Bin::new("b", vec![1u8, 2])),
            ],
            &mut bins,
        )
        .unwrap();
        assert_eq!(
            bins,
            bins_of(&[
                ("s", Value::from("Hello World")),
                ("b", Value::Blob(vec![1, 2, 3, 4])),
            ])
        );
        for op in [
            ops::append(&Bin::new("s", vec![1u8])),
            ops::prepend(&Bin::new("b", "x")),
            ops::append(&Bin::new("s", 1)),
        ] {
            let r = execute(&[op], &mut bins);
            assert!(matches!(r, Err(Error::BinTypeMismatch { .. })), "{r:?}");
        }
        let mut ints = bins_of(&[("i", Value::Int(1))]);
        let r = execute(&[ops::append(&Bin::new("i", "x"))], &mut ints);
        match r {
            Err(Error::BinTypeMismatch { bin, message }) => {
                assert_eq!(bin, "i");
                assert!(message.contains("found int"), "{message}");
            }
            other => panic!("unexpected {other:?}"),
        }
        let r = execute(&[ops::append(&Bin::new("s", Value::Nil))], &mut bins);
        assert!(matches!(r, Err(Error::ParameterError(_))), "{r:?}");
    }

    #[test]
    fn validate_limits() {
        match validate(&[]) {
            Err(Error::ParameterError(m)) => assert!(m.contains("got 0"), "{m}"),
            other => panic!("unexpected {other:?}"),
        }
        let max = vec![ops::touch(); MAX_OPS];
        assert!(validate(&max).is_ok());
        let too_many = vec![ops::touch(); MAX_OPS + 1];
        match validate(&too_many) {
            Err(Error::ParameterError(m)) => assert!(m.contains("32769"), "{m}"),
            other => panic!("unexpected {other:?}"),
        }
        for bad in ["sixteen-bytes-xx", "a\0"] {
            for op in [
                ops::put(&Bin::new(bad, 1)),
                ops::get_bin(bad),
                lists::size(bad),
                maps::size(bad),
            ] {
                let r = validate(&[ops::get(), op]);
                assert!(matches!(r, Err(Error::BinNameTooLong { .. })), "{r:?}");
            }
        }
        let mut bins = BTreeMap::new();
        let r = execute(&[], &mut bins);
        assert!(matches!(r, Err(Error::ParameterError(_))));
    }
}
