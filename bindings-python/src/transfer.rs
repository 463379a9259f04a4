//! Uploads (files, skills) and downloads (file content, skill archives).

use std::path::PathBuf;
use std::sync::Arc;

use bytes::Bytes;
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyByteArray, PyBytes, PyDict, PyString, PyTuple};
use qoder_cloud::download::DownloadBody;
use qoder_cloud::upload::{skill_files_from_dir, SkillFile, UploadSource};
use qoder_cloud::Error;

use crate::args::split;
use crate::bridge::spawn_py;
use crate::errors::to_pyerr;
use crate::model::Ready;
use crate::out::Out;
use crate::runtime::block_on;

fn fspath(py: Python<'_>, v: &Bound<'_, PyAny>) -> PyResult<Option<PathBuf>> {
    if v.is_instance_of::<PyString>() || v.hasattr(pyo3::intern!(py, "__fspath__"))? {
        let s = py.import("os")?.call_method1("fspath", (v,))?;
        if let Ok(s) = s.extract::<String>() {
            return Ok(Some(PathBuf::from(s)));
        }
        return Err(PyTypeError::new_err("file paths must be str (not bytes)"));
    }
    Ok(None)
}

fn bytes_of(v: &Bound<'_, PyAny>) -> Option<Bytes> {
    if let Ok(b) = v.cast::<PyBytes>() {
        return Some(Bytes::copy_from_slice(b.as_bytes()));
    }
    if let Ok(b) = v.cast::<PyByteArray>() {
        return Some(Bytes::from(b.to_vec()));
    }
    None
}

/// A Python file argument: a path (`str`/`PathLike`), `bytes`, a binary file object, or a
/// `(filename, content)` tuple. Returns the source and the filename to report, if explicit.
fn upload_source(py: Python<'_>, v: &Bound<'_, PyAny>, param: &str) -> PyResult<(UploadSource, Option<String>)> {
    if let Ok(t) = v.cast::<PyTuple>() {
        if t.len() < 2 {
            return Err(PyTypeError::new_err(format!("{param}: expected (filename, content[, content_type])")));
        }
        let name: String =
            t.get_item(0)?.extract().map_err(|_| PyTypeError::new_err(format!("{param}: filename must be a str")))?;
        let (src, _) = upload_source(py, &t.get_item(1)?, param)?;
        let src = match src {
            UploadSource::Bytes { data, .. } => UploadSource::Bytes { data, filename: name.clone() },
            other => other,
        };
        return Ok((src, Some(name)));
    }
    if let Some(p) = fspath(py, v)? {
        return Ok((UploadSource::Path(p), None));
    }
    if let Some(data) = bytes_of(v) {
        return Ok((UploadSource::Bytes { data, filename: "file".into() }, None));
    }
    if v.hasattr(pyo3::intern!(py, "read"))? {
        let content = v.call_method0(pyo3::intern!(py, "read"))?;
        let data = match bytes_of(&content) {
            Some(d) => d,
            None => match content.extract::<String>() {
                Ok(s) => Bytes::from(s.into_bytes()),
                Err(_) => return Err(PyTypeError::new_err(format!("{param}: read() returned neither bytes nor str"))),
            },
        };
        let name = v
            .getattr(pyo3::intern!(py, "name"))
            .ok()
            .and_then(|n| n.extract::<String>().ok())
            .and_then(|n| std::path::Path::new(&n).file_name().map(|f| f.to_string_lossy().into_owned()));
        let filename = name.clone().unwrap_or_else(|| "file".into());
        return Ok((UploadSource::Bytes { data, filename }, name));
    }
    Err(PyTypeError::new_err(format!(
        "{param}: expected a path, bytes, a binary file object or a (filename, content) tuple, got {}",
        crate::convert::type_name(v)
    )))
}

/// The files of a skill: `files=[...]` entries (tuples `(path_in_skill, content)` or paths) or
/// `directory=<path>` (every file under it, named `<dir name>/<relative path>`).
fn skill_files(py: Python<'_>, kwargs: &Bound<'_, PyDict>) -> PyResult<Vec<SkillFile>> {
    if let Some(dir) = kwargs.get_item("directory")? {
        kwargs.del_item("directory")?;
        if !dir.is_none() {
            let p = fspath(py, &dir)?.ok_or_else(|| PyTypeError::new_err("directory: expected a path"))?;
            return skill_files_from_dir(&p).map_err(|e| to_pyerr(py, &e));
        }
    }
    let Some(files) = kwargs.get_item("files")? else {
        return Err(to_pyerr(
            py,
            &Error::invalid_argument("files", "missing required argument `files` (or `directory`)"),
        ));
    };
    kwargs.del_item("files")?;
    let mut out = Vec::new();
    for (i, item) in files.try_iter()?.enumerate() {
        let item = item?;
        let param = format!("files[{i}]");
        let (source, name) = upload_source(py, &item, &param)?;
        let path = match (name, &source) {
            (Some(n), _) => n,
            (None, UploadSource::Path(p)) => qoder_cloud::download::skill_path_of(p),
            (None, UploadSource::Bytes { .. }) => {
                return Err(PyTypeError::new_err(format!("{param}: pass bytes as (path_in_skill, bytes)")));
            }
        };
        out.push(SkillFile { path, source });
    }
    Ok(out)
}

