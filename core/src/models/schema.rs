//! The JSON Schema of every API object, request body, event and content type: `docs/schema.json`.
//!
//! The Rust models are the source; this file lists the top-level ones. The Python classes and
//! stubs (`bindings-python/scripts/gen_types.py`) and the TypeScript declarations
//! (`bindings-node/scripts/gen-models.js`) are generated from the written schema, and the test
//! command regenerates all three and fails on any difference (`tests/tests/schema.rs`).
//!
//! Extension keywords the generators read: `x-open` on a tagged union or string enum (values
//! this version does not know are kept, never an error); `x-result` (with `x-object-type`) on the
//! objects calls return; `x-params` on an operation's parameters type (the one its `params` in
//! `core/operations.json` names: properties are exactly its query arguments, header arguments and
//! body fields, `required` is the operation's `required` less its path parameters, and it refers
//! only to `*Param`/`*Params` definitions, see [`super::params`]); `x-upload` on a binary
//! string (or array of them) sent as a `multipart/form-data` part.

use schemars::generate::SchemaSettings;
use schemars::JsonSchema;
use serde_json::{json, Map, Value};

use super::content::ContentBlock;
use super::event::SessionEvent;
use super::*;
use crate::operations::{operations, Operation};

/// Objects calls return (`x-result`), with the `type` their objects carry (`x-object-type`;
/// empty where the type varies, e.g. `Deleted`'s `<resource>_deleted`).
const RESULTS: &[(&str, &str)] = &[
    ("Agent", "agent"),
    ("Environment", "environment"),
    ("Session", "session"),
    ("SessionThread", "session_thread"),
    ("SessionResource", ""),
    ("SentEvents", ""),
    ("CancelAck", ""),
    ("FileMetadata", ""), // "file" is also a session resource's type: not a registry key
    ("Vault", "vault"),
    ("VaultCredential", "vault_credential"),
    ("CredentialValidation", ""),
    ("Skill", "skill"),
    ("SkillVersion", "skill_version"),
    ("MemoryStore", "memory_store"),
    ("Memory", "memory"),
    ("MemoryPrefix", "memory_prefix"),
    ("MemoryVersion", "memory_version"),
    ("ModelInfo", "model"),
    ("Deployment", "deployment"),
    ("DeploymentRun", "deployment_run"),
    ("Dream", "dream"),
    ("Work", "work"),
    ("WorkHeartbeat", "work_heartbeat"),
    ("WorkQueueStats", "work_queue_stats"),
    ("Deleted", ""),
];

/// Registers `T` and everything it refers to.
fn add<T: JsonSchema>(g: &mut schemars::SchemaGenerator) {
    g.subschema_for::<T>();
}

/// Registers every operation's parameters type (the `params` of `core/operations.json`), in the
/// table's order.
fn add_params(g: &mut schemars::SchemaGenerator) {
    add::<AgentCreateParams>(g);
    add::<AgentListParams>(g);
    add::<AgentRetrieveParams>(g);
    add::<AgentUpdateParams>(g);
    add::<AgentVersionListParams>(g);
    add::<EnvironmentCreateParams>(g);
    add::<EnvironmentListParams>(g);
    add::<EnvironmentUpdateParams>(g);
    add::<WorkHeartbeatParams>(g);
    add::<WorkListParams>(g);
    add::<WorkPollParams>(g);
    add::<WorkStopParams>(g);
    add::<WorkUpdateParams>(g);
    add::<SessionCreateParams>(g);
    add::<SessionListParams>(g);
    add::<SessionUpdateParams>(g);
    add::<EventListParams>(g);
    add::<EventSendParams>(g);
    add::<EventStreamParams>(g);
    add::<SessionResourceAddParams>(g);
    add::<SessionResourceListParams>(g);
    add::<SessionResourceUpdateParams>(g);
    add::<ThreadListParams>(g);
    add::<ThreadEventListParams>(g);
    add::<ThreadEventStreamParams>(g);
    add::<FileListParams>(g);
    add::<FileUploadParams>(g);
    add::<VaultCreateParams>(g);
    add::<VaultListParams>(g);
    add::<CredentialCreateParams>(g);
    add::<CredentialListParams>(g);
    add::<CredentialUpdateParams>(g);
    add::<SkillCreateParams>(g);
    add::<SkillListParams>(g);
    add::<SkillVersionCreateParams>(g);
    add::<SkillVersionListParams>(g);
    add::<MemoryStoreCreateParams>(g);
    add::<MemoryStoreListParams>(g);
    add::<MemoryStoreUpdateParams>(g);
    add::<MemoryCreateParams>(g);
    add::<MemoryDeleteParams>(g);
    add::<MemoryListParams>(g);
    add::<MemoryRetrieveParams>(g);
    add::<MemoryUpdateParams>(g);
    add::<MemoryVersionListParams>(g);
    add::<MemoryVersionRetrieveParams>(g);
    add::<ModelListParams>(g);
    add::<DeploymentCreateParams>(g);
    add::<DeploymentListParams>(g);
    add::<DeploymentUpdateParams>(g);
    add::<DeploymentRunListParams>(g);
    add::<AllDeploymentRunsListParams>(g);
    add::<DreamCreateParams>(g);
    add::<DreamListParams>(g);
}

