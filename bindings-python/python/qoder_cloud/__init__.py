"""Python SDK for the Qoder Cloud Agents Managed API.

::

    import qoder_cloud

    async with qoder_cloud.AsyncClient() as client:          # QODER_ACCESS_TOKEN from the environment
        agent = await client.agents.create(name="helper", model="auto")
        async for a in client.agents.list():                  # every page
            print(a.id, a.name)

The protocol work — retries, idempotency keys, pagination cursors, resumable SSE streams —
happens in the Rust core (``qoder_cloud._native``); this package builds the namespaces of both
clients from the core's operation table.
"""

from __future__ import annotations

import logging as _logging

from . import _native

import atexit as _atexit

# Completions from the native runtime must not reach an interpreter that is finalizing.
_atexit.register(_native._at_exit)
from . import types as types
from . import _exceptions
# The error classes: generated from core/errors.json, listed once in `_exceptions.__all__`.
from ._exceptions import *  # noqa: F403
from ._exceptions import _classes

_logger = _logging.getLogger("qoder_cloud")
_logger.addHandler(_logging.NullHandler())

_native._configure(
    exceptions=_classes(),
    models={**types.MODEL_TYPES, "__message_snapshot__": types.MessageSnapshot},
    plain_fields=list(types.PLAIN_FIELDS),
    logger=_logger,
)

from ._client import AsyncClient, Client  # noqa: E402
from ._native import AsyncBinaryResponse, AsyncEventStream, BinaryResponse, DeltaAccumulator, EventStream, content_sha256  # noqa: E402
from ._tools import CustomTool, custom_tool  # noqa: E402
from ._native import WorkContext  # noqa: E402
from ._worker import EnvironmentWorker, WorkerReport  # noqa: E402
from ._pagination import AsyncPage, AsyncPaginator, SyncPage  # noqa: E402
from .types import BaseModel, SessionEvent  # noqa: E402

__version__: str = _native.__version__

#: Alias names of the official ``qca`` SDK.
Managed = Client
AsyncManaged = AsyncClient

__all__ = [
    "content_sha256",
    "custom_tool",
    "CustomTool",
    "EnvironmentWorker",
    "WorkContext",
    "WorkerReport",
    "__version__",
    "AsyncClient",
    "Client",
    "Managed",
    "AsyncManaged",
    "AsyncEventStream",
    "EventStream",
    "AsyncBinaryResponse",
    "BinaryResponse",
    "DeltaAccumulator",
    "AsyncPage",
    "AsyncPaginator",
    "SyncPage",
    "BaseModel",
    "SessionEvent",
    "types",
]
__all__ += _exceptions.__all__
