//! Pages and auto-paging (docs/api-contract.md §2.2).
//!
//! Two cursor styles: most lists send `page=<next_page>` until `has_more` is false; the models
//! list sends `after_id=<last_id>` (or `before_id=<first_id>` when walking backwards). Filters
//! are re-sent on every page, and a cursor that repeats is an error rather than an endless loop.

use std::collections::HashSet;
use std::marker::PhantomData;
use std::pin::Pin;
use std::task::{Context, Poll};

use futures_util::future::BoxFuture;
use futures_util::Stream;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::client::{Client, Response};
use crate::error::{Error, ErrorKind, Result};
use crate::operations::{Operation, ResponseKind};
use crate::transport::RequestOptions;

/// One page of a list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Page<T> {
    /// Items of this page.
    #[serde(default = "Vec::new")]
    pub data: Vec<T>,
    /// Whether more pages follow.
    #[serde(default)]
    pub has_more: bool,
    /// Id of the first item (null on an empty page).
    #[serde(default)]
    pub first_id: Option<String>,
    /// Id of the last item.
    #[serde(default)]
    pub last_id: Option<String>,
    /// Opaque cursor of the next page.
    #[serde(default)]
    pub next_page: Option<String>,
    /// Fields the server added that this version does not know.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// The arguments that fetch the page after `page`, or `None` at the end.
///
/// `args` are the arguments of the call that produced `page`. Errors when the server hands back
/// the cursor that produced this very page (a server bug that would otherwise loop forever).
pub fn next_page_args(op: &Operation, args: &Value, page: &Value) -> Result<Option<Value>> {
    let has_more = page.get("has_more").and_then(Value::as_bool).unwrap_or(false);
    if !has_more {
        return Ok(None);
    }
    let mut next = args.as_object().cloned().unwrap_or_default();
    let s = |k: &str| page.get(k).and_then(Value::as_str).filter(|s| !s.is_empty()).map(str::to_string);
    match op.response {
        ResponseKind::ModelsPage => {
            if page.get("data").and_then(Value::as_array).is_none_or(Vec::is_empty) {
                return Ok(None);
            }
            let backwards = next.get("before_id").is_some_and(|v| !v.is_null());
            let (key, cursor) = if backwards { ("before_id", s("first_id")) } else { ("after_id", s("last_id")) };
            let Some(cursor) = cursor else { return Ok(None) };
            if next.get(key).and_then(Value::as_str) == Some(cursor.as_str()) {
                return Err(repeat_error(op, &cursor));
            }
            next.remove("after_id");
            next.remove("before_id");
            next.insert(key.into(), Value::String(cursor));
        }
        _ => {
            let Some(cursor) = s("next_page") else { return Ok(None) };
            if next.get("page").and_then(Value::as_str) == Some(cursor.as_str()) {
                return Err(repeat_error(op, &cursor));
            }
            next.remove("after_id");
            next.remove("before_id");
            next.insert("page".into(), Value::String(cursor));
        }
    }
    Ok(Some(Value::Object(next)))
}

/// The cursor that `next` (the arguments of a next page) follows.
fn cursor_of(next: &Value) -> String {
    let cursor = next.get("page").or_else(|| next.get("after_id")).or_else(|| next.get("before_id"));
    cursor.and_then(Value::as_str).unwrap_or_default().to_string()
}

/// The cursors followed to reach a page, for pages fetched one by one (a binding's
/// `get_next_page`): a list whose cursors cycle (A → B → A) is an error, not an endless walk.
/// Each page keeps its own trail, so fetching the page after one page twice is allowed.
#[derive(Clone, Default)]
pub struct CursorTrail(Option<std::sync::Arc<(String, CursorTrail)>>);

impl CursorTrail {
    /// The arguments of the page after `page` (fetched with `args`) and the trail that reaches
    /// it; `None` at the end; an error if its cursor was followed before on this trail.
    pub fn next(&self, op: &Operation, args: &Value, page: &Value) -> Result<Option<(Value, CursorTrail)>> {
        let Some(next) = next_page_args(op, args, page)? else { return Ok(None) };
        let cursor = cursor_of(&next);
        let mut at = self;
        while let Some(node) = &at.0 {
            if node.0 == cursor {
                return Err(repeat_error(op, &cursor));
            }
            at = &node.1;
        }
        Ok(Some((next, CursorTrail(Some(std::sync::Arc::new((cursor, self.clone())))))))
    }
}

fn repeat_error(op: &Operation, cursor: &str) -> Error {
    Error::new(
        ErrorKind::Decode,
        format!("{}: the server returned cursor {cursor:?} twice; stopping instead of looping", op.name),
    )
}

type PageFuture = BoxFuture<'static, Result<Response<Value>>>;

