//! Property-style tests of the SSE framer with a deterministic PRNG: random streams, split at
//! random points, must give the same frames as one push and as a simple reference parser
//! written straight from the WHATWG rules.

use qoder_cloud::sse::{SseError, SseFrame, SseFramer};

/// SplitMix64: tiny, deterministic, good enough to drive test inputs.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// Feeds `input` split into the given chunk lengths; returns frames and the EOF report.
fn run(input: &[u8], cuts: &[usize], max: usize) -> (Vec<SseFrame>, bool) {
    let mut framer = SseFramer::new(max);
    let mut out = Vec::new();
    let mut rest = input;
    for &n in cuts {
        let n = n.min(rest.len());
        framer.push(&rest[..n], &mut out).unwrap();
        rest = &rest[n..];
    }
    framer.push(rest, &mut out).unwrap();
    let dangling = framer.finish();
    (out, dangling)
}

fn run_whole(input: &[u8]) -> (Vec<SseFrame>, bool) {
    run(input, &[], usize::MAX)
}

/// Reference parser: whole input at once, no cleverness.
fn reference(input: &[u8]) -> (Vec<SseFrame>, bool) {
    let input = input.strip_prefix(b"\xEF\xBB\xBF".as_slice()).unwrap_or(input);
    let mut lines: Vec<&[u8]> = Vec::new();
    let (mut start, mut i) = (0, 0);
    while i < input.len() {
        match input[i] {
            b'\n' => {
                lines.push(&input[start..i]);
                start = i + 1;
            }
            b'\r' => {
                lines.push(&input[start..i]);
                if input.get(i + 1) == Some(&b'\n') {
                    i += 1;
                }
                start = i + 1;
            }
            _ => {}
        }
        i += 1;
    }
    let partial = start < input.len();
    let mut frames = Vec::new();
    let (mut data, mut event, mut id, mut retry): (Option<Vec<u8>>, String, Option<String>, Option<u64>) =
        (None, String::new(), None, None);
    let mut last_id: Option<String> = None;
    let mut in_frame = false;
    for line in lines {
        if line.is_empty() {
            if let Some(i) = &id {
                last_id = if i.is_empty() { None } else { Some(i.clone()) };
            }
            if let Some(d) = data.take() {
                frames.push(SseFrame {
                    event: if event.is_empty() { None } else { Some(event.clone()) },
                    id: id.clone(),
                    last_event_id: last_id.clone(),
                    data: d.into(),
                    retry,
                });
            }
            event.clear();
            id = None;
            retry = None;
            in_frame = false;
            continue;
        }
        if line[0] == b':' {
            continue;
        }
        in_frame = true;
        let (name, mut value) = match line.iter().position(|&b| b == b':') {
            Some(c) => (&line[..c], &line[c + 1..]),
            None => (line, &b""[..]),
        };
        if value.first() == Some(&b' ') {
            value = &value[1..];
        }
        match name {
            b"data" => match &mut data {
                Some(d) => {
                    d.push(b'\n');
                    d.extend_from_slice(value);
                }
                None => data = Some(value.to_vec()),
            },
            b"event" => event = String::from_utf8_lossy(value).into_owned(),
            b"id" if !value.contains(&0) => id = Some(String::from_utf8_lossy(value).into_owned()),
            b"retry" if !value.is_empty() && value.iter().all(u8::is_ascii_digit) => {
                if let Ok(v) = std::str::from_utf8(value).unwrap().parse() {
                    retry = Some(v);
                }
            }
            _ => {}
        }
    }
    (frames, partial || in_frame)
}

