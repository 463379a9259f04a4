//! `NativeWorker`: the core's environment worker with a JS handler.
//!
//! The handler is reached through one JS dispatch function (built by `lib/worker.js`): Rust
//! sends `{"kind": "start", id, work}` and gets `{"ok": true}` or `{"error": message}` once the
//! handler settles; `{"kind": "stop", id}` (no answer needed) aborts that handler's signal, on a
//! stop request, a lost lease, shutdown, or when the core drops the run.

use std::sync::{Arc, Mutex};

use napi::bindgen_prelude::*;
use napi::threadsafe_function::ThreadsafeFunctionCallMode;
use napi_derive::napi;
use qoder_cloud::tools::BoxFuture;
use qoder_cloud::worker::{CancellationToken, WorkContext, WorkHandler, WorkItem, WorkerOptions};
use serde_json::{json, Value};

use crate::client::NativeClient;
use crate::error;
use crate::tools::Dispatch;

/// Tells JS to abort a handler's signal when dropped before the handler settled.
struct StopOnDrop {
    d: Arc<Dispatch>,
    id: String,
    armed: bool,
}

impl Drop for StopOnDrop {
    fn drop(&mut self) {
        if self.armed {
            self.d.call(json!({"kind": "stop", "id": self.id}).to_string(), ThreadsafeFunctionCallMode::NonBlocking);
        }
    }
}

struct JsWorkHandler(Arc<Dispatch>);

impl WorkHandler for JsWorkHandler {
    fn run(&self, item: WorkItem, ctx: WorkContext) -> BoxFuture<std::result::Result<(), String>> {
        let d = self.0.clone();
        Box::pin(async move {
            let mut guard = StopOnDrop { d: d.clone(), id: item.id.clone(), armed: true };
            let stop = ctx.stopping();
            let start = json!({"kind": "start", "id": item.id, "work": item.work}).to_string();
            let answer = async {
                let p = d.call_async(start).await.map_err(|e| format!("could not call into JS: {e}"))?;
                p.await.map_err(|e| format!("the JS dispatcher failed: {}", e.reason))
            };
            tokio::pin!(answer);
            let text = tokio::select! {
                r = &mut answer => r,
                _ = stop.cancelled() => {
                    // Asked to stop: abort the handler's signal, then wait for it to settle.
                    d.call(json!({"kind": "stop", "id": guard.id}).to_string(), ThreadsafeFunctionCallMode::NonBlocking);
                    answer.await
                }
            }?;
            guard.armed = false;
            let v: Value = serde_json::from_str(&text)
                .map_err(|e| format!("the JS dispatcher answered with invalid JSON: {e}"))?;
            match v.get("error").and_then(Value::as_str) {
                Some(m) => Err(m.to_string()),
                None => Ok(()),
            }
        })
    }
}

/// What `run()` needs, taken by its first call.
type Pending = (qoder_cloud::Client, String, Arc<dyn WorkHandler>, WorkerOptions);

/// A worker created by `client.worker(...)`; `run()` starts it once.
#[napi]
pub struct NativeWorker {
    shutdown: CancellationToken,
    start: Mutex<Option<Pending>>,
}

#[napi]
impl NativeWorker {
    /// Runs the worker until `shutdown()`; resolves its report as JSON text. Once per worker.
    #[napi(ts_return_type = "Promise<string>")]
    pub fn run<'e>(&self, env: &'e Env) -> Result<PromiseRaw<'e, String>> {
        let parts = self.start.lock().ok().and_then(|mut g| g.take());
        let token = self.shutdown.clone();
        env.spawn_future(error::catch_future(async move {
            let (client, env_id, handler, opts) =
                parts.ok_or_else(|| error::invalid("worker", "this worker already ran"))?;
            let r = client.run_worker(&env_id, handler, opts, token).await.map_err(|e| error::from_core(&e))?;
            Ok(json!({"completed": r.completed, "failed": r.failed, "stopped": r.stopped}).to_string())
        }))
    }

    /// Stops polling; running handlers get the grace period. Idempotent.
    #[napi]
    pub fn shutdown(&self) {
        self.shutdown.cancel();
    }
}

#[napi]
impl NativeClient {
    /// A self-hosted environment worker (see `EnvironmentWorker` in `lib/worker.js`); `config` is
    /// JSON text of its options (camelCase; durations in milliseconds).
    #[napi]
    pub fn worker(
        &self,
        environment_id: String,
        config: Option<String>,
        dispatch: Function<'_, String, Promise<String>>,
    ) -> Result<NativeWorker> {
        let d = Arc::new(dispatch.build_threadsafe_function::<String>().weak::<true>().build()?);
        error::guard(|| {
            let v = crate::client::parse_options(config)?;
            let opts = qoder_cloud::options::worker_options(qoder_cloud::options::Casing::Camel, v)
                .map_err(|e| error::from_core(&e))?;
            let handler: Arc<dyn WorkHandler> = Arc::new(JsWorkHandler(d));
            Ok(NativeWorker {
                shutdown: CancellationToken::new(),
                start: Mutex::new(Some((self.client()?, environment_id, handler, opts))),
            })
        })
    }
}
