//! Request parameters of files and vaults, with the credential auth shapes vaults take.

use serde::{Deserialize, Serialize};

use super::params::{
    nullable, param_union, params, string_enum, tag, tagged, upload_schema, MetadataParam, UploadParam,
};

params! {
    /// Parameters of `files.list`.
    pub struct FileListParams {
        /// Only files with this name.
        name: String,
        /// Files before this id.
        before_id: String,
        /// Files after this id.
        after_id: String,
        /// Opaque cursor: a previous page's `next_page`.
        page: String,
        /// Page size, 1–100 (default 20).
        limit: u32,
        /// Only files of this scope, e.g. a session id (the files produced in it).
        scope_id: String,
        /// Only these file ids (sent as repeated `ids[]`).
        ids: Vec<String>,
    }
}

params! {
    /// Parameters of `files.upload` (sent as `multipart/form-data`).
    pub struct FileUploadParams {
        /// Name stored on the file (default: the uploaded file's name).
        name: String,
        /// Metadata: at most 16 string keys and values.
        metadata: MetadataParam,
        /// The file (required).
        #[schemars(schema_with = "upload_schema")]
        file: UploadParam,
        /// Delete the file after this many seconds (≥ 1).
        expires_in_seconds: u64,
    }
}

params! {
    /// Parameters of `vaults.create`.
    pub struct VaultCreateParams {
        /// Display name, 1–255 characters (required).
        display_name: String,
        /// Metadata: at most 16 string keys and values.
        metadata: MetadataParam,
    }
}

params! {
    /// Parameters of `vaults.list`.
    pub struct VaultListParams {
        /// Only vaults with this name.
        name: String,
        /// Vaults before this id.
        before_id: String,
        /// Vaults after this id.
        after_id: String,
        /// Also list archived vaults.
        include_archived: bool,
        /// Page size, 1–100 (default 20).
        limit: u32,
        /// Opaque cursor: a previous page's `next_page`.
        page: String,
    }
}

tag! {
    /// `"static_bearer"`.
    StaticBearerTag = "static_bearer";
    /// `"mcp_oauth"`.
    McpOauthTag = "mcp_oauth";
    /// `"environment_variable"`.
    EnvironmentVariableTag = "environment_variable";
}

string_enum! {
    /// How the client authenticates at a token endpoint.
    pub enum TokenEndpointAuthType {
        /// No client authentication.
        None,
        /// HTTP Basic with the client secret.
        ClientSecretBasic,
        /// The client secret in the form body.
        ClientSecretPost,
    }
}

/// Client authentication at a token endpoint: `{"type", "client_secret"?}` (a secret with the
/// `client_secret_*` types).
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct TokenEndpointAuthParam {
    /// `none`, `client_secret_basic` or `client_secret_post`.
    #[serde(rename = "type")]
    pub r#type: TokenEndpointAuthType,
    /// The client secret.
    pub client_secret: Option<String>,
}

/// How an OAuth access token is refreshed.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct McpOauthRefreshParam {
    /// OAuth client id.
    pub client_id: String,
    /// The refresh token.
    pub refresh_token: String,
    /// Token endpoint URL.
    pub token_endpoint: String,
    /// Client authentication at the token endpoint.
    pub token_endpoint_auth: TokenEndpointAuthParam,
    /// Resource indicator.
    pub resource: Option<String>,
    /// Scope to ask for.
    pub scope: Option<String>,
}

/// Changes to how an OAuth access token is refreshed.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default, schemars::JsonSchema)]
pub struct McpOauthRefreshUpdateParam {
    /// New refresh token.
    pub refresh_token: Option<String>,
    /// New scope.
    pub scope: Option<String>,
    /// New client authentication at the token endpoint.
    pub token_endpoint_auth: Option<TokenEndpointAuthParam>,
}

string_enum! {
    /// Where a secret may be sent: `unrestricted` or `limited` (the allowed hosts).
    pub enum CredentialNetworkingType {
        /// Any host.
        Unrestricted,
        /// Only the allowed hosts.
        Limited,
    }
}

/// Hosts an environment variable secret may be sent to.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct CredentialNetworkingParam {
    /// `unrestricted` or `limited`.
    #[serde(rename = "type")]
    pub r#type: CredentialNetworkingType,
    /// The hosts (with `limited`).
    pub allowed_hosts: Option<Vec<String>>,
}

