//! Files, vaults and credentials, skills, memory stores, deployments, dreams, threads and
//! self-hosted work: the objects of the rest of the API.
//!
//! Secrets never come back from the API (credentials' `auth` is returned stripped), and the
//! `Debug` output of request bodies that may carry them is the caller's `serde_json::Value`,
//! which the SDK never logs.

use serde_json::Value;

use super::common::{JsonOf, Metadata};
use super::object::{api_object, shape};
use super::shapes::*;

api_object!(
    /// An uploaded file's metadata.
    FileMetadata {
        /// Filename.
        filename: String,
        /// MIME type.
        mime_type: Option<String>,
        /// Size in bytes.
        size_bytes: u64,
        /// `ready`, ...
        status: Option<String>,
        /// Whether `/content` may be fetched.
        downloadable: Option<bool>,
        /// `{id, type: "session"}` for files produced in a session.
        scope: Option<FileScope>,
        /// Metadata.
        metadata: Metadata,
        /// Expiry time.
        expires_at: Option<String>,
        /// Creation time.
        created_at: Option<String>,
    }
);

api_object!(
    /// A vault of credentials.
    Vault {
        /// Display name.
        display_name: String,
        /// Metadata.
        metadata: Metadata,
        /// Archive time.
        archived_at: Option<String>,
        /// Creation time.
        created_at: Option<String>,
        /// Last update.
        updated_at: Option<String>,
    }
);

api_object!(
    /// A vault credential; `auth` never contains the secret values.
    VaultCredential {
        /// Vault id.
        vault_id: String,
        /// Display name.
        display_name: Option<String>,
        /// Auth description without secrets (`{type, mcp_server_url, ...}`).
        auth: CredentialAuth,
        /// Metadata.
        metadata: Metadata,
        /// Archive time.
        archived_at: Option<String>,
        /// Creation time.
        created_at: Option<String>,
        /// Last update.
        updated_at: Option<String>,
    }
);

api_object!(
    /// A skill.
    Skill {
        /// Display title.
        display_title: Option<String>,
        /// Latest version string.
        latest_version: Option<String>,
        /// `custom` / `qoder`.
        source: Option<SkillOrigin>,
        /// Metadata.
        metadata: Metadata,
        /// Creation time.
        created_at: Option<String>,
        /// Last update.
        updated_at: Option<String>,
    }
);

api_object!(
    /// A version of a skill.
    SkillVersion {
        /// Skill id.
        skill_id: String,
        /// Version string.
        version: String,
        /// Name from `SKILL.md` front matter.
        name: Option<String>,
        /// Description from `SKILL.md` front matter.
        description: Option<String>,
        /// Top-level folder.
        directory: Option<String>,
        /// Creation time.
        created_at: Option<String>,
    }
);

api_object!(
    /// A memory store.
    MemoryStore {
        /// Name.
        name: String,
        /// Description.
        description: Option<String>,
        /// Metadata.
        metadata: Metadata,
        /// `active`.
        status: Option<String>,
        /// Number of memories.
        entry_count: Option<u64>,
        /// Total size in bytes.
        total_size: Option<u64>,
        /// Archive time.
        archived_at: Option<String>,
        /// Creation time.
        created_at: Option<String>,
        /// Last update.
        updated_at: Option<String>,
    }
);

api_object!(
    /// A memory (or, in lists, a `memory_prefix` directory entry with only `path`).
    Memory {
        /// Store id.
        memory_store_id: Option<String>,
        /// Path.
        path: Option<String>,
        /// Content (full view only).
        content: Option<String>,
        /// Hex SHA-256 of the content: the precondition for updates and deletes.
        content_sha256: Option<String>,
        /// Content size.
        content_size_bytes: Option<u64>,
        /// Latest version id.
        memory_version_id: Option<String>,
        /// Metadata.
        metadata: Metadata,
        /// Creation time.
        created_at: Option<String>,
        /// Last update.
        updated_at: Option<String>,
    }
);

api_object!(
    /// One version of a memory.
    MemoryVersion {
        /// Memory id.
        memory_id: Option<String>,
        /// Store id.
        memory_store_id: Option<String>,
        /// `created`, `modified`, `deleted`.
        #[schemars(extend("enum" = ["created", "modified", "deleted"], "x-open" = true))]
        operation: Option<String>,
        /// Path (null once redacted).
        path: Option<String>,
        /// Content (null once redacted).
        content: Option<String>,
        /// Hash (null once redacted).
        content_sha256: Option<String>,
        /// Who made the change.
        created_by: Option<Actor>,
        /// Redaction time.
        redacted_at: Option<String>,
        /// Who redacted it.
        redacted_by: Option<Actor>,
        /// Creation time.
        created_at: Option<String>,
    }
);

api_object!(
    /// A deployment: an agent, environment and initial events run on a schedule or by hand.
    Deployment {
        /// Name.
        name: String,
        /// Description.
        description: Option<String>,
        /// Pinned agent `{id, type, version}`.
        agent: Option<AgentVersionRef>,
        /// Environment id.
        environment_id: Option<String>,
        /// Stored input events.
        initial_events: Vec<JsonOf<super::params_events::InputEventParam>>,
        /// `{type: "cron", expression, timezone, ...}` or null.
        schedule: Option<Schedule>,
        /// `active` or `paused`.
        #[schemars(extend("enum" = ["active", "paused"], "x-open" = true))]
        status: Option<String>,
        /// Why it is paused.
        paused_reason: Option<PausedReason>,
        /// Metadata.
        metadata: serde_json::Map<String, Value>,
        /// Archive time.
        archived_at: Option<String>,
        /// Creation time.
        created_at: Option<String>,
        /// Last update.
        updated_at: Option<String>,
    }
);

