//! The service-account token exchange (docs/api-contract.md §1.5):
//! `POST /api/v1/serviceToken/exchange` with `Authorization: Bearer <service-account key>` and
//! `{"grant_type": "client_credentials", "audience": "qoder", "scope": "qca.access ...",
//! "ttl_seconds": 1..43200}` issues a short-lived `sat-` token. The API accepts a `sat-` token
//! only while it is issued and unexpired on the emulator's clock (advance the clock through
//! `/_emulator/clock/advance` to expire every token at once).
//!
//! Keys: any `sak-` key is accepted, except `sak-revoked...` (401), so tests can exercise both.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

use http::{HeaderMap, Method};
use serde_json::{json, Value};

use crate::body::Reply;
use crate::clock::{format_rfc3339, Micros};
use crate::errors::ApiError;
use crate::state::AppState;

/// The exchange's path (on the emulator's own origin; production uses a separate host).
pub const PATH: &str = "/api/v1/serviceToken/exchange";

/// Issued tokens and their expiry.
#[derive(Debug, Default)]
pub struct ServiceTokens {
    issued: Mutex<HashMap<String, Micros>>,
    exchanges: AtomicU64,
}

impl ServiceTokens {
    /// Exchanges performed so far (reported in `/_emulator/stats`).
    pub fn exchanges(&self) -> u64 {
        self.exchanges.load(Ordering::Relaxed)
    }

    /// Whether `token` (a `sat-` token) is issued and unexpired at `now`.
    pub fn valid(&self, token: &str, now: Micros) -> bool {
        self.issued.lock().unwrap_or_else(|e| e.into_inner()).get(token).is_some_and(|&exp| now < exp)
    }

    /// Forgets every token and the counter.
    pub fn clear(&self) {
        self.issued.lock().unwrap_or_else(|e| e.into_inner()).clear();
        self.exchanges.store(0, Ordering::Relaxed);
    }
}

/// Handles the exchange endpoint.
pub fn exchange(st: &AppState, method: &Method, headers: &HeaderMap, body: &[u8]) -> Result<Reply, ApiError> {
    if method != Method::POST {
        return Err(ApiError::new(
            http::StatusCode::METHOD_NOT_ALLOWED,
            "invalid_request_error",
            format!("Method {method} is not allowed for {PATH}; allowed: POST."),
        ));
    }
    let auth = headers.get(http::header::AUTHORIZATION).and_then(|v| v.to_str().ok()).unwrap_or("").trim();
    let key = match auth.split_once(' ') {
        Some((scheme, k)) if scheme.eq_ignore_ascii_case("bearer") && !k.trim().is_empty() => k.trim(),
        _ => {
            return Err(ApiError::authentication(
                "Missing Authorization header; expected 'Authorization: Bearer <service-account key>'.",
            ))
        }
    };
    if !key.starts_with("sak-") || key.starts_with("sak-revoked") {
        return Err(ApiError::authentication("Invalid or revoked service-account key."));
    }
    let v: Value = serde_json::from_slice(body).map_err(|_| ApiError::invalid("Request body must be valid JSON."))?;
    if v.get("grant_type").and_then(Value::as_str) != Some("client_credentials") {
        return Err(ApiError::param("grant_type", "grant_type must be 'client_credentials'."));
    }
    if v.get("audience").and_then(Value::as_str) != Some("qoder") {
        return Err(ApiError::param("audience", "audience must be 'qoder'."));
    }
    let scope = v.get("scope").and_then(Value::as_str).unwrap_or("");
    if !scope.split(' ').any(|s| s == "qca.access") {
        return Err(ApiError::param("scope", "scope must include 'qca.access'."));
    }
    let ttl = match v.get("ttl_seconds") {
        None => 3600,
        Some(t) => t
            .as_u64()
            .filter(|t| (1..=43_200).contains(t))
            .ok_or_else(|| ApiError::param("ttl_seconds", "ttl_seconds must be an integer from 1 to 43200."))?,
    };
    let now = st.now();
    let expires = now + ttl as Micros * 1_000_000;
    let token = format!("sat-{}", uuid::Uuid::new_v4().simple());
    let tokens = &st.service_tokens;
    tokens.issued.lock().unwrap_or_else(|e| e.into_inner()).insert(token.clone(), expires);
    tokens.exchanges.fetch_add(1, Ordering::Relaxed);
    Ok(Reply::ok(&json!({
        "access_token": token,
        "token_type": "bearer",
        "expires_in": ttl,
        "expires_at": format_rfc3339(expires),
    })))
}
