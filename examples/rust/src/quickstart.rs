//! Quickstart: create an agent, an environment and a session, send a message, and print the
//! turn's events live as they stream in (message deltas rendered incrementally).
//!
//! Reads `QODER_BASE_URL` and `QODER_ACCESS_TOKEN` from the environment, so it runs against the
//! local emulator (`qoder-emulator --port 0`) or the real service alike.

use std::io::Write;

use qoder_cloud::accumulator::DeltaAccumulator;
use qoder_cloud::models::{AgentCreateParams, EnvironmentCreateParams, SessionCreateParams};
use qoder_cloud::stream::StreamOptions;
use qoder_cloud::Client;
use serde_json::json;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let client = Client::from_env()?;

    let agent = client
        .agents()
        .create(&AgentCreateParams {
            system: Some("You are a concise assistant.".into()),
            ..AgentCreateParams::new("quickstart-agent", "auto")
        })
        .await?;
    let env = client.environments().create(&EnvironmentCreateParams::cloud("quickstart-env")).await?;
    let session = client.sessions().create(&SessionCreateParams::new(agent.id.as_str(), env.id.clone())).await?;
    println!("agent {}  environment {}  session {}", agent.id, env.id, session.id);

    let prompt = "Hello from the Rust quickstart!";
    let sent = client
        .sessions()
        .events()
        .send(&session.id, vec![json!({"type": "user.message", "content": [{"type": "text", "text": prompt}]})])
        .await?;
    println!("> {prompt}");

    // Stream from our own message on, with message previews, until the agent goes idle.
    let mut stream = client.stream_session(
        &session.id,
        StreamOptions {
            last_event_id: sent.last_id().map(str::to_string),
            event_deltas: vec!["agent.message".into()],
            ..Default::default()
        },
    )?;
    let mut acc = DeltaAccumulator::new();
    let mut shown = 0usize;
    let mut running = false;
    while let Some(event) = stream.next().await {
        let event = event?;
        if let Some(snapshot) = acc.push(&event) {
            if snapshot.event_type == "agent.message" {
                // Print only the newly arrived part of the growing message.
                let text = snapshot.text();
                if shown == 0 && !text.is_empty() {
                    print!("< ");
                }
                if let Some(rest) = text.get(shown..) {
                    print!("{rest}");
                }
                shown = text.len();
                if snapshot.is_final {
                    println!();
                    shown = 0;
                }
                std::io::stdout().flush()?;
                continue;
            }
        }
        if event.is_preview() {
            continue;
        }
        println!("  [{}] {}", event.event_type, event.id.as_deref().unwrap_or(""));
        match event.event_type.as_str() {
            "session.status_running" => running = true,
            "session.status_idle" if running => break,
            _ => {}
        }
    }
    stream.close();
    println!("turn complete; last event {:?}", stream.last_event_id());
    Ok(())
}
