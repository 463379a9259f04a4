//! The tool runner against the emulator's scripted agent: custom tools run concurrently and are
//! answered once each (across dropped streams and dropped responses), handler errors and unknown
//! tools become error results, confirmations follow the policy or go back to the caller, a runner
//! started on a waiting session answers only what is still pending, and cancelling the runner
//! cancels its handlers.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use futures_util::TryStreamExt;
use qoder_cloud::models::EventListParams;
use qoder_cloud::tools::{reply_key, ToolCall, ToolLists, ToolOutput, Tools};
use qoder_cloud::turn::TurnOptions;
use qoder_tests::{fault, TestEnv};
use serde_json::{json, Value};

fn msg(t: &str) -> Vec<Value> {
    vec![json!({"type": "user.message", "content": [{"type": "text", "text": t}]})]
}

async fn history(t: &TestEnv, sid: &str) -> Vec<Value> {
    t.client
        .sessions()
        .events()
        .list_all(sid, &EventListParams { limit: Some(100), ..Default::default() })
        .unwrap()
        .try_collect()
        .await
        .unwrap()
}

fn of_type<'a>(h: &'a [Value], ty: &str) -> Vec<&'a Value> {
    h.iter().filter(|e| e["type"] == ty).collect()
}

/// Every `agent.custom_tool_use` of the history got exactly one result.
fn one_result_each(h: &[Value]) -> usize {
    let uses = of_type(h, "agent.custom_tool_use");
    let mut answers: HashMap<&str, usize> = HashMap::new();
    for r in of_type(h, "user.custom_tool_result") {
        *answers.entry(r["custom_tool_use_id"].as_str().unwrap()).or_default() += 1;
    }
    for u in &uses {
        assert_eq!(answers.get(u["id"].as_str().unwrap()), Some(&1), "tool use {} answered once: {answers:?}", u["id"]);
    }
    assert_eq!(answers.len(), uses.len(), "no result for an unknown id");
    uses.len()
}

fn weather(
    calls: Arc<AtomicUsize>,
) -> impl Fn(ToolCall) -> std::pin::Pin<Box<dyn std::future::Future<Output = ToolOutput> + Send>> + Send + Sync {
    move |call: ToolCall| {
        calls.fetch_add(1, Ordering::SeqCst);
        Box::pin(async move { Ok(json!(format!("sunny in {}", call.input["city"].as_str().unwrap_or("?")))) })
    }
}

#[tokio::test]
async fn pending_calls_run_concurrently_and_each_is_answered_once() {
    let t = TestEnv::start().await;
    let sid = t.session().await;
    // Three handlers that can only finish together: run one after another, they would deadlock.
    let barrier = Arc::new(tokio::sync::Barrier::new(3));
    let seen = Arc::new(std::sync::Mutex::new(Vec::new()));
    let (b, s) = (barrier.clone(), seen.clone());
    let tools = Tools::new().handler("get_weather", move |call: ToolCall| {
        let (b, s) = (b.clone(), s.clone());
        async move {
            s.lock().unwrap().push(call.input.clone());
            b.wait().await;
            Ok::<_, String>(json!(format!("sunny in {}", call.input["city"].as_str().unwrap())))
        }
    });
    let run = tokio::time::timeout(
        Duration::from_secs(30),
        t.client.run_tools(
            &sid,
            msg("[[custom_tool name=get_weather city=Paris count=3]]"),
            &tools,
            TurnOptions::default(),
        ),
    )
    .await
    .expect("the handlers ran one at a time (deadlock)")
    .unwrap();
    assert_eq!(run.turn.stop_type(), Some("end_turn"));
    assert!(run.pending.is_empty());
    assert_eq!(run.replies.len(), 3);
    assert!(seen.lock().unwrap().iter().all(|i| i["city"] == "Paris"));
    let h = history(&t, &sid).await;
    assert_eq!(one_result_each(&h), 3);
    for r in of_type(&h, "user.custom_tool_result") {
        assert_eq!(r["is_error"], false);
        assert_eq!(r["content"][0]["text"], "sunny in Paris");
    }
    assert!(run.turn.text().contains("sunny in Paris"), "{}", run.turn.text());
}

