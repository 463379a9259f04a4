"""The self-hosted environment worker.

``EnvironmentWorker`` polls an environment's work queue under a worker id, acknowledges each
item, calls ``handler(work, ctx)`` while it heartbeats within the lease (compare-and-set on the
last heartbeat), honours stop requests, and never runs an item twice; the loop is the Rust
core's. ``ctx.stop_requested`` turns true on a stop request, a lost lease or shutdown (a plain
function can block on ``ctx.wait_stop(timeout)``, a coroutine can ``await ctx.stopped()``); a
coroutine handler is also cancelled when its lease is lost.

Shutdown is graceful: ``shutdown()`` (from any thread or a signal handler), Ctrl-C during the
sync ``run()``, or cancelling the task awaiting the async ``run()`` stops the polling and gives
running handlers ``shutdown_grace`` seconds before they are dropped.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any, Awaitable, Callable, Dict, Optional, Union

from ._native import WorkContext
from .types import Work


@dataclass(frozen=True)
class WorkerReport:
    """What a worker did, once it shut down."""

    #: Items whose handler returned.
    completed: int
    #: Items whose handler raised.
    failed: int
    #: Items ended early: a stop request, a lost lease, or shutdown.
    stopped: int


def _report(r: Any) -> WorkerReport:
    return WorkerReport(completed=int(r["completed"]), failed=int(r["failed"]), stopped=int(r["stopped"]))


#: A handler: ``handler(work, ctx)``; a plain function (run in a worker thread) or a coroutine
#: function (run on the event loop of the async ``run()``). Raising marks the work failed.
WorkHandler = Callable[[Work, WorkContext], Union[None, Awaitable[None]]]


class EnvironmentWorker:
    """A self-hosted environment worker for ``client`` (a ``Client`` or an ``AsyncClient``).

    Options: ``worker_id`` (default: a fresh ``qoder-worker-<uuid>``), ``poll_wait`` (seconds a
    poll waits for work, at most 30, default 10), ``lease`` (seconds asked for on each heartbeat,
    default 30; beats every third of it), ``reclaim_older_than`` (seconds: also take over items
    whose holder has been silent that long), ``max_concurrency`` (default 1), ``shutdown_grace``
    (default 30 seconds).
    """

    def __init__(
        self,
        client: Any,
        environment_id: str,
        handler: WorkHandler,
        *,
        worker_id: Optional[str] = None,
        poll_wait: Optional[float] = None,
        lease: Optional[float] = None,
        reclaim_older_than: Optional[float] = None,
        max_concurrency: Optional[int] = None,
        shutdown_grace: Optional[float] = None,
    ) -> None:
        self._client = client
        self._environment_id = environment_id
        self._handler = handler
        self._options: Dict[str, Any] = dict(
            worker_id=worker_id,
            poll_wait=poll_wait,
            lease=lease,
            reclaim_older_than=reclaim_older_than,
            max_concurrency=max_concurrency,
            shutdown_grace=shutdown_grace,
        )
        self._native: Any = None
        self._shutdown = False

    def _make(self, is_async: bool) -> Any:
        if self._native is None:
            self._native = self._client._native.worker(self._environment_id, self._handler, self._options, is_async)
            if self._shutdown:
                self._native.shutdown()
        return self._native

    def shutdown(self) -> None:
        """Stops polling; running handlers get ``shutdown_grace`` to finish. Thread-safe, idempotent."""
        self._shutdown = True
        if self._native is not None:
            self._native.shutdown()

    def run(self) -> Any:
        """Runs until ``shutdown()``: blocks with a ``Client``, returns an awaitable with an
        ``AsyncClient``. The result is a :class:`WorkerReport`."""
        if getattr(self._client, "_is_async", False):
            return self._arun()
        native = self._make(False)
        try:
            return _report(native.join())
        except KeyboardInterrupt:
            native.shutdown()
            native.join()  # the graceful part: running handlers get their grace period
            raise

    async def _arun(self) -> WorkerReport:
        native = self._make(True)
        try:
            return _report(await native.ajoin())
        except asyncio.CancelledError:
            native.shutdown()
            await asyncio.shield(native.ajoin())
            raise
