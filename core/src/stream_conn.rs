//! A lean HTTP/1.1 connection for one event stream over cleartext `http://`.
//!
//! Why it exists: an event stream is one long-lived GET whose connection is never reused, yet
//! through reqwest/hyper each one keeps hyper's per-connection machinery for its whole life: an
//! 8 KiB read buffer, an 8 KiB write buffer and a ≈ 9 KiB request-dispatch channel block, none
//! of which reqwest lets us size. With 1,000 streams open (the fan-out benchmark) that is
//! ≈ 25 MB. This connection holds no buffer while it waits: it waits for readability, reads
//! into a stack buffer, de-chunks in place and hands the bytes straight to the SSE framer
//! (which keeps only an incomplete frame). Idle, a stream costs its socket and a few words of
//! decoder state.
//!
//! It is used only where nothing else changes (see [`eligible`]): plain `http://`, no proxy in
//! the environment, no HTTP/2 prior knowledge. Over TLS the real API negotiates HTTP/2, where
//! all streams share one connection, so those (and proxied) streams stay on reqwest. Requests
//! are built by the same code as every other call (headers, auth, idempotency, validation), so
//! what goes on the wire is the same.

use std::io;
use std::net::SocketAddr;
use std::task::{Context, Poll};
use std::time::Duration;

use http::{HeaderMap, HeaderName, HeaderValue};
use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;

use crate::chunked::Chunked;
use crate::error::{Error, ErrorKind, Result};

/// Most bytes taken off the socket per read (a stack buffer: it exists only during the read).
const READ_CHUNK: usize = 32 * 1024;
/// Most direct stream connections of one client being set up at the same moment.
pub(crate) const MAX_CONNECTING: usize = 64;
/// Largest response head accepted.
const MAX_HEAD: usize = 64 * 1024;
/// Largest error body kept (the rest is discarded; error bodies are small JSON documents).
const MAX_ERROR_BODY: usize = 1024 * 1024;

/// Whether streams to `url` may use this connection instead of reqwest's.
///
/// Proxies are detected the way reqwest reads them (`HTTP_PROXY`/`ALL_PROXY`, either case):
/// when one applies to the host, the stream stays on reqwest, which goes through it.
pub(crate) fn eligible(url: &url::Url, http2_prior_knowledge: bool) -> bool {
    if url.scheme() != "http" || http2_prior_knowledge {
        return false;
    }
    let var = |k: &str| std::env::var(k).ok().filter(|v| !v.trim().is_empty());
    let proxied = ["HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy"].iter().any(|k| var(k).is_some());
    if !proxied {
        return true;
    }
    let no_proxy = var("NO_PROXY").or_else(|| var("no_proxy")).unwrap_or_default();
    bypasses_proxy(&no_proxy, url.host_str().unwrap_or(""))
}

/// Whether a `NO_PROXY` list names `host`: `*`, the host itself, or a parent domain
/// (`example.com` and `.example.com` both cover `api.example.com`). CIDR ranges are not
/// evaluated here; a host they would cover simply stays on reqwest, which evaluates them.
fn bypasses_proxy(no_proxy: &str, host: &str) -> bool {
    let host = host.trim_start_matches('[').trim_end_matches(']').to_ascii_lowercase();
    no_proxy.split(',').map(|e| e.trim().to_ascii_lowercase()).any(|e| {
        let e = e.trim_start_matches('[').trim_end_matches(']');
        let domain = e.trim_start_matches('.');
        e == "*" || (!domain.is_empty() && (host == domain || host.ends_with(&format!(".{domain}"))))
    })
}

/// What one read of the body produced.
#[derive(Debug)]
pub(crate) enum Next<E> {
    /// Some body bytes went to the sink.
    Data,
    /// The body ended cleanly.
    End,
    /// The sink refused the bytes; reading stopped.
    Sink(E),
}

/// The body of a stream response: this module's connection or reqwest's.
pub(crate) enum StreamBody {
    Direct(DirectBody),
    /// reqwest's body as a stream of chunks (boxed: only the pooled path, TLS or HTTP/2, uses it).
    Reqwest(Box<PooledBody>),
}

type Chunks = std::pin::Pin<Box<dyn futures_util::Stream<Item = reqwest::Result<bytes::Bytes>> + Send>>;

/// A body read through reqwest, whose chunks are small (one HTTP/2 DATA frame, often one event).
pub(crate) struct PooledBody {
    chunks: Chunks,
    /// The end or a failure met after some chunks of the same poll were handed on: reported by
    /// the next poll, so the events before it are delivered first.
    after: Option<Result<()>>,
}

