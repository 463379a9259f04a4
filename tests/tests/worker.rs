//! The environment worker against the emulator's work queue: an item is acked, heartbeated,
//! run once and stopped; stop requests reach the handler; a reclaimed lease cancels it; shutdown
//! gives running handlers their grace period.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use qoder_cloud::worker::CancellationToken;
use qoder_cloud::worker::{WorkContext, WorkHandler, WorkItem, WorkerOptions, WorkerReport};
use qoder_tests::TestEnv;
use serde_json::{json, Value};
use tokio::sync::mpsc;

/// A self-hosted environment with one session whose message queued one work item.
async fn queued_work(t: &TestEnv) -> (String, String) {
    let c = &t.client;
    let agent = c.call("agents.create", json!({"name": "w", "model": "auto"}), Default::default()).await.unwrap().value;
    let env = c
        .call("environments.create", json!({"name": "hosted", "config": {"type": "self_hosted"}}), Default::default())
        .await
        .unwrap()
        .value;
    let eid = env["id"].as_str().unwrap().to_string();
    let sess = c
        .call("sessions.create", json!({"agent": agent["id"], "environment_id": eid}), Default::default())
        .await
        .unwrap()
        .value;
    let sid = sess["id"].as_str().unwrap().to_string();
    let msg = json!({"type": "user.message", "content": [{"type": "text", "text": "work"}]});
    c.call("sessions.events.send", json!({"session_id": sid, "events": [msg]}), Default::default()).await.unwrap();
    (eid, sid)
}

async fn works(t: &TestEnv, eid: &str) -> Vec<Value> {
    let page = t
        .client
        .call("environments.work.list", json!({"environment_id": eid}), Default::default())
        .await
        .unwrap()
        .value;
    page["data"].as_array().unwrap().clone()
}

/// Runs a worker for `eid` in a task; its shutdown token and the task.
fn start(
    t: &TestEnv,
    eid: &str,
    handler: impl WorkHandler + 'static,
    opts: WorkerOptions,
) -> (CancellationToken, tokio::task::JoinHandle<qoder_cloud::Result<WorkerReport>>) {
    let shutdown = CancellationToken::new();
    let (c, eid, s) = (t.client.clone(), eid.to_string(), shutdown.clone());
    (shutdown, tokio::spawn(async move { c.run_worker(&eid, Arc::new(handler), opts, s).await }))
}

fn fast() -> WorkerOptions {
    WorkerOptions { poll_wait: Duration::from_millis(200), lease: Duration::from_secs(1), ..Default::default() }
}

