//! `client.models()`: the model catalog.

use serde_json::json;

use super::{namespace, Ns};
use crate::client::Response;
use crate::error::Result;
use crate::models::ModelInfo;
use crate::pagination::{ItemStream, Page};

/// Models namespace.
#[derive(Clone, Debug)]
pub struct Models {
    ns: Ns,
}
namespace!(Models);

impl Models {
    /// The operations this namespace covers.
    pub const OPERATIONS: &'static [&'static str] = &["models.list"];
    /// Lists the enabled models.
    pub async fn list(&self) -> Result<Response<Page<ModelInfo>>> {
        self.ns.page("models.list", &json!({}), &[]).await
    }
    /// Every model, following `after_id` cursors if the server ever paginates.
    pub fn list_all(&self) -> Result<ItemStream<ModelInfo>> {
        self.ns.iter("models.list", &json!({}), &[])
    }
}
