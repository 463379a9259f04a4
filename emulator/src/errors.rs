//! The error envelope of docs/api-contract.md §2.5:
//! `{"type":"error","request_id":..,"error":{"type":..,"message":..,"param"?:..,"code"?:..}}`.

use http::StatusCode;
use serde_json::{json, Map, Value};

/// An API error that becomes a JSON error envelope.
#[derive(Debug, Clone, PartialEq)]
pub struct ApiError {
    /// HTTP status.
    pub status: StatusCode,
    /// `error.type`, e.g. `invalid_request_error`.
    pub kind: String,
    /// Human readable message.
    pub message: String,
    /// Offending parameter, when relevant.
    pub param: Option<String>,
    /// Optional machine code.
    pub code: Option<String>,
}

/// Result alias used by every handler.
pub type ApiResult<T> = Result<T, ApiError>;

impl ApiError {
    /// Builds an error with an explicit status and type.
    pub fn new(status: StatusCode, kind: &str, message: impl Into<String>) -> Self {
        Self { status, kind: kind.to_string(), message: message.into(), param: None, code: None }
    }

    /// 400 `invalid_request_error` without a parameter.
    pub fn invalid(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "invalid_request_error", message)
    }

    /// 400 `invalid_request_error` naming the offending parameter.
    pub fn param(param: impl Into<String>, message: impl Into<String>) -> Self {
        Self::invalid(message).with_param(param)
    }

    /// 400 for a missing required field.
    pub fn missing(param: &str) -> Self {
        Self::param(param, format!("Missing required field: {param}"))
    }

    /// 404 `not_found_error`: `<Kind> '<id>' was not found.`
    pub fn not_found(kind: &str, id: &str) -> Self {
        Self::new(StatusCode::NOT_FOUND, "not_found_error", format!("{kind} '{id}' was not found."))
    }

    /// 409 `conflict_error`.
    pub fn conflict(message: impl Into<String>) -> Self {
        Self::new(StatusCode::CONFLICT, "conflict_error", message)
    }

    /// 401 `authentication_error`.
    pub fn authentication(message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "authentication_error", message)
    }

    /// 403 `permission_error`.
    pub fn permission(message: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, "permission_error", message)
    }

    /// Adds `error.param`.
    pub fn with_param(mut self, param: impl Into<String>) -> Self {
        self.param = Some(param.into());
        self
    }

    /// Adds `error.code`.
    pub fn with_code(mut self, code: impl Into<String>) -> Self {
        self.code = Some(code.into());
        self
    }

    /// Serialises the envelope.
    pub fn to_body(&self, request_id: &str) -> Vec<u8> {
        let mut err = Map::new();
        err.insert("type".into(), json!(self.kind));
        err.insert("message".into(), json!(self.message));
        if let Some(p) = &self.param {
            err.insert("param".into(), json!(p));
        }
        if let Some(c) = &self.code {
            err.insert("code".into(), json!(c));
        }
        let env = json!({"type": "error", "request_id": request_id, "error": Value::Object(err)});
        serde_json::to_vec(&env).unwrap_or_default()
    }
}

/// The `error.type` conventionally used for an HTTP status (docs/api-contract.md §2.5 table).
pub fn error_type_for_status(status: u16) -> &'static str {
    match status {
        400 | 422 => "invalid_request_error",
        401 => "authentication_error",
        403 => "permission_error",
        404 | 410 => "not_found_error",
        409 => "conflict_error",
        413 => "request_too_large",
        429 => "rate_limit_error",
        529 => "overloaded_error",
        _ => "api_error",
    }
}
