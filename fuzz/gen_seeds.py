#!/usr/bin/env python3
"""Writes the hand-made seed corpus (fuzz/corpus/<target>/) and dictionaries (fuzz/dicts/).

The seeds are committed; this script documents how they were made and regenerates them
(`python3 fuzz/gen_seeds.py`). Each target's input layout is described in its source file and in
README.md. Keep the corpus small: the corpus grown by fuzzing lives in fuzz/work-corpus/ and is
not committed.
"""
import calendar
import email.utils
import json
import os
import shutil
import struct

HERE = os.path.dirname(os.path.abspath(__file__))
CORPUS = os.path.join(HERE, "corpus")
DICTS = os.path.join(HERE, "dicts")


def write(target, name, data):
    d = os.path.join(CORPUS, target)
    os.makedirs(d, exist_ok=True)
    if isinstance(data, str):
        data = data.encode()
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def j(obj):
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False)


# ---- sse_framer --------------------------------------------------------------------------
# byte 0: low 4 bits = number of chunk-length bytes; 0x10 = a cap byte follows (cap*8 bytes)

E = "evt_019f2c000000700000000000000000a"
TRANSCRIPT = f""": keep-alive

id: {E}2
event: session.status_running
data: {{"id":"{E}2","type":"session.status_running","processed_at":"2026-06-01T08:01:00.100Z"}}

id: {E}3
event: span.model_request_start
data: {{"id":"{E}3","type":"span.model_request_start","processed_at":"2026-06-01T08:01:00.110Z"}}

id: {E}4
event: event_start
data: {{"type":"event_start","event":{{"type":"agent.message","id":"{E}4"}}}}

id: {E}4
event: event_delta
data: {{"type":"event_delta","event_id":"{E}4","delta":{{"type":"content_delta","index":0,"content":{{"type":"text","text":"The README "}}}}}}

id: {E}4
event: event_delta
data: {{"type":"event_delta","event_id":"{E}4","delta":{{"type":"content_delta","index":0,"content":{{"type":"text","text":"explains setup."}}}}}}

id: {E}4
event: agent.message
data: {{"id":"{E}4","type":"agent.message","content":[{{"type":"text","text":"The README explains setup."}}],"processed_at":"2026-06-01T08:01:02.000Z"}}

id: {E}5
event: span.model_request_end
data: {{"id":"{E}5","type":"span.model_request_end","model_request_start_id":"{E}3","is_error":false,"model_usage":{{"input_tokens":812,"output_tokens":9,"cache_creation_input_tokens":0,"cache_read_input_tokens":0}},"processed_at":"2026-06-01T08:01:02.010Z"}}

id: {E}6
event: session.status_idle
data: {{"id":"{E}6","type":"session.status_idle","stop_reason":{{"type":"end_turn"}},"processed_at":"2026-06-01T08:01:02.020Z"}}

"""
FRAME = 'id: evt_1\nevent: agent.message\ndata: {"id":"evt_1","type":"agent.message","content":[{"type":"text","text":"Hello"}]}\n\n'


def sse(name, body, lens=(), cap=None):
    ctl = len(lens) & 0x0F
    head = bytearray()
    if cap is not None:
        ctl |= 0x10
        head.append(cap)
    if isinstance(body, str):
        body = body.encode()
    write("sse_framer", name, bytes([ctl]) + bytes(head) + bytes(lens) + body)


