//! Reliability and security: secrets never leak, TLS is verified, redirects never carry the
//! token, cancellation at every stage closes connections, and bad input is rejected before I/O.
//! The bad-input cases are recorded to `target/reliability/rust-bad-input.jsonl` for RELIABILITY.md.

use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

use qoder_cloud::log::{LogLevel, Logger};
use qoder_cloud::upload::UploadSource;
use qoder_cloud::{Client, ErrorKind, RequestOptions};
use qoder_tests::{fault, TestEnv};
use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const TOKEN: &str = "pt-super-secret-token-4242";
const VAULT_SECRET: &str = "vault-secret-value-9876";

fn capture_logs(client: &Client) -> Arc<Mutex<Vec<String>>> {
    let lines = Arc::new(Mutex::new(Vec::new()));
    let sink = lines.clone();
    client.set_logger(Some(Logger::new(LogLevel::Debug, move |r| sink.lock().unwrap().push(format!("{r} {r:?}")))));
    lines
}

#[tokio::test]
async fn secrets_never_appear_in_debug_errors_or_logs() {
    let t = TestEnv::with(qoder_emulator::EmulatorConfig {
        allowed_tokens: Some(vec![TOKEN.into()]),
        ..Default::default()
    })
    .await;
    let c = t.client(|b| b.access_token(TOKEN).max_retries(1));
    let logs = capture_logs(&c);
    assert!(!format!("{c:?}").contains(TOKEN));
    assert!(!format!("{:?}", c.config()).contains(TOKEN));
    assert!(!format!("{:?}", Client::builder().access_token(TOKEN)).contains(TOKEN));

    // A vault credential with secrets, created, updated, read back and failed on.
    let v = c.call("vaults.create", json!({"display_name": "v"}), Default::default()).await.unwrap();
    let auth = json!({"type": "environment_variable", "secret_name": "API_KEY", "secret_value": VAULT_SECRET, "networking": {"type": "unrestricted"}});
    let cred = c
        .call("vaults.credentials.create", json!({"vault_id": v.value["id"], "auth": auth}), Default::default())
        .await
        .unwrap();
    assert!(!cred.value.to_string().contains(VAULT_SECRET));
    let typed = c
        .credentials()
        .retrieve(v.value["id"].as_str().unwrap(), cred.value["id"].as_str().unwrap(), Value::Null)
        .await
        .unwrap();
    assert!(!format!("{typed:?}").contains(VAULT_SECRET));
    // An update that fails (wrong auth type) must not echo the secret in the error.
    let e = c
        .call(
            "vaults.credentials.update",
            json!({"vault_id": v.value["id"], "credential_id": cred.value["id"], "auth": {"type": "static_bearer", "token": VAULT_SECRET}}),
            Default::default(),
        )
        .await
        .unwrap_err();
    for text in [format!("{e}"), format!("{e:?}"), e.body().unwrap_or_default().to_string()] {
        assert!(!text.contains(VAULT_SECRET) && !text.contains(TOKEN), "leak in error: {text}");
    }
    // Errors after retries, and a refused token.
    let _ = c.models().with_options(fault("status=503;count=5;retry-after-ms=1;id=leak")).list().await.unwrap_err();
    let wrong = t.client(|b| b.access_token("pt-wrong-token-1111"));
    let e = wrong.models().list().await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Authentication);
    assert!(!format!("{e} {e:?}").contains("pt-wrong-token-1111"));
    // RequestOptions print header names, never values.
    let opts = RequestOptions {
        extra_headers: vec![("Authorization".into(), format!("Bearer {TOKEN}"))],
        ..Default::default()
    };
    assert!(!format!("{opts:?}").contains(TOKEN));

    let logs = logs.lock().unwrap();
    assert!(logs.len() >= 6, "debug logging produced records: {}", logs.len());
    assert!(logs.iter().any(|l| l.contains("retry")), "retries are logged");
    for l in logs.iter() {
        assert!(!l.contains(TOKEN) && !l.contains(VAULT_SECRET), "leak in log: {l}");
    }
}

/// A one-shot TLS server with a self-signed certificate (openssl s_server).
struct TlsServer {
    child: std::process::Child,
    port: u16,
    _dir: std::path::PathBuf,
}

