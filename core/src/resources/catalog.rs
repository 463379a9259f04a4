//! Typed namespaces for the rest of the API, declared from the operation table's names.
//!
//! Each method takes the path ids and a JSON object of the other arguments (`json!({})` or
//! `Value::Null` for none) and returns a typed object; every namespace lists the operations it
//! covers in `OPERATIONS`, which a test compares with `operations.json`.

use serde_json::Value;

use super::{namespace, Ns};
use crate::client::Response;
use crate::error::Result;
use crate::models::*;
use crate::pagination::Page;

macro_rules! ops {
    ($(#[$doc:meta])* $ns:ident { $( $(#[$m:meta])* $name:ident ( $($id:ident),* ) -> $ret:ty = $op:literal; )* }) => {
        $(#[$doc])*
        #[derive(Clone, Debug)]
        pub struct $ns {
            ns: Ns,
        }
        namespace!($ns);
        impl $ns {
            $(
                $(#[$m])*
                pub async fn $name(&self, $($id: &str,)* params: Value) -> Result<Response<$ret>> {
                    self.ns.call($op, &params, &[$((stringify!($id), $id)),*]).await
                }
            )*
            /// The operations this namespace covers.
            pub const OPERATIONS: &'static [&'static str] = &[$($op),*];
        }
    };
}

ops!(
    /// `client.environments().work()`: self-hosted work queue.
    Work {
        /// Lists work items.
        list(environment_id) -> Page<crate::models::Work> = "environments.work.list";
        /// Retrieves a work item.
        retrieve(environment_id, work_id) -> crate::models::Work = "environments.work.retrieve";
        /// Updates a work item's metadata.
        update(environment_id, work_id) -> crate::models::Work = "environments.work.update";
        /// Acknowledges a work item.
        ack(environment_id, work_id) -> crate::models::Work = "environments.work.ack";
        /// Extends a work item's lease (`desired_ttl_seconds`, `expected_last_heartbeat`).
        heartbeat(environment_id, work_id) -> Value = "environments.work.heartbeat";
        /// Long-polls for the next work item (`block_ms`, `worker_id`); `null` when none.
        poll(environment_id) -> Option<crate::models::Work> = "environments.work.poll";
        /// Queue statistics.
        stats(environment_id) -> Value = "environments.work.stats";
        /// Requests a work item to stop (`force`).
        stop(environment_id, work_id) -> crate::models::Work = "environments.work.stop";
    }
);

ops!(
    /// `client.sessions().resources()`: files and repositories mounted into a session.
    SessionResources {
        /// Mounts a ready file (`type: "file"`, `file_id`, `mount_path`).
        add(session_id) -> SessionResource = "sessions.resources.add";
        /// Lists resources.
        list(session_id) -> Page<SessionResource> = "sessions.resources.list";
        /// Retrieves a resource.
        retrieve(session_id, resource_id) -> SessionResource = "sessions.resources.retrieve";
        /// Rotates a repository resource's secret (`authorization_token` / `password`).
        update(session_id, resource_id) -> SessionResource = "sessions.resources.update";
        /// Unmounts a resource.
        delete(session_id, resource_id) -> Deleted = "sessions.resources.delete";
    }
);

ops!(
    /// `client.sessions().threads()`: the session's agent threads.
    Threads {
        /// Lists threads (primary first).
        list(session_id) -> Page<SessionThread> = "sessions.threads.list";
        /// Retrieves a thread.
        retrieve(session_id, thread_id) -> SessionThread = "sessions.threads.retrieve";
        /// Archives a thread.
        archive(session_id, thread_id) -> SessionThread = "sessions.threads.archive";
        /// Lists a thread's events (streaming: `Client::stream_thread`).
        events(session_id, thread_id) -> Page<Value> = "sessions.threads.events.list";
    }
);

ops!(
    /// `client.files()`: uploaded files (upload and download: `Client::upload_file`, `Client::download_file`).
    Files {
        /// Lists files (`name`, `scope_id`, `ids`).
        list() -> Page<FileMetadata> = "files.list";
        /// Retrieves a file's metadata.
        retrieve(file_id) -> FileMetadata = "files.retrieve";
        /// Deletes a file.
        delete(file_id) -> Deleted = "files.delete";
    }
);

ops!(
    /// `client.vaults()`: credential vaults.
    Vaults {
        /// Creates a vault (`display_name`, `metadata`).
        create() -> Vault = "vaults.create";
        /// Retrieves a vault.
        retrieve(vault_id) -> Vault = "vaults.retrieve";
        /// Lists vaults.
        list() -> Page<Vault> = "vaults.list";
        /// Deletes a vault.
        delete(vault_id) -> Deleted = "vaults.delete";
        /// Archives a vault.
        archive(vault_id) -> Vault = "vaults.archive";
    }
);

ops!(
    /// `client.vaults().credentials()`: secrets injected into sessions. Updates are never retried.
    Credentials {
        /// Creates a credential (`auth` = static_bearer | mcp_oauth | environment_variable).
        create(vault_id) -> VaultCredential = "vaults.credentials.create";
        /// Retrieves a credential (secrets are never returned).
        retrieve(vault_id, credential_id) -> VaultCredential = "vaults.credentials.retrieve";
        /// Rotates secrets / patches metadata; `auth.type` cannot change.
        update(vault_id, credential_id) -> VaultCredential = "vaults.credentials.update";
        /// Lists credentials.
        list(vault_id) -> Page<VaultCredential> = "vaults.credentials.list";
        /// Deletes a credential.
        delete(vault_id, credential_id) -> Deleted = "vaults.credentials.delete";
        /// Archives a credential.
        archive(vault_id, credential_id) -> VaultCredential = "vaults.credentials.archive";
        /// Validates an MCP OAuth credential against its server.
        mcp_oauth_validate(vault_id, credential_id) -> Value = "vaults.credentials.mcp_oauth_validate";
    }
);

ops!(
    /// `client.skills()` (create and versions create: `Client::upload_skill`).
    Skills {
        /// Retrieves a skill.
        retrieve(skill_id) -> Skill = "skills.retrieve";
        /// Lists skills.
        list() -> Page<Skill> = "skills.list";
        /// Deletes a skill.
        delete(skill_id) -> Deleted = "skills.delete";
        /// Lists a skill's versions, newest first.
        versions(skill_id) -> Page<SkillVersion> = "skills.versions.list";
        /// Retrieves one version.
        version(skill_id, version) -> SkillVersion = "skills.versions.retrieve";
        /// Deletes one version.
        delete_version(skill_id, version) -> Deleted = "skills.versions.delete";
    }
);

ops!(
    /// `client.memory_stores()`: memory stores, their memories and memory versions.
    MemoryStores {
        /// Creates a store.
        create() -> MemoryStore = "memory_stores.create";
        /// Retrieves a store.
        retrieve(memory_store_id) -> MemoryStore = "memory_stores.retrieve";
        /// Updates a store.
        update(memory_store_id) -> MemoryStore = "memory_stores.update";
        /// Lists stores.
        list() -> Page<MemoryStore> = "memory_stores.list";
        /// Deletes a store.
        delete(memory_store_id) -> Deleted = "memory_stores.delete";
        /// Archives a store.
        archive(memory_store_id) -> MemoryStore = "memory_stores.archive";
        /// Creates a memory (`path`, `content`).
        create_memory(memory_store_id) -> Memory = "memory_stores.memories.create";
        /// Retrieves a memory (with content).
        retrieve_memory(memory_store_id, memory_id) -> Memory = "memory_stores.memories.retrieve";
        /// Updates a memory; pass `content_sha256` of what you last read to avoid lost updates.
        update_memory(memory_store_id, memory_id) -> Memory = "memory_stores.memories.update";
        /// Lists memories (`path_prefix`, `depth`, `view`).
        list_memories(memory_store_id) -> Page<Memory> = "memory_stores.memories.list";
        /// Deletes a memory (`expected_content_sha256`).
        delete_memory(memory_store_id, memory_id) -> Deleted = "memory_stores.memories.delete";
        /// Lists memory versions.
        list_versions(memory_store_id) -> Page<MemoryVersion> = "memory_stores.memory_versions.list";
        /// Retrieves a memory version.
        retrieve_version(memory_store_id, memory_version_id) -> MemoryVersion = "memory_stores.memory_versions.retrieve";
        /// Redacts a memory version (content, path and hash become null).
        redact_version(memory_store_id, memory_version_id) -> MemoryVersion = "memory_stores.memory_versions.redact";
    }
);

ops!(
    /// `client.deployments()` and deployment runs.
    Deployments {
        /// Creates a deployment.
        create() -> Deployment = "deployments.create";
        /// Retrieves a deployment.
        retrieve(deployment_id) -> Deployment = "deployments.retrieve";
        /// Updates a deployment.
        update(deployment_id) -> Deployment = "deployments.update";
        /// Lists deployments.
        list() -> Page<Deployment> = "deployments.list";
        /// Archives a deployment.
        archive(deployment_id) -> Deployment = "deployments.archive";
        /// Pauses a deployment.
        pause(deployment_id) -> Deployment = "deployments.pause";
        /// Unpauses a deployment.
        unpause(deployment_id) -> Deployment = "deployments.unpause";
        /// Runs a deployment now (creates a session).
        run(deployment_id) -> DeploymentRun = "deployments.run";
        /// Lists a deployment's runs.
        runs(deployment_id) -> Page<DeploymentRun> = "deployments.runs.list";
        /// Retrieves one of a deployment's runs.
        run_of(deployment_id, run_id) -> DeploymentRun = "deployments.runs.retrieve";
        /// Lists runs of every deployment.
        all_runs() -> Page<DeploymentRun> = "deployment_runs.list";
        /// Retrieves a run by id.
        retrieve_run(deployment_run_id) -> DeploymentRun = "deployment_runs.retrieve";
    }
);

ops!(
    /// `client.dreams()`: memory consolidation jobs.
    Dreams {
        /// Starts a dream.
        create() -> Dream = "dreams.create";
        /// Retrieves a dream.
        retrieve(dream_id) -> Dream = "dreams.retrieve";
        /// Lists dreams.
        list() -> Page<Dream> = "dreams.list";
        /// Archives a dream.
        archive(dream_id) -> Dream = "dreams.archive";
        /// Cancels a dream.
        cancel(dream_id) -> Dream = "dreams.cancel";
    }
);

/// Operations served by dedicated functions rather than a namespace method.
pub const SPECIAL_OPERATIONS: &[(&str, &str)] = &[
    ("sessions.events.stream", "Client::stream_session"),
    ("sessions.threads.events.stream", "Client::stream_thread"),
    ("files.upload", "Client::upload_file"),
    ("files.download", "Client::download_file"),
    ("skills.create", "Client::upload_skill"),
    ("skills.versions.create", "Client::upload_skill"),
    ("skills.versions.download", "Client::download_skill_version"),
];
