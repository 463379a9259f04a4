"""Operations that are not plain JSON calls: uploads (multipart) and downloads (bytes).

Each maps onto one native function of the client, so the binding stays a thin layer.
"""

from __future__ import annotations

import inspect
from typing import Any, Callable, Dict, Optional

from . import _otel
from . import types as _t


def native_method(call: Callable[..., Any], is_async: bool) -> Callable[..., Any]:
    """A method from ``call(self, ...)``, which returns what the native client returns: on the
    async client an awaitable, awaited here so the method is a coroutine function; on the sync
    client the result itself."""
    if is_async:

        async def amethod(self: Any, *args: Any, **kwargs: Any) -> Any:
            return await call(self, *args, **kwargs)

        method = amethod
    else:

        def smethod(self: Any, *args: Any, **kwargs: Any) -> Any:
            return call(self, *args, **kwargs)

        method = smethod
    method.__signature__ = inspect.signature(call)  # type: ignore[attr-defined]
    return method


def _files_upload(self: Any, **kwargs: Any) -> Any:
    return self._native.upload_file(kwargs, _t.FileMetadata)


def _files_download(self: Any, file_id: str, **kwargs: Any) -> Any:
    return self._native.download_file(file_id, kwargs)


def _skills_create(self: Any, **kwargs: Any) -> Any:
    return self._native.upload_skill(None, kwargs, _t.Skill)


def _skills_versions_create(self: Any, skill_id: str, **kwargs: Any) -> Any:
    return self._native.upload_skill(skill_id, kwargs, _t.SkillVersion)


def _skills_versions_download(self: Any, version: str, *, skill_id: str, **kwargs: Any) -> Any:
    return self._native.download_skill_version(skill_id, version, kwargs)


_SPECIAL: Dict[str, Callable[..., Any]] = {
    "files.upload": _files_upload,
    "files.download": _files_download,
    "skills.create": _skills_create,
    "skills.versions.create": _skills_versions_create,
    "skills.versions.download": _skills_versions_download,
}


def method_for(op: Dict[str, Any], is_async: bool) -> Optional[Callable[..., Any]]:
    call = _SPECIAL.get(op["name"])
    return native_method(call, is_async) if call else None


def _traced_method(operation: str, make: Callable[..., Any], is_async: bool) -> Callable[..., Any]:
    """A method whose native call runs inside an OpenTelemetry span (when tracing is active):
    ``make(self, ...)`` returns ``(kwargs, call)`` with ``call(kwargs)`` the native call."""
    if is_async:

        async def amethod(self: Any, *args: Any, **kwargs: Any) -> Any:
            kw, call = make(self, *args, **kwargs)
            return await _otel.traced_await(operation, kw, call)

        method = amethod
    else:

        def smethod(self: Any, *args: Any, **kwargs: Any) -> Any:
            kw, call = make(self, *args, **kwargs)
            return _otel.traced_call(operation, kw, call)

        method = smethod
    method.__signature__ = inspect.signature(make)  # type: ignore[attr-defined]
    return method


def _run_turn(self: Any, session_id: str, text: str, **kwargs: Any) -> Any:
    return kwargs, lambda kw: self._native.run_turn(session_id, text, None, kw, _t.TurnResult)


def _send_and_wait(self: Any, session_id: str, *, events: Any, **kwargs: Any) -> Any:
    return kwargs, lambda kw: self._native.run_turn(session_id, None, events, kw, _t.TurnResult)


def _run_tools(self: Any, session_id: str, text: Optional[str] = None, *, events: Any = None, tools: Any = None, **kwargs: Any) -> Any:
    kwargs.update(_runner=True, tools=tool_map(tools))
    return kwargs, lambda kw: self._native.run_turn(session_id, text, events, kw, _t.TurnResult)


def session_helpers(is_async: bool) -> Dict[str, Callable[..., Any]]:
    """``sessions.run_turn``, ``send_and_wait`` and ``run_tools`` (the core's turn helper)."""
    run_turn = _traced_method("sessions.run_turn", _run_turn, is_async)
    send_and_wait = _traced_method("sessions.send_and_wait", _send_and_wait, is_async)
    run_tools = _traced_method("sessions.run_tools", _run_tools, is_async)
    run_turn.__name__, send_and_wait.__name__, run_tools.__name__ = "run_turn", "send_and_wait", "run_tools"

    run_turn.__doc__ = (
        "Sends a text ``user.message`` and waits until the turn ends (the session idles, "
        "terminates or is deleted). Returns a ``TurnResult`` (``text``, ``stop_type``, "
        "``messages``, ``events``, ``usage``). ``on_event`` (called from a worker thread) sees "
        "every event, previews included when ``event_deltas=True``."
    )
    send_and_wait.__doc__ = "Like ``run_turn`` with arbitrary input ``events`` (tool confirmations, results...)."
    run_tools.__doc__ = (
        "Sends ``text`` (or ``events``) and drives the session until the turn ends, running the "
        "agent's custom tools through ``tools`` (callables keyed by tool name, or functions "
        "decorated with ``custom_tool``; called with the tool input as keyword arguments, "
        "concurrently; a raised exception becomes an error result) and answering tool "
        "confirmations through ``confirm`` (event -> True / False / deny message / None) or "
        "``allow_tools`` / ``deny_tools``. Each result is sent once, across retries and dropped "
        "streams. With neither ``text`` nor ``events`` it answers what the session waits for now. "
        "Returns a ``TurnResult``; ``pending`` holds the confirmations left to the caller."
    )
    return {"run_turn": run_turn, "send_and_wait": send_and_wait, "run_tools": run_tools}


def tool_map(tools: Any) -> Optional[Dict[str, Any]]:
    """``tools`` as a dict of name -> callable: a dict as is, or a list of functions (named by
    their ``custom_tool`` definition, else by ``__name__``)."""
    if tools is None or isinstance(tools, dict):
        return tools
    if isinstance(tools, (str, bytes)) or not hasattr(tools, "__iter__"):
        from ._exceptions import InvalidArgumentError

        raise InvalidArgumentError(f"tools: expected a dict of tool name -> callable or a list of functions, got {type(tools).__name__}", param="tools")
    out: Dict[str, Any] = {}
    for f in tools:
        d = getattr(f, "definition", None)
        name = d["name"] if isinstance(d, dict) else getattr(f, "__name__", None)
        if not isinstance(name, str):
            from ._exceptions import InvalidArgumentError

            raise InvalidArgumentError(f"tools: {f!r} has no name; pass a dict instead", param="tools")
        out[name] = f
    return out