sse("transcript_whole", TRANSCRIPT)
sse("transcript_fib_chunks", TRANSCRIPT, (1, 2, 3, 5, 8, 13, 21, 34, 55, 89))
sse("transcript_crlf_bytewise", TRANSCRIPT.replace("\n", "\r\n"), (1,))
sse("transcript_cr_only", TRANSCRIPT.replace("\n", "\r"), (7, 3))
sse("bom_split", b"\xef\xbb\xbf" + FRAME.encode(), (1, 1, 1, 1))
sse("bom_partial_then_text", b"\xef\xbbdata: x\n\n", (1, 0, 1))
sse("multiline_data", "data: line one\ndata: line two\ndata:\ndata:no-space\n\n", (4, 9))
sse("comments_and_ping", ": hb\n:\nevent: ping\ndata: {}\n\n: hb\n" + FRAME, (16,))
sse("done_sentinel", FRAME + "data: [DONE]\n\n")
sse("retry_fields", "retry: 3000\nretry: 12x\nretry:\nretry: 99999999999999999999999\ndata: r\n\n", (5,))
sse("id_reset_and_nul", "id: evt_a\ndata: a\n\nid\ndata: b\n\nid: bad\x00id\ndata: c\n\nid: evt_d\n\n", (3, 1))
sse("field_without_colon", "data\n\nevent\ndata\n\nunknown: field\nevent:  two spaces\ndata:  x\n\n", (2,))
sse("empty_event_name", "event:\ndata: e\n\nevent: \ndata: f\n\n")
sse("error_frame", 'event: error\ndata: {"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}\n\n', (11, 2))
sse("dangling_frame", FRAME + "id: evt_2\ndata: {\"partial\":", (30,))
sse("dangling_partial_line", FRAME + "data: no newline at eof", (0, 40))
sse("blank_lines_only", "\n\r\n\r\r\n\n")
sse("crlf_split_everywhere", "data: a\r\n\r\ndata: b\r\rdata: c\n\r\n", (1, 2, 1))
sse("cap_exceeded", "data: " + "x" * 80 + "\n\n" + FRAME, (5, 9), cap=4)
sse("cap_exact", "data: 12345678\n\n" + "data: " + "y" * 40 + "\n\n", (3,), cap=2)
sse("cap_multiline_sum", "data: aaaa\ndata: bbbb\ndata: cccc\n\n", (7,), cap=2)
sse("cap_zero", "data: a\n\n", (), cap=0)
sse("invalid_utf8_fields", b"event: \xff\xfe\nid: \xc3\x28\ndata: \x80\x81\n\n", (2,))
sse("many_frames_bytewise", "data: 1\n\ndata: 2\n\nid: 3\ndata: 3\n\n" * 4, (1,))
sse("empty", "")

# ---- event_decode ------------------------------------------------------------------------
ENV = {
    "id": "evt_019f2c000000700000000000000000b1",
    "session_id": "sess_019f2c0000007000000000000000001",
    "turn_id": "turn_019f2c0000007000000000000000001",
    "created_at": "2026-06-01T08:01:00.000Z",
    "processed_at": "2026-06-01T08:01:00.100Z",
    "schema_version": "1.0",
}
TEXT = [{"type": "text", "text": "Summarise README.md"}]
EVENTS = {
    "user.message": {"content": TEXT + [
        {"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": "iVBORw0KGgo="}},
        {"type": "document", "source": {"type": "text", "media_type": "text/plain", "data": "doc"}, "title": "t", "context": "c"},
        {"type": "document", "source": {"type": "url", "url": "https://example.com/a.pdf"}},
        {"type": "image", "source": {"type": "file", "file_id": "file_1"}},
        {"type": "redacted"}], "file_attachments": [{"file_id": "file_1"}], "session_thread_id": None},
    "user.interrupt": {"session_thread_id": "sthr_1"},
    "user.tool_confirmation": {"tool_use_id": "evt_b5", "result": "deny", "deny_message": "Do not touch prod."},
    "user.custom_tool_result": {"custom_tool_use_id": "evt_b6", "content": [{"type": "text", "text": "42"}], "is_error": False},
    "user.define_outcome": {"description": "ship it", "rubric": {"type": "text", "content": "tests pass"}, "max_iterations": 3, "outcome_id": "outc_1"},
    "user.tool_result": {"tool_use_id": "evt_b7", "content": [{"type": "search_result", "source": "https://x", "title": "x", "content": [{"type": "text", "text": "r"}], "citations": {"enabled": True}}], "is_error": True},
    "system.message": {"content": [{"type": "text", "text": "Be brief."}]},
    "agent.message": {"content": [{"type": "text", "text": "The README explains setup."}, {"type": "redacted"}], "message_id": "msg_1"},
    "agent.thinking": {"thinking": "hmm"},
    "agent.tool_use": {"name": "bash", "input": {"command": "ls -la", "n": 1.5}, "evaluated_permission": "ask", "session_thread_id": "sthr_2"},
    "agent.tool_result": {"tool_use_id": "evt_b5", "content": [{"type": "text", "text": "ok"}], "is_error": None},
    "agent.mcp_tool_use": {"name": "search", "mcp_server_name": "docs", "input": {}, "evaluated_permission": "allow"},
    "agent.mcp_tool_result": {"mcp_tool_use_id": "evt_b8", "content": [{"type": "text", "text": "found"}]},
    "agent.custom_tool_use": {"name": "lookup", "input": {"q": "x"}},
    "agent.thread_message_sent": {"to_session_thread_id": "sthr_3", "to_agent_name": "helper", "content": TEXT},
    "agent.thread_message_received": {"from_session_thread_id": "sthr_3", "from_agent_name": "helper", "content": TEXT},
    "agent.thread_context_compacted": {},
    "agent.artifact_delivered": {"file_id": "file_9", "original_filename": "out.zip", "size": 1024, "content_type": "application/zip"},
    "session.status_running": {},
    "session.status_idle": {"stop_reason": {"type": "requires_action", "event_ids": ["evt_b5", "evt_b6"]}},
    "session.status_rescheduled": {},
    "session.status_terminated": {},
    "session.error": {"error": {"type": "model_overloaded_error", "message": "busy", "retry_status": {"type": "retrying"}, "qoder_error_code": 1234, "mcp_server_name": None}},
    "session.deleted": {},
    "session.updated": {"title": "New", "metadata": {"k": "v"}},
    "session.usage": {"usage": {"input_tokens": 10, "output_tokens": 5, "cache_creation": {"ephemeral_5m_input_tokens": 0}, "active_seconds": 3.25}, "total_credits": 0.5},
    "session.thread_created": {"session_thread_id": "sthr_4", "agent_name": "helper"},
    "session.thread_status_running": {"session_thread_id": "sthr_4", "agent_name": "helper"},
    "session.thread_status_idle": {"session_thread_id": "sthr_4", "agent_name": "helper", "stop_reason": {"type": "retries_exhausted"}},
    "session.thread_status_rescheduled": {"session_thread_id": "sthr_4", "agent_name": "helper"},
    "session.thread_status_terminated": {"session_thread_id": "sthr_4", "agent_name": "helper"},
    "span.model_request_start": {},
    "span.model_request_end": {"model_request_start_id": "evt_a3", "is_error": None, "model_usage": {"input_tokens": 812, "output_tokens": 9, "cache_creation_input_tokens": 0, "cache_read_input_tokens": 0, "speed": "fast", "credits": 0.125}},
    "span.outcome_evaluation_start": {"outcome_id": "outc_1", "iteration": 0},
    "span.outcome_evaluation_ongoing": {"outcome_id": "outc_1", "iteration": 1},
    "span.outcome_evaluation_end": {"outcome_evaluation_start_id": "evt_c1", "outcome_id": "outc_1", "iteration": 2, "result": "needs_revision", "explanation": "more tests", "usage": {"input_tokens": 1}},
    "event_start": {"event": {"type": "agent.message", "id": "evt_a4"}},
    "event_delta": {"event_id": "evt_a4", "delta": {"type": "content_delta", "index": 0, "content": {"type": "text", "text": "The README "}}},
}
PREVIEWS = {"event_start", "event_delta"}
for t, fields in EVENTS.items():
    ev = {"type": t}
    if t not in PREVIEWS:
        ev.update(ENV)
    ev.update(fields)
    write("event_decode", t.replace(".", "_"), j(ev))
