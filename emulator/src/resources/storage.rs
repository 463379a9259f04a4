//! The unauthenticated "object storage" route behind file download links:
//! `GET /_storage/files/{file_id}?expires=<unix seconds>&sig=<hex>`, outside
//! the API prefix (no auth, no faults). It checks the signature and expiry
//! (403), serves the bytes with the file's content type, and counts in stats
//! whether the request carried credentials (`storage_requests_with_auth`), so
//! SDK tests can prove downloads send none.

use http::header::{AUTHORIZATION, COOKIE, HOST};
use http::{Method, Request, StatusCode};
use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use sha2::{Digest, Sha256};

use crate::body::Reply;
use crate::context::Ctx;
use crate::errors::ApiError;
use crate::pipeline::error_reply;
use crate::query::Query;
use crate::state::AppState;

const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC.remove(b'_').remove(b'-').remove(b'.').remove(b'~');

/// Path prefix of the storage route.
pub const PREFIX: &str = "/_storage/";

fn signature(st: &AppState, file_id: &str, expires: i64) -> String {
    let mut h = Sha256::new();
    h.update(st.storage_secret.as_bytes());
    h.update(b"\n");
    h.update(file_id.as_bytes());
    h.update(b"\n");
    h.update(expires.to_string().as_bytes());
    hex::encode(&h.finalize()[..16])
}

/// An absolute signed URL for a file, on the host the client used.
pub fn signed_url(ctx: &Ctx, file_id: &str, expires_us: i64) -> String {
    let st = &ctx.state;
    let host = ctx
        .headers
        .get(HOST)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
        .or_else(|| st.addr.get().map(|a| a.to_string()))
        .unwrap_or_else(|| "127.0.0.1".into());
    let expires = expires_us.div_euclid(1_000_000);
    let id = utf8_percent_encode(file_id, SEGMENT);
    format!(
        "{}://{host}{PREFIX}files/{id}?expires={expires}&sig={}",
        st.config.scheme(),
        signature(st, file_id, expires)
    )
}

/// Serves `GET /_storage/files/{file_id}` (`rest` is the path after [`PREFIX`]).
pub fn serve<B>(st: &AppState, req: &Request<B>, rest: &str, request_id: &str) -> Reply {
    let h = req.headers();
    st.stats.count_storage(h.contains_key(AUTHORIZATION) || h.contains_key("x-api-key") || h.contains_key(COOKIE));
    let result = (|| {
        let id = rest
            .strip_prefix("files/")
            .filter(|id| !id.is_empty() && !id.contains('/'))
            .ok_or_else(|| crate::pipeline::route_not_found(req.method(), req.uri().path()))?;
        let id = percent_encoding::percent_decode_str(id).decode_utf8_lossy().into_owned();
        if req.method() != Method::GET && req.method() != Method::HEAD {
            return Err(ApiError::new(
                StatusCode::METHOD_NOT_ALLOWED,
                "invalid_request_error",
                "Storage links only accept GET.",
            ));
        }
        let q = Query::parse(req.uri().query());
        let expires = q.get("expires").and_then(|e| e.parse::<i64>().ok());
        let valid = match (expires, q.get("sig")) {
            (Some(e), Some(sig)) => sig == signature(st, &id, e) && e * 1_000_000 >= st.now(),
            _ => false,
        };
        if !valid {
            return Err(
                ApiError::permission("The download link is invalid or has expired.").with_code("invalid_signature")
            );
        }
        let store = st.store();
        let file = store.files.get(&id);
        super::files::check_downloadable(file, &id)?;
        let file = file.expect("checked");
        let name = file.filename().replace(['"', '\\', '\r', '\n'], "_");
        let mut r = Reply::binary(StatusCode::OK, "application/octet-stream", file.data.clone())
            .header("content-type", file.mime_type())
            .header("content-disposition", format!("attachment; filename=\"{name}\""));
        if req.method() == Method::HEAD {
            r.body = crate::body::Body::empty();
            r = r.header("content-length", file.data.len().to_string());
        }
        Ok(r)
    })();
    result.unwrap_or_else(|e| error_reply(&e, request_id))
}
