//! # qoder-cloud
//!
//! The Rust core of the Qoder Cloud Agents SDK: a client for the Managed API
//! (`/api/v1/cloud`) with retries, idempotency keys on every mutation, pagination, typed
//! models that keep unknown fields, and resumable SSE event streams. The Python and Node
//! packages are thin bindings over this crate.
//!
//! ```no_run
//! # async fn demo() -> qoder_cloud::Result<()> {
//! use qoder_cloud::{Client, models::*};
//! let client = Client::builder().access_token("pt-...").build()?;
//! let agent = client.agents().create(&AgentCreateParams::new("helper", "auto")).await?;
//! println!("{} (request {:?})", agent.id, agent.request_id());
//! # Ok(()) }
//! ```

pub mod accumulator;
pub mod auth;
pub mod call;
pub mod client;
pub mod config;
pub mod download;
pub mod error;
pub mod error_classes;
pub mod limits;
pub mod log;
pub mod memory;
pub mod models;
pub mod net;
pub mod operations;
pub mod options;
pub mod pagination;
mod pipe;
pub mod request;
pub mod resources;
pub mod retry;
pub mod sse;
pub mod stream;
mod stream_body;
mod stream_pool;
mod stream_reader;
pub mod testing;
pub mod tools;
pub mod transport;
pub mod turn;
pub mod upload;
pub mod validate;
pub mod worker;

pub use client::{Client, Response};
pub use config::{ClientBuilder, Config, Region};
pub use error::{Error, ErrorKind, Result};
pub use limits::Limits;
pub use pagination::{ItemStream, Page};
pub use transport::{RequestOptions, ResponseMeta};

/// Version of this crate, sent as `X-Qoder-Package-Version` by the Rust client.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

impl Client {
    /// Agents.
    pub fn agents(&self) -> resources::agents::Agents {
        resources::agents::Agents::new(self)
    }
    /// Environments.
    pub fn environments(&self) -> resources::environments::Environments {
        resources::environments::Environments::new(self)
    }
    /// Sessions.
    pub fn sessions(&self) -> resources::sessions::Sessions {
        resources::sessions::Sessions::new(self)
    }
    /// Models.
    pub fn models(&self) -> resources::models::Models {
        resources::models::Models::new(self)
    }
    /// Self-hosted work queues of environments.
    pub fn work(&self) -> resources::catalog::Work {
        resources::catalog::Work::new(self)
    }
    /// Session resources (mounted files and repositories).
    pub fn session_resources(&self) -> resources::catalog::SessionResources {
        resources::catalog::SessionResources::new(self)
    }
    /// Session threads.
    pub fn threads(&self) -> resources::catalog::Threads {
        resources::catalog::Threads::new(self)
    }
    /// Files.
    pub fn files(&self) -> resources::catalog::Files {
        resources::catalog::Files::new(self)
    }
    /// Vaults.
    pub fn vaults(&self) -> resources::catalog::Vaults {
        resources::catalog::Vaults::new(self)
    }
    /// Vault credentials.
    pub fn credentials(&self) -> resources::catalog::Credentials {
        resources::catalog::Credentials::new(self)
    }
    /// Skills and skill versions.
    pub fn skills(&self) -> resources::catalog::Skills {
        resources::catalog::Skills::new(self)
    }
    /// Memory stores, memories and memory versions.
    pub fn memory_stores(&self) -> resources::catalog::MemoryStores {
        resources::catalog::MemoryStores::new(self)
    }
    /// Deployments and their runs.
    pub fn deployments(&self) -> resources::catalog::Deployments {
        resources::catalog::Deployments::new(self)
    }
    /// Dreams.
    pub fn dreams(&self) -> resources::catalog::Dreams {
        resources::catalog::Dreams::new(self)
    }
}
