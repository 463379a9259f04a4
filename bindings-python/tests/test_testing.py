"""``qoder_cloud.testing.Emulator`` and the pytest plugin, against the real emulator binary.

Every wait is bounded and polls an observable condition; none sleeps to synchronise.
"""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import textwrap
import threading
import time
import urllib.request
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional

import pytest

import qoder_cloud
from qoder_cloud import _emulator
from qoder_cloud.testing import DEFAULT_ACCESS_TOKEN, Emulator, EmulatorNotFoundError, EmulatorStartupError

from conftest import _binary

POSIX = os.name == "posix"


@pytest.fixture(autouse=True)
def _emulator_bin(monkeypatch: pytest.MonkeyPatch) -> str:
    """Points ``find_binary()`` at the dev build (the same one conftest.py uses)."""
    path = str(_binary())
    monkeypatch.setenv("QODER_EMULATOR_BIN", path)
    return path


def wait_until(predicate: Callable[[], bool], what: str, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, f"timed out after {timeout} s waiting for {what}"
        time.sleep(0.01)


def process_gone(pid: int) -> bool:
    """Whether ``pid`` has exited (a zombie left to a non-reaping init counts as exited)."""
    if not POSIX:  # os.kill(pid, 0) would terminate the process on Windows
        out = subprocess.run(["tasklist", "/FI", f"PID eq {pid}", "/NH"], capture_output=True, text=True).stdout
        return str(pid) not in out.split()
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:  # pragma: no cover - pid reused by another user's process
        return True
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] == "Z"
    except FileNotFoundError:
        return True
    except OSError:  # no /proc (macOS): os.kill said it exists
        return False


def port_refuses(origin: str) -> bool:
    host, port = origin.split("://", 1)[1].rsplit(":", 1)
    try:
        socket.create_connection((host, int(port)), timeout=2).close()
    except OSError:
        return True
    return False


def get_json(url: str) -> Dict[str, Any]:
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with opener.open(url, timeout=10) as r:
        return json.loads(r.read())  # type: ignore[no-any-return]


# ---------------------------------------------------------------------------------------------
# lifecycle


def test_with_starts_and_stops_the_process() -> None:
    emu = Emulator()
    with emu as entered:
        assert entered is emu
        assert re.fullmatch(r"http://127\.0\.0\.1:\d+/api/v1/cloud", emu.base_url), emu.base_url
        assert emu.base_url.startswith(emu.origin + "/")
        assert re.fullmatch(r"http://127\.0\.0\.1:\d+", emu.origin)
        assert get_json(emu.origin + "/_emulator/health") == {"status": "ok"}
        pid, origin = emu.pid, emu.origin
        assert not process_gone(pid)
        assert repr(emu) == f"Emulator({emu.base_url})"
    assert emu.closed
    # close() waited for the process, so it is gone (reaped) at once, and its port is closed.
    assert process_gone(pid)
    assert port_refuses(origin)
    emu.close()  # idempotent
    with pytest.raises(RuntimeError, match="closed"):
        emu.base_url
    with pytest.raises(RuntimeError, match="closed"):
        emu.stats()
    with pytest.raises(RuntimeError, match="closed"):
        emu.start()


async def test_async_with_starts_and_stops_the_process() -> None:
    async with Emulator() as emu:
        pid, origin = emu.pid, emu.origin
        async with emu.async_client() as client:
            agent = await client.agents.create(name="async-agent", model="auto")
            assert (await client.agents.retrieve(agent.id)).name == "async-agent"
    assert process_gone(pid)
    assert port_refuses(origin)


def test_use_before_start_is_a_clear_error() -> None:
    emu = Emulator()
    for use in (lambda: emu.base_url, lambda: emu.origin, lambda: emu.pid, emu.client, emu.stats, emu.reset):
        with pytest.raises(RuntimeError, match="not started"):
            use()
    with pytest.raises(RuntimeError, match="not started"):
        emu.set_fault(None)
    assert emu.access_token == DEFAULT_ACCESS_TOKEN  # known before start
    emu.close()  # closing a never-started emulator is fine
    with pytest.raises(RuntimeError, match="closed"):
        emu.start()