/// A random stream built from SSE-ish pieces, with every line-ending style and odd bytes.
fn random_stream(rng: &mut Rng) -> Vec<u8> {
    const PIECES: &[&[u8]] = &[
        b"data: {\"type\":\"agent.message\"}",
        b"data:x",
        b"data",
        b"data: ",
        b"data:  two spaces",
        b"id: evt_1",
        b"id: evt_2",
        b"id:",
        b"id: a\0b",
        b"event: agent.message",
        b"event:",
        b"retry: 1500",
        b"retry: x1",
        b": keep-alive",
        b":",
        b"unknown: field",
        b"dat",
        b"a: b",
        b"\xEF\xBB\xBF",
        b"\xff\xfe",
        b"\0",
        b"\xc3\xa9t\xc3\xa9",
    ];
    const ENDS: &[&[u8]] = &[b"\n", b"\r", b"\r\n", b"\n\n", b"\r\r", b"\r\n\r\n", b""];
    let mut s = Vec::new();
    if rng.below(3) == 0 {
        s.extend_from_slice(b"\xEF\xBB\xBF");
    }
    for _ in 0..rng.below(40) {
        s.extend_from_slice(PIECES[rng.below(PIECES.len())]);
        s.extend_from_slice(ENDS[rng.below(ENDS.len())]);
    }
    s
}

fn random_cuts(rng: &mut Rng, len: usize) -> Vec<usize> {
    let mut cuts = Vec::new();
    let mut total = 0;
    while total < len {
        let n = match rng.below(4) {
            0 => 0,
            1 => 1,
            2 => rng.below(4),
            _ => rng.below(len + 1),
        };
        cuts.push(n);
        total += n;
    }
    cuts
}

#[test]
fn any_split_gives_the_same_frames_as_the_reference() {
    let mut rng = Rng(0x5eed);
    let (mut frames, mut dangling) = (0, 0);
    for case in 0..3000 {
        let input = random_stream(&mut rng);
        let expected = reference(&input);
        frames += expected.0.len();
        dangling += usize::from(expected.1);
        assert_eq!(run_whole(&input), expected, "case {case}: {:?}", String::from_utf8_lossy(&input));
        for _ in 0..4 {
            let cuts = random_cuts(&mut rng, input.len());
            assert_eq!(run(&input, &cuts, usize::MAX), expected, "case {case} cuts {cuts:?}");
        }
        let bytewise = vec![1; input.len()];
        assert_eq!(run(&input, &bytewise, usize::MAX), expected, "case {case} byte by byte");
    }
    // Guard against a generator that stopped producing interesting input.
    assert!(frames > 3000 && dangling > 300 && dangling < 2700, "frames {frames}, dangling {dangling}");
}

#[test]
fn random_bytes_never_panic() {
    let mut rng = Rng(42);
    for _ in 0..2000 {
        let len = rng.below(300);
        const ALPHABET: &[u8] = b"\r\n:da tiyevnr\0\xEF\xBB\xBF";
        let input: Vec<u8> = (0..len).map(|_| ALPHABET[rng.below(ALPHABET.len())]).collect();
        let max = rng.below(64);
        let mut framer = SseFramer::new(max);
        let mut out = Vec::new();
        let mut rest = &input[..];
        while !rest.is_empty() {
            let n = rng.below(rest.len() + 1);
            if framer.push(&rest[..n], &mut out).is_err() {
                framer.finish();
            }
            rest = &rest[n..];
        }
        framer.finish();
    }
}

#[test]
fn crlf_split_across_chunks_is_one_line_ending() {
    let (frames, dangling) = run(b"data: a\r\ndata: b\r\n\r\n", &[8, 9, 1], usize::MAX);
    assert!(!dangling);
    assert_eq!(frames.len(), 1);
    assert_eq!(&frames[0].data[..], b"a\nb");
    // A lone CR at a chunk end followed by a non-LF byte is a line end on its own.
    let (frames, _) = run(b"data: a\r\rdata: b\n\n", &[8], usize::MAX);
    assert_eq!(frames.len(), 2);
}

