//! Uploads (files, skills) and downloads (file links, skill version archives): one core
//! function each. Download bodies stay in Rust until JS asks for them (all at once, to a file,
//! or chunk by chunk), so large files are never buffered twice.

use std::sync::Arc;

use bytes::Bytes;
use napi::bindgen_prelude::*;
use napi_derive::napi;
use qoder_cloud::download::DownloadBody;
use qoder_cloud::upload::{Download, SkillFile, UploadSource};
use qoder_cloud::Client;
use tokio_util::sync::CancellationToken;

use crate::cancel::CancelToken;
use crate::client::{cancellable, request_options, CallResult, NativeClient};
use crate::error;

/// One file of a skill: its path inside the skill (`my-skill/SKILL.md`) and either its bytes or
/// a path on disk.
#[napi(object)]
pub struct SkillFileInput {
    pub path: String,
    pub data: Option<Buffer>,
    pub file: Option<String>,
}

/// A download whose body has not been read yet (the core's `DownloadBody`). Read it once:
/// `bytes()`, `save(path)` or `nextChunk()` until `null`.
#[napi]
pub struct NativeDownload {
    body: Arc<DownloadBody>,
    cancel: CancellationToken,
}

impl Drop for NativeDownload {
    fn drop(&mut self) {
        self.cancel.cancel();
    }
}

#[napi]
impl NativeDownload {
    #[napi(getter)]
    pub fn content_type(&self) -> Option<String> {
        self.body.content_type.clone()
    }
    #[napi(getter)]
    pub fn content_length(&self) -> Option<f64> {
        self.body.content_length.map(|n| n as f64)
    }
    #[napi(getter)]
    pub fn request_id(&self) -> Option<String> {
        self.body.request_id.clone()
    }
    #[napi(getter)]
    pub fn status(&self) -> u32 {
        u32::from(self.body.status)
    }

    /// The whole body.
    #[napi]
    pub fn bytes<'e>(&self, env: &'e Env) -> Result<PromiseRaw<'e, Buffer>> {
        let body = self.body.clone();
        env.spawn_future(error::catch_future(cancellable(Some(self.cancel.clone()), None, async move {
            Ok(Buffer::from(body.bytes().await.map_err(|e| error::from_core(&e))?.to_vec()))
        })))
    }

    /// Streams the body into the file at `path` (via a temporary name); resolves the byte count.
    #[napi]
    pub fn save<'e>(&self, env: &'e Env, path: String) -> Result<PromiseRaw<'e, f64>> {
        let body = self.body.clone();
        env.spawn_future(error::catch_future(cancellable(Some(self.cancel.clone()), None, async move {
            Ok(body.save(std::path::Path::new(&path)).await.map_err(|e| error::from_core(&e))? as f64)
        })))
    }

    /// The next chunk of the body, or `null` at its end.
    #[napi]
    pub fn next_chunk<'e>(&self, env: &'e Env) -> Result<PromiseRaw<'e, Option<Buffer>>> {
        let body = self.body.clone();
        env.spawn_future(error::catch_future(cancellable(Some(self.cancel.clone()), None, async move {
            Ok(body.next_chunk().await.map_err(|e| error::from_core(&e))?.map(|c| Buffer::from(c.to_vec())))
        })))
    }

    /// Drops the connection and whatever of the body was not read. Idempotent.
    #[napi]
    pub fn close(&self) {
        self.cancel.cancel();
        self.body.close();
    }
}

fn into_native(d: Download) -> NativeDownload {
    NativeDownload { body: Arc::new(DownloadBody::new(d)), cancel: CancellationToken::new() }
}

fn source(path: Option<String>, data: Option<Buffer>, filename: Option<String>, what: &str) -> Result<UploadSource> {
    match (path, data) {
        (Some(p), None) => Ok(UploadSource::Path(p.into())),
        (None, Some(b)) => Ok(UploadSource::Bytes {
            data: Bytes::copy_from_slice(&b),
            filename: filename.unwrap_or_else(|| "file".into()),
        }),
        _ => Err(error::invalid(what, format!("{what}: give either a path or the bytes"))),
    }
}

fn upload_result(r: qoder_cloud::Response<serde_json::Value>) -> Result<CallResult> {
    let body = serde_json::to_string(&*r).map_err(|e| error::internal(e.to_string()))?;
    Ok(CallResult {
        body,
        status: u32::from(r.meta.status),
        request_id: r.meta.request_id.clone(),
        idempotency_key: r.meta.idempotency_key.clone(),
        retries: r.meta.retries,
        next_args: None,
        next_error: None,
    })
}

