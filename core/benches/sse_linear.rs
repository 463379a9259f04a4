//! Checks that the SSE framer is linear in event size: one 1 MiB and one 8 MiB event, each fed
//! in 1 KiB chunks. A linear framer shows a ratio near 8; a framer that re-scans its buffer per
//! chunk shows ~64. Run with `cargo bench -p qoder-cloud --bench sse_linear`.

use std::time::{Duration, Instant};

use qoder_cloud::sse::SseFramer;

fn stream_with_event(payload_len: usize) -> Vec<u8> {
    let mut s = b"id: evt_1\nevent: agent.message\ndata: ".to_vec();
    s.resize(s.len() + payload_len, b'x');
    s.extend_from_slice(b"\n\n");
    s
}

/// Best of `runs` timings of framing `input` in `chunk`-byte pieces.
fn time_framing(input: &[u8], chunk: usize, runs: usize) -> Duration {
    let mut best = Duration::MAX;
    for _ in 0..runs {
        let mut framer = SseFramer::default();
        let mut out = Vec::with_capacity(1);
        let start = Instant::now();
        for piece in input.chunks(chunk) {
            framer.push(piece, &mut out).expect("event within the cap");
        }
        framer.finish();
        best = best.min(start.elapsed());
        assert_eq!(out.len(), 1);
        std::hint::black_box(&out);
    }
    best
}

fn main() {
    let small = stream_with_event(1 << 20);
    let large = stream_with_event(8 << 20);
    let t1 = time_framing(&small, 1024, 20);
    let t8 = time_framing(&large, 1024, 10);
    println!("sse_linear: 1 MiB event in 1 KiB chunks: {t1:?}");
    println!("sse_linear: 8 MiB event in 1 KiB chunks: {t8:?}");
    println!("sse_linear: ratio 8 MiB / 1 MiB = {:.2} (linear ≈ 8)", t8.as_secs_f64() / t1.as_secs_f64());

    // Many small frames: the common case of a live session.
    let frame = b"id: evt_019f2c000000700000000000000000a4\nevent: agent.message\ndata: {\"type\":\"agent.message\",\"content\":[{\"type\":\"text\",\"text\":\"hello\"}]}\n\n";
    let many: Vec<u8> = frame.iter().copied().cycle().take(frame.len() * 20_000).collect();
    let mut best = Duration::MAX;
    for _ in 0..5 {
        let mut framer = SseFramer::default();
        let mut out = Vec::new();
        let start = Instant::now();
        for piece in many.chunks(4096) {
            framer.push(piece, &mut out).expect("small frames");
            out.clear();
        }
        best = best.min(start.elapsed());
    }
    let mib = many.len() as f64 / (1 << 20) as f64;
    println!(
        "sse_linear: 20000 small frames ({mib:.1} MiB, 4 KiB chunks): {best:?} ({:.0} MiB/s)",
        mib / best.as_secs_f64()
    );
}
