"""Result objects and request parameter shapes.

Result objects are :class:`BaseModel` instances: fields are attributes (``agent.name``), nested
objects are models too (``session.agent.id``), free-form maps such as ``metadata`` are dicts,
and fields this version does not know are kept: ``obj["new_field"]`` (type checkers know only
the modelled fields, so a misspelt attribute is an error). The classes and their field types
are generated from the core's schema (``docs/schema.json``) into ``_generated.py``. Every object has
``to_dict()``, ``to_json()``, ``==``, a ``repr`` that hides secrets, and — for the object a call
returned — ``request_id`` and ``idempotency_key``.

Request bodies are plain dicts; the ``*Param`` TypedDicts below describe them for type checkers.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Dict, List, Optional, Union

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
    usage: Dict[str, Any]
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


if TYPE_CHECKING:
    from typing_extensions import Literal, NotRequired, Required, TypedDict

    class TextBlockParam(TypedDict):
        type: Literal["text"]
        text: str

    class ImageBlockParam(TypedDict):
        type: Literal["image"]
        source: Dict[str, Any]

    class DocumentBlockParam(TypedDict, total=False):
        type: Required[Literal["document"]]
        source: Required[Dict[str, Any]]
        title: str
        context: str

    ContentBlockParam = Union[TextBlockParam, ImageBlockParam, DocumentBlockParam, Dict[str, Any]]

    class UserMessageEventParam(TypedDict, total=False):
        type: Required[Literal["user.message"]]
        content: Required[Union[str, List[ContentBlockParam]]]
        file_attachments: List[Dict[str, Any]]

    class UserInterruptEventParam(TypedDict, total=False):
        type: Required[Literal["user.interrupt"]]
        session_thread_id: str

    class UserToolConfirmationEventParam(TypedDict, total=False):
        type: Required[Literal["user.tool_confirmation"]]
        tool_use_id: Required[str]
        result: Required[Literal["allow", "deny"]]
        deny_message: str
        session_thread_id: str

    class UserCustomToolResultEventParam(TypedDict, total=False):
        type: Required[Literal["user.custom_tool_result"]]
        custom_tool_use_id: Required[str]
        content: List[ContentBlockParam]
        is_error: bool
        session_thread_id: str

    class UserDefineOutcomeEventParam(TypedDict, total=False):
        type: Required[Literal["user.define_outcome"]]
        description: Required[str]
        rubric: Required[Dict[str, Any]]
        max_iterations: int

    class UserToolResultEventParam(TypedDict, total=False):
        type: Required[Literal["user.tool_result"]]
        tool_use_id: Required[str]
        content: List[ContentBlockParam]
        is_error: bool
        session_thread_id: str

    class SystemMessageEventParam(TypedDict):
        type: Literal["system.message"]
        content: List[TextBlockParam]

    InputEventParam = Union[
        UserMessageEventParam,
        UserInterruptEventParam,
        UserToolConfirmationEventParam,
        UserCustomToolResultEventParam,
        UserDefineOutcomeEventParam,
        UserToolResultEventParam,
        SystemMessageEventParam,
    ]

    class ModelConfigParam(TypedDict, total=False):
        id: Required[str]
        effort: Union[str, Dict[str, str]]
        speed: Literal["standard", "fast"]
        context_window: int
        inference_geo: str

    class McpServerParam(TypedDict):
        type: Literal["url"]
        name: str
        url: str

    class SkillRefParam(TypedDict, total=False):
        type: Required[Literal["qoder", "custom"]]
        skill_id: Required[str]
        version: str

    class CustomToolParam(TypedDict):
        type: Literal["custom"]
        name: str
        description: str
        input_schema: Dict[str, Any]

    AgentToolParam = Union[CustomToolParam, Dict[str, Any]]

    class MultiagentParam(TypedDict):
        type: Literal["coordinator"]
        agents: List[Union[str, Dict[str, Any]]]

    class NetworkingParam(TypedDict, total=False):
        type: Required[Literal["unrestricted", "limited", "allowed_hosts"]]
        allow_mcp_servers: bool
        allow_package_managers: bool
        allowed_hosts: List[str]

    class EnvironmentConfigParam(TypedDict, total=False):
        type: Required[Literal["cloud", "self_hosted"]]
        networking: NetworkingParam
        packages: Dict[str, Any]
        setup_script: Optional[str]

    class AgentRefParam(TypedDict, total=False):
        type: Required[Literal["agent", "agent_with_overrides"]]
        id: Required[str]
        version: int
        system: str
        model: Union[str, ModelConfigParam]
        tools: List[AgentToolParam]
        mcp_servers: List[McpServerParam]
        skills: List[SkillRefParam]

    SessionAgentParam = Union[str, AgentRefParam]

    class BudgetParam(TypedDict):
        type: Literal["limit"]
        max_credit_cost: str

    ResourceParam = Dict[str, Any]
    CredentialAuthParam = Dict[str, Any]
    MetadataParam = Dict[str, Optional[str]]
else:
    # At run time these are plain dicts; the precise shapes live in the branch above.
    TextBlockParam = ImageBlockParam = DocumentBlockParam = ContentBlockParam = dict
    UserMessageEventParam = UserInterruptEventParam = UserToolConfirmationEventParam = dict
    UserCustomToolResultEventParam = UserDefineOutcomeEventParam = UserToolResultEventParam = dict
    SystemMessageEventParam = InputEventParam = ModelConfigParam = McpServerParam = dict
    SkillRefParam = CustomToolParam = AgentToolParam = MultiagentParam = NetworkingParam = dict
    EnvironmentConfigParam = AgentRefParam = SessionAgentParam = BudgetParam = dict
    ResourceParam = CredentialAuthParam = MetadataParam = dict