/// At most this many bytes are handed on per poll, so one busy stream cannot hog its task.
const POOLED_BYTES_PER_POLL: usize = 256 * 1024;

impl StreamBody {
    /// A body read through reqwest's pooled client. `lease` (a stream connection's place, see
    /// `stream_pool`) is held until the body is dropped.
    pub(crate) fn pooled(r: reqwest::Response, lease: Option<crate::stream_pool::Lease>) -> Self {
        use futures_util::StreamExt;
        let chunks: Chunks = match lease {
            None => Box::pin(r.bytes_stream()),
            Some(lease) => Box::pin(r.bytes_stream().map(move |chunk| {
                let _held = &lease;
                chunk
            })),
        };
        StreamBody::Reqwest(Box::new(PooledBody { chunks, after: None }))
    }

    /// Polls for the next body bytes and hands them to `sink` (possibly in several pieces).
    ///
    /// A poll rather than an `async fn`: the reader waits on it together with its idle timer
    /// and the close signal in one small `poll_fn`, instead of a select over three futures that
    /// would all sit in the stream task's state for as long as the stream is open.
    pub(crate) fn poll_next_with<E>(
        &mut self,
        cx: &mut Context<'_>,
        sink: &mut impl FnMut(&[u8]) -> std::result::Result<(), E>,
    ) -> Poll<Result<Next<E>>> {
        match self {
            StreamBody::Direct(d) => d.poll_next_with(cx, sink),
            StreamBody::Reqwest(b) => b.poll_next_with(cx, sink),
        }
    }
}

impl PooledBody {
    /// Every chunk that is ready now (up to [`POOLED_BYTES_PER_POLL`]), not just one: the reader
    /// then sends the events of all of them as one batch, as it does for one read of a direct
    /// connection, instead of one batch (and one consumer wakeup) per small chunk.
    fn poll_next_with<E>(
        &mut self,
        cx: &mut Context<'_>,
        sink: &mut impl FnMut(&[u8]) -> std::result::Result<(), E>,
    ) -> Poll<Result<Next<E>>> {
        if let Some(after) = self.after.take() {
            return Poll::Ready(after.map(|()| Next::End));
        }
        let mut handed = 0usize;
        loop {
            let item = match self.chunks.as_mut().poll_next(cx) {
                Poll::Pending if handed > 0 => return Poll::Ready(Ok(Next::Data)),
                Poll::Pending => return Poll::Pending,
                Poll::Ready(item) => item,
            };
            let end = match item {
                Some(Ok(c)) => {
                    if let Err(e) = sink(&c) {
                        return Poll::Ready(Ok(Next::Sink(e)));
                    }
                    handed += c.len().max(1);
                    if handed >= POOLED_BYTES_PER_POLL {
                        return Poll::Ready(Ok(Next::Data));
                    }
                    continue;
                }
                None => Ok(()),
                Some(Err(e)) => Err(crate::transport::transport_error(e)),
            };
            if handed == 0 {
                return Poll::Ready(end.map(|()| Next::End));
            }
            self.after = Some(end);
            return Poll::Ready(Ok(Next::Data));
        }
    }
}

/// How the end of the body is known.
enum Framing {
    Chunked(Chunked),
    Length(u64),
    Close,
    Done,
}

/// An open response body on a direct connection.
pub(crate) struct DirectBody {
    io: TcpStream,
    framing: Framing,
    /// Body bytes that arrived together with the response head.
    early: Vec<u8>,
    /// A decoding failure found after some bytes of the same read were handed on: reported by
    /// the next call, so the events before it are not lost with it.
    failed: Option<Error>,
}

fn conn_error(what: &str, e: impl std::fmt::Display) -> Error {
    Error::new(ErrorKind::Connection, format!("{what}: {e}"))
}

/// Connects, sends `request` (a GET with no body) and reads the response head.
pub(crate) async fn open(request: reqwest::Request, connect_timeout: Duration) -> Result<(u16, HeaderMap, DirectBody)> {
    // Encoded, then dropped: only the head's bytes wait through the connect.
    let head = encode(&request);
    let url = request.url().clone();
    drop(request);
    let mut io = connect(&url, connect_timeout).await?;
    drop(url);
    io.write_all(&head).await.map_err(|e| conn_error("cannot send the stream request", e))?;
    drop(head);
    let (status, headers, early) = read_head(&mut io).await?;
    let framing = framing_of(status, &headers)?;
    Ok((status, headers, DirectBody { io, framing, early, failed: None }))
}

