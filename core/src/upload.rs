//! Multipart uploads (files, skills) and downloads (file links, skill version archives).
//!
//! Upload bodies are rebuilt for every attempt from their source — a path is re-opened, a
//! reader is seeked back to its start — so a retry never needs the whole file in memory.
//! Downloads of files go in two steps: the API answers with a pre-signed URL, and the bytes are
//! fetched from it with no Authorization header, default headers or cookies.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use bytes::Bytes;
use futures_util::{Stream, StreamExt, TryStreamExt};
use reqwest::multipart::{Form, Part};
use serde_json::Value;
use tokio::io::AsyncWriteExt;

use crate::client::{lookup, Client, Response};
use crate::error::{Error, ErrorKind, Result};
use crate::operations::BodyKind;
use crate::transport::{ApiRequest, FormFactory, RequestBody, RequestOptions};

/// Largest single file the API accepts (50 MB).
pub const MAX_FILE_BYTES: u64 = 50 * 1024 * 1024;

/// Where the bytes of an upload come from.
#[derive(Clone)]
pub enum UploadSource {
    /// A file on disk, streamed (re-opened for each attempt).
    Path(PathBuf),
    /// Bytes in memory, with the filename to report.
    Bytes { data: Bytes, filename: String },
}

impl std::fmt::Debug for UploadSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Path(p) => f.debug_tuple("Path").field(p).finish(),
            Self::Bytes { data, filename } => {
                f.debug_struct("Bytes").field("len", &data.len()).field("filename", filename).finish()
            }
        }
    }
}

impl UploadSource {
    fn filename(&self) -> String {
        match self {
            Self::Path(p) => p.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "file".into()),
            Self::Bytes { filename, .. } => filename.clone(),
        }
    }

    async fn len(&self) -> Result<u64> {
        match self {
            Self::Path(p) => {
                let m = tokio::fs::metadata(p).await.map_err(|e| io_arg("file", p, e))?;
                if !m.is_file() {
                    return Err(Error::invalid_argument(
                        "file",
                        format!("file: {} is not a regular file", p.display()),
                    ));
                }
                Ok(m.len())
            }
            Self::Bytes { data, .. } => Ok(data.len() as u64),
        }
    }

    async fn part(&self, filename: String) -> Result<Part> {
        let mime = guess_mime(&filename);
        let part = match self {
            Self::Path(p) => {
                let f = tokio::fs::File::open(p).await.map_err(|e| io_arg("file", p, e))?;
                let len = f.metadata().await.map_err(|e| io_arg("file", p, e))?.len();
                let body = reqwest::Body::wrap_stream(tokio_util::io::ReaderStream::new(f));
                Part::stream_with_length(body, len)
            }
            Self::Bytes { data, .. } => Part::stream_with_length(reqwest::Body::from(data.clone()), data.len() as u64),
        };
        part.file_name(filename).mime_str(mime).map_err(|e| Error::invalid_argument("file", e.to_string()))
    }
}

fn io_arg(param: &str, p: &Path, e: std::io::Error) -> Error {
    Error::invalid_argument(param, format!("{param}: cannot read {}: {e}", p.display()))
}

fn guess_mime(name: &str) -> &'static str {
    let ext = name.rsplit('.').next().unwrap_or_default().to_ascii_lowercase();
    match ext.as_str() {
        "txt" | "md" | "log" => "text/plain",
        "json" => "application/json",
        "csv" => "text/csv",
        "html" | "htm" => "text/html",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "pdf" => "application/pdf",
        "zip" => "application/zip",
        "py" => "text/x-python",
        _ => "application/octet-stream",
    }
}

/// Multipart text fields: strings raw, everything else JSON-encoded (as the API expects).
fn text_fields(args: &serde_json::Map<String, Value>) -> Vec<(String, String)> {
    args.iter()
        .filter(|(_, v)| !v.is_null())
        .map(|(k, v)| {
            (
                k.clone(),
                match v {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                },
            )
        })
        .collect()
}

fn take_object(args: Value) -> Result<serde_json::Map<String, Value>> {
    match args {
        Value::Object(m) => Ok(m),
        Value::Null => Ok(Default::default()),
        other => Err(crate::validate::wrong_type("arguments", "an object of named arguments", &other)),
    }
}

/// One file of a skill: its path inside the skill (e.g. `my-skill/SKILL.md`) and its source.
#[derive(Debug, Clone)]
pub struct SkillFile {
    /// Relative path, `/`-separated, no `..`.
    pub path: String,
    /// Content.
    pub source: UploadSource,
}