api_object!(
    /// One run of a deployment.
    DeploymentRun {
        /// Deployment id.
        deployment_id: Option<String>,
        /// Agent `{id, type, version}`.
        agent: Option<AgentVersionRef>,
        /// The session the run created.
        session_id: Option<String>,
        /// `{type: "schedule" | "manual", scheduled_at?}`.
        trigger_context: Option<TriggerContext>,
        /// `{type, message}` or null.
        error: Option<ErrorInfo>,
        /// Creation time.
        created_at: Option<String>,
    }
);

api_object!(
    /// A dream: a memory consolidation job.
    Dream {
        /// `pending`, `running`, `completed`, `failed`, `canceled`.
        #[schemars(extend("enum" = ["pending", "running", "completed", "failed", "canceled"], "x-open" = true))]
        status: Option<String>,
        /// Inputs.
        inputs: Vec<DreamInput>,
        /// Model.
        model: Option<DreamModel>,
        /// Output behaviour.
        output_behavior: Option<OutputBehavior>,
        /// Outputs.
        outputs: Vec<DreamOutput>,
        /// Session that ran it.
        session_id: Option<String>,
        /// Error.
        error: Option<ErrorInfo>,
        /// Tokens used.
        usage: Option<DreamUsage>,
        /// Archive time.
        archived_at: Option<String>,
        /// Creation time.
        created_at: Option<String>,
        /// End time.
        ended_at: Option<String>,
    }
);

api_object!(
    /// A thread of a session (the primary thread has no parent).
    SessionThread {
        /// Session id.
        session_id: Option<String>,
        /// Parent thread id (null for the primary thread).
        parent_thread_id: Option<String>,
        /// Agent snapshot.
        agent: Option<SessionAgent>,
        /// Status.
        #[schemars(extend("enum" = ["idle", "running", "rescheduling", "terminated"], "x-open" = true))]
        status: Option<String>,
        /// Time the thread has run.
        stats: Option<SessionStats>,
        /// Cumulative usage.
        usage: Option<SessionUsage>,
        /// Archive time.
        archived_at: Option<String>,
        /// Creation time.
        created_at: Option<String>,
        /// Last update.
        updated_at: Option<String>,
    }
);

api_object!(
    /// A resource mounted into a session (file, repository, memory store).
    SessionResource {
        /// Mount path.
        mount_path: Option<String>,
        /// File id (file resources).
        file_id: Option<String>,
        /// Repository URL (repository resources).
        url: Option<String>,
        /// Memory store id (memory store resources).
        memory_store_id: Option<String>,
        /// The commit checked out (repository resources).
        checkout: Option<Checkout>,
        /// `read_write` or `read_only` (memory store resources).
        access: Option<String>,
        /// How the agent should use the resource.
        instructions: Option<String>,
        /// Display name.
        name: Option<String>,
        /// Description.
        description: Option<String>,
        /// Creation time.
        created_at: Option<String>,
        /// Last update.
        updated_at: Option<String>,
    }
);

api_object!(
    /// A unit of self-hosted work.
    Work {
        /// Environment id.
        environment_id: Option<String>,
        /// State.
        state: Option<String>,
        /// `{id: "sess_...", type: "session"}`.
        data: WorkData,
        /// Metadata.
        metadata: serde_json::Map<String, Value>,
        /// Creation time.
        created_at: Option<String>,
    }
);

/// The earlier name of [`VaultCredential`].
pub type Credential = VaultCredential;

/// The earlier name of [`FileMetadata`].
pub type FileObject = FileMetadata;

shape! {
    /// Result of `vaults.credentials.mcp_oauth_validate`.
    CredentialValidation {
        /// `"credential_validation"`.
        #[serde(rename = "type")]
        object_type: String,
        /// The credential checked.
        credential_id: String,
        /// Its vault.
        vault_id: String,
        /// Outcome, e.g. `valid` or `invalid`.
        status: String,
        /// Whether the credential holds a refresh token.
        has_refresh_token: bool,
        /// When the check ran.
        validated_at: Option<String>,
        /// The probe of the MCP server.
        mcp_probe: Option<McpProbe>,
        /// The token refresh tried.
        refresh: Option<RefreshProbe>,
    }
}

shape! {
    /// A directory entry of a memory listing (`type: "memory_prefix"`).
    MemoryPrefix {
        /// `"memory_prefix"`.
        #[serde(rename = "type")]
        object_type: String,
        /// The path prefix, ending in `/`.
        path: String,
    }
}

shape! {
    /// Result of `environments.work.heartbeat`.
    WorkHeartbeat {
        /// `"work_heartbeat"`.
        #[serde(rename = "type")]
        object_type: String,
        /// Whether the lease was extended (false: another worker holds the item now).
        lease_extended: bool,
        /// The work item's state.
        state: String,
        /// When the heartbeat was recorded.
        last_heartbeat: Option<String>,
        /// Seconds the lease lasts from now.
        ttl_seconds: Option<u64>,
    }
}

shape! {
    /// Result of `environments.work.stats`.
    WorkQueueStats {
        /// `"work_queue_stats"`.
        #[serde(rename = "type")]
        object_type: String,
        /// Items in the queue.
        depth: u64,
        /// Items not yet acknowledged.
        pending: u64,
        /// Workers long-polling the queue now.
        workers_polling: Option<u64>,
        /// Creation time of the oldest queued item.
        oldest_queued_at: Option<String>,
    }
}
