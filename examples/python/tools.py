"""Custom tools and tool confirmations, run by the SDK: define a tool from a typed function, give
it to an agent, and let ``sessions.run_tools`` answer the agent's calls until the turn ends.

The agent here is the emulator's scripted one: ``[[custom_tool ...]]`` in a message makes it call
a custom tool, ``[[approve ...]]`` makes it ask before running a built-in one. Against the real
service, write a normal prompt.

    QODER_BASE_URL=http://127.0.0.1:PORT/api/v1/cloud QODER_ACCESS_TOKEN=dev python tools.py
"""

from __future__ import annotations

import asyncio
from typing import Any, Literal

import qoder_cloud
from qoder_cloud import custom_tool


@custom_tool
async def get_weather(city: str, unit: Literal["celsius", "fahrenheit"] = "celsius") -> str:
    """Today's weather in a city.

    Args:
        city: The city's name.
        unit: The temperature unit.
    """
    await asyncio.sleep(0.01)  # a real tool would call a weather service here
    return f"{city}: 21 degrees {unit}, clear sky"


def confirm(event: Any) -> bool | str:
    """Allows read-only shell commands; refuses the rest, telling the agent why."""
    command = str(event.input.get("command", ""))
    return True if command.split(" ")[0] in ("ls", "cat", "echo") else f"refused: {command!r} is not read-only"


async def main() -> None:
    async with qoder_cloud.AsyncClient() as client:
        agent = await client.agents.create(name="tools-agent", model="auto", tools=[get_weather.definition])
        env = await client.environments.create(name="tools-env", config={"type": "cloud", "networking": {"type": "unrestricted"}})
        session = await client.sessions.create(agent=agent.id, environment_id=env.id)

        prompt = "Weather in Oslo and Rome? [[custom_tool name=get_weather city=Oslo count=2]] [[approve name=bash command=ls]]"
        result = await client.sessions.run_tools(session.id, prompt, tools=[get_weather], confirm=confirm)
        for reply in result.replies:
            if reply.type == "user.tool_confirmation":
                detail = reply.result
            elif reply.type == "user.custom_tool_result":
                detail = " ".join(b.text for b in reply.content or [] if b.type == "text")
            else:
                continue
            print(f"sent {reply.type}: {detail}")
        print(f"< {result.text}")
        print(f"stop: {result.stop_type}")


if __name__ == "__main__":
    asyncio.run(main())
