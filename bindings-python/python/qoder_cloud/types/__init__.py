"""Result objects and request parameter shapes.

Result objects are :class:`BaseModel` instances: fields are attributes (``agent.name``), nested
objects are models too (``session.agent.id``), free-form maps such as ``metadata`` are dicts,
and fields this version does not know are kept: ``obj["new_field"]`` (type checkers know only
the modelled fields, so a misspelt attribute is an error). The classes and their field types
are generated from the core's schema (``docs/schema.json``) into ``_generated.py``. Every object has
``to_dict()``, ``to_json()``, ``==``, a ``repr`` that hides secrets, and — for the object a call
returned — ``request_id`` and ``idempotency_key``.

Request arguments are plain dicts; their ``*Param`` / ``*Params`` TypedDicts (for type checkers,
``dict`` at run time) are generated from the core's request types into ``_generated.py`` too.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional

from .._native import Event as _Event
from .._native import Model as _Model
from . import _generated
from ._generated import *  # noqa: F403  (event, content and nested shapes, one class per type)

__all__ = [
    "Event",
    "BaseModel",
    "SendEventsResponse",
    "TurnResult",
    "MessageSnapshot",
    "MetadataParam",
]
__all__ += _generated.__all__

BaseModel = _Model
"""Base class of every result object."""

Event = _Event
"""The run-time class of every event object; its shape per ``type`` is one of the classes of
:data:`SessionEvent` (``isinstance(ev, AgentMessageEvent)`` checks the ``type``)."""


#: ``type`` field → class of top-level results whose operation does not fix the class.
MODEL_TYPES: Dict[str, type] = _generated.MODEL_TYPES

#: Earlier names, kept.
SendEventsResponse = SentEvents


class TurnResult(_Model):
    """What ``sessions.run_turn`` / ``sessions.send_and_wait`` / ``sessions.run_tools`` produced.

    ``pending`` and ``replies`` are set by ``run_tools``: the blocking events left to the caller
    (confirmations no policy decided) and every reply it sent."""

    __slots__ = ()

    text: str
    stop_type: Optional[str]
    stop_reason: Optional[StopReason]
    blocking_event_ids: List[str]
    messages: List[AgentMessageEvent]
    sent: List[SessionEvent]
    events: List[SessionStreamEvent]
    usage: Dict[str, int]
    terminated: bool
    pending: List[SessionEvent]
    replies: List[SessionEvent]


class MessageSnapshot(_Model):
    """A message (or thinking block) as known so far while deltas stream in."""

    __slots__ = ()

    id: str
    type: str
    text: str
    blocks: List[str]
    is_final: bool
    final_event: Optional[SessionEvent]


#: ``type`` field → class of top-level results whose operation does not fix the class.
PLAIN_FIELDS: List[str] = [
    "metadata",
    "environment_variables",
    "input",
    "input_schema",
    "properties",
    "headers",
]

#: A ``metadata`` argument: string values; ``None`` deletes a key on update.
MetadataParam = Dict[str, Optional[str]]