/// Collects every file under `dir` as skill files named `<dir name>/<relative path>`.
pub fn skill_files_from_dir(dir: &Path) -> Result<Vec<SkillFile>> {
    let top = dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .ok_or_else(|| Error::invalid_argument("directory", format!("directory: {} has no name", dir.display())))?;
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let rd = std::fs::read_dir(&d).map_err(|e| io_arg("directory", &d, e))?;
        for entry in rd {
            let entry = entry.map_err(|e| io_arg("directory", &d, e))?;
            let p = entry.path();
            let ft = entry.file_type().map_err(|e| io_arg("directory", &p, e))?;
            if ft.is_dir() {
                stack.push(p);
            } else if ft.is_file() {
                let rel = p
                    .strip_prefix(dir)
                    .unwrap_or(&p)
                    .components()
                    .map(|c| c.as_os_str().to_string_lossy().into_owned())
                    .collect::<Vec<_>>()
                    .join("/");
                out.push(SkillFile { path: format!("{top}/{rel}"), source: UploadSource::Path(p) });
            }
        }
    }
    out.sort_by(|a, b| a.path.cmp(&b.path));
    if !out.iter().any(|f| f.path.ends_with("/SKILL.md") || f.path == "SKILL.md") {
        return Err(Error::invalid_argument("directory", format!("directory: {} contains no SKILL.md", dir.display())));
    }
    Ok(out)
}

/// A download in progress: the bytes are streamed, never buffered whole unless asked.
pub struct Download {
    /// Metadata of the API call (the link call for files).
    pub meta: crate::transport::ResponseMeta,
    /// `Content-Length`, when the server sent one.
    pub content_length: Option<u64>,
    /// `Content-Type`, when the server sent one.
    pub content_type: Option<String>,
    response: reqwest::Response,
    bounds: Bounds,
}

/// The waits a download's body is held to: the call's `timeout` between two chunks (a server
/// that stops sending fails the download rather than parking it), and its total deadline, if
/// any, over the whole download (link, head and body).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Bounds {
    pub(crate) idle: std::time::Duration,
    pub(crate) deadline: Option<tokio::time::Instant>,
    /// `max_response_bytes`: the most [`Download::bytes`] holds in memory.
    pub(crate) max_bytes: usize,
}

impl Bounds {
    /// The bounds of a call made with `opts` on `client`, its deadline counted from now.
    pub(crate) fn of(client: &Client, opts: &RequestOptions) -> Self {
        let config = client.config();
        let total = opts.total_deadline.or(config.total_deadline);
        Self {
            idle: opts.timeout.unwrap_or(config.timeout),
            deadline: total.map(|d| tokio::time::Instant::now() + d),
            max_bytes: config.limits.max_response_bytes,
        }
    }

    /// Runs `fut` within the idle timeout and the deadline, whichever ends first.
    pub(crate) async fn run<T>(&self, what: &str, fut: impl std::future::Future<Output = Result<T>>) -> Result<T> {
        let idle_end = tokio::time::Instant::now() + self.idle;
        let (end, which) = match self.deadline {
            Some(d) if d <= idle_end => (d, "the call's total deadline expired"),
            _ => (idle_end, "timed out"),
        };
        match tokio::time::timeout_at(end, fut).await {
            Ok(r) => r,
            Err(_) if which == "timed out" => {
                Err(Error::new(ErrorKind::Timeout, format!("{what} timed out after {:?}", self.idle)))
            }
            Err(_) => Err(Error::new(ErrorKind::Timeout, format!("{what}: {which}"))),
        }
    }
}

impl std::fmt::Debug for Download {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Download")
            .field("content_length", &self.content_length)
            .field("content_type", &self.content_type)
            .finish()
    }
}

