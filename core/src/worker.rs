//! The self-hosted environment worker (docs/api-contract.md §7.4): long-polls an environment's
//! work queue under a worker id, acknowledges each item, runs the user's handler while it
//! heartbeats within the lease, and honours stop requests and shutdown.
//!
//! Never twice: an item is run only after this worker's `ack` succeeded, never again by the
//! same worker (ids already taken are remembered), and each heartbeat is a compare-and-set on
//! the previous one (`expected_last_heartbeat`), so when another worker reclaimed the item the
//! next heartbeat fails with 409 and this worker cancels its handler at once. A finished item is
//! stopped (`force`), so it is not handed out again.
//!
//! Shutdown (a cancelled token): no more polling; running handlers see `WorkContext::stopping`
//! and get `shutdown_grace` to finish, then they are dropped (their leases lapse and another
//! worker can reclaim the items).

use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{json, Value};
/// The token that shuts a worker down (re-exported so callers need no `tokio-util`).
pub use tokio_util::sync::CancellationToken;

use crate::client::Client;
use crate::error::{Error, ErrorKind, Result};
use crate::tools::BoxFuture;
use crate::transport::RequestOptions;

/// One piece of work handed to the handler.
#[derive(Debug, Clone)]
pub struct WorkItem {
    /// The work id.
    pub id: String,
    /// The environment.
    pub environment_id: String,
    /// The session the work is for (`data.id`).
    pub session_id: Option<String>,
    /// The whole work object as the server sent it (`secret` included: the worker's credential).
    pub work: Value,
}

/// What a running handler can watch.
#[derive(Debug, Clone)]
pub struct WorkContext {
    stop: CancellationToken,
}

impl WorkContext {
    /// Tripped when the work should end: a stop request, a lost lease, or shutdown.
    pub fn stopping(&self) -> CancellationToken {
        self.stop.clone()
    }
}

/// The user's work: `Ok` when done, `Err(message)` when it failed (the item is stopped either way).
pub trait WorkHandler: Send + Sync {
    /// Runs one item. Dropping the future cancels it.
    fn run(&self, item: WorkItem, ctx: WorkContext) -> BoxFuture<std::result::Result<(), String>>;
}

impl<F, Fut> WorkHandler for F
where
    F: Fn(WorkItem, WorkContext) -> Fut + Send + Sync,
    Fut: std::future::Future<Output = std::result::Result<(), String>> + Send + 'static,
{
    fn run(&self, item: WorkItem, ctx: WorkContext) -> BoxFuture<std::result::Result<(), String>> {
        Box::pin(self(item, ctx))
    }
}

/// Settings of a worker.
#[derive(Debug, Clone)]
pub struct WorkerOptions {
    /// The `Worker-ID` (default: `qoder-worker-<uuid>`).
    pub worker_id: Option<String>,
    /// Longest a poll waits for work (`block_ms`, at most 30 s; default 10 s).
    pub poll_wait: Duration,
    /// Lease asked for on each heartbeat (`desired_ttl_seconds`, default 30 s).
    pub lease: Duration,
    /// Also take over items whose holder has been silent this long (`reclaim_older_than_ms`).
    pub reclaim_older_than: Option<Duration>,
    /// Items run at once (default 1).
    pub max_concurrency: usize,
    /// How long running handlers get to finish after shutdown (default 30 s).
    pub shutdown_grace: Duration,
}

impl Default for WorkerOptions {
    fn default() -> Self {
        Self {
            worker_id: None,
            poll_wait: Duration::from_secs(10),
            lease: Duration::from_secs(30),
            reclaim_older_than: None,
            max_concurrency: 1,
            shutdown_grace: Duration::from_secs(30),
        }
    }
}

