//! Incremental Server-Sent Events framer.
//!
//! The SDK parses `text/event-stream` bodies itself instead of using `eventsource-stream`:
//! that crate re-scans (and re-copies) the buffered partial line on every network chunk, which
//! is quadratic for the multi-megabyte `agent.message` events this API can produce. This framer
//! looks at each input byte once, keeps a scan offset into the pending partial line, and hands
//! out `data` as a slice of its own buffer (`Bytes`) for the common single-`data:`-line frame.
//!
//! Parsing follows the WHATWG "event stream interpretation" rules:
//! - lines end in CR, LF or CRLF (a CRLF split across two chunks is one terminator);
//! - one leading UTF-8 BOM is stripped at stream start;
//! - `:` lines are comments (counted, otherwise ignored);
//! - `field: value` with one optional space after the colon; a line without a colon is a field
//!   with an empty value; unknown fields are ignored;
//! - `data` lines are joined with `\n`; a blank line dispatches the frame only if at least one
//!   `data` line was seen, but always commits the last event id;
//! - an `id` containing NUL is ignored; `retry` must be ASCII digits;
//! - at EOF an incomplete trailing frame is discarded ([`SseFramer::finish`] reports it).
//!
//! Differences from a browser `EventSource`: `data` is kept as raw bytes (the JSON decoder
//! validates UTF-8 itself, so the framer never copies to fix encodings), and `event`/`id` values
//! are decoded lossily.

use bytes::{Buf, BufMut, Bytes, BytesMut};

/// Default cap on one event (its `data` plus the line being accumulated): 16 MiB.
pub const DEFAULT_MAX_EVENT_BYTES: usize = 16 * 1024 * 1024;

/// Input is appended in pieces of at most this size so an oversized line is rejected after
/// buffering at most `max_event_bytes + PIECE` bytes, even when one huge chunk is pushed.
const PIECE: usize = 64 * 1024;

const BOM: &[u8] = b"\xEF\xBB\xBF";

/// One dispatched SSE frame.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SseFrame {
    /// The `event:` field, or `None` when absent/empty (browsers report that as `"message"`).
    pub event: Option<String>,
    /// The `id:` field of this frame, if it had one (possibly empty, which resets the id).
    pub id: Option<String>,
    /// The stream's last event id after this frame: the id to send as `Last-Event-ID` when
    /// resuming right after it. `None` when no id was seen yet or it was reset by `id:` alone.
    pub last_event_id: Option<String>,
    /// The `data:` lines joined with `\n`, as raw bytes.
    pub data: Bytes,
    /// The `retry:` value (milliseconds) given in this frame, if any.
    pub retry: Option<u64>,
}

impl SseFrame {
    /// The event type as an `EventSource` reports it: the `event:` field, defaulting to `message`.
    pub fn event_type(&self) -> &str {
        self.event.as_deref().unwrap_or("message")
    }

    /// The data as UTF-8 text.
    pub fn data_str(&self) -> Result<&str, std::str::Utf8Error> {
        std::str::from_utf8(&self.data)
    }

    /// Whether this is the `data: [DONE]` sentinel some servers send to end a stream.
    pub fn is_done(&self) -> bool {
        &self.data[..] == b"[DONE]"
    }

    /// Whether this is an `event: ping` keep-alive frame, which clients ignore.
    pub fn is_ping(&self) -> bool {
        self.event.as_deref() == Some("ping")
    }
}

/// Errors the framer can report. After an error the framer refuses further input until
/// [`SseFramer::finish`] resets it, because the stream position is no longer trustworthy.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SseError {
    /// One event (its data plus the line being read) grew beyond the configured cap.
    #[error("server-sent event exceeds the {limit}-byte limit")]
    EventTooLarge {
        /// The configured `max_event_bytes`.
        limit: usize,
    },
}

/// The `data` accumulated for the frame being read.
#[derive(Debug)]
enum Data {
    None,
    /// A single `data:` line: a zero-copy slice of the input buffer.
    One(Bytes),
    /// Several lines joined with `\n` (needs a copy, which is rare on this API).
    Many(BytesMut),
}

