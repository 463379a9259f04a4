//! Fuzzes session-event decoding: `SessionEvent::from_json_slice` on arbitrary bytes, and for
//! valid JSON `SessionEvent::from_value` plus the re-serialisation round trip.
//!
//! Invariants checked:
//! 1. no panic (decoding, accessors, serialisation);
//! 2. `from_json_slice` fails exactly when the bytes are not JSON, and otherwise equals
//!    `from_value` of the parsed value, as does the `Deserialize` impl; `from_value_strict`,
//!    when it succeeds, agrees too;
//! 3. round trip (the brief's invariant): serialising the decoded event and decoding that JSON
//!    again gives an equal `SessionEvent` (through `Value` and through bytes);
//! 4. the module docs' promise "every event re-serialises to the JSON it was decoded from":
//!    the serialised `Value` equals the input `Value` (maps compare order-insensitively);
//! 5. `event_type()` is the input's string `type` (or `""`), and the envelope accessors read
//!    the input's string fields.
//!
//! Known finding K2 (README.md): serde_json's default float parser is not correctly rounded,
//! so a float with many digits can re-parse to a different `f64` after `to_vec` (the byte round
//! trip). With `QODER_FUZZ_ALLOW_KNOWN=1` the byte round trip is skipped for values holding
//! such a float; by default (and in the regression replay) it fails.
#![no_main]

use libfuzzer_sys::fuzz_target;
use qoder_cloud::models::event::SessionEvent;
use serde_json::Value;

fn allow_known() -> bool {
    static ALLOW: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *ALLOW.get_or_init(|| std::env::var_os("QODER_FUZZ_ALLOW_KNOWN").is_some_and(|v| v != "0"))
}

/// Whether every float in `v` survives serde_json's own print-then-parse (false = K2 applies).
fn floats_reparse(v: &Value) -> bool {
    match v {
        Value::Number(n) if n.is_f64() => serde_json::from_str::<Value>(&n.to_string()).ok().as_ref() == Some(v),
        Value::Array(a) => a.iter().all(floats_reparse),
        Value::Object(m) => m.values().all(floats_reparse),
        _ => true,
    }
}

fn touch(ev: &SessionEvent) {
    let _ = (ev.event_type(), ev.envelope(), ev.id(), ev.processed_at(), ev.session_thread_id());
    let _ = (ev.is_preview(), ev.is_terminal(), ev.is_input(), ev.preview_event_id());
    if let Some(r) = ev.stop_reason() {
        let _ = (r.type_str(), r.event_ids());
    }
    if let SessionEvent::AgentMessage(m) = ev {
        let _ = m.text();
    }
    let _ = format!("{ev:?}");
    let _ = ev.clone().with_session_thread_id("sthr_fuzz").session_thread_id();
}

fuzz_target!(|data: &[u8]| {
    let decoded = SessionEvent::from_json_slice(data);
    let Ok(v) = serde_json::from_slice::<Value>(data) else {
        assert!(decoded.is_err(), "from_json_slice accepted invalid JSON");
        return;
    };
    let decoded = decoded.expect("from_json_slice rejected valid JSON");
    let ev = SessionEvent::from_value(v.clone());
    assert_eq!(decoded, ev, "from_json_slice and from_value disagree");
    let via_serde: SessionEvent = serde_json::from_slice(data).expect("Deserialize rejected valid JSON");
    assert_eq!(via_serde, ev, "the Deserialize impl and from_value disagree");
    if let Ok(strict) = SessionEvent::from_value_strict(v.clone()) {
        assert_eq!(strict, ev, "from_value_strict and from_value disagree");
    }
    touch(&ev);

    let want_type = v.get("type").and_then(Value::as_str).unwrap_or("");
    assert_eq!(ev.event_type(), want_type);
    let s = |k: &str| v.get(k).and_then(Value::as_str);
    assert_eq!(ev.id(), s("id"), "envelope id");
    assert_eq!(ev.processed_at(), s("processed_at"), "envelope processed_at");

    // Round trip through Value and through bytes.
    let json = serde_json::to_value(&ev).expect("a decoded event must serialise");
    let again = SessionEvent::from_value(json.clone());
    assert_eq!(again, ev, "decode(serialize(decode(x))) != decode(x)\nre-serialised: {json}");
    let bytes = serde_json::to_vec(&ev).expect("a decoded event must serialise to bytes");
    if allow_known() && !floats_reparse(&json) {
        return; // K2: serde_json float parsing, see the module docs
    }
    let again = SessionEvent::from_json_slice(&bytes).expect("re-serialised event is not JSON");
    assert_eq!(again, ev, "byte round trip changed the event");

    // Documented: re-serialises to the JSON it was decoded from.
    assert_eq!(json, v, "re-serialised JSON differs from the input JSON");
});
