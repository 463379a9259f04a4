//! Turns an operation and its arguments into an [`ApiRequest`].
//!
//! Arguments arrive as one JSON object — the typed Rust API serializes its parameter structs
//! into it, and the bindings pass their keyword arguments straight through. Path ids, headers
//! and query parameters are taken out by name; what is left is the JSON body. All validation
//! happens here, before any I/O.

use bytes::Bytes;
use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use serde_json::{Map, Value};

use crate::error::{Error, Result};
use crate::operations::{BodyKind, Operation, QueryKind};
use crate::transport::{ApiRequest, RequestBody, RequestOptions};
use crate::validate::{check_required, run_check, validate_id, wrong_type};

/// Percent-encode everything but unreserved characters (the SDK uses no safe characters).
const PATH_SEGMENT: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'_').remove(b'.').remove(b'~');

/// Arguments that are booleans wherever they appear.
const BOOL_ARGS: &[&str] = &["include_archived", "has_error", "force"];
/// Arguments that are integers wherever they appear.
const INT_ARGS: &[&str] = &[
    "limit",
    "depth",
    "version",
    "agent_version",
    "block_ms",
    "reclaim_older_than_ms",
    "desired_ttl_seconds",
    "expires_in_seconds",
];

/// Encodes one query value: booleans as `true`/`false`, numbers as written, strings verbatim.
fn query_value(param: &str, v: &Value) -> Result<Option<String>> {
    Ok(match v {
        Value::Null => None,
        Value::Bool(b) => Some(b.to_string()),
        Value::Number(n) => Some(n.to_string()),
        Value::String(s) => {
            if s.contains('\0') {
                return Err(Error::invalid_argument(param, format!("{param}: must not contain NUL")));
            }
            Some(s.clone())
        }
        other => return Err(wrong_type(param, "a string, number or boolean", other)),
    })
}

fn header_value(param: &str, v: &Value) -> Result<Option<String>> {
    let s = match v {
        Value::Null => return Ok(None),
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        Value::Array(xs) => {
            let mut parts = Vec::with_capacity(xs.len());
            for x in xs {
                let Value::String(s) = x else { return Err(wrong_type(param, "a list of strings", x)) };
                parts.push(s.as_str());
            }
            parts.join(",")
        }
        other => return Err(wrong_type(param, "a string", other)),
    };
    if s.chars().any(|c| c.is_control()) {
        return Err(Error::invalid_argument(param, format!("{param}: must not contain control characters")));
    }
    Ok(Some(s))
}

/// Builds the request for `op` from `args`. The arguments map is consumed.
pub fn build(op: &Operation, args: Value, opts: RequestOptions) -> Result<ApiRequest> {
    let mut args = match args {
        Value::Object(m) => m,
        Value::Null => Map::new(),
        other => return Err(wrong_type("arguments", "an object of named arguments", &other)),
    };

    // Path parameters.
    let mut path = String::with_capacity(op.path.len() + 40);
    let mut rest = op.path.as_str();
    while let Some(i) = rest.find('{') {
        let j = rest[i..].find('}').map(|j| i + j).unwrap_or(rest.len());
        path.push_str(&rest[..i]);
        let name = &rest[i + 1..j];
        let v = args
            .remove(name)
            .ok_or_else(|| Error::invalid_argument(name, format!("missing required argument `{name}`")))?;
        let Value::String(id) = v else { return Err(wrong_type(name, "a string id", &v)) };
        validate_id(name, &id)?;
        path.extend(utf8_percent_encode(&id, PATH_SEGMENT));
        rest = &rest[(j + 1).min(rest.len())..];
    }
    path.push_str(rest);

    let mut req = ApiRequest::new(op.http_method(), path);
    req.operation = op.name.clone();
    req.retry = op.retry_mode();

    // Headers common to every operation, then the operation's own.
    if let Some(v) = args.remove("workspace_id") {
        if let Some(s) = header_value("workspace_id", &v)? {
            req.headers.push(("qoder-workspace-id".into(), s));
        }
    }
    if let Some(v) = args.remove("betas") {
        if let Some(s) = header_value("betas", &v)? {
            req.headers.push(("x-qoder-beta".into(), s));
        }
    }
    for h in &op.headers {
        if let Some(v) = args.remove(&h.arg) {
            if let Some(s) = header_value(&h.arg, &v)? {
                req.headers.push((h.wire.clone(), s));
            }
        }
    }

    // Arguments whose type the API fixes everywhere (a string "yes" is not a boolean).
    for (k, v) in &args {
        if v.is_null() {
            continue;
        }
        if BOOL_ARGS.contains(&k.as_str()) && !v.is_boolean() {
            return Err(wrong_type(k, "a boolean", v));
        }
        if INT_ARGS.contains(&k.as_str()) && !(v.is_i64() || v.is_u64()) {
            return Err(wrong_type(k, "an integer", v));
        }
    }

    // Checks run on query and body arguments alike, before they are split.
    for c in &op.checks {
        run_check(&args, c)?;
    }
    if op.is_paginated() {
        run_check(&args, "limit:range:1:100")?;
        let cursors: Vec<&str> = ["page", "after_id", "before_id"]
            .into_iter()
            .filter(|k| args.get(*k).is_some_and(|v| !v.is_null()))
            .collect();
        if cursors.len() > 1 {
            return Err(Error::invalid_argument(
                cursors[1],
                format!("pass only one of page, after_id, before_id (got {})", cursors.join(" and ")),
            ));
        }
    }

    // Query parameters; list pages also accept the compatibility cursors.
    let compat = ["after_id", "before_id", "page", "limit"];
    for q in &op.query {
        let Some(v) = args.remove(&q.arg) else { continue };
        push_query(&mut req.query, &q.arg, &q.wire, q.kind, &v)?;
    }
    if op.is_paginated() {
        for k in compat {
            if let Some(v) = args.remove(k) {
                push_query(&mut req.query, k, k, QueryKind::Scalar, &v)?;
            }
        }
    }

    match op.body {
        BodyKind::None => {
            if let Some(k) = args.keys().next() {
                return Err(Error::invalid_argument(
                    k,
                    format!(
                        "unknown argument `{k}` for {} (use extra_query/extra_body for undocumented parameters)",
                        op.name
                    ),
                ));
            }
        }
        BodyKind::Json => {
            if op.name == "memory_stores.memories.update" {
                normalize_precondition(&mut args)?;
            }
            check_required(&args, &op.required)?;
            if let Some(extra) = &opts.extra_body {
                for (k, v) in extra {
                    args.insert(k.clone(), v.clone());
                }
            }
            let bytes = serde_json::to_vec(&Value::Object(args))
                .map_err(|e| Error::invalid_argument("body", format!("body is not serializable: {e}")))?;
            req.body = RequestBody::Json(Bytes::from(bytes));
        }
        BodyKind::MultipartFile | BodyKind::MultipartSkill => {
            return Err(Error::invalid_argument(
                "file",
                format!("{} uploads multipart content: call the dedicated upload function", op.name),
            ));
        }
    }
    req.opts = opts;
    if matches!(op.response, crate::operations::ResponseKind::Stream) {
        req.accept = "text/event-stream";
    }
    Ok(req)
}

