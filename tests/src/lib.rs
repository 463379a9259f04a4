//! Helpers for the Rust integration tests: an in-process emulator per test and a client for it.

pub mod hostile;

use std::time::Duration;

use qoder_cloud::Client;
use qoder_emulator::{EmulatorConfig, RunningEmulator};
use serde_json::Value;

/// A running emulator and a client pointed at it.
pub struct TestEnv {
    /// The emulator.
    pub emu: RunningEmulator,
    /// A client with fast retries.
    pub client: Client,
}

impl TestEnv {
    /// Starts an emulator with default settings.
    pub async fn start() -> Self {
        Self::with(EmulatorConfig::default()).await
    }

    /// Starts an emulator with `config` (port forced to ephemeral).
    pub async fn with(mut config: EmulatorConfig) -> Self {
        config.port = 0;
        let emu = qoder_emulator::start(config).await.expect("emulator starts");
        let client = Self::client_for(&emu, |b| b);
        Self { emu, client }
    }

    /// A client for `emu`, customised by `f`.
    pub fn client_for(
        emu: &RunningEmulator,
        f: impl FnOnce(qoder_cloud::ClientBuilder) -> qoder_cloud::ClientBuilder,
    ) -> Client {
        f(Client::builder()
            .ignore_env(true)
            .access_token("pt-test-token")
            .base_url(emu.base_url())
            .timeout(Duration::from_secs(30)))
        .build()
        .expect("client builds")
    }

    /// A client customised by `f`.
    pub fn client(&self, f: impl FnOnce(qoder_cloud::ClientBuilder) -> qoder_cloud::ClientBuilder) -> Client {
        Self::client_for(&self.emu, f)
    }

    /// The emulator's stats document.
    pub fn stats(&self) -> Value {
        self.emu.stats()
    }

    /// Requests counted for a route key such as `POST /agents`.
    pub fn requests(&self, route: &str) -> u64 {
        self.stats()["requests"][route].as_u64().unwrap_or(0)
    }

    /// Objects created of a type such as `agent`.
    pub fn created(&self, kind: &str) -> u64 {
        self.stats()["objects_created"][kind].as_u64().unwrap_or(0)
    }

    /// Currently open stream connections.
    pub fn open_streams(&self) -> u64 {
        self.stats()["streams"]["open"].as_u64().unwrap_or(0)
    }

    /// Creates an agent, an environment and a session; returns the session id.
    pub async fn session(&self) -> String {
        let c = &self.client;
        let a = c
            .call("agents.create", serde_json::json!({"name": "t", "model": "auto"}), Default::default())
            .await
            .unwrap();
        let e = c
            .call(
                "environments.create",
                serde_json::json!({"name": "e", "config": {"type": "cloud", "networking": {"type": "unrestricted"}}}),
                Default::default(),
            )
            .await
            .unwrap();
        let s = c
            .call(
                "sessions.create",
                serde_json::json!({"agent": a.value["id"], "environment_id": e.value["id"]}),
                Default::default(),
            )
            .await
            .unwrap();
        s.value["id"].as_str().unwrap().to_string()
    }

    /// Waits (by polling the stats, bounded) until `pred` holds; panics after `timeout`.
    pub async fn eventually(&self, timeout: Duration, mut pred: impl FnMut(&Value) -> bool) {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            if pred(&self.stats()) {
                return;
            }
            assert!(tokio::time::Instant::now() < deadline, "condition not reached; stats: {}", self.stats());
            tokio::task::yield_now().await;
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    }
}

/// Request options carrying an emulator fault header.
pub fn fault(spec: &str) -> qoder_cloud::RequestOptions {
    qoder_cloud::RequestOptions { extra_headers: vec![("x-emulator-fault".into(), spec.into())], ..Default::default() }
}

/// Reads `n` persisted events (previews skipped) and returns their ids, failing on a stream
/// error, an early end or any id seen twice.
pub async fn read_persisted_ids(stream: &mut qoder_cloud::stream::EventStream, n: usize) -> Vec<String> {
    let mut got = Vec::with_capacity(n);
    let mut seen = std::collections::HashSet::new();
    while got.len() < n {
        let ev = stream.next().await.expect("stream continues").expect("no error");
        if ev.is_preview() {
            continue;
        }
        let id = ev.id.clone().expect("persisted events carry an id");
        assert!(seen.insert(id.clone()), "duplicate {id}");
        got.push(id);
    }
    got
}