def test_start_is_explicit_and_idempotent() -> None:
    emu = Emulator().start()
    try:
        pid = emu.pid
        assert emu.start() is emu
        assert emu.pid == pid
    finally:
        emu.close()
    assert process_gone(pid)


# ---------------------------------------------------------------------------------------------
# clients and control endpoints


def test_client_round_trip() -> None:
    with Emulator() as emu:
        with emu.client() as client:
            assert client.base_url.rstrip("/") == emu.base_url
            agent = client.agents.create(name="round-trip", model="auto")
            assert [a.id for a in client.agents.list()] == [agent.id]
        assert emu.stats()["requests"]["POST /agents"] == 1


def test_client_overrides() -> None:
    with Emulator(tokens=["sk-first", "sk-second"]) as emu:
        assert emu.access_token == "sk-first"
        with emu.client(access_token="sk-second", max_retries=0) as client:
            assert client.max_retries == 0
            client.agents.create(name="second", model="auto")
        with emu.client(access_token="sk-unknown") as client:
            with pytest.raises(qoder_cloud.AuthenticationError):
                client.agents.list()


def test_forbidden_tokens() -> None:
    with Emulator(forbidden_tokens=["sk-banned"]) as emu:
        with emu.client(access_token="sk-banned") as client:
            with pytest.raises(qoder_cloud.PermissionDeniedError):
                client.agents.list()
        with emu.client() as client:
            client.agents.list()


def test_set_fault_fails_the_next_call_as_specified() -> None:
    with Emulator() as emu, emu.client(max_retries=0) as client:
        emu.set_fault("status=500;count=1;path=/agents;message=injected by test")
        with pytest.raises(qoder_cloud.InternalServerError) as e:
            client.agents.create(name="faulted", model="auto")
        assert e.value.status_code == 500
        assert "injected by test" in e.value.message
        # count=1: the next request goes through.
        client.agents.create(name="ok", model="auto")
        assert emu.stats()["faults_injected"] == 1

        emu.set_fault("status=503;path=/agents")
        with pytest.raises(qoder_cloud.APIStatusError) as e2:
            client.agents.list()
        assert e2.value.status_code == 503
        emu.set_fault(None)
        assert len(list(client.agents.list())) == 1


def test_invalid_fault_spec_is_a_value_error() -> None:
    with Emulator() as emu:
        with pytest.raises(ValueError, match="unknown fault key 'bogus'"):
            emu.set_fault("bogus=1")
        with pytest.raises(ValueError, match="status"):
            emu.set_fault("status=42")
        with pytest.raises(qoder_cloud.InvalidArgumentError, match="str or None"):
            emu.set_fault(503)  # type: ignore[arg-type]
        assert get_json(emu.origin + "/_emulator/faults") == {"spec": None}


def test_fault_option_applies_from_start() -> None:
    with Emulator(fault="status=418;path=/models") as emu, emu.client(max_retries=0) as client:
        assert emu.fault == "status=418;path=/models"
        with pytest.raises(qoder_cloud.APIStatusError) as e:
            client.models.list()
        assert e.value.status_code == 418
        client.agents.list()  # another path: not faulted


def test_stats_count_requests() -> None:
    with Emulator() as emu, emu.client() as client:
        assert emu.stats()["requests_total"] == 0
        client.agents.create(name="a", model="auto")
        client.environments.create(name="e")
        client.agents.list()
        stats = emu.stats()
        assert stats["requests_total"] == 3
        assert stats["requests"]["GET /agents"] == 1
        assert stats["objects_created"]["agent"] == 1
        assert stats["objects_created"]["environment"] == 1


def test_reset_clears_created_objects() -> None:
    with Emulator() as emu, emu.client() as client:
        agent = client.agents.create(name="before-reset", model="auto")
        emu.reset()
        assert emu.stats()["requests_total"] == 0
        assert list(client.agents.list()) == []
        with pytest.raises(qoder_cloud.NotFoundError):
            client.agents.retrieve(agent.id)


def test_advance_clock() -> None:
    with Emulator() as emu:
        assert get_json(emu.origin + "/_emulator/clock")["offset_seconds"] == 0
        emu.advance_clock(3600)
        emu.advance_clock(0.5)
        assert get_json(emu.origin + "/_emulator/clock")["offset_seconds"] == pytest.approx(3600.5)
        with pytest.raises(qoder_cloud.InvalidArgumentError, match="non-negative"):
            emu.advance_clock(-1)
        with pytest.raises(qoder_cloud.InvalidArgumentError, match="number"):
            emu.advance_clock("10")  # type: ignore[arg-type]