struct UploadFile {
    source: UploadSource,
    args: serde_json::Value,
    opts: qoder_cloud::RequestOptions,
}

fn prepare_file(py: Python<'_>, kwargs: &Bound<'_, PyDict>) -> PyResult<UploadFile> {
    let kwargs = kwargs.copy()?;
    let Some(file) = kwargs.get_item("file")? else {
        return Err(to_pyerr(py, &Error::invalid_argument("file", "missing required argument `file`")));
    };
    kwargs.del_item("file")?;
    let (source, name) = upload_source(py, &file, "file")?;
    if let Some(n) = name {
        if kwargs.get_item("filename")?.is_none() {
            kwargs.set_item("filename", n)?;
        }
    }
    let s = split(py, &kwargs, false)?;
    Ok(UploadFile { source, args: s.args, opts: s.opts })
}

struct UploadSkill {
    files: Vec<SkillFile>,
    /// `zip=`: one archive instead of individual files.
    zip: Option<UploadSource>,
    args: serde_json::Value,
    opts: qoder_cloud::RequestOptions,
}

fn prepare_skill(py: Python<'_>, kwargs: &Bound<'_, PyDict>) -> PyResult<UploadSkill> {
    let kwargs = kwargs.copy()?;
    let mut zip = None;
    let mut files = Vec::new();
    match kwargs.get_item("zip")? {
        Some(z) if !z.is_none() => {
            kwargs.del_item("zip")?;
            let (source, name) = upload_source(py, &z, "zip")?;
            zip = Some(match (name, source) {
                (Some(n), UploadSource::Bytes { data, .. }) => UploadSource::Bytes { data, filename: n },
                (_, other) => other,
            });
        }
        Some(_) => kwargs.del_item("zip")?,
        None => {}
    }
    if zip.is_none() {
        files = skill_files(py, &kwargs)?;
    }
    let s = split(py, &kwargs, false)?;
    Ok(UploadSkill { files, zip, args: s.args, opts: s.opts })
}

pub enum DownloadTarget {
    File(String),
    SkillVersion(String, String),
}

fn bytes_out(r: qoder_cloud::Result<Bytes>) -> Out {
    r.map_or_else(Out::Err, Out::Bytes)
}

fn path_arg(py: Python<'_>, v: &Bound<'_, PyAny>) -> PyResult<PathBuf> {
    fspath(py, v)?.ok_or_else(|| PyTypeError::new_err("path: expected a str or os.PathLike"))
}

/// A download: `read()`, `write_to_file(path)`, `iter_bytes()`, `close()`, `with`. One class for
/// both clients, as `EventStream`: on the async client's (`AsyncBinaryResponse`, the same class)
/// the methods return awaitables and it iterates with `async for` / `async with`.
#[pyclass(frozen, module = "qoder_cloud._native", name = "BinaryResponse")]
pub struct BinaryResponse {
    inner: Arc<DownloadBody>,
    is_async: bool,
}

impl BinaryResponse {
    /// `fut`'s result: an awaitable of it on the async client's response, else the result.
    fn finish<'py>(
        &self,
        py: Python<'py>,
        fut: impl std::future::Future<Output = Out> + Send + 'static,
    ) -> PyResult<Bound<'py, PyAny>> {
        crate::bridge::finish(py, self.is_async, fut)
    }

    /// Refuses iteration of the other kind (`for` over an async response, or the reverse).
    fn mode(&self, is_async: bool) -> PyResult<()> {
        match (self.is_async, is_async) {
            (true, false) => Err(PyTypeError::new_err("the async client's download iterates with `async for`")),
            (false, true) => Err(PyTypeError::new_err("the sync client's download iterates with `for`")),
            _ => Ok(()),
        }
    }
}