#[tokio::test]
async fn handler_errors_and_unknown_tools_become_error_results() {
    let t = TestEnv::start().await;
    let sid = t.session().await;
    let tools = Tools::new()
        .handler("get_weather", |_c: ToolCall| async { Err::<Value, _>("the weather service is down".to_string()) });
    let run = t
        .client
        .run_tools(
            &sid,
            msg("[[custom_tool name=get_weather]] [[custom_tool name=launch_rocket]]"),
            &tools,
            TurnOptions::default(),
        )
        .await
        .unwrap();
    assert_eq!(run.turn.stop_type(), Some("end_turn"));
    let h = history(&t, &sid).await;
    assert_eq!(one_result_each(&h), 2);
    let results = of_type(&h, "user.custom_tool_result");
    assert_eq!(results[0]["is_error"], true);
    assert_eq!(results[0]["content"][0]["text"], "the weather service is down");
    assert_eq!(results[1]["is_error"], true);
    assert!(
        results[1]["content"][0]["text"].as_str().unwrap().contains("unknown tool: \"launch_rocket\""),
        "{}",
        results[1]
    );
}

#[tokio::test]
async fn confirmations_follow_the_policy_or_go_back_to_the_caller() {
    let t = TestEnv::start().await;
    // Allowed by the lists.
    let sid = t.session().await;
    let lists = ToolLists { allow: ["bash".to_string()].into(), ..Default::default() };
    let tools = Tools::new().policy(lists);
    let run =
        t.client.run_tools(&sid, msg("[[approve name=bash count=2]]"), &tools, TurnOptions::default()).await.unwrap();
    assert_eq!(run.turn.stop_type(), Some("end_turn"));
    let h = history(&t, &sid).await;
    let confirmations = of_type(&h, "user.tool_confirmation");
    assert_eq!(confirmations.len(), 2);
    assert!(confirmations.iter().all(|c| c["result"] == "allow"));

    // Denied, with the message.
    let sid = t.session().await;
    let lists =
        ToolLists { deny: ["bash".to_string()].into(), deny_message: Some("not on prod".into()), ..Default::default() };
    let run = t
        .client
        .run_tools(&sid, msg("[[approve name=bash]]"), &Tools::new().policy(lists), TurnOptions::default())
        .await
        .unwrap();
    assert_eq!(run.turn.stop_type(), Some("end_turn"));
    let h = history(&t, &sid).await;
    let c = of_type(&h, "user.tool_confirmation");
    assert_eq!(
        (c.len(), c[0]["result"].as_str(), c[0]["deny_message"].as_str()),
        (1, Some("deny"), Some("not on prod"))
    );

    // No policy: control returns with the request, and nothing was answered.
    let sid = t.session().await;
    let run =
        t.client.run_tools(&sid, msg("[[approve name=bash]]"), &Tools::new(), TurnOptions::default()).await.unwrap();
    assert_eq!(run.turn.stop_type(), Some("requires_action"));
    assert_eq!(run.pending.len(), 1);
    assert_eq!(run.pending[0]["type"], "agent.tool_use");
    assert_eq!(run.pending[0]["evaluated_permission"], "ask");
    assert_eq!(run.turn.blocking_event_ids, vec![run.pending[0]["id"].as_str().unwrap().to_string()]);
    assert!(run.replies.is_empty());
    assert!(of_type(&history(&t, &sid).await, "user.tool_confirmation").is_empty());
}

