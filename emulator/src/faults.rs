//! Fault injection (see README "Fault injection").
//!
//! A spec is a `;`-separated list of `key=value` items or bare flags, e.g.
//! `status=503;count=2;retry-after=1;id=abc`. It applies server-wide (config /
//! `--fault` / `POST /_emulator/faults`) or per request via `x-emulator-fault`.
//! Per-request faults are counted per distinct header value, so a retrying
//! client that resends identical headers sees exactly `count` failures.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use crate::validate::none_or;

/// What to do to an otherwise normal response.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResponseFault {
    /// Process the request, then close the connection without any response bytes.
    DropResponse,
    /// 2xx status with a body that is not valid JSON.
    MalformedJson,
    /// Full `Content-Length`, but the body is cut in half and the connection closed.
    Truncated,
    /// A proxy-style `502` HTML page, request not processed.
    HtmlError,
    /// The body is served as `text/plain`.
    WrongContentType,
}

/// Faults that only apply to SSE stream endpoints. Frame counts include only
/// persisted events (not previews or keep-alives), so a drop never splits a
/// preview group from its final event.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StreamFaults {
    /// Close the connection abruptly after N event frames.
    pub drop_after: Option<u64>,
    /// After N event frames, send nothing at all (no keep-alives) until the client leaves.
    pub stall_after: Option<u64>,
    /// Send one malformed frame after N event frames, then continue.
    pub malformed_after: Option<u64>,
    /// Send an `event: error` frame with this error type, then end the stream.
    pub error: Option<String>,
    /// How many event frames precede the error frame.
    pub error_after: u64,
}

/// A parsed fault spec.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FaultSpec {
    /// The original text.
    pub raw: String,
    /// Respond with this status instead of processing the request.
    pub status: Option<u16>,
    /// How many matching requests get the fault (None = all).
    pub count: Option<u64>,
    /// `retry-after` header value (seconds or HTTP-date).
    pub retry_after: Option<String>,
    /// `retry-after-ms` header value.
    pub retry_after_ms: Option<String>,
    /// `x-should-retry` header value.
    pub should_retry: Option<bool>,
    /// Delay before responding.
    pub delay_ms: Option<u64>,
    /// Response mangling.
    pub response: Option<ResponseFault>,
    /// `error.type` for `status` faults (default derived from the status).
    pub error_type: Option<String>,
    /// `error.message` for `status` faults.
    pub message: Option<String>,
    /// Only requests whose method matches (e.g. `POST`).
    pub method: Option<String>,
    /// Only requests whose path (below the API prefix) starts with this.
    pub path: Option<String>,
    /// Stream faults.
    pub stream: StreamFaults,
}

impl FaultSpec {
    /// Parses a spec; the error names the problem.
    pub fn parse(spec: &str) -> Result<FaultSpec, String> {
        let mut f = FaultSpec { raw: spec.to_string(), ..Default::default() };
        let mut any = false;
        for item in spec.split(';').map(str::trim).filter(|s| !s.is_empty()) {
            any = true;
            let (key, value) = match item.split_once('=') {
                Some((k, v)) => (k.trim().to_ascii_lowercase(), Some(v.trim().to_string())),
                None => (item.to_ascii_lowercase(), None),
            };
            let num = |what: &str| -> Result<u64, String> {
                let v = value.as_deref().ok_or_else(|| format!("'{what}' needs a value"))?;
                v.parse::<u64>().map_err(|_| format!("'{what}' must be a non-negative integer, got '{v}'"))
            };
            let opt_num = |what: &str| -> Result<u64, String> {
                if value.is_none() {
                    Ok(0)
                } else {
                    num(what)
                }
            };
            let text = |what: &str| -> Result<String, String> {
                value.clone().filter(|v| !v.is_empty()).ok_or_else(|| format!("'{what}' needs a value"))
            };
            match key.as_str() {
                "status" => {
                    let s = num("status")?;
                    if !(100..=999).contains(&s) {
                        return Err(format!("'status' must be an HTTP status code, got {s}"));
                    }
                    f.status = Some(s as u16);
                }
                "count" => f.count = Some(num("count")?),
                "retry-after" => f.retry_after = Some(text("retry-after")?),
                "retry-after-ms" => f.retry_after_ms = Some(text("retry-after-ms")?),
                "should-retry" => {
                    f.should_retry = Some(match value.as_deref() {
                        Some("true") | None => true,
                        Some("false") => false,
                        Some(v) => return Err(format!("'should-retry' must be true or false, got '{v}'")),
                    })
                }
                "delay-ms" => f.delay_ms = Some(num("delay-ms")?),
                "drop-response" => f.set_response(ResponseFault::DropResponse)?,
                "malformed-json" => f.set_response(ResponseFault::MalformedJson)?,
                "truncated" => f.set_response(ResponseFault::Truncated)?,
                "html-error" => f.set_response(ResponseFault::HtmlError)?,
                "wrong-content-type" => f.set_response(ResponseFault::WrongContentType)?,
                "error-type" | "type" => f.error_type = Some(text("error-type")?),
                "message" => f.message = Some(text("message")?),
                "method" => f.method = Some(text("method")?.to_ascii_uppercase()),
                "path" => f.path = Some(text("path")?),
                "id" => {}
                "stream-drop-after" => f.stream.drop_after = Some(num("stream-drop-after")?),
                "stream-stall" => f.stream.stall_after = Some(opt_num("stream-stall")?),
                "stream-malformed-frame" => f.stream.malformed_after = Some(opt_num("stream-malformed-frame")?),
                "stream-error" => f.stream.error = Some(value.clone().unwrap_or_else(|| "api_error".into())),
                "stream-error-after" => f.stream.error_after = num("stream-error-after")?,
                other => return Err(format!("unknown fault key '{other}'")),
            }
        }
        if !any {
            return Err("empty fault spec".into());
        }
        Ok(f)
    }