impl TlsServer {
    fn start() -> Self {
        let dir = std::env::temp_dir().join(format!("qoder-tls-{}-{}", std::process::id(), rand_suffix()));
        std::fs::create_dir_all(&dir).unwrap();
        let st = std::process::Command::new("openssl")
            .args(["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1"])
            .arg("-keyout")
            .arg(dir.join("key.pem"))
            .arg("-out")
            .arg(dir.join("cert.pem"))
            .stderr(std::process::Stdio::null())
            .status()
            .expect("openssl is installed");
        assert!(st.success());
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let child = std::process::Command::new("openssl")
            .args(["s_server", "-quiet", "-www", "-accept"])
            .arg(port.to_string())
            .arg("-cert")
            .arg(dir.join("cert.pem"))
            .arg("-key")
            .arg(dir.join("key.pem"))
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        // Wait until it accepts connections (bounded).
        let deadline = Instant::now() + Duration::from_secs(10);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "s_server did not start");
            std::thread::sleep(Duration::from_millis(20));
        }
        Self { child, port, _dir: dir }
    }
}

impl Drop for TlsServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn rand_suffix() -> u64 {
    SystemTime::now().duration_since(SystemTime::UNIX_EPOCH).unwrap().as_nanos() as u64
}

#[tokio::test]
async fn tls_certificates_are_verified_unless_loudly_disabled() {
    let server = TlsServer::start();
    let base = format!("https://127.0.0.1:{}/api/v1/cloud", server.port);
    let strict = Client::builder().ignore_env(true).access_token("t").base_url(&base).max_retries(0).build().unwrap();
    let e = strict.models().list().await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Connection);
    assert!(e.message().to_lowercase().contains("certificate"), "{}", e.message());

    let lax = Client::builder()
        .ignore_env(true)
        .access_token("t")
        .base_url(&base)
        .max_retries(0)
        .danger_accept_invalid_certs(true)
        .build()
        .unwrap();
    let e = lax.models().list().await.unwrap_err();
    // The handshake succeeds; s_server answers with an HTML page, which is not the API.
    assert_ne!(e.kind(), ErrorKind::Connection, "{e:?}");
}

/// Serves one HTTP response per connection; records each request's head.
async fn raw_server(response: String) -> (u16, Arc<Mutex<Vec<String>>>) {
    let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = l.local_addr().unwrap().port();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let s2 = seen.clone();
    tokio::spawn(async move {
        while let Ok((mut sock, _)) = l.accept().await {
            let mut buf = vec![0u8; 8192];
            let n = sock.read(&mut buf).await.unwrap_or(0);
            s2.lock().unwrap().push(String::from_utf8_lossy(&buf[..n]).to_string());
            let _ = sock.write_all(response.as_bytes()).await;
            let _ = sock.shutdown().await;
        }
    });
    (port, seen)
}

#[tokio::test]
async fn redirects_never_carry_the_token_to_another_host() {
    let (other, other_seen) =
        raw_server("HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 2\r\n\r\n{}".into()).await;
    let redirect = format!(
        "HTTP/1.1 302 Found\r\nlocation: http://localhost:{other}/api/v1/cloud/models\r\ncontent-length: 0\r\n\r\n"
    );
    let (port, seen) = raw_server(redirect).await;
    let c = Client::builder()
        .ignore_env(true)
        .access_token(TOKEN)
        .base_url(format!("http://127.0.0.1:{port}/api/v1/cloud"))
        .max_retries(0)
        .build()
        .unwrap();
    let e = c.models().list().await.unwrap_err();
    assert_eq!(e.status(), Some(302), "the API client does not follow redirects: {e:?}");
    assert!(seen.lock().unwrap()[0].to_lowercase().contains("authorization: bearer"));
    assert!(other_seen.lock().unwrap().is_empty(), "the other host was never contacted");
}

#[tokio::test]
async fn downloads_send_no_credentials_to_storage() {
    let t = TestEnv::start().await;
    let f = t
        .client
        .upload_file(
            UploadSource::Bytes { data: "abc".into(), filename: "x.txt".into() },
            json!({}),
            Default::default(),
        )
        .await
        .unwrap();
    let id = f.value["id"].as_str().unwrap();
    let body = t.client.download_file(id, Default::default()).await.unwrap().bytes().await.unwrap();
    assert_eq!(&body[..], b"abc");
    let s = t.stats();
    assert_eq!(s["storage_requests"], 1);
    assert_eq!(s["storage_requests_with_auth"], 0, "no Authorization/cookies to the storage URL");
}

#[tokio::test]
async fn retry_after_as_an_http_date() {
    let t = TestEnv::start().await;
    let when = httpdate_in(2);
    let started = Instant::now();
    let r = t
        .client
        .models()
        .with_options(fault(&format!("status=503;count=1;retry-after={when};id=date")))
        .list()
        .await
        .unwrap();
    assert_eq!(r.meta.retries, 1);
    assert!(started.elapsed() >= Duration::from_millis(900), "waited until the date: {:?}", started.elapsed());
}