/// The schema document: `{"$schema", "$id", "$defs": {name: schema}}`, definitions sorted by
/// name so the written file diffs cleanly.
pub fn schema() -> Value {
    let mut g = SchemaSettings::draft2020_12().into_generator();
    let results: std::collections::HashMap<&str, &str> = RESULTS.iter().copied().collect();
    // Results (marked `x-result` below).
    add::<Agent>(&mut g);
    add::<Environment>(&mut g);
    add::<Session>(&mut g);
    add::<SessionThread>(&mut g);
    add::<SessionResource>(&mut g);
    add::<SentEvents>(&mut g);
    add::<CancelAck>(&mut g);
    add::<FileMetadata>(&mut g);
    add::<Vault>(&mut g);
    add::<VaultCredential>(&mut g);
    add::<CredentialValidation>(&mut g);
    add::<Skill>(&mut g);
    add::<SkillVersion>(&mut g);
    add::<MemoryStore>(&mut g);
    add::<Memory>(&mut g);
    add::<MemoryPrefix>(&mut g);
    add::<MemoryVersion>(&mut g);
    add::<ModelInfo>(&mut g);
    add::<Deployment>(&mut g);
    add::<DeploymentRun>(&mut g);
    add::<Dream>(&mut g);
    add::<Work>(&mut g);
    add::<WorkHeartbeat>(&mut g);
    add::<WorkQueueStats>(&mut g);
    add::<Deleted>(&mut g);
    // Events and content.
    add::<SessionEvent>(&mut g);
    add::<ContentBlock>(&mut g);
    // Operation parameters (marked `x-params` below) and the request shapes they refer to.
    add_params(&mut g);
    let params: std::collections::HashMap<&str, &Operation> =
        operations().iter().filter_map(|o| Some((o.params.as_deref()?, o))).collect();
    let defs = g.take_definitions(true);
    let mut names: Vec<&String> = defs.keys().collect();
    names.sort();
    let sorted: Map<String, Value> = names
        .into_iter()
        .map(|k| {
            let mut d = defs[k].clone();
            if let (Some(t), Value::Object(m)) = (results.get(k.as_str()), &mut d) {
                m.insert("x-result".into(), json!(true));
                if !t.is_empty() {
                    m.insert("x-object-type".into(), json!(t));
                }
            }
            // An open enum on a nullable field lists `null` too, or the schema would refuse it.
            if let Some(Value::Object(props)) = d.get_mut("properties") {
                for p in props.values_mut() {
                    let nullable = p.get("type").and_then(Value::as_array).is_some_and(|t| t.contains(&json!("null")));
                    if let (true, Some(Value::Array(values))) = (nullable, p.get_mut("enum")) {
                        if !values.contains(&Value::Null) {
                            values.push(Value::Null);
                        }
                    }
                }
            }
            // A nested request shape's optional field is absent when `None`, never `null`: the
            // generated types must not invite a `null` the server may refuse.
            if let (true, Value::Object(m)) = (k.ends_with("Param"), &mut d) {
                let required: Vec<Value> = m.get("required").and_then(Value::as_array).cloned().unwrap_or_default();
                if let Some(Value::Object(props)) = m.get_mut("properties") {
                    for (_, p) in props.iter_mut().filter(|(n, _)| !required.contains(&json!(n))) {
                        if let Ok(mut schema) = schemars::Schema::try_from(p.clone()) {
                            super::params::not_null(&mut schema);
                            *p = schema.to_value();
                        }
                    }
                }
            }
            if let (Some(op), Value::Object(m)) = (params.get(k.as_str()), &mut d) {
                let path = op.path_params();
                let required: Vec<&str> =
                    op.required.iter().map(String::as_str).filter(|r| !path.contains(r)).collect();
                if !required.is_empty() {
                    m.insert("required".into(), json!(required));
                }
                m.insert("x-params".into(), json!(true));
            }
            (k.clone(), d)
        })
        .collect();
    json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://github.com/qoder/qoder-cloud/docs/schema.json",
        "title": "qoder-cloud models",
        "description": "Generated from the Rust models of the qoder-cloud core (core/src/models); do not edit.",
        "$defs": sorted,
    })
}

/// [`schema`] as the text written to `docs/schema.json` (pretty, trailing newline).
pub fn schema_text() -> String {
    let mut s = serde_json::to_string_pretty(&schema()).unwrap_or_default();
    s.push('\n');
    s
}
