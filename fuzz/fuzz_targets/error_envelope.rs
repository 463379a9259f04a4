//! Fuzzes API-error construction from raw responses: `Error::from_response(status, body, …)` and
//! `Error::from_stream_error(body)`.
//!
//! Input layout: bytes 0..2 = HTTP status (u16, big-endian); byte 2 = flags (bit 0: pass an
//! `x-request-id` header value, as the transport does when the header is present; the brief's
//! case is `None`); the rest is the body.
//!
//! Invariants checked: no panic in the constructors, accessors, `Display` or `Debug`; the status
//! is kept; the kind matches `ErrorKind::from_status` / `from_error_type` of the envelope's
//! `error.type`; the raw body is kept (lossy UTF-8); API errors display as
//! `Error code: <status> - …`; a header request id wins over the body's; stream errors are
//! flagged as such, carry no status, and are retryable exactly for the transient kinds.
#![no_main]

use std::fmt::Write as _;

use libfuzzer_sys::fuzz_target;
use qoder_cloud::{Error, ErrorKind};

fn render(e: &Error) -> (String, String) {
    let mut d = String::new();
    write!(d, "{e}").expect("Display failed");
    let mut g = String::new();
    write!(g, "{e:?}").expect("Debug failed");
    let _ = (e.kind().as_str(), e.kind().is_api(), e.message(), e.error_type(), e.code());
    let _ = (e.param(), e.request_id(), e.idempotency_key(), e.body(), e.is_retryable());
    let _ = std::error::Error::source(e);
    (d, g)
}

fn envelope_type(body: &[u8], in_stream: bool) -> Option<String> {
    let v: serde_json::Value = serde_json::from_slice(body).ok()?;
    let err = match v.get("error") {
        Some(e) if e.is_object() => e,
        Some(e) if in_stream => e,
        _ if in_stream => &v,
        _ => return None,
    };
    err.get("type").and_then(|t| t.as_str()).map(str::to_owned)
}

fuzz_target!(|data: &[u8]| {
    if data.len() < 3 {
        return;
    }
    let status = u16::from_be_bytes([data[0], data[1]]);
    let header_id = (data[2] & 1 != 0).then(|| "req_from_header".to_owned());
    let body = &data[3..];
    let lossy = String::from_utf8_lossy(body);

    let e = Error::from_response(status, body, header_id.clone());
    let (display, _) = render(&e);
    assert_eq!(e.status(), Some(status));
    assert!(e.kind().is_api(), "from_response gave a non-API kind {:?}", e.kind());
    let et = envelope_type(body, false);
    assert_eq!(e.error_type(), et.as_deref());
    assert_eq!(e.kind(), ErrorKind::from_status(status, et.as_deref()));
    assert_eq!(e.body(), Some(&*lossy));
    assert!(!e.is_stream_error());
    let prefix = format!("Error code: {status} - ");
    assert!(display.starts_with(&prefix), "display {display:?} lacks {prefix:?}");
    if let Some(h) = &header_id {
        assert_eq!(e.request_id(), Some(h.as_str()), "header request id must win");
    }
    let _ = e.clone();

    let s = Error::from_stream_error(body);
    render(&s);
    assert!(s.is_stream_error());
    assert_eq!(s.status(), None);
    let et = envelope_type(body, true);
    assert_eq!(s.error_type(), et.as_deref());
    let kind = et.as_deref().map(ErrorKind::from_error_type).unwrap_or(ErrorKind::OtherStatus);
    assert_eq!(s.kind(), kind);
    assert_eq!(
        s.is_retryable(),
        matches!(kind, ErrorKind::Overloaded | ErrorKind::RateLimit | ErrorKind::InternalServer)
    );
    assert_eq!(s.body(), Some(&*lossy));
});
