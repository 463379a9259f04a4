//! Decoding, round-tripping and forward compatibility of session events and content blocks.

use qoder_cloud::models::content::{ContentBlock, ContentSource};
use qoder_cloud::models::event::*;
use qoder_cloud::sse::SseFramer;
use serde_json::{json, Value};

/// One representative event per type (docs/api-contract.md §5.2 and appendix B).
fn samples() -> Vec<Value> {
    let env = |ty: &str, extra: Value| {
        let mut m = json!({
            "id": "evt_019f2c000000700000000000000000a1", "type": ty,
            "processed_at": "2026-06-01T08:01:00.000Z", "session_id": "sess_019f",
            "session_thread_id": null, "turn_id": "turn_019f", "created_at": "2026-06-01T08:01:00.000Z",
            "schema_version": "1.0"
        });
        m.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
        m
    };
    let text = json!([{"type": "text", "text": "Summarise README.md"}]);
    vec![
        env("user.message", json!({"content": text, "file_attachments": [{"file_id": "file_1"}]})),
        env("user.interrupt", json!({"session_thread_id": "sthr_2"})),
        env(
            "user.tool_confirmation",
            json!({"tool_use_id": "evt_b5", "result": "deny", "deny_message": "Do not touch prod."}),
        ),
        env("user.custom_tool_result", json!({"custom_tool_use_id": "evt_c1", "content": text, "is_error": false})),
        env(
            "user.define_outcome",
            json!({"description": "Ship it", "rubric": {"type": "text", "content": "tests pass"}, "max_iterations": 3, "outcome_id": "outc_1"}),
        ),
        env("user.tool_result", json!({"tool_use_id": "evt_t1", "content": text, "is_error": true})),
        env("system.message", json!({"content": [{"type": "text", "text": "Be brief."}]})),
        env(
            "agent.message",
            json!({"content": [{"type": "text", "text": "The README explains setup."}, {"type": "redacted"}], "message_id": "msg_1"}),
        ),
        env("agent.thinking", json!({"thinking": "Let me look."})),
        env(
            "agent.tool_use",
            json!({"name": "bash", "input": {"command": "ls"}, "evaluated_permission": "ask", "parent_tool_use_id": "toolu_0"}),
        ),
        env(
            "agent.tool_result",
            json!({"tool_use_id": "evt_t1", "content": [{"type": "text", "text": "README.md"}], "is_error": false}),
        ),
        env(
            "agent.mcp_tool_use",
            json!({"name": "search", "mcp_server_name": "docs", "input": {"q": "x"}, "evaluated_permission": "allow"}),
        ),
        env(
            "agent.mcp_tool_result",
            json!({"mcp_tool_use_id": "evt_m1", "content": [{"type": "search_result", "source": "https://example.com", "title": "Ex", "content": [{"type": "text", "text": "hit"}], "citations": {"enabled": true}}]}),
        ),
        env("agent.custom_tool_use", json!({"name": "lookup_order", "input": {"order": 42}})),
        env(
            "agent.thread_message_sent",
            json!({"to_session_thread_id": "sthr_2", "to_agent_name": "reviewer", "content": text}),
        ),
        env(
            "agent.thread_message_received",
            json!({"from_session_thread_id": "sthr_2", "from_agent_name": "reviewer", "content": text}),
        ),
        env("agent.thread_context_compacted", json!({})),
        env(
            "agent.artifact_delivered",
            json!({"file_id": "file_9", "original_filename": "report.pdf", "size": 1234, "content_type": "application/pdf"}),
        ),
        env("session.status_running", json!({})),
        env("session.status_idle", json!({"stop_reason": {"type": "requires_action", "event_ids": ["evt_b5"]}})),
        env("session.status_rescheduled", json!({})),
        env("session.status_terminated", json!({})),
        env(
            "session.error",
            json!({"error": {"type": "model_overloaded_error", "message": "busy", "retry_status": {"type": "retrying"}, "qoder_error_code": "Q123"}}),
        ),
        env("session.deleted", json!({})),
        env("session.updated", json!({"title": "New", "metadata": {"team": "platform"}, "budget": null})),
        env(
            "session.usage",
            json!({"usage": {"input_tokens": 812, "output_tokens": 9}, "model_credits": 1.5, "sandbox_runtime_credits": 0, "total_credits": 1.5}),
        ),
        env("session.thread_created", json!({"session_thread_id": "sthr_2", "agent_name": "reviewer"})),
        env("session.thread_status_running", json!({"session_thread_id": "sthr_2", "agent_name": "reviewer"})),
        env(
            "session.thread_status_idle",
            json!({"session_thread_id": "sthr_2", "agent_name": "reviewer", "stop_reason": {"type": "end_turn"}}),
        ),
        env("session.thread_status_rescheduled", json!({"session_thread_id": "sthr_2", "agent_name": "reviewer"})),
        env("session.thread_status_terminated", json!({"session_thread_id": "sthr_2", "agent_name": "reviewer"})),
        env("span.model_request_start", json!({})),
        env(
            "span.model_request_end",
            json!({"model_request_start_id": "evt_a3", "is_error": false, "model_usage": {"input_tokens": 812, "output_tokens": 9, "cache_creation_input_tokens": 0, "cache_read_input_tokens": 0, "speed": "standard", "credits": 0.25}}),
        ),
        env("span.outcome_evaluation_start", json!({"outcome_id": "outc_1", "iteration": 0})),
        env("span.outcome_evaluation_ongoing", json!({"outcome_id": "outc_1", "iteration": 0})),
        env(
            "span.outcome_evaluation_end",
            json!({"outcome_evaluation_start_id": "evt_o1", "outcome_id": "outc_1", "iteration": 0, "result": "needs_revision", "explanation": "Tests fail.", "usage": {"input_tokens": 5}}),
        ),
        json!({"type": "event_start", "event": {"type": "agent.message", "id": "evt_a4"}}),
        json!({"type": "event_delta", "event_id": "evt_a4", "delta": {"type": "content_delta", "index": 0, "content": {"type": "text", "text": "The README "}}}),
    ]
}

