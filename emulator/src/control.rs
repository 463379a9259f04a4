//! Control endpoints under `/_emulator/` (no auth, not counted in stats):
//! stats, clock, reset, global faults, health, scheduled deployment runs.

use std::sync::Arc;
use std::time::Duration;

use http::{Method, Request, StatusCode};
use http_body_util::{BodyExt, Limited};
use hyper::body::Incoming;
use serde_json::{json, Value};

use crate::body::Reply;
use crate::clock::format_rfc3339;
use crate::errors::ApiError;
use crate::faults::FaultSpec;
use crate::pipeline::error_reply;
use crate::state::AppState;

/// Handles `/_emulator/...`.
pub async fn handle(st: &Arc<AppState>, req: Request<Incoming>, request_id: &str) -> Reply {
    let method = req.method().clone();
    let path = req.uri().path().trim_end_matches('/').to_string();
    let body = match Limited::new(req.into_body(), 1024 * 1024).collect().await {
        Ok(b) => b.to_bytes(),
        Err(_) => {
            return error_reply(&ApiError::invalid("Control request body is too large or unreadable."), request_id)
        }
    };
    let json_body = || -> Result<Value, ApiError> {
        if body.iter().all(u8::is_ascii_whitespace) {
            return Ok(json!({}));
        }
        serde_json::from_slice(&body).map_err(|_| ApiError::invalid("Request body must be valid JSON."))
    };
    let result: Result<Reply, ApiError> = match (method, path.as_str()) {
        (Method::GET, "/_emulator/stats") => Ok(Reply::ok(&st.stats_json())),
        (Method::GET, "/_emulator/health") => Ok(Reply::ok(&json!({"status": "ok"}))),
        (Method::GET, "/_emulator/clock") => Ok(Reply::ok(&clock_json(st))),
        (Method::POST, "/_emulator/clock/advance") => json_body().and_then(|v| {
            let secs = v
                .get("seconds")
                .and_then(Value::as_f64)
                .filter(|s| s.is_finite() && *s >= 0.0)
                .ok_or_else(|| ApiError::param("seconds", "seconds must be a non-negative number"))?;
            st.clock.advance(Duration::from_secs_f64(secs));
            Ok(Reply::ok(&clock_json(st)))
        }),
        (Method::POST, "/_emulator/reset") => {
            st.reset();
            Ok(Reply::ok(&json!({"reset": true})))
        }
        (Method::GET, "/_emulator/faults") => Ok(Reply::ok(&json!({"spec": st.faults.global_raw()}))),
        (Method::DELETE, "/_emulator/faults") => {
            st.faults.set_global(None);
            Ok(Reply::ok(&json!({"spec": null})))
        }
        (Method::POST, "/_emulator/faults") => json_body().and_then(|v| {
            match v.get("spec") {
                None | Some(Value::Null) => st.faults.set_global(None),
                Some(Value::String(s)) => {
                    let spec =
                        FaultSpec::parse(s).map_err(|e| ApiError::param("spec", format!("Invalid fault spec: {e}")))?;
                    st.faults.set_global(Some(spec));
                }
                Some(_) => return Err(ApiError::param("spec", "spec must be a string or null")),
            }
            Ok(Reply::ok(&json!({"spec": st.faults.global_raw()})))
        }),
        (Method::POST, p) if p.starts_with("/_emulator/deployments/") && p.ends_with("/trigger") => {
            let id = &p["/_emulator/deployments/".len()..p.len() - "/trigger".len()];
            crate::resources::deployment_runs::start_run(st, id, true).map(|run| Reply::created(&run))
        }
        (m, p) => {
            Err(ApiError::new(StatusCode::NOT_FOUND, "not_found_error", format!("No control route matches {m} {p}."))
                .with_code("route_not_found"))
        }
    };
    result.unwrap_or_else(|e| error_reply(&e, request_id))
}

fn clock_json(st: &AppState) -> Value {
    json!({"now": format_rfc3339(st.clock.now_us()), "offset_seconds": st.clock.offset().as_secs_f64()})
}
