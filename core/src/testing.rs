//! A local `qoder-emulator` process for tests: start it on an ephemeral port, read the address
//! it reports, call its control endpoints (faults, stats, reset, clock), stop it.
//!
//! Written once here for every binding (Python's `qoder_cloud.testing.Emulator`, Node's
//! `startEmulator`): the option checks, the command line, the startup handshake and its bounds,
//! and the stop sequence. The bindings find the binary (it ships in their packages) and wrap
//! the result in their own idioms.
//!
//! Lifetime: the child's stdin is a pipe and it runs with `--exit-on-stdin-close`, so when this
//! process ends, however it ends (even by `SIGKILL`), the OS closes the pipe and the emulator
//! exits by itself. Dropping an [`EmulatorProcess`] kills it at once.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::Value;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, BufReader};
use tokio::process::{Child, ChildStdin, Command};

use crate::error::{Error, ErrorKind, Result};

/// The bearer token clients of an emulator send unless told otherwise. Without `tokens` the
/// emulator accepts any non-empty token, so this value only has to be stable.
pub const DEFAULT_ACCESS_TOKEN: &str = "pt-qoder-emulator";
/// How long a start waits for the `listening` line unless told otherwise.
pub const DEFAULT_STARTUP_TIMEOUT: Duration = Duration::from_secs(30);
/// How long a stop waits for the emulator to exit after its stdin closed, before killing it.
const STOP_GRACE: Duration = Duration::from_secs(5);
/// Bound on one control request: a wedged emulator fails a test instead of hanging it.
const CONTROL_TIMEOUT: Duration = Duration::from_secs(10);
/// How much of the emulator's stderr is kept for error messages.
const STDERR_KEEP: usize = 16 * 1024;

pub use crate::options::Casing;

/// The emulator's options; each maps to its command-line flag of the same name, `None` keeps
/// the emulator's default.
#[derive(Debug, Clone, Default)]
pub struct EmulatorOptions {
    /// Address to listen on (`127.0.0.1`).
    pub host: Option<String>,
    /// API path prefix (`/api/v1/cloud`; empty serves the API at the root).
    pub prefix: Option<String>,
    /// `global` or `cn`.
    pub region: Option<String>,
    /// Request body limit.
    pub max_body_bytes: Option<u64>,
    /// SSE keep-alive interval, > 0.
    pub keepalive_ms: Option<u64>,
    /// Delay before each step of a scripted turn (lets a test observe `running`).
    pub turn_delay_ms: Option<u64>,
    /// A server-wide fault spec, e.g. `status=503;count=2` (its syntax is the binary's to check).
    pub fault: Option<String>,
    /// Concurrent HTTP/2 streams per connection: `Some(Some(n))`, `Some(None)` for unlimited.
    pub h2_max_streams: Option<Option<u32>>,
    /// The only bearer tokens accepted (default: any non-empty token). Must not be empty.
    pub tokens: Option<Vec<String>>,
    /// Tokens that authenticate but get 403.
    pub forbidden_tokens: Vec<String>,
    /// Serve HTTPS (HTTP/2 or HTTP/1.1 by ALPN) with a CA generated for this run.
    pub tls: bool,
    /// Raw flags appended to the command line.
    pub extra_args: Vec<String>,
    /// The token clients of this emulator send (default: `tokens[0]`, else [`DEFAULT_ACCESS_TOKEN`]).
    pub access_token: Option<String>,
    /// Seconds to wait for the emulator to report its address (default 30).
    pub startup_timeout: Option<f64>,
}