#[test]
fn every_type_decodes_typed_and_round_trips() {
    let samples = samples();
    assert_eq!(samples.len(), ALL_EVENT_TYPES.len());
    for (sample, ty) in samples.iter().zip(ALL_EVENT_TYPES) {
        let ev: SessionEvent = serde_json::from_value(sample.clone()).unwrap();
        assert_eq!(ev.event_type(), ty);
        assert!(
            !matches!(ev, SessionEvent::Unknown { .. }),
            "{ty} fell back to Unknown: {:?}",
            SessionEvent::from_value_strict(sample.clone()).err()
        );
        assert_eq!(&serde_json::to_value(&ev).unwrap(), sample, "{ty} did not round-trip");
        // Through text as well, and the `type` tag comes first.
        let text = serde_json::to_string(&ev).unwrap();
        assert!(text.starts_with(&format!("{{\"type\":\"{ty}\"")), "{text}");
        assert_eq!(SessionEvent::from_json_slice(text.as_bytes()).unwrap(), ev);
    }
}

#[test]
fn all_event_types_are_unique_and_match_the_catalogue() {
    let mut sorted = ALL_EVENT_TYPES.to_vec();
    sorted.sort_unstable();
    sorted.dedup();
    assert_eq!(sorted.len(), 38);
    assert!(ALL_EVENT_TYPES.contains(&"agent.artifact_delivered"));
    assert!(ALL_EVENT_TYPES.contains(&"event_delta"));
}

#[test]
fn typed_fields_are_reachable() {
    let by_type = |ty: &str| {
        let v = samples().into_iter().find(|v| v["type"] == ty).unwrap();
        SessionEvent::from_value(v)
    };
    match by_type("agent.message") {
        SessionEvent::AgentMessage(m) => {
            assert_eq!(m.text(), "The README explains setup.");
            assert_eq!(m.message_id.as_deref(), Some("msg_1"));
            assert!(matches!(m.content[1], ContentBlock::Redacted(_)));
        }
        other => panic!("{other:?}"),
    }
    let idle = by_type("session.status_idle");
    assert_eq!(idle.stop_reason().unwrap().event_ids(), ["evt_b5".to_string()]);
    match by_type("session.error") {
        SessionEvent::SessionError(e) => {
            assert_eq!(e.error.kind, SessionErrorType::ModelOverloaded);
            assert_eq!(e.error.retry_status.as_ref().unwrap().kind, RetryStatusType::Retrying);
        }
        other => panic!("{other:?}"),
    }
    match by_type("agent.tool_use") {
        SessionEvent::AgentToolUse(t) => {
            assert_eq!(t.evaluated_permission, Some(EvaluatedPermission::Ask));
            assert_eq!(t.input["command"], "ls");
        }
        other => panic!("{other:?}"),
    }
    match by_type("span.model_request_end") {
        SessionEvent::SpanModelRequestEnd(s) => {
            let usage = s.model_usage.unwrap();
            assert_eq!(usage.input_tokens, Some(812));
            assert_eq!(usage.extra["speed"], "standard");
        }
        other => panic!("{other:?}"),
    }
    let delta = by_type("event_delta");
    assert!(delta.is_preview() && !delta.is_terminal());
    assert_eq!(delta.preview_event_id(), Some("evt_a4"));
    assert_eq!(delta.id(), None);
    assert!(by_type("session.deleted").is_terminal());
    assert!(by_type("session.status_terminated").is_terminal());
    assert!(!by_type("session.status_idle").is_terminal());
    assert!(by_type("user.interrupt").is_input() && by_type("system.message").is_input());
    assert!(!by_type("agent.message").is_input());
    let thread = by_type("session.thread_created");
    assert_eq!(thread.session_thread_id(), Some("sthr_2"));
    assert_eq!(thread.envelope().turn_id, Some("turn_019f"));
}

