//! The emulator clock: wall-clock time plus an offset that tests can advance.
//!
//! Everything time-dependent (timestamps, idempotency retention, ids) reads this
//! clock so that `POST /_emulator/clock/advance` behaves like real time passing.

use std::sync::atomic::{AtomicI64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Microseconds since the Unix epoch.
pub type Micros = i64;

/// Wall clock with an advanceable offset.
#[derive(Debug, Default)]
pub struct Clock {
    offset_us: AtomicI64,
}

impl Clock {
    /// Creates a clock with no offset.
    pub fn new() -> Self {
        Self::default()
    }

    /// Current emulator time in microseconds since the epoch.
    pub fn now_us(&self) -> Micros {
        let real = SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default().as_micros() as i64;
        real + self.offset_us.load(Ordering::Relaxed)
    }

    /// Current emulator time in milliseconds (for UUIDv7 ids).
    pub fn now_ms(&self) -> u64 {
        (self.now_us() / 1000).max(0) as u64
    }

    /// Moves the clock forward.
    pub fn advance(&self, d: Duration) {
        self.offset_us.fetch_add(d.as_micros().min(i64::MAX as u128) as i64, Ordering::Relaxed);
    }

    /// Total offset applied so far.
    pub fn offset(&self) -> Duration {
        Duration::from_micros(self.offset_us.load(Ordering::Relaxed).max(0) as u64)
    }
}

/// Formats as RFC 3339 UTC with microseconds: `2026-06-01T08:00:00.123456Z`.
pub fn format_rfc3339(us: Micros) -> String {
    let secs = us.div_euclid(1_000_000);
    let micros = us.rem_euclid(1_000_000);
    let days = secs.div_euclid(86_400);
    let sod = secs.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    format!("{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{micros:06}Z", sod / 3600, (sod / 60) % 60, sod % 60)
}

/// Parses an RFC 3339 timestamp (fractional seconds and offsets allowed; a bare
/// `YYYY-MM-DD` date means midnight UTC). Returns microseconds since the epoch.
pub fn parse_rfc3339(s: &str) -> Option<Micros> {
    let b = s.trim().as_bytes();
    let num = |r: std::ops::Range<usize>| -> Option<i64> {
        let part = b.get(r)?;
        if part.is_empty() || !part.iter().all(u8::is_ascii_digit) {
            return None;
        }
        std::str::from_utf8(part).ok()?.parse().ok()
    };
    let (y, mo, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    if b.get(4) != Some(&b'-') || b.get(7) != Some(&b'-') || !(1..=12).contains(&mo) || !(1..=31).contains(&d) {
        return None;
    }
    let days = days_from_civil(y, mo, d);
    if b.len() == 10 {
        return Some(days * 86_400_000_000);
    }
    if !matches!(b.get(10), Some(b'T' | b't' | b' ')) || b.get(13) != Some(&b':') || b.get(16) != Some(&b':') {
        return None;
    }
    let (h, mi, sec) = (num(11..13)?, num(14..16)?, num(17..19)?);
    if h > 23 || mi > 59 || sec > 60 {
        return None;
    }
    let mut i = 19;
    let mut frac_us = 0i64;
    if b.get(i) == Some(&b'.') {
        i += 1;
        let start = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        if i == start {
            return None;
        }
        let digits = &b[start..i.min(start + 6)];
        let mut v: i64 = std::str::from_utf8(digits).ok()?.parse().ok()?;
        for _ in digits.len()..6 {
            v *= 10;
        }
        frac_us = v;
    }
    let offset_secs = match b.get(i) {
        Some(b'Z' | b'z') if i + 1 == b.len() => 0,
        Some(sign @ (b'+' | b'-')) if b.len() == i + 6 && b[i + 3] == b':' => {
            let oh = num(i + 1..i + 3)?;
            let om = num(i + 4..i + 6)?;
            let v = oh * 3600 + om * 60;
            if *sign == b'+' {
                v
            } else {
                -v
            }
        }
        _ => return None,
    };
    let secs = days * 86_400 + h * 3600 + mi * 60 + sec - offset_secs;
    Some(secs * 1_000_000 + frac_us)
}

// Howard Hinnant's civil date algorithms (public domain).
fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (if m <= 2 { y + 1 } else { y }, m, d)
}

fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let mp = if m > 2 { m - 3 } else { m + 9 };
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip() {
        let us = 1_780_300_800_123_456; // 2026-06-01T08:00:00.123456Z
        let s = format_rfc3339(us);
        assert_eq!(s, "2026-06-01T08:00:00.123456Z");
        assert_eq!(parse_rfc3339(&s), Some(us));
        assert_eq!(parse_rfc3339("2026-06-01T10:00:00.123456+02:00"), Some(us));
        assert_eq!(parse_rfc3339("2026-05-18T15:26:39.61669Z"), Some(1_779_117_999_616_690));
        assert_eq!(parse_rfc3339("2026-06-01"), Some(1_780_272_000_000_000));
        assert_eq!(parse_rfc3339("yesterday"), None);
        assert_eq!(parse_rfc3339("2026-06-01T08:00:00"), None);
    }
}