async fn connect(url: &url::Url, connect_timeout: Duration) -> Result<TcpStream> {
    let port = url.port_or_known_default().unwrap_or(80);
    let addrs: Vec<SocketAddr> = match url.host() {
        Some(url::Host::Ipv4(ip)) => vec![SocketAddr::from((ip, port))],
        Some(url::Host::Ipv6(ip)) => vec![SocketAddr::from((ip, port))],
        // RFC 6761: `localhost` is loopback. Answering it here spares a blocking-pool thread
        // per stream for `getaddrinfo` when many streams open at once to a local emulator.
        Some(url::Host::Domain(d)) if d.eq_ignore_ascii_case("localhost") || d.to_ascii_lowercase().ends_with(".localhost") => {
            vec![SocketAddr::from((std::net::Ipv4Addr::LOCALHOST, port)), SocketAddr::from((std::net::Ipv6Addr::LOCALHOST, port))]
        }
        Some(url::Host::Domain(d)) => tokio::net::lookup_host((d, port))
            .await
            .map_err(|e| conn_error(&format!("cannot resolve {d}"), e))?
            .collect(),
        None => return Err(Error::invalid_argument("base_url", "the base URL has no host")),
    };
    let mut last: Option<Error> = None;
    for addr in addrs {
        match tokio::time::timeout(connect_timeout, TcpStream::connect(addr)).await {
            Ok(Ok(s)) => {
                // Same socket options as the pooled client: events are small and latency matters.
                let _ = s.set_nodelay(true);
                let ka = socket2::TcpKeepalive::new().with_time(Duration::from_secs(30));
                let _ = socket2::SockRef::from(&s).set_tcp_keepalive(&ka);
                return Ok(s);
            }
            Ok(Err(e)) => last = Some(conn_error(&format!("cannot connect to {addr}"), e)),
            Err(_) => {
                last = Some(Error::new(ErrorKind::Timeout, format!("connecting to {addr} timed out after {connect_timeout:?}")))
            }
        }
    }
    Err(last.unwrap_or_else(|| conn_error("cannot connect", format!("{} resolved to no address", url.host_str().unwrap_or("")))))
}

/// The request head. Header names and values were validated when the request was built.
fn encode(request: &reqwest::Request) -> Vec<u8> {
    let url = request.url();
    let mut out = Vec::with_capacity(640);
    out.extend_from_slice(request.method().as_str().as_bytes());
    out.push(b' ');
    out.extend_from_slice(url.path().as_bytes());
    if let Some(q) = url.query() {
        out.push(b'?');
        out.extend_from_slice(q.as_bytes());
    }
    out.extend_from_slice(b" HTTP/1.1\r\n");
    let headers = request.headers();
    if !headers.contains_key(http::header::HOST) {
        out.extend_from_slice(b"host: ");
        out.extend_from_slice(url.host_str().unwrap_or("").as_bytes());
        if let Some(p) = url.port() {
            out.extend_from_slice(format!(":{p}").as_bytes());
        }
        out.extend_from_slice(b"\r\n");
    }
    for (k, v) in headers {
        out.extend_from_slice(k.as_str().as_bytes());
        out.extend_from_slice(b": ");
        out.extend_from_slice(v.as_bytes());
        out.extend_from_slice(b"\r\n");
    }
    // The connection ends with the stream; saying so lets the server release it at once.
    out.extend_from_slice(b"connection: close\r\n\r\n");
    out
}

async fn read_head(io: &mut TcpStream) -> Result<(u16, HeaderMap, Vec<u8>)> {
    let mut buf: Vec<u8> = Vec::with_capacity(1024);
    loop {
        if buf.len() >= MAX_HEAD {
            return Err(conn_error("bad response", format!("the response head is over {MAX_HEAD} bytes")));
        }
        buf.reserve(1024);
        io.readable().await.map_err(|e| conn_error("reading the response", e))?;
        match io.try_read_buf(&mut buf) {
            Ok(0) => return Err(conn_error("reading the response", "the server closed the connection before a response")),
            Ok(_) => {}
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => continue,
            Err(e) => return Err(conn_error("reading the response", e)),
        }
        while let Some((status, headers, used)) = parse_head(&buf)? {
            buf.drain(..used);
            // Interim 1xx responses precede the real one (101 would switch protocols: not ours).
            if (100..200).contains(&status) && status != 101 {
                continue;
            }
            return Ok((status, headers, buf));
        }
    }
}

