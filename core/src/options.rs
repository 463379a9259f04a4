//! Client, call and stream options as a binding passes them: one JSON object, spelled the way
//! its users write them. The names, types, units and checks of every option are written here
//! once; Python and Node only convert their values to JSON, so a wrong type gets the same
//! [`ErrorKind::InvalidArgument`](crate::ErrorKind::InvalidArgument), naming the option as the
//! user spelled it, in both.
//!
//! | | names | durations |
//! |---|---|---|
//! | [`Casing::Snake`] (Python) | `max_retries`, `extra_headers`, `total_timeout` | seconds |
//! | [`Casing::Camel`] (JavaScript) | `maxRetries`, `headers`, `totalDeadline` | milliseconds |

use std::time::Duration;

use serde_json::{Map, Value};

use crate::auth::ServiceAccount;
use crate::call::RequestOptions;
use crate::config::{ClientBuilder, Platform};
use crate::error::{Error, Result};
use crate::net::{CaSource, NetOptions, SecretPem};
use crate::stream::StreamOptions;
use crate::validate::type_name;

/// How a binding spells option names (and, for client/call options, which unit a duration is
/// in), so errors name the option as the user wrote it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Casing {
    /// `max_body_bytes`, durations in seconds (Rust, Python).
    #[default]
    Snake,
    /// `maxBodyBytes`, durations in milliseconds (JavaScript).
    Camel,
}

impl Casing {
    /// `name` (snake_case) as this casing spells it.
    pub fn name(self, name: &str) -> String {
        match self {
            Self::Snake => name.to_string(),
            Self::Camel => {
                let mut out = String::with_capacity(name.len());
                let mut upper = false;
                for c in name.chars() {
                    if c == '_' {
                        upper = true;
                    } else if upper {
                        out.extend(c.to_uppercase());
                        upper = false;
                    } else {
                        out.push(c);
                    }
                }
                out
            }
        }
    }

    /// The option `id` (its snake_case name) as this casing spells it: the JavaScript names
    /// of the per-call extras, the total deadline and the URLs differ from the Python ones.
    fn option(self, id: &'static str) -> String {
        match (self, id) {
            (Self::Camel, "extra_headers") => "headers".into(),
            (Self::Camel, "extra_query") => "query".into(),
            (Self::Camel, "extra_body") => "body".into(),
            (Self::Camel, "total_timeout") => "totalDeadline".into(),
            // JavaScript SDKs spell the acronym in capitals (`baseURL`, as `fetch`'s `URL`).
            (Self::Camel, "base_url") => "baseURL".into(),
            (Self::Camel, "service_account_exchange_url") => "serviceAccountExchangeURL".into(),
            _ => self.name(id),
        }
    }
}

/// What one option holds, which decides how its JSON value is checked.
#[derive(Clone, Copy)]
enum Kind {
    /// A number ≥ 0 of seconds (snake) or milliseconds (camel).
    Duration,
    /// An integer in `0..=u32::MAX`.
    Count,
    /// An integer ≥ 0 (a byte limit).
    Bytes,
    Text,
    Flag,
    /// An object of name → string, number, boolean or a list of them (headers, query).
    Pairs,
    /// An object (extra body fields).
    Object,
    /// A list of strings; a lone string is a list of one where `true`.
    Texts(bool),
}

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Self::Duration => "duration",
            Self::Count => "count",
            Self::Bytes => "bytes",
            Self::Text => "text",
            Self::Flag => "flag",
            Self::Pairs => "pairs",
            Self::Object => "object",
            Self::Texts(_) => "texts",
        }
    }
}

/// Short for the tables below.
type K = Kind;

