//! Self-hosted environment work: enqueueing, poll (long-poll, 204, reclaim),
//! ack, heartbeat CAS, stop, stats.

mod common;

use std::time::{Duration, Instant};

use common::*;
use serde_json::{json, Value};

async fn self_hosted(h: &Harness) -> (String, String) {
    let env = h.ok(h.post("/environments", json!({"name": "mine", "config": {"type": "self_hosted"}}))).await;
    let env_id = env["id"].as_str().unwrap().to_string();
    let agent = h.agent().await;
    let s = h.ok(h.post("/sessions", json!({"agent": agent, "environment_id": env_id}))).await;
    (env_id, s["id"].as_str().unwrap().to_string())
}

#[tokio::test]
async fn work_lifecycle() {
    let h = start().await;
    let (env, sid) = self_hosted(&h).await;
    let w = format!("/environments/{env}/work");
    assert_eq!(h.ok(h.get(&w)).await["data"].as_array().unwrap().len(), 0, "no work before a message");
    h.say(&sid, "hello").await;
    h.say(&sid, "again").await;
    let list = h.ok(h.get(&w)).await;
    assert_eq!(list["data"].as_array().unwrap().len(), 1, "one work item per session");
    let item = &list["data"][0];
    let wid = item["id"].as_str().unwrap().to_string();
    assert!(wid.starts_with("work_"));
    assert_eq!(item["type"], "work");
    assert_eq!((item["state"].as_str(), item["data"].clone()), (Some("queued"), json!({"id": sid, "type": "session"})));
    assert!(item["secret"].as_str().is_some_and(|s| !s.is_empty()));
    let stats = h.ok(h.get(&format!("{w}/stats"))).await;
    assert_eq!(
        stats,
        json!({"type": "work_queue_stats", "depth": 1, "pending": 1, "workers_polling": 0, "oldest_queued_at": item["created_at"]})
    );

    // Poll hands it out once; a second poll finds nothing (204).
    let r = h.get(&format!("{w}/poll")).header("Worker-ID", "worker-1").send().await.unwrap();
    assert_eq!(r.status(), 200);
    let polled: Value = r.json().await.unwrap();
    assert_eq!(polled["id"], wid.as_str());
    let r = h.get(&format!("{w}/poll")).send().await.unwrap();
    assert_eq!(r.status(), 204);
    assert!(r.bytes().await.unwrap().is_empty());
    assert_eq!(h.ok(h.get(&format!("{w}/stats"))).await["pending"], 0);
    // reclaim_older_than_ms=0 takes back a polled-but-unacked item.
    let r = h.get(&format!("{w}/poll?reclaim_older_than_ms=0")).send().await.unwrap();
    assert_eq!(r.status(), 200);

    let item_path = format!("{w}/{wid}");
    assert_error(&h.send(h.post(&format!("{item_path}/heartbeat"), json!({}))).await, 409, "conflict_error", None);
    let acked = h.ok(h.post(&format!("{item_path}/ack"), json!({}))).await;
    assert_eq!(acked["state"], "acknowledged");
    assert!(acked["acknowledged_at"].is_string());
    let hb = h.ok(h.post(&format!("{item_path}/heartbeat?desired_ttl_seconds=60"), json!({}))).await;
    assert_eq!(hb["type"], "work_heartbeat");
    assert_eq!(
        (hb["state"].as_str(), hb["lease_extended"].as_bool(), hb["ttl_seconds"].as_i64()),
        (Some("running"), Some(true), Some(60))
    );
    let last = hb["last_heartbeat"].as_str().unwrap().to_string();
    let cas =
        h.send(h.post(&format!("{item_path}/heartbeat?expected_last_heartbeat=2000-01-01T00:00:00Z"), json!({}))).await;
    assert_error(&cas, 409, "conflict_error", Some("expected_last_heartbeat"));
    let hb2 = h.ok(h.post(&format!("{item_path}/heartbeat?expected_last_heartbeat={last}"), json!({}))).await;
    assert!(hb2["last_heartbeat"].as_str().unwrap() > last.as_str());
    assert_error(
        &h.send(h.post(&format!("{item_path}/heartbeat?desired_ttl_seconds=0"), json!({}))).await,
        400,
        "invalid_request_error",
        Some("desired_ttl_seconds"),
    );

    let u = h.ok(h.post(&item_path, json!({"metadata": {"host": "box-1"}}))).await;
    assert_eq!(u["metadata"], json!({"host": "box-1"}));
    assert_error(&h.send(h.post(&item_path, json!({}))).await, 400, "invalid_request_error", Some("metadata"));
    assert_eq!(h.ok(h.get(&item_path)).await["state"], "running");

    // Graceful stop, then stopped; a new message then enqueues new work.
    let s = h.ok(h.post(&format!("{item_path}/stop"), json!({}))).await;
    assert_eq!(s["state"], "stopping");
    assert!(s["stop_requested_at"].is_string());
    let hb = h.ok(h.post(&format!("{item_path}/heartbeat"), json!({}))).await;
    assert_eq!((hb["state"].as_str(), hb["lease_extended"].as_bool()), (Some("stopping"), Some(false)));
    let s = h.ok(h.post(&format!("{item_path}/stop"), json!({"force": true}))).await;
    assert_eq!(s["state"], "stopped");
    assert!(s["stopped_at"].is_string());
    assert_error(&h.send(h.post(&format!("{item_path}/ack"), json!({}))).await, 409, "conflict_error", None);
    h.say(&sid, "third").await;
    assert_eq!(h.ok(h.get(&w)).await["data"].as_array().unwrap().len(), 2);
    assert_eq!(h.emu.stats()["objects_created"]["work"], 2);

    assert_error(&h.send(h.get(&format!("{w}/work_nope"))).await, 404, "not_found_error", None);
    assert_error(&h.send(h.get("/environments/env_nope/work")).await, 404, "not_found_error", None);
    // Cloud sessions never produce work.
    let cloud = h.session().await;
    h.say(&cloud, "hi").await;
    assert_eq!(h.emu.stats()["objects_created"]["work"], 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn long_poll_wakes_on_new_work() {
    let h = start().await;
    let (env, sid) = self_hosted(&h).await;
    let w = format!("/environments/{env}/work");
    // Nothing queued: waits about block_ms, then 204.
    let t = Instant::now();
    let r = h.get(&format!("{w}/poll?block_ms=150")).send().await.unwrap();
    assert_eq!(r.status(), 204);
    assert!(t.elapsed() >= Duration::from_millis(140), "{:?}", t.elapsed());
    // A blocked poller is counted and woken by new work.
    let poll = h.get(&format!("{w}/poll?block_ms=20000")).header("Worker-ID", "w2").send();
    let waker = async {
        let t = Instant::now();
        while h.ok(h.get(&format!("{w}/stats"))).await["workers_polling"] != 1 {
            assert!(t.elapsed() < Duration::from_secs(10), "the poller never blocked");
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        h.say(&sid, "wake up").await;
        Instant::now()
    };
    let (resp, sent) = tokio::join!(poll, waker);
    let resp = resp.unwrap();
    assert_eq!(resp.status(), 200);
    assert!(sent.elapsed() < Duration::from_secs(5));
    let work: Value = resp.json().await.unwrap();
    assert_eq!(work["data"]["id"], sid.as_str());
    assert_eq!(h.ok(h.get(&format!("{w}/stats"))).await["workers_polling"], 0);
    assert_error(
        &h.send(h.get(&format!("{w}/poll?block_ms=-1"))).await,
        400,
        "invalid_request_error",
        Some("block_ms"),
    );
}
