//! Folds `event_start` / `event_delta` previews into growing message snapshots.
//!
//! The final buffered event (same id) replaces the preview, so a UI can render text as it
//! arrives and still end with the authoritative content. After a reconnect the server re-sends
//! `event_start` plus the text accumulated so far, so in-progress previews are reset when the
//! connection number changes: text is never duplicated.

use std::collections::HashMap;

use serde_json::{json, Value};

use crate::stream::StreamEvent;

/// A message (or thinking block) as known so far.
#[derive(Debug, Clone, PartialEq)]
pub struct Snapshot {
    /// Id of the event (the preview's id equals the final event's id).
    pub id: String,
    /// `agent.message` or `agent.thinking`.
    pub event_type: String,
    /// Text per content index.
    pub blocks: Vec<String>,
    /// True once the final buffered event arrived.
    pub is_final: bool,
    /// The final event's JSON, once it arrived.
    pub final_event: Option<Value>,
}

impl Snapshot {
    /// All text blocks joined.
    pub fn text(&self) -> String {
        self.blocks.concat()
    }
    /// The snapshot as an event-shaped JSON object (`{id, type, content:[{type:"text",text}], is_final}`).
    pub fn to_json(&self) -> Value {
        if let Some(f) = &self.final_event {
            return f.clone();
        }
        let content: Vec<Value> = self.blocks.iter().map(|t| json!({"type": "text", "text": t})).collect();
        json!({"id": self.id, "type": self.event_type, "content": content, "is_final": self.is_final})
    }
}

/// The accumulator. Feed it every event of a stream, in order.
#[derive(Debug, Default)]
pub struct DeltaAccumulator {
    open: HashMap<String, Snapshot>,
    connection: u32,
}

impl DeltaAccumulator {
    /// An empty accumulator.
    pub fn new() -> Self {
        Self::default()
    }

    /// Folds one event in. Returns the snapshot it changed (previews and the final event of a
    /// previewed or plain `agent.message`/`agent.thinking`), else `None`.
    pub fn push(&mut self, ev: &StreamEvent) -> Option<Snapshot> {
        if ev.connection != self.connection {
            // The new connection restates in-progress previews from the start.
            self.connection = ev.connection;
            self.open.clear();
        }
        match ev.event_type.as_str() {
            "event_start" => {
                let v = ev.json().ok()?;
                let inner = v.get("event")?;
                let id = inner.get("id").and_then(Value::as_str).or(ev.id.as_deref())?.to_string();
                let ty = inner.get("type").and_then(Value::as_str).unwrap_or("agent.message").to_string();
                let s =
                    Snapshot { id: id.clone(), event_type: ty, blocks: Vec::new(), is_final: false, final_event: None };
                self.open.insert(id, s.clone());
                Some(s)
            }
            "event_delta" => {
                let v = ev.json().ok()?;
                let id = v.get("event_id").and_then(Value::as_str).or(ev.id.as_deref())?.to_string();
                let index = v.pointer("/delta/index").and_then(Value::as_u64).unwrap_or(0) as usize;
                let text = v.pointer("/delta/content/text").and_then(Value::as_str).unwrap_or_default();
                let s = self.open.entry(id.clone()).or_insert_with(|| Snapshot {
                    id,
                    event_type: "agent.message".into(),
                    blocks: Vec::new(),
                    is_final: false,
                    final_event: None,
                });
                if s.blocks.len() <= index {
                    s.blocks.resize(index + 1, String::new());
                }
                s.blocks[index].push_str(text);
                Some(s.clone())
            }
            "agent.message" | "agent.thinking" => {
                let v = ev.json().ok()?;
                let id = ev.id.clone().unwrap_or_default();
                self.open.remove(&id);
                let blocks = match v.get("content").and_then(Value::as_array) {
                    Some(bs) => bs
                        .iter()
                        .map(|b| b.get("text").and_then(Value::as_str).unwrap_or_default().to_string())
                        .collect(),
                    None => v.get("thinking").and_then(Value::as_str).map(|t| vec![t.to_string()]).unwrap_or_default(),
                };
                Some(Snapshot { id, event_type: ev.event_type.clone(), blocks, is_final: true, final_event: Some(v) })
            }
            "span.model_request_end" => {
                // A request that ended without its buffered event leaves no preview behind.
                self.open.clear();
                None
            }
            _ => None,
        }
    }

    /// Snapshots still in progress.
    pub fn in_progress(&self) -> impl Iterator<Item = &Snapshot> {
        self.open.values()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use bytes::Bytes;

    fn ev(ty: &str, id: Option<&str>, data: Value, connection: u32) -> StreamEvent {
        StreamEvent {
            event_type: ty.into(),
            id: id.map(str::to_string),
            data: Bytes::from(data.to_string()),
            connection,
        }
    }

    #[test]
    fn folds_and_replaces() {
        let mut acc = DeltaAccumulator::new();
        acc.push(&ev(
            "event_start",
            Some("e1"),
            json!({"type":"event_start","event":{"type":"agent.message","id":"e1"}}),
            0,
        ));
        let d = |t: &str, c| {
            ev(
                "event_delta",
                Some("e1"),
                json!({"type":"event_delta","event_id":"e1","delta":{"type":"content_delta","index":0,"content":{"type":"text","text":t}}}),
                c,
            )
        };
        acc.push(&d("Hel", 0));
        assert_eq!(acc.push(&d("lo", 0)).unwrap().text(), "Hello");
        // Reconnect: the server restates the accumulated text; no duplication.
        acc.push(&ev(
            "event_start",
            Some("e1"),
            json!({"type":"event_start","event":{"type":"agent.message","id":"e1"}}),
            1,
        ));
        assert_eq!(acc.push(&d("Hello", 1)).unwrap().text(), "Hello");
        let f = acc
            .push(&ev(
                "agent.message",
                Some("e1"),
                json!({"id":"e1","type":"agent.message","content":[{"type":"text","text":"Hello!"}]}),
                1,
            ))
            .unwrap();
        assert!(f.is_final);
        assert_eq!(f.text(), "Hello!");
        assert_eq!(acc.in_progress().count(), 0);
    }
}
