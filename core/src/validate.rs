//! Client-side argument validation: ids, required fields and the operation table's checks.
//!
//! A call rejected here sends no request. Each error names the argument, so a user sees
//! `agent_id: must not contain '/'` instead of a confusing 404 from a mangled path.

use serde_json::{Map, Value};

use crate::error::{Error, Result};

/// Validates a path id: non-empty, not blank, no `/`, `?`, `#`, `%`, whitespace, control
/// characters, and not `.` or `..` (which would walk the URL path).
pub fn validate_id(param: &str, id: &str) -> Result<()> {
    let fail = |why: &str| Err(Error::invalid_argument(param, format!("{param}: {why}")));
    if id.is_empty() {
        return fail("must not be empty");
    }
    if id.trim().is_empty() {
        return fail("must not be blank");
    }
    if id == "." || id == ".." || id.contains("..") {
        return fail("must not contain '..'");
    }
    for c in id.chars() {
        match c {
            '/' => return fail("must not contain '/'"),
            '?' => return fail("must not contain '?'"),
            '#' => return fail("must not contain '#'"),
            '\\' => return fail("must not contain '\\'"),
            c if c.is_control() => return fail("must not contain control characters (CR, LF, NUL, ...)"),
            c if c.is_whitespace() => return fail("must not contain whitespace"),
            _ => {}
        }
    }
    if id.len() > 512 {
        return fail("is longer than 512 bytes");
    }
    Ok(())
}

pub(crate) fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

/// An error for an argument of the wrong JSON type.
pub fn wrong_type(param: &str, expected: &str, got: &Value) -> Error {
    Error::invalid_argument(param, format!("{param}: expected {expected}, got {}", type_name(got)))
}

/// Checks that every `required` field is present and not null.
pub fn check_required(body: &Map<String, Value>, required: &[String]) -> Result<()> {
    for r in required {
        match body.get(r) {
            None | Some(Value::Null) => {
                return Err(Error::invalid_argument(r, format!("missing required argument `{r}`")));
            }
            _ => {}
        }
    }
    Ok(())
}

fn num(s: Option<&str>) -> i64 {
    s.and_then(|x| x.parse().ok()).unwrap_or(0)
}

/// Validates metadata: a flat map of ≤16 string keys (≤64 chars) to string values (≤512 chars).
/// `null` values are allowed (they delete a key in patch updates).
pub fn check_metadata(param: &str, v: &Value) -> Result<()> {
    let Value::Object(m) = v else {
        return if v.is_null() { Ok(()) } else { Err(wrong_type(param, "an object of strings", v)) };
    };
    if m.len() > 16 {
        return Err(Error::invalid_argument(param, format!("{param}: at most 16 keys, got {}", m.len())));
    }
    for (k, val) in m {
        if k.chars().count() > 64 {
            return Err(Error::invalid_argument(param, format!("{param}: key {k:?} is longer than 64 characters")));
        }
        match val {
            Value::String(s) if s.chars().count() > 512 => {
                return Err(Error::invalid_argument(param, format!("{param}.{k}: value longer than 512 characters")));
            }
            Value::String(_) | Value::Null => {}
            other => return Err(wrong_type(&format!("{param}.{k}"), "a string", other)),
        }
    }
    Ok(())
}

