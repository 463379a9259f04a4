//! The deterministic scripted agent: turns a user message into a [`Plan`].
//!
//! Directives are written inside the user text as `[[name arg key=value key="quoted value"]]`
//! and executed in order; the rest of the text becomes the reply
//! `Echo: <text>`. Unknown directive names are left as plain text so ordinary
//! messages that happen to contain `[[...]]` still work; malformed known
//! directives are rejected with a 400 so test authors notice typos.
//! See README "Scripted agent" for the full list.

use std::collections::VecDeque;
use std::time::Duration;

use serde_json::{json, Map, Value};

/// One scripted action (field names mirror the directive arguments).
#[derive(Debug, Clone, PartialEq)]
#[allow(missing_docs)]
pub enum Action {
    /// Built-in tool call that runs without approval.
    Tool { name: String, input: Value },
    /// Built-in tool call(s) needing approval (`evaluated_permission: "ask"`).
    Approve { name: String, input: Value, count: u32 },
    /// Client-executed custom tool, called `count` times at once (one `requires_action` for all).
    CustomTool { name: String, input: Value, count: u32 },
    /// Model errors: `retries` retrying errors, then exhausted (or terminal / recovered).
    Error { retries: u32, error_type: String, recover: bool, terminal: bool },
    /// `session.status_terminated`.
    Terminate,
    /// N `agent.message` events of `size_min..=size_max` bytes.
    Burst { n: u64, size_min: usize, size_max: usize },
    /// One `agent.message` of exactly N bytes.
    Bytes { n: usize },
    /// Stop with `stop_reason: budget_reached`.
    Budget,
    /// Emit a `session.usage` event.
    Usage,
    /// Evaluate an outcome defined by `user.define_outcome`.
    Outcome { outcome_id: String, description: String },
}

/// What one turn does.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Plan {
    /// Actions in order.
    pub actions: VecDeque<Action>,
    /// Final `agent.message` text.
    pub reply: String,
    /// Per-step delay override (`[[slow ms=N]]`).
    pub delay: Option<Duration>,
    /// No final reply (burst/bytes produce the output).
    pub suppress_reply: bool,
    /// Characters of user input (drives fake token usage).
    pub input_chars: usize,
}

/// Builds the plan for a user message text.
pub fn plan_for_message(text: &str) -> Result<Plan, String> {
    let mut plan = Plan { input_chars: text.chars().count(), ..Default::default() };
    let mut plain = String::new();
    let mut rest = text;
    let mut custom_reply: Option<String> = None;
    while let Some(start) = rest.find("[[") {
        let Some(len) = rest[start..].find("]]") else { break };
        let inner = &rest[start + 2..start + len];
        let words = split_words(inner)?;
        let name = words.first().map(String::as_str).unwrap_or("");
        if known(name) {
            plain.push_str(&rest[..start]);
            apply(&mut plan, name, &words[1..], &mut custom_reply)
                .map_err(|e| format!("Invalid directive '[[{inner}]]': {e}"))?;
        } else {
            plain.push_str(&rest[..start + len + 2]);
        }
        rest = &rest[start + len + 2..];
    }
    plain.push_str(rest);
    let plain = plain.split_whitespace().collect::<Vec<_>>().join(" ");
    plan.reply =
        custom_reply.unwrap_or_else(|| if plain.is_empty() { "Echo.".into() } else { format!("Echo: {plain}") });
    Ok(plan)
}

fn known(name: &str) -> bool {
    matches!(
        name,
        "tool"
            | "approve"
            | "custom_tool"
            | "error"
            | "terminate"
            | "burst"
            | "bytes"
            | "slow"
            | "reply"
            | "budget"
            | "usage"
    )
}

/// Splits `a key=value key="quoted value"` into words (quotes removed).
fn split_words(s: &str) -> Result<Vec<String>, String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut in_quotes = false;
    let mut has = false;
    for c in s.chars() {
        match c {
            '"' => {
                in_quotes = !in_quotes;
                has = true;
            }
            c if c.is_whitespace() && !in_quotes => {
                if has {
                    out.push(std::mem::take(&mut cur));
                    has = false;
                }
            }
            c => {
                cur.push(c);
                has = true;
            }
        }
    }
    if in_quotes {
        return Err("unterminated quote".into());
    }
    if has {
        out.push(cur);
    }
    Ok(out)
}

struct Args {
    positional: Vec<String>,
    kv: Vec<(String, String)>,
}

impl Args {
    fn parse(words: &[String]) -> Args {
        let mut a = Args { positional: Vec::new(), kv: Vec::new() };
        for w in words {
            match w.split_once('=') {
                Some((k, v)) if !k.is_empty() => a.kv.push((k.to_string(), v.to_string())),
                _ => a.positional.push(w.clone()),
            }
        }
        a
    }

    fn take(&mut self, key: &str) -> Option<String> {
        let i = self.kv.iter().position(|(k, _)| k == key)?;
        Some(self.kv.remove(i).1)
    }

    fn flag(&mut self, name: &str) -> bool {
        match self.positional.iter().position(|p| p == name) {
            Some(i) => {
                self.positional.remove(i);
                true
            }
            None => false,
        }
    }

    fn num<T: std::str::FromStr>(&mut self, key: &str, positional: bool) -> Result<Option<T>, String> {
        let v = match self.take(key) {
            Some(v) => Some(v),
            None if positional && !self.positional.is_empty() => Some(self.positional.remove(0)),
            None => None,
        };
        v.map(|v| v.replace('_', "").parse::<T>().map_err(|_| format!("'{key}' must be a number, got '{v}'")))
            .transpose()
    }

