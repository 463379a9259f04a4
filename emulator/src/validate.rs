//! Field validation helpers producing 400 `invalid_request_error` with `param`.

use serde_json::{Map, Value};

use crate::errors::{ApiError, ApiResult};

/// JSON object type alias.
pub type Obj = Map<String, Value>;

/// Typed accessors over a request object; `path` prefixes `param` names
/// (e.g. `agent.` or `events[2].`).
#[derive(Debug, Clone)]
pub struct Fields<'a> {
    /// The object.
    pub map: &'a Obj,
    path: String,
}

/// `true` when `o` is `None` or satisfies `f` (`Option::is_none_or` needs Rust 1.82;
/// the workspace MSRV is 1.80).
pub fn none_or<T>(o: Option<T>, f: impl FnOnce(T) -> bool) -> bool {
    match o {
        None => true,
        Some(v) => f(v),
    }
}

/// JSON type name for messages.
pub fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

impl<'a> Fields<'a> {
    /// Wraps an object; `path` is `""` or ends with `.`.
    pub fn new(map: &'a Obj, path: &str) -> Self {
        Fields { map, path: path.to_string() }
    }

    /// The full param name of a key.
    pub fn param(&self, key: &str) -> String {
        format!("{}{key}", self.path)
    }

    /// Raw access (`Some(Null)` for explicit null).
    pub fn get(&self, key: &str) -> Option<&'a Value> {
        self.map.get(key)
    }

    fn type_err(&self, key: &str, want: &str, got: &Value) -> ApiError {
        let p = self.param(key);
        ApiError::param(p.clone(), format!("{p} must be {want}, got {}", type_name(got)))
    }

    /// A required string of `min..=max` characters.
    pub fn req_str(&self, key: &str, min: usize, max: usize) -> ApiResult<&'a str> {
        match self.get(key) {
            None | Some(Value::Null) => Err(ApiError::missing(&self.param(key))),
            Some(_) => Ok(self.opt_str_len(key, min, max)?.unwrap_or_default()),
        }
    }

    /// An optional string (null = absent) of at most `max` characters.
    pub fn opt_str(&self, key: &str, max: usize) -> ApiResult<Option<&'a str>> {
        self.opt_str_len(key, 0, max)
    }

    /// An optional string (null = absent) of `min..=max` characters.
    pub fn opt_str_len(&self, key: &str, min: usize, max: usize) -> ApiResult<Option<&'a str>> {
        match self.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => {
                let n = s.chars().count();
                if n < min || n > max {
                    let p = self.param(key);
                    let msg = if min > 0 {
                        format!("{p} must be between {min} and {max} characters, got {n}")
                    } else {
                        format!("{p} must be at most {max} characters, got {n}")
                    };
                    return Err(ApiError::param(p, msg));
                }
                Ok(Some(s.as_str()))
            }
            Some(v) => Err(self.type_err(key, "a string", v)),
        }
    }

    /// An optional array (null = absent) of at most `max` items.
    pub fn opt_array(&self, key: &str, max: usize) -> ApiResult<Option<&'a Vec<Value>>> {
        match self.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Array(a)) => {
                if a.len() > max {
                    let p = self.param(key);
                    return Err(ApiError::param(
                        p.clone(),
                        format!("{p} must contain at most {max} items, got {}", a.len()),
                    ));
                }
                Ok(Some(a))
            }
            Some(v) => Err(self.type_err(key, "an array", v)),
        }
    }

    /// An optional object (null = absent).
    pub fn opt_object(&self, key: &str) -> ApiResult<Option<&'a Obj>> {
        match self.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Object(m)) => Ok(Some(m)),
            Some(v) => Err(self.type_err(key, "an object", v)),
        }
    }

    /// A required object.
    pub fn req_object(&self, key: &str) -> ApiResult<&'a Obj> {
        self.opt_object(key)?.ok_or_else(|| ApiError::missing(&self.param(key)))
    }

    /// An optional boolean.
    pub fn opt_bool(&self, key: &str) -> ApiResult<Option<bool>> {
        match self.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Bool(b)) => Ok(Some(*b)),
            Some(v) => Err(self.type_err(key, "a boolean", v)),
        }
    }

    /// An optional integer.
    pub fn opt_int(&self, key: &str) -> ApiResult<Option<i64>> {
        match self.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Number(n)) if n.is_i64() => Ok(n.as_i64()),
            Some(Value::Number(n)) if n.as_f64().is_some_and(|f| f.fract() == 0.0 && f.abs() < 9e15) => {
                Ok(n.as_f64().map(|f| f as i64))
            }
            Some(v) => Err(self.type_err(key, "an integer", v)),
        }
    }

    /// An optional string restricted to `allowed`.
    pub fn opt_enum(&self, key: &str, allowed: &[&str]) -> ApiResult<Option<&'a str>> {
        match self.opt_str(key, usize::MAX)? {
            None => Ok(None),
            Some(s) if allowed.contains(&s) => Ok(Some(s)),
            Some(s) => {
                let p = self.param(key);
                Err(ApiError::param(p.clone(), format!("{p} must be one of {}, got '{s}'", allowed.join(", "))))
            }
        }
    }

    /// A required string restricted to `allowed`.
    pub fn req_enum(&self, key: &str, allowed: &[&str]) -> ApiResult<&'a str> {
        self.opt_enum(key, allowed)?.ok_or_else(|| ApiError::missing(&self.param(key)))
    }
}