fn httpdate_in(secs: u64) -> String {
    // RFC 7231 IMF-fixdate, e.g. "Sun, 22 Nov 2026 10:00:00 GMT"; percent-free, no ';'.
    let t = SystemTime::now() + Duration::from_secs(secs);
    let d = t.duration_since(SystemTime::UNIX_EPOCH).unwrap().as_secs();
    let (days, rem) = (d / 86400, d % 86400);
    let (h, m, s) = (rem / 3600, rem % 3600 / 60, rem % 60);
    let wd = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"][(days % 7) as usize];
    let (y, mo, da) = civil(days as i64);
    let mon = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"][mo as usize - 1];
    format!("{wd}, {da:02} {mon} {y} {h:02}:{m:02}:{s:02} GMT")
}

fn civil(z: i64) -> (i64, u32, u32) {
    let z = z + 719468;
    let era = z.div_euclid(146097);
    let doe = z - era * 146097;
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

#[tokio::test]
async fn cancellation_before_headers_closes_the_connection() {
    let t = TestEnv::start().await;
    let c = t.client.clone();
    let call = tokio::spawn(async move { c.models().with_options(fault("delay-ms=30000;id=slow")).list().await });
    t.eventually(Duration::from_secs(5), |s| s["requests"]["GET /models"].as_u64() == Some(1)).await;
    call.abort();
    assert!(call.await.unwrap_err().is_cancelled());
    t.eventually(Duration::from_secs(5), |s| s["connections"]["open"].as_u64() == Some(0)).await;
}

#[tokio::test]
async fn cancellation_during_backoff_ends_the_sleep() {
    let t = TestEnv::start().await;
    let c = t.client.clone();
    let started = Instant::now();
    let call = tokio::spawn(async move {
        c.models().with_options(fault("status=503;count=5;retry-after=60;id=backoff")).list().await
    });
    t.eventually(Duration::from_secs(5), |s| s["requests"]["GET /models"].as_u64() == Some(1)).await;
    call.abort();
    assert!(call.await.unwrap_err().is_cancelled());
    assert!(started.elapsed() < Duration::from_secs(30), "the 60 s backoff did not hold the task");
    assert_eq!(t.requests("GET /models"), 1, "no retry after cancellation");
}

#[tokio::test]
async fn cancellation_during_upload_creates_nothing() {
    let t = TestEnv::start().await;
    let dir = std::env::temp_dir().join(format!("qoder-upload-{}", rand_suffix()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("big.bin");
    let mut f = std::fs::File::create(&path).unwrap();
    let chunk = vec![7u8; 1 << 20];
    // 24 MiB: under the 32 MB body limit, far more than the socket buffers hold.
    for _ in 0..24 {
        f.write_all(&chunk).unwrap();
    }
    drop(f);
    let c = t.client.clone();
    let p2 = path.clone();
    let call =
        tokio::spawn(
            async move { c.upload_file(UploadSource::Path(p2), json!({}), fault("delay-ms=30000;id=up")).await },
        );
    t.eventually(Duration::from_secs(10), |s| s["connections"]["open"].as_u64() >= Some(1)).await;
    call.abort();
    assert!(call.await.unwrap_err().is_cancelled());
    t.eventually(Duration::from_secs(10), |s| s["connections"]["open"].as_u64() == Some(0)).await;
    let files = t.client.call("files.list", json!({}), Default::default()).await.unwrap();
    assert!(files.value["data"].as_array().unwrap().is_empty(), "no half-written file");
    std::fs::remove_dir_all(dir).ok();
}

/// One bad-input case: what was passed, and the typed error it must produce before any I/O.
struct Case {
    name: &'static str,
    op: &'static str,
    args: Value,
    param: &'static str,
}

#[tokio::test]
async fn bad_input_matrix_is_rejected_before_any_request() {
    let t = TestEnv::start().await;
    let small = t.client(|b| b.max_body_bytes(1024));
    let before = t.stats()["requests_total"].clone();
    let cases = vec![
        Case { name: "empty id", op: "agents.retrieve", args: json!({"agent_id": ""}), param: "agent_id" },
        Case {
            name: "whitespace id",
            op: "sessions.retrieve",
            args: json!({"session_id": "   "}),
            param: "session_id",
        },
        Case { name: "id with /", op: "files.retrieve", args: json!({"file_id": "a/b"}), param: "file_id" },
        Case { name: "id with ..", op: "vaults.retrieve", args: json!({"vault_id": ".."}), param: "vault_id" },
        Case { name: "id with ?", op: "skills.retrieve", args: json!({"skill_id": "a?x=1"}), param: "skill_id" },
        Case { name: "id with #", op: "dreams.retrieve", args: json!({"dream_id": "a#b"}), param: "dream_id" },
        Case {
            name: "id with CR/LF",
            op: "agents.retrieve",
            args: json!({"agent_id": "a\r\nX-Injected: 1"}),
            param: "agent_id",
        },
        Case { name: "id with NUL", op: "agents.retrieve", args: json!({"agent_id": "a\u{0}b"}), param: "agent_id" },
        Case { name: "number for an id", op: "agents.retrieve", args: json!({"agent_id": 42}), param: "agent_id" },
        Case {
            name: "missing required id",
            op: "sessions.events.send",
            args: json!({"events": [{"type": "user.interrupt"}]}),
            param: "session_id",
        },
        Case { name: "missing required field", op: "agents.create", args: json!({"name": "x"}), param: "model" },
        Case {
            name: "null required field",
            op: "vaults.create",
            args: json!({"display_name": null}),
            param: "display_name",
        },
        Case { name: "empty name", op: "agents.create", args: json!({"name": "", "model": "auto"}), param: "name" },
        Case {
            name: "name over 256 chars",
            op: "agents.create",
            args: json!({"name": "n".repeat(257), "model": "auto"}),
            param: "name",
        },
        Case {
            name: "list for an object",
            op: "environments.create",
            args: json!({"name": "e", "config": []}),
            param: "config",
        },
        Case { name: "invalid enum", op: "sessions.list", args: json!({"order": "sideways"}), param: "order" },
        Case {
            name: "invalid enum in list",
            op: "sessions.list",
            args: json!({"statuses": ["idle", "sleeping"]}),
            param: "statuses",
        },
        Case {
            name: "invalid delta kind",
            op: "sessions.events.stream",
            args: json!({"session_id": "s", "event_deltas": ["agent.nope"]}),
            param: "event_deltas",
        },
        Case { name: "limit 0", op: "agents.list", args: json!({"limit": 0}), param: "limit" },
        Case { name: "limit 101", op: "sessions.list", args: json!({"limit": 101}), param: "limit" },
        Case { name: "two cursors", op: "agents.list", args: json!({"page": "a", "after_id": "b"}), param: "after_id" },
        Case {
            name: "empty events",
            op: "sessions.events.send",
            args: json!({"session_id": "s", "events": []}),
            param: "events",
        },
        Case {
            name: "too many metadata keys",
            op: "vaults.create",
            args: json!({"display_name": "v", "metadata": (0..17).map(|i| (format!("k{i}"), json!("v"))).collect::<serde_json::Map<_, _>>()}),
            param: "metadata",
        },
        Case {
            name: "non-string metadata value",
            op: "vaults.create",
            args: json!({"display_name": "v", "metadata": {"k": 1}}),
            param: "metadata.k",
        },
        Case { name: "unknown argument on a GET", op: "models.list", args: json!({"bogus": true}), param: "bogus" },
        Case {
            name: "header injection via argument",
            op: "environments.work.poll",
            args: json!({"environment_id": "e", "worker_id": "w\r\nx: y"}),
            param: "worker_id",
        },
        Case {
            name: "body over the region limit",
            op: "agents.create",
            args: json!({"name": "x", "model": "auto", "system": "s".repeat(4096)}),
            param: "body",
        },
    ];
    let mut rows = Vec::new();
    for case in &cases {
        let client = if case.param == "body" { &small } else { &t.client };
        let result = if case.op.ends_with(".stream") {
            client.stream(case.op, case.args.clone(), Default::default()).map(|_| ())
        } else {
            client.call(case.op, case.args.clone(), Default::default()).await.map(|_| ())
        };
        let e = result.expect_err(case.name);
        assert_eq!(e.kind(), ErrorKind::InvalidArgument, "{}: {e:?}", case.name);
        assert_eq!(e.param(), Some(case.param), "{}: {e}", case.name);
        rows.push(json!({"language": "rust", "case": case.name, "operation": case.op, "error": "Error(InvalidArgument)", "param": case.param, "message": e.message()}));
    }
    assert_eq!(t.stats()["requests_total"], before, "no bad call reached the server");
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/reliability");
    std::fs::create_dir_all(&dir).unwrap();
    let mut f = std::fs::File::create(dir.join("rust-bad-input.jsonl")).unwrap();
    for r in rows {
        writeln!(f, "{r}").unwrap();
    }
}
