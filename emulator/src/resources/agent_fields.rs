//! Validation of agent configuration fields (docs/api-contract.md §3.1, §4.2, §4.3), shared
//! by agent create/update and session `agent_with_overrides` / session update.

use serde_json::{json, Value};

use crate::errors::{ApiError, ApiResult};
use crate::validate::{type_name, Fields};

const EFFORTS: [&str; 5] = ["low", "medium", "high", "xhigh", "max"];
const BUILTIN_TOOLS: [&str; 8] = ["bash", "edit", "read", "write", "glob", "grep", "web_fetch", "web_search"];
const LEGACY_TOOL_TYPES: [&str; 6] =
    ["bash_20250124", "file_read", "file_write", "web_search", "text_editor_20250124", "computer_20250124"];

/// `model`: a non-empty string or a ModelConfig object with `id`.
pub fn model(v: Option<&Value>, param: &str) -> ApiResult<Value> {
    match v {
        None | Some(Value::Null) => Err(ApiError::missing(param)),
        Some(Value::String(s)) if !s.trim().is_empty() => Ok(Value::String(s.clone())),
        Some(Value::String(_)) => Err(ApiError::param(param, format!("{param} must not be empty"))),
        Some(Value::Object(m)) => {
            let prefix = format!("{param}.");
            let f = Fields::new(m, &prefix);
            f.req_str("id", 1, 256)?;
            match f.get("effort") {
                None | Some(Value::Null) => {}
                Some(Value::String(s)) if EFFORTS.contains(&s.as_str()) => {}
                Some(Value::Object(e))
                    if e.get("type").and_then(Value::as_str).is_some_and(|t| EFFORTS.contains(&t)) => {}
                Some(_) => {
                    return Err(ApiError::param(
                        f.param("effort"),
                        format!("effort must be one of {}", EFFORTS.join(", ")),
                    ))
                }
            }
            f.opt_enum("speed", &["standard", "fast"])?;
            if let Some(cw) = f.opt_int("context_window")? {
                if cw <= 0 {
                    return Err(ApiError::param(f.param("context_window"), "context_window must be positive"));
                }
            }
            f.opt_str("inference_geo", 64)?;
            Ok(Value::Object(m.clone()))
        }
        Some(other) => {
            Err(ApiError::param(param, format!("{param} must be a string or an object, got {}", type_name(other))))
        }
    }
}

/// `mcp_servers`: ≤20 `{type:"url", name, url}` with unique names.
pub fn mcp_servers(v: Option<&Value>, param: &str) -> ApiResult<Vec<Value>> {
    let items = array(v, param, 20)?;
    let mut names: Vec<&str> = Vec::new();
    for (i, it) in items.iter().enumerate() {
        let p = format!("{param}[{i}].");
        let m =
            it.as_object().ok_or_else(|| ApiError::param(format!("{param}[{i}]"), "mcp server must be an object"))?;
        let f = Fields::new(m, &p);
        f.opt_enum("type", &["url"])?;
        let name = f.req_str("name", 1, 256)?;
        f.req_str("url", 1, 2047)?;
        if names.contains(&name) {
            return Err(ApiError::param(f.param("name"), format!("duplicate mcp server name '{name}'")));
        }
        names.push(name);
    }
    Ok(items
        .iter()
        .map(|it| {
            let mut m = it.as_object().cloned().unwrap_or_default();
            m.entry("type").or_insert(json!("url"));
            Value::Object(m)
        })
        .collect())
}

/// `tools`: ≤128 entries of the tool union; `mcp_toolset` must name a server.
pub fn tools(v: Option<&Value>, mcp: &[Value], param: &str) -> ApiResult<Vec<Value>> {
    let items = array(v, param, 128)?;
    for (i, it) in items.iter().enumerate() {
        let p = format!("{param}[{i}].");
        let m = it.as_object().ok_or_else(|| ApiError::param(format!("{param}[{i}]"), "tool must be an object"))?;
        let f = Fields::new(m, &p);
        let ty = f.req_str("type", 1, 128)?;
        match ty {
            "agent_toolset_20260401" => {
                for key in ["enabled_tools", "disallowed_tools"] {
                    if let Some(list) = f.opt_array(key, 64)? {
                        if !list.iter().all(Value::is_string) {
                            return Err(ApiError::param(f.param(key), format!("{key} must be an array of strings")));
                        }
                    }
                }
                policy_config(&f, "default_config")?;
                if let Some(configs) = f.opt_array("configs", 64)? {
                    for (j, c) in configs.iter().enumerate() {
                        let cp = format!("{p}configs[{j}].");
                        let cm = c
                            .as_object()
                            .ok_or_else(|| ApiError::param(cp.trim_end_matches('.'), "config must be an object"))?;
                        let cf = Fields::new(cm, &cp);
                        let name = cf.req_enum("name", &BUILTIN_TOOLS)?;
                        if let Some(t) = cf.opt_str("type", 64)? {
                            if t != name {
                                return Err(ApiError::param(cf.param("type"), "config type must equal its name"));
                            }
                        }
                        cf.opt_bool("enabled")?;
                        policy(&cf)?;
                    }
                }
            }
            "mcp_toolset" => {
                let server = f.req_str("mcp_server_name", 1, 256)?;
                if !mcp.iter().any(|s| s.get("name").and_then(Value::as_str) == Some(server)) {
                    return Err(ApiError::param(
                        f.param("mcp_server_name"),
                        format!("mcp_server_name '{server}' does not match any entry of mcp_servers"),
                    ));
                }
                policy_config(&f, "default_config")?;
                if let Some(configs) = f.opt_array("configs", 256)? {
                    for (j, c) in configs.iter().enumerate() {
                        let cp = format!("{p}configs[{j}].");
                        let cm = c
                            .as_object()
                            .ok_or_else(|| ApiError::param(cp.trim_end_matches('.'), "config must be an object"))?;
                        let cf = Fields::new(cm, &cp);
                        cf.req_str("name", 1, 256)?;
                        cf.opt_bool("enabled")?;
                        policy(&cf)?;
                    }
                }
            }
            "custom" => {
                f.req_str("name", 1, 128)?;
                f.req_str("description", 0, 4096)?;
                let schema = f.req_object("input_schema")?;
                if schema.get("type").and_then(Value::as_str) != Some("object") {
                    return Err(ApiError::param(f.param("input_schema.type"), "input_schema.type must be 'object'"));
                }
            }
            t if LEGACY_TOOL_TYPES.contains(&t) => {
                f.opt_enum("permission", &["allow", "ask", "deny"])?;
            }
            other => return Err(ApiError::param(f.param("type"), format!("unknown tool type '{other}'"))),
        }
    }
    Ok(items.to_vec())
}