    /// Remaining `key=value` pairs as a JSON object of strings.
    fn input(self) -> Value {
        let mut m = Map::new();
        for (k, v) in self.kv {
            m.insert(k, Value::String(v));
        }
        Value::Object(m)
    }
}

fn apply(plan: &mut Plan, name: &str, words: &[String], reply: &mut Option<String>) -> Result<(), String> {
    let mut a = Args::parse(words);
    match name {
        "tool" => {
            let tool = a.take("name").unwrap_or_else(|| "bash".into());
            let input = default_input(a.input(), &tool);
            plan.actions.push_back(Action::Tool { name: tool, input });
        }
        "approve" => {
            let count = a.num::<u32>("count", true)?.unwrap_or(1);
            if !(1..=16).contains(&count) {
                return Err("'count' must be between 1 and 16".into());
            }
            let tool = a.take("name").unwrap_or_else(|| "bash".into());
            let input = default_input(a.input(), &tool);
            plan.actions.push_back(Action::Approve { name: tool, input, count });
        }
        "custom_tool" => {
            let tool = a.take("name").or_else(|| (!a.positional.is_empty()).then(|| a.positional.remove(0)));
            let tool = tool.unwrap_or_else(|| "get_weather".into());
            let count = a.num::<u32>("count", true)?.unwrap_or(1);
            if !(1..=16).contains(&count) {
                return Err("'count' must be between 1 and 16".into());
            }
            plan.actions.push_back(Action::CustomTool { name: tool, input: a.input(), count });
        }
        "error" => {
            let retries = a.num::<u32>("retries", true)?.unwrap_or(0);
            let error_type = a.take("type").unwrap_or_else(|| "model_overloaded_error".into());
            let recover = a.flag("recover");
            let terminal = a.flag("terminal");
            plan.actions.push_back(Action::Error { retries, error_type, recover, terminal });
        }
        "terminate" => plan.actions.push_back(Action::Terminate),
        "budget" => plan.actions.push_back(Action::Budget),
        "usage" => plan.actions.push_back(Action::Usage),
        "burst" => {
            let n = a.num::<u64>("n", true)?.ok_or("missing count, e.g. [[burst 1000]]")?;
            if n == 0 || n > 10_000_000 {
                return Err("count must be between 1 and 10000000".into());
            }
            let (size_min, size_max) = match a.take("size") {
                None => (64, 64),
                Some(s) => parse_range(&s)?,
            };
            plan.actions.push_back(Action::Burst { n, size_min, size_max });
            plan.suppress_reply = true;
        }
        "bytes" => {
            let n = a.num::<usize>("n", true)?.ok_or("missing size, e.g. [[bytes 1048576]]")?;
            if n == 0 || n > 512 * 1024 * 1024 {
                return Err("size must be between 1 and 536870912".into());
            }
            plan.actions.push_back(Action::Bytes { n });
            plan.suppress_reply = true;
        }
        "slow" => {
            let ms = a.num::<u64>("ms", true)?.ok_or("missing delay, e.g. [[slow ms=200]]")?;
            plan.delay = Some(Duration::from_millis(ms));
        }
        "reply" => {
            let text = a.take("text").unwrap_or_else(|| a.positional.join(" "));
            *reply = Some(text);
        }
        _ => unreachable!("checked by known()"),
    }
    Ok(())
}

fn parse_range(s: &str) -> Result<(usize, usize), String> {
    let parse = |x: &str| x.trim().parse::<usize>().map_err(|_| format!("'size' must be N or MIN-MAX, got '{s}'"));
    let (lo, hi) = match s.split_once('-') {
        Some((a, b)) => (parse(a)?, parse(b)?),
        None => (parse(s)?, parse(s)?),
    };
    if lo == 0 || lo > hi || hi > 16 * 1024 * 1024 {
        return Err(format!("'size' range '{s}' is invalid (1 <= MIN <= MAX <= 16777216)"));
    }
    Ok((lo, hi))
}

fn default_input(input: Value, tool: &str) -> Value {
    if input.as_object().is_some_and(|m| !m.is_empty()) {
        return input;
    }
    match tool {
        "bash" => json!({"command": "ls -la"}),
        "read" => json!({"file_path": "/workspace/README.md"}),
        _ => json!({}),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_text_echoes() {
        let p = plan_for_message("Hello   world").unwrap();
        assert_eq!(p.reply, "Echo: Hello world");
        assert!(p.actions.is_empty());
    }

    #[test]
    fn directives_parse() {
        let p = plan_for_message("run [[tool name=bash command=\"ls -l\"]] then [[approve count=2]] [[slow ms=5]]")
            .unwrap();
        assert_eq!(p.reply, "Echo: run then");
        assert_eq!(p.delay, Some(Duration::from_millis(5)));
        assert_eq!(p.actions[0], Action::Tool { name: "bash".into(), input: json!({"command": "ls -l"}) });
        assert!(matches!(p.actions[1], Action::Approve { count: 2, .. }));
        let p = plan_for_message("[[burst 1_000 size=10-20]]").unwrap();
        assert_eq!(p.actions[0], Action::Burst { n: 1000, size_min: 10, size_max: 20 });
        assert!(p.suppress_reply);
        assert!(plan_for_message("[[burst x]]").is_err());
        let p = plan_for_message("see [[Main Page]]").unwrap();
        assert_eq!(p.reply, "Echo: see [[Main Page]]");
    }
}