impl Download {
    fn new(meta: crate::transport::ResponseMeta, response: reqwest::Response, bounds: Bounds) -> Self {
        let content_length = response.content_length();
        let content_type = response.headers().get("content-type").and_then(|v| v.to_str().ok()).map(str::to_string);
        Self { meta, content_length, content_type, response, bounds }
    }
    /// The body as a stream of chunks; each chunk must come within the call's timeout, and all
    /// of them within its total deadline (a typed `Timeout` error otherwise, then the end).
    pub fn into_stream(self) -> impl Stream<Item = Result<Bytes>> {
        let bounds = self.bounds;
        let body = Box::pin(self.response.bytes_stream().map_err(crate::transport::transport_error));
        futures_util::stream::unfold(Some(body), move |body| async move {
            let mut body = body?;
            let next = bounds.run("the download", async { Ok(body.next().await) }).await;
            match next {
                Ok(Some(Ok(chunk))) => Some((Ok(chunk), Some(body))),
                Ok(Some(Err(e))) | Err(e) => Some((Err(e), None)),
                Ok(None) => None,
            }
        })
    }
    /// The whole body in memory (within the same bounds as [`Self::into_stream`], and at most
    /// `max_response_bytes`; stream or save larger downloads).
    pub async fn bytes(self) -> Result<Bytes> {
        let max = self.bounds.max_bytes;
        let too_large = || crate::limits::too_large("body", max, "max_response_bytes");
        if self.content_length.is_some_and(|n| n > max as u64) {
            return Err(too_large());
        }
        let mut out = bytes::BytesMut::with_capacity(self.content_length.unwrap_or(0) as usize);
        let mut s = Box::pin(self.into_stream());
        while let Some(chunk) = s.next().await {
            let chunk = chunk?;
            if out.len() + chunk.len() > max {
                return Err(too_large());
            }
            out.extend_from_slice(&chunk);
        }
        Ok(out.freeze())
    }
    /// Streams the body into `w`; returns the number of bytes written.
    pub async fn write_to<W: tokio::io::AsyncWrite + Unpin>(self, w: &mut W) -> Result<u64> {
        let mut n = 0u64;
        let mut s = Box::pin(self.into_stream());
        while let Some(chunk) = s.next().await {
            let chunk = chunk?;
            w.write_all(&chunk).await.map_err(|e| Error::new(ErrorKind::Connection, format!("write failed: {e}")))?;
            n += chunk.len() as u64;
        }
        w.flush().await.map_err(|e| Error::new(ErrorKind::Connection, format!("write failed: {e}")))?;
        Ok(n)
    }
    /// Streams the body into a file at `path` (written to a temporary name, then renamed, so a
    /// failed download never leaves a half-written file behind).
    pub async fn save(self, path: &Path) -> Result<u64> {
        let tmp =
            path.with_extension(format!("{}.part", path.extension().and_then(|e| e.to_str()).unwrap_or("download")));
        let mut f = tokio::fs::File::create(&tmp).await.map_err(|e| io_arg("path", &tmp, e))?;
        match self.write_to(&mut f).await {
            Ok(n) => {
                drop(f);
                tokio::fs::rename(&tmp, path).await.map_err(|e| io_arg("path", path, e))?;
                Ok(n)
            }
            Err(e) => {
                drop(f);
                let _ = tokio::fs::remove_file(&tmp).await;
                Err(e)
            }
        }
    }
}

impl Client {
    /// Uploads a file (`POST /files`, multipart). `args` may hold `name`, `metadata`,
    /// `expires_in_seconds`, `purpose`.
    pub async fn upload_file(
        &self,
        source: UploadSource,
        args: Value,
        opts: RequestOptions,
    ) -> Result<Response<Value>> {
        let op = lookup("files.upload")?;
        let mut fields = take_object(args)?;
        for c in &op.checks {
            crate::validate::run_check(&fields, c)?;
        }
        let len = source.len().await?;
        if len > MAX_FILE_BYTES {
            return Err(Error::invalid_argument("file", format!("file: {len} bytes is over the 50 MB per-file limit")));
        }
        let filename = match fields.remove("filename") {
            Some(Value::String(s)) => s,
            _ => source.filename(),
        };
        let text = text_fields(&fields);
        let factory: FormFactory = Arc::new(move || {
            let source = source.clone();
            let filename = filename.clone();
            let text = text.clone();
            Box::pin(async move {
                let mut form = Form::new();
                for (k, v) in text {
                    form = form.text(k, v);
                }
                Ok(form.part("file", source.part(filename).await?))
            })
        });
        self.multipart("files.upload", &[], factory, len, opts).await
    }

    /// Creates a skill (`skill_id: None`) or a new version of one, from its files.
    /// `args` may hold `display_title` and `metadata` (create only).
    pub async fn upload_skill(
        &self,
        skill_id: Option<&str>,
        files: Vec<SkillFile>,
        args: Value,
        opts: RequestOptions,
    ) -> Result<Response<Value>> {
        let fields = take_object(args)?;
        if files.is_empty() {
            return Err(Error::invalid_argument("files", "files: a skill needs at least one file (with SKILL.md)"));
        }
        let mut total = 0u64;
        for f in &files {
            if f.path.is_empty() || f.path.starts_with('/') || f.path.split('/').any(|s| s == ".." || s.is_empty()) {
                return Err(Error::invalid_argument("files", format!("files: bad relative path {:?}", f.path)));
            }
            total += f.source.len().await?;
        }
        let text = text_fields(&fields);
        let factory: FormFactory = Arc::new(move || {
            let files = files.clone();
            let text = text.clone();
            Box::pin(async move {
                let mut form = Form::new();
                for (k, v) in text {
                    form = form.text(k, v);
                }
                for f in files {
                    form = form.part("files", f.source.part(f.path.clone()).await?);
                }
                Ok(form)
            })
        });
        match skill_id {
            None => self.multipart("skills.create", &[], factory, total, opts).await,
            Some(id) => self.multipart("skills.versions.create", &[("skill_id", id)], factory, total, opts).await,
        }
    }