extra = [
    ("queued_input_null_processed_at", {"type": "user.message", "id": "evt_q", "processed_at": None, "content": TEXT}),
    ("unknown_type_kept", {"type": "agent.brand_new", "id": "evt_n", "foo": [1, 2, {"bar": None}]}),
    ("known_type_bad_shape", {"type": "session.status_idle", "id": "evt_x", "stop_reason": "end_turn"}),
    ("missing_required_field", {"type": "user.tool_confirmation", "result": "allow"}),
    ("unknown_enum_values", {"type": "user.tool_confirmation", "tool_use_id": "t", "result": "maybe"}),
    ("unknown_block_and_source", {"type": "agent.message", "content": [{"type": "video", "src": "x"}, {"type": "image", "source": {"type": "s3", "bucket": "b"}}, {"type": "text"}]}),
    ("unknown_stop_reason", {"type": "session.status_idle", "stop_reason": {"type": "paused", "until": 5}}),
    ("file_rubric", {"type": "user.define_outcome", "description": "d", "rubric": {"type": "file", "file_id": "file_r"}}),
    ("budget_reached", {"type": "session.status_idle", "stop_reason": {"type": "budget_reached"}}),
    ("error_terminal", {"type": "session.error", "error": {"type": "billing_error", "retry_status": {"type": "terminal"}, "vault_id": "vlt_1", "credential_id": "vcrd_1"}}),
    ("nulls_everywhere", {"type": "agent.tool_use", "name": "bash", "input": None, "evaluated_permission": None, "id": None, "turn_id": None}),
    ("type_not_string", {"type": 7, "id": "evt_7"}),
    ("no_type", {"id": "evt_8", "content": []}),
    ("wrong_field_types", {"type": "span.model_request_end", "model_usage": {"input_tokens": -1, "credits": "x"}}),
    ("big_numbers", {"type": "span.outcome_evaluation_start", "outcome_id": "o", "iteration": 18446744073709551615, "x": -9223372036854775808, "y": 1e300}),
    ("unicode_text", {"type": "agent.message", "content": [{"type": "text", "text": "héllo \u2028 \U0001F600 \\u0000"}]}),
]
for name, ev in extra:
    write("event_decode", name, j(ev))
