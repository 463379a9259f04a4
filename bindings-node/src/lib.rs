//! Node.js binding of the qoder-cloud core.
//!
//! The binding is deliberately thin: JavaScript hands over the operation name plus its
//! arguments as one JSON string, Rust calls exactly one core function, and results come back as
//! JSON strings (`JSON.parse` in JS is far cheaper than building objects through N-API). Errors
//! are encoded into the rejection message (see [`error`]) and rebuilt into typed classes by
//! `lib/errors.js`. The namespaces of the JS client are built from [`operations`], so every core
//! operation is reachable by construction.

#![deny(clippy::all)]

mod cancel;
mod client;
mod emulator;
mod error;
mod logger;
mod stream;
mod tools;
mod transfer;
mod turn;
mod worker;

use napi::bindgen_prelude::*;
use napi_derive::napi;

pub use cancel::CancelToken;
pub use client::NativeClient;
pub use stream::NativeStream;

/// The operation table as a JSON array: every field of `core/operations.json` plus
/// `path_params` (path parameter names, in order).
#[napi]
pub fn operations() -> Result<String> {
    error::guard(|| {
        let mut v: serde_json::Value = serde_json::from_str(qoder_cloud::operations::OPERATIONS_JSON)
            .map_err(|e| error::internal(format!("operations.json: {e}")))?;
        if let Some(list) = v.as_array_mut() {
            for (item, op) in list.iter_mut().zip(qoder_cloud::operations::operations()) {
                if let Some(m) = item.as_object_mut() {
                    m.insert("path_params".into(), serde_json::json!(op.path_params()));
                }
            }
        }
        Ok(v.to_string())
    })
}

/// Version of the Rust core this addon was built from.
/// Lower-case hex SHA-256 of `content`: the `content_sha256` precondition of memory updates
/// and deletes, computed as the server does.
#[napi]
pub fn content_sha256(content: String) -> String {
    qoder_cloud::memory::content_sha256(&content)
}

#[napi]
pub fn core_version() -> String {
    qoder_cloud::VERSION.to_string()
}

/// Test hook: panics inside native code, synchronously or inside a spawned future, so the test
/// suite can prove a panic becomes a rejected Promise / thrown error instead of a crash.
#[napi]
pub fn debug_panic(env: &Env, in_future: bool) -> Result<PromiseRaw<'_, String>> {
    if !in_future {
        return error::guard(|| -> Result<PromiseRaw<'_, String>> {
            panic!("debug_panic: synchronous panic requested")
        });
    }
    env.spawn_future(error::catch_future(async move {
        if in_future {
            panic!("debug_panic: panic inside a future requested");
        }
        Ok(String::new())
    }))
}
