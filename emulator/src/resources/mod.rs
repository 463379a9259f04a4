//! Resource handlers, one module per API family.

pub mod agent_fields;
pub mod agents;
pub mod environments;
pub mod event_input;
pub mod events;
pub mod models;
pub mod sessions;
pub mod threads;
