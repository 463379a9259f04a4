"""pytest fixtures for testing code that uses qoder-cloud, against the local emulator.

Installed with the package (entry point ``pytest11``), so the fixtures are available in any
project that has ``qoder-cloud`` installed; nothing starts unless a test asks for them::

    def test_creates_agent(qoder_client):                 # a qoder_cloud.Client
        agent = qoder_client.agents.create(name="helper", model="auto")
        assert qoder_client.agents.retrieve(agent.id).name == "helper"

    async def test_async(qoder_async_client):             # a qoder_cloud.AsyncClient
        await qoder_async_client.agents.create(name="helper", model="auto")

    def test_outage(qoder_emulator):                      # a qoder_cloud.testing.Emulator
        qoder_emulator.set_fault("status=503")
        ...

Fixtures:

* ``qoder_emulator``: the :class:`~qoder_cloud.testing.Emulator` shared by the whole test
  session (started on first use), reset before each test: no resources, zeroed stats, and the
  fault spec back to the configured one (none by default). The clock offset is kept.
* ``qoder_client`` / ``qoder_async_client``: a client for it, closed after the test.
  ``qoder_async_client`` is a plain fixture, so it works with pytest-asyncio, anyio or any
  other runner.
* ``qoder_emulator_options``: the keyword arguments of the shared
  :class:`~qoder_cloud.testing.Emulator` (session scope). Override it in a ``conftest.py``::

      @pytest.fixture(scope="session")
      def qoder_emulator_options():
          return {"turn_delay_ms": 20, "region": "cn"}

Per test, the ``qoder_emulator`` marker gives that test its own emulator (started for the test,
stopped after it) with the marker's keyword arguments on top of ``qoder_emulator_options``::

    @pytest.mark.qoder_emulator(tokens=["sk-a"], forbidden_tokens=["sk-b"])
    def test_forbidden(qoder_client): ...

The ini option ``qoder_emulator_args`` (raw emulator flags, e.g.
``qoder_emulator_args = --max-body-bytes 65536``) is appended to every emulator's command line.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Dict, Iterator

import pytest

if TYPE_CHECKING:
    # Only for annotations: qoder_cloud.testing (and urllib, subprocess, ...) is imported when a
    # fixture is first used, so projects that never use these fixtures pay nothing at startup.
    from ._client import AsyncClient, Client
    from .testing import Emulator

__all__ = [
    "qoder_async_client",
    "qoder_client",
    "qoder_emulator",
    "qoder_emulator_options",
]

_MARKER = "qoder_emulator"
_INI = "qoder_emulator_args"


def pytest_addoption(parser: pytest.Parser) -> None:
    """Registers the ``qoder_emulator_args`` ini option."""
    parser.addini(
        _INI,
        type="args",
        default=[],
        help="extra qoder-emulator flags for the qoder_emulator fixture (e.g. --turn-delay-ms 20)",
    )


def pytest_configure(config: pytest.Config) -> None:
    """Registers the ``qoder_emulator`` marker (so ``--strict-markers`` accepts it)."""
    config.addinivalue_line(
        "markers",
        f"{_MARKER}(**options): give this test its own qoder_cloud.testing.Emulator(**options) "
        "(on top of qoder_emulator_options) for the qoder_emulator / qoder_client fixtures",
    )


def _new_emulator(config: pytest.Config, options: Dict[str, Any]) -> "Emulator":
    from .testing import Emulator

    options = dict(options)
    ini_args = [str(a) for a in config.getini(_INI)]
    if ini_args:
        # Ini flags come first so options given in Python (appended after them) win when the
        # emulator sees a flag twice.
        options["extra_args"] = [*ini_args, *(options.get("extra_args") or ())]
    return Emulator(**options)


@pytest.fixture(scope="session")
def qoder_emulator_options() -> Dict[str, Any]:
    """Keyword arguments for the session's :class:`~qoder_cloud.testing.Emulator` (none).

    Override this fixture (session scope) in a ``conftest.py`` to configure the emulator.
    """
    return {}


@pytest.fixture(scope="session")
def _qoder_emulator_session(
    pytestconfig: pytest.Config, qoder_emulator_options: Dict[str, Any]
) -> Iterator["Emulator"]:
    # One process for the whole session: starting one per test would cost more than most tests.
    with _new_emulator(pytestconfig, qoder_emulator_options) as emu:
        yield emu


@pytest.fixture
def qoder_emulator(request: pytest.FixtureRequest) -> Iterator["Emulator"]:
    """A running :class:`~qoder_cloud.testing.Emulator`, empty at the start of the test.

    The session's shared emulator (reset and its fault restored first), or, for a test marked
    ``@pytest.mark.qoder_emulator(**options)``, a fresh one with those options.
    """
    marker = request.node.get_closest_marker(_MARKER)
    if marker is not None:
        if marker.args:
            raise pytest.UsageError(f"@pytest.mark.{_MARKER} takes keyword arguments only (Emulator options)")
        options = {**request.getfixturevalue("qoder_emulator_options"), **marker.kwargs}
        with _new_emulator(request.config, options) as own:
            yield own
        return
    # getfixturevalue, not a parameter: a session whose tests all use the marker never starts
    # the shared emulator.
    emu: Emulator = request.getfixturevalue("_qoder_emulator_session")
    emu.reset()
    # reset() keeps the server-wide fault; a test that called set_fault() must not leak it.
    emu.set_fault(emu.fault)
    yield emu


@pytest.fixture
def qoder_client(qoder_emulator: "Emulator") -> Iterator["Client"]:
    """A :class:`qoder_cloud.Client` for ``qoder_emulator``, closed after the test."""
    with qoder_emulator.client() as client:
        yield client


@pytest.fixture
def qoder_async_client(qoder_emulator: "Emulator") -> Iterator["AsyncClient"]:
    """A :class:`qoder_cloud.AsyncClient` for ``qoder_emulator``, closed after the test.

    A synchronous fixture on purpose (creating and closing the client need no event loop), so
    it does not depend on pytest-asyncio or anyio.
    """
    client = qoder_emulator.async_client()
    try:
        yield client
    finally:
        client.close()
