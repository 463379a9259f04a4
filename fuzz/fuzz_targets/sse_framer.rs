//! Fuzzes `qoder_cloud::sse::SseFramer` with arbitrary bytes and arbitrary chunking.
//!
//! Input layout (see README.md, "Input formats"):
//! - byte 0 `ctl`: low 4 bits = number `n` of chunk-length bytes that follow (0..=15);
//!   bit 4 (0x10) = a cap byte follows, and `max_event_bytes = cap * 8` (0..=2040) instead of
//!   the 16 MiB default, to exercise the `EventTooLarge` path;
//! - [cap byte], then `n` chunk lengths (0..=255, used cyclically; 0 pushes an empty chunk);
//! - the rest is the SSE body.
//!
//! Invariants checked:
//! 1. no panic;
//! 2. the frames from pushing the whole body at once equal the frames from the chunked feed
//!    (event/id/data first, then every field), and so do the push results, the last event id,
//!    the retry value, the comment count, `bytes_received` and `finish()`'s verdict;
//! 3. per-frame rules from the module docs: no empty `event`, no NUL in `id`, a non-empty
//!    `last_event_id`, and the frame's `last_event_id` follows its own `id`;
//! 4. without a size error, both feeds equal a naive line-by-line reference parser written
//!    from the WHATWG rules (differential check);
//! 5. after `finish()`, the same framer reads the body again as a new connection and yields
//!    the same frames (the per-connection state really is reset).
#![no_main]

use libfuzzer_sys::fuzz_target;
use qoder_cloud::sse::{SseError, SseFrame, SseFramer, DEFAULT_MAX_EVENT_BYTES};

struct Outcome {
    frames: Vec<SseFrame>,
    err: Option<SseError>,
    last_event_id: Option<String>,
    retry: Option<u64>,
    comments: u64,
    bytes: u64,
    dangling: bool,
}

fn feed(f: &mut SseFramer, chunks: &[&[u8]]) -> Outcome {
    let mut frames = Vec::new();
    let mut err = None;
    for c in chunks {
        match f.push(c, &mut frames) {
            Ok(()) => assert!(err.is_none(), "push succeeded after an error"),
            // After an error every later push must report the same error.
            Err(e) => {
                if let Some(prev) = &err {
                    assert_eq!(prev, &e, "a failed framer changed its error");
                }
                err = Some(e);
            }
        }
    }
    let (last_event_id, retry, comments, bytes) =
        (f.last_event_id().map(str::to_owned), f.reconnection_time(), f.comment_count(), f.bytes_received());
    let dangling = f.finish();
    assert!(f.push(b"", &mut Vec::new()).is_ok(), "finish() did not clear the error");
    Outcome { frames, err, last_event_id, retry, comments, bytes, dangling }
}

fn check_frame(fr: &SseFrame) {
    assert_ne!(fr.event.as_deref(), Some(""), "empty event must be None");
    if let Some(id) = &fr.id {
        assert!(!id.contains('\0'), "id with NUL must be ignored");
        let want = if id.is_empty() { None } else { Some(id.as_str()) };
        assert_eq!(fr.last_event_id.as_deref(), want, "last_event_id must follow id");
    }
    assert_ne!(fr.last_event_id.as_deref(), Some(""), "empty last_event_id must be None");
    let _ = (fr.event_type(), fr.data_str(), fr.is_done(), fr.is_ping());
}

fn key(f: &SseFrame) -> (&Option<String>, &Option<String>, &[u8]) {
    (&f.event, &f.id, &f.data[..])
}

/// Naive reference: split into lines first, then interpret them (WHATWG event-stream rules).
fn reference(body: &[u8]) -> Outcome {
    let body = body.strip_prefix(b"\xEF\xBB\xBF".as_slice()).unwrap_or(body);
    let mut lines = Vec::new();
    let mut start = 0;
    let mut i = 0;
    while i < body.len() {
        match body[i] {
            b'\n' => {
                lines.push(&body[start..i]);
                start = i + 1;
            }
            b'\r' => {
                lines.push(&body[start..i]);
                if body.get(i + 1) == Some(&b'\n') {
                    i += 1;
                }
                start = i + 1;
            }
            _ => {}
        }
        i += 1;
    }
    let partial = start < body.len();

    let mut out = Vec::new();
    let (mut data, mut event, mut pid, mut pretry): (Option<Vec<u8>>, Option<String>, Option<String>, Option<u64>) =
        (None, None, None, None);
    let (mut in_frame, mut last, mut retry, mut comments) = (false, None::<String>, None, 0u64);
    for line in lines {
        if line.is_empty() {
            if let Some(id) = &pid {
                last = if id.is_empty() { None } else { Some(id.clone()) };
            }
            if let Some(d) = data.take() {
                out.push(SseFrame {
                    event: event.take().filter(|e| !e.is_empty()),
                    id: pid.take(),
                    last_event_id: last.clone(),
                    data: d.into(),
                    retry: pretry.take(),
                });
            }
            (event, pid, pretry, in_frame) = (None, None, None, false);
            continue;
        }
        if line[0] == b':' {
            comments += 1;
            continue;
        }
        in_frame = true;
        let (name, value) = match line.iter().position(|&b| b == b':') {
            Some(c) => {
                let v = &line[c + 1..];
                (&line[..c], v.strip_prefix(b" ".as_slice()).unwrap_or(v))
            }
            None => (line, &b""[..]),
        };
        match name {
            b"data" => match &mut data {
                Some(d) => {
                    d.push(b'\n');
                    d.extend_from_slice(value);
                }
                None => data = Some(value.to_vec()),
            },
            b"event" => event = Some(String::from_utf8_lossy(value).into_owned()),
            b"id" if !value.contains(&0) => pid = Some(String::from_utf8_lossy(value).into_owned()),
            b"retry" => {
                if !value.is_empty() && value.iter().all(u8::is_ascii_digit) {
                    if let Ok(ms) = std::str::from_utf8(value).unwrap().parse::<u64>() {
                        retry = Some(ms);
                        pretry = Some(ms);
                    }
                }
            }
            _ => {}
        }
    }
    Outcome { frames: out, err: None, last_event_id: last, retry, comments, bytes: 0, dangling: partial || in_frame }
}

