//! Shared emulator state.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};

use tokio_util::sync::CancellationToken;

use crate::clock::{Clock, Micros};
use crate::config::EmulatorConfig;
use crate::faults::FaultRegistry;
use crate::idempotency::IdempotencyStore;
use crate::ids::IdGen;
use crate::resources::agents::Agent;
use crate::resources::credentials::Credential;
use crate::resources::deployments::{Deployment, DeploymentRun};
use crate::resources::dreams::Dream;
use crate::resources::environments::Environment;
use crate::resources::files::StoredFile;
use crate::resources::memory::MemoryStore;
use crate::resources::skills::Skill;
use crate::resources::vaults::Vault;
use crate::resources::work::WorkQueue;
use crate::session::Session;
use crate::stats::Stats;

/// All resources. Ordered maps keyed by time-ordered ids iterate in creation order.
#[derive(Debug, Default)]
pub struct Store {
    /// Agents.
    pub agents: BTreeMap<String, Agent>,
    /// Environments.
    pub environments: BTreeMap<String, Environment>,
    /// Live (non-deleted) sessions.
    pub sessions: BTreeMap<String, Arc<Session>>,
    /// Files, including deleted ones (kept as tombstones so `/content` can answer 410).
    pub files: BTreeMap<String, StoredFile>,
    /// Vaults.
    pub vaults: BTreeMap<String, Vault>,
    /// Vault credentials (all vaults).
    pub credentials: BTreeMap<String, Credential>,
    /// Skills with their versions.
    pub skills: BTreeMap<String, Skill>,
    /// Memory stores with their memories and memory versions.
    pub memory_stores: BTreeMap<String, MemoryStore>,
    /// Deployments.
    pub deployments: BTreeMap<String, Deployment>,
    /// Deployment runs (all deployments).
    pub deployment_runs: BTreeMap<String, DeploymentRun>,
    /// Dreams.
    pub dreams: BTreeMap<String, Dream>,
}

/// Everything a request handler can reach.
#[derive(Debug)]
pub struct AppState {
    /// Configuration.
    pub config: EmulatorConfig,
    /// Normalised API prefix (`/api/v1/cloud`).
    pub prefix: String,
    /// Clock.
    pub clock: Clock,
    /// Id generator.
    pub ids: IdGen,
    /// Counters.
    pub stats: Arc<Stats>,
    /// Faults.
    pub faults: FaultRegistry,
    /// Idempotency keys.
    pub idempotency: IdempotencyStore,
    store: Mutex<Store>,
    /// Self-hosted environment work queues. Kept outside the store because
    /// work is enqueued under a session lock (lock order: store → session → work).
    pub work: WorkQueue,
    /// Cancelled on shutdown (ends streams and turns).
    pub shutdown: CancellationToken,
    /// The bound address (set once listening), for links to the storage route.
    pub addr: OnceLock<SocketAddr>,
    /// Key signing storage URLs.
    pub storage_secret: String,
    /// Service-account tokens issued by the exchange endpoint.
    pub service_tokens: crate::service_tokens::ServiceTokens,
}

impl AppState {
    /// Builds the state; fails on an invalid global fault spec.
    pub fn new(config: EmulatorConfig) -> Result<Self, String> {
        let faults = FaultRegistry::default();
        if let Some(spec) = &config.fault {
            faults.set_global(Some(
                crate::faults::FaultSpec::parse(spec).map_err(|e| format!("invalid fault spec: {e}"))?,
            ));
        }
        Ok(AppState {
            prefix: config.normalized_prefix(),
            config,
            clock: Clock::new(),
            ids: IdGen::new(),
            stats: Arc::new(Stats::default()),
            faults,
            idempotency: IdempotencyStore::default(),
            store: Mutex::new(Store::default()),
            work: WorkQueue::default(),
            shutdown: CancellationToken::new(),
            addr: OnceLock::new(),
            storage_secret: uuid::Uuid::new_v4().simple().to_string(),
            service_tokens: Default::default(),
        })
    }

    /// The stats document of `/_emulator/stats`.
    pub fn stats_json(&self) -> serde_json::Value {
        let mut v = self.stats.to_json();
        v["service_token_exchanges"] = serde_json::json!(self.service_tokens.exchanges());
        v
    }

    /// Locks the store. Lock order: store, then a session — never the reverse.
    pub fn store(&self) -> MutexGuard<'_, Store> {
        self.store.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Current time.
    pub fn now(&self) -> Micros {
        self.clock.now_us()
    }

    /// A fresh `prefix + 32 hex` id.
    pub fn new_id(&self, prefix: &str) -> String {
        self.ids.next_id(prefix, self.clock.now_ms())
    }

    /// Looks up a live session.
    pub fn session(&self, id: &str) -> Option<Arc<Session>> {
        self.store().sessions.get(id).cloned()
    }

    /// Wipes all resources, idempotency keys and counters. Running turns are
    /// cancelled and open streams end.
    pub fn reset(&self) {
        let sessions: Vec<Arc<Session>> = {
            let mut s = self.store();
            let sessions = s.sessions.values().cloned().collect();
            *s = Store::default();
            sessions
        };
        close_sessions(&sessions);
        self.work.clear();
        self.idempotency.clear();
        self.faults.reset_counters();
        self.stats.reset();
        self.service_tokens.clear();
    }

    /// Cancels turns and ends streams of every session (used on shutdown).
    pub fn close_all_sessions(&self) {
        let sessions: Vec<Arc<Session>> = self.store().sessions.values().cloned().collect();
        close_sessions(&sessions);
    }
}

fn close_sessions(sessions: &[Arc<Session>]) {
    for s in sessions {
        s.with(|c| {
            c.deleted = true;
            c.cancel.cancel();
            c.queue.clear();
        });
    }
}
