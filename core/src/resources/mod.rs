//! Typed namespaces, one module per API resource, mirroring the bindings' namespaces.
//!
//! Each namespace is a cheap handle (`client.agents()`); `with_options` sets per-call overrides
//! (timeout, retries, idempotency key, extra headers/query/body) for the calls made through it.

pub mod agents;
pub mod catalog;
pub mod environments;
pub mod events;
pub mod models;
pub mod sessions;

use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::client::{args_of, Client, Response};
use crate::error::Result;
use crate::pagination::{ItemStream, Page};
use crate::transport::RequestOptions;

/// State shared by every namespace handle.
#[derive(Clone, Debug)]
pub(crate) struct Ns {
    pub(crate) client: Client,
    pub(crate) opts: RequestOptions,
}

impl Ns {
    pub(crate) fn new(client: &Client) -> Self {
        Self { client: client.clone(), opts: RequestOptions::default() }
    }

    pub(crate) async fn call<T: DeserializeOwned, P: serde::Serialize>(
        &self,
        op: &str,
        params: &P,
        ids: &[(&str, &str)],
    ) -> Result<Response<T>> {
        let args = args_of(params, ids)?;
        self.client.call_typed(op, args, self.opts.clone()).await
    }

    pub(crate) async fn page<T: DeserializeOwned, P: serde::Serialize>(
        &self,
        op: &str,
        params: &P,
        ids: &[(&str, &str)],
    ) -> Result<Response<Page<T>>> {
        self.call(op, params, ids).await
    }

    pub(crate) fn iter<T: DeserializeOwned, P: serde::Serialize>(
        &self,
        op: &str,
        params: &P,
        ids: &[(&str, &str)],
    ) -> Result<ItemStream<T>> {
        let args = args_of(params, ids)?;
        let lookup = crate::client::lookup(op)?;
        Ok(ItemStream::new(self.client.clone(), lookup, args, self.opts.clone(), None))
    }
}

/// No parameters.
pub(crate) const NONE: &Value = &Value::Null;

/// Implements `with_options` for a namespace struct holding `ns: Ns`.
macro_rules! namespace {
    ($name:ident) => {
        impl $name {
            pub(crate) fn new(client: &crate::Client) -> Self {
                Self { ns: crate::resources::Ns::new(client) }
            }
            /// The same namespace with per-call options applied to every call made through it.
            pub fn with_options(mut self, opts: crate::transport::RequestOptions) -> Self {
                self.ns.opts = opts;
                self
            }
        }
    };
}
pub(crate) use namespace;

/// Every operation name some typed function covers (namespaces plus dedicated functions).
pub fn covered_operations() -> Vec<&'static str> {
    use catalog::*;
    let mut v: Vec<&'static str> = Vec::new();
    for list in [
        agents::Agents::OPERATIONS,
        environments::Environments::OPERATIONS,
        sessions::Sessions::OPERATIONS,
        events::Events::OPERATIONS,
        models::Models::OPERATIONS,
        Work::OPERATIONS,
        SessionResources::OPERATIONS,
        Threads::OPERATIONS,
        Files::OPERATIONS,
        Vaults::OPERATIONS,
        Credentials::OPERATIONS,
        Skills::OPERATIONS,
        MemoryStores::OPERATIONS,
        Deployments::OPERATIONS,
        Dreams::OPERATIONS,
    ] {
        v.extend_from_slice(list);
    }
    v.extend(SPECIAL_OPERATIONS.iter().map(|(op, _)| *op));
    v
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_operation_has_a_typed_function() {
        let mut covered = super::covered_operations();
        covered.sort_unstable();
        let before = covered.len();
        covered.dedup();
        assert_eq!(before, covered.len(), "an operation is covered twice");
        let mut table: Vec<&str> = crate::operations::operations().iter().map(|o| o.name.as_str()).collect();
        table.sort_unstable();
        assert_eq!(covered, table, "typed namespaces and operations.json disagree");
    }
}