#[tokio::test]
async fn dropped_streams_and_lost_responses_neither_repeat_nor_lose_a_tool() {
    let t = TestEnv::start().await;
    let calls = Arc::new(AtomicUsize::new(0));
    let tools = Tools::new().handler("get_weather", weather(calls.clone()));
    // Every stream of a run is cut after one event (a handful of times), and the first two
    // POSTs of a run are applied but their responses lost, so they are sent again under the
    // same key: in the first run that is the message, in the second the replies.
    let faulty = |id: &str| {
        let mut opts = TurnOptions::default();
        opts.stream.request = fault(&format!("stream-drop-after=1;count=6;id={id}-drop"));
        opts.request = fault(&format!("drop-response;method=POST;count=2;id={id}-lost"));
        opts
    };
    let sid = t.session().await;
    let text = "[[custom_tool name=get_weather city=Oslo]] [[custom_tool name=get_weather city=Rome count=2]]";
    let run = t.client.run_tools(&sid, msg(text), &tools, faulty("first")).await.unwrap();
    assert_eq!(run.turn.stop_type(), Some("end_turn"));
    let h = history(&t, &sid).await;
    assert_eq!(one_result_each(&h), 3);
    assert_eq!(calls.load(Ordering::SeqCst), 3, "each tool ran once");
    assert_eq!(of_type(&h, "user.message").len(), 1, "the message was applied once");

    let sid = t.session().await;
    let turn = t.client.send_and_wait(&sid, msg(text), TurnOptions::default()).await.unwrap();
    assert_eq!(turn.stop_type(), Some("requires_action"));
    let run = t.client.run_tools(&sid, Vec::new(), &tools, faulty("second")).await.unwrap();
    assert_eq!(run.turn.stop_type(), Some("end_turn"));
    assert_eq!(one_result_each(&history(&t, &sid).await), 3);
    assert_eq!(calls.load(Ordering::SeqCst), 6, "each tool ran once");
    let faults = t.stats()["faults_injected"].as_u64().unwrap_or(0);
    assert!(faults >= 4, "the faults fired ({faults})");
}

