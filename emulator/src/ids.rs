//! Time-ordered identifiers.
//!
//! Every id the emulator hands out is `prefix + 32 lowercase hex` derived from a
//! monotonic UUIDv7. Because the hex is fixed-width and the generator is strictly
//! increasing (even within one millisecond), plain lexicographic comparison of two
//! ids of the same prefix equals creation order. Pagination cursors and event
//! resumption (`Last-Event-ID`) rely on this.

use std::sync::Mutex;

use rand::Rng;

/// Monotonic UUIDv7 generator shared by the whole emulator.
#[derive(Debug, Default)]
pub struct IdGen {
    last: Mutex<u128>,
}

const COUNTER_BITS: u32 = 74; // 12 bits rand_a + 62 bits rand_b
const COUNTER_MASK: u128 = (1u128 << COUNTER_BITS) - 1;

impl IdGen {
    /// Creates a generator.
    pub fn new() -> Self {
        Self::default()
    }

    /// Returns the next raw UUIDv7 value, strictly greater than every previous one.
    ///
    /// `now_ms` is the (possibly advanced) emulator clock so that ids and
    /// `created_at` timestamps agree.
    pub fn next_raw(&self, now_ms: u64) -> u128 {
        let mut last = self.last.lock().unwrap_or_else(|e| e.into_inner());
        let (last_ts, last_counter) = split(*last);
        let (ts, counter) = if *last == 0 || now_ms > last_ts {
            // Fresh millisecond: random counter with the top bits cleared so that
            // plenty of increments fit before the counter would overflow.
            let r: u128 = rand::thread_rng().gen::<u128>() & (COUNTER_MASK >> 8);
            (now_ms.max(last_ts), r)
        } else if last_counter < COUNTER_MASK {
            (last_ts, last_counter + 1)
        } else {
            (last_ts + 1, 0)
        };
        let value = compose(ts, counter);
        debug_assert!(value > *last);
        *last = value;
        value
    }

    /// Returns the next id formatted as `prefix + 32 hex`.
    pub fn next_id(&self, prefix: &str, now_ms: u64) -> String {
        format_id(prefix, self.next_raw(now_ms))
    }
}

fn split(v: u128) -> (u64, u128) {
    let ts = (v >> 80) as u64;
    let rand_a = (v >> 64) & 0xfff;
    let rand_b = v & ((1u128 << 62) - 1);
    (ts, (rand_a << 62) | rand_b)
}

fn compose(ts_ms: u64, counter: u128) -> u128 {
    let ts = (ts_ms as u128 & ((1u128 << 48) - 1)) << 80;
    let version = 0x7u128 << 76;
    let rand_a = ((counter >> 62) & 0xfff) << 64;
    let variant = 0b10u128 << 62;
    let rand_b = counter & ((1u128 << 62) - 1);
    ts | version | rand_a | variant | rand_b
}

/// Formats a raw id as `prefix + 32 lowercase hex`.
pub fn format_id(prefix: &str, raw: u128) -> String {
    format!("{prefix}{raw:032x}")
}

/// Parses `prefix + 32 hex` back to the raw value (None when malformed).
pub fn parse_id(prefix: &str, id: &str) -> Option<u128> {
    let hex = id.strip_prefix(prefix)?;
    if hex.len() != 32 || !hex.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)) {
        return None;
    }
    u128::from_str_radix(hex, 16).ok()
}

/// A shorter id (`prefix + 24 hex`) for objects whose documented ids are 24 hex
/// characters (session resources): the 48-bit millisecond timestamp followed
/// by the low 48 bits of the counter, so string order is still creation order.
pub fn short_id(prefix: &str, raw: u128) -> String {
    let (ts, counter) = split(raw);
    format!("{prefix}{:012x}{:012x}", ts & ((1 << 48) - 1), counter & ((1u128 << 48) - 1))
}

/// Id prefixes from docs/api-contract.md §2.1.
#[allow(missing_docs)]
pub mod prefix {
    pub const AGENT: &str = "agent_";
    pub const ENVIRONMENT: &str = "env_";
    pub const SESSION: &str = "sess_";
    pub const EVENT: &str = "evt_";
    pub const TURN: &str = "turn_";
    pub const THREAD: &str = "sthr_";
    pub const SESSION_RESOURCE: &str = "sesr_";
    pub const OUTCOME: &str = "outc_";
    pub const FILE: &str = "file_";
    pub const VAULT: &str = "vault_";
    pub const CREDENTIAL: &str = "vcred_";
    pub const SKILL: &str = "skill_";
    pub const SKILL_VERSION: &str = "skillver_";
    pub const MEMORY_STORE: &str = "memstore_";
    pub const MEMORY: &str = "mem_";
    pub const MEMORY_VERSION: &str = "memver_";
    pub const DEPLOYMENT: &str = "dep_";
    pub const DEPLOYMENT_RUN: &str = "drun_";
    pub const DREAM: &str = "dream_";
    pub const WORK: &str = "work_";
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strictly_increasing_within_one_millisecond() {
        let g = IdGen::new();
        let mut prev = String::new();
        for _ in 0..10_000 {
            let id = g.next_id("evt_", 1_700_000_000_000);
            assert!(id > prev, "{id} <= {prev}");
            assert_eq!(id.len(), 4 + 32);
            prev = id;
        }
    }

    #[test]
    fn clock_going_backwards_keeps_order() {
        let g = IdGen::new();
        let a = g.next_raw(2_000);
        let b = g.next_raw(1_000);
        assert!(b > a);
    }

    #[test]
    fn short_ids_keep_order() {
        let g = IdGen::new();
        let mut prev = String::new();
        for i in 0..5_000u64 {
            let id = short_id("sesr_", g.next_raw(1_700_000_000_000 + i / 1000));
            assert!(id > prev && id.len() == 5 + 24, "{id} <= {prev}");
            prev = id;
        }
    }

    #[test]
    fn is_a_uuid_v7() {
        let g = IdGen::new();
        let raw = g.next_raw(1_700_000_000_000);
        let u = uuid::Uuid::from_u128(raw);
        assert_eq!(u.get_version_num(), 7);
        assert_eq!(parse_id("x_", &format_id("x_", raw)), Some(raw));
    }
}
