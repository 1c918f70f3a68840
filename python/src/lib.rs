//! `aerolite` for Python: the aerospike client's record API and boto3's
//! Kinesis API over an embedded aerolite database (see `docs/python.md`).
//!
//! The native module holds the classes (`Client`, `Kinesis`, `Scan`,
//! `BatchRecords`); the exception classes and the operation helpers are
//! small Python sources (`src/py/`) run at import as the submodules
//! `aerolite.exception`, `aerolite.operations`, `aerolite.list_operations`
//! and `aerolite.map_operations`, registered in `sys.modules` so that
//! `import aerolite.operations` and `from aerolite import exception` work.

#![deny(clippy::unwrap_used, clippy::expect_used)]

mod batch;
mod client;
mod convert;
mod errors;
mod kinesis;
mod kinesis_dicts;
mod kwargs;
mod ops;
mod policy;
mod scan;

use pyo3::prelude::*;
use pyo3::types::PyModule;
use std::ffi::CString;

/// Creates a client for the database directory of `config['path']`; call
/// `connect()` on it (or use it as a context manager after `connect()`).
#[pyfunction(name = "client")]
fn make_client(config: &Bound<'_, PyAny>) -> PyResult<client::Client> {
    Ok(client::Client::new(policy::parse_config(config)?))
}

/// A boto3-style Kinesis client over its own open database: `config` as for
/// `aerolite.client` (`'path'` required, optional `'durability'`).
#[pyfunction(name = "kinesis")]
fn make_kinesis(py: Python<'_>, config: &Bound<'_, PyAny>) -> PyResult<kinesis::Kinesis> {
    let cfg = policy::parse_config(config)?;
    Ok(kinesis::Kinesis::new(client::open_db(py, &cfg)?))
}

/// The 20-byte RIPEMD-160 digest of `(ns, set, key)`, as a `bytearray`.
#[pyfunction]
fn calc_digest<'py>(
    py: Python<'py>,
    ns: &Bound<'py, PyAny>,
    set: &Bound<'py, PyAny>,
    key: &Bound<'py, PyAny>,
) -> PyResult<Bound<'py, PyAny>> {
    Ok(convert::digest_of(py, ns, set, key)?.into_any())
}

/// A bin value that deletes the bin when written (the aerospike client's
/// `aerospike.null()`); aerolite represents it as `None`.
#[pyfunction]
fn null(py: Python<'_>) -> PyObject {
    py.None()
}

/// Runs an embedded Python source as the module `name` and registers it in
/// `sys.modules`.
fn submodule<'py>(
    py: Python<'py>,
    source: &str,
    file: &str,
    name: &str,
) -> PyResult<Bound<'py, PyModule>> {
    let code = CString::new(source)?;
    let file = CString::new(file)?;
    let cname = CString::new(name)?;
    let m = PyModule::from_code(py, &code, &file, &cname)?;
    py.import("sys")?.getattr("modules")?.set_item(name, &m)?;
    Ok(m)
}

/// Copies the module-level constants whose names start with `prefixes`.
fn copy_constants(
    from: &Bound<'_, PyModule>,
    to: &Bound<'_, PyModule>,
    prefixes: &[&str],
) -> PyResult<()> {
    for (k, v) in from.dict().iter() {
        let k: String = k.extract()?;
        if prefixes.iter().any(|p| k.starts_with(p)) {
            to.add(k.as_str(), v)?;
        }
    }
    Ok(())
}

#[pymodule]
fn aerolite(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;

    let exception = submodule(
        py,
        include_str!("py/exception.py"),
        "aerolite/exception.py",
        "aerolite.exception",
    )?;
    let kerrors = submodule(
        py,
        include_str!("py/kinesis_errors.py"),
        "aerolite/_kinesis_errors.py",
        "aerolite._kinesis_errors",
    )?;
    let operations = submodule(
        py,
        include_str!("py/operations.py"),
        "aerolite/operations.py",
        "aerolite.operations",
    )?;
    let lists = submodule(
        py,
        include_str!("py/list_operations.py"),
        "aerolite/list_operations.py",
        "aerolite.list_operations",
    )?;
    let maps = submodule(
        py,
        include_str!("py/map_operations.py"),
        "aerolite/map_operations.py",
        "aerolite.map_operations",
    )?;
    errors::install(py, &exception, &kerrors);
    for (name, sub) in [
        ("exception", &exception),
        ("_kinesis_errors", &kerrors),
        ("operations", &operations),
        ("list_operations", &lists),
        ("map_operations", &maps),
    ] {
        m.add(name, sub)?;
    }
    copy_constants(&operations, m, &["OPERATOR_"])?;
    copy_constants(&lists, m, &["OP_LIST_"])?;
    copy_constants(&maps, m, &["OP_MAP_", "MAP_RETURN_"])?;
    m.add("KinesisError", kerrors.getattr("KinesisError")?)?;
    m.add(
        "ParamValidationError",
        kerrors.getattr("ParamValidationError")?,
    )?;

    for (name, value) in [
        ("POLICY_KEY_DIGEST", policy::POLICY_KEY_DIGEST),
        ("POLICY_KEY_SEND", policy::POLICY_KEY_SEND),
        ("POLICY_EXISTS_IGNORE", policy::POLICY_EXISTS_IGNORE),
        ("POLICY_EXISTS_CREATE", policy::POLICY_EXISTS_CREATE),
        ("POLICY_EXISTS_UPDATE", policy::POLICY_EXISTS_UPDATE),
        ("POLICY_EXISTS_REPLACE", policy::POLICY_EXISTS_REPLACE),
        (
            "POLICY_EXISTS_CREATE_OR_REPLACE",
            policy::POLICY_EXISTS_CREATE_OR_REPLACE,
        ),
        ("POLICY_GEN_IGNORE", policy::POLICY_GEN_IGNORE),
        ("POLICY_GEN_EQ", policy::POLICY_GEN_EQ),
        ("POLICY_GEN_GT", policy::POLICY_GEN_GT),
        ("POLICY_COMMIT_LEVEL_ALL", policy::POLICY_COMMIT_LEVEL_ALL),
        (
            "POLICY_COMMIT_LEVEL_MASTER",
            policy::POLICY_COMMIT_LEVEL_MASTER,
        ),
        ("POLICY_RETRY_NONE", policy::POLICY_RETRY_NONE),
        ("POLICY_RETRY_ONCE", policy::POLICY_RETRY_ONCE),
        ("TTL_NAMESPACE_DEFAULT", policy::TTL_NAMESPACE_DEFAULT),
        ("TTL_NEVER_EXPIRE", policy::TTL_NEVER_EXPIRE),
        ("TTL_DONT_UPDATE", policy::TTL_DONT_UPDATE),
        ("TTL_CLIENT_DEFAULT", policy::TTL_CLIENT_DEFAULT),
    ] {
        m.add(name, value)?;
    }

    m.add_class::<client::Client>()?;
    m.add_class::<kinesis::Kinesis>()?;
    m.add_class::<scan::Scan>()?;
    m.add_class::<batch::BatchRecord>()?;
    m.add_class::<batch::BatchRecords>()?;
    m.add_function(wrap_pyfunction!(make_client, m)?)?;
    m.add_function(wrap_pyfunction!(make_kinesis, m)?)?;
    m.add_function(wrap_pyfunction!(calc_digest, m)?)?;
    m.add_function(wrap_pyfunction!(null, m)?)?;
    Ok(())
}