write("event_decode", "duplicate_keys", '{"type":"agent.message","content":[],"type":"agent.thinking"}')
write("event_decode", "non_object_array", '[{"type":"agent.message"}]')
write("event_decode", "non_object_scalars", '"agent.message"')
write("event_decode", "escaped_type", '{"type":"agent\\u002emessage","content":[{"type":"t\\u0065xt","text":"\\ud83d\\ude00"}]}')
write("event_decode", "invalid_json_truncated", '{"type":"agent.message","content":[{"type":"te')

# ---- error_envelope ----------------------------------------------------------------------
# bytes 0..2 = status (BE), byte 2 = flags (bit 0: x-request-id header present), rest = body


def err(name, status, body, header_id=False):
    if isinstance(body, (dict, list)):
        body = j(body)
    if isinstance(body, str):
        body = body.encode()
    write("error_envelope", name, struct.pack(">HB", status, 1 if header_id else 0) + body)


RID = "5f0c3b8e-9d1a-4c57-8e2f-0a6b7c8d9e10"
for status, etype, msg, extra_f in [
    (400, "invalid_request_error", "Missing required field: name", {"param": "name", "code": "optional_machine_code"}),
    (401, "authentication_error", "invalid token", {}),
    (403, "permission_error", "no access", {}),
    (404, "not_found_error", "Session 'sess_x' was not found.", {"code": "session_not_found"}),
    (409, "conflict_error", "Version mismatch: expected 3, got 2", {"param": "version"}),
    (410, "not_found_error", "file deleted", {}),
    (413, "request_too_large", "too big", {}),
    (422, "invalid_request_error", "semantically invalid", {}),
    (429, "rate_limit_error", "slow down", {}),
    (500, "api_error", "internal", {}),
    (502, "api_error", "runtime unavailable", {"code": "runtime_unavailable"}),
    (503, "overloaded_error", "model catalog unavailable", {}),
    (529, "overloaded_error", "Overloaded", {}),
    (418, "rate_limit_error", "teapot", {}),
]:
    e = {"type": etype, "message": msg}
    e.update(extra_f)
    err(f"status_{status}", status, {"type": "error", "request_id": RID, "error": e}, header_id=(status == 429))
err("html_502", 502, "<html><body><h1>502 Bad Gateway</h1></body></html>")
err("plain_404", 404, "404 page not found\n")
err("empty_body_503", 503, "")
err("whitespace_body", 500, " \r\n\t ")
err("long_multibyte", 400, "é" * 150 + "😀" * 100)
err("invalid_utf8", 400, b'{"error":{"message":"\xff\xfe"}}\xc3')
err("error_not_object", 400, {"type": "error", "error": "bad"})
err("error_null", 400, {"error": None, "request_id": 5})
err("fields_wrong_types", 400, {"error": {"type": 1, "message": ["m"], "param": {}, "code": None}, "request_id": ["r"]})
err("stream_envelope_flat", 0, {"type": "overloaded_error", "message": "flat, no wrapper"})
err("stream_api_error", 200, {"type": "error", "error": {"type": "api_error", "message": "boom"}, "request_id": "req_s"})
err("status_zero", 0, {"error": {"type": "conflict_error"}})
err("status_max", 65535, {"error": {"type": "internal_error", "message": ""}})
err("status_3xx", 304, "")
err("array_body", 400, [1, 2, {"error": {}}])

# ---- retry_after -------------------------------------------------------------------------
# byte 0 flags (bit0 safe; bits 1/2/3 omit retry-after / retry-after-ms / x-should-retry),
# bytes 1..3 status BE, 3..7 now (u32 BE epoch secs), 7 attempt, rest "ra\nra_ms\nxsr"
NOW = calendar.timegm((2026, 6, 1, 8, 0, 0, 0, 0, 0))


def ra(name, status, ra_v=None, ms=None, xsr=None, safe=True, now=NOW, attempt=0):
    flags = (1 if safe else 0) | (2 if ra_v is None else 0) | (4 if ms is None else 0) | (8 if xsr is None else 0)
    vals = "\n".join(v or "" for v in (ra_v, ms, xsr))
    write("retry_after", name, struct.pack(">BHIB", flags, status, now, attempt) + vals.encode("latin-1"))


def http_date(ts):
    return email.utils.formatdate(ts, usegmt=True)


