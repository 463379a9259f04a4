//! Retry policy (docs/api-contract.md §2.6): which failures are retried, and how long to wait.
//!
//! Kept free of I/O so the rules are unit-tested exhaustively; the transport asks
//! [`should_retry_status`] / [`should_retry_transport`] and sleeps for [`delay_for`].

use std::time::{Duration, SystemTime};

use http::HeaderMap;
use rand::Rng;

/// Largest server-provided delay parsed as a hint (100 years; anything longer is nonsense and
/// ignored). Whether a hint is slept on is decided by `max_retry_after` (`limits.rs`): a
/// longer one ends the call with the hint in the error.
pub const MAX_RETRY_AFTER: Duration = Duration::from_secs(100 * 365 * 86_400);
/// First backoff step.
pub const INITIAL_BACKOFF: Duration = Duration::from_millis(500);
/// Backoff ceiling.
pub const MAX_BACKOFF: Duration = Duration::from_secs(8);

/// Whether a request may be repeated without risk of a duplicated side effect.
///
/// GET/HEAD are safe; so is any request carrying an `Idempotency-Key`, because the server replays
/// the first outcome instead of executing twice.
pub fn is_safe(method: &http::Method, has_idempotency_key: bool) -> bool {
    has_idempotency_key || *method == http::Method::GET || *method == http::Method::HEAD
}

/// Decision for a response status. `safe` is [`is_safe`] for this request.
pub fn should_retry_status(status: u16, headers: &HeaderMap, safe: bool) -> bool {
    // A 409 is a verdict about state (stale version, key reuse); repeating it cannot help.
    if status == 409 {
        return false;
    }
    let retryable_status = status == 408 || status == 429 || status >= 500;
    match headers.get("x-should-retry").and_then(|v| v.to_str().ok()) {
        // The server's explicit hint wins, but never makes an unsafe request repeat a side effect
        // (429 is the exception: the request was refused before it ran).
        Some("true") => safe || status == 429,
        Some("false") => false,
        _ => {
            if !retryable_status {
                false
            } else {
                safe || status == 429
            }
        }
    }
}

/// Whether a 409 means "a request with this idempotency key is still being processed": the
/// first attempt of this very call (timed out on our side) is still running on the server, so
/// waiting and repeating the same key returns its result. Told apart from a version conflict
/// or a key reused with another body (never retried) by the key's presence and the envelope:
/// the code `idempotency_key_in_use`, or a message saying the request is in progress.
pub fn is_key_in_flight(status: u16, has_key: bool, code: Option<&str>, message: &str) -> bool {
    if status != 409 || !has_key {
        return false;
    }
    if code == Some("idempotency_key_in_use") {
        return true;
    }
    let m = message.to_ascii_lowercase();
    ["in progress", "being processed", "still processing", "in flight", "in-flight"].iter().any(|p| m.contains(p))
}

/// Decision for a connection error or timeout (no response): only safe requests repeat.
pub fn should_retry_transport(safe: bool) -> bool {
    safe
}

/// Parses the server's delay hint: `retry-after-ms` (float ms) first, then `retry-after`
/// (seconds, or an HTTP date). Non-positive, unparseable or absurd values are ignored.
pub fn parse_retry_after(headers: &HeaderMap, now: SystemTime) -> Option<Duration> {
    if let Some(ms) =
        headers.get("retry-after-ms").and_then(|v| v.to_str().ok()).and_then(|s| s.trim().parse::<f64>().ok())
    {
        if ms.is_finite() && ms > 0.0 && ms / 1000.0 <= MAX_RETRY_AFTER.as_secs_f64() {
            // A positive hint below one nanosecond would round to "no wait": honour at least 1 ns.
            return Some(Duration::from_secs_f64(ms / 1000.0).max(Duration::from_nanos(1)));
        }
    }
    let raw = headers.get("retry-after").and_then(|v| v.to_str().ok())?.trim();
    if let Ok(secs) = raw.parse::<f64>() {
        if secs.is_finite() && secs > 0.0 && secs <= MAX_RETRY_AFTER.as_secs_f64() {
            return Some(Duration::from_secs_f64(secs).max(Duration::from_nanos(1)));
        }
        return None;
    }
    let when = httpdate::parse_http_date(raw).ok()?;
    let d = when.duration_since(now).ok()?;
    (d > Duration::ZERO && d <= MAX_RETRY_AFTER).then_some(d)
}

/// Exponential backoff for retry number `attempt` (0-based): `min(0.5·2^n, 8) s × (1 − 0.25·u)`.
pub fn backoff(attempt: u32, rng: &mut impl Rng) -> Duration {
    let base = INITIAL_BACKOFF.as_secs_f64() * 2f64.powi(attempt.min(16) as i32);
    let capped = base.min(MAX_BACKOFF.as_secs_f64());
    let jitter = 1.0 - 0.25 * rng.gen::<f64>();
    Duration::from_secs_f64(capped * jitter)
}