# ---------------------------------------------------------------------------------------------
# options


def test_turn_delay_ms_slows_every_turn_step() -> None:
    # A turn has at least six steps (running, model request start, thinking, message, model
    # request end, idle), each waiting turn_delay_ms; without the flag it takes milliseconds.
    with Emulator(turn_delay_ms=100) as emu, emu.client() as client:
        agent = client.agents.create(name="slow", model="auto")
        env = client.environments.create(name="slow-env")
        session = client.sessions.create(agent=agent.id, environment_id=env.id)
        started = time.monotonic()
        result = client.sessions.run_turn(session.id, "hello", total_timeout=30)
        elapsed = time.monotonic() - started
        assert result.text == "Echo: hello"
        assert elapsed >= 0.5, f"turn took {elapsed:.3f} s; --turn-delay-ms 100 was not applied"


def test_prefix_region_host_and_body_limit_pass_through() -> None:
    with Emulator(host="127.0.0.1", prefix="/custom/v9", region="cn", max_body_bytes=2000, keepalive_ms=500) as emu:
        assert emu.base_url.endswith(":" + emu.origin.rsplit(":", 1)[1] + "/custom/v9")
        with emu.client(max_retries=0) as client:
            client.agents.create(name="small", model="auto", extra_body={"padding": "x" * 100})
            # Over max_body_bytes; the wording of the 400 is the cn gateway's.
            with pytest.raises(qoder_cloud.BadRequestError, match="Request body must be valid JSON"):
                client.agents.create(name="big", model="auto", extra_body={"padding": "x" * 5000})
        assert emu.stats()["requests"]["POST /agents"] == 2


def test_h2_max_streams_accepts_int_and_unlimited() -> None:
    for value in (8, "unlimited"):
        with Emulator(h2_max_streams=value) as emu, emu.client() as client:
            client.agents.list()


@pytest.mark.parametrize(
    ("options", "pattern"),
    [
        ({"region": "eu"}, '`region` must be "global" or "cn"'),
        ({"region": 1}, "`region` must be a string, got a number"),
        ({"turn_delay_ms": -1}, "`turn_delay_ms` must be a non-negative integer"),
        ({"turn_delay_ms": "5"}, "`turn_delay_ms` must be a non-negative integer, got a string"),
        ({"max_body_bytes": True}, "`max_body_bytes` must be a non-negative integer, got a boolean"),
        ({"keepalive_ms": 0}, "`keepalive_ms` must be positive"),
        ({"h2_max_streams": "many"}, "`h2_max_streams`"),
        ({"h2_max_streams": 2.5}, "`h2_max_streams`"),
        ({"h2_max_streams": 0}, "`h2_max_streams` must be positive"),
        ({"tokens": "sk-a"}, "`tokens` must be an array of strings, got a string"),
        ({"tokens": []}, "`tokens` must not be empty"),
        ({"tokens": ["ok", ""]}, r"`tokens\[1\]` must not be empty"),
        ({"forbidden_tokens": [1]}, r"`forbidden_tokens\[0\]` must be a string"),
        ({"extra_args": "--turn-delay-ms 5"}, "`extra_args`"),
        ({"tls": "yes"}, "`tls` must be a boolean"),
        ({"fault": ""}, "`fault` must not be empty"),
        ({"host": ""}, "`host`"),
        ({"prefix": 5}, "`prefix`"),
        ({"access_token": ""}, "`access_token`"),
        ({"startup_timeout": 0}, "`startup_timeout` must be a positive duration"),
        ({"startup_timeout": "30"}, "`startup_timeout` must be a number"),
    ],
)
def test_bad_option_is_a_clear_error(options: Dict[str, Any], pattern: str) -> None:
    with pytest.raises(qoder_cloud.InvalidArgumentError, match=pattern) as e:
        Emulator(**options)
    assert e.value.param == next(iter(options)) or e.value.param.startswith(next(iter(options)) + "[")



