//! The per-session append-only event log.
//!
//! Events are kept compact because a throughput script can append a million of
//! them: the id is the raw 128-bit UUIDv7, the type a static string, and the
//! JSON either pre-rendered text or — for bulk `[[burst]]` messages — a shared
//! template rendered on demand. Readers (list endpoint, SSE streams) copy
//! entries out under the session lock and render outside it.

use std::borrow::Cow;
use std::sync::Arc;

use serde_json::Value;

use crate::clock::Micros;
use crate::ids::{format_id, parse_id, prefix};

/// One persisted event.
#[derive(Debug, Clone)]
pub struct StoredEvent {
    /// Raw id (`evt_` + 32 hex when formatted).
    pub id: u128,
    /// Event type, e.g. `agent.message`.
    pub etype: &'static str,
    /// Creation time.
    pub created_us: Micros,
    /// The JSON.
    pub body: EventBody,
}

/// How the JSON of an event is stored.
#[derive(Debug, Clone)]
pub enum EventBody {
    /// Complete JSON text.
    Json(Arc<str>),
    /// Message `index` of a burst, rendered from a shared template.
    Burst(Arc<BurstTemplate>, u32),
}

/// Shared rendering template for `[[burst N]]` messages.
#[derive(Debug)]
pub struct BurstTemplate {
    /// JSON between the id and the text: `","type":"agent.message","content":[{"type":"text","text":"`.
    pub head: String,
    /// JSON after the text, closing the object.
    pub tail: String,
    /// Total number of messages.
    pub total: u64,
    /// Text size range in bytes (inclusive).
    pub size_min: usize,
    /// Text size range in bytes (inclusive).
    pub size_max: usize,
}

const FILLER: &str = "lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod tempor ";

impl BurstTemplate {
    /// Deterministic text of message `i`: a label padded with filler to a size
    /// chosen in `size_min..=size_max` (pure ASCII, so no JSON escaping).
    pub fn text(&self, i: u32) -> String {
        let size = if self.size_max > self.size_min {
            let span = (self.size_max - self.size_min + 1) as u64;
            self.size_min + (splitmix(i as u64) % span) as usize
        } else {
            self.size_min
        };
        let mut s = format!("Burst message {} of {}. ", i as u64 + 1, self.total);
        while s.len() < size {
            let need = size - s.len();
            s.push_str(&FILLER[..need.min(FILLER.len())]);
        }
        s.truncate(size);
        s
    }
}

fn splitmix(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

impl StoredEvent {
    /// The formatted id.
    pub fn id_string(&self) -> String {
        format_id(prefix::EVENT, self.id)
    }

    /// The event JSON (single line).
    pub fn json(&self) -> Cow<'_, str> {
        match &self.body {
            EventBody::Json(s) => Cow::Borrowed(s),
            EventBody::Burst(t, i) => {
                let text = t.text(*i);
                let mut s = String::with_capacity(48 + t.head.len() + text.len() + t.tail.len());
                s.push_str("{\"id\":\"");
                s.push_str(&self.id_string());
                s.push_str(&t.head);
                s.push_str(&text);
                s.push_str(&t.tail);
                Cow::Owned(s)
            }
        }
    }

    /// Text content blocks `(index, text)` — used to build stream previews.
    pub fn text_blocks(&self) -> Vec<(usize, String)> {
        match &self.body {
            EventBody::Burst(t, i) => vec![(0, t.text(*i))],
            EventBody::Json(s) => {
                let v: Value = serde_json::from_str(s).unwrap_or(Value::Null);
                v.get("content")
                    .and_then(Value::as_array)
                    .map(|blocks| {
                        blocks
                            .iter()
                            .enumerate()
                            .filter_map(|(i, b)| {
                                if b.get("type")?.as_str()? != "text" {
                                    return None;
                                }
                                Some((i, b.get("text")?.as_str()?.to_string()))
                            })
                            .collect()
                    })
                    .unwrap_or_default()
            }
        }
    }
}

/// The log itself: events in ascending id order.
#[derive(Debug, Default)]
pub struct EventLog {
    events: Vec<StoredEvent>,
}

impl EventLog {
    /// Number of events.
    pub fn len(&self) -> usize {
        self.events.len()
    }

    /// Whether empty.
    pub fn is_empty(&self) -> bool {
        self.events.is_empty()
    }

    /// All events.
    pub fn as_slice(&self) -> &[StoredEvent] {
        &self.events
    }

    /// Appends (ids must be increasing; the session lock guarantees it).
    pub fn push(&mut self, e: StoredEvent) {
        debug_assert!(self.events.last().is_none() || self.events.last().is_some_and(|l| l.id < e.id));
        self.events.push(e);
    }

    /// Reserves room for bulk appends.
    pub fn reserve(&mut self, n: usize) {
        self.events.reserve(n);
    }

    /// Index of the event with this id.
    pub fn position(&self, id: &str) -> Option<usize> {
        let raw = parse_id(prefix::EVENT, id)?;
        self.events.binary_search_by(|e| e.id.cmp(&raw)).ok()
    }

    /// Replaces the JSON of the event at `pos` (used to fill `processed_at` of
    /// queued input events once they are processed).
    pub fn set_json(&mut self, pos: usize, json: String) {
        if let Some(e) = self.events.get_mut(pos) {
            e.body = EventBody::Json(json.into());
        }
    }

    /// Clones up to `max` events starting at `from`.
    pub fn read(&self, from: usize, max: usize) -> Vec<StoredEvent> {
        let end = self.events.len().min(from.saturating_add(max));
        self.events.get(from..end).map(<[StoredEvent]>::to_vec).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn burst_text_has_requested_size() {
        let t = BurstTemplate { head: String::new(), tail: String::new(), total: 10, size_min: 150, size_max: 150 };
        assert_eq!(t.text(3).len(), 150);
        let t = BurstTemplate { size_min: 10, size_max: 500, ..t };
        for i in 0..100 {
            let n = t.text(i).len();
            assert!((10..=500).contains(&n));
        }
    }
}
