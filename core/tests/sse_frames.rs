//! Unit-level behaviour of the SSE framer through its public API: fields, line endings,
//! dispatch rules, errors and EOF reporting.

use qoder_cloud::sse::{SseError, SseFrame, SseFramer};

fn frames(input: &[u8]) -> Vec<SseFrame> {
    let mut f = SseFramer::default();
    let mut out = Vec::new();
    f.push(input, &mut out).unwrap();
    out
}

fn data(fr: &SseFrame) -> &str {
    fr.data_str().unwrap()
}

#[test]
fn single_frame_with_all_fields() {
    let out = frames(b"id: e1\nevent: agent.message\nretry: 250\ndata: {\"a\":1}\n\n");
    assert_eq!(out.len(), 1);
    assert_eq!(out[0].event.as_deref(), Some("agent.message"));
    assert_eq!(out[0].id.as_deref(), Some("e1"));
    assert_eq!(out[0].last_event_id.as_deref(), Some("e1"));
    assert_eq!(out[0].retry, Some(250));
    assert_eq!(data(&out[0]), "{\"a\":1}");
}

#[test]
fn line_endings_cr_lf_crlf() {
    let out = frames(b"data: a\rdata: b\r\ndata: c\n\r\n");
    assert_eq!(out.len(), 1);
    assert_eq!(data(&out[0]), "a\nb\nc");
}

#[test]
fn field_without_colon_and_space_rules() {
    let out = frames(b"data\ndata:x\ndata:  y\n\n");
    assert_eq!(data(&out[0]), "\nx\n y");
}

#[test]
fn empty_data_line_still_dispatches() {
    let out = frames(b"data:\n\n");
    assert_eq!(out.len(), 1);
    assert!(out[0].data.is_empty());
}

#[test]
fn blank_line_without_data_commits_id_only() {
    let mut f = SseFramer::default();
    let mut out = Vec::new();
    f.push(b"id: x1\nevent: foo\n\ndata: d\n\n", &mut out).unwrap();
    assert_eq!(out.len(), 1);
    assert_eq!(out[0].event, None, "event type is reset by the data-less dispatch");
    assert_eq!(out[0].id, None);
    assert_eq!(out[0].last_event_id.as_deref(), Some("x1"));
    f.push(b"id\ndata: e\n\n", &mut out).unwrap();
    assert_eq!(out[1].id.as_deref(), Some(""));
    assert_eq!(out[1].last_event_id, None, "an empty id resets the last event id");
}

#[test]
fn retry_requires_digits() {
    let mut f = SseFramer::default();
    let mut out = Vec::new();
    f.push(b"retry: 12a\nretry:\nretry: 99999999999999999999999\ndata: x\n\n", &mut out).unwrap();
    assert_eq!(out[0].retry, None);
    assert_eq!(f.reconnection_time(), None);
    f.push(b"retry:7\n\n", &mut out).unwrap();
    assert_eq!(out.len(), 1, "retry alone does not dispatch");
    assert_eq!(f.reconnection_time(), Some(7));
}

#[test]
fn error_poisons_until_finish() {
    let mut f = SseFramer::new(8);
    let mut out = Vec::new();
    assert_eq!(f.push(b"data: 0123456789", &mut out), Err(SseError::EventTooLarge { limit: 8 }));
    assert!(f.push(b"\n\n", &mut out).is_err());
    assert!(!f.finish());
    f.push(b"data: ok\n\n", &mut out).unwrap();
    assert_eq!(data(&out[0]), "ok");
}

#[test]
fn finish_reports_dangling() {
    let mut f = SseFramer::default();
    let mut out = Vec::new();
    f.push(b"data: a\n\ndata: b\n", &mut out).unwrap();
    assert_eq!(out.len(), 1);
    assert!(f.finish());
    assert!(!f.finish());
    f.push(b"\xEF\xBB", &mut out).unwrap();
    assert!(f.finish(), "a partial BOM is dangling input");
    f.push(b"data: c\r", &mut out).unwrap();
    assert!(f.finish());
    f.push(b": only a comment\r", &mut out).unwrap();
    assert!(!f.finish());
}

#[test]
fn frame_helpers_classify_ping_done_and_default_type() {
    let out = frames(b"event: ping\ndata: {}\n\ndata: [DONE]\n\ndata: x\n\n");
    assert!(out[0].is_ping() && !out[0].is_done());
    assert!(out[1].is_done() && !out[1].is_ping());
    assert_eq!(out[2].event_type(), "message");
    assert_eq!(out[0].event_type(), "ping");
}

#[test]
fn seeded_last_event_id_is_reported_until_replaced() {
    let mut f = SseFramer::new(1024);
    assert_eq!(f.max_event_bytes(), 1024);
    f.set_last_event_id(Some("evt_9".into()));
    let mut out = Vec::new();
    f.push(b"data: a\n\nid: evt_10\ndata: b\n\n", &mut out).unwrap();
    assert_eq!(out[0].last_event_id.as_deref(), Some("evt_9"));
    assert_eq!(out[1].last_event_id.as_deref(), Some("evt_10"));
    assert_eq!(f.last_event_id(), Some("evt_10"));
}