/// The wait before retry number `attempt`: the server's hint if any, else [`backoff`].
pub fn delay_for(attempt: u32, headers: Option<&HeaderMap>) -> Duration {
    headers
        .and_then(|h| parse_retry_after(h, SystemTime::now()))
        .unwrap_or_else(|| backoff(attempt, &mut rand::thread_rng()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::HeaderValue;
    use rand::SeedableRng;

    fn h(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut m = HeaderMap::new();
        for (k, v) in pairs {
            m.insert(*k, HeaderValue::from_str(v).unwrap());
        }
        m
    }

    #[test]
    fn in_flight_conflicts_only() {
        assert!(is_key_in_flight(409, true, Some("idempotency_key_in_use"), "x"));
        assert!(is_key_in_flight(409, true, None, "A request with this idempotency key is already in progress."));
        assert!(is_key_in_flight(409, true, None, "still being processed"));
        assert!(!is_key_in_flight(409, false, Some("idempotency_key_in_use"), "in progress"), "no key: not ours");
        assert!(!is_key_in_flight(409, true, None, "Idempotency key reused with a different request body."));
        assert!(!is_key_in_flight(409, true, None, "version mismatch"));
        assert!(!is_key_in_flight(429, true, Some("idempotency_key_in_use"), "in progress"));
    }

    #[test]
    fn status_rules() {
        let e = HeaderMap::new();
        for s in [408, 429, 500, 502, 503, 504, 529] {
            assert!(should_retry_status(s, &e, true), "{s}");
        }
        for s in [400, 401, 403, 404, 409, 413, 422] {
            assert!(!should_retry_status(s, &e, true), "{s}");
        }
        // Unsafe POST: only 429.
        assert!(should_retry_status(429, &e, false));
        assert!(!should_retry_status(503, &e, false));
        // Never 409, even when the server says so.
        assert!(!should_retry_status(409, &h(&[("x-should-retry", "true")]), true));
        assert!(!should_retry_status(503, &h(&[("x-should-retry", "false")]), true));
        assert!(should_retry_status(400, &h(&[("x-should-retry", "true")]), true));
        assert!(!should_retry_status(400, &h(&[("x-should-retry", "true")]), false));
    }

    #[test]
    fn retry_after_forms() {
        let now = SystemTime::now();
        assert_eq!(parse_retry_after(&h(&[("retry-after-ms", "250")]), now), Some(Duration::from_millis(250)));
        assert_eq!(parse_retry_after(&h(&[("retry-after", "2")]), now), Some(Duration::from_secs(2)));
        assert_eq!(parse_retry_after(&h(&[("retry-after", "1.5")]), now), Some(Duration::from_millis(1500)));
        // ms wins over seconds.
        assert_eq!(
            parse_retry_after(&h(&[("retry-after-ms", "10"), ("retry-after", "5")]), now),
            Some(Duration::from_millis(10))
        );
        let later = httpdate::fmt_http_date(now + Duration::from_secs(30));
        let d = parse_retry_after(&h(&[("retry-after", &later)]), now).unwrap();
        assert!(d > Duration::from_secs(28) && d <= Duration::from_secs(30), "{d:?}");
        for bad in ["0", "-1", "soon", "99999999999"] {
            assert_eq!(parse_retry_after(&h(&[("retry-after", bad)]), now), None, "{bad}");
        }
        let past = httpdate::fmt_http_date(now - Duration::from_secs(30));
        assert_eq!(parse_retry_after(&h(&[("retry-after", &past)]), now), None);
        assert_eq!(parse_retry_after(&h(&[("retry-after-ms", "NaN")]), now), None);
        // Fuzzing regression (K1): a tiny positive hint must not become a zero delay.
        assert!(parse_retry_after(&h(&[("retry-after-ms", "1e-7")]), now).unwrap() > Duration::ZERO);
        assert!(parse_retry_after(&h(&[("retry-after", "1e-12")]), now).unwrap() > Duration::ZERO);
    }

    #[test]
    fn backoff_bounds() {
        let mut rng = rand::rngs::StdRng::seed_from_u64(7);
        for attempt in 0..20 {
            let d = backoff(attempt, &mut rng).as_secs_f64();
            let base = (0.5 * 2f64.powi(attempt as i32)).min(8.0);
            assert!(d <= base + 1e-9 && d >= base * 0.75 - 1e-9, "attempt {attempt}: {d}");
        }
    }
}