/// Where in requests the secret may be injected.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default, schemars::JsonSchema)]
pub struct InjectionLocationParam {
    /// In headers.
    pub header: Option<bool>,
    /// In bodies.
    pub body: Option<bool>,
}

tagged! {
    /// A static bearer token for an MCP server.
    #[derive(Default)]
    pub struct StaticBearerAuthParam [StaticBearerTag] {
        /// The token.
        pub token: String,
        /// URL of the MCP server it authenticates to.
        pub mcp_server_url: String,
    }
}

tagged! {
    /// OAuth tokens for an MCP server.
    #[derive(Default)]
    pub struct McpOauthAuthParam [McpOauthTag] {
        /// The access token.
        pub access_token: String,
        /// URL of the MCP server it authenticates to.
        pub mcp_server_url: String,
        /// When the access token expires (RFC 3339).
        #[schemars(extend("format" = "date-time"))]
        pub expires_at: Option<String>,
        /// How to refresh the access token.
        pub refresh: Option<McpOauthRefreshParam>,
    }
}

tagged! {
    /// A secret exposed to the sandbox as an environment variable.
    pub struct EnvironmentVariableAuthParam [EnvironmentVariableTag] {
        /// Name of the environment variable.
        pub secret_name: String,
        /// The secret.
        pub secret_value: String,
        /// Hosts the secret may be sent to.
        pub networking: CredentialNetworkingParam,
        /// Where in requests the secret may be injected.
        pub injection_location: Option<InjectionLocationParam>,
    }
}

param_union! {
    /// A credential's auth on create, tagged by `type`.
    pub enum CredentialAuthParam {
        /// A static bearer token.
        StaticBearer(StaticBearerAuthParam),
        /// OAuth tokens.
        McpOauth(McpOauthAuthParam),
        /// An environment variable secret.
        EnvironmentVariable(EnvironmentVariableAuthParam),
    }
}

tagged! {
    /// Changes to a static bearer credential.
    #[derive(Default)]
    pub struct StaticBearerAuthUpdateParam [StaticBearerTag] {
        /// New token.
        pub token: Option<String>,
    }
}

tagged! {
    /// Changes to an OAuth credential.
    #[derive(Default)]
    pub struct McpOauthAuthUpdateParam [McpOauthTag] {
        /// New access token.
        pub access_token: Option<String>,
        /// When the new access token expires (RFC 3339).
        #[schemars(extend("format" = "date-time"))]
        pub expires_at: Option<String>,
        /// Changes to the refresh settings.
        pub refresh: Option<McpOauthRefreshUpdateParam>,
    }
}

tagged! {
    /// Changes to an environment variable credential.
    #[derive(Default)]
    pub struct EnvironmentVariableAuthUpdateParam [EnvironmentVariableTag] {
        /// New secret.
        pub secret_value: Option<String>,
        /// New injection locations.
        pub injection_location: Option<InjectionLocationParam>,
        /// New networking.
        pub networking: Option<CredentialNetworkingParam>,
    }
}

param_union! {
    /// Changes to a credential's auth, tagged by `type` (which must match the credential's).
    pub enum CredentialAuthUpdateParam {
        /// A static bearer token.
        StaticBearer(StaticBearerAuthUpdateParam),
        /// OAuth tokens.
        McpOauth(McpOauthAuthUpdateParam),
        /// An environment variable secret.
        EnvironmentVariable(EnvironmentVariableAuthUpdateParam),
    }
}

params! {
    /// Parameters of `vaults.credentials.create`.
    pub struct CredentialCreateParams {
        /// The credential's auth (required; an object).
        auth: CredentialAuthParam,
        /// Display name, at most 255 characters.
        display_name: String,
        /// Metadata: at most 16 string keys and values.
        metadata: MetadataParam,
    }
}

params! {
    /// Parameters of `vaults.credentials.list`.
    pub struct CredentialListParams {
        /// Only credentials with this name.
        name: String,
        /// Credentials before this id.
        before_id: String,
        /// Credentials after this id.
        after_id: String,
        /// Also list archived credentials.
        include_archived: bool,
        /// Page size, 1–100 (default 20).
        limit: u32,
        /// Opaque cursor: a previous page's `next_page`.
        page: String,
    }
}

params! {
    /// Parameters of `vaults.credentials.update` (never retried automatically).
    pub struct CredentialUpdateParams {
        /// Metadata patch: a `null` value deletes the key.
        #[schemars(transform = nullable)]
        metadata: MetadataParam,
        /// Changes to the auth.
        auth: CredentialAuthUpdateParam,
    }
}