fn push_query(out: &mut Vec<(String, String)>, arg: &str, wire: &str, kind: QueryKind, v: &Value) -> Result<()> {
    match (kind, v) {
        (QueryKind::List, Value::Array(xs)) => {
            for x in xs {
                if let Some(s) = query_value(arg, x)? {
                    out.push((wire.to_string(), s));
                }
            }
        }
        (_, v) => {
            if let Some(s) = query_value(arg, v)? {
                out.push((wire.to_string(), s));
            }
        }
    }
    Ok(())
}

/// `precondition: {type: "content_sha256", content_sha256}` is an alias of top-level `content_sha256`.
fn normalize_precondition(args: &mut Map<String, Value>) -> Result<()> {
    let Some(p) = args.remove("precondition") else { return Ok(()) };
    if p.is_null() {
        return Ok(());
    }
    let sha = p.get("content_sha256").and_then(Value::as_str).ok_or_else(|| {
        Error::invalid_argument(
            "precondition",
            "precondition: expected {type: \"content_sha256\", content_sha256: <hex>}",
        )
    })?;
    args.insert("content_sha256".into(), Value::String(sha.to_string()));
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::operations::find;
    use serde_json::json;

    #[test]
    fn builds_path_query_and_body() {
        let op = find("sessions.list").unwrap();
        let r = build(op, json!({"statuses": ["idle", "running"], "created_at_gte": "2026-01-01T00:00:00Z", "limit": 5, "include_archived": true}), Default::default()).unwrap();
        assert_eq!(r.path, "/sessions");
        assert!(r.query.contains(&("statuses[]".into(), "running".into())));
        assert!(r.query.contains(&("created_at[gte]".into(), "2026-01-01T00:00:00Z".into())));
        assert!(r.query.contains(&("include_archived".into(), "true".into())));

        let op = find("sessions.events.send").unwrap();
        let r = build(op, json!({"session_id": "sess_1", "events": [{"type": "user.interrupt"}]}), Default::default())
            .unwrap();
        assert_eq!(r.path, "/sessions/sess_1/events");
        let RequestBody::Json(b) = r.body else { panic!() };
        assert_eq!(serde_json::from_slice::<Value>(&b).unwrap(), json!({"events": [{"type": "user.interrupt"}]}));
    }

    #[test]
    fn rejects_bad_input_before_io() {
        let op = find("agents.retrieve").unwrap();
        assert_eq!(build(op, json!({"agent_id": "a/b"}), Default::default()).unwrap_err().param(), Some("agent_id"));
        assert_eq!(build(op, json!({"agent_id": 5}), Default::default()).unwrap_err().param(), Some("agent_id"));
        assert_eq!(build(op, json!({}), Default::default()).unwrap_err().param(), Some("agent_id"));
        assert_eq!(
            build(op, json!({"agent_id": "x", "bogus": 1}), Default::default()).unwrap_err().param(),
            Some("bogus")
        );
        let op = find("agents.create").unwrap();
        assert_eq!(build(op, json!({"model": "auto"}), Default::default()).unwrap_err().param(), Some("name"));
        let op = find("agents.list").unwrap();
        assert_eq!(build(op, json!({"limit": 101}), Default::default()).unwrap_err().param(), Some("limit"));
        assert!(build(op, json!({"page": "a", "after_id": "b"}), Default::default()).is_err());
        let op = find("sessions.events.stream").unwrap();
        assert!(build(op, json!({"session_id": "s", "event_deltas": ["agent.bogus"]}), Default::default()).is_err());
    }
}