fn split<'a>(body: &'a [u8], lens: &[u8]) -> Vec<&'a [u8]> {
    let mut chunks = Vec::new();
    let mut rest = body;
    if !lens.is_empty() {
        let mut progress_in_cycle = false;
        for (i, &l) in lens.iter().cycle().enumerate() {
            if rest.is_empty() {
                break;
            }
            if i % lens.len() == 0 {
                if i > 0 && !progress_in_cycle {
                    break; // all lengths are 0: push the remainder below
                }
                progress_in_cycle = false;
            }
            let n = (l as usize).min(rest.len());
            progress_in_cycle |= n > 0;
            let (a, b) = rest.split_at(n);
            chunks.push(a);
            rest = b;
        }
    }
    if !rest.is_empty() {
        chunks.push(rest);
    }
    chunks
}

fuzz_target!(|input: &[u8]| {
    let Some((&ctl, mut rest)) = input.split_first() else { return };
    let mut max = DEFAULT_MAX_EVENT_BYTES;
    if ctl & 0x10 != 0 {
        let Some((&cap, r)) = rest.split_first() else { return };
        max = cap as usize * 8;
        rest = r;
    }
    let n = ((ctl & 0x0f) as usize).min(rest.len());
    let (lens, body) = rest.split_at(n);

    let mut whole_f = SseFramer::new(max);
    let whole = feed(&mut whole_f, &[body]);
    let chunks = split(body, lens);
    let mut chunked_f = SseFramer::new(max);
    let chunked = feed(&mut chunked_f, &chunks);

    // The brief's invariant first: same event/id/data, in the same order.
    let wk: Vec<_> = whole.frames.iter().map(key).collect();
    let ck: Vec<_> = chunked.frames.iter().map(key).collect();
    assert_eq!(
        wk,
        ck,
        "chunking changed the frames (chunks: {:?})",
        chunks.iter().map(|c| c.len()).collect::<Vec<_>>()
    );
    assert_eq!(whole.frames, chunked.frames, "chunking changed last_event_id/retry of a frame");
    assert_eq!(whole.err, chunked.err, "chunking changed the error");
    assert_eq!(whole.last_event_id, chunked.last_event_id);
    assert_eq!(whole.retry, chunked.retry);
    assert_eq!(whole.comments, chunked.comments);
    assert_eq!(whole.bytes, body.len() as u64);
    if whole.err.is_none() {
        // (After an error, refused pushes are not counted, so this only holds without one.)
        assert_eq!(chunked.bytes, body.len() as u64);
        assert_eq!(whole.dangling, chunked.dangling, "chunking changed finish()");
    }
    for fr in &whole.frames {
        check_frame(fr);
    }
    match &whole.err {
        Some(SseError::EventTooLarge { limit }) => assert_eq!(*limit, max),
        Some(_) => {}
        None => {
            let r = reference(body);
            let rk: Vec<_> = r.frames.iter().map(key).collect();
            assert_eq!(wk, rk, "framer disagrees with the reference parser");
            assert_eq!(whole.frames, r.frames, "framer disagrees with the reference parser");
            assert_eq!(whole.last_event_id, r.last_event_id);
            assert_eq!(whole.retry, r.retry);
            assert_eq!(whole.comments, r.comments);
            assert_eq!(whole.dangling, r.dangling, "finish() disagrees with the reference");
        }
    }

    // Second connection on the same framers: per-connection state must have been reset, so the
    // same body yields the same frames (ids are absolute, so only the inherited last id differs
    // for frames before the first `id:`; compare event/id/data).
    let again = feed(&mut chunked_f, &chunks);
    let ak: Vec<_> = again.frames.iter().map(key).collect();
    assert_eq!(ak, wk, "a second connection on a finished framer read the body differently");
    assert_eq!(again.err, whole.err);
});