#[test]
fn unknown_type_is_kept_verbatim() {
    let raw = json!({"type": "agent.hologram", "id": "evt_x", "processed_at": null, "beam": [1, 2]});
    let ev = SessionEvent::from_value(raw.clone());
    match &ev {
        SessionEvent::Unknown { event_type, raw: kept } => {
            assert_eq!(event_type, "agent.hologram");
            assert_eq!(kept, &raw);
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(ev.id(), Some("evt_x"));
    assert_eq!(serde_json::to_value(&ev).unwrap(), raw);
    // Neither an object without `type` nor a non-object fails.
    assert_eq!(SessionEvent::from_value(json!({"id": "e"})).event_type(), "");
    assert_eq!(serde_json::from_str::<SessionEvent>("[1]").unwrap().event_type(), "");
}

#[test]
fn known_type_with_wrong_shape_falls_back_to_unknown() {
    let cases = [
        json!({"type": "agent.message", "id": "evt_1", "content": "plain string"}),
        json!({"type": "session.status_idle", "id": "evt_2"}),
        json!({"type": "user.tool_confirmation", "tool_use_id": 5, "result": "allow"}),
        json!({"type": "agent.artifact_delivered", "size": "big"}),
        json!({"type": "span.outcome_evaluation_start", "iteration": -1}),
    ];
    for raw in cases {
        let ev: SessionEvent = serde_json::from_value(raw.clone()).unwrap();
        assert!(matches!(&ev, SessionEvent::Unknown { raw: kept, .. } if kept == &raw), "{ev:?}");
        assert_eq!(ev.event_type(), raw["type"]);
        assert_eq!(serde_json::to_value(&ev).unwrap(), raw);
        assert!(SessionEvent::from_value_strict(raw).is_err());
    }
}

#[test]
fn unknown_fields_and_unknown_nested_shapes_are_kept() {
    let raw = json!({
        "type": "agent.message", "id": "evt_1", "future_field": {"a": [1, 2.5, null]},
        "content": [{"type": "text", "text": "hi", "citations": []}, {"type": "hologram", "beam": 1}]
    });
    let ev = SessionEvent::from_value(raw.clone());
    let SessionEvent::AgentMessage(m) = &ev else { panic!("{ev:?}") };
    assert_eq!(m.extra["future_field"], raw["future_field"]);
    assert!(matches!(&m.content[0], ContentBlock::Text(t) if t.extra.contains_key("citations")));
    assert!(matches!(&m.content[1], ContentBlock::Unknown(v) if v["beam"] == 1));
    assert_eq!(m.content[1].type_str(), "hologram");
    assert_eq!(serde_json::to_value(&ev).unwrap(), raw);

    let idle = json!({"type": "session.status_idle", "stop_reason": {"type": "sleeping", "until": "later"}});
    let ev = SessionEvent::from_value(idle.clone());
    assert!(matches!(ev.stop_reason(), Some(StopReason::Unknown(_))));
    assert_eq!(serde_json::to_value(&ev).unwrap(), idle);

    let tool = json!({"type": "agent.tool_use", "name": "bash", "input": {}, "evaluated_permission": "maybe"});
    let SessionEvent::AgentToolUse(t) = SessionEvent::from_value(tool.clone()) else { panic!() };
    assert_eq!(t.evaluated_permission, Some(EvaluatedPermission::Other("maybe".into())));
    assert_eq!(serde_json::to_value(&t).unwrap(), tool);
}

#[test]
fn explicit_nulls_survive_and_never_duplicate_keys() {
    let raw = json!({"type": "user.message", "id": "evt_1", "processed_at": null, "session_thread_id": null,
                     "content": [{"type": "text", "text": "queued"}]});
    let ev = SessionEvent::from_value(raw.clone());
    assert_eq!(ev.processed_at(), None);
    assert_eq!(serde_json::to_value(&ev).unwrap(), raw);

    let SessionEvent::UserMessage(mut m) = ev else { panic!() };
    m.processed_at = Some("2026-06-01T08:01:00Z".into());
    let text = serde_json::to_string(&m).unwrap();
    assert_eq!(text.matches("\"processed_at\"").count(), 1, "{text}");
    assert!(text.contains("\"processed_at\":\"2026-06-01T08:01:00Z\""));
    assert!(text.contains("\"session_thread_id\":null"));
}

#[test]
fn constructors_serialise_exactly_what_the_api_expects() {
    let cases = [
        (
            SessionEvent::user_message_text("Hello"),
            json!({"type": "user.message", "content": [{"type": "text", "text": "Hello"}]}),
        ),
        (SessionEvent::user_interrupt(), json!({"type": "user.interrupt"})),
        (
            SessionEvent::user_tool_confirmation(
                "evt_b5",
                ToolConfirmationResult::Deny,
                Some("Do not touch prod.".into()),
            ),
            json!({"type": "user.tool_confirmation", "tool_use_id": "evt_b5", "result": "deny", "deny_message": "Do not touch prod."}),
        ),
        (
            SessionEvent::user_tool_confirmation("evt_b5", ToolConfirmationResult::Allow, None)
                .with_session_thread_id("sthr_2"),
            json!({"type": "user.tool_confirmation", "session_thread_id": "sthr_2", "tool_use_id": "evt_b5", "result": "allow"}),
        ),
        (
            SessionEvent::user_custom_tool_result("evt_c1", vec![ContentBlock::text("42")]),
            json!({"type": "user.custom_tool_result", "custom_tool_use_id": "evt_c1", "content": [{"type": "text", "text": "42"}]}),
        ),
        (
            SessionEvent::user_define_outcome("Ship it", Rubric::file("file_r")),
            json!({"type": "user.define_outcome", "description": "Ship it", "rubric": {"type": "file", "file_id": "file_r"}}),
        ),
        (
            SessionEvent::system_message_text("Be brief."),
            json!({"type": "system.message", "content": [{"type": "text", "text": "Be brief."}]}),
        ),
        (
            SessionEvent::user_message(vec![
                ContentBlock::image(ContentSource::base64("image/png", "iVBOR")),
                ContentBlock::document(ContentSource::plain_text("notes")),
                ContentBlock::image(ContentSource::url("https://example.com/a.png")),
                ContentBlock::document(ContentSource::file("file_1")),
            ]),
            json!({"type": "user.message", "content": [
                {"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": "iVBOR"}},
                {"type": "document", "source": {"type": "text", "media_type": "text/plain", "data": "notes"}},
                {"type": "image", "source": {"type": "url", "url": "https://example.com/a.png"}},
                {"type": "document", "source": {"type": "file", "file_id": "file_1"}}
            ]}),
        ),
    ];
    for (ev, expected) in cases {
        assert_eq!(serde_json::to_value(&ev).unwrap(), expected);
        assert_eq!(SessionEvent::from_value(expected), ev);
    }
}

#[test]
fn send_response_page_decodes() {
    #[derive(serde::Deserialize)]
    struct Page {
        data: Vec<SessionEvent>,
    }
    let page: Page = serde_json::from_str(r#"{"data": [{"id": "evt_019f2c000000700000000000000000a1", "type": "user.message",
        "content": [{"type": "text", "text": "Summarise README.md"}], "session_id": "sess_019f", "session_thread_id": null,
        "turn_id": "turn_019f", "processed_at": "2026-06-01T08:01:00.000Z"}]}"#).unwrap();
    assert_eq!(page.data[0].id(), Some("evt_019f2c000000700000000000000000a1"));
    assert!(matches!(page.data[0], SessionEvent::UserMessage(_)));
}

