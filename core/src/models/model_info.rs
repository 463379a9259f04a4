//! Model catalog entries.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// One model of `GET /models`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default, schemars::JsonSchema)]
pub struct ModelInfo {
    /// Catalog id, e.g. `ultimate`.
    pub id: String,
    /// `"model"`.
    #[serde(rename = "type", default)]
    pub object_type: String,
    /// Display name.
    #[serde(default)]
    pub display_name: Option<String>,
    /// Whether the model is enabled for this account.
    #[serde(default)]
    pub is_enabled: Option<bool>,
    /// Supported effort levels.
    #[serde(default)]
    pub efforts: Vec<String>,
    /// Max input tokens.
    #[serde(default)]
    pub max_input_tokens: Option<u64>,
    /// Max output tokens.
    #[serde(default)]
    pub max_tokens: Option<u64>,
    /// Capabilities object.
    #[serde(default)]
    pub capabilities: Option<Map<String, Value>>,
    /// Unknown fields (price factor, context windows, ...).
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}
