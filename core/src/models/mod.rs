//! Typed API objects and request bodies.
//!
//! Every object keeps fields this version does not know in an `extra` map, every optional field
//! defaults, and unions have an unknown arm, so a newer server never breaks an older client.

pub mod agent;
pub mod common;
pub mod content;
pub mod environment;
pub mod event;
pub mod model_info;
mod object;
pub mod params;
pub mod params_agents;
pub mod params_deployments;
pub mod params_environments;
pub mod params_events;
pub mod params_resources;
pub mod params_sessions;
pub mod params_vaults;
pub mod resources;
pub mod schema;
pub mod session;
pub mod shapes;

pub use agent::*;
pub use common::*;
pub use environment::*;
pub use model_info::*;
pub use params::*;
pub use params_agents::*;
pub use params_deployments::*;
pub use params_environments::*;
pub use params_events::*;
pub use params_resources::*;
pub use params_sessions::*;
pub use params_vaults::*;
pub use resources::*;
pub use session::*;
pub use shapes::*;
