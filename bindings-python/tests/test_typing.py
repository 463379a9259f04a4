"""``mypy --strict`` accepts the examples and a file exercising the public types."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
PKG = HERE.parent / "python"
EXAMPLES = HERE.parents[1] / "examples" / "python"


def test_mypy_strict_on_examples_and_typing_usage(tmp_path: Path) -> None:
    """The examples, the typing usage file and the package itself (its generated types and stubs
    included: errors there would otherwise turn silently into `Any` for users)."""
    import mypy  # noqa: F401  (installed by scripts/test.sh; a missing mypy fails)
    files = [str(p) for p in sorted(EXAMPLES.glob("*.py"))] + [str(HERE / "typing_usage.py")]
    assert len(files) >= 3
    env = dict(os.environ, MYPYPATH=str(PKG))
    r = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--python-version", "3.10", "--cache-dir", str(tmp_path), *files, str(PKG / "qoder_cloud")],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
    )
    assert r.returncode == 0, r.stdout + r.stderr
    assert "Success" in r.stdout


def test_mypy_rejects_wrong_usage(tmp_path: Path) -> None:
    import mypy  # noqa: F401  (installed by scripts/test.sh; a missing mypy fails)
    bad = tmp_path / "bad.py"
    bad.write_text(
        "import qoder_cloud\n"
        "c = qoder_cloud.Client(access_token='t')\n"
        "a = c.agents.create(name=1, model='auto')\n"  # wrong type
        "c.vaults.credentials.retrieve('vcred_1')\n"  # missing keyword ancestor id
        "x: int = c.agents.retrieve('a').name\n"  # str is not int
        "print(c.agents.retrieve('a').verison)\n"  # misspelt field
        "def f(ev: qoder_cloud.types.SessionEvent) -> None:\n"
        "    if ev.type == 'session.status_idle':\n"
        "        n: int = ev.stop_reason.type\n"  # a type literal is not an int
        "    if ev.type == 'agent.message':\n"
        "        print(ev.stop_reason)\n"  # agent.message has no stop_reason
        "c.files.list(ids=['file_1'])\n"  # right: the generated argument types name `ids`
        "c.sessions.list(statuses=['sleeping'])\n"  # not a session status
        "c.agents.create(name='a', model={'id': 'm', 'speed': 3})\n"  # a model config's speed is a string
        "c.sessions.events.send('s', events=[{'type': 'user.message'}])\n"  # a message needs content
        "t: int = c.agents.retrieve('a').tools[0].type\n"  # a tool's type is a literal, not an int
        "m: int = c.agents.retrieve('a').metadata['k']\n"  # metadata values are str
        "print(c.agents.retrieve('a').mcp_servers[0].nmae)\n"  # misspelt field of a nested shape
        "c.environments.create(name='e', config={'type': 'cloud', 'setup_script': None})\n"  # absent, not null
    )
    env = dict(os.environ, MYPYPATH=str(PKG))
    r = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--cache-dir", str(tmp_path / "cache"), str(bad)],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
    )
    assert r.returncode == 1
    assert r.stdout.count("error:") == 13, r.stdout
    for line in (":3:", ":4:", ":5:", ":6:", ":9:", ":11:", ":13:", ":14:", ":15:", ":16:", ":17:", ":18:", ":19:"):
        assert line in r.stdout, r.stdout


def test_stubs_are_current() -> None:
    script = HERE.parent / "scripts" / "gen_stubs.py"
    r = subprocess.run([sys.executable, str(script), "--check"], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr


def test_generated_types_are_current() -> None:
    """``types/_generated.py`` is what ``scripts/gen_types.py`` makes of ``docs/schema.json``."""
    script = HERE.parent / "scripts" / "gen_types.py"
    r = subprocess.run([sys.executable, str(script), "--check"], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr


def test_event_classes_check_the_type_at_run_time() -> None:
    from qoder_cloud import types as t

    msg = t.Event({"type": "agent.message", "id": "sevt_1", "content": [{"type": "text", "text": "hi"}]})
    new = t.Event({"type": "agent.brand_new", "id": "sevt_2", "novel": 1})
    assert isinstance(msg, t.AgentMessageEvent)
    assert not isinstance(msg, t.SessionStatusIdleEvent)
    assert not isinstance(msg, t.UnknownEvent)
    assert isinstance(new, t.UnknownEvent) and new["novel"] == 1 and new.type == "agent.brand_new"
    assert isinstance(msg.content[0], t.TextBlock) and not isinstance(msg.content[0], t.ImageBlock)
    match msg:
        case t.AgentMessageEvent():
            matched = True
        case _:
            matched = False
    assert matched
    assert not isinstance({"type": "agent.message"}, t.AgentMessageEvent)  # a dict is not an event
    with pytest.raises(TypeError, match="without a `type` tag"):
        isinstance(msg, t.ModelConfig)
    # Result classes are real classes, chosen by `type`.
    assert t.MODEL_TYPES["agent"] is t.Agent and issubclass(t.Agent, t.BaseModel)
