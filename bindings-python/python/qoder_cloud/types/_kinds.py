"""Run-time bases of the generated shape classes (``_generated.py``).

Events and nested objects arrive as the native ``Event`` / ``Model`` objects (built without a
Python constructor: the stream's hot path); the generated classes describe their shapes per
``type``. For type checkers they subclass the native classes; at run time ``isinstance`` (and
``match`` class patterns) compare the object's ``type`` with the class's tag, so
``isinstance(ev, AgentMessageEvent)`` is true exactly for ``agent.message`` events.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, FrozenSet, Optional

from .._native import Event as _Event
from .._native import Model as _Model


class _Kind(type):
    """Metaclass: instance checks by the ``type`` tag instead of by the object's class."""

    _native: type
    _tag: Optional[str]
    _known: Optional[FrozenSet[str]]

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