/// The appendix B stream transcript, framed and decoded end to end.
#[test]
fn appendix_b_transcript_frames_and_decodes() {
    let transcript = concat!(
        ": keep-alive\n\n",
        "id: evt_a2\nevent: session.status_running\ndata: {\"id\":\"evt_a2\",\"type\":\"session.status_running\",\"processed_at\":\"2026-06-01T08:01:00.100Z\"}\n\n",
        "id: evt_a3\nevent: span.model_request_start\ndata: {\"id\":\"evt_a3\",\"type\":\"span.model_request_start\",\"processed_at\":\"2026-06-01T08:01:00.110Z\"}\n\n",
        "id: evt_a4\nevent: event_start\ndata: {\"type\":\"event_start\",\"event\":{\"type\":\"agent.message\",\"id\":\"evt_a4\"}}\n\n",
        "id: evt_a4\nevent: event_delta\ndata: {\"type\":\"event_delta\",\"event_id\":\"evt_a4\",\"delta\":{\"type\":\"content_delta\",\"index\":0,\"content\":{\"type\":\"text\",\"text\":\"The README \"}}}\n\n",
        "id: evt_a4\nevent: event_delta\ndata: {\"type\":\"event_delta\",\"event_id\":\"evt_a4\",\"delta\":{\"type\":\"content_delta\",\"index\":0,\"content\":{\"type\":\"text\",\"text\":\"explains setup.\"}}}\n\n",
        "id: evt_a4\nevent: agent.message\ndata: {\"id\":\"evt_a4\",\"type\":\"agent.message\",\"content\":[{\"type\":\"text\",\"text\":\"The README explains setup.\"}],\"processed_at\":\"2026-06-01T08:01:02.000Z\"}\n\n",
        "id: evt_a5\nevent: span.model_request_end\ndata: {\"id\":\"evt_a5\",\"type\":\"span.model_request_end\",\"model_request_start_id\":\"evt_a3\",\"is_error\":false,\"model_usage\":{\"input_tokens\":812,\"output_tokens\":9,\"cache_creation_input_tokens\":0,\"cache_read_input_tokens\":0},\"processed_at\":\"2026-06-01T08:01:02.010Z\"}\n\n",
        "id: evt_a6\nevent: session.status_idle\ndata: {\"id\":\"evt_a6\",\"type\":\"session.status_idle\",\"stop_reason\":{\"type\":\"end_turn\"},\"processed_at\":\"2026-06-01T08:01:02.020Z\"}\n\n",
    );
    let mut framer = SseFramer::default();
    let mut frames = Vec::new();
    for chunk in transcript.as_bytes().chunks(7) {
        framer.push(chunk, &mut frames).unwrap();
    }
    assert!(!framer.finish());
    assert_eq!(framer.comment_count(), 1);
    let events: Vec<SessionEvent> = frames.iter().map(|f| SessionEvent::from_json_slice(&f.data).unwrap()).collect();
    let types: Vec<&str> = events.iter().map(SessionEvent::event_type).collect();
    assert_eq!(
        types,
        [
            "session.status_running",
            "span.model_request_start",
            "event_start",
            "event_delta",
            "event_delta",
            "agent.message",
            "span.model_request_end",
            "session.status_idle",
        ]
    );
    assert!(events.iter().all(|e| !matches!(e, SessionEvent::Unknown { .. })));
    // The deltas' text concatenates to the buffered message that replaces them.
    let preview: String = events
        .iter()
        .filter_map(|e| match e {
            SessionEvent::EventDelta(d) => Some(d.delta.content.text.clone()),
            _ => None,
        })
        .collect();
    let SessionEvent::AgentMessage(final_msg) = &events[5] else { panic!() };
    assert_eq!(preview, final_msg.text());
    assert_eq!(frames.last().unwrap().last_event_id.as_deref(), Some("evt_a6"));
    assert!(matches!(events[7].stop_reason(), Some(StopReason::EndTurn(_))));
}

/// Fuzzing regression (K2): numbers survive decode → serialize → decode exactly
/// (serde_json's `float_roundtrip` makes float parsing correctly rounded).
#[test]
fn large_numbers_round_trip_exactly() {
    use qoder_cloud::models::event::SessionEvent;
    for raw in [
        r#"{"type":"agent.tool_use","name":"calc","input":{"x":300000000000000000000000}}"#,
        r#"{"type":"agent.tool_use","name":"calc","input":{"x":3e23,"y":0.1,"z":1.7976931348623157e308}}"#,
    ] {
        let first = SessionEvent::from_json_slice(raw.as_bytes()).unwrap();
        let text = serde_json::to_string(&first).unwrap();
        let second = SessionEvent::from_json_slice(text.as_bytes()).unwrap();
        assert_eq!(serde_json::to_value(&first).unwrap(), serde_json::to_value(&second).unwrap(), "{raw}");
        assert_eq!(text, serde_json::to_string(&second).unwrap());
    }
}
