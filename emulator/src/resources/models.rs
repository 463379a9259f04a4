//! `GET /models` (docs/api-contract.md §3.10, §4.2): a fixed catalogue, not paginated.

use serde_json::{json, Value};

use crate::body::Reply;
use crate::context::Ctx;
use crate::errors::ApiResult;

fn model(id: &str, display: &str, price: f64, is_new: bool, efforts: &[&str], default_effort: &str) -> Value {
    json!({
        "type": "model",
        "id": id,
        "display_name": display,
        "source": "system",
        "is_enabled": true,
        "is_new": is_new,
        "price_factor": price,
        "efforts": efforts,
        "default_effort": default_effort,
        "max_input_tokens": 200_000,
        "max_tokens": 64_000,
        "default_context_window": 200_000,
        "available_context_windows": [200_000, 1_000_000],
        "allowed_fallback_models": ["auto"],
        "created_at": "2026-01-15T00:00:00.000000Z",
        "capabilities": {
            "batch": {"supported": false},
            "citations": {"supported": true},
            "code_execution": {"supported": true},
            "image_input": {"supported": true},
            "pdf_input": {"supported": true},
            "structured_outputs": {"supported": true},
            "thinking": {"supported": true, "types": {"adaptive": {"supported": true}, "enabled": {"supported": true}}},
            "effort": {"supported": efforts.len() > 1, "low": {"supported": true}, "medium": {"supported": true},
                       "high": {"supported": true}, "xhigh": {"supported": efforts.contains(&"xhigh")}, "max": {"supported": efforts.contains(&"max")}},
            "context_management": {"supported": true, "clear_thinking_20251015": {"supported": true},
                                   "clear_tool_uses_20250919": {"supported": true}, "compact_20260112": {"supported": true}},
        },
    })
}

/// The catalogue.
pub fn catalogue() -> Vec<Value> {
    vec![
        model("ultimate", "Ultimate", 1.0, false, &["low", "medium", "high", "xhigh", "max"], "high"),
        model("auto", "Auto", 0.5, false, &["none", "low", "medium", "high"], "medium"),
        model("performance", "Performance", 0.8, true, &["low", "medium", "high"], "medium"),
    ]
}

/// `GET /models`
pub fn list(_ctx: &Ctx) -> ApiResult<Reply> {
    Ok(Reply::ok(&json!({"data": catalogue(), "has_more": false})))
}
