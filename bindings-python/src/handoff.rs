//! Stream results that could not be handed over: nothing a stream read is ever dropped.
//!
//! An `__anext__` (or `next_batch`) future can be cancelled (a `wait_for` timeout, a cancelled
//! task) after the runtime already took events out of the stream. Those events are kept here,
//! in order, and handed out first by the next read; a read that completes while older events
//! are kept delivers the oldest and keeps its own behind them.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use qoder_cloud::stream::StreamEvent;
use qoder_cloud::Error;

use crate::bridge::Hook;
use crate::out::Out;

/// One kept result, at event granularity so a single read and a batch read can share it.
enum Item {
    Event(StreamEvent),
    Failed(Error),
    End,
}

/// How many results a read wants.
#[derive(Clone, Copy)]
pub enum Want {
    One,
    Batch(usize),
}

/// Kept results and the count of reads still under way.
#[derive(Default)]
pub struct Held {
    items: Mutex<VecDeque<Item>>,
    /// Mirrors `!items.is_empty()`, so the hot path (nothing kept) takes no lock.
    kept: AtomicBool,
    in_flight: AtomicUsize,
}

impl Held {
    fn lock(&self) -> std::sync::MutexGuard<'_, VecDeque<Item>> {
        self.items.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Whether a read is under way or results are kept: a new read must then not take events
    /// from the stream directly, or it would overtake them.
    pub fn busy(&self) -> bool {
        self.in_flight.load(Ordering::SeqCst) > 0 || self.kept.load(Ordering::SeqCst)
    }

    /// The oldest kept results, shaped for `want`; `None` when nothing is kept.
    pub fn take(&self, want: Want) -> Option<Out> {
        if !self.kept.load(Ordering::SeqCst) {
            return None;
        }
        let mut items = self.lock();
        let out = take(&mut items, want);
        self.kept.store(!items.is_empty(), Ordering::SeqCst);
        out
    }

    /// The hook for a read about to be spawned (counted as under way until it arrives or is
    /// dropped with its aborted task).
    pub fn hook(self: &Arc<Self>, want: Want) -> Box<dyn Hook> {
        self.in_flight.fetch_add(1, Ordering::SeqCst);
        Box::new(ReadHook { held: self.clone(), want })
    }
}

fn take(items: &mut VecDeque<Item>, want: Want) -> Option<Out> {
    match items.front()? {
        Item::Failed(_) | Item::End if matches!(want, Want::Batch(_)) => match items.pop_front()? {
            Item::Failed(e) => Some(Out::Err(e)),
            _ => Some(Out::Events(Vec::new())),
        },
        _ => match want {
            Want::One => Some(match items.pop_front()? {
                Item::Event(e) => Out::Event(e),
                Item::Failed(e) => Out::Err(e),
                Item::End => Out::StopAsync,
            }),
            Want::Batch(max) => {
                let mut out = Vec::new();
                while out.len() < max {
                    match items.front() {
                        Some(Item::Event(_)) => {
                            if let Some(Item::Event(e)) = items.pop_front() {
                                out.push(e);
                            }
                        }
                        _ => break,
                    }
                }
                Some(Out::Events(out))
            }
        },
    }
}

struct ReadHook {
    held: Arc<Held>,
    want: Want,
}

impl Hook for ReadHook {
    fn behind_others(&self) -> bool {
        self.others_under_way()
    }

    fn arrive(self: Box<Self>, out: Out, cancelled: bool) -> Option<Out> {
        let mut items = self.held.lock();
        if items.is_empty() && !cancelled {
            return Some(out);
        }
        // Kept at event granularity; other results (panics, Python errors) pass through.
        match out {
            Out::Event(e) => items.push_back(Item::Event(e)),
            Out::Events(v) if v.is_empty() => items.push_back(Item::End),
            Out::Events(v) => items.extend(v.into_iter().map(Item::Event)),
            Out::Err(e) => items.push_back(Item::Failed(e)),
            Out::StopAsync => items.push_back(Item::End),
            other => return (!cancelled).then_some(other),
        }
        let out = if cancelled { None } else { take(&mut items, self.want) };
        self.held.kept.store(!items.is_empty(), Ordering::SeqCst);
        out
    }
}

impl ReadHook {
    fn others_under_way(&self) -> bool {
        // This read counts itself in `in_flight`.
        self.held.in_flight.load(Ordering::SeqCst) > 1 || self.held.kept.load(Ordering::SeqCst)
    }
}

impl Drop for ReadHook {
    fn drop(&mut self) {
        self.held.in_flight.fetch_sub(1, Ordering::SeqCst);
    }
}