/// Incremental SSE parser: feed it body chunks with [`push`](Self::push), then call
/// [`finish`](Self::finish) at EOF.
///
/// Per-connection state (partial line, pending frame, BOM check) is reset by `finish`; the last
/// event id and the reconnection time persist across connections, as in `EventSource`.
#[derive(Debug)]
pub struct SseFramer {
    max_event_bytes: usize,
    /// Unconsumed input: always the start of a line that has no terminator yet.
    buf: BytesMut,
    /// `buf[..scan]` is known to contain no CR/LF, so it is never scanned again.
    scan: usize,
    /// The previous piece ended in CR: a LF at the start of the next one is part of that CRLF.
    pending_cr: bool,
    /// Still at stream start, where a BOM may appear (possibly split across chunks).
    bom_pending: bool,
    data: Data,
    /// Bytes in `data`, including the `\n` joins.
    data_len: usize,
    event: Option<String>,
    /// The `id:` seen in the frame being read (committed at the next blank line).
    pending_id: Option<String>,
    pending_retry: Option<u64>,
    /// A field line was read since the last blank line (for EOF reporting).
    in_frame: bool,
    last_event_id: Option<String>,
    retry: Option<u64>,
    comments: u64,
    bytes_received: u64,
    failed: Option<SseError>,
}

impl Default for SseFramer {
    fn default() -> Self {
        Self::new(DEFAULT_MAX_EVENT_BYTES)
    }
}

impl SseFramer {
    /// A framer rejecting events larger than `max_event_bytes` (see [`DEFAULT_MAX_EVENT_BYTES`]).
    pub fn new(max_event_bytes: usize) -> Self {
        SseFramer {
            max_event_bytes,
            buf: BytesMut::new(),
            scan: 0,
            pending_cr: false,
            bom_pending: true,
            data: Data::None,
            data_len: 0,
            event: None,
            pending_id: None,
            pending_retry: None,
            in_frame: false,
            last_event_id: None,
            retry: None,
            comments: 0,
            bytes_received: 0,
            failed: None,
        }
    }

    /// The configured per-event size cap.
    pub fn max_event_bytes(&self) -> usize {
        self.max_event_bytes
    }

    /// The last committed event id (what to send as `Last-Event-ID` on reconnect).
    pub fn last_event_id(&self) -> Option<&str> {
        self.last_event_id.as_deref()
    }

    /// Seeds the last event id, e.g. from a checkpoint when resuming on a new framer.
    pub fn set_last_event_id(&mut self, id: Option<String>) {
        self.last_event_id = id.filter(|s| !s.is_empty());
    }

    /// The latest `retry:` value (milliseconds) seen on any connection, if any.
    pub fn reconnection_time(&self) -> Option<u64> {
        self.retry
    }

    /// Number of `:` comment lines seen (servers send them as keep-alives).
    pub fn comment_count(&self) -> u64 {
        self.comments
    }

    /// Total bytes pushed, so callers can tell "bytes arrived" from "a frame arrived".
    pub fn bytes_received(&self) -> u64 {
        self.bytes_received
    }

    /// Feeds one chunk of the body (any size, split anywhere), appending every frame it
    /// completes to `out`. On error, frames completed earlier in the same chunk are still in
    /// `out`; the framer then refuses input until [`finish`](Self::finish).
    pub fn push<E: Extend<SseFrame>>(&mut self, chunk: &[u8], out: &mut E) -> Result<(), SseError> {
        if let Some(err) = &self.failed {
            return Err(err.clone());
        }
        self.bytes_received += chunk.len() as u64;
        for piece in chunk.chunks(PIECE) {
            if let Err(err) = self.push_piece(piece, out) {
                // Drop what was buffered: the stream is abandoned, and the memory may be large.
                self.reset_connection();
                self.failed = Some(err.clone());
                return Err(err);
            }
        }
        Ok(())
    }