#[tokio::test]
async fn a_runner_on_a_waiting_session_answers_only_the_pending_calls() {
    let t = TestEnv::start().await;
    let sid = t.session().await;
    // Two calls pending; the first is answered by hand (someone else, or a runner that stopped).
    let turn = t
        .client
        .send_and_wait(&sid, msg("[[custom_tool name=get_weather city=Lima count=2]]"), TurnOptions::default())
        .await
        .unwrap();
    assert_eq!(turn.stop_type(), Some("requires_action"));
    let first = turn.blocking_event_ids[0].clone();
    let manual = json!({"type": "user.custom_tool_result", "custom_tool_use_id": first, "content": [{"type": "text", "text": "by hand"}]});
    let turn = t.client.send_and_wait(&sid, vec![manual], TurnOptions::default()).await.unwrap();
    assert_eq!(turn.stop_type(), Some("requires_action"));
    assert_eq!(turn.blocking_event_ids.len(), 1);

    let calls = Arc::new(AtomicUsize::new(0));
    let tools = Tools::new().handler("get_weather", weather(calls.clone()));
    let run = t.client.run_tools(&sid, Vec::new(), &tools, TurnOptions::default()).await.unwrap();
    assert_eq!(run.turn.stop_type(), Some("end_turn"));
    assert_eq!(calls.load(Ordering::SeqCst), 1, "only the pending call ran");
    assert_eq!(run.replies.len(), 1);
    assert_eq!(run.replies[0]["custom_tool_use_id"], turn.blocking_event_ids[0].as_str());
    let h = history(&t, &sid).await;
    assert_eq!(one_result_each(&h), 2);

    // On a session with nothing pending, the runner has nothing to do.
    let run = t.client.run_tools(&sid, Vec::new(), &tools, TurnOptions::default()).await.unwrap();
    assert_eq!(run.turn.stop_type(), Some("end_turn"));
    assert!(run.replies.is_empty());
    assert_eq!(calls.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn cancelling_the_runner_cancels_its_handlers() {
    struct Dropped(Arc<AtomicUsize>);
    impl Drop for Dropped {
        fn drop(&mut self) {
            self.0.fetch_add(1, Ordering::SeqCst);
        }
    }
    let t = TestEnv::start().await;
    let sid = t.session().await;
    let started = Arc::new(tokio::sync::Notify::new());
    let dropped = Arc::new(AtomicUsize::new(0));
    let (s, d) = (started.clone(), dropped.clone());
    let tools = Tools::new().handler("get_weather", move |_c: ToolCall| {
        let (s, guard) = (s.clone(), Dropped(d.clone()));
        async move {
            let _guard = guard;
            s.notify_one();
            std::future::pending::<ToolOutput>().await
        }
    });
    let client = t.client.clone();
    let sid2 = sid.clone();
    let run = tokio::spawn(async move {
        client.run_tools(&sid2, msg("[[custom_tool name=get_weather]]"), &tools, TurnOptions::default()).await
    });
    started.notified().await;
    run.abort();
    assert!(run.await.unwrap_err().is_cancelled());
    assert_eq!(dropped.load(Ordering::SeqCst), 1, "the running handler was dropped");
    assert!(of_type(&history(&t, &sid).await, "user.custom_tool_result").is_empty(), "nothing was sent");
}

#[test]
fn reply_keys_depend_on_the_set_of_ids_only() {
    assert_eq!(reply_key(&["evt_a", "evt_b"]), reply_key(&["evt_b", "evt_a"]));
    assert_ne!(reply_key(&["evt_a"]), reply_key(&["evt_a", "evt_b"]));
    // The separator keeps ["ab", "c"] and ["a", "bc"] apart.
    assert_ne!(reply_key(&["ab", "c"]), reply_key(&["a", "bc"]));
    assert!(reply_key(&["x"]).len() <= 64);
}

#[tokio::test]
async fn custom_tool_definitions_are_checked_and_accepted_by_the_server() {
    use qoder_cloud::tools::custom_tool;
    use qoder_cloud::ErrorKind;
    let t = TestEnv::start().await;
    let schema = json!({"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]});
    let def = custom_tool("get_weather", "The weather in a city.", schema.clone()).unwrap();
    let agent = t
        .client
        .call("agents.create", json!({"name": "tools", "model": "auto", "tools": [def]}), Default::default())
        .await
        .unwrap();
    assert_eq!(agent.value["tools"][0]["name"], "get_weather");
    assert_eq!(agent.value["tools"][0]["input_schema"], schema);
    for (name, desc, schema, param) in [
        ("", "d", json!({"type": "object"}), "name"),
        ("x", "d", json!({"type": "string"}), "input_schema"),
        ("x", "d", json!("object"), "input_schema"),
    ] {
        let e = custom_tool(name, desc, schema).unwrap_err();
        assert_eq!((e.kind(), e.param()), (ErrorKind::InvalidArgument, Some(param)), "{e}");
    }
    let e = custom_tool("x", &"d".repeat(4097), json!({"type": "object"})).unwrap_err();
    assert_eq!(e.param(), Some("description"));
}

/// examples/rust/src/tools.rs, built by `cargo build -p qoder-examples` (scripts/test.sh does so
/// before the tests), runs against the emulator.
#[tokio::test]
async fn the_rust_tools_example_runs() {
    let bin = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/debug/tools");
    assert!(
        bin.exists(),
        "{} is missing: run `cargo build -p qoder-examples` (scripts/test.sh does) first",
        bin.display()
    );
    let t = TestEnv::start().await;
    let base = t.emu.base_url();
    // The emulator runs on this test's runtime: wait for the child off it.
    let out = tokio::task::spawn_blocking(move || {
        std::process::Command::new(&bin).env("QODER_BASE_URL", base).env("QODER_ACCESS_TOKEN", "pt-test-token").output()
    })
    .await
    .unwrap()
    .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(
        stdout.matches("sent user.custom_tool_result: Oslo: 21 degrees celsius, clear sky").count(),
        2,
        "{stdout}"
    );
    assert!(stdout.contains("sent user.tool_confirmation: allow"), "{stdout}");
    assert!(stdout.contains("stop: end_turn"), "{stdout}");
}
