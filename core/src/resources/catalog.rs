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

/// One standard operation of a collection, its doc made from the collection's noun: `create` and
/// `list` take the parents' ids, the others the item's id too.
macro_rules! standard_op {
    (create $parents:tt $item:ident $ret:ty, $pfx:literal, $a:literal, $many:literal) => {
        standard_op!(@fn create $parents, Response<$ret>, concat!($pfx, ".create"), concat!("Creates ", $a, "."));
    };
    (list $parents:tt $item:ident $ret:ty, $pfx:literal, $a:literal, $many:literal) => {
        standard_op!(@fn list $parents, Response<Page<$ret>>, concat!($pfx, ".list"), concat!("Lists ", $many, "."));
    };
    (delete ($($p:ident),*) $item:ident $ret:ty, $pfx:literal, $a:literal, $many:literal) => {
        standard_op!(@fn delete ($($p,)* $item), Response<Deleted>, concat!($pfx, ".delete"),
            concat!("Deletes ", $a, "."));
    };
    (retrieve $($rest:tt)*) => { standard_op!(@item retrieve "Retrieves" $($rest)*); };
    (update $($rest:tt)*) => { standard_op!(@item update "Updates" $($rest)*); };
    (archive $($rest:tt)*) => { standard_op!(@item archive "Archives" $($rest)*); };
    (@item $verb:ident $word:literal ($($p:ident),*) $item:ident $ret:ty, $pfx:literal, $a:literal, $many:literal) => {
        standard_op!(@fn $verb ($($p,)* $item), Response<$ret>, concat!($pfx, ".", stringify!($verb)),
            concat!($word, " ", $a, "."));
    };
    (@fn $name:ident ($($id:ident),* $(,)?), $out:ty, $op:expr, $doc:expr) => {
        #[doc = $doc]
        pub async fn $name(&self, $($id: &str,)* params: Value) -> Result<$out> {
            self.ns.call($op, &params, &[$((stringify!($id), $id)),*]).await
        }
    };
}

/// A namespace: its standard operations (`[prefix (parent ids) item_id -> Item, "a noun",
/// "nouns": verbs]`, optional) and the others, one line each.
macro_rules! ops {
    ($(#[$doc:meta])* $ns:ident
        $([$pfx:literal $parents:tt $item:ident -> $sret:ty, $a:literal, $many:literal: $($verb:ident)*])?
        { $( $(#[$m:meta])* $name:ident ( $($id:ident),* ) -> $ret:ty = $op:literal; )* }) => {
        $(#[$doc])*
        #[derive(Clone, Debug)]
        pub struct $ns {
            ns: Ns,
        }
        namespace!($ns);
        impl $ns {
            $( $( standard_op!($verb $parents $item $sret, $pfx, $a, $many); )* )?
            $(
                $(#[$m])*
                pub async fn $name(&self, $($id: &str,)* params: Value) -> Result<Response<$ret>> {
                    self.ns.call($op, &params, &[$((stringify!($id), $id)),*]).await
                }
            )*
            /// The operations this namespace covers.
            pub const OPERATIONS: &'static [&'static str] =
                &[$( $(concat!($pfx, ".", stringify!($verb)),)* )? $($op),*];
        }
    };
}

ops!(
    /// `client.environments().work()`: self-hosted work queue.
    Work [
        "environments.work" (environment_id) work_id -> crate::models::Work, "a work item", "work items":
        list retrieve
    ] {
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
    SessionResources [
        "sessions.resources" (session_id) resource_id -> SessionResource, "a resource", "resources":
        list retrieve
    ] {
        /// Mounts a ready file (`type: "file"`, `file_id`, `mount_path`).
        add(session_id) -> SessionResource = "sessions.resources.add";
        /// Rotates a repository resource's secret (`authorization_token` / `password`).
        update(session_id, resource_id) -> SessionResource = "sessions.resources.update";
        /// Unmounts a resource.
        delete(session_id, resource_id) -> Deleted = "sessions.resources.delete";
    }
);

ops!(
    /// `client.sessions().threads()`: the session's agent threads.
    Threads [
        "sessions.threads" (session_id) thread_id -> SessionThread, "a thread", "threads":
        retrieve archive
    ] {
        /// Lists threads (primary first).
        list(session_id) -> Page<SessionThread> = "sessions.threads.list";
        /// Lists a thread's events (streaming: `Client::stream_thread`).
        events(session_id, thread_id) -> Page<Value> = "sessions.threads.events.list";
    }
);

ops!(
    /// `client.files()`: uploaded files (upload and download: `Client::upload_file`, `Client::download_file`).
    Files [
        "files" () file_id -> FileMetadata, "a file", "files":
        delete
    ] {
        /// Lists files (`name`, `scope_id`, `ids`).
        list() -> Page<FileMetadata> = "files.list";
        /// Retrieves a file's metadata.
        retrieve(file_id) -> FileMetadata = "files.retrieve";
    }
);

ops!(
    /// `client.vaults()`: credential vaults.
    Vaults [
        "vaults" () vault_id -> Vault, "a vault", "vaults":
        retrieve list delete archive
    ] {
        /// Creates a vault (`display_name`, `metadata`).
        create() -> Vault = "vaults.create";
    }
);

ops!(
    /// `client.vaults().credentials()`: secrets injected into sessions. Updates are never retried.
    Credentials [
        "vaults.credentials" (vault_id) credential_id -> VaultCredential, "a credential", "credentials":
        list delete archive
    ] {
        /// Creates a credential (`auth` = static_bearer | mcp_oauth | environment_variable).
        create(vault_id) -> VaultCredential = "vaults.credentials.create";
        /// Retrieves a credential (secrets are never returned).
        retrieve(vault_id, credential_id) -> VaultCredential = "vaults.credentials.retrieve";
        /// Rotates secrets / patches metadata; `auth.type` cannot change.
        update(vault_id, credential_id) -> VaultCredential = "vaults.credentials.update";
        /// Validates an MCP OAuth credential against its server.
        mcp_oauth_validate(vault_id, credential_id) -> Value = "vaults.credentials.mcp_oauth_validate";
    }
);

ops!(
    /// `client.skills()` (create and versions create: `Client::upload_skill`).
    Skills [
        "skills" () skill_id -> Skill, "a skill", "skills":
        retrieve list delete
    ] {
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
    MemoryStores [
        "memory_stores" () memory_store_id -> MemoryStore, "a store", "stores":
        create retrieve update list delete archive
    ] {
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
    Deployments [
        "deployments" () deployment_id -> Deployment, "a deployment", "deployments":
        create retrieve update list archive
    ] {
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
    Dreams [
        "dreams" () dream_id -> Dream, "a dream", "dreams":
        retrieve list archive
    ] {
        /// Starts a dream.
        create() -> Dream = "dreams.create";
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