impl EmulatorOptions {
    /// The options from JSON as a binding passes them: snake_case keys, `null` for "not given"
    /// (`h2_max_streams` also takes `"unlimited"`). Wrong types and unknown keys are
    /// [`ErrorKind::InvalidArgument`] naming the option as `casing` spells it; values are
    /// checked by [`Self::flags`].
    pub fn from_json(v: &Value, casing: Casing) -> Result<Self> {
        let bad = |name: &str, expected: &str, got: &Value| {
            let n = casing.name(name);
            Error::invalid_argument(
                &n,
                format!("emulator option `{n}` must be {expected}, got {}", crate::validate::type_name(got)),
            )
        };
        let Some(map) = v.as_object() else { return Err(bad("options", "an object", v)) };
        let string = |k: &str, x: &Value| x.as_str().map(str::to_string).ok_or_else(|| bad(k, "a string", x));
        let uint = |k: &str, x: &Value| x.as_u64().ok_or_else(|| bad(k, "a non-negative integer", x));
        let strings = |k: &str, x: &Value| match x.as_array() {
            Some(xs) => xs.iter().enumerate().map(|(i, s)| string(&format!("{k}[{i}]"), s)).collect(),
            None => Err(bad(k, "an array of strings", x)),
        };
        let mut o = Self::default();
        for (k, x) in map.iter().filter(|(_, x)| !x.is_null()) {
            match k.as_str() {
                "host" => o.host = Some(string(k, x)?),
                "prefix" => o.prefix = Some(string(k, x)?),
                "region" => o.region = Some(string(k, x)?),
                "fault" => o.fault = Some(string(k, x)?),
                "access_token" => o.access_token = Some(string(k, x)?),
                "max_body_bytes" => o.max_body_bytes = Some(uint(k, x)?),
                "keepalive_ms" => o.keepalive_ms = Some(uint(k, x)?),
                "turn_delay_ms" => o.turn_delay_ms = Some(uint(k, x)?),
                "h2_max_streams" if x == "unlimited" => o.h2_max_streams = Some(None),
                "h2_max_streams" => {
                    let n = x.as_u64().and_then(|n| u32::try_from(n).ok());
                    o.h2_max_streams = Some(Some(n.ok_or_else(|| bad(k, "a 32-bit integer or \"unlimited\"", x))?));
                }
                "tokens" => o.tokens = Some(strings(k, x)?),
                "forbidden_tokens" => o.forbidden_tokens = strings(k, x)?,
                "extra_args" => o.extra_args = strings(k, x)?,
                "tls" => o.tls = x.as_bool().ok_or_else(|| bad(k, "a boolean", x))?,
                "startup_timeout" => o.startup_timeout = Some(x.as_f64().ok_or_else(|| bad(k, "a number", x))?),
                _ => {
                    let n = casing.name(k);
                    return Err(Error::invalid_argument(&n, format!("unknown emulator option `{n}`")));
                }
            }
        }
        Ok(o)
    }

    /// Checks every value and returns the command-line flags (values never pass through a
    /// shell; `--flag=value` keeps a value starting with `-` from reading as a flag). Errors are
    /// [`ErrorKind::InvalidArgument`] naming the option as `casing` spells it.
    pub fn flags(&self, casing: Casing) -> Result<Vec<String>> {
        let bad = |name: &str, why: &str| {
            let n = casing.name(name);
            Error::invalid_argument(&n, format!("emulator option `{n}` {why}"))
        };
        let non_empty = |name: &str, v: &str| if v.is_empty() { Err(bad(name, "must not be empty")) } else { Ok(()) };
        let mut out = Vec::new();
        if let Some(h) = &self.host {
            non_empty("host", h)?;
            out.push(format!("--host={h}"));
        }
        if let Some(p) = &self.prefix {
            out.push(format!("--prefix={p}"));
        }
        if let Some(r) = &self.region {
            if r != "global" && r != "cn" {
                return Err(bad("region", &format!("must be \"global\" or \"cn\", got {r:?}")));
            }
            out.push(format!("--region={r}"));
        }
        if let Some(n) = self.max_body_bytes {
            out.push(format!("--max-body-bytes={n}"));
        }
        if let Some(n) = self.keepalive_ms {
            // The binary refuses 0 (the keep-alive would spin); say so before starting it.
            if n == 0 {
                return Err(bad("keepalive_ms", "must be positive"));
            }
            out.push(format!("--keepalive-ms={n}"));
        }
        if let Some(n) = self.turn_delay_ms {
            out.push(format!("--turn-delay-ms={n}"));
        }
        if let Some(f) = &self.fault {
            non_empty("fault", f)?;
            out.push(format!("--fault={f}"));
        }
        match self.h2_max_streams {
            Some(Some(0)) => return Err(bad("h2_max_streams", "must be positive (or \"unlimited\")")),
            Some(Some(n)) => out.push(format!("--h2-max-streams={n}")),
            Some(None) => out.push("--h2-max-streams=unlimited".into()),
            None => {}
        }
        if let Some(tokens) = &self.tokens {
            // An empty allow-list cannot be expressed: the binary would accept any token, the
            // opposite of what was written.
            if tokens.is_empty() {
                return Err(bad("tokens", "must not be empty (omit it to accept any token)"));
            }
            for (i, t) in tokens.iter().enumerate() {
                non_empty(&format!("tokens[{i}]"), t)?;
                out.push(format!("--token={t}"));
            }
        }
        for (i, t) in self.forbidden_tokens.iter().enumerate() {
            non_empty(&format!("forbidden_tokens[{i}]"), t)?;
            out.push(format!("--forbidden-token={t}"));
        }
        if self.tls {
            out.push("--tls".into());
        }
        if let Some(t) = &self.access_token {
            non_empty("access_token", t)?;
        }
        self.startup_timeout(casing)?;
        out.extend(self.extra_args.iter().cloned());
        Ok(out)
    }

