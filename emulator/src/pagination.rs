//! Cursor pagination (docs/api-contract.md §2.2, §9.3).
//!
//! Collections are stored in ascending creation order and every item has a
//! cursor key that sorts like that order (ids are time-ordered). A cursor is a
//! key, never an offset, so pages stay stable while new items are inserted.
//! Filters are applied while walking from the cursor, before the limit.

use serde_json::Value;

use crate::errors::{ApiError, ApiResult};
use crate::query::Query;

/// Display order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Order {
    /// Oldest first.
    Asc,
    /// Newest first.
    Desc,
}

impl Order {
    /// Reads `order=asc|desc`, with a default.
    pub fn parse(q: &Query, default: Order) -> ApiResult<Order> {
        Ok(match q.one_of("order", &["asc", "desc"])?.as_deref() {
            Some("asc") => Order::Asc,
            Some("desc") => Order::Desc,
            _ => default,
        })
    }
}

/// Where a page starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cursor {
    /// First page.
    Start,
    /// Items after this key in display order (`page` / `after_id`).
    After(String),
    /// Items before this key in display order (`before_id`).
    Before(String),
}

/// A parsed page request.
#[derive(Debug, Clone)]
pub struct PageRequest {
    /// 1..=100.
    pub limit: usize,
    /// Starting point.
    pub cursor: Cursor,
}

/// `next_page` values for backward pages carry this marker; forward cursors are
/// the bare last key (as observed on the real service).
const BACKWARD_MARKER: &str = "before:";

impl PageRequest {
    /// Parses `limit`, `page`, `after_id`, `before_id` (at most one cursor).
    pub fn parse(q: &Query) -> ApiResult<Self> {
        let limit = match q.get("limit") {
            None => 20,
            Some(v) => match v.trim().parse::<i64>() {
                Ok(n) if (1..=100).contains(&n) => n as usize,
                _ => {
                    return Err(ApiError::param(
                        "limit",
                        format!("limit must be an integer between 1 and 100, got '{v}'"),
                    ))
                }
            },
        };
        let given: Vec<(&str, &str)> =
            ["page", "after_id", "before_id"].into_iter().filter_map(|k| q.get(k).map(|v| (k, v))).collect();
        if given.len() > 1 {
            return Err(ApiError::param(given[1].0, "Only one of page, after_id and before_id may be provided."));
        }
        let cursor = match given.first() {
            None => Cursor::Start,
            Some((k, "")) => return Err(ApiError::param(*k, format!("{k} must not be empty"))),
            Some(("page", v)) => match v.strip_prefix(BACKWARD_MARKER) {
                Some("") => return Err(ApiError::param("page", "Invalid page cursor.")),
                Some(key) => Cursor::Before(key.to_string()),
                None => Cursor::After(v.to_string()),
            },
            Some(("after_id", v)) => Cursor::After(v.to_string()),
            Some((_, v)) => Cursor::Before(v.to_string()),
        };
        Ok(PageRequest { limit, cursor })
    }
}

/// The selected items of one page plus paging metadata.
#[derive(Debug)]
pub struct Selection<'a, T> {
    /// Items in display order.
    pub items: Vec<&'a T>,
    /// More items exist beyond this page (in the paging direction).
    pub has_more: bool,
    backward: bool,
}

/// Selects a page from `items` (stored ascending by `key`).
pub fn select<'a, T>(
    items: &'a [T],
    key: impl Fn(&T) -> String,
    keep: impl Fn(&T) -> bool,
    order: Order,
    req: &PageRequest,
) -> Selection<'a, T> {
    let want = req.limit + 1;
    let mut out: Vec<&T> = Vec::with_capacity(want.min(items.len()));
    // Walk forward (ascending) from `start` or backward from `end` collecting matches.
    let forward = |start: usize, out: &mut Vec<&'a T>| {
        for it in &items[start..] {
            if out.len() == want {
                break;
            }
            if keep(it) {
                out.push(it);
            }
        }
    };
    let backward = |end: usize, out: &mut Vec<&'a T>| {
        for it in items[..end].iter().rev() {
            if out.len() == want {
                break;
            }
            if keep(it) {
                out.push(it);
            }
        }
    };
    let pos_le = |k: &str| items.partition_point(|t| key(t).as_str() <= k); // first index with key > k
    let pos_lt = |k: &str| items.partition_point(|t| key(t).as_str() < k); // first index with key >= k
    let mut is_backward = false;
    match (&req.cursor, order) {
        (Cursor::Start, Order::Asc) => forward(0, &mut out),
        (Cursor::Start, Order::Desc) => backward(items.len(), &mut out),
        (Cursor::After(k), Order::Asc) => forward(pos_le(k), &mut out),
        (Cursor::After(k), Order::Desc) => backward(pos_lt(k), &mut out),
        (Cursor::Before(k), Order::Asc) => {
            backward(pos_lt(k), &mut out);
            is_backward = true;
        }
        (Cursor::Before(k), Order::Desc) => {
            forward(pos_le(k), &mut out);
            is_backward = true;
        }
    }
    let has_more = out.len() > req.limit;
    out.truncate(req.limit);
    if is_backward {
        // Collected walking away from the cursor; display order is the reverse.
        out.reverse();
    }
    Selection { items: out, has_more, backward: is_backward }
}

