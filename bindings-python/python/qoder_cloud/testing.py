"""Test helpers: run the bundled Qoder Cloud emulator and point clients at it.

:class:`Emulator` starts a ``qoder-emulator`` process on an ephemeral local port and gives
preconfigured clients plus the emulator's control endpoints (faults, stats, reset, clock)::

    from qoder_cloud.testing import Emulator

    def test_agents() -> None:
        with Emulator() as emu:
            with emu.client() as client:
                agent = client.agents.create(name="helper", model="auto")
                assert [a.id for a in client.agents.list()] == [agent.id]

    async def test_agents_async() -> None:
        async with Emulator(turn_delay_ms=20) as emu:
            async with emu.async_client() as client:
                agent = await client.agents.create(name="helper", model="auto")

With pytest, the ``qoder_emulator``, ``qoder_client`` and ``qoder_async_client`` fixtures of
:mod:`qoder_cloud.pytest_plugin` share one emulator per test session instead.

The emulator binary is found by :func:`qoder_cloud._emulator.find_binary`: ``QODER_EMULATOR_BIN``,
else the one bundled in the wheel, else a native ``qoder-emulator`` on ``PATH``.
"""

from __future__ import annotations

import json
import queue
import ssl
import subprocess
import tempfile
import threading
import urllib.error
import urllib.request
import weakref
from types import TracebackType
from typing import IO, Any, Dict, List, Optional, Sequence, Type, Union

from ._client import AsyncClient, Client
from ._emulator import EmulatorNotFoundError, find_binary

__all__ = ["DEFAULT_ACCESS_TOKEN", "Emulator", "EmulatorNotFoundError", "EmulatorStartupError"]

#: The bearer token clients of an :class:`Emulator` send unless told otherwise. Without
#: ``tokens`` the emulator accepts any non-empty token, so this value only has to be stable.
DEFAULT_ACCESS_TOKEN = "pt-qoder-emulator"

_REGIONS = ("global", "cn")
# How long close() waits for the emulator to exit after its stdin closes, before killing it.
_STOP_TIMEOUT = 10.0
# Control calls are local and fast; this only bounds a wedged emulator.
_CONTROL_TIMEOUT = 10.0
# How much of the emulator's stderr goes into a startup error message.
_STDERR_TAIL = 4000


class EmulatorStartupError(RuntimeError):
    """The emulator process exited, or printed no ``listening`` line in time, at startup.

    The message includes the command line and the tail of the process's stderr (bad flags
    make the binary exit with status 2 and say why there).
    """


def _check_int(name: str, value: object, minimum: int) -> int:
    # bool is an int subclass: ``turn_delay_ms=True`` is a mistake, not 1.
    if not isinstance(value, int) or isinstance(value, bool):
        raise TypeError(f"Emulator option {name!r} must be an int, got {type(value).__name__}")
    if value < minimum:
        raise ValueError(f"Emulator option {name!r} must be >= {minimum}, got {value}")
    return value


def _check_str(name: str, value: object) -> str:
    if not isinstance(value, str):
        raise TypeError(f"Emulator option {name!r} must be a str, got {type(value).__name__}")
    if not value:
        raise ValueError(f"Emulator option {name!r} must not be empty")
    return value


def _check_str_list(name: str, value: object, *, allow_empty_items: bool = False) -> List[str]:
    # A bare string is a sequence too; ``tokens="abc"`` would become three one-letter tokens.
    if isinstance(value, (str, bytes)) or not isinstance(value, (list, tuple)):
        raise TypeError(f"Emulator option {name!r} must be a list of str, got {type(value).__name__}")
    items: List[str] = []
    for i, item in enumerate(value):
        if not isinstance(item, str):
            raise TypeError(f"Emulator option {name!r}[{i}] must be a str, got {type(item).__name__}")
        if not item and not allow_empty_items:
            raise ValueError(f"Emulator option {name!r}[{i}] must not be empty")
        items.append(item)
    return items


def _startup_message(cmd: Sequence[str], what: str, stderr: IO[bytes]) -> str:
    """``qoder-emulator <what>: <command line>; stderr: <tail>`` for an :class:`EmulatorStartupError`."""
    try:
        stderr.flush()
        stderr.seek(0)
        text = stderr.read().decode("utf-8", "replace").strip()[-_STDERR_TAIL:]
    except (OSError, ValueError):  # ValueError: the file is already closed
        text = ""
    detail = f"; stderr:\n{text}" if text else " (no output on stderr)"
    return f"qoder-emulator {what}: {' '.join(cmd)}{detail}"