    /// Signals EOF. Returns `true` if an incomplete frame or partial line was discarded (the
    /// stream was cut mid-event; after a [`push`](Self::push) error it returns `false`, as that
    /// input was already dropped and reported). Resets the per-connection state and clears the
    /// error, so the framer can read the next connection's body; the last event id and the
    /// retry value are kept.
    pub fn finish(&mut self) -> bool {
        let dangling = !self.buf.is_empty() || self.in_frame;
        self.reset_connection();
        self.failed = None;
        dangling
    }

    fn reset_connection(&mut self) {
        self.buf = BytesMut::new();
        self.scan = 0;
        self.pending_cr = false;
        self.bom_pending = true;
        self.reset_frame();
    }

    fn reset_frame(&mut self) {
        self.data = Data::None;
        self.data_len = 0;
        self.event = None;
        self.pending_id = None;
        self.pending_retry = None;
        self.in_frame = false;
    }

    fn check_size(&self, line_len: usize) -> Result<(), SseError> {
        if self.data_len.saturating_add(line_len) > self.max_event_bytes {
            return Err(SseError::EventTooLarge { limit: self.max_event_bytes });
        }
        Ok(())
    }

    fn push_piece<E: Extend<SseFrame>>(&mut self, mut piece: &[u8], out: &mut E) -> Result<(), SseError> {
        if self.pending_cr && !piece.is_empty() {
            self.pending_cr = false;
            if piece[0] == b'\n' {
                piece = &piece[1..];
            }
        }
        self.buf.extend_from_slice(piece);
        if self.bom_pending {
            if self.buf.len() < BOM.len() && BOM.starts_with(&self.buf) {
                return Ok(()); // could still become a BOM: wait for more bytes
            }
            if self.buf.starts_with(BOM) {
                self.buf.advance(BOM.len());
            }
            self.bom_pending = false;
        }
        while let Some(rel) = find_eol(&self.buf[self.scan..]) {
            let end = self.scan + rel;
            let term = if self.buf[end] == b'\n' {
                1
            } else if end + 1 == self.buf.len() {
                self.pending_cr = true; // the matching LF, if any, is in the next piece
                1
            } else if self.buf[end + 1] == b'\n' {
                2
            } else {
                1
            };
            self.check_size(end)?;
            self.process_line(end, term, out);
            self.scan = 0;
        }
        self.scan = self.buf.len();
        self.check_size(self.buf.len())?;
        // Once everything is consumed the buffer is let go: the frames handed out own their
        // slices of it, and the next piece gets an allocation of exactly its size. Keeping the
        // spare capacity would pin one big event's megabytes for the rest of a long stream, and
        // with a thousand streams open even a few KiB of slack each adds up.
        if self.buf.is_empty() {
            self.buf = BytesMut::new();
        }
        Ok(())
    }

    /// Handles `buf[..end]` (a complete line) and consumes it plus its `term`-byte terminator.
    fn process_line<E: Extend<SseFrame>>(&mut self, end: usize, term: usize, out: &mut E) {
        let line = &self.buf[..end];
        if line.is_empty() {
            self.buf.advance(term);
            self.dispatch(out);
            return;
        }
        if line[0] == b':' {
            self.comments += 1;
            self.buf.advance(end + term);
            return;
        }
        self.in_frame = true;
        let (name_end, value_start) = match line.iter().position(|&b| b == b':') {
            Some(colon) if line.get(colon + 1) == Some(&b' ') => (colon, colon + 2),
            Some(colon) => (colon, colon + 1),
            None => (end, end),
        };
        let value = &line[value_start..];
        match &line[..name_end] {
            b"data" => {
                let value_len = value.len();
                match std::mem::replace(&mut self.data, Data::None) {
                    Data::None => {
                        self.buf.advance(value_start);
                        self.data = Data::One(self.buf.split_to(value_len).freeze());
                        self.buf.advance(term);
                        self.data_len = value_len;
                        return;
                    }
                    Data::One(first) => {
                        let mut joined = BytesMut::with_capacity(first.len() + 1 + value_len);
                        joined.extend_from_slice(&first);
                        joined.put_u8(b'\n');
                        joined.extend_from_slice(value);
                        self.data = Data::Many(joined);
                    }
                    Data::Many(mut joined) => {
                        joined.put_u8(b'\n');
                        joined.extend_from_slice(value);
                        self.data = Data::Many(joined);
                    }
                }
                self.data_len += 1 + value_len;
            }
            b"event" => self.event = Some(String::from_utf8_lossy(value).into_owned()),
            // An id containing NUL is ignored (WHATWG), so it cannot corrupt `Last-Event-ID`.
            b"id" if !value.contains(&0) => {
                self.pending_id = Some(String::from_utf8_lossy(value).into_owned());
            }
            b"retry" => {
                if let Some(ms) = parse_digits(value) {
                    self.retry = Some(ms);
                    self.pending_retry = Some(ms);
                }
            }
            _ => {}
        }
        self.buf.advance(end + term);
    }