#[pymethods]
impl BinaryResponse {
    /// The whole body.
    fn read<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let body = self.inner.clone();
        self.finish(py, async move { bytes_out(body.bytes().await) })
    }
    /// Streams the body into a file (written under a temporary name, then renamed); returns the size.
    fn write_to_file<'py>(&self, py: Python<'py>, path: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
        let p = path_arg(py, path)?;
        let body = self.inner.clone();
        self.finish(py, async move { body.save(&p).await.map_or_else(Out::Err, Out::Count) })
    }
    /// Iterates over the body in chunks as they arrive.
    fn iter_bytes(slf: PyRef<'_, Self>) -> PyRef<'_, Self> {
        slf
    }
    fn __iter__(slf: PyRef<'_, Self>) -> PyResult<PyRef<'_, Self>> {
        slf.mode(false)?;
        Ok(slf)
    }
    fn __next__<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyAny>>> {
        self.mode(false)?;
        let body = self.inner.clone();
        match block_on(py, async move { body.next_chunk().await })? {
            Ok(Some(b)) => Ok(Some(PyBytes::new(py, &b).into_any())),
            Ok(None) => Ok(None),
            Err(e) => Err(to_pyerr(py, &e)),
        }
    }
    fn __aiter__(slf: PyRef<'_, Self>) -> PyResult<PyRef<'_, Self>> {
        slf.mode(true)?;
        Ok(slf)
    }
    fn __anext__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        self.mode(true)?;
        let body = self.inner.clone();
        spawn_py(py, async move {
            match body.next_chunk().await {
                Ok(Some(b)) => Out::Bytes(b),
                Ok(None) => Out::StopAsync,
                Err(e) => Out::Err(e),
            }
        })
    }
    /// Drops the body (and the connection); an awaitable on the async client's response.
    fn close<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        self.inner.close();
        if self.is_async {
            Ready::none(py)
        } else {
            Ok(py.None().into_bound(py))
        }
    }
    fn __enter__(slf: PyRef<'_, Self>) -> PyRef<'_, Self> {
        slf
    }
    #[pyo3(signature = (*_exc))]
    fn __exit__(&self, _exc: &Bound<'_, PyTuple>) -> bool {
        self.inner.close();
        false
    }
    fn __aenter__<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyAny>> {
        Ready::of(slf.py(), slf.clone().into_any())
    }
    #[pyo3(signature = (*_exc))]
    fn __aexit__<'py>(&self, py: Python<'py>, _exc: &Bound<'py, PyTuple>) -> PyResult<Bound<'py, PyAny>> {
        self.inner.close();
        Ready::of(py, false.into_pyobject(py)?.to_owned().into_any())
    }
    #[getter]
    fn content_type(&self) -> Option<String> {
        self.inner.content_type.clone()
    }
    #[getter]
    fn content_length(&self) -> Option<u64> {
        self.inner.content_length
    }
    #[getter]
    fn request_id(&self) -> Option<String> {
        self.inner.request_id.clone()
    }
}

#[pymethods]
impl crate::client::NativeClient {
    /// `files.upload`: `file` is a path, bytes, a binary file object or a `(filename, content)`
    /// tuple; other keywords are the form fields and call options.
    #[pyo3(signature = (kwargs, cls=None))]
    fn upload_file<'py>(
        &self,
        py: Python<'py>,
        kwargs: &Bound<'py, PyDict>,
        cls: Option<Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let client = self.client(py)?;
        let u = prepare_file(py, kwargs)?;
        let cls = cls.map(Bound::unbind);
        self.finish(py, async move { Out::object(client.upload_file(u.source, u.args, u.opts).await, cls) })
    }

    /// `skills.create` (`skill_id=None`) or `skills.versions.create`.
    #[pyo3(signature = (skill_id, kwargs, cls=None))]
    fn upload_skill<'py>(
        &self,
        py: Python<'py>,
        skill_id: Option<String>,
        kwargs: &Bound<'py, PyDict>,
        cls: Option<Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let client = self.client(py)?;
        let u = prepare_skill(py, kwargs)?;
        let cls = cls.map(Bound::unbind);
        self.finish(py, async move {
            let id = skill_id.as_deref();
            let r = match u.zip {
                Some(zip) => client.upload_skill_zip(id, zip, u.args, u.opts).await,
                None => client.upload_skill(id, u.files, u.args, u.opts).await,
            };
            Out::object(r, cls)
        })
    }

    /// `files.download`: a `BinaryResponse` (an awaitable of one on the async client).
    fn download_file<'py>(
        &self,
        py: Python<'py>,
        file_id: String,
        kwargs: &Bound<'py, PyDict>,
    ) -> PyResult<Bound<'py, PyAny>> {
        self.download(py, DownloadTarget::File(file_id), kwargs)
    }

    /// `skills.versions.download`, as `download_file`.
    fn download_skill_version<'py>(
        &self,
        py: Python<'py>,
        skill_id: String,
        version: String,
        kwargs: &Bound<'py, PyDict>,
    ) -> PyResult<Bound<'py, PyAny>> {
        self.download(py, DownloadTarget::SkillVersion(skill_id, version), kwargs)
    }
}

impl crate::client::NativeClient {
    fn download<'py>(
        &self,
        py: Python<'py>,
        target: DownloadTarget,
        kwargs: &Bound<'py, PyDict>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let client = self.client(py)?;
        let s = split(py, kwargs, false)?;
        if let Some(k) =
            s.args.as_object().and_then(|m| m.keys().find(|k| !matches!(k.as_str(), "workspace_id" | "betas")))
        {
            return Err(to_pyerr(py, &Error::invalid_argument(k, format!("unknown argument `{k}` for a download"))));
        }
        let is_async = self.is_async();
        self.finish(py, async move {
            let r = match target {
                DownloadTarget::File(id) => client.download_file(&id, s.opts).await,
                DownloadTarget::SkillVersion(skill, version) => {
                    client.download_skill_version(&skill, &version, s.opts).await
                }
            };
            match r {
                Ok(d) => Out::Made(Box::new(move |py| {
                    let inner = Arc::new(DownloadBody::new(d));
                    Ok(Bound::new(py, BinaryResponse { inner, is_async })?.into_any())
                })),
                Err(e) => Out::Err(e),
            }
        })
    }
}
