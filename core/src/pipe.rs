//! The bounded queue of event batches between a stream's reader task and its consumer.
//!
//! Why not `tokio::sync::mpsc`: a Tokio channel allocates its first block of 32 slots and its
//! cache-padded shared state up front, ≈ 1.3 KiB per stream whether or not anything is queued;
//! with a thousand streams open that is over a megabyte. There is exactly one producer (the
//! reader task) and one consumer (the `EventStream`), so a mutex-guarded `VecDeque` (allocated
//! only while batches wait), a waker for the consumer and a `Notify` for the producer do the
//! same job in ≈ 150 bytes. Semantics match the parts of `mpsc` the stream used: `send` waits
//! while the queue is full (backpressure) and fails once the consumer closed; the consumer sees
//! the end after the producer is dropped and everything queued was taken.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{Context, Poll};

use futures_util::task::AtomicWaker;
use tokio::sync::Notify;

struct State<T> {
    queue: VecDeque<T>,
    cap: usize,
    sender_alive: bool,
    receiver_open: bool,
}

struct Inner<T> {
    state: Mutex<State<T>>,
    /// Wakes the consumer when an item arrives or the producer goes away.
    consumer: AtomicWaker,
    /// Wakes the producer when room frees up or the consumer closes.
    room: Notify,
}

impl<T> Inner<T> {
    fn lock(&self) -> MutexGuard<'_, State<T>> {
        // A panic while holding this lock leaves the queue consistent (every critical section
        // is a single push, pop or flag write), so a poisoned lock is still usable.
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// A bounded single-producer, single-consumer queue holding at most `cap` items (min 1).
pub(crate) fn channel<T>(cap: usize) -> (Sender<T>, Receiver<T>) {
    let inner = Arc::new(Inner {
        state: Mutex::new(State { queue: VecDeque::new(), cap: cap.max(1), sender_alive: true, receiver_open: true }),
        consumer: AtomicWaker::new(),
        room: Notify::new(),
    });
    (Sender(inner.clone()), Receiver(inner))
}

/// The producing half (the reader task).
pub(crate) struct Sender<T>(Arc<Inner<T>>);

impl<T> Sender<T> {
    /// Queues `item`, waiting while the queue is full; gives it back if the consumer closed.
    pub(crate) async fn send(&self, item: T) -> Result<(), T> {
        let mut item = item;
        loop {
            // Registered before the state is checked, so a pop or close in between still wakes us.
            let room = self.0.room.notified();
            tokio::pin!(room);
            room.as_mut().enable();
            match self.try_send(item) {
                Ok(()) => return Ok(()),
                Err(TrySendError::Closed(back)) => return Err(back),
                Err(TrySendError::Full(back)) => item = back,
            }
            room.await;
        }
    }

    /// Queues `item` if there is room now, without waiting.
    pub(crate) fn try_send(&self, item: T) -> Result<(), TrySendError<T>> {
        let mut st = self.0.lock();
        if !st.receiver_open {
            return Err(TrySendError::Closed(item));
        }
        if st.queue.len() >= st.cap {
            return Err(TrySendError::Full(item));
        }
        st.queue.push_back(item);
        drop(st);
        self.0.consumer.wake();
        Ok(())
    }

    /// Whether the consumer closed (nothing sent from now on would be read).
    pub(crate) fn is_closed(&self) -> bool {
        !self.0.lock().receiver_open
    }
}

impl<T> Drop for Sender<T> {
    fn drop(&mut self) {
        self.0.lock().sender_alive = false;
        self.0.consumer.wake();
    }
}

/// Why [`Sender::try_send`] gave its item back.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum TrySendError<T> {
    /// The queue holds `cap` items; the consumer has not caught up.
    Full(T),
    /// The consumer closed: nothing sent would be read.
    Closed(T),
}

/// Why [`Receiver::try_recv`] returned nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TryRecvError {
    /// Nothing queued yet.
    Empty,
    /// Nothing queued, and the producer is gone.
    Disconnected,
}

/// The consuming half (the `EventStream`).
pub(crate) struct Receiver<T>(Arc<Inner<T>>);

impl<T> Receiver<T> {
    /// The next item without waiting.
    pub(crate) fn try_recv(&mut self) -> Result<T, TryRecvError> {
        let mut st = self.0.lock();
        match st.queue.pop_front() {
            Some(item) => {
                if st.queue.is_empty() {
                    // Let the (small) ring go while the stream is idle.
                    st.queue = VecDeque::new();
                }
                drop(st);
                self.0.room.notify_one();
                Ok(item)
            }
            // After `close` nothing more can arrive, so an empty queue is the end (as with mpsc).
            None if st.sender_alive && st.receiver_open => Err(TryRecvError::Empty),
            None => Err(TryRecvError::Disconnected),
        }
    }

    /// Polls for the next item; `Ready(None)` once the producer is gone and the queue is empty.
    pub(crate) fn poll_recv(&mut self, cx: &mut Context<'_>) -> Poll<Option<T>> {
        match self.try_recv() {
            Ok(item) => return Poll::Ready(Some(item)),
            Err(TryRecvError::Disconnected) => return Poll::Ready(None),
            Err(TryRecvError::Empty) => {}
        }
        self.0.consumer.register(cx.waker());
        // Checked again after registering: an item sent in between would otherwise be missed.
        match self.try_recv() {
            Ok(item) => Poll::Ready(Some(item)),
            Err(TryRecvError::Disconnected) => Poll::Ready(None),
            Err(TryRecvError::Empty) => Poll::Pending,
        }
    }

