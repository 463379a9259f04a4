//! Incremental `Transfer-Encoding: chunked` decoding for the direct stream connection
//! (`stream_conn.rs`): fed whatever each socket read returned, it hands out runs of body bytes
//! in place, without buffering, and keeps only a few words of state between reads.

/// Incremental `Transfer-Encoding: chunked` decoder (RFC 9112 §7.1), fed any split of the input.
#[derive(Debug, Default)]
pub(crate) struct Chunked {
    state: ChunkState,
}

#[derive(Debug, Default)]
enum ChunkState {
    /// Reading the hex size; `digits` counts them (at most 16).
    #[default]
    SizeStart,
    Size { n: u64, digits: u8 },
    /// Skipping a chunk extension up to the line end.
    Ext { n: u64 },
    SizeLf { n: u64 },
    Data { rem: u64 },
    DataCr,
    DataLf,
    /// In the trailer section; `start` is true at the beginning of a line.
    Trailer { start: bool },
    TrailerLf,
    Done,
}

impl Chunked {
    /// Decodes `input`, calling `out` with each run of data; `out` returning false stops.
    /// Returns whether the last chunk and trailer were complete.
    pub(crate) fn decode(&mut self, input: &[u8], out: &mut impl FnMut(&[u8]) -> bool) -> std::result::Result<bool, &'static str> {
        use ChunkState::*;
        let mut i = 0;
        while i < input.len() {
            let b = input[i];
            self.state = match std::mem::take(&mut self.state) {
                Done => return Ok(true),
                SizeStart => match hex(b) {
                    Some(d) => Size { n: u64::from(d), digits: 1 },
                    None => return Err("chunk size expected"),
                },
                Size { n, digits } => match (hex(b), b) {
                    (Some(_), _) if digits >= 16 => return Err("chunk size too large"),
                    (Some(d), _) => Size { n: n << 4 | u64::from(d), digits: digits + 1 },
                    (None, b';' | b' ' | b'\t') => Ext { n },
                    (None, b'\r') => SizeLf { n },
                    (None, b'\n') => after_size(n),
                    _ => return Err("invalid chunk size"),
                },
                Ext { n } => match b {
                    b'\r' => SizeLf { n },
                    b'\n' => after_size(n),
                    _ => Ext { n },
                },
                SizeLf { n } => match b {
                    b'\n' => after_size(n),
                    _ => return Err("LF expected after chunk size"),
                },
                Data { rem } => {
                    let take = rem.min((input.len() - i) as u64) as usize;
                    let keep_going = out(&input[i..i + take]);
                    i += take;
                    self.state = if rem == take as u64 { DataCr } else { Data { rem: rem - take as u64 } };
                    if !keep_going {
                        return Ok(false);
                    }
                    continue;
                }
                DataCr => match b {
                    b'\r' => DataLf,
                    b'\n' => SizeStart,
                    _ => return Err("CRLF expected after chunk data"),
                },
                DataLf => match b {
                    b'\n' => SizeStart,
                    _ => return Err("LF expected after chunk data"),
                },
                Trailer { start } => match b {
                    b'\r' if start => TrailerLf,
                    b'\n' if start => Done,
                    b'\n' => Trailer { start: true },
                    _ => Trailer { start: false },
                },
                TrailerLf => match b {
                    b'\n' => Done,
                    _ => return Err("LF expected after the trailer"),
                },
            };
            i += 1;
        }
        Ok(matches!(self.state, Done))
    }
}

fn after_size(n: u64) -> ChunkState {
    if n == 0 {
        ChunkState::Trailer { start: true }
    } else {
        ChunkState::Data { rem: n }
    }
}

fn hex(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode_split(input: &[u8], step: usize) -> (Vec<u8>, bool) {
        let mut c = Chunked::default();
        let mut out = Vec::new();
        let mut done = false;
        for piece in input.chunks(step) {
            done = c
                .decode(piece, &mut |d| {
                    out.extend_from_slice(d);
                    true
                })
                .unwrap();
        }
        (out, done)
    }

    #[test]
    fn chunked_any_split() {
        let wire = b"5\r\nhello\r\n7;ext=1\r\n, world\r\n0\r\nx-trailer: 1\r\n\r\n";
        for step in 1..wire.len() {
            let (out, done) = decode_split(wire, step);
            assert_eq!(out, b"hello, world", "step {step}");
            assert!(done, "step {step}");
        }
    }

    #[test]
    fn chunked_incomplete_is_not_done() {
        let (out, done) = decode_split(b"5\r\nhello\r\n3\r\nab", 4);
        assert_eq!(out, b"helloab");
        assert!(!done);
    }

    #[test]
    fn chunked_rejects_garbage() {
        let mut c = Chunked::default();
        assert!(c.decode(b"zz\r\n", &mut |_| true).is_err());
        let mut c = Chunked::default();
        assert!(c.decode(b"3\r\nabcX", &mut |_| true).is_err());
        let mut c = Chunked::default();
        assert!(c.decode(b"11111111111111111\r\n", &mut |_| true).is_err());
    }
}