/// Parses a complete head at the start of `buf`: status, headers and its length.
fn parse_head(buf: &[u8]) -> Result<Option<(u16, HeaderMap, usize)>> {
    let mut slots = [httparse::EMPTY_HEADER; 128];
    let mut resp = httparse::Response::new(&mut slots);
    let used = match resp.parse(buf) {
        Ok(httparse::Status::Complete(n)) => n,
        Ok(httparse::Status::Partial) => return Ok(None),
        Err(e) => return Err(conn_error("bad response head", e)),
    };
    let status = resp.code.unwrap_or(0);
    let mut headers = HeaderMap::with_capacity(resp.headers.len());
    for h in resp.headers.iter() {
        let name = HeaderName::from_bytes(h.name.as_bytes()).map_err(|e| conn_error("bad response header name", e))?;
        let value = HeaderValue::from_bytes(h.value).map_err(|e| conn_error("bad response header value", e))?;
        headers.append(name, value);
    }
    Ok(Some((status, headers, used)))
}

fn framing_of(status: u16, headers: &HeaderMap) -> Result<Framing> {
    if status == 204 || status == 304 {
        return Ok(Framing::Done);
    }
    let chunked = headers
        .get_all(http::header::TRANSFER_ENCODING)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .last()
        .is_some_and(|c| c.trim().eq_ignore_ascii_case("chunked"));
    if chunked {
        return Ok(Framing::Chunked(Chunked::default()));
    }
    match headers.get(http::header::CONTENT_LENGTH) {
        Some(v) => match v.to_str().ok().and_then(|s| s.trim().parse::<u64>().ok()) {
            Some(0) => Ok(Framing::Done),
            Some(n) => Ok(Framing::Length(n)),
            None => Err(conn_error("bad response", "invalid content-length")),
        },
        None => Ok(Framing::Close),
    }
}

impl DirectBody {
    fn poll_next_with<E>(
        &mut self,
        cx: &mut Context<'_>,
        sink: &mut impl FnMut(&[u8]) -> std::result::Result<(), E>,
    ) -> Poll<Result<Next<E>>> {
        if let Some(e) = self.failed.take() {
            return Poll::Ready(Err(e));
        }
        if !self.early.is_empty() {
            let early = std::mem::take(&mut self.early);
            match self.feed(&early, sink)? {
                Fed::Nothing => {}
                Fed::Some => return Poll::Ready(Ok(Next::Data)),
                Fed::End => return Poll::Ready(Ok(Next::End)),
                Fed::Sink(e) => return Poll::Ready(Ok(Next::Sink(e))),
            }
        }
        loop {
            if matches!(self.framing, Framing::Done) {
                return Poll::Ready(Ok(Next::End));
            }
            // Readiness is kept by the socket's own registration: no waiter node per wait.
            std::task::ready!(self.io.poll_read_ready(cx)).map_err(|e| conn_error("reading the stream", e))?;
            match self.pump(sink)? {
                None | Some(Fed::Nothing) => continue,
                Some(Fed::Some) => return Poll::Ready(Ok(Next::Data)),
                Some(Fed::End) => return Poll::Ready(Ok(Next::End)),
                Some(Fed::Sink(e)) => return Poll::Ready(Ok(Next::Sink(e))),
            }
        }
    }

    /// One read from the socket, decoded. A plain function, so the buffer lives on the stack
    /// only for the read and never becomes part of the stream task's state.
    fn pump<E>(&mut self, sink: &mut impl FnMut(&[u8]) -> std::result::Result<(), E>) -> Result<Option<Fed<E>>> {
        let mut buf = [0u8; READ_CHUNK];
        let n = match self.io.try_read(&mut buf) {
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => return Ok(None),
            Err(e) => return Err(conn_error("reading the stream", e)),
        };
        if n == 0 {
            return match self.framing {
                Framing::Close | Framing::Done => {
                    self.framing = Framing::Done;
                    Ok(Some(Fed::End))
                }
                _ => Err(conn_error("reading the stream", "the connection closed in the middle of the body")),
            };
        }
        self.feed(&buf[..n], sink).map(Some)
    }

