//! `qoder_cloud._native`: the PyO3 layer of the Python package.
//!
//! The binding is deliberately thin: every entry point converts its arguments, calls one core
//! function, maps a core [`qoder_cloud::Error`] onto the Python exception hierarchy, and converts
//! the result. The pure-Python package (`python/qoder_cloud`) builds the user-facing namespaces
//! from [`operations`], so every operation of the core is reachable from both clients.
//!
//! One multi-thread Tokio runtime ([`runtime::runtime`]) serves every client, and results reach
//! asyncio through [`bridge`], so an `AsyncClient` keeps working across threads and across
//! successive `asyncio.run()` loops.

use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};

mod args;
mod bridge;
mod client;
mod convert;
mod emulator;
mod errors;
mod handoff;
mod logging;
mod model;
mod out;
mod page;
mod pyjson;
mod runtime;
mod stream;
mod tools;
mod transfer;
mod turn;
mod worker;

/// The operation table of the core, as a list of dicts (one per operation).
///
/// Keys: `name`, `namespace`, `method_name`, `http_method`, `path`, `path_params`, `query`,
/// `headers`, `body`, `body_fields`, `required`, `response`, `retry`.
/// The per-call options (`stream=True`: the stream options) as `(name, kind)` pairs, from the
/// core's option table.
#[pyfunction]
fn call_options(stream: bool) -> Vec<(String, &'static str)> {
    qoder_cloud::options::call_option_kinds(qoder_cloud::options::Casing::Snake, stream)
}

#[pyfunction]
fn operations(py: Python<'_>) -> PyResult<Bound<'_, PyList>> {
    let out = PyList::empty(py);
    for op in qoder_cloud::operations::operations() {
        let d = PyDict::new(py);
        d.set_item("name", &op.name)?;
        d.set_item("namespace", op.namespace())?;
        d.set_item("method_name", op.method_name())?;
        d.set_item("http_method", &op.method)?;
        d.set_item("path", &op.path)?;
        d.set_item("path_params", op.path_params())?;
        d.set_item("query", op.query.iter().map(|q| q.arg.as_str()).collect::<Vec<_>>())?;
        d.set_item("headers", op.headers.iter().map(|h| h.arg.as_str()).collect::<Vec<_>>())?;
        d.set_item("body", body_kind(op.body))?;
        d.set_item("body_fields", &op.body_fields)?;
        d.set_item("required", &op.required)?;
        d.set_item("response", response_kind(op.response))?;
        d.set_item("retry", op.retry.as_deref())?;
        d.set_item("result", op.result.as_deref())?;
        out.append(d)?;
    }
    Ok(out)
}

pub(crate) fn body_kind(b: qoder_cloud::operations::BodyKind) -> &'static str {
    use qoder_cloud::operations::BodyKind::*;
    match b {
        None => "none",
        Json => "json",
        MultipartFile => "multipart_file",
        MultipartSkill => "multipart_skill",
    }
}

pub(crate) fn response_kind(r: qoder_cloud::operations::ResponseKind) -> &'static str {
    use qoder_cloud::operations::ResponseKind::*;
    match r {
        Object => "object",
        OptionalObject => "optional_object",
        Page => "page",
        ModelsPage => "models_page",
        Stream => "stream",
        Binary => "binary",
        DownloadLink => "download_link",
    }
}

/// Wires the pure-Python side into the native module (called once from `qoder_cloud/__init__.py`).
///
/// - `exceptions`: maps class names (`"NotFoundError"`, ...) to the exception classes;
/// - `models`: maps an object's `type` field (`"agent"`) to the model class to build;
/// - `plain_fields`: field names whose object values stay plain dicts (`metadata`, `input`, ...);
/// - `logger`: the `logging.Logger` that receives request/retry/reconnect records.
#[pyfunction]
#[pyo3(signature = (*, exceptions, models, plain_fields, logger))]
fn _configure(
    py: Python<'_>,
    exceptions: Bound<'_, PyDict>,
    models: Bound<'_, PyDict>,
    plain_fields: Vec<String>,
    logger: Bound<'_, PyAny>,
) -> PyResult<()> {
    errors::configure(py, exceptions)?;
    model::configure(py, models, plain_fields)?;
    logging::configure(py, logger)?;
    Ok(())
}

/// Lower-case hex SHA-256 of `content`: the `content_sha256` precondition of memory updates and
/// deletes, computed as the server does (for the content you last read).
#[pyfunction]
fn content_sha256(content: &str) -> String {
    qoder_cloud::memory::content_sha256(content)
}

/// A checked `custom` tool definition (a dict): see `qoder_cloud.custom_tool`.
#[pyfunction]
fn custom_tool<'py>(
    py: Python<'py>,
    name: &str,
    description: &str,
    input_schema: Bound<'py, PyAny>,
) -> PyResult<Bound<'py, PyAny>> {
    let schema = convert::to_value(&input_schema, "input_schema")?;
    match qoder_cloud::tools::custom_tool(name, description, schema) {
        Ok(v) => pyjson::to_plain(py, &v),
        Err(e) => Err(errors::to_pyerr(py, &e)),
    }
}

/// Panics inside the runtime (`is_async`: in an awaitable; else in a blocking call), to test
/// that a Rust panic surfaces as `QoderError` rather than crashing or escaping as `BaseException`.
#[pyfunction]
fn _test_panic(py: Python<'_>, is_async: bool) -> PyResult<Bound<'_, PyAny>> {
    let fut = async {
        if std::hint::black_box(true) {
            panic!("deliberate test panic");
        }
        out::Out::StopAsync
    };
    bridge::finish(py, is_async, fut)
}

#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add("CORE_VERSION", qoder_cloud::VERSION)?;
    convert::set_model_json(model::json_of);
    m.add_function(wrap_pyfunction!(operations, m)?)?;
    m.add_function(wrap_pyfunction!(call_options, m)?)?;
    m.add_function(wrap_pyfunction!(content_sha256, m)?)?;
    m.add_function(wrap_pyfunction!(custom_tool, m)?)?;
    m.add_function(wrap_pyfunction!(bridge::_at_exit, m)?)?;
    m.add_function(wrap_pyfunction!(_configure, m)?)?;
    m.add_function(wrap_pyfunction!(logging::_flush_logs, m)?)?;
    m.add_function(wrap_pyfunction!(_test_panic, m)?)?;
    m.add_class::<emulator::EmulatorProcess>()?;
    m.add_class::<model::Model>()?;
    m.add_class::<model::Event>()?;
    m.add_class::<model::Ready>()?;
    m.add_class::<client::NativeClient>()?;
    m.add_class::<page::NativePage>()?;
    m.add_class::<stream::EventStream>()?;
    // One class serves `async for` and `for`; the async name is kept for isinstance checks.
    m.add("AsyncEventStream", m.getattr("EventStream")?)?;
    m.add_class::<transfer::BinaryResponse>()?;
    m.add("AsyncBinaryResponse", m.getattr("BinaryResponse")?)?;
    m.add_class::<turn::DeltaAccumulator>()?;
    m.add_class::<worker::NativeWorker>()?;
    m.add_class::<worker::WorkContext>()?;
    Ok(())
}
