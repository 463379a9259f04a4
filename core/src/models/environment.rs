//! Environments (sandboxes).

use super::object::shape;

use super::common::Metadata;
use super::shapes::EnvironmentConfig;

shape! {
    /// An environment.
    Environment {
        /// `env_...`.
        id: String,
        /// `"environment"`.
        #[serde(rename = "type")]
        object_type: String,
        /// Name.
        name: String,
        /// Description.
        description: Option<String>,
        /// `{type: "cloud", networking, packages, setup_script}` or `{type: "self_hosted", ...}`.
        config: Option<EnvironmentConfig>,
        /// `organization` or `account`.
        #[schemars(extend("enum" = ["organization", "account"], "x-open" = true))]
        scope: Option<String>,
        /// Metadata.
        metadata: Metadata,
        /// Status (`ready`).
        status: Option<String>,
        /// Archive time.
        archived_at: Option<String>,
        /// Creation time.
        created_at: Option<String>,
        /// Last update.
        updated_at: Option<String>,
    }
}