    /// Decodes `input` according to the framing, handing the body bytes to `sink`.
    fn feed<E>(&mut self, input: &[u8], sink: &mut impl FnMut(&[u8]) -> std::result::Result<(), E>) -> Result<Fed<E>> {
        let mut data = false;
        match &mut self.framing {
            Framing::Done => return Ok(Fed::End),
            Framing::Close => {
                if let Err(e) = sink(input) {
                    return Ok(Fed::Sink(e));
                }
                data = true;
            }
            Framing::Length(rem) => {
                let take = (*rem).min(input.len() as u64) as usize;
                if take > 0 {
                    if let Err(e) = sink(&input[..take]) {
                        return Ok(Fed::Sink(e));
                    }
                    data = true;
                }
                *rem -= take as u64;
                if *rem == 0 {
                    self.framing = Framing::Done;
                }
            }
            Framing::Chunked(c) => {
                let mut err = None;
                let decoded = c.decode(input, &mut |piece| {
                    data = true;
                    sink(piece).map_err(|e| err = Some(e)).is_ok()
                });
                if let Some(e) = err {
                    return Ok(Fed::Sink(e));
                }
                let done = match decoded {
                    Ok(done) => done,
                    Err(e) if data => {
                        self.failed = Some(conn_error("bad chunked body", e));
                        return Ok(Fed::Some);
                    }
                    Err(e) => return Err(conn_error("bad chunked body", e)),
                };
                if done {
                    self.framing = Framing::Done;
                }
            }
        }
        Ok(match (data, matches!(self.framing, Framing::Done)) {
            (true, _) => Fed::Some,
            (false, true) => Fed::End,
            (false, false) => Fed::Nothing,
        })
    }

    /// Reads the rest of a (non-2xx) body, up to [`MAX_ERROR_BODY`] bytes; on failure returns
    /// what arrived together with the error.
    pub(crate) async fn read_error_body(mut self) -> std::result::Result<bytes::Bytes, (bytes::Bytes, Error)> {
        let mut body = Vec::new();
        loop {
            let mut keep = |p: &[u8]| -> std::result::Result<(), ()> {
                let room = MAX_ERROR_BODY.saturating_sub(body.len());
                body.extend_from_slice(&p[..p.len().min(room)]);
                Ok(())
            };
            match std::future::poll_fn(|cx| self.poll_next_with(cx, &mut keep)).await {
                Ok(Next::Data) => {}
                Ok(Next::End) | Ok(Next::Sink(())) => return Ok(body.into()),
                Err(e) => return Err((body.into(), e)),
            }
        }
    }
}

enum Fed<E> {
    Nothing,
    Some,
    End,
    Sink(E),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn head_parsing_and_framing() {
        let raw = b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ntransfer-encoding: chunked\r\nx-request-id: r1\r\n\r\n5\r\n";
        let (status, headers, used) = parse_head(raw).unwrap().unwrap();
        assert_eq!(status, 200);
        assert_eq!(headers["x-request-id"], "r1");
        assert_eq!(&raw[used..], b"5\r\n");
        assert!(matches!(framing_of(status, &headers).unwrap(), Framing::Chunked(_)));
        assert!(parse_head(b"HTTP/1.1 200 OK\r\ncontent-").unwrap().is_none());
        let (s, h, _) = parse_head(b"HTTP/1.1 404 Not Found\r\ncontent-length: 12\r\n\r\n").unwrap().unwrap();
        assert!(matches!(framing_of(s, &h).unwrap(), Framing::Length(12)));
        let (s, h, _) = parse_head(b"HTTP/1.1 200 OK\r\n\r\n").unwrap().unwrap();
        assert!(matches!(framing_of(s, &h).unwrap(), Framing::Close));
    }

    #[test]
    fn no_proxy_matching() {
        assert!(bypasses_proxy("localhost, 127.0.0.1", "127.0.0.1"));
        assert!(bypasses_proxy("*", "api.example.com"));
        assert!(bypasses_proxy(".example.com", "api.example.com"));
        assert!(bypasses_proxy("example.com", "API.example.com"));
        assert!(bypasses_proxy("::1", "[::1]"));
        assert!(!bypasses_proxy("example.com", "badexample.com"));
        assert!(!bypasses_proxy("10.0.0.0/8", "10.1.2.3"));
        assert!(!bypasses_proxy("", "127.0.0.1"));
    }

    #[test]
    fn encoded_request_head() {
        let client = reqwest::Client::new();
        let req = client
            .get("http://127.0.0.1:8080/v1/sessions/s1/events/stream?x=1")
            .header("authorization", "Bearer t")
            .header("last-event-id", "e9")
            .build()
            .unwrap();
        let head = String::from_utf8(encode(&req)).unwrap();
        assert!(head.starts_with("GET /v1/sessions/s1/events/stream?x=1 HTTP/1.1\r\nhost: 127.0.0.1:8080\r\n"), "{head}");
        assert!(head.contains("last-event-id: e9\r\n"));
        assert!(head.ends_with("connection: close\r\n\r\n"));
    }
}