@pytest.mark.parametrize(
    ("options", "pattern"),
    [
        ({"fault": "nope=1"}, "unknown fault key 'nope'"),
        ({"extra_args": ["--turn-delay-ms", "soon"]}, "--turn-delay-ms: 'soon' is not a valid number"),
        ({"extra_args": ["--no-such-flag"]}, "unknown argument '--no-such-flag'"),
    ],
)
def test_flag_rejected_by_the_binary_is_a_startup_error(options: Dict[str, Any], pattern: str) -> None:
    emu = Emulator(**options)
    with pytest.raises(EmulatorStartupError, match=re.escape(pattern)) as e:
        emu.start()
    assert "exited with status 2" in str(e.value)
    assert not emu.closed  # nothing is running; start() may be called again


def kill_pid(pid: int) -> None:
    """Kills ``pid`` outright, on any platform."""
    if POSIX:
        os.kill(pid, signal.SIGKILL)
    else:
        subprocess.run(["taskkill", "/F", "/PID", str(pid)], capture_output=True)


def fake_binary(tmp_path: Path, body: str) -> Path:
    """An executable standing in for the emulator: a Python script, run through a ``#!`` line on
    POSIX and through a ``.cmd`` wrapper on Windows."""
    script = tmp_path / "fake-emulator.py"
    script.write_text(f"import sys\n{textwrap.dedent(body)}")
    if not POSIX:
        wrapper = tmp_path / "fake-emulator.cmd"
        wrapper.write_text(f'@"{sys.executable}" "{script}" %*\r\n')
        return wrapper
    path = tmp_path / "fake-emulator"
    path.write_text(f"#!{sys.executable}\n{script.read_text()}")
    path.chmod(0o755)
    return path


