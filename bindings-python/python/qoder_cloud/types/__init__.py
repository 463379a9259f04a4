"""Result objects and request parameter shapes.

Result objects are :class:`BaseModel` instances: fields are attributes (``agent.name``), nested
objects are models too (``session.agent.id``), free-form maps such as ``metadata`` are dicts,
and fields this version does not know are reachable the same way. Every object has
``to_dict()``, ``to_json()``, ``==``, a ``repr`` that hides secrets, and — for the object a call
returned — ``request_id`` and ``idempotency_key``.

Request bodies are plain dicts; the ``*Param`` TypedDicts below describe them for type checkers.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Dict, List, Optional, Union

from .._native import Event as _Event
from .._native import Model as _Model

__all__ = [
    "BaseModel",
    "Agent",
    "Environment",
    "Session",
    "SessionThread",
    "SessionResource",
    "SessionEvent",
    "SessionStreamEvent",
    "SendEventsResponse",
    "FileMetadata",
    "Vault",
    "VaultCredential",
    "CredentialValidation",
    "Skill",
    "SkillVersion",
    "MemoryStore",
    "Memory",
    "MemoryPrefix",
    "MemoryVersion",
    "ModelInfo",
    "Deployment",
    "DeploymentRun",
    "Dream",
    "Work",
    "WorkHeartbeat",
    "WorkQueueStats",
    "Deleted",
    "TurnResult",
    "MessageSnapshot",
]

BaseModel = _Model
"""Base class of every result object."""

SessionEvent = _Event
"""A session or thread event (list results and stream items): ``type`` and ``id`` are always
there; other fields depend on the type (``content``, ``delta``, ``stop_reason``, ...)."""

SessionStreamEvent = _Event


class Agent(_Model):
    """An agent (``type: "agent"``); one object per version."""

    __slots__ = ()

    id: str
    type: str
    name: str
    description: Optional[str]
    model: Any
    system: Optional[str]
    tools: List[Any]
    mcp_servers: List[Any]
    skills: List[Any]
    multiagent: Any
    metadata: Dict[str, str]
    version: int
    archived_at: Optional[str]
    created_at: str
    updated_at: str


class Environment(_Model):
    """An environment (``type: "environment"``)."""

    __slots__ = ()

    id: str
    type: str
    name: str
    description: Optional[str]
    config: Any
    scope: Optional[str]
    metadata: Dict[str, str]
    archived_at: Optional[str]
    created_at: str
    updated_at: str


class Session(_Model):
    """A session (``type: "session"``)."""

    __slots__ = ()

    id: str
    type: str
    agent: Agent
    environment_id: str
    status: str
    title: Optional[str]
    metadata: Dict[str, str]
    environment_variables: Dict[str, str]
    resources: List[Any]
    vault_ids: List[str]
    usage: Any
    stats: Any
    archived_at: Optional[str]
    created_at: str
    updated_at: str


class SessionThread(_Model):
    """A thread of a multi-agent session (``type: "session_thread"``)."""

    __slots__ = ()

    id: str
    type: str
    session_id: str
    parent_thread_id: Optional[str]
    agent: Any
    status: str
    archived_at: Optional[str]
    created_at: str
    updated_at: str


class SessionResource(_Model):
    """A resource mounted into a session (``file``, ``github_repository``, ``memory_store``, ...)."""

    __slots__ = ()

    id: str
    type: str
    mount_path: Optional[str]
    created_at: str
    updated_at: str


class SendEventsResponse(_Model):
    """The events a send accepted, echoed with their server ids (``data``)."""

    __slots__ = ()

    data: List[Any]


class FileMetadata(_Model):
    """A file (``type: "file"``)."""

    __slots__ = ()

    id: str
    type: str
    filename: str
    mime_type: str
    size_bytes: int
    status: Optional[str]
    downloadable: Optional[bool]
    metadata: Dict[str, str]
    created_at: str


class Vault(_Model):
    """A vault (``type: "vault"``)."""

    __slots__ = ()

    id: str
    type: str
    display_name: str
    metadata: Dict[str, str]
    archived_at: Optional[str]
    created_at: str
    updated_at: str


class VaultCredential(_Model):
    """A vault credential; secrets are never returned."""

    __slots__ = ()

    id: str
    type: str
    vault_id: str
    display_name: Optional[str]
    auth: Any
    metadata: Dict[str, str]
    archived_at: Optional[str]
    created_at: str
    updated_at: str


class CredentialValidation(_Model):
    """Result of ``vaults.credentials.mcp_oauth_validate``."""

    __slots__ = ()

    type: str
    credential_id: str
    vault_id: str
    status: str


class Skill(_Model):
    """A skill (``type: "skill"``)."""

    __slots__ = ()

    id: str
    type: str
    display_title: Optional[str]
    latest_version: Optional[str]
    created_at: str


class SkillVersion(_Model):
    """A skill version (``type: "skill_version"``)."""

    __slots__ = ()

    id: str
    type: str
    skill_id: str
    version: str
    name: Optional[str]
    description: Optional[str]
    created_at: str


class MemoryStore(_Model):
    """A memory store (``type: "memory_store"``)."""

    __slots__ = ()

    id: str
    type: str
    name: str
    description: Optional[str]
    metadata: Dict[str, str]
    archived_at: Optional[str]
    created_at: str
    updated_at: str


class Memory(_Model):
    """A memory (``type: "memory"``)."""

    __slots__ = ()

    id: str
    type: str
    memory_store_id: str
    path: str
    content: Optional[str]
    content_sha256: Optional[str]
    metadata: Dict[str, str]
    created_at: str
    updated_at: str


class MemoryPrefix(_Model):
    """A directory entry in a memory listing (``type: "memory_prefix"``)."""

    __slots__ = ()

    type: str
    path: str


class MemoryVersion(_Model):
    """A memory version (``type: "memory_version"``)."""

    __slots__ = ()

    id: str
    type: str
    memory_id: str
    memory_store_id: str
    operation: str
    path: str
    created_at: str


class ModelInfo(_Model):
    """A model of the catalog (``type: "model"``)."""

    __slots__ = ()

    id: str
    type: str
    display_name: Optional[str]
    created_at: Optional[str]


class Deployment(_Model):
    """A deployment (``type: "deployment"``)."""

    __slots__ = ()

    id: str
    type: str
    name: str
    status: str
    metadata: Dict[str, str]
    archived_at: Optional[str]
    created_at: str
    updated_at: str


class DeploymentRun(_Model):
    """A run of a deployment (``type: "deployment_run"``)."""

    __slots__ = ()

    id: str
    type: str
    deployment_id: str
    session_id: Optional[str]
    created_at: str


class Dream(_Model):
    """A memory consolidation job (``type: "dream"``)."""

    __slots__ = ()

    id: str
    type: str
    status: str
    created_at: str


class Work(_Model):
    """A unit of work of a self-hosted environment (``type: "work"``)."""

    __slots__ = ()

    id: str
    type: str
    environment_id: str
    state: str
    metadata: Dict[str, str]


class WorkHeartbeat(_Model):
    """Result of ``environments.work.heartbeat``."""

    __slots__ = ()

    type: str
    lease_extended: bool
    state: str


class WorkQueueStats(_Model):
    """Result of ``environments.work.stats``."""

    __slots__ = ()

    type: str
    depth: int
    pending: int


class Deleted(_Model):
    """A deletion tombstone: ``{"id": ..., "type": "<resource>_deleted"}``."""

    __slots__ = ()

    id: str
    type: str


class TurnResult(_Model):
    """What ``sessions.run_turn`` / ``sessions.send_and_wait`` / ``sessions.run_tools`` produced.

    ``pending`` and ``replies`` are set by ``run_tools``: the blocking events left to the caller
    (confirmations no policy decided) and every reply it sent."""

    __slots__ = ()

    text: str
    stop_type: Optional[str]
    stop_reason: Any
    blocking_event_ids: List[str]
    messages: List[Any]
    sent: List[Any]
    events: List[Any]
    usage: Dict[str, Any]
    terminated: bool
    pending: List[Any]
    replies: List[Any]


class MessageSnapshot(_Model):
    """A message (or thinking block) as known so far while deltas stream in."""

    __slots__ = ()

    id: str
    type: str
    text: str
    blocks: List[str]
    is_final: bool
    final_event: Any


#: ``type`` field → class of top-level results whose operation does not fix the class.
MODEL_TYPES: Dict[str, type] = {
    "agent": Agent,
    "environment": Environment,
    "session": Session,
    "session_thread": SessionThread,
    "vault": Vault,
    "vault_credential": VaultCredential,
    "skill": Skill,
    "skill_version": SkillVersion,
    "memory_store": MemoryStore,
    "memory": Memory,
    "memory_prefix": MemoryPrefix,
    "memory_version": MemoryVersion,
    "model": ModelInfo,
    "deployment": Deployment,
    "deployment_run": DeploymentRun,
    "dream": Dream,
    "work": Work,
    "work_heartbeat": WorkHeartbeat,
    "work_queue_stats": WorkQueueStats,
}

#: Fields whose object values stay plain dicts (free-form maps, JSON schemas, tool inputs).
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