/// Runs one check of the operation table's DSL against the argument map (absent fields pass).
pub fn run_check(args: &Map<String, Value>, check: &str) -> Result<()> {
    let mut parts = check.split(':');
    let field = parts.next().unwrap_or_default();
    let rule = parts.next().unwrap_or_default();
    let a = parts.next();
    let b = parts.next();
    let Some(v) = args.get(field) else { return Ok(()) };
    if v.is_null() && rule != "nonempty" {
        return Ok(());
    }
    let bad = |msg: String| Err(Error::invalid_argument(field, format!("{field}: {msg}")));
    match rule {
        "len" | "maxlen" => {
            let Value::String(s) = v else { return Err(wrong_type(field, "a string", v)) };
            let n = s.chars().count() as i64;
            let (min, max) = if rule == "len" { (num(a), num(b)) } else { (0, num(a)) };
            if n < min {
                return bad(if min == 1 {
                    "must not be empty".into()
                } else {
                    format!("must be at least {min} characters")
                });
            }
            if n > max {
                return bad(format!("must be at most {max} characters, got {n}"));
            }
        }
        "enum" => {
            let Value::String(s) = v else { return Err(wrong_type(field, "a string", v)) };
            let allowed: Vec<&str> = a.unwrap_or_default().split(',').collect();
            if !allowed.contains(&s.as_str()) {
                return bad(format!("{s:?} is not one of {}", allowed.join(", ")));
            }
        }
        "enumlist" => {
            let allowed: Vec<&str> = a.unwrap_or_default().split(',').collect();
            let items: Vec<&Value> = match v {
                Value::Array(xs) => xs.iter().collect(),
                other => vec![other],
            };
            for it in items {
                let Value::String(s) = it else { return Err(wrong_type(field, "a list of strings", it)) };
                if !allowed.contains(&s.as_str()) {
                    return bad(format!("{s:?} is not one of {}", allowed.join(", ")));
                }
            }
        }
        "maxitems" | "items" => {
            let Value::Array(xs) = v else { return Err(wrong_type(field, "a list", v)) };
            let (min, max) = if rule == "items" { (num(a), num(b)) } else { (0, num(a)) };
            let n = xs.len() as i64;
            if n < min || n > max {
                return bad(format!("must have {min} to {max} items, got {n}"));
            }
        }
        "nonempty" => match v {
            Value::Array(xs) if !xs.is_empty() => {}
            Value::Array(_) => return bad("must not be empty".into()),
            other => return Err(wrong_type(field, "a non-empty list", other)),
        },
        "minint" | "range" => {
            let Some(n) = v.as_i64() else { return Err(wrong_type(field, "an integer", v)) };
            let (min, max) = if rule == "range" { (num(a), num(b)) } else { (num(a), i64::MAX) };
            if n < min || n > max {
                return bad(if max == i64::MAX {
                    format!("must be ≥ {min}, got {n}")
                } else {
                    format!("must be between {min} and {max}, got {n}")
                });
            }
        }
        "metadata" => check_metadata(field, v)?,
        // A reference given as an id string or as an object form (`{type: "agent", id, ...}`).
        "ref" => match v {
            Value::String(s) => validate_id(field, s)?,
            Value::Object(_) => {}
            other => return Err(wrong_type(field, "an id string or an object", other)),
        },
        "object" if !v.is_object() => return Err(wrong_type(field, "an object", v)),
        "id" => {
            let Value::String(s) = v else { return Err(wrong_type(field, "a string id", v)) };
            validate_id(field, s)?;
        }
        _ => {}
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn ids() {
        assert!(validate_id("agent_id", "agent_0123").is_ok());
        for bad in ["", " ", "a/b", "..", "a..b", "a?b", "a#b", "a\nb", "a\rb", "a\0b", "a b"] {
            let e = validate_id("agent_id", bad).unwrap_err();
            assert_eq!(e.param(), Some("agent_id"), "{bad:?}");
        }
    }

    #[test]
    fn checks() {
        let m = json!({"name": "", "order": "sideways", "tools": [1,2,3], "metadata": {"k": 1}, "limit": 0})
            .as_object()
            .unwrap()
            .clone();
        assert!(run_check(&m, "name:len:1:256").unwrap_err().message().contains("empty"));
        assert!(run_check(&m, "order:enum:asc,desc").is_err());
        assert!(run_check(&m, "tools:maxitems:2").is_err());
        assert!(run_check(&m, "tools:maxitems:3").is_ok());
        assert!(run_check(&m, "metadata:metadata").is_err());
        assert!(run_check(&m, "limit:range:1:100").is_err());
        assert!(run_check(&m, "absent:len:1:2").is_ok());
    }
}
