//! Shapes shared by several resources.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// Flat string → string metadata (≤16 keys) as returned on objects. (In updates a `null` value
/// deletes a key: see `MetadataParam`.)
pub type Metadata = std::collections::BTreeMap<String, String>;

/// Tombstone returned by deletes: `{id, type: "<resource>_deleted"}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default, schemars::JsonSchema)]
pub struct Deleted {
    /// Id of the deleted object.
    pub id: String,
    /// E.g. `environment_deleted`.
    #[serde(rename = "type", default)]
    pub object_type: String,
    /// Unknown fields.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// A model: a catalog id string, or a config object `{id, effort?, speed?, ...}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(untagged)]
pub enum ModelRef {
    /// `"ultimate"`, `"auto"`, ...
    Id(String),
    /// Config object (boxed: it is much larger than an id).
    Config(Box<ModelConfig>),
}

impl From<&str> for ModelRef {
    fn from(s: &str) -> Self {
        Self::Id(s.to_string())
    }
}

impl Default for ModelRef {
    fn default() -> Self {
        Self::Id(String::new())
    }
}

impl ModelRef {
    /// The model id in either form.
    pub fn id(&self) -> &str {
        match self {
            Self::Id(s) => s,
            Self::Config(c) => &c.id,
        }
    }
}

/// Model configuration object.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default, schemars::JsonSchema)]
pub struct ModelConfig {
    /// Catalog id.
    pub id: String,
    /// `low|medium|high|xhigh|max`, or `{type}`.
    pub effort: Option<EffortSetting>,
    /// `standard|fast`.
    pub speed: Option<String>,
    /// One of the model's available context windows.
    pub context_window: Option<u64>,
    /// Inference geography.
    pub inference_geo: Option<String>,
    /// Unknown fields.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// The earlier name of [`AgentTool`](super::AgentTool).
pub type ToolConfig = super::shapes::AgentTool;

/// A reasoning effort: a level (`"high"`), or the object form `{"type": "high"}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(untagged)]
pub enum EffortSetting {
    /// `none`, `low`, `medium`, `high`, `xhigh` or `max` (unknown values are kept).
    Level(String),
    /// `{"type": "<level>"}`.
    Config(EffortConfig),
    /// Any other JSON, kept verbatim (not part of the documented shape).
    #[schemars(skip)]
    Other(Value),
}

/// The object form of an effort.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default, schemars::JsonSchema)]
pub struct EffortConfig {
    /// The level.
    #[serde(rename = "type", default)]
    pub level: String,
    /// Unknown fields.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// JSON an event carries verbatim whose documented shape is `T`: the schema (and so the
/// Python and TypeScript types) says `T`, while the event keeps the exact JSON it was sent, so
/// it re-serialises byte-for-byte (a typed `T` would add defaults and drop explicit `null`s).
/// [`JsonOf::parse`] gives the typed view.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct JsonOf<T> {
    /// The JSON as sent.
    pub value: Value,
    #[serde(skip)]
    shape: std::marker::PhantomData<fn() -> T>,
}

impl<T: serde::de::DeserializeOwned> JsonOf<T> {
    /// The typed view of the JSON.
    pub fn parse(&self) -> Result<T, serde_json::Error> {
        T::deserialize(&self.value)
    }
}

impl<T> From<Value> for JsonOf<T> {
    fn from(value: Value) -> Self {
        Self { value, shape: std::marker::PhantomData }
    }
}

impl<T: schemars::JsonSchema> schemars::JsonSchema for JsonOf<T> {
    fn inline_schema() -> bool {
        true
    }
    fn schema_name() -> std::borrow::Cow<'static, str> {
        T::schema_name()
    }
    fn json_schema(g: &mut schemars::SchemaGenerator) -> schemars::Schema {
        g.subschema_for::<T>()
    }
}

/// Keys whose values a binding never shows in a representation of an object (`repr()`, debug
/// output): tokens, passwords, secret values, wherever they sit.
pub const SECRET_KEYS: &[&str] = &[
    "token",
    "access_token",
    "refresh_token",
    "client_secret",
    "secret_value",
    "password",
    "authorization_token",
    "secret",
    "api_key",
];

/// Whether `key` names a secret (case-insensitive).
pub fn is_secret(key: &str) -> bool {
    SECRET_KEYS.iter().any(|s| s.eq_ignore_ascii_case(key))
}

/// A copy of `v` with every non-null secret value (see [`SECRET_KEYS`]) replaced by `"***"`.
pub fn redacted(v: &Value) -> Value {
    match v {
        Value::Object(m) => Value::Object(
            m.iter()
                .map(|(k, x)| {
                    let x = if is_secret(k) && !x.is_null() { Value::String("***".into()) } else { redacted(x) };
                    (k.clone(), x)
                })
                .collect(),
        ),
        Value::Array(xs) => Value::Array(xs.iter().map(redacted).collect()),
        other => other.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn redacted_hides_secret_values_at_any_depth_and_keeps_the_rest() {
        let v = json!({"name": "v", "auth": {"type": "static_bearer", "Token": "t0p", "refresh_token": null},
                       "items": [{"password": "p", "id": 1}]});
        assert_eq!(
            redacted(&v),
            json!({"name": "v", "auth": {"type": "static_bearer", "Token": "***", "refresh_token": null},
                   "items": [{"password": "***", "id": 1}]})
        );
    }
}