    /// Waits for the next item; `None` once the producer is gone and the queue is empty.
    pub(crate) async fn recv(&mut self) -> Option<T> {
        std::future::poll_fn(|cx| self.poll_recv(cx)).await
    }

    /// Refuses further items (a waiting `send` fails); what is queued can still be taken, then
    /// the queue reports its end.
    pub(crate) fn close(&mut self) {
        self.0.lock().receiver_open = false;
        self.0.room.notify_waiters();
    }
}

impl<T> Drop for Receiver<T> {
    fn drop(&mut self) {
        let queued = {
            let mut st = self.0.lock();
            st.receiver_open = false;
            std::mem::take(&mut st.queue)
        };
        self.0.room.notify_waiters();
        // Dropped outside the lock: items may be large.
        drop(queued);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[tokio::test]
    async fn order_backpressure_and_end() {
        let (tx, mut rx) = channel::<u32>(2);
        let producer = tokio::spawn(async move {
            for i in 0..100 {
                tx.send(i).await.unwrap();
            }
        });
        let mut got = Vec::new();
        while let Some(i) = rx.recv().await {
            got.push(i);
            // The queue never holds more than its capacity.
            assert!(rx.0.lock().queue.len() <= 2);
        }
        assert_eq!(got, (0..100).collect::<Vec<_>>());
        producer.await.unwrap();
        assert_eq!(rx.try_recv(), Err(TryRecvError::Disconnected));
    }

    #[test]
    fn try_send_reports_full_and_closed_with_the_item() {
        let (tx, mut rx) = channel::<u32>(1);
        assert_eq!(tx.try_send(1), Ok(()));
        assert_eq!(tx.try_send(2), Err(TrySendError::Full(2)));
        assert_eq!(rx.try_recv(), Ok(1));
        assert_eq!(tx.try_send(3), Ok(()));
        rx.close();
        assert_eq!(tx.try_send(4), Err(TrySendError::Closed(4)));
        // What was queued before the close is still handed out, then the end.
        assert_eq!(rx.try_recv(), Ok(3));
        assert_eq!(rx.try_recv(), Err(TryRecvError::Disconnected));
    }

    #[tokio::test]
    async fn a_full_send_fails_when_the_consumer_closes() {
        let (tx, mut rx) = channel::<u32>(1);
        tx.send(1).await.unwrap();
        let waiting = tokio::spawn(async move {
            let r = tx.send(2).await;
            (r, tx.is_closed())
        });
        tokio::task::yield_now().await;
        rx.close();
        let (r, closed) = tokio::time::timeout(Duration::from_secs(5), waiting).await.unwrap().unwrap();
        assert_eq!(r, Err(2));
        assert!(closed);
        // What was queued before the close can still be taken.
        assert_eq!(rx.try_recv(), Ok(1));
        assert_eq!(rx.try_recv(), Err(TryRecvError::Disconnected));
    }

    #[tokio::test]
    async fn a_closed_queue_ends_even_while_the_sender_lives() {
        let (tx, mut rx) = channel::<u32>(2);
        tx.send(1).await.unwrap();
        rx.close();
        assert_eq!(rx.recv().await, Some(1));
        assert_eq!(tokio::time::timeout(Duration::from_secs(5), rx.recv()).await.unwrap(), None);
        assert!(tx.is_closed());
    }

    #[tokio::test]
    async fn dropping_the_receiver_releases_a_waiting_sender() {
        let (tx, rx) = channel::<u32>(1);
        tx.send(1).await.unwrap();
        let waiting = tokio::spawn(async move { tx.send(2).await });
        tokio::task::yield_now().await;
        drop(rx);
        assert_eq!(tokio::time::timeout(Duration::from_secs(5), waiting).await.unwrap().unwrap(), Err(2));
    }

    #[tokio::test]
    async fn a_waiting_receiver_wakes_on_send_and_on_drop() {
        let (tx, mut rx) = channel::<u32>(4);
        let consumer = tokio::spawn(async move {
            let a = rx.recv().await;
            let b = rx.recv().await;
            (a, b)
        });
        tokio::task::yield_now().await;
        tx.send(7).await.unwrap();
        drop(tx);
        let (a, b) = tokio::time::timeout(Duration::from_secs(5), consumer).await.unwrap().unwrap();
        assert_eq!((a, b), (Some(7), None));
    }

    /// Producer and consumer on different threads, capacity 1: a lost wakeup would hang here.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn cross_thread_stress() {
        let (tx, mut rx) = channel::<u32>(1);
        let producer = tokio::spawn(async move {
            for i in 0..50_000 {
                tx.send(i).await.unwrap();
            }
        });
        let consumer = tokio::spawn(async move {
            let mut next = 0;
            while let Some(i) = rx.recv().await {
                assert_eq!(i, next);
                next += 1;
            }
            next
        });
        let n = tokio::time::timeout(Duration::from_secs(60), consumer).await.unwrap().unwrap();
        assert_eq!(n, 50_000);
        producer.await.unwrap();
    }
}
