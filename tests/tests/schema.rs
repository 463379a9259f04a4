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
            assert!(defs[r].get("x-result").is_some() || r == "SessionEvent", "{}: {r} is not marked as a result", op.name);
        }
    }
}