    /// Creates a skill (`skill_id: None`) or a new version of one from a `.zip` archive that
    /// contains `SKILL.md` (sent as one `file` part; the server unpacks it).
    pub async fn upload_skill_zip(
        &self,
        skill_id: Option<&str>,
        zip: UploadSource,
        args: Value,
        opts: RequestOptions,
    ) -> Result<Response<Value>> {
        let fields = take_object(args)?;
        let len = zip.len().await?;
        let filename = zip.filename();
        if !filename.to_ascii_lowercase().ends_with(".zip") {
            return Err(Error::invalid_argument("zip", format!("zip: {filename:?} is not a .zip archive")));
        }
        let text = text_fields(&fields);
        let factory: FormFactory = Arc::new(move || {
            let zip = zip.clone();
            let filename = filename.clone();
            let text = text.clone();
            Box::pin(async move {
                let mut form = Form::new();
                for (k, v) in text {
                    form = form.text(k, v);
                }
                Ok(form.part("file", zip.part(filename).await?))
            })
        });
        match skill_id {
            None => self.multipart("skills.create", &[], factory, len, opts).await,
            Some(id) => self.multipart("skills.versions.create", &[("skill_id", id)], factory, len, opts).await,
        }
    }

    async fn multipart(
        &self,
        name: &str,
        ids: &[(&str, &str)],
        factory: FormFactory,
        len: u64,
        opts: RequestOptions,
    ) -> Result<Response<Value>> {
        let op = lookup(name)?;
        debug_assert!(matches!(op.body, BodyKind::MultipartFile | BodyKind::MultipartSkill));
        let path = path_of(op, ids)?;
        let mut req = ApiRequest::new(op.http_method(), path);
        req.operation = op.name.clone();
        req.body = RequestBody::Multipart { factory, len };
        req.opts = opts;
        let raw = self.transport.execute(req).await?;
        let data: Value = serde_json::from_slice(&raw.body).map_err(|e| {
            Error::decode(format!("{name}: response is not valid JSON: {e}"), &raw.body, Some(raw.meta.status))
        })?;
        Ok(Response { value: data, meta: raw.meta })
    }

    /// Downloads a file's content: fetches the signed link, then the bytes without credentials.
    pub async fn download_file(&self, file_id: &str, opts: RequestOptions) -> Result<Download> {
        let op = lookup("files.download")?;
        let bounds = Bounds::of(self, &opts);
        let req = crate::request::build(op, serde_json::json!({ "file_id": file_id }), opts)?;
        let raw = self.transport.execute(req).await?;
        let link: Value = serde_json::from_slice(&raw.body).map_err(|e| {
            Error::decode(format!("files.download: link is not valid JSON: {e}"), &raw.body, Some(raw.meta.status))
        })?;
        let url = link
            .get("url")
            .and_then(Value::as_str)
            .ok_or_else(|| Error::decode("files.download: link without `url`", &raw.body, Some(raw.meta.status)))?;
        let resp = bounds.run("the download", self.transport.get_unauthenticated(url)).await?;
        Ok(Download::new(raw.meta, resp, bounds))
    }

    /// Downloads a skill version's content (a zip), streamed.
    pub async fn download_skill_version(
        &self,
        skill_id: &str,
        version: &str,
        opts: RequestOptions,
    ) -> Result<Download> {
        let op = lookup("skills.versions.download")?;
        let bounds = Bounds::of(self, &opts);
        let mut req = crate::request::build(op, serde_json::json!({ "skill_id": skill_id, "version": version }), opts)?;
        req.accept = "application/zip, application/octet-stream";
        let open = self.transport.open(req).await?;
        Ok(Download::new(open.meta, open.response, bounds))
    }
}

fn path_of(op: &crate::operations::Operation, ids: &[(&str, &str)]) -> Result<String> {
    let mut args = serde_json::Map::new();
    for (k, v) in ids {
        args.insert((*k).into(), Value::String((*v).into()));
    }
    // Reuse the request builder's id validation and encoding on a body-less clone of the op.
    let mut probe = op.clone();
    probe.body = BodyKind::None;
    probe.checks.clear();
    Ok(crate::request::build(&probe, Value::Object(args), RequestOptions::default())?.path)
}