    /// The token clients of this emulator send: `access_token`, else `tokens[0]`, else
    /// [`DEFAULT_ACCESS_TOKEN`].
    pub fn client_token(&self) -> String {
        match (&self.access_token, &self.tokens) {
            (Some(t), _) => t.clone(),
            (None, Some(ts)) if !ts.is_empty() => ts[0].clone(),
            _ => DEFAULT_ACCESS_TOKEN.to_string(),
        }
    }

    fn startup_timeout(&self, casing: Casing) -> Result<Duration> {
        match self.startup_timeout {
            None => Ok(DEFAULT_STARTUP_TIMEOUT),
            // A day bounds it: anything longer is a unit mistake (ms given as seconds).
            Some(s) if s.is_finite() && s > 0.0 && s <= 86_400.0 => Ok(Duration::from_secs_f64(s)),
            Some(s) => {
                let n = casing.name("startup_timeout");
                Err(Error::invalid_argument(
                    &n,
                    format!("emulator option `{n}` must be a positive duration of at most a day, got {s}"),
                ))
            }
        }
    }
}

/// What the process wrote to stderr (its tail), kept for error messages.
#[derive(Clone, Default)]
struct Stderr(Arc<Mutex<Vec<u8>>>);

impl Stderr {
    fn text(&self) -> String {
        let g = self.0.lock().unwrap_or_else(|p| p.into_inner());
        String::from_utf8_lossy(&g).trim().to_string()
    }

    fn with(&self, message: String) -> String {
        match self.text() {
            t if t.is_empty() => format!("{message} (no output on stderr)"),
            t => format!("{message}; stderr:\n{t}"),
        }
    }
}

/// A running emulator process and the address it reported.
pub struct EmulatorProcess {
    child: tokio::sync::Mutex<Option<(Child, Option<ChildStdin>)>>,
    pid: u32,
    base_url: String,
    origin: String,
    ca_path: Option<PathBuf>,
    access_token: String,
    stderr: Stderr,
    control: reqwest::Client,
}

impl std::fmt::Debug for EmulatorProcess {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EmulatorProcess")
            .field("base_url", &self.base_url)
            .field("pid", &self.pid)
            .finish_non_exhaustive()
    }
}