/// Validates a metadata object for creation (docs/api-contract.md §2.8): ≤16 keys, key ≤64
/// chars, string values ≤512 chars.
pub fn metadata_create(v: Option<&Value>, param: &str) -> ApiResult<Obj> {
    let mut out = Obj::new();
    match v {
        None | Some(Value::Null) => {}
        Some(Value::Object(m)) => {
            for (k, val) in m {
                check_metadata_entry(k, val, param)?;
                out.insert(k.clone(), val.clone());
            }
        }
        Some(v) => return Err(ApiError::param(param, format!("{param} must be an object, got {}", type_name(v)))),
    }
    check_metadata_size(&out, param)?;
    Ok(out)
}

/// Applies a metadata patch: `null` values delete keys, omitted keys are kept,
/// a top-level `null` is a no-op. Returns whether anything was given.
pub fn metadata_patch(existing: &mut Obj, v: Option<&Value>, param: &str) -> ApiResult<bool> {
    match v {
        None | Some(Value::Null) => Ok(false),
        Some(Value::Object(m)) => {
            let mut next = existing.clone();
            for (k, val) in m {
                if val.is_null() {
                    next.remove(k);
                } else {
                    check_metadata_entry(k, val, param)?;
                    next.insert(k.clone(), val.clone());
                }
            }
            check_metadata_size(&next, param)?;
            *existing = next;
            Ok(true)
        }
        Some(v) => Err(ApiError::param(param, format!("{param} must be an object, got {}", type_name(v)))),
    }
}

fn check_metadata_entry(k: &str, val: &Value, param: &str) -> ApiResult<()> {
    let p = format!("{param}.{k}");
    if k.is_empty() || k.chars().count() > 64 {
        return Err(ApiError::param(p, format!("{param} keys must be between 1 and 64 characters")));
    }
    match val {
        Value::String(s) if s.chars().count() <= 512 => Ok(()),
        Value::String(_) => Err(ApiError::param(p, format!("{param} values must be at most 512 characters"))),
        other => Err(ApiError::param(p, format!("{param} values must be strings, got {}", type_name(other)))),
    }
}

fn check_metadata_size(m: &Obj, param: &str) -> ApiResult<()> {
    if m.len() > 16 {
        return Err(ApiError::param(param, format!("{param} may contain at most 16 keys, got {}", m.len())));
    }
    Ok(())
}

/// A `string -> string` map (environment variables).
pub fn string_map(v: Option<&Value>, param: &str) -> ApiResult<Obj> {
    match v {
        None | Some(Value::Null) => Ok(Obj::new()),
        Some(Value::Object(m)) => {
            for (k, val) in m {
                if !val.is_string() {
                    return Err(ApiError::param(format!("{param}.{k}"), format!("{param} values must be strings")));
                }
            }
            Ok(m.clone())
        }
        Some(v) => Err(ApiError::param(param, format!("{param} must be an object, got {}", type_name(v)))),
    }
}

/// An array of strings.
pub fn string_list(v: Option<&Value>, param: &str) -> ApiResult<Vec<Value>> {
    match v {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::Array(a)) => {
            for (i, x) in a.iter().enumerate() {
                if x.as_str().is_none_or(|s| s.is_empty()) {
                    return Err(ApiError::param(
                        format!("{param}[{i}]"),
                        format!("{param} items must be non-empty strings"),
                    ));
                }
            }
            Ok(a.clone())
        }
        Some(v) => Err(ApiError::param(param, format!("{param} must be an array, got {}", type_name(v)))),
    }
}

/// `budget`: `{type:"limit", max_credit_cost:"<decimal>"}` or null; positive,
/// at most 12 integer and 2 fraction digits.
pub fn budget(v: Option<&Value>, param: &str) -> ApiResult<Value> {
    let m = match v {
        None | Some(Value::Null) => return Ok(Value::Null),
        Some(Value::Object(m)) => m,
        Some(v) => return Err(ApiError::param(param, format!("{param} must be an object, got {}", type_name(v)))),
    };
    let prefix = format!("{param}.");
    let f = Fields::new(m, &prefix);
    f.req_enum("type", &["limit"])?;
    let cost = match f.get("max_credit_cost") {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) => n.to_string(),
        None | Some(Value::Null) => return Err(ApiError::missing(&f.param("max_credit_cost"))),
        Some(v) => return Err(f.type_err("max_credit_cost", "a decimal string", v)),
    };
    let (int, frac) = cost.split_once('.').unwrap_or((&cost, ""));
    let digits_ok = !int.is_empty()
        && int.len() <= 12
        && frac.len() <= 2
        && (int.bytes().chain(frac.bytes())).all(|b| b.is_ascii_digit());
    let positive = cost.parse::<f64>().is_ok_and(|x| x > 0.0);
    if !digits_ok || !positive {
        return Err(ApiError::param(
            f.param("max_credit_cost"),
            "max_credit_cost must be a positive decimal with at most 12 integer and 2 fraction digits",
        ));
    }
    Ok(serde_json::json!({"type": "limit", "max_credit_cost": cost}))
}
