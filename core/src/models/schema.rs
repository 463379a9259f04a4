//! The JSON Schema of every API object, request body, event and content type: `docs/schema.json`.
//!
//! The Rust models are the source; this file lists the top-level ones. The Python classes and
//! stubs (`bindings-python/scripts/gen_types.py`) and the TypeScript declarations
//! (`bindings-node/scripts/gen-models.js`) are generated from the written schema, and the test
//! command regenerates all three and fails on any difference (`tests/tests/schema.rs`).
//!
//! Extension keywords the generators read: `x-open` on a tagged union or string enum (values
//! this version does not know are kept, never an error).

use schemars::generate::SchemaSettings;
use schemars::JsonSchema;
use serde_json::{json, Map, Value};

use super::content::ContentBlock;
use super::event::SessionEvent;
use super::*;

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
    // Request bodies.
    add::<AgentCreateParams>(&mut g);
    add::<AgentUpdateParams>(&mut g);
    add::<AgentListParams>(&mut g);
    add::<EnvironmentParams>(&mut g);
    add::<SessionCreateParams>(&mut g);
    add::<SessionListParams>(&mut g);
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