#[napi]
impl NativeClient {
    /// `files.upload`: from a path (streamed, re-opened per attempt) or bytes.
    /// `args` (JSON): `name`, `filename`, `metadata`, `expires_in_seconds`, `purpose`.
    #[napi]
    #[allow(clippy::too_many_arguments)]
    pub fn upload_file<'e>(
        &self,
        env: &'e Env,
        path: Option<String>,
        data: Option<Buffer>,
        filename: Option<String>,
        args: String,
        options: Option<String>,
        token: Option<&CancelToken>,
    ) -> Result<PromiseRaw<'e, CallResult>> {
        let prepared = error::guard(|| {
            Ok((
                self.client()?,
                source(path, data, filename, "file")?,
                crate::client::parse_args(&args)?,
                request_options(options)?,
            ))
        });
        let user = token.map(|t| t.token.clone());
        let closed = self.client().ok();
        env.spawn_future(error::catch_future(cancellable(user, closed, async move {
            let (client, src, args, opts) = prepared?;
            upload_result(client.upload_file(src, args, opts).await.map_err(|e| error::from_core(&e))?)
        })))
    }

    /// `skills.create` (no `skill_id`) or `skills.versions.create`: from a directory holding
    /// `SKILL.md`, or from explicit files. `args` (JSON): `display_title`, `metadata`.
    #[napi]
    #[allow(clippy::too_many_arguments)]
    pub fn upload_skill<'e>(
        &self,
        env: &'e Env,
        skill_id: Option<String>,
        directory: Option<String>,
        files: Option<Vec<SkillFileInput>>,
        args: String,
        options: Option<String>,
        token: Option<&CancelToken>,
    ) -> Result<PromiseRaw<'e, CallResult>> {
        let prepared = error::guard(|| {
            let files = match (directory, files) {
                (Some(d), None) => qoder_cloud::upload::skill_files_from_dir(std::path::Path::new(&d))
                    .map_err(|e| error::from_core(&e))?,
                (None, Some(fs)) => fs
                    .into_iter()
                    .map(|f| {
                        Ok(SkillFile { source: source(f.file, f.data, Some(f.path.clone()), "files")?, path: f.path })
                    })
                    .collect::<Result<Vec<_>>>()?,
                _ => return Err(error::invalid("files", "give either `directory` or `files`")),
            };
            Ok((self.client()?, files, crate::client::parse_args(&args)?, request_options(options)?))
        });
        let user = token.map(|t| t.token.clone());
        let closed = self.client().ok();
        env.spawn_future(error::catch_future(cancellable(user, closed, async move {
            let (client, files, args, opts) = prepared?;
            upload_result(
                client.upload_skill(skill_id.as_deref(), files, args, opts).await.map_err(|e| error::from_core(&e))?,
            )
        })))
    }

    /// `skills.create` / `skills.versions.create` from one `.zip` archive (`zip.path` is its
    /// filename; the bytes come from `zip.file` or `zip.data`).
    #[napi]
    pub fn upload_skill_zip<'e>(
        &self,
        env: &'e Env,
        skill_id: Option<String>,
        zip: SkillFileInput,
        args: String,
        options: Option<String>,
        token: Option<&CancelToken>,
    ) -> Result<PromiseRaw<'e, CallResult>> {
        let prepared = error::guard(|| {
            let src = source(zip.file, zip.data, Some(zip.path.clone()), "zip")?;
            Ok((self.client()?, src, crate::client::parse_args(&args)?, request_options(options)?))
        });
        let user = token.map(|t| t.token.clone());
        let closed = self.client().ok();
        env.spawn_future(error::catch_future(cancellable(user, closed, async move {
            let (client, src, args, opts) = prepared?;
            upload_result(
                client
                    .upload_skill_zip(skill_id.as_deref(), src, args, opts)
                    .await
                    .map_err(|e| error::from_core(&e))?,
            )
        })))
    }

    /// `files.download` (`version` absent) or `skills.versions.download`: resolves once the
    /// response headers arrived; the body is read through the returned `NativeDownload`.
    #[napi]
    pub fn download<'e>(
        &self,
        env: &'e Env,
        id: String,
        version: Option<String>,
        options: Option<String>,
        token: Option<&CancelToken>,
    ) -> Result<PromiseRaw<'e, NativeDownload>> {
        let prepared = error::guard(|| Ok((self.client()?, request_options(options)?)));
        let user = token.map(|t| t.token.clone());
        let closed = self.client().ok();
        env.spawn_future(error::catch_future(cancellable(user, closed, async move {
            let (client, opts): (Client, _) = prepared?;
            let d = match version {
                None => client.download_file(&id, opts).await,
                Some(v) => client.download_skill_version(&id, &v, opts).await,
            }
            .map_err(|e| error::from_core(&e))?;
            Ok(into_native(d))
        })))
    }
}
