//! Model catalog entries.

use super::object::shape;
use serde_json::{Map, Value};

shape! {
    /// One model of `GET /models`.
    ModelInfo {
        /// Catalog id, e.g. `ultimate`.
        id: String,
        /// `"model"`.
        #[serde(rename = "type")]
        object_type: String,
        /// Display name.
        display_name: Option<String>,
        /// Whether the model is enabled for this account.
        is_enabled: Option<bool>,
        /// Supported effort levels.
        efforts: Vec<String>,
        /// Max input tokens.
        max_input_tokens: Option<u64>,
        /// Max output tokens.
        max_tokens: Option<u64>,
        /// Capabilities object.
        capabilities: Option<Map<String, Value>>,
    }
}
