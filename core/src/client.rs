//! The client: one configuration, one connection pool, and namespaces per API resource.

use std::ops::Deref;
use std::sync::Arc;

use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::config::{ClientBuilder, Config};
use crate::error::{Error, ErrorKind, Result};
use crate::log::Logger;
use crate::operations::{self, Operation, ResponseKind};
use crate::request;
use crate::transport::{RequestOptions, ResponseMeta, Transport};

/// A result together with the metadata of the response that carried it.
#[derive(Debug, Clone, PartialEq)]
pub struct Response<T> {
    /// The decoded result (also reachable through `Deref`, so `resp.id` works).
    pub value: T,
    /// Status, request id, idempotency key, retries.
    pub meta: ResponseMeta,
}

impl<T> Deref for Response<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.value
    }
}

impl<T> Response<T> {
    /// The server's request id.
    pub fn request_id(&self) -> Option<&str> {
        self.meta.request_id.as_deref()
    }
    /// The `Idempotency-Key` the call carried (for mutations).
    pub fn idempotency_key(&self) -> Option<&str> {
        self.meta.idempotency_key.as_deref()
    }
    /// Consumes the response, keeping the data.
    pub fn into_inner(self) -> T {
        self.value
    }
    /// Maps the data, keeping the metadata.
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Response<U> {
        Response { value: f(self.value), meta: self.meta }
    }
}

/// A Qoder Cloud Agents API client. Cheap to clone: clones share one connection pool.
#[derive(Clone)]
pub struct Client {
    pub(crate) transport: Arc<Transport>,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client").field("config", &self.transport.config).finish()
    }
}

impl Client {
    /// A builder; see [`ClientBuilder`].
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    /// A client configured from the environment (`QODER_ACCESS_TOKEN`, `QODER_BASE_URL`, ...).
    pub fn from_env() -> Result<Self> {
        ClientBuilder::default().build()
    }

    /// A client from a resolved configuration.
    pub fn from_config(config: Config) -> Result<Self> {
        Ok(Self { transport: Arc::new(Transport::new(config)?) })
    }

    /// The configuration in force.
    pub fn config(&self) -> &Config {
        &self.transport.config
    }

    /// Installs (or removes) a logger receiving request, retry and reconnect records.
    pub fn set_logger(&self, logger: Option<Logger>) {
        if let Ok(mut g) = self.transport.logger.write() {
            *g = logger;
        }
    }

    /// Closes the client, and every clone of it: calls in flight end with
    /// [`ErrorKind::ClientClosed`], later calls and streams fail with it at once, open event
    /// streams close (their connections drop), and the logger is removed. The connection pool is
    /// released when the last clone is dropped. Idempotent.
    pub fn close(&self) {
        self.transport.closed.cancel();
        self.set_logger(None);
    }

    /// Completes when [`Client::close`] is called (at once if it was): for work that spans
    /// several calls, e.g. a binding's download or turn, to stop with the client.
    pub async fn closed(&self) {
        self.transport.closed.cancelled().await
    }

    /// Whether [`Client::close`] was called (on this client or a clone).
    pub fn is_closed(&self) -> bool {
        self.transport.closed.is_cancelled()
    }

    /// The transport (for advanced use: raw requests against undocumented endpoints).
    pub fn transport(&self) -> &Transport {
        &self.transport
    }

    /// Calls the JSON operation `name` with named arguments and returns the decoded JSON.
    ///
    /// This is the dynamic entry point the bindings use; the typed namespaces call it too, so
    /// both share validation and behaviour. Page results are returned as the raw page object.
    pub async fn call(&self, name: &str, args: Value, opts: RequestOptions) -> Result<Response<Value>> {
        let op = lookup(name)?;
        self.call_op(op, args, opts).await
    }

    pub(crate) async fn call_op(&self, op: &Operation, args: Value, opts: RequestOptions) -> Result<Response<Value>> {
        match op.response {
            ResponseKind::Object | ResponseKind::OptionalObject | ResponseKind::Page | ResponseKind::ModelsPage => {}
            other => {
                return Err(Error::invalid_argument(
                    "operation",
                    format!("{} returns {other:?}: use its dedicated function", op.name),
                ))
            }
        }
        let req = request::build(op, args, opts)?;
        let raw = self.transport.execute(req).await?;
        let status = raw.meta.status;
        let data = if raw.body.iter().all(u8::is_ascii_whitespace) {
            if op.response == ResponseKind::OptionalObject || status == 204 {
                Value::Null
            } else {
                return Err(Error::decode(format!("{}: empty response body", op.name), &raw.body, Some(status))
                    .with_request_id(raw.meta.request_id.clone()));
            }
        } else {
            serde_json::from_slice::<Value>(&raw.body).map_err(|e| {
                Error::decode(format!("{}: response is not valid JSON: {e}", op.name), &raw.body, Some(status))
                    .with_request_id(raw.meta.request_id.clone())
            })?
        };
        if op.is_paginated() && !data.get("data").is_some_and(Value::is_array) {
            return Err(Error::decode(format!("{}: page without a `data` list", op.name), &raw.body, Some(status))
                .with_request_id(raw.meta.request_id.clone()));
        }
        if op.response == ResponseKind::Object && !data.is_object() {
            return Err(Error::decode(format!("{}: expected a JSON object", op.name), &raw.body, Some(status))
                .with_request_id(raw.meta.request_id.clone()));
        }
        Ok(Response { value: data, meta: raw.meta })
    }

    /// Calls `name` and decodes the result into `T`.
    pub async fn call_typed<T: DeserializeOwned>(
        &self,
        name: &str,
        args: Value,
        opts: RequestOptions,
    ) -> Result<Response<T>> {
        let r = self.call(name, args, opts).await?;
        decode_value(name, r)
    }
}

/// Decodes a JSON response into `T`, keeping the metadata; a shape mismatch is a decode error.
pub(crate) fn decode_value<T: DeserializeOwned>(name: &str, r: Response<Value>) -> Result<Response<T>> {
    let Response { value: data, meta } = r;
    match serde_json::from_value::<T>(data.clone()) {
        Ok(d) => Ok(Response { value: d, meta }),
        Err(e) => {
            let body = serde_json::to_vec(&data).unwrap_or_default();
            Err(Error::decode(format!("{name}: unexpected response shape: {e}"), &body, Some(meta.status))
                .with_request_id(meta.request_id))
        }
    }
}

/// Finds an operation or fails with a clear error.
pub(crate) fn lookup(name: &str) -> Result<&'static Operation> {
    operations::find(name).ok_or_else(|| {
        Error::new(ErrorKind::InvalidArgument, format!("unknown operation {name:?}")).with_param("operation")
    })
}

/// Serializes typed parameters plus path ids into the argument object.
pub(crate) fn args_of<P: serde::Serialize>(params: &P, ids: &[(&str, &str)]) -> Result<Value> {
    let mut v = serde_json::to_value(params).map_err(|e| Error::invalid_argument("params", e.to_string()))?;
    if v.is_null() {
        v = Value::Object(Default::default());
    }
    let Value::Object(m) = &mut v else {
        return Err(Error::invalid_argument("params", "parameters must serialize to an object"));
    };
    for (k, id) in ids {
        m.insert((*k).to_string(), Value::String((*id).to_string()));
    }
    Ok(v)
}