impl EmulatorProcess {
    /// Starts `binary` with `options` (checked first, see [`EmulatorOptions::flags`]) and waits
    /// until it reports `listening <url> [ca=<path>]`. A process that exits first, prints
    /// something else or says nothing within the startup timeout is killed, and the error
    /// ([`ErrorKind::EmulatorStartup`]) carries its command line and the tail of its stderr.
    pub async fn start(binary: &Path, options: &EmulatorOptions, casing: Casing) -> Result<Self> {
        let flags = options.flags(casing)?;
        let timeout = options.startup_timeout(casing)?;
        let mut args = vec!["--port=0".to_string(), "--exit-on-stdin-close".to_string()];
        args.extend(flags);
        let command_line = format!("{} {}", binary.display(), args.join(" "));
        let mut child = Command::new(binary)
            .args(&args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .map_err(|e| {
                Error::new(
                    ErrorKind::EmulatorStartup,
                    format!("qoder-emulator could not be started ({command_line}): {e}"),
                )
            })?;
        let pid = child.id().unwrap_or_default();
        let stderr = Stderr::default();
        let mut drain = None;
        if let Some(mut err) = child.stderr.take() {
            let keep = stderr.clone();
            // Drained for the process's whole life: a full pipe would block its logging.
            drain = Some(tokio::spawn(async move {
                let mut buf = [0u8; 4096];
                while let Ok(n @ 1..) = err.read(&mut buf).await {
                    let mut g = keep.0.lock().unwrap_or_else(|p| p.into_inner());
                    g.extend_from_slice(&buf[..n]);
                    let over = g.len().saturating_sub(STDERR_KEEP);
                    g.drain(..over);
                }
            }));
        }
        let stdin = child.stdin.take();
        let mut stdout = BufReader::new(child.stdout.take().expect("stdout is piped"));
        let mut line = String::new();
        let deadline = tokio::time::Instant::now() + timeout;
        let late = || format!("did not report 'listening' within {} s", timeout.as_secs_f64());
        let failure = match tokio::time::timeout_at(deadline, stdout.read_line(&mut line)).await {
            Err(_) => Some(late()),
            Ok(Err(e)) => Some(format!("could not be read ({e})")),
            // Its stdout closed: it exited (a bad flag, an address in use), or it closed the
            // pipe and lives on; the startup timeout bounds the wait for its status.
            Ok(Ok(0)) => Some(match tokio::time::timeout_at(deadline, child.wait()).await {
                Ok(Ok(status)) => format!(
                    "exited with status {} before listening",
                    status.code().map_or(status.to_string(), |c| c.to_string())
                ),
                _ => late(),
            }),
            Ok(Ok(_)) => None,
        };
        let line = line.trim_end().to_string();
        let parsed = if failure.is_none() { parse_listening(&line) } else { None };
        let Some((base_url, ca_path)) = parsed else {
            // A process that never got ready is not worth a graceful stop. Once it is gone its
            // stderr ends: the message then has all of it (bounded, in case a child holds it).
            let _ = child.kill().await;
            if let Some(d) = drain {
                let _ = tokio::time::timeout(Duration::from_secs(1), d).await;
            }
            let what = failure.unwrap_or_else(|| format!("printed {line:?} instead of 'listening <url>'"));
            return Err(Error::new(
                ErrorKind::EmulatorStartup,
                stderr.with(format!("qoder-emulator {what}: {command_line}")),
            ));
        };
        let fail = |what: String| {
            Error::new(ErrorKind::EmulatorStartup, stderr.with(format!("qoder-emulator {what}: {command_line}")))
        };
        // Nothing more is expected on stdout; drained so the emulator never blocks on it.
        tokio::spawn(async move { while let Ok(1..) = stdout.read_line(&mut String::new()).await {} });
        let url =
            url::Url::parse(&base_url).map_err(|e| fail(format!("reported an invalid URL {base_url:?} ({e})")))?;
        let origin = url.origin().ascii_serialization();
        // Control requests go straight to the emulator (never through a proxy) and trust its CA.
        let mut control = reqwest::Client::builder().no_proxy().timeout(CONTROL_TIMEOUT);
        if let Some(ca) = &ca_path {
            let pem = std::fs::read(ca).map_err(|e| fail(format!("wrote a CA file that cannot be read ({e})")))?;
            let cert =
                reqwest::Certificate::from_pem(&pem).map_err(|e| fail(format!("wrote an invalid CA file ({e})")))?;
            control = control.add_root_certificate(cert);
        }
        let control = control.build().map_err(|e| fail(format!("control client: {e}")))?;
        let access_token = options.client_token();
        Ok(Self {
            child: tokio::sync::Mutex::new(Some((child, stdin))),
            pid,
            base_url,
            origin,
            ca_path,
            access_token,
            stderr,
            control,
        })
    }

    /// The API base URL, e.g. `http://127.0.0.1:41234/api/v1/cloud`.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }
    /// `scheme://host:port` (the control endpoints live under it).
    pub fn origin(&self) -> &str {
        &self.origin
    }
    /// With `tls`, the PEM file of the emulator's generated CA.
    pub fn ca_path(&self) -> Option<&Path> {
        self.ca_path.as_deref()
    }
    /// The token clients of this emulator send.
    pub fn access_token(&self) -> &str {
        &self.access_token
    }
    /// The process id.
    pub fn pid(&self) -> u32 {
        self.pid
    }

    /// Stops the emulator: EOF on its stdin (its documented stop signal), a bounded wait, then
    /// a kill. Idempotent.
    pub async fn close(&self) {
        let Some((mut child, stdin)) = self.child.lock().await.take() else { return };
        drop(stdin);
        if tokio::time::timeout(STOP_GRACE, child.wait()).await.is_err() {
            let _ = child.kill().await;
        }
    }

    /// One control request (`/_emulator/...`: no auth, not counted, never faulted): the JSON
    /// body of a 2xx. A 400 (a bad fault spec, negative seconds) is
    /// [`ErrorKind::InvalidArgument`]; another status is the API error it names; an emulator
    /// that exited is [`ErrorKind::Connection`] with its stderr.
    pub async fn control(&self, method: http::Method, path: &str, body: Option<Value>) -> Result<Value> {
        {
            let mut g = self.child.lock().await;
            match g.as_mut().map(|(c, _)| c.try_wait()) {
                None => return Err(Error::new(ErrorKind::Connection, "the emulator was stopped")),
                Some(Ok(Some(status))) => {
                    return Err(Error::new(
                        ErrorKind::Connection,
                        self.stderr.with(format!("the emulator is not running (it exited with {status})")),
                    ))
                }
                _ => {}
            }
        }
        let mut req = self.control.request(method.clone(), format!("{}{path}", self.origin));
        if let Some(b) = body {
            req = req.json(&b);
        }
        let what = format!("emulator control request {method} {path}");
        let resp = req.send().await.map_err(|e| {
            Error::new(if e.is_timeout() { ErrorKind::Timeout } else { ErrorKind::Connection }, format!("{what}: {e}"))
        })?;
        let status = resp.status().as_u16();
        let bytes = resp.bytes().await.map_err(|e| Error::new(ErrorKind::Connection, format!("{what}: {e}")))?;
        if !(200..300).contains(&status) {
            let mut e = Error::from_response(status, &bytes, None);
            if status == 400 {
                let param = e.param().unwrap_or("argument").to_string();
                e = Error::invalid_argument(&param, e.message().to_string());
            }
            e.prepend_message(&format!("{what}: "));
            return Err(e);
        }
        if bytes.is_empty() {
            return Ok(Value::Null);
        }
        serde_json::from_slice(&bytes)
            .map_err(|e| Error::decode(format!("{what}: the body is not JSON ({e})"), &bytes, Some(status)))
    }

    /// Sets (`Some`) or clears (`None`) the server-wide fault spec; resets its counter.
    pub async fn set_fault(&self, spec: Option<&str>) -> Result<()> {
        self.control(http::Method::POST, "/_emulator/faults", Some(serde_json::json!({ "spec": spec }))).await.map(drop)
    }

    /// The emulator's counters (`requests`, `requests_total`, `objects_created`, `streams`, ...).
    pub async fn stats(&self) -> Result<Value> {
        self.control(http::Method::GET, "/_emulator/stats", None).await
    }

    /// Drops every object, idempotency key and counter; ends open streams and turns.
    pub async fn reset(&self) -> Result<()> {
        self.control(http::Method::POST, "/_emulator/reset", Some(serde_json::json!({}))).await.map(drop)
    }

    /// Moves the emulator's clock forward by `seconds` (finite, ≥ 0); returns `{now, offset_seconds}`.
    pub async fn advance_clock(&self, seconds: f64) -> Result<Value> {
        if !(seconds.is_finite() && seconds >= 0.0) {
            return Err(Error::invalid_argument(
                "seconds",
                format!("`seconds` must be a non-negative, finite number, got {seconds}"),
            ));
        }
        self.control(http::Method::POST, "/_emulator/clock/advance", Some(serde_json::json!({ "seconds": seconds })))
            .await
    }
}

/// `listening <url>` or `listening <url> ca=<path>`.
fn parse_listening(line: &str) -> Option<(String, Option<PathBuf>)> {
    let mut parts = line.strip_prefix("listening ")?.split(' ');
    let url = parts.next().filter(|u| !u.is_empty())?.trim_end_matches('/').to_string();
    let ca = match parts.next() {
        None => None,
        Some(p) => Some(PathBuf::from(p.strip_prefix("ca=")?)),
    };
    parts.next().is_none().then_some((url, ca))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_are_checked_and_named_in_the_callers_casing() {
        let o = EmulatorOptions { region: Some("eu".into()), ..Default::default() };
        let e = o.flags(Casing::Snake).unwrap_err();
        assert_eq!((e.kind(), e.param()), (ErrorKind::InvalidArgument, Some("region")));
        let o = EmulatorOptions { keepalive_ms: Some(0), ..Default::default() };
        let e = o.flags(Casing::Camel).unwrap_err();
        assert_eq!(e.param(), Some("keepaliveMs"));
        assert!(e.message().contains("`keepaliveMs` must be positive"), "{}", e.message());
        let o = EmulatorOptions { tokens: Some(vec![]), ..Default::default() };
        assert_eq!(o.flags(Casing::Snake).unwrap_err().param(), Some("tokens"));
        let o = EmulatorOptions { forbidden_tokens: vec!["a".into(), String::new()], ..Default::default() };
        assert_eq!(o.flags(Casing::Camel).unwrap_err().param(), Some("forbiddenTokens[1]"));
        let o = EmulatorOptions { startup_timeout: Some(f64::NAN), ..Default::default() };
        assert_eq!(o.flags(Casing::Snake).unwrap_err().param(), Some("startup_timeout"));
        let o = EmulatorOptions {
            region: Some("cn".into()),
            fault: Some("-status=503".into()),
            h2_max_streams: Some(None),
            tokens: Some(vec!["a".into(), "b".into()]),
            tls: true,
            extra_args: vec!["--keepalive-ms".into(), "5".into()],
            ..Default::default()
        };
        assert_eq!(
            o.flags(Casing::Snake).unwrap(),
            [
                "--region=cn",
                "--fault=-status=503",
                "--h2-max-streams=unlimited",
                "--token=a",
                "--token=b",
                "--tls",
                "--keepalive-ms",
                "5"
            ]
        );
    }

    #[test]
    fn the_listening_line_is_parsed_strictly() {
        assert_eq!(
            parse_listening("listening http://127.0.0.1:1/api/v1/cloud"),
            Some(("http://127.0.0.1:1/api/v1/cloud".into(), None))
        );
        assert_eq!(
            parse_listening("listening https://127.0.0.1:1/x/ ca=/tmp/ca.pem"),
            Some(("https://127.0.0.1:1/x".into(), Some("/tmp/ca.pem".into())))
        );
        for bad in ["listening", "listening ", "hello http://x", "listening http://x extra", "listening http://x ca"] {
            assert_eq!(parse_listening(bad), None, "{bad}");
        }
    }

    #[test]
    fn options_from_json_check_types_and_keys() {
        let o = EmulatorOptions::from_json(
            &serde_json::json!({"region": "cn", "h2_max_streams": "unlimited", "tokens": ["a"], "host": null}),
            Casing::Snake,
        )
        .unwrap();
        assert_eq!((o.region.as_deref(), o.h2_max_streams, o.host), (Some("cn"), Some(None), None));
        let e = EmulatorOptions::from_json(&serde_json::json!({"turn_delay_ms": true}), Casing::Camel).unwrap_err();
        assert_eq!(e.param(), Some("turnDelayMs"));
        assert!(e.message().contains("must be a non-negative integer, got a boolean"), "{}", e.message());
        let e = EmulatorOptions::from_json(&serde_json::json!({"tokens": "abc"}), Casing::Snake).unwrap_err();
        assert_eq!(e.param(), Some("tokens"));
        let e = EmulatorOptions::from_json(&serde_json::json!({"tokens": ["a", 1]}), Casing::Snake).unwrap_err();
        assert_eq!(e.param(), Some("tokens[1]"));
        let e = EmulatorOptions::from_json(&serde_json::json!({"max_body": 1}), Casing::Camel).unwrap_err();
        assert_eq!(e.param(), Some("maxBody"));
    }

    #[test]
    fn camel_case_names() {
        assert_eq!(Casing::Camel.name("forbidden_tokens[0]"), "forbiddenTokens[0]");
        assert_eq!(Casing::Camel.name("h2_max_streams"), "h2MaxStreams");
    }
}