/// The client's options: ids are the snake_case names. (Rows are grouped by topic, several to a
/// line, so that the table reads as one.)
#[rustfmt::skip]
const CLIENT: &[(&str, Kind)] = &[
    ("access_token", K::Text), ("base_url", K::Text), ("region", K::Text), ("default_headers", K::Pairs),
    ("timeout", K::Duration), ("connect_timeout", K::Duration), ("total_timeout", K::Duration),
    ("stream_idle_timeout", K::Duration), ("stream_stall_timeout", K::Duration), ("max_retries", K::Count),
    ("max_retry_after", K::Duration),
    ("max_body_bytes", K::Bytes), ("max_event_bytes", K::Bytes), ("max_response_bytes", K::Bytes),
    ("max_error_bytes", K::Bytes), ("max_header_bytes", K::Bytes), ("max_streams_per_connection", K::Count),
    // A path or PEM text, or a list of them (bindings turn paths and bytes into strings).
    ("ca_certs", K::Texts(true)), ("proxy", K::Text), ("client_cert", K::Text), ("client_key", K::Text),
    ("danger_accept_invalid_certs", K::Flag),
    ("service_account_key", K::Text), ("service_account_exchange_url", K::Text), ("service_account_ttl", K::Count),
    ("service_account_scopes", K::Texts(false)),
    ("package_version", K::Text), ("runtime", K::Text), ("runtime_version", K::Text),
];

/// Per-call options (every operation).
#[rustfmt::skip]
const CALL: &[(&str, Kind)] = &[
    ("timeout", K::Duration), ("max_retries", K::Count), ("idempotency_key", K::Text), ("extra_headers", K::Pairs),
    ("extra_query", K::Pairs), ("extra_body", K::Object), ("total_timeout", K::Duration),
];

/// Options of stream operations, on top of [`CALL`].
#[rustfmt::skip]
const STREAM: &[(&str, Kind)] = &[
    ("last_event_id", K::Text), ("event_deltas", K::Texts(true)), ("resume", K::Flag), ("idle_timeout", K::Duration),
    ("max_reconnect_attempts", K::Count),
];

/// Options of an environment worker.
#[rustfmt::skip]
const WORKER: &[(&str, Kind)] = &[
    ("worker_id", K::Text), ("poll_wait", K::Duration), ("lease", K::Duration), ("reclaim_older_than", K::Duration),
    ("max_concurrency", K::Count), ("shutdown_grace", K::Duration),
];

/// A checked option value.
enum Val {
    Duration(Duration),
    Count(u32),
    Bytes(usize),
    Text(String),
    Flag(bool),
    Pairs(Vec<(String, String)>),
    Object(Map<String, Value>),
    Texts(Vec<String>),
}

fn check(casing: Casing, name: &str, kind: Kind, v: Value) -> Result<Val> {
    let bad = |expected: &str, v: &Value| {
        Error::invalid_argument(name, format!("option `{name}` must be {expected}, got {}", describe(v)))
    };
    Ok(match (kind, v) {
        (Kind::Duration, v) => {
            let unit = if casing == Casing::Camel { "milliseconds" } else { "seconds" };
            match v.as_f64().filter(|n| n.is_finite() && *n >= 0.0) {
                Some(n) if casing == Casing::Camel => Val::Duration(Duration::from_secs_f64(n / 1000.0)),
                Some(n) => Val::Duration(Duration::from_secs_f64(n)),
                None => return Err(bad(&format!("a number ≥ 0 of {unit}"), &v)),
            }
        }
        (Kind::Count, v) => match v.as_u64().and_then(|n| u32::try_from(n).ok()) {
            Some(n) => Val::Count(n),
            None => return Err(bad("an integer ≥ 0 (at most 4294967295)", &v)),
        },
        (Kind::Bytes, v) => match v.as_u64().and_then(|n| usize::try_from(n).ok()) {
            Some(n) => Val::Bytes(n),
            None => return Err(bad("a number of bytes (an integer ≥ 0)", &v)),
        },
        (Kind::Text, Value::String(s)) => Val::Text(s),
        (Kind::Flag, Value::Bool(b)) => Val::Flag(b),
        (Kind::Object, Value::Object(m)) => Val::Object(m),
        (Kind::Pairs, Value::Object(m)) => Val::Pairs(pairs(name, m)?),
        (Kind::Texts(true), Value::String(s)) => Val::Texts(vec![s]),
        (Kind::Texts(_), Value::Array(xs)) => Val::Texts(
            xs.into_iter()
                .enumerate()
                .map(|(i, x)| match x {
                    Value::String(s) => Ok(s),
                    x => Err(Error::invalid_argument(
                        name,
                        format!("option `{name}[{i}]` must be a string, got {}", describe(&x)),
                    )),
                })
                .collect::<Result<_>>()?,
        ),
        (Kind::Text, v) => return Err(bad("a string", &v)),
        (Kind::Flag, v) => return Err(bad("a boolean", &v)),
        (Kind::Object, v) => return Err(bad("an object", &v)),
        (Kind::Pairs, v) => return Err(bad("an object of name → value", &v)),
        (Kind::Texts(_), v) => return Err(bad("a list of strings", &v)),
    })
}