    fn set_response(&mut self, r: ResponseFault) -> Result<(), String> {
        if self.response.is_some() {
            return Err(
                "only one of drop-response, malformed-json, truncated, html-error, wrong-content-type may be given"
                    .into(),
            );
        }
        self.response = Some(r);
        Ok(())
    }

    /// Whether the spec targets this request.
    pub fn matches(&self, method: &str, api_path: &str) -> bool {
        none_or(self.method.as_deref(), |m| m == method) && none_or(self.path.as_deref(), |p| api_path.starts_with(p))
    }

    /// Whether the spec has any stream behaviour.
    pub fn has_stream_faults(&self) -> bool {
        self.stream != StreamFaults::default()
    }

    /// Extra headers to put on a faulted response.
    pub fn hint_headers(&self) -> Vec<(&'static str, String)> {
        let mut h = Vec::new();
        if let Some(v) = &self.retry_after {
            h.push(("retry-after", v.clone()));
        }
        if let Some(v) = &self.retry_after_ms {
            h.push(("retry-after-ms", v.clone()));
        }
        if let Some(v) = self.should_retry {
            h.push(("x-should-retry", v.to_string()));
        }
        h
    }
}

#[derive(Debug)]
struct GlobalFault {
    spec: Arc<FaultSpec>,
    used: u64,
}

/// Holds the global fault and per-header-value counters.
#[derive(Debug, Default)]
pub struct FaultRegistry {
    global: Mutex<Option<GlobalFault>>,
    per_value: Mutex<HashMap<String, u64>>,
}

impl FaultRegistry {
    /// Replaces (or clears) the global fault and resets its counter.
    pub fn set_global(&self, spec: Option<FaultSpec>) {
        *self.global.lock().unwrap_or_else(|e| e.into_inner()) =
            spec.map(|s| GlobalFault { spec: Arc::new(s), used: 0 });
    }

    /// The current global spec text.
    pub fn global_raw(&self) -> Option<String> {
        self.global.lock().unwrap_or_else(|e| e.into_inner()).as_ref().map(|g| g.spec.raw.clone())
    }

    /// Forgets per-header counters (used by reset).
    pub fn reset_counters(&self) {
        self.per_value.lock().unwrap_or_else(|e| e.into_inner()).clear();
        if let Some(g) = self.global.lock().unwrap_or_else(|e| e.into_inner()).as_mut() {
            g.used = 0;
        }
    }

    /// Decides which fault (if any) applies to a request and consumes one unit
    /// of its count. A header spec takes precedence over the global one.
    pub fn resolve(
        &self,
        header: Option<&str>,
        method: &str,
        api_path: &str,
    ) -> Result<Option<Arc<FaultSpec>>, String> {
        if let Some(raw) = header {
            let spec = FaultSpec::parse(raw)?;
            if !spec.matches(method, api_path) {
                return Ok(None);
            }
            let mut m = self.per_value.lock().unwrap_or_else(|e| e.into_inner());
            let used = m.entry(raw.to_string()).or_default();
            *used += 1;
            return Ok(none_or(spec.count, |c| *used <= c).then(|| Arc::new(spec)));
        }
        let mut g = self.global.lock().unwrap_or_else(|e| e.into_inner());
        let Some(g) = g.as_mut() else { return Ok(None) };
        if !g.spec.matches(method, api_path) {
            return Ok(None);
        }
        g.used += 1;
        Ok(none_or(g.spec.count, |c| g.used <= c).then(|| g.spec.clone()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_counts() {
        let r = FaultRegistry::default();
        let h = "status=503;count=2;retry-after=1;id=abc";
        assert!(r.resolve(Some(h), "GET", "/agents").unwrap().is_some());
        assert!(r.resolve(Some(h), "GET", "/agents").unwrap().is_some());
        assert!(r.resolve(Some(h), "GET", "/agents").unwrap().is_none());
        let f = FaultSpec::parse("stream-drop-after=3").unwrap();
        assert_eq!(f.stream.drop_after, Some(3));
        assert!(FaultSpec::parse("bogus=1").unwrap_err().contains("bogus"));
        assert!(FaultSpec::parse("status=abc").is_err());
        assert!(FaultSpec::parse("").is_err());
        assert!(FaultSpec::parse("truncated;drop-response").is_err());
    }
}
