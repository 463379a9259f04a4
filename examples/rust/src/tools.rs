//! Custom tools and tool confirmations, run by the SDK: define a tool, give it to an agent, and
//! let `Client::run_tools` answer the agent's calls until the turn ends.
//!
//! The agent here is the emulator's scripted one: `[[custom_tool ...]]` in a message makes it
//! call a custom tool, `[[approve ...]]` makes it ask before running a built-in one. Against the
//! real service, write a normal prompt. Reads `QODER_BASE_URL` and `QODER_ACCESS_TOKEN`.

use qoder_cloud::tools::{custom_tool, BoxFuture, ConfirmationPolicy, ConfirmationRequest, Decision, ToolCall, Tools};
use qoder_cloud::turn::TurnOptions;
use qoder_cloud::Client;
use serde_json::{json, Value};

/// The handler: a real one would call a weather service.
async fn weather(call: ToolCall) -> Result<Value, String> {
    let city = call.input["city"].as_str().ok_or("missing `city`")?;
    let unit = call.input["unit"].as_str().unwrap_or("celsius");
    Ok(json!(format!("{city}: 21 degrees {unit}, clear sky")))
}

/// Allows read-only shell commands; refuses the rest, telling the agent why.
struct ReadOnlyShell;

impl ConfirmationPolicy for ReadOnlyShell {
    fn decide(&self, request: ConfirmationRequest) -> BoxFuture<Decision> {
        let command = request.input["command"].as_str().unwrap_or("").to_string();
        let first = command.split(' ').next().unwrap_or("");
        let d = if ["ls", "cat", "echo"].contains(&first) {
            Decision::Allow
        } else {
            Decision::Deny(Some(format!("refused: {command} is not read-only")))
        };
        Box::pin(std::future::ready(d))
    }
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let client = Client::from_env()?;
    let get_weather = custom_tool(
        "get_weather",
        "Today's weather in a city.",
        json!({"type": "object", "properties": {"city": {"type": "string"}, "unit": {"enum": ["celsius", "fahrenheit"]}}, "required": ["city"]}),
    )?;
    let agent = client
        .call(
            "agents.create",
            json!({"name": "tools-agent", "model": "auto", "tools": [get_weather]}),
            Default::default(),
        )
        .await?;
    let env = client
        .call(
            "environments.create",
            json!({"name": "tools-env", "config": {"type": "cloud", "networking": {"type": "unrestricted"}}}),
            Default::default(),
        )
        .await?;
    let session = client
        .call(
            "sessions.create",
            json!({"agent": agent.value["id"], "environment_id": env.value["id"]}),
            Default::default(),
        )
        .await?;
    let sid = session.value["id"].as_str().ok_or("no session id")?;

    let tools = Tools::new().handler("get_weather", weather).policy(ReadOnlyShell);
    let text =
        "Weather in Oslo and Rome? [[custom_tool name=get_weather city=Oslo count=2]] [[approve name=bash command=ls]]";
    let message = json!({"type": "user.message", "content": [{"type": "text", "text": text}]});
    let run = client.run_tools(sid, vec![message], &tools, TurnOptions::default()).await?;
    for reply in &run.replies {
        let detail = reply.get("result").cloned().unwrap_or_else(|| reply["content"][0]["text"].clone());
        println!("sent {}: {}", reply["type"].as_str().unwrap_or(""), detail.as_str().unwrap_or(""));
    }
    println!("< {}", run.turn.text());
    println!("stop: {}", run.turn.stop_type().unwrap_or("-"));
    Ok(())
}