/// What a worker did, once it shut down.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct WorkerReport {
    /// Items whose handler returned `Ok`.
    pub completed: u64,
    /// Items whose handler returned `Err`.
    pub failed: u64,
    /// Items ended early: stop requested, lease lost, or cut at shutdown.
    pub stopped: u64,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum End {
    Completed,
    Failed,
    Stopped,
}

struct Run {
    client: Client,
    env: String,
    worker_id: String,
    opts: WorkerOptions,
    handler: Arc<dyn WorkHandler>,
}

impl Run {
    fn args(&self, work_id: &str) -> Value {
        json!({"environment_id": self.env, "work_id": work_id})
    }

    /// Acknowledges, runs and heartbeats one item; `None` when it was not ours to run.
    async fn work(self: Arc<Self>, w: Value, shutdown: CancellationToken) -> Option<End> {
        let id = w.get("id").and_then(Value::as_str)?.to_string();
        // Someone else acked it first (or it was stopped): not ours.
        let acked = self.client.call("environments.work.ack", self.args(&id), RequestOptions::default()).await.ok()?;
        let item = WorkItem {
            id: id.clone(),
            environment_id: self.env.clone(),
            session_id: w.pointer("/data/id").and_then(Value::as_str).map(str::to_string),
            work: acked.value,
        };
        let stop = shutdown.child_token();
        let ctx = WorkContext { stop: stop.clone() };
        let handler = self.handler.run(item, ctx);
        tokio::pin!(handler);
        let mut last: Option<String> = None;
        let every = (self.opts.lease / 3).max(Duration::from_millis(50));
        let mut next = tokio::time::Instant::now();
        let mut ended_early = false;
        let outcome = loop {
            tokio::select! {
                r = &mut handler => break Some(r),
                _ = tokio::time::sleep_until(next) => {
                    next = tokio::time::Instant::now() + every;
                    match self.heartbeat(&id, last.as_deref()).await {
                        // Stopped by force: the handler is dropped now.
                        Ok((_, state)) if state == "stopped" => break None,
                        Ok((beat, state)) => {
                            last = beat;
                            if state == "stopping" && !stop.is_cancelled() {
                                ended_early = true;
                                stop.cancel();
                            }
                        }
                        // The lease is gone (another worker holds the item): stop at once.
                        Err(e) if e.kind() == ErrorKind::Conflict || e.kind() == ErrorKind::NotFound => {
                            return Some(End::Stopped);
                        }
                        Err(_) => {} // a passing failure: the next beat tries again within the lease
                    }
                }
                _ = shutdown.cancelled(), if !ended_early => {
                    ended_early = true;
                    // Shutdown: the handler gets the grace period, then it is dropped.
                    match tokio::time::timeout(self.opts.shutdown_grace, &mut handler).await {
                        Ok(r) => break Some(r),
                        Err(_) => break None,
                    }
                }
            }
        };
        let _ = self
            .client
            .call(
                "environments.work.stop",
                json!({"environment_id": self.env, "work_id": id, "force": true}),
                RequestOptions::default(),
            )
            .await;
        // Asked to stop (a stop request or shutdown) before it returned: it ended early, whatever it returned.
        let ended_early = ended_early || stop.is_cancelled();
        Some(match outcome {
            None => End::Stopped,
            Some(_) if ended_early => End::Stopped,
            Some(Ok(())) => End::Completed,
            Some(Err(_)) => End::Failed,
        })
    }

    /// One compare-and-set heartbeat: the new `last_heartbeat` and the item's state.
    async fn heartbeat(&self, id: &str, last: Option<&str>) -> Result<(Option<String>, String)> {
        let mut args = self.args(id);
        args["desired_ttl_seconds"] = json!(self.opts.lease.as_secs().max(1));
        if let Some(l) = last {
            args["expected_last_heartbeat"] = json!(l);
        }
        let r = self
            .client
            .call("environments.work.heartbeat", args, RequestOptions { max_retries: Some(0), ..Default::default() })
            .await?;
        let beat = r.value.get("last_heartbeat").and_then(Value::as_str).map(str::to_string);
        let state = r.value.get("state").and_then(Value::as_str).unwrap_or("").to_string();
        Ok((beat, state))
    }
}

