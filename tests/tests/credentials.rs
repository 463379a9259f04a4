//! Credentials against the emulator's service-account exchange: a service-account key is
//! exchanged once for many concurrent calls, a token refused with 401 is replaced once and the
//! call retried when that is safe, a token provider is asked before every attempt, and neither
//! keys nor tokens show in errors or Debug output.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use qoder_cloud::auth::{ServiceAccount, TokenProvider};
use qoder_cloud::tools::BoxFuture;
use qoder_cloud::{Client, ErrorKind};
use qoder_tests::TestEnv;
use serde_json::json;

fn exchange_url(t: &TestEnv) -> String {
    let base = t.emu.base_url();
    format!("{}/api/v1/serviceToken/exchange", base.split("/api/").next().unwrap())
}

fn sa_client(t: &TestEnv, key: &str) -> Client {
    let sa = ServiceAccount::new(key).exchange_url(exchange_url(t));
    Client::builder().ignore_env(true).base_url(t.emu.base_url()).service_account(sa).max_retries(0).build().unwrap()
}

#[tokio::test]
async fn concurrent_calls_share_one_exchange() {
    let t = TestEnv::start().await;
    let c = sa_client(&t, "sak-test-key");
    let calls = (0..20).map(|_| c.call("agents.list", json!({}), Default::default()));
    for r in futures_util::future::join_all(calls).await {
        r.unwrap();
    }
    assert_eq!(t.stats()["service_token_exchanges"], 1);
    // Later calls keep using the cached token.
    c.call("agents.list", json!({}), Default::default()).await.unwrap();
    assert_eq!(t.stats()["service_token_exchanges"], 1);
}

#[tokio::test]
async fn an_expired_token_is_replaced_once_and_safe_calls_retried() {
    let t = TestEnv::start().await;
    let c = sa_client(&t, "sak-test-key");
    c.call("agents.list", json!({}), Default::default()).await.unwrap();
    // Every issued token expires on the emulator's clock, while the client still trusts its own.
    t.emu.advance_clock(Duration::from_secs(7200));
    // A GET is safe: refused, re-exchanged, retried.
    c.call("agents.list", json!({}), Default::default()).await.unwrap();
    assert_eq!(t.stats()["service_token_exchanges"], 2);
    // A create carries an idempotency key, so it is safe too, and lands once.
    t.emu.advance_clock(Duration::from_secs(7200));
    let before = t.created("agent");
    c.call("agents.create", json!({"name": "sa", "model": "auto"}), Default::default()).await.unwrap();
    assert_eq!(t.created("agent"), before + 1);
    assert_eq!(t.stats()["service_token_exchanges"], 3);
    assert_eq!(t.requests("POST /agents"), 2, "one refused attempt, one that landed");
}

#[tokio::test]
async fn a_refused_key_fails_with_an_authentication_error_that_names_the_exchange() {
    let t = TestEnv::start().await;
    let c = sa_client(&t, "sak-revoked-123");
    let e = c.call("agents.list", json!({}), Default::default()).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Authentication);
    assert!(e.message().starts_with("service-account token exchange: "), "{e}");
    assert!(!format!("{e:?}{e}").contains("sak-revoked-123"));
    assert!(!format!("{c:?}").contains("sak-revoked-123"));
    assert_eq!(t.requests("GET /agents"), 0, "nothing reached the API");
}

#[tokio::test]
async fn bad_service_account_settings_are_rejected_up_front() {
    let t = TestEnv::start().await;
    for (sa, param) in [
        (ServiceAccount::new(" "), "service_account_key"),
        (ServiceAccount::new("sak-x").ttl_seconds(0), "service_account_ttl"),
        (ServiceAccount::new("sak-x").scopes(vec![]), "service_account_scopes"),
        (ServiceAccount::new("sak-x").exchange_url("ftp://x"), "service_account_exchange_url"),
    ] {
        let e = Client::builder().ignore_env(true).base_url(t.emu.base_url()).service_account(sa).build().unwrap_err();
        assert_eq!((e.kind(), e.param()), (ErrorKind::InvalidArgument, Some(param)), "{e}");
    }
    let e = Client::builder()
        .ignore_env(true)
        .base_url(t.emu.base_url())
        .access_token("pt-x")
        .service_account(ServiceAccount::new("sak-x"))
        .build()
        .unwrap_err();
    assert_eq!(e.param(), Some("access_token"));
}

/// Hands out `pt-1`, `pt-2`, ... and records what it was told was refused.
struct Rotating {
    n: AtomicUsize,
    refused: Mutex<Vec<Option<String>>>,
}

impl TokenProvider for Rotating {
    fn token(&self, refused: Option<&str>) -> BoxFuture<qoder_cloud::Result<String>> {
        self.refused.lock().unwrap().push(refused.map(str::to_string));
        let n = self.n.fetch_add(1, Ordering::SeqCst) + 1;
        Box::pin(std::future::ready(Ok(format!("pt-{n}"))))
    }
}

#[tokio::test]
async fn a_token_provider_is_asked_before_every_attempt_and_told_what_was_refused() {
    use qoder_emulator::EmulatorConfig;
    // Only pt-2 and later are accepted: the first attempt is refused.
    let cfg = EmulatorConfig {
        allowed_tokens: Some(["pt-2", "pt-3", "pt-4"].map(String::from).into_iter().collect()),
        ..Default::default()
    };
    let t = TestEnv::with(cfg).await;
    let p = Arc::new(Rotating { n: AtomicUsize::new(0), refused: Mutex::new(Vec::new()) });
    let c = Client::builder().ignore_env(true).base_url(t.emu.base_url()).token_provider(p.clone()).build().unwrap();
    c.call("agents.list", json!({}), Default::default()).await.unwrap();
    c.call("agents.list", json!({}), Default::default()).await.unwrap();
    assert_eq!(*p.refused.lock().unwrap(), vec![None, Some("pt-1".to_string()), None]);
    // A provider's error ends the call with it.
    struct Failing;
    impl TokenProvider for Failing {
        fn token(&self, _: Option<&str>) -> BoxFuture<qoder_cloud::Result<String>> {
            Box::pin(std::future::ready(Err(qoder_cloud::Error::new(ErrorKind::Authentication, "vault sealed"))))
        }
    }
    let c = Client::builder()
        .ignore_env(true)
        .base_url(t.emu.base_url())
        .token_provider(Arc::new(Failing))
        .build()
        .unwrap();
    let e = c.call("agents.list", json!({}), Default::default()).await.unwrap_err();
    assert_eq!((e.kind(), e.message()), (ErrorKind::Authentication, "vault sealed"));
}

#[tokio::test]
async fn streams_reconnect_with_a_fresh_service_account_token() {
    let t = TestEnv::start().await;
    let c = sa_client(&t, "sak-stream");
    let sid = t.session().await;
    c.run_turn(&sid, "first", Default::default()).await.unwrap();
    t.emu.advance_clock(Duration::from_secs(7200));
    let r = c.run_turn(&sid, "second", Default::default()).await.unwrap();
    assert_eq!(r.stop_type(), Some("end_turn"));
    assert!(t.stats()["service_token_exchanges"].as_u64().unwrap() >= 2);
}
