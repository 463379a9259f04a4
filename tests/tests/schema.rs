//! `docs/schema.json` is the Rust models' schema as generated now: regenerate it with
//! `QODER_UPDATE_SCHEMA=1 cargo test -p qoder-tests --test schema`.

use std::path::PathBuf;

#[test]
fn docs_schema_json_is_current() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../docs/schema.json");
    let now = qoder_cloud::models::schema::schema_text();
    if std::env::var_os("QODER_UPDATE_SCHEMA").is_some() {
        std::fs::write(&path, &now).unwrap();
        return;
    }
    let written = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        written == now,
        "docs/schema.json is stale: run QODER_UPDATE_SCHEMA=1 cargo test -p qoder-tests --test schema, then regenerate the bindings' types"
    );
}

#[test]
fn every_event_type_and_content_block_is_in_the_schema() {
    let schema = qoder_cloud::models::schema::schema();
    let defs = schema["$defs"].as_object().unwrap();
    let tags: Vec<&str> = defs["SessionEvent"]["oneOf"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let name = r["$ref"].as_str().unwrap().trim_start_matches("#/$defs/");
            defs[name]["properties"]["type"]["const"].as_str().unwrap()
        })
        .collect();
    assert_eq!(tags, qoder_cloud::models::event::ALL_EVENT_TYPES.to_vec());
    for name in ["TextBlock", "ImageBlock", "DocumentBlock", "Agent", "Session", "Work"] {
        assert!(defs.contains_key(name), "{name} missing");
        assert_eq!(defs[name]["additionalProperties"], true, "{name} must keep unknown fields");
    }
}

#[test]
fn every_operation_result_is_a_schema_type() {
    let schema = qoder_cloud::models::schema::schema();
    let defs = schema["$defs"].as_object().unwrap();
    for op in qoder_cloud::operations::operations() {
        for r in &op.result_one_of {
            assert!(defs.contains_key(r), "{}: {r} is not in docs/schema.json", op.name);
        }
        if let Some(r) = &op.result {
            assert!(defs.contains_key(r), "{}: result {r} is not in docs/schema.json", op.name);
            assert!(
                defs[r].get("x-result").is_some() || r == "SessionEvent",
                "{}: {r} is not marked as a result",
                op.name
            );
        }
    }
}

/// Every `$ref` reachable from `node`, following references (each definition once).
fn refs_reachable<'a>(
    defs: &'a serde_json::Map<String, serde_json::Value>,
    node: &'a serde_json::Value,
    seen: &mut Vec<String>,
) {
    match node {
        serde_json::Value::Object(m) => {
            if let Some(r) = m.get("$ref").and_then(|r| r.as_str()) {
                let name = r.trim_start_matches("#/$defs/").to_string();
                if !seen.contains(&name) {
                    seen.push(name.clone());
                    if let Some(d) = defs.get(&name) {
                        refs_reachable(defs, d, seen);
                    }
                }
            }
            for v in m.values() {
                refs_reachable(defs, v, seen);
            }
        }
        serde_json::Value::Array(a) => {
            for v in a {
                refs_reachable(defs, v, seen);
            }
        }
        _ => {}
    }
}

#[test]
fn every_operation_with_arguments_has_a_params_definition() {
    use std::collections::BTreeSet;
    let schema = qoder_cloud::models::schema::schema();
    let defs = schema["$defs"].as_object().unwrap();
    let mut named = BTreeSet::new();
    for op in qoder_cloud::operations::operations() {
        let path = op.path_params();
        let excluded = |n: &str| path.contains(&n) || n == "workspace_id" || n == "betas";
        let expected: BTreeSet<&str> = op
            .query
            .iter()
            .map(|q| q.arg.as_str())
            .chain(op.headers.iter().map(|h| h.arg.as_str()))
            .chain(op.body_fields.iter().map(String::as_str))
            .filter(|n| !excluded(n))
            .collect();
        let has_args = !op.query.is_empty() || !op.headers.is_empty() || !op.body_fields.is_empty();
        let Some(name) = &op.params else {
            assert!(!has_args, "{}: has arguments {expected:?} but no `params` in operations.json", op.name);
            continue;
        };
        assert!(has_args, "{}: `params` {name} given, but the operation takes no arguments", op.name);
        assert!(named.insert(name.clone()), "{}: params {name} is shared with another operation", op.name);
        let def = defs.get(name).unwrap_or_else(|| panic!("{}: params {name} is not in docs/schema.json", op.name));
        assert_eq!(def["x-params"], true, "{}: {name} is not marked x-params", op.name);
        let props: BTreeSet<&str> =
            def["properties"].as_object().map(|m| m.keys().map(String::as_str).collect()).unwrap_or_default();
        let missing: Vec<_> = expected.difference(&props).collect();
        let extra: Vec<_> = props.difference(&expected).collect();
        assert!(
            missing.is_empty() && extra.is_empty(),
            "{}: {name}'s properties differ from the operation's arguments: missing {missing:?}, extra {extra:?}",
            op.name
        );
        let required: Vec<&str> = op.required.iter().map(String::as_str).filter(|r| !path.contains(r)).collect();
        for r in &required {
            assert!(props.contains(r), "{}: required {r} is not a property of {name}", op.name);
        }
        let written: Vec<&str> = def
            .get("required")
            .and_then(|r| r.as_array())
            .map(|a| a.iter().filter_map(|v| v.as_str()).collect())
            .unwrap_or_default();
        assert_eq!(written, required, "{}: {name}'s `required` differs from the operation's", op.name);
        let mut seen = Vec::new();
        refs_reachable(defs, def, &mut seen);
        for r in &seen {
            assert!(
                r.ends_with("Param") || r.ends_with("Params"),
                "{}: {name} refers to {r}, which is not a *Param/*Params definition",
                op.name
            );
            assert!(defs.contains_key(r), "{}: {name} refers to {r}, which is not in docs/schema.json", op.name);
        }
    }
    for (k, d) in defs {
        if d.get("x-params").is_some() {
            assert!(named.contains(k), "{k} is marked x-params but no operation names it");
        }
    }
}