#[test]
fn bom_is_stripped_once_even_when_split() {
    let input = b"\xEF\xBB\xBFdata: x\n\n";
    for cut in 0..input.len() {
        let (frames, _) = run(input, &[cut, 1], usize::MAX);
        assert_eq!(frames.len(), 1, "cut at {cut}");
        assert_eq!(&frames[0].data[..], b"x");
    }
    // A second BOM is part of the field name, so the line is an unknown field.
    let (frames, _) = run_whole(b"\xEF\xBB\xBF\xEF\xBB\xBFdata: x\n\n");
    assert!(frames.is_empty());
}

#[test]
fn comments_are_counted_but_not_dispatched() {
    let mut framer = SseFramer::default();
    let mut out = Vec::new();
    framer.push(b": keep-alive\n\n:\r\n", &mut out).unwrap();
    assert!(out.is_empty());
    assert_eq!(framer.comment_count(), 2);
    assert_eq!(framer.bytes_received(), 17);
    assert!(!framer.finish());
}

#[test]
fn multi_line_data_is_joined_with_newlines() {
    let (frames, _) = run_whole(b"data: {\"a\":\ndata: 1}\ndata\n\n");
    assert_eq!(&frames[0].data[..], b"{\"a\":\n1}\n");
}

#[test]
fn last_event_id_persists_across_frames_and_reconnects() {
    let mut framer = SseFramer::default();
    let mut out = Vec::new();
    framer.push(b"id: evt_1\ndata: a\n\ndata: b\n\n", &mut out).unwrap();
    assert_eq!(out[0].id.as_deref(), Some("evt_1"));
    assert_eq!(out[1].id, None);
    assert_eq!(out[1].last_event_id.as_deref(), Some("evt_1"));
    // An id in an incomplete frame is not committed at EOF.
    framer.push(b"id: evt_2\ndata: c\n", &mut out).unwrap();
    assert!(framer.finish());
    assert_eq!(framer.last_event_id(), Some("evt_1"));
    framer.push(b"data: d\n\n", &mut out).unwrap();
    assert_eq!(out[2].last_event_id.as_deref(), Some("evt_1"));
}

#[test]
fn id_containing_nul_is_ignored() {
    let (frames, _) = run_whole(b"id: ok\ndata: a\n\nid: b\0d\ndata: b\n\n");
    assert_eq!(frames[1].id, None);
    assert_eq!(frames[1].last_event_id.as_deref(), Some("ok"));
}

#[test]
fn oversize_events_are_rejected() {
    let limit = 16;
    let exact = format!("data: {}\n\n", "x".repeat(limit - 6));
    let (frames, _) = run(exact.as_bytes(), &[], limit);
    assert_eq!(frames[0].data.len(), limit - 6);

    let mut framer = SseFramer::new(limit);
    let mut out = Vec::new();
    let err = framer.push(format!("data: {}", "x".repeat(limit)).as_bytes(), &mut out);
    assert_eq!(err, Err(SseError::EventTooLarge { limit }));

    // Data accumulated over several lines counts too.
    let mut framer = SseFramer::new(limit);
    assert!(framer.push(b"data: 0123456789\ndata: 0123456789\n", &mut out).is_err());

    // One huge chunk without a newline fails without reading it all.
    let mut framer = SseFramer::new(1024);
    assert!(framer.push(&vec![b'a'; 10 << 20], &mut out).is_err());
}

#[test]
fn eight_mib_event_in_one_kib_chunks_completes() {
    let payload = vec![b'x'; 8 << 20];
    let mut input = b"id: evt_big\nevent: agent.message\ndata: ".to_vec();
    input.extend_from_slice(&payload);
    input.extend_from_slice(b"\n\n");
    let mut framer = SseFramer::default();
    let mut out = Vec::new();
    for chunk in input.chunks(1024) {
        framer.push(chunk, &mut out).unwrap();
    }
    assert!(!framer.finish());
    assert_eq!(out.len(), 1);
    assert_eq!(out[0].data.len(), payload.len());
    assert!(out[0].data.iter().all(|&b| b == b'x'));
    assert_eq!(out[0].id.as_deref(), Some("evt_big"));
}