#[tokio::test]
async fn an_item_is_acked_run_once_and_stopped() {
    let t = TestEnv::start().await;
    let (eid, sid) = queued_work(&t).await;
    let (tx, mut rx) = mpsc::unbounded_channel();
    let handler = move |item: WorkItem, _ctx: WorkContext| {
        let tx = tx.clone();
        async move {
            tx.send((item.session_id.clone(), item.work["state"].as_str().map(str::to_string))).unwrap();
            Ok(())
        }
    };
    let (shutdown, worker) = start(&t, &eid, handler, WorkerOptions { worker_id: Some("w-1".into()), ..fast() });
    let (session, state) = rx.recv().await.unwrap();
    assert_eq!(session.as_deref(), Some(sid.as_str()));
    assert_eq!(state.as_deref(), Some("acknowledged"), "the handler runs after the ack");
    // The worker finishes the item (it stops it); then it is shut down.
    while works(&t, &eid).await[0]["state"] != "stopped" {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    shutdown.cancel();
    let report = worker.await.unwrap().unwrap();
    assert_eq!((report.completed, report.failed, report.stopped), (1, 0, 0));
    assert!(rx.try_recv().is_err(), "the handler ran once");
}

#[tokio::test]
async fn a_stop_request_reaches_the_handler() {
    let t = TestEnv::start().await;
    let (eid, _) = queued_work(&t).await;
    let (tx, mut rx) = mpsc::unbounded_channel();
    let handler = move |item: WorkItem, ctx: WorkContext| {
        let tx = tx.clone();
        async move {
            tx.send(item.id.clone()).unwrap();
            ctx.stopping().cancelled().await;
            Ok(())
        }
    };
    let (shutdown, worker) = start(&t, &eid, handler, fast());
    let work_id = rx.recv().await.unwrap();
    t.client
        .call("environments.work.stop", json!({"environment_id": eid, "work_id": work_id}), Default::default())
        .await
        .unwrap();
    // The handler ends through its stop token; the worker then marks the item stopped.
    while works(&t, &eid).await[0]["state"] != "stopped" {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    shutdown.cancel();
    let report = worker.await.unwrap().unwrap();
    assert_eq!((report.completed, report.stopped), (0, 1));
}

#[tokio::test]
async fn a_reclaimed_lease_cancels_the_handler() {
    struct Dropped(Arc<AtomicUsize>);
    impl Drop for Dropped {
        fn drop(&mut self) {
            self.0.fetch_add(1, Ordering::SeqCst);
        }
    }
    let t = TestEnv::start().await;
    let (eid, _) = queued_work(&t).await;
    let dropped = Arc::new(AtomicUsize::new(0));
    let (tx, mut rx) = mpsc::unbounded_channel();
    let d = dropped.clone();
    let handler = move |item: WorkItem, _ctx: WorkContext| {
        let (tx, guard) = (tx.clone(), Dropped(d.clone()));
        async move {
            let _guard = guard;
            tx.send(item.id.clone()).unwrap();
            std::future::pending::<()>().await;
            Ok(())
        }
    };
    // Beats 2 s apart: after the first one, the take-over below happens between two beats.
    let opts = WorkerOptions { lease: Duration::from_secs(6), ..fast() };
    let (shutdown, worker) = start(&t, &eid, handler, opts);
    let work_id = rx.recv().await.unwrap();
    while works(&t, &eid).await[0]["state"] != "running" {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    // Another worker takes the item over: on the emulator's clock this worker has been silent
    // for an hour, so a poll with reclaim hands the item out again; the new holder acks and beats.
    t.emu.advance_clock(Duration::from_secs(3600));
    let other = json!({"environment_id": eid, "worker_id": "w-2", "reclaim_older_than_ms": 1000, "block_ms": 0});
    let got = t.client.call("environments.work.poll", other, Default::default()).await.unwrap().value;
    assert_eq!(got["id"], work_id.as_str());
    t.client
        .call("environments.work.ack", json!({"environment_id": eid, "work_id": work_id}), Default::default())
        .await
        .unwrap();
    t.client
        .call("environments.work.heartbeat", json!({"environment_id": eid, "work_id": work_id}), Default::default())
        .await
        .unwrap();
    // This worker's next compare-and-set heartbeat fails: its handler is dropped.
    while dropped.load(Ordering::SeqCst) == 0 {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    shutdown.cancel();
    let report = worker.await.unwrap().unwrap();
    assert_eq!(report.stopped, 1);
    assert!(rx.try_recv().is_err(), "the handler started once");
}

#[tokio::test]
async fn shutdown_gives_running_handlers_their_grace_then_cuts_them() {
    let t = TestEnv::start().await;
    let (eid, _) = queued_work(&t).await;
    let (tx, mut rx) = mpsc::unbounded_channel();
    let handler = move |_item: WorkItem, ctx: WorkContext| {
        let tx = tx.clone();
        async move {
            tx.send(()).unwrap();
            ctx.stopping().cancelled().await; // a polite handler: wraps up when asked
            Ok(())
        }
    };
    let (shutdown, worker) = start(&t, &eid, handler, fast());
    rx.recv().await.unwrap();
    shutdown.cancel();
    let report = worker.await.unwrap().unwrap();
    assert_eq!(report.stopped, 1);
    assert_eq!(works(&t, &eid).await[0]["state"], "stopped");

    // A handler that ignores shutdown is cut after the grace period.
    let (eid, _) = queued_work(&t).await;
    let (tx, mut rx) = mpsc::unbounded_channel();
    let handler = move |_item: WorkItem, _ctx: WorkContext| {
        let tx = tx.clone();
        async move {
            tx.send(()).unwrap();
            std::future::pending::<()>().await;
            Ok(())
        }
    };
    let opts = WorkerOptions { shutdown_grace: Duration::from_millis(100), ..fast() };
    let (shutdown, worker) = start(&t, &eid, handler, opts);
    rx.recv().await.unwrap();
    shutdown.cancel();
    let report =
        tokio::time::timeout(Duration::from_secs(20), worker).await.expect("shutdown is bounded").unwrap().unwrap();
    assert_eq!(report.stopped, 1);
}

#[tokio::test]
async fn bad_worker_settings_are_rejected() {
    let t = TestEnv::start().await;
    let h = Arc::new(|_i: WorkItem, _c: WorkContext| async { Ok(()) });
    for (opts, param) in [
        (WorkerOptions { max_concurrency: 0, ..Default::default() }, "max_concurrency"),
        (WorkerOptions { poll_wait: Duration::from_secs(31), ..Default::default() }, "poll_wait"),
        (WorkerOptions { lease: Duration::from_millis(10), ..Default::default() }, "lease"),
    ] {
        let e = t.client.run_worker("env_x", h.clone(), opts, CancellationToken::new()).await.unwrap_err();
        assert_eq!(e.param(), Some(param));
    }
    let e = t.client.run_worker("env_missing", h, fast(), CancellationToken::new()).await.unwrap_err();
    assert_eq!(e.kind(), qoder_cloud::ErrorKind::NotFound);
}
