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
pub mod resources;
pub mod schema;
pub mod session;

pub use agent::*;
pub use common::*;
pub use environment::*;
pub use model_info::*;
pub use resources::*;
pub use session::*;
