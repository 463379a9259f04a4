//! The operation table: every Managed API operation, as data.
//!
//! `operations.json` (next to this crate's manifest) lists each operation's name, method, path,
//! query and header parameters, body kind, required fields and argument checks. It is the single
//! source of truth for request building and client-side validation: the typed Rust API, the
//! Python and Node bindings and the coverage tests all read it, so no operation can drift.

use std::sync::OnceLock;

use serde::Deserialize;

use crate::transport::RetryMode;

/// The raw table, embedded at build time.
pub const OPERATIONS_JSON: &str = include_str!("../operations.json");

/// How a query argument is encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum QueryKind {
    /// `key=value`.
    Scalar,
    /// Repeated `key[]=v` pairs.
    List,
}

/// A query parameter: the argument name users pass and its key on the wire.
#[derive(Debug, Clone, Deserialize)]
pub struct QueryParam {
    /// Argument name, e.g. `created_at_gte`.
    pub arg: String,
    /// Wire key, e.g. `created_at[gte]`.
    pub wire: String,
    /// Encoding.
    pub kind: QueryKind,
}

/// A header parameter, e.g. `last_event_id` → `Last-Event-ID`.
#[derive(Debug, Clone, Deserialize)]
pub struct HeaderParam {
    /// Argument name.
    pub arg: String,
    /// Header name.
    pub wire: String,
}

/// The kind of request body.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BodyKind {
    /// No body; leftover arguments are an error.
    None,
    /// A JSON object of the remaining arguments.
    Json,
    /// `multipart/form-data` with one `file` part (file upload).
    MultipartFile,
    /// `multipart/form-data` with repeated `files` parts (skill upload).
    MultipartSkill,
}

/// The kind of response.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ResponseKind {
    /// One JSON object.
    Object,
    /// A JSON object, or nothing (`204`/empty/`null`).
    OptionalObject,
    /// A cursor page (`page` ← `next_page`).
    Page,
    /// The models list (`after_id` ← `last_id`).
    ModelsPage,
    /// An SSE stream.
    Stream,
    /// Raw bytes.
    Binary,
    /// A JSON link `{url, expires_at}` whose URL is fetched without credentials.
    DownloadLink,
}

/// One API operation.
#[derive(Debug, Clone, Deserialize)]
pub struct Operation {
    /// Dotted name mirroring the client's namespaces, e.g. `sessions.events.send`.
    pub name: String,
    /// HTTP method.
    pub method: String,
    /// Path template, e.g. `/sessions/{session_id}/events`.
    pub path: String,
    /// Query parameters.
    #[serde(default)]
    pub query: Vec<QueryParam>,
    /// Header parameters.
    #[serde(default)]
    pub headers: Vec<HeaderParam>,
    /// Body kind.
    pub body: BodyKind,
    /// Documented body fields (informational; unknown fields are still sent).
    #[serde(default)]
    pub body_fields: Vec<String>,
    /// Fields that must be present and non-null.
    #[serde(default)]
    pub required: Vec<String>,
    /// Argument checks in a small DSL: `field:len:MIN:MAX`, `field:maxlen:N`, `field:enum:a,b`,
    /// `field:enumlist:a,b`, `field:maxitems:N`, `field:items:MIN:MAX`, `field:minint:N`,
    /// `field:range:MIN:MAX`, `field:metadata`, `field:object`, `field:id`, `field:ref`, `field:nonempty`.
    #[serde(default)]
    pub checks: Vec<String>,
    /// Response kind.
    pub response: ResponseKind,
    /// `"never"` for operations that must not be retried automatically.
    #[serde(default)]
    pub retry: Option<String>,
    /// The schema type (`docs/schema.json`) of the result object, or of a page's items; `None`
    /// for downloads and where the object's own `type` decides (memory listings).
    #[serde(default)]
    pub result: Option<String>,
    /// The `type` every result object carries, where the operation fixes it (the tombstones of
    /// deletes: `environment_deleted`, ...).
    #[serde(default)]
    pub result_tag: Option<String>,
    /// The schema types a result may be, when its own `type` decides (memory listings).
    #[serde(default)]
    pub result_one_of: Vec<String>,
    /// Name of the operation's parameters definition in docs/schema.json (a `*Params` type marked
    /// `x-params`); `None` for operations without query, header or body arguments.
    #[serde(default)]
    pub params: Option<String>,
}

impl Operation {
    /// The HTTP method as an `http::Method`.
    pub fn http_method(&self) -> http::Method {
        http::Method::from_bytes(self.method.as_bytes()).unwrap_or(http::Method::GET)
    }
    /// Names of the path parameters, in order.
    pub fn path_params(&self) -> Vec<&str> {
        let mut out = Vec::new();
        let mut rest = self.path.as_str();
        while let Some(i) = rest.find('{') {
            let Some(j) = rest[i..].find('}') else { break };
            out.push(&rest[i + 1..i + j]);
            rest = &rest[i + j + 1..];
        }
        out
    }
    /// The namespace part of the name (`sessions.events` for `sessions.events.send`).
    pub fn namespace(&self) -> &str {
        self.name.rsplit_once('.').map_or("", |(a, _)| a)
    }
    /// The method part of the name (`send`).
    pub fn method_name(&self) -> &str {
        self.name.rsplit_once('.').map_or(self.name.as_str(), |(_, b)| b)
    }
    /// Whether the result is paginated.
    pub fn is_paginated(&self) -> bool {
        matches!(self.response, ResponseKind::Page | ResponseKind::ModelsPage)
    }
    /// Retry mode.
    pub fn retry_mode(&self) -> RetryMode {
        if self.retry.as_deref() == Some("never") {
            RetryMode::Never
        } else {
            RetryMode::Default
        }
    }
}

/// Every operation, parsed once.
pub fn operations() -> &'static [Operation] {
    static OPS: OnceLock<Vec<Operation>> = OnceLock::new();
    OPS.get_or_init(|| serde_json::from_str(OPERATIONS_JSON).expect("operations.json is valid"))
}

/// The operation called `name`, if any.
pub fn find(name: &str) -> Option<&'static Operation> {
    operations().iter().find(|o| o.name == name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_is_complete_and_consistent() {
        let ops = operations();
        assert_eq!(ops.len(), 98);
        let mut names: Vec<_> = ops.iter().map(|o| o.name.as_str()).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), 98, "duplicate names");
        for o in ops {
            assert!(o.path.starts_with('/'), "{}", o.name);
            for c in &o.checks {
                assert!(c.split(':').count() >= 2, "{}: bad check {c}", o.name);
            }
        }
        assert_eq!(find("sessions.events.stream").unwrap().response, ResponseKind::Stream);
        assert_eq!(find("vaults.credentials.update").unwrap().retry_mode(), RetryMode::Never);
        assert_eq!(find("agents.versions.list").unwrap().path_params(), vec!["agent_id"]);
    }
}
