//! Request pipeline: request id → stats → faults → auth → routing → body →
//! idempotency → handler → response faults.
//!
//! Faults run before authentication on purpose: they model the gateway in
//! front of the API, which fails (429/503, HTML pages, lost responses) without
//! looking at credentials.

use std::sync::Arc;
use std::time::Duration;

use bytes::{Bytes, BytesMut};
use http::header::{HeaderValue, AUTHORIZATION, CONTENT_LENGTH, CONTENT_TYPE};
use http::{HeaderMap, Method, Request, Response, StatusCode};
use http_body_util::BodyExt;
use hyper::body::Incoming;
use tokio::sync::mpsc;

use crate::body::{abort_after_flush, Body, Chunk, KillSwitch, Reply};
use crate::config::Region;
use crate::context::Ctx;
use crate::errors::{error_type_for_status, ApiError};
use crate::faults::{FaultSpec, ResponseFault};
use crate::idempotency::{fingerprint, Begin, StoredResponse};
use crate::query::Query;
use crate::router::{dispatch, match_route, Match};
use crate::state::AppState;

/// Returned to hyper to close the connection without writing a response.
#[derive(Debug)]
pub struct DropConnection;

impl std::fmt::Display for DropConnection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("connection dropped by fault injection")
    }
}

impl std::error::Error for DropConnection {}

/// What the pipeline decided.
pub enum Outcome {
    /// Send this.
    Reply(Reply),
    /// Close the connection without a response.
    Drop,
}

/// An error envelope reply.
pub fn error_reply(e: &ApiError, request_id: &str) -> Reply {
    Reply::raw_json(e.status, e.to_body(request_id))
}

/// Entry point for every HTTP request.
pub async fn handle(st: Arc<AppState>, req: Request<Incoming>) -> Result<Response<Body>, DropConnection> {
    let request_id = req
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(str::to_string)
        .unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
    let path = req.uri().path().to_string();
    let outcome = if path == "/_emulator" || path.starts_with("/_emulator/") {
        Outcome::Reply(crate::control::handle(&st, req, &request_id).await)
    } else if path == crate::service_tokens::PATH {
        Outcome::Reply(service_token_exchange(&st, req, &request_id).await)
    } else if let Some(rest) = path.strip_prefix(crate::resources::storage::PREFIX) {
        Outcome::Reply(crate::resources::storage::serve(&st, &req, rest, &request_id))
    } else if let Some(rest) = strip_prefix(&path, &st.prefix) {
        let rest = if rest.is_empty() { "/".to_string() } else { rest.to_string() };
        api(&st, req, &rest, &request_id).await
    } else {
        Outcome::Reply(error_reply(&route_not_found(req.method(), &path), &request_id))
    };
    match outcome {
        Outcome::Drop => Err(DropConnection),
        Outcome::Reply(r) => Ok(into_response(r, &request_id)),
    }
}

async fn service_token_exchange(st: &AppState, req: Request<Incoming>, request_id: &str) -> Reply {
    let (parts, incoming) = req.into_parts();
    let body = match read_body(incoming, 64 * 1024, &parts.headers).await {
        Ok(b) => b,
        Err(_) => return error_reply(&ApiError::invalid("Request body is too large or unreadable."), request_id),
    };
    crate::service_tokens::exchange(st, &parts.method, &parts.headers, &body)
        .unwrap_or_else(|e| error_reply(&e, request_id))
}

/// The 404 for a path no route matches (`error.code: route_not_found`, so it
/// can be told apart from an unknown id).
pub fn route_not_found(method: &Method, path: &str) -> ApiError {
    ApiError::new(StatusCode::NOT_FOUND, "not_found_error", format!("No route matches {method} {path}."))
        .with_code("route_not_found")
}

fn strip_prefix<'a>(path: &'a str, prefix: &str) -> Option<&'a str> {
    let rest = path.strip_prefix(prefix)?;
    (rest.is_empty() || rest.starts_with('/')).then_some(rest)
}

/// Builds the hyper response, adding `x-request-id`.
pub fn into_response(r: Reply, request_id: &str) -> Response<Body> {
    let mut resp = Response::new(r.body);
    *resp.status_mut() = r.status;
    let h = resp.headers_mut();
    h.insert(CONTENT_TYPE, HeaderValue::from_static(r.content_type));
    if let Ok(v) = HeaderValue::from_str(request_id) {
        h.insert("x-request-id", v);
    }
    for (k, v) in r.headers {
        if let Ok(v) = HeaderValue::from_str(&v) {
            h.insert(k, v);
        }
    }
    resp
}