    /// Blank line: commit the id and emit the frame if it carried data.
    fn dispatch<E: Extend<SseFrame>>(&mut self, out: &mut E) {
        let id = self.pending_id.take();
        if let Some(id) = &id {
            self.last_event_id = if id.is_empty() { None } else { Some(id.clone()) };
        }
        let data = match std::mem::replace(&mut self.data, Data::None) {
            Data::None => {
                self.reset_frame();
                return;
            }
            Data::One(bytes) => bytes,
            Data::Many(joined) => joined.freeze(),
        };
        let frame = SseFrame {
            event: self.event.take().filter(|e| !e.is_empty()),
            id,
            last_event_id: self.last_event_id.clone(),
            data,
            retry: self.pending_retry.take(),
        };
        self.reset_frame();
        out.extend(std::iter::once(frame));
    }
}

/// `retry` values must be ASCII digits only; anything else (or an overflow) is ignored.
fn parse_digits(value: &[u8]) -> Option<u64> {
    if value.is_empty() || !value.iter().all(u8::is_ascii_digit) {
        return None;
    }
    value.iter().try_fold(0u64, |acc, &d| acc.checked_mul(10)?.checked_add(u64::from(d - b'0')))
}

/// Position of the first CR or LF. Checks eight bytes per step with the classic "has zero
/// byte" bit trick, which is exact about whether a word contains a match; the matching word
/// is then scanned bytewise.
fn find_eol(hay: &[u8]) -> Option<usize> {
    const LO: u64 = 0x0101_0101_0101_0101;
    const HI: u64 = 0x8080_8080_8080_8080;
    const LF: u64 = LO * b'\n' as u64;
    const CR: u64 = LO * b'\r' as u64;
    let mut i = 0;
    let mut words = hay.chunks_exact(8);
    for word in &mut words {
        let w = u64::from_le_bytes([word[0], word[1], word[2], word[3], word[4], word[5], word[6], word[7]]);
        let (a, b) = (w ^ LF, w ^ CR);
        if ((a.wrapping_sub(LO) & !a) | (b.wrapping_sub(LO) & !b)) & HI != 0 {
            break;
        }
        i += 8;
    }
    hay[i..].iter().position(|&c| c == b'\n' || c == b'\r').map(|p| p + i)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn find_eol_matches_naive_scan() {
        let mut hay = vec![b'x'; 40];
        assert_eq!(find_eol(&hay), None);
        for pos in 0..40 {
            for t in [b'\n', b'\r'] {
                hay[pos] = t;
                assert_eq!(find_eol(&hay), Some(pos));
                hay[pos] = 0x8a; // high-bit bytes must not cause false matches
                assert_eq!(find_eol(&hay), None);
                hay[pos] = b'x';
            }
        }
    }

    #[test]
    fn single_data_line_is_zero_copy() {
        let mut f = SseFramer::default();
        let mut out = Vec::new();
        f.push(b"data: hello\n\ndata: world\n\n", &mut out).unwrap();
        // Both frames' data are slices of the one buffer the piece was copied into, at the
        // offsets they had on the wire: no per-frame copy.
        let (a, b) = (out[0].data.as_ptr() as usize, out[1].data.as_ptr() as usize);
        assert_eq!(b - a, "hello\n\ndata: ".len());
        assert_eq!(&out[1].data[..], b"world");
        // Fully consumed, the framer holds no buffer of its own any more.
        assert_eq!(f.buf.capacity(), 0);
    }
}