/// `v`'s JSON type, with the value for scalars (`a number (-1)`), for error messages.
fn describe(v: &Value) -> String {
    match v {
        Value::Number(n) => format!("a number ({n})"),
        Value::String(s) if s.chars().count() <= 40 => format!("a string ({s:?})"),
        v => type_name(v).to_string(),
    }
}

/// Header or query pairs: a list value repeats the name; `null` values are left out.
fn pairs(name: &str, m: Map<String, Value>) -> Result<Vec<(String, String)>> {
    let mut out = Vec::with_capacity(m.len());
    for (k, v) in m {
        let items = match v {
            Value::Array(xs) => xs,
            v => vec![v],
        };
        for x in items {
            match x {
                Value::Null => {}
                Value::String(s) => out.push((k.clone(), s)),
                Value::Bool(b) => out.push((k.clone(), b.to_string())),
                Value::Number(n) => out.push((k.clone(), n.to_string())),
                x => {
                    return Err(Error::invalid_argument(
                        name,
                        format!("option `{name}.{k}` must be a string, number or boolean, got {}", type_name(&x)),
                    ))
                }
            }
        }
    }
    Ok(out)
}

/// The options of `table` found in `map` (all of them when `strict`, else only the ones named
/// in `table`), removed from `map` and checked; `null` counts as not given.
fn take(
    casing: Casing,
    map: &mut Map<String, Value>,
    tables: &[&[(&'static str, Kind)]],
    strict: bool,
) -> Result<Vec<(&'static str, Val)>> {
    let mut out = Vec::new();
    for (id, kind) in tables.iter().flat_map(|t| t.iter()) {
        let name = casing.option(id);
        match map.remove(&name) {
            None | Some(Value::Null) => {}
            Some(v) => out.push((*id, check(casing, &name, *kind, v)?)),
        }
    }
    if strict {
        if let Some(k) = map.keys().next() {
            return Err(Error::invalid_argument(k, format!("unknown option `{k}`")));
        }
    }
    Ok(out)
}

/// A client builder from the client options in `options` (every key must be a client option;
/// `null` is "not given", so the environment and defaults apply). `lang` names the binding in
/// the `User-Agent`. Credentials a binding holds as objects (a token provider) are set on the
/// returned builder by the binding.
pub fn client_builder(casing: Casing, lang: &str, options: Value) -> Result<ClientBuilder> {
    let Value::Object(mut map) = options else {
        return Err(Error::invalid_argument(
            "options",
            format!("client options must be an object, got {}", type_name(&options)),
        ));
    };
    let mut b = ClientBuilder::default();
    let mut net = NetOptions::default();
    let mut sa: Option<ServiceAccount> = None;
    let mut sa_settings = Vec::new();
    let mut platform = Platform { lang: lang.into(), ..Platform::default() };
    for (id, v) in take(casing, &mut map, &[CLIENT], true)? {
        b = match (id, v) {
            ("access_token", Val::Text(t)) => b.access_token(t),
            ("base_url", Val::Text(u)) => b.base_url(u),
            ("region", Val::Text(r)) => b.region(r),
            ("timeout", Val::Duration(d)) => b.timeout(d),
            ("connect_timeout", Val::Duration(d)) => b.connect_timeout(d),
            ("total_timeout", Val::Duration(d)) => b.total_deadline(d),
            ("max_retries", Val::Count(n)) => b.max_retries(n),
            ("default_headers", Val::Pairs(ps)) => ps.into_iter().fold(b, |b, (k, v)| b.default_header(k, v)),
            ("stream_idle_timeout", Val::Duration(d)) => b.stream_idle_timeout(d),
            ("max_body_bytes", Val::Bytes(n)) => b.max_body_bytes(n),
            ("max_event_bytes", Val::Bytes(n)) => b.max_event_bytes(n),
            ("max_streams_per_connection", Val::Count(n)) => b.max_streams_per_connection(n as usize),
            ("max_response_bytes", Val::Bytes(n)) => b.max_response_bytes(n),
            ("max_error_bytes", Val::Bytes(n)) => b.max_error_bytes(n),
            ("max_header_bytes", Val::Bytes(n)) => b.max_header_bytes(n),
            ("max_retry_after", Val::Duration(d)) => b.max_retry_after(d),
            ("stream_stall_timeout", Val::Duration(d)) => b.stream_stall_timeout(d),
            (id, v) => {
                match (id, v) {
                    ("ca_certs", Val::Texts(xs)) => net.extra_ca = xs.into_iter().map(CaSource::from_text).collect(),
                    ("proxy", Val::Text(p)) => net.proxy = Some(p),
                    ("client_cert", Val::Text(c)) => net.client_cert = Some(CaSource::from_text(c)),
                    ("client_key", Val::Text(k)) => net.client_key = Some(SecretPem::from_text(k)),
                    ("danger_accept_invalid_certs", Val::Flag(y)) => net.danger_accept_invalid_certs = y,
                    ("service_account_key", Val::Text(k)) => sa = Some(ServiceAccount::new(k)),
                    ("package_version", Val::Text(v)) => platform.package_version = v,
                    ("runtime", Val::Text(v)) => platform.runtime = v,
                    ("runtime_version", Val::Text(v)) => platform.runtime_version = v,
                    (id, v) => sa_settings.push((id, v)),
                }
                b
            }
        };
    }
    // The service account's settings apply once its key is known (they mean nothing without it).
    if let Some(mut s) = sa {
        for (id, v) in sa_settings {
            s = match (id, v) {
                ("service_account_exchange_url", Val::Text(u)) => s.exchange_url(u),
                ("service_account_ttl", Val::Count(n)) => s.ttl_seconds(n),
                ("service_account_scopes", Val::Texts(xs)) => s.scopes(xs),
                _ => s,
            };
        }
        b = b.service_account(s);
    }
    Ok(b.network(net).platform(platform))
}

/// Takes the per-call options (and, for a stream operation, the stream options) out of `args`,
/// where Python's keyword arguments hold them beside the operation's arguments; what is left
/// is the operation's arguments.
pub fn take_call_options(
    casing: Casing,
    args: &mut Map<String, Value>,
    stream: bool,
) -> Result<(RequestOptions, StreamOptions)> {
    let tables: &[&[(&'static str, Kind)]] = if stream { &[CALL, STREAM] } else { &[CALL] };
    apply(take(casing, args, tables, false)?)
}

/// The per-call (and, for a stream, stream) options from an options object of their own, as
/// JavaScript passes them; any other key is an error.
pub fn call_options(casing: Casing, options: Value, stream: bool) -> Result<(RequestOptions, StreamOptions)> {
    let Value::Object(mut map) = options else {
        return Err(Error::invalid_argument(
            "options",
            format!("options must be an object, got {}", type_name(&options)),
        ));
    };
    let tables: &[&[(&'static str, Kind)]] = if stream { &[CALL, STREAM] } else { &[CALL] };
    apply(take(casing, &mut map, tables, true)?)
}

/// An environment worker's options (any other key is an error; `null` keeps the default).
pub fn worker_options(casing: Casing, options: Value) -> Result<crate::worker::WorkerOptions> {
    let Value::Object(mut map) = options else {
        return Err(Error::invalid_argument(
            "options",
            format!("worker options must be an object, got {}", type_name(&options)),
        ));
    };
    let mut o = crate::worker::WorkerOptions::default();
    for (id, v) in take(casing, &mut map, &[WORKER], true)? {
        match (id, v) {
            ("worker_id", Val::Text(w)) => o.worker_id = Some(w),
            ("poll_wait", Val::Duration(d)) => o.poll_wait = d,
            ("lease", Val::Duration(d)) => o.lease = d,
            ("reclaim_older_than", Val::Duration(d)) => o.reclaim_older_than = Some(d),
            ("max_concurrency", Val::Count(n)) => o.max_concurrency = n as usize,
            ("shutdown_grace", Val::Duration(d)) => o.shutdown_grace = d,
            _ => {}
        }
    }
    Ok(o)
}

/// The names of the per-call options (`stream`: of the stream options only) as `casing` spells
/// them, for bindings that tell options from arguments or list them in signatures.
pub fn call_option_names(casing: Casing, stream: bool) -> Vec<String> {
    let table = if stream { STREAM } else { CALL };
    table.iter().map(|(id, _)| casing.option(id)).collect()
}

/// Each per-call option's name as `casing` spells it and its kind (`duration`, `count`, `text`,
/// `flag`, `pairs`, `object`, `texts`), for stub and declaration generators.
pub fn call_option_kinds(casing: Casing, stream: bool) -> Vec<(String, &'static str)> {
    let table = if stream { STREAM } else { CALL };
    table.iter().map(|(id, kind)| (casing.option(id), kind.name())).collect()
}

fn apply(vals: Vec<(&'static str, Val)>) -> Result<(RequestOptions, StreamOptions)> {
    let mut r = RequestOptions::default();
    let mut s = StreamOptions::default();
    for (id, v) in vals {
        match (id, v) {
            ("timeout", Val::Duration(d)) => r.timeout = Some(d),
            ("total_timeout", Val::Duration(d)) => r.total_deadline = Some(d),
            ("max_retries", Val::Count(n)) => r.max_retries = Some(n),
            ("idempotency_key", Val::Text(k)) => r.idempotency_key = Some(k),
            ("extra_headers", Val::Pairs(ps)) => r.extra_headers = ps,
            ("extra_query", Val::Pairs(ps)) => r.extra_query = ps,
            ("extra_body", Val::Object(m)) => r.extra_body = Some(m),
            ("last_event_id", Val::Text(t)) => s.last_event_id = Some(t),
            ("event_deltas", Val::Texts(xs)) => s.event_deltas = xs,
            ("resume", Val::Flag(y)) => s.resume = y,
            ("idle_timeout", Val::Duration(d)) => s.idle_timeout = Some(d),
            ("max_reconnect_attempts", Val::Count(n)) => s.max_reconnect_attempts = n,
            _ => {}
        }
    }
    Ok((r, s))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn err(r: Result<impl std::fmt::Debug>) -> Error {
        r.expect_err("expected an error")
    }

    #[test]
    fn casing_spells_names_and_units() {
        let (r, _) = call_options(
            Casing::Camel,
            json!({"timeout": 1500, "totalDeadline": 2000, "headers": {"x-a": ["1", 2]}, "query": {"q": true}}),
            false,
        )
        .unwrap();
        assert_eq!(r.timeout, Some(Duration::from_millis(1500)));
        assert_eq!(r.total_deadline, Some(Duration::from_secs(2)));
        assert_eq!(r.extra_headers, vec![("x-a".into(), "1".into()), ("x-a".into(), "2".into())]);
        assert_eq!(r.extra_query, vec![("q".into(), "true".into())]);
        let mut args =
            json!({"limit": 5, "timeout": 1.5, "extra_body": {"k": 1}, "resume": false}).as_object().cloned().unwrap();
        let (r, s) = take_call_options(Casing::Snake, &mut args, true).unwrap();
        assert_eq!(r.timeout, Some(Duration::from_millis(1500)));
        assert!(r.extra_body.is_some() && !s.resume);
        assert_eq!(Value::Object(args), json!({"limit": 5}));
    }

    #[test]
    fn wrong_types_name_the_option_as_spelled() {
        for (casing, v, param, text) in [
            (Casing::Snake, json!({"timeout": true}), "timeout", "got a boolean"),
            (Casing::Snake, json!({"timeout": -1}), "timeout", "number ≥ 0 of seconds, got a number (-1)"),
            (Casing::Camel, json!({"maxRetries": 1.5}), "maxRetries", "integer ≥ 0"),
            (Casing::Camel, json!({"totalDeadline": "5"}), "totalDeadline", "milliseconds, got a string (\"5\")"),
            (Casing::Snake, json!({"extra_body": [1]}), "extra_body", "must be an object, got a list"),
            (
                Casing::Snake,
                json!({"extra_headers": {"a": {"b": 1}}}),
                "extra_headers",
                "`extra_headers.a` must be a string",
            ),
            (Casing::Camel, json!({"bogus": 1}), "bogus", "unknown option `bogus`"),
        ] {
            let e = err(call_options(casing, v, false));
            assert_eq!(e.param(), Some(param), "{}", e.message());
            assert!(e.message().contains(text), "{}", e.message());
        }
        // Stream options belong to stream operations only.
        assert!(call_options(Casing::Snake, json!({"resume": true}), false).is_err());
        let (_, s) =
            call_options(Casing::Snake, json!({"event_deltas": "agent.message", "max_reconnect_attempts": 3}), true)
                .unwrap();
        assert_eq!((s.event_deltas, s.max_reconnect_attempts), (vec!["agent.message".to_string()], 3));
    }

    #[test]
    fn worker_options_in_both_casings() {
        let o = worker_options(Casing::Camel, json!({"pollWait": 250, "maxConcurrency": 4, "workerId": null})).unwrap();
        assert_eq!((o.poll_wait, o.max_concurrency, o.worker_id), (Duration::from_millis(250), 4, None));
        let o = worker_options(Casing::Snake, json!({"lease": 2.5, "reclaim_older_than": 60})).unwrap();
        assert_eq!((o.lease, o.reclaim_older_than), (Duration::from_millis(2500), Some(Duration::from_secs(60))));
        assert_eq!(err(worker_options(Casing::Snake, json!({"lease": "5"}))).param(), Some("lease"));
        assert_eq!(err(worker_options(Casing::Camel, json!({"poll_wait": 1}))).param(), Some("poll_wait"));
    }

    #[test]
    fn client_options_build_a_client() {
        let b = client_builder(
            Casing::Camel,
            "node",
            json!({"accessToken": "t", "baseURL": "http://127.0.0.1:1/api", "timeout": 2500, "maxRetries": 0,
                   "defaultHeaders": {"x-a": "1"}, "serviceAccountTtl": 60, "region": null}),
        )
        .unwrap();
        let cfg = b.resolve().unwrap();
        assert_eq!((cfg.timeout(), cfg.max_retries()), (Duration::from_millis(2500), 0));
        let e = err(client_builder(Casing::Snake, "python", json!({"max_body_bytes": -1})));
        assert_eq!(e.param(), Some("max_body_bytes"));
        let e = err(client_builder(Casing::Snake, "python", json!({"service_account_scopes": "qca.access"})));
        assert!(e.message().contains("list of strings"), "{}", e.message());
        let e = err(client_builder(Casing::Camel, "node", json!({"caCerts": ["x", 1]})));
        assert!(e.message().contains("`caCerts[1]` must be a string"), "{}", e.message());
        assert!(format!(
            "{:?}",
            client_builder(Casing::Snake, "python", json!({"access_token": "secret-xyz"})).unwrap()
        )
        .contains("***"));
    }
}
