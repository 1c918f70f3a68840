//! Turning engine errors and bad arguments into the Python exceptions of
//! `aerolite.exception` (the aerospike client's) and of `kinesis.exceptions`
//! (botocore's shape).

use engine::Error;
use pyo3::prelude::*;
use pyo3::sync::GILOnceCell;
use pyo3::types::{PyDict, PyModule};

static EXCEPTION_MODULE: GILOnceCell<Py<PyModule>> = GILOnceCell::new();
static KINESIS_MODULE: GILOnceCell<Py<PyModule>> = GILOnceCell::new();

/// Remembers the two Python modules that define the exception classes.
pub(crate) fn install(
    py: Python<'_>,
    exception: &Bound<'_, PyModule>,
    kinesis: &Bound<'_, PyModule>,
) {
    let _ = EXCEPTION_MODULE.set(py, exception.clone().unbind());
    let _ = KINESIS_MODULE.set(py, kinesis.clone().unbind());
}

fn module<'py>(
    py: Python<'py>,
    cell: &GILOnceCell<Py<PyModule>>,
    name: &str,
) -> PyResult<Bound<'py, PyModule>> {
    match cell.get(py) {
        Some(m) => Ok(m.bind(py).clone()),
        None => py.import(name),
    }
}

/// An instance of `aerolite.exception.<class>` with the aerospike client's
/// `args` = (code, msg, file, line, in_doubt).
pub(crate) fn aerospike_error(
    py: Python<'_>,
    class: &str,
    code: i64,
    msg: &str,
    in_doubt: bool,
) -> PyErr {
    let build = || -> PyResult<PyErr> {
        let cls = module(py, &EXCEPTION_MODULE, "aerolite.exception")?.getattr(class)?;
        let inst = cls.call1((code, msg, py.None(), py.None(), in_doubt))?;
        Ok(PyErr::from_value(inst))
    };
    build().unwrap_or_else(|e| e)
}

/// `aerolite.exception.ParamError` (code -2): bad input caught before anything is written.
pub(crate) fn param_error(msg: impl AsRef<str>) -> PyErr {
    Python::with_gil(|py| aerospike_error(py, "ParamError", -2, msg.as_ref(), false))
}

/// `aerolite.exception.ClusterError` (code 11): the client is not connected.
pub(crate) fn not_connected() -> PyErr {
    Python::with_gil(|py| {
        aerospike_error(
            py,
            "ClusterError",
            11,
            "No connection to the database: call connect() first (or the client was closed)",
            false,
        )
    })
}

/// The aerospike exception class and code for an engine error.
pub(crate) fn classify(e: &Error) -> (&'static str, i64) {
    match e {
        Error::KeyNotFound => ("RecordNotFound", 2),
        Error::KeyExists => ("RecordExistsError", 5),
        Error::GenerationMismatch { .. } => ("RecordGenerationError", 3),
        Error::ParameterError(_) => ("InvalidRequest", 4),
        Error::BinTypeMismatch { .. } => ("BinIncompatibleType", 12),
        Error::KeyMismatch => ("RecordKeyMismatch", 19),
        Error::RecordTooBig { .. } => ("RecordTooBig", 13),
        Error::BinNameTooLong { .. } => ("BinNameError", 21),
        Error::InvalidNamespace(_) => ("NamespaceNotFound", 20),
        Error::StopWrites { .. } => ("ServerFull", 8),
        Error::Timeout => ("TimeoutError", 9),
        Error::ElementNotFound(_) => ("ElementNotFoundError", 23),
        Error::ElementExists(_) => ("ElementExistsError", 24),
        Error::OpNotApplicable(_) => ("OpNotApplicable", 26),
        Error::ProvisionedThroughputExceeded { .. } | Error::LimitExceeded(_) => {
            ("QuotaExceeded", 83)
        }
        Error::ResourceNotFound(_) => ("RecordNotFound", 2),
        Error::ResourceInUse(_) => ("RecordExistsError", 5),
        Error::InvalidArgument(_) | Error::ExpiredIterator => ("InvalidRequest", 4),
        _ => ("ServerError", 1),
    }
}

/// The aerospike exception for an engine error of the record API.
pub(crate) fn db_error(e: Error) -> PyErr {
    let (class, code) = classify(&e);
    // An I/O failure during a write may or may not have reached the disk.
    let in_doubt = matches!(e, Error::Io(_) | Error::Poisoned { .. });
    Python::with_gil(|py| aerospike_error(py, class, code, &e.to_string(), in_doubt))
}

/// Maps an engine result into a Python result with the aerospike exceptions.
pub(crate) trait OrRaise<T> {
    /// Converts the error with [`db_error`].
    fn or_raise(self) -> PyResult<T>;
}

impl<T> OrRaise<T> for Result<T, Error> {
    fn or_raise(self) -> PyResult<T> {
        self.map_err(db_error)
    }
}

/// The Kinesis error code (the exception class name) of an engine error.
pub(crate) fn kinesis_code(e: &Error) -> &'static str {
    match e {
        Error::ResourceNotFound(_) => "ResourceNotFoundException",
        Error::ResourceInUse(_) => "ResourceInUseException",
        Error::InvalidArgument(_) | Error::ParameterError(_) => "InvalidArgumentException",
        Error::ExpiredIterator => "ExpiredIteratorException",
        Error::ProvisionedThroughputExceeded { .. } => "ProvisionedThroughputExceededException",
        Error::LimitExceeded(_) => "LimitExceededException",
        _ => "InternalFailure",
    }
}

/// A `kinesis.exceptions.<Code>` (or `aerolite.KinesisError` for codes
/// without a class) with botocore's `response['Error']` shape.
pub(crate) fn kinesis_error(py: Python<'_>, code: &str, message: &str, operation: &str) -> PyErr {
    let build = || -> PyResult<PyErr> {
        let m = module(py, &KINESIS_MODULE, "aerolite._kinesis_errors")?;
        let cls = match m.getattr(code) {
            Ok(c) => c,
            Err(_) => m.getattr("KinesisError")?,
        };
        let error = PyDict::new(py);
        error.set_item("Code", code)?;
        error.set_item("Message", message)?;
        let meta = PyDict::new(py);
        let status = if code == "InternalFailure" { 500 } else { 400 };
        meta.set_item("HTTPStatusCode", status)?;
        let response = PyDict::new(py);
        response.set_item("Error", error)?;
        response.set_item("ResponseMetadata", meta)?;
        let inst = cls.call1((response, operation))?;
        Ok(PyErr::from_value(inst))
    };
    build().unwrap_or_else(|e| e)
}

/// The Kinesis exception for an engine error of the stream API.
pub(crate) fn kinesis_db_error(e: Error, operation: &str) -> PyErr {
    Python::with_gil(|py| kinesis_error(py, kinesis_code(&e), &e.to_string(), operation))
}

/// `aerolite.ParamValidationError`: a missing, unknown or mistyped keyword argument.
pub(crate) fn param_validation(report: &str) -> PyErr {
    Python::with_gil(|py| {
        let build = || -> PyResult<PyErr> {
            let cls = module(py, &KINESIS_MODULE, "aerolite._kinesis_errors")?
                .getattr("ParamValidationError")?;
            Ok(PyErr::from_value(cls.call1((report,))?))
        };
        build().unwrap_or_else(|e| e)
    })
}