impl<T> Selection<'_, T> {
    /// Builds the page envelope `{data, has_more, first_id, last_id, next_page}`.
    /// `render` yields each item's JSON text, `id` its `id` field and `key` its cursor key.
    pub fn envelope(
        &self,
        mut render: impl FnMut(&T) -> String,
        id: impl Fn(&T) -> String,
        key: impl Fn(&T) -> String,
    ) -> Vec<u8> {
        let mut out = String::with_capacity(64 + self.items.len() * 256);
        out.push_str("{\"data\":[");
        for (i, it) in self.items.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            out.push_str(&render(it));
        }
        out.push_str("],\"has_more\":");
        out.push_str(if self.has_more { "true" } else { "false" });
        let first = self.items.first().map(|t| id(t));
        let last = self.items.last().map(|t| id(t));
        let next = if !self.has_more {
            None
        } else if self.backward {
            self.items.first().map(|t| format!("{BACKWARD_MARKER}{}", key(t)))
        } else {
            self.items.last().map(|t| key(t))
        };
        for (name, v) in [("first_id", first), ("last_id", last), ("next_page", next)] {
            out.push_str(",\"");
            out.push_str(name);
            out.push_str("\":");
            out.push_str(&serde_json::to_string(&v.map(Value::String).unwrap_or(Value::Null)).unwrap_or_default());
        }
        out.push('}');
        out.into_bytes()
    }
}

/// Pages `items` (stored ascending by id) into a 200 reply: parses `limit`,
/// the cursor and `order` (default `default`), keeps items passing `keep`
/// and renders each with `render`. Ids double as cursor keys.
pub fn list_reply<T>(
    q: &Query,
    items: &[T],
    id: impl Fn(&T) -> String,
    keep: impl Fn(&T) -> bool,
    render: impl FnMut(&T) -> Value,
    default: Order,
) -> ApiResult<crate::body::Reply> {
    let page = PageRequest::parse(q)?;
    let order = Order::parse(q, default)?;
    let mut render = render;
    let sel = select(items, &id, keep, order, &page);
    let body = sel.envelope(|t| render(t).to_string(), &id, &id);
    Ok(crate::body::Reply::raw_json(http::StatusCode::OK, body))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req(q: &str) -> PageRequest {
        PageRequest::parse(&Query::parse(Some(q))).unwrap()
    }

    #[test]
    fn walks_both_directions() {
        let items: Vec<String> = (0..10).map(|i| format!("k{i}")).collect();
        let key = |s: &String| s.clone();
        let s = select(&items, key, |_| true, Order::Desc, &req("limit=3"));
        assert_eq!(s.items, vec!["k9", "k8", "k7"]);
        assert!(s.has_more);
        let s = select(&items, key, |_| true, Order::Desc, &req("limit=3&page=k7"));
        assert_eq!(s.items, vec!["k6", "k5", "k4"]);
        let s = select(&items, key, |_| true, Order::Desc, &req("limit=3&before_id=k4"));
        assert_eq!(s.items, vec!["k7", "k6", "k5"]);
        assert!(s.has_more);
        let s = select(&items, key, |_| true, Order::Asc, &req("limit=4&after_id=k7"));
        assert_eq!(s.items, vec!["k8", "k9"]);
        assert!(!s.has_more);
        let s = select(&items, key, |s| s.ends_with(['1', '3']), Order::Asc, &req("limit=1"));
        assert_eq!(s.items, vec!["k1"]);
        assert!(s.has_more);
    }

    #[test]
    fn rejects_bad_requests() {
        for q in ["limit=0", "limit=101", "limit=x", "page=a&after_id=b", "before_id="] {
            assert!(PageRequest::parse(&Query::parse(Some(q))).is_err(), "{q}");
        }
    }
}