def test_startup_timeout_kills_a_silent_process(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pid_file = tmp_path / "pid"
    script = fake_binary(
        tmp_path,
        f"""
        import os
        open({str(pid_file)!r}, "w").write(str(os.getpid()))
        print("starting up slowly", file=sys.stderr, flush=True)
        sys.stdin.read()   # never prints 'listening'; exits only when stdin closes
        """,
    )
    monkeypatch.setenv("QODER_EMULATOR_BIN", str(script))
    started = time.monotonic()
    with pytest.raises(EmulatorStartupError, match=r"did not report 'listening' within 0\.5 s") as e:
        Emulator(startup_timeout=0.5).start()
    assert time.monotonic() - started < 10
    assert "starting up slowly" in str(e.value)
    assert process_gone(int(pid_file.read_text()))


def test_unexpected_first_line_is_a_startup_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    script = fake_binary(tmp_path, 'print("hello", flush=True)\nsys.stdin.read()\n')
    monkeypatch.setenv("QODER_EMULATOR_BIN", str(script))
    with pytest.raises(EmulatorStartupError, match='printed "hello" instead of .listening <url>.'):
        Emulator().start()


def test_extra_args_and_tls_are_passed_through(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    args_file = tmp_path / "args.json"
    script = fake_binary(
        tmp_path,
        f"""
        import json
        json.dump(sys.argv[1:], open({str(args_file)!r}, "w"))
        print("listening http://127.0.0.1:9/api/v1/cloud", flush=True)
        sys.stdin.read()
        """,
    )
    monkeypatch.setenv("QODER_EMULATOR_BIN", str(script))
    with Emulator(tls=True, tokens=["a", "b"], forbidden_tokens=["c"], turn_delay_ms=7, extra_args=["--x", "y"]) as emu:
        assert emu.base_url == "http://127.0.0.1:9/api/v1/cloud"
        assert emu.origin == "http://127.0.0.1:9"
    assert json.loads(args_file.read_text()) == [
        "--port=0", "--exit-on-stdin-close",
        "--turn-delay-ms=7",
        "--token=a", "--token=b",
        "--forbidden-token=c",
        "--tls",
        "--x", "y",
    ]  # fmt: skip


def test_emulator_not_found(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("QODER_EMULATOR_BIN", str(tmp_path / "missing"))
    emu = Emulator()
    with pytest.raises(EmulatorNotFoundError, match="QODER_EMULATOR_BIN"):
        emu.start()
    with pytest.raises(FileNotFoundError):  # EmulatorNotFoundError is one
        with Emulator():
            pass


def test_emulator_exits_when_its_parent_is_killed(tmp_path: Path) -> None:
    child = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys\n"
            "from qoder_cloud.testing import Emulator\n"
            "emu = Emulator().start()\n"
            "print(emu.pid, flush=True)\n"
            "sys.stdin.read()\n",
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    emulator_pid: Optional[int] = None
    try:
        line: List[str] = []
        reader = threading.Thread(target=lambda: line.append(child.stdout.readline()), daemon=True)  # type: ignore[union-attr]
        reader.start()
        reader.join(timeout=60)
        assert line and line[0].strip().isdigit(), f"child printed {line!r}; stderr: {child.stderr.read() if child.poll() is not None else ''}"  # type: ignore[union-attr]
        emulator_pid = int(line[0])
        assert not process_gone(emulator_pid)
        child.kill()  # SIGKILL on POSIX, TerminateProcess on Windows: no cleanup code runs
        child.wait(timeout=10)
        wait_until(lambda: process_gone(emulator_pid), "the emulator to exit after its parent was killed")
    finally:
        if child.poll() is None:
            child.kill()
            child.wait(timeout=10)
        if emulator_pid is not None and not process_gone(emulator_pid):
            kill_pid(emulator_pid)  # do not leak it when the assertion failed
        for f in (child.stdin, child.stdout, child.stderr):
            if f is not None:
                f.close()


def test_console_command_runs_the_binary(capfd: pytest.CaptureFixture[str]) -> None:
    assert _emulator.main(["--help"]) == 0
    out = capfd.readouterr().out
    assert out.startswith("usage: qoder-emulator")
    assert "--exit-on-stdin-close" in out


def test_public_names() -> None:
    import qoder_cloud.testing as testing

    assert {"Emulator", "EmulatorNotFoundError", "EmulatorStartupError"} <= set(testing.__all__)
    assert testing.EmulatorNotFoundError is _emulator.EmulatorNotFoundError
    assert Emulator.__doc__ and "with Emulator(" in Emulator.__doc__
    assert testing.__doc__ and "async with Emulator(" in testing.__doc__


# ---------------------------------------------------------------------------------------------
# pytest plugin


def run_pytest(tmp_path: Path, files: Dict[str, str], *args: str, env: Optional[Dict[str, str]] = None) -> "subprocess.CompletedProcess[str]":
    """Runs pytest on generated files with only this plugin and pytest-asyncio loaded.

    Autoloading is off so the run does not depend on which plugins (including this package's own
    entry point, registered only when installed) the environment has.
    """
    for name, text in files.items():
        (tmp_path / name).write_text(textwrap.dedent(text))
    run_env = dict(os.environ, PYTEST_DISABLE_PLUGIN_AUTOLOAD="1", **(env or {}))
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "qoder_cloud.pytest_plugin", "-p", "pytest_asyncio.plugin",
         "-p", "no:cacheprovider", "-q", "-rA", "--strict-markers", *args, str(tmp_path)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env=run_env,
        timeout=300,
    )  # fmt: skip


def outcome_counts(output: str) -> Dict[str, int]:
    last = output.strip().splitlines()[-1]
    return {kind: int(n) for n, kind in re.findall(r"(\d+) (passed|failed|errors?|skipped)", last)}


PLUGIN_TESTS = """
    import pytest
    import qoder_cloud

    def test_sync_client(qoder_client, qoder_emulator):
        assert isinstance(qoder_client, qoder_cloud.Client)
        qoder_client.agents.create(name="one", model="auto")
        assert qoder_emulator.stats()["objects_created"]["agent"] == 1
        qoder_emulator.set_fault("status=503")        # must not leak into the next test

    def test_reset_between_tests(qoder_client, qoder_emulator):
        assert list(qoder_client.agents.list()) == []  # reset, fault cleared
        qoder_client.agents.create(name="two", model="auto")
        assert qoder_emulator.stats()["objects_created"]["agent"] == 1

    PIDS = set()

    def test_shared_process(qoder_emulator):
        PIDS.add(qoder_emulator.pid)

    def test_shared_process_again(qoder_emulator):
        assert PIDS == {qoder_emulator.pid}

    def test_options_fixture_override(qoder_emulator, qoder_client):
        assert qoder_emulator.access_token == "sk-session"
        qoder_client.agents.list()

    def test_ini_args(qoder_client):
        with pytest.raises(qoder_cloud.BadRequestError, match="maximum is 2000 bytes"):
            qoder_client.agents.create(name="big", model="auto", extra_body={"padding": "x" * 5000})

    @pytest.mark.asyncio
    async def test_async_client(qoder_async_client, qoder_emulator):
        assert isinstance(qoder_async_client, qoder_cloud.AsyncClient)
        agent = await qoder_async_client.agents.create(name="async", model="auto")
        assert [a.id async for a in qoder_async_client.agents.list()] == [agent.id]

    @pytest.mark.qoder_emulator(prefix="/own/v1", turn_delay_ms=1)
    def test_marker_gives_own_emulator(qoder_emulator, qoder_client):
        assert qoder_emulator.base_url.endswith("/own/v1")
        assert PIDS and qoder_emulator.pid not in PIDS
        assert qoder_emulator.access_token == "sk-session"   # qoder_emulator_options still apply
        qoder_client.agents.create(name="own", model="auto")
"""

PLUGIN_CONFTEST = """
    import pytest

    @pytest.fixture(scope="session")
    def qoder_emulator_options():
        return {"tokens": ["sk-session"]}
"""

PLUGIN_INI = """
    [pytest]
    asyncio_default_fixture_loop_scope = function
    qoder_emulator_args = --max-body-bytes 2000
"""


def test_pytest_plugin_fixtures(tmp_path: Path) -> None:
    r = run_pytest(tmp_path, {"test_app.py": PLUGIN_TESTS, "conftest.py": PLUGIN_CONFTEST, "pytest.ini": PLUGIN_INI})
    assert r.returncode == 0, r.stdout + r.stderr
    assert outcome_counts(r.stdout) == {"passed": 8}, r.stdout


def test_pytest_plugin_failures_are_reported(tmp_path: Path) -> None:
    # The harness itself can fail: a wrong expectation inside a fixture-using test is a failure.
    r = run_pytest(tmp_path, {"test_bad.py": "def test_bad(qoder_client):\n    assert list(qoder_client.agents.list()) == [1]\n"})
    assert r.returncode == 1, r.stdout + r.stderr
    assert outcome_counts(r.stdout) == {"failed": 1}, r.stdout


def test_pytest_plugin_is_lazy(tmp_path: Path) -> None:
    # A project that never uses the fixtures runs even with no emulator anywhere, and importing
    # the plugin does not import qoder_cloud.testing (subprocess, urllib, ...).
    files = {
        "test_plain.py": """
            import sys

            def test_plain():
                assert "qoder_cloud.pytest_plugin" in sys.modules
                assert "qoder_cloud.testing" not in sys.modules
        """
    }
    r = run_pytest(tmp_path, files, env={"QODER_EMULATOR_BIN": str(tmp_path / "missing")})
    assert r.returncode == 0, r.stdout + r.stderr
    assert outcome_counts(r.stdout) == {"passed": 1}, r.stdout


def test_pytest_plugin_reports_a_missing_emulator(tmp_path: Path) -> None:
    files = {"test_needs.py": "def test_needs(qoder_emulator):\n    pass\n"}
    r = run_pytest(tmp_path, files, env={"QODER_EMULATOR_BIN": str(tmp_path / "missing")})
    assert r.returncode == 1, r.stdout + r.stderr
    assert outcome_counts(r.stdout) == {"error": 1}, r.stdout
    assert "EmulatorNotFoundError" in r.stdout


def test_pytest_entry_point_when_installed() -> None:
    from importlib.metadata import PackageNotFoundError, distribution

    # The suite runs against an installed package (maturin develop or a wheel): its metadata
    # must be there, so a missing distribution fails here rather than skipping.
    try:
        dist = distribution("qoder-cloud")
    except PackageNotFoundError:  # pragma: no cover - a broken development install
        pytest.fail("qoder-cloud has no installed metadata; run maturin develop or install the wheel")
    eps = [ep for ep in dist.entry_points if ep.group == "pytest11"]
    assert [(ep.name, ep.value) for ep in eps] == [("qoder_cloud", "qoder_cloud.pytest_plugin")]
    assert eps[0].load().__name__ == "qoder_cloud.pytest_plugin"