fn policy_config(f: &Fields<'_>, key: &str) -> ApiResult<()> {
    if let Some(dc) = f.opt_object(key)? {
        let p = format!("{}.", f.param(key));
        let df = Fields::new(dc, &p);
        df.opt_bool("enabled")?;
        policy(&df)?;
    }
    Ok(())
}

fn policy(f: &Fields<'_>) -> ApiResult<()> {
    if let Some(pp) = f.opt_object("permission_policy")? {
        let p = format!("{}.", f.param("permission_policy"));
        Fields::new(pp, &p).req_enum("type", &["always_allow", "always_ask"])?;
    }
    Ok(())
}

/// `skills`: ≤20 `{type:"qoder"|"custom", skill_id, version?}`; version is
/// echoed as a string (`"latest"` when omitted).
pub fn skills(v: Option<&Value>, param: &str) -> ApiResult<Vec<Value>> {
    let items = array(v, param, 20)?;
    let mut out = Vec::new();
    for (i, it) in items.iter().enumerate() {
        let p = format!("{param}[{i}].");
        let m = it.as_object().ok_or_else(|| ApiError::param(format!("{param}[{i}]"), "skill must be an object"))?;
        let f = Fields::new(m, &p);
        let ty = f.req_enum("type", &["qoder", "custom"])?;
        let id = f.req_str("skill_id", 1, 256)?;
        let version = match f.get("version") {
            None | Some(Value::Null) => "latest".to_string(),
            Some(Value::String(s)) => s.clone(),
            Some(Value::Number(n)) => n.to_string(),
            Some(other) => {
                return Err(ApiError::param(
                    f.param("version"),
                    format!("version must be a string, got {}", type_name(other)),
                ))
            }
        };
        out.push(json!({"type": ty, "skill_id": id, "version": version}));
    }
    Ok(out)
}

/// `multiagent`: null or `{type:"coordinator", agents:[...]}` (stored verbatim).
pub fn multiagent(v: Option<&Value>, param: &str) -> ApiResult<Value> {
    match v {
        None | Some(Value::Null) => Ok(Value::Null),
        Some(Value::Object(m)) => {
            let prefix = format!("{param}.");
            let f = Fields::new(m, &prefix);
            f.req_enum("type", &["coordinator"])?;
            f.opt_array("agents", 32)?.ok_or_else(|| ApiError::missing(&f.param("agents")))?;
            Ok(Value::Object(m.clone()))
        }
        Some(other) => Err(ApiError::param(param, format!("{param} must be an object, got {}", type_name(other)))),
    }
}

/// `system` (or its legacy alias `instructions`): string ≤100000 or null.
pub fn system(f: &Fields<'_>) -> ApiResult<Option<String>> {
    let key = if f.get("system").is_some() { "system" } else { "instructions" };
    if f.get(key).is_none() {
        return Ok(None);
    }
    Ok(Some(f.opt_str(key, 100_000)?.unwrap_or("").to_string()))
}

fn array<'a>(v: Option<&'a Value>, param: &str, max: usize) -> ApiResult<&'a [Value]> {
    match v {
        None | Some(Value::Null) => Ok(&[]),
        Some(Value::Array(a)) if a.len() <= max => Ok(a),
        Some(Value::Array(a)) => {
            Err(ApiError::param(param, format!("{param} must contain at most {max} items, got {}", a.len())))
        }
        Some(other) => Err(ApiError::param(param, format!("{param} must be an array, got {}", type_name(other)))),
    }
}