ra("seconds_int", 429, "2")
ra("seconds_float", 503, "1.5", attempt=1)
ra("seconds_zero", 503, "0")
ra("seconds_negative", 503, "-1")
ra("seconds_garbage", 503, "soon")
ra("seconds_too_big", 503, "99999999999")
ra("seconds_at_cap", 503, "4294967")
ra("seconds_exp", 503, "1e3")
ra("seconds_tiny", 503, "0.0000000001")
ra("seconds_nan_inf", 503, " inf ")
ra("ms_wins", 429, "5", "10", safe=False)
ra("ms_float", 500, None, "250.75")
ra("ms_nan", 500, "3", "NaN")
ra("ms_tiny", 500, None, "1e-7")
ra("ms_huge", 500, "7", "1e300")
ra("date_future_imf", 503, http_date(NOW + 30))
ra("date_past", 503, http_date(NOW - 30))
ra("date_now", 503, http_date(NOW))
ra("date_rfc850", 503, "Monday, 01-Jun-26 08:00:45 GMT")
ra("date_asctime", 503, "Mon Jun  1 08:01:00 2026")
ra("date_far_future", 503, "Fri, 31 Dec 9999 23:59:59 GMT", now=0)
ra("date_epoch", 503, "Thu, 01 Jan 1970 00:00:00 GMT", now=0)
ra("xsr_true_400", 400, xsr="true")
ra("xsr_true_unsafe", 400, xsr="true", safe=False)
ra("xsr_false_503", 503, xsr="false")
ra("xsr_true_409", 409, xsr="true")
ra("xsr_upper", 503, xsr="TRUE", safe=False)
ra("all_three", 429, "Mon, 01 Jun 2026 08:00:10 GMT", "1500", "true", safe=False, attempt=20)
ra("obs_text_value", 503, "\xe9\xff", "\x80")
ra("status_408", 408)
ra("status_max", 65535, attempt=255)


# ---- dictionaries ------------------------------------------------------------------------
def dict_file(target, tokens):
    os.makedirs(DICTS, exist_ok=True)
    with open(os.path.join(DICTS, target + ".dict"), "w") as f:
        f.write(f"# libFuzzer dictionary for {target} (generated by gen_seeds.py)\n")
        for t in tokens:
            if isinstance(t, str):
                t = t.encode("utf-8")
            esc = "".join(chr(b) if 0x20 <= b < 0x7F and b not in b'"\\' else f"\\x{b:02x}" for b in t)
            f.write(f'"{esc}"\n')


dict_file("sse_framer", ["data:", "data: ", "event:", "event: ", "id:", "id: ", "retry:", "retry: ", ":",
                         "\n", "\r", "\r\n", "\n\n", "\r\n\r\n", "\xef\xbb\xbf".encode("latin-1"), "[DONE]",
                         "ping", "error", "\x00", "18446744073709551616"])
keys = sorted({k for f in EVENTS.values() for k in f} | set(ENV) | {
    "type", "content", "text", "source", "media_type", "data", "url", "file_id", "title", "context",
    "citations", "enabled", "event_ids", "retry_status", "message", "delta", "index", "event",
    "model_usage", "credits", "input_tokens", "rubric", "session_thread_id"})
types = list(EVENTS) + ["text", "image", "document", "redacted", "search_result", "base64", "url",
                        "file", "end_turn", "requires_action", "retries_exhausted", "budget_reached",
                        "content_delta", "retrying", "exhausted", "terminal", "allow", "ask", "deny"]
dict_file("event_decode", [f'"{k}":' for k in keys] + [f'"{t}"' for t in types] +
          ["null", "true", "false", "{}", "[]", "\\u0000", "1e999", "-0", "18446744073709551616"])
dict_file("error_envelope", ['"error":', '"type":', '"message":', '"param":', '"code":', '"request_id":',
                             '"invalid_request_error"', '"authentication_error"', '"permission_error"',
                             '"not_found_error"', '"conflict_error"', '"request_too_large"',
                             '"request_too_large_error"', '"rate_limit_error"', '"overloaded_error"',
                             '"api_error"', '"internal_error"', "null", "<html>"])
dict_file("retry_after", ["GMT", "Mon, ", "Sunday, ", "Jan", "Feb", "Dec", " 00:00:00 ", "1970", "2026", "9999",
                          "-Jun-26 ", "NaN", "inf", "infinity", "e-", "e+", "4294967", "4294967000",
                          "true", "false", "0.", "\n"])

if __name__ == "__main__":
    for t in sorted(os.listdir(CORPUS)):
        print(t, len(os.listdir(os.path.join(CORPUS, t))))
