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
//! let agent = client.agents().create(&AgentCreateParams {
//!     name: "helper".into(), model: "auto".into(), ..Default::default()
//! }).await?;
//! println!("{} (request {:?})", agent.id, agent.request_id());
//! # Ok(()) }
//! ```

pub mod client;
pub mod config;
pub mod error;
pub mod log;
pub mod models;
pub mod operations;
pub mod pagination;
pub mod request;
pub mod resources;
pub mod retry;
pub mod sse;
pub mod stream;
pub mod accumulator;
pub mod turn;
pub mod upload;
mod stream_reader;
pub mod transport;
pub mod validate;

pub use client::{Client, Response};
pub use config::{ClientBuilder, Config, Region};
pub use error::{Error, ErrorKind, Result};
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
}