/// Auto-paging stream over every item of a list, as JSON values.
///
/// Pages are fetched lazily, one at a time, as the consumer drains the previous page.
pub struct ItemStream<T = Value> {
    client: Client,
    op: &'static Operation,
    opts: RequestOptions,
    args: Option<Value>,
    buffer: std::collections::VecDeque<Value>,
    pending: Option<PageFuture>,
    seen: HashSet<String>,
    remaining: Option<usize>,
    pages: usize,
    _t: PhantomData<fn() -> T>,
}

impl<T> ItemStream<T> {
    /// Starts at the page `args` selects; `max_items` caps the number of items yielded.
    pub(crate) fn new(
        client: Client,
        op: &'static Operation,
        args: Value,
        opts: RequestOptions,
        max_items: Option<usize>,
    ) -> Self {
        Self {
            client,
            op,
            opts,
            args: Some(args),
            buffer: Default::default(),
            pending: None,
            seen: HashSet::new(),
            remaining: max_items,
            pages: 0,
            _t: PhantomData,
        }
    }

    /// Number of pages fetched so far.
    pub fn pages_fetched(&self) -> usize {
        self.pages
    }

    fn poll_value(&mut self, cx: &mut Context<'_>) -> Poll<Option<Result<Value>>> {
        loop {
            if self.remaining == Some(0) {
                return Poll::Ready(None);
            }
            if let Some(v) = self.buffer.pop_front() {
                if let Some(r) = &mut self.remaining {
                    *r -= 1;
                }
                return Poll::Ready(Some(Ok(v)));
            }
            if self.pending.is_none() {
                let Some(args) = self.args.clone() else { return Poll::Ready(None) };
                let client = self.client.clone();
                let op = self.op;
                let opts = self.opts.clone();
                self.pending = Some(Box::pin(async move { client.call_op(op, args, opts).await }));
            }
            let fut = self.pending.as_mut().expect("pending set above");
            let resp = match fut.as_mut().poll(cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(r) => r,
            };
            self.pending = None;
            self.pages += 1;
            let page = match resp {
                Ok(r) => r.value,
                Err(e) => {
                    self.args = None;
                    return Poll::Ready(Some(Err(e)));
                }
            };
            let current = self.args.take().unwrap_or(Value::Null);
            match next_page_args(self.op, &current, &page) {
                Ok(Some(next)) => {
                    let key = cursor_of(&next);
                    if !self.seen.insert(key.clone()) {
                        return Poll::Ready(Some(Err(repeat_error(self.op, &key))));
                    }
                    self.args = Some(next);
                }
                Ok(None) => {}
                Err(e) => return Poll::Ready(Some(Err(e))),
            }
            if let Some(Value::Array(items)) = page.get("data") {
                self.buffer.extend(items.iter().cloned());
            }
            if self.buffer.is_empty() && self.args.is_none() {
                return Poll::Ready(None);
            }
        }
    }
}

impl<T: DeserializeOwned> Stream for ItemStream<T> {
    type Item = Result<T>;
    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        match this.poll_value(cx) {
            Poll::Ready(Some(Ok(v))) => Poll::Ready(Some(serde_json::from_value(v.clone()).map_err(|e| {
                Error::decode(format!("{}: unexpected item shape: {e}", this.op.name), v.to_string().as_bytes(), None)
            }))),
            Poll::Ready(Some(Err(e))) => Poll::Ready(Some(Err(e))),
            Poll::Ready(None) => Poll::Ready(None),
            Poll::Pending => Poll::Pending,
        }
    }
}

impl<T> Unpin for ItemStream<T> {}

impl Client {
    /// Auto-pages through every item of the list operation `name` (JSON items).
    pub fn paginate(
        &self,
        name: &str,
        args: Value,
        opts: RequestOptions,
        max_items: Option<usize>,
    ) -> Result<ItemStream<Value>> {
        let op = crate::client::lookup(name)?;
        if !op.is_paginated() {
            return Err(Error::invalid_argument("operation", format!("{name} is not a list operation")));
        }
        Ok(ItemStream::new(self.clone(), op, args, opts, max_items))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_cursor_trail_stops_a_cycle_but_not_a_refetch() {
        let op = crate::operations::find("agents.list").unwrap();
        let page = |next: &str| json!({"data": [], "has_more": true, "next_page": next});
        let start = CursorTrail::default();
        let (a_args, a) = start.next(op, &json!({"limit": 2}), &page("A")).unwrap().unwrap();
        assert_eq!(a_args, json!({"limit": 2, "page": "A"}), "filters are kept");
        let (b_args, b) = a.next(op, &a_args, &page("B")).unwrap().unwrap();
        // Fetching the page after A again follows B again: a new trail from A, not a cycle.
        assert!(a.next(op, &a_args, &page("B")).unwrap().is_some());
        let e = b.next(op, &b_args, &page("A")).err().expect("A → B → A is a cycle");
        assert_eq!(e.kind(), ErrorKind::Decode);
        assert!(e.message().contains("cursor \"A\" twice"), "{}", e.message());
        let end = json!({"data": [], "has_more": false, "next_page": null});
        assert!(b.next(op, &b_args, &end).unwrap().is_none());
    }
}