impl Client {
    /// Runs a self-hosted environment worker until `shutdown` is cancelled (see the module docs).
    pub async fn run_worker(
        &self,
        environment_id: &str,
        handler: Arc<dyn WorkHandler>,
        opts: WorkerOptions,
        shutdown: CancellationToken,
    ) -> Result<WorkerReport> {
        if environment_id.is_empty() {
            return Err(Error::invalid_argument("environment_id", "environment_id: must not be empty"));
        }
        if opts.max_concurrency == 0 {
            return Err(Error::invalid_argument("max_concurrency", "max_concurrency: must be at least 1"));
        }
        if opts.poll_wait > Duration::from_secs(30) {
            return Err(Error::invalid_argument("poll_wait", "poll_wait: at most 30 seconds"));
        }
        if opts.lease < Duration::from_secs(1) {
            return Err(Error::invalid_argument("lease", "lease: at least 1 second"));
        }
        let worker_id =
            opts.worker_id.clone().unwrap_or_else(|| format!("qoder-worker-{}", uuid::Uuid::new_v4().simple()));
        let run = Arc::new(Run { client: self.clone(), env: environment_id.to_string(), worker_id, opts, handler });
        let report = Arc::new(Mutex::new(WorkerReport::default()));
        let taken: Mutex<HashSet<String>> = Mutex::new(HashSet::new());
        let mut running = tokio::task::JoinSet::new();
        while !shutdown.is_cancelled() {
            // A free slot first: poll only for work this worker can start now.
            while running.len() >= run.opts.max_concurrency {
                tokio::select! {
                    _ = running.join_next() => {}
                    _ = shutdown.cancelled() => break,
                }
            }
            if shutdown.is_cancelled() {
                break;
            }
            let mut args = json!({"environment_id": run.env, "worker_id": run.worker_id, "block_ms": run.opts.poll_wait.as_millis() as u64});
            if let Some(r) = run.opts.reclaim_older_than {
                args["reclaim_older_than_ms"] = json!(r.as_millis() as u64);
            }
            let polled = tokio::select! {
                r = self.call("environments.work.poll", args, RequestOptions::default()) => r,
                _ = shutdown.cancelled() => break,
            };
            let w = match polled {
                Ok(r) if r.value.is_null() => continue,
                Ok(r) => r.value,
                Err(e)
                    if matches!(
                        e.kind(),
                        ErrorKind::NotFound
                            | ErrorKind::Authentication
                            | ErrorKind::PermissionDenied
                            | ErrorKind::InvalidArgument
                            | ErrorKind::BadRequest
                    ) =>
                {
                    return Err(e)
                }
                Err(_) => {
                    // The poll already retried; wait a moment before asking again.
                    tokio::select! {
                        _ = tokio::time::sleep(Duration::from_secs(1)) => continue,
                        _ = shutdown.cancelled() => break,
                    }
                }
            };
            let Some(id) = w.get("id").and_then(Value::as_str).map(str::to_string) else { continue };
            if !taken.lock().map(|mut t| t.insert(id)).unwrap_or(false) {
                continue; // handed out again: this worker never runs an item twice
            }
            let (run2, report2, shutdown2) = (run.clone(), report.clone(), shutdown.clone());
            running.spawn(async move {
                if let Some(end) = run2.work(w, shutdown2).await {
                    if let Ok(mut r) = report2.lock() {
                        match end {
                            End::Completed => r.completed += 1,
                            End::Failed => r.failed += 1,
                            End::Stopped => r.stopped += 1,
                        }
                    }
                }
            });
        }
        while running.join_next().await.is_some() {}
        let r = report.lock().map(|r| r.clone()).unwrap_or_default();
        Ok(r)
    }
}