async fn api(st: &Arc<AppState>, req: Request<Incoming>, path: &str, request_id: &str) -> Outcome {
    let method = req.method().clone();
    let matched = match_route(&method, path);
    let key = match &matched {
        Match::Found { template, .. } | Match::MethodNotAllowed { template, .. } => format!("{method} {template}"),
        Match::NotFound => "unmatched".to_string(),
    };
    st.stats.count_request(&key);
    if let Some(tp) = req.headers().get("traceparent").and_then(|v| v.to_str().ok()) {
        st.stats.saw_traceparent(tp);
    }
    let err = |e: ApiError| Outcome::Reply(error_reply(&e, request_id));

    let fault_header = req.headers().get("x-emulator-fault").and_then(|v| v.to_str().ok());
    let fault = match st.faults.resolve(fault_header, method.as_str(), path) {
        Ok(f) => f,
        Err(e) => return err(ApiError::param("x-emulator-fault", format!("Invalid x-emulator-fault header: {e}"))),
    };
    let delay = fault.as_ref().and_then(|f| f.delay_ms).map(Duration::from_millis);
    if let Some(f) = &fault {
        let gateway_failure = f.status.is_some() || f.response == Some(ResponseFault::HtmlError);
        if let (Some(d), true) = (delay, gateway_failure) {
            tokio::time::sleep(d).await;
        }
        if f.response == Some(ResponseFault::HtmlError) {
            st.stats.count_fault();
            return Outcome::Reply(with_hints(html_error(f.status.unwrap_or(502)), f));
        }
        if let Some(status) = f.status {
            st.stats.count_fault();
            let code = StatusCode::from_u16(status).unwrap_or(StatusCode::SERVICE_UNAVAILABLE);
            let kind = f.error_type.clone().unwrap_or_else(|| error_type_for_status(status).to_string());
            let msg = f.message.clone().unwrap_or_else(|| format!("Injected fault: HTTP {status}."));
            return Outcome::Reply(with_hints(error_reply(&ApiError::new(code, &kind, msg), request_id), f));
        }
    }

    let token = match authenticate(st, req.headers()) {
        Ok(t) => t,
        Err(e) => return err(e),
    };
    let (route, params) = match matched {
        Match::Found { route, params, .. } => (route, params),
        Match::MethodNotAllowed { allowed, .. } => {
            let e = ApiError::new(
                StatusCode::METHOD_NOT_ALLOWED,
                "invalid_request_error",
                format!("Method {method} is not allowed for {path}; allowed: {}.", allowed.join(", ")),
            );
            return Outcome::Reply(error_reply(&e, request_id).header("allow", allowed.join(", ")));
        }
        Match::NotFound => return err(route_not_found(&method, path)),
    };

    let (parts, incoming) = req.into_parts();
    let limit = st.config.body_limit();
    let body = match read_body(incoming, limit, &parts.headers).await {
        Ok(b) => b,
        Err(BodyError::TooLarge) => {
            let msg = match st.config.region {
                Region::Cn => "Request body must be valid JSON.".to_string(),
                Region::Global => format!("Request body is too large; the maximum is {limit} bytes."),
            };
            return err(ApiError::invalid(msg));
        }
        Err(BodyError::Io) => return Outcome::Drop,
    };

    let kill = parts.extensions.get::<Arc<crate::body::KillSwitch>>().cloned();
    let ctx = Ctx {
        kill,
        state: st.clone(),
        method: method.clone(),
        params,
        query: Query::parse(parts.uri.query()),
        headers: parts.headers,
        body,
        token,
        request_id: request_id.to_string(),
        fault: fault.clone(),
    };

    let idem_key = if matches!(method, Method::POST | Method::PUT | Method::DELETE) {
        ctx.header("idempotency-key")
            .or_else(|| ctx.header("x-idempotency-key"))
            .map(str::trim)
            .filter(|k| !k.is_empty())
    } else {
        None
    };
    let mut pending = None;
    if let Some(key) = idem_key {
        if key.len() > 255 {
            return err(ApiError::param("Idempotency-Key", "Idempotency-Key must be at most 255 characters."));
        }
        match st.idempotency.begin(
            &st.clock,
            &ctx.token,
            key,
            fingerprint(method.as_str(), path, ctx.content_type(), &ctx.body),
        ) {
            Begin::Proceed(p) => pending = Some(p),
            Begin::Replay(stored) => {
                st.stats.count_replay();
                let mut r = Reply::raw_json(StatusCode::from_u16(stored.status).unwrap_or(StatusCode::OK), stored.body);
                r.content_type = stored.content_type;
                return response_fault(st, r.header("idempotent-replayed", "true"), fault.as_deref(), ctx.kill.clone());
            }
            Begin::Mismatch => {
                return err(ApiError::conflict("Idempotency key reused with a different request body.")
                    .with_param("Idempotency-Key"))
            }
            Begin::InFlight => {
                return err(ApiError::conflict("A request with this idempotency key is already in progress.")
                    .with_param("Idempotency-Key")
                    .with_code("idempotency_key_in_use"))
            }
        }
    }

    // A plain delay models slow processing: it happens while the idempotency
    // key is reserved, so a concurrent duplicate sees the in-flight 409.
    let Some(p) = pending else {
        if let Some(d) = delay {
            tokio::time::sleep(d).await;
        }
        let reply = dispatch(route, &ctx).await.unwrap_or_else(|e| error_reply(&e, request_id));
        return response_fault(st, reply, fault.as_deref(), ctx.kill.clone());
    };
    // A request with a key runs to completion even when its client goes away (a timed-out first
    // attempt): like a real server, the work and its stored outcome do not depend on the
    // connection, so a retry meets it in flight (409) and then gets its result (a replay).
    let rid = request_id.to_string();
    let work = tokio::spawn(async move {
        if let Some(d) = delay {
            tokio::time::sleep(d).await;
        }
        let reply = dispatch(route, &ctx).await.unwrap_or_else(|e| error_reply(&e, &rid));
        if let Some(bytes) = &reply.bytes {
            p.complete(StoredResponse {
                status: reply.status.as_u16(),
                content_type: reply.content_type,
                body: bytes.clone(),
            });
        }
        (reply, ctx.kill.clone())
    });
    match work.await {
        Ok((reply, kill)) => response_fault(st, reply, fault.as_deref(), kill),
        Err(_) => Outcome::Drop,
    }
}

