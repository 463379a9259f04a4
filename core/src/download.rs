//! A download's body as the bindings hand it to their users: read once, whichever way the caller
//! picks (all at once, into a file, or chunk by chunk), shared between threads, closable at any
//! time. Written here once; Python's `BinaryResponse` and Node's `NativeDownload` wrap it.

use std::path::Path;
use std::pin::Pin;

use bytes::{Bytes, BytesMut};
use futures_util::{Stream, StreamExt};

use crate::error::{Error, ErrorKind, Result};
use crate::upload::Download;

type Chunks = Pin<Box<dyn Stream<Item = Result<Bytes>> + Send>>;

enum State {
    /// Nothing read yet.
    Fresh(Box<Download>),
    /// Being read chunk by chunk.
    Streaming(Chunks),
    /// Read to the end, failed, or closed.
    Done,
}

/// The body of a download and its headers.
pub struct DownloadBody {
    state: tokio::sync::Mutex<State>,
    /// `Content-Type`, when the server sent one.
    pub content_type: Option<String>,
    /// `Content-Length`, when the server sent one.
    pub content_length: Option<u64>,
    /// Server request id of the call.
    pub request_id: Option<String>,
    /// HTTP status of the call.
    pub status: u16,
}

impl std::fmt::Debug for DownloadBody {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DownloadBody")
            .field("content_type", &self.content_type)
            .field("content_length", &self.content_length)
            .finish_non_exhaustive()
    }
}

fn consumed() -> Error {
    Error::new(ErrorKind::InvalidArgument, "the download was already consumed or closed")
}

impl DownloadBody {
    /// Wraps a download whose body has not been read.
    pub fn new(d: Download) -> Self {
        Self {
            content_type: d.content_type.clone(),
            content_length: d.content_length,
            request_id: d.meta.request_id.clone(),
            status: d.meta.status,
            state: tokio::sync::Mutex::new(State::Fresh(Box::new(d))),
        }
    }

    /// The rest of the body (all of it when nothing was read yet).
    pub async fn bytes(&self) -> Result<Bytes> {
        let mut g = self.state.lock().await;
        match std::mem::replace(&mut *g, State::Done) {
            State::Fresh(d) => d.bytes().await,
            State::Streaming(mut s) => {
                let mut out = BytesMut::new();
                while let Some(c) = s.next().await {
                    out.extend_from_slice(&c?);
                }
                Ok(out.freeze())
            }
            State::Done => Err(consumed()),
        }
    }

    /// Streams the whole body into the file at `path` (via a temporary name); returns its size.
    pub async fn save(&self, path: &Path) -> Result<u64> {
        let mut g = self.state.lock().await;
        match std::mem::replace(&mut *g, State::Done) {
            State::Fresh(d) => d.save(path).await,
            _ => Err(consumed()),
        }
    }

    /// The next chunk, or `None` at the end (and after a failure or `close`).
    pub async fn next_chunk(&self) -> Result<Option<Bytes>> {
        let mut g = self.state.lock().await;
        if let State::Fresh(_) = &*g {
            if let State::Fresh(d) = std::mem::replace(&mut *g, State::Done) {
                *g = State::Streaming(Box::pin(d.into_stream()));
            }
        }
        let State::Streaming(s) = &mut *g else { return Ok(None) };
        match s.next().await {
            Some(Ok(c)) => Ok(Some(c)),
            other => {
                *g = State::Done;
                other.transpose()
            }
        }
    }

    /// Drops whatever was not read (and the connection). Idempotent; a read under way keeps
    /// the body until it returns.
    pub fn close(&self) {
        if let Ok(mut g) = self.state.try_lock() {
            *g = State::Done;
        }
    }
}

/// The name a skill file given only by its path on disk gets inside the skill: a relative path
/// as written (`my-skill/SKILL.md`, `./` dropped), an absolute one as `<its directory>/<file>`.
pub fn skill_path_of(p: &Path) -> String {
    let name = |c: &std::ffi::OsStr| c.to_string_lossy().into_owned();
    if p.is_relative() {
        return p.components().map(|c| name(c.as_os_str())).filter(|c| c != ".").collect::<Vec<_>>().join("/");
    }
    let file = p.file_name().map(name).unwrap_or_default();
    match p.parent().and_then(Path::file_name) {
        Some(d) => format!("{}/{file}", name(d)),
        None => file,
    }
}

#[cfg(test)]
mod tests {
    use super::skill_path_of;
    use std::path::Path;

    #[test]
    fn skill_paths() {
        assert_eq!(skill_path_of(Path::new("./s/SKILL.md")), "s/SKILL.md");
        assert_eq!(skill_path_of(Path::new("s/docs/a.md")), "s/docs/a.md");
        assert_eq!(skill_path_of(Path::new("/tmp/x/s/SKILL.md")), "s/SKILL.md");
        assert_eq!(skill_path_of(Path::new("/SKILL.md")), "SKILL.md");
    }
}
