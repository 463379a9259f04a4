//! JS functions as the core's tool handlers and confirmation policy.
//!
//! One JS `dispatch(json) → Promise<string>` function (built by `lib/tools.js`) serves every
//! handler and the policy: Rust sends `{"kind": "tool", id, name, input, session_thread_id}` or
//! `{"kind": "confirm", event}` and gets `{"ok": value}` / `{"error": message}` or
//! `{"decision": "allow" | "deny" | "defer", "message"?}` back. The JS side looks the handler up,
//! awaits it, turns a throw into an error message, and aborts the handlers' signals when the run
//! ends or is aborted; so a handler exception can never reject the dispatch promise.

use std::collections::HashSet;
use std::sync::Arc;

use napi::bindgen_prelude::*;
use napi::threadsafe_function::ThreadsafeFunction;
use napi_derive::napi;
use qoder_cloud::tools::{
    BoxFuture, ConfirmationPolicy, ConfirmationRequest, Decision, ToolCall, ToolHandler, ToolLists, ToolOutput, Tools,
};
use serde_json::{json, Value};

use crate::error;

/// The runner's settings from JS (camelCase there).
#[napi(object)]
#[derive(Default)]
pub struct ToolsConfig {
    /// Names of the tools that have a handler.
    pub names: Vec<String>,
    /// Whether a `confirm` callback answers confirmations.
    pub confirm: Option<bool>,
    /// Tool names confirmed with `allow`.
    pub allow_tools: Option<Vec<String>>,
    /// Tool names answered with `deny`.
    pub deny_tools: Option<Vec<String>>,
    /// The message sent with a denial from `denyTools`.
    pub deny_message: Option<String>,
}

/// The JS dispatcher.
pub(crate) type Dispatch = ThreadsafeFunction<String, Promise<String>, String, Status, false, true>;

/// Sends one request to JS and parses its JSON answer.
async fn ask(d: &Dispatch, request: Value) -> std::result::Result<Value, String> {
    let p = d.call_async(request.to_string()).await.map_err(|e| format!("could not call into JS: {e}"))?;
    let text = p.await.map_err(|e| format!("the JS dispatcher failed: {}", e.reason))?;
    serde_json::from_str(&text).map_err(|e| format!("the JS dispatcher answered with invalid JSON: {e}"))
}

struct JsTool(Arc<Dispatch>);

impl ToolHandler for JsTool {
    fn call(&self, call: ToolCall) -> BoxFuture<ToolOutput> {
        let d = self.0.clone();
        Box::pin(async move {
            let req = json!({"kind": "tool", "id": call.id, "name": call.name, "input": call.input,
                             "session_thread_id": call.session_thread_id});
            let mut answer = ask(&d, req).await?;
            match answer.get("error").and_then(Value::as_str) {
                Some(msg) => Err(msg.to_string()),
                None => Ok(answer.get_mut("ok").map(Value::take).unwrap_or(Value::Null)),
            }
        })
    }
}

struct JsConfirm(Arc<Dispatch>);

impl ConfirmationPolicy for JsConfirm {
    fn decide(&self, request: ConfirmationRequest) -> BoxFuture<Decision> {
        let d = self.0.clone();
        Box::pin(async move {
            match ask(&d, json!({"kind": "confirm", "event": request.event})).await {
                Ok(a) => {
                    let message = a.get("message").and_then(Value::as_str).map(str::to_string);
                    match a.get("decision").and_then(Value::as_str) {
                        Some("allow") => Decision::Allow,
                        Some("defer") => Decision::Defer,
                        _ => Decision::Deny(message),
                    }
                }
                // A failing callback must not allow anything.
                Err(msg) => Decision::Deny(Some(format!("the confirmation callback failed: {msg}"))),
            }
        })
    }
}

/// The core's [`Tools`] for a run.
pub(crate) fn tools_from(c: ToolsConfig, dispatch: Arc<Dispatch>) -> Result<Tools> {
    let mut tools = Tools::new();
    for name in c.names {
        tools = tools.handler(name, JsTool(dispatch.clone()));
    }
    let allow: HashSet<String> = c.allow_tools.unwrap_or_default().into_iter().collect();
    let deny: HashSet<String> = c.deny_tools.unwrap_or_default().into_iter().collect();
    if c.confirm.unwrap_or(false) {
        if !allow.is_empty() || !deny.is_empty() {
            return Err(error::invalid("confirm", "give either a confirm callback or allowTools/denyTools, not both"));
        }
        tools = tools.policy(JsConfirm(dispatch));
    } else if !allow.is_empty() || !deny.is_empty() {
        tools = tools.policy(ToolLists { allow, deny, deny_message: c.deny_message });
    }
    Ok(tools)
}

/// A checked `custom` tool definition as JSON text (`inputSchema` is JSON text too): see
/// `customTool` in `lib/tools.js`.
#[napi]
pub fn custom_tool(name: String, description: String, input_schema: String) -> Result<String> {
    let schema: Value = serde_json::from_str(&input_schema)
        .map_err(|_| error::invalid("inputSchema", "inputSchema must be a JSON object"))?;
    qoder_cloud::tools::custom_tool(&name, &description, schema)
        .map(|v| v.to_string())
        .map_err(|e| error::from_core(&e))
}

/// A JS token provider: the wrapper in `lib/options.js` resolves the user's token (or rejects).
pub(crate) struct JsTokenProvider(pub(crate) Arc<Dispatch>);

impl qoder_cloud::auth::TokenProvider for JsTokenProvider {
    fn token(&self, refused: Option<&str>) -> BoxFuture<qoder_cloud::Result<String>> {
        // Only whether a token was refused crosses over, never the token itself.
        let arg = if refused.is_some() { "refused".to_string() } else { String::new() };
        let d = self.0.clone();
        Box::pin(async move {
            let fail = |m: String| {
                qoder_cloud::Error::new(
                    qoder_cloud::ErrorKind::Authentication,
                    format!("the token provider failed: {m}"),
                )
            };
            let p = d.call_async(arg).await.map_err(|e| fail(e.to_string()))?;
            p.await.map_err(|e| fail(e.reason.clone()))
        })
    }
}