def _stop_process(proc: "subprocess.Popen[bytes]", stderr: IO[bytes]) -> None:
    """Stops the emulator: EOF on stdin (it exits by itself), bounded wait, then kill.

    A module-level function so :func:`weakref.finalize` can call it without keeping the
    :class:`Emulator` alive.
    """
    try:
        if proc.stdin is not None and not proc.stdin.closed:
            try:
                proc.stdin.close()
            except OSError:  # the process is already gone: the pipe is broken
                pass
        try:
            proc.wait(timeout=_STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=_STOP_TIMEOUT)
    finally:
        if proc.stdout is not None:
            proc.stdout.close()
        stderr.close()


class Emulator:
    """A local ``qoder-emulator`` process for tests; a context manager (``with`` / ``async with``).

    ::

        with Emulator(turn_delay_ms=50, tokens=["sk-test"]) as emu:
            client = emu.client(max_retries=0)       # base_url and access_token preset
            emu.set_fault("status=503;count=1")       # the next API request answers 503
            ...
            print(emu.stats()["requests_total"])

    The process listens on an ephemeral port of ``host`` and is stopped when the block ends
    (or by :meth:`close`, or when this object is garbage-collected, or at interpreter exit).
    Its stdin stays a pipe to this process and it runs with ``--exit-on-stdin-close``, so it
    also exits when the test process dies, even by ``SIGKILL``.

    Options (each maps to the emulator's command-line flag of the same name; ``None`` keeps
    the emulator's default):

    * ``host`` (``--host``, default ``127.0.0.1``), ``prefix`` (``--prefix``, default
      ``/api/v1/cloud``), ``region`` (``"global"`` or ``"cn"``).
    * ``max_body_bytes`` (request body limit; default 32 MiB, 4 MiB for ``cn``),
      ``keepalive_ms`` (SSE keep-alive interval, > 0), ``turn_delay_ms`` (delay before each step
      of a scripted turn, so a test can observe ``running``), ``h2_max_streams`` (an int or
      ``"unlimited"``).
    * ``fault``: a server-wide fault spec (see the emulator README, "Fault injection"), e.g.
      ``"status=503;count=2"``; :meth:`set_fault` changes it later.
    * ``tokens``: the only bearer tokens accepted (``--token``, repeated; default any non-empty
      token); ``forbidden_tokens``: tokens that authenticate but get 403 (``--forbidden-token``).
    * ``tls``: serve HTTPS (``--tls``): HTTP/2 or HTTP/1.1 by ALPN, with a CA generated for this
      run (:attr:`ca_path`); the clients of :meth:`client` trust it through ``ca_certs``.
    * ``extra_args``: raw flags appended to the command line.
    * ``access_token``: the token :meth:`client` and :meth:`async_client` send; default
      ``tokens[0]`` when ``tokens`` is given, else :data:`DEFAULT_ACCESS_TOKEN`.
    * ``startup_timeout``: seconds to wait for the emulator to report it is listening (30).

    Invalid options raise :class:`TypeError` / :class:`ValueError` naming the option; a process
    that fails to start raises :class:`EmulatorStartupError` with its stderr; a missing binary
    raises :class:`EmulatorNotFoundError`. An instance runs one process: once closed it cannot
    be started again (create a new one).
    """

    def __init__(
        self,
        *,
        host: Optional[str] = None,
        prefix: Optional[str] = None,
        region: Optional[str] = None,
        max_body_bytes: Optional[int] = None,
        keepalive_ms: Optional[int] = None,
        turn_delay_ms: Optional[int] = None,
        fault: Optional[str] = None,
        h2_max_streams: Optional[Union[int, str]] = None,
        tokens: Optional[Sequence[str]] = None,
        forbidden_tokens: Optional[Sequence[str]] = None,
        tls: bool = False,
        extra_args: Optional[Sequence[str]] = None,
        access_token: Optional[str] = None,
        startup_timeout: float = 30.0,
    ) -> None:
        # Everything is validated here, before any process exists, so a typo fails fast with the
        # option's Python name rather than as a flag error from the binary.
        flags: List[str] = []
        if host is not None:
            flags += ["--host", _check_str("host", host)]
        if prefix is not None:
            flags += ["--prefix", _check_str("prefix", prefix)]
        if region is not None:
            if not isinstance(region, str):
                raise TypeError(f"Emulator option 'region' must be a str, got {type(region).__name__}")
            if region not in _REGIONS:
                raise ValueError(f"Emulator option 'region' must be 'global' or 'cn', got {region!r}")
            flags += ["--region", region]
        if max_body_bytes is not None:
            flags += ["--max-body-bytes", str(_check_int("max_body_bytes", max_body_bytes, 0))]
        if keepalive_ms is not None:
            # The binary rejects 0 ("must be positive").
            flags += ["--keepalive-ms", str(_check_int("keepalive_ms", keepalive_ms, 1))]
        if turn_delay_ms is not None:
            flags += ["--turn-delay-ms", str(_check_int("turn_delay_ms", turn_delay_ms, 0))]
        if fault is not None:
            # The syntax is checked by the binary (exit status 2 and the reason on stderr).
            flags += ["--fault", _check_str("fault", fault)]
        if h2_max_streams is not None:
            if h2_max_streams == "unlimited":
                flags += ["--h2-max-streams", "unlimited"]
            elif isinstance(h2_max_streams, str):
                raise ValueError(f"Emulator option 'h2_max_streams' must be an int or 'unlimited', got {h2_max_streams!r}")
            else:
                flags += ["--h2-max-streams", str(_check_int("h2_max_streams", h2_max_streams, 0))]
        token_list = _check_str_list("tokens", tokens) if tokens is not None else None
        if token_list is not None:
            if not token_list:
                raise ValueError("Emulator option 'tokens' must not be empty (omit it to accept any token)")
            for t in token_list:
                flags += ["--token", t]
        if forbidden_tokens is not None:
            for t in _check_str_list("forbidden_tokens", forbidden_tokens):
                flags += ["--forbidden-token", t]
        if not isinstance(tls, bool):
            raise TypeError(f"Emulator option 'tls' must be a bool, got {type(tls).__name__}")
        if tls:
            flags.append("--tls")
        if extra_args is not None:
            flags += _check_str_list("extra_args", extra_args, allow_empty_items=True)
        if access_token is None:
            access_token = token_list[0] if token_list else DEFAULT_ACCESS_TOKEN
        if isinstance(startup_timeout, bool) or not isinstance(startup_timeout, (int, float)):
            raise TypeError(f"Emulator option 'startup_timeout' must be a number, got {type(startup_timeout).__name__}")
        if not startup_timeout > 0:
            raise ValueError(f"Emulator option 'startup_timeout' must be positive, got {startup_timeout}")

        self._flags = flags
        self._access_token = _check_str("access_token", access_token)
        self._fault = fault
        self._tls = tls
        self._ca_path: Optional[str] = None
        self._startup_timeout = float(startup_timeout)
        self._proc: Optional["subprocess.Popen[bytes]"] = None
        self._base_url: Optional[str] = None
        self._origin: Optional[str] = None
        self._finalizer: Optional[weakref.finalize] = None  # type: ignore[type-arg]
        self._closed = False
        # start() and close() may race when a fixture's teardown runs on another thread.
        self._lock = threading.Lock()
        # Control requests must reach the emulator directly: never through HTTP(S)_PROXY.
        self._opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))

    # ----------------------------------------------------------------------------------------
    # lifecycle

    def start(self) -> "Emulator":
        """Starts the process and waits until it listens; returns ``self``.

        ``with`` / ``async with`` call this for you. Calling it on a running emulator does nothing.
        Raises :class:`EmulatorNotFoundError`, :class:`EmulatorStartupError`, or
        :class:`RuntimeError` once closed.
        """
        with self._lock:
            if self._closed:
                raise RuntimeError("this Emulator is closed; create a new one")
            if self._proc is not None:
                return self
            binary = find_binary()
            cmd = [str(binary), "--port", "0", "--exit-on-stdin-close", *self._flags]
            # A file, not a pipe: nobody reads stderr while the emulator runs, and a full pipe
            # would block its logging.
            stderr = tempfile.TemporaryFile()
            try:
                proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=stderr)
            except BaseException:
                stderr.close()
                raise
            # Registered before anything can fail, so an error below (or a KeyboardInterrupt)
            # never leaks the process; also runs at interpreter exit.
            finalizer = weakref.finalize(self, _stop_process, proc, stderr)
            try:
                line = self._read_listening_line(proc, cmd, stderr)
            except BaseException:
                # A process that never got ready is not worth the graceful wait: kill it now.
                if proc.poll() is None:
                    proc.kill()
                finalizer()
                raise
            # `listening URL`, and with TLS `listening URL ca=PATH` (the generated CA, PEM).
            base_url, _, rest = line[len("listening ") :].strip().partition(" ")
            ca = rest.strip()
            self._ca_path = ca[len("ca=") :] if ca.startswith("ca=") else None
            if self._ca_path is not None:
                # Control requests must trust the emulator's CA like any client would.
                context = ssl.create_default_context(cafile=self._ca_path)
                self._opener = urllib.request.build_opener(
                    urllib.request.ProxyHandler({}), urllib.request.HTTPSHandler(context=context)
                )
            scheme, sep, host = base_url.partition("://")
            self._origin = f"{scheme}{sep}{host.split('/', 1)[0]}"
            self._base_url = base_url
            self._proc = proc
            self._finalizer = finalizer
            return self

    def _read_listening_line(self, proc: "subprocess.Popen[bytes]", cmd: List[str], stderr: IO[bytes]) -> str:
        # readline() blocks with no timeout and select() does not work on Windows pipes, so a
        # daemon thread reads the one line and this thread waits for it with a deadline. On
        # timeout the caller kills the process, which ends the thread's readline() with EOF.
        assert proc.stdout is not None
        stdout = proc.stdout
        result: "queue.Queue[bytes]" = queue.Queue(maxsize=1)
        reader = threading.Thread(target=lambda: result.put(stdout.readline()), name="qoder-emulator-startup", daemon=True)
        reader.start()
        try:
            raw = result.get(timeout=self._startup_timeout)
        except queue.Empty:
            what = f"did not report 'listening' within {self._startup_timeout:g} s"
            raise EmulatorStartupError(_startup_message(cmd, what, stderr)) from None
        if not raw:  # EOF: the process exited (bad flag, address in use, ...)
            try:
                code: Optional[int] = proc.wait(timeout=_STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                code = None
            raise EmulatorStartupError(_startup_message(cmd, f"exited with status {code} before listening", stderr))
        line = raw.decode("utf-8", "replace").rstrip("\r\n")
        if not line.startswith("listening "):
            raise EmulatorStartupError(_startup_message(cmd, f"printed {line!r} instead of 'listening <url>'", stderr))
        return line

    def close(self) -> None:
        """Stops the emulator (EOF on its stdin, a bounded wait, then kill). Idempotent."""
        with self._lock:
            self._closed = True
            finalizer, self._finalizer = self._finalizer, None
        if finalizer is not None:
            finalizer()

    @property
    def closed(self) -> bool:
        """Whether :meth:`close` was called (or the ``with`` block ended)."""
        return self._closed

    def __enter__(self) -> "Emulator":
        return self.start()

    def __exit__(
        self, exc_type: Optional[Type[BaseException]], exc: Optional[BaseException], tb: Optional[TracebackType]
    ) -> None:
        self.close()

    async def __aenter__(self) -> "Emulator":
        # Synchronous on purpose: starting takes milliseconds (bounded by startup_timeout) and
        # a plain call works under asyncio, trio and anyio alike, with no half-started process
        # left behind if the task is cancelled.
        return self.start()

    async def __aexit__(
        self, exc_type: Optional[Type[BaseException]], exc: Optional[BaseException], tb: Optional[TracebackType]
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        state = "closed" if self._closed else (self._base_url or "not started")
        return f"Emulator({state})"

    # ----------------------------------------------------------------------------------------
    # addresses and clients

    def _running(self) -> "subprocess.Popen[bytes]":
        if self._closed:
            raise RuntimeError("this Emulator is closed")
        if self._proc is None:
            raise RuntimeError("this Emulator is not started: use `with Emulator() as emu:` or call start()")
        return self._proc

    @property
    def base_url(self) -> str:
        """The API base URL the emulator printed, e.g. ``http://127.0.0.1:41234/api/v1/cloud``."""
        self._running()
        assert self._base_url is not None
        return self._base_url

    @property
    def origin(self) -> str:
        """``scheme://host:port`` of the emulator (the control endpoints live under it)."""
        self._running()
        assert self._origin is not None
        return self._origin

    @property
    def ca_path(self) -> Optional[str]:
        """With ``tls=True``, the PEM file of the emulator's generated CA (else ``None``): pass it
        as ``ca_certs``, or set ``SSL_CERT_FILE`` to it, for clients of your own."""
        self._running()
        return self._ca_path

    @property
    def access_token(self) -> str:
        """The bearer token :meth:`client` and :meth:`async_client` send."""
        return self._access_token

    @property
    def fault(self) -> Optional[str]:
        """The server-wide fault spec given at construction (``None`` by default)."""
        return self._fault

    @property
    def pid(self) -> int:
        """The process id of the running emulator."""
        return self._running().pid

    def client(self, **overrides: Any) -> Client:
        """A :class:`qoder_cloud.Client` for this emulator; ``overrides`` are client options.

        ``base_url`` and ``access_token`` are preset (and may be overridden too), e.g.
        ``emu.client(max_retries=0)`` to see injected faults at once. Close it when done
        (``with emu.client() as client:``).
        """
        return Client(**self._client_options(overrides))

    def async_client(self, **overrides: Any) -> AsyncClient:
        """A :class:`qoder_cloud.AsyncClient` for this emulator (see :meth:`client`)."""
        return AsyncClient(**self._client_options(overrides))

    def _client_options(self, overrides: Dict[str, Any]) -> Dict[str, Any]:
        options: Dict[str, Any] = {"base_url": self.base_url, "access_token": self._access_token}
        if self._ca_path is not None:
            options["ca_certs"] = [self._ca_path]
        options.update(overrides)
        return options

    # ----------------------------------------------------------------------------------------
    # control endpoints (``/_emulator/...``: no auth, not counted in stats, never faulted)

    def _control(self, method: str, path: str, body: Optional[Dict[str, Any]] = None) -> Dict[str, Any]:
        self._running()
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.origin + path, data=data, method=method)
        if data is not None:
            req.add_header("content-type", "application/json")
        try:
            with self._opener.open(req, timeout=_CONTROL_TIMEOUT) as resp:
                payload = resp.read()
        except urllib.error.HTTPError as e:
            raw = e.read()
            e.close()
            try:
                message = str(json.loads(raw)["error"]["message"])
            except (ValueError, KeyError, TypeError):
                message = raw.decode("utf-8", "replace")
            # 400 means the argument was rejected (bad spec, negative seconds): a ValueError
            # like any other bad argument. Anything else is a broken emulator.
            if e.code == 400:
                raise ValueError(message) from None
            raise RuntimeError(f"emulator control request {method} {path} failed with {e.code}: {message}") from None
        result = json.loads(payload)
        if not isinstance(result, dict):
            raise RuntimeError(f"emulator control request {method} {path} returned {result!r}")
        return result

    def set_fault(self, spec: Optional[str]) -> None:
        """Sets the server-wide fault spec (``None`` clears it); resets its counter.

        Applies to every later API request (per-request ``x-emulator-fault`` headers still win),
        e.g. ``emu.set_fault("status=500;count=1")``. An invalid spec raises :class:`ValueError`
        with the emulator's explanation.
        """
        if spec is not None and not isinstance(spec, str):
            raise TypeError(f"fault spec must be a str or None, got {type(spec).__name__}")
        self._control("POST", "/_emulator/faults", {"spec": spec})

    def stats(self) -> Dict[str, Any]:
        """The emulator's counters (``GET /_emulator/stats``).

        Keys include ``requests`` (per ``"METHOD /route-template"``), ``requests_total``,
        ``objects_created`` (per type), ``connections``, ``streams``, ``faults_injected``,
        ``idempotent_replays``.
        """
        return self._control("GET", "/_emulator/stats")

    def reset(self) -> None:
        """Drops every resource, idempotency key and counter; ends open streams and turns.

        The server-wide fault spec and the clock offset are kept.
        """
        self._control("POST", "/_emulator/reset", {})

    def advance_clock(self, seconds: float) -> None:
        """Moves the emulator's clock forward by ``seconds`` (>= 0); it never goes back."""
        if isinstance(seconds, bool) or not isinstance(seconds, (int, float)):
            raise TypeError(f"seconds must be a number, got {type(seconds).__name__}")
        if not seconds >= 0:
            raise ValueError(f"seconds must be a non-negative number, got {seconds}")
        self._control("POST", "/_emulator/clock/advance", {"seconds": seconds})
