//! Environments (sandboxes).

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::common::Metadata;
use super::shapes::EnvironmentConfig;

/// An environment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default, schemars::JsonSchema)]
pub struct Environment {
    /// `env_...`.
    pub id: String,
    /// `"environment"`.
    #[serde(rename = "type", default)]
    pub object_type: String,
    /// Name.
    #[serde(default)]
    pub name: String,
    /// Description.
    #[serde(default)]
    pub description: Option<String>,
    /// `{type: "cloud", networking, packages, setup_script}` or `{type: "self_hosted", ...}`.
    #[serde(default)]
    pub config: Option<EnvironmentConfig>,
    /// `organization` or `account`.
    #[serde(default)]
    #[schemars(extend("enum" = ["organization", "account"], "x-open" = true))]
    pub scope: Option<String>,
    /// Metadata.
    #[serde(default)]
    pub metadata: Metadata,
    /// Status (`ready`).
    #[serde(default)]
    pub status: Option<String>,
    /// Archive time.
    #[serde(default)]
    pub archived_at: Option<String>,
    /// Creation time.
    #[serde(default)]
    pub created_at: Option<String>,
    /// Last update.
    #[serde(default)]
    pub updated_at: Option<String>,
    /// Unknown fields.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}
