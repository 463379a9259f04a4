//! Resource handlers, one module per API family.

pub mod agent_fields;
pub mod agents;
pub mod credentials;
pub mod deployment_runs;
pub mod deployments;
pub mod dreams;
pub mod environments;
pub mod event_input;
pub mod events;
pub mod files;
pub mod memories;
pub mod memory;
pub mod memory_versions;
pub mod models;
pub mod session_resources;
pub mod sessions;
pub mod skills;
pub mod storage;
pub mod threads;
pub mod vaults;
pub mod work;
