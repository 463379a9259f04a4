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

import threading
import weakref
from types import TracebackType
from typing import Any, Dict, Optional, Sequence, Type, Union

from . import _native
from ._client import AsyncClient, Client
from ._emulator import EmulatorNotFoundError, find_binary
from ._exceptions import EmulatorStartupError

__all__ = ["DEFAULT_ACCESS_TOKEN", "Emulator", "EmulatorNotFoundError", "EmulatorStartupError"]

#: The bearer token clients of an :class:`Emulator` send unless told otherwise. Without
#: ``tokens`` the emulator accepts any non-empty token, so this value only has to be stable.
DEFAULT_ACCESS_TOKEN = "pt-qoder-emulator"


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

    Invalid options raise :class:`~qoder_cloud.InvalidArgumentError` (a :class:`ValueError`)
    naming the option; a process that fails to start raises :class:`EmulatorStartupError` with
    its command line and stderr; a missing binary raises :class:`EmulatorNotFoundError`. The
    checks, the startup handshake and the stop sequence are the core's (``qoder_cloud::testing``),
    shared with Node's ``startEmulator``. An instance runs one process: once closed it cannot
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
        # Checked here, before any process exists, so a typo fails fast with the option's name.
        self._options: Dict[str, Any] = {k: v for k, v in locals().items() if k != "self"}
        self._access_token: str = _native.EmulatorProcess.check(self._options)
        self._fault = fault
        self._proc: Optional[_native.EmulatorProcess] = None
        self._finalizer: Optional[weakref.finalize] = None  # type: ignore[type-arg]
        self._closed = False
        # start() and close() may race when a fixture's teardown runs on another thread.
        self._lock = threading.Lock()

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
            if self._proc is None:
                self._proc = _native.EmulatorProcess.start(str(find_binary()), self._options)
                # A graceful stop when this object is collected or the interpreter exits.
                self._finalizer = weakref.finalize(self, self._proc.close)
            return self

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
        state = "closed" if self._closed else (self._proc.base_url if self._proc else "not started")
        return f"Emulator({state})"

    # ----------------------------------------------------------------------------------------
    # addresses and clients

    def _running(self) -> _native.EmulatorProcess:
        if self._closed:
            raise RuntimeError("this Emulator is closed")
        if self._proc is None:
            raise RuntimeError("this Emulator is not started: use `with Emulator() as emu:` or call start()")
        return self._proc

    @property
    def base_url(self) -> str:
        """The API base URL the emulator printed, e.g. ``http://127.0.0.1:41234/api/v1/cloud``."""
        return self._running().base_url

    @property
    def origin(self) -> str:
        """``scheme://host:port`` of the emulator (the control endpoints live under it)."""
        return self._running().origin

    @property
    def ca_path(self) -> Optional[str]:
        """With ``tls=True``, the PEM file of the emulator's generated CA (else ``None``): pass it
        as ``ca_certs``, or set ``SSL_CERT_FILE`` to it, for clients of your own."""
        return self._running().ca_path

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
        if self.ca_path is not None:
            options["ca_certs"] = [self.ca_path]
        options.update(overrides)
        return options

    # ----------------------------------------------------------------------------------------
    # control endpoints (``/_emulator/...``: no auth, not counted in stats, never faulted)

    def set_fault(self, spec: Optional[str]) -> None:
        """Sets the server-wide fault spec (``None`` clears it); resets its counter.

        Applies to every later API request (per-request ``x-emulator-fault`` headers still win),
        e.g. ``emu.set_fault("status=500;count=1")``. An invalid spec raises
        :class:`~qoder_cloud.InvalidArgumentError` with the emulator's explanation.
        """
        self._running().set_fault(spec)

    def stats(self) -> Dict[str, Any]:
        """The emulator's counters (``GET /_emulator/stats``).

        Keys include ``requests`` (per ``"METHOD /route-template"``), ``requests_total``,
        ``objects_created`` (per type), ``connections``, ``streams``, ``faults_injected``,
        ``idempotent_replays``.
        """
        stats: Dict[str, Any] = self._running().stats()
        return stats

    def reset(self) -> None:
        """Drops every resource, idempotency key and counter; ends open streams and turns.

        The server-wide fault spec and the clock offset are kept.
        """
        self._running().reset()

    def advance_clock(self, seconds: float) -> None:
        """Moves the emulator's clock forward by ``seconds`` (>= 0); it never goes back."""
        self._running().advance_clock(seconds)