fn authenticate(st: &AppState, headers: &HeaderMap) -> Result<String, ApiError> {
    let auth = headers.get(AUTHORIZATION).and_then(|v| v.to_str().ok()).unwrap_or("").trim();
    let token = match auth.split_once(' ') {
        Some((scheme, t)) if scheme.eq_ignore_ascii_case("bearer") && !t.trim().is_empty() => t.trim().to_string(),
        _ => {
            let msg = if auth.is_empty() && headers.contains_key("x-api-key") {
                "x-api-key is not supported; send 'Authorization: Bearer <token>'."
            } else {
                "Missing or invalid Authorization header; expected 'Authorization: Bearer <token>'."
            };
            return Err(ApiError::authentication(msg));
        }
    };
    // Service-account tokens are valid only as issued by the exchange, until they expire.
    if token.starts_with("sat-") && !st.service_tokens.valid(&token, st.now()) {
        return Err(ApiError::authentication("Invalid or expired token."));
    }
    if let Some(allowed) = &st.config.allowed_tokens {
        if !allowed.contains(&token) && !token.starts_with("sat-") {
            return Err(ApiError::authentication("Invalid or expired token."));
        }
    }
    if st.config.forbidden_tokens.contains(&token) {
        return Err(ApiError::permission("This token is not allowed to access this resource."));
    }
    Ok(token)
}

enum BodyError {
    TooLarge,
    Io,
}

/// Reads the body up to `limit` bytes. Oversize bodies are drained (not kept)
/// so the client finishes sending and can read the 400.
async fn read_body(mut body: Incoming, limit: usize, headers: &HeaderMap) -> Result<Bytes, BodyError> {
    let declared = headers.get(CONTENT_LENGTH).and_then(|v| v.to_str().ok()).and_then(|v| v.parse::<u64>().ok());
    let mut too_large = declared.is_some_and(|n| n > limit as u64);
    let mut buf = BytesMut::new();
    while let Some(frame) = body.frame().await {
        let frame = frame.map_err(|_| BodyError::Io)?;
        if let Ok(data) = frame.into_data() {
            if !too_large && buf.len() + data.len() > limit {
                too_large = true;
                buf = BytesMut::new();
            }
            if !too_large {
                buf.extend_from_slice(&data);
            }
        }
    }
    if too_large {
        Err(BodyError::TooLarge)
    } else {
        Ok(buf.freeze())
    }
}

fn with_hints(mut r: Reply, f: &FaultSpec) -> Reply {
    r.headers.extend(f.hint_headers());
    r
}

fn html_error(status: u16) -> Reply {
    let code = StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_GATEWAY);
    let reason = code.canonical_reason().unwrap_or("Bad Gateway");
    let html = format!(
        "<html>\r\n<head><title>{status} {reason}</title></head>\r\n<body>\r\n<center><h1>{status} {reason}</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"
    );
    let mut r = Reply::raw_json(code, html);
    r.content_type = "text/html";
    r
}

/// Applies response-mangling faults to a processed request.
fn response_fault(st: &AppState, mut r: Reply, fault: Option<&FaultSpec>, kill: Option<Arc<KillSwitch>>) -> Outcome {
    let Some(f) = fault else { return Outcome::Reply(r) };
    let Some(kind) = f.response else { return Outcome::Reply(r) };
    st.stats.count_fault();
    r.headers.extend(f.hint_headers());
    match kind {
        ResponseFault::DropResponse => return Outcome::Drop,
        ResponseFault::WrongContentType => r.content_type = "text/plain; charset=utf-8",
        ResponseFault::MalformedJson => {
            let full = r.bytes.clone().unwrap_or_default();
            let mut broken = full[..full.len() / 2].to_vec();
            broken.extend_from_slice(b"<<malformed>>");
            r.body = Body::full(broken);
        }
        ResponseFault::Truncated => {
            let full = r.bytes.clone().unwrap_or_default();
            let (tx, rx) = mpsc::channel(2);
            let half = Bytes::copy_from_slice(&full[..full.len() / 2]);
            let killable = kill.is_some();
            tokio::spawn(async move {
                if tx.send(Chunk::Data(half)).await.is_ok() {
                    abort_after_flush(&tx, killable).await;
                }
            });
            r.body = Body::channel(rx, kill);
            r.headers.push(("content-length", full.len().to_string()));
        }
        ResponseFault::HtmlError => {}
    }
    Outcome::Reply(r)
}
