"""Run-time bases of the generated shape classes (``_generated.py``).

Events and nested objects arrive as the native ``Event`` / ``Model`` objects (built without a
Python constructor: the stream's hot path); the generated classes describe their shapes per
``type``. For type checkers they subclass the native classes; at run time ``isinstance`` (and
``match`` class patterns) compare the object's ``type`` with the class's tag, so
``isinstance(ev, AgentMessageEvent)`` is true exactly for ``agent.message`` events.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, ClassVar, Dict, FrozenSet, Literal, Optional, Tuple

from .._native import Event as _Event
from .._native import Model as _Model


class _Kind(type):
    """Metaclass: instance checks by the ``type`` tag instead of by the object's class. A class's
    tag is the value of its ``type: Literal["…"]`` annotation (the generated classes write the tag
    once, there)."""

    _native: type
    _tag: Optional[str]
    _known: Optional[FrozenSet[str]]

    def __init__(cls, name: str, bases: Tuple[type, ...], ns: Dict[str, Any]) -> None:
        super().__init__(name, bases, ns)
        tag = re.fullmatch(r"Literal\[[\"']([^\"'<]+)[\"']\]", str(ns.get("__annotations__", {}).get("type", "")))
        if tag:
            cls._tag = tag.group(1)

    def __instancecheck__(cls, obj: object) -> bool:
        if not isinstance(obj, cls._native):
            return False
        tag = getattr(cls, "_tag", None)
        known = getattr(cls, "_known", None)
        if tag is not None:
            return bool(getattr(obj, "type", None) == tag)
        if known is not None:  # the unknown arm of an open union
            return getattr(obj, "type", None) not in known
        raise TypeError(f"{cls.__name__} describes a shape without a `type` tag; it has no run-time class")

    def __subclasscheck__(cls, sub: type) -> bool:
        return type.__subclasscheck__(cls, sub)


if TYPE_CHECKING:
    EventShape = _Event
    ModelShape = _Model

    class UnknownShape(_Model):
        #: Typed as a placeholder so that `.type == "…"` narrows a union (as in TypeScript); at
        #: run time it is the server's type string, also `obj["type"]` (typed `Any`).
        type: Literal["<unknown>"]

        def __getattr__(self, name: str) -> Any: ...

else:

    class EventShape(metaclass=_Kind):
        """Base of the per-type event classes."""

        _native: ClassVar[type] = _Event
        _tag: ClassVar[Optional[str]] = None
        _known: ClassVar[Optional[FrozenSet[str]]] = None

    class ModelShape(metaclass=_Kind):
        """Base of the nested object classes (content blocks, stop reasons, ...)."""

        _native: ClassVar[type] = _Model
        _tag: ClassVar[Optional[str]] = None
        _known: ClassVar[Optional[FrozenSet[str]]] = None

    class UnknownShape(ModelShape):
        """Base of the unknown arm of each open union: an object whose `type` its `_known` lacks."""
